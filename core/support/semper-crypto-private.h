/* semper-crypto-private.h: NSS internals shared by crypto, cms and trust.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>

#include "semper-crypto.h"
#include "semper-trust.h"

G_BEGIN_DECLS

void              _semper_nss_init               (void);
PK11SlotInfo     *_semper_crypto_get_slot        (SemperCrypto *self);
/* (transfer full) both; NULL with SEMPER_CRYPTO_ERROR_NO_KEY set */
SECKEYPrivateKey *_semper_crypto_find_key        (SemperCrypto *self,
                                                  GError      **error);
CERTCertificate  *_semper_crypto_find_cert       (SemperCrypto *self,
                                                  GError      **error);

void              _semper_set_nss_error          (GError      **error,
                                                  int           code,
                                                  const char   *what);
/* A temporary NSS certificate for @len bytes of DER (transfer full). */
CERTCertificate  *_semper_cert_decode            (const guint8 *der,
                                                  gsize         len,
                                                  GError      **error);
GBytes           *_semper_cert_dup_der           (CERTCertificate *cert);
char             *_semper_cert_common_name       (CERTCertificate *cert);
char             *_semper_cert_role              (CERTCertificate *cert);
gboolean          _semper_is_p256_params         (const SECItem *params);
gboolean          _semper_cert_is_ca             (CERTCertificate *cert);
GDateTime        *_semper_date_time_from_prtime  (PRTime        t);
PRTime            _semper_prtime_from_date_time  (GDateTime    *dt);

/* Signatures NSS verified in this process (semper-crypto.c): a signature
 * over @signed_data by @signer (a certificate's or key's DER) is verified
 * once; callers still check everything that depends on time or trust. */
gboolean          _semper_verified_lookup        (const char   *label,
                                                  const guint8 *signed_data,
                                                  gsize         signed_len,
                                                  const guint8 *signer,
                                                  gsize         signer_len);
void              _semper_verified_remember      (const char   *label,
                                                  const guint8 *signed_data,
                                                  gsize         signed_len,
                                                  const guint8 *signer,
                                                  gsize         signer_len);
/* How many verifications the set saved so far (for tests). */
guint             _semper_verified_get_hits      (void);

/* Checks @leaf against @trust with @pool as possible intermediates, at time
 * @at. Fills @info (trusted=TRUE) on success. */
PRTime            _semper_trust_check_time       (SemperTrust       *trust,
                                                  PRTime             signing_time);
gboolean          _semper_trust_check            (SemperTrust       *trust,
                                                  CERTCertificate   *leaf,
                                                  CERTCertificate  **pool,
                                                  guint              n_pool,
                                                  PRTime             at,
                                                  SemperSignerInfo **info,
                                                  GError           **error);
SemperSignerInfo *_semper_signer_info_new        (CERTCertificate   *leaf);

G_END_DECLS
