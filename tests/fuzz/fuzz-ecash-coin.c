/* fuzz-ecash-coin.c: the strict parser of e-cash coins from peers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-ecash.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCoin) coin = semper_coin_new_from_json (bytes, &error);

  g_assert_true ((coin == NULL) != (error == NULL));
  if (coin != NULL)
    {
      g_autoptr(GBytes) again = semper_coin_to_json (coin, FALSE, NULL);
      g_autoptr(SemperCoin) coin2 = semper_coin_new_from_json (again, NULL);

      /* What we accept, we write back in a form we accept again. */
      g_assert_nonnull (coin2);
      g_assert_cmpstr (semper_coin_get_id (coin2), ==, semper_coin_get_id (coin));
    }
  return 0;
}
