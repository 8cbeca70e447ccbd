/* ui-test-util.c: small helpers shared by the UI tests of the profile windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ui-test-util.h"

#include <glib/gstdio.h>

#include "wallet-application-private.h"

/* A private HOME and XDG_*_HOME for the whole test program (see
 * test-window.c for why not G_TEST_OPTION_ISOLATE_DIRS). Call before
 * anything asks GLib for these directories. Returns (transfer full) the
 * temporary directory. */
char *
ui_test_setup_dirs (const char *template_name)
{
  static const struct { const char *variable; const char *name; } dirs[] = {
    { "HOME", "home" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" },
  };
  g_autoptr(GError) error = NULL;
  char *test_dir = g_dir_make_tmp (template_name, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (test_dir, dirs[i].name, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }
  g_unsetenv ("SEMPER_PROFILE");
  return test_dir;
}

void
ui_test_remove_recursively (const char *path)
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
            ui_test_remove_recursively (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Waits (the meson timeout is the limit) until @widget is painted. */
void
ui_test_wait_until_painted (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong handler;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted || gtk_widget_get_width (widget) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

void
ui_test_wait_mapped_active (GtkWindow *window)
{
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) || !gtk_window_is_active (window))
    g_main_context_iteration (NULL, TRUE);
}

void
ui_test_show_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  ui_test_wait_mapped_active (window);
  ui_test_wait_until_painted (GTK_WIDGET (window));
}

void
ui_test_spin_until (gboolean (*done) (gpointer data),
                    gpointer   data)
{
  while (!done (data))
    g_main_context_iteration (NULL, TRUE);
}

/* The widget paintable has nothing to give while a redraw is pending; then
 * the next frame is waited for. */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  for (;;)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL)
        break;
      ui_test_wait_until_painted (widget);
    }
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                      node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves <builddir>/screenshots/NAME.png and checks that it is not empty. */
void
ui_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GStatBuf st;

  ui_test_wait_until_painted (widget);
  texture = render_widget (widget);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 4 * 1024);
  g_test_message ("screenshot: %s", path);
}

/* ---- profiles ------------------------------------------------------------ */

/* A SemperPasswordFunc that always answers UI_TEST_PASSWORD. */
char *
ui_test_password_cb (gboolean retry,
                     gpointer user_data)
{
  return retry ? NULL : g_strdup (UI_TEST_PASSWORD);
}

static SemperProfile *
create_profile (const char *dir,
                const char *identity)
{
  g_autoptr(GError) error = NULL;
  SemperProfile *profile;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, ui_test_password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_create_identity (profile, identity, &error));
  g_assert_no_error (error);
  return profile;
}

/* A new profile TEST_DIR/profile-N with the identity "Erika Example",
 * under UI_TEST_PASSWORD. Returns (transfer full) it, open. */
SemperProfile *
ui_test_new_profile (const char *test_dir)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("profile-%u", ++counter);
  g_autofree char *dir = g_build_filename (test_dir, name, NULL);

  return create_profile (dir, "Erika Example");
}

/* A profile TEST_DIR/NAME with the identity "Alice Example" under
 * UI_TEST_PASSWORD, made the way `semper init` makes it, and closed again.
 * Returns (transfer full) its directory. */
char *
ui_test_make_profile (const char *test_dir,
                      const char *name)
{
  char *dir = g_build_filename (test_dir, name, NULL);

  g_object_unref (create_profile (dir, "Alice Example"));
  return dir;
}

/* ---- the window ----------------------------------------------------------- */

typedef struct {
  WalletApplication *app;
  SemperProfile     *profile;
  int                width;
  int                height;
  UiTestBody         body;
  gpointer           data;
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
  if (run->width > 0)
    gtk_window_set_default_size (window, run->width, run->height);
  ui_test_show_and_wait (window);
  run->body (WALLET_WINDOW (window), run->profile, run->data);
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

/**
 * ui_test_run_in_window:
 * @profile: the profile the window shows
 * @width: the window's default width (0: the window's own default size)
 * @height: the window's default height
 * @body: what to do with the window, once it is shown
 * @data: for @body
 *
 * Runs a WalletApplication (not unique, without asking for a profile) on
 * @profile, calls @body on its window once the window is painted, then
 * quits, destroys its windows and drops the application.
 */
void
ui_test_run_in_window (SemperProfile *profile,
                       int            width,
                       int            height,
                       UiTestBody     body,
                       gpointer       data)
{
  char *argv[] = { (char *) "semper-wallet", NULL };
  Run run = { 0 };
  GList *windows;

  run.app = wallet_application_new ();
  g_application_set_flags (G_APPLICATION (run.app),
                           g_application_get_flags (G_APPLICATION (run.app))
                           | G_APPLICATION_NON_UNIQUE);
  _wallet_application_set_skip_profile (run.app, TRUE);
  run.profile = profile;
  run.width = width;
  run.height = height;
  run.body = body;
  run.data = data;
  g_signal_connect_swapped (run.app, "activate", G_CALLBACK (activated_cb), &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 1, argv), ==, 0);
  g_assert_true (run.ran);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (run.app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (run.app);
}
