/* test-receipts-cli.c: `semper receipts`, `receipt show`, `receipt export`
 * as a user runs them, on a profile whose archive holds a receipt signed by
 * a merchant that the profile's pinned CA certified, one signed by an
 * uncertified key, and one without a signed message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-archive.h"
#include "semper-ca.h"
#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-profile.h"

#define PASSWORD "correct horse battery staple"

typedef struct {
  char   *dir;
  char   *profile;
  char   *password;
  char   *ca_pem;
  GBytes *signed_p7m;
  gint64  signed_id;
  gint64  rogue_id;
  gint64  plain_id;
} Fixture;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

static int
run_semper (Fixture     *fx,
            char       **out,
            const char  *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                           NULL));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (fx->profile));
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
    g_printerr ("stdout: %s\nstderr: %s\n", stdout_buf, stderr_buf);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

static JsonObject *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static SemperCrypto *
new_crypto (Fixture    *fx,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->dir, name, NULL);
  SemperCrypto *crypto;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  crypto = semper_crypto_open (dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  g_assert_no_error (error);
  return crypto;
}

static gint64
insert (SemperArchive *archive,
        SemperCrypto  *signer,
        const char    *merchant,
        const char    *title,
        gint64         time,
        GBytes       **out_p7m)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };
  gint64 id;

  if (signer != NULL)
    {
      g_autofree char *json = g_strdup_printf ("{\"receipt\":\"%s\"}", title);
      g_autoptr(GBytes) content = g_bytes_new (json, strlen (json));
      g_autoptr(GBytes) p7m = semper_cms_sign_message (signer, content, &error);

      g_assert_no_error (error);
      r.message_id = semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL,
                                                   "application/pkcs7-mime", p7m, &error);
      g_assert_no_error (error);
      if (out_p7m != NULL)
        *out_p7m = g_bytes_ref (p7m);
    }
  r.counterparty = (char *) merchant;
  r.title = (char *) title;
  r.amount.minor = 1250;
  strcpy (r.amount.currency, "EUR");
  r.fee = r.amount;
  r.fee.minor = 0;              /* what both payment systems report */
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = time;
  r.text = (char *) title;
  id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) ca = NULL;
  g_autoptr(SemperCrypto) merchant = NULL;
  g_autoptr(SemperCrypto) rogue = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *pem = NULL;
  SemperArchive *archive;

  fx->dir = g_dir_make_tmp ("semper-receipts-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fx->profile = g_build_filename (fx->dir, "profile", NULL);
  fx->password = g_build_filename (fx->dir, "password", NULL);
  g_file_set_contents (fx->password, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_semper (fx, NULL, "init", "--name", "Alice Example", "--password-file",
                               fx->password, NULL), ==, 0);

  ca = new_crypto (fx, "ca");
  g_assert_true (semper_crypto_make_root (ca, "Test Marketplace CA", 30, &error));
  g_assert_no_error (error);
  root = semper_crypto_dup_certificate (ca);
  pem = semper_certificate_to_pem (root);
  fx->ca_pem = g_build_filename (fx->dir, "ca.pem", NULL);
  g_file_set_contents (fx->ca_pem, pem, -1, &error);
  g_assert_no_error (error);
  merchant = new_crypto (fx, "merchant");
  csr = semper_crypto_create_csr (merchant, "Signed Books Ltd", SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, SEMPER_ROLE_MERCHANT, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (merchant, cert, &error));
  g_assert_no_error (error);
  rogue = new_crypto (fx, "rogue");
  g_assert_true (semper_crypto_make_self_signed (rogue, "Rogue Shop", &error));
  g_assert_no_error (error);

  /* What a purchase leaves in the profile (the process lets go of the lock
   * before semper runs). */
  profile = semper_profile_open (fx->profile, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_set_trust_root (profile, root, &error));
  g_assert_no_error (error);
  archive = semper_profile_get_archive (profile);
  /* 2025-01-01, 2025-07-01, 2026-01-01 */
  fx->plain_id = insert (archive, NULL, "Grocer", "Apples", 1735689600, NULL);
  fx->signed_id = insert (archive, merchant, "Signed Books Ltd", "Atlas quokka", 1751328000,
                          &fx->signed_p7m);
  fx->rogue_id = insert (archive, rogue, "Rogue Shop", "Watch", 1767225600, NULL);
  g_assert_true (semper_archive_record_set_labels (archive, SEMPER_ARCHIVE_RECEIPTS,
                                                   fx->signed_id, "gift books", "for Anna",
                                                   &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);

  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->dir);
  g_free (fx->profile);
  g_free (fx->password);
  g_free (fx->ca_pem);
  g_bytes_unref (fx->signed_p7m);
}

static void
assert_ids (const char *out,
            gint64      first,
            ...)
{
  g_autoptr(JsonObject) obj = parse_json (out);
  JsonArray *items = json_object_get_array_member (obj, "items");
  guint i = 0;
  va_list ap;

  va_start (ap, first);
  for (gint64 id = first; id != 0; id = va_arg (ap, gint64), i++)
    {
      g_assert_cmpuint (i, <, json_array_get_length (items));
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, i),
                                                   "id"), ==, id);
    }
  va_end (ap);
  g_assert_cmpuint (json_array_get_length (items), ==, i);
}

static void
test_list (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *all = NULL, *found = NULL, *since = NULL, *none = NULL, *text = NULL;
  g_autoptr(JsonObject) obj = NULL;
  JsonObject *item;

  g_assert_cmpint (run_semper (fx, &all, "--json", "receipts", NULL), ==, 0);
  assert_ids (all, fx->rogue_id, fx->signed_id, fx->plain_id, (gint64) 0);   /* newest first */
  obj = parse_json (all);
  item = json_array_get_object_element (json_object_get_array_member (obj, "items"), 1);
  g_assert_cmpstr (json_object_get_string_member (item, "merchant"), ==, "Signed Books Ltd");
  g_assert_cmpstr (json_object_get_string_member (item, "amount"), ==, "12.50 EUR");
  g_assert_cmpint (json_object_get_int_member (item, "amount_minor"), ==, 1250);
  g_assert_cmpstr (json_object_get_string_member (item, "time"), ==, "2025-07-01T00:00:00Z");
  g_assert_true (json_object_get_boolean_member (item, "signed"));

  g_assert_cmpint (run_semper (fx, &found, "--json", "receipts", "--search", "QUOK", NULL), ==,
                   0);
  assert_ids (found, fx->signed_id, (gint64) 0);
  g_assert_cmpint (run_semper (fx, &since, "--json", "receipts", "--since", "2025-07-01", NULL),
                   ==, 0);
  assert_ids (since, fx->rogue_id, fx->signed_id, (gint64) 0);
  g_assert_cmpint (run_semper (fx, &none, "--json", "receipts", "--search", "\"*) OR", NULL), ==,
                   0);
  assert_ids (none, (gint64) 0);
  g_assert_cmpint (run_semper (fx, NULL, "receipts", "--since", "last tuesday", NULL), ==, 2);
  g_assert_cmpint (run_semper (fx, &text, "receipts", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "Signed Books Ltd"));
  g_assert_nonnull (strstr (text, "12.50 EUR"));
}

/* The history as CSV and JSON, with amounts, fees, payment system, state,
 * labels and note: what the window's list export writes. */
static void
test_csv (Fixture       *fx,
          gconstpointer  data)
{
  g_autofree char *csv = NULL, *json = NULL, *found = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) obj = NULL;
  JsonObject *item;

  g_assert_cmpint (run_semper (fx, &csv, "receipts", "--csv", NULL), ==, 0);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 3 + 1);
  g_assert_cmpstr (lines[0], ==,
                   "id,time,merchant,title,amount,currency,fee,payment_system,state,labels,note");
  g_assert_nonnull (strstr (lines[2], ",2025-07-01T00:00:00Z,Signed Books Ltd,Atlas quokka,"
                                      "12.50,EUR,0.00,ecash,"));
  g_assert_true (g_str_has_suffix (lines[2], ",gift books,for Anna"));
  g_assert_cmpstr (lines[4], ==, "");

  /* Labels and notes are searched, and kept in the JSON too. */
  g_assert_cmpint (run_semper (fx, &found, "receipts", "--csv", "--search", "anna", NULL), ==,
                   0);
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (found, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 1 + 1);
  g_assert_true (g_str_has_suffix (lines[1], ",gift books,for Anna"));
  g_assert_cmpint (run_semper (fx, &json, "--json", "receipts", "--search", "gift", NULL), ==,
                   0);
  obj = parse_json (json);
  item = json_array_get_object_element (json_object_get_array_member (obj, "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "labels"), ==, "gift books");
  g_assert_cmpstr (json_object_get_string_member (item, "note"), ==, "for Anna");
  g_assert_cmpstr (json_object_get_string_member (item, "payment_system"), ==, "ecash");
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "paid");
  g_assert_cmpstr (json_object_get_string_member (item, "fee"), ==, "0.00 EUR");
  g_assert_cmpint (json_object_get_int_member (item, "fee_minor"), ==, 0);

  g_assert_cmpint (run_semper (fx, NULL, "--json", "receipts", "--csv", NULL), ==, 2);
}

static void
test_show (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, fx->signed_id);
  g_autofree char *rogue = g_strdup_printf ("%" G_GINT64_FORMAT, fx->rogue_id);
  g_autofree char *plain = g_strdup_printf ("%" G_GINT64_FORMAT, fx->plain_id);
  g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL, *text = NULL;
  g_autoptr(JsonObject) obj = NULL, obj2 = NULL, obj3 = NULL;
  JsonObject *v;

  g_assert_cmpint (run_semper (fx, &out, "--json", "receipt", "show", id, NULL), ==, 0);
  obj = parse_json (out);
  v = json_object_get_object_member (obj, "verification");
  g_assert_true (json_object_get_boolean_member (v, "valid"));
  g_assert_true (json_object_get_boolean_member (v, "trusted"));
  g_assert_cmpstr (json_object_get_string_member (v, "signer"), ==, "Signed Books Ltd");
  g_assert_cmpstr (json_object_get_string_member (v, "role"), ==, "merchant");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (v, "chain")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (v, "content"), ==,
                   "{\"receipt\":\"Atlas quokka\"}");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "receipt"),
                                               "id"), ==, fx->signed_id);

  /* A signer no root we trust certified: refused (3). */
  g_assert_cmpint (run_semper (fx, &out2, "--json", "receipt", "show", rogue, NULL), ==, 3);
  obj2 = parse_json (out2);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (obj2,
                                                                                 "verification"),
                                                  "trusted"));
  /* No signed message: nothing to verify, said so. */
  g_assert_cmpint (run_semper (fx, &out3, "--json", "receipt", "show", plain, NULL), ==, 0);
  obj3 = parse_json (out3);
  g_assert_true (json_object_get_null_member (obj3, "verification"));

  g_assert_cmpint (run_semper (fx, &text, "receipt", "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "Signed by: Signed Books Ltd (merchant)"));
  g_assert_nonnull (strstr (text, "Trusted: yes"));

  g_assert_cmpint (run_semper (fx, NULL, "receipt", "show", "999", NULL), ==, 1);
  g_assert_cmpint (run_semper (fx, NULL, "receipt", "show", "1x", NULL), ==, 2);
  g_assert_cmpint (run_semper (fx, NULL, "receipt", "frobnicate", NULL), ==, 2);
}

static void
test_export (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, fx->signed_id);
  g_autofree char *plain = g_strdup_printf ("%" G_GINT64_FORMAT, fx->plain_id);
  g_autofree char *out = g_build_filename (fx->dir, "receipt.p7m", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *bytes = NULL;
  gsize len = 0;

  g_assert_cmpint (run_semper (fx, NULL, "receipt", "export", id, out, NULL), ==, 0);
  g_file_get_contents (out, &bytes, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (bytes, len, g_bytes_get_data (fx->signed_p7m, NULL),
                   g_bytes_get_size (fx->signed_p7m));
  g_assert_cmpint (run_semper (fx, NULL, "verify", out, NULL), ==, 0);

  if (openssl != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("'%s' cms -verify -inform DER -in '%s' -CAfile "
                                              "'%s' -purpose any -out /dev/null", openssl, out,
                                              fx->ca_pem);
      int status = -1;

      g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }

  g_assert_cmpint (run_semper (fx, NULL, "receipt", "export", plain, out, NULL), ==, 1);
}

/* A merchant whose certificate the CA revoked: `receipt show` says so once
 * the profile holds the CA's revocation list (crl.der), as the exchange
 * layer checks (semper_profile_dup_trust()). */
static void
test_revoked (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCa) ca = NULL;
  g_autoptr(SemperCrypto) merchant = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autofree char *ca_dir = g_build_filename (fx->dir, "revoking-ca", NULL);
  g_autofree char *ca_conf = g_build_filename (fx->dir, "revoking-ca.conf", NULL);
  g_autofree char *crl_path = g_build_filename (fx->profile, "crl.der", NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL, *out2 = NULL;
  g_autoptr(JsonObject) obj = NULL, obj2 = NULL;
  JsonObject *v;

  g_file_set_contents (ca_conf, "[ca]\nname=Revoking CA\nroles=wallet;merchant\n", -1, &error);
  g_assert_no_error (error);
  ca = semper_ca_open (ca_dir, ca_conf, password_cb, NULL, &error);
  g_assert_no_error (error);
  merchant = new_crypto (fx, "revoked-merchant");
  csr = semper_crypto_create_csr (merchant, "Revoked Records", SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  cert = semper_ca_issue (ca, csr, SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (merchant, cert, &error));
  g_assert_no_error (error);

  profile = semper_profile_open (fx->profile, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_set_trust_root (profile, semper_ca_get_root (ca), &error));
  g_assert_no_error (error);
  id = g_strdup_printf ("%" G_GINT64_FORMAT,
                        insert (semper_profile_get_archive (profile), merchant,
                                "Revoked Records", "Vinyl", 1767225600, NULL));
  g_clear_object (&profile);

  /* Before the CA revoked it: trusted. */
  g_assert_cmpint (run_semper (fx, &out, "--json", "receipt", "show", id, NULL), ==, 0);
  obj = parse_json (out);
  v = json_object_get_object_member (obj, "verification");
  g_assert_true (json_object_get_boolean_member (v, "trusted"));

  fingerprint = semper_sha256_hex (cert);
  g_assert_true (semper_ca_revoke (ca, fingerprint, "keyCompromise", &error));
  g_assert_no_error (error);
  crl = semper_ca_dup_crl (ca, &error);
  g_assert_no_error (error);
  g_file_set_contents (crl_path, g_bytes_get_data (crl, NULL), g_bytes_get_size (crl), &error);
  g_assert_no_error (error);

  /* With the profile's revocation list: refused (3). */
  g_assert_cmpint (run_semper (fx, &out2, "--json", "receipt", "show", id, NULL), ==, 3);
  obj2 = parse_json (out2);
  v = json_object_get_object_member (obj2, "verification");
  g_assert_false (json_object_get_boolean_member (v, "trusted"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/cli/receipts/csv", Fixture, NULL, fixture_set_up, test_csv,
              fixture_tear_down);
  g_test_add ("/semper/cli/receipts/list", Fixture, NULL, fixture_set_up, test_list,
              fixture_tear_down);
  g_test_add ("/semper/cli/receipts/revoked", Fixture, NULL, fixture_set_up, test_revoked,
              fixture_tear_down);
  g_test_add ("/semper/cli/receipts/show", Fixture, NULL, fixture_set_up, test_show,
              fixture_tear_down);
  g_test_add ("/semper/cli/receipts/export", Fixture, NULL, fixture_set_up, test_export,
              fixture_tear_down);
  return g_test_run ();
}
