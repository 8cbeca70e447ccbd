/* semper-account-payment.h: the messages of an account payment (PROTOCOLS.md
 * D, like iKP 3KP / the SET dual signature; docs/payments.md) and the
 * merchant's calls to the bank.
 *
 *   invoice       Sig_M(common), common = {"type":"semper-invoice","version":1,
 *                 "price":N,"currency":"EUR","merchant":"<fp>","tid":"<64 hex>",
 *                 "date":UNIX,"order":"<64 hex H(order)>"};  H(common) = SHA-256 of
 *                 the invoice's JSON bytes.
 *   authorisation Sig_B(semper document of kind payment-authorisation, shown in the
 *                 trusted display: Amount, Merchant, Transaction, Invoice = H(common),
 *                 Slip = H(slip)).
 *   slip          Enc_Bank({"type":"semper-payment-slip","version":1,"account":ID,
 *                 "amount":N,"currency":"EUR","common":"<hex>","nonce":"<64 hex>"}).
 *   proof         {"type":"semper-account-proof","version":1,"authorisation":b64,
 *                 "slip":b64,"invoice":b64}: what the buyer hands the merchant (pay());
 *                 "invoice" (the merchant's signed invoice, optional) lets the TTP of
 *                 a fair exchange authorise the payment at the bank when it resolves.
 *
 * The merchant forwards the proof with the invoice to the bank in an
 * "authorise" request; the bank answers Sig_Bank({"type":"semper-account-answer",
 * "op":"authorise","result":"yes"|"no","common":H(common),…}). The merchant
 * then captures or releases the hold, and may refund captured money. Each of
 * the four requests carries an idempotency key; a repeat returns the first
 * answer. The merchant never sees the account; the bank never sees the order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-trust.h"
#include "semper-types.h"

G_BEGIN_DECLS

/* ---- invoice ---------------------------------------------------------------- */

typedef struct {
  SemperAmount  price;
  char         *merchant;   /* fingerprint of the merchant's certificate */
  char         *tid;        /* 64 hex: H(m1) */
  gint64        date;       /* UNIX seconds */
  char         *order;      /* 64 hex: H(order document) */
} SemperInvoice;

/* Returns (transfer full): the common JSON. */
GBytes        *semper_invoice_to_json (const SemperInvoice *self);
SemperInvoice *semper_invoice_parse   (GBytes              *json,
                                       GError             **error);
void           semper_invoice_free    (SemperInvoice       *self);
/* The merchant signs @self. Returns (transfer full): the signed invoice. */
GBytes        *semper_invoice_sign    (const SemperInvoice *self,
                                       SemperCrypto        *merchant,
                                       GError             **error);
/* Verifies a signed invoice: signed by a merchant certificate whose
 * fingerprint is the invoice's merchant. @out_common: (out) (optional): the
 * hex H(common). Returns (transfer full). */
SemperInvoice *semper_invoice_verify  (GBytes              *p7m,
                                       SemperTrust         *trust,
                                       char               **out_common,
                                       GError             **error);

/* ---- slip and proof ------------------------------------------------------------ */

typedef struct {
  char         *account;
  SemperAmount  amount;
  char         *common;     /* hex H(common) */
  char         *nonce;      /* 64 hex */
} SemperPaymentSlip;

GBytes            *semper_payment_slip_to_json (const SemperPaymentSlip *self);
SemperPaymentSlip *semper_payment_slip_parse   (GBytes                  *json,
                                                GError                 **error);
void               semper_payment_slip_free    (SemperPaymentSlip       *self);

typedef struct {
  GBytes *authorisation;    /* the buyer's signed document */
  GBytes *slip;             /* the enveloped slip */
  GBytes *invoice;          /* (nullable): the merchant's signed invoice */
} SemperAccountProof;

GBytes             *semper_account_proof_to_json (const SemperAccountProof *self);
SemperAccountProof *semper_account_proof_parse   (GBytes                   *json,
                                                  GError                  **error);
void                semper_account_proof_free    (SemperAccountProof       *self);

/* Builds the payment-authorisation document for @invoice (the user sees it).
 * Returns (transfer full): its exact bytes. */
GBytes *semper_account_authorisation_build (const SemperInvoice *invoice,
                                            const char          *common,
                                            GBytes              *slip,
                                            GError             **error);

/* ---- the bank's requests and answers ------------------------------------------- */

typedef enum {
  SEMPER_ACCOUNT_OP_AUTHORISE,
  SEMPER_ACCOUNT_OP_CAPTURE,
  SEMPER_ACCOUNT_OP_RELEASE,
  SEMPER_ACCOUNT_OP_REFUND,
} SemperAccountOp;

const char *semper_account_op_to_string (SemperAccountOp op);

/* {"type":"semper-account-request","version":1,"op":…,"key":…,
 *  authorise: "invoice":b64,"proof":b64;  capture, release: "common":hex;
 *  refund: "common":hex,"amount":N,"currency":…} signed by the merchant. */
typedef struct {
  SemperAccountOp  op;
  char            *key;
  GBytes          *invoice;   /* authorise */
  GBytes          *proof;     /* authorise */
  char            *common;    /* capture, release, refund */
  SemperAmount     amount;    /* refund */
} SemperAccountRequest;

GBytes               *semper_account_request_to_json (const SemperAccountRequest *self);
SemperAccountRequest *semper_account_request_parse   (GBytes                     *json,
                                                      GError                    **error);
void                  semper_account_request_free    (SemperAccountRequest       *self);

/* {"type":"semper-account-answer","version":1,"op":…,"key":…,"request":hex,
 *  "result":"yes"|"no","common":hex,"amount":N,"currency":…,"reason":…} */
typedef struct {
  SemperAccountOp  op;
  char            *key;
  char            *request;   /* hex SHA-256 of the request JSON */
  gboolean         yes;
  char            *common;
  SemperAmount     amount;    /* authorise, capture, release: the hold; refund: refunded */
  char            *reason;    /* (nullable) with no: "insufficient-funds", … */
} SemperAccountAnswer;

SemperAccountAnswer *semper_account_answer_parse (GBytes               *json,
                                                  GError              **error);
void                 semper_account_answer_free  (SemperAccountAnswer  *self);
/* Verifies the bank's signed answer (role "bank"; @bank_fingerprint when
 * given). Returns (transfer full). */
SemperAccountAnswer *semper_account_answer_verify (GBytes              *p7m,
                                                   SemperTrust         *trust,
                                                   const char          *bank_fingerprint,
                                                   GError             **error);

/* Merchant side: signs @request, posts it to BANK_URL/bank/account, verifies
 * the answer and that it answers this request. A "no" is an answer, not an
 * error. @out_raw (optional): the signed answer, to forward and archive.
 * Returns (transfer full). */
SemperAccountAnswer *semper_account_request_send (const SemperAccountRequest *request,
                                                  SemperCommClient           *client,
                                                  SemperCrypto               *merchant,
                                                  SemperTrust                *trust,
                                                  const char                 *bank_url,
                                                  const char                 *bank_fingerprint,
                                                  GBytes                    **out_raw,
                                                  GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperInvoice, semper_invoice_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperPaymentSlip, semper_payment_slip_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperAccountProof, semper_account_proof_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperAccountRequest, semper_account_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperAccountAnswer, semper_account_answer_free)

G_END_DECLS
