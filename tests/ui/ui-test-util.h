/* ui-test-util.h: small helpers shared by the UI tests of the profile windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

char *ui_test_setup_dirs          (const char *template_name);
void  ui_test_remove_recursively  (const char *path);
void  ui_test_wait_until_painted  (GtkWidget  *widget);
void  ui_test_show_and_wait       (GtkWindow  *window);
void  ui_test_wait_mapped_active  (GtkWindow  *window);
void  ui_test_save_screenshot     (GtkWidget  *widget,
                                   const char *name);
void  ui_test_spin_until          (gboolean   (*done) (gpointer data),
                                   gpointer     data);

G_END_DECLS
