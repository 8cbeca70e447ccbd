/* test-protocol-message.c: the signed protocol messages and their parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-protocol-message.h"
#include "semper-trust.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define TID   "0123456789abcdef0123456789abcdef"

typedef struct {
  char         *tmp;
  SemperCrypto *ca;
  SemperCrypto *alice;
  SemperCrypto *bob;
  SemperCrypto *ttp;
  SemperCrypto *mallory;
  SemperTrust  *trust;
  char         *fp_alice, *fp_bob, *fp_ttp;
} Fixture;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("test password");
}

static SemperCrypto *
new_party (Fixture    *fx,
           const char *name,
           const char *role,
           char      **fingerprint)
{
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;

  crypto = semper_crypto_open (dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  csr = semper_crypto_create_csr (crypto, name, role, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (fx->ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  if (fingerprint != NULL)
    *fingerprint = semper_sha256_hex (cert);
  return g_steal_pointer (&crypto);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_dir = NULL;
  g_autoptr(GBytes) root = NULL;

  fx->tmp = g_dir_make_tmp ("semper-pm-XXXXXX", &error);
  g_assert_no_error (error);
  ca_dir = g_build_filename (fx->tmp, "ca", NULL);
  fx->ca = semper_crypto_open (ca_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (fx->ca, &error));
  g_assert_true (semper_crypto_make_root (fx->ca, "Test CA", 30, &error));
  root = semper_crypto_dup_certificate (fx->ca);
  fx->trust = semper_trust_new (root, &error);
  g_assert_no_error (error);
  fx->alice = new_party (fx, "alice", SEMPER_ROLE_WALLET, &fx->fp_alice);
  fx->bob = new_party (fx, "bob", SEMPER_ROLE_WALLET, &fx->fp_bob);
  fx->ttp = new_party (fx, "ttp", SEMPER_ROLE_TTP, &fx->fp_ttp);
  fx->mallory = new_party (fx, "mallory", SEMPER_ROLE_WALLET, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->tmp);

  g_clear_object (&fx->ca);
  g_clear_object (&fx->alice);
  g_clear_object (&fx->bob);
  g_clear_object (&fx->ttp);
  g_clear_object (&fx->mallory);
  g_clear_object (&fx->trust);
  g_free (fx->fp_alice);
  g_free (fx->fp_bob);
  g_free (fx->fp_ttp);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->tmp);
}

static SemperProtocolMessage *
parse (const char  *json,
       GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return semper_protocol_message_parse_content (bytes, error);
}

#define HEAD(step) \
  "{\"protocol\":\"asw\",\"version\":1,\"step\":\"" step "\",\"tid\":\"" TID "\"," \
  "\"originator\":\"" HEX_A "\",\"responder\":\"" HEX_B "\",\"ttp\":\"" HEX_C "\","

static void
test_parse_content (void)
{
  static const struct { const char *json; int code; } refused[] = {
    /* a member twice */
    { HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"},"
      "\"step\":\"m4\"}", -1 },
    /* an unknown member */
    { HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"},"
      "\"extra\":1}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* an unknown field */
    { HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\","
      "\"x\":\"y\"}}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* a missing field */
    { HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\"}}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* upper-case hex */
    { HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\""
      "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\"}}",
      SEMPER_PROTOCOL_ERROR_INVALID },
    /* an unknown step */
    { HEAD ("m5") "\"fields\":{}}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* non-canonical base64 */
    { HEAD ("abort") "\"fields\":{\"m1\":\"AAB=\"}}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* a deadline that is a string */
    { HEAD ("m1") "\"fields\":{\"text_hash\":\"" HEX_A "\",\"commit_o\":\"" HEX_B "\","
      "\"deadline\":\"1\",\"document\":\"AAAA\"}}", SEMPER_PROTOCOL_ERROR_INVALID },
    /* another protocol */
    { "{\"protocol\":\"other\",\"version\":1,\"step\":\"m3\",\"tid\":\"" TID "\","
      "\"originator\":\"" HEX_A "\",\"responder\":\"" HEX_B "\",\"ttp\":\"" HEX_C "\","
      "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"}}",
      SEMPER_PROTOCOL_ERROR_WRONG_SESSION },
    /* another version */
    { "{\"protocol\":\"asw\",\"version\":2,\"step\":\"m3\",\"tid\":\"" TID "\","
      "\"originator\":\"" HEX_A "\",\"responder\":\"" HEX_B "\",\"ttp\":\"" HEX_C "\","
      "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"}}",
      SEMPER_PROTOCOL_ERROR_WRONG_SESSION },
    /* the same party twice */
    { "{\"protocol\":\"asw\",\"version\":1,\"step\":\"m3\",\"tid\":\"" TID "\","
      "\"originator\":\"" HEX_A "\",\"responder\":\"" HEX_A "\",\"ttp\":\"" HEX_C "\","
      "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"}}",
      SEMPER_PROTOCOL_ERROR_INVALID },
    { "[]", -1 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProtocolMessage) ok = NULL;

  ok = parse (HEAD ("m3") "\"fields\":{\"nonce_o\":\"" HEX_A "\",\"commit_r\":\"" HEX_B "\"}}",
              &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_protocol_message_get_step (ok), ==, "m3");
  g_assert_cmpstr (semper_protocol_message_get_string (ok, "nonce_o"), ==, HEX_A);

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(SemperProtocolMessage) m = parse (refused[i].json, &error);

      g_assert_null (m);
      g_assert_nonnull (error);
      if (refused[i].code >= 0)
        g_assert_error (error, SEMPER_PROTOCOL_ERROR, refused[i].code);
      g_clear_error (&error);
    }
}

static GBytes *
sign_m3 (Fixture      *fx,
         SemperCrypto *signer,
         const char   *tid,
         const char   *step)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *raw;

  json_object_set_string_member (fields, g_str_equal (step, "m3") ? "nonce_o" : "nonce_r", HEX_A);
  json_object_set_string_member (fields, g_str_equal (step, "m3") ? "commit_r" : "commit_o",
                                 HEX_B);
  m = semper_protocol_message_new (step, tid, fx->fp_alice, fx->fp_bob, fx->fp_ttp, fields);
  raw = semper_protocol_message_sign (m, signer, &error);
  g_assert_no_error (error);
  return raw;
}

static void
test_signed (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = sign_m3 (fx, fx->alice, TID, "m3");
  g_autoptr(SemperProtocolMessage) m = semper_protocol_message_verify (raw, fx->trust, &error);
  g_autofree char *hash = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (semper_protocol_message_get_originator (m), ==, fx->fp_alice);
  g_assert_cmpstr (semper_protocol_message_get_signer (m)->fingerprint, ==, fx->fp_alice);
  hash = semper_protocol_message_dup_hash (m);
  g_assert_cmpuint (strlen (hash), ==, 64);
}

static void
test_wrong_party (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* m3 is O's step: signed by R, or by an outsider, it is refused. */
  g_autoptr(GBytes) by_bob = sign_m3 (fx, fx->bob, TID, "m3");
  g_autoptr(GBytes) by_mallory = sign_m3 (fx, fx->mallory, TID, "m3");
  /* m4 is R's step; the TTP's tokens need a TTP's signature. */
  g_autoptr(GBytes) m4_by_alice = sign_m3 (fx, fx->alice, TID, "m4");
  g_autoptr(SemperProtocolMessage) m = NULL;

  m = semper_protocol_message_verify (by_bob, fx->trust, &error);
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_PARTY);
  g_assert_null (m);
  g_clear_error (&error);
  m = semper_protocol_message_verify (by_mallory, fx->trust, &error);
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_PARTY);
  g_clear_error (&error);
  m = semper_protocol_message_verify (m4_by_alice, fx->trust, &error);
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_PARTY);
}

static void
test_replay_other_session (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) old = sign_m3 (fx, fx->alice, "ffffffffffffffffffffffffffffffff", "m3");
  g_autoptr(GBytes) current = sign_m3 (fx, fx->alice, TID, "m3");
  g_autoptr(SemperProtocolMessage) old_m = semper_protocol_message_verify (old, fx->trust, &error);
  g_autoptr(SemperProtocolMessage) cur_m = semper_protocol_message_verify (current, fx->trust,
                                                                           &error);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) other_ttp = NULL;

  g_assert_no_error (error);
  /* Valid on its own, refused in the other session. */
  g_assert_false (semper_protocol_message_check (old_m, cur_m, "m3", &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION);
  g_clear_error (&error);
  g_assert_true (semper_protocol_message_check (cur_m, cur_m, "m3", &error));
  g_assert_no_error (error);
  g_assert_false (semper_protocol_message_check (cur_m, cur_m, "m4", &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP);
  g_clear_error (&error);

  /* Same tid, other TTP: another session too. */
  json_object_set_string_member (fields, "nonce_o", HEX_A);
  json_object_set_string_member (fields, "commit_r", HEX_B);
  other_ttp = semper_protocol_message_new ("m3", TID, fx->fp_alice, fx->fp_bob, HEX_C, fields);
  g_assert_false (semper_protocol_message_check (other_ttp, cur_m, "m3", &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION);
}

static void
test_commit (void)
{
  g_autofree char *c = semper_protocol_commit (HEX_A);
  g_autofree char *bad = semper_protocol_commit ("xyz");

  /* SHA-256 of 32 bytes 0xaa */
  g_assert_cmpstr (c, ==, "e0e77a507412b120f6ede61f62295b1a7b2ff19d3dcc8f7253e51663470c888e");
  g_assert_null (bad);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/protocol-message/parse-content", test_parse_content);
  g_test_add_func ("/semper/protocol-message/commit", test_commit);
  g_test_add ("/semper/protocol-message/signed", Fixture, NULL, fixture_set_up, test_signed,
              fixture_tear_down);
  g_test_add ("/semper/protocol-message/wrong-party", Fixture, NULL, fixture_set_up,
              test_wrong_party, fixture_tear_down);
  g_test_add ("/semper/protocol-message/replay-other-session", Fixture, NULL, fixture_set_up,
              test_replay_other_session, fixture_tear_down);
  return g_test_run ();
}
