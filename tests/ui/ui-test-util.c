/* ui-test-util.c: small helpers shared by the UI tests of the profile windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ui-test-util.h"

#include <glib/gstdio.h>

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
