/* test-crypto.c: profile databases, passwords, keys, CSRs, the CA and trust.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "semper-crypto.h"
#include "semper-trust.h"

static gboolean
have_openssl (void)
{
  g_autofree char *path = g_find_program_in_path ("openssl");
  return path != NULL;
}

typedef struct
{
  char *password;
  guint calls;
  guint retries;
} PasswordLog;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  PasswordLog *log = user_data;

  log->calls++;
  if (retry)
    log->retries++;
  return g_strdup (log->password);
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
  char        *tmp;
  PasswordLog  ca_log;
  PasswordLog  user_log;
  SemperCrypto *ca;
  SemperCrypto *user;
} Fixture;

static SemperCrypto *
open_profile (Fixture     *fx,
              const char  *name,
              gboolean     create,
              PasswordLog *log,
              GError     **error)
{
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);

  return semper_crypto_open (dir, create, password_cb, log, NULL, error);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->tmp = g_dir_make_tmp ("semper-crypto-XXXXXX", &error);
  g_assert_no_error (error);
  fx->ca_log.password = "ca secret";
  fx->user_log.password = "user secret";

  fx->ca = open_profile (fx, "ca", TRUE, &fx->ca_log, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (fx->ca, &error));
  g_assert_no_error (error);
  semper_crypto_make_root (fx->ca, "Test Marketplace CA", 30, &error);
  g_assert_no_error (error);

  fx->user = open_profile (fx, "user", TRUE, &fx->user_log, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (fx->user, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->ca);
  g_clear_object (&fx->user);
  rm_rf (fx->tmp);
  g_free (fx->tmp);
}

static GBytes *
issue (SemperCrypto *ca,
       SemperCrypto *user,
       const char   *cn,
       const char   *role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csr = semper_crypto_create_csr (user, cn, SEMPER_ROLE_WALLET, &error);
  GBytes *cert;

  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

/* ---- hashing and randomness ---- */

static void
test_sha256_abc (void)
{
  static const guint8 expected[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
    0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
    0xf2, 0x00, 0x15, 0xad
  };
  g_autoptr(GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autoptr(GBytes) digest = semper_sha256_bytes (abc);
  g_autofree char *hex = semper_sha256_hex (abc);
  guint8 out[32];

  semper_sha256 ("abc", 3, out);
  g_assert_cmpmem (out, 32, expected, 32);
  g_assert_cmpmem (g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), expected, 32);
  g_assert_cmpstr (hex, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_random (void)
{
  g_autoptr(GError) error = NULL;
  guint8 a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };

  g_assert_true (semper_random_bytes (a, sizeof a, &error));
  g_assert_no_error (error);
  g_assert_true (semper_random_bytes (b, sizeof b, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
}

static void
test_wipe (void)
{
  char *password = g_strdup ("hunter2");
  guint8 key[16];

  memset (key, 0xab, sizeof key);
  semper_secret_wipe (key, sizeof key);
  for (guint i = 0; i < sizeof key; i++)
    g_assert_cmpuint (key[i], ==, 0);
  semper_secret_free (password);
  semper_secret_free (NULL);
}

/* ---- databases and passwords ---- */

static void
test_db_reopen (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PasswordLog log = { "user secret", 0, 0 };
  g_autoptr(SemperCrypto) again = NULL;

  g_assert_true (semper_crypto_has_key (fx->user));
  g_clear_object (&fx->user);

  again = open_profile (fx, "user", FALSE, &log, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (log.calls, ==, 1);
  g_assert_cmpuint (log.retries, ==, 0);
  g_assert_true (semper_crypto_has_key (again));

  /* one key per profile */
  g_assert_false (semper_crypto_generate_key (again, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED);
  g_clear_error (&error);

  /* creating over an existing database is refused */
  g_assert_null (open_profile (fx, "ca", TRUE, &log, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED);
  g_clear_error (&error);

  /* and there is nothing to open in an empty directory */
  g_assert_null (open_profile (fx, "nobody", FALSE, &log, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NOT_FOUND);
}

static void
test_db_bad_password (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PasswordLog wrong = { "not the password", 0, 0 };
  PasswordLog cancel = { NULL, 0, 0 };

  g_clear_object (&fx->user);

  g_assert_null (open_profile (fx, "user", FALSE, &wrong, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_PASSWORD);
  g_assert_cmpuint (wrong.calls, ==, 3);
  g_assert_cmpuint (wrong.retries, ==, 2);
  g_clear_error (&error);

  g_assert_null (open_profile (fx, "user", FALSE, &cancel, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED);
  g_assert_cmpuint (cancel.calls, ==, 1);
  g_clear_error (&error);

  /* a new database needs a non-empty password */
  g_assert_null (open_profile (fx, "fresh", TRUE, &cancel, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED);
}

static char *
wrong_then_right_cb (gboolean retry,
                     gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
  return g_strdup (retry ? "user secret" : "typo");
}

static void
test_db_retry (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->tmp, "user", NULL);
  g_autoptr(SemperCrypto) again = NULL;
  guint calls = 0;

  g_clear_object (&fx->user);
  again = semper_crypto_open (dir, FALSE, wrong_then_right_cb, &calls, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 2);
  g_assert_true (semper_crypto_has_key (again));
}

/* ---- CA, certificates, trust ---- */

static void
test_two_profiles (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = semper_crypto_dup_certificate (fx->ca);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) own = NULL;
  g_autofree char *cn = NULL;
  g_autofree char *role = NULL;

  g_assert_nonnull (root);
  /* the user has a key but no certificate yet; the CA's is not the user's */
  g_assert_null (semper_crypto_dup_certificate (fx->user));

  cert = issue (fx->ca, fx->user, "Alice Example", SEMPER_ROLE_MERCHANT);
  g_assert_true (semper_crypto_import_certificate (fx->user, cert, &error));
  g_assert_no_error (error);

  own = semper_crypto_dup_certificate (fx->user);
  g_assert_true (g_bytes_equal (own, cert));
  g_assert_false (g_bytes_equal (own, root));
  cn = semper_certificate_dup_common_name (own);
  role = semper_certificate_dup_role (own);
  g_assert_cmpstr (cn, ==, "Alice Example");
  g_assert_cmpstr (role, ==, SEMPER_ROLE_MERCHANT);

  /* a certificate for another key is not the CA's own */
  g_assert_false (semper_crypto_import_certificate (fx->ca, cert, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY);
}

static void
test_chain_ok (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = semper_crypto_dup_certificate (fx->ca);
  g_autoptr(GBytes) cert = issue (fx->ca, fx->user, "Bob Buyer", SEMPER_ROLE_WALLET);
  g_autoptr(SemperTrust) trust = semper_trust_new (root, &error);
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(SemperSignerInfo) again = NULL;
  g_autofree char *fingerprint = semper_sha256_hex (cert);

  g_assert_no_error (error);
  g_assert_true (semper_trust_check_certificate (trust, cert, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_true (info->trusted);
  g_assert_cmpstr (info->common_name, ==, "Bob Buyer");
  g_assert_cmpstr (info->role, ==, SEMPER_ROLE_WALLET);
  g_assert_cmpstr (info->fingerprint, ==, fingerprint);
  g_assert_true (g_bytes_equal (info->certificate, cert));
  g_assert_cmpuint (info->chain->len, ==, 2);
  g_assert_nonnull (strstr (info->chain->pdata[0], "CN=Bob Buyer"));
  g_assert_nonnull (strstr (info->chain->pdata[1], "CN=Test Marketplace CA"));

  /* the cached answer is the same */
  g_assert_true (semper_trust_check_certificate (trust, cert, NULL, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->chain->len, ==, 2);

  /* the root itself is trusted, with role ca */
  g_clear_pointer (&info, semper_signer_info_unref);
  g_assert_true (semper_trust_check_certificate (trust, root, NULL, &info, &error));
  g_assert_cmpstr (info->role, ==, SEMPER_ROLE_CA);
}

static void
test_chain_other_root (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PasswordLog log = { "other", 0, 0 };
  g_autoptr(SemperCrypto) other = open_profile (fx, "other-ca", TRUE, &log, &error);
  g_autoptr(GBytes) root = semper_crypto_dup_certificate (fx->ca);
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (other, &error));
  /* same name as the real CA: only the key decides */
  g_assert_true (semper_crypto_make_root (other, "Test Marketplace CA", 30, &error));
  g_assert_no_error (error);
  cert = issue (other, fx->user, "Mallory", SEMPER_ROLE_BANK);

  trust = semper_trust_new (root, &error);
  g_assert_no_error (error);
  g_assert_false (semper_trust_check_certificate (trust, cert, NULL, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED);
  g_clear_error (&error);

  /* an end-entity certificate cannot issue */
  g_assert_null (semper_crypto_issue_certificate (fx->user, cert, SEMPER_ROLE_BANK, 1, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY);
}

static void
test_chain_expired (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = semper_crypto_dup_certificate (fx->ca);
  g_autoptr(GBytes) csr = semper_crypto_create_csr (fx->user, "Old Timer", "wallet", &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -10);
  g_autoptr(GDateTime) end = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 1);
  g_autoptr(GDateTime) then = g_date_time_add_days (now, 2);
  g_autoptr(GDateTime) much_later = g_date_time_add_days (now, 10);
  g_autoptr(SemperTrust) trust = semper_trust_new (root, &error);
  g_autoptr(GBytes) cert = NULL;

  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate_full (fx->ca, csr, NULL, start, end, &error);
  g_assert_no_error (error);

  g_assert_false (semper_trust_check_certificate (trust, cert, NULL, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED);
  g_clear_error (&error);

  /* one that starts tomorrow is not valid now, but is the day after
   * (the chain is cached, validity is checked each time) */
  g_clear_pointer (&cert, g_bytes_unref);
  cert = semper_crypto_issue_certificate_full (fx->ca, csr, NULL, later, much_later, &error);
  g_assert_no_error (error);
  g_assert_false (semper_trust_check_certificate (trust, cert, now, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED);
  g_clear_error (&error);
  g_assert_true (semper_trust_check_certificate (trust, cert, then, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (semper_trust_check_certificate (trust, cert, now, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED);
}

static void
test_csr_checks (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csr = semper_crypto_create_csr (fx->user, "Carol", "ttp", &error);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autofree char *role = NULL;
  guint8 *copy;
  gsize len;

  g_assert_no_error (error);

  /* without a role argument the CA takes the role the request asks for */
  cert = semper_crypto_issue_certificate (fx->ca, csr, NULL, 1, &error);
  g_assert_no_error (error);
  role = semper_certificate_dup_role (cert);
  g_assert_cmpstr (role, ==, "ttp");

  /* a changed byte in the request's name breaks its signature */
  copy = g_bytes_unref_to_data (g_bytes_ref (csr), &len);
  for (gsize i = 0; i + 5 < len; i++)
    if (memcmp (copy + i, "Carol", 5) == 0)
      {
        copy[i] = 'K';
        break;
      }
  bad = g_bytes_new_take (copy, len);
  g_assert_null (semper_crypto_issue_certificate (fx->ca, bad, NULL, 1, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_null (semper_crypto_create_csr (fx->user, "Carol", "emperor", &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);
  g_assert_null (semper_crypto_create_csr (fx->user, "", "wallet", &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);
  g_assert_null (semper_crypto_issue_certificate (fx->ca, csr, "king", 1, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
}

static gboolean
run_openssl (const char  *cwd,
             const char **argv,
             char       **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("openssl failed: %s", err);
      return FALSE;
    }
  return TRUE;
}

static void
test_pem_and_openssl (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csr = semper_crypto_create_csr (fx->user, "Dora", "wallet", &error);
  g_autofree char *pem = semper_crypto_dup_certificate_pem (fx->ca);
  g_autoptr(GBytes) root = semper_crypto_dup_certificate (fx->ca);
  g_autoptr(GBytes) back = NULL;
  g_autofree char *csr_path = g_build_filename (fx->tmp, "req.der", NULL);
  g_autofree char *ca_path = g_build_filename (fx->tmp, "ca.pem", NULL);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----\n"));
  back = semper_certificate_from_pem (pem, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, root));

  if (!have_openssl ())
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_assert_true (g_file_set_contents (csr_path, g_bytes_get_data (csr, NULL),
                                      g_bytes_get_size (csr), NULL));
  g_assert_true (g_file_set_contents (ca_path, pem, -1, NULL));
  {
    const char *argv[] = { "openssl", "req", "-inform", "DER", "-in", csr_path, "-verify",
                           "-noout", "-subject", NULL };
    g_assert_true (run_openssl (fx->tmp, argv, &out));
    g_assert_nonnull (strstr (out, "CN = Dora"));
    g_clear_pointer (&out, g_free);
  }
  {
    const char *argv[] = { "openssl", "x509", "-in", ca_path, "-noout", "-ext",
                           "basicConstraints,keyUsage", NULL };
    g_assert_true (run_openssl (fx->tmp, argv, &out));
    g_assert_nonnull (strstr (out, "CA:TRUE"));
    g_assert_nonnull (strstr (out, "Certificate Sign, CRL Sign"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/crypto/sha256/abc", test_sha256_abc);
  g_test_add_func ("/semper/crypto/random", test_random);
  g_test_add_func ("/semper/crypto/wipe", test_wipe);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/semper/crypto/db/reopen", test_db_reopen);
  ADD ("/semper/crypto/db/bad-password", test_db_bad_password);
  ADD ("/semper/crypto/db/retry", test_db_retry);
  ADD ("/semper/crypto/db/two-profiles", test_two_profiles);
  ADD ("/semper/crypto/trust/chain-ok", test_chain_ok);
  ADD ("/semper/crypto/trust/other-root", test_chain_other_root);
  ADD ("/semper/crypto/trust/expired", test_chain_expired);
  ADD ("/semper/crypto/ca/csr-checks", test_csr_checks);
  ADD ("/semper/crypto/ca/pem-openssl", test_pem_and_openssl);
#undef ADD

  return g_test_run ();
}
