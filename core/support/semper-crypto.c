/* semper-crypto.c: profile NSS databases, keys, CSRs and the CA.
 *
 * NSS is process-global. It is initialised once (g_once) without a database
 * of its own; each profile database is then opened as an extra PKCS#11 slot
 * with SECMOD_OpenUserDB(), and every key or certificate operation names that
 * slot. The NSS password hook dispatches on the wincx argument, which is
 * always the SemperCrypto that asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-crypto-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <nss.h>
#include <cryptohi.h>
#include <secder.h>
#include <secerr.h>
#include <secmod.h>
#include <prerror.h>
#include <secport.h>

#define IDENTITY_NICKNAME "semper-identity"
#define MAX_PASSWORD_TRIES 3
#define MAX_CN_LEN 64
#define CSR_MAX_SIZE (64 * 1024)

G_DEFINE_QUARK (semper-crypto-error-quark, semper_crypto_error)

struct _SemperCrypto
{
  GObject             parent_instance;

  char               *dir;
  PK11SlotInfo       *slot;
  SemperPasswordFunc  func;
  gpointer            user_data;
  GDestroyNotify      destroy;
};

G_DEFINE_FINAL_TYPE (SemperCrypto, semper_crypto, G_TYPE_OBJECT)

static const char * const roles[] = {
  SEMPER_ROLE_WALLET, SEMPER_ROLE_MERCHANT, SEMPER_ROLE_TTP,
  SEMPER_ROLE_BANK, SEMPER_ROLE_CA, SEMPER_ROLE_EVALUATOR, NULL
};

/* Live SemperCrypto objects, so that the NSS password hook never touches a
 * wincx that is not one of ours. */
static GMutex live_lock;
static GHashTable *live;
static guint slot_counter;

gboolean
semper_role_is_valid (const char *role)
{
  return role != NULL && g_strv_contains (roles, role);
}

/* ---- errors and small helpers ------------------------------------------ */

void
_semper_set_nss_error (GError     **error,
                       int          code,
                       const char  *what)
{
  int err = PORT_GetError ();
  const char *text = err != 0 ? PORT_ErrorToString (err) : NULL;

  if (text != NULL)
    g_set_error (error, SEMPER_CRYPTO_ERROR, code, "%s: %s (%s)", what, text,
                 PORT_ErrorToName (err));
  else
    g_set_error_literal (error, SEMPER_CRYPTO_ERROR, code, what);
}

GDateTime *
_semper_date_time_from_prtime (PRTime t)
{
  return g_date_time_new_from_unix_utc (t / PR_USEC_PER_SEC);
}

PRTime
_semper_prtime_from_date_time (GDateTime *dt)
{
  return (PRTime) g_date_time_to_unix (dt) * PR_USEC_PER_SEC;
}

void
semper_secret_wipe (void  *buf,
                    gsize  len)
{
  if (buf != NULL && len > 0)
    explicit_bzero (buf, len);
}

void
semper_secret_free (char *password)
{
  if (password == NULL)
    return;
  semper_secret_wipe (password, strlen (password));
  g_free (password);
}

/* ---- NSS initialisation and the password hook --------------------------- */

static char *
nss_password_cb (PK11SlotInfo *slot,
                 PRBool        retry,
                 void         *arg)
{
  SemperCrypto *self = NULL;
  char *answer;
  char *copy;

  g_mutex_lock (&live_lock);
  if (arg != NULL && live != NULL && g_hash_table_contains (live, arg))
    self = g_object_ref (arg);
  g_mutex_unlock (&live_lock);

  if (self == NULL)
    return NULL;

  /* NSS asks again after a wrong answer; give up rather than loop. */
  if (retry || self->func == NULL || slot != self->slot)
    {
      g_object_unref (self);
      return NULL;
    }

  answer = self->func (FALSE, self->user_data);
  g_object_unref (self);
  if (answer == NULL)
    return NULL;

  copy = PORT_Strdup (answer);
  semper_secret_free (answer);
  return copy;
}

static gpointer
nss_init_once (gpointer data)
{
  NSSInitContext *context;

  context = NSS_InitContext ("", "", "", "", NULL,
                             NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN |
                             NSS_INIT_NOROOTINIT | NSS_INIT_OPTIMIZESPACE);
  if (context == NULL)
    g_error ("NSS could not be initialised: %s", PORT_ErrorToName (PORT_GetError ()));

  PK11_SetPasswordFunc (nss_password_cb);
  live = g_hash_table_new (NULL, NULL);

  /* The context lives as long as the process: NSS is shared by every
   * profile, and shutting it down under another user is not safe. */
  return context;
}

void
_semper_nss_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, nss_init_once, NULL);
}

/* ---- hashing and randomness -------------------------------------------- */

void
semper_sha256 (const void *data,
               gsize       len,
               guint8      out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = 32;

  /* GChecksum, not NSS: hashing must work before (and without) NSS. */
  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &out_len);
}

GBytes *
semper_sha256_bytes (GBytes *data)
{
  guint8 digest[32];
  gsize len = 0;
  const void *p = g_bytes_get_data (data, &len);

  semper_sha256 (p, len, digest);
  return g_bytes_new (digest, sizeof digest);
}

char *
semper_sha256_hex (GBytes *data)
{
  gsize len = 0;
  const void *p;

  g_return_val_if_fail (data != NULL, NULL);

  p = g_bytes_get_data (data, &len);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, p, len);
}

/* ---- signatures verified once --------------------------------------------- */

/* Signatures that NSS has found valid in this process. Whether a signature
 * over some bytes verifies under some key never changes, so the same bytes
 * are never verified twice: a purchase meets the same denominations, offers,
 * certificates and journaled protocol messages again and again. The entry is
 * the SHA-256 of a label, the signed bytes and the signer's certificate or
 * key; only successes are remembered. What can change (validity at a time,
 * revocation, which root is pinned) is still checked by the callers on every
 * call. Bounded: the set starts over when full. */
#define MAX_VERIFIED 8192

G_LOCK_DEFINE_STATIC (verified);
static GHashTable *verified;
static guint verified_hits;

static GBytes *
verified_key (const char   *label,
              const guint8 *signed_data,
              gsize         signed_len,
              const guint8 *signer,
              gsize         signer_len)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 inner[32];
  guint8 digest[32];
  gsize len = sizeof digest;

  /* Fixed-size fields after the label, so that no two inputs collide by
   * concatenation. */
  g_checksum_update (sum, (const guchar *) label, strlen (label) + 1);
  semper_sha256 (signed_data, signed_len, inner);
  g_checksum_update (sum, inner, sizeof inner);
  semper_sha256 (signer, signer_len, inner);
  g_checksum_update (sum, inner, sizeof inner);
  g_checksum_get_digest (sum, digest, &len);
  return g_bytes_new (digest, len);
}

gboolean
_semper_verified_lookup (const char   *label,
                         const guint8 *signed_data,
                         gsize         signed_len,
                         const guint8 *signer,
                         gsize         signer_len)
{
  g_autoptr(GBytes) key = verified_key (label, signed_data, signed_len, signer, signer_len);
  gboolean found;

  G_LOCK (verified);
  found = verified != NULL && g_hash_table_contains (verified, key);
  if (found)
    verified_hits++;
  G_UNLOCK (verified);
  return found;
}

void
_semper_verified_remember (const char   *label,
                           const guint8 *signed_data,
                           gsize         signed_len,
                           const guint8 *signer,
                           gsize         signer_len)
{
  GBytes *key = verified_key (label, signed_data, signed_len, signer, signer_len);

  G_LOCK (verified);
  if (verified == NULL)
    verified = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                      (GDestroyNotify) g_bytes_unref, NULL);
  if (g_hash_table_size (verified) >= MAX_VERIFIED)
    g_hash_table_remove_all (verified);
  g_hash_table_add (verified, key);
  G_UNLOCK (verified);
}

guint
_semper_verified_get_hits (void)
{
  guint hits;

  G_LOCK (verified);
  hits = verified_hits;
  G_UNLOCK (verified);
  return hits;
}

/**
 * semper_random_bytes:
 *
 * Fills @buf with bytes from NSS's DRBG (seeded from the kernel).
 */
gboolean
semper_random_bytes (void    *buf,
                     gsize    len,
                     GError **error)
{
  guint8 *p = buf;

  _semper_nss_init ();
  while (len > 0)
    {
      int chunk = (int) MIN (len, 4096);

      if (PK11_GenerateRandom (p, chunk) != SECSuccess)
        {
          _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                                 _("Could not generate random bytes"));
          return FALSE;
        }
      p += chunk;
      len -= chunk;
    }
  return TRUE;
}

/* ---- certificates as bytes ---------------------------------------------- */

CERTCertificate *
_semper_cert_decode (const guint8  *der,
                     gsize          len,
                     GError       **error)
{
  SECItem item = { siDERCertBuffer, (unsigned char *) der, (unsigned int) len };
  CERTCertificate *cert;

  _semper_nss_init ();
  if (der == NULL || len == 0 || len > G_MAXINT)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Empty certificate"));
      return NULL;
    }

  cert = CERT_NewTempCertificate (CERT_GetDefaultCertDB (), &item, NULL, PR_FALSE, PR_TRUE);
  if (cert == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("Not an X.509 certificate"));
      return NULL;
    }
  /* Refuse trailing bytes: the DER must be exactly one certificate. */
  if (cert->derCert.len != len)
    {
      CERT_DestroyCertificate (cert);
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Trailing bytes after the certificate"));
      return NULL;
    }
  return cert;
}

GBytes *
_semper_cert_dup_der (CERTCertificate *cert)
{
  return g_bytes_new (cert->derCert.data, cert->derCert.len);
}

char *
_semper_cert_common_name (CERTCertificate *cert)
{
  char *cn = CERT_GetCommonName (&cert->subject);
  char *ret = g_strdup (cn);

  PORT_Free (cn);
  return ret;
}

char *
_semper_cert_role (CERTCertificate *cert)
{
  char *ou = CERT_GetOrgUnitName (&cert->subject);
  char *ret = NULL;

  if (ou != NULL && semper_role_is_valid (ou))
    ret = g_strdup (ou);
  PORT_Free (ou);
  return ret;
}

gboolean
_semper_cert_is_ca (CERTCertificate *cert)
{
  CERTBasicConstraints bc = { 0 };
  SECItem value = { 0 };
  SECStatus rv;

  if (CERT_FindCertExtension (cert, SEC_OID_X509_BASIC_CONSTRAINTS, &value) != SECSuccess)
    return FALSE;
  rv = CERT_DecodeBasicConstraintValue (&bc, &value);
  SECITEM_FreeItem (&value, PR_FALSE);
  return rv == SECSuccess && bc.isCA;
}

char *
semper_certificate_to_pem (GBytes *der)
{
  g_autofree char *b64 = NULL;
  GString *pem;
  gsize len;

  g_return_val_if_fail (der != NULL, NULL);

  b64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  len = strlen (b64);
  pem = g_string_new ("-----BEGIN CERTIFICATE-----\n");
  for (gsize i = 0; i < len; i += 64)
    {
      g_string_append_len (pem, b64 + i, MIN (64, len - i));
      g_string_append_c (pem, '\n');
    }
  g_string_append (pem, "-----END CERTIFICATE-----\n");
  return g_string_free (pem, FALSE);
}

/**
 * semper_certificate_from_pem:
 *
 * Returns: (transfer full): the DER of the first certificate in @pem.
 */
GBytes *
semper_certificate_from_pem (const char  *pem,
                             GError     **error)
{
  const char *begin_tag = "-----BEGIN CERTIFICATE-----";
  const char *begin;
  const char *end;
  g_autofree char *clean = NULL;
  char *w;
  guchar *der;
  gsize len = 0;

  g_return_val_if_fail (pem != NULL, NULL);

  begin = strstr (pem, begin_tag);
  end = begin ? strstr (begin, "-----END CERTIFICATE-----") : NULL;
  if (begin == NULL || end == NULL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("No PEM certificate found"));
      return NULL;
    }
  begin += strlen (begin_tag);
  clean = g_malloc (end - begin + 1);
  w = clean;
  for (const char *r = begin; r < end; r++)
    if (g_ascii_isalnum (*r) || *r == '+' || *r == '/' || *r == '=')
      *w++ = *r;
    else if (!g_ascii_isspace (*r))
      break;
  *w = '\0';
  der = clean[0] ? g_base64_decode (clean, &len) : NULL;
  if (len == 0)
    {
      g_free (der);
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Empty PEM certificate"));
      return NULL;
    }
  return g_bytes_new_take (der, len);
}

/**
 * semper_certificate_dup_common_name:
 *
 * Returns: (transfer full) (nullable): the subject CN of @der.
 */
char *
semper_certificate_dup_common_name (GBytes *der)
{
  CERTCertificate *cert;
  char *cn;

  cert = _semper_cert_decode (g_bytes_get_data (der, NULL), g_bytes_get_size (der), NULL);
  if (cert == NULL)
    return NULL;
  cn = _semper_cert_common_name (cert);
  CERT_DestroyCertificate (cert);
  return cn;
}

/**
 * semper_certificate_dup_role:
 *
 * Returns: (transfer full) (nullable): the role that @der claims (its subject
 *   OU), unverified.
 */
char *
semper_certificate_dup_role (GBytes *der)
{
  CERTCertificate *cert;
  char *role;

  cert = _semper_cert_decode (g_bytes_get_data (der, NULL), g_bytes_get_size (der), NULL);
  if (cert == NULL)
    return NULL;
  role = _semper_cert_role (cert);
  CERT_DestroyCertificate (cert);
  return role;
}

/* ---- the object ---------------------------------------------------------- */

static void
semper_crypto_finalize (GObject *object)
{
  SemperCrypto *self = SEMPER_CRYPTO (object);

  g_mutex_lock (&live_lock);
  if (live != NULL)
    g_hash_table_remove (live, self);
  g_mutex_unlock (&live_lock);

  if (self->slot != NULL)
    {
      PK11_Logout (self->slot);
      SECMOD_CloseUserDB (self->slot);
      PK11_FreeSlot (self->slot);
      self->slot = NULL;
    }
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_clear_pointer (&self->dir, g_free);

  G_OBJECT_CLASS (semper_crypto_parent_class)->finalize (object);
}

static void
semper_crypto_class_init (SemperCryptoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_crypto_finalize;
}

static void
semper_crypto_init (SemperCrypto *self)
{
}

PK11SlotInfo *
_semper_crypto_get_slot (SemperCrypto *self)
{
  return self->slot;
}

const char *
semper_crypto_get_dir (SemperCrypto *self)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);
  return self->dir;
}

static gboolean
set_new_password (SemperCrypto  *self,
                  GError       **error)
{
  char *password = self->func (FALSE, self->user_data);
  SECStatus rv;

  if (password == NULL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED,
                           _("No password was given for the new key database"));
      return FALSE;
    }
  if (password[0] == '\0')
    {
      semper_secret_free (password);
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The key database password must not be empty"));
      return FALSE;
    }

  rv = PK11_InitPin (self->slot, NULL, password);
  if (rv == SECSuccess)
    rv = PK11_CheckUserPassword (self->slot, password);
  semper_secret_free (password);
  if (rv != SECSuccess)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not set the key database password"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
log_in (SemperCrypto  *self,
        GError       **error)
{
  gboolean retry = FALSE;

  if (PK11_NeedUserInit (self->slot))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                           _("The key database has no password; refusing to use it"));
      return FALSE;
    }

  for (int attempt = 0; attempt < MAX_PASSWORD_TRIES; attempt++)
    {
      char *password = self->func (retry, self->user_data);
      SECStatus rv;

      if (password == NULL)
        {
          if (retry)
            g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_PASSWORD,
                                 _("Wrong password for the key database"));
          else
            g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED,
                                 _("No password was given for the key database"));
          return FALSE;
        }

      rv = PK11_CheckUserPassword (self->slot, password);
      semper_secret_free (password);
      if (rv == SECSuccess)
        return TRUE;
      if (PORT_GetError () != SEC_ERROR_BAD_PASSWORD)
        {
          _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                                 _("Could not unlock the key database"));
          return FALSE;
        }
      retry = TRUE;
    }

  g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_PASSWORD,
                       _("Wrong password for the key database"));
  return FALSE;
}

/**
 * semper_crypto_open:
 * @dir: the profile's key directory (created with mode 0700 if @create)
 * @create: %TRUE to make a new database; it is an error if one exists
 * @func: asked for the password; for a new database its answer becomes the
 *   password. Called again with retry=%TRUE after a wrong answer (at most 3
 *   times in all).
 * @destroy: (nullable): frees @user_data with the object
 *
 * Returns: (transfer full): the unlocked profile database, or %NULL with
 *   %SEMPER_CRYPTO_ERROR_BAD_PASSWORD, _CANCELLED, _NOT_FOUND or _FAILED.
 *   @destroy is called on failure too.
 */
SemperCrypto *
semper_crypto_open (const char          *dir,
                    gboolean             create,
                    SemperPasswordFunc   func,
                    gpointer             user_data,
                    GDestroyNotify       destroy,
                    GError             **error)
{
  g_autoptr(SemperCrypto) self = NULL;
  g_autofree char *db = NULL;
  g_autofree char *spec = NULL;
  guint number;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  _semper_nss_init ();

  self = g_object_new (SEMPER_TYPE_CRYPTO, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->dir = g_canonicalize_filename (dir, NULL);

  /* The module spec quotes the path with '; keep it simple and refuse the
   * characters that would need escaping. */
  if (strpbrk (self->dir, "'\"\\") != NULL)
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("Unsupported character in the profile path “%s”"), self->dir);
      return NULL;
    }

  db = g_build_filename (self->dir, "key4.db", NULL);
  if (create)
    {
      if (g_file_test (db, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                       _("A key database already exists in “%s”"), self->dir);
          return NULL;
        }
      if (g_mkdir_with_parents (self->dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                       _("Could not create “%s”: %s"), self->dir, g_strerror (saved));
          return NULL;
        }
    }
  else if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NOT_FOUND,
                   _("No key database in “%s”"), self->dir);
      return NULL;
    }

  g_mutex_lock (&live_lock);
  number = ++slot_counter;
  g_mutex_unlock (&live_lock);

  spec = g_strdup_printf ("configdir='sql:%s' tokenDescription='Semper profile %u'",
                          self->dir, number);
  self->slot = SECMOD_OpenUserDB (spec);
  if (self->slot == NULL || !PK11_IsPresent (self->slot))
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not open the key database"));
      if (self->slot != NULL)
        {
          SECMOD_CloseUserDB (self->slot);
          g_clear_pointer (&self->slot, PK11_FreeSlot);
        }
      return NULL;
    }

  g_mutex_lock (&live_lock);
  g_hash_table_add (live, self);
  g_mutex_unlock (&live_lock);

  if (create || PK11_NeedUserInit (self->slot))
    {
      if (!create)
        {
          g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                               _("The key database has no password; refusing to use it"));
          return NULL;
        }
      if (!set_new_password (self, error))
        return NULL;
    }
  else if (!log_in (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static SECItem *p256_params (void);

/* ---- keys ---------------------------------------------------------------- */

SECKEYPrivateKey *
_semper_crypto_find_key (SemperCrypto  *self,
                         GError       **error)
{
  SECKEYPrivateKeyList *list;
  SECKEYPrivateKey *key = NULL;

  list = PK11_ListPrivKeysInSlot (self->slot, NULL, self);
  if (list != NULL)
    {
      SECKEYPrivateKeyListNode *node = PRIVKEY_LIST_HEAD (list);

      if (!PRIVKEY_LIST_END (node, list))
        key = SECKEY_CopyPrivateKey (node->key);
      SECKEY_DestroyPrivateKeyList (list);
    }
  if (key == NULL)
    g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY,
                         _("This profile has no key yet"));
  return key;
}

gboolean
semper_crypto_has_key (SemperCrypto *self)
{
  SECKEYPrivateKey *key;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), FALSE);

  key = _semper_crypto_find_key (self, NULL);
  if (key == NULL)
    return FALSE;
  SECKEY_DestroyPrivateKey (key);
  return TRUE;
}

gboolean
_semper_is_p256_params (const SECItem *params)
{
  SECItem *p256 = p256_params ();
  gboolean same = SECITEM_CompareItem (params, p256) == SECEqual;

  SECITEM_FreeItem (p256, PR_TRUE);
  return same;
}

static SECItem *
p256_params (void)
{
  SECOidData *oid = SECOID_FindOIDByTag (SEC_OID_ANSIX962_EC_PRIME256V1);
  SECItem *params = SECITEM_AllocItem (NULL, NULL, 2 + oid->oid.len);

  params->data[0] = SEC_ASN1_OBJECT_ID;
  params->data[1] = (unsigned char) oid->oid.len;
  memcpy (params->data + 2, oid->oid.data, oid->oid.len);
  return params;
}

/**
 * semper_crypto_generate_key:
 *
 * Makes the profile's ECDSA P-256 identity key, stored (sensitive, not
 * extractable) in the profile database. A profile has one key.
 */
gboolean
semper_crypto_generate_key (SemperCrypto  *self,
                            GError       **error)
{
  SECItem *params;
  SECKEYPrivateKey *priv;
  SECKEYPublicKey *pub = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), FALSE);

  if (semper_crypto_has_key (self))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                           _("This profile already has a key"));
      return FALSE;
    }

  params = p256_params ();
  priv = PK11_GenerateKeyPair (self->slot, CKM_EC_KEY_PAIR_GEN, params, &pub,
                               PR_TRUE, PR_TRUE, self);
  SECITEM_FreeItem (params, PR_TRUE);
  if (priv == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not generate a P-256 key"));
      return FALSE;
    }
  PK11_SetPrivateKeyNickname (priv, IDENTITY_NICKNAME);
  SECKEY_DestroyPublicKey (pub);
  SECKEY_DestroyPrivateKey (priv);
  return TRUE;
}

/* ---- names and requests -------------------------------------------------- */

static gboolean
check_common_name (const char  *cn,
                   GError     **error)
{
  if (cn == NULL || cn[0] == '\0' || !g_utf8_validate (cn, -1, NULL) ||
      g_utf8_strlen (cn, -1) > MAX_CN_LEN)
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("A name must be 1 to %d characters of UTF-8"), MAX_CN_LEN);
      return FALSE;
    }
  for (const char *p = cn; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("A name must not contain control characters"));
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_role (const char  *role,
            GError     **error)
{
  if (!semper_role_is_valid (role))
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("Unknown role “%s”"), role ? role : "");
      return FALSE;
    }
  return TRUE;
}

/* Subject "OU=<role>, CN=<name>"; the role is the OU (docs/crypto.md). */
static CERTName *
make_name (const char *common_name,
           const char *role)
{
  CERTName *name = CERT_CreateName (NULL);
  CERTAVA *ou, *cn;

  /* the name's own arena holds its RDNs and AVAs */
  if (name == NULL)
    return NULL;
  ou = CERT_CreateAVA (name->arena, SEC_OID_AVA_ORGANIZATIONAL_UNIT_NAME,
                       SEC_ASN1_UTF8_STRING, (char *) role);
  cn = CERT_CreateAVA (name->arena, SEC_OID_AVA_COMMON_NAME,
                       SEC_ASN1_UTF8_STRING, (char *) common_name);
  if (ou == NULL || cn == NULL ||
      CERT_AddRDN (name, CERT_CreateRDN (name->arena, ou, NULL)) != SECSuccess ||
      CERT_AddRDN (name, CERT_CreateRDN (name->arena, cn, NULL)) != SECSuccess)
    {
      CERT_DestroyName (name);
      return NULL;
    }
  return name;
}

/**
 * semper_crypto_create_csr:
 * @role: the role asked for (the CA decides the role it certifies)
 *
 * Returns: (transfer full): a DER PKCS#10 request signed by the profile key.
 */
GBytes *
semper_crypto_create_csr (SemperCrypto  *self,
                          const char    *common_name,
                          const char    *role,
                          GError       **error)
{
  SECKEYPrivateKey *priv = NULL;
  SECKEYPublicKey *pub = NULL;
  CERTSubjectPublicKeyInfo *spki = NULL;
  CERTName *name = NULL;
  CERTCertificateRequest *req = NULL;
  PLArenaPool *arena = NULL;
  SECItem *encoded;
  SECItem signed_req = { 0 };
  GBytes *ret = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);

  if (!check_common_name (common_name, error) || !check_role (role, error))
    return NULL;
  priv = _semper_crypto_find_key (self, error);
  if (priv == NULL)
    return NULL;

  pub = SECKEY_ConvertToPublicKey (priv);
  spki = pub ? SECKEY_CreateSubjectPublicKeyInfo (pub) : NULL;
  name = make_name (common_name, role);
  req = (spki && name) ? CERT_CreateCertificateRequest (name, spki, NULL) : NULL;
  arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  encoded = req ? SEC_ASN1EncodeItem (arena, NULL, req,
                                      SEC_ASN1_GET (CERT_CertificateRequestTemplate)) : NULL;
  if (encoded == NULL ||
      SEC_DerSignData (arena, &signed_req, encoded->data, encoded->len, priv,
                       SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE) != SECSuccess)
    _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                           _("Could not create the certificate request"));
  else
    ret = g_bytes_new (signed_req.data, signed_req.len);

  if (req)
    CERT_DestroyCertificateRequest (req);
  if (name)
    CERT_DestroyName (name);
  if (spki)
    SECKEY_DestroySubjectPublicKeyInfo (spki);
  if (pub)
    SECKEY_DestroyPublicKey (pub);
  SECKEY_DestroyPrivateKey (priv);
  PORT_FreeArena (arena, PR_FALSE);
  return ret;
}

/* Decodes @csr_der and checks its own signature. */
static CERTCertificateRequest *
decode_csr (PLArenaPool  *arena,
            GBytes       *csr_der,
            GError      **error)
{
  CERTSignedData sd = { 0 };
  CERTCertificateRequest *req;
  SECItem item;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (csr_der, &len);

  if (data == NULL || len == 0 || len > CSR_MAX_SIZE)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The certificate request is empty or too large"));
      return NULL;
    }
  item.type = siBuffer;
  item.data = PORT_ArenaAlloc (arena, len);
  item.len = (unsigned int) len;
  memcpy (item.data, data, len);

  req = PORT_ArenaZNew (arena, CERTCertificateRequest);
  req->arena = arena;
  if (SEC_QuickDERDecodeItem (arena, &sd, SEC_ASN1_GET (CERT_SignedDataTemplate),
                              &item) != SECSuccess ||
      SEC_QuickDERDecodeItem (arena, req, SEC_ASN1_GET (CERT_CertificateRequestTemplate),
                              &sd.data) != SECSuccess)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("Not a PKCS#10 certificate request"));
      return NULL;
    }
  if (CERT_VerifySignedDataWithPublicKeyInfo (&sd, &req->subjectPublicKeyInfo,
                                              NULL) != SECSuccess)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE,
                             _("The certificate request's signature is not valid"));
      return NULL;
    }
  return req;
}

static gboolean
spki_is_p256 (CERTSubjectPublicKeyInfo *spki)
{
  SECKEYPublicKey *pub = SECKEY_ExtractPublicKey (spki);
  gboolean ok = FALSE;

  if (pub != NULL)
    {
      ok = pub->keyType == ecKey &&
           _semper_is_p256_params (&pub->u.ec.DEREncodedParams);
      SECKEY_DestroyPublicKey (pub);
    }
  return ok;
}

/* ---- making certificates ------------------------------------------------- */

static gboolean
add_key_id (PLArenaPool              *arena,
            CERTSubjectPublicKeyInfo *spki,
            SECItem                  *out)
{
  SECItem bits = spki->subjectPublicKey;
  guint8 digest[20];

  /* RFC 5280 4.2.1.2 method 1: SHA-1 of the public key bits. */
  DER_ConvertBitString (&bits);
  if (PK11_HashBuf (SEC_OID_SHA1, digest, bits.data, bits.len) != SECSuccess)
    return FALSE;
  out->type = siBuffer;
  out->data = PORT_ArenaAlloc (arena, sizeof digest);
  out->len = sizeof digest;
  memcpy (out->data, digest, sizeof digest);
  return TRUE;
}

/*
 * Builds, signs and returns the DER of a certificate for @subject and @spki,
 * signed by @key as @issuer (NULL issuer_cert: self-signed). @kind selects
 * the extensions: 'R' root CA, 'E' end entity, 'S' self-signed identity.
 */
static GBytes *
make_certificate (CERTName                  *subject,
                  CERTSubjectPublicKeyInfo  *spki,
                  CERTCertificate           *issuer_cert,
                  SECKEYPrivateKey          *key,
                  PRTime                     not_before,
                  PRTime                     not_after,
                  char                       kind,
                  GError                   **error)
{
  CERTValidity *validity = NULL;
  CERTCertificateRequest *req = NULL;
  CERTCertificate *cert = NULL;
  PLArenaPool *arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  void *ext = NULL;
  SECItem *der;
  SECItem signed_cert = { 0 };
  SECItem value = { 0 };
  SECItem skid = { 0 };
  guint8 serial[16];
  GBytes *ret = NULL;

  if (!semper_random_bytes (serial, sizeof serial, error))
    goto out;
  serial[0] &= 0x7f;  /* positive */
  serial[0] |= 0x40;  /* and exactly 16 bytes long */

  validity = CERT_CreateValidity (not_before, not_after);
  req = CERT_CreateCertificateRequest (subject, spki, NULL);
  if (validity == NULL || req == NULL)
    goto nss_failed;
  cert = CERT_CreateCertificate (1, issuer_cert ? &issuer_cert->subject : subject,
                                 validity, req);
  if (cert == NULL)
    goto nss_failed;

  cert->serialNumber.data = PORT_ArenaAlloc (cert->arena, sizeof serial);
  cert->serialNumber.len = sizeof serial;
  memcpy (cert->serialNumber.data, serial, sizeof serial);
  if (SEC_ASN1EncodeInteger (cert->arena, &cert->version, SEC_CERTIFICATE_VERSION_3) == NULL)
    goto nss_failed;

  ext = CERT_StartCertExtensions (cert);
  if (ext == NULL)
    goto nss_failed;
  {
    CERTBasicConstraints bc = { 0 };
    unsigned char usage;
    SECItem usage_bits = { siBuffer, &usage, 1 };

    bc.isCA = kind == 'R';
    bc.pathLenConstraint = kind == 'R' ? 0 : CERT_UNLIMITED_PATH_CONSTRAINT;
    if (CERT_EncodeBasicConstraintValue (arena, &bc, &value) != SECSuccess ||
        CERT_AddExtension (ext, SEC_OID_X509_BASIC_CONSTRAINTS, &value, PR_TRUE,
                           PR_TRUE) != SECSuccess)
      goto nss_failed;

    /* A self-signed identity carries no keyUsage: RFC 5280 ties keyCertSign
     * to cA, and OpenSSL only accepts a self-signed trust anchor whose
     * usage allows certificate signing. */
    if (kind != 'S')
      {
        usage = kind == 'R' ? (KU_KEY_CERT_SIGN | KU_CRL_SIGN)
                            : (KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT);
        if (CERT_EncodeAndAddBitStrExtension (ext, SEC_OID_X509_KEY_USAGE, &usage_bits,
                                              PR_TRUE) != SECSuccess)
          goto nss_failed;
      }

    if (!add_key_id (arena, spki, &skid) ||
        CERT_EncodeSubjectKeyID (arena, &skid, &value) != SECSuccess ||
        CERT_AddExtension (ext, SEC_OID_X509_SUBJECT_KEY_ID, &value, PR_FALSE,
                           PR_TRUE) != SECSuccess)
      goto nss_failed;

    if (issuer_cert != NULL)
      {
        CERTAuthKeyID akid = { 0 };

        if (!add_key_id (arena, &issuer_cert->subjectPublicKeyInfo, &akid.keyID) ||
            CERT_EncodeAuthKeyID (arena, &akid, &value) != SECSuccess ||
            CERT_AddExtension (ext, SEC_OID_X509_AUTH_KEY_ID, &value, PR_FALSE,
                               PR_TRUE) != SECSuccess)
          goto nss_failed;
      }
  }
  if (CERT_FinishExtensions (ext) != SECSuccess)
    {
      ext = NULL;
      goto nss_failed;
    }
  ext = NULL;

  if (SECOID_SetAlgorithmID (cert->arena, &cert->signature,
                             SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE, NULL) != SECSuccess)
    goto nss_failed;
  der = SEC_ASN1EncodeItem (arena, NULL, cert, SEC_ASN1_GET (CERT_CertificateTemplate));
  if (der == NULL ||
      SEC_DerSignData (arena, &signed_cert, der->data, der->len, key,
                       SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE) != SECSuccess)
    goto nss_failed;

  ret = g_bytes_new (signed_cert.data, signed_cert.len);
  goto out;

nss_failed:
  _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                         _("Could not create the certificate"));
out:
  if (ext)
    CERT_FinishExtensions (ext);
  if (cert)
    CERT_DestroyCertificate (cert);
  if (req)
    CERT_DestroyCertificateRequest (req);
  if (validity)
    CERT_DestroyValidity (validity);
  PORT_FreeArena (arena, PR_FALSE);
  semper_secret_wipe (serial, sizeof serial);
  return ret;
}

static gboolean
store_certificate (SemperCrypto  *self,
                   GBytes        *der,
                   gboolean       must_have_key,
                   GError       **error)
{
  CERTCertificate *cert;
  SECKEYPrivateKey *key;
  g_autofree char *fingerprint = NULL;
  g_autofree char *nickname = NULL;
  SECStatus rv;

  cert = _semper_cert_decode (g_bytes_get_data (der, NULL), g_bytes_get_size (der), error);
  if (cert == NULL)
    return FALSE;

  key = PK11_FindKeyByDERCert (self->slot, cert, self);
  if (key == NULL && must_have_key)
    {
      CERT_DestroyCertificate (cert);
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY,
                           _("The certificate is not for this profile's key"));
      return FALSE;
    }
  if (key)
    SECKEY_DestroyPrivateKey (key);

  fingerprint = semper_sha256_hex (der);
  nickname = g_strdup_printf ("semper-%.16s", fingerprint);
  rv = PK11_ImportCert (self->slot, cert, CK_INVALID_HANDLE, nickname, PR_FALSE);
  CERT_DestroyCertificate (cert);
  if (rv != SECSuccess)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not store the certificate"));
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_crypto_import_certificate:
 *
 * Stores the profile's own certificate (as issued by the CA). It must be for
 * the profile's key.
 */
gboolean
semper_crypto_import_certificate (SemperCrypto  *self,
                                  GBytes        *der,
                                  GError       **error)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), FALSE);
  g_return_val_if_fail (der != NULL, FALSE);

  return store_certificate (self, der, TRUE, error);
}

CERTCertificate *
_semper_crypto_find_cert (SemperCrypto  *self,
                          GError       **error)
{
  CERTCertList *list = PK11_ListCertsInSlot (self->slot);
  CERTCertificate *best = NULL;
  PRTime best_start = 0;

  if (list != NULL)
    {
      for (CERTCertListNode *node = CERT_LIST_HEAD (list); !CERT_LIST_END (node, list);
           node = CERT_LIST_NEXT (node))
        {
          SECKEYPrivateKey *key = PK11_FindPrivateKeyFromCert (self->slot, node->cert, self);
          PRTime start = 0, end = 0;

          if (key == NULL)
            continue;
          SECKEY_DestroyPrivateKey (key);
          CERT_GetCertTimes (node->cert, &start, &end);
          /* the newest certificate for our key wins */
          if (best == NULL || start > best_start)
            {
              if (best)
                CERT_DestroyCertificate (best);
              best = CERT_DupCertificate (node->cert);
              best_start = start;
            }
        }
      CERT_DestroyCertList (list);
    }
  if (best == NULL)
    g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY,
                         _("This profile has no certificate yet"));
  return best;
}

/**
 * semper_crypto_dup_certificate:
 *
 * Returns: (transfer full) (nullable): the DER of the profile's certificate.
 */
GBytes *
semper_crypto_dup_certificate (SemperCrypto *self)
{
  CERTCertificate *cert;
  GBytes *der;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);

  cert = _semper_crypto_find_cert (self, NULL);
  if (cert == NULL)
    return NULL;
  der = _semper_cert_dup_der (cert);
  CERT_DestroyCertificate (cert);
  return der;
}

/**
 * semper_crypto_dup_certificate_pem:
 *
 * Returns: (transfer full) (nullable): the profile's certificate as PEM,
 *   e.g. for `openssl cms -verify -CAfile`.
 */
char *
semper_crypto_dup_certificate_pem (SemperCrypto *self)
{
  g_autoptr(GBytes) der = semper_crypto_dup_certificate (self);

  return der ? semper_certificate_to_pem (der) : NULL;
}

static gboolean
make_self_certificate (SemperCrypto  *self,
                       const char    *common_name,
                       const char    *role,
                       PRTime         not_after,
                       char           kind,
                       GError       **error)
{
  SECKEYPrivateKey *priv;
  SECKEYPublicKey *pub = NULL;
  CERTSubjectPublicKeyInfo *spki = NULL;
  CERTName *name = NULL;
  g_autoptr(GBytes) der = NULL;
  PRTime now = PR_Now ();

  if (!check_common_name (common_name, error))
    return FALSE;
  priv = _semper_crypto_find_key (self, error);
  if (priv == NULL)
    return FALSE;

  pub = SECKEY_ConvertToPublicKey (priv);
  spki = pub ? SECKEY_CreateSubjectPublicKeyInfo (pub) : NULL;
  name = make_name (common_name, role);
  if (spki == NULL || name == NULL)
    _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                           _("Could not create the certificate"));
  else
    /* a little back-dating absorbs clock skew between machines */
    der = make_certificate (name, spki, NULL, priv, now - 600 * (PRTime) PR_USEC_PER_SEC,
                            not_after, kind, error);

  if (name)
    CERT_DestroyName (name);
  if (spki)
    SECKEY_DestroySubjectPublicKeyInfo (spki);
  if (pub)
    SECKEY_DestroyPublicKey (pub);
  SECKEY_DestroyPrivateKey (priv);

  return der != NULL && store_certificate (self, der, TRUE, error);
}

/**
 * semper_crypto_make_self_signed:
 *
 * Gives a profile that has no CA yet a self-signed identity certificate
 * (role wallet, 10 years), so that it can sign. Anyone verifying must pin
 * this very certificate.
 */
gboolean
semper_crypto_make_self_signed (SemperCrypto  *self,
                                const char    *common_name,
                                GError       **error)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), FALSE);

  return make_self_certificate (self, common_name, SEMPER_ROLE_WALLET,
                                PR_Now () + 3650 * 86400 * (PRTime) PR_USEC_PER_SEC,
                                'S', error);
}

/**
 * semper_crypto_make_root:
 *
 * Makes this profile a certification authority: a self-signed root
 * certificate (CA:TRUE, keyCertSign|cRLSign, role ca) for its key.
 */
gboolean
semper_crypto_make_root (SemperCrypto  *self,
                         const char    *common_name,
                         guint          validity_days,
                         GError       **error)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), FALSE);

  if (validity_days == 0 || validity_days > 36500)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Validity must be 1 to 36500 days"));
      return FALSE;
    }
  return make_self_certificate (self, common_name, SEMPER_ROLE_CA,
                                PR_Now () + validity_days * 86400 * (PRTime) PR_USEC_PER_SEC,
                                'R', error);
}

/**
 * semper_crypto_issue_certificate_full:
 * @csr_der: a PKCS#10 request; its signature is checked first
 * @role: (nullable): the role to certify; %NULL takes the request's OU
 * @not_before: (nullable): %NULL for now (minus ten minutes of skew)
 * @not_after: when the certificate expires
 *
 * Issues an end-entity certificate (keyUsage digitalSignature|keyAgreement,
 * random 128-bit serial) with subject "OU=<role>, CN=<request CN>".
 *
 * Returns: (transfer full): its DER.
 */
GBytes *
semper_crypto_issue_certificate_full (SemperCrypto  *ca,
                                      GBytes        *csr_der,
                                      const char    *role,
                                      GDateTime     *not_before,
                                      GDateTime     *not_after,
                                      GError       **error)
{
  PLArenaPool *arena = NULL;
  CERTCertificateRequest *req;
  CERTCertificate *issuer = NULL;
  SECKEYPrivateKey *key = NULL;
  CERTName *name = NULL;
  char *cn = NULL;
  char *asked_role = NULL;
  GBytes *ret = NULL;
  PRTime start, end;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (ca), NULL);
  g_return_val_if_fail (csr_der != NULL, NULL);
  g_return_val_if_fail (not_after != NULL, NULL);

  issuer = _semper_crypto_find_cert (ca, error);
  if (issuer == NULL)
    return NULL;
  if (!_semper_cert_is_ca (issuer))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY,
                           _("This profile is not a certification authority"));
      goto out;
    }
  key = _semper_crypto_find_key (ca, error);
  if (key == NULL)
    goto out;

  arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  req = decode_csr (arena, csr_der, error);
  if (req == NULL)
    goto out;
  if (!spki_is_p256 (&req->subjectPublicKeyInfo))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Only ECDSA P-256 keys are certified"));
      goto out;
    }

  cn = CERT_GetCommonName (&req->subject);
  asked_role = CERT_GetOrgUnitName (&req->subject);
  if (role == NULL)
    role = asked_role;
  if (!check_common_name (cn, error) || !check_role (role, error))
    goto out;

  start = not_before ? _semper_prtime_from_date_time (not_before)
                     : PR_Now () - 600 * (PRTime) PR_USEC_PER_SEC;
  end = _semper_prtime_from_date_time (not_after);
  if (end <= start)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The certificate would expire before it starts"));
      goto out;
    }

  name = make_name (cn, role);
  if (name == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not create the certificate"));
      goto out;
    }
  ret = make_certificate (name, &req->subjectPublicKeyInfo, issuer, key, start, end, 'E',
                          error);

out:
  if (name)
    CERT_DestroyName (name);
  PORT_Free (cn);
  PORT_Free (asked_role);
  if (arena)
    PORT_FreeArena (arena, PR_FALSE);
  if (key)
    SECKEY_DestroyPrivateKey (key);
  if (issuer)
    CERT_DestroyCertificate (issuer);
  return ret;
}

/**
 * semper_crypto_issue_certificate:
 * @validity_days: from now
 *
 * semper_crypto_issue_certificate_full() valid from now for @validity_days.
 *
 * Returns: (transfer full): the certificate's DER.
 */
GBytes *
semper_crypto_issue_certificate (SemperCrypto  *ca,
                                 GBytes        *csr_der,
                                 const char    *role,
                                 guint          validity_days,
                                 GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = NULL;

  if (validity_days == 0 || validity_days > 36500)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Validity must be 1 to 36500 days"));
      return NULL;
    }
  end = g_date_time_add_days (now, (int) validity_days);
  return semper_crypto_issue_certificate_full (ca, csr_der, role, NULL, end, error);
}
