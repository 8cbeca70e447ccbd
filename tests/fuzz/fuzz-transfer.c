/* fuzz-transfer.c: the strict parsers of the transfer service
 * (semper-transfer.h): a package and a receipt of delivery. The first byte
 * picks the parser (even: package, odd: receipt).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-transfer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (size == 0)
    return 0;
  bytes = g_bytes_new (data + 1, size - 1);
  if (data[0] % 2 == 0)
    {
      g_autoptr(SemperPackage) package = semper_package_parse (bytes, &error);

      g_assert_true ((package == NULL) != (error == NULL));
      if (package != NULL)
        {
          /* What parses prints back and parses again to the same. */
          g_autoptr(GBytes) again = semper_package_to_json (package);
          g_autoptr(SemperPackage) second = semper_package_parse (again, NULL);

          g_assert_nonnull (second);
          g_assert_cmpuint (second->items->len, ==, package->items->len);
          g_assert_cmpuint (package->items->len, >, 0);
        }
    }
  else
    {
      g_autoptr(SemperDeliveryReceipt) receipt = semper_delivery_receipt_parse (bytes, &error);

      g_assert_true ((receipt == NULL) != (error == NULL));
    }
  return 0;
}
