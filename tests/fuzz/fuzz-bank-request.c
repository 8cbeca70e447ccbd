/* fuzz-bank-request.c: the strict parsers of bank messages from peers:
 * requests (bank side), deposit permissions (bank side), answers and the
 * published denominations (wallet side).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-bank-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBankRequest) request = semper_bank_request_parse (bytes, &error);
  g_autoptr(SemperDepositPermission) permission = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GPtrArray) denominations = NULL;

  g_assert_true ((request == NULL) != (error == NULL));
  if (request != NULL)
    {
      /* What we accept, we write back in a form we accept again, unchanged. */
      g_autoptr(GBytes) again = semper_bank_request_to_json (request);
      g_autoptr(SemperBankRequest) request2 = semper_bank_request_parse (again, NULL);
      g_autoptr(GBytes) again2 = NULL;

      g_assert_nonnull (request2);
      again2 = semper_bank_request_to_json (request2);
      g_assert_true (g_bytes_equal (again, again2));
      if (request->op == SEMPER_BANK_OP_SWAP)
        g_free (semper_bank_swap_tid (request->coins));
    }
  g_clear_error (&error);

  permission = semper_deposit_permission_parse (bytes, &error);
  g_assert_true ((permission == NULL) != (error == NULL));
  if (permission != NULL)
    {
      g_autoptr(GBytes) again = semper_deposit_permission_to_json (permission);
      g_autoptr(SemperDepositPermission) permission2 = semper_deposit_permission_parse (again,
                                                                                         NULL);

      g_assert_nonnull (permission2);
      g_assert_cmpstr (permission2->coin, ==, permission->coin);
      g_assert_cmpint (permission2->amount.minor, ==, permission->amount.minor);
    }
  g_clear_error (&error);

  answer = semper_bank_answer_parse (bytes, &error);
  g_assert_true ((answer == NULL) != (error == NULL));
  g_clear_error (&error);

  denominations = semper_bank_denominations_parse (bytes, &error);
  g_assert_true ((denominations == NULL) != (error == NULL));
  return 0;
}
