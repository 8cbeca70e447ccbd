/* fuzz-ecash-store.c: the e-cash parsers that are not behind a peer's
 * message parser: a denomination's JSON (what a bank signs; a bank that is
 * not honest can send anything) and a coin request as the purse journals
 * it (semper_coin_request_new_from_json, read back by recovery). The first
 * byte picks the parser: 'D' a denomination, anything else a coin request
 * for a fixed denomination whose key is below (a key made for this target
 * only, so that the seed corpus holds coin requests that parse).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semper-blind-rsa.h"
#include "semper-ecash.h"
#include "semper-ecash-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* PKCS#8 of the fixed denomination's RSA-2048 key: not used anywhere else. */
static const char fixed_key[] =
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDNy1DktZo8eNmns5teavB4KwMn"
  "ZsbV1Lyn5qQj8v8iOla1brZ22bp7XBZnbdZ1BgsRXKePWxtWULByaku117Rpqb9epm0EVwL0bVfC"
  "1dpBO8/mnj02A5eJFvGPJgx4utlJDA8q0oUBgEc1Rn6tEXDdXzynH5/hNjycJ7TB1JpPl/cX4br1"
  "ark1+e9D0YXYdZBFpaRjC9T+D01vshTzFJZ6/Nl5Ayvjeb7DiMUNn/1nTs9i3YbOef5eZxwlWGw6"
  "1HHqtQWH2F0WYg/jP9Ntj345qJBI6lxEMeKi/fVB8tDSrZkhgmDj3Zo+osYyLuH6yzWH6MpmuVZB"
  "ILI381I2gMZXAgMBAAECggEAVkEj0CBvm235qCkG8112GZ/JjB+vMhue0O7CGFE2b1WtVxEmyAy8"
  "9QxlVYd7bgQQ6n9/uX2xqQ1bzzDPN9HHi8v6akTuB3Yixmj38jEo79OOcXYcaMG7p1lm+J01d/q0"
  "rMGxr7yZw8XM0r8PxCE9wYMzzEZcgAv3/mlEAUPHQ5lJFwD4PDv1343VhQXVjx7vU9k6em57ELfe"
  "1CG0P1cf9IMNO+tC/b8V/Slcq3G8Xful/g1ixioxgHpXNt971qqFzWRYWtRPhMdBH9PD+ruwV37z"
  "nmMiEdHmqoJ9k3llw7qQID+HNOI9SAhM3117gjdNCodOqSHIc7lUKGem/Bv/bQKBgQDsxPUTOKyd"
  "gGTZlYCsMf74cOzzAy8TZ+2SAtVQTzI2cpdF0SH8OJ5xAnRiA083FNzlyiRWPKdRIG8elVuPyrXR"
  "K0/l07wM4dQvNOvF9VbX88xVgj67JAeMAa3+38OaovP6bfaMlLMFx4Wg055B9OZsN8E1zYFkvuCO"
  "A+70AHTBbQKBgQDegk457g06NnfX3nCWgHKvFfWUnLdT+r+hv9AJ1/ujZRFcb7pji7pYyopkAug9"
  "xX4gUzVZabv6FPopAluqGInWkL+KuumYt4bpe5QdJAxaGcjL+/L9wojdQBUaR2iyy5ExL8EDVAqD"
  "hPi5p5dg4TewHmNy6awEAPk0grcGOIRQUwKBgQCNCsbzLE+ng1SQSP7dlOrOFHcSTFM+vCpJUGbB"
  "8Gt5A8oZTPtxxEieCVhLCq2lokf0mvYKaRdCvI91KIPipF6qu6JcxkS/Z8d+V4gb5IpXGmQei/fS"
  "gyP7wwRjT+i1tVyhUeAM3ofGaZSwuV8M61ZYIN53rnPmD860yqMNtzfWAQKBgDlWasISzeXKU2eV"
  "Mn4V63eiuP3qxHMnkmoj+4AN4BJi4O5o/CbawtJOnwrWlPIWCkJaLs0zqfTvoucebHCQkjRwaGtf"
  "bwKjiGhyJ+C6gVRWgJ/P9PXfQ1WARe/Xpusr+eYq4BnzdiIeCdoNjbyxTKBdtFLQVDtT5OPbKz63"
  "IaFxAoGASaxnGIEMqBGLaTBwgKREEO245EnwO1GW9+nA4PBXIWxnHj1b/7us64+B0grBMLJo6+IK"
  "kNV5ZR6wKCkOZShMfM+ICCUdE/AQbizeWHFcjw5SgR/JwZTmbvqO742fKi2cockWWKdII5xi9gEo"
  "ZimL20Q/lXyCXpBGLAM0NYui+dw=";

static SemperDenomination *
fixed_denomination (void)
{
  static SemperDenomination *denom;

  if (denom == NULL)
    {
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      guchar *der = g_base64_decode (fixed_key, &len);
      g_autoptr(GBytes) pkcs8 = g_bytes_new_take (der, len);
      g_autoptr(SemperBlindRsaKey) key = semper_blind_rsa_key_new_from_pkcs8 (pkcs8, &error);
      g_autoptr(GDateTime) from = g_date_time_new_from_unix_utc (1767225600);
      g_autoptr(GDateTime) withdraw = g_date_time_new_from_unix_utc (1798761600);
      g_autoptr(GDateTime) deposit = g_date_time_new_from_unix_utc (1830297600);

      g_assert_no_error (error);
      denom = semper_denomination_new (key, 100, "EUR", from, withdraw, deposit, &error);
      g_assert_no_error (error);
    }
  return denom;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (size == 0)
    return 0;
  bytes = g_bytes_new (data + 1, size - 1);
  if (data[0] == 'D')
    {
      g_autoptr(SemperDenomination) denom = _semper_denomination_new_from_json (bytes, &error);

      g_assert_true ((denom == NULL) != (error == NULL));
      if (denom != NULL)
        {
          g_assert_cmpuint (strlen (semper_denomination_get_id (denom)), ==, 64);
          g_assert_cmpint (semper_denomination_get_value (denom), >, 0);
        }
    }
  else
    {
      g_autoptr(SemperCoinRequest) creq = semper_coin_request_new_from_json (
        bytes, fixed_denomination (), &error);

      g_assert_true ((creq == NULL) != (error == NULL));
      if (creq != NULL)
        {
          g_autoptr(GBytes) again = semper_coin_request_to_json (creq, NULL);
          g_autoptr(SemperCoinRequest) creq2 = NULL;

          /* What we accept, we write back in a form we accept again. */
          g_assert_nonnull (again);
          creq2 = semper_coin_request_new_from_json (again, fixed_denomination (), NULL);
          g_assert_nonnull (creq2);
          g_assert_true (g_bytes_equal (semper_coin_request_get_blinded (creq),
                                        semper_coin_request_get_blinded (creq2)));
        }
    }
  return 0;
}
