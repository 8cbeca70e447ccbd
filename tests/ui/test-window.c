/* test-window.c: the wallet application and its main window, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "wallet-application-private.h"
#include "wallet-preferences-window.h"
#include "wallet-window.h"

/* A private home for the whole test program. G_TEST_OPTION_ISOLATE_DIRS is not
 * used: it also empties XDG_DATA_DIRS, where the icon theme and the MIME
 * database (which gdk-pixbuf needs to recognise SVG) live, and GLib offers no
 * public way to put them back. Those are read-only, so sharing them is fine. */
static char *test_dir;

typedef struct _Fixture Fixture;
typedef void (*TestBody) (Fixture      *fixture,
                          WalletWindow *window);

struct _Fixture
{
  GSettings         *settings;
  WalletApplication *app;
  TestBody           body;
  gboolean           body_ran;
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GApplicationFlags flags;

  /* Every test starts from the schema's defaults (the backend is in memory). */
  fixture->settings = g_settings_new (APP_ID);
  g_object_get (fixture->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (fixture->settings, keys[i]);

  fixture->app = wallet_application_new ();
  /* Tests run one application after the other in one process. */
  flags = g_application_get_flags (G_APPLICATION (fixture->app));
  g_application_set_flags (G_APPLICATION (fixture->app), flags | G_APPLICATION_NON_UNIQUE);
  /* These tests are about the windows; test-startup.c opens profiles. */
  _wallet_application_set_skip_profile (fixture->app, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_object_add_weak_pointer (G_OBJECT (fixture->app), (gpointer *) &fixture->app);
  g_object_unref (fixture->app);
  g_assert_null (fixture->app);
  g_clear_object (&fixture->settings);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
run_body_idle_cb (gpointer data)
{
  Fixture *fixture = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (fixture->app));

  g_assert_true (WALLET_IS_WINDOW (window));
  fixture->body (fixture, WALLET_WINDOW (window));
  fixture->body_ran = TRUE;
  g_application_quit (G_APPLICATION (fixture->app));
  return G_SOURCE_REMOVE;
}

static void
activated_cb (Fixture *fixture)
{
  if (fixture->body != NULL && !fixture->body_ran)
    g_idle_add (run_body_idle_cb, fixture);
}

/* Runs the application as `semper-wallet` would (so that it also shuts down
 * and leaves the bus), with @body called once its window is up. */
static void
run_in_app (Fixture  *fixture,
            TestBody  body)
{
  char *argv[] = { (char *) "semper-wallet", NULL };

  fixture->body = body;
  g_signal_connect_swapped (fixture->app, "activate", G_CALLBACK (activated_cb), fixture);
  g_assert_cmpint (g_application_run (G_APPLICATION (fixture->app), 1, argv), ==, 0);
  g_assert_true (fixture->body_ran);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Waits (without a time limit: meson's test timeout is the limit) until the
 * window is mapped, laid out and painted at least once. */
static void
wait_until_painted (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong handler;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted || gtk_widget_get_width (widget) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static AdwSqueezer *
find_squeezer (GtkWidget *widget)
{
  if (ADW_IS_SQUEEZER (widget))
    return ADW_SQUEEZER (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwSqueezer *found = find_squeezer (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The view switcher title cross-fades between its wide and narrow forms when
 * it is first allocated; the screenshot is of the end of that transition.
 * (Turning animations off instead makes libadwaita 1.2 warn about a 0 × -1
 * allocation at narrow widths.) */
static void
wait_until_settled (GtkWidget *widget)
{
  AdwSqueezer *squeezer = find_squeezer (widget);

  while (squeezer != NULL && adw_squeezer_get_transition_running (squeezer))
    g_main_context_iteration (NULL, TRUE);
  wait_until_painted (widget);
}

static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);
  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Number of distinct colours in a texture, up to @limit. */
static guint
count_colors (GdkTexture *texture,
              guint       limit)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc ((gsize) height * stride);
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);

  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < (gsize) height * stride && g_hash_table_size (colors) < limit; i += 4)
    {
      guint32 pixel;

      memcpy (&pixel, pixels + i, sizeof pixel);
      g_hash_table_add (colors, GUINT_TO_POINTER (pixel));
    }
  return g_hash_table_size (colors);
}

static const struct {
  const char *name;
  const char *title;
} expected_pages[] = {
  { "shop", "Shop" },
  { "activity", "Activity" },
  { "receipts", "Receipts" },
  { "contracts", "Contracts" },
  { "disputes", "Disputes" },
};


/* A page is an AdwStatusPage, or (Receipts, Contracts) a browser that shows
 * one while it has nothing to list: the visible one, depth first. */
static AdwStatusPage *
find_empty_state (GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE (widget))
    return ADW_STATUS_PAGE (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      AdwStatusPage *found = gtk_widget_get_visible (c) && gtk_widget_get_child_visible (c)
                             ? find_empty_state (c) : NULL;
      if (found != NULL)
        return found;
    }
  return NULL;
}
static void
window_render_body (Fixture      *fixture,
                    WalletWindow *window)
{
  GtkWidget *widget = GTK_WIDGET (window);
  AdwViewStack *stack;
  g_autoptr(GtkSelectionModel) pages = NULL;
  GtkIconTheme *icon_theme;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *png_path = NULL;
  g_autofree char *png_data = NULL;
  g_autofree char *screenshot_dir = NULL;
  g_autofree char *screenshot_path = NULL;
  gsize png_length = 0;
  int width = 0;
  int height = 0;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Semper Wallet");
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);

  wait_until_painted (widget);

  /* The five pages, in order, each an empty state with an icon that exists. */
  stack = ADW_VIEW_STACK (gtk_widget_get_template_child (widget, WALLET_TYPE_WINDOW, "stack"));
  pages = adw_view_stack_get_pages (stack);
  icon_theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==,
                    G_N_ELEMENTS (expected_pages));
  for (guint i = 0; i < G_N_ELEMENTS (expected_pages); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      AdwStatusPage *status = find_empty_state (adw_view_stack_page_get_child (page));

      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, expected_pages[i].name);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, expected_pages[i].title);
      g_test_message ("page %s, icon %s", adw_view_stack_page_get_name (page),
                      adw_view_stack_page_get_icon_name (page));
      g_assert_true (gtk_icon_theme_has_icon (icon_theme,
                                              adw_view_stack_page_get_icon_name (page)));
      g_assert_cmpstr (adw_status_page_get_icon_name (status), ==,
                       adw_view_stack_page_get_icon_name (page));
      g_assert_cmpuint (strlen (adw_status_page_get_title (status)), >, 0);
      g_assert_cmpuint (strlen (adw_status_page_get_description (status)), >, 20);
    }
  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "shop");
  g_assert_true (gtk_icon_theme_has_icon (icon_theme, APP_ID));

  wait_until_settled (widget);
  texture = render_widget (widget);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (widget));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (widget));
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 360);
  /* A real window has text, icons and a header bar: many colours, not a flat box. */
  g_assert_cmpuint (count_colors (texture, 64), >=, 64);

  png_path = g_build_filename (test_dir, "main-window.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png_path));
  g_file_get_contents (png_path, &png_data, &png_length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (png_length, >, 8 * 1024);
  g_assert_cmpmem (png_data, 8, "\x89PNG\r\n\x1a\n", 8);

  /* A copy for a human to look at. */
  screenshot_dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".", "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (screenshot_dir, 0755), ==, 0);
  screenshot_path = g_build_filename (screenshot_dir, "main-window.png", NULL);
  g_file_set_contents (screenshot_path, png_data, (gssize) png_length, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", screenshot_path);
}

static void
test_window_render (Fixture       *fixture,
                    gconstpointer  user_data)
{
  run_in_app (fixture, window_render_body);
}

static void
window_state_body (Fixture      *fixture,
                   WalletWindow *window)
{
  g_autofree char *last_page = NULL;
  int width = 0;
  int height = 0;

  wait_until_painted (GTK_WIDGET (window));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);
  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "receipts");

  /* Alt+4 and the switcher both go through win.show-page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s",
                                             "contracts"));
  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "contracts");
  last_page = g_settings_get_string (fixture->settings, "last-page");
  g_assert_cmpstr (last_page, ==, "contracts");

  /* An unknown page name (e.g. from an old setting) changes nothing. */
  wallet_window_set_visible_page (window, "no-such-page");
  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "contracts");

  gtk_window_set_default_size (GTK_WINDOW (window), 812, 604);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-width"), ==, 812);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-height"), ==, 604);
  g_assert_false (g_settings_get_boolean (fixture->settings, "window-maximized"));
}

static void
test_window_state (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_settings_set_int (fixture->settings, "window-width", 700);
  g_settings_set_int (fixture->settings, "window-height", 500);
  g_settings_set_string (fixture->settings, "last-page", "receipts");

  run_in_app (fixture, window_state_body);
}

static gboolean
close_window_idle_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 guint          *n_added)
{
  (*n_added)++;
  g_idle_add_full (G_PRIORITY_LOW, close_window_idle_cb, g_object_ref (window), g_object_unref);
}

static void
test_application_uri (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *profile = g_build_filename (test_dir, "profile", NULL);
  const char *uri = "semper:pay?merchant=http%3A%2F%2F127.0.0.1%3A8080&order=42";
  char *argv[] = { (char *) "semper-wallet", (char *) "--profile", profile, (char *) uri, NULL };
  g_autofree char *last_page = NULL;
  guint n_added = 0;
  int status;

  g_settings_set_string (fixture->settings, "last-page", "disputes");
  g_signal_connect (fixture->app, "window-added", G_CALLBACK (window_added_cb), &n_added);

  status = g_application_run (G_APPLICATION (fixture->app), G_N_ELEMENTS (argv) - 1, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (n_added, ==, 1);
  g_assert_cmpstr (wallet_application_get_profile_dir (fixture->app), ==, profile);
  g_assert_cmpstr (wallet_application_get_pending_uri (fixture->app), ==, uri);
  /* The link opened the Shop page, and the window remembered it on close. */
  last_page = g_settings_get_string (fixture->settings, "last-page");
  g_assert_cmpstr (last_page, ==, "shop");
}

static void
test_application_default_profile (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  char *argv[] = { (char *) "semper-wallet", NULL };
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "semper", NULL);
  guint n_added = 0;

  g_signal_connect (fixture->app, "window-added", G_CALLBACK (window_added_cb), &n_added);

  g_assert_cmpint (g_application_run (G_APPLICATION (fixture->app), 1, argv), ==, 0);
  g_assert_cmpuint (n_added, ==, 1);
  g_assert_cmpstr (wallet_application_get_profile_dir (fixture->app), ==, expected);
  g_assert_null (wallet_application_get_pending_uri (fixture->app));
}

static void
test_application_bad_argument (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *argument = user_data;
  char *argv[] = { (char *) "semper-wallet", (char *) argument, (char *) argument, NULL };
  int argc = g_str_equal (argument, "semper:a") ? 3 : 2;
  guint n_added = 0;

  g_signal_connect (fixture->app, "window-added", G_CALLBACK (window_added_cb), &n_added);

  /* Anything but a single semper: link is a usage error and opens nothing. */
  g_assert_cmpint (g_application_run (G_APPLICATION (fixture->app), argc, argv), ==, 2);
  g_assert_cmpuint (n_added, ==, 0);
  g_assert_null (wallet_application_get_pending_uri (fixture->app));
}

static GtkWindow *
find_window (GtkApplication *app,
             GType           type)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static void
preferences_body (Fixture      *fixture,
                  WalletWindow *window)
{
  GtkWindow *preferences;
  AdwComboRow *row;
  GtkSwitch *fingerprint_switch;
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = find_window (GTK_APPLICATION (fixture->app), WALLET_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  wait_until_painted (GTK_WIDGET (preferences));

  row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                      WALLET_TYPE_PREFERENCES_WINDOW,
                                                      "color_scheme_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  adw_combo_row_set_selected (row, 2);
  g_assert_cmpint (g_settings_get_enum (fixture->settings, "color-scheme"), ==, 2);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==,
                   ADW_COLOR_SCHEME_FORCE_DARK);

  /* And the other way: a change of the setting shows in the row. */
  g_settings_set_enum (fixture->settings, "color-scheme", 1);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style_manager), ==,
                   ADW_COLOR_SCHEME_FORCE_LIGHT);

  fingerprint_switch = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                                  WALLET_TYPE_PREFERENCES_WINDOW,
                                                                  "fingerprint_switch"));
  gtk_switch_set_active (fingerprint_switch, TRUE);
  g_assert_true (g_settings_get_boolean (fixture->settings, "show-fingerprint-full"));
}

static void
test_preferences_color_scheme (Fixture       *fixture,
                               gconstpointer  user_data)
{
  run_in_app (fixture, preferences_body);
}

static void
about_body (Fixture      *fixture,
            WalletWindow *window)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  about = find_window (GTK_APPLICATION (fixture->app), ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==,
                   "Semper Wallet");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==,
                   PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
}

static void
test_about (Fixture       *fixture,
            gconstpointer  user_data)
{
  run_in_app (fixture, about_body);
}

static void
accels_body (Fixture      *fixture,
             WalletWindow *window)
{
  g_auto(GStrv) quit = NULL;
  g_auto(GStrv) close = NULL;

  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "app.quit");
  close = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                 "window.close");
  g_assert_true (g_strv_contains ((const char * const *) quit, "<Control>q"));
  g_assert_true (g_strv_contains ((const char * const *) close, "<Control>w"));

  /* app.quit closes the window (which saves its size) and quits. */
  gtk_window_set_default_size (GTK_WINDOW (window), 777, 555);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (fixture->app)));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-width"), ==, 777);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-height"), ==, 555);
}

static void
test_accels (Fixture       *fixture,
             gconstpointer  user_data)
{
  run_in_app (fixture, accels_body);
}

static void
remove_recursively (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_recursively (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

#define ADD_TEST(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  g_autoptr(GError) error = NULL;
  static const struct { const char *variable; const char *name; } dirs[] = {
    { "HOME", "home" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" },
  };

  /* Before anything asks GLib for these directories. */
  test_dir = g_dir_make_tmp ("semper-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (test_dir, dirs[i].name, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }
  g_unsetenv ("SEMPER_PROFILE");

  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/semper/ui/window/render", test_window_render, NULL);
  ADD_TEST ("/semper/ui/window/state", test_window_state, NULL);
  ADD_TEST ("/semper/ui/application/uri", test_application_uri, NULL);
  ADD_TEST ("/semper/ui/application/default-profile", test_application_default_profile, NULL);
  ADD_TEST ("/semper/ui/application/not-semper-uri", test_application_bad_argument,
            "https://shop.example/pay");
  ADD_TEST ("/semper/ui/application/two-uris", test_application_bad_argument, "semper:a");
  ADD_TEST ("/semper/ui/preferences/color-scheme", test_preferences_color_scheme, NULL);
  ADD_TEST ("/semper/ui/about", test_about, NULL);
  ADD_TEST ("/semper/ui/accels", test_accels, NULL);

  status = g_test_run ();

  remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
