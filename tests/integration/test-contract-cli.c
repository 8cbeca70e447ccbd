/* test-contract-cli.c: contract signing as users run it, through the
 * `semper` binary only: two wallets registered at a real `semperd --role ca`
 * and a real `semperd --role ttp`; the optimistic path, consent with --yes,
 * the exported contract checked by `semper verify` and each of its CMS parts
 * by `openssl cms -verify` against the CA's root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "contract-cli-fixture.h"

/* The last consent decision in @profile's audit log: "kind purpose". */
static char *
last_consent (const char *profile)
{
  g_autofree char *db = g_build_filename (profile, "archive.db", NULL);
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;
  char *row = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT kind, json_extract (detail, '$.purpose'), "
                                       "json_extract (detail, '$.origin') FROM audit "
                                       "WHERE kind LIKE 'consent-%' ORDER BY id DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = g_strdup_printf ("%s %s %s", sqlite3_column_text (stmt, 0),
                           sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  return row;
}

static int
openssl_verify (const char *p7m,
                const char *ca_pem)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, "openssl", "cms", "-verify", "-inform", "DER", "-in", p7m,
                           "-CAfile", ca_pem, "-out", "/dev/null", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

static void
test_optimistic (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) ver = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bob_id = NULL;
  g_autofree char *exported = g_build_filename (fx->dir, "alice-contract.json", NULL);
  g_autofree char *forged = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *parts[] = { "m1", "m2", "m3", "m4" };
  JsonArray *items;
  JsonObject *item;
  JsonObject *file;

  /* Without --yes (and no terminal), nothing is signed or sent. */
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "contract", "propose", fx->deal, "--to",
                           fx->bob_pem, "--ttp", fx->ttp_url, "--password-file", fx->password),
                   ==, 3);
  g_assert_true (json_object_has_member (out, "error"));
  g_clear_pointer (&out, json_object_unref);
  /* ... and the cancel is recorded in the archive's audit log. */
  {
    g_autofree char *last = last_consent (fx->alice);

    g_assert_cmpstr (last, ==, "consent-cancelled contract headless-yes");
  }
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "contract", "list", "--offline",
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (out, "items")), ==, 0);
  g_clear_pointer (&out, json_object_unref);

  /* A proposal needs --to */
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "contract", "propose", fx->deal, "--ttp",
                           fx->ttp_url, "--yes"), ==, 2);

  id = propose (fx, NULL);
  g_assert_cmpuint (strlen (id), ==, 32);
  {
    g_autofree char *last = last_consent (fx->alice);

    g_assert_cmpstr (last, ==, "consent-given contract headless-yes");
  }

  /* Bob finds it in the TTP's mailbox, reads it, and cannot sign without --yes. */
  bob_id = bob_fetch (fx, NULL);
  g_assert_cmpstr (bob_id, ==, id);
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "show", id, "--password-file",
                           fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "m1-received");
  g_assert_cmpstr (json_object_get_string_member (out, "text"), ==, contract_text);
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->bob, NULL, "contract", "accept", id, "--password-file",
                           fx->password), ==, 3);
  assert_state (fx, fx->bob, id, "m1-received");
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "accept", id, "--yes",
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "m2-sent");
  g_clear_pointer (&out, json_object_unref);
  /* accepting twice is refused */
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 3);

  /* The rest happens as each side resumes. */
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  assert_resume (fx, fx->bob, id, 0, "signed");
  assert_resume (fx, fx->alice, id, 0, "signed");
  assert_signed_once (fx, id, "m1 m2 m3 m4");

  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "contract", "list", "--offline",
                           "--password-file", fx->password), ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  item = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "signed");
  g_assert_true (json_object_get_boolean_member (item, "finished"));
  g_assert_cmpstr (json_object_get_string_member (item, "peer_name"), ==, "Bob");
  g_clear_pointer (&out, json_object_unref);

  /* Both exported files verify, and name both signers. */
  ver = export_and_verify (fx, fx->alice, id, "alice-contract.json");
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ver,
                                                                                 "responder"),
                                                  "name"), ==, "Bob");
  g_assert_true (json_object_get_null_member (ver, "ttp"));
  g_clear_pointer (&ver, json_object_unref);
  ver = export_and_verify (fx, fx->bob, id, "bob-contract.json");
  g_assert_cmpstr (json_object_get_string_member (ver, "state"), ==, "signed");
  g_clear_pointer (&ver, json_object_unref);

  /* Each CMS part verifies with openssl against the CA's root. */
  g_file_get_contents (exported, &contents, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  file = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.p7m", parts[i]);
      g_autofree char *path = g_build_filename (fx->dir, name, NULL);
      g_autofree guchar *der = NULL;
      gsize len = 0;

      der = g_base64_decode (json_object_get_string_member (file, parts[i]), &len);
      g_file_set_contents (path, (const char *) der, len, &error);
      g_assert_no_error (error);
      if (openssl == NULL)
        continue;
      g_assert_cmpint (openssl_verify (path, fx->root_pem), ==, 0);
    }
  if (openssl == NULL)
    g_test_message ("openssl is not installed: CMS parts checked by semper verify only");

  /* A contract whose m3 is another message does not verify. */
  json_object_set_string_member (file, "m3", json_object_get_string_member (file, "m1"));
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;

    json_generator_set_root (gen, json_parser_get_root (parser));
    text = json_generator_to_data (gen, NULL);
    forged = write_tmp (fx, "forged.json", text);
  }
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "verify", forged), ==, 1);
  g_assert_true (json_object_has_member (out, "error"));
  g_clear_pointer (&out, json_object_unref);

  /* an unfinished or unknown contract cannot be exported */
  g_assert_cmpint (SEMPER (fx, fx->alice, &out, "contract", "export", "0123456789abcdef"
                           "0123456789abcdef", forged, "--password-file", fx->password), ==, 1);
}

static void
test_decline (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);

  g_assert_cmpstr (bob_id, ==, id);
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "decline", id, "--password-file",
                           fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "declined");
  assert_state (fx, fx->bob, id, "declined");
  /* declined is final: no accepting afterwards */
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 3);
  /* Alice still waits: nothing was sent to her. */
  assert_resume (fx, fx->alice, id, 0, "m1-sent");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/semper/contract-cli/optimistic", Fixture, NULL, fixture_set_up,
              test_optimistic, fixture_tear_down);
  g_test_add ("/semper/contract-cli/decline", Fixture, NULL, fixture_set_up,
              test_decline, fixture_tear_down);
  return g_test_run ();
}
