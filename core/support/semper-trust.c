/* semper-trust.c: certificate chains checked against a pinned root.
 *
 * The chain is built and checked here rather than by CERT_VerifyCert: NSS's
 * trust settings are process-global, and one process may hold several
 * profiles that pin different roots. NSS still does every signature check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-trust.h"
#include "semper-crypto-private.h"

#include <certdb.h>
#include <secder.h>
#include <glib/gi18n-lib.h>

#define MAX_CHAIN 6
#define MAX_CACHE 4096

/* ---- SemperSignerInfo ----------------------------------------------------- */

G_DEFINE_BOXED_TYPE (SemperSignerInfo, semper_signer_info,
                     semper_signer_info_ref, semper_signer_info_unref)

SemperSignerInfo *
semper_signer_info_ref (SemperSignerInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

void
semper_signer_info_unref (SemperSignerInfo *info)
{
  g_return_if_fail (info != NULL);
  if (!g_atomic_ref_count_dec (&info->ref_count))
    return;
  g_free (info->common_name);
  g_free (info->role);
  g_free (info->fingerprint);
  g_clear_pointer (&info->certificate, g_bytes_unref);
  g_clear_pointer (&info->signing_time, g_date_time_unref);
  g_clear_pointer (&info->chain, g_ptr_array_unref);
  g_free (info);
}

static char *
name_string (CERTName *name)
{
  char *ascii = CERT_NameToAscii (name);
  char *ret = g_strdup (ascii ? ascii : "");

  PORT_Free (ascii);
  return ret;
}

SemperSignerInfo *
_semper_signer_info_new (CERTCertificate *leaf)
{
  SemperSignerInfo *info = g_new0 (SemperSignerInfo, 1);

  g_atomic_ref_count_init (&info->ref_count);
  info->common_name = _semper_cert_common_name (leaf);
  if (info->common_name == NULL)
    info->common_name = g_strdup ("");
  info->role = _semper_cert_role (leaf);
  info->certificate = _semper_cert_dup_der (leaf);
  info->fingerprint = semper_sha256_hex (info->certificate);
  info->chain = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (info->chain, name_string (&leaf->subject));
  return info;
}

/* ---- SemperTrust ------------------------------------------------------------ */

typedef struct
{
  GPtrArray *chain;   /* subject names above the leaf */
  PRTime     not_before;
  PRTime     not_after;
} CacheEntry;

struct _SemperTrust
{
  GObject          parent_instance;

  GBytes          *root_der;
  CERTCertificate *root;

  GMutex           lock;
  GHashTable      *cache;  /* leaf fingerprint -> CacheEntry */
  GHashTable      *revoked; /* serial (hex) -> revocation time (PRTime *), or NULL */
  PRTime           crl_issued; /* the CRL's thisUpdate */
  gboolean         long_term;  /* check at the signing time (semper_trust_set_long_term) */
};

G_DEFINE_FINAL_TYPE (SemperTrust, semper_trust, G_TYPE_OBJECT)

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  g_ptr_array_unref (entry->chain);
  g_free (entry);
}

static void
semper_trust_finalize (GObject *object)
{
  SemperTrust *self = SEMPER_TRUST (object);

  g_clear_pointer (&self->root_der, g_bytes_unref);
  g_clear_pointer (&self->root, CERT_DestroyCertificate);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->revoked, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (semper_trust_parent_class)->finalize (object);
}

static void
semper_trust_class_init (SemperTrustClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_trust_finalize;
}

static void
semper_trust_init (SemperTrust *self)
{
  g_mutex_init (&self->lock);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cache_entry_free);
}

static gboolean
signed_by (CERTCertificate *cert,
           CERTCertificate *issuer)
{
  if (SECITEM_CompareItem (&cert->derIssuer, &issuer->derSubject) != SECEqual)
    return FALSE;
  if (_semper_verified_lookup ("certificate", cert->derCert.data, cert->derCert.len,
                               issuer->derCert.data, issuer->derCert.len))
    return TRUE;
  if (CERT_VerifySignedDataWithPublicKeyInfo (&cert->signatureWrap,
                                              &issuer->subjectPublicKeyInfo,
                                              NULL) != SECSuccess)
    return FALSE;
  _semper_verified_remember ("certificate", cert->derCert.data, cert->derCert.len,
                             issuer->derCert.data, issuer->derCert.len);
  return TRUE;
}

static gboolean
may_issue (CERTCertificate *cert)
{
  if (!_semper_cert_is_ca (cert))
    return FALSE;
  if (cert->keyUsagePresent && !(cert->keyUsage & KU_KEY_CERT_SIGN))
    return FALSE;
  return TRUE;
}

/**
 * semper_trust_new:
 * @root_der: the pinned root: a self-signed certificate. Usually the
 *   marketplace CA; a self-signed identity may be pinned too (it then
 *   trusts exactly itself).
 *
 * Returns: (transfer full): the trust anchor, or %NULL with
 *   %SEMPER_CRYPTO_ERROR_BAD_INPUT.
 */
SemperTrust *
semper_trust_new (GBytes  *root_der,
                  GError **error)
{
  g_autoptr(SemperTrust) self = NULL;
  CERTCertificate *root;

  g_return_val_if_fail (root_der != NULL, NULL);

  root = _semper_cert_decode (g_bytes_get_data (root_der, NULL),
                              g_bytes_get_size (root_der), error);
  if (root == NULL)
    return NULL;
  if (!signed_by (root, root))
    {
      CERT_DestroyCertificate (root);
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The pinned root is not a self-signed certificate"));
      return NULL;
    }

  self = g_object_new (SEMPER_TYPE_TRUST, NULL);
  self->root = root;
  self->root_der = g_bytes_ref (root_der);
  return g_steal_pointer (&self);
}

/**
 * semper_trust_get_root:
 *
 * Returns: (transfer none): the pinned root's DER.
 */
GBytes *
semper_trust_get_root (SemperTrust *self)
{
  g_return_val_if_fail (SEMPER_IS_TRUST (self), NULL);
  return self->root_der;
}

static gboolean
check_window (PRTime   at,
              PRTime   not_before,
              PRTime   not_after,
              GError **error)
{
  if (at < not_before)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED,
                           _("The certificate is not valid yet"));
      return FALSE;
    }
  if (at > not_after)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED,
                           _("The certificate has expired"));
      return FALSE;
    }
  return TRUE;
}

/* Walks from @leaf up to the pinned root; fills @entry. */
static gboolean
build_chain (SemperTrust       *self,
             CERTCertificate   *leaf,
             CERTCertificate  **pool,
             guint              n_pool,
             CacheEntry        *entry,
             GError           **error)
{
  CERTCertificate *cur = leaf;
  PRTime nb, na;

  CERT_GetCertTimes (leaf, &entry->not_before, &entry->not_after);

  for (guint depth = 0; depth < MAX_CHAIN; depth++)
    {
      CERTCertificate *next = NULL;

      if (SECITEM_CompareItem (&cur->derCert, &self->root->derCert) == SECEqual)
        return TRUE;  /* the pinned certificate itself */

      if (may_issue (self->root) && signed_by (cur, self->root))
        next = self->root;
      for (guint i = 0; next == NULL && i < n_pool; i++)
        if (pool[i] != cur && may_issue (pool[i]) && signed_by (cur, pool[i]))
          next = pool[i];

      if (next == NULL)
        break;

      CERT_GetCertTimes (next, &nb, &na);
      entry->not_before = MAX (entry->not_before, nb);
      entry->not_after = MIN (entry->not_after, na);
      g_ptr_array_add (entry->chain, name_string (&next->subject));
      if (next == self->root)
        return TRUE;
      cur = next;
    }

  g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                       _("The certificate was not issued by the trusted authority"));
  return FALSE;
}

static char *
serial_hex (const SECItem *serial)
{
  GString *s = g_string_sized_new (2 * serial->len + 1);

  for (unsigned int i = 0; i < serial->len; i++)
    g_string_append_printf (s, "%02x", serial->data[i]);
  return g_string_free (s, FALSE);
}

/* Only the root issues (its pathlen is 0), so a certificate that the root
 * signed and whose serial is on the root's CRL is revoked. */
static gboolean
is_revoked (SemperTrust     *self,
            CERTCertificate *cert,
            PRTime           at)
{
  g_autofree char *serial = NULL;
  const PRTime *when;
  gboolean ret;

  if (SECITEM_CompareItem (&cert->derCert, &self->root->derCert) == SECEqual ||
      SECITEM_CompareItem (&cert->derIssuer, &self->root->derSubject) != SECEqual)
    return FALSE;
  serial = serial_hex (&cert->serialNumber);
  g_mutex_lock (&self->lock);
  when = self->revoked != NULL ? g_hash_table_lookup (self->revoked, serial) : NULL;
  /* In long-term mode a signature made before the revocation stays valid;
   * one made at the same second or later does not. */
  ret = when != NULL && (!self->long_term || *when <= at);
  g_mutex_unlock (&self->lock);
  return ret;
}

#define MAX_CRL (4 * 1024 * 1024)

/**
 * semper_trust_set_crl:
 * @crl_der: an X.509 CRL (DER) issued by the pinned root
 *
 * From now on, certificates on @crl_der are refused with
 * %SEMPER_CRYPTO_ERROR_REVOKED. The CRL must be signed by the pinned root's
 * key and name it as issuer; a CRL past its nextUpdate still applies
 * (revocations do not expire). A CRL with a critical entry extension is
 * refused. Replaces any earlier CRL.
 *
 * Returns: %TRUE, or %FALSE with %SEMPER_CRYPTO_ERROR_BAD_INPUT or
 *   _BAD_SIGNATURE (the trust keeps its earlier CRL)
 */
gboolean
semper_trust_set_crl (SemperTrust  *self,
                      GBytes       *crl_der,
                      GError      **error)
{
  g_autoptr(GHashTable) revoked = NULL;
  CERTSignedCrl *crl = NULL;
  PRTime issued = 0;
  SECItem item = { siBuffer, NULL, 0 };
  gsize len = 0;
  const guint8 *data;
  gboolean ok = FALSE;

  g_return_val_if_fail (SEMPER_IS_TRUST (self), FALSE);
  g_return_val_if_fail (crl_der != NULL, FALSE);

  data = g_bytes_get_data (crl_der, &len);
  if (len == 0 || len > MAX_CRL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The revocation list is empty or too large"));
      return FALSE;
    }
  item.data = (unsigned char *) data;
  item.len = (unsigned int) len;
  crl = CERT_DecodeDERCrlWithFlags (NULL, &item, SEC_CRL_TYPE, CRL_DECODE_DEFAULT_OPTIONS);
  if (crl == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("Not an X.509 revocation list"));
      return FALSE;
    }
  if (SECITEM_CompareItem (&crl->crl.derName, &self->root->derSubject) != SECEqual)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                           _("The revocation list was not issued by the trusted authority"));
      goto out;
    }
  if (!_semper_verified_lookup ("crl", data, len, self->root->derCert.data,
                                self->root->derCert.len))
    {
      if (CERT_VerifySignedDataWithPublicKeyInfo (&crl->signatureWrap,
                                                  &self->root->subjectPublicKeyInfo,
                                                  NULL) != SECSuccess)
        {
          g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE,
                               _("The revocation list's signature is not valid"));
          goto out;
        }
      _semper_verified_remember ("crl", data, len, self->root->derCert.data,
                                 self->root->derCert.len);
    }

  revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (CERTCrlEntry **e = crl->crl.entries; e != NULL && *e != NULL; e++)
    {
      PRTime *when;

      for (CERTCertExtension **x = (*e)->extensions; x != NULL && *x != NULL; x++)
        if ((*x)->critical.len > 0 && (*x)->critical.data[0] != 0)
          {
            g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                                 _("The revocation list has an entry extension this wallet "
                                   "does not understand"));
            goto out;
          }
      when = g_new (PRTime, 1);
      if (DER_DecodeTimeChoice (when, &(*e)->revocationDate) != SECSuccess)
        *when = 0;  /* no usable date: revoked since forever */
      g_hash_table_replace (revoked, serial_hex (&(*e)->serialNumber), when);
    }
  if (DER_DecodeTimeChoice (&issued, &crl->crl.lastUpdate) != SECSuccess)
    issued = 0;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->revoked, g_hash_table_unref);
  self->revoked = g_steal_pointer (&revoked);
  self->crl_issued = issued;
  g_mutex_unlock (&self->lock);
  ok = TRUE;

out:
  SEC_DestroyCrl (crl);
  return ok;
}

/**
 * semper_trust_has_crl:
 *
 * Returns: whether a revocation list was set
 */
gboolean
semper_trust_has_crl (SemperTrust *self)
{
  gboolean ret;

  g_return_val_if_fail (SEMPER_IS_TRUST (self), FALSE);
  g_mutex_lock (&self->lock);
  ret = self->revoked != NULL;
  g_mutex_unlock (&self->lock);
  return ret;
}

/**
 * semper_trust_set_long_term:
 * @long_term: %TRUE for long-term validation
 *
 * In long-term mode (evidence bundles, docs/evidence.md) a signature's
 * certificate is checked at the signature's signing time instead of now,
 * and a certificate on the CRL counts as revoked only from the revocation
 * date of its entry: a signature made before the revocation stays valid.
 */
void
semper_trust_set_long_term (SemperTrust *self,
                            gboolean     long_term)
{
  g_return_if_fail (SEMPER_IS_TRUST (self));
  g_mutex_lock (&self->lock);
  self->long_term = !!long_term;
  g_mutex_unlock (&self->lock);
}

/**
 * semper_trust_dup_crl_issued:
 *
 * Returns: (transfer full) (nullable): the thisUpdate time of the CRL set
 *   with semper_trust_set_crl(), or %NULL when there is none
 */
GDateTime *
semper_trust_dup_crl_issued (SemperTrust *self)
{
  GDateTime *ret = NULL;

  g_return_val_if_fail (SEMPER_IS_TRUST (self), NULL);
  g_mutex_lock (&self->lock);
  if (self->revoked != NULL)
    ret = _semper_date_time_from_prtime (self->crl_issued);
  g_mutex_unlock (&self->lock);
  return ret;
}

/* The time a signature made at @signing_time is checked at. */
PRTime
_semper_trust_check_time (SemperTrust *self,
                          PRTime       signing_time)
{
  gboolean long_term;

  g_mutex_lock (&self->lock);
  long_term = self->long_term;
  g_mutex_unlock (&self->lock);
  return long_term ? signing_time : PR_Now ();
}

gboolean
_semper_trust_check (SemperTrust       *self,
                     CERTCertificate   *leaf,
                     CERTCertificate  **pool,
                     guint              n_pool,
                     PRTime             at,
                     SemperSignerInfo **info,
                     GError           **error)
{
  g_autoptr(SemperSignerInfo) result = _semper_signer_info_new (leaf);
  CacheEntry *entry;
  PRTime not_before, not_after;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->cache, result->fingerprint);
  if (entry != NULL)
    {
      for (guint i = 0; i < entry->chain->len; i++)
        g_ptr_array_add (result->chain, g_strdup (entry->chain->pdata[i]));
      not_before = entry->not_before;
      not_after = entry->not_after;
    }
  g_mutex_unlock (&self->lock);

  if (entry == NULL)
    {
      CacheEntry *fresh = g_new0 (CacheEntry, 1);

      fresh->chain = g_ptr_array_new_with_free_func (g_free);
      if (!build_chain (self, leaf, pool, n_pool, fresh, error))
        {
          cache_entry_free (fresh);
          return FALSE;
        }
      for (guint i = 0; i < fresh->chain->len; i++)
        g_ptr_array_add (result->chain, g_strdup (fresh->chain->pdata[i]));
      not_before = fresh->not_before;
      not_after = fresh->not_after;

      g_mutex_lock (&self->lock);
      if (g_hash_table_size (self->cache) >= MAX_CACHE)
        g_hash_table_remove_all (self->cache);
      g_hash_table_replace (self->cache, g_strdup (result->fingerprint), fresh);
      g_mutex_unlock (&self->lock);
    }

  /* Validity and revocation are checked on every call, cached or not. */
  if (!check_window (at, not_before, not_after, error))
    return FALSE;
  if (is_revoked (self, leaf, at))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_REVOKED,
                           _("The certificate has been revoked by the certification authority"));
      return FALSE;
    }

  if (result->role == NULL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                           _("The certificate carries no SEMPER role"));
      return FALSE;
    }

  result->trusted = TRUE;
  if (info)
    *info = g_steal_pointer (&result);
  return TRUE;
}

/**
 * semper_trust_check_role:
 * @cert_der: a certificate, e.g. a server's own
 * @role: the role it must carry (SEMPER_ROLE_*)
 *
 * semper_trust_check_certificate() now, plus the role.
 *
 * Returns: (transfer full): the certificate's details, or %NULL with
 *   @error set (%SEMPER_CRYPTO_ERROR_UNTRUSTED for another role).
 */
SemperSignerInfo *
semper_trust_check_role (SemperTrust  *self,
                         GBytes       *cert_der,
                         const char   *role,
                         GError      **error)
{
  g_autoptr(SemperSignerInfo) info = NULL;

  g_return_val_if_fail (SEMPER_IS_TRUST (self), NULL);
  g_return_val_if_fail (cert_der != NULL, NULL);
  g_return_val_if_fail (role != NULL, NULL);

  if (!semper_trust_check_certificate (self, cert_der, NULL, &info, error))
    return NULL;
  if (g_strcmp0 (info->role, role) != 0)
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                   _("The certificate of “%s” has role “%s”, not “%s”"),
                   info->common_name, info->role ? info->role : "", role);
      return NULL;
    }
  return g_steal_pointer (&info);
}

/**
 * semper_trust_check_certificate:
 * @cert_der: a certificate issued directly by the pinned root (or the root
 *   itself)
 * @at: (nullable): when it must be valid; %NULL for now
 * @info: (out) (optional) (transfer full): who it certifies
 *
 * Checks the issuer signature chain up to the pinned root, the validity
 * period of every certificate in it at @at, and that the certificate
 * carries a SEMPER role. Chains are cached per certificate; validity is
 * checked each time.
 *
 * Returns: %TRUE, or %FALSE with %SEMPER_CRYPTO_ERROR_UNTRUSTED,
 *   _EXPIRED, _REVOKED (see semper_trust_set_crl()) or _BAD_INPUT.
 */
gboolean
semper_trust_check_certificate (SemperTrust       *self,
                                GBytes            *cert_der,
                                GDateTime         *at,
                                SemperSignerInfo **info,
                                GError           **error)
{
  CERTCertificate *cert;
  gboolean ok;

  g_return_val_if_fail (SEMPER_IS_TRUST (self), FALSE);
  g_return_val_if_fail (cert_der != NULL, FALSE);

  cert = _semper_cert_decode (g_bytes_get_data (cert_der, NULL),
                              g_bytes_get_size (cert_der), error);
  if (cert == NULL)
    return FALSE;
  ok = _semper_trust_check (self, cert, NULL, 0,
                            at ? _semper_prtime_from_date_time (at) : PR_Now (),
                            info, error);
  CERT_DestroyCertificate (cert);
  return ok;
}
