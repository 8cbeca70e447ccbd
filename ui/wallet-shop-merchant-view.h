/* wallet-shop-merchant-view.h: one merchant in the Shop page: its certified
 * services and terms, its catalog, the order form, review, signing in the
 * trusted display, payment and the receipt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-profile.h"
#include "wallet-consent-port.h"

G_BEGIN_DECLS

#define WALLET_TYPE_SHOP_MERCHANT_VIEW (wallet_shop_merchant_view_get_type ())
G_DECLARE_FINAL_TYPE (WalletShopMerchantView, wallet_shop_merchant_view,
                      WALLET, SHOP_MERCHANT_VIEW, AdwBin)

/* Loads the merchant's services at @url (in a worker thread). The consent
 * port is looked up on the application when the user signs. */
WalletShopMerchantView *wallet_shop_merchant_view_new        (SemperProfile          *profile,
                                                              const char             *url);
const char             *wallet_shop_merchant_view_get_url    (WalletShopMerchantView *self);
/* The step shown: "loading", "error", "services", "catalog", "order",
 * "review", "progress", "done", "failed". */
const char             *wallet_shop_merchant_view_get_step   (WalletShopMerchantView *self);
/* Starts an order of @items ("ID" or "ID:QTY", NULL-terminated) from
 * @service_id; shows the order form once the services are loaded. */
void                    wallet_shop_merchant_view_start_order (WalletShopMerchantView *self,
                                                              const char             *service_id,
                                                              const char * const     *items);
/* Shows @service_id's catalog. */
void                    wallet_shop_merchant_view_browse     (WalletShopMerchantView *self,
                                                              const char             *service_id);
/* The receipt of the last completed purchase, or 0. */
gint64                  wallet_shop_merchant_view_get_receipt_id (WalletShopMerchantView *self);

/* For the tests: the failure page as @error would make it; its "page" and "action". */
void                    _wallet_shop_merchant_view_explain_failure (WalletShopMerchantView *self,
                                                                    const GError           *error);
GtkWidget              *_wallet_shop_merchant_view_get_failure   (WalletShopMerchantView *self,
                                                                  const char             *name);

G_END_DECLS
