/* test-prefs.c: payment preferences in the archive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-prefs.h"

typedef struct {
  char          *dir;
  char          *path;
  SemperArchive *archive;
  SemperPrefs   *prefs;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("semper-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "archive.db", NULL);
  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->prefs = semper_prefs_new (fixture->archive, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->prefs);
  g_clear_object (&fixture->archive);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Drops the objects and reads everything back from the file. */
static void
reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->prefs);
  g_clear_object (&fixture->archive);
  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->prefs = semper_prefs_new (fixture->archive, &error);
  g_assert_no_error (error);
}

static SemperAmount
amount (gint64      minor,
        const char *currency)
{
  SemperAmount a = { .minor = minor };

  g_strlcpy (a.currency, currency, sizeof a.currency);
  return a;
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  const char * const *order = semper_prefs_get_payment_order (fixture->prefs);
  SemperAmount threshold;
  SemperAmount limit;

  g_assert_cmpstr (order[0], ==, "ecash");
  g_assert_cmpstr (order[1], ==, "account");
  g_assert_null (order[2]);
  g_assert_cmpint (semper_prefs_get_policy (fixture->prefs), ==, SEMPER_PAYMENT_POLICY_ASK);
  semper_prefs_get_display_threshold (fixture->prefs, &threshold);
  g_assert_cmpint (threshold.minor, ==, 10000);
  g_assert_cmpstr (threshold.currency, ==, "EUR");
  g_assert_false (semper_prefs_get_limit (fixture->prefs, "ecash", &limit));
}

static void
changed_cb (SemperPrefs *prefs,
            const char  *key,
            gpointer     user_data)
{
  GPtrArray *keys = user_data;

  g_ptr_array_add (keys, g_strdup (key));
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  const char * const order[] = { "account", "ecash", "voucher-2", NULL };
  const char * const *got;
  SemperAmount ecash = amount (5000, "EUR");
  SemperAmount account = amount (0, "CHF");
  SemperAmount threshold = amount (2500, "USD");
  SemperAmount limit;
  gint64 audit_rows = 0;
  g_autofree char *head = NULL;

  g_signal_connect (fixture->prefs, "changed", G_CALLBACK (changed_cb), keys);
  semper_prefs_set_payment_order (fixture->prefs, order, &error);
  g_assert_no_error (error);
  semper_prefs_set_limit (fixture->prefs, "ecash", &ecash, &error);
  g_assert_no_error (error);
  semper_prefs_set_limit (fixture->prefs, "account", &account, &error);
  g_assert_no_error (error);
  semper_prefs_set_policy (fixture->prefs, SEMPER_PAYMENT_POLICY_PICK, &error);
  g_assert_no_error (error);
  semper_prefs_set_display_threshold (fixture->prefs, &threshold, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 5);
  g_assert_cmpstr (keys->pdata[0], ==, "payment.order");
  g_assert_cmpstr (keys->pdata[1], ==, "payment.limit.ecash");

  reopen (fixture);
  got = semper_prefs_get_payment_order (fixture->prefs);
  g_assert_cmpstrv (got, order);
  g_assert_true (semper_prefs_get_limit (fixture->prefs, "ecash", &limit));
  g_assert_cmpint (limit.minor, ==, 5000);
  g_assert_cmpstr (limit.currency, ==, "EUR");
  g_assert_true (semper_prefs_get_limit (fixture->prefs, "account", &limit));
  g_assert_cmpint (limit.minor, ==, 0);
  g_assert_cmpstr (limit.currency, ==, "CHF");
  g_assert_false (semper_prefs_get_limit (fixture->prefs, "voucher-2", &limit));
  g_assert_cmpint (semper_prefs_get_policy (fixture->prefs), ==, SEMPER_PAYMENT_POLICY_PICK);
  semper_prefs_get_display_threshold (fixture->prefs, &limit);
  g_assert_cmpint (limit.minor, ==, 2500);
  g_assert_cmpstr (limit.currency, ==, "USD");

  /* Removing a limit, and the CLI's comma form. */
  semper_prefs_set_limit (fixture->prefs, "ecash", NULL, &error);
  g_assert_no_error (error);
  semper_prefs_set_payment_order_from_string (fixture->prefs, " ecash , account", &error);
  g_assert_no_error (error);
  reopen (fixture);
  g_assert_false (semper_prefs_get_limit (fixture->prefs, "ecash", &limit));
  got = semper_prefs_get_payment_order (fixture->prefs);
  g_assert_cmpstr (got[0], ==, "ecash");
  g_assert_cmpstr (got[1], ==, "account");
  g_assert_null (got[2]);

  /* Every change left a row in the audit log, and the log verifies. */
  head = semper_archive_audit_dup_head (fixture->archive, &audit_rows, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audit_rows, ==, 7);
  semper_archive_audit_verify (fixture->archive, NULL, &error);
  g_assert_no_error (error);
}

static void
test_validation (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const bad_orders[] = {
    "", ",", "ecash,", "ecash,ecash", "Ecash", "e cash", "ecash;account", "1cash",
    "ecash,account,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o", "caf\xc3\xa9",
    "abcdefghijklmnopqrstuvwxyz0123456",
  };
  const char * const empty[] = { NULL };
  const char * const with_comma[] = { "a,b", NULL };
  g_autoptr(GError) error = NULL;
  SemperAmount negative = amount (-1, "EUR");
  SemperAmount lower = amount (100, "eur");
  SemperAmount no_currency = amount (100, "");
  SemperAmount huge = amount (SEMPER_PREFS_MAX_MINOR + 1, "EUR");
  SemperAmount ok = amount (100, "EUR");
  SemperPaymentPolicy policy;

  for (guint i = 0; i < G_N_ELEMENTS (bad_orders); i++)
    {
      g_assert_false (semper_prefs_set_payment_order_from_string (fixture->prefs, bad_orders[i],
                                                                  &error));
      g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_false (semper_prefs_set_payment_order (fixture->prefs, empty, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_payment_order (fixture->prefs, with_comma, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (semper_prefs_set_limit (fixture->prefs, "ecash", &negative, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_limit (fixture->prefs, "ecash", &lower, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_limit (fixture->prefs, "ecash", &no_currency, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_limit (fixture->prefs, "ecash", &huge, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_limit (fixture->prefs, "", &ok, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_display_threshold (fixture->prefs, &negative, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_prefs_set_policy (fixture->prefs, 7, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (semper_payment_policy_from_string ("pick", &policy, &error));
  g_assert_cmpint (policy, ==, SEMPER_PAYMENT_POLICY_PICK);
  g_assert_false (semper_payment_policy_from_string ("Pick", &policy, &error));
  g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing of the refused values was stored. */
  reopen (fixture);
  g_assert_cmpstr (semper_prefs_get_payment_order (fixture->prefs)[0], ==, "ecash");
  g_assert_false (semper_prefs_get_limit (fixture->prefs, "ecash", &ok));
}

static void
test_corrupt_value (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const values[][2] = {
    { "payment.order", "ecash,,account" },
    { "payment.policy", "maybe" },
    { "display.threshold", "100.00 EUR" },
    { "display.threshold", "-5 EUR" },
    { "payment.limit.ecash", "5000 euro" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperPrefs) prefs = NULL;

      semper_archive_pref_set (fixture->archive, values[i][0], values[i][1], &error);
      g_assert_no_error (error);
      prefs = semper_prefs_new (fixture->archive, &error);
      g_assert_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_CORRUPT);
      g_assert_null (prefs);
      g_assert_nonnull (strstr (error->message, values[i][0]));
      g_clear_error (&error);
      semper_archive_pref_set (fixture->archive, values[i][0], NULL, &error);
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/prefs/defaults", Fixture, NULL,
              fixture_set_up, test_defaults, fixture_tear_down);
  g_test_add ("/semper/prefs/round-trip", Fixture, NULL,
              fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/semper/prefs/validation", Fixture, NULL,
              fixture_set_up, test_validation, fixture_tear_down);
  g_test_add ("/semper/prefs/corrupt-value", Fixture, NULL,
              fixture_set_up, test_corrupt_value, fixture_tear_down);

  return g_test_run ();
}
