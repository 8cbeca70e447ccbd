/* wallet-setup-window.h: the first-run setup of a wallet profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-profile.h"

G_BEGIN_DECLS

/* The marketplace CA that the demo (`semper demo`) starts; the user can
 * enter another. */
#define WALLET_DEMO_CA_URL "http://127.0.0.1:8443"

#define WALLET_TYPE_SETUP_WINDOW (wallet_setup_window_get_type ())

G_DECLARE_FINAL_TYPE (WalletSetupWindow, wallet_setup_window, WALLET, SETUP_WINDOW, AdwWindow)

WalletSetupWindow *wallet_setup_window_new           (GtkApplication       *app,
                                                      const char           *profile_dir);
void               wallet_setup_window_create_async  (WalletSetupWindow    *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
SemperProfile     *wallet_setup_window_create_finish (WalletSetupWindow    *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
