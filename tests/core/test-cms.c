/* test-cms.c: CMS signing, verification and encryption, both ways with OpenSSL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "semper-cms.h"
#include "semper-consent-private.h"
#include "semper-headless-consent.h"

static const char document[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

static const char message[] = "{\"kind\":\"offer\",\"amount\":\"12.50 EUR\"}";

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

typedef struct
{
  char         *tmp;
  SemperCrypto *ca;
  SemperCrypto *user;
  SemperTrust  *trust;
  GBytes       *root;
  GBytes       *user_cert;
} Fixture;

static SemperCrypto *
new_profile (Fixture    *fx,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);
  SemperCrypto *crypto;

  crypto = semper_crypto_open (dir, TRUE, password_cb, g_strdup (name), g_free, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  g_assert_no_error (error);
  return crypto;
}

static GBytes *
certify (Fixture      *fx,
         SemperCrypto *crypto,
         const char   *cn,
         const char   *role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csr = semper_crypto_create_csr (crypto, cn, role, &error);
  GBytes *cert;

  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (fx->ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  g_assert_no_error (error);
  return cert;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->tmp = g_dir_make_tmp ("semper-cms-XXXXXX", &error);
  g_assert_no_error (error);

  fx->ca = new_profile (fx, "ca");
  semper_crypto_make_root (fx->ca, "Test Marketplace CA", 30, &error);
  g_assert_no_error (error);
  fx->root = semper_crypto_dup_certificate (fx->ca);
  fx->trust = semper_trust_new (fx->root, &error);
  g_assert_no_error (error);

  fx->user = new_profile (fx, "user");
  fx->user_cert = certify (fx, fx->user, "Alice Example", SEMPER_ROLE_WALLET);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->trust);
  g_clear_object (&fx->ca);
  g_clear_object (&fx->user);
  g_clear_pointer (&fx->root, g_bytes_unref);
  g_clear_pointer (&fx->user_cert, g_bytes_unref);
  rm_rf (fx->tmp);
  g_free (fx->tmp);
}

static gboolean
have_openssl (void)
{
  g_autofree char *path = g_find_program_in_path ("openssl");

  if (path == NULL)
    g_test_skip ("openssl is not installed");
  return path != NULL;
}

/* Runs openssl in @cwd; returns its exit success, stdout in @out. */
static gboolean
openssl (const char  *cwd,
         char       **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stdout_buf = NULL;
  gsize len = 0;
  const char *arg;
  va_list ap;
  int status = 0;

  g_ptr_array_add (argv, "openssl");
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &stdout_buf, &err, &status, &error));
  g_assert_no_error (error);
  (void) len;
  if (out)
    *out = g_steal_pointer (&stdout_buf);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("openssl failed: %s", err);
      return FALSE;
    }
  return TRUE;
}

static void
write_file (const char *dir,
            const char *name,
            const void *data,
            gssize      len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
write_pem (const char *dir,
           const char *name,
           GBytes     *der)
{
  g_autofree char *pem = semper_certificate_to_pem (der);

  write_file (dir, name, pem, -1);
}

static gboolean
contains (GBytes     *haystack,
          const char *needle)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (haystack, &len);
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_recent (GDateTime *t)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan diff;

  g_assert_nonnull (t);
  diff = g_date_time_difference (now, t);
  g_assert_cmpint (ABS (diff), <, 10 * 60 * G_TIME_SPAN_SECOND);
}

/* ---- signing ---- */

/* Asks the process's consent provider (registered in main()). */
static SemperConsent *
consent_for (GBytes *content)
{
  g_autoptr(GError) error = NULL;
  SemperConsent *consent = semper_consent_request (content, "document", NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (consent);
  return consent;
}

static void
test_document_openssl_verifies (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (document, strlen (document));
  g_autoptr(SemperConsent) consent = consent_for (content);
  g_autoptr(GBytes) p7m = semper_cms_sign_document (fx->user, content, consent, &error);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autofree char *out = NULL;
  const guint8 *der;

  g_assert_no_error (error);
  g_assert_nonnull (p7m);
  g_assert_true (semper_consent_is_used (consent));
  der = g_bytes_get_data (p7m, NULL);
  g_assert_cmpuint (der[0], ==, 0x30);
  g_assert_cmpuint (der[1], !=, 0x80);  /* definite length: DER, not streamed BER */

  back = semper_cms_verify (p7m, fx->trust, &signer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
  g_assert_true (signer->trusted);
  g_assert_cmpstr (signer->common_name, ==, "Alice Example");
  g_assert_cmpstr (signer->role, ==, SEMPER_ROLE_WALLET);
  g_assert_true (g_bytes_equal (signer->certificate, fx->user_cert));
  g_assert_cmpuint (signer->chain->len, ==, 2);
  assert_recent (signer->signing_time);

  if (!have_openssl ())
    return;
  write_file (fx->tmp, "x.p7m", g_bytes_get_data (p7m, NULL), g_bytes_get_size (p7m));
  write_pem (fx->tmp, "ca.pem", fx->root);
  g_assert_true (openssl (fx->tmp, &out, "cms", "-verify", "-inform", "DER", "-in", "x.p7m",
                          "-CAfile", "ca.pem", NULL));
  g_assert_cmpstr (out, ==, document);
}

static void
test_self_signed_openssl_verifies (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) solo = new_profile (fx, "solo");
  g_autoptr(GBytes) content = g_bytes_new_static (message, strlen (message));
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) self_cert = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(SemperTrust) self_trust = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autofree char *out = NULL;

  g_assert_true (semper_crypto_make_self_signed (solo, "Solo Trader", &error));
  g_assert_no_error (error);
  p7m = semper_cms_sign_message (solo, content, &error);
  g_assert_no_error (error);
  self_cert = semper_crypto_dup_certificate (solo);

  /* pinned to itself: trusted */
  self_trust = semper_trust_new (self_cert, &error);
  g_assert_no_error (error);
  back = semper_cms_verify (p7m, self_trust, &signer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
  g_assert_true (signer->trusted);
  g_assert_cmpstr (signer->common_name, ==, "Solo Trader");
  g_assert_cmpuint (signer->chain->len, ==, 1);
  g_clear_pointer (&back, g_bytes_unref);

  /* against the marketplace root: not trusted */
  g_assert_null (semper_cms_verify (p7m, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED);

  if (!have_openssl ())
    return;
  write_file (fx->tmp, "self.p7m", g_bytes_get_data (p7m, NULL), g_bytes_get_size (p7m));
  write_pem (fx->tmp, "self.pem", self_cert);
  g_assert_true (openssl (fx->tmp, &out, "cms", "-verify", "-inform", "DER", "-in", "self.p7m",
                          "-CAfile", "self.pem", NULL));
  g_assert_cmpstr (out, ==, message);
}

static void
test_openssl_signs (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autofree char *fingerprint = NULL;

  if (!have_openssl ())
    return;

  g_assert_true (openssl (fx->tmp, NULL, "req", "-new", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", "m.key",
                          "-subj", "/CN=Olga Openssl", "-outform", "DER", "-out", "m.csr",
                          NULL));
  csr = read_file (fx->tmp, "m.csr");
  cert = semper_crypto_issue_certificate (fx->ca, csr, SEMPER_ROLE_MERCHANT, 30, &error);
  g_assert_no_error (error);
  write_pem (fx->tmp, "m.pem", cert);
  write_file (fx->tmp, "msg.json", message, -1);
  g_assert_true (openssl (fx->tmp, NULL, "cms", "-sign", "-nodetach", "-binary",
                          "-outform", "DER", "-md", "sha256", "-in", "msg.json",
                          "-signer", "m.pem", "-inkey", "m.key", "-out", "m.p7m", NULL));
  p7m = read_file (fx->tmp, "m.p7m");

  back = semper_cms_verify (p7m, fx->trust, &signer, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back),
                   message, strlen (message));
  g_assert_true (signer->trusted);
  g_assert_cmpstr (signer->common_name, ==, "Olga Openssl");
  g_assert_cmpstr (signer->role, ==, SEMPER_ROLE_MERCHANT);
  fingerprint = semper_sha256_hex (cert);
  g_assert_cmpstr (signer->fingerprint, ==, fingerprint);
  assert_recent (signer->signing_time);
}

static void
test_tampered (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (message, strlen (message));
  g_autoptr(GBytes) p7m = semper_cms_sign_message (fx->user, content, &error);
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(GBytes) longer = NULL;
  g_autoptr(GBytes) shorter = NULL;
  guint8 *copy;
  gsize len;
  gboolean changed = FALSE;

  g_assert_no_error (error);

  copy = g_memdup2 (g_bytes_get_data (p7m, NULL), g_bytes_get_size (p7m));
  len = g_bytes_get_size (p7m);
  for (gsize i = 0; i + 5 < len; i++)
    if (memcmp (copy + i, "12.50", 5) == 0)
      {
        copy[i] = '9';  /* "92.50 EUR" */
        changed = TRUE;
        break;
      }
  g_assert_true (changed);
  bad = g_bytes_new_take (copy, len);
  g_assert_null (semper_cms_verify (bad, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* trailing garbage and truncation */
  copy = g_malloc (len + 1);
  memcpy (copy, g_bytes_get_data (p7m, NULL), len);
  copy[len] = 0;
  longer = g_bytes_new_take (copy, len + 1);
  g_assert_null (semper_cms_verify (longer, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);
  shorter = g_bytes_new_from_bytes (p7m, 0, len - 1);
  g_assert_null (semper_cms_verify (shorter, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
}

static void
test_consent_rules (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (document, strlen (document));
  g_autoptr(GBytes) other = g_bytes_new_static ("Semper-Document: contract/1\nTitle: X\n\n.\n",
                                                strlen ("Semper-Document: contract/1\n"
                                                        "Title: X\n\n.\n"));
  g_autoptr(SemperConsent) consent = consent_for (other);
  g_autoptr(SemperConsent) forged = NULL;
  g_autoptr(GBytes) p7m = NULL;

  /* This process's provider is the headless port: nothing else makes a
   * consent, not even the trusted display's constructor. */
  forged = _semper_consent_new (content, "trusted-display", &error);
  g_assert_null (forged);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER);
  g_clear_error (&error);

  /* a consent for other bytes */
  g_assert_null (semper_cms_sign_document (fx->user, content, consent, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_MISMATCH);
  g_clear_error (&error);

  /* used once, then refused */
  p7m = semper_cms_sign_document (fx->user, other, consent, &error);
  g_assert_no_error (error);
  g_assert_null (semper_cms_sign_document (fx->user, other, consent, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_USED);
  g_clear_error (&error);

  /* no consent, and the message path refuses documents */
  g_assert_null (semper_cms_sign_document (fx->user, content, NULL, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_null (semper_cms_sign_message (fx->user, content, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
}

static void
test_untrusted_and_unknown (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (message, strlen (message));
  g_autoptr(GBytes) p7m = semper_cms_sign_message (fx->user, content, &error);
  g_autoptr(SemperCrypto) other_ca = new_profile (fx, "other-ca");
  g_autoptr(GBytes) other_root = NULL;
  g_autoptr(SemperTrust) other_trust = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperCrypto) bare = new_profile (fx, "bare");

  g_assert_no_error (error);
  g_assert_true (semper_crypto_make_root (other_ca, "Test Marketplace CA", 30, &error));
  other_root = semper_crypto_dup_certificate (other_ca);
  other_trust = semper_trust_new (other_root, &error);
  g_assert_no_error (error);

  g_assert_null (semper_cms_verify (p7m, other_trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED);
  g_clear_error (&error);

  /* no trust: the signature is checked, the signer is reported untrusted */
  back = semper_cms_verify (p7m, NULL, &signer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
  g_assert_false (signer->trusted);
  g_assert_cmpstr (signer->common_name, ==, "Alice Example");

  /* a profile without a certificate cannot sign */
  g_assert_null (semper_cms_sign_message (bare, content, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY);
}

static void
test_garbage (Fixture       *fx,
              gconstpointer  data)
{
  static const guint8 inputs[][8] = {
    { 0x30, 0x03, 0x06, 0x01, 0x00 },
    { 0x30, 0x80, 0x00, 0x00 },
    { 0x04, 0x02, 0x41, 0x42 },
    { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) in = g_bytes_new_static (inputs[i], sizeof inputs[i]);

      g_assert_null (semper_cms_verify (in, fx->trust, NULL, &error));
      g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
      g_clear_error (&error);
      g_assert_null (semper_cms_decrypt (fx->user, in, &error));
      g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
      g_clear_error (&error);
    }
  g_assert_null (semper_cms_verify (empty, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
}

/* ---- enveloping ---- */

static void
test_envelope (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (message, strlen (message));
  g_autoptr(GBytes) enveloped = semper_cms_encrypt (content, fx->user_cert, &error);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(SemperCrypto) bob = new_profile (fx, "bob");
  g_autoptr(GBytes) bob_cert = certify (fx, bob, "Bob", SEMPER_ROLE_BANK);
  g_autoptr(GBytes) p7m = NULL;

  g_assert_no_error (error);
  g_assert_false (contains (enveloped, "12.50"));

  back = semper_cms_decrypt (fx->user, enveloped, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));

  g_assert_null (semper_cms_decrypt (bob, enveloped, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY);
  g_clear_error (&error);

  /* a signed message is not an enveloped one, and the other way round */
  p7m = semper_cms_sign_message (fx->user, content, &error);
  g_assert_no_error (error);
  g_assert_null (semper_cms_decrypt (fx->user, p7m, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);
  g_assert_null (semper_cms_verify (enveloped, fx->trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);

  /* the root (keyCertSign only) is no encryption recipient */
  g_assert_null (semper_cms_encrypt (content, fx->root, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
}

static void
test_envelope_openssl (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (message, strlen (message));
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) enveloped = NULL;
  g_autoptr(GBytes) from_openssl = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autofree char *out = NULL;

  if (!have_openssl ())
    return;

  /* core encrypts, openssl decrypts */
  g_assert_true (openssl (fx->tmp, NULL, "req", "-new", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", "r.key",
                          "-subj", "/CN=Rita Recipient", "-outform", "DER", "-out", "r.csr",
                          NULL));
  csr = read_file (fx->tmp, "r.csr");
  cert = semper_crypto_issue_certificate (fx->ca, csr, SEMPER_ROLE_TTP, 30, &error);
  g_assert_no_error (error);
  write_pem (fx->tmp, "r.pem", cert);
  enveloped = semper_cms_encrypt (content, cert, &error);
  g_assert_no_error (error);
  write_file (fx->tmp, "e.p7m", g_bytes_get_data (enveloped, NULL),
              g_bytes_get_size (enveloped));
  g_assert_true (openssl (fx->tmp, &out, "cms", "-decrypt", "-inform", "DER", "-in", "e.p7m",
                          "-recip", "r.pem", "-inkey", "r.key", NULL));
  g_assert_cmpstr (out, ==, message);

  /* openssl encrypts (its defaults: sha1 KDF), core decrypts */
  write_pem (fx->tmp, "user.pem", fx->user_cert);
  write_file (fx->tmp, "plain.txt", message, -1);
  g_assert_true (openssl (fx->tmp, NULL, "cms", "-encrypt", "-binary", "-outform", "DER",
                          "-aes-128-cbc", "-in", "plain.txt", "-out", "o.p7m", "user.pem",
                          NULL));
  from_openssl = read_file (fx->tmp, "o.p7m");
  back = semper_cms_decrypt (fx->user, from_openssl, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(GError) error = NULL;
  FILE *devnull;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The headless port, told --yes, is this process's consent provider. */
  devnull = fopen ("/dev/null", "w");
  g_assert_nonnull (devnull);
  port = semper_headless_consent_new (devnull, SEMPER_HEADLESS_YES_ACCEPT_WARNINGS);
  semper_consent_register_provider (SEMPER_CONSENT_PORT (port), "headless-yes", &error);
  g_assert_no_error (error);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/semper/cms/sign/document-openssl-verifies", test_document_openssl_verifies);
  ADD ("/semper/cms/sign/self-signed-openssl-verifies", test_self_signed_openssl_verifies);
  ADD ("/semper/cms/verify/openssl-signed", test_openssl_signs);
  ADD ("/semper/cms/verify/tampered", test_tampered);
  ADD ("/semper/cms/verify/untrusted", test_untrusted_and_unknown);
  ADD ("/semper/cms/verify/garbage", test_garbage);
  ADD ("/semper/cms/sign/consent-rules", test_consent_rules);
  ADD ("/semper/cms/envelope/round-trip", test_envelope);
  ADD ("/semper/cms/envelope/openssl", test_envelope_openssl);
#undef ADD

  return g_test_run ();
}
