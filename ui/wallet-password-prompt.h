/* wallet-password-prompt.h: the trusted display's password window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-profile.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PASSWORD_PROMPT (wallet_password_prompt_get_type ())

G_DECLARE_FINAL_TYPE (WalletPasswordPrompt, wallet_password_prompt, WALLET, PASSWORD_PROMPT,
                      AdwWindow)

WalletPasswordPrompt *wallet_password_prompt_new                (GtkApplication        *app,
                                                                 const char            *dir);
void                  wallet_password_prompt_open_profile_async (WalletPasswordPrompt  *self,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
SemperProfile        *wallet_password_prompt_open_profile_finish
                                                                (WalletPasswordPrompt  *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
guint                 wallet_password_prompt_delay_for_failures (guint                  failures);

G_END_DECLS
