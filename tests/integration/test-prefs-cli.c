/* test-prefs-cli.c: `semper prefs payment` as a user runs it: shows the
 * defaults, stores an order, limits and a policy in the profile (read back
 * by a second process and by SemperPrefs), removes a limit, and refuses bad
 * values with exit status 2 without changing anything.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-money.h"
#include "semper-prefs.h"
#include "semper-profile.h"

#define PASSWORD "prefs test password"

typedef struct {
  char *dir;
  char *profile;
  char *password;
} Fixture;

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
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (fx->profile));
  g_ptr_array_add (argv, g_strdup ("--password-file"));
  g_ptr_array_add (argv, g_strdup (fx->password));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
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
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("semper-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  fx->profile = g_build_filename (fx->dir, "profile", NULL);
  fx->password = g_build_filename (fx->dir, "password", NULL);
  g_file_set_contents (fx->password, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_semper (fx, NULL, "init", "--name", "Pat", NULL), ==, 0);
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

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

static void
test_set_and_show (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *order;
  JsonObject *limits;
  SemperAmount limit;

  g_assert_cmpint (run_semper (fx, &out, "prefs", "payment", "--json", NULL), ==, 0);
  shown = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (shown, "policy"), ==, "ask");

  g_assert_cmpint (run_semper (fx, NULL, "prefs", "payment", "--order", "account,ecash",
                               "--limit", "ecash=20.00EUR", "--limit", "account=150.00 EUR",
                               "--policy", "pick", NULL), ==, 0);
  g_assert_cmpint (run_semper (fx, &out2, "prefs", "payment", "--json", NULL), ==, 0);
  again = parse_json (out2);
  order = json_object_get_array_member (again, "order");
  g_assert_cmpuint (json_array_get_length (order), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (order, 0), ==, "account");
  g_assert_cmpstr (json_array_get_string_element (order, 1), ==, "ecash");
  g_assert_cmpstr (json_object_get_string_member (again, "policy"), ==, "pick");
  limits = json_object_get_object_member (again, "limits");
  g_assert_cmpstr (json_object_get_string_member (limits, "ecash"), ==, "20.00 EUR");
  g_assert_cmpstr (json_object_get_string_member (limits, "account"), ==, "150.00 EUR");

  /* Bad values: usage status, nothing changed. */
  g_assert_cmpint (run_semper (fx, NULL, "prefs", "payment", "--policy", "maybe", NULL), ==, 2);
  g_assert_cmpint (run_semper (fx, NULL, "prefs", "payment", "--limit", "ecash=lots", NULL),
                   ==, 2);
  g_assert_cmpint (run_semper (fx, NULL, "prefs", "payment", "--limit", "ecash", NULL), ==, 2);
  g_assert_cmpint (run_semper (fx, NULL, "prefs", "payment", "--order", "ecash,ecash", NULL),
                   ==, 2);
  g_assert_cmpint (run_semper (fx, NULL, "prefs", "colours", NULL), ==, 2);

  /* Removing a limit; the text output names it. */
  g_assert_cmpint (run_semper (fx, &out3, "prefs", "payment", "--limit", "ecash=none", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out3, "Limit for ecash: none"));
  g_assert_nonnull (strstr (out3, "Limit for account: 150.00 EUR"));

  /* What the payment manager reads. */
  profile = semper_profile_open (fx->profile, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  prefs = semper_prefs_new (semper_profile_get_archive (profile), &error);
  g_assert_no_error (error);
  g_assert_cmpint (semper_prefs_get_policy (prefs), ==, SEMPER_PAYMENT_POLICY_PICK);
  g_assert_cmpstr (semper_prefs_get_payment_order (prefs)[0], ==, "account");
  g_assert_false (semper_prefs_get_limit (prefs, "ecash", &limit));
  g_assert_true (semper_prefs_get_limit (prefs, "account", &limit));
  g_assert_cmpint (limit.minor, ==, 15000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/semper/cli/prefs/payment", Fixture, NULL, fixture_set_up, test_set_and_show,
              fixture_tear_down);
  return g_test_run ();
}
