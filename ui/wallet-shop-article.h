/* wallet-shop-article.h: one row of a merchant's catalog in the Shop page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "semper-catalog.h"

G_BEGIN_DECLS

#define WALLET_TYPE_SHOP_ARTICLE (wallet_shop_article_get_type ())
G_DECLARE_FINAL_TYPE (WalletShopArticle, wallet_shop_article, WALLET, SHOP_ARTICLE, GObject)

/* A row whose page has not arrived yet. */
WalletShopArticle  *wallet_shop_article_new_placeholder (guint                position);
/* A copy of @article. */
WalletShopArticle  *wallet_shop_article_new             (const SemperArticle *article,
                                                         guint                position);
gboolean            wallet_shop_article_is_loaded       (WalletShopArticle   *self);
guint               wallet_shop_article_get_position    (WalletShopArticle   *self);
/* (transfer none) (nullable): NULL while not loaded. */
const SemperArticle *wallet_shop_article_get_article    (WalletShopArticle   *self);
/* "12.50 EUR", or "" while not loaded. Returns: (transfer full) */
char               *wallet_shop_article_dup_price       (WalletShopArticle   *self);

G_END_DECLS
