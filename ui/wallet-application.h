/* wallet-application.h: the Semper Wallet GTK application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-profile.h"
#include "wallet-consent-port.h"

G_BEGIN_DECLS

#define WALLET_TYPE_APPLICATION (wallet_application_get_type ())

G_DECLARE_FINAL_TYPE (WalletApplication, wallet_application, WALLET, APPLICATION, AdwApplication)

WalletApplication *wallet_application_new              (void);
const char        *wallet_application_get_profile_dir  (WalletApplication *self);
const char        *wallet_application_get_pending_uri  (WalletApplication *self);
GSettings         *wallet_application_get_settings     (WalletApplication *self);
WalletConsentPort *wallet_application_get_consent_port (WalletApplication *self);
SemperProfile     *wallet_application_get_profile      (WalletApplication *self);

G_END_DECLS
