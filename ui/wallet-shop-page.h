/* wallet-shop-page.h: the Shop page: the merchants the wallet knows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-profile.h"
#include "wallet-shop-merchant-view.h"

G_BEGIN_DECLS

#define WALLET_TYPE_SHOP_PAGE (wallet_shop_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletShopPage, wallet_shop_page, WALLET, SHOP_PAGE, AdwBin)

/* @profile: (nullable): the open profile, or NULL while none is open. */
void      wallet_shop_page_set_profile     (WalletShopPage *self,
                                            SemperProfile  *profile);
/* Remembers the merchant at @url in the profile and lists it. */
gboolean  wallet_shop_page_add_merchant    (WalletShopPage *self,
                                            const char     *url,
                                            GError        **error);
gboolean  wallet_shop_page_remove_merchant (WalletShopPage *self,
                                            const char     *url,
                                            GError        **error);
/* A semper: link (from a browser): remembers its merchant and opens it.
 * A link that does not parse is reported on the page and returns FALSE. */
gboolean  wallet_shop_page_open_uri        (WalletShopPage *self,
                                            const char     *uri,
                                            GError        **error);
WalletShopMerchantView *wallet_shop_page_open_merchant     (WalletShopPage *self,
                                                            const char     *url);
/* Returns: (transfer none) (nullable): the merchant shown last. */
WalletShopMerchantView *wallet_shop_page_get_merchant_view (WalletShopPage *self);
/* Returns: (transfer full): the merchants listed, in order. */
GStrv     wallet_shop_page_dup_merchants   (WalletShopPage *self);

G_END_DECLS
