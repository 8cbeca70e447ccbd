/* wallet-shop-catalog-model.h: a GListModel over a merchant's catalog that
 * fetches pages lazily
 *
 * The model knows only the number of matches until a view asks for a row;
 * then it fetches that row's page (WALLET_SHOP_CATALOG_PAGE rows) from its
 * source and replaces the page's placeholders. A 6000-article catalog costs
 * the pages on screen, never one object or widget per article up front.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-catalog.h"
#include "wallet-shop-article.h"

G_BEGIN_DECLS

#define WALLET_SHOP_CATALOG_PAGE 100

/**
 * WalletShopCatalogFetchFunc:
 * @query: (nullable): the search words
 * @offset: the first match wanted
 * @limit: how many
 * @task: complete it with wallet_shop_catalog_return_page() or
 *   g_task_return_error(), in the task's context
 *
 * Fetches one page of matches from wherever the catalog is (a merchant,
 * or a local SemperCatalog).
 */
typedef void (*WalletShopCatalogFetchFunc) (gpointer    source,
                                            const char *query,
                                            guint       offset,
                                            guint       limit,
                                            GTask      *task);

/* @articles: (element-type SemperArticle) (transfer none): copied. */
void wallet_shop_catalog_return_page (GTask     *task,
                                      guint      total,
                                      GPtrArray *articles);

#define WALLET_TYPE_SHOP_CATALOG_MODEL (wallet_shop_catalog_model_get_type ())
G_DECLARE_FINAL_TYPE (WalletShopCatalogModel, wallet_shop_catalog_model,
                      WALLET, SHOP_CATALOG_MODEL, GObject)

/* @source: (transfer full): freed with @free. */
WalletShopCatalogModel *wallet_shop_catalog_model_new          (WalletShopCatalogFetchFunc fetch,
                                                                gpointer                   source,
                                                                GDestroyNotify             free);
/* A model over a local catalog (held with a reference). */
WalletShopCatalogModel *wallet_shop_catalog_model_new_for_catalog (SemperCatalog          *catalog);
/* Starts a new search (NULL or "" for everything); the model empties and
 * then fills with the first page's total. */
void                    wallet_shop_catalog_model_set_query    (WalletShopCatalogModel    *self,
                                                                const char                *query);
const char             *wallet_shop_catalog_model_get_query    (WalletShopCatalogModel    *self);
/* Whether a fetch is running (property "loading"). */
gboolean                wallet_shop_catalog_model_get_loading  (WalletShopCatalogModel    *self);
/* The last fetch's error (property "error"), or NULL. */
const GError           *wallet_shop_catalog_model_get_error    (WalletShopCatalogModel    *self);
/* How many pages were fetched since the last query (for tests). */
guint                   wallet_shop_catalog_model_get_n_fetched (WalletShopCatalogModel   *self);

G_END_DECLS
