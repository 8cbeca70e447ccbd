/* semper-fx-merchant.c: the merchant's side of PROTOCOLS.md B.
 *
 * Its own SQLite store: the offers it made (with the goods) and one row per
 * exchange keyed by H(m1), holding m1, m2, k, m3 and m4. Each answer is
 * stored before it is returned, so a repeated request gets the same bytes.
 * ::journaled (key, state) follows each of the three journal points:
 * m2-sent, m3-received (before the payment is collected) and m4-sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fx-merchant.h"
#include "semper-fair-exchange-private.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-comm-client.h"

struct _SemperFxMerchant
{
  GObject       parent_instance;

  SemperCrypto *crypto;
  SemperTrust  *trust;
  GBytes       *ttp_cert;
  char         *fingerprint;
  char         *ttp_fingerprint;
  GArray       *systems;   /* (element-type SemperFxPaymentSystem) */
  sqlite3      *db;
  GMutex        lock;
};

G_DEFINE_FINAL_TYPE (SemperFxMerchant, semper_fx_merchant, G_TYPE_OBJECT)

enum {
  SIGNAL_JOURNALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "CREATE TABLE IF NOT EXISTS fx_offers ("
  "  offer_id TEXT PRIMARY KEY,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  offer BLOB NOT NULL,"
  "  goods BLOB NOT NULL);"
  "CREATE TABLE IF NOT EXISTS fx_exchanges ("
  "  key TEXT PRIMARY KEY,"
  "  tid TEXT NOT NULL UNIQUE,"
  "  offer_hash TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  m1 BLOB NOT NULL,"
  "  m2 BLOB NOT NULL,"
  "  goods_key BLOB NOT NULL,"
  "  m3 BLOB,"
  "  m4 BLOB);";

static void
semper_fx_merchant_dispose (GObject *object)
{
  SemperFxMerchant *self = SEMPER_FX_MERCHANT (object);

  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  G_OBJECT_CLASS (semper_fx_merchant_parent_class)->dispose (object);
}

static void
semper_fx_merchant_finalize (GObject *object)
{
  SemperFxMerchant *self = SEMPER_FX_MERCHANT (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->ttp_cert, g_bytes_unref);
  g_clear_pointer (&self->systems, g_array_unref);
  g_free (self->fingerprint);
  g_free (self->ttp_fingerprint);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (semper_fx_merchant_parent_class)->finalize (object);
}

static void
semper_fx_merchant_class_init (SemperFxMerchantClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_fx_merchant_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_fx_merchant_finalize;

  /**
   * SemperFxMerchant::journaled:
   * @key: the exchange's H(m1)
   * @state: the state just stored (m2-sent, m3-received, m4-sent)
   *
   * Emitted after each journal point has committed, before the answer
   * stored with it leaves (the crash tests kill the merchant here).
   */
  signals[SIGNAL_JOURNALED] =
    g_signal_new ("journaled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
semper_fx_merchant_init (SemperFxMerchant *self)
{
  g_mutex_init (&self->lock);
  self->systems = g_array_new (FALSE, TRUE, sizeof (SemperFxPaymentSystem));
}

static gboolean
db_error (SemperFxMerchant  *self,
          GError           **error)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
               _("The merchant's store failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

/**
 * semper_fx_merchant_new:
 *
 * Returns: (transfer full) (nullable)
 */
SemperFxMerchant *
semper_fx_merchant_new (SemperCrypto  *crypto,
                        SemperTrust   *trust,
                        GBytes        *ttp_cert,
                        const char    *db_path,
                        GError       **error)
{
  g_autoptr(SemperFxMerchant) self = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(SemperSignerInfo) ttp_info = NULL;
  char *message = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (crypto), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);

  cert = semper_crypto_dup_certificate (crypto);
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("The merchant has no certificate"));
      return NULL;
    }
  info = semper_trust_check_role (trust, cert, SEMPER_ROLE_MERCHANT, error);
  if (info == NULL)
    return NULL;
  ttp_info = semper_trust_check_role (trust, ttp_cert, SEMPER_ROLE_TTP, error);
  if (ttp_info == NULL)
    return NULL;

  self = g_object_new (SEMPER_TYPE_FX_MERCHANT, NULL);
  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->ttp_cert = g_bytes_ref (ttp_cert);
  self->fingerprint = g_strdup (info->fingerprint);
  self->ttp_fingerprint = g_strdup (ttp_info->fingerprint);
  if (sqlite3_open_v2 (db_path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);
  if (sqlite3_exec (self->db, schema, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("The merchant's store failed: %s"), message);
      sqlite3_free (message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
semper_fx_merchant_add_payment_system (SemperFxMerchant            *self,
                                       const SemperFxPaymentSystem *system)
{
  g_return_if_fail (SEMPER_IS_FX_MERCHANT (self));
  g_array_append_vals (self->systems, system, 1);
}

static const SemperFxPaymentSystem *
find_system (GArray     *systems,
             const char *name)
{
  for (guint i = 0; i < systems->len; i++)
    {
      const SemperFxPaymentSystem *s = &g_array_index (systems, SemperFxPaymentSystem, i);

      if (g_strcmp0 (s->system, name) == 0)
        return s;
    }
  return NULL;
}

GBytes *
semper_fx_merchant_offer (SemperFxMerchant    *self,
                          const char          *offer_id,
                          const char          *description,
                          GBytes              *goods,
                          const SemperAmount  *price,
                          gint64               expiry,
                          const char * const  *systems,
                          GError             **error)
{
  return semper_fx_merchant_offer_with_order (self, offer_id, description, NULL, goods, price,
                                              expiry, systems, error);
}

GBytes *
semper_fx_merchant_offer_with_order (SemperFxMerchant    *self,
                                     const char          *offer_id,
                                     const char          *description,
                                     const char * const  *order_fields,
                                     GBytes              *goods,
                                     const SemperAmount  *price,
                                     gint64               expiry,
                                     const char * const  *systems,
                                     GError             **error)
{
  g_autoptr(SemperFxOffer) offer = g_new0 (SemperFxOffer, 1);
  g_autoptr(SemperFxOffer) check = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_FX_MERCHANT (self), NULL);

  offer->offer_id = g_strdup (offer_id);
  offer->description = g_strdup (description);
  offer->goods_hash = semper_sha256_hex (goods);
  offer->price = *price;
  offer->merchant = g_strdup (self->fingerprint);
  offer->ttp = g_strdup (self->ttp_fingerprint);
  offer->expiry = expiry;
  offer->systems = g_strdupv ((char **) systems);
  offer->order_fields = g_strdupv ((char **) order_fields);
  json = _semper_fx_offer_to_json (offer);
  check = semper_fx_offer_parse (json, error);
  if (check == NULL)
    return NULL;
  p7m = semper_cms_sign_message (self->crypto, json, error);
  if (p7m == NULL)
    return NULL;
  hash = semper_sha256_hex (p7m);

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "INSERT INTO fx_offers (offer_id, hash, offer, goods) "
                          "VALUES (?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, offer_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (p7m, NULL), (int) g_bytes_get_size (p7m),
                     SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, g_bytes_get_data (goods, NULL), (int) g_bytes_get_size (goods),
                     SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("Could not store offer “%s”: %s"), offer_id, sqlite3_errmsg (self->db));
      return NULL;
    }
  return g_steal_pointer (&p7m);
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, col), sqlite3_column_bytes (stmt, col));
}

/* Loads the offer with @hash and its goods. */
static SemperFxOffer *
load_offer (SemperFxMerchant  *self,
            const char        *hash,
            GBytes           **out_goods,
            GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GBytes) raw = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT offer, goods FROM fx_offers WHERE hash = ?", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      raw = column_bytes (stmt, 0);
      if (out_goods != NULL)
        *out_goods = column_bytes (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (raw == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_NOT_FOUND,
                   _("The order names an offer that this merchant did not make"));
      return NULL;
    }
  return semper_fx_offer_verify (raw, self->trust, error);
}

static gboolean
exec_bind (SemperFxMerchant  *self,
           const char        *sql,
           GError           **error,
           ...)
{
  sqlite3_stmt *stmt = NULL;
  va_list ap;
  int rc, i = 1;
  GBytes *value;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return db_error (self, error);
  va_start (ap, error);
  /* Pairs of ('t', const char *) or ('b', GBytes *), ended by 0. */
  for (int kind = va_arg (ap, int); kind != 0; kind = va_arg (ap, int), i++)
    {
      if (kind == 't')
        sqlite3_bind_text (stmt, i, va_arg (ap, const char *), -1, SQLITE_TRANSIENT);
      else
        {
          value = va_arg (ap, GBytes *);
          sqlite3_bind_blob (stmt, i, g_bytes_get_data (value, NULL),
                             (int) g_bytes_get_size (value), SQLITE_TRANSIENT);
        }
    }
  va_end (ap);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error);
  return TRUE;
}

GBytes *
semper_fx_merchant_handle_m1 (SemperFxMerchant  *self,
                              GBytes            *m1_raw,
                              GError           **error)
{
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperFxOffer) offer = NULL;
  g_autoptr(GBytes) goods = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) m2 = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_FX_MERCHANT (self), NULL);

  m1 = semper_protocol_message_verify (m1_raw, self->trust, error);
  if (m1 == NULL)
    return NULL;
  if (!g_str_equal (semper_protocol_message_get_protocol (m1), SEMPER_PROTOCOL_FX)
      || !g_str_equal (semper_protocol_message_get_step (m1), "m1")
      || !g_str_equal (semper_protocol_message_get_responder (m1), self->fingerprint))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                   _("Not an order for this merchant"));
      return NULL;
    }
  hash = semper_protocol_message_dup_hash (m1);

  locker = g_mutex_locker_new (&self->lock);
  /* A repeated m1 gets the stored m2. */
  if (sqlite3_prepare_v2 (self->db, "SELECT m2 FROM fx_exchanges WHERE key = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    m2 = column_bytes (stmt, 0);
  sqlite3_finalize (stmt);
  if (m2 != NULL)
    return g_steal_pointer (&m2);

  offer = load_offer (self, semper_protocol_message_get_string (m1, "offer_hash"), &goods,
                      error);
  if (offer == NULL || !semper_fx_check_m1 (m1, offer, self->trust, error))
    return NULL;
  if (offer->expiry < g_get_real_time () / G_USEC_PER_SEC)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_EXPIRED, _("The offer has expired"));
      return NULL;
    }
  m2 = semper_fx_make_m2 (self->crypto, m1, goods, self->ttp_cert, &key, error);
  if (m2 == NULL)
    return NULL;
  /* Journaled before it leaves; a second order under the same tid is refused
   * by the UNIQUE constraint. */
  if (!exec_bind (self, "INSERT INTO fx_exchanges (key, tid, offer_hash, state, m1, m2, goods_key)"
                  " VALUES (?, ?, ?, '" SEMPER_FX_M2_SENT "', ?, ?, ?)", error,
                  't', hash, 't', semper_protocol_message_get_tid (m1), 't', offer->hash,
                  'b', m1_raw, 'b', m2, 'b', key, 0))
    return NULL;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, hash, SEMPER_FX_M2_SENT);
  return g_steal_pointer (&m2);
}

GBytes *
semper_fx_merchant_handle_m3 (SemperFxMerchant  *self,
                              GBytes            *m3_raw,
                              GError           **error)
{
  g_autoptr(SemperProtocolMessage) m3 = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autoptr(SemperFxOffer) offer = NULL;
  g_autoptr(GBytes) m1_raw = NULL, m2_raw = NULL, key = NULL, m4 = NULL, stored_m3 = NULL;
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *hash = NULL, *offer_hash = NULL;
  const SemperFxPaymentSystem *system;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_FX_MERCHANT (self), NULL);

  m3 = semper_protocol_message_verify (m3_raw, self->trust, error);
  if (m3 == NULL)
    return NULL;
  if (!g_str_equal (semper_protocol_message_get_protocol (m3), SEMPER_PROTOCOL_FX)
      || !g_str_equal (semper_protocol_message_get_step (m3), "m3"))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE, _("Not a payment (m3)"));
      return NULL;
    }

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db, "SELECT key, offer_hash, m1, m2, goods_key, m3, m4 "
                          "FROM fx_exchanges WHERE tid = ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, semper_protocol_message_get_tid (m3), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      offer_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m1_raw = column_bytes (stmt, 2);
      m2_raw = column_bytes (stmt, 3);
      key = column_bytes (stmt, 4);
      stored_m3 = column_bytes (stmt, 5);
      m4 = column_bytes (stmt, 6);
    }
  sqlite3_finalize (stmt);
  if (hash == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_NOT_FOUND,
                   _("No order with this transaction id"));
      return NULL;
    }
  if (m4 != NULL)
    {
      if (!g_bytes_equal (stored_m3, m3_raw))
        {
          g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE,
                       _("This exchange was paid with another message"));
          return NULL;
        }
      return g_steal_pointer (&m4);
    }
  /* After a crash the buyer resends its journaled m3, byte for byte; a
   * different payment for an exchange already paid is refused. */
  if (stored_m3 != NULL && !g_bytes_equal (stored_m3, m3_raw))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE,
                   _("This exchange was paid with another message"));
      return NULL;
    }

  m1 = semper_protocol_message_verify (m1_raw, self->trust, error);
  m2 = m1 != NULL ? semper_protocol_message_verify (m2_raw, self->trust, error) : NULL;
  if (m2 == NULL || !_semper_fx_check_m3 (m3, m1, m2, error))
    return NULL;
  offer = load_offer (self, offer_hash, NULL, error);
  if (offer == NULL)
    return NULL;
  system = find_system (self->systems, semper_protocol_message_get_string (m1, "system"));
  if (system == NULL || system->collect == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("This merchant cannot take payments by “%s”"),
                   semper_protocol_message_get_string (m1, "system"));
      return NULL;
    }
  /* m3 is kept before the payment is collected, so the exchange can be
   * argued from the store even if collecting fails. */
  if (stored_m3 == NULL)
    {
      if (!exec_bind (self, "UPDATE fx_exchanges SET m3 = ?, state = '" SEMPER_FX_M3_RECEIVED
                      "' WHERE key = ?", error, 'b', m3_raw, 't', hash, 0))
        return NULL;
      g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, hash, SEMPER_FX_M3_RECEIVED);
    }
  proof = semper_protocol_message_dup_bytes (m3, "proof");
  if (!system->collect (system->user_data, hash, &offer->price, proof, error))
    return NULL;
  m4 = semper_fx_make_m4 (self->crypto, m1, offer, key, error);
  if (m4 == NULL)
    return NULL;
  if (!exec_bind (self, "UPDATE fx_exchanges SET m4 = ?, state = '" SEMPER_FX_M4_SENT "' "
                  "WHERE key = ?", error, 'b', m4, 't', hash, 0))
    return NULL;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, hash, SEMPER_FX_M4_SENT);
  return g_steal_pointer (&m4);
}

int
semper_fx_merchant_recover (SemperFxMerchant  *self,
                            const char        *ttp_url,
                            GError           **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  sqlite3_stmt *stmt = NULL;
  GError *first = NULL;   /* the first exchange that could not be collected */
  int paid = 0;

  g_return_val_if_fail (SEMPER_IS_FX_MERCHANT (self), -1);

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    if (sqlite3_prepare_v2 (self->db, "SELECT key FROM fx_exchanges WHERE m4 IS NULL", -1,
                            &stmt, NULL) != SQLITE_OK)
      {
        db_error (self, error);
        return -1;
      }
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_ptr_array_add (keys, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    sqlite3_finalize (stmt);
  }
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/fx/payment?key=%s", ttp_url,
                                              (const char *) g_ptr_array_index (keys, i));
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) m3 = semper_comm_client_get_sync (client, url, NULL, NULL, &local);
      g_autoptr(GBytes) m4 = NULL;

      if (m3 == NULL)
        {
          /* 404: the buyer did not resolve (yet); nothing is owed. */
          if (g_error_matches (local, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS)
              && semper_comm_error_get_status (local) == 404)
            continue;
          /* No answer at all: the TTP is unreachable, try all again next time. */
          if (!g_error_matches (local, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS))
            {
              g_clear_error (&first);
              g_propagate_error (error, g_steal_pointer (&local));
              return -1;
            }
        }
      else
        {
          m4 = semper_fx_merchant_handle_m3 (self, m3, &local);
          if (m4 != NULL)
            {
              paid++;
              continue;
            }
        }
      /* This exchange cannot be collected now (e.g. the bank refuses the
       * payment): the others still are; it is tried again next time. */
      g_debug ("fx recover %s: %s", (const char *) g_ptr_array_index (keys, i), local->message);
      if (first == NULL)
        first = g_steal_pointer (&local);
    }
  if (first != NULL)
    {
      g_propagate_error (error, first);
      return -1;
    }
  return paid;
}

/* HTTP */

static SemperCommResponse *
handle_cb (SemperCommServer  *server,
           SemperCommRequest *request,
           gpointer           user_data,
           gboolean           is_m1)
{
  SemperFxMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;
  GBytes *body = semper_comm_request_get_body (request);

  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_CMS) != 0)
    return semper_comm_response_new_error (415, "bad-content-type",
                                           _("Send a signed message (application/pkcs7-mime)"));
  answer = is_m1 ? semper_fx_merchant_handle_m1 (self, body, &error)
                 : semper_fx_merchant_handle_m3 (self, body, &error);
  if (answer == NULL)
    {
      if (error->domain == SEMPER_FX_ERROR && error->code == SEMPER_FX_ERROR_FAILED)
        return semper_comm_response_new_error (500, "failed", error->message);
      if (error->domain == SEMPER_FX_ERROR && error->code == SEMPER_FX_ERROR_PAYMENT)
        return semper_comm_response_new_error (402, "payment", error->message);
      return semper_comm_response_new_error (400, "refused", error->message);
    }
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, answer);
}

static SemperCommResponse *
m1_cb (SemperCommServer  *server,
       SemperCommRequest *request,
       gpointer           user_data)
{
  return handle_cb (server, request, user_data, TRUE);
}

static SemperCommResponse *
m3_cb (SemperCommServer  *server,
       SemperCommRequest *request,
       gpointer           user_data)
{
  return handle_cb (server, request, user_data, FALSE);
}

void
semper_fx_merchant_add_routes (SemperFxMerchant *self,
                               SemperCommServer *server,
                               const char       *prefix)
{
  g_autofree char *m1_path = g_strconcat (prefix != NULL ? prefix : "", "/fx/m1", NULL);
  g_autofree char *m3_path = g_strconcat (prefix != NULL ? prefix : "", "/fx/m3", NULL);

  g_return_if_fail (SEMPER_IS_FX_MERCHANT (self));

  semper_comm_server_add_route (server, "POST", m1_path, m1_cb, g_object_ref (self),
                                g_object_unref);
  semper_comm_server_add_route (server, "POST", m3_path, m3_cb, g_object_ref (self),
                                g_object_unref);
}
