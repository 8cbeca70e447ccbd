/* wallet-consent-port.h: the GUI's SemperConsentPort, backed by the trusted display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "semper-archive.h"
#include "semper-consent.h"
#include "semper-trust.h"
#include "wallet-trusted-display.h"

G_BEGIN_DECLS

#define WALLET_TYPE_CONSENT_PORT (wallet_consent_port_get_type ())

G_DECLARE_FINAL_TYPE (WalletConsentPort, wallet_consent_port, WALLET, CONSENT_PORT, GObject)

WalletConsentPort    *wallet_consent_port_new                 (GtkApplication       *application,
                                                               SemperArchive        *archive);
void                  wallet_consent_port_request_full_async  (WalletConsentPort    *self,
                                                               GBytes               *document,
                                                               const char           *purpose,
                                                               SemperSignerInfo     *counterparty,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
WalletTrustedDisplay *wallet_consent_port_get_display         (WalletConsentPort    *self);
void                  wallet_consent_port_set_archive         (WalletConsentPort    *self,
                                                               SemperArchive        *archive);

G_END_DECLS
