/* semper-fx-account.c: the TTP's offline check of an account payment in a fair
 * exchange; see semper-fx-account.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fx-account.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-account-payment.h"
#include "semper-account-system.h"
#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-fx-ttp.h"

struct _SemperFxAccountChecker
{
  SemperCrypto     *crypto;
  SemperTrust      *trust;
  char             *bank_url;
  SemperCommClient *client;
};

SemperFxAccountChecker *
semper_fx_account_checker_new (SemperCrypto *crypto,
                               SemperTrust  *trust,
                               const char   *bank_url)
{
  SemperFxAccountChecker *self;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (crypto), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);

  self = g_new0 (SemperFxAccountChecker, 1);
  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->bank_url = g_strdup (bank_url);
  self->client = semper_comm_client_new ();
  return self;
}

void
semper_fx_account_checker_free (SemperFxAccountChecker *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  g_clear_object (&self->client);
  g_free (self->bank_url);
  g_free (self);
}

static gboolean
refuse (GError     **error,
        const char  *reason)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
               _("The account payment does not pay this exchange: %s"), reason);
  return FALSE;
}

static gboolean
check (gpointer            user_data,
       const char         *key,
       const SemperAmount *amount,
       const char         *merchant,
       GBytes             *proof_json,
       GError            **error)
{
  SemperFxAccountChecker *self = user_data;
  g_autoptr(SemperAccountProof) proof = NULL;
  g_autoptr(SemperSignerInfo) buyer = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *slip_hash = NULL;
  SemperAmount authorised;

  proof = semper_account_proof_parse (proof_json, &local);
  if (proof == NULL)
    return refuse (error, local->message);
  text = semper_cms_verify (proof->authorisation, self->trust, &buyer, &local);
  if (text == NULL)
    return refuse (error, local->message);
  if (!buyer->trusted || g_strcmp0 (buyer->role, SEMPER_ROLE_WALLET) != 0)
    return refuse (error, _("the authorisation is not signed by a wallet of this marketplace"));
  doc = semper_document_parse (text, &local);
  if (doc == NULL)
    return refuse (error, local->message);
  slip_hash = semper_sha256_hex (proof->slip);
  if (!g_str_equal (semper_document_get_kind (doc), "payment-authorisation")
      || !semper_document_get_amount (doc, "Amount", &authorised, NULL)
      || !semper_amount_equal (&authorised, amount)
      || g_strcmp0 (semper_document_get_field (doc, "Transaction"), key) != 0
      || g_strcmp0 (semper_document_get_field (doc, "Merchant"), merchant) != 0
      || g_strcmp0 (semper_document_get_field (doc, "Slip"), slip_hash) != 0)
    return refuse (error, _("its authorisation names another exchange, merchant, amount or "
                            "slip"));
  return TRUE;
}

/* Before k leaves: the hold placed at the bank for the merchant, with the
 * merchant's signed invoice that the proof carries. A "no" from the bank
 * (the account does not hold the amount) makes T revoke; a bank that cannot
 * be reached decides nothing. */
static gboolean
settle (gpointer            user_data,
        const char         *key,
        const SemperAmount *amount,
        const char         *merchant,
        GBytes             *proof_json,
        GError            **error)
{
  SemperFxAccountChecker *self = user_data;
  g_autoptr(SemperAccountProof) proof = NULL;
  g_autoptr(SemperInvoice) invoice = NULL;
  g_autoptr(SemperAccountAnswer) answer = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *common = NULL;
  /* At most 64 characters; 192 bits of H(m1) keep it unique. */
  g_autofree char *op_key = g_strdup_printf ("ttpa-%.48s", key);
  SemperAccountRequest request = { 0 };

  /* check() verified the authorisation a moment ago; here only the invoice is new. */
  if (self->bank_url == NULL)
    return semper_fx_ttp_no_bank (error);
  proof = semper_account_proof_parse (proof_json, &local);
  if (proof == NULL)
    return refuse (error, local->message);
  if (proof->invoice == NULL)
    return refuse (error, _("it does not carry the merchant’s invoice, which the TTP needs to "
                            "collect it"));
  invoice = semper_invoice_verify (proof->invoice, self->trust, &common, &local);
  if (invoice == NULL)
    return refuse (error, local->message);
  if (!g_str_equal (invoice->tid, key) || !g_str_equal (invoice->merchant, merchant)
      || !semper_amount_equal (&invoice->price, amount))
    return refuse (error, _("its invoice names another exchange, merchant or amount"));
  request.op = SEMPER_ACCOUNT_OP_AUTHORISE;
  request.key = op_key;
  request.invoice = proof->invoice;
  request.proof = proof_json;
  answer = semper_account_request_send (&request, self->client, self->crypto, self->trust,
                                        self->bank_url, NULL, NULL, &local);
  if (answer == NULL)
    {
      semper_fx_ttp_settle_error (error, g_steal_pointer (&local), FALSE);
      return FALSE;
    }
  if (!answer->yes)
    {
      g_set_error (&local, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The bank refused the account payment: %s"),
                   answer->reason != NULL ? answer->reason : "no");
      semper_fx_ttp_settle_error (error, g_steal_pointer (&local), TRUE);
      return FALSE;
    }
  return TRUE;
}

void
semper_fx_account_checker_get_system (SemperFxAccountChecker *self,
                                      SemperFxPaymentSystem  *out)
{
  g_return_if_fail (self != NULL && out != NULL);

  memset (out, 0, sizeof *out);
  out->system = "account";
  out->user_data = self;
  out->check = check;
  out->settle = settle;
}

/* ---- resuming an account-paid purchase ---------------------------------------- */

static gboolean
resume_reserve (gpointer            user_data,
                const char         *key,
                const SemperAmount *amount,
                GError            **error)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
               _("An account payment needs the user's consent to its authorisation"));
  return FALSE;
}

static GBytes *
resume_pay (gpointer     user_data,
            const char  *key,
            const char  *merchant,
            GError     **error)
{
  resume_reserve (user_data, key, NULL, error);
  return NULL;
}

static gboolean
resume_commit (gpointer     user_data,
               const char  *key,
               GError     **error)
{
  return semper_payment_system_commit (user_data, key, error);
}

static gboolean
resume_release (gpointer     user_data,
                const char  *key,
                GBytes      *revoke,
                GError     **error)
{
  return semper_payment_system_reclaim (user_data, key, revoke, error);
}

void
semper_fx_account_add_resume_system (SemperFxBuyer *buyer,
                                     SemperProfile *profile)
{
  g_autoptr(SemperAccountSystem) account = NULL;
  SemperFxPaymentSystem system = { 0 };

  g_return_if_fail (SEMPER_IS_FX_BUYER (buyer));

  account = semper_account_system_new (profile, NULL);
  if (account == NULL)
    return;
  system.system = "account";
  system.user_data = account;
  system.reserve = resume_reserve;
  system.pay = resume_pay;
  system.commit = resume_commit;
  system.release = resume_release;
  semper_fx_buyer_add_payment_system (buyer, &system);
  g_object_set_data_full (G_OBJECT (buyer), "semper-fx-account", g_steal_pointer (&account),
                          g_object_unref);
}
