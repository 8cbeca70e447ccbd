/* test-cli.c: the headless wallet as a user runs it.
 *
 * Runs the real `semper` binary in a temporary profile and checks what a
 * user sees: exit status, JSON, files, and that `openssl cms -verify`
 * accepts what `semper document sign` wrote.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1 /* memmem */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-profile.h"

static gboolean
have_openssl (void)
{
  g_autofree char *path = g_find_program_in_path ("openssl");
  return path != NULL;
}

#define PASSWORD "correct horse battery staple"

typedef struct {
  char *dir;          /* temporary directory of the test */
  char *profile;      /* dir/profile */
  char *password;     /* dir/password */
} Fixture;

static char *
semper_path (void)
{
  return g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper", NULL);
}

static char *
write_tmp (Fixture    *fx,
           const char *name,
           const char *contents,
           gssize      len)
{
  char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs semper with @args (NULL-terminated), returns its exit status and
 * its standard output in @out. */
static int
run_semper (Fixture     *fx,
            char       **out,
            char       **err,
            const char  *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, semper_path ());
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
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("stdout: %s\nstderr: %s\n", stdout_buf, stderr_buf);
  if (out)
    *out = g_steal_pointer (&stdout_buf);
  if (err)
    *err = g_steal_pointer (&stderr_buf);

  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

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

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("semper-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fx->profile = g_build_filename (fx->dir, "profile", NULL);
  fx->password = write_tmp (fx, "password", PASSWORD "\n", -1);
  g_chmod (fx->password, 0600);
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
}

static void
init_profile (Fixture *fx)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) obj = NULL;
  int status;

  status = run_semper (fx, &out, NULL, "--json", "init", "--name", "Alice Example",
                       "--password-file", fx->password, NULL);
  g_assert_cmpint (status, ==, 0);
  obj = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, "Alice Example");
  g_assert_cmpuint (strlen (json_object_get_string_member (obj, "fingerprint")), ==, 64);
}

static const char clean_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

/* "Pay to: " + U+202E RIGHT-TO-LEFT OVERRIDE in the body */
static const char bidi_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree to pay \xe2\x80\xae" "0001 EUR.\n";

/* A right-to-left override in a header field: refused outright. */
static const char header_bidi_doc[] =
  "Semper-Document: order/1\n"
  "Merchant: Safe Shop\n"
  "Payee-Account: CH93 0076 2011 \xe2\x80\xae" "4321 0000 9\n"
  "Total: 39.00 EUR\n"
  "\n"
  "One laptop stand.\n";

/* Header amounts that do not add up: refused outright. */
static const char bad_totals_doc[] =
  "Semper-Document: order/1\n"
  "Merchant: Garden Supplies\n"
  "Item: 2 x Flower pot @ 12.50 EUR\n"
  "Shipping: 5.00 EUR\n"
  "Total: 39.90 EUR\n"
  "\n"
  "Deliver to the back door, please.\n";

/* "pаypal" with a Cyrillic а (U+0430) */
static const char cyrillic_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Account at p\xd0\xb0ypal\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

static void
test_init_twice (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) obj = NULL;
  int status;

  init_profile (fx);
  status = run_semper (fx, &out, NULL, "--json", "init", "--name", "Alice Again",
                       "--password-file", fx->password, NULL);
  g_assert_cmpint (status, ==, 1);
  obj = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "error"),
                                                  "code"), ==, "exists");
}

static void
test_check (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree char *clean = write_tmp (fx, "clean.txt", clean_doc, -1);
  g_autofree char *bidi = write_tmp (fx, "bidi.txt", bidi_doc, -1);
  g_autofree char *cyr = write_tmp (fx, "cyrillic.txt", cyrillic_doc, -1);
  g_autofree char *broken = write_tmp (fx, "broken.txt", "Title: no header\n", -1);
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL;
  g_autoptr(JsonObject) o1 = NULL, o2 = NULL, o3 = NULL;
  JsonArray *findings;
  gboolean saw = FALSE;

  /* No profile is needed to check a document. */
  g_assert_cmpint (run_semper (fx, &out1, NULL, "--json", "document", "check", clean, NULL), ==, 0);
  o1 = parse_json (out1);
  g_assert_true (json_object_get_boolean_member (o1, "clean"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o1, "findings")), ==, 0);

  g_assert_cmpint (run_semper (fx, &out2, NULL, "--json", "document", "check", bidi, NULL), ==, 3);
  o2 = parse_json (out2);
  findings = json_object_get_array_member (o2, "findings");
  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);

      if (g_strcmp0 (json_object_get_string_member (f, "codepoint"), "U+202E") == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "bidi-control");
          g_assert_cmpint (json_object_get_int_member (f, "line"), ==, 5);
          g_assert_cmpint (json_object_get_int_member (f, "column"), ==, 26);
          saw = TRUE;
        }
    }
  g_assert_true (saw);

  g_assert_cmpint (run_semper (fx, &out3, NULL, "--json", "document", "check", cyr, NULL), ==, 3);
  o3 = parse_json (out3);
  findings = json_object_get_array_member (o3, "findings");
  saw = FALSE;
  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);
      const char *kind = json_object_get_string_member (f, "kind");

      if (g_str_equal (kind, "confusable") || g_str_equal (kind, "mixed-script"))
        {
          g_assert_cmpint (json_object_get_int_member (f, "line"), ==, 2);
          saw = TRUE;
        }
    }
  g_assert_true (saw);

  /* Malformed: an error (1), not a finding (3). */
  g_assert_cmpint (run_semper (fx, &out4, NULL, "document", "check", broken, NULL), ==, 1);
}

static void
test_sign_and_openssl (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *clean = write_tmp (fx, "clean.txt", clean_doc, -1);
  g_autofree char *p7m = g_build_filename (fx->dir, "clean.p7m", NULL);
  g_autofree char *root_der = g_build_filename (fx->profile, "trust-root.der", NULL);
  g_autofree char *root_pem = g_build_filename (fx->dir, "root.pem", NULL);
  g_autofree char *out = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *cmd = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  init_profile (fx);

  /* Without --yes, and with no terminal, nothing is signed. */
  g_assert_cmpint (run_semper (fx, &out, NULL, "document", "sign", clean, "--out", p7m,
                               "--password-file", fx->password, NULL), ==, 3);
  g_assert_nonnull (strstr (out, "The parties agree."));
  g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);

  /* With --yes the whole document is printed, then signed. */
  g_assert_cmpint (run_semper (fx, &out, NULL, "document", "sign", clean, "--out", p7m, "--yes",
                               "--password-file", fx->password, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Title: Test agreement\nDate: 2026-11-24T10:00:00Z\n\n"
                                 "The parties agree.\n"));
  g_assert_true (g_file_test (p7m, G_FILE_TEST_EXISTS));

  /* openssl accepts it against the profile's root and gives back the exact bytes. */
  if (!have_openssl ())
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  cmd = g_strdup_printf ("openssl x509 -inform DER -in '%s' -out '%s'", root_der, root_pem);
  g_spawn_command_line_sync (cmd, NULL, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_free (cmd);
  cmd = g_strdup_printf ("openssl cms -verify -inform DER -in '%s' -CAfile '%s'", p7m, root_pem);
  g_spawn_command_line_sync (cmd, &verified, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_assert_cmpstr (verified, ==, clean_doc);

  /* semper verify agrees, and names the signer. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, NULL, "--json", "verify", p7m, NULL), ==, 0);
  obj = parse_json (out);
  g_assert_true (json_object_get_boolean_member (obj, "trusted"));
  g_assert_cmpstr (json_object_get_string_member (obj, "signer"), ==, "Alice Example");
  g_assert_cmpstr (json_object_get_string_member (obj, "document_kind"), ==, "contract");
  g_assert_cmpstr (json_object_get_string_member (obj, "content"), ==, clean_doc);
}

static void
test_sign_refused (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *bidi = write_tmp (fx, "bidi.txt", bidi_doc, -1);
  g_autofree char *cyr = write_tmp (fx, "cyrillic.txt", cyrillic_doc, -1);
  g_autofree char *p7m = g_build_filename (fx->dir, "out.p7m", NULL);
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  init_profile (fx);

  /* --yes alone does not sign over warnings. */
  g_assert_cmpint (run_semper (fx, &out, NULL, "document", "sign", cyr, "--out", p7m, "--yes",
                               "--password-file", fx->password, NULL), ==, 3);
  g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));

  /* A bidi override in the printed document is made visible, never printed raw. */
  g_assert_cmpint (run_semper (fx, &out2, NULL, "document", "sign", bidi, "--out", p7m, "--yes",
                               "--accept-warnings", "--password-file", fx->password, NULL), ==, 3);
  g_assert_nonnull (strstr (out2, "pay <U+202E>0001 EUR."));
  g_assert_null (strstr (out2, "\xe2\x80\xae"));
  g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));

  /* What the trusted display refuses outright, --yes --accept-warnings does not sign either:
   * a bidi control in a header field, totals that do not add up. The whole document and
   * the findings are printed first. */
  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? header_bidi_doc : bad_totals_doc;
      g_autofree char *file = write_tmp (fx, i == 0 ? "header-bidi.txt" : "bad-totals.txt", text,
                                         -1);
      g_autofree char *printed = NULL;

      g_assert_cmpint (run_semper (fx, &printed, NULL, "document", "sign", file, "--out", p7m,
                                   "--yes", "--accept-warnings", "--password-file",
                                   fx->password, NULL), ==, 3);
      g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));
      g_assert_nonnull (strstr (printed, "----- BEGIN DOCUMENT -----\nSemper-Document: order/1\n"));
      g_assert_nonnull (strstr (printed, i == 0 ? "Payee-Account: CH93 0076 2011 <U+202E>4321"
                                                : "Deliver to the back door, please.\n"
                                                  "----- END DOCUMENT -----"));
      g_assert_nonnull (strstr (printed, i == 0 ? "REFUSED line 3, column 31, U+202E "
                                                  "[bidi-control]"
                                                : "[totals-mismatch]"));
    }
}

static void
test_wrong_password (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *clean = write_tmp (fx, "clean.txt", clean_doc, -1);
  g_autofree char *wrong = write_tmp (fx, "wrong", "not the password\n", -1);
  g_autofree char *p7m = g_build_filename (fx->dir, "out.p7m", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) obj = NULL;

  init_profile (fx);
  g_assert_cmpint (run_semper (fx, &out, NULL, "--json", "document", "sign", clean, "--out", p7m,
                               "--yes", "--password-file", wrong, NULL), ==, 1);
  obj = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "error"),
                                                  "code"), ==, "bad-password");
  g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));
}

static void
test_verify_tampered (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *clean = write_tmp (fx, "clean.txt", clean_doc, -1);
  g_autofree char *p7m = g_build_filename (fx->dir, "clean.p7m", NULL);
  g_autofree char *bad = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *other_profile = g_build_filename (fx->dir, "other", NULL);
  char *hit;
  gsize len = 0;

  init_profile (fx);
  g_assert_cmpint (run_semper (fx, NULL, NULL, "document", "sign", clean, "--out", p7m, "--yes",
                               "--password-file", fx->password, NULL), ==, 0);

  /* Change one byte of the signed text: "agree" → "agrEe". */
  g_assert_true (g_file_get_contents (p7m, &contents, &len, NULL));
  hit = memmem (contents, len, "agree", 5);
  g_assert_nonnull (hit);
  hit[3] = 'E';
  bad = write_tmp (fx, "tampered.p7m", contents, len);
  g_assert_cmpint (run_semper (fx, &out, NULL, "verify", bad, NULL), ==, 1);

  /* The untouched file, checked against a profile that does not trust
   * Alice's root, is flagged (3), not accepted. */
  g_free (fx->profile);
  fx->profile = g_steal_pointer (&other_profile);
  g_assert_cmpint (run_semper (fx, &out2, NULL, "verify", p7m, NULL), ==, 3);
}

static char *
constant_password_cb (gboolean retry,
                      gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

static void
test_profile_lock (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *clean = write_tmp (fx, "clean.txt", clean_doc, -1);
  g_autofree char *p7m = g_build_filename (fx->dir, "out.p7m", NULL);
  g_autoptr(SemperProfile) held = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) obj = NULL;

  init_profile (fx);

  /* This process holds the profile; the CLI must say so, not write. */
  held = semper_profile_open (fx->profile, SEMPER_PROFILE_OPEN_DEFAULT, constant_password_cb,
                              NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (run_semper (fx, &out, NULL, "--json", "document", "sign", clean, "--out", p7m,
                               "--yes", "--password-file", fx->password, NULL), ==, 1);
  obj = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "error"),
                                                  "code"), ==, "profile-busy");
  g_assert_false (g_file_test (p7m, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/semper/cli/init/twice", test_init_twice);
  ADD ("/semper/cli/document/check", test_check);
  ADD ("/semper/cli/document/sign-openssl", test_sign_and_openssl);
  ADD ("/semper/cli/document/sign-refused", test_sign_refused);
  ADD ("/semper/cli/document/wrong-password", test_wrong_password);
  ADD ("/semper/cli/verify/tampered", test_verify_tampered);
  ADD ("/semper/cli/profile/lock", test_profile_lock);
#undef ADD

  return g_test_run ();
}
