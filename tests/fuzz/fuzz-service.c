/* fuzz-service.c: the commerce service description parser, and the flow
 * checker on whatever flow it accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-flow-cursor.h"
#include "semper-service.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(SemperService) service = semper_service_parse (bytes, NULL);
  g_autoptr(SemperFlowCursor) cursor = NULL;

  if (service == NULL)
    return 0;
  g_assert_nonnull (semper_service_find_step (service, semper_service_get_start (service)));

  /* Walk the flow, always taking the first allowed message: every step
   * the parser accepted must be walkable. */
  cursor = semper_flow_cursor_new (service);
  for (guint i = 0; i < 64; i++)
    {
      g_auto(GStrv) expected = semper_flow_cursor_dup_expected (cursor);
      g_auto(GStrv) parts = NULL;
      SemperServiceParty party;

      if (expected[0] == NULL)
        break;
      parts = g_strsplit (expected[0], ":", 2);
      party = g_str_equal (parts[0], "buyer") ? SEMPER_SERVICE_PARTY_BUYER
                                              : SEMPER_SERVICE_PARTY_MERCHANT;
      g_assert_true (semper_flow_cursor_accept (cursor, party, parts[1], NULL));
      g_assert_false (semper_flow_cursor_check (cursor, party, "no/such-message", NULL));
    }
  return 0;
}
