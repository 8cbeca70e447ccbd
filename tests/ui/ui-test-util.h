/* ui-test-util.h: small helpers shared by the UI tests of the profile windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-profile.h"
#include "wallet-window.h"

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

/* The password of every profile that ui_test_new_profile() makes. */
#define UI_TEST_PASSWORD "correct horse battery staple"

char          *ui_test_password_cb   (gboolean       retry,
                                      gpointer       user_data);
SemperProfile *ui_test_new_profile   (const char    *test_dir);
char          *ui_test_make_profile  (const char    *test_dir,
                                      const char    *name);

typedef void (*UiTestBody) (WalletWindow  *window,
                            SemperProfile *profile,
                            gpointer       data);

void           ui_test_run_in_window (SemperProfile *profile,
                                      int            width,
                                      int            height,
                                      UiTestBody     body,
                                      gpointer       data);

G_END_DECLS
