/* test-archive-query.c: filtered, sorted listings of receipts and contracts
 * (semper_archive_record_query, semper_archive_record_dup_values).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "semper-archive.h"

typedef struct {
  char          *dir;
  char          *path;
  SemperArchive *archive;
} Fixture;

static void
insert (SemperArchive *archive,
        const char    *merchant,
        const char    *title,
        gint64         minor,
        const char    *currency,
        const char    *system,
        const char    *state,
        gint64         time,
        const char    *labels)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };

  r.counterparty = (char *) merchant;
  r.title = (char *) title;
  r.amount.minor = minor;
  g_strlcpy (r.amount.currency, currency, sizeof r.amount.currency);
  r.payment_system = (char *) system;
  r.state = (char *) state;
  r.time = time;
  r.text = (char *) title;
  r.labels = (char *) labels;
  g_assert_cmpint (semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("semper-query-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "archive.db", NULL);
  fx->archive = semper_archive_open (fx->path, &error);
  g_assert_no_error (error);

  /* ids 1..5 */
  insert (fx->archive, "Bookshop", "Paperback novel", 1250, "EUR", "ecash", "paid", 1000, NULL);
  insert (fx->archive, "Café Olé", "Coffee beans", 899, "EUR", "account", "paid", 2000, "food");
  insert (fx->archive, "Bookshop", "Atlas", 4500, "EUR", "account", "refunded", 3000, NULL);
  insert (fx->archive, "Zoo shop", "Plush coffee cup", 1999, "CHF", "ecash", "paid", 4000, NULL);
  insert (fx->archive, "alpha", "Coffee grinder", 2999, "EUR", "account", "paid", 5000, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&fx->archive);
  d = g_dir_open (fx->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fx->dir);
  g_free (fx->path);
  g_free (fx->dir);
}

static char *
ids_string (Fixture                        *fx,
            const SemperArchiveRecordQuery *q)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = semper_archive_record_query (fx->archive, SEMPER_ARCHIVE_RECEIPTS, q,
                                                       &error);
  GString *s = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (ids, gint64, i));
  return g_string_free (s, FALSE);
}

#define assert_ids(fx, q, expected) \
  G_STMT_START { \
    g_autofree char *got_ = ids_string ((fx), (q)); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

static void
test_sort (Fixture       *fx,
           gconstpointer  data)
{
  SemperArchiveRecordQuery q = { 0 };

  assert_ids (fx, &q, "5,4,3,2,1");
  q.sort = SEMPER_ARCHIVE_SORT_OLDEST;
  assert_ids (fx, &q, "1,2,3,4,5");
  q.sort = SEMPER_ARCHIVE_SORT_AMOUNT_HIGH;
  assert_ids (fx, &q, "3,5,4,1,2");
  q.sort = SEMPER_ARCHIVE_SORT_AMOUNT_LOW;
  assert_ids (fx, &q, "2,1,4,5,3");
  q.sort = SEMPER_ARCHIVE_SORT_COUNTERPARTY;   /* case-insensitive, then newest */
  assert_ids (fx, &q, "5,3,1,2,4");
  q.sort = SEMPER_ARCHIVE_SORT_RELEVANCE;      /* no text: newest first */
  assert_ids (fx, &q, "5,4,3,2,1");
}

static void
test_filters (Fixture       *fx,
              gconstpointer  data)
{
  SemperArchiveRecordQuery q = { 0 };

  q.counterparty = "Bookshop";
  assert_ids (fx, &q, "3,1");
  q.counterparty = NULL;
  q.payment_system = "ecash";
  assert_ids (fx, &q, "4,1");
  q.payment_system = NULL;
  q.state = "refunded";
  assert_ids (fx, &q, "3");
  q.state = NULL;
  q.since = 2000;
  q.until = 4000;
  assert_ids (fx, &q, "4,3,2");
  q.since = q.until = 0;
  q.has_min_amount = TRUE;
  q.min_amount = 1250;
  q.has_max_amount = TRUE;
  q.max_amount = 2999;
  assert_ids (fx, &q, "5,4,1");
  q.currency = "EUR";
  assert_ids (fx, &q, "5,1");
  q.has_min_amount = q.has_max_amount = FALSE;
  q.currency = "CHF";
  assert_ids (fx, &q, "4");
  q.currency = NULL;
  q.counterparty = "nobody";
  assert_ids (fx, &q, "");
}

static void
test_text (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecordQuery q = { 0 };

  q.text = "coffee";
  assert_ids (fx, &q, "5,4,2");
  q.text = "cafe";                    /* diacritics folded, merchant searched */
  assert_ids (fx, &q, "2");
  q.text = "food";                    /* labels are searched */
  assert_ids (fx, &q, "2");
  q.text = "coffee";
  q.payment_system = "ecash";          /* text and filters together */
  assert_ids (fx, &q, "4");
  q.payment_system = NULL;
  q.sort = SEMPER_ARCHIVE_SORT_OLDEST;
  assert_ids (fx, &q, "2,4,5");
  q.text = "\"*) OR NEAR(";            /* hostile text is words or nothing */
  assert_ids (fx, &q, "");
  q.text = "  ";                       /* no words: no text filter */
  assert_ids (fx, &q, "1,2,3,4,5");

  /* A label edited later is found. */
  g_assert_true (semper_archive_record_set_labels (fx->archive, SEMPER_ARCHIVE_RECEIPTS, 3,
                                                   "gift", "for Anna", &error));
  g_assert_no_error (error);
  q.text = "anna gift";
  assert_ids (fx, &q, "3");
}

static void
test_values (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) merchants = NULL;
  g_auto(GStrv) systems = NULL;
  g_auto(GStrv) states = NULL;
  g_auto(GStrv) bad = NULL;
  g_autofree char *m = NULL;
  SemperArchiveRecordQuery q = { 0 };

  merchants = semper_archive_record_dup_values (fx->archive, SEMPER_ARCHIVE_RECEIPTS,
                                                "counterparty", &error);
  g_assert_no_error (error);
  m = g_strjoinv ("|", merchants);
  g_assert_cmpstr (m, ==, "Bookshop|Café Olé|Zoo shop|alpha");
  systems = semper_archive_record_dup_values (fx->archive, SEMPER_ARCHIVE_RECEIPTS,
                                              "payment_system", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (systems), ==, 2);
  states = semper_archive_record_dup_values (fx->archive, SEMPER_ARCHIVE_CONTRACTS, "state",
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (states), ==, 0);

  bad = semper_archive_record_dup_values (fx->archive, SEMPER_ARCHIVE_RECEIPTS,
                                          "text; DROP TABLE receipts", &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
  g_assert_null (bad);
  g_clear_error (&error);

  q.sort = 42;
  g_assert_null (semper_archive_record_query (fx->archive, SEMPER_ARCHIVE_RECEIPTS, &q, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/archive/query/sort", Fixture, NULL, fixture_set_up, test_sort,
              fixture_tear_down);
  g_test_add ("/semper/archive/query/filters", Fixture, NULL, fixture_set_up, test_filters,
              fixture_tear_down);
  g_test_add ("/semper/archive/query/text", Fixture, NULL, fixture_set_up, test_text,
              fixture_tear_down);
  g_test_add ("/semper/archive/query/values", Fixture, NULL, fixture_set_up, test_values,
              fixture_tear_down);
  return g_test_run ();
}
