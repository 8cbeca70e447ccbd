/* wallet-password-prompt-private.h: hooks for the tests of the password window.
 *
 * Only the tests include this. They drive the back-off delay without sleeping
 * and reach the widgets; none of them can make a password count as right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wallet-password-prompt.h"

G_BEGIN_DECLS

guint      _wallet_password_prompt_get_failures (WalletPasswordPrompt *self);
guint      _wallet_password_prompt_get_delay    (WalletPasswordPrompt *self);
gboolean   _wallet_password_prompt_fire_delay   (WalletPasswordPrompt *self);
gboolean   _wallet_password_prompt_is_asking    (WalletPasswordPrompt *self);
GtkWidget *_wallet_password_prompt_get_widget   (WalletPasswordPrompt *self,
                                                 const char           *name);

G_END_DECLS
