/* test-shop.c: the Shop page
 *
 * The merchants the wallet knows (stored in the profile, added by address
 * or by a semper: link), the lazy catalog model over the 6000-article demo
 * catalog inside a real GtkListView (scrolling fetches only what is shown,
 * search narrows it), and screenshots of every page of the window in
 * English and German. Then, against the real marketplace of `semper demo`
 * (CA, bank, TTP and the three merchants as processes on loopback): a
 * merchant's certified services, its catalog scrolled and searched, and a
 * complete purchase driven through the window, signed through the trusted
 * display's code path, whose receipt appears in Receipts and verifies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "semper-archive.h"
#include "semper-catalog.h"
#include "semper-dispute.h"
#include "semper-prefs.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-shop-client.h"
#include "ui-test-util.h"
#include "wallet-activity-page.h"
#include "wallet-application-private.h"
#include "wallet-disputes-page.h"
#include "wallet-exchanges.h"
#include "wallet-receipts-page.h"
#include "wallet-shop-merchant-view.h"
#include "wallet-trusted-display-private.h"
#include "wallet-shop-catalog-model.h"
#include "wallet-shop-merchants.h"
#include "wallet-shop-page.h"
#include "wallet-preferences-window.h"
#include "wallet-window.h"

static char *test_dir;

static SemperProfile *
new_profile (void)
{
  return ui_test_new_profile (test_dir);
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
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, ui_test_password_cb, NULL,
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

/* ---- the demo marketplace --------------------------------------------- */

typedef struct {
  GSubprocess *process;
  char       *state;
  char       *wallet;
  char       *password;
  GHashTable *urls;      /* server name → URL */
} Market;

static Market *market;
/* One opening of the demo's wallet profile for all the tests: a profile is
 * locked by the process that opens it. */
static SemperProfile *market_wallet;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGINT);
}

/* `semper --json demo --headless --serve` prints one JSON object once every
 * server is up, then serves until SIGINT. */
static void
market_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                              NULL);
  g_autofree char *state = g_build_filename (test_dir, "market", NULL);
  char *argv[] = { semper, (char *) "--json", (char *) "demo", (char *) "--headless",
                   (char *) "--serve", (char *) "--state", state, NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *password = NULL;
  g_autofree char *password_file = NULL;
  JsonObject *root;
  JsonArray *servers;

  if (market != NULL)
    return;
  market = g_new0 (Market, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* If this test dies, the demo gets the Ctrl-C that stops its servers. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  market->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  market->state = g_strdup (state);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (market->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);  /* the demo ended before it was up */
      g_string_append_printf (text, "%s\n", line);
      if (strcmp (line, "}") == 0)
        break;
    }
  g_assert_true (json_parser_load_from_data (parser, text->str, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  market->wallet = g_strdup (json_object_get_string_member (root, "wallet"));
  password_file = g_strdup (json_object_get_string_member (root, "password_file"));
  g_file_get_contents (password_file, &password, NULL, &error);
  g_assert_no_error (error);
  market->password = g_strdup (g_strchomp (password));
  market->urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  servers = json_object_get_array_member (root, "servers");
  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonObject *server = json_array_get_object_element (servers, i);

      g_hash_table_insert (market->urls,
                           g_strdup (json_object_get_string_member (server, "name")),
                           g_strdup (json_object_get_string_member (server, "url")));
    }
  g_assert_nonnull (g_hash_table_lookup (market->urls, "courseware"));
  g_assert_nonnull (g_hash_table_lookup (market->urls, "mail-order"));
}

static void
market_stop (void)
{
  g_clear_object (&market_wallet);
  if (market == NULL)
    return;
  /* Ctrl-C: the demo stops its servers and ends. */
  g_subprocess_send_signal (market->process, SIGINT);
  g_subprocess_wait (market->process, NULL, NULL);
  g_clear_object (&market->process);
  g_hash_table_unref (market->urls);
  g_free (market->state);
  g_free (market->wallet);
  g_free (market->password);
  g_clear_pointer (&market, g_free);
}

static char *
market_password_cb (gboolean retry,
                    gpointer user_data)
{
  return retry ? NULL : g_strdup (market->password);
}

static SemperProfile *
market_profile (void)
{
  g_autoptr(GError) error = NULL;

  market_start ();
  if (market_wallet == NULL)
    market_wallet = semper_profile_open (market->wallet, SEMPER_PROFILE_OPEN_DEFAULT,
                                         market_password_cb, NULL, &error);
  g_assert_no_error (error);
  return g_object_ref (market_wallet);
}

/* ---- the page in the window ------------------------------------------- */

static void
run_in_window_with (UiTestBody       body,
                    SemperProfile *(*make_profile) (void))
{
  g_autoptr(SemperProfile) profile = make_profile ();

  ui_test_run_in_window (profile, 0, 0, body, NULL);
}

static void
run_in_window (UiTestBody body)
{
  run_in_window_with (body, new_profile);
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
           SemperProfile *profile,
           gpointer       data)
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
  g_assert_true (wallet_shop_page_open_uri (page,
                                            "semper://127.0.0.1:8445/pay/mail-order/A000001:2",
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

/* ---- against the marketplace ------------------------------------------ */

static WalletShopPage *
shop_page_of (WalletWindow *window)
{
  WalletShopPage *page = WALLET_SHOP_PAGE (find_widget (GTK_WIDGET (window),
                                                        WALLET_TYPE_SHOP_PAGE, NULL));

  g_assert_nonnull (page);
  return page;
}

static gboolean
view_settled (gpointer data)
{
  const char *step = wallet_shop_merchant_view_get_step (data);

  return g_strcmp0 (step, "loading") != 0 && g_strcmp0 (step, "progress") != 0;
}

/* Adds the merchant by its address, opens it by activating its row, and
 * waits for its services to be checked. */
static WalletShopMerchantView *
open_merchant (WalletWindow *window,
               const char   *name)
{
  WalletShopPage *page = shop_page_of (window);
  const char *url = g_hash_table_lookup (market->urls, name);
  g_autoptr(GError) error = NULL;
  WalletShopMerchantView *view;
  GtkWidget *row;

  wallet_window_set_visible_page (window, "shop");
  g_assert_true (wallet_shop_page_add_merchant (page, url, &error));
  g_assert_no_error (error);
  row = find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, url);
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activated");
  view = wallet_shop_page_get_merchant_view (page);
  g_assert_nonnull (view);
  ui_test_spin_until (view_settled, view);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "services");
  return view;
}

static GtkWidget *
find_named (GtkWidget  *root,
            GType       type,
            const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && g_strcmp0 (gtk_widget_get_name (root), name) == 0
      && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
click (GtkWidget *root,
       const char *name)
{
  GtkWidget *button;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  button = find_named (root, GTK_TYPE_BUTTON, name);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static WalletShopCatalogModel *
catalog_model_of (WalletShopMerchantView *view)
{
  GtkListView *list = GTK_LIST_VIEW (find_widget (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW, NULL));
  GtkSelectionModel *selection = gtk_list_view_get_model (list);

  return WALLET_SHOP_CATALOG_MODEL (gtk_single_selection_get_model (
                                      GTK_SINGLE_SELECTION (selection)));
}

typedef struct {
  WalletShopCatalogModel *model;
  const char             *query;
} QueryWait;

static gboolean
query_done (gpointer data)
{
  QueryWait *w = data;

  return g_strcmp0 (wallet_shop_catalog_model_get_query (w->model), w->query) == 0
         && !wallet_shop_catalog_model_get_loading (w->model);
}

static void
catalog_body (WalletWindow  *window,
              SemperProfile *profile,
              gpointer       data)
{
  WalletShopMerchantView *view = open_merchant (window, "mail-order");
  g_autoptr(SemperCatalog) local = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  WalletShopCatalogModel *model;
  GtkListView *list;
  GtkAdjustment *adjustment;
  GtkSearchEntry *search;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(WalletShopArticle) first = NULL;
  g_autoptr(WalletShopArticle) last = NULL;
  QueryWait w = { 0 };
  guint total = 0;
  guint fetched;

  ui_test_save_screenshot (GTK_WIDGET (window), "shop-services-mail-order");
  click (GTK_WIDGET (view), "browse");
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "catalog");
  model = catalog_model_of (view);
  w.model = model;
  ui_test_spin_until (query_done, &w);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_spin_until (query_done, &w);
  g_assert_null (wallet_shop_catalog_model_get_error (model));
  /* The merchant's catalog is the demo's 6000 articles, in the same order. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    SEMPER_CATALOG_DEMO_SIZE);
  fetched = wallet_shop_catalog_model_get_n_fetched (model);
  g_assert_cmpuint (fetched, <=, 3);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_true (wallet_shop_article_is_loaded (first));
  g_assert_cmpstr (wallet_shop_article_get_article (first)->id, ==,
                   semper_catalog_get_article (local, 0)->id);
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-catalog");

  /* Scrolled to the end: the last page is fetched, not the 58 between. */
  list = GTK_LIST_VIEW (find_widget (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW, NULL));
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_spin_until (query_done, &w);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_spin_until (query_done, &w);
  last = g_list_model_get_item (G_LIST_MODEL (model), SEMPER_CATALOG_DEMO_SIZE - 1);
  g_assert_true (wallet_shop_article_is_loaded (last));
  g_assert_cmpstr (wallet_shop_article_get_article (last)->id, ==,
                   semper_catalog_get_article (local, SEMPER_CATALOG_DEMO_SIZE - 1)->id);
  g_assert_cmpuint (wallet_shop_catalog_model_get_n_fetched (model), <=, fetched + 4);

  /* Searching as the user types: the merchant finds what the catalog finds. */
  expected = semper_catalog_search (local, "kranich wool", NULL, 0, 1, &total, NULL);
  g_assert_nonnull (expected);
  g_assert_cmpuint (total, >, 0);
  search = GTK_SEARCH_ENTRY (find_widget (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY, NULL));
  gtk_editable_set_text (GTK_EDITABLE (search), "kranich wool");
  w.query = "kranich wool";
  ui_test_spin_until (query_done, &w);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, total);
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-catalog-search");

  /* Activating an article puts it into the order, with the service's form. */
  g_signal_emit_by_name (list, "activate", 0);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-order-mail-order");
}

static void
test_market_catalog (void)
{
  run_in_window_with (catalog_body, market_profile);
}

static void
set_entry (GtkWidget  *root,
           const char *name,
           const char *text)
{
  GtkWidget *row = find_named (root, ADW_TYPE_ENTRY_ROW, name);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static gboolean
display_up (gpointer data)
{
  return wallet_consent_port_get_display (data) != NULL;
}

static gboolean
disputes_idle (gpointer data)
{
  return !wallet_disputes_page_get_busy (data);
}

/* A claim on the purchase: the evidence shown, signed in the trusted
 * display, listed, exported as a file that core recognises, and sent to the
 * demo's TTP, whose answer changes its state. */
static void
dispute_receipt (WalletWindow  *window,
                 SemperProfile *profile,
                 gint64         receipt_id)
{
  WalletApplication *app = WALLET_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  WalletConsentPort *port = wallet_application_get_consent_port (app);
  WalletDisputesPage *page = WALLET_DISPUTES_PAGE (find_widget (GTK_WIDGET (window),
                                                                WALLET_TYPE_DISPUTES_PAGE, NULL));
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  WalletTrustedDisplay *display;
  GtkAdjustment *adjustment;
  GtkWidget *send;
  gint64 dispute;
  guint before;

  record = semper_archive_record_get (semper_profile_get_archive (profile),
                                      SEMPER_ARCHIVE_RECEIPTS, receipt_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record->exchange_id);
  wallet_window_set_visible_page (window, "disputes");
  ids = wallet_disputes_page_dup_ids (page);
  before = ids->len;
  g_clear_pointer (&ids, g_array_unref);

  wallet_disputes_page_set_exchange (page, record->exchange_id);
  set_entry (GTK_WIDGET (page), "text", "The module differs from its description.");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_named (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW,
                                                         "claim")), 1);
  click (GTK_WIDGET (page), "evidence");
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_LABEL, NULL));

  click (GTK_WIDGET (page), "open");
  ui_test_spin_until (display_up, port);
  display = wallet_consent_port_get_display (port);
  ui_test_show_and_wait (GTK_WINDOW (display));
  adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (_wallet_trusted_display_get_widget (display, "scroller")));
  while (!_wallet_trusted_display_seen_end (display))
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  g_signal_emit_by_name (_wallet_trusted_display_get_widget (display, "sign"), "clicked");
  while (wallet_consent_port_get_display (port) != NULL)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ids = wallet_disputes_page_dup_ids (page);
  g_assert_cmpuint (ids->len, ==, before + 1);
  dispute = g_array_index (ids, gint64, 0);
  g_assert_cmpstr (wallet_disputes_page_get_state (page, dispute), ==, "open");
  ui_test_save_screenshot (GTK_WIDGET (window), "disputes-open");

  path = g_build_filename (test_dir, "claim.semper-dispute", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (wallet_disputes_page_export (page, dispute, file, &error));
  g_assert_no_error (error);
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_dispute_is_file (bytes));

  set_entry (GTK_WIDGET (page), "ttp", g_hash_table_lookup (market->urls, "ttp"));
  send = find_named (GTK_WIDGET (page), GTK_TYPE_BUTTON, "send");
  g_assert_nonnull (send);
  g_signal_emit_by_name (send, "clicked");
  ui_test_spin_until (disputes_idle, page);
  g_test_message ("dispute state after sending: %s",
                  wallet_disputes_page_get_state (page, dispute));
  g_assert_cmpstr (wallet_disputes_page_get_state (page, dispute), !=, "open");
  ui_test_save_screenshot (GTK_WIDGET (window), "disputes-sent");
}

static GtkWindow *
find_toplevel_titled (const char *title)
{
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), title) == 0)
        return window;
    }
  return NULL;
}

/* The receipt records the payment system's fee (0.00 for e-cash); "Open"
 * writes the very goods the merchant's offer promised (the demo's module
 * file) under the name of what was bought, read from the archive alone; a mail order's
 * receipt opens the merchant's signed order confirmation, verified, in a
 * read-only viewer. */
static void
open_goods (SemperProfile      *profile,
            WalletRecordDetail *detail,
            gint64              id)
{
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL, *got = NULL, *name = NULL, *source = NULL;
  gsize expected_len = 0, got_len = 0;
  GtkWindow *viewer = NULL;
  guint confirmations = 0;

  record = semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->fee.currency, ==, "EUR");
  g_assert_cmpint (record->fee.minor, ==, 0);

  g_assert_true (gtk_widget_get_sensitive (_wallet_record_detail_get_open_button (detail)));
  g_assert_true (wallet_record_detail_open_goods (detail, &file, &viewer, &error));
  g_assert_no_error (error);
  g_assert_null (viewer);
  g_assert_nonnull (file);
  name = g_file_get_basename (file);
  g_assert_cmpstr (record->title, ==,
                   "EUROCOM multimedia courseware: Introduction to computer networks, module 1");
  g_assert_cmpstr (name, ==, "Introduction to computer networks, module 1.txt");
  source = g_build_filename (g_getenv ("SEMPER_SOURCE_ROOT"), "data", "demo", "goods",
                             "courseware", "intro-networks.txt", NULL);
  g_assert_true (g_file_get_contents (source, &expected, &expected_len, &error));
  g_assert_true (g_file_load_contents (file, NULL, &got, &got_len, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (got, got_len, expected, expected_len);

  /* The demo's mail order (run before serving): its confirmation. */
  all = semper_archive_record_list (archive, SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      SemperArchiveRecord *r = g_ptr_array_index (all, i);
      g_autoptr(GFile) other = NULL;
      GtkTextBuffer *buffer;
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      viewer = NULL;
      if (r->exchange_id == NULL)
        continue;
      g_assert_true (wallet_record_detail_show (detail, r->id, &error));
      g_assert_no_error (error);
      if (!wallet_record_detail_open_goods (detail, &other, &viewer, NULL) || viewer == NULL)
        continue;
      g_assert_null (other);
      buffer = gtk_text_view_get_buffer (g_object_get_data (G_OBJECT (viewer), "text-view"));
      g_assert_false (gtk_text_view_get_editable (g_object_get_data (G_OBJECT (viewer),
                                                                    "text-view")));
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (strstr (text, "\"order_sha256\"") == NULL)   /* the subscription's credential */
        {
          g_assert_cmpstr (gtk_window_get_title (viewer), ==, "Signed by the Merchant");
          gtk_window_destroy (viewer);
          continue;
        }
      confirmations++;
      g_assert_cmpstr (gtk_window_get_title (viewer), ==, "Order Confirmation");
      g_assert_nonnull (strstr (text, "Heidestraße 17"));
      ui_test_show_and_wait (viewer);
      ui_test_save_screenshot (GTK_WIDGET (viewer), "receipt-confirmation");
      gtk_window_destroy (viewer);
      /* The button itself presents such a viewer. */
      g_signal_emit_by_name (_wallet_record_detail_get_open_button (detail), "clicked");
      viewer = find_toplevel_titled ("Order Confirmation");
      g_assert_nonnull (viewer);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (viewer)));
      gtk_window_destroy (viewer);
    }
  g_assert_cmpuint (confirmations, >=, 1);
  g_assert_true (wallet_record_detail_show (detail, id, &error));
  g_assert_no_error (error);
}

static void
purchase_body (WalletWindow  *window,
               SemperProfile *profile,
               gpointer       data)
{
  WalletApplication *app = WALLET_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  WalletShopMerchantView *view = open_merchant (window, "courseware");
  WalletConsentPort *port = wallet_application_get_consent_port (app);
  WalletTrustedDisplay *display;
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;
  WalletReceiptsPage *receipts;
  WalletRecordDetail *detail;
  AdwComboRow *payment;
  GtkWidget *email;
  guint position;
  gint64 id;

  ui_test_save_screenshot (GTK_WIDGET (window), "shop-services");

  /* Buy the first module. */
  click (GTK_WIDGET (view), "intro-networks");
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");

  /* A bad answer is marked on its row, with core's message. */
  set_entry (GTK_WIDGET (view), "student", "Erika Mustermann");
  set_entry (GTK_WIDGET (view), "email", "not an address");
  click (GTK_WIDGET (view), "review");
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");
  email = find_named (GTK_WIDGET (view), ADW_TYPE_ENTRY_ROW, "email");
  g_assert_true (gtk_widget_has_css_class (email, "error"));
  g_assert_false (gtk_widget_has_css_class (find_named (GTK_WIDGET (view), ADW_TYPE_ENTRY_ROW,
                                                        "student"), "error"));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-order-problem");

  set_entry (GTK_WIDGET (view), "email", "erika@example.org");
  payment = ADW_COMBO_ROW (find_named (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW, "payment"));
  g_assert_nonnull (payment);
  /* Automatic, then the service's systems in its order: ecash first. */
  adw_combo_row_set_selected (payment, 1);
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-order");
  click (GTK_WIDGET (view), "review");
  ui_test_spin_until (view_settled, view);
  while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "order") == 0
         && !gtk_widget_is_sensitive (find_named (GTK_WIDGET (view), GTK_TYPE_BUTTON, "review")))
    g_main_context_iteration (NULL, TRUE);
  if (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "review") != 0)
    {
      AdwStatusPage *failed = ADW_STATUS_PAGE (find_widget (GTK_WIDGET (view),
                                                            ADW_TYPE_STATUS_PAGE, NULL));
      g_test_message ("step %s: %s", wallet_shop_merchant_view_get_step (view),
                      failed ? adw_status_page_get_description (failed) : "");
    }
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "review");
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-review");

  /* Sign in the trusted display, as a user would. */
  click (GTK_WIDGET (view), "sign");
  ui_test_spin_until (display_up, port);
  display = wallet_consent_port_get_display (port);
  ui_test_show_and_wait (GTK_WINDOW (display));
  scroller = GTK_SCROLLED_WINDOW (_wallet_trusted_display_get_widget (display, "scroller"));
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  while (!_wallet_trusted_display_seen_end (display))
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  ui_test_save_screenshot (GTK_WIDGET (display), "shop-trusted-display");
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  g_signal_emit_by_name (_wallet_trusted_display_get_widget (display, "sign"), "clicked");

  /* The exchange runs; the receipt comes back. */
  while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "review") == 0)
    g_main_context_iteration (NULL, TRUE);
  ui_test_spin_until (view_settled, view);
  if (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "done") != 0)
    {
      AdwStatusPage *failed = ADW_STATUS_PAGE (find_named (GTK_WIDGET (view),
                                                           ADW_TYPE_STATUS_PAGE, ""));
      g_test_message ("step %s", wallet_shop_merchant_view_get_step (view));
      (void) failed;
    }
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "done");
  id = wallet_shop_merchant_view_get_receipt_id (view);
  g_assert_cmpint (id, >, 0);
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-done");

  /* "Show the Receipt": the Receipts page, the receipt selected, verified. */
  click (GTK_WIDGET (view), "show-receipt");
  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "receipts");
  receipts = WALLET_RECEIPTS_PAGE (find_widget (GTK_WIDGET (window), WALLET_TYPE_RECEIPTS_PAGE,
                                                NULL));
  g_assert_true (wallet_record_model_find (wallet_receipts_page_get_model (receipts), id,
                                           &position));
  detail = wallet_receipts_page_get_detail (receipts);
  g_assert_cmpint (wallet_record_detail_get_id (detail), ==, id);
  g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_VALID);
  g_assert_cmpstr (wallet_record_detail_get_signer (detail)->role, ==, "merchant");
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-receipt");

  open_goods (profile, detail, id);
  dispute_receipt (window, profile, id);
}

static void
test_market_purchase (void)
{
  run_in_window_with (purchase_body, market_profile);
}

static gboolean
display_up_or_settled (gpointer data)
{
  WalletShopMerchantView *view = data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (view));
  WalletApplication *app = WALLET_APPLICATION (gtk_window_get_application (GTK_WINDOW (root)));

  return wallet_consent_port_get_display (wallet_application_get_consent_port (app)) != NULL
         || view_settled (view);
}

/* The consents recorded in the archive's audit log after row @after, read
 * with SQLite itself: "kind purpose" lines. */
static char *
audit_kinds_after (const char *db,
                   gint64      after)
{
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT kind, json_extract (detail, '$.purpose') "
                                       "FROM audit WHERE id > ? AND kind LIKE 'consent-%' "
                                       "ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, after);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  return g_string_free (out, FALSE);
}

/* Signs what the display shows, as a user would: to the end, the delay over. */
static void
sign_in_display (WalletTrustedDisplay *display)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (_wallet_trusted_display_get_widget (display, "scroller")));

  ui_test_show_and_wait (GTK_WINDOW (display));
  while (!_wallet_trusted_display_seen_end (display))
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  g_signal_emit_by_name (_wallet_trusted_display_get_widget (display, "sign"), "clicked");
}

static gboolean
has_prefix (GBytes     *bytes,
            const char *prefix)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  return size >= strlen (prefix) && memcmp (data, prefix, strlen (prefix)) == 0;
}

/* Paid from the bank account: after the order, the payment authorisation
 * (the second signature of an account payment) is shown in the trusted
 * display too, with the certified merchant, and only then is anything paid. */
static void
account_purchase_body (WalletWindow  *window,
                       SemperProfile *profile,
                       gpointer       data)
{
  WalletApplication *app = WALLET_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  WalletShopMerchantView *view = open_merchant (window, "courseware");
  WalletConsentPort *port = wallet_application_get_consent_port (app);
  WalletTrustedDisplay *display;
  AdwComboRow *payment;
  GPtrArray *findings;
  gint64 before = 0, id;
  g_autoptr(GError) error = NULL;

  g_free (semper_archive_audit_dup_head (semper_profile_get_archive (profile), &before,
                                         &error));
  g_assert_no_error (error);

  click (GTK_WIDGET (view), "ecommerce-law");
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");
  set_entry (GTK_WIDGET (view), "student", "Erika Mustermann");
  set_entry (GTK_WIDGET (view), "email", "erika@example.org");
  payment = ADW_COMBO_ROW (find_named (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW, "payment"));
  g_assert_nonnull (payment);
  /* Automatic, then the service's systems in its order: ecash, account. */
  adw_combo_row_set_selected (payment, 2);
  click (GTK_WIDGET (view), "review");
  ui_test_spin_until (view_settled, view);
  while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "order") == 0
         && !gtk_widget_is_sensitive (find_named (GTK_WIDGET (view), GTK_TYPE_BUTTON, "review")))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "review");

  /* The order. */
  click (GTK_WIDGET (view), "sign");
  ui_test_spin_until (display_up, port);
  display = wallet_consent_port_get_display (port);
  g_assert_true (has_prefix (wallet_trusted_display_get_document (display),
                             "Semper-Document: order/"));
  sign_in_display (display);

  /* The payment authorisation, in its own display, while the exchange waits. */
  while (wallet_consent_port_get_display (port) == display)
    g_main_context_iteration (NULL, TRUE);
  ui_test_spin_until (display_up_or_settled, view);
  display = wallet_consent_port_get_display (port);
  if (display == NULL)
    g_test_message ("step %s without a second display", wallet_shop_merchant_view_get_step (view));
  g_assert_nonnull (display);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "progress");
  g_assert_true (has_prefix (wallet_trusted_display_get_document (display),
                             "Semper-Document: payment-authorisation/"));
  findings = wallet_trusted_display_get_findings (display);
  g_assert_cmpuint (findings->len, ==, 0);
  ui_test_show_and_wait (GTK_WINDOW (display));
  ui_test_save_screenshot (GTK_WIDGET (display), "shop-trusted-display-authorisation");
  sign_in_display (display);

  ui_test_spin_until (view_settled, view);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "done");
  id = wallet_shop_merchant_view_get_receipt_id (view);
  g_assert_cmpint (id, >, 0);
  /* The account system reported its fee, recorded with the receipt. */
  {
    g_autoptr(SemperArchiveRecord) record =
      semper_archive_record_get (semper_profile_get_archive (profile), SEMPER_ARCHIVE_RECEIPTS,
                                 id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (record->payment_system, ==, "account");
    g_assert_cmpstr (record->fee.currency, ==, "EUR");
    g_assert_cmpint (record->fee.minor, ==, 0);
  }

  /* Both signatures were consents of the trusted display, recorded. */
  {
    g_autofree char *path = g_build_filename (semper_profile_get_dir (profile), "archive.db",
                                              NULL);
    g_autofree char *kinds = audit_kinds_after (path, before);

    g_assert_cmpstr (kinds, ==, "consent-given order\n"
                                "consent-given payment authorisation\n");
  }
}

/* A payment that cannot go ahead says why and what to do: over the user's
 * limit for every system the merchant accepts (PROTOCOLS.md E) → "Over Your
 * Spending Limit", and its button opens Preferences; the buttons of "no
 * common system" and "expired offer" act on the real order. */
static gboolean
preferences_open (gpointer data)
{
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (WALLET_IS_PREFERENCES_WINDOW (window))
        return TRUE;
    }
  return FALSE;
}

static void
over_limit_body (WalletWindow  *window,
                 SemperProfile *profile,
                 gpointer       data)
{
  WalletShopMerchantView *view = open_merchant (window, "courseware");
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page, *action;
  SemperAmount cent;

  prefs = semper_prefs_new (semper_profile_get_archive (profile), &error);
  g_assert_no_error (error);
  g_assert_true (semper_amount_init (&cent, 1, "EUR", &error));
  g_assert_true (semper_prefs_set_limit (prefs, "ecash", &cent, &error));
  g_assert_true (semper_prefs_set_limit (prefs, "account", &cent, &error));
  g_assert_no_error (error);

  click (GTK_WIDGET (view), "intro-networks");
  set_entry (GTK_WIDGET (view), "student", "Erika Mustermann");
  set_entry (GTK_WIDGET (view), "email", "erika@example.org");
  click (GTK_WIDGET (view), "review");
  ui_test_spin_until (view_settled, view);
  while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "order") == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "failed");
  page = _wallet_shop_merchant_view_get_failure (view, "page");
  action = _wallet_shop_merchant_view_get_failure (view, "action");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==,
                   "Over Your Spending Limit");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "over your limit of 0.01 EUR"));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "Nothing was paid"));
  g_assert_true (gtk_widget_get_visible (action));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (action)), ==,
                   "Change _Limits in Preferences…");
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-over-limit");
  g_signal_emit_by_name (action, "clicked");
  ui_test_spin_until (preferences_open, NULL);

  /* The other tests share this wallet: no limits again. */
  g_assert_true (semper_prefs_set_limit (prefs, "ecash", NULL, &error));
  g_assert_true (semper_prefs_set_limit (prefs, "account", NULL, &error));
  g_assert_no_error (error);

  /* The other reasons' buttons, on this real order: Pay Another Way goes back
   * to the order with its payment choice; Ask for a New Offer asks the
   * merchant again and shows the new offer to review. */
  {
    g_autoptr(GError) no_system = g_error_new_literal (SEMPER_SHOP_ERROR,
                                                       SEMPER_SHOP_ERROR_NO_SYSTEM, "none");
    g_autoptr(GError) expired = g_error_new_literal (SEMPER_SHOP_ERROR,
                                                     SEMPER_SHOP_ERROR_EXPIRED, "expired");

    _wallet_shop_merchant_view_explain_failure (view, no_system);
    g_signal_emit_by_name (action, "clicked");
    g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");
    _wallet_shop_merchant_view_explain_failure (view, expired);
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (action)), ==, "Ask for a _New Offer");
    g_signal_emit_by_name (action, "clicked");
    ui_test_spin_until (view_settled, view);
    while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "order") == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "review");
  }
}

static void
test_market_over_limit (void)
{
  run_in_window_with (over_limit_body, market_profile);
}

/* A real order the wallet cannot pay, against the demo's servers: Bob's
 * wallet is registered at the demo's CA but has no bank account linked and
 * no coins. Paying from an account he hand-picks: "No Common Way to Pay",
 * and Pay Another Way goes back to the order; e-cash picked by hand: "Not
 * Enough Money", and its button opens Preferences. Nothing is signed or paid. */
static SemperProfile *bob_wallet;

static SemperProfile *
bob_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                              NULL);
  g_autofree char *dir = g_build_filename (test_dir, "bob", NULL);
  g_autofree char *password = g_build_filename (test_dir, "bob-password", NULL);
  g_autofree char *text = NULL;
  int status = -1;

  market_start ();
  if (bob_wallet == NULL)
    {
      char *argv[] = { semper, (char *) "--profile", dir, (char *) "init", (char *) "--name",
                       (char *) "Bob", (char *) "--password-file", password, (char *) "--ca",
                       g_hash_table_lookup (market->urls, "ca"), NULL };

      text = g_strdup_printf ("%s\n", market->password);
      g_assert_true (g_file_set_contents (password, text, -1, &error));
      g_assert_nonnull (argv[9]);
      /* Its report goes to /dev/null: this test's standard output is TAP. */
      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_no_error (error);
      bob_wallet = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, market_password_cb,
                                        NULL, &error);
      g_assert_no_error (error);
    }
  return g_object_ref (bob_wallet);
}

static void
review_until_settled (WalletShopMerchantView *view)
{
  click (GTK_WIDGET (view), "review");
  ui_test_spin_until (view_settled, view);
  while (g_strcmp0 (wallet_shop_merchant_view_get_step (view), "order") == 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
cannot_pay_body (WalletWindow  *window,
                 SemperProfile *profile,
                 gpointer       data)
{
  WalletShopMerchantView *view = open_merchant (window, "courseware");
  g_autofree char *db = g_build_filename (semper_profile_get_dir (profile), "archive.db", NULL);
  g_autofree char *signed_kinds = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page, *action;
  AdwComboRow *payment;
  SemperAmount money;
  gint64 before = 0;

  g_free (semper_archive_audit_dup_head (semper_profile_get_archive (profile), &before,
                                         &error));
  g_assert_no_error (error);
  page = _wallet_shop_merchant_view_get_failure (view, "page");
  action = _wallet_shop_merchant_view_get_failure (view, "action");

  click (GTK_WIDGET (view), "intro-networks");
  set_entry (GTK_WIDGET (view), "student", "Bob Beispiel");
  payment = ADW_COMBO_ROW (find_named (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW, "payment"));
  g_assert_nonnull (payment);
  /* Automatic, then the service's systems in its order: ecash, account. */
  adw_combo_row_set_selected (payment, 2);
  review_until_settled (view);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "failed");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==,
                   "No Common Way to Pay");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "link a bank account first"));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "Nothing was paid"));
  g_assert_true (gtk_widget_get_visible (action));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (action)), ==, "Pay _Another Way…");
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-no-common-system");
  g_signal_emit_by_name (action, "clicked");
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "order");

  /* Another way: e-cash, picked by hand, but the purse is empty. */
  payment = ADW_COMBO_ROW (find_named (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW, "payment"));
  adw_combo_row_set_selected (payment, 1);
  review_until_settled (view);
  g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "failed");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "Not Enough Money");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "The purse holds only 0.00 EUR"));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "Nothing was paid"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (action)), ==, "_Withdraw in Preferences…");
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "shop-not-enough-money");
  g_signal_emit_by_name (action, "clicked");
  ui_test_spin_until (preferences_open, NULL);

  /* Nothing was signed, nothing paid. */
  signed_kinds = audit_kinds_after (db, before);
  g_assert_cmpstr (signed_kinds, ==, "");
  purse = semper_purse_new (profile, &error);
  g_assert_no_error (error);
  g_assert_true (semper_purse_get_balance (purse, "EUR", &money, &error));
  g_assert_no_error (error);
  g_assert_cmpint (money.minor, ==, 0);
}

static void
test_market_cannot_pay (void)
{
  run_in_window_with (cannot_pay_body, bob_profile);
}

static void
test_market_purchase_account (void)
{
  run_in_window_with (account_purchase_body, market_profile);
}

/* The purchase `semper buy` left interrupted, resumed by the window. */
static char *resumed_id;

static gboolean
exchanges_idle (gpointer data)
{
  return !wallet_exchanges_is_busy (data);
}

/* The window opened the profile and resumed what was interrupted: the
 * purchase is done and its receipt is in Receipts, where it verifies. */
static void
resume_on_start_body (WalletWindow  *window,
                      SemperProfile *profile,
                      gpointer       data)
{
  WalletActivityPage *activity = WALLET_ACTIVITY_PAGE (find_widget (GTK_WIDGET (window),
                                                                    WALLET_TYPE_ACTIVITY_PAGE,
                                                                    NULL));
  WalletReceiptsPage *receipts = WALLET_RECEIPTS_PAGE (find_widget (GTK_WIDGET (window),
                                                                    WALLET_TYPE_RECEIPTS_PAGE,
                                                                    NULL));
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  WalletRecordDetail *detail;
  gint64 id = 0;
  guint position;

  ui_test_spin_until (exchanges_idle, wallet_activity_page_get_exchanges (activity));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  row = semper_archive_exchange_get (archive, resumed_id, &error);
  g_assert_no_error (error);
  /* finished; done, as the receipt below says (only a done one gets it) */
  g_assert_true (row->finished);
  records = semper_archive_record_list (archive, SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      SemperArchiveRecord *r = g_ptr_array_index (records, i);

      if (g_strcmp0 (r->exchange_id, resumed_id) == 0)
        {
          g_assert_cmpint (id, ==, 0);
          id = r->id;
        }
    }
  g_assert_cmpint (id, >, 0);
  /* The Receipts page, shown, lists it without being told to reload. */
  wallet_window_set_visible_page (window, "receipts");
  g_assert_true (wallet_record_model_find (wallet_receipts_page_get_model (receipts), id,
                                           &position));
  g_assert_true (wallet_receipts_page_select (receipts, position));
  detail = wallet_receipts_page_get_detail (receipts);
  g_assert_cmpint (wallet_record_detail_get_id (detail), ==, id);
  g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_VALID);
  g_assert_cmpstr (wallet_record_detail_get_signer (detail)->role, ==, "merchant");
}

/* `semper buy --pay account` killed right after it journaled m3 (the CLI's
 * test hook SEMPER_TEST_CRASH_AFTER), then the window opens the wallet. */
static void
test_market_resume_on_start (void)
{
  g_autofree char *semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                              NULL);
  g_autofree char *password_file = g_build_filename (test_dir, "market-password", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  market_start ();
  /* `semper` locks the profile: close the tests' opening of it. */
  g_clear_object (&market_wallet);
  g_file_set_contents (password_file, market->password, -1, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", "m3-sent", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, semper, "--json", "--profile",
                                      market->wallet, "buy",
                                      (char *) g_hash_table_lookup (market->urls, "courseware"),
                                      "ecommerce-law", "--answer", "student=Erika Mustermann",
                                      "--answer", "email=erika@example.org", "--answer",
                                      "language=English", "--pay", "account",
                                      "--yes", "--password-file", password_file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_signaled (proc))
    g_error ("semper buy was not killed: %s", output);

  profile = market_profile ();
  list = semper_archive_exchange_list_unfinished (semper_profile_get_archive (profile), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (list, i);

      if (g_str_equal (row->protocol, "fx"))
        {
          g_assert_null (resumed_id);
          resumed_id = g_strdup (row->id);
        }
    }
  g_assert_nonnull (resumed_id);
  run_in_window_with (resume_on_start_body, market_profile);
  g_clear_pointer (&resumed_id, g_free);
}

/* Every page of the window, in the language of the test's LANGUAGE. */
static const char *screenshot_suffix;

static void
screenshots_body (WalletWindow  *window,
                  SemperProfile *profile,
                  gpointer       data)
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

  /* First of the demo's tests: `semper` must lock the demo's wallet, which the
   * window tests keep open once they opened it. */
  g_test_add_func ("/semper/ui/shop/market/resume-on-start", test_market_resume_on_start);
  g_test_add_func ("/semper/ui/shop/market/catalog", test_market_catalog);
  g_test_add_func ("/semper/ui/shop/market/purchase", test_market_purchase);
  g_test_add_func ("/semper/ui/shop/market/purchase-account", test_market_purchase_account);
  g_test_add_func ("/semper/ui/shop/market/over-limit", test_market_over_limit);
  g_test_add_func ("/semper/ui/shop/market/cannot-pay", test_market_cannot_pay);

  status = g_test_run ();
  g_clear_object (&bob_wallet);
  market_stop ();

  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
