/* contract-cli-fixture.h: what test-contract-cli.c and
 * test-contract-recovery.c share: a real `semperd --role ca`, a TTP
 * registered with it (enrolment secret) running as `semperd --role ttp`, and
 * two wallet profiles made with `semper init --ca`. Everything else goes
 * through the real `semper` binary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-ca-client.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-profile.h"
#include "semper-test-semperd.h"

#define PASSWORD   "contract cli test password"
#define TTP_SECRET "ttp-enrolment-secret-0123456789"

static const char contract_text[] =
  "Semper-Document: contract/1\n"
  "Title: Sale of a bicycle\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "Alice sells her bicycle to Bob for 120.00 EUR.\n";

typedef struct {
  char        *dir;
  char        *password;
  char        *semper;
  char        *alice;
  char        *bob;
  char        *bob_pem;
  char        *deal;
  char        *root_pem;
  char        *ttp_state;
  GSubprocess *ca;
  GSubprocess *ttp;
  char        *ca_url;
  char        *ttp_url;
} Fixture;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
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

/* Runs `semper --json --profile PROFILE ARGS…` with the test hooks in the
 * environment (@crash: SEMPER_TEST_CRASH_AFTER, @now: SEMPER_TEST_NOW, 0 for
 * none). Returns the exit status, or 128 + the signal that killed it. */
static int
semper_run (Fixture     *fx,
            const char  *profile,
            const char  *crash,
            gint64       now,
            JsonObject **out,
            ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (fx->semper));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (profile));
  va_start (ap, out);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "SEMPER_TEST_CRASH_AFTER");
  g_subprocess_launcher_unsetenv (launcher, "SEMPER_TEST_NOW");
  if (crash != NULL)
    g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", crash, TRUE);
  if (now != 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
      g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_NOW", text, TRUE);
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("semper %s: stdout: %s\nstderr: %s\n", (char *) argv->pdata[4], stdout_buf,
                stderr_buf);
  if (out != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      *out = NULL;
      if (stdout_buf != NULL && *stdout_buf != '\0')
        {
          json_parser_load_from_data (parser, stdout_buf, -1, &error);
          g_assert_no_error (error);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
          *out = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
        }
    }
  if (g_subprocess_get_if_signaled (proc))
    return 128 + g_subprocess_get_term_sig (proc);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

#define SEMPER(fx, profile, out, ...) \
  semper_run (fx, profile, NULL, 0, out, __VA_ARGS__, NULL)

static void
register_ttp (Fixture *fx)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  SemperCrypto *crypto;

  profile = semper_profile_open (fx->ttp_state, SEMPER_PROFILE_OPEN_CREATE, password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  crypto = semper_profile_get_crypto (profile);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  csr = semper_crypto_create_csr (crypto, "Test TTP", SEMPER_ROLE_TTP, &error);
  g_assert_no_error (error);
  cert = semper_ca_client_register (client, fx->ca_url, csr, SEMPER_ROLE_TTP, TTP_SECRET, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  root = semper_ca_client_fetch_root (client, fx->ca_url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_set_trust_root (profile, root, &error));
  pem = semper_certificate_to_pem (root);
  g_file_set_contents (fx->root_pem, pem, -1, &error);
  g_assert_no_error (error);
}

static void
init_wallet (Fixture    *fx,
             const char *profile,
             const char *name)
{
  g_autoptr(JsonObject) reg = NULL;

  g_assert_cmpint (SEMPER (fx, profile, &reg, "init", "--name", name, "--password-file",
                           fx->password, "--ca", fx->ca_url), ==, 0);
  g_assert_true (json_object_get_boolean_member (reg, "registered"));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_state = NULL;
  g_autofree char *config = NULL;
  g_autoptr(JsonObject) cert = NULL;

  fx->dir = g_dir_make_tmp ("semper-contract-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fx->semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper", NULL);
  fx->password = write_tmp (fx, "password", PASSWORD "\n");
  fx->deal = write_tmp (fx, "deal.txt", contract_text);
  fx->alice = g_build_filename (fx->dir, "alice", NULL);
  fx->bob = g_build_filename (fx->dir, "bob", NULL);
  fx->bob_pem = g_build_filename (fx->dir, "bob.pem", NULL);
  fx->root_pem = g_build_filename (fx->dir, "root.pem", NULL);
  fx->ttp_state = g_build_filename (fx->dir, "ttp", NULL);
  ca_state = g_build_filename (fx->dir, "ca", NULL);
  config = write_tmp (fx, "ca.conf", "[ca]\nname=Contract Test CA\nroles=wallet;ttp\n\n"
                                      "[enrolment]\nttp=" TTP_SECRET "\n");

  fx->ca = semper_test_start_semperd ("ca", "127.0.0.1:0", ca_state, fx->password, config,
                                      &fx->ca_url);
  register_ttp (fx);
  fx->ttp = semper_test_start_semperd ("ttp", "127.0.0.1:0", fx->ttp_state, fx->password,
                                       NULL, &fx->ttp_url);
  init_wallet (fx, fx->alice, "Alice");
  init_wallet (fx, fx->bob, "Bob");

  /* Bob gives Alice his certificate: that is how a proposer names the responder. */
  g_assert_cmpint (SEMPER (fx, fx->bob, &cert, "contract", "certificate", fx->bob_pem,
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (cert, "fingerprint")), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (cert, "name"), ==, "Bob");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);

  semper_test_stop_semperd (&fx->ttp);
  semper_test_stop_semperd (&fx->ca);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->dir);
  g_free (fx->password);
  g_free (fx->semper);
  g_free (fx->alice);
  g_free (fx->bob);
  g_free (fx->bob_pem);
  g_free (fx->deal);
  g_free (fx->root_pem);
  g_free (fx->ttp_state);
  g_free (fx->ca_url);
  g_free (fx->ttp_url);
}

static char *
propose (Fixture    *fx,
         const char *crash)
{
  g_autoptr(JsonObject) out = NULL;
  int status;

  status = semper_run (fx, fx->alice, crash, 0, &out, "contract", "propose", fx->deal, "--to",
                       fx->bob_pem, "--ttp", fx->ttp_url, "--deadline", "1h", "--yes",
                       "--password-file", fx->password, NULL);
  if (crash != NULL)
    {
      g_assert_cmpint (status, ==, 128 + SIGKILL);
      return NULL;
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "state"), ==, "m1-sent");
  return g_strdup (json_object_get_string_member (out, "id"));
}

/* The one contract in @profile's archive, as `contract show --offline` sees it. */
static char *
state_of (Fixture    *fx,
          const char *profile,
          const char *id)
{
  g_autoptr(JsonObject) out = NULL;

  g_assert_cmpint (SEMPER (fx, profile, &out, "contract", "show", id, "--offline",
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "id"), ==, id);
  return g_strdup (json_object_get_string_member (out, "state"));
}

/* `semper resume` in @profile; returns the state of @id afterwards. */
static char *
resume (Fixture    *fx,
        const char *profile,
        const char *id,
        gint64      now)
{
  g_autoptr(JsonObject) out = NULL;
  int status;

  status = semper_run (fx, profile, NULL, now, &out, "resume", "--password-file", fx->password,
                       NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_object_has_member (out, "items"));
  return state_of (fx, profile, id);
}

#define assert_state(fx, profile, id, expected) \
  G_STMT_START { \
    g_autofree char *state_ = state_of (fx, profile, id); \
    g_assert_cmpstr (state_, ==, expected); \
  } G_STMT_END

#define assert_resume(fx, profile, id, now, expected) \
  G_STMT_START { \
    g_autofree char *state_ = resume (fx, profile, id, now); \
    g_assert_cmpstr (state_, ==, expected); \
  } G_STMT_END

/* Bob fetches proposals; returns the id of the only one. */
static char *
bob_fetch (Fixture    *fx,
           const char *crash)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *items;
  JsonObject *item;
  int status;

  status = semper_run (fx, fx->bob, crash, 0, &out, "contract", "list", "--ttp", fx->ttp_url,
                       "--password-file", fx->password, NULL);
  if (crash != NULL)
    {
      g_assert_cmpint (status, ==, 128 + SIGKILL);
      return NULL;
    }
  g_assert_cmpint (status, ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  item = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "role"), ==, "responder");
  g_assert_cmpstr (json_object_get_string_member (item, "title"), ==, "Sale of a bicycle");
  return g_strdup (json_object_get_string_member (item, "id"));
}

static int
bob_accept (Fixture    *fx,
            const char *id,
            const char *crash)
{
  return semper_run (fx, fx->bob, crash, 0, NULL, "contract", "accept", id, "--yes",
                     "--password-file", fx->password, NULL);
}

/* Every CMS message of exchange @id in @db (a profile's archive.db) goes
 * into @steps: "step/signer" -> SHA-256 (and "step" -> ""). The same step by
 * the same signer with other bytes fails. */
static void
collect_messages (const char *db_path,
                  const char *id,
                  GHashTable *steps)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sha256, body FROM messages WHERE "
                                           "exchange_id = ? AND content_type = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, "application/pkcs7-mime", -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *sha = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(GBytes) body = g_bytes_new (sqlite3_column_blob (stmt, 1),
                                            sqlite3_column_bytes (stmt, 1));
      g_autoptr(GBytes) content = NULL;
      g_autoptr(SemperSignerInfo) signer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *key = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *step;
      const char *seen;

      content = semper_cms_verify (body, NULL, &signer, &error);
      g_assert_no_error (error);
      json_parser_load_from_data (parser, g_bytes_get_data (content, NULL),
                                  g_bytes_get_size (content), &error);
      g_assert_no_error (error);
      step = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                            "step");
      /* both parties may send a "resolve": one version per step and signer */
      key = g_strdup_printf ("%s/%s", step, signer->fingerprint);
      seen = g_hash_table_lookup (steps, key);
      if (seen != NULL)
        g_assert_cmpstr (seen, ==, sha);
      else
        {
          g_hash_table_insert (steps, g_strdup (key), g_strdup (sha));
          g_hash_table_insert (steps, g_strdup (step), g_strdup (""));
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* No message of the exchange was signed twice with different content: both
 * archives and the TTP's mailbox hold one version of each step. */
static void
assert_signed_once (Fixture    *fx,
                    const char *id,
                    const char *expected_steps)
{
  g_autoptr(GHashTable) steps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *alice_db = g_build_filename (fx->alice, "archive.db", NULL);
  g_autofree char *bob_db = g_build_filename (fx->bob, "archive.db", NULL);
  g_autofree char *ttp_db = g_build_filename (fx->ttp_state, "ttp.db", NULL);
  g_auto(GStrv) expected = g_strsplit (expected_steps, " ", -1);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  collect_messages (alice_db, id, steps);
  collect_messages (bob_db, id, steps);
  for (guint i = 0; expected[i] != NULL; i++)
    if (!g_hash_table_contains (steps, expected[i]))
      g_error ("no %s was exchanged", expected[i]);

  g_assert_cmpint (sqlite3_open_v2 (ttp_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT step, count(*) FROM mailbox WHERE tid = ? "
                                           "GROUP BY step", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Exports @id from @profile and verifies it with `semper verify`. */
static JsonObject *
export_and_verify (Fixture    *fx,
                   const char *profile,
                   const char *id,
                   const char *name)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(JsonObject) out = NULL;
  JsonObject *ver = NULL;

  g_assert_cmpint (SEMPER (fx, profile, &out, "contract", "export", id, path,
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpint (SEMPER (fx, profile, &ver, "verify", path), ==, 0);
  g_assert_true (json_object_get_boolean_member (ver, "valid"));
  g_assert_cmpstr (json_object_get_string_member (ver, "kind"), ==, "contract");
  g_assert_cmpstr (json_object_get_string_member (ver, "content"), ==, contract_text);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ver,
                                                                                 "originator"),
                                                  "name"), ==, "Alice");
  return ver;
}
