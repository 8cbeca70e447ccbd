/* wallet-preferences-window.h: the preferences of Semper Wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PREFERENCES_WINDOW (wallet_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (WalletPreferencesWindow, wallet_preferences_window,
                      WALLET, PREFERENCES_WINDOW, AdwPreferencesWindow)

WalletPreferencesWindow *wallet_preferences_window_new         (GtkWindow               *parent,
                                                                GSettings               *settings);
/* Adds the pages that need the open profile (Payment Methods, Backup). */
void                     wallet_preferences_window_set_profile (WalletPreferencesWindow *self,
                                                                SemperProfile           *profile);

G_END_DECLS
