/* semper-restore.c: after a restore, the purse takes its coins over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-restore.h"

#include <string.h>

#include "semper-archive.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"

gboolean
semper_restore_take_over_coins (SemperProfile  *profile,
                                guint          *out_coins,
                                GError        **error)
{
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(GPtrArray) currencies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bank = NULL;

  *out_coins = 0;
  purse = semper_purse_new (profile, error);
  if (purse == NULL)
    return FALSE;
  bank = semper_purse_dup_bank_url (purse);
  if (bank == NULL)
    return TRUE;
  /* A request the original left journaled is finished first. */
  if (semper_purse_recover (purse, error) < 0)
    return FALSE;
  coins = semper_archive_coin_list (semper_profile_get_archive (profile), SEMPER_PURSE_SYSTEM,
                                    "fresh", error);
  if (coins == NULL)
    return FALSE;
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      if (!g_ptr_array_find_with_equal_func (currencies, coin->value.currency, g_str_equal, NULL))
        g_ptr_array_add (currencies, g_strdup (coin->value.currency));
    }

  for (guint i = 0; i < currencies->len; i++)
    {
      const char *currency = g_ptr_array_index (currencies, i);
      g_autofree char *seed = NULL;
      g_autofree char *tid = NULL;
      g_autoptr(GBytes) seed_bytes = NULL;
      guint8 nonce[16];
      SemperAmount all;

      if (!semper_purse_get_balance (purse, currency, &all, error))
        return FALSE;
      if (all.minor == 0)
        continue;
      if (!semper_random_bytes (nonce, sizeof nonce, error))
        return FALSE;
      seed = g_strdup_printf ("restore take-over %s %02x%02x%02x%02x%02x%02x%02x%02x", currency,
                              nonce[0], nonce[1], nonce[2], nonce[3], nonce[4], nonce[5],
                              nonce[6], nonce[7]);
      seed_bytes = g_bytes_new (seed, strlen (seed));
      tid = semper_sha256_hex (seed_bytes);
      if (!semper_purse_reserve (purse, tid, &all, error)
          || !semper_purse_reclaim (purse, tid, error))
        return FALSE;
    }
  /* The coins the original spent first are now marked spent: count what is left. */
  g_clear_pointer (&coins, g_ptr_array_unref);
  coins = semper_archive_coin_list (semper_profile_get_archive (profile), SEMPER_PURSE_SYSTEM,
                                    "fresh", error);
  if (coins == NULL)
    return FALSE;
  *out_coins = coins->len;
  return TRUE;
}
