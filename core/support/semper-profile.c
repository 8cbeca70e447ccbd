/* semper-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-profile.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "semper-archive.h"
#include "semper-ca-client.h"
#include "semper-comm-client.h"
#include "semper-comm.h"
#include "semper-cms.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-trust.h"

G_DEFINE_QUARK (semper-profile-error-quark, semper_profile_error)

#define LOCK_NAME    "lock"
#define ARCHIVE_NAME "archive.db"
#define NSS_DIR      "nss"
#define ROOT_NAME    "trust-root.der"

struct _SemperProfile
{
  GObject        parent_instance;

  char          *dir;
  int            lock_fd;
  SemperCrypto  *crypto;
  SemperArchive *archive;
};

G_DEFINE_FINAL_TYPE (SemperProfile, semper_profile, G_TYPE_OBJECT)

static void
semper_profile_dispose (GObject *object)
{
  SemperProfile *self = SEMPER_PROFILE (object);

  g_clear_object (&self->archive);
  g_clear_object (&self->crypto);

  G_OBJECT_CLASS (semper_profile_parent_class)->dispose (object);
}

static void
semper_profile_finalize (GObject *object)
{
  SemperProfile *self = SEMPER_PROFILE (object);

  /* Closing the descriptor releases the flock(). */
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->dir, g_free);

  G_OBJECT_CLASS (semper_profile_parent_class)->finalize (object);
}

static void
semper_profile_class_init (SemperProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_profile_dispose;
  object_class->finalize = semper_profile_finalize;
}

static void
semper_profile_init (SemperProfile *self)
{
  self->lock_fd = -1;
}

/**
 * semper_profile_default_dir:
 *
 * Returns: (transfer full): `$SEMPER_PROFILE`, or `$XDG_DATA_HOME/semper`.
 */
char *
semper_profile_default_dir (void)
{
  const char *env = g_getenv ("SEMPER_PROFILE");

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "semper", NULL);
}

gboolean
semper_profile_exists (const char *dir)
{
  g_autofree char *key_db = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);

  /* The key database, not the directory: an init interrupted before NSS
   * wrote its files leaves a profile that init can finish. */
  key_db = g_build_filename (dir, NSS_DIR, "key4.db", NULL);
  return g_file_test (key_db, G_FILE_TEST_IS_REGULAR);
}

static gboolean
take_lock (SemperProfile  *self,
           GError        **error)
{
  g_autofree char *path = g_build_filename (self->dir, LOCK_NAME, NULL);
  g_autofree char *pid = NULL;
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_FAILED,
                   "Cannot open the profile lock %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      char other[32] = "";
      ssize_t n = pread (fd, other, sizeof other - 1, 0);

      if (n > 0)
        other[n] = '\0';
      g_strchomp (other);
      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_BUSY,
                     "The profile %s is in use by another process%s%s%s",
                     self->dir, *other ? " (pid " : "", other, *other ? ")" : "");
      else
        g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_FAILED,
                     "Cannot lock the profile %s: %s", self->dir, g_strerror (saved));
      return FALSE;
    }

  pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    {
      /* The pid is only a hint for the "in use" message; the lock holds. */
    }

  self->lock_fd = fd;
  return TRUE;
}

/**
 * semper_profile_open:
 * @dir: the profile directory
 * @flags: %SEMPER_PROFILE_OPEN_CREATE to make a new profile if none exists
 * @password_func: asked for the NSS database password (and, on creation,
 *   for the new one); never called with a hard-coded answer by core
 *
 * Opens (or creates) a profile and locks it for this process.
 *
 * Returns: (transfer full): the profile, or %NULL with @error set.
 */
SemperProfile *
semper_profile_open (const char              *dir,
                     SemperProfileOpenFlags   flags,
                     SemperPasswordFunc       password_func,
                     gpointer                 password_data,
                     GError                 **error)
{
  g_autoptr(SemperProfile) self = NULL;
  g_autofree char *nss_dir = NULL;
  g_autofree char *archive_path = NULL;
  gboolean create = (flags & SEMPER_PROFILE_OPEN_CREATE) != 0;
  gboolean exists;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (password_func != NULL, NULL);

  exists = semper_profile_exists (dir);
  if (!exists && !create)
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NOT_FOUND,
                   "No wallet profile in %s (create one with “semper init”)", dir);
      return NULL;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_FAILED,
                   "Cannot create the profile directory %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (SEMPER_TYPE_PROFILE, NULL);
  self->dir = g_strdup (dir);

  if (!take_lock (self, error))
    return NULL;

  nss_dir = g_build_filename (dir, NSS_DIR, NULL);
  if (g_mkdir_with_parents (nss_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_FAILED,
                   "Cannot create %s: %s", nss_dir, g_strerror (saved));
      return NULL;
    }

  self->crypto = semper_crypto_open (nss_dir, !exists, password_func, password_data,
                                     NULL, error);
  if (self->crypto == NULL)
    return NULL;

  archive_path = g_build_filename (dir, ARCHIVE_NAME, NULL);
  self->archive = semper_archive_open (archive_path, error);
  if (self->archive == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
semper_profile_get_dir (SemperProfile *self)
{
  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);
  return self->dir;
}

/**
 * semper_profile_get_crypto:
 *
 * Returns: (transfer none): the profile's key store.
 */
SemperCrypto *
semper_profile_get_crypto (SemperProfile *self)
{
  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);
  return self->crypto;
}

/**
 * semper_profile_get_archive:
 *
 * Returns: (transfer none): the profile's archive.
 */
SemperArchive *
semper_profile_get_archive (SemperProfile *self)
{
  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);
  return self->archive;
}

gboolean
semper_profile_has_identity (SemperProfile *self)
{
  g_autoptr(GBytes) cert = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), FALSE);

  if (!semper_crypto_has_key (self->crypto))
    return FALSE;
  cert = semper_crypto_dup_certificate (self->crypto);
  return cert != NULL;
}

/**
 * semper_profile_create_identity:
 * @name: the user's name, as it goes into the certificate
 *
 * Makes the profile's P-256 key and, until the profile is registered with a
 * certification authority, a self-signed certificate that is also the
 * profile's trust root. The event goes into the audit log.
 */
gboolean
semper_profile_create_identity (SemperProfile  *self,
                                const char     *name,
                                GError        **error)
{
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (semper_profile_has_identity (self))
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_EXISTS,
                   "The profile %s already has an identity", self->dir);
      return FALSE;
    }

  if (!semper_crypto_has_key (self->crypto) &&
      !semper_crypto_generate_key (self->crypto, error))
    return FALSE;

  if (!semper_crypto_make_self_signed (self->crypto, name, error))
    return FALSE;

  cert = semper_crypto_dup_certificate (self->crypto);
  if (cert == NULL)
    {
      g_set_error_literal (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_FAILED,
                           "The new certificate could not be read back");
      return FALSE;
    }

  if (!semper_profile_set_trust_root (self, cert, error))
    return FALSE;

  fingerprint = semper_sha256_hex (cert);
  detail = g_strdup_printf ("self-signed identity %s", fingerprint);
  return semper_archive_audit_append (self->archive, "identity-created", detail, error) > 0;
}

/**
 * semper_profile_dup_trust_root:
 *
 * Returns: (transfer full) (nullable): the pinned root certificate (DER):
 *   the CA's once registered, else the profile's own self-signed one.
 */
GBytes *
semper_profile_dup_trust_root (SemperProfile *self)
{
  g_autofree char *path = NULL;
  char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);

  path = g_build_filename (self->dir, ROOT_NAME, NULL);
  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;

  return g_bytes_new_take (data, len);
}

/**
 * semper_profile_dup_trust:
 *
 * The trust every part of this profile checks certificates with: the pinned
 * root and, once the profile has fetched one, the CA's revocation list.
 *
 * Returns: (transfer full): the trust, or %NULL with @error set
 *   (%SEMPER_PROFILE_ERROR_NO_IDENTITY when no root is pinned yet).
 */
SemperTrust *
semper_profile_dup_trust (SemperProfile  *self,
                          GError        **error)
{
  g_autoptr(GBytes) root = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autofree char *crl_path = NULL;
  char *crl = NULL;
  gsize crl_len = 0;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);

  root = semper_profile_dup_trust_root (self);
  if (root == NULL)
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NO_IDENTITY,
                   _("The profile %s has no pinned root certificate"), self->dir);
      return NULL;
    }
  trust = semper_trust_new (root, error);
  if (trust == NULL)
    return NULL;

  crl_path = g_build_filename (self->dir, "crl.der", NULL);
  if (g_file_get_contents (crl_path, &crl, &crl_len, NULL))
    {
      g_autoptr(GBytes) bytes = g_bytes_new_take (crl, crl_len);

      if (!semper_trust_set_crl (trust, bytes, error))
        {
          g_prefix_error (error, _("The profile’s revocation list %s is not usable: "), crl_path);
          return NULL;
        }
    }

  return g_steal_pointer (&trust);
}

gboolean
semper_profile_set_trust_root (SemperProfile  *self,
                               GBytes         *root_der,
                               GError        **error)
{
  g_autofree char *path = NULL;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (root_der != NULL, FALSE);

  path = g_build_filename (self->dir, ROOT_NAME, NULL);
  data = g_bytes_get_data (root_der, &len);

  /* g_file_set_contents() writes a temporary file, fsyncs and renames. */
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

/**
 * semper_profile_register:
 * @ca_url: the certification authority's base URL
 * @root_der: its root certificate, which the user has accepted (fingerprint
 *   compared or given)
 * @name: the user's name, as the certificate must carry it
 * @out_info: (out) (optional): the issued certificate's details
 *
 * Registers the profile's key with a CA: makes the key if there is none,
 * sends a PKCS#10 request for role wallet, checks that the answer chains to
 * @root_der with role wallet and @name, imports it, pins @root_der, and
 * stores the CA's URL and current revocation list in the profile. The event
 * goes into the audit log. Blocks: call it from a worker thread in a GUI.
 *
 * Returns: %TRUE on success; %SEMPER_PROFILE_ERROR_NOT_REGISTERED when the
 *   CA refused or its answer is not acceptable.
 */
gboolean
semper_profile_register (SemperProfile     *self,
                         const char        *ca_url,
                         GBytes            *root_der,
                         const char        *name,
                         GCancellable      *cancellable,
                         SemperSignerInfo **out_info,
                         GError           **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url_line = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *root_fingerprint = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (ca_url != NULL, FALSE);
  g_return_val_if_fail (root_der != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  trust = semper_trust_new (root_der, error);
  if (trust == NULL)
    return FALSE;
  if (!semper_crypto_has_key (self->crypto) && !semper_crypto_generate_key (self->crypto, error))
    return FALSE;
  csr = semper_crypto_create_csr (self->crypto, name, SEMPER_ROLE_WALLET, error);
  if (csr == NULL)
    return FALSE;

  cert = semper_ca_client_register (client, ca_url, csr, SEMPER_ROLE_WALLET, NULL, cancellable,
                                    &local_error);
  if (cert == NULL)
    {
      if (g_strcmp0 (semper_comm_error_get_code (local_error), "refused") == 0)
        g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NOT_REGISTERED,
                     _("The CA did not register you: %s"), local_error->message);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    _("The CA did not register you: "));
      return FALSE;
    }

  /* What came back must be a wallet certificate for our name from that root;
   * import_certificate() checks that it is for our key. */
  if (!semper_trust_check_certificate (trust, cert, NULL, &info, &local_error))
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NOT_REGISTERED,
                   _("The CA’s answer is not acceptable: %s"), local_error->message);
      return FALSE;
    }
  if (g_strcmp0 (info->role, SEMPER_ROLE_WALLET) != 0 || !g_str_equal (info->common_name, name))
    {
      g_set_error_literal (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NOT_REGISTERED,
                           _("The CA issued a certificate for another name or role"));
      return FALSE;
    }
  if (!semper_crypto_import_certificate (self->crypto, cert, error) ||
      !semper_profile_set_trust_root (self, root_der, error))
    return FALSE;

  path = g_build_filename (self->dir, "ca-url", NULL);
  url_line = g_strdup_printf ("%s\n", ca_url);
  if (!g_file_set_contents_full (path, url_line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error))
    return FALSE;

  /* The CRL now, so that verification knows revocations from the start. */
  crl = semper_ca_client_fetch_crl (client, ca_url, cancellable, error);
  if (crl == NULL || !semper_trust_set_crl (trust, crl, error))
    {
      g_prefix_error (error, _("Registered, but the CA’s revocation list is not usable: "));
      return FALSE;
    }
  g_clear_pointer (&path, g_free);
  path = g_build_filename (self->dir, "crl.der", NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (crl, NULL), g_bytes_get_size (crl),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  fingerprint = semper_sha256_hex (cert);
  root_fingerprint = semper_sha256_hex (root_der);
  detail = g_strdup_printf ("registered with %s: certificate %s, root %s", ca_url, fingerprint,
                            root_fingerprint);
  if (semper_archive_audit_append (self->archive, "identity-registered", detail, error) <= 0)
    return FALSE;

  if (out_info != NULL)
    *out_info = g_steal_pointer (&info);
  return TRUE;
}

/**
 * semper_profile_sign_document:
 * @document: the exact bytes of a semper document
 * @consent: the user's consent for exactly these bytes
 *
 * Signs @document with the profile's key (CMS SignedData, content attached)
 * and archives the signed message before returning it (DESIGN.md rule 4).
 *
 * Returns: (transfer full): the DER of the signed message.
 */
GBytes *
semper_profile_sign_document (SemperProfile  *self,
                              GBytes         *document,
                              SemperConsent  *consent,
                              GError        **error)
{
  g_autoptr(GBytes) signed_data = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *hex = NULL;
  gint64 id;

  g_return_val_if_fail (SEMPER_IS_PROFILE (self), NULL);
  g_return_val_if_fail (document != NULL, NULL);
  g_return_val_if_fail (SEMPER_IS_CONSENT (consent), NULL);

  if (!semper_profile_has_identity (self))
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NO_IDENTITY,
                   "The profile %s has no key yet (run “semper init”)", self->dir);
      return NULL;
    }

  signed_data = semper_cms_sign_document (self->crypto, document, consent, error);
  if (signed_data == NULL)
    return NULL;

  id = semper_archive_message_store (self->archive, SEMPER_MESSAGE_OUT, NULL,
                                     "application/pkcs7-mime", signed_data, error);
  if (id <= 0)
    return NULL;

  hex = semper_sha256_hex (document);
  detail = g_strdup_printf ("signed document %s (message %" G_GINT64_FORMAT ", consent from %s)",
                            hex, id, semper_consent_get_origin (consent));
  if (semper_archive_audit_append (self->archive, "document-signed", detail, error) <= 0)
    return NULL;

  return g_steal_pointer (&signed_data);
}
