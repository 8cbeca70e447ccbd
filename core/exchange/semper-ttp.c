/* semper-ttp.c: the trusted third party of contract signing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ttp.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-contract-signing.h"
#include "semper-dispute.h"
#include "semper-fair-exchange-private.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"

G_DEFINE_QUARK (semper-ttp-error-quark, semper_ttp_error)

#define MAILBOX_PAGE 100

struct _SemperTtp
{
  GObject       parent_instance;

  SemperCrypto *crypto;
  SemperTrust  *trust;
  GObject      *owner;      /* (nullable): the profile the role opened */
  char         *fingerprint;
  sqlite3      *db;
  GMutex        lock;       /* one request at a time on the connection */
  GArray       *fx_systems; /* (element-type SemperFxPaymentSystem) */
};

G_DEFINE_FINAL_TYPE (SemperTtp, semper_ttp, G_TYPE_OBJECT)

static const char schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "CREATE TABLE IF NOT EXISTS outcomes ("
  "  key TEXT PRIMARY KEY,"
  "  outcome TEXT NOT NULL CHECK (outcome IN ('aborted', 'resolved')),"
  "  token BLOB NOT NULL,"
  "  decided INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS mailbox ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  recipient TEXT NOT NULL,"
  "  tid TEXT NOT NULL,"
  "  step TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  message BLOB NOT NULL,"
  "  received INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS mailbox_recipient ON mailbox (recipient, seq);"
  /* Fair exchange: the buyer's m3 (its payment) of every exchange resolved
   * with a receipt, for the merchant that never got it (docs/fair-exchange.md). */
  "CREATE TABLE IF NOT EXISTS fx_payments ("
  "  key TEXT PRIMARY KEY,"
  "  m3 BLOB NOT NULL);";

static void
semper_ttp_dispose (GObject *object)
{
  SemperTtp *self = SEMPER_TTP (object);

  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  g_clear_object (&self->owner);
  G_OBJECT_CLASS (semper_ttp_parent_class)->dispose (object);
}

static void
semper_ttp_finalize (GObject *object)
{
  SemperTtp *self = SEMPER_TTP (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->fingerprint);
  g_clear_pointer (&self->fx_systems, g_array_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (semper_ttp_parent_class)->finalize (object);
}

static void
semper_ttp_class_init (SemperTtpClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_ttp_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_ttp_finalize;
}

static void
semper_ttp_init (SemperTtp *self)
{
  g_mutex_init (&self->lock);
  self->fx_systems = g_array_new (FALSE, TRUE, sizeof (SemperFxPaymentSystem));
}

static gboolean
db_error (SemperTtp  *self,
          GError    **error)
{
  g_set_error (error, SEMPER_TTP_ERROR, SEMPER_TTP_ERROR_FAILED,
               _("The TTP's store failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

/**
 * semper_ttp_new:
 * @db_path: the TTP's SQLite file, created when missing
 *
 * Returns: (transfer full) (nullable): the TTP
 */
SemperTtp *
semper_ttp_new (SemperCrypto  *crypto,
                SemperTrust   *trust,
                const char    *db_path,
                GError       **error)
{
  g_autoptr(SemperTtp) self = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  char *message = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (crypto), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);

  cert = semper_crypto_dup_certificate (crypto);
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_TTP_ERROR, SEMPER_TTP_ERROR_FAILED,
                   _("The TTP has no certificate"));
      return NULL;
    }
  info = semper_trust_check_role (trust, cert, SEMPER_ROLE_TTP, error);
  if (info == NULL)
    return NULL;

  self = g_object_new (SEMPER_TYPE_TTP, NULL);
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
      g_set_error (error, SEMPER_TTP_ERROR, SEMPER_TTP_ERROR_FAILED,
                   _("Cannot set up the TTP's store %s: %s"), db_path, message);
      sqlite3_free (message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
semper_ttp_get_fingerprint (SemperTtp *self)
{
  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);
  return self->fingerprint;
}

SemperTrust *
semper_ttp_get_trust (SemperTtp *self)
{
  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);
  return self->trust;
}

SemperCrypto *
semper_ttp_get_crypto (SemperTtp *self)
{
  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  return self->crypto;
}

static gboolean
check_for_us (SemperTtp              *self,
              SemperProtocolMessage  *message,
              GError                **error)
{
  if (!g_str_equal (semper_protocol_message_get_ttp (message), self->fingerprint))
    {
      g_set_error (error, SEMPER_TTP_ERROR, SEMPER_TTP_ERROR_NOT_FOR_US,
                   _("The message names another TTP"));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
lookup (SemperTtp  *self,
        const char *key)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *token = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT token FROM outcomes WHERE key = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    token = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  return token;
}

/* The one place where an outcome is decided: under the mutex and inside
 * BEGIN IMMEDIATE (so that even a second process on the same file waits),
 * an existing outcome is returned as stored; otherwise @token is stored.
 * Either way the answer is what the store holds afterwards. */
static GBytes *
decide (SemperTtp              *self,
        const char             *key,
        const char             *outcome,
        SemperProtocolMessage  *token_message,
        GError                **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GBytes) token = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }

  token = lookup (self, key);
  if (token != NULL)
    {
      sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
      return g_steal_pointer (&token);
    }

  token = semper_protocol_message_sign (token_message, self->crypto, error);
  if (token == NULL)
    goto rollback;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO outcomes (key, outcome, token, decided) VALUES (?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      goto rollback;
    }
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, outcome, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (token, NULL), (int) g_bytes_get_size (token),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      goto rollback;
    }
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      goto rollback;
    }
  return g_steal_pointer (&token);

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return NULL;
}

static char *
encode (GBytes *bytes)
{
  return g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static SemperProtocolMessage *
verify_inner (SemperTtp              *self,
              SemperProtocolMessage  *outer,
              const char             *field,
              GError                **error)
{
  g_autoptr(GBytes) raw = semper_protocol_message_dup_bytes (outer, field);
  g_autoptr(SemperProtocolMessage) inner = NULL;

  inner = semper_protocol_message_verify (raw, self->trust, error);
  if (inner == NULL)
    return NULL;
  if (!semper_protocol_message_check (inner, outer, field, error))
    return NULL;
  return g_steal_pointer (&inner);
}

/**
 * semper_ttp_abort:
 * @ma1: Sig_O("abort", m1)
 *
 * Returns: (transfer full) (nullable): the abort token, or the replacement
 *   contract when the key was resolved first
 */
GBytes *
semper_ttp_abort (SemperTtp  *self,
                  GBytes     *ma1,
                  GError    **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *key = NULL;
  g_autofree char *ma1_b64 = NULL;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  request = semper_protocol_message_verify (ma1, self->trust, error);
  if (request == NULL)
    return NULL;
  if (!g_str_equal (semper_protocol_message_get_step (request), "abort"))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP,
                   _("Not an abort request"));
      return NULL;
    }
  if (!check_for_us (self, request, error))
    return NULL;
  m1 = verify_inner (self, request, "m1", error);
  if (m1 == NULL || !semper_asw_check_m1 (m1, self->trust, NULL, error))
    return NULL;

  key = semper_protocol_message_dup_hash (m1);
  ma1_b64 = encode (ma1);
  json_object_set_string_member (fields, "key", key);
  json_object_set_string_member (fields, "ma1", ma1_b64);
  token = semper_protocol_message_new_in_session (m1, "aborted", fields);
  return decide (self, key, "aborted", token, error);
}

/**
 * semper_ttp_resolve:
 * @request: Sig_X("resolve", m1, m2) from O or R
 *
 * Returns: (transfer full) (nullable): the replacement contract, or the
 *   abort token when the key was aborted first
 */
GBytes *
semper_ttp_resolve (SemperTtp  *self,
                    GBytes     *request_raw,
                    GError    **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *key = NULL;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  request = semper_protocol_message_verify (request_raw, self->trust, error);
  if (request == NULL)
    return NULL;
  if (!g_str_equal (semper_protocol_message_get_step (request), "resolve"))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP,
                   _("Not a resolve request"));
      return NULL;
    }
  if (!check_for_us (self, request, error))
    return NULL;
  m1 = verify_inner (self, request, "m1", error);
  if (m1 == NULL || !semper_asw_check_m1 (m1, self->trust, NULL, error))
    return NULL;
  m2 = verify_inner (self, request, "m2", error);
  if (m2 == NULL || !semper_asw_check_m2 (m2, m1, self->trust, error))
    return NULL;

  key = semper_protocol_message_dup_hash (m1);
  json_object_set_string_member (fields, "key", key);
  json_object_set_string_member (fields, "m1", semper_protocol_message_get_string (request, "m1"));
  json_object_set_string_member (fields, "m2", semper_protocol_message_get_string (request, "m2"));
  token = semper_protocol_message_new_in_session (m1, "resolved", fields);
  return decide (self, key, "resolved", token, error);
}

/* ---- fair exchange (PROTOCOLS.md B) ---------------------------------------- */

void
semper_ttp_add_fx_payment_system (SemperTtp                   *self,
                                  const SemperFxPaymentSystem *system)
{
  g_return_if_fail (SEMPER_IS_TTP (self));
  g_array_append_vals (self->fx_systems, system, 1);
}

static SemperProtocolMessage *
verify_fx_request (SemperTtp   *self,
                   GBytes      *raw,
                   const char  *step,
                   GError     **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;

  request = semper_protocol_message_verify (raw, self->trust, error);
  if (request == NULL)
    return NULL;
  if (!g_str_equal (semper_protocol_message_get_protocol (request), SEMPER_PROTOCOL_FX)
      || !g_str_equal (semper_protocol_message_get_step (request), step))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP,
                   _("Not a fair exchange %s request"), step);
      return NULL;
    }
  if (!check_for_us (self, request, error))
    return NULL;
  return g_steal_pointer (&request);
}

static SemperProtocolMessage *
fx_token (SemperProtocolMessage *m1,
          const char            *step,
          const char            *key,
          const char            *extra_name,
          const char            *extra_value)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "m1_hash", key);
  if (extra_name != NULL)
    json_object_set_string_member (fields, extra_name, extra_value);
  return semper_protocol_message_new_in_session (m1, step, fields);
}

/**
 * semper_ttp_fx_abort:
 * @request: Sig_B("fx/abort", m1)
 *
 * Returns: (transfer full) (nullable): the stored token for H(m1): fx/aborted,
 *   or the receipt or revoke when the exchange was resolved first
 */
GBytes *
semper_ttp_fx_abort (SemperTtp  *self,
                     GBytes     *request_raw,
                     GError    **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autofree char *key = NULL;
  g_autofree char *request_b64 = NULL;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  request = verify_fx_request (self, request_raw, "abort", error);
  if (request == NULL)
    return NULL;
  m1 = verify_inner (self, request, "m1", error);
  if (m1 == NULL)
    return NULL;
  key = semper_protocol_message_dup_hash (m1);
  request_b64 = encode (request_raw);
  token = fx_token (m1, "aborted", key, "abort", request_b64);
  return decide (self, key, "aborted", token, error);
}

static const SemperFxPaymentSystem *
find_fx_system (SemperTtp  *self,
                const char *name)
{
  for (guint i = 0; i < self->fx_systems->len; i++)
    {
      const SemperFxPaymentSystem *s = &g_array_index (self->fx_systems,
                                                       SemperFxPaymentSystem, i);

      if (g_strcmp0 (s->system, name) == 0 && s->check != NULL)
        return s;
    }
  return NULL;
}

/* Keeps the m3 of a key decided with a receipt (the stored token decides,
 * not this request's own outcome). */
static gboolean
keep_fx_payment (SemperTtp              *self,
                 const char             *key,
                 SemperProtocolMessage  *m3,
                 GBytes                 *stored,
                 GError                **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes *raw = semper_protocol_message_get_raw (m3);
  int rc;

  token = semper_protocol_message_verify (stored, self->trust, NULL);
  if (token == NULL || !g_str_equal (semper_protocol_message_get_step (token), "receipt"))
    return TRUE;
  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO fx_payments (key, m3) VALUES (?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (self, error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (raw, NULL), (int) g_bytes_get_size (raw),
                     SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_error (self, error);
}

/**
 * semper_ttp_fx_resolve:
 * @request: Sig_B("fx/resolve", offer, m1, m2, m3)
 *
 * Checks the messages and the proof of payment in m3; a request without a
 * valid payment is refused (the buyer may still abort). Then opens e: when
 * k decrypts c to the offered goods, the payment system collects the
 * payment for the merchant at the bank (@settle) and the answer is
 * fx/receipt with k; wrong goods, or a payment the bank refuses for good,
 * get fx/revoke; a bank out of reach gets an error and decides nothing. An
 * exchange decided before gets the stored token.
 *
 * Returns: (transfer full) (nullable)
 */
GBytes *
semper_ttp_fx_resolve (SemperTtp  *self,
                       GBytes     *request_raw,
                       GError    **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autoptr(SemperProtocolMessage) m3 = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(SemperFxOffer) offer = NULL;
  g_autoptr(GBytes) offer_raw = NULL;
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(GBytes) goods_key = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *key = NULL;
  const SemperFxPaymentSystem *system;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  request = verify_fx_request (self, request_raw, "resolve", error);
  if (request == NULL)
    return NULL;
  m1 = verify_inner (self, request, "m1", error);
  if (m1 == NULL)
    return NULL;
  key = semper_protocol_message_dup_hash (m1);
  /* A decided key is answered from the store, whatever else is sent. */
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    stored = lookup (self, key);
  }
  if (stored != NULL)
    return g_steal_pointer (&stored);

  offer_raw = semper_protocol_message_dup_bytes (request, "offer");
  offer = semper_fx_offer_verify (offer_raw, self->trust, error);
  if (offer == NULL || !semper_fx_check_m1 (m1, offer, self->trust, error))
    return NULL;
  m2 = verify_inner (self, request, "m2", error);
  if (m2 == NULL || !semper_fx_check_m2 (m2, m1, error))
    return NULL;
  m3 = verify_inner (self, request, "m3", error);
  if (m3 == NULL || !_semper_fx_check_m3 (m3, m1, m2, error))
    return NULL;
  system = find_fx_system (self, semper_protocol_message_get_string (m1, "system"));
  if (system == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The TTP cannot check payments by “%s”"),
                   semper_protocol_message_get_string (m1, "system"));
      return NULL;
    }
  proof = semper_protocol_message_dup_bytes (m3, "proof");
  if (!system->check (system->user_data, key, &offer->price, offer->merchant, proof, error))
    return NULL;

  goods_key = _semper_fx_ttp_open (self->crypto, m1, m2, offer, &local);
  /* The goods are right: before k leaves, the payment is collected for the
   * merchant at the bank, so that it is paid whatever the buyer does with
   * its coins or its account next. A payment the bank refuses for good is
   * revoked like wrong goods; a bank out of reach decides nothing. */
  if (goods_key != NULL && system->settle == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The TTP cannot collect payments by “%s”"), system->system);
      return NULL;
    }
  if (goods_key != NULL
      && !system->settle (system->user_data, key, &offer->price, offer->merchant, proof, &local))
    {
      if (!g_error_matches (local, SEMPER_FX_ERROR, SEMPER_FX_ERROR_REFUSED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_clear_pointer (&goods_key, g_bytes_unref);
    }
  if (goods_key != NULL)
    {
      g_autofree char *key_b64 = encode (goods_key);

      token = fx_token (m1, "receipt", key, "goods_key", key_b64);
      semper_secret_wipe (key_b64, strlen (key_b64));
    }
  else
    {
      g_debug ("fx %s: revoking: %s", key, local->message);
      token = fx_token (m1, "revoke", key, NULL, NULL);
    }
  stored = decide (self, key, "resolved", token, error);
  if (stored != NULL && goods_key != NULL && !keep_fx_payment (self, key, m3, stored, error))
    return NULL;
  return g_steal_pointer (&stored);
}

/**
 * semper_ttp_fx_dup_payment:
 * @key: H(m1)
 *
 * Returns: (transfer full) (nullable): the buyer's m3 of an exchange the TTP
 *   resolved with a receipt (the merchant's payment), %NULL otherwise
 */
GBytes *
semper_ttp_fx_dup_payment (SemperTtp  *self,
                           const char *key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes *m3 = NULL;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT m3 FROM fx_payments WHERE key = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    m3 = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  return m3;
}

gint64
semper_ttp_mailbox_post (SemperTtp  *self,
                         GBytes     *raw,
                         GError    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SemperProtocolMessage) message = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *step, *recipient;
  gint64 seq = 0;
  int rc;

  g_return_val_if_fail (SEMPER_IS_TTP (self), 0);

  message = semper_protocol_message_verify (raw, self->trust, error);
  if (message == NULL)
    return 0;
  if (!check_for_us (self, message, error))
    return 0;
  step = semper_protocol_message_get_step (message);
  if (g_str_equal (step, "m1") || g_str_equal (step, "m3"))
    recipient = semper_protocol_message_get_responder (message);
  else if (g_str_equal (step, "m2") || g_str_equal (step, "m4"))
    recipient = semper_protocol_message_get_originator (message);
  else
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP,
                   _("Only m1 to m4 travel through the mailbox"));
      return 0;
    }
  hash = semper_protocol_message_dup_hash (message);

  locker = g_mutex_locker_new (&self->lock);
  /* A resend is byte-identical: the hash makes posting idempotent. */
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR IGNORE INTO mailbox (recipient, tid, step, hash, message, "
                          "received) VALUES (?, ?, ?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, recipient, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, semper_protocol_message_get_tid (message), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, step, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, g_bytes_get_data (raw, NULL), (int) g_bytes_get_size (raw),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      return 0;
    }

  if (sqlite3_prepare_v2 (self->db, "SELECT seq FROM mailbox WHERE hash = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (seq == 0)
    db_error (self, error);
  return seq;
}

GBytes *
semper_ttp_mailbox_list (SemperTtp   *self,
                         const char  *recipient,
                         gint64       after,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text;
  gsize len = 0;

  g_return_val_if_fail (SEMPER_IS_TTP (self), NULL);

  if (!semper_protocol_is_hex (recipient, 64))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_INVALID,
                   _("A recipient is a certificate fingerprint (64 lower-case hex digits)"));
      return NULL;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT seq, message FROM mailbox WHERE recipient = ? AND seq > ? "
                          "ORDER BY seq LIMIT ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, recipient, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int (stmt, 3, MAILBOX_PAGE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *b64 = g_base64_encode (sqlite3_column_blob (stmt, 1),
                                              sqlite3_column_bytes (stmt, 1));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, b64);
      json_builder_end_object (builder);
    }
  sqlite3_finalize (stmt);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

/* HTTP */

static SemperCommResponse *
error_response (const GError *error)
{
  guint status = 400;
  const char *code = "refused";

  if (error->domain == SEMPER_TTP_ERROR && error->code == SEMPER_TTP_ERROR_FAILED)
    {
      status = 500;
      code = "failed";
    }
  else if (error->domain == SEMPER_TTP_ERROR)
    code = "wrong-ttp";
  else if (g_error_matches (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_UNREACHABLE))
    {
      /* The bank is out of reach: nothing was decided, ask again later. */
      status = 503;
      code = "unavailable";
    }
  else if (error->domain == SEMPER_PROTOCOL_ERROR
           && error->code == SEMPER_PROTOCOL_ERROR_WRONG_SESSION)
    code = "wrong-session";
  else if (error->domain == SEMPER_PROTOCOL_ERROR
           && error->code == SEMPER_PROTOCOL_ERROR_WRONG_PARTY)
    code = "wrong-party";
  return semper_comm_response_new_error (status, code, error->message);
}

static gboolean
require_cms (SemperCommRequest   *request,
             SemperCommResponse **response)
{
  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_CMS) != 0)
    {
      *response =
        semper_comm_response_new_error (415, "bad-content-type",
                                        _("Send a signed message (application/pkcs7-mime)"));
      return FALSE;
    }
  return TRUE;
}

static SemperCommResponse *
token_route_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data,
                gboolean           is_abort)
{
  SemperTtp *self = user_data;
  SemperCommResponse *response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) token = NULL;
  GBytes *body = semper_comm_request_get_body (request);

  if (!require_cms (request, &response))
    return response;
  token = is_abort ? semper_ttp_abort (self, body, &error)
                   : semper_ttp_resolve (self, body, &error);
  if (token == NULL)
    return error_response (error);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, token);
}

static SemperCommResponse *
fx_route_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data,
             gboolean           is_abort)
{
  SemperTtp *self = user_data;
  SemperCommResponse *response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) token = NULL;
  GBytes *body = semper_comm_request_get_body (request);

  if (!require_cms (request, &response))
    return response;
  token = is_abort ? semper_ttp_fx_abort (self, body, &error)
                   : semper_ttp_fx_resolve (self, body, &error);
  if (token == NULL)
    return error_response (error);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, token);
}

static SemperCommResponse *
fx_payment_cb (SemperCommServer  *server,
               SemperCommRequest *request,
               gpointer           user_data)
{
  SemperTtp *self = user_data;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GBytes) m3 = NULL;
  const char *query = semper_comm_request_get_query (request);
  const char *key;

  params = g_uri_parse_params (query != NULL ? query : "", -1, "&", G_URI_PARAMS_NONE, NULL);
  key = params != NULL ? g_hash_table_lookup (params, "key") : NULL;
  if (!semper_protocol_is_hex (key, 64))
    return semper_comm_response_new_error (400, "bad-query", _("“key” must be H(m1)"));
  m3 = semper_ttp_fx_dup_payment (self, key);
  if (m3 == NULL)
    return semper_comm_response_new_error (404, "not-found",
                                           _("No payment for this exchange at the TTP"));
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, m3);
}

static SemperCommResponse *
fx_abort_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  return fx_route_cb (server, request, user_data, TRUE);
}

static SemperCommResponse *
fx_resolve_cb (SemperCommServer  *server,
               SemperCommRequest *request,
               gpointer           user_data)
{
  return fx_route_cb (server, request, user_data, FALSE);
}

static SemperCommResponse *
abort_cb (SemperCommServer  *server,
          SemperCommRequest *request,
          gpointer           user_data)
{
  return token_route_cb (server, request, user_data, TRUE);
}

static SemperCommResponse *
resolve_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  return token_route_cb (server, request, user_data, FALSE);
}

static SemperCommResponse *
mailbox_post_cb (SemperCommServer  *server,
                 SemperCommRequest *request,
                 gpointer           user_data)
{
  SemperTtp *self = user_data;
  SemperCommResponse *response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) body = NULL;
  gint64 seq;

  if (!require_cms (request, &response))
    return response;
  seq = semper_ttp_mailbox_post (self, semper_comm_request_get_body (request), &error);
  if (seq == 0)
    return error_response (error);
  text = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq);
  body = g_bytes_new (text, strlen (text));
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static SemperCommResponse *
mailbox_get_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data)
{
  SemperTtp *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *query = semper_comm_request_get_query (request);
  const char *after_text;
  guint64 after = 0;

  params = g_uri_parse_params (query != NULL ? query : "", -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return semper_comm_response_new_error (400, "bad-query", _("Malformed query"));
  after_text = g_hash_table_lookup (params, "after");
  if (after_text != NULL
      && !g_ascii_string_to_unsigned (after_text, 10, 0, G_MAXINT64, &after, NULL))
    return semper_comm_response_new_error (400, "bad-query", _("“after” must be a number"));
  body = semper_ttp_mailbox_list (self, g_hash_table_lookup (params, "to"), (gint64) after,
                                  &error);
  if (body == NULL)
    return error_response (error);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static SemperCommResponse *
certificate_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data)
{
  SemperTtp *self = user_data;
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (self->crypto);
  g_autofree char *b64 = encode (cert);
  g_autofree char *text = g_strdup_printf ("{\"certificate\":\"%s\"}", b64);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

/* Disputes (docs/evidence.md): the TTP is the first arbiter, deciding from
 * its stored outcome for the transaction's H(m1). */
static GBytes *
dispute_lookup_cb (const char *key,
                   gpointer    user_data)
{
  SemperTtp *self = user_data;
  GBytes *token;

  g_mutex_lock (&self->lock);
  token = lookup (self, key);
  g_mutex_unlock (&self->lock);
  return token;
}

static SemperCommResponse *
dispute_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  SemperTtp *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_JSON) != 0)
    return semper_comm_response_new_error (415, "bad-content-type",
                                           _("Send a dispute request (application/json)"));
  answer = semper_dispute_arbitrate (self->crypto, self->trust,
                                     semper_comm_request_get_body (request),
                                     dispute_lookup_cb, self, &error);
  if (answer == NULL)
    return error_response (error);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, answer);
}

/**
 * semper_ttp_add_routes:
 *
 * GET /asw/certificate, POST /asw/abort, POST /asw/resolve,
 * POST /asw/mailbox, GET /asw/mailbox?to=FINGERPRINT&after=SEQ.
 * The server keeps a reference on @self.
 */
void
semper_ttp_add_routes (SemperTtp        *self,
                       SemperCommServer *server)
{
  g_return_if_fail (SEMPER_IS_TTP (self));

  semper_comm_server_add_route (server, "GET", "/asw/certificate", certificate_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/asw/abort", abort_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/asw/resolve", resolve_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/asw/mailbox", mailbox_post_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "GET", "/asw/mailbox", mailbox_get_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/dispute", dispute_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/fx/abort", fx_abort_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "POST", "/fx/resolve", fx_resolve_cb,
                                g_object_ref (self), g_object_unref);
  semper_comm_server_add_route (server, "GET", "/fx/payment", fx_payment_cb,
                                g_object_ref (self), g_object_unref);
}

GObject *
semper_ttp_role_setup (SemperCommServer         *server,
                       const SemperRoleOptions  *options,
                       GError                  **error)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperTtp) self = NULL;
  g_autofree char *db_path = NULL;

  profile = semper_profile_open (options->state_dir, SEMPER_PROFILE_OPEN_DEFAULT,
                                 options->password_func, options->password_data, error);
  if (profile == NULL)
    return NULL;
  trust = semper_profile_dup_trust (profile, error);
  if (trust == NULL)
    return NULL;
  db_path = g_build_filename (options->state_dir, "ttp.db", NULL);
  self = semper_ttp_new (semper_profile_get_crypto (profile), trust, db_path, error);
  if (self == NULL)
    return NULL;
  self->owner = G_OBJECT (g_steal_pointer (&profile));
  semper_ttp_add_routes (self, server);
  return G_OBJECT (g_steal_pointer (&self));
}
