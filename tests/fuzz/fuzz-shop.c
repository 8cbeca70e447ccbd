/* fuzz-shop.c: the merchant protocol's parsers of peer input: the buyer's
 * offer request (merchant side) and a credential's content (wallet and
 * merchant side).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-merchant-private.h"
#include "semper-shop-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autofree char *service = NULL, *session = NULL, *buyer = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GHashTable) answers = NULL;
  g_autoptr(SemperShopCredential) credential = NULL;

  if (_semper_merchant_parse_offer_request (bytes, &service, &session, &buyer, &items, &answers,
                                            NULL))
    {
      g_assert_nonnull (service);
      g_assert_nonnull (buyer);
      g_assert_cmpuint (items->len, >=, 1);
      for (guint i = 0; i < items->len; i++)
        g_assert_cmpuint (g_array_index (items, SemperShopItem, i).quantity, >=, 1);
    }
  credential = _semper_shop_credential_parse (bytes, NULL);
  if (credential != NULL)
    g_assert_cmpint (credential->not_before, <=, credential->not_after);
  return 0;
}
