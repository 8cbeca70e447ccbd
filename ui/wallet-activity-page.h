/* wallet-activity-page.h: exchanges in progress and recently finished
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-exchanges.h"

G_BEGIN_DECLS

#define WALLET_TYPE_ACTIVITY_PAGE (wallet_activity_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletActivityPage, wallet_activity_page, WALLET, ACTIVITY_PAGE, AdwBin)

WalletActivityPage *wallet_activity_page_new           (gboolean            contracts_only);
void                wallet_activity_page_set_exchanges (WalletActivityPage *self,
                                                        WalletExchanges    *exchanges,
                                                        gboolean            resume_now);
WalletExchanges    *wallet_activity_page_get_exchanges (WalletActivityPage *self);

/* Tests only: the widgets a person would press. @action: "accept", "decline",
 * "retry", "abort", "resolve" for the row of @id; NULL @id for the page's
 * "propose", "fetch", "resume" buttons, the "progress" and "resumed" labels,
 * and the propose window's "propose-window", "propose-button", "ttp-entry". */
GtkWidget *_wallet_activity_page_get_widget   (WalletActivityPage *self,
                                               const char         *id,
                                               const char         *action);
void       _wallet_activity_page_set_proposal (WalletActivityPage *self,
                                               GFile              *contract,
                                               GFile              *certificate);

G_END_DECLS
