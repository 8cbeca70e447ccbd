/* wallet-obligations-window.h: the upcoming dates from signed documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define WALLET_TYPE_OBLIGATIONS_WINDOW (wallet_obligations_window_get_type ())

G_DECLARE_FINAL_TYPE (WalletObligationsWindow, wallet_obligations_window,
                      WALLET, OBLIGATIONS_WINDOW, AdwWindow)

/* @now: unix seconds to count from, or 0 for the current time (tests pass one). */
WalletObligationsWindow *wallet_obligations_window_new         (GtkWindow               *parent,
                                                                SemperArchive           *archive,
                                                                gint64                   now);
/* TRUE while the archive is read (the "loading" property). */
gboolean                 wallet_obligations_window_get_loading (WalletObligationsWindow *self);
/* The number of dates shown. */
guint                    wallet_obligations_window_get_n_shown (WalletObligationsWindow *self);

G_END_DECLS
