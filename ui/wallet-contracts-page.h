/* wallet-contracts-page.h: the Contracts page: the archive browser over
 * contracts (signed and aborted ones, with their proofs)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-archive.h"
#include "wallet-activity-page.h"
#include "wallet-receipts-page.h"

G_BEGIN_DECLS

#define WALLET_TYPE_CONTRACTS_PAGE (wallet_contracts_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletContractsPage, wallet_contracts_page, WALLET, CONTRACTS_PAGE, AdwBin)

WalletContractsPage *wallet_contracts_page_new          (void);
gboolean             wallet_contracts_page_set_archive  (WalletContractsPage  *self,
                                                         SemperArchive        *archive,
                                                         GBytes               *trust_root,
                                                         GError              **error);
WalletReceiptsPage  *wallet_contracts_page_get_browser  (WalletContractsPage  *self);
void                 wallet_contracts_page_set_exchanges (WalletContractsPage *self,
                                                          WalletExchanges     *exchanges);
WalletActivityPage  *wallet_contracts_page_get_in_progress (WalletContractsPage *self);

G_END_DECLS
