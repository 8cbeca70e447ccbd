/* fuzz-message.c: the strict JSON parser for bodies from the network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  root = semper_message_parse (bytes, 1024 * 1024, NULL);
  if (root != NULL)
    g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  semper_message_parse_error (bytes, &code, &message);
  if (message != NULL)
    g_assert_true (g_utf8_validate (message, -1, NULL));
  return 0;
}
