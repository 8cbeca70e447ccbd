/* wallet-preferences-payment.h: Preferences → Payment Methods
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PREFERENCES_PAYMENT (wallet_preferences_payment_get_type ())

G_DECLARE_FINAL_TYPE (WalletPreferencesPayment, wallet_preferences_payment,
                      WALLET, PREFERENCES_PAYMENT, AdwPreferencesPage)

WalletPreferencesPayment *wallet_preferences_payment_new      (SemperProfile            *profile,
                                                               GError                  **error);
/* TRUE while a bank call runs (the "busy" property). */
gboolean                  wallet_preferences_payment_get_busy (WalletPreferencesPayment *self);
/* Asks the bank for the account's balance again, off the main thread. */
void                      wallet_preferences_payment_refresh  (WalletPreferencesPayment *self);
/* Moves the system at @from to @to in the preference order and stores it
 * (what a drop and the up/down buttons do). */
gboolean                  wallet_preferences_payment_move     (WalletPreferencesPayment *self,
                                                               guint                     from,
                                                               guint                     to);

G_END_DECLS
