/* semper-merchant-payment.c: the merchant's payment systems: e-cash
 * (deposits, core/payment/semper-fx-ecash.h) and account payments
 * (PROTOCOLS.md D: invoice, authorise and capture at the bank,
 * core/payment/semper-account-payment.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-merchant-payment.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-account-payment.h"
#include "semper-comm-client.h"
#include "semper-fx-ecash.h"

struct _SemperMerchantPayment {
  SemperFxEcash    *ecash;
  SemperCrypto     *crypto;
  SemperTrust      *trust;
  char             *bank_url;
  char             *fingerprint;
  SemperCommClient *client;
  GHashTable       *invoices;   /* H(m1) -> signed invoice */
  GMutex            lock;
};

void
_semper_merchant_payment_free (SemperMerchantPayment *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->ecash);
  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  g_clear_object (&self->client);
  g_free (self->bank_url);
  g_free (self->fingerprint);
  g_clear_pointer (&self->invoices, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

GBytes *
_semper_merchant_payment_invoice (SemperMerchantPayment *self,
                                  const char            *key,
                                  const SemperAmount    *price,
                                  const char            *order_hash,
                                  GError               **error)
{
  SemperInvoice invoice = { 0 };
  GBytes *signed_invoice;

  g_mutex_lock (&self->lock);
  signed_invoice = g_hash_table_lookup (self->invoices, key);
  if (signed_invoice != NULL)
    {
      /* One invoice per exchange: a repeated request gets the same one. */
      g_bytes_ref (signed_invoice);
      g_mutex_unlock (&self->lock);
      return signed_invoice;
    }
  invoice.price = *price;
  invoice.merchant = self->fingerprint;
  invoice.tid = (char *) key;
  invoice.date = g_get_real_time () / G_USEC_PER_SEC;
  invoice.order = (char *) order_hash;
  signed_invoice = semper_invoice_sign (&invoice, self->crypto, error);
  if (signed_invoice != NULL)
    g_hash_table_insert (self->invoices, g_strdup (key), g_bytes_ref (signed_invoice));
  g_mutex_unlock (&self->lock);
  return signed_invoice;
}

/* fx's collect for "account": authorise the buyer's proof with our invoice at
 * the bank, then capture the hold, before m4 leaves. */
static gboolean
account_collect (gpointer            user_data,
                 const char         *key,
                 const SemperAmount *amount,
                 GBytes             *proof,
                 GError            **error)
{
  SemperMerchantPayment *self = user_data;
  g_autoptr(GBytes) invoice = NULL;
  g_autoptr(SemperAccountAnswer) authorised = NULL;
  g_autoptr(SemperAccountAnswer) captured = NULL;
  /* Idempotency keys are at most 64 characters: 192 bits of H(m1) keep them unique. */
  g_autofree char *auth_key = g_strdup_printf ("auth-%.48s", key);
  g_autofree char *capture_key = g_strdup_printf ("capt-%.48s", key);
  SemperAccountRequest request = { 0 };

  g_mutex_lock (&self->lock);
  invoice = g_hash_table_lookup (self->invoices, key);
  if (invoice != NULL)
    g_bytes_ref (invoice);
  g_mutex_unlock (&self->lock);
  if (invoice == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("No invoice was made for this exchange"));
      return FALSE;
    }
  request.op = SEMPER_ACCOUNT_OP_AUTHORISE;
  request.key = auth_key;
  request.invoice = invoice;
  request.proof = proof;
  authorised = semper_account_request_send (&request, self->client, self->crypto, self->trust,
                                            self->bank_url, NULL, NULL, error);
  if (authorised == NULL)
    return FALSE;
  if (!authorised->yes)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The bank refused the account payment: %s"),
                   authorised->reason != NULL ? authorised->reason : "no");
      return FALSE;
    }
  memset (&request, 0, sizeof request);
  request.op = SEMPER_ACCOUNT_OP_CAPTURE;
  request.key = capture_key;
  request.common = authorised->common;
  captured = semper_account_request_send (&request, self->client, self->crypto, self->trust,
                                          self->bank_url, NULL, NULL, error);
  if (captured == NULL)
    return FALSE;
  if (!captured->yes)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The bank did not capture the account payment: %s"),
                   captured->reason != NULL ? captured->reason : "no");
      return FALSE;
    }
  return TRUE;
}

SemperMerchantPayment *
_semper_merchant_payment_new (SemperFxMerchant *fx,
                              SemperCrypto     *crypto,
                              SemperTrust      *trust,
                              const char       *bank_url,
                              GPtrArray        *systems)
{
  SemperMerchantPayment *self = g_new0 (SemperMerchantPayment, 1);
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (crypto);

  g_mutex_init (&self->lock);
  self->invoices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_bytes_unref);
  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->fingerprint = semper_sha256_hex (cert);
  self->client = semper_comm_client_new ();
  if (bank_url != NULL)
    {
      SemperFxPaymentSystem system = { 0 };
      SemperFxPaymentSystem account = { 0 };

      self->bank_url = g_strdup (bank_url);
      self->ecash = semper_fx_ecash_new_merchant (crypto, trust, bank_url, NULL);
      semper_fx_ecash_get_system (self->ecash, &system);
      semper_fx_merchant_add_payment_system (fx, &system);
      g_ptr_array_add (systems, (gpointer) "ecash");

      account.system = "account";
      account.user_data = self;
      account.collect = account_collect;
      semper_fx_merchant_add_payment_system (fx, &account);
      g_ptr_array_add (systems, (gpointer) "account");
    }
  return self;
}
