/* semper-bank-account.c: the bank's side of account payments (PROTOCOLS.md
 * D; docs/payments.md): authorise places a hold, capture pays the merchant,
 * release frees the hold, refund pays captured money back.
 *
 * A hold is money moved from the buyer's account to the bank's "_held"
 * account, so balances always show what may be spent and the sum over all
 * accounts never changes. Holds are keyed by H(common): one invoice is
 * authorised once. Every request is decided under the bank's lock in one
 * BEGIN IMMEDIATE transaction with its answer stored under (requester, key)
 * in the bank's operations table, so a repeat returns the first answer and
 * moves nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-bank-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "semper-account-payment.h"
#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-document.h"
#include "semper-money.h"
#include "semper-payment-json-private.h"

#define ACCOUNT_HELD "_held"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS holds ("
  "  common         TEXT PRIMARY KEY,"
  "  tid            TEXT NOT NULL DEFAULT '',"
  "  buyer_account  TEXT NOT NULL,"
  "  merchant       TEXT NOT NULL,"
  "  currency       TEXT NOT NULL,"
  "  amount         INTEGER NOT NULL CHECK (amount > 0),"
  "  refunded       INTEGER NOT NULL DEFAULT 0,"
  "  state          TEXT NOT NULL CHECK (state IN ('held', 'captured', 'released')),"
  "  created        INTEGER NOT NULL) STRICT;"
  /* Holds a TTP placed, or was told stand, when it resolved a fair exchange
   * (docs/fair-exchange.md): the merchant's own authorise of the same invoice
   * is then answered yes, and moves nothing. */
  "CREATE TABLE IF NOT EXISTS fx_holds ("
  "  common         TEXT PRIMARY KEY,"
  "  ttp            TEXT NOT NULL,"
  "  created        INTEGER NOT NULL) STRICT;"
  "INSERT OR IGNORE INTO accounts (id, owner, link_code, created) VALUES ('" ACCOUNT_HELD
  "', NULL, NULL, 0);";

typedef struct {
  char   *buyer_account;
  char   *merchant;
  char   *state;
  char   *tid;
  SemperAmount amount;
  gint64  refunded;
} Hold;

static void
hold_clear (Hold *hold)
{
  g_free (hold->buyer_account);
  g_free (hold->merchant);
  g_free (hold->state);
  g_free (hold->tid);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Hold, hold_clear)

static gboolean
refuse (GError         **error,
        SemperBankError  code,
        const char      *message)
{
  g_set_error_literal (error, SEMPER_BANK_ERROR, code, message);
  return FALSE;
}

static gboolean
db_error (SemperBank  *self,
          GError     **error)
{
  return refuse (error, SEMPER_BANK_ERROR_FAILED, sqlite3_errmsg (_semper_bank_get_db (self)));
}

static sqlite3_stmt *prepare (SemperBank  *self,
                              const char  *sql,
                              GError     **error);

static int
has_column_cb (void  *data,
               int    n,
               char **values,
               char **names)
{
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (names[i], "name") == 0 && g_strcmp0 (values[i], "tid") == 0)
      *(gboolean *) data = TRUE;
  return 0;
}

gboolean
_semper_bank_account_setup (SemperBank  *self,
                            GError     **error)
{
  sqlite3 *db = _semper_bank_get_db (self);
  gboolean has_tid = FALSE;
  char *message = NULL;

  if (sqlite3_exec (db, schema, NULL, NULL, &message) != SQLITE_OK
      || sqlite3_exec (db, "PRAGMA table_info (holds)", has_column_cb, &has_tid,
                       &message) != SQLITE_OK
      /* A store from before holds named their exchange. */
      || (!has_tid && sqlite3_exec (db, "ALTER TABLE holds ADD COLUMN tid TEXT NOT NULL "
                                    "DEFAULT ''", NULL, NULL, &message) != SQLITE_OK))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_FAILED,
                   _("Cannot set up the bank's holds: %s"), message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* The TTP revoked the fair exchange @tid (fx_revoked, semper-bank.c). */
static gboolean
is_revoked (SemperBank  *self,
            const char  *tid,
            gboolean    *failed,
            GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT 1 FROM fx_revoked WHERE tid = ?", error);
  gboolean found;

  *failed = stmt == NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tid, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static sqlite3_stmt *
prepare (SemperBank  *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (_semper_bank_get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  return stmt;
}

static gboolean
step_done (SemperBank    *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : db_error (self, error);
}

/* Returns TRUE when the hold exists. */
static gboolean
get_hold (SemperBank  *self,
          const char  *common,
          Hold        *out,
          gboolean    *failed,
          GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT buyer_account, merchant, currency, amount, "
                                "refunded, state, tid FROM holds WHERE common = ?", error);
  gboolean found = FALSE;

  *failed = stmt == NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, common, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      out->buyer_account = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      out->merchant = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_strlcpy (out->amount.currency, (const char *) sqlite3_column_text (stmt, 2),
                 sizeof out->amount.currency);
      out->amount.minor = sqlite3_column_int64 (stmt, 3);
      out->refunded = sqlite3_column_int64 (stmt, 4);
      out->state = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      out->tid = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
    }
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
set_hold (SemperBank  *self,
          const char  *common,
          const char  *state,
          gint64       refunded,
          GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "UPDATE holds SET state = ?, refunded = ? "
                                "WHERE common = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, refunded);
  sqlite3_bind_text (stmt, 3, common, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, error);
}

typedef struct {
  SemperAccountRequest *request;
  const char           *requester;
  const char           *role;       /* the signer's certified role */
  const char           *hash;
  JsonBuilder          *answer;
} Context;

static void
answer (Context            *ctx,
        gboolean            yes,
        const char         *common,
        const SemperAmount *amount,
        const char         *reason)
{
  JsonBuilder *b = ctx->answer = json_builder_new ();

  json_builder_begin_object (b);
  _semper_pay_add_string (b, "type", "semper-account-answer");
  _semper_pay_add_int (b, "version", 1);
  _semper_pay_add_string (b, "op", semper_account_op_to_string (ctx->request->op));
  _semper_pay_add_string (b, "key", ctx->request->key);
  _semper_pay_add_string (b, "request", ctx->hash);
  _semper_pay_add_string (b, "result", yes ? "yes" : "no");
  _semper_pay_add_string (b, "common", common);
  _semper_pay_add_int (b, "amount", amount->minor);
  _semper_pay_add_string (b, "currency", amount->currency);
  if (reason != NULL)
    _semper_pay_add_string (b, "reason", reason);
}

/* Checks the buyer's authorisation and slip against the invoice. Returns the
 * buyer's account (transfer full). */
static char *
check_authorisation (SemperBank           *self,
                     const SemperInvoice  *invoice,
                     const char           *common,
                     GBytes               *proof_json,
                     GError              **error)
{
  g_autoptr(SemperAccountProof) proof = NULL;
  g_autoptr(SemperSignerInfo) buyer = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) slip_json = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperPaymentSlip) slip = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *slip_hash = NULL;
  g_autofree char *owner = NULL;
  SemperAmount amount;
  gboolean found;

  proof = semper_account_proof_parse (proof_json, &local);
  if (proof == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The proof of payment is malformed: %s"), local->message);
      return NULL;
    }
  text = semper_cms_verify (proof->authorisation, _semper_bank_get_trust (self), &buyer, &local);
  if (text == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The payment authorisation does not verify: %s"), local->message);
      return NULL;
    }
  doc = semper_document_parse (text, NULL);
  slip_hash = semper_sha256_hex (proof->slip);
  if (doc == NULL || !g_str_equal (semper_document_get_kind (doc), "payment-authorisation")
      || !semper_document_get_amount (doc, "Amount", &amount, NULL)
      || !semper_amount_equal (&amount, &invoice->price)
      || g_strcmp0 (semper_document_get_field (doc, "Invoice"), common) != 0
      || g_strcmp0 (semper_document_get_field (doc, "Transaction"), invoice->tid) != 0
      || g_strcmp0 (semper_document_get_field (doc, "Merchant"), invoice->merchant) != 0
      || g_strcmp0 (semper_document_get_field (doc, "Slip"), slip_hash) != 0)
    {
      refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
              _("The payment authorisation does not match the invoice and the slip"));
      return NULL;
    }
  slip_json = semper_cms_decrypt (_semper_bank_get_crypto (self), proof->slip, &local);
  if (slip_json == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The payment slip cannot be opened: %s"), local->message);
      return NULL;
    }
  slip = semper_payment_slip_parse (slip_json, &local);
  if (slip == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The payment slip is malformed: %s"), local->message);
      return NULL;
    }
  if (!g_str_equal (slip->common, common) || !semper_amount_equal (&slip->amount, &invoice->price))
    {
      refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
              _("The payment slip does not match the invoice"));
      return NULL;
    }
  owner = _semper_bank_account_owner (self, slip->account, &found);
  if (!found || slip->account[0] == '_')
    {
      refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT, _("No such account"));
      return NULL;
    }
  if (owner == NULL || !g_str_equal (owner, buyer->fingerprint))
    {
      refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
              _("The authorisation is not signed by the account's holder"));
      return NULL;
    }
  return g_strdup (slip->account);
}

/* TRUE when a TTP placed the hold of @common, or was told it stands. */
static gboolean
ttp_placed (SemperBank *self,
            const char *common,
            gboolean   *failed)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT 1 FROM fx_holds WHERE common = ?", NULL);
  gboolean found;

  *failed = stmt == NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, common, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
mark_ttp_placed (SemperBank  *self,
                 const char  *common,
                 const char  *ttp,
                 GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT OR IGNORE INTO fx_holds (common, ttp, created) "
                                "VALUES (?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, common, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ttp, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (self, stmt, error);
}

static gboolean
op_authorise (SemperBank  *self,
              Context     *ctx,
              GError     **error)
{
  g_autoptr(SemperInvoice) invoice = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *common = NULL;
  g_autofree char *buyer = NULL;
  g_autofree char *merchant_account = NULL;
  g_auto(Hold) hold = { 0 };
  sqlite3_stmt *stmt;
  gboolean failed, for_payee;

  invoice = semper_invoice_verify (ctx->request->invoice, _semper_bank_get_trust (self), &common,
                                   &local);
  if (invoice == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID, "%s", local->message);
      return FALSE;
    }
  /* The merchant authorises; so may a TTP that resolves the exchange, for
   * the invoice's merchant (docs/fair-exchange.md). */
  for_payee = !g_str_equal (invoice->merchant, ctx->requester);
  if (for_payee && g_strcmp0 (ctx->role, SEMPER_ROLE_TTP) != 0)
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The invoice names another merchant than the signer"));
  merchant_account = _semper_bank_account_of_owner (self, invoice->merchant);
  if (merchant_account == NULL)
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT,
                   for_payee ? _("The payee has no account here")
                             : _("The signer's certificate is not linked to an account"));
  buyer = check_authorisation (self, invoice, common, ctx->request->proof, error);
  if (buyer == NULL)
    return FALSE;
  if (get_hold (self, common, &hold, &failed, error))
    {
      /* A TTP and the merchant each authorise the same invoice once: the
       * second is told that the hold stands, and nothing moves. Anything
       * else authorising an invoice again is refused. */
      if ((for_payee || ttp_placed (self, common, &failed)) && !failed
          && g_str_equal (hold.merchant, invoice->merchant)
          && g_str_equal (hold.buyer_account, buyer)
          && (g_str_equal (hold.state, "held") || g_str_equal (hold.state, "captured")))
        {
          if (for_payee && !mark_ttp_placed (self, common, ctx->requester, error))
            return FALSE;
          answer (ctx, TRUE, common, &hold.amount, NULL);
          return TRUE;
        }
      if (failed)
        return db_error (self, error);
      return refuse (error, SEMPER_BANK_ERROR_KEY_REUSED,
                     _("This invoice was authorised before, under another key"));
    }
  if (failed)
    return FALSE;
  if (is_revoked (self, invoice->tid, &failed, error) || failed)
    return failed ? FALSE : refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                                    _("The TTP revoked this exchange; it cannot be paid"));

  if (!_semper_bank_move (self, ctx->requester, ctx->request->key, buyer,
                          invoice->price.currency, -invoice->price.minor, FALSE, &local))
    {
      if (!g_error_matches (local, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INSUFFICIENT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      answer (ctx, FALSE, common, &invoice->price, "insufficient-funds");
      return TRUE;
    }
  if (!_semper_bank_move (self, ctx->requester, ctx->request->key, ACCOUNT_HELD,
                          invoice->price.currency, invoice->price.minor, FALSE, error))
    return FALSE;
  stmt = prepare (self, "INSERT INTO holds (common, buyer_account, merchant, currency, amount, "
                  "state, created, tid) VALUES (?, ?, ?, ?, ?, 'held', ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, common, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, buyer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, invoice->merchant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, invoice->price.currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, invoice->price.minor);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 7, invoice->tid, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error)
      || (for_payee && !mark_ttp_placed (self, common, ctx->requester, error)))
    return FALSE;
  answer (ctx, TRUE, common, &invoice->price, NULL);
  return TRUE;
}

/* capture, release, refund */
static gboolean
op_settle (SemperBank  *self,
           Context     *ctx,
           GError     **error)
{
  SemperAccountRequest *r = ctx->request;
  g_auto(Hold) hold = { 0 };
  g_autofree char *merchant_account = NULL;
  const char *currency;
  gboolean failed;

  if (!get_hold (self, r->common, &hold, &failed, error))
    return failed ? FALSE : refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT,
                                    _("No authorisation for this invoice"));
  if (!g_str_equal (hold.merchant, ctx->requester))
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The authorisation was made for another merchant"));
  merchant_account = _semper_bank_account_of_owner (self, ctx->requester);
  if (merchant_account == NULL)
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT,
                   _("The signer's certificate is not linked to an account"));
  currency = hold.amount.currency;

  switch (r->op)
    {
    case SEMPER_ACCOUNT_OP_CAPTURE:
    case SEMPER_ACCOUNT_OP_RELEASE:
      if (r->op == SEMPER_ACCOUNT_OP_CAPTURE && hold.tid[0] != '\0'
          && (is_revoked (self, hold.tid, &failed, error) || failed))
        return failed ? FALSE : refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                                        _("The TTP revoked this exchange; it cannot be paid"));
      if (!g_str_equal (hold.state, "held"))
        return refuse (error, SEMPER_BANK_ERROR_INVALID,
                       g_str_equal (hold.state, "captured")
                       ? _("The authorisation was captured before")
                       : _("The authorisation was released before"));
      if (!_semper_bank_move (self, ctx->requester, r->key, ACCOUNT_HELD, currency,
                              -hold.amount.minor, FALSE, error)
          || !_semper_bank_move (self, ctx->requester, r->key,
                                 r->op == SEMPER_ACCOUNT_OP_CAPTURE ? merchant_account
                                 : hold.buyer_account, currency, hold.amount.minor, FALSE, error)
          || !set_hold (self, r->common, r->op == SEMPER_ACCOUNT_OP_CAPTURE ? "captured"
                        : "released", 0, error))
        return FALSE;
      answer (ctx, TRUE, r->common, &hold.amount, NULL);
      return TRUE;

    case SEMPER_ACCOUNT_OP_REFUND:
      if (!g_str_equal (hold.state, "captured"))
        return refuse (error, SEMPER_BANK_ERROR_INVALID,
                       _("Only a captured payment can be refunded"));
      if (!g_str_equal (r->amount.currency, currency)
          || r->amount.minor > hold.amount.minor - hold.refunded)
        return refuse (error, SEMPER_BANK_ERROR_INVALID,
                       _("The refund is more than what is left of the payment"));
      if (!_semper_bank_move (self, ctx->requester, r->key, merchant_account, currency,
                              -r->amount.minor, FALSE, error)
          || !_semper_bank_move (self, ctx->requester, r->key, hold.buyer_account, currency,
                                 r->amount.minor, FALSE, error)
          || !set_hold (self, r->common, "captured", hold.refunded + r->amount.minor, error))
        return FALSE;
      answer (ctx, TRUE, r->common, &r->amount, NULL);
      return TRUE;

    case SEMPER_ACCOUNT_OP_AUTHORISE:
    default:
      g_assert_not_reached ();
    }
}

gboolean
_semper_bank_account_revoke (SemperBank  *self,
                             const char  *requester,
                             const char  *op_key,
                             const char  *tid,
                             const char  *buyer_account,
                             char        *currency,
                             gint64      *total,
                             GError     **error)
{
  g_autoptr(GPtrArray) commons = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = prepare (self, "SELECT common FROM holds WHERE tid = ? AND buyer_account = ? "
                  "ORDER BY common", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, buyer_account, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (commons, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < commons->len; i++)
    {
      const char *common = commons->pdata[i];
      g_auto(Hold) hold = { 0 };
      g_autofree char *merchant_account = NULL;
      gboolean failed;
      gint64 back;

      if (!get_hold (self, common, &hold, &failed, error))
        return FALSE;
      if (currency[0] == '\0')
        g_strlcpy (currency, hold.amount.currency, 4);
      else if (!g_str_equal (currency, hold.amount.currency))
        return refuse (error, SEMPER_BANK_ERROR_INVALID,
                       _("The exchange was paid in two currencies"));
      if (g_str_equal (hold.state, "held"))
        {
          if (!_semper_bank_move (self, requester, op_key, ACCOUNT_HELD, currency,
                                  -hold.amount.minor, FALSE, error)
              || !_semper_bank_move (self, requester, op_key, buyer_account, currency,
                                     hold.amount.minor, FALSE, error)
              || !set_hold (self, common, "released", 0, error))
            return FALSE;
          *total += hold.amount.minor;
        }
      else if (g_str_equal (hold.state, "captured") && hold.refunded < hold.amount.minor)
        {
          back = hold.amount.minor - hold.refunded;
          merchant_account = _semper_bank_account_of_owner (self, hold.merchant);
          if (merchant_account == NULL)
            return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT, _("The merchant has no account"));
          /* The buyer is paid back at once; a merchant whose account no
           * longer holds the money goes below zero (op_refund). */
          if (!_semper_bank_move (self, requester, op_key, merchant_account, currency, -back,
                                  TRUE, error)
              || !_semper_bank_move (self, requester, op_key, buyer_account, currency, back,
                                     FALSE, error)
              || !set_hold (self, common, "captured", hold.amount.minor, error))
            return FALSE;
          *total += back;
        }
    }
  return TRUE;
}

static GBytes *
stored_answer (SemperBank  *self,
               Context     *ctx,
               gboolean    *failed,
               GError     **error)
{
  sqlite3_stmt *stmt;
  GBytes *found = NULL;

  *failed = FALSE;
  stmt = prepare (self, "SELECT request, answer FROM operations WHERE requester = ? AND key = ?",
                  error);
  if (stmt == NULL)
    {
      *failed = TRUE;
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, ctx->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ctx->request->key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (g_str_equal ((const char *) sqlite3_column_text (stmt, 0), ctx->hash))
        found = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
      else
        {
          *failed = TRUE;
          refuse (error, SEMPER_BANK_ERROR_KEY_REUSED,
                  _("This idempotency key was used for a different request"));
        }
    }
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
store_answer (SemperBank  *self,
              Context     *ctx,
              GBytes      *signed_answer,
              GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO operations (requester, key, op, request, "
                                "answer, created) VALUES (?, ?, ?, ?, ?, ?)", error);
  gsize len = 0;
  const void *data;

  if (stmt == NULL)
    return FALSE;
  data = g_bytes_get_data (signed_answer, &len);
  sqlite3_bind_text (stmt, 1, ctx->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ctx->request->key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, semper_account_op_to_string (ctx->request->op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, ctx->hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, data, (int) len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (self, stmt, error);
}

GBytes *
_semper_bank_account_handle (SemperBank  *self,
                             GBytes      *p7m,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperAccountRequest) request = NULL;
  g_autoptr(GBytes) result = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *hash = NULL;
  sqlite3 *db = _semper_bank_get_db (self);
  Context ctx = { 0 };
  gboolean failed = FALSE, ok;

  g_return_val_if_fail (SEMPER_IS_BANK (self), NULL);
  g_return_val_if_fail (p7m != NULL, NULL);

  content = semper_cms_verify (p7m, _semper_bank_get_trust (self), &info, error);
  if (content == NULL)
    return NULL;
  request = semper_account_request_parse (content, &local);
  if (request == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID, "%s", local->message);
      return NULL;
    }
  /* A TTP may only authorise, when it resolves a fair exchange. */
  if (g_strcmp0 (info->role, SEMPER_ROLE_MERCHANT) != 0
      && !(g_strcmp0 (info->role, SEMPER_ROLE_TTP) == 0
           && request->op == SEMPER_ACCOUNT_OP_AUTHORISE))
    {
      refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
              _("Only a merchant may send account payment requests"));
      return NULL;
    }
  hash = semper_sha256_hex (content);
  ctx.request = request;
  ctx.requester = info->fingerprint;
  ctx.role = info->role;
  ctx.hash = hash;

  locker = g_mutex_locker_new (_semper_bank_get_lock (self));
  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  result = stored_answer (self, &ctx, &failed, error);
  if (result != NULL || failed)
    goto out;

  ok = request->op == SEMPER_ACCOUNT_OP_AUTHORISE ? op_authorise (self, &ctx, error)
                                                  : op_settle (self, &ctx, error);
  builder = ctx.answer;
  if (!ok)
    {
      failed = TRUE;
      goto out;
    }
  json = _semper_pay_builder_finish (builder);
  result = semper_cms_sign_message (_semper_bank_get_crypto (self), json, error);
  if (result == NULL || !store_answer (self, &ctx, result, error))
    failed = TRUE;

out:
  if (failed)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* ---- HTTP ------------------------------------------------------------------- */

static SemperCommResponse *
account_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  static const struct {
    SemperBankError code;
    guint           status;
    const char     *name;
  } map[] = {
    { SEMPER_BANK_ERROR_INVALID, 400, "invalid" },
    { SEMPER_BANK_ERROR_UNAUTHORISED, 403, "unauthorised" },
    { SEMPER_BANK_ERROR_NO_ACCOUNT, 404, "no-account" },
    { SEMPER_BANK_ERROR_INSUFFICIENT, 409, "insufficient-funds" },
    { SEMPER_BANK_ERROR_KEY_REUSED, 409, "key-reused" },
    { SEMPER_BANK_ERROR_FAILED, 500, "failed" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) result = NULL;

  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_CMS) != 0)
    return semper_comm_response_new_error (415, "bad-content-type",
                                           _("Send a signed message (application/pkcs7-mime)"));
  result = _semper_bank_account_handle (SEMPER_BANK (user_data),
                                        semper_comm_request_get_body (request), &error);
  if (result != NULL)
    return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, result);
  if (error->domain == SEMPER_BANK_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (map); i++)
      if (map[i].code == (SemperBankError) error->code)
        return semper_comm_response_new_error (map[i].status, map[i].name, error->message);
  return semper_comm_response_new_error (400, "bad-signature", error->message);
}

/* The bank's certificate, inside a message the bank signs, so that a wallet
 * gets it with the same checks as any answer (role bank, the pinned root). */
static SemperCommResponse *
certificate_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data)
{
  static const char text[] = "{\"type\":\"semper-bank-certificate\",\"version\":1}";
  g_autoptr(GBytes) content = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GError) error = NULL;

  signed_ = semper_cms_sign_message (_semper_bank_get_crypto (SEMPER_BANK (user_data)), content,
                                     &error);
  if (signed_ == NULL)
    return semper_comm_response_new_error (500, "failed", error->message);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, signed_);
}

void
_semper_bank_account_add_routes (SemperBank       *self,
                                 SemperCommServer *server)
{
  semper_comm_server_add_route (server, "POST", "/bank/account", account_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "GET", "/bank/certificate", certificate_cb,
                                g_object_ref (self), g_object_unref);
}
