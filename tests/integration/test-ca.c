/* test-ca.c: the certification authority as wallets and operators meet it.
 *
 * Runs a real `semperd --role ca` on loopback and the real `semper` binary:
 * registration (`init --ca`), signing, `openssl cms -verify` against the
 * CA's root, `semper verify`, the registration policy (a merchant role is
 * refused without the operator's secret), revocation through the CRL, and a
 * restart that keeps the same root and record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>

#include "semper-ca.h"
#include "semper-ca-client.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-test-semperd.h"
#include "semper-trust.h"

#define PASSWORD "correct horse battery staple"
#define SECRET   "merchant-enrolment-secret-0123"

static const char document_text[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

typedef struct {
  char        *dir;
  char        *password;
  char        *state;      /* the CA's state directory */
  char        *config;     /* NULL, or the CA's configuration */
  GSubprocess *ca;
  char        *url;
} Fixture;

static char *
build_path (const char *sub,
            const char *name)
{
  return g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), sub, name, NULL);
}

static char *
write_tmp (Fixture    *fx,
           const char *name,
           const char *contents)
{
  char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_chmod (path, 0600);
  return path;
}

static void
start_ca (Fixture *fx)
{
  g_clear_pointer (&fx->url, g_free);
  fx->ca = semper_test_start_semperd ("ca", "127.0.0.1:0", fx->state, fx->password, fx->config,
                                      &fx->url);
}

static void
stop_ca (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  if (fx->ca == NULL)
    return;
  g_subprocess_send_signal (fx->ca, SIGTERM);
  g_subprocess_wait (fx->ca, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fx->ca));
  g_assert_cmpint (g_subprocess_get_exit_status (fx->ca), ==, 0);
  g_clear_object (&fx->ca);
}

static int
run (char       **out,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                            G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("%s: stdout: %s\nstderr: %s\n", first, stdout_buf, stderr_buf);
  if (out)
    *out = g_steal_pointer (&stdout_buf);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

#define SEMPER(fx, profile, out, ...) \
  run (out, semper, "--json", "--profile", profile, __VA_ARGS__, NULL)

static JsonObject *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static const char *
error_code (JsonObject *obj)
{
  g_assert_true (json_object_has_member (obj, "error"));
  return json_object_get_string_member (json_object_get_object_member (obj, "error"), "code");
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("semper-ca-XXXXXX", &error);
  g_assert_no_error (error);
  fx->password = write_tmp (fx, "password", PASSWORD "\n");
  fx->state = g_build_filename (fx->dir, "ca", NULL);
  if (data != NULL)
    fx->config = write_tmp (fx, "ca.conf", data);
  start_ca (fx);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);

  stop_ca (fx);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->dir);
  g_free (fx->password);
  g_free (fx->state);
  g_free (fx->config);
  g_free (fx->url);
}

/* Registers a fresh profile DIR/NAME with the CA; returns its JSON. */
static JsonObject *
register_profile (Fixture    *fx,
                  const char *profile)
{
  g_autofree char *semper = build_path ("app", "semper");
  g_autofree char *out = NULL;
  JsonObject *obj;
  int status;

  status = SEMPER (fx, profile, &out, "init", "--name", "Alice Example",
                   "--password-file", fx->password, "--ca", fx->url);
  g_assert_cmpint (status, ==, 0);
  obj = parse_json (out);
  g_assert_true (json_object_get_boolean_member (obj, "registered"));
  g_assert_cmpstr (json_object_get_string_member (obj, "role"), ==, "wallet");
  return obj;
}

static char *
sign_document (Fixture    *fx,
               const char *profile)
{
  g_autofree char *semper = build_path ("app", "semper");
  g_autofree char *doc = write_tmp (fx, "doc.txt", document_text);
  char *p7m = g_build_filename (fx->dir, "doc.p7m", NULL);
  int status;

  status = run (NULL, semper, "--profile", profile, "document", "sign", doc, "--out", p7m,
                "--yes", "--password-file", fx->password, NULL);
  g_assert_cmpint (status, ==, 0);
  return p7m;
}

static void
test_register_sign_verify (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *semper = build_path ("app", "semper");
  g_autofree char *profile = g_build_filename (fx->dir, "alice", NULL);
  g_autofree char *other = g_build_filename (fx->dir, "bob", NULL);
  g_autofree char *root_path = g_build_filename (profile, "trust-root.der", NULL);
  g_autofree char *pem_path = g_build_filename (fx->dir, "root.pem", NULL);
  g_autofree char *pem = NULL;
  g_autofree char *out = NULL;
  g_autofree char *p7m = NULL;
  g_autofree char *root_fpr = NULL;
  g_autofree char *root_role = NULL;
  g_autoptr(JsonObject) reg = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;
  int status;

  reg = register_profile (fx, profile);

  /* the pinned root is the CA's, and init printed its fingerprint */
  g_file_get_contents (root_path, &contents, &len, &error);
  g_assert_no_error (error);
  root = g_bytes_new_take (contents, len);
  root_fpr = semper_sha256_hex (root);
  g_assert_cmpstr (json_object_get_string_member (reg, "ca_fingerprint"), ==, root_fpr);
  root_role = semper_certificate_dup_role (root);
  g_assert_cmpstr (root_role, ==, "ca");

  p7m = sign_document (fx, profile);

  pem = semper_certificate_to_pem (root);
  g_file_set_contents (pem_path, pem, -1, &error);
  g_assert_no_error (error);
  status = run (NULL, "openssl", "cms", "-verify", "-inform", "DER", "-in", p7m, "-CAfile",
                pem_path, "-out", "/dev/null", NULL);
  g_assert_cmpint (status, ==, 0);

  status = SEMPER (fx, profile, &out, "verify", p7m);
  g_assert_cmpint (status, ==, 0);
  ver = parse_json (out);
  g_assert_true (json_object_get_boolean_member (ver, "trusted"));
  g_assert_cmpstr (json_object_get_string_member (ver, "role"), ==, "wallet");
  g_assert_cmpstr (json_object_get_string_member (ver, "signer"), ==, "Alice Example");
  g_assert_cmpstr (json_object_get_string_member (ver, "fingerprint"), ==,
                   json_object_get_string_member (reg, "fingerprint"));

  /* a pinned fingerprint that does not match refuses to register */
  g_clear_pointer (&out, g_free);
  status = SEMPER (fx, other, &out, "init", "--name", "Bob", "--password-file", fx->password,
                   "--ca", fx->url, "--ca-fingerprint",
                   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_cmpint (status, ==, 3);
  bad = parse_json (out);
  g_assert_cmpstr (error_code (bad), ==, "untrusted");
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  /* the right one registers */
  g_clear_pointer (&out, g_free);
  status = SEMPER (fx, other, &out, "init", "--name", "Bob", "--password-file", fx->password,
                   "--ca", fx->url, "--ca-fingerprint", root_fpr);
  g_assert_cmpint (status, ==, 0);

  /* a second init on a registered profile is refused */
  g_clear_pointer (&out, g_free);
  status = SEMPER (fx, other, &out, "init", "--name", "Bob", "--password-file", fx->password,
                   "--ca", fx->url);
  g_assert_cmpint (status, ==, 1);
}

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

/* A CSR for a fresh key in DIR/name, asking for @role in its subject. */
static GBytes *
make_csr (Fixture      *fx,
          const char   *name,
          const char   *role,
          SemperCrypto **out_crypto)
{
  g_autofree char *dir = g_build_filename (fx->dir, name, NULL);
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *csr;

  crypto = semper_crypto_open (dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  semper_crypto_generate_key (crypto, &error);
  g_assert_no_error (error);
  csr = semper_crypto_create_csr (crypto, "Shop Example", role, &error);
  g_assert_no_error (error);
  if (out_crypto)
    *out_crypto = g_steal_pointer (&crypto);
  return csr;
}

static void
assert_refused (const GError *error)
{
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 403);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "refused");
}

static void
test_policy (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GBytes) csr = make_csr (fx, "shop", "merchant", &crypto);
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *role = NULL;

  /* a merchant role without the operator's secret, or with a wrong one */
  cert = semper_ca_client_register (client, fx->url, csr, "merchant", NULL, NULL, &error);
  g_assert_null (cert);
  assert_refused (error);
  g_clear_error (&error);
  cert = semper_ca_client_register (client, fx->url, csr, "merchant",
                                    "merchant-enrolment-secret-0124", NULL, &error);
  g_assert_null (cert);
  assert_refused (error);
  g_clear_error (&error);

  /* never a CA, whatever the secret */
  cert = semper_ca_client_register (client, fx->url, csr, "ca", SECRET, NULL, &error);
  g_assert_null (cert);
  assert_refused (error);
  g_clear_error (&error);

  /* a role the configuration does not list */
  cert = semper_ca_client_register (client, fx->url, csr, "bank", SECRET, NULL, &error);
  g_assert_null (cert);
  assert_refused (error);
  g_clear_error (&error);

  /* a wallet registration with a CSR that asks for merchant in its subject
   * gets a wallet certificate: the CA writes the role, not the request */
  root = semper_ca_client_fetch_root (client, fx->url, NULL, &error);
  g_assert_no_error (error);
  trust = semper_trust_new (root, &error);
  g_assert_no_error (error);
  cert = semper_ca_client_register (client, fx->url, csr, "wallet", NULL, NULL, &error);
  g_assert_no_error (error);
  role = semper_certificate_dup_role (cert);
  g_assert_cmpstr (role, ==, "wallet");
  g_clear_pointer (&cert, g_bytes_unref);
  g_clear_pointer (&role, g_free);

  /* with the operator's enrolment secret, a merchant certificate */
  cert = semper_ca_client_register (client, fx->url, csr, "merchant", SECRET, NULL, &error);
  g_assert_no_error (error);
  semper_trust_check_certificate (trust, cert, NULL, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->role, ==, "merchant");
  g_assert_cmpstr (info->common_name, ==, "Shop Example");
  semper_crypto_import_certificate (crypto, cert, &error);
  g_assert_no_error (error);
  g_clear_pointer (&cert, g_bytes_unref);

  /* malformed requests are a 400 with a clear message */
  {
    g_autoptr(GBytes) body = g_bytes_new_static ("{\"csr\": \"not base64!\"}", 22);
    g_autofree char *url = g_strconcat (fx->url, "/ca/register", NULL);
    g_autoptr(GBytes) answer = semper_comm_client_post_sync (client, url,
                                                             SEMPER_COMM_CONTENT_TYPE_JSON,
                                                             body, NULL, NULL, &error);
    g_assert_null (answer);
    g_assert_cmpuint (semper_comm_error_get_status (error), ==, 400);
    g_clear_error (&error);
  }
}

static void
test_revoke (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *semper = build_path ("app", "semper");
  g_autofree char *profile = g_build_filename (fx->dir, "alice", NULL);
  g_autofree char *token = g_build_filename (fx->state, "admin-token", NULL);
  g_autofree char *wrong = write_tmp (fx, "wrong-token",
                                      "0000000000000000000000000000000000000000000000000000");
  g_autofree char *out = NULL;
  g_autofree char *p7m = NULL;
  g_autoptr(JsonObject) reg = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  const char *fpr;
  int status;

  reg = register_profile (fx, profile);
  fpr = json_object_get_string_member (reg, "fingerprint");
  p7m = sign_document (fx, profile);
  g_assert_cmpint (SEMPER (fx, profile, NULL, "verify", p7m), ==, 0);

  /* only with the CA's admin token */
  status = SEMPER (fx, profile, &out, "ca", "revoke", "--ca", fx->url, "--token-file", wrong,
                   fpr);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (SEMPER (fx, profile, NULL, "ca", "update-crl"), ==, 0);
  g_assert_cmpint (SEMPER (fx, profile, NULL, "verify", p7m), ==, 0);

  status = SEMPER (fx, profile, &out, "ca", "revoke", "--ca", fx->url, "--token-file", token,
                   fpr, "--reason", "key compromise");
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (SEMPER (fx, profile, NULL, "ca", "update-crl"), ==, 0);
  status = SEMPER (fx, profile, &out, "verify", p7m);
  g_assert_cmpint (status, ==, 3);
  ver = parse_json (out);
  g_assert_cmpstr (error_code (ver), ==, "revoked");

  /* the CA keeps it revoked across a restart, and the root stays the same */
  stop_ca (fx);
  start_ca (fx);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (SEMPER (fx, profile, NULL, "ca", "update-crl", "--ca", fx->url), ==, 0);
  g_assert_cmpint (SEMPER (fx, profile, NULL, "verify", p7m), ==, 3);

  /* an unknown certificate cannot be revoked */
  status = SEMPER (fx, profile, &out, "ca", "revoke", "--ca", fx->url, "--token-file", token,
                   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_cmpint (status, ==, 1);

  /* a fresh key registers; the revoked certificate's key would not */
  csr = make_csr (fx, "carol", "wallet", &crypto);
  cert = semper_ca_client_register (client, fx->url, csr, "wallet", NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_restart (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) root1 = NULL;
  g_autoptr(GBytes) root2 = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_url = NULL;

  root1 = semper_ca_client_fetch_root (client, fx->url, NULL, &error);
  g_assert_no_error (error);
  old_url = g_strdup (fx->url);
  stop_ca (fx);
  start_ca (fx);
  root2 = semper_ca_client_fetch_root (client, fx->url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (root1, root2));

  /* and its CRL is signed by that same root */
  trust = semper_trust_new (root1, &error);
  g_assert_no_error (error);
  crl = semper_ca_client_fetch_crl (client, fx->url, NULL, &error);
  g_assert_no_error (error);
  semper_trust_set_crl (trust, crl, &error);
  g_assert_no_error (error);
  g_assert_true (semper_trust_has_crl (trust));

  /* a wrong password for the CA's key database stops it from starting */
  {
    g_autofree char *semperd = build_path ("app", "semperd");
    g_autofree char *bad = write_tmp (fx, "bad-password", "not the password\n");
    int status = run (NULL, semperd, "--role", "ca", "--listen", "127.0.0.1:0", "--state",
                      fx->state, "--password-file", bad, NULL);

    g_assert_cmpint (status, ==, 1);
  }
}

static const char merchant_config[] =
  "[ca]\n"
  "name=Test Market CA\n"
  "roles=wallet;merchant\n"
  "\n"
  "[enrolment]\n"
  "merchant=" SECRET "\n";

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/semper/ca/register-sign-verify", Fixture, NULL, fixture_set_up,
              test_register_sign_verify, fixture_tear_down);
  g_test_add ("/semper/ca/policy", Fixture, merchant_config, fixture_set_up, test_policy,
              fixture_tear_down);
  g_test_add ("/semper/ca/revoke", Fixture, NULL, fixture_set_up, test_revoke,
              fixture_tear_down);
  g_test_add ("/semper/ca/restart", Fixture, NULL, fixture_set_up, test_restart,
              fixture_tear_down);
  return g_test_run ();
}
