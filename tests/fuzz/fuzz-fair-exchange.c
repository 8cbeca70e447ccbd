/* fuzz-fair-exchange.c: the strict parsers of the fair exchange's peer
 * input: the merchant's offer, the TTP's key envelope, the e-cash proof of
 * payment (docs/fair-exchange.md) and the TTP's configuration (semper-fx-ttp.h).
 * The first byte picks the parser (“0”, “1”, “2”, “3”).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-fair-exchange.h"
#include "semper-fx-ecash.h"
#include "semper-fx-ttp.h"

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
  switch (data[0] % 4)
    {
    case 0:
      {
        g_autoptr(SemperFxOffer) offer = semper_fx_offer_parse (bytes, &error);

        g_assert_true ((offer == NULL) != (error == NULL));
        if (offer != NULL)
          g_assert_true (offer->price.minor > 0 && offer->systems[0] != NULL);
      }
      break;
    case 1:
      {
        g_autofree char *label = NULL;
        g_autoptr(GBytes) key = semper_fx_key_envelope_parse (bytes, &label, &error);

        g_assert_true ((key == NULL) != (error == NULL));
        if (key != NULL)
          g_assert_cmpuint (g_bytes_get_size (key), ==, 32);
      }
      break;
    case 2:
      {
        g_autoptr(GPtrArray) coins = semper_fx_ecash_proof_parse (bytes, &error);

        g_assert_true ((coins == NULL) != (error == NULL));
        if (coins != NULL)
          g_assert_cmpuint (coins->len, >, 0);
      }
      break;
    default:
      {
        g_autofree char *bank = NULL;
        gboolean ok = semper_fx_ttp_config_parse (bytes, &bank, &error);

        g_assert_true (ok != (error != NULL));
        if (!ok)
          g_assert_null (bank);
        else if (bank != NULL)
          g_assert_true (g_str_has_prefix (bank, "http"));
      }
      break;
    }
  return 0;
}
