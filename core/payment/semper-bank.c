/* semper-bank.c: the bank: accounts, denominations, withdraw, deposit, swap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-bank.h"
#include "semper-bank-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-blind-rsa.h"
#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-ecash.h"
#include "semper-message.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-json-private.h"

#define CONFIG_TYPE "semper-bank-config"
#define MAX_CONFIG (1024 * 1024)
#define MAX_BALANCE G_GINT64_CONSTANT (1000000000000000)

typedef struct {
  SemperDenomination *denom;
  gint64              fee_withdraw;
  gint64              fee_deposit;
  gint64              fee_swap;
} Denom;

struct _SemperBank
{
  GObject       parent_instance;

  SemperCrypto *crypto;
  SemperTrust  *trust;
  GObject      *owner;        /* (nullable): the profile the role opened */
  char         *fingerprint;
  sqlite3      *db;
  GHashTable   *denoms;       /* id -> Denom */
  GPtrArray    *denom_order;  /* ids, in the order they were loaded */
  GMutex        lock;         /* one request at a time on the connection */
};

G_DEFINE_FINAL_TYPE (SemperBank, semper_bank, G_TYPE_OBJECT)

static const char schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "PRAGMA foreign_keys=ON;"
  "CREATE TABLE IF NOT EXISTS accounts ("
  "  id        TEXT PRIMARY KEY,"
  "  owner     TEXT UNIQUE,"
  "  link_code TEXT,"
  "  created   INTEGER NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS balances ("
  "  account   TEXT NOT NULL REFERENCES accounts (id),"
  "  currency  TEXT NOT NULL CHECK (length (currency) = 3),"
  "  amount    INTEGER NOT NULL,"
  "  PRIMARY KEY (account, currency)) STRICT;"
  "CREATE TABLE IF NOT EXISTS ledger ("
  "  id        INTEGER PRIMARY KEY,"
  "  requester TEXT NOT NULL,"
  "  op_key    TEXT NOT NULL,"
  "  account   TEXT NOT NULL,"
  "  currency  TEXT NOT NULL,"
  "  delta     INTEGER NOT NULL,"
  "  created   INTEGER NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS denominations ("
  "  id             TEXT PRIMARY KEY,"
  "  value          INTEGER NOT NULL CHECK (value > 0),"
  "  currency       TEXT NOT NULL,"
  "  pkcs8          BLOB NOT NULL,"
  "  valid_from     INTEGER NOT NULL,"
  "  withdraw_until INTEGER NOT NULL,"
  "  deposit_until  INTEGER NOT NULL,"
  "  fee_withdraw   INTEGER NOT NULL CHECK (fee_withdraw >= 0),"
  "  fee_deposit    INTEGER NOT NULL CHECK (fee_deposit >= 0),"
  "  fee_swap       INTEGER NOT NULL CHECK (fee_swap >= 0)) STRICT;"
  "CREATE TABLE IF NOT EXISTS operations ("
  "  requester TEXT NOT NULL,"
  "  key       TEXT NOT NULL,"
  "  op        TEXT NOT NULL,"
  "  request   TEXT NOT NULL,"
  "  answer    BLOB NOT NULL,"
  "  created   INTEGER NOT NULL,"
  "  PRIMARY KEY (requester, key)) STRICT;"
  "CREATE TABLE IF NOT EXISTS spent ("
  "  coin         TEXT PRIMARY KEY,"
  "  denomination TEXT NOT NULL,"
  "  permission   BLOB NOT NULL,"
  "  signature    BLOB NOT NULL,"
  "  requester    TEXT NOT NULL,"
  "  op_key       TEXT NOT NULL,"
  "  created      INTEGER NOT NULL) STRICT;"
  /* Fair exchanges the TTP revoked (docs/fair-exchange.md): no deposit under
   * their tid any more, and each coin deposited under one refunded once. */
  "CREATE TABLE IF NOT EXISTS fx_revoked ("
  "  tid          TEXT PRIMARY KEY,"
  "  buyer        TEXT NOT NULL,"
  "  created      INTEGER NOT NULL) STRICT;"
  "CREATE TABLE IF NOT EXISTS fx_refunded ("
  "  coin         TEXT PRIMARY KEY,"
  "  tid          TEXT NOT NULL,"
  "  created      INTEGER NOT NULL) STRICT;"
  /* Coins a TTP deposited for the merchant named in their permission when it
   * resolved the exchange (docs/fair-exchange.md): a revoke refunds them too. */
  "CREATE TABLE IF NOT EXISTS fx_settled ("
  "  coin         TEXT PRIMARY KEY,"
  "  tid          TEXT NOT NULL,"
  "  merchant     TEXT NOT NULL,"
  "  created      INTEGER NOT NULL) STRICT;"
  "CREATE INDEX IF NOT EXISTS fx_settled_tid ON fx_settled (tid);";

static void
denom_free (gpointer data)
{
  Denom *d = data;

  g_clear_pointer (&d->denom, semper_denomination_free);
  g_free (d);
}

static void
semper_bank_dispose (GObject *object)
{
  SemperBank *self = SEMPER_BANK (object);

  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  g_clear_object (&self->owner);
  G_OBJECT_CLASS (semper_bank_parent_class)->dispose (object);
}

static void
semper_bank_finalize (GObject *object)
{
  SemperBank *self = SEMPER_BANK (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->denoms, g_hash_table_unref);
  g_clear_pointer (&self->denom_order, g_ptr_array_unref);
  g_free (self->fingerprint);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (semper_bank_parent_class)->finalize (object);
}

static void
semper_bank_class_init (SemperBankClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_bank_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_bank_finalize;
}

static void
semper_bank_init (SemperBank *self)
{
  g_mutex_init (&self->lock);
  self->denoms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, denom_free);
  self->denom_order = g_ptr_array_new_with_free_func (g_free);
}

static gboolean
db_error (SemperBank  *self,
          GError     **error)
{
  g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_FAILED,
               _("The bank's store failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
refuse (GError         **error,
        SemperBankError  code,
        const char      *message)
{
  g_set_error_literal (error, SEMPER_BANK_ERROR, code, message);
  return FALSE;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- small store helpers (called with the lock held) ------------------------ */

static sqlite3_stmt *
prepare (SemperBank  *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
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
  if (rc != SQLITE_DONE)
    return db_error (self, error);
  return TRUE;
}

static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            GBytes       *bytes)
{
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  sqlite3_bind_blob (stmt, index, data != NULL ? data : "", (int) len, SQLITE_TRANSIENT);
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  return g_bytes_new (sqlite3_column_blob (stmt, column), sqlite3_column_bytes (stmt, column));
}

/* Adds @delta to @account's balance in @currency (creating the row), refusing
 * to take a customer's balance below zero unless @into_debt, and writes the
 * ledger line. */
static gboolean
move_full (SemperBank  *self,
           const char  *requester,
           const char  *op_key,
           const char  *account,
           const char  *currency,
           gint64       delta,
           gboolean     into_debt,
           GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 balance = 0;

  if (delta == 0)
    return TRUE;
  stmt = prepare (self, "SELECT amount FROM balances WHERE account = ? AND currency = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    balance = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if ((delta > 0 && balance > MAX_BALANCE - delta) || (delta < 0 && balance < -MAX_BALANCE - delta))
    return refuse (error, SEMPER_BANK_ERROR_INVALID, _("The amount is out of range"));
  if (account[0] != '_' && balance + delta < 0 && !into_debt)
    return refuse (error, SEMPER_BANK_ERROR_INSUFFICIENT,
                   _("The account's balance does not cover the amount and the fee"));

  stmt = prepare (self, "INSERT INTO balances (account, currency, amount) VALUES (?, ?, ?) "
                  "ON CONFLICT (account, currency) DO UPDATE SET amount = excluded.amount",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, balance + delta);
  if (!step_done (self, stmt, error))
    return FALSE;

  stmt = prepare (self, "INSERT INTO ledger (requester, op_key, account, currency, delta, created)"
                  " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, op_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, account, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, delta);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  return step_done (self, stmt, error);
}

static gboolean
move (SemperBank  *self,
      const char  *requester,
      const char  *op_key,
      const char  *account,
      const char  *currency,
      gint64       delta,
      GError     **error)
{
  return move_full (self, requester, op_key, account, currency, delta, FALSE, error);
}

static gboolean
open_account (SemperBank  *self,
              const char  *id,
              const char  *owner,
              const char  *link_code,
              gboolean    *out_created,
              GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT OR IGNORE INTO accounts (id, owner, link_code, "
                                "created) VALUES (?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, link_code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  if (!step_done (self, stmt, error))
    return FALSE;
  *out_created = sqlite3_changes (self->db) > 0;
  return TRUE;
}

/* (transfer full) (nullable): the account's owner fingerprint; *found tells
 * whether the account exists at all. */
static char *
account_owner (SemperBank  *self,
               const char  *id,
               gboolean    *found,
               char       **out_code)
{
  sqlite3_stmt *stmt = NULL;
  char *owner = NULL;

  *found = FALSE;
  if (sqlite3_prepare_v2 (self->db, "SELECT owner, link_code FROM accounts WHERE id = ?", -1,
                          &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *found = TRUE;
      owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (out_code != NULL)
        *out_code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  return owner;
}

static char *
account_of_owner (SemperBank *self,
                  const char *owner)
{
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT id FROM accounts WHERE owner = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, owner, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

/* ---- configuration ---------------------------------------------------------- */

static gboolean
config_error (GError    **error,
              const char *what)
{
  g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
               _("Bad bank configuration: %s"), what);
  return FALSE;
}

static gboolean
config_int (JsonObject  *object,
            const char  *name,
            gint64       fallback,
            gint64       min,
            gint64       max,
            gint64      *out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Bad bank configuration: “%s” must be an integer from %" PRId64
                     " to %" PRId64), name, min, max);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
currency_allowed (JsonArray  *currencies,
                  const char *code)
{
  for (guint i = 0; i < json_array_get_length (currencies); i++)
    if (g_strcmp0 (json_array_get_string_element (currencies, i), code) == 0)
      return TRUE;
  return FALSE;
}

/* A denomination for (value, currency) that can still be withdrawn? */
static gboolean
have_denomination (SemperBank *self,
                   gint64      value,
                   const char *currency)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM denominations WHERE value = ? AND "
                          "currency = ? AND withdraw_until > ?", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, value);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now_seconds () + 60);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
make_denomination (SemperBank  *self,
                   gint64       value,
                   const char  *currency,
                   gint64       bits,
                   gint64       withdraw_days,
                   gint64       deposit_days,
                   gint64       fees[3],
                   GError     **error)
{
  g_autoptr(SemperBlindRsaKey) key = NULL;
  g_autoptr(GBytes) pkcs8 = NULL;
  g_autofree char *id = NULL;
  gint64 from = now_seconds ();
  sqlite3_stmt *stmt;

  key = semper_blind_rsa_key_generate ((guint) bits, error);
  if (key == NULL)
    return FALSE;
  pkcs8 = semper_blind_rsa_key_export_pkcs8 (key, error);
  if (pkcs8 == NULL)
    return FALSE;
  id = semper_blind_rsa_key_dup_id (key);
  stmt = prepare (self, "INSERT INTO denominations (id, value, currency, pkcs8, valid_from, "
                  "withdraw_until, deposit_until, fee_withdraw, fee_deposit, fee_swap) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, value);
  sqlite3_bind_text (stmt, 3, currency, -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 4, pkcs8);
  sqlite3_bind_int64 (stmt, 5, from);
  sqlite3_bind_int64 (stmt, 6, from + withdraw_days * 86400);
  sqlite3_bind_int64 (stmt, 7, from + deposit_days * 86400);
  sqlite3_bind_int64 (stmt, 8, fees[0]);
  sqlite3_bind_int64 (stmt, 9, fees[1]);
  sqlite3_bind_int64 (stmt, 10, fees[2]);
  return step_done (self, stmt, error);
}

static gboolean
apply_denominations (SemperBank  *self,
                     JsonObject  *config,
                     JsonArray   *currencies,
                     GError     **error)
{
  static const char * const fee_names[] = { "withdraw", "deposit", "swap" };
  JsonArray *list = semper_json_get_array (config, "denominations");
  gint64 bits, withdraw_days, deposit_days;

  if (list == NULL || json_array_get_length (list) == 0 || json_array_get_length (list) > 64)
    return config_error (error, _("“denominations” must be an array of 1 to 64 objects"));
  if (!config_int (config, "key-bits", 2048, SEMPER_BLIND_RSA_MIN_BITS,
                   SEMPER_BLIND_RSA_MAX_BITS, &bits, error)
      || !config_int (config, "withdraw-days", 365, 1, 36500, &withdraw_days, error)
      || !config_int (config, "deposit-days", withdraw_days + 365, withdraw_days, 73000,
                      &deposit_days, error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *entry, *fees = NULL;
      const char *currency;
      gint64 value, fee[3] = { 0, 0, 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return config_error (error, _("each denomination must be an object"));
      entry = json_node_get_object (node);
      currency = semper_json_get_string (entry, "currency");
      if (currency == NULL || !currency_allowed (currencies, currency))
        return config_error (error, _("a denomination's currency is not in “currencies”"));
      if (!config_int (entry, "value", 0, 1, G_GINT64_CONSTANT (1000000000000), &value, error))
        return FALSE;
      if (json_object_has_member (entry, "fees"))
        {
          JsonNode *fees_node = json_object_get_member (entry, "fees");

          if (!JSON_NODE_HOLDS_OBJECT (fees_node))
            return config_error (error, _("“fees” must be an object"));
          fees = json_node_get_object (fees_node);
          for (guint f = 0; f < 3; f++)
            if (!config_int (fees, fee_names[f], 0, 0, value - 1, &fee[f], error))
              return FALSE;
        }
      if (!have_denomination (self, value, currency)
          && !make_denomination (self, value, currency, bits, withdraw_days, deposit_days, fee,
                                 error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_accounts (SemperBank  *self,
                JsonObject  *config,
                JsonArray   *currencies,
                GError     **error)
{
  JsonArray *list = semper_json_get_array (config, "accounts");

  if (list == NULL)
    return config_error (error, _("“accounts” must be an array"));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *entry, *balances = NULL;
      const char *id, *owner, *code;
      gboolean created = FALSE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return config_error (error, _("each account must be an object"));
      entry = json_node_get_object (node);
      id = semper_json_get_string (entry, "id");
      owner = semper_json_get_string (entry, "owner");
      code = semper_json_get_string (entry, "link-code");
      if (id == NULL || id[0] == '_' || strlen (id) == 0 || strlen (id) > 64)
        return config_error (error, _("an account needs an “id” (not starting with “_”)"));
      if (owner == NULL && code == NULL)
        return config_error (error, _("an account needs an “owner” fingerprint or a "
                                      "“link-code”"));
      if (owner != NULL && (strlen (owner) != 64 || strspn (owner, "0123456789abcdef") != 64))
        return config_error (error,
                             _("an “owner” is a certificate's SHA-256 in lower-case hex"));
      if (json_object_has_member (entry, "balances"))
        {
          JsonNode *b = json_object_get_member (entry, "balances");

          if (!JSON_NODE_HOLDS_OBJECT (b))
            return config_error (error, _("“balances” must be an object"));
          balances = json_node_get_object (b);
        }
      if (!open_account (self, id, owner, code, &created, error))
        return FALSE;
      if (!created || balances == NULL)
        continue;

      /* Opening balances are paid in once, when the account is opened. */
      {
        g_autoptr(GList) names = json_object_get_members (balances);

        for (GList *l = names; l != NULL; l = l->next)
          {
            gint64 amount;

            if (!currency_allowed (currencies, l->data))
              return config_error (error, _("a balance's currency is not in “currencies”"));
            if (!config_int (balances, l->data, 0, 0, MAX_BALANCE, &amount, error)
                || !move (self, self->fingerprint, "opening", id, l->data, amount, error))
              return FALSE;
          }
      }
    }
  return TRUE;
}

static gboolean
apply_config (SemperBank  *self,
              GBytes      *bytes,
              GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *config;
  JsonArray *currencies;
  const char *type;

  root = semper_message_parse (bytes, MAX_CONFIG, &local);
  if (root == NULL)
    return config_error (error, local->message);
  config = json_node_get_object (root);
  type = semper_json_get_string (config, "type");
  if (g_strcmp0 (type, CONFIG_TYPE) != 0)
    return config_error (error, _("“type” must be “semper-bank-config”"));
  currencies = semper_json_get_array (config, "currencies");
  if (currencies == NULL || json_array_get_length (currencies) == 0)
    return config_error (error, _("“currencies” must list ISO 4217 codes"));
  for (guint i = 0; i < json_array_get_length (currencies); i++)
    {
      JsonNode *node = json_array_get_element (currencies, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
          || strlen (json_node_get_string (node)) != 3
          || semper_currency_decimals (json_node_get_string (node)) < 0)
        return config_error (error, _("“currencies” must list ISO 4217 codes"));
    }

  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, error);
  if (!apply_denominations (self, config, currencies, error)
      || !apply_accounts (self, config, currencies, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Loads every denomination that can still be deposited, and signs its
 * description with the bank's key for publication. */
static gboolean
load_denominations (SemperBank  *self,
                    GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT id, value, currency, pkcs8, valid_from, "
                                "withdraw_until, deposit_until, fee_withdraw, fee_deposit, "
                                "fee_swap FROM denominations WHERE deposit_until > ? "
                                "ORDER BY currency, value", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_seconds ());
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GBytes) pkcs8 = column_bytes (stmt, 3);
      g_autoptr(SemperBlindRsaKey) key = NULL;
      g_autoptr(GDateTime) from = NULL;
      g_autoptr(GDateTime) withdraw = NULL;
      g_autoptr(GDateTime) deposit = NULL;
      g_autofree char *id = NULL;
      Denom *d;

      key = semper_blind_rsa_key_new_from_pkcs8 (pkcs8, error);
      if (key == NULL)
        break;
      from = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 4));
      withdraw = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 5));
      deposit = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 6));
      d = g_new0 (Denom, 1);
      d->denom = semper_denomination_new (key, sqlite3_column_int64 (stmt, 1),
                                          (const char *) sqlite3_column_text (stmt, 2),
                                          from, withdraw, deposit, error);
      d->fee_withdraw = sqlite3_column_int64 (stmt, 7);
      d->fee_deposit = sqlite3_column_int64 (stmt, 8);
      d->fee_swap = sqlite3_column_int64 (stmt, 9);
      if (d->denom == NULL || semper_denomination_sign (d->denom, self->crypto, error) == NULL)
        {
          denom_free (d);
          break;
        }
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (!g_str_equal (id, semper_denomination_get_id (d->denom)))
        {
          denom_free (d);
          g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_FAILED,
                       _("The bank's store holds a denomination key under the wrong id"));
          break;
        }
      g_ptr_array_add (self->denom_order, g_strdup (id));
      g_hash_table_insert (self->denoms, g_steal_pointer (&id), d);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  if (self->denom_order->len == 0)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The bank has no denominations: start it with --config"));
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_bank_new:
 *
 * Returns: (transfer full) (nullable): the bank
 */
SemperBank *
semper_bank_new (SemperCrypto  *crypto,
                 SemperTrust   *trust,
                 const char    *db_path,
                 GBytes        *config,
                 GError       **error)
{
  g_autoptr(SemperBank) self = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  gboolean created;
  char *message = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (crypto), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);

  cert = semper_crypto_dup_certificate (crypto);
  if (cert == NULL)
    {
      refuse (error, SEMPER_BANK_ERROR_FAILED, _("The bank has no certificate"));
      return NULL;
    }
  info = semper_trust_check_role (trust, cert, SEMPER_ROLE_BANK, error);
  if (info == NULL)
    return NULL;

  self = g_object_new (SEMPER_TYPE_BANK, NULL);
  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->fingerprint = g_strdup (info->fingerprint);

  if (sqlite3_open_v2 (db_path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);
  if (sqlite3_exec (self->db, schema, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_FAILED,
                   _("Cannot set up the bank's store %s: %s"), db_path, message);
      sqlite3_free (message);
      return NULL;
    }
  if (!open_account (self, SEMPER_BANK_ACCOUNT_ECASH, NULL, NULL, &created, error)
      || !open_account (self, SEMPER_BANK_ACCOUNT_FEES, NULL, NULL, &created, error))
    return NULL;
  if (!_semper_bank_account_setup (self, error))
    return NULL;
  if (config != NULL && !apply_config (self, config, error))
    return NULL;
  if (!load_denominations (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
semper_bank_get_fingerprint (SemperBank *self)
{
  g_return_val_if_fail (SEMPER_IS_BANK (self), NULL);
  return self->fingerprint;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_base64 (JsonBuilder *b,
            const char  *name,
            GBytes      *value)
{
  g_autofree char *text = g_base64_encode (g_bytes_get_data (value, NULL),
                                           g_bytes_get_size (value));

  add_string (b, name, text);
}

GBytes *
semper_bank_dup_denominations (SemperBank *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *text;

  g_return_val_if_fail (SEMPER_IS_BANK (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "denominations");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->denom_order->len; i++)
    {
      Denom *d = g_hash_table_lookup (self->denoms, g_ptr_array_index (self->denom_order, i));
      GBytes *signed_ = semper_denomination_get_signed (d->denom);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (signed_, NULL),
                                              g_bytes_get_size (signed_));

      json_builder_begin_object (b);
      add_string (b, "signed", b64);
      json_builder_set_member_name (b, "fees");
      json_builder_begin_object (b);
      add_int (b, "withdraw", d->fee_withdraw);
      add_int (b, "deposit", d->fee_deposit);
      add_int (b, "swap", d->fee_swap);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

/* ---- answers ---------------------------------------------------------------- */

typedef struct {
  SemperBankRequest *request;
  const char        *requester;   /* the signer's fingerprint */
  const char        *role;        /* the signer's certified role */
  char              *request_hash;
  JsonBuilder       *answer;      /* an open object with the common members */
} Context;

static void
begin_answer (Context    *ctx,
              const char *result)
{
  JsonBuilder *b = ctx->answer = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "type", "semper-bank-answer");
  add_int (b, "version", 1);
  add_string (b, "op", semper_bank_op_to_string (ctx->request->op));
  if (ctx->request->key != NULL)
    add_string (b, "key", ctx->request->key);
  add_string (b, "request", ctx->request_hash);
  add_string (b, "result", result);
}

static GBytes *
sign_answer (SemperBank  *self,
             Context     *ctx,
             GError     **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) content = NULL;
  gsize len = 0;
  char *text;

  json_builder_end_object (ctx->answer);
  root = json_builder_get_root (ctx->answer);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  content = g_bytes_new_take (text, len);
  return semper_cms_sign_message (self->crypto, content, error);
}

/* The stored answer for (requester, key), or NULL. A key sent again with a
 * different request is refused: it would otherwise hide a second payment. */
static GBytes *
stored_answer (SemperBank  *self,
               Context     *ctx,
               gboolean    *failed,
               GError     **error)
{
  sqlite3_stmt *stmt;
  GBytes *answer = NULL;

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
      if (g_str_equal ((const char *) sqlite3_column_text (stmt, 0), ctx->request_hash))
        answer = column_bytes (stmt, 1);
      else
        {
          *failed = TRUE;
          refuse (error, SEMPER_BANK_ERROR_KEY_REUSED,
                  _("This idempotency key was used for a different request"));
        }
    }
  sqlite3_finalize (stmt);
  return answer;
}

static gboolean
store_answer (SemperBank  *self,
              Context     *ctx,
              GBytes      *answer,
              GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO operations (requester, key, op, request, "
                                "answer, created) VALUES (?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ctx->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ctx->request->key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, semper_bank_op_to_string (ctx->request->op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, ctx->request_hash, -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 5, answer);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  return step_done (self, stmt, error);
}

/* ---- operations (lock held, inside the transaction) -------------------------- */

static gboolean
codes_equal (const char *a,
             const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la; i++)
    diff |= (guint8) (a[i] ^ b[i % (lb > 0 ? lb : 1)]);
  return diff == 0;
}

static gboolean
op_link (SemperBank  *self,
         Context     *ctx,
         GError     **error)
{
  g_autofree char *code = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *existing = NULL;
  gboolean found;
  sqlite3_stmt *stmt;

  owner = account_owner (self, ctx->request->account, &found, &code);
  if (!found || ctx->request->account[0] == '_')
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT, _("No such account"));
  if (owner != NULL && !g_str_equal (owner, ctx->requester))
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The account is linked to another certificate"));
  if (owner == NULL)
    {
      if (code == NULL || !codes_equal (code, ctx->request->code))
        return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED, _("Wrong link code"));
      existing = account_of_owner (self, ctx->requester);
      if (existing != NULL)
        return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                       _("This certificate is already linked to another account"));
      stmt = prepare (self, "UPDATE accounts SET owner = ?, link_code = NULL WHERE id = ?",
                      error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, ctx->requester, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, ctx->request->account, -1, SQLITE_TRANSIENT);
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  begin_answer (ctx, "ok");
  add_string (ctx->answer, "account", ctx->request->account);
  add_string (ctx->answer, "owner", ctx->requester);
  return TRUE;
}

static gboolean
check_owner (SemperBank  *self,
             Context     *ctx,
             GError     **error)
{
  g_autofree char *owner = NULL;
  gboolean found;

  owner = account_owner (self, ctx->request->account, &found, NULL);
  if (!found || ctx->request->account[0] == '_')
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT, _("No such account"));
  if (owner == NULL || !g_str_equal (owner, ctx->requester))
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The signer's certificate is not linked to this account"));
  return TRUE;
}

static gboolean
op_balance (SemperBank  *self,
            Context     *ctx,
            GError     **error)
{
  sqlite3_stmt *stmt;

  if (!check_owner (self, ctx, error))
    return FALSE;
  stmt = prepare (self, "SELECT currency, amount FROM balances WHERE account = ? "
                  "ORDER BY currency", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ctx->request->account, -1, SQLITE_TRANSIENT);
  begin_answer (ctx, "ok");
  add_string (ctx->answer, "account", ctx->request->account);
  json_builder_set_member_name (ctx->answer, "balances");
  json_builder_begin_array (ctx->answer);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_builder_begin_object (ctx->answer);
      add_string (ctx->answer, "currency", (const char *) sqlite3_column_text (stmt, 0));
      add_int (ctx->answer, "amount", sqlite3_column_int64 (stmt, 1));
      json_builder_end_object (ctx->answer);
    }
  sqlite3_finalize (stmt);
  json_builder_end_array (ctx->answer);
  return TRUE;
}

/* Blind-signs every coin asked for; all of one currency, all withdrawable
 * now. Sums their values and @which fee (withdraw) into the outs. */
static GPtrArray *
blind_sign_all (SemperBank   *self,
                Context      *ctx,
                const char  **out_currency,
                gint64       *out_value,
                gint64       *out_fee,
                GError      **error)
{
  g_autoptr(GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *currency = NULL;
  gint64 value = 0, fee = 0;

  for (guint i = 0; i < ctx->request->coins->len; i++)
    {
      SemperBankBlinded *entry = g_ptr_array_index (ctx->request->coins, i);
      Denom *d = g_hash_table_lookup (self->denoms, entry->denomination);
      GBytes *sig;

      if (d == NULL)
        {
          refuse (error, SEMPER_BANK_ERROR_INVALID, _("Unknown denomination"));
          return NULL;
        }
      if (currency == NULL)
        currency = semper_denomination_get_currency (d->denom);
      else if (!g_str_equal (currency, semper_denomination_get_currency (d->denom)))
        {
          refuse (error, SEMPER_BANK_ERROR_INVALID, _("All coins must be of one currency"));
          return NULL;
        }
      value += semper_denomination_get_value (d->denom);
      fee += d->fee_withdraw;
      sig = semper_denomination_blind_sign (d->denom, entry->blinded, now, error);
      if (sig == NULL)
        return NULL;
      g_ptr_array_add (sigs, sig);
    }
  *out_currency = currency;
  *out_value = value;
  *out_fee = fee;
  return g_steal_pointer (&sigs);
}

static void
add_signatures (Context   *ctx,
                GPtrArray *sigs)
{
  json_builder_set_member_name (ctx->answer, "blind-signatures");
  json_builder_begin_array (ctx->answer);
  for (guint i = 0; i < sigs->len; i++)
    {
      GBytes *sig = g_ptr_array_index (sigs, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (sig, NULL),
                                              g_bytes_get_size (sig));

      json_builder_add_string_value (ctx->answer, b64);
    }
  json_builder_end_array (ctx->answer);
}

static gboolean
op_withdraw (SemperBank  *self,
             Context     *ctx,
             GError     **error)
{
  g_autoptr(GPtrArray) sigs = NULL;
  const char *currency = NULL;
  gint64 value = 0, fee = 0;

  if (!check_owner (self, ctx, error))
    return FALSE;
  sigs = blind_sign_all (self, ctx, &currency, &value, &fee, error);
  if (sigs == NULL)
    return FALSE;
  if (!move (self, ctx->requester, ctx->request->key, ctx->request->account, currency,
             -(value + fee), error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_ECASH, currency,
                value, error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_FEES, currency,
                fee, error))
    return FALSE;
  begin_answer (ctx, "ok");
  add_string (ctx->answer, "account", ctx->request->account);
  add_int (ctx->answer, "amount", value);
  add_string (ctx->answer, "currency", currency);
  add_int (ctx->answer, "fee", fee);
  add_signatures (ctx, sigs);
  return TRUE;
}

/* Checks the coin, its denomination, the permission and the coin key's
 * signature over it. Returns the denomination (transfer none). */
static Denom *
check_coin (SemperBank               *self,
            Context                  *ctx,
            SemperCoin              **out_coin,
            SemperDepositPermission **out_permission,
            GError                  **error)
{
  g_autoptr(SemperCoin) coin = NULL;
  g_autoptr(SemperDepositPermission) permission = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) local = NULL;
  Denom *d;

  coin = semper_coin_new_from_json (ctx->request->coin, &local);
  if (coin == NULL || semper_coin_has_secret (coin))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_BAD_COIN,
                   _("Not a coin: %s"), local ? local->message : _("it carries its secret key"));
      return NULL;
    }
  d = g_hash_table_lookup (self->denoms, semper_coin_get_denomination_id (coin));
  if (d == NULL)
    {
      refuse (error, SEMPER_BANK_ERROR_BAD_COIN, _("The coin's denomination is unknown here"));
      return NULL;
    }
  if (!semper_coin_verify (coin, d->denom, &local)
      || !semper_denomination_check_deposit (d->denom, now, &local))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_BAD_COIN,
                   _("The coin is refused: %s"), local->message);
      return NULL;
    }
  permission = semper_deposit_permission_parse (ctx->request->permission, error);
  if (permission == NULL)
    return NULL;
  if (!g_str_equal (permission->coin, semper_coin_get_id (coin)))
    {
      refuse (error, SEMPER_BANK_ERROR_BAD_COIN, _("The permission names another coin"));
      return NULL;
    }
  if (!semper_coin_verify_signature (coin, ctx->request->permission, ctx->request->signature,
                                     &local))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_BAD_COIN,
                   _("The coin's signature over the permission is not valid: %s"),
                   local->message);
      return NULL;
    }
  if (permission->amount.minor != semper_denomination_get_value (d->denom)
      || !g_str_equal (permission->amount.currency, semper_denomination_get_currency (d->denom)))
    {
      refuse (error, SEMPER_BANK_ERROR_INVALID,
              _("The permission's amount is not the coin's value"));
      return NULL;
    }
  *out_coin = g_steal_pointer (&coin);
  *out_permission = g_steal_pointer (&permission);
  return d;
}

/* TRUE and an answer in @ctx when the coin is spent already: the same
 * deposit again (the same permission, by its payee or by the TTP that
 * deposited it for the payee: only they get this far) gets that deposit's
 * stored answer in *out_first; anything else the double-spend proof. */
static gboolean
check_spent (SemperBank  *self,
             Context     *ctx,
             SemperCoin  *coin,
             GBytes     **out_first,
             gboolean    *failed,
             GError     **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GBytes) permission = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *requester = NULL;
  g_autofree char *op_key = NULL;

  *failed = FALSE;
  stmt = prepare (self, "SELECT permission, signature, requester, op_key FROM spent "
                  "WHERE coin = ?", error);
  if (stmt == NULL)
    {
      *failed = TRUE;
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, semper_coin_get_id (coin), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return FALSE;
    }
  permission = column_bytes (stmt, 0);
  signature = column_bytes (stmt, 1);
  requester = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  op_key = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);

  if (g_bytes_equal (permission, ctx->request->permission))
    {
      stmt = prepare (self, "SELECT answer FROM operations WHERE requester = ? AND key = ?",
                      error);
      if (stmt == NULL)
        {
          *failed = TRUE;
          return TRUE;
        }
      sqlite3_bind_text (stmt, 1, requester, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, op_key, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        *out_first = column_bytes (stmt, 0);
      sqlite3_finalize (stmt);
      if (*out_first != NULL)
        return TRUE;
    }

  begin_answer (ctx, "double-spent");
  add_string (ctx->answer, "coin", semper_coin_get_id (coin));
  json_builder_set_member_name (ctx->answer, "proof");
  json_builder_begin_object (ctx->answer);
  add_base64 (ctx->answer, "permission", permission);
  add_base64 (ctx->answer, "signature", signature);
  json_builder_end_object (ctx->answer);
  return TRUE;
}

static gboolean
mark_spent (SemperBank  *self,
            Context     *ctx,
            SemperCoin  *coin,
            GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO spent (coin, denomination, permission, "
                                "signature, requester, op_key, created) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, semper_coin_get_id (coin), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, semper_coin_get_denomination_id (coin), -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 3, ctx->request->permission);
  bind_bytes (stmt, 4, ctx->request->signature);
  sqlite3_bind_text (stmt, 5, ctx->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, ctx->request->key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now_seconds ());
  return step_done (self, stmt, error);
}

/* A coin a TTP deposited for @permission's payee: a revoke of the exchange
 * refunds it like the payee's own deposits. */
static gboolean
mark_settled (SemperBank              *self,
              SemperCoin              *coin,
              SemperDepositPermission *permission,
              GError                 **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO fx_settled (coin, tid, merchant, created) "
                                "VALUES (?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, semper_coin_get_id (coin), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, permission->tid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, permission->merchant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return step_done (self, stmt, error);
}

/* ---- the TTP's revoke of a fair exchange (docs/fair-exchange.md) ------------ */

static gboolean
fx_is_revoked (SemperBank  *self,
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

static gboolean refund_money (SemperBank  *self,
                              Context     *ctx,
                              const char  *tid,
                              const char  *merchant,
                              const char  *account,
                              GError     **error);

/* Refund (PROTOCOLS.md B and C): the buyer presents the TTP's signed
 * fx/revoke for H(m1). From then on no coin can be deposited under that
 * tid, and every coin the merchant deposited under it is credited back, at
 * its full value, to the account of the buyer who signed the request (the
 * merchant's account gives back what it was credited, below zero if need
 * be, the fees account the deposit fee). Each coin is refunded once. */
static gboolean
op_refund (SemperBank  *self,
           Context     *ctx,
           GError     **error)
{
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *account = NULL;
  const char *tid, *merchant;
  sqlite3_stmt *stmt;

  token = semper_protocol_message_verify (ctx->request->token, self->trust, &local);
  if (token == NULL)
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED, local->message);
  if (!g_str_equal (semper_protocol_message_get_protocol (token), SEMPER_PROTOCOL_FX)
      || !g_str_equal (semper_protocol_message_get_step (token), "revoke"))
    return refuse (error, SEMPER_BANK_ERROR_INVALID, _("Not a TTP's revoke of an exchange"));
  if (!g_str_equal (semper_protocol_message_get_originator (token), ctx->requester))
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("Only the buyer of the exchange may ask for its refund"));
  account = account_of_owner (self, ctx->requester);
  if (account == NULL)
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT,
                   _("The signer's certificate is not linked to an account"));
  tid = semper_protocol_message_get_string (token, "m1_hash");
  merchant = semper_protocol_message_get_responder (token);

  stmt = prepare (self, "INSERT OR IGNORE INTO fx_revoked (tid, buyer, created) VALUES (?, ?, ?)",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ctx->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  if (!step_done (self, stmt, error))
    return FALSE;

  /* The buyer is paid back at once. A merchant whose account no longer
   * holds what it was paid goes below zero: the bank's claim against it,
   * as with a chargeback (docs/payments.md); it can pay nothing out until
   * the account is above zero again. */
  return refund_money (self, ctx, tid, merchant, account, error);
}

/* The money of a refund (op_refund): each coin the merchant deposited under
 * @tid back to the buyer's @account, then an account payment's hold or
 * captured money; begins the answer. */
static gboolean
refund_money (SemperBank  *self,
              Context     *ctx,
              const char  *tid,
              const char  *merchant,
              const char  *account,
              GError     **error)
{
  g_autofree char *merchant_account = NULL;
  g_autoptr(GPtrArray) coins = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) denoms = g_ptr_array_new_with_free_func (g_free);
  char currency[4] = "";
  gint64 total = 0;
  sqlite3_stmt *stmt;

  /* The deposits under the tid for the merchant, its own and the TTP's,
   * that are not refunded yet. */
  stmt = prepare (self, "SELECT coin, denomination, permission FROM spent WHERE (requester = ?1 "
                  "OR coin IN (SELECT coin FROM fx_settled WHERE tid = ?2 AND merchant = ?1)) "
                  "AND coin NOT IN (SELECT coin FROM fx_refunded)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, merchant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, tid, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GBytes) bytes = column_bytes (stmt, 2);
      g_autoptr(SemperDepositPermission) permission = semper_deposit_permission_parse (bytes,
                                                                                       NULL);

      if (permission == NULL || !g_str_equal (permission->tid, tid))
        continue;
      g_ptr_array_add (coins, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (denoms, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
      g_array_append_val (values, permission->amount.minor);
      memcpy (currency, permission->amount.currency, sizeof currency);
    }
  sqlite3_finalize (stmt);

  if (coins->len > 0)
    {
      merchant_account = account_of_owner (self, merchant);
      if (merchant_account == NULL)
        return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT, _("The merchant has no account"));
    }
  for (guint i = 0; i < coins->len; i++)
    {
      Denom *d = g_hash_table_lookup (self->denoms, g_ptr_array_index (denoms, i));
      gint64 value = g_array_index (values, gint64, i);
      gint64 fee = d != NULL ? d->fee_deposit : 0;

      stmt = prepare (self, "INSERT INTO fx_refunded (coin, tid, created) VALUES (?, ?, ?)",
                      error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (coins, i), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, tid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, now_seconds ());
      if (!step_done (self, stmt, error)
          || !move_full (self, ctx->requester, ctx->request->key, merchant_account, currency,
                         -(value - fee), TRUE, error)
          || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_FEES, currency,
                    -fee, error)
          || !move (self, ctx->requester, ctx->request->key, account, currency, value, error))
        return FALSE;
      total += value;
    }

  /* An account payment under the tid: its hold or captured money goes back. */
  if (!_semper_bank_account_revoke (self, ctx->requester, ctx->request->key, tid, account,
                                    currency, &total, error))
    return FALSE;

  begin_answer (ctx, "ok");
  add_string (ctx->answer, "account", account);
  if (total > 0)
    {
      add_int (ctx->answer, "amount", total);
      add_string (ctx->answer, "currency", currency);
    }
  return TRUE;
}

/* Returns FALSE with @error, or TRUE with either an answer begun in @ctx or
 * a stored one in *out_first. */
static gboolean
op_deposit (SemperBank  *self,
            Context     *ctx,
            GBytes     **out_first,
            GError     **error)
{
  g_autoptr(SemperCoin) coin = NULL;
  g_autoptr(SemperDepositPermission) permission = NULL;
  g_autofree char *account = NULL;
  const char *currency;
  gboolean failed, for_payee;
  gint64 value;
  Denom *d;

  d = check_coin (self, ctx, &coin, &permission, error);
  if (d == NULL)
    return FALSE;
  /* The payee deposits; so may a TTP that resolves the exchange, for the
   * payee the permission names (docs/fair-exchange.md: T collects the
   * payment before it gives the buyer k). */
  for_payee = !g_str_equal (permission->merchant, ctx->requester);
  if (for_payee && g_strcmp0 (ctx->role, SEMPER_ROLE_TTP) != 0)
    return refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                   _("The permission names another payee than the signer"));
  if (fx_is_revoked (self, permission->tid, &failed, error) || failed)
    return failed ? FALSE : refuse (error, SEMPER_BANK_ERROR_UNAUTHORISED,
                                    _("The TTP revoked this exchange; it cannot be paid"));
  account = account_of_owner (self, permission->merchant);
  if (account == NULL)
    return refuse (error, SEMPER_BANK_ERROR_NO_ACCOUNT,
                   for_payee ? _("The payee has no account here")
                             : _("The signer's certificate is not linked to an account"));
  if (check_spent (self, ctx, coin, out_first, &failed, error))
    return !failed;
  if (failed)
    return FALSE;

  value = semper_denomination_get_value (d->denom);
  currency = semper_denomination_get_currency (d->denom);
  if (for_payee && !mark_settled (self, coin, permission, error))
    return FALSE;
  if (!mark_spent (self, ctx, coin, error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_ECASH, currency,
                -value, error)
      || !move (self, ctx->requester, ctx->request->key, account, currency,
                value - d->fee_deposit, error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_FEES, currency,
                d->fee_deposit, error))
    return FALSE;
  begin_answer (ctx, "ok");
  add_string (ctx->answer, "account", account);
  add_string (ctx->answer, "coin", semper_coin_get_id (coin));
  add_int (ctx->answer, "amount", value);
  add_string (ctx->answer, "currency", currency);
  add_int (ctx->answer, "fee", d->fee_deposit);
  return TRUE;
}

static gboolean
op_swap (SemperBank  *self,
         Context     *ctx,
         GBytes     **out_first,
         GError     **error)
{
  g_autoptr(SemperCoin) coin = NULL;
  g_autoptr(SemperDepositPermission) permission = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autofree char *tid = NULL;
  const char *currency = NULL;
  gint64 value = 0, unused_fee = 0, old_value;
  gboolean failed;
  Denom *d;

  d = check_coin (self, ctx, &coin, &permission, error);
  if (d == NULL)
    return FALSE;
  if (!g_str_equal (permission->merchant, self->fingerprint))
    return refuse (error, SEMPER_BANK_ERROR_INVALID,
                   _("A swap's permission must name the bank as payee"));
  tid = semper_bank_swap_tid (ctx->request->coins);
  if (!g_str_equal (permission->tid, tid))
    return refuse (error, SEMPER_BANK_ERROR_BAD_COIN,
                   _("The swap's permission does not cover the coins asked for"));
  if (check_spent (self, ctx, coin, out_first, &failed, error))
    return !failed;
  if (failed)
    return FALSE;

  sigs = blind_sign_all (self, ctx, &currency, &value, &unused_fee, error);
  if (sigs == NULL)
    return FALSE;
  old_value = semper_denomination_get_value (d->denom);
  if (!g_str_equal (currency, semper_denomination_get_currency (d->denom))
      || value + d->fee_swap != old_value)
    return refuse (error, SEMPER_BANK_ERROR_INVALID,
                   _("The new coins and the swap fee must add up to the coin's value"));
  if (!mark_spent (self, ctx, coin, error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_ECASH, currency,
                -d->fee_swap, error)
      || !move (self, ctx->requester, ctx->request->key, SEMPER_BANK_ACCOUNT_FEES, currency,
                d->fee_swap, error))
    return FALSE;
  begin_answer (ctx, "ok");
  add_string (ctx->answer, "coin", semper_coin_get_id (coin));
  add_int (ctx->answer, "amount", old_value);
  add_string (ctx->answer, "currency", currency);
  add_int (ctx->answer, "fee", d->fee_swap);
  add_signatures (ctx, sigs);
  return TRUE;
}

GBytes *
semper_bank_handle (SemperBank  *self,
                    GBytes      *p7m,
                    GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  Context ctx = { 0 };
  g_autofree char *hash = NULL;
  gboolean failed = FALSE, ok = FALSE;

  g_return_val_if_fail (SEMPER_IS_BANK (self), NULL);
  g_return_val_if_fail (p7m != NULL, NULL);

  content = semper_cms_verify (p7m, self->trust, &info, error);
  if (content == NULL)
    return NULL;
  request = semper_bank_request_parse (content, error);
  if (request == NULL)
    return NULL;
  hash = semper_sha256_hex (content);
  ctx.request = request;
  ctx.requester = info->fingerprint;
  ctx.role = info->role;
  ctx.request_hash = hash;

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  if (request->key != NULL)
    {
      answer = stored_answer (self, &ctx, &failed, error);
      if (answer != NULL || failed)
        goto out;
    }

  switch (request->op)
    {
    case SEMPER_BANK_OP_LINK:
      ok = op_link (self, &ctx, error);
      break;
    case SEMPER_BANK_OP_BALANCE:
      ok = op_balance (self, &ctx, error);
      break;
    case SEMPER_BANK_OP_WITHDRAW:
      ok = op_withdraw (self, &ctx, error);
      break;
    case SEMPER_BANK_OP_DEPOSIT:
      ok = op_deposit (self, &ctx, &first, error);
      break;
    case SEMPER_BANK_OP_SWAP:
      ok = op_swap (self, &ctx, &first, error);
      break;
    case SEMPER_BANK_OP_REFUND:
      ok = op_refund (self, &ctx, error);
      break;
    default:
      g_assert_not_reached ();
    }
  builder = ctx.answer;
  if (!ok)
    {
      failed = TRUE;
      goto out;
    }
  if (first != NULL)
    answer = g_steal_pointer (&first);
  else
    {
      answer = sign_answer (self, &ctx, error);
      if (answer == NULL)
        {
          failed = TRUE;
          goto out;
        }
      if (request->key != NULL && !store_answer (self, &ctx, answer, error))
        {
          failed = TRUE;
          goto out;
        }
    }

out:
  if (failed)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&answer);
}

/* ---- HTTP ------------------------------------------------------------------- */

static SemperCommResponse *
error_response (const GError *error)
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
    { SEMPER_BANK_ERROR_BAD_COIN, 400, "bad-coin" },
    { SEMPER_BANK_ERROR_DOUBLE_SPENT, 409, "double-spent" },
    { SEMPER_BANK_ERROR_FAILED, 500, "failed" },
  };

  if (error->domain == SEMPER_BANK_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (map); i++)
      if (map[i].code == (SemperBankError) error->code)
        return semper_comm_response_new_error (map[i].status, map[i].name, error->message);
  if (error->domain == SEMPER_ECASH_ERROR)
    return semper_comm_response_new_error (400, "bad-coin", error->message);
  return semper_comm_response_new_error (400, "bad-signature", error->message);
}

static SemperCommResponse *
request_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  SemperBank *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_CMS) != 0)
    return semper_comm_response_new_error (415, "bad-content-type",
                                           _("Send a signed message (application/pkcs7-mime)"));
  answer = semper_bank_handle (self, semper_comm_request_get_body (request), &error);
  if (answer == NULL)
    return error_response (error);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, answer);
}

static SemperCommResponse *
denominations_cb (SemperCommServer  *server,
                  SemperCommRequest *request,
                  gpointer           user_data)
{
  g_autoptr(GBytes) body = semper_bank_dup_denominations (SEMPER_BANK (user_data));

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

void
semper_bank_add_routes (SemperBank       *self,
                        SemperCommServer *server)
{
  g_return_if_fail (SEMPER_IS_BANK (self));

  semper_comm_server_add_route (server, "GET", "/bank/denominations", denominations_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/bank/request", request_cb,
                                g_object_ref (self), g_object_unref);
  _semper_bank_account_add_routes (self, server);
}

GObject *
semper_bank_role_setup (SemperCommServer         *server,
                        const SemperRoleOptions  *options,
                        GError                  **error)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GBytes) config = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperBank) self = NULL;
  g_autofree char *db_path = NULL;

  profile = semper_profile_open (options->state_dir, SEMPER_PROFILE_OPEN_DEFAULT,
                                 options->password_func, options->password_data, error);
  if (profile == NULL)
    return NULL;
  trust = semper_profile_dup_trust (profile, error);
  if (trust == NULL)
    return NULL;
  if (options->config_file != NULL)
    {
      g_autofree char *text = NULL;
      gsize len = 0;

      if (!g_file_get_contents (options->config_file, &text, &len, error))
        return NULL;
      config = g_bytes_new_take (g_steal_pointer (&text), len);
    }
  db_path = g_build_filename (options->state_dir, "bank.db", NULL);
  self = semper_bank_new (semper_profile_get_crypto (profile), trust, db_path, config, error);
  if (self == NULL)
    return NULL;
  self->owner = G_OBJECT (g_steal_pointer (&profile));
  semper_bank_add_routes (self, server);
  return G_OBJECT (g_steal_pointer (&self));
}

/* ---- for the account payments (semper-bank-private.h) ------------------------- */

sqlite3 *
_semper_bank_get_db (SemperBank *self)
{
  return self->db;
}

GMutex *
_semper_bank_get_lock (SemperBank *self)
{
  return &self->lock;
}

SemperCrypto *
_semper_bank_get_crypto (SemperBank *self)
{
  return self->crypto;
}

SemperTrust *
_semper_bank_get_trust (SemperBank *self)
{
  return self->trust;
}

gboolean
_semper_bank_move (SemperBank  *self,
                   const char  *requester,
                   const char  *op_key,
                   const char  *account,
                   const char  *currency,
                   gint64       delta,
                   gboolean     into_debt,
                   GError     **error)
{
  return move_full (self, requester, op_key, account, currency, delta, into_debt, error);
}

char *
_semper_bank_account_of_owner (SemperBank *self,
                               const char *owner)
{
  return account_of_owner (self, owner);
}

char *
_semper_bank_account_owner (SemperBank *self,
                            const char *account,
                            gboolean   *found)
{
  return account_owner (self, account, found, NULL);
}
