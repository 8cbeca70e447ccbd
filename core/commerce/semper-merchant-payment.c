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
#include <sqlite3.h>
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
  sqlite3          *db;         /* merchant_invoices: H(m1) -> signed invoice */
  GMutex            lock;
};

/* The invoices live in the merchant's store (the fx store's file), written
 * before an invoice leaves: a restarted merchant still captures an account
 * payment whose m3 it gets later (from the buyer or from the TTP). */
static const char invoice_schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "CREATE TABLE IF NOT EXISTS merchant_invoices ("
  "  key TEXT PRIMARY KEY,"
  "  invoice BLOB NOT NULL);";

static gboolean
invoice_db_error (SemperMerchantPayment  *self,
                  GError                **error)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
               _("The merchant's store failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

/* The stored invoice of @key; NULL with @error unset if there is none.
 * Called with the lock held. */
static GBytes *
load_invoice (SemperMerchantPayment  *self,
              const char             *key,
              GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *invoice = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT invoice FROM merchant_invoices WHERE key = ?", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      invoice_db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    invoice = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  else if (rc != SQLITE_DONE)
    invoice_db_error (self, error);
  sqlite3_finalize (stmt);
  return invoice;
}

/* Called with the lock held. */
static gboolean
store_invoice (SemperMerchantPayment  *self,
               const char             *key,
               GBytes                 *invoice,
               GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  gsize len = 0;
  gconstpointer data = g_bytes_get_data (invoice, &len);
  int rc;

  if (sqlite3_prepare_v2 (self->db, "INSERT INTO merchant_invoices (key, invoice) VALUES (?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return invoice_db_error (self, error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, data, (int) len, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return invoice_db_error (self, error);
  return TRUE;
}

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
  g_clear_pointer (&self->db, sqlite3_close);
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
  GError *local = NULL;

  g_mutex_lock (&self->lock);
  signed_invoice = load_invoice (self, key, &local);
  if (signed_invoice != NULL || local != NULL)
    {
      /* One invoice per exchange: a repeated request gets the same one. */
      g_mutex_unlock (&self->lock);
      if (local != NULL)
        g_propagate_error (error, local);
      return signed_invoice;
    }
  invoice.price = *price;
  invoice.merchant = self->fingerprint;
  invoice.tid = (char *) key;
  invoice.date = g_get_real_time () / G_USEC_PER_SEC;
  invoice.order = (char *) order_hash;
  signed_invoice = semper_invoice_sign (&invoice, self->crypto, error);
  /* Stored (synchronously) before it leaves. */
  if (signed_invoice != NULL && !store_invoice (self, key, signed_invoice, error))
    g_clear_pointer (&signed_invoice, g_bytes_unref);
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

  g_autoptr(GError) local = NULL;

  g_mutex_lock (&self->lock);
  invoice = load_invoice (self, key, &local);
  g_mutex_unlock (&self->lock);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
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
_semper_merchant_payment_new (SemperFxMerchant  *fx,
                              SemperCrypto      *crypto,
                              SemperTrust       *trust,
                              const char        *bank_url,
                              const char        *db_path,
                              GPtrArray         *systems,
                              GError           **error)
{
  SemperMerchantPayment *self = g_new0 (SemperMerchantPayment, 1);
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (crypto);
  char *message = NULL;

  g_mutex_init (&self->lock);
  if (sqlite3_open_v2 (db_path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      invoice_db_error (self, error);
      _semper_merchant_payment_free (self);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);
  if (sqlite3_exec (self->db, invoice_schema, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("The merchant's store failed: %s"), message);
      sqlite3_free (message);
      _semper_merchant_payment_free (self);
      return NULL;
    }
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
