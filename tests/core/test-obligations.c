/* test-obligations.c: dates that matter, taken from the archive's documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "semper-archive.h"
#include "semper-obligations.h"

/* 2026-11-24T10:00:00Z */
#define NOW G_GINT64_CONSTANT (1795514400)
#define DAY (24 * 60 * 60)

typedef struct {
  char          *dir;
  SemperArchive *archive;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("semper-obligations-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "archive.db", NULL);
  fx->archive = semper_archive_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);

  g_clear_object (&fx->archive);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->dir);
}

static gint64
add (Fixture                 *fx,
     SemperArchiveRecordKind  kind,
     const char              *counterparty,
     const char              *title,
     const char              *state,
     const char              *text)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };
  gint64 id;

  r.counterparty = (char *) counterparty;
  r.title = (char *) title;
  r.state = (char *) state;
  r.time = NOW - 10 * DAY;
  r.text = (char *) text;
  if (kind == SEMPER_ARCHIVE_RECEIPTS)
    {
      r.amount.minor = 1250;
      strcpy (r.amount.currency, "EUR");
      r.payment_system = (char *) "ecash";
    }
  id = semper_archive_record_insert (fx->archive, kind, &r, &error);
  g_assert_no_error (error);
  return id;
}

static void
test_collect (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  SemperObligation *o;
  gint64 order_id, contract_id;
  g_autofree char *id = NULL;

  /* A purchase: the order (delivery, withdrawal period) and the exchange's
   * document after it in the same text. */
  order_id = add (fx, SEMPER_ARCHIVE_RECEIPTS, "Signed Books Ltd", "Atlas of quokkas", "paid",
                  "Semper-Document: order/1\n"
                  "Title: Atlas of quokkas\n"
                  "Date: 2026-11-14T10:00:00Z\n"
                  "Delivery-Date: 2026-11-26T12:00:00Z\n"
                  "Withdrawal-Deadline: 2026-12-08T23:59:59Z\n"
                  "\n"
                  "One atlas.\n"
                  "Semper-Document: receipt/1\n"
                  "Due-Date: 2026-12-01T00:00:00Z\n"
                  "\n"
                  "Pay.\n");
  /* A contract with a deadline and an end. */
  contract_id = add (fx, SEMPER_ARCHIVE_CONTRACTS, "Bob Example", "Fence painting", "signed",
                     "Semper-Document: contract/1\n"
                     "Title: Fence painting\n"
                     "Deadline: 2026-11-20T10:00:00Z\n"
                     "Valid-Until: 2027-11-24T10:00:00Z\n"
                     "Expires: 2025-01-01T00:00:00Z\n"
                     "\n"
                     "Bob paints the fence.\n");
  /* Aborted, not a document, a bad date: nothing. */
  add (fx, SEMPER_ARCHIVE_CONTRACTS, "Carol", "Aborted", "aborted",
       "Semper-Document: contract/1\nDeadline: 2026-11-30T10:00:00Z\n\nNo.\n");
  add (fx, SEMPER_ARCHIVE_RECEIPTS, "Grocer", "Apples", "paid", "{\"receipt\":\"Apples\"}");
  add (fx, SEMPER_ARCHIVE_RECEIPTS, "Grocer", "Pears", "paid",
       "Semper-Document: order/1\nDelivery-Date: tomorrow\n\nPears.\n");

  list = semper_obligations_collect (fx->archive, NOW, &error);
  g_assert_no_error (error);
  /* Soonest first; the deadline 4 days past still shows, the 2025 expiry does not. */
  g_assert_cmpuint (list->len, ==, 5);

  o = g_ptr_array_index (list, 0);
  g_assert_cmpint (o->kind, ==, SEMPER_OBLIGATION_DEADLINE);
  g_assert_cmpint (o->record_kind, ==, SEMPER_ARCHIVE_CONTRACTS);
  g_assert_cmpint (o->record_id, ==, contract_id);
  g_assert_cmpstr (o->counterparty, ==, "Bob Example");
  g_assert_false (semper_obligation_is_due_soon (o, NOW, 3));

  o = g_ptr_array_index (list, 1);
  g_assert_cmpint (o->kind, ==, SEMPER_OBLIGATION_DELIVERY);
  g_assert_cmpint (o->record_id, ==, order_id);
  g_assert_cmpstr (o->title, ==, "Atlas of quokkas");
  g_assert_cmpstr (o->field, ==, "Delivery-Date");
  g_assert_true (semper_obligation_is_due_soon (o, NOW, 3));
  id = semper_obligation_dup_id (o);
  g_assert_cmpstr (id, ==, "receipt-1-delivery-date-1795694400");

  o = g_ptr_array_index (list, 2);
  g_assert_cmpint (o->kind, ==, SEMPER_OBLIGATION_PAYMENT_DUE);
  g_assert_false (semper_obligation_is_due_soon (o, NOW, 3));
  g_assert_true (semper_obligation_is_due_soon (o, NOW, 7));
  o = g_ptr_array_index (list, 3);
  g_assert_cmpint (o->kind, ==, SEMPER_OBLIGATION_WITHDRAWAL);
  o = g_ptr_array_index (list, 4);
  g_assert_cmpint (o->kind, ==, SEMPER_OBLIGATION_ENDS);
  g_assert_cmpstr (semper_obligation_kind_describe (o->kind), ==, "Ends");
}

static void
test_empty (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = semper_obligations_collect (fx->archive, NOW, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/obligations/collect", Fixture, NULL, fixture_set_up, test_collect,
              fixture_tear_down);
  g_test_add ("/semper/obligations/empty", Fixture, NULL, fixture_set_up, test_empty,
              fixture_tear_down);
  return g_test_run ();
}
