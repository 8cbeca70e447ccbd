/* fuzz-account-payment.c: the strict parsers of account and e-cash payment
 * messages from peers: the merchant's invoice (wallet and bank side), the
 * payment slip (bank side, after decryption), the buyer's proof (merchant and
 * bank), the merchant's account request (bank), the bank's answer (merchant
 * and wallet), the e-cash proof of payment (merchant, TTP) and the buyer's
 * request for an e-cash refund (merchant).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-account-payment.h"
#include "semper-ecash-refund.h"
#include "semper-ecash-system.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperInvoice) invoice = NULL;
  g_autoptr(SemperPaymentSlip) slip = NULL;
  g_autoptr(SemperAccountProof) proof = NULL;
  g_autoptr(SemperAccountRequest) request = NULL;
  g_autoptr(SemperAccountAnswer) answer = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(SemperEcashRefundRequest) refund = NULL;

  invoice = semper_invoice_parse (bytes, &error);
  g_assert_true ((invoice == NULL) != (error == NULL));
  if (invoice != NULL)
    {
      /* What we accept, we write back in a form we accept again, unchanged. */
      g_autoptr(GBytes) again = semper_invoice_to_json (invoice);
      g_autoptr(SemperInvoice) invoice2 = semper_invoice_parse (again, NULL);
      g_autoptr(GBytes) again2 = NULL;

      g_assert_nonnull (invoice2);
      again2 = semper_invoice_to_json (invoice2);
      g_assert_true (g_bytes_equal (again, again2));
    }
  g_clear_error (&error);

  slip = semper_payment_slip_parse (bytes, &error);
  g_assert_true ((slip == NULL) != (error == NULL));
  if (slip != NULL)
    {
      g_autoptr(GBytes) again = semper_payment_slip_to_json (slip);
      g_autoptr(SemperPaymentSlip) slip2 = semper_payment_slip_parse (again, NULL);

      g_assert_nonnull (slip2);
      g_assert_cmpstr (slip2->account, ==, slip->account);
      g_assert_cmpint (slip2->amount.minor, ==, slip->amount.minor);
    }
  g_clear_error (&error);

  proof = semper_account_proof_parse (bytes, &error);
  g_assert_true ((proof == NULL) != (error == NULL));
  g_clear_error (&error);

  request = semper_account_request_parse (bytes, &error);
  g_assert_true ((request == NULL) != (error == NULL));
  if (request != NULL)
    {
      g_autoptr(GBytes) again = semper_account_request_to_json (request);
      g_autoptr(SemperAccountRequest) request2 = semper_account_request_parse (again, NULL);
      g_autoptr(GBytes) again2 = NULL;

      g_assert_nonnull (request2);
      again2 = semper_account_request_to_json (request2);
      g_assert_true (g_bytes_equal (again, again2));
    }
  g_clear_error (&error);

  answer = semper_account_answer_parse (bytes, &error);
  g_assert_true ((answer == NULL) != (error == NULL));
  g_clear_error (&error);

  coins = semper_ecash_proof_parse (bytes, &error);
  g_assert_true ((coins == NULL) != (error == NULL));
  g_clear_error (&error);

  refund = semper_ecash_refund_request_parse (bytes, &error);
  g_assert_true ((refund == NULL) != (error == NULL));
  if (refund != NULL)
    {
      g_autoptr(GBytes) again = semper_ecash_refund_request_to_json (refund);
      g_autoptr(SemperEcashRefundRequest) refund2 = semper_ecash_refund_request_parse (again,
                                                                                      NULL);
      g_autoptr(GBytes) again2 = NULL;

      g_assert_nonnull (refund2);
      again2 = semper_ecash_refund_request_to_json (refund2);
      g_assert_true (g_bytes_equal (again, again2));
    }
  return 0;
}
