/* semper-crypto.h: a profile's keys and certificates in an NSS database.
 *
 * A SemperCrypto owns one NSS `sql:` database (cert9.db, key9.db) in a
 * profile directory, opened as its own PKCS#11 slot so that several profiles
 * (a CA and a user, or the servers of the demo) live in one process. The
 * database password is asked only through the SemperPasswordFunc given to
 * semper_crypto_open(). Keys are ECDSA P-256. See docs/crypto.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_CRYPTO_ERROR (semper_crypto_error_quark ())

typedef enum {
  SEMPER_CRYPTO_ERROR_FAILED,        /* NSS failed; the message says why */
  SEMPER_CRYPTO_ERROR_BAD_PASSWORD,  /* the database password was wrong */
  SEMPER_CRYPTO_ERROR_CANCELLED,     /* the password callback returned NULL */
  SEMPER_CRYPTO_ERROR_NO_KEY,        /* the profile has no key or no certificate yet */
  SEMPER_CRYPTO_ERROR_BAD_INPUT,     /* malformed or refused input */
  SEMPER_CRYPTO_ERROR_UNTRUSTED,     /* certificate does not chain to the pinned root */
  SEMPER_CRYPTO_ERROR_BAD_SIGNATURE, /* a signature does not match the signed bytes */
  SEMPER_CRYPTO_ERROR_EXPIRED,       /* certificate outside its validity period */
  SEMPER_CRYPTO_ERROR_NOT_FOUND,     /* no database in that directory */
  SEMPER_CRYPTO_ERROR_REVOKED,       /* the certificate is on the pinned CA's CRL */
} SemperCryptoError;

GQuark semper_crypto_error_quark (void);

/* Roles carried in certificates (subject OU, see docs/crypto.md). */
#define SEMPER_ROLE_WALLET    "wallet"
#define SEMPER_ROLE_MERCHANT  "merchant"
#define SEMPER_ROLE_TTP       "ttp"
#define SEMPER_ROLE_BANK      "bank"
#define SEMPER_ROLE_CA        "ca"
#define SEMPER_ROLE_EVALUATOR "evaluator"

gboolean semper_role_is_valid (const char *role);

#define SEMPER_TYPE_CRYPTO (semper_crypto_get_type ())
G_DECLARE_FINAL_TYPE (SemperCrypto, semper_crypto, SEMPER, CRYPTO, GObject)

SemperCrypto *semper_crypto_open               (const char          *dir,
                                                gboolean             create,
                                                SemperPasswordFunc   func,
                                                gpointer             user_data,
                                                GDestroyNotify       destroy,
                                                GError             **error);
const char   *semper_crypto_get_dir            (SemperCrypto        *self);

gboolean      semper_crypto_has_key            (SemperCrypto        *self);
gboolean      semper_crypto_generate_key       (SemperCrypto        *self,
                                                GError             **error);
GBytes       *semper_crypto_create_csr         (SemperCrypto        *self,
                                                const char          *common_name,
                                                const char          *role,
                                                GError             **error);
gboolean      semper_crypto_make_self_signed   (SemperCrypto        *self,
                                                const char          *common_name,
                                                GError             **error);
gboolean      semper_crypto_import_certificate (SemperCrypto        *self,
                                                GBytes              *der,
                                                GError             **error);
GBytes       *semper_crypto_dup_certificate    (SemperCrypto        *self);
char         *semper_crypto_dup_certificate_pem (SemperCrypto       *self);

/* CA side */
gboolean      semper_crypto_make_root          (SemperCrypto        *self,
                                                const char          *common_name,
                                                guint                validity_days,
                                                GError             **error);
GBytes       *semper_crypto_issue_certificate  (SemperCrypto        *ca,
                                                GBytes              *csr_der,
                                                const char          *role,
                                                guint                validity_days,
                                                GError             **error);
GBytes       *semper_crypto_issue_certificate_full (SemperCrypto    *ca,
                                                GBytes              *csr_der,
                                                const char          *role,
                                                GDateTime           *not_before,
                                                GDateTime           *not_after,
                                                GError             **error);

/* Certificates as bytes */
char         *semper_certificate_to_pem        (GBytes              *der);
GBytes       *semper_certificate_from_pem      (const char          *pem,
                                                GError             **error);
char         *semper_certificate_dup_common_name (GBytes            *der);
char         *semper_certificate_dup_role      (GBytes              *der);

/* Hashing, randomness, wiping */
void          semper_sha256                    (const void          *data,
                                                gsize                len,
                                                guint8               out[32]);
GBytes       *semper_sha256_bytes              (GBytes              *data);
char         *semper_sha256_hex                (GBytes              *data);
gboolean      semper_random_bytes              (void                *buf,
                                                gsize                len,
                                                GError             **error);
void          semper_secret_wipe               (void                *buf,
                                                gsize                len);
void          semper_secret_free               (char                *password);

G_END_DECLS
