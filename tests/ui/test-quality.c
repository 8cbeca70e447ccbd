/* test-quality.c: what a user notices across the whole wallet
 *
 * Every page of the window (with an archive to show and with an empty
 * profile), every preferences page, the setup window and the trusted
 * display, in English and in German, light and dark: a PNG of each in
 * <builddir>/screenshots/quality-*.png, for a person to look at. On each of
 * them, the widget tree is walked:
 *  - every button, entry, drop-down, switch and check button has a name a
 *    screen reader can say: text it shows, an accessible label, or a
 *    labelled-by relation (a row's own controls are named by its title);
 *  - every label with a mnemonic has a widget to focus or activate;
 *  - no text that the English run shows is shown unchanged in German,
 *    except the data and the words that German spells the same.
 * And the keyboard: Tab reaches every control of the Receipts page, and
 * Alt+1 … Alt+5 switch the pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "semper-profile.h"
#include "ui-test-util.h"
#include "wallet-application-private.h"
#include "wallet-disputes-page.h"
#include "wallet-preferences-window.h"
#include "wallet-receipts-page.h"
#include "wallet-setup-window-private.h"
#include "wallet-shop-merchants.h"
#include "wallet-trusted-display-private.h"
#include "wallet-window.h"

static char *test_dir;

/* What the English run showed, per screenshot: the German run of the same
 * screenshot must not show any of it again (but for the data). */
static GHashTable *english_texts;   /* state name -> GHashTable of texts */

/* Shown alike in both languages: the data of the test's archive and of the
 * profile, names, and words that German spells as English does. */
static const char * const same_in_german[] = {
  "Semper Wallet", "Erika Example", "Bookshop", "Café Olé", "Bob Builder",
  "The Kranich atlas", "Espresso beans", "Kitchen renovation", "Garden shed",
  "gift books", "for Anna", "ecash", "account", "paid", "refunded", "signed",
  "aborted", "open", "not-delivered", "http://127.0.0.1:8444", "http://127.0.0.1:8445",
  "EUR", "Name", "Details", "E-Cash", "Backup", "Export…", "Status", "TTP", "SHA-256",
  NULL
};

/* ---- profiles ---------------------------------------------------------- */

static void
insert_record (SemperArchive           *archive,
               SemperArchiveRecordKind  kind,
               const char              *counterparty,
               const char              *title,
               gint64                   minor,
               const char              *system,
               const char              *state,
               gint64                   time)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };

  r.counterparty = (char *) counterparty;
  r.title = (char *) title;
  if (minor > 0)
    {
      r.amount.minor = minor;
      strcpy (r.amount.currency, "EUR");
    }
  r.payment_system = (char *) system;
  r.state = (char *) state;
  r.time = time;
  r.text = (char *) title;
  g_assert_cmpint (semper_archive_record_insert (archive, kind, &r, &error), >, 0);
  g_assert_no_error (error);
}

/* A profile with something on every page: merchants, receipts (one with
 * labels and a note), a signed and an aborted contract, a dispute. */
static SemperProfile *
full_profile (void)
{
  SemperProfile *profile = ui_test_new_profile (test_dir);
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autoptr(GError) error = NULL;
  SemperArchiveDispute dispute = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (wallet_shop_merchants_add (archive, "http://127.0.0.1:8444", NULL, &error));
  g_assert_true (wallet_shop_merchants_add (archive, "http://127.0.0.1:8445", NULL, &error));
  g_assert_no_error (error);
  insert_record (archive, SEMPER_ARCHIVE_RECEIPTS, "Bookshop", "The Kranich atlas", 4990,
                 "ecash", "paid", now - 3600);
  insert_record (archive, SEMPER_ARCHIVE_RECEIPTS, "Café Olé", "Espresso beans", 1250,
                 "account", "refunded", now - 7200);
  g_assert_true (semper_archive_record_set_labels (archive, SEMPER_ARCHIVE_RECEIPTS, 1,
                                                   "gift books", "for Anna", &error));
  g_assert_no_error (error);
  insert_record (archive, SEMPER_ARCHIVE_CONTRACTS, "Bob Builder", "Kitchen renovation", 0,
                 NULL, "signed", now - 86400);
  insert_record (archive, SEMPER_ARCHIVE_CONTRACTS, "Bob Builder", "Garden shed", 0,
                 NULL, "aborted", now - 2 * 86400);
  g_free (semper_archive_exchange_create (archive, "tx-1", "purchase", "buyer", "Bookshop",
                                          "done", &error));
  g_assert_no_error (error);
  dispute.exchange_id = (char *) "tx-1";
  dispute.receipt_id = 1;
  dispute.claim = (char *) "not-delivered";
  dispute.state = (char *) "open";
  semper_archive_dispute_insert (archive, &dispute, &error);
  g_assert_no_error (error);
  return profile;
}

/* ---- language and style ------------------------------------------------ */

static void
set_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  setlocale (LC_ALL, "");  /* makes gettext read LANGUAGE again */
  if (g_str_equal (language, "de"))
    g_assert_cmpstr (_("Receipts"), ==, "Belege");
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_FORCE_LIGHT);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- the walk ---------------------------------------------------------- */

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

static char *
describe (GtkWidget *widget)
{
  GString *s = g_string_new (G_OBJECT_TYPE_NAME (widget));
  const char *id = GTK_IS_BUILDABLE (widget)
                   ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : NULL;

  if (id != NULL)
    g_string_append_printf (s, "#%s", id);
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (s, "[icon %s]", gtk_button_get_icon_name (GTK_BUTTON (widget)));
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)))
    g_string_append_printf (s, "[icon %s]",
                            gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)));
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_string_append_printf (s, "[tooltip “%s”]", gtk_widget_get_tooltip_text (widget));
  for (GtkWidget *p = gtk_widget_get_parent (widget); p != NULL; p = gtk_widget_get_parent (p))
    if (g_str_has_prefix (G_OBJECT_TYPE_NAME (p), "Wallet"))
      {
        g_string_append_printf (s, " in %s", G_OBJECT_TYPE_NAME (p));
        break;
      }
  return g_string_free (s, FALSE);
}

/* Text that the widget or something inside it shows. */
static gboolean
shows_text (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && has_text (gtk_label_get_text (GTK_LABEL (widget))))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (shows_text (c))
      return TRUE;
  return FALSE;
}

static gboolean
accessible_named (GtkWidget *widget)
{
  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                           GTK_ACCESSIBLE_PROPERTY_LABEL)
         || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                              GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || ADW_IS_SPLIT_BUTTON (widget)
         || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SWITCH (widget) || GTK_IS_DROP_DOWN (widget)
         || GTK_IS_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget)
         || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_TEXT (widget)
         || GTK_IS_TEXT_VIEW (widget) || GTK_IS_SCALE (widget);
}

/* A row's own controls (an entry row's text, a combo row's list, the
 * widget that activating an action row activates) are announced with the
 * row's title. */
static gboolean
named_by_row (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);

  if (row == NULL || !has_text (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))))
    return FALSE;
  if (ADW_IS_ACTION_ROW (row))
    return adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget;
  return FALSE;
}

typedef struct {
  GPtrArray  *problems;
  GHashTable *texts;
} Walk;

static gboolean
mnemonic_has_target (GtkLabel *label)
{
  GtkWidget *w = GTK_WIDGET (label);

  if (gtk_label_get_mnemonic_widget (label) != NULL)
    return TRUE;
  /* A button, check button or row activates itself with its label's key. */
  for (GtkWidget *p = gtk_widget_get_parent (w); p != NULL; p = gtk_widget_get_parent (p))
    if (GTK_IS_BUTTON (p) || GTK_IS_CHECK_BUTTON (p) || GTK_IS_MENU_BUTTON (p)
        || ADW_IS_PREFERENCES_ROW (p) || GTK_IS_POPOVER_MENU (p))
      return TRUE;
  return FALSE;
}

static void
walk (GtkWidget *widget,
      Walk      *w)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  /* GTK 4.8's own title bar buttons (minimize, maximize, close) have no
   * accessible names; that is GTK's to fix, not ours. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;

  /* Entry rows and combo rows are one control, named by their title. */
  if (ADW_IS_ENTRY_ROW (widget) || ADW_IS_COMBO_ROW (widget))
    {
      if (!has_text (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)))
          && !accessible_named (widget))
        g_ptr_array_add (w->problems, g_strdup_printf ("no name: %s", describe (widget)));
      return;
    }
  if (is_control (widget))
    {
      if (!accessible_named (widget) && !named_by_row (widget)
          && !((GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)
                || GTK_IS_MENU_BUTTON (widget) || ADW_IS_SPLIT_BUTTON (widget))
               && shows_text (widget)))
        {
          g_autofree char *d = describe (widget);
          g_ptr_array_add (w->problems, g_strdup_printf ("no accessible name: %s", d));
        }
      /* Their insides (a button's label, an entry's text) are theirs. */
      if (!GTK_IS_BUTTON (widget) && !GTK_IS_CHECK_BUTTON (widget))
        return;
    }
  if (GTK_IS_LABEL (widget))
    {
      GtkLabel *label = GTK_LABEL (widget);

      if (has_text (gtk_label_get_text (label)))
        g_hash_table_add (w->texts, g_strdup (gtk_label_get_text (label)));
      if (gtk_label_get_use_underline (label)
          && gtk_label_get_mnemonic_keyval (label) != GDK_KEY_VoidSymbol
          && !mnemonic_has_target (label))
        g_ptr_array_add (w->problems,
                         g_strdup_printf ("mnemonic without a target: “%s” %s",
                                          gtk_label_get_label (label), describe (widget)));
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    walk (c, w);
}

static gboolean
same_in_both (const char *text)
{
  gboolean letters = FALSE;

  if (g_strv_contains (same_in_german, text))
    return TRUE;
  /* Numbers, amounts, dates, counts, fingerprints: no word in them. */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)) && g_unichar_isalpha (g_utf8_get_char (
          g_utf8_next_char (p))))
      letters = TRUE;
  if (!letters)
    return TRUE;
  /* Fingerprints in groups of four. */
  if (g_regex_match_simple ("^([0-9a-fA-F]{4} ?)+…?$", text, 0, 0))
    return TRUE;
  /* Times and amounts with a currency or a month abbreviation. */
  if (g_regex_match_simple ("^[0-9 :.,/–-]*(EUR|[A-Z][a-z]{2}|[0-9A-F:]+)?[0-9 :.,/–-]*$",
                            text, 0, 0))
    return TRUE;
  return FALSE;
}

/* Saves the screenshot QUALITY-NAME-LANG[-dark] of @widget and checks its
 * tree: names, mnemonics, and (in German) nothing left in English. */
static void
check (GtkWidget  *widget,
       const char *name,
       const char *language,
       gboolean    dark)
{
  g_autofree char *file = g_strdup_printf ("quality-%s-%s%s", name, language,
                                           dark ? "-dark" : "");
  Walk w = { g_ptr_array_new_with_free_func (g_free),
             g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  g_autoptr(GPtrArray) problems = w.problems;
  g_autoptr(GHashTable) texts = w.texts;

  /* Let transitions end first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ui_test_save_screenshot (widget, file);
  walk (widget, &w);

  /* Nothing went wrong, so no error may show (a toast is in the tree too). */
  {
    GHashTableIter iter;
    const char *text;

    g_hash_table_iter_init (&iter, texts);
    while (g_hash_table_iter_next (&iter, (gpointer *) &text, NULL))
      if (g_str_has_prefix (text, "Could not") || g_str_has_prefix (text, "Konnte nicht"))
        g_ptr_array_add (problems, g_strdup_printf ("an error is shown: “%s”", text));
  }
  if (g_str_equal (language, "en") && !dark)
    g_hash_table_insert (english_texts, g_strdup (name), g_hash_table_ref (texts));
  else if (g_str_equal (language, "de"))
    {
      GHashTable *english = g_hash_table_lookup (english_texts, name);
      GHashTableIter iter;
      const char *text;

      g_assert_nonnull (english);
      g_hash_table_iter_init (&iter, texts);
      while (g_hash_table_iter_next (&iter, (gpointer *) &text, NULL))
        if (g_hash_table_contains (english, text) && !same_in_both (text))
          g_ptr_array_add (problems, g_strdup_printf ("not translated: “%s”", text));
    }

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s: %s", file, (char *) problems->pdata[i]);
  if (problems->len > 0)
    g_test_fail_printf ("%s: %u problems (listed above)", file, problems->len);
}

/* ---- the window -------------------------------------------------------- */

/* The window is as large as a laptop's. */
static void
run_in_window (SemperProfile *profile,
               UiTestBody     body,
               gpointer       data)
{
  ui_test_run_in_window (profile, 1100, 720, body, data);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_by_id (GtkWidget  *root,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_id (c, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
find_all (GtkWidget *root,
          GType      type,
          GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (out, root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    find_all (c, type, out);
}

static const char * const pages[] = { "shop", "activity", "receipts", "contracts", "disputes" };

typedef struct {
  const char *language;
  gboolean    empty;
} Pass;

static void
preferences (WalletWindow  *window,
             SemperProfile *profile,
             const Pass    *pass,
             gboolean       dark)
{
  WalletApplication *app = WALLET_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  WalletPreferencesWindow *prefs =
    wallet_preferences_window_new (GTK_WINDOW (window), wallet_application_get_settings (app));
  g_autoptr(GPtrArray) prefs_pages = g_ptr_array_new ();

  wallet_preferences_window_set_profile (prefs, profile);
  gtk_window_set_default_size (GTK_WINDOW (prefs), 720, 760);
  ui_test_show_and_wait (GTK_WINDOW (prefs));
  find_all (GTK_WIDGET (prefs), ADW_TYPE_PREFERENCES_PAGE, prefs_pages);
  /* The window's pages have a title; the search results page has none. */
  for (guint i = prefs_pages->len; i > 0; i--)
    if (!has_text (adw_preferences_page_get_title (prefs_pages->pdata[i - 1])))
      g_ptr_array_remove_index (prefs_pages, i - 1);
  g_assert_cmpuint (prefs_pages->len, ==, 3);
  for (guint i = 0; i < prefs_pages->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("preferences-%u", i + 1);

      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                               prefs_pages->pdata[i]);
      check (GTK_WIDGET (prefs), name, pass->language, dark);
    }
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
window_body (WalletWindow  *window,
             SemperProfile *profile,
             gpointer       data)
{
  const Pass *pass = data;

  for (int dark = 0; dark <= 1; dark++)
    {
      set_dark (dark);
      for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
        {
          g_autofree char *name = g_strdup_printf ("%s%s", pass->empty ? "empty-" : "",
                                                   pages[i]);

          wallet_window_set_visible_page (window, pages[i]);
          if (!pass->empty && g_str_equal (pages[i], "receipts"))
            {
              WalletReceiptsPage *receipts =
                WALLET_RECEIPTS_PAGE (find_widget (GTK_WIDGET (window),
                                                   WALLET_TYPE_RECEIPTS_PAGE));

              g_assert_cmpuint (g_list_model_get_n_items (
                G_LIST_MODEL (wallet_receipts_page_get_model (receipts))), ==, 2);
              g_assert_true (wallet_receipts_page_select (receipts, 0));
            }
          check (GTK_WIDGET (window), name, pass->language, dark);
        }
      if (!pass->empty)
        preferences (window, profile, pass, dark);
      /* Empty states in one style are enough. */
      if (pass->empty)
        break;
    }
  set_dark (FALSE);
}

static void
test_window (gconstpointer data)
{
  const Pass *pass = data;
  g_autoptr(SemperProfile) profile = pass->empty ? ui_test_new_profile (test_dir)
                                                 : full_profile ();

  set_language (pass->language);
  run_in_window (profile, window_body, (gpointer) pass);
  set_language ("en");
}

/* ---- the setup window and the trusted display --------------------------- */

static void
test_setup (gconstpointer data)
{
  const char *language = data;
  g_autofree char *dir = g_build_filename (test_dir, "setup-profile", NULL);
  WalletSetupWindow *setup;
  GtkWidget *next;

  set_language (language);
  setup = wallet_setup_window_new (NULL, dir);
  next = _wallet_setup_window_get_widget (setup, "next");
  gtk_stack_set_transition_type (
    GTK_STACK (gtk_widget_get_ancestor (_wallet_setup_window_get_widget (setup, "name"),
                                        GTK_TYPE_STACK)),
    GTK_STACK_TRANSITION_TYPE_NONE);
  ui_test_show_and_wait (GTK_WINDOW (setup));
  check (GTK_WIDGET (setup), "setup-welcome", language, FALSE);
  g_signal_emit_by_name (next, "clicked");
  gtk_editable_set_text (GTK_EDITABLE (_wallet_setup_window_get_widget (setup, "name")),
                         "Erika Example");
  check (GTK_WIDGET (setup), "setup-name", language, FALSE);
  g_signal_emit_by_name (next, "clicked");
  gtk_editable_set_text (GTK_EDITABLE (_wallet_setup_window_get_widget (setup, "password")),
                         UI_TEST_PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (_wallet_setup_window_get_widget (setup, "repeat")),
                         "correct horse");
  check (GTK_WIDGET (setup), "setup-password", language, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (_wallet_setup_window_get_widget (setup, "repeat")),
                         UI_TEST_PASSWORD);
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "register");
  check (GTK_WIDGET (setup), "setup-register", language, FALSE);
  set_dark (TRUE);
  check (GTK_WIDGET (setup), "setup-register", language, TRUE);
  set_dark (FALSE);
  gtk_window_destroy (GTK_WINDOW (setup));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  set_language ("en");
}

static void
test_trusted_display (gconstpointer data)
{
  const char *language = data;
  static const char document[] =
    "Semper-Document: order/1\n"
    "Merchant: Bookshop\n"
    "Date: 2026-11-24T10:00:00Z\n"
    "Item: 1 x The Kranich atlas @ 49.90 EUR\n"
    "Total: 49.90 EUR\n"
    "\n"
    "Delivery within five working days.\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (document, sizeof document - 1);
  g_autoptr(GError) error = NULL;
  WalletTrustedDisplay *display;

  set_language (language);
  display = wallet_trusted_display_new (bytes, "order", NULL, NULL, &error);
  g_assert_no_error (error);
  ui_test_show_and_wait (GTK_WINDOW (display));
  /* The purpose is said in the user's language in the title too. */
  {
    AdwWindowTitle *title = ADW_WINDOW_TITLE (find_widget (GTK_WIDGET (display),
                                                           ADW_TYPE_WINDOW_TITLE));

    g_assert_nonnull (title);
    g_assert_cmpstr (adw_window_title_get_subtitle (title), ==,
                     g_str_equal (language, "de") ? "Bestellung unterschreiben"
                                                  : "Sign this order");
  }
  for (int dark = 0; dark <= 1; dark++)
    {
      set_dark (dark);
      check (GTK_WIDGET (display), "trusted-display", language, dark);
    }
  set_dark (FALSE);
  wallet_trusted_display_cancel (display);
  gtk_window_destroy (GTK_WINDOW (display));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  set_language ("en");
}

/* ---- the keyboard ------------------------------------------------------ */

static gboolean
focus_within (GtkWidget *focus,
              GtkWidget *widget)
{
  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
keyboard_body (WalletWindow  *window,
               SemperProfile *profile,
               gpointer       data)
{
  static const char * const reached[] = {
    "search_entry", "filter_button", "sort_dropdown", "export_button", "column_view",
    "labels_entry", "note_entry", "save_button",
  };
  WalletReceiptsPage *receipts;
  GtkWidget *targets[G_N_ELEMENTS (reached)];
  gboolean seen[G_N_ELEMENTS (reached)] = { FALSE };

  /* Alt+N: the pages, in the order of the switcher, through the window's
   * own shortcuts (what a key press runs). */
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *accel = g_strdup_printf ("<Alt>%u", i + 1);
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
      gboolean ran = FALSE;

      wallet_window_set_visible_page (window, i == 0 ? "disputes" : "shop");
      for (guint c = 0; c < g_list_model_get_n_items (controllers) && !ran; c++)
        {
          g_autoptr(GObject) controller = g_list_model_get_item (controllers, c);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller),
                                                                       k);
              g_autofree char *trigger =
                gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

              if (g_str_equal (trigger, accel))
                {
                  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                               0, GTK_WIDGET (window),
                                                               gtk_shortcut_get_arguments (
                                                                 shortcut)));
                  ran = TRUE;
                  break;
                }
            }
        }
      g_assert_true (ran);
      g_assert_cmpstr (wallet_window_get_visible_page (window), ==, pages[i]);
    }

  /* Tab goes round every control of the Receipts page with a receipt
   * selected: search, filters, order, list, and the detail's fields. */
  wallet_window_set_visible_page (window, "receipts");
  receipts = WALLET_RECEIPTS_PAGE (find_widget (GTK_WIDGET (window), WALLET_TYPE_RECEIPTS_PAGE));
  g_assert_true (wallet_receipts_page_select (receipts, 0));
  for (guint i = 0; i < G_N_ELEMENTS (reached); i++)
    {
      targets[i] = find_by_id (GTK_WIDGET (receipts), reached[i]);
      g_assert_nonnull (targets[i]);
    }
  ui_test_wait_until_painted (GTK_WIDGET (window));
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  for (guint step = 0; step < 80; step++)
    {
      GtkWidget *focus;

      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD)
                     || step > 0);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      for (guint i = 0; i < G_N_ELEMENTS (reached); i++)
        if (focus_within (focus, targets[i]))
          seen[i] = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (reached); i++)
    if (!seen[i])
      g_test_fail_printf ("Tab never reaches %s", reached[i]);
}

static void
test_keyboard (void)
{
  g_autoptr(SemperProfile) profile = full_profile ();

  run_in_window (profile, keyboard_body, NULL);
}

/* ---- labels and notes on a dispute ------------------------------------ */

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_str_equal (gtk_widget_get_name (root), name))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
dispute_labels_body (WalletWindow  *window,
                     SemperProfile *profile,
                     gpointer       data)
{
  WalletDisputesPage *page =
    WALLET_DISPUTES_PAGE (find_widget (GTK_WIDGET (window), WALLET_TYPE_DISPUTES_PAGE));
  g_autoptr(GArray) ids = wallet_disputes_page_dup_ids (page);
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) disputes = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *row, *button;
  GPtrArray *entries = g_ptr_array_new ();
  gint64 id;

  wallet_window_set_visible_page (window, "disputes");
  g_assert_cmpuint (ids->len, ==, 1);
  id = g_array_index (ids, gint64, 0);

  /* Through the row's button and its dialog, as a user does. */
  row = wallet_disputes_page_get_row (page, id);
  g_assert_nonnull (row);
  button = find_named (row, "labels");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w))
        dialog = ADW_MESSAGE_DIALOG (w);
    }
  g_assert_nonnull (dialog);
  ui_test_wait_until_painted (GTK_WIDGET (dialog));
  check (GTK_WIDGET (dialog), "dispute-labels", "en", FALSE);
  find_all (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_ENTRY, entries);
  g_assert_cmpuint (entries->len, ==, 2);
  gtk_editable_set_text (GTK_EDITABLE (entries->pdata[0]), "atlas gift");
  gtk_editable_set_text (GTK_EDITABLE (entries->pdata[1]), "Ask Anna for the tracking number");
  adw_message_dialog_response (dialog, "save");
  g_ptr_array_unref (entries);

  /* Stored in the archive, shown in the row. */
  disputes = semper_archive_dispute_list (semper_profile_get_archive (profile), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((SemperArchiveDispute *) disputes->pdata[0])->labels, ==, "atlas gift");
  g_assert_cmpstr (((SemperArchiveDispute *) disputes->pdata[0])->note, ==,
                   "Ask Anna for the tracking number");
  row = wallet_disputes_page_get_row (page, id);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "atlas gift"));
  check (GTK_WIDGET (window), "disputes-labelled", "en", FALSE);

  /* Searched: every word, in labels, note or claim, any case. */
  wallet_disputes_page_set_search (page, "anna TRACKING");
  g_assert_nonnull (wallet_disputes_page_get_row (page, id));
  wallet_disputes_page_set_search (page, "atlas delivered");
  g_assert_nonnull (wallet_disputes_page_get_row (page, id));
  wallet_disputes_page_set_search (page, "atlas refund");
  g_assert_null (wallet_disputes_page_get_row (page, id));
  wallet_disputes_page_set_search (page, "");
  g_assert_nonnull (wallet_disputes_page_get_row (page, id));
}

static void
test_dispute_labels (void)
{
  g_autoptr(SemperProfile) profile = full_profile ();

  run_in_window (profile, dispute_labels_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  static const Pass passes[] = {
    { "en", FALSE }, { "de", FALSE }, { "en", TRUE }, { "de", TRUE },
  };
  g_autofree char *locale_dir = NULL;
  int status;

  test_dir = ui_test_setup_dirs ("semper-quality-test-XXXXXX");
  locale_dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GLib decides once, on the first g_dgettext() (which GtkBuilder and
   * g_dngettext use), whether to translate at all: not when the program's
   * domain has no catalogue for the language then. Decide it in German. */
  g_setenv ("LANGUAGE", "de", TRUE);
  setlocale (LC_ALL, "");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Receipts"), ==, "Belege");
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
  english_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);

  /* The tests' GTK_A11Y=none keeps no accessible properties at all; the
   * test backend keeps them, without a screen reader or a bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  /* English before German: the German run compares with what English showed. */
  g_test_add_data_func ("/semper/ui/quality/window/en", &passes[0], test_window);
  g_test_add_data_func ("/semper/ui/quality/window/de", &passes[1], test_window);
  g_test_add_data_func ("/semper/ui/quality/empty/en", &passes[2], test_window);
  g_test_add_data_func ("/semper/ui/quality/empty/de", &passes[3], test_window);
  g_test_add_data_func ("/semper/ui/quality/setup/en", "en", test_setup);
  g_test_add_data_func ("/semper/ui/quality/setup/de", "de", test_setup);
  g_test_add_data_func ("/semper/ui/quality/trusted-display/en", "en", test_trusted_display);
  g_test_add_data_func ("/semper/ui/quality/trusted-display/de", "de", test_trusted_display);
  g_test_add_func ("/semper/ui/quality/keyboard", test_keyboard);
  g_test_add_func ("/semper/ui/quality/dispute-labels", test_dispute_labels);

  status = g_test_run ();
  g_hash_table_unref (english_texts);
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
