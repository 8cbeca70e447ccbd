/* semper-ecash.h: denominations and coins of the e-cash payment system
 * (PROTOCOLS.md section C; docs/ecash.md).
 *
 * A denomination is a blind-RSA public key (RSABSSA-SHA384-PSS-Randomized)
 * with its value, currency and validity, published as a CMS SignedData by the
 * bank's P-256 key (certificate role `bank`). A coin is a P-256 key pair whose
 * H(public key) (SHA-256 of the SubjectPublicKeyInfo DER) carries the bank's
 * blind signature under one denomination. The coin's id is that hash.
 *
 * Plain structs, each with one owner; no threads share them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-blind-rsa.h"
#include "semper-crypto.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_ECASH_ERROR (semper_ecash_error_quark ())

typedef enum {
  SEMPER_ECASH_ERROR_INVALID,            /* malformed denomination or coin */
  SEMPER_ECASH_ERROR_BAD_SIGNATURE,      /* a signature does not verify */
  SEMPER_ECASH_ERROR_UNTRUSTED,          /* not signed by a bank the pinned root certifies */
  SEMPER_ECASH_ERROR_WRONG_DENOMINATION, /* the coin names another denomination */
  SEMPER_ECASH_ERROR_NOT_YET_VALID,      /* before the denomination's valid-from */
  SEMPER_ECASH_ERROR_EXPIRED,            /* after withdraw-until / deposit-until */
  SEMPER_ECASH_ERROR_NO_SECRET,          /* the coin's private key is not here */
  SEMPER_ECASH_ERROR_FAILED,             /* NSS failed */
} SemperEcashError;

GQuark semper_ecash_error_quark (void);

/* Largest JSON a parser here accepts. */
#define SEMPER_ECASH_MAX_JSON (16 * 1024)
/* The one blind signature variant that coins use. */
#define SEMPER_ECASH_VARIANT SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED

/* ---- denominations ------------------------------------------------------- */

typedef struct _SemperDenomination SemperDenomination;

SemperDenomination *semper_denomination_new            (SemperBlindRsaKey   *key,
                                                        gint64               value,
                                                        const char          *currency,
                                                        GDateTime           *valid_from,
                                                        GDateTime           *withdraw_until,
                                                        GDateTime           *deposit_until,
                                                        GError             **error);
/* Signs the description with the bank's key (semper_cms_sign_message) and
 * keeps the result (get_signed). Returns (transfer none). */
GBytes             *semper_denomination_sign           (SemperDenomination  *self,
                                                        SemperCrypto        *bank,
                                                        GError             **error);
/* Verifies @p7m against @trust (signer role must be `bank`) and parses the
 * description strictly. Returns (transfer full): a public-only denomination. */
SemperDenomination *semper_denomination_new_from_signed (GBytes             *p7m,
                                                        SemperTrust         *trust,
                                                        GError             **error);
void                semper_denomination_free           (SemperDenomination  *self);

const char         *semper_denomination_get_id         (SemperDenomination  *self);
gint64              semper_denomination_get_value      (SemperDenomination  *self);
const char         *semper_denomination_get_currency   (SemperDenomination  *self);
GDateTime          *semper_denomination_get_valid_from (SemperDenomination  *self);
GDateTime          *semper_denomination_get_withdraw_until (SemperDenomination *self);
GDateTime          *semper_denomination_get_deposit_until  (SemperDenomination *self);
SemperBlindRsaKey  *semper_denomination_get_key        (SemperDenomination  *self);
/* (nullable) (transfer none): the bank's SignedData, once signed or verified */
GBytes             *semper_denomination_get_signed     (SemperDenomination  *self);
/* (nullable): hex SHA-256 of the signing bank's certificate, once verified */
const char         *semper_denomination_get_bank       (SemperDenomination  *self);

gboolean            semper_denomination_check_withdraw (SemperDenomination  *self,
                                                        GDateTime           *now,
                                                        GError             **error);
gboolean            semper_denomination_check_deposit  (SemperDenomination  *self,
                                                        GDateTime           *now,
                                                        GError             **error);
/* Bank side: the blind signature over a wallet's blinded coin hash, only
 * inside the withdraw window. Returns (transfer full). */
GBytes             *semper_denomination_blind_sign     (SemperDenomination  *self,
                                                        GBytes              *blinded,
                                                        GDateTime           *now,
                                                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperDenomination, semper_denomination_free)

/* ---- coins ----------------------------------------------------------------- */

typedef struct _SemperCoin SemperCoin;
typedef struct _SemperCoinRequest SemperCoinRequest;

/* Wallet side of a withdrawal: a fresh coin key, its hash prepared and
 * blinded for @denom. Returns (transfer full). */
SemperCoinRequest *semper_coin_request_new         (SemperDenomination  *denom,
                                                    GError             **error);
/* (transfer none): what goes to the bank */
GBytes            *semper_coin_request_get_blinded (SemperCoinRequest   *self);
/* Unblinds the bank's answer and checks it. Returns (transfer full) a coin
 * with its secret key, or %NULL when the bank's signature is bad. */
SemperCoin        *semper_coin_request_finish      (SemperCoinRequest   *self,
                                                    GBytes              *blind_sig,
                                                    GError             **error);
void               semper_coin_request_free        (SemperCoinRequest   *self);
/* The request's state with its secrets (coin key, blinding inverse), so that
 * a withdrawal survives a crash between sending and storing the coin: the
 * purse journals it before the blinded coin leaves. Returns (transfer full)
 * JSON that is wiped when freed. */
GBytes            *semper_coin_request_to_json     (SemperCoinRequest   *self,
                                                    GError             **error);
/* Strict: known members, canonical base64, the key pair and the blinded
 * input must belong together and to @denom. Returns (transfer full). */
SemperCoinRequest *semper_coin_request_new_from_json (GBytes            *json,
                                                      SemperDenomination *denom,
                                                      GError            **error);
/* (transfer none): hex SHA-256 of the coin's public key: the coin's id to be */
const char        *semper_coin_request_get_id      (SemperCoinRequest   *self);

const char *semper_coin_get_id              (SemperCoin          *self);
const char *semper_coin_get_denomination_id (SemperCoin          *self);
/* (transfer none): the coin's P-256 SubjectPublicKeyInfo DER */
GBytes     *semper_coin_get_public_key      (SemperCoin          *self);
gboolean    semper_coin_has_secret          (SemperCoin          *self);
/* The bank's signature under @denom (and the denomination's own id). */
gboolean    semper_coin_verify              (SemperCoin          *self,
                                             SemperDenomination  *denom,
                                             GError             **error);
/* ECDSA P-256 with SHA-256 over @data by the coin's key (a deposit
 * permission); signature is r || s, 64 bytes. Returns (transfer full). */
GBytes     *semper_coin_sign                (SemperCoin          *self,
                                             GBytes              *data,
                                             GError             **error);
gboolean    semper_coin_verify_signature    (SemperCoin          *self,
                                             GBytes              *data,
                                             GBytes              *signature,
                                             GError             **error);
/* Returns (transfer full): the coin as JSON; with @with_secret its private
 * key too (for the purse only: never send that). Wiped when freed. */
GBytes     *semper_coin_to_json             (SemperCoin          *self,
                                             gboolean             with_secret,
                                             GError             **error);
/* Strict: semper_message_parse, known members only, canonical base64, sizes.
 * Does not check the bank's signature (semper_coin_verify does). */
SemperCoin *semper_coin_new_from_json       (GBytes              *json,
                                             GError             **error);
void        semper_coin_free                (SemperCoin          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperCoinRequest, semper_coin_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperCoin, semper_coin_free)

G_END_DECLS
