/* fuzz-shop-client.c: the wallet's parsers of a merchant's answers, before any
 * signature is checked: the services list (GET /services), a catalog page
 * (GET /catalog) and the whole catalog (GET /catalog/export).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semper-shop-client-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SemperShopPage) page = NULL;
  g_autoptr(SemperCatalog) catalog = NULL;
  g_autofree char *ttp_url = NULL;
  g_autoptr(GBytes) ttp_cert = NULL;

  entries = _semper_shop_parse_services_list (bytes, &ttp_url, &ttp_cert, NULL);
  if (entries != NULL)
    {
      g_assert_nonnull (ttp_url);
      g_assert_nonnull (ttp_cert);
      for (guint i = 0; i < entries->len; i++)
        {
          SemperShopServiceEntry *e = g_ptr_array_index (entries, i);

          g_assert_nonnull (e->id);
          g_assert_nonnull (e->description);
        }
    }
  /* A page asked for at 0 and at 20, 20 long, in EUR. */
  for (guint offset = 0; offset <= 20; offset += 20)
    {
      g_clear_pointer (&page, semper_shop_page_free);
      page = _semper_shop_parse_catalog_page (bytes, "EUR", offset, 20, NULL);
      if (page != NULL)
        {
          g_assert_cmpuint (page->offset, ==, offset);
          g_assert_cmpuint (page->articles->len, <=, 20);
          for (guint i = 0; i < page->articles->len; i++)
            {
              const SemperArticle *a = g_ptr_array_index (page->articles, i);

              g_assert_cmpstr (a->price.currency, ==, "EUR");
              g_assert_null (strchr (a->title, '\n'));
            }
        }
    }
  catalog = _semper_shop_parse_catalog_export (bytes, NULL);
  if (catalog != NULL)
    g_free (semper_catalog_dup_digest (catalog));
  return 0;
}
