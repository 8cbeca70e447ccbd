/* wallet-preferences-payment-private.h: the page's widgets, for the tests
 *
 * Each row of the order list carries object data: "system" (its id), "up"
 * and "down" (its buttons) and "drop-target" (its GtkDropTarget).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wallet-preferences-payment.h"

G_BEGIN_DECLS

AdwActionRow   *_wallet_preferences_payment_get_account_row     (WalletPreferencesPayment *self);
AdwExpanderRow *_wallet_preferences_payment_get_purse_row       (WalletPreferencesPayment *self);
AdwExpanderRow *_wallet_preferences_payment_get_link_row        (WalletPreferencesPayment *self,
                                                                 AdwEntryRow             **url,
                                                                 AdwEntryRow             **account,
                                                                 AdwEntryRow             **code,
                                                                 GtkButton               **button);
AdwEntryRow    *_wallet_preferences_payment_get_withdraw_row    (WalletPreferencesPayment *self);
GtkButton      *_wallet_preferences_payment_get_withdraw_button (WalletPreferencesPayment *self);
GtkListBox     *_wallet_preferences_payment_get_order_list      (WalletPreferencesPayment *self);
AdwEntryRow    *_wallet_preferences_payment_get_limit_row       (WalletPreferencesPayment *self,
                                                                 const char               *system);
AdwComboRow    *_wallet_preferences_payment_get_policy_row      (WalletPreferencesPayment *self);
AdwEntryRow    *_wallet_preferences_payment_get_threshold_row   (WalletPreferencesPayment *self);

G_END_DECLS
