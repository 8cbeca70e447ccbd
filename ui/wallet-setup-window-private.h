/* wallet-setup-window-private.h: hooks for the tests of the setup flow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wallet-setup-window.h"

G_BEGIN_DECLS

const char *_wallet_setup_window_get_page   (WalletSetupWindow *self);
gboolean    _wallet_setup_window_is_busy    (WalletSetupWindow *self);
GtkWidget  *_wallet_setup_window_get_widget (WalletSetupWindow *self,
                                             const char        *name);
void        _wallet_setup_window_set_restore_file (WalletSetupWindow *self,
                                                   GFile             *file);

G_END_DECLS
