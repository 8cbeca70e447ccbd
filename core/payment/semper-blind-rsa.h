/* semper-blind-rsa.h: RSA blind signatures (RFC 9474, RSABSSA).
 *
 * The four variants of RFC 9474 section 5 (SHA-384, MGF1-SHA-384, salt of
 * 48 or 0 bytes, with or without the 32-byte random message prefix). NSS does
 * the RSA private and public operations, SHA-384, the PSS verification and
 * the randomness; GMP does the blinding arithmetic (docs/decisions.md,
 * docs/ecash.md).
 *
 * The protocol, as in RFC 9474 section 4:
 *   client: input = prepare (msg); blinded, inv = blind (pk, input)
 *   server: blind_sig = blind_sign (sk, blinded)
 *   client: sig = finalize (pk, input, blind_sig, inv)
 *   anyone: verify (pk, input, sig)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SEMPER_BLIND_RSA_ERROR (semper_blind_rsa_error_quark ())

typedef enum {
  SEMPER_BLIND_RSA_ERROR_FAILED,        /* NSS or the arithmetic failed */
  SEMPER_BLIND_RSA_ERROR_BAD_KEY,       /* not an RSA key we accept (type, size, exponent) */
  SEMPER_BLIND_RSA_ERROR_BAD_INPUT,     /* wrong length, out of range, not invertible */
  SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE, /* the signature does not verify */
  SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY,/* signing with a public key */
} SemperBlindRsaError;

GQuark semper_blind_rsa_error_quark (void);

/* RFC 9474 section 5; the names are the RFC's. */
typedef enum {
  SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED,        /* RSABSSA-SHA384-PSS-Randomized (ours) */
  SEMPER_BLIND_RSA_SHA384_PSSZERO_RANDOMIZED,    /* RSABSSA-SHA384-PSSZERO-Randomized */
  SEMPER_BLIND_RSA_SHA384_PSS_DETERMINISTIC,     /* RSABSSA-SHA384-PSS-Deterministic */
  SEMPER_BLIND_RSA_SHA384_PSSZERO_DETERMINISTIC, /* RSABSSA-SHA384-PSSZERO-Deterministic */
} SemperBlindRsaVariant;

/* Length of the random prefix that prepare() adds in the randomized variants. */
#define SEMPER_BLIND_RSA_PREFIX_LEN 32
/* Key sizes we make and accept. */
#define SEMPER_BLIND_RSA_MIN_BITS 2048
#define SEMPER_BLIND_RSA_MAX_BITS 8192

const char *semper_blind_rsa_variant_to_string   (SemperBlindRsaVariant  variant);
gboolean    semper_blind_rsa_variant_from_string (const char            *name,
                                                  SemperBlindRsaVariant *out);

#define SEMPER_TYPE_BLIND_RSA_KEY (semper_blind_rsa_key_get_type ())
G_DECLARE_FINAL_TYPE (SemperBlindRsaKey, semper_blind_rsa_key, SEMPER, BLIND_RSA_KEY, GObject)

/* A fresh key pair (public exponent 65537) in NSS's internal token, not
 * stored anywhere: export it with _export_pkcs8() to keep it. */
SemperBlindRsaKey *semper_blind_rsa_key_generate        (guint               bits,
                                                         GError            **error);
/* A key pair from a PKCS#8 PrivateKeyInfo (DER, unencrypted RSA). */
SemperBlindRsaKey *semper_blind_rsa_key_new_from_pkcs8  (GBytes             *der,
                                                         GError            **error);
/* A public key from a SubjectPublicKeyInfo (DER, rsaEncryption). */
SemperBlindRsaKey *semper_blind_rsa_key_new_from_spki   (GBytes             *der,
                                                         GError            **error);
/* Returns (transfer full): PKCS#8 DER; the bytes are wiped when freed. */
GBytes            *semper_blind_rsa_key_export_pkcs8    (SemperBlindRsaKey  *self,
                                                         GError            **error);
/* Returns (transfer full): SubjectPublicKeyInfo DER. */
GBytes            *semper_blind_rsa_key_dup_spki        (SemperBlindRsaKey  *self);
/* Returns (transfer full): lower-case hex SHA-256 of the SPKI DER. */
char              *semper_blind_rsa_key_dup_id          (SemperBlindRsaKey  *self);
gboolean           semper_blind_rsa_key_has_private     (SemperBlindRsaKey  *self);
guint              semper_blind_rsa_key_get_bits        (SemperBlindRsaKey  *self);
/* Length in bytes of blinded messages, blind signatures and signatures. */
gsize              semper_blind_rsa_key_get_length      (SemperBlindRsaKey  *self);

/* Returns (transfer full): the message the other steps take: a random
 * 32-byte prefix and @msg for the randomized variants, @msg otherwise. */
GBytes  *semper_blind_rsa_prepare    (SemperBlindRsaVariant   variant,
                                      GBytes                 *msg,
                                      GError                **error);
/* Returns (transfer full): the blinded message; @out_inv (transfer full) is
 * the client's secret for finalize(), wiped when freed. */
GBytes  *semper_blind_rsa_blind      (SemperBlindRsaKey      *key,
                                      SemperBlindRsaVariant   variant,
                                      GBytes                 *input_msg,
                                      GBytes                **out_inv,
                                      GError                **error);
/* Returns (transfer full): the blind signature (RSASP1, checked with RSAVP1). */
GBytes  *semper_blind_rsa_blind_sign (SemperBlindRsaKey      *key,
                                      GBytes                 *blinded_msg,
                                      GError                **error);
/* Returns (transfer full): the signature, only once it verifies. */
GBytes  *semper_blind_rsa_finalize   (SemperBlindRsaKey      *key,
                                      SemperBlindRsaVariant   variant,
                                      GBytes                 *input_msg,
                                      GBytes                 *blind_sig,
                                      GBytes                 *inv,
                                      GError                **error);
gboolean semper_blind_rsa_verify     (SemperBlindRsaKey      *key,
                                      SemperBlindRsaVariant   variant,
                                      GBytes                 *input_msg,
                                      GBytes                 *sig,
                                      GError                **error);

G_END_DECLS
