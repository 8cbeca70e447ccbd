/* test-ca.c: the CA's parsers, policy and CRL in one process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "semper-ca.h"
#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-crypto-private.h"
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

/* A signature is verified once per process (never the same bytes twice),
 * but everything that can change is checked on every call: the pinned root,
 * revocation, and the bytes themselves. */
static void
test_verified_once (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-ca-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (tmp, "ca", NULL);
  g_autofree char *other_state = g_build_filename (tmp, "other", NULL);
  g_autofree char *user_dir = g_build_filename (tmp, "user", NULL);
  g_autoptr(SemperCa) ca = NULL;
  g_autoptr(SemperCa) other = NULL;
  g_autoptr(SemperCrypto) user = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperTrust) fresh = NULL;
  g_autoptr(SemperTrust) foreign = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(GBytes) content = text ("{\"type\":\"verified-once\",\"n\":1}");
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(SemperSignerInfo) first = NULL;
  g_autoptr(SemperSignerInfo) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *cmd = NULL;
  SemperCaRequest req = { 0 };
  guint8 *bytes;
  gsize len = 0;
  guint hits;

  ca = semper_ca_open (state, NULL, password_cb, NULL, &error);
  g_assert_no_error (error);
  trust = semper_trust_new (semper_ca_get_root (ca), &error);
  g_assert_no_error (error);
  user = semper_crypto_open (user_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  semper_crypto_generate_key (user, &error);
  g_assert_no_error (error);
  csr = semper_crypto_create_csr (user, "Erin", "wallet", &error);
  g_assert_no_error (error);
  req.csr = csr;
  req.role = (char *) "wallet";
  cert = semper_ca_register (ca, &req, &error);
  g_assert_no_error (error);
  semper_crypto_import_certificate (user, cert, &error);
  g_assert_no_error (error);
  fingerprint = semper_sha256_hex (cert);

  p7m = semper_cms_sign_message (user, content, &error);
  g_assert_no_error (error);

  /* the second time: the same content and signer, without NSS verifying again */
  again = semper_cms_verify (p7m, trust, &first, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, content));
  g_clear_pointer (&again, g_bytes_unref);
  hits = _semper_verified_get_hits ();
  again = semper_cms_verify (p7m, trust, &second, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, content));
  g_assert_cmpuint (_semper_verified_get_hits (), >, hits);
  g_assert_cmpstr (second->fingerprint, ==, first->fingerprint);
  g_assert_cmpstr (second->role, ==, "wallet");
  g_assert_true (second->trusted);

  /* a new trust for the same root: the chain is known, the result the same */
  fresh = semper_trust_new (semper_ca_get_root (ca), &error);
  g_assert_no_error (error);
  g_clear_pointer (&again, g_bytes_unref);
  again = semper_cms_verify (p7m, fresh, NULL, &error);
  g_assert_no_error (error);

  /* one byte changed in the content: verified afresh, and refused */
  bytes = g_bytes_unref_to_data (g_bytes_ref (p7m), &len);
  for (gsize i = 0; i + 13 <= len; i++)
    if (memcmp (bytes + i, "verified-once", 13) == 0)
      {
        bytes[i] = 'V';
        break;
      }
  tampered = g_bytes_new_take (bytes, len);
  g_assert_false (g_bytes_equal (tampered, p7m));
  g_assert_null (semper_cms_verify (tampered, trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* another pinned root: refused although the signature is known good */
  other = semper_ca_open (other_state, NULL, password_cb, NULL, &error);
  g_assert_no_error (error);
  foreign = semper_trust_new (semper_ca_get_root (other), &error);
  g_assert_no_error (error);
  g_assert_null (semper_cms_verify (p7m, foreign, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED);
  g_clear_error (&error);

  /* revoked after it was verified: refused from then on */
  semper_ca_revoke (ca, fingerprint, "test", &error);
  g_assert_no_error (error);
  crl = semper_ca_dup_crl (ca, &error);
  g_assert_no_error (error);
  g_assert_true (semper_trust_set_crl (trust, crl, &error));
  g_assert_no_error (error);
  g_assert_null (semper_cms_verify (p7m, trust, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_REVOKED);
  g_clear_error (&error);
  /* the same CRL again, on the fresh trust (its signature known): in force too */
  g_assert_true (semper_trust_set_crl (fresh, crl, &error));
  g_assert_no_error (error);
  g_assert_null (semper_cms_verify (p7m, fresh, NULL, &error));
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_REVOKED);
  g_clear_error (&error);
  /* and a CRL is never taken for a root that did not sign it */
  g_assert_false (semper_trust_set_crl (foreign, crl, &error));
  g_assert_nonnull (error);
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
  g_test_add_func ("/semper/ca/verified-once", test_verified_once);
  return g_test_run ();
}
