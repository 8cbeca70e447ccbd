/* test-shop.c: the Shop page
 *
 * The merchants the wallet knows (stored in the profile, added by address
 * or by a semper: link), the lazy catalog model over the 6000-article demo
 * catalog inside a real GtkListView (scrolling fetches only what is shown,
 * search narrows it), and screenshots of every page of the window in
 * English and German.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "semper-catalog.h"
#include "semper-profile.h"
#include "ui-test-util.h"
#include "wallet-application-private.h"
#include "wallet-shop-catalog-model.h"
#include "wallet-shop-merchants.h"
#include "wallet-shop-page.h"
#include "wallet-window.h"

#define PASSWORD "correct horse battery staple"

static char *test_dir;
static guint profile_counter;

static char *
fixed_password_cb (gboolean retry,
                   gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

static SemperProfile *
new_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("profile-%u", ++profile_counter);
  g_autofree char *dir = g_build_filename (test_dir, name, NULL);
  SemperProfile *profile;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, fixed_password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_create_identity (profile, "Erika Example", &error));
  g_assert_no_error (error);
  return profile;
}

/* ---- the stored merchants --------------------------------------------- */

static void
test_merchants_normalize (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "127.0.0.1:8444", "http://127.0.0.1:8444" },
    { "  http://shop.example:80/ ", "http://shop.example:80" },
    { "https://Shop.Example", "https://shop.example" },
    { "http://[::1]:9000", "http://[::1]:9000" },
  };
  static const char * const bad[] = {
    "", "   ", "ftp://shop.example", "http://user@shop.example:1", "http://shop.example/pay",
    "http://shop.example:1/?a=b", "http://shop.example:1#x", "http://sh op.example:1",
    "semper://shop.example:1/pay/x/y",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = wallet_shop_merchants_normalize (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, good[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = wallet_shop_merchants_normalize (bad[i], &error);

      g_assert_null (url);
      g_assert_error (error, WALLET_SHOP_MERCHANTS_ERROR, WALLET_SHOP_MERCHANTS_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "http://host:port"));
    }
}

static void
test_merchants_store (void)
{
  g_autoptr(SemperProfile) profile = new_profile ();
  g_autofree char *dir = g_strdup (semper_profile_get_dir (profile));
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) urls = NULL;
  g_auto(GStrv) again = NULL;

  urls = wallet_shop_merchants_load (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (urls), ==, 0);
  g_clear_pointer (&urls, g_strfreev);

  g_assert_true (wallet_shop_merchants_add (archive, "127.0.0.1:8444", &url, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8444");
  g_assert_true (wallet_shop_merchants_add (archive, "http://127.0.0.1:8445", NULL, &error));
  /* The same merchant again is not listed twice. */
  g_assert_true (wallet_shop_merchants_add (archive, "http://127.0.0.1:8444/", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (wallet_shop_merchants_add (archive, "not a url", NULL, &error));
  g_assert_error (error, WALLET_SHOP_MERCHANTS_ERROR, WALLET_SHOP_MERCHANTS_ERROR_INVALID);
  g_clear_error (&error);

  urls = wallet_shop_merchants_load (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (urls), ==, 2);
  g_assert_cmpstr (urls[0], ==, "http://127.0.0.1:8444");
  g_assert_cmpstr (urls[1], ==, "http://127.0.0.1:8445");

  /* Kept in the profile: another opening sees them. */
  g_clear_object (&profile);
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, fixed_password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  archive = semper_profile_get_archive (profile);
  again = wallet_shop_merchants_load (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (again, urls);

  g_assert_true (wallet_shop_merchants_remove (archive, "http://127.0.0.1:8444", &error));
  g_assert_no_error (error);
  g_clear_pointer (&urls, g_strfreev);
  urls = wallet_shop_merchants_load (archive, &error);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_cmpstr (urls[0], ==, "http://127.0.0.1:8445");
}

/* ---- the lazy catalog model ------------------------------------------ */

static gboolean
model_idle (gpointer data)
{
  return !wallet_shop_catalog_model_get_loading (data);
}

static void
test_catalog_model (void)
{
  g_autoptr(SemperCatalog) catalog = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  g_autoptr(WalletShopCatalogModel) model = wallet_shop_catalog_model_new_for_catalog (catalog);
  g_autoptr(WalletShopArticle) last = NULL;
  g_autoptr(WalletShopArticle) loaded = NULL;
  g_autoptr(WalletShopArticle) first = NULL;
  const SemperArticle *expected;
  g_autofree char *word = NULL;
  guint total = 0;
  g_autoptr(GPtrArray) matches = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  wallet_shop_catalog_model_set_query (model, NULL);
  ui_test_spin_until (model_idle, model);
  g_assert_null (wallet_shop_catalog_model_get_error (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    SEMPER_CATALOG_DEMO_SIZE);
  g_assert_cmpuint (wallet_shop_catalog_model_get_n_fetched (model), ==, 1);

  /* The last row is a placeholder until its page arrives; only that page is fetched. */
  last = g_list_model_get_item (G_LIST_MODEL (model), SEMPER_CATALOG_DEMO_SIZE - 1);
  g_assert_false (wallet_shop_article_is_loaded (last));
  ui_test_spin_until (model_idle, model);
  g_assert_cmpuint (wallet_shop_catalog_model_get_n_fetched (model), ==, 2);
  loaded = g_list_model_get_item (G_LIST_MODEL (model), SEMPER_CATALOG_DEMO_SIZE - 1);
  g_assert_true (wallet_shop_article_is_loaded (loaded));
  expected = semper_catalog_get_article (catalog, SEMPER_CATALOG_DEMO_SIZE - 1);
  g_assert_cmpstr (wallet_shop_article_get_article (loaded)->id, ==, expected->id);
  g_assert_cmpstr (wallet_shop_article_get_article (loaded)->title, ==, expected->title);

  /* A search narrows to what the catalog itself finds. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  word = g_utf8_strdown (wallet_shop_article_get_article (first)->category, -1);
  matches = semper_catalog_search (catalog, word, NULL, 0, 1, &total, NULL);
  g_assert_nonnull (matches);
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (total, <, SEMPER_CATALOG_DEMO_SIZE);
  wallet_shop_catalog_model_set_query (model, word);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  ui_test_spin_until (model_idle, model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, total);
  g_assert_cmpstr (wallet_shop_catalog_model_get_query (model), ==, word);

  /* A search that matches nothing leaves an empty model, not an error. */
  wallet_shop_catalog_model_set_query (model, "zzzqqqxxx");
  ui_test_spin_until (model_idle, model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (wallet_shop_catalog_model_get_error (model));
}

/* The model in a real GtkListView: showing the list fetches the pages on
 * screen, scrolling to the end fetches the end, never all 60 pages. */
static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  WalletShopArticle *article = gtk_list_item_get_item (item);
  const SemperArticle *a = wallet_shop_article_get_article (article);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), a != NULL ? a->title : "…");
}

static void
test_catalog_list_view (void)
{
  g_autoptr(SemperCatalog) catalog = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  WalletShopCatalogModel *model = wallet_shop_catalog_model_new_for_catalog (catalog);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view;
  GtkAdjustment *adjustment;
  guint fetched;

  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (model))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 600);
  g_object_ref (model);
  wallet_shop_catalog_model_set_query (model, NULL);
  ui_test_show_and_wait (GTK_WINDOW (window));
  ui_test_spin_until (model_idle, model);
  ui_test_wait_until_painted (window);
  ui_test_spin_until (model_idle, model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    SEMPER_CATALOG_DEMO_SIZE);
  fetched = wallet_shop_catalog_model_get_n_fetched (model);
  g_assert_cmpuint (fetched, >=, 1);
  g_assert_cmpuint (fetched, <=, 3);

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  ui_test_wait_until_painted (window);
  ui_test_spin_until (model_idle, model);
  ui_test_wait_until_painted (window);
  fetched = wallet_shop_catalog_model_get_n_fetched (model);
  g_assert_cmpuint (fetched, >=, 2);
  g_assert_cmpuint (fetched, <=, 8);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (model);
}

/* ---- the page in the window ------------------------------------------- */

typedef void (*Body) (WalletWindow *window, SemperProfile *profile);

typedef struct {
  WalletApplication *app;
  SemperProfile     *profile;
  Body               body;
  gboolean           ran;
} Run;

static gboolean
run_body_idle_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *window;

  _wallet_application_set_profile (run->app, run->profile);
  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  g_assert_true (WALLET_IS_WINDOW (window));
  ui_test_show_and_wait (window);
  run->body (WALLET_WINDOW (window), run->profile);
  run->ran = TRUE;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
activated_cb (Run *run)
{
  if (!run->ran)
    g_idle_add (run_body_idle_cb, run);
}

static void
run_in_window (Body body)
{
  char *argv[] = { (char *) "semper-wallet", NULL };
  Run run = { 0 };
  GList *windows;

  run.app = wallet_application_new ();
  g_application_set_flags (G_APPLICATION (run.app),
                           g_application_get_flags (G_APPLICATION (run.app))
                           | G_APPLICATION_NON_UNIQUE);
  _wallet_application_set_skip_profile (run.app, TRUE);
  run.profile = new_profile ();
  run.body = body;
  g_signal_connect_swapped (run.app, "activate", G_CALLBACK (activated_cb), &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 1, argv), ==, 0);
  g_assert_true (run.ran);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (run.app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (run.app);
  g_object_unref (run.profile);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (title == NULL
          || (ADW_IS_PREFERENCES_ROW (root)
              && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)),
                            title) == 0)))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
page_body (WalletWindow  *window,
           SemperProfile *profile)
{
  WalletShopPage *page = WALLET_SHOP_PAGE (find_widget (GTK_WIDGET (window),
                                                        WALLET_TYPE_SHOP_PAGE, NULL));
  AdwEntryRow *entry;
  GtkWidget *row;
  GtkWidget *remove;
  g_auto(GStrv) merchants = NULL;
  g_auto(GStrv) stored = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (page);
  wallet_window_set_visible_page (window, "shop");
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-empty");

  /* Typing an address and applying adds it. */
  entry = ADW_ENTRY_ROW (find_widget (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW, NULL));
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "127.0.0.1:8444");
  g_signal_emit_by_name (entry, "apply");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  merchants = wallet_shop_page_dup_merchants (page);
  g_assert_cmpuint (g_strv_length (merchants), ==, 1);
  g_assert_cmpstr (merchants[0], ==, "http://127.0.0.1:8444");
  stored = wallet_shop_merchants_load (semper_profile_get_archive (profile), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (stored, merchants);

  /* A bad address says what is wrong, next to the field. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "ftp://nowhere");
  g_signal_emit_by_name (entry, "apply");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_LABEL, NULL));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-bad-address");
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));

  /* A semper: link adds its merchant and says so. */
  g_assert_true (wallet_shop_page_open_uri (page, "semper://127.0.0.1:8445/pay/mail-order/A000001:2",
                                            &error));
  g_assert_no_error (error);
  g_clear_pointer (&merchants, g_strfreev);
  merchants = wallet_shop_page_dup_merchants (page);
  g_assert_cmpuint (g_strv_length (merchants), ==, 2);
  g_assert_cmpstr (merchants[1], ==, "http://127.0.0.1:8445");
  g_assert_nonnull (find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW,
                                 "semper://127.0.0.1:8445/pay/mail-order/A000001:2"));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-merchants");

  /* A link that is not one is refused, and nothing is added. */
  g_assert_false (wallet_shop_page_open_uri (page, "semper://evil@host/pay", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&merchants, g_strfreev);
  merchants = wallet_shop_page_dup_merchants (page);
  g_assert_cmpuint (g_strv_length (merchants), ==, 2);

  /* The trash button forgets a merchant. */
  row = find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, "http://127.0.0.1:8444");
  g_assert_nonnull (row);
  remove = find_widget (row, GTK_TYPE_BUTTON, NULL);
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_clear_pointer (&merchants, g_strfreev);
  merchants = wallet_shop_page_dup_merchants (page);
  g_assert_cmpuint (g_strv_length (merchants), ==, 1);
  g_assert_cmpstr (merchants[0], ==, "http://127.0.0.1:8445");
}

static void
test_page (void)
{
  run_in_window (page_body);
}

/* Every page of the window, in the language of the test's LANGUAGE. */
static const char *screenshot_suffix;

static void
screenshots_body (WalletWindow  *window,
                  SemperProfile *profile)
{
  static const char * const pages[] = { "shop", "activity", "receipts", "contracts",
                                        "disputes" };
  WalletShopPage *page = WALLET_SHOP_PAGE (find_widget (GTK_WIDGET (window),
                                                        WALLET_TYPE_SHOP_PAGE, NULL));
  g_autoptr(GError) error = NULL;

  g_assert_true (wallet_shop_page_add_merchant (page, "http://127.0.0.1:8444", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("page-%s-%s", pages[i], screenshot_suffix);

      wallet_window_set_visible_page (window, pages[i]);
      ui_test_save_screenshot (GTK_WIDGET (window), name);
    }
}

static void
test_screenshots (gconstpointer data)
{
  const char *language = data;

  g_setenv ("LANGUAGE", language, TRUE);
  setlocale (LC_ALL, "");  /* makes gettext read LANGUAGE again */
  if (g_strcmp0 (language, "de") == 0)
    g_assert_cmpstr (_("Shop"), ==, "Einkaufen");
  screenshot_suffix = language;
  run_in_window (screenshots_body);
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  int status;

  test_dir = ui_test_setup_dirs ("semper-shop-test-XXXXXX");
  locale_dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "en", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/semper/ui/shop/merchants/normalize", test_merchants_normalize);
  g_test_add_func ("/semper/ui/shop/merchants/store", test_merchants_store);
  g_test_add_func ("/semper/ui/shop/catalog/model", test_catalog_model);
  g_test_add_func ("/semper/ui/shop/catalog/list-view", test_catalog_list_view);
  g_test_add_func ("/semper/ui/shop/page", test_page);
  g_test_add_data_func ("/semper/ui/shop/screenshots/en", "en", test_screenshots);
  g_test_add_data_func ("/semper/ui/shop/screenshots/de", "de", test_screenshots);

  status = g_test_run ();

  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
