/* semper-fair-exchange.h: optimistic fair exchange of a payment for goods,
 * PROTOCOLS.md B (docs/fair-exchange.md).
 *
 *   0. M -> B  offer = Sig_M(offer_id, description, H(goods), price, T, expiry, systems)
 *   1. B -> M  m1 = Sig_B("fx/m1", H(offer), order)   order: a semper document signed
 *                                                      with the user's consent, naming
 *                                                      H(offer), tid, h(N_B), the system
 *   2. M -> B  m2 = Sig_M("fx/m2", H(m1), c = Enc_k(goods), H(c),
 *                         e = EnvelopedData to T's certificate of {label: H(m1), k})
 *   3. B -> M  m3 = Sig_B("fx/m3", N_B, H(m2), proof of payment bound to H(m1))
 *   4. M -> B  m4 = Sig_M("fx/m4", H(m1), k, receipt)
 *   abort   B -> T  Sig_B("fx/abort", m1)             (before m3 left)
 *   resolve B -> T  Sig_B("fx/resolve", offer, m1, m2, proof)
 *   T answers Sig_T("fx/aborted" | "fx/receipt" (with k) | "fx/revoke", H(m1)),
 *   one outcome per H(m1).
 *
 * Two sides: SemperFxBuyer (the wallet; every exchange is an archive exchange
 * of protocol "fx" in the profile, journaled before each message leaves) and
 * SemperFxMerchant (a server; its own SQLite file). Each step of either side
 * takes the bytes received and returns the bytes to send, so a merchant can put
 * them behind HTTP routes (semper_fx_merchant_add_routes: POST /fx/m1 answers
 * m2, POST /fx/m3 answers m4) and the buyer drives them over HTTP
 * (semper_fx_buyer_run). The exchange's key is H(m1) (64 hex), which is also
 * the tid the payment is bound to.
 *
 * Payment systems plug in through SemperFxPaymentSystem (below); the e-cash
 * one is core/payment/semper-fx-ecash.h. The exchange layer never includes the
 * payment layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_FX_ERROR (semper_fx_error_quark ())

typedef enum {
  SEMPER_FX_ERROR_FAILED,
  SEMPER_FX_ERROR_NOT_FOUND,    /* no such exchange or offer */
  SEMPER_FX_ERROR_WRONG_STATE,  /* not allowed in the exchange's state */
  SEMPER_FX_ERROR_BAD_MESSAGE,  /* a message that does not fit the exchange */
  SEMPER_FX_ERROR_EXPIRED,      /* the offer has expired */
  SEMPER_FX_ERROR_PAYMENT,      /* the payment system refused or failed */
  SEMPER_FX_ERROR_UNREACHABLE,  /* the peer did not answer; the step stays journaled */
  SEMPER_FX_ERROR_REFUSED,      /* the bank refused the payment for good */
} SemperFxError;

GQuark semper_fx_error_quark (void);

/* Buyer states (archive exchange state) */
#define SEMPER_FX_PREPARED   "prepared"    /* order document made, nothing sent */
#define SEMPER_FX_M1_SENT    "m1-sent"     /* waiting for m2 */
#define SEMPER_FX_M3_SENT    "m3-sent"     /* paid, waiting for m4 */
#define SEMPER_FX_ABORTING   "aborting"    /* abort request journaled */
#define SEMPER_FX_RESOLVING  "resolving"   /* resolve request journaled */
#define SEMPER_FX_REFUNDING  "refunding"   /* T revoked: refund journaled */
#define SEMPER_FX_DONE       "done"        /* final: goods + receipt (M's or T's) */
#define SEMPER_FX_ABORTED    "aborted"     /* final: nothing paid (T's abort token) */
#define SEMPER_FX_REVOKED    "revoked"     /* final: T's revoke, payment refunded */
/* Merchant states */
#define SEMPER_FX_M2_SENT    "m2-sent"     /* m1 and m2 stored */
#define SEMPER_FX_M3_RECEIVED "m3-received" /* m3 stored, the payment not yet collected */
#define SEMPER_FX_M4_SENT    "m4-sent"     /* final for the merchant: paid */

/* ---- the offer ------------------------------------------------------------ */

/* {"type":"semper-fx-offer","version":1,"offer":ID,"description":TEXT,
 *  "goods":"<64 hex H(goods)>","amount":N,"currency":"EUR",
 *  "merchant":"<64 hex>","ttp":"<64 hex>","expiry":UNIX,"systems":["ecash",…],
 *  "order":[["Item","2 x … @ 4.90 EUR"],…]}                  ("order" optional)
 * inside a CMS SignedData by the merchant. "order" lists header fields (name,
 * value, in order; 1…256) that the buyer's order document repeats between
 * Merchant and Offer, so the user signs every item line, the shipping and the
 * delivery address (the commerce layer fills it in); never the fields the
 * exchange writes itself (Title, Date, Merchant, Offer, Offer-Id, Transaction,
 * Commitment, Payment-System, Total). */
typedef struct {
  char         *offer_id;
  char         *description;
  char         *goods_hash;
  SemperAmount  price;
  char         *merchant;    /* fingerprint of the merchant's certificate */
  char         *ttp;         /* fingerprint of the TTP's certificate */
  gint64        expiry;      /* unix seconds */
  GStrv         systems;     /* accepted payment systems */
  GStrv         order_fields; /* (nullable): name, value, name, value, …: "order" */
  GBytes       *raw;         /* (nullable): the signed offer, once signed or verified */
  char         *hash;        /* (nullable): H(raw), hex */
} SemperFxOffer;

void           semper_fx_offer_free   (SemperFxOffer *offer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperFxOffer, semper_fx_offer_free)
/* Strict parser of the offer's JSON (no signature check; the fuzz target). */
SemperFxOffer *semper_fx_offer_parse  (GBytes        *json,
                                       GError       **error);
/* Verifies the signature (signer = the offer's merchant, role merchant) and
 * parses. Returns: (transfer full) (nullable) */
SemperFxOffer *semper_fx_offer_verify (GBytes        *p7m,
                                       SemperTrust   *trust,
                                       GError       **error);

/* ---- payment systems ------------------------------------------------------- */

/**
 * SemperFxPaymentSystem:
 * @system: the system's name as offers and orders carry it ("ecash")
 * @user_data: passed to every call
 *
 * A payment system's part in the exchange. Each side fills in what it uses
 * (the others may be %NULL); @key is H(m1), 64 hex, the payment's tid.
 * @reserve (buyer): set aside @amount under @key before anything leaves.
 * @pay (buyer): the proof of payment for @merchant (a fingerprint), bound to
 *   @key; the buyer journals it inside m3, so it is made once.
 * @commit (buyer): the exchange finished with goods.
 * @release (buyer): the exchange was aborted or revoked: take the reserved
 *   value back; @revoke is T's signed revoke token, or %NULL after an abort
 *   (when nothing was paid). Must be idempotent.
 * @collect (merchant): redeem @proof (e.g. deposit at the bank) before m4.
 * @check (TTP): verify @proof offline: it pays @amount to @merchant under @key.
 * @settle (TTP): collect @proof, which passed @check just before, for
 *   @merchant at the payment system's bank (e-cash: deposit the coins;
 *   account: authorise the hold; the bank checks it again) before T gives
 *   the buyer k, so that the merchant is paid whatever the buyer does next.
 *   Must be idempotent, and answer the merchant's own later collect. Fails
 *   with %SEMPER_FX_ERROR_REFUSED when the bank refused the payment for good
 *   (spent coins, an account that does not hold the amount: T revokes), with
 *   any other error when it could not find out (T decides nothing).
 */
typedef struct {
  const char *system;
  gpointer    user_data;
  gboolean  (*reserve) (gpointer            user_data,
                        const char         *key,
                        const SemperAmount *amount,
                        GError            **error);
  GBytes   *(*pay)     (gpointer            user_data,
                        const char         *key,
                        const char         *merchant,
                        GError            **error);
  gboolean  (*commit)  (gpointer            user_data,
                        const char         *key,
                        GError            **error);
  gboolean  (*release) (gpointer            user_data,
                        const char         *key,
                        GBytes             *revoke,
                        GError            **error);
  gboolean  (*collect) (gpointer            user_data,
                        const char         *key,
                        const SemperAmount *amount,
                        GBytes             *proof,
                        GError            **error);
  gboolean  (*check)   (gpointer            user_data,
                        const char         *key,
                        const SemperAmount *amount,
                        const char         *merchant,
                        GBytes             *proof,
                        GError            **error);
  gboolean  (*settle)  (gpointer            user_data,
                        const char         *key,
                        const SemperAmount *amount,
                        const char         *merchant,
                        GBytes             *proof,
                        GError            **error);
} SemperFxPaymentSystem;

/* ---- building blocks, shared by the parties, the TTP and the tests ---------- */

/* Strict parser of the TTP's key envelope (the decrypted e):
 * {"type":"semper-fx-key","version":1,"label":"<H(m1)>","key":"<base64 k>"}.
 * @out_label: (out) (transfer full). Returns: (transfer full) (nullable): k */
GBytes  *semper_fx_key_envelope_parse (GBytes         *json,
                                       char          **out_label,
                                       GError        **error);

/* Checks m1 against the offer (H(offer), the order document and its
 * signature by m1's signer, the parties, the system). */
gboolean semper_fx_check_m1 (SemperProtocolMessage  *m1,
                             SemperFxOffer          *offer,
                             SemperTrust            *trust,
                             GError                **error);
gboolean semper_fx_check_m2 (SemperProtocolMessage  *m2,
                             SemperProtocolMessage  *m1,
                             GError                **error);
/* Decrypts c of @m2 with @key (32 bytes) and checks H(goods) against the
 * offer. Returns: (transfer full) (nullable): the goods */
GBytes  *semper_fx_open_goods (SemperProtocolMessage  *m2,
                               SemperFxOffer          *offer,
                               GBytes                 *key,
                               GError                **error);
/* Merchant: makes m2 for @goods (any bytes: a dishonest merchant in a test
 * passes others than the offer's). @out_key: (out) (transfer full): k, wiped
 * when freed by the caller with semper_secret_wipe. Returns: (transfer full) */
GBytes  *semper_fx_make_m2  (SemperCrypto           *merchant,
                             SemperProtocolMessage  *m1,
                             GBytes                 *goods,
                             GBytes                 *ttp_cert,
                             GBytes                **out_key,
                             GError                **error);
/* Merchant: m4 with k and the receipt for m1. Returns: (transfer full) */
GBytes  *semper_fx_make_m4  (SemperCrypto           *merchant,
                             SemperProtocolMessage  *m1,
                             SemperFxOffer          *offer,
                             GBytes                 *key,
                             GError                 **error);

G_END_DECLS

/* The two sides, one object per file. */
#include "semper-fx-buyer.h"
#include "semper-fx-merchant.h"
