/* test-ca.c: the CA's parsers, policy and CRL in one process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "semper-ca.h"
#include "semper-crypto.h"
#include "semper-trust.h"

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("test password");
}

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static void
test_request_parse (void)
{
  static const char * const bad[] = {
    "",
    "[]",
    "{}",
    "{\"csr\": 1}",
    "{\"csr\": \"\"}",
    "{\"csr\": \"AAAA\", \"csr\": \"AAAA\"}",
    "{\"csr\": \"AAAA\", \"extra\": true}",
    "{\"csr\": \"AA AA\"}",
    "{\"csr\": \"AAA\"}",
    "{\"csr\": \"AAB=\"}",           /* stray bits: not canonical */
    "{\"csr\": \"AAAA\", \"role\": \"king\"}",
    "{\"csr\": \"AAAA\", \"secret\": 7}",
  };
  g_autoptr(SemperCaRequest) req = NULL;
  g_autoptr(GBytes) good = text ("{\"csr\": \"AAE=\", \"secret\": \"s\"}");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = text (bad[i]);
      g_autoptr(SemperCaRequest) r = semper_ca_request_parse (body, &error);

      g_assert_null (r);
      g_assert_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }

  req = semper_ca_request_parse (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (req->csr), ==, 2);
  g_assert_cmpstr (req->role, ==, "wallet");
  g_assert_cmpstr (req->secret, ==, "s");
}

static void
test_policy_and_crl (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-ca-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (tmp, "ca", NULL);
  g_autofree char *other_state = g_build_filename (tmp, "other", NULL);
  g_autofree char *user_dir = g_build_filename (tmp, "user", NULL);
  g_autoptr(SemperCa) ca = NULL;
  g_autoptr(SemperCa) other = NULL;
  g_autoptr(SemperCrypto) user = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(GBytes) foreign_crl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *cmd = NULL;
  SemperCaRequest req = { 0 };

  ca = semper_ca_open (state, NULL, password_cb, NULL, &error);
  g_assert_no_error (error);
  trust = semper_trust_new (semper_ca_get_root (ca), &error);
  g_assert_no_error (error);

  user = semper_crypto_open (user_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  semper_crypto_generate_key (user, &error);
  g_assert_no_error (error);
  csr = semper_crypto_create_csr (user, "Dana", "wallet", &error);
  g_assert_no_error (error);

  /* without a configuration: wallets only */
  req.csr = csr;
  req.role = (char *) "merchant";
  cert = semper_ca_register (ca, &req, &error);
  g_assert_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED);
  g_clear_error (&error);
  req.role = (char *) "wallet";
  cert = semper_ca_register (ca, &req, &error);
  g_assert_no_error (error);
  fingerprint = semper_sha256_hex (cert);

  semper_trust_check_certificate (trust, cert, NULL, NULL, &error);
  g_assert_no_error (error);

  /* a CRL before and after revocation */
  crl = semper_ca_dup_crl (ca, &error);
  g_assert_no_error (error);
  semper_trust_set_crl (trust, crl, &error);
  g_assert_no_error (error);
  semper_trust_check_certificate (trust, cert, NULL, NULL, &error);
  g_assert_no_error (error);

  semper_ca_revoke (ca, fingerprint, "test", &error);
  g_assert_no_error (error);
  g_assert_true (semper_ca_is_revoked (ca, fingerprint));
  /* again: still fine; unknown: not found */
  semper_ca_revoke (ca, fingerprint, NULL, &error);
  g_assert_no_error (error);
  semper_ca_revoke (ca, "ab", NULL, &error);
  g_assert_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_pointer (&crl, g_bytes_unref);
  crl = semper_ca_dup_crl (ca, &error);
  g_assert_no_error (error);
  semper_trust_set_crl (trust, crl, &error);
  g_assert_no_error (error);
  semper_trust_check_certificate (trust, cert, NULL, NULL, &error);
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_REVOKED);
  g_clear_error (&error);

  /* the revoked key is not certified again */
  g_clear_pointer (&cert, g_bytes_unref);
  cert = semper_ca_register (ca, &req, &error);
  g_assert_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED);
  g_clear_error (&error);

  /* another CA's CRL is refused, and the first one stays in force */
  other = semper_ca_open (other_state, NULL, password_cb, NULL, &error);
  g_assert_no_error (error);
  foreign_crl = semper_ca_dup_crl (other, &error);
  g_assert_no_error (error);
  g_assert_false (semper_trust_set_crl (trust, foreign_crl, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (semper_trust_set_crl (trust, semper_ca_get_root (ca), &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT);
  g_clear_error (&error);

  cmd = g_strdup_printf ("rm -rf '%s'", tmp);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

static void
test_bad_config (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-ca-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (tmp, "ca", NULL);
  g_autofree char *conf = g_build_filename (tmp, "ca.conf", NULL);
  g_autofree char *cmd = NULL;
  static const char * const bad[] = {
    "[ca]\nroles=wallet;ca\n",
    "[ca]\nroles=wallet;king\n",
    "[ca]\ncertificate-validity-days=0\n",
    "[ca]\nroles=wallet;merchant\n[enrolment]\nmerchant=short\n",
    "[ca]\nroles=wallet\n[enrolment]\nmerchant=long-enough-secret-123\n",
    "[keys]\nnot-hex=wallet\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperCa) ca = NULL;

      g_file_set_contents (conf, bad[i], -1, &error);
      g_assert_no_error (error);
      ca = semper_ca_open (state, conf, password_cb, NULL, &error);
      g_assert_null (ca);
      g_assert_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG);
    }
  cmd = g_strdup_printf ("rm -rf '%s'", tmp);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/ca/request/parse", test_request_parse);
  g_test_add_func ("/semper/ca/policy-and-crl", test_policy_and_crl);
  g_test_add_func ("/semper/ca/config/bad", test_bad_config);
  return g_test_run ();
}
