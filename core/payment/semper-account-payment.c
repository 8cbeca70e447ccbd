/* semper-account-payment.c: the messages of an account payment and the
 * merchant's requests to the bank (PROTOCOLS.md D; docs/payments.md).
 *
 * Every parser here reads peer input: strict JSON (known members only,
 * canonical base64 and hex, integer amounts); each has a fuzz target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-account-payment.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-document.h"
#include "semper-money.h"
#include "semper-payment-json-private.h"
#include "semper-payment-system.h"

#define INVOICE_TYPE "semper-invoice"
#define SLIP_TYPE "semper-payment-slip"
#define PROOF_TYPE "semper-account-proof"
#define REQUEST_TYPE "semper-account-request"
#define ANSWER_TYPE "semper-account-answer"
#define MAX_BLOB (64 * 1024)
/* Dates from 2000 to 2200. */
#define MIN_DATE G_GINT64_CONSTANT (946684800)
#define MAX_DATE G_GINT64_CONSTANT (7258118400)

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID, message);
  return FALSE;
}

static JsonBuilder *
begin (const char *type)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  _semper_pay_add_string (b, "type", type);
  _semper_pay_add_int (b, "version", 1);
  return b;
}

static void
add_amount (JsonBuilder        *b,
            const char         *name,
            const SemperAmount *amount)
{
  _semper_pay_add_int (b, name, amount->minor);
  _semper_pay_add_string (b, "currency", amount->currency);
}

/* ---- invoice ------------------------------------------------------------------ */

GBytes *
semper_invoice_to_json (const SemperInvoice *self)
{
  g_autoptr(JsonBuilder) b = begin (INVOICE_TYPE);

  add_amount (b, "price", &self->price);
  _semper_pay_add_string (b, "merchant", self->merchant);
  _semper_pay_add_string (b, "tid", self->tid);
  _semper_pay_add_int (b, "date", self->date);
  _semper_pay_add_string (b, "order", self->order);
  return _semper_pay_builder_finish (b);
}

void
semper_invoice_free (SemperInvoice *self)
{
  if (self == NULL)
    return;
  g_free (self->merchant);
  g_free (self->tid);
  g_free (self->order);
  g_free (self);
}

SemperInvoice *
semper_invoice_parse (GBytes  *json,
                      GError **error)
{
  static const char * const allowed[] = {
    "type", "version", "price", "currency", "merchant", "tid", "date", "order", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperInvoice) self = g_new0 (SemperInvoice, 1);
  JsonObject *o;
  const char *currency;
  gint64 minor;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, INVOICE_TYPE, allowed, &root, error);
  if (o == NULL)
    return NULL;
  if (!_semper_pay_json_int (o, "price", 1, _SEMPER_PAY_MAX_AMOUNT, &minor, error))
    return NULL;
  currency = _semper_pay_json_string (o, "currency", TRUE, error);
  if (currency == NULL)
    return NULL;
  if (!semper_amount_init (&self->price, minor, currency, NULL))
    {
      invalid (error, _("The invoice's currency is not known"));
      return NULL;
    }
  if ((self->merchant = _semper_pay_json_hex64 (o, "merchant", error)) == NULL
      || (self->tid = _semper_pay_json_hex64 (o, "tid", error)) == NULL
      || (self->order = _semper_pay_json_hex64 (o, "order", error)) == NULL
      || !_semper_pay_json_int (o, "date", MIN_DATE, MAX_DATE, &self->date, error))
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
semper_invoice_sign (const SemperInvoice *self,
                     SemperCrypto        *merchant,
                     GError             **error)
{
  g_autoptr(GBytes) json = NULL;

  g_return_val_if_fail (self != NULL && SEMPER_IS_CRYPTO (merchant), NULL);
  json = semper_invoice_to_json (self);
  return semper_cms_sign_message (merchant, json, error);
}

SemperInvoice *
semper_invoice_verify (GBytes       *p7m,
                       SemperTrust  *trust,
                       char        **out_common,
                       GError      **error)
{
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperInvoice) invoice = NULL;

  g_return_val_if_fail (p7m != NULL && SEMPER_IS_TRUST (trust), NULL);
  content = semper_cms_verify (p7m, trust, &info, error);
  if (content == NULL)
    {
      g_prefix_error (error, _("The invoice does not verify: "));
      return NULL;
    }
  invoice = semper_invoice_parse (content, error);
  if (invoice == NULL)
    return NULL;
  if (g_strcmp0 (info->role, SEMPER_ROLE_MERCHANT) != 0
      || !g_str_equal (info->fingerprint, invoice->merchant))
    {
      invalid (error, _("The invoice is not signed by the merchant it names"));
      return NULL;
    }
  if (out_common != NULL)
    *out_common = semper_sha256_hex (content);
  return g_steal_pointer (&invoice);
}

/* ---- slip --------------------------------------------------------------------- */

GBytes *
semper_payment_slip_to_json (const SemperPaymentSlip *self)
{
  g_autoptr(JsonBuilder) b = begin (SLIP_TYPE);

  _semper_pay_add_string (b, "account", self->account);
  add_amount (b, "amount", &self->amount);
  _semper_pay_add_string (b, "common", self->common);
  _semper_pay_add_string (b, "nonce", self->nonce);
  return _semper_pay_builder_finish (b);
}

void
semper_payment_slip_free (SemperPaymentSlip *self)
{
  if (self == NULL)
    return;
  g_free (self->account);
  g_free (self->common);
  g_free (self->nonce);
  g_free (self);
}

SemperPaymentSlip *
semper_payment_slip_parse (GBytes  *json,
                           GError **error)
{
  static const char * const allowed[] = {
    "type", "version", "account", "amount", "currency", "common", "nonce", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperPaymentSlip) self = g_new0 (SemperPaymentSlip, 1);
  JsonObject *o;
  const char *account;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, SLIP_TYPE, allowed, &root, error);
  if (o == NULL)
    return NULL;
  account = _semper_pay_json_string (o, "account", TRUE, error);
  if (account == NULL)
    return NULL;
  if (!_semper_pay_is_account (account))
    {
      invalid (error, _("The slip's account is not an account id"));
      return NULL;
    }
  self->account = g_strdup (account);
  if (!_semper_pay_json_amount (o, &self->amount, error)
      || (self->common = _semper_pay_json_hex64 (o, "common", error)) == NULL
      || (self->nonce = _semper_pay_json_hex64 (o, "nonce", error)) == NULL)
    return NULL;
  if (self->amount.minor <= 0)
    {
      invalid (error, _("The slip's amount must be positive"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- proof -------------------------------------------------------------------- */

GBytes *
semper_account_proof_to_json (const SemperAccountProof *self)
{
  g_autoptr(JsonBuilder) b = begin (PROOF_TYPE);

  _semper_pay_add_base64 (b, "authorisation", self->authorisation);
  _semper_pay_add_base64 (b, "slip", self->slip);
  if (self->invoice != NULL)
    _semper_pay_add_base64 (b, "invoice", self->invoice);
  return _semper_pay_builder_finish (b);
}

void
semper_account_proof_free (SemperAccountProof *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->authorisation, g_bytes_unref);
  g_clear_pointer (&self->slip, g_bytes_unref);
  g_clear_pointer (&self->invoice, g_bytes_unref);
  g_free (self);
}

SemperAccountProof *
semper_account_proof_parse (GBytes  *json,
                            GError **error)
{
  static const char * const allowed[] = { "type", "version", "authorisation", "slip", "invoice",
                                          NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperAccountProof) self = g_new0 (SemperAccountProof, 1);
  JsonObject *o;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, PROOF_TYPE, allowed, &root, error);
  if (o == NULL)
    return NULL;
  if ((self->authorisation = _semper_pay_json_base64 (o, "authorisation", MAX_BLOB, error))
      == NULL
      || (self->slip = _semper_pay_json_base64 (o, "slip", MAX_BLOB, error)) == NULL)
    return NULL;
  if (json_object_has_member (o, "invoice")
      && (self->invoice = _semper_pay_json_base64 (o, "invoice", MAX_BLOB, error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
semper_account_authorisation_build (const SemperInvoice *invoice,
                                    const char          *common,
                                    GBytes              *slip,
                                    GError             **error)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("payment-authorisation", 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amount = semper_amount_format (&invoice->price);
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *slip_hash = semper_sha256_hex (slip);
  g_autofree char *body = NULL;

  g_return_val_if_fail (invoice != NULL && common != NULL && slip != NULL, NULL);
  if (!semper_document_add_field (doc, "Amount", amount, error)
      || !semper_document_add_field (doc, "Merchant", invoice->merchant, error)
      || !semper_document_add_field (doc, "Transaction", invoice->tid, error)
      || !semper_document_add_field (doc, "Invoice", common, error)
      || !semper_document_add_field (doc, "Slip", slip_hash, error)
      || !semper_document_add_field (doc, "Date", date, error))
    return NULL;
  body = g_strdup_printf (_("I authorise my bank to pay %s from my account to the merchant "
                            "named above, for the transaction and invoice named above.\n"),
                          amount);
  semper_document_set_body (doc, body);
  return semper_document_to_bytes (doc, error);
}

/* ---- bank requests and answers -------------------------------------------------- */

static const char * const op_names[] = { "authorise", "capture", "release", "refund" };

const char *
semper_account_op_to_string (SemperAccountOp op)
{
  g_return_val_if_fail (op <= SEMPER_ACCOUNT_OP_REFUND, NULL);
  return op_names[op];
}

static gboolean
get_op (JsonObject       *o,
        SemperAccountOp  *out,
        GError          **error)
{
  const char *text = _semper_pay_json_string (o, "op", TRUE, error);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (g_str_equal (text, op_names[i]))
      {
        *out = (SemperAccountOp) i;
        return TRUE;
      }
  return invalid (error, _("Unknown account operation"));
}

static char *
get_key (JsonObject  *o,
         GError     **error)
{
  const char *key = _semper_pay_json_string (o, "key", TRUE, error);

  if (key == NULL)
    return NULL;
  if (!_semper_pay_is_key (key))
    {
      invalid (error, _("The idempotency key must be 1 to 64 of A-Z a-z 0-9 - _"));
      return NULL;
    }
  return g_strdup (key);
}

GBytes *
semper_account_request_to_json (const SemperAccountRequest *self)
{
  g_autoptr(JsonBuilder) b = begin (REQUEST_TYPE);

  _semper_pay_add_string (b, "op", semper_account_op_to_string (self->op));
  _semper_pay_add_string (b, "key", self->key);
  if (self->op == SEMPER_ACCOUNT_OP_AUTHORISE)
    {
      _semper_pay_add_base64 (b, "invoice", self->invoice);
      _semper_pay_add_base64 (b, "proof", self->proof);
    }
  else
    _semper_pay_add_string (b, "common", self->common);
  if (self->op == SEMPER_ACCOUNT_OP_REFUND)
    add_amount (b, "amount", &self->amount);
  return _semper_pay_builder_finish (b);
}

void
semper_account_request_free (SemperAccountRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_clear_pointer (&self->invoice, g_bytes_unref);
  g_clear_pointer (&self->proof, g_bytes_unref);
  g_free (self->common);
  g_free (self);
}

SemperAccountRequest *
semper_account_request_parse (GBytes  *json,
                              GError **error)
{
  static const char * const authorise[] = {
    "type", "version", "op", "key", "invoice", "proof", NULL
  };
  static const char * const capture[] = { "type", "version", "op", "key", "common", NULL };
  static const char * const refund[] = {
    "type", "version", "op", "key", "common", "amount", "currency", NULL
  };
  static const char * const any[] = {
    "type", "version", "op", "key", "invoice", "proof", "common", "amount", "currency", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperAccountRequest) self = g_new0 (SemperAccountRequest, 1);
  JsonObject *o;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, REQUEST_TYPE, any, &root, error);
  if (o == NULL || !get_op (o, &self->op, error))
    return NULL;
  if (!_semper_pay_json_members (o, self->op == SEMPER_ACCOUNT_OP_AUTHORISE ? authorise
                                 : self->op == SEMPER_ACCOUNT_OP_REFUND ? refund : capture,
                                 error))
    return NULL;
  if ((self->key = get_key (o, error)) == NULL)
    return NULL;
  if (self->op == SEMPER_ACCOUNT_OP_AUTHORISE)
    {
      if ((self->invoice = _semper_pay_json_base64 (o, "invoice", MAX_BLOB, error)) == NULL
          || (self->proof = _semper_pay_json_base64 (o, "proof", 2 * MAX_BLOB, error)) == NULL)
        return NULL;
      return g_steal_pointer (&self);
    }
  if ((self->common = _semper_pay_json_hex64 (o, "common", error)) == NULL)
    return NULL;
  if (self->op == SEMPER_ACCOUNT_OP_REFUND)
    {
      if (!_semper_pay_json_amount (o, &self->amount, error))
        return NULL;
      if (self->amount.minor <= 0)
        {
          invalid (error, _("A refund's amount must be positive"));
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

void
semper_account_answer_free (SemperAccountAnswer *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_free (self->request);
  g_free (self->common);
  g_free (self->reason);
  g_free (self);
}

SemperAccountAnswer *
semper_account_answer_parse (GBytes  *json,
                             GError **error)
{
  static const char * const allowed[] = {
    "type", "version", "op", "key", "request", "result", "common", "amount", "currency",
    "reason", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperAccountAnswer) self = g_new0 (SemperAccountAnswer, 1);
  JsonObject *o;
  const char *result, *reason;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, ANSWER_TYPE, allowed, &root, error);
  if (o == NULL || !get_op (o, &self->op, error))
    return NULL;
  if ((self->key = get_key (o, error)) == NULL
      || (self->request = _semper_pay_json_hex64 (o, "request", error)) == NULL
      || (self->common = _semper_pay_json_hex64 (o, "common", error)) == NULL
      || !_semper_pay_json_amount (o, &self->amount, error))
    return NULL;
  result = _semper_pay_json_string (o, "result", TRUE, error);
  if (result == NULL)
    return NULL;
  if (g_str_equal (result, "yes"))
    self->yes = TRUE;
  else if (!g_str_equal (result, "no"))
    {
      invalid (error, _("The answer's result must be yes or no"));
      return NULL;
    }
  reason = _semper_pay_json_string (o, "reason", FALSE, error);
  if (reason == NULL && json_object_has_member (o, "reason"))
    return NULL;
  if (reason != NULL && (strlen (reason) == 0 || strlen (reason) > 64))
    {
      invalid (error, _("The answer's reason is malformed"));
      return NULL;
    }
  self->reason = g_strdup (reason);
  return g_steal_pointer (&self);
}

SemperAccountAnswer *
semper_account_answer_verify (GBytes       *p7m,
                              SemperTrust  *trust,
                              const char   *bank_fingerprint,
                              GError      **error)
{
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;

  g_return_val_if_fail (p7m != NULL && SEMPER_IS_TRUST (trust), NULL);
  content = semper_cms_verify (p7m, trust, &info, error);
  if (content == NULL)
    {
      g_prefix_error (error, _("The bank's answer does not verify: "));
      return NULL;
    }
  if (g_strcmp0 (info->role, SEMPER_ROLE_BANK) != 0
      || (bank_fingerprint != NULL && !g_str_equal (info->fingerprint, bank_fingerprint)))
    {
      invalid (error, _("The answer is not signed by the bank"));
      return NULL;
    }
  return semper_account_answer_parse (content, error);
}

SemperAccountAnswer *
semper_account_request_send (const SemperAccountRequest *request,
                             SemperCommClient           *client,
                             SemperCrypto               *merchant,
                             SemperTrust                *trust,
                             const char                 *bank_url,
                             const char                 *bank_fingerprint,
                             GBytes                    **out_raw,
                             GError                    **error)
{
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(SemperAccountAnswer) answer = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *content_type = NULL;

  g_return_val_if_fail (request != NULL && bank_url != NULL, NULL);

  json = semper_account_request_to_json (request);
  hash = semper_sha256_hex (json);
  p7m = semper_cms_sign_message (merchant, json, error);
  if (p7m == NULL)
    return NULL;
  base = g_strdup (bank_url);
  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, "/bank/account", NULL);
  raw = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, p7m,
                                      &content_type, NULL, error);
  if (raw == NULL)
    return NULL;
  answer = semper_account_answer_verify (raw, trust, bank_fingerprint, error);
  if (answer == NULL)
    return NULL;
  if (answer->op != request->op || !g_str_equal (answer->request, hash)
      || !g_str_equal (answer->key, request->key))
    {
      invalid (error, _("The bank's answer is for another request"));
      return NULL;
    }
  if (out_raw != NULL)
    *out_raw = g_steal_pointer (&raw);
  return g_steal_pointer (&answer);
}
