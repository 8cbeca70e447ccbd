/* test-obligations.c: the upcoming dates window and the reminders
 *
 * An archive seeded with receipts and contracts whose documents name a
 * delivery date, a withdrawal deadline, a payment due date, a contract
 * deadline and an end: the window shows them (this week, later), the
 * reminders pick the ones due within three days, and the notification says
 * what, with whom and when. Screenshots of the list and the empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "semper-archive.h"
#include "semper-obligations.h"
#include "ui-test-util.h"
#include "wallet-obligations.h"
#include "wallet-obligations-window.h"

/* 2026-11-24T10:00:00Z */
#define NOW G_GINT64_CONSTANT (1795514400)
#define DAY (24 * 60 * 60)

static char *test_dir;

static SemperArchive *
new_archive (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (test_dir, name, NULL);
  SemperArchive *archive = semper_archive_open (path, &error);

  g_assert_no_error (error);
  return archive;
}

static void
add (SemperArchive           *archive,
     SemperArchiveRecordKind  kind,
     const char              *counterparty,
     const char              *title,
     const char              *text)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };

  r.counterparty = (char *) counterparty;
  r.title = (char *) title;
  r.state = (char *) (kind == SEMPER_ARCHIVE_RECEIPTS ? "paid" : "signed");
  r.time = NOW - 5 * DAY;
  r.text = (char *) text;
  if (kind == SEMPER_ARCHIVE_RECEIPTS)
    {
      r.amount.minor = 2490;
      strcpy (r.amount.currency, "EUR");
      r.payment_system = (char *) "ecash";
    }
  semper_archive_record_insert (archive, kind, &r, &error);
  g_assert_no_error (error);
}

static gboolean
loaded (gpointer data)
{
  return !wallet_obligations_window_get_loading (data);
}

static void
test_window (void)
{
  g_autoptr(SemperArchive) archive = new_archive ("seeded.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  WalletObligationsWindow *window;

  add (archive, SEMPER_ARCHIVE_RECEIPTS, "Signed Books Ltd", "Atlas of quokkas",
       "Semper-Document: order/1\n"
       "Title: Atlas of quokkas\n"
       "Delivery-Date: 2026-11-25T12:00:00Z\n"
       "Withdrawal-Deadline: 2026-12-08T23:00:00Z\n"
       "\n"
       "One atlas.\n");
  add (archive, SEMPER_ARCHIVE_RECEIPTS, "Courseware Co", "Networks course, one year",
       "Semper-Document: order/1\n"
       "Valid-Until: 2027-11-24T10:00:00Z\n"
       "Due-Date: 2026-11-27T09:00:00Z\n"
       "\n"
       "Subscription.\n");
  add (archive, SEMPER_ARCHIVE_CONTRACTS, "Bob Example", "Fence painting",
       "Semper-Document: contract/1\n"
       "Title: Fence painting\n"
       "Deadline: 2026-11-22T10:00:00Z\n"
       "\n"
       "Bob paints the fence.\n");

  window = wallet_obligations_window_new (NULL, archive, NOW);
  g_assert_true (wallet_obligations_window_get_loading (window));
  ui_test_show_and_wait (GTK_WINDOW (window));
  ui_test_spin_until (loaded, window);
  g_assert_cmpuint (wallet_obligations_window_get_n_shown (window), ==, 5);
  ui_test_save_screenshot (GTK_WIDGET (window), "obligations");
  gtk_window_destroy (GTK_WINDOW (window));

  /* The reminders: the delivery tomorrow and the payment due in three days;
   * not the deadline two days past, nor the later ones. */
  list = semper_obligations_collect (archive, NOW, &error);
  g_assert_no_error (error);
  due = wallet_obligations_due_soon (list, NOW);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (((SemperObligation *) g_ptr_array_index (due, 0))->kind, ==,
                   SEMPER_OBLIGATION_DELIVERY);
  g_assert_cmpint (((SemperObligation *) g_ptr_array_index (due, 1))->kind, ==,
                   SEMPER_OBLIGATION_PAYMENT_DUE);

  notification = wallet_obligation_notification_new (g_ptr_array_index (due, 0), NOW);
  g_assert_true (G_IS_NOTIFICATION (notification));
  wallet_obligation_reminder_text (g_ptr_array_index (due, 0), NOW, &title, &body);
  g_test_message ("reminder: %s — %s", title, body);
  g_assert_cmpstr (title, ==, "Delivery tomorrow");
  g_assert_nonnull (strstr (body, "Atlas of quokkas"));
  g_assert_nonnull (strstr (body, "Signed Books Ltd"));

  relative = wallet_obligations_format_relative (NOW - 2 * DAY, NOW);
  g_assert_cmpstr (relative, ==, "2 days ago");
  g_free (relative);
  relative = wallet_obligations_format_relative (NOW + 3 * DAY, NOW);
  g_assert_cmpstr (relative, ==, "in 3 days");
}

static void
test_empty (void)
{
  g_autoptr(SemperArchive) archive = new_archive ("empty.db");
  WalletObligationsWindow *window = wallet_obligations_window_new (NULL, archive, NOW);

  ui_test_show_and_wait (GTK_WINDOW (window));
  ui_test_spin_until (loaded, window);
  g_assert_cmpuint (wallet_obligations_window_get_n_shown (window), ==, 0);
  ui_test_save_screenshot (GTK_WIDGET (window), "obligations-empty");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_dir = ui_test_setup_dirs ("semper-obligations-test-XXXXXX");
  /* The dates are shown in the local time zone: make it fixed. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/semper/ui/obligations/window", test_window);
  g_test_add_func ("/semper/ui/obligations/empty", test_empty);

  status = g_test_run ();
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
