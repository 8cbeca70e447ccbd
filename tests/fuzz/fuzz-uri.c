/* fuzz-uri.c: the semper: URI parser; what it accepts prints back to itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semper-uri.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SemperUri) uri = semper_uri_parse (text, NULL);
  g_autofree char *again = NULL;
  g_autoptr(SemperUri) reparsed = NULL;
  g_autofree char *twice = NULL;

  if (uri == NULL)
    return 0;
  g_assert_cmpuint (uri->items->len, >=, 1);
  g_assert_cmpuint (uri->items->len, <=, SEMPER_URI_MAX_ITEMS);
  g_assert_cmpuint (uri->port, >=, 1);
  g_assert_cmpuint (uri->port, <=, 65535);
  g_assert_true (g_str_has_prefix (uri->merchant_url, "http://"));
  again = semper_uri_to_string (uri);
  reparsed = semper_uri_parse (again, NULL);
  g_assert_nonnull (reparsed);
  twice = semper_uri_to_string (reparsed);
  g_assert_cmpstr (again, ==, twice);
  return 0;
}
