/* fuzz-protocol-message.c: the parser of signed protocol messages' content,
 * and of contract files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-contract-signing.h"
#include "semper-protocol-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(SemperProtocolMessage) message = NULL;

  message = semper_protocol_message_parse_content (bytes, NULL);
  if (message != NULL)
    {
      g_autoptr(GBytes) again = semper_protocol_message_dup_content (message);
      g_autoptr(SemperProtocolMessage) reparsed = NULL;

      /* What we accept, we can write back and accept again. */
      reparsed = semper_protocol_message_parse_content (again, NULL);
      g_assert_nonnull (reparsed);
      g_assert_cmpstr (semper_protocol_message_get_step (reparsed), ==,
                       semper_protocol_message_get_step (message));
    }
  return 0;
}
