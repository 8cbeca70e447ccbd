/* semper-merchant-payment.c: the merchant's payment systems.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-merchant-payment.h"

#include "semper-fx-ecash.h"

typedef struct {
  SemperFxEcash *ecash;
} MerchantPayment;

static void
merchant_payment_free (gpointer data)
{
  MerchantPayment *p = data;

  g_clear_object (&p->ecash);
  g_free (p);
}

gboolean
_semper_merchant_add_payment_systems (SemperFxMerchant  *fx,
                                      SemperCrypto      *crypto,
                                      SemperTrust       *trust,
                                      const char        *bank_url,
                                      const char        *bank_account,
                                      GPtrArray         *systems,
                                      gpointer          *out_state,
                                      GDestroyNotify    *out_free,
                                      GError           **error)
{
  MerchantPayment *p = g_new0 (MerchantPayment, 1);

  if (bank_url != NULL)
    {
      SemperFxPaymentSystem system = { 0 };

      p->ecash = semper_fx_ecash_new_merchant (crypto, trust, bank_url, NULL);
      semper_fx_ecash_get_system (p->ecash, &system);
      semper_fx_merchant_add_payment_system (fx, &system);
      g_ptr_array_add (systems, (gpointer) "ecash");
    }
  *out_state = p;
  *out_free = merchant_payment_free;
  return TRUE;
}
