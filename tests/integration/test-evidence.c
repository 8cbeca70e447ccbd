/* test-evidence.c: evidence bundles and dispute claims as users meet them,
 * through the `semper` binary, with a real `semperd --role ca` and a real
 * `semperd --role ttp`: a bundle exported after a contract verifies offline
 * once both servers are gone; one altered byte is refused; a signer revoked
 * before signing is refused, one revoked after still verifies; a claim is
 * signed, sent to the TTP and answered (referred, or decided by its abort
 * token), and the dispute file verifies offline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "contract-cli-fixture.h"

/* A contract between Alice and Bob through the CLI; returns its id. */
static char *
sign_contract (Fixture *fx)
{
  char *id = propose (fx, NULL);
  g_autofree char *seen = g_build_filename (fx->dir, "bob-has-listed", NULL);

  /* Bob's list fetches the proposal (it may hold earlier contracts too). */
  if (!g_file_test (seen, G_FILE_TEST_EXISTS))
    {
      g_autofree char *only = bob_fetch (fx, NULL);

      g_assert_cmpstr (only, ==, id);
      g_file_set_contents (seen, "", 0, NULL);
    }
  else
    g_assert_cmpint (SEMPER (fx, fx->bob, NULL, "contract", "list", "--ttp", fx->ttp_url,
                             "--password-file", fx->password), ==, 0);
  assert_state (fx, fx->bob, id, "m1-received");
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  assert_resume (fx, fx->bob, id, 0, "signed");
  assert_resume (fx, fx->alice, id, 0, "signed");
  return id;
}

static JsonObject *
verify (Fixture    *fx,
        const char *file,
        int         expected_status,
        const char *ca_pem)
{
  JsonObject *out = NULL;
  int status;

  if (ca_pem != NULL)
    status = SEMPER (fx, fx->alice, &out, "verify", file, "--ca", ca_pem);
  else
    status = SEMPER (fx, fx->alice, &out, "verify", file);
  g_assert_cmpint (status, ==, expected_status);
  g_assert_nonnull (out);
  return out;
}

static void
update_crl (Fixture *fx)
{
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "ca", "update-crl"), ==, 0);
}

/* The next second on the clock: revocation dates and signing times have
 * one-second resolution, and "before" must not be "the same second". */
static void
next_second (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  while (g_get_real_time () / G_USEC_PER_SEC <= now)
    g_usleep (20 * 1000);
}

static char *
bob_fingerprint (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *pem = g_build_filename (fx->dir, "bob-again.pem", NULL);

  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "certificate", pem,
                           "--password-file", fx->password), ==, 0);
  return g_strdup (json_object_get_string_member (out, "fingerprint"));
}

/* Rewrites message @index of @bundle with one byte of its data flipped. */
static char *
tamper (Fixture    *fx,
        const char *bundle,
        guint       index)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guchar *data = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *text = NULL;
  char *path = g_build_filename (fx->dir, "tampered.json", NULL);
  JsonObject *message;
  gsize len = 0;

  json_parser_load_from_file (parser, bundle, &error);
  g_assert_no_error (error);
  message = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "messages"), index);
  data = g_base64_decode (json_object_get_string_member (message, "data"), &len);
  g_assert_cmpuint (len, >, 100);
  data[len / 2] ^= 0x01;
  encoded = g_base64_encode (data, len);
  json_object_set_string_member (message, "data", encoded);
  json_generator_set_root (gen, json_parser_get_root (parser));
  text = json_generator_to_data (gen, NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_bundle (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bundle = g_build_filename (fx->dir, "contract.evidence", NULL);
  g_autofree char *bob_bundle = g_build_filename (fx->dir, "bob.evidence", NULL);
  g_autofree char *bad = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *cut = g_build_filename (fx->dir, "cut.evidence", NULL);
  JsonArray *statements;
  gsize len = 0;

  update_crl (fx);
  id = sign_contract (fx);

  /* unknown transactions and missing arguments */
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "evidence", "export", "no-such-exchange",
                           bundle, "--password-file", fx->password), ==, 1);
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "evidence", "export", id), ==, 2);

  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "evidence", "export", id, bundle,
                           "--password-file", fx->password), ==, 0);
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "evidence", "export", id, bob_bundle,
                           "--password-file", fx->password), ==, 0);
  g_clear_pointer (&out, json_object_unref);

  assert_signed_once (fx, id, "m1 m2 m3 m4");
  g_clear_pointer (&ver, json_object_unref);
  ver = export_and_verify (fx, fx->alice, id, "contract.json");
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_clear_pointer (&ver, json_object_unref);

  /* No server is needed any more. */
  semper_test_stop_semperd (&fx->ttp);
  semper_test_stop_semperd (&fx->ca);

  ver = verify (fx, bundle, 0, NULL);
  g_assert_true (json_object_get_boolean_member (ver, "valid"));
  g_assert_cmpstr (json_object_get_string_member (ver, "kind"), ==, "evidence");
  g_assert_cmpstr (json_object_get_string_member (ver, "protocol"), ==, "asw");
  g_assert_cmpstr (json_object_get_string_member (ver, "exchange"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_assert_cmpuint (strlen (json_object_get_string_member (ver, "transaction")), ==, 64);
  g_assert_nonnull (strstr (json_object_get_string_member (ver, "proves"), "Alice"));
  g_assert_nonnull (strstr (json_object_get_string_member (ver, "proves"), "Bob"));
  g_assert_cmpstr (json_object_get_string_member (ver, "content"), ==, contract_text);
  g_assert_false (json_object_get_null_member (ver, "crl_issued"));
  statements = json_object_get_array_member (ver, "statements");
  g_assert_cmpuint (json_array_get_length (statements), >=, 4);
  g_clear_pointer (&ver, json_object_unref);

  /* Bob's bundle proves the same contract; and a verifier with only the root */
  ver = verify (fx, bob_bundle, 0, fx->root_pem);
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_clear_pointer (&ver, json_object_unref);

  /* one flipped bit in any message: refused */
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&bad, g_free);
      bad = tamper (fx, bundle, i);
      ver = verify (fx, bad, 3, NULL);
      g_assert_true (json_object_has_member (ver, "error"));
      g_clear_pointer (&ver, json_object_unref);
    }

  /* a cut-off file is no bundle */
  g_assert_true (g_file_get_contents (bundle, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (cut, contents, len / 2, NULL));
  ver = verify (fx, cut, 1, NULL);
  g_clear_pointer (&ver, json_object_unref);
}

static void
test_revoked (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *fingerprint = bob_fingerprint (fx);
  g_autofree char *token = g_build_filename (fx->dir, "ca", "admin-token", NULL);
  g_autofree char *early = g_build_filename (fx->dir, "early.evidence", NULL);
  g_autofree char *late = g_build_filename (fx->dir, "late.evidence", NULL);
  JsonArray *findings;
  gboolean said = FALSE;

  /* Alice fetches the revocation list once, before anything happens. */
  update_crl (fx);

  /* A contract signed while Bob's certificate was good… */
  before = sign_contract (fx);
  next_second ();
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "ca", "revoke", "--ca", fx->ca_url,
                           "--token-file", token, fingerprint), ==, 0);
  g_clear_pointer (&out, json_object_unref);
  next_second ();

  /* …and one signed after the CA revoked it, which Alice's stale list did
   * not show. Its bundle, made now, carries that stale list. */
  after = sign_contract (fx);
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "evidence", "export", after, late,
                           "--password-file", fx->password), ==, 0);
  ver = verify (fx, late, 0, fx->root_pem);
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_clear_pointer (&ver, json_object_unref);

  /* Alice learns of the revocation. */
  update_crl (fx);
  semper_test_stop_semperd (&fx->ttp);
  semper_test_stop_semperd (&fx->ca);

  /* The later contract was never valid: Bob signed with a revoked certificate. */
  ver = verify (fx, late, 3, NULL);
  g_assert_nonnull (strstr (json_object_get_string_member (
                              json_object_get_object_member (ver, "error"), "message"),
                            "revoked"));
  g_clear_pointer (&ver, json_object_unref);

  /* The earlier one stays valid, and says what happened since. */
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "evidence", "export", before, early,
                           "--password-file", fx->password), ==, 0);
  ver = verify (fx, early, 0, NULL);
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_assert_true (json_object_get_boolean_member (ver, "crl_covers_signing"));
  findings = json_object_get_array_member (ver, "findings");
  for (guint i = 0; i < json_array_get_length (findings); i++)
    if (strstr (json_array_get_string_element (findings, i), "revoked after") != NULL)
      said = TRUE;
  g_assert_true (said);
  g_clear_pointer (&ver, json_object_unref);

  /* Checked with only the root and the bundle's own lists, offline: the
   * early bundle carries the new list too, the late one does not. */
  ver = verify (fx, early, 0, fx->root_pem);
  g_clear_pointer (&ver, json_object_unref);
}

static void
test_dispute (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autofree char *signed_id = NULL;
  g_autofree char *aborted_id = NULL;
  g_autofree char *words = write_tmp (fx, "words.txt", "Bob never handed over the bicycle.\n");
  g_autofree char *file = g_build_filename (fx->dir, "dispute.json", NULL);
  g_autofree char *file2 = g_build_filename (fx->dir, "dispute2.json", NULL);
  g_autofree char *alice_later = NULL;
  gint64 first, second;
  JsonArray *items;

  update_crl (fx);
  signed_id = sign_contract (fx);

  /* A claim is signed only with consent, and names a real transaction. */
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "open", signed_id, "--claim",
                           "not-delivered", "--password-file", fx->password), ==, 3);
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "dispute", "open", signed_id, "--claim",
                           "no-such-claim", "--yes"), ==, 2);
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "open", "nothing-here", "--claim",
                           "other", "--yes", "--password-file", fx->password), ==, 1);
  g_clear_pointer (&out, json_object_unref);

  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "open", signed_id, "--claim",
                           "not-delivered", "--text", words, "--yes", "--password-file",
                           fx->password), ==, 0);
  first = json_object_get_int_member (out, "id");
  g_assert_cmpint (first, >, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "open");
  g_clear_pointer (&out, json_object_unref);

  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "list", "--password-file",
                           fx->password), ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "claim"), ==, "not-delivered");
  g_clear_pointer (&out, json_object_unref);

  /* The TTP made no decision in an optimistic contract: it refers the claim. */
  {
    g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, first);

    g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "send", id_text, "--ttp",
                             fx->ttp_url, "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "referred");
    g_assert_cmpstr (json_object_get_string_member (out, "decision"), ==, "referred");
    g_assert_false (json_object_get_boolean_member (out, "has_token"));
    g_assert_nonnull (strstr (json_object_get_string_member (out, "document"),
                              "Bob never handed over the bicycle."));
    g_clear_pointer (&out, json_object_unref);

    /* answered once */
    g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "send", id_text, "--ttp",
                             fx->ttp_url, "--password-file", fx->password), ==, 3);
    g_clear_pointer (&out, json_object_unref);
    g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "export", id_text, file,
                             "--password-file", fx->password), ==, 0);
    g_clear_pointer (&out, json_object_unref);
  }

  /* A proposal Bob never answers; after the deadline Alice aborts it at the TTP. */
  aborted_id = propose (fx, NULL);
  assert_resume (fx, fx->alice, aborted_id, g_get_real_time () / G_USEC_PER_SEC + 3 * 3600,
                 "aborted");
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "open", aborted_id, "--claim",
                           "other", "--yes", "--password-file", fx->password), ==, 0);
  second = json_object_get_int_member (out, "id");
  g_clear_pointer (&out, json_object_unref);
  {
    g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, second);

    g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "send", id_text, "--ttp",
                             fx->ttp_url, "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "decided");
    g_assert_cmpstr (json_object_get_string_member (out, "decision"), ==, "aborted");
    g_assert_true (json_object_get_boolean_member (out, "has_token"));
    g_clear_pointer (&out, json_object_unref);
    g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "export", id_text, file2,
                             "--password-file", fx->password), ==, 0);
    g_clear_pointer (&out, json_object_unref);
  }

  /* Bob signed nothing in Alice's aborted exchange, and the TTP refuses a
   * claim from someone who is no party: here, a claim Bob cannot even make,
   * since his archive lacks the exchange. */
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "dispute", "open", aborted_id, "--claim", "other",
                           "--yes", "--password-file", fx->password), ==, 1);
  g_clear_pointer (&out, json_object_unref);

  /* The dispute files verify offline, answers included. */
  semper_test_stop_semperd (&fx->ttp);
  semper_test_stop_semperd (&fx->ca);
  ver = verify (fx, file, 0, fx->root_pem);
  g_assert_cmpstr (json_object_get_string_member (ver, "kind"), ==, "dispute");
  g_assert_cmpstr (json_object_get_string_member (ver, "claim"), ==, "not-delivered");
  g_assert_cmpstr (json_object_get_string_member (ver, "decision"), ==, "referred");
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_clear_pointer (&ver, json_object_unref);
  ver = verify (fx, file2, 0, NULL);
  g_assert_cmpstr (json_object_get_string_member (ver, "decision"), ==, "aborted");
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "aborted");
  g_clear_pointer (&ver, json_object_unref);

  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "show", "1", "--password-file",
                           fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "referred");
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "dispute", "show", "99", "--password-file",
                           fx->password), ==, 1);
  g_clear_pointer (&out, json_object_unref);
  (void) alice_later;
}

/* Signs @document in @profile with `semper document sign --yes`. */
static GBytes *
sign_document (Fixture    *fx,
               const char *profile,
               const char *document)
{
  g_autofree char *in = write_tmp (fx, "claim.txt", document);
  g_autofree char *out = g_build_filename (fx->dir, "claim.p7m", NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_assert_cmpint (SEMPER (fx, profile, NULL, "document", "sign", in, "--out", out, "--yes",
                           "--password-file", fx->password), ==, 0);
  g_file_get_contents (out, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static GBytes *
post_claim (Fixture  *fx,
            GBytes   *claim,
            GBytes   *bundle,
            GError  **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *c = g_base64_encode (g_bytes_get_data (claim, NULL), g_bytes_get_size (claim));
  g_autofree char *b = g_base64_encode (g_bytes_get_data (bundle, NULL),
                                        g_bytes_get_size (bundle));
  g_autofree char *text = g_strdup_printf ("{\"claim\":\"%s\",\"bundle\":\"%s\"}", c, b);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autofree char *url = g_strdup_printf ("%s/dispute", fx->ttp_url);

  return semper_comm_client_post_sync (client, url, "application/json", body, NULL, NULL, error);
}

/* The TTP answers only a party to the transaction, and only about the
 * bundle the claim names; every answer is signed by the TTP. */
static void
test_arbiter (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) ver = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) other = NULL;
  g_autoptr(GBytes) claim = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *id = NULL;
  g_autofree char *carol = g_build_filename (fx->dir, "carol", NULL);
  g_autofree char *path = g_build_filename (fx->dir, "c.evidence", NULL);
  g_autofree char *p7m = g_build_filename (fx->dir, "c.p7m", NULL);
  g_autofree char *again = g_build_filename (fx->dir, "again.evidence", NULL);
  g_autofree char *doc = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *text = NULL;
  char *raw = NULL;
  gsize len = 0;

  update_crl (fx);
  id = sign_contract (fx);
  init_wallet (fx, carol, "Carol");

  /* contract export --bundle and receipt export --bundle write bundles too */
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "contract", "export", id, p7m, "--bundle", path,
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "contract", "export", id, "--bundle", again,
                           "--password-file", fx->password), ==, 0);
  ver = verify (fx, again, 0, NULL);
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "receipt", "export", "1", "--bundle", again),
                   ==, 1);  /* no receipts in this archive */

  g_assert_true (g_file_get_contents (path, &raw, &len, NULL));
  bundle = g_bytes_new_take (raw, len);
  hash = semper_sha256_hex (bundle);
  doc = g_strdup_printf ("Semper-Document: dispute/1\nTitle: Not delivered\n"
                         "Claim: not-delivered\nExchange: %s\nTransaction: %s\n"
                         "Evidence: %s\nDate: 2026-11-25T10:00:00Z\n\nNothing came.\n",
                         id, json_object_get_string_member (ver, "transaction"), hash);

  /* Carol signed nothing in Alice and Bob's contract. */
  claim = sign_document (fx, carol, doc);
  answer = post_claim (fx, claim, bundle, &error);
  g_assert_null (answer);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not a party"));
  g_clear_error (&error);
  g_clear_pointer (&claim, g_bytes_unref);

  /* Alice's claim with another bundle than the one it names */
  claim = sign_document (fx, fx->alice, doc);
  other = g_bytes_new_take (g_strndup (g_bytes_get_data (bundle, NULL), len - 1), len - 1);
  answer = post_claim (fx, claim, other, &error);
  g_assert_null (answer);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* …and with the right one: a signed answer from the TTP */
  answer = post_claim (fx, claim, bundle, &error);
  g_assert_no_error (error);
  content = semper_cms_verify (answer, NULL, &signer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (signer->role, ==, SEMPER_ROLE_TTP);
  text = g_strndup (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  g_assert_nonnull (strstr (text, "\"decision\":\"referred\""));
  semper_test_stop_semperd (&fx->ca);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/evidence/bundle", Fixture, NULL, fixture_set_up, test_bundle,
              fixture_tear_down);
  g_test_add ("/semper/evidence/revoked", Fixture, NULL, fixture_set_up, test_revoked,
              fixture_tear_down);
  g_test_add ("/semper/evidence/dispute", Fixture, NULL, fixture_set_up, test_dispute,
              fixture_tear_down);
  g_test_add ("/semper/evidence/arbiter", Fixture, NULL, fixture_set_up, test_arbiter,
              fixture_tear_down);
  return g_test_run ();
}
