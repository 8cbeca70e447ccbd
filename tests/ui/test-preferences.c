/* test-preferences.c: Preferences → Payment Methods
 *
 * The order list reorders by drop, by its up/down buttons, and stores the
 * order in the profile's payment preferences (read back through a new
 * SemperPrefs, as the payment manager reads them); limits, the policy and
 * the typed-amount threshold are stored too, and bad input is refused.
 * A withdrawal through the page reaches a real bank (`semperd --role bank`)
 * off the main thread, and the purse and the account's balance show it.
 * The Backup page writes a backup that restores and opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "../integration/semper-test-semperd.h"
#include "semper-archive.h"
#include "semper-bank.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-prefs.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "ui-test-util.h"
#include "semper-backup.h"
#include "wallet-preferences-backup.h"
#include "wallet-preferences-payment-private.h"
#include "wallet-preferences-window.h"

#define PASSWORD "preferences test password"

static char *test_dir;

static const char bank_config[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":200,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":0,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}}]}\n";

typedef struct {
  SemperTestMarket         market;
  SemperProfile           *profile;
  GSettings               *settings;
  WalletPreferencesWindow *window;
  WalletPreferencesPayment *page;
  GSubprocess             *bank_proc;
  char                    *bank_url;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  semper_test_market_init (&fx->market, "semper-prefs-XXXXXX", PASSWORD);
  fx->settings = g_settings_new ("org.semper.Wallet");

  if (data != NULL)
    {
      g_free (semper_test_certify_server (&fx->market, "bank", NULL, SEMPER_ROLE_BANK));
      fx->bank_proc = semper_test_start_server (&fx->market, "bank", NULL, bank_config,
                                                &fx->bank_url);
    }

  fx->profile = semper_test_make_profile (&fx->market, "alice", NULL, SEMPER_ROLE_WALLET);
  if (fx->bank_url != NULL && g_str_equal (data, "bank"))
    g_object_unref (semper_test_link_purse (fx->profile, fx->bank_url, "alice", "alice-code"));
}

static void
open_window (Fixture *fx)
{
  fx->window = wallet_preferences_window_new (NULL, fx->settings);
  wallet_preferences_window_set_profile (fx->window, fx->profile);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (fx->window), "payment");
  fx->page = WALLET_PREFERENCES_PAYMENT (
    adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (fx->window)));
  g_assert_true (WALLET_IS_PREFERENCES_PAYMENT (fx->page));
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 640, 900);
  ui_test_show_and_wait (GTK_WINDOW (fx->window));
}

static gboolean
not_busy (gpointer data)
{
  return !wallet_preferences_payment_get_busy (data);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->page != NULL)
    ui_test_spin_until (not_busy, fx->page);
  if (fx->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fx->window));
  if (fx->bank_proc != NULL)
    semper_test_stop_semperd (&fx->bank_proc);
  g_clear_object (&fx->profile);
  g_clear_object (&fx->settings);
  g_free (fx->bank_url);
  semper_test_market_clear (&fx->market);
}

/* The order as the payment manager would read it: from a new SemperPrefs. */
static char *
stored_order (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPrefs) prefs = semper_prefs_new (semper_profile_get_archive (fx->profile),
                                                   &error);

  g_assert_no_error (error);
  return g_strjoinv (",", (char **) semper_prefs_get_payment_order (prefs));
}

/* The order as the page shows it. */
static char *
shown_order (Fixture *fx)
{
  GtkListBox *list = _wallet_preferences_payment_get_order_list (fx->page);
  g_autoptr(GString) out = g_string_new (NULL);
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                            (const char *) g_object_get_data (G_OBJECT (row), "system"));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GtkListBoxRow *
order_row (Fixture *fx,
           int      index)
{
  return gtk_list_box_get_row_at_index (_wallet_preferences_payment_get_order_list (fx->page),
                                        index);
}

static void
apply (AdwEntryRow *row,
       const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static void
test_order_and_prefs (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autofree char *order = NULL;
  GtkDropTarget *target;
  GValue value = G_VALUE_INIT;
  gboolean dropped = FALSE;
  SemperAmount amount;
  AdwEntryRow *limit;

  open_window (fx);
  order = shown_order (fx);
  g_assert_cmpstr (order, ==, "ecash,account");
  g_clear_pointer (&order, g_free);

  /* A drop of row 0 on row 1, as GtkDropTarget delivers it. */
  target = g_object_get_data (G_OBJECT (order_row (fx, 1)), "drop-target");
  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, 0);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &dropped);
  g_value_unset (&value);
  g_assert_true (dropped);
  order = stored_order (fx);
  g_assert_cmpstr (order, ==, "account,ecash");
  g_clear_pointer (&order, g_free);
  order = shown_order (fx);
  g_assert_cmpstr (order, ==, "account,ecash");
  g_clear_pointer (&order, g_free);

  /* The keyboard way: the second row's "up" button; the first has none to press. */
  g_assert_false (gtk_widget_get_sensitive (g_object_get_data (G_OBJECT (order_row (fx, 0)),
                                                               "up")));
  g_signal_emit_by_name (g_object_get_data (G_OBJECT (order_row (fx, 1)), "up"), "clicked");
  order = stored_order (fx);
  g_assert_cmpstr (order, ==, "ecash,account");
  g_clear_pointer (&order, g_free);
  /* Focus follows the moved row, so that pressing again keeps moving it. */
  g_assert_true (gtk_widget_has_focus (g_object_get_data (G_OBJECT (order_row (fx, 1)), "down"))
                 || gtk_widget_has_focus (GTK_WIDGET (order_row (fx, 0)))
                 || gtk_widget_has_focus (g_object_get_data (G_OBJECT (order_row (fx, 0)),
                                                             "down")));
  g_signal_emit_by_name (g_object_get_data (G_OBJECT (order_row (fx, 0)), "down"), "clicked");
  order = stored_order (fx);
  g_assert_cmpstr (order, ==, "account,ecash");
  g_clear_pointer (&order, g_free);

  /* A limit, a bad limit, the policy, the threshold. */
  limit = _wallet_preferences_payment_get_limit_row (fx->page, "ecash");
  apply (limit, "20.00");
  apply (_wallet_preferences_payment_get_limit_row (fx->page, "account"), "oops");
  g_assert_true (gtk_widget_has_css_class (
    GTK_WIDGET (_wallet_preferences_payment_get_limit_row (fx->page, "account")), "error"));
  adw_combo_row_set_selected (_wallet_preferences_payment_get_policy_row (fx->page), 1);
  apply (_wallet_preferences_payment_get_threshold_row (fx->page), "250.00 EUR");

  prefs = semper_prefs_new (semper_profile_get_archive (fx->profile), &error);
  g_assert_no_error (error);
  g_assert_true (semper_prefs_get_limit (prefs, "ecash", &amount));
  g_assert_cmpint (amount.minor, ==, 2000);
  g_assert_cmpstr (amount.currency, ==, "EUR");
  g_assert_false (semper_prefs_get_limit (prefs, "account", &amount));
  g_assert_cmpint (semper_prefs_get_policy (prefs), ==, SEMPER_PAYMENT_POLICY_PICK);
  semper_prefs_get_display_threshold (prefs, &amount);
  g_assert_cmpint (amount.minor, ==, 25000);

  /* The limit shows in the order list too; an empty limit removes it. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (order_row (fx, 1))),
                            "20.00 EUR"));
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "preferences-payment");
  apply (limit, "");
  apply (_wallet_preferences_payment_get_threshold_row (fx->page), "-1");
  g_clear_object (&prefs);
  prefs = semper_prefs_new (semper_profile_get_archive (fx->profile), &error);
  g_assert_false (semper_prefs_get_limit (prefs, "ecash", &amount));
  semper_prefs_get_display_threshold (prefs, &amount);
  g_assert_cmpint (amount.minor, ==, 25000);

  /* Without a linked account there is nothing to withdraw from. */
  g_assert_false (gtk_widget_get_sensitive (
    GTK_WIDGET (_wallet_preferences_payment_get_withdraw_row (fx->page))));
}

static gint64
purse_total (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) coins = semper_archive_coin_list (
    semper_profile_get_archive (fx->profile), SEMPER_PURSE_SYSTEM, "fresh", &error);
  gint64 sum = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < coins->len; i++)
    sum += ((SemperArchiveCoin *) g_ptr_array_index (coins, i))->value.minor;
  return sum;
}

static void
test_withdraw (Fixture       *fx,
               gconstpointer  data)
{
  AdwActionRow *account;
  AdwExpanderRow *purse;
  const char *subtitle;

  open_window (fx);
  account = _wallet_preferences_payment_get_account_row (fx->page);
  purse = _wallet_preferences_payment_get_purse_row (fx->page);
  ui_test_spin_until (not_busy, fx->page);
  subtitle = adw_action_row_get_subtitle (account);
  g_test_message ("account: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "100.00 EUR"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (account)),
                            "alice"));

  /* 3.00 EUR: a 200 and a 100 coin, and a fee of 0.01 EUR per coin. */
  gtk_editable_set_text (GTK_EDITABLE (_wallet_preferences_payment_get_withdraw_row (fx->page)),
                         "3.00");
  g_signal_emit_by_name (_wallet_preferences_payment_get_withdraw_button (fx->page), "clicked");
  g_assert_true (wallet_preferences_payment_get_busy (fx->page));
  /* The main loop runs while the bank works. */
  ui_test_spin_until (not_busy, fx->page);

  g_assert_cmpint (purse_total (fx), ==, 300);
  subtitle = adw_expander_row_get_subtitle (purse);
  g_test_message ("purse: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "3.00 EUR"));
  g_assert_nonnull (strstr (subtitle, "2 coins"));
  subtitle = adw_action_row_get_subtitle (account);
  g_test_message ("account: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "96.98 EUR"));
  g_assert_cmpstr (gtk_editable_get_text (
    GTK_EDITABLE (_wallet_preferences_payment_get_withdraw_row (fx->page))), ==, "");

  adw_expander_row_set_expanded (purse, TRUE);
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "preferences-payment-withdraw");

  /* A bad amount is refused on the spot. */
  gtk_editable_set_text (GTK_EDITABLE (_wallet_preferences_payment_get_withdraw_row (fx->page)),
                         "three euros");
  g_signal_emit_by_name (_wallet_preferences_payment_get_withdraw_button (fx->page), "clicked");
  g_assert_false (wallet_preferences_payment_get_busy (fx->page));
  g_assert_true (gtk_widget_has_css_class (
    GTK_WIDGET (_wallet_preferences_payment_get_withdraw_row (fx->page)), "error"));
  g_assert_cmpint (purse_total (fx), ==, 300);
}

static gboolean
backup_done (gpointer data)
{
  return !wallet_preferences_backup_get_busy (data);
}

static void
test_backup (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fx->market.dir, "wallet.semper-backup", NULL);
  g_autofree char *restored = g_build_filename (fx->market.dir, "restored", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SemperProfile) profile = NULL;
  WalletPreferencesBackup *page;
  AdwEntryRow *password, *repeat;
  SemperBackupInfo info;

  open_window (fx);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (fx->window), "backup");
  page = WALLET_PREFERENCES_BACKUP (
    adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (fx->window)));
  password = _wallet_preferences_backup_get_password_row (page, 0);
  repeat = _wallet_preferences_backup_get_password_row (page, 1);

  /* Too short, then two that differ: refused, nothing written. */
  gtk_editable_set_text (GTK_EDITABLE (password), "short");
  gtk_editable_set_text (GTK_EDITABLE (repeat), "short");
  g_assert_false (wallet_preferences_backup_save_to (page, file));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (password), "error"));
  gtk_editable_set_text (GTK_EDITABLE (password), "a long backup password");
  gtk_editable_set_text (GTK_EDITABLE (repeat), "a long backup passw0rd");
  g_assert_false (wallet_preferences_backup_save_to (page, file));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (repeat), "error"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_editable_set_text (GTK_EDITABLE (repeat), "a long backup password");
  g_assert_true (wallet_preferences_backup_save_to (page, file));
  g_assert_true (wallet_preferences_backup_get_busy (page));
  ui_test_spin_until (backup_done, page);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password)), ==, "");
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "preferences-backup");

  /* The file restores under that password, and the profile opens. */
  g_assert_true (semper_backup_restore (path, "a long backup password", restored, &info,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_files, >=, 3);
  profile = semper_test_open_profile (&fx->market, "restored");
  g_assert_true (semper_profile_has_identity (profile));
}

static void
test_link (Fixture       *fx,
           gconstpointer  data)
{
  AdwEntryRow *url, *account, *code;
  GtkButton *button;
  AdwExpanderRow *link;
  g_autofree char *wrong = NULL;

  open_window (fx);
  link = _wallet_preferences_payment_get_link_row (fx->page, &url, &account, &code, &button);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (link)));
  g_assert_false (gtk_widget_get_sensitive (
    GTK_WIDGET (_wallet_preferences_payment_get_withdraw_row (fx->page))));
  adw_expander_row_set_expanded (link, TRUE);

  /* A wrong code: the bank refuses, nothing is linked. */
  gtk_editable_set_text (GTK_EDITABLE (url), fx->bank_url);
  gtk_editable_set_text (GTK_EDITABLE (account), "alice");
  gtk_editable_set_text (GTK_EDITABLE (code), "not-the-code");
  g_signal_emit_by_name (button, "clicked");
  ui_test_spin_until (not_busy, fx->page);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (link)));
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "preferences-payment-link");

  gtk_editable_set_text (GTK_EDITABLE (code), "alice-code");
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (wallet_preferences_payment_get_busy (fx->page));
  ui_test_spin_until (not_busy, fx->page);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (link)));
  g_assert_true (gtk_widget_get_sensitive (
    GTK_WIDGET (_wallet_preferences_payment_get_withdraw_row (fx->page))));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (
    _wallet_preferences_payment_get_account_row (fx->page)), "100.00 EUR"));
  wrong = g_strdup (adw_preferences_row_get_title (
    ADW_PREFERENCES_ROW (_wallet_preferences_payment_get_account_row (fx->page))));
  g_assert_nonnull (strstr (wrong, "alice"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_dir = ui_test_setup_dirs ("semper-preferences-test-XXXXXX");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  /* Screenshots of finished states, not of rows in mid-animation. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/semper/ui/preferences/payment/order", Fixture, NULL, fixture_set_up,
              test_order_and_prefs, fixture_tear_down);
  g_test_add ("/semper/ui/preferences/backup", Fixture, NULL, fixture_set_up, test_backup,
              fixture_tear_down);
  g_test_add ("/semper/ui/preferences/payment/link", Fixture, "unlinked", fixture_set_up,
              test_link, fixture_tear_down);
  g_test_add ("/semper/ui/preferences/payment/withdraw", Fixture, "bank", fixture_set_up,
              test_withdraw, fixture_tear_down);

  status = g_test_run ();
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
