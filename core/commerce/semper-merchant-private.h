/* semper-merchant-private.h: the merchant's request parser, for the fuzz target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The buyer's offer request (docs/merchant.md), strictly: @out_items is a
 * GArray of SemperShopItem, @out_answers field → text. */
gboolean _semper_merchant_parse_offer_request (GBytes      *body,
                                               char       **out_service,
                                               char       **out_session,
                                               char       **out_buyer,
                                               GArray     **out_items,
                                               GHashTable **out_answers,
                                               GError     **error);

G_END_DECLS
