/* bench-archive.c: how fast the archive writes and searches.
 *
 * Usage: bench-archive [N_RECEIPTS]   (default 100000)
 * Prints: durable single-row commits per second (synchronous=FULL, one fsync
 * each), batched inserts per second, FTS query latency (median and 95th
 * percentile) and a filtered list. Works in a temporary directory it removes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "semper-archive.h"

#define BATCH 1000
#define SINGLE_COMMITS 500
#define QUERIES 300

static const char * const words[] = {
  "coffee", "beans", "tea", "book", "novel", "lamp", "desk", "chair", "bicycle", "helmet",
  "course", "lecture", "video", "music", "album", "ticket", "train", "hotel", "room", "night",
  "bread", "cheese", "wine", "apple", "pear", "shirt", "shoes", "socks", "jacket", "scarf",
  "paper", "pencil", "printer", "cable", "charger", "phone", "repair", "service", "garden",
  "hammer", "nails", "paint", "brush", "lease", "rent", "deposit", "insurance", "tax",
};

static const char * const merchants[] = {
  "Books & Co", "Café Olé", "Hardware Hall", "Rail Tickets", "Corner Shop", "Music Box",
};

static char *
random_text (GRand *rand,
             guint  n_words)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  return g_string_free (text, FALSE);
}

static gint64
insert_random (SemperArchive *archive,
               GRand         *rand,
               gint64         time)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = random_text (rand, 12);
  SemperArchiveRecord record = {
    .counterparty = (char *) merchants[g_rand_int_range (rand, 0, G_N_ELEMENTS (merchants))],
    .amount = { .minor = g_rand_int_range (rand, 1, 100000), .currency = "EUR" },
    .payment_system = (char *) "ecash",
    .state = (char *) "paid",
    .time = time,
    .text = text,
  };
  gint64 id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &record, &error);

  if (id == 0)
    g_error ("insert failed: %s", error->message);
  return id;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  guint n = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 100000;
  double latencies[QUERIES];
  guint hits = 0;
  gint64 start, elapsed;

  dir = g_dir_make_tmp ("semper-bench-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "archive.db", NULL);
  archive = semper_archive_open (path, &error);
  g_assert_no_error (error);

  /* Durable commits, one row each: what a protocol step costs. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < SINGLE_COMMITS; i++)
    insert_random (archive, rand, 1700000000 + i);
  elapsed = g_get_monotonic_time () - start;
  g_print ("single-row commits:    %8.0f /s  (%u rows, %.1f ms each)\n",
           SINGLE_COMMITS / (elapsed / 1e6), SINGLE_COMMITS,
           elapsed / 1e3 / SINGLE_COMMITS);

  /* Bulk: BATCH receipts per transaction, FTS triggers included. */
  start = g_get_monotonic_time ();
  for (guint done = 0; done < n; )
    {
      semper_archive_begin (archive, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < BATCH && done < n; i++, done++)
        insert_random (archive, rand, 1700000000 + SINGLE_COMMITS + done);
      semper_archive_commit (archive, &error);
      g_assert_no_error (error);
    }
  elapsed = g_get_monotonic_time () - start;
  g_print ("batched inserts:       %8.0f /s  (%u receipts, %u per transaction)\n",
           n / (elapsed / 1e6), n, BATCH);

  /* Full-text search: two random words, ranked, first 50 ids. */
  for (guint q = 0; q < QUERIES; q++)
    {
      g_autofree char *query = random_text (rand, 2);
      g_autoptr(GArray) ids = NULL;

      start = g_get_monotonic_time ();
      ids = semper_archive_record_search (archive, SEMPER_ARCHIVE_RECEIPTS, query, 50, &error);
      latencies[q] = (g_get_monotonic_time () - start) / 1e3;
      g_assert_no_error (error);
      hits += ids->len;
    }
  qsort (latencies, QUERIES, sizeof latencies[0], compare_doubles);
  g_print ("FTS search (2 words):  median %.2f ms, p95 %.2f ms, max %.2f ms "
           "(%u queries, %.1f hits each)\n",
           latencies[QUERIES / 2], latencies[QUERIES * 95 / 100], latencies[QUERIES - 1],
           QUERIES, (double) hits / QUERIES);

  {
    g_autoptr(GPtrArray) list = NULL;

    start = g_get_monotonic_time ();
    list = semper_archive_record_list (archive, SEMPER_ARCHIVE_RECEIPTS,
                                       1700000000 + SINGLE_COMMITS + n - 1000, "Café Olé",
                                       NULL, &error);
    g_assert_no_error (error);
    g_print ("list (since, merchant): %.2f ms for %u rows\n",
             (g_get_monotonic_time () - start) / 1e3, list->len);
  }
  {
    GStatBuf st;

    start = g_get_monotonic_time ();
    semper_archive_check_integrity (archive, &error);
    g_assert_no_error (error);
    g_print ("integrity check:       %.0f ms\n", (g_get_monotonic_time () - start) / 1e3);
    g_clear_object (&archive);
    if (g_stat (path, &st) == 0)
      g_print ("database size:         %.1f MiB\n", st.st_size / 1048576.0);
  }

  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
