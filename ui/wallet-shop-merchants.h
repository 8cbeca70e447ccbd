/* wallet-shop-merchants.h: the merchants that the wallet knows, kept in the profile
 *
 * The Shop page lists them. They are stored in the profile's archive
 * (preference "shop.merchants", one "http://HOST:PORT" per line), so they
 * follow the profile into backups and to another machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"

G_BEGIN_DECLS

#define WALLET_SHOP_MERCHANTS_MAX 256

#define WALLET_SHOP_MERCHANTS_ERROR (wallet_shop_merchants_error_quark ())

typedef enum {
  WALLET_SHOP_MERCHANTS_ERROR_INVALID,  /* not a merchant address */
  WALLET_SHOP_MERCHANTS_ERROR_FULL,     /* WALLET_SHOP_MERCHANTS_MAX reached */
} WalletShopMerchantsError;

GQuark  wallet_shop_merchants_error_quark (void);

/* "http://HOST:PORT" (no path, query or user info; https is allowed too)
 * from what the user typed; "HOST:PORT" alone means http.
 * Returns: (transfer full) (nullable) */
char   *wallet_shop_merchants_normalize   (const char     *text,
                                           GError        **error);
/* Returns: (transfer full): the stored merchants, in the order they were added. */
GStrv   wallet_shop_merchants_load        (SemperArchive  *archive,
                                           GError        **error);
/* Adds @url (normalized first) unless it is there. @out_url: (out) (optional)
 * (transfer full): the normalized address. */
gboolean wallet_shop_merchants_add        (SemperArchive  *archive,
                                           const char     *url,
                                           char          **out_url,
                                           GError        **error);
gboolean wallet_shop_merchants_remove     (SemperArchive  *archive,
                                           const char     *url,
                                           GError        **error);

G_END_DECLS
