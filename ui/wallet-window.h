/* wallet-window.h: the main window of Semper Wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-archive.h"
#include "wallet-application.h"

G_BEGIN_DECLS

#define WALLET_TYPE_WINDOW (wallet_window_get_type ())

G_DECLARE_FINAL_TYPE (WalletWindow, wallet_window, WALLET, WINDOW, AdwApplicationWindow)

WalletWindow *wallet_window_new              (WalletApplication *application);
const char   *wallet_window_get_visible_page (WalletWindow      *self);
void          wallet_window_set_visible_page (WalletWindow      *self,
                                              const char        *page_name);
void          wallet_window_set_archive      (WalletWindow      *self,
                                              SemperArchive     *archive,
                                              GBytes            *trust_root);
void          wallet_window_open_uri         (WalletWindow      *self,
                                              const char        *uri);
void          wallet_window_show_receipt     (WalletWindow      *self,
                                              gint64             id);

G_END_DECLS
