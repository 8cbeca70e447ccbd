/* semper-fx-buyer.c: the buyer's side of PROTOCOLS.md B, in the wallet.
 *
 * Every exchange is an archive exchange of protocol "fx" (id = tid, role
 * "buyer", peer = the merchant's fingerprint) whose state is a JSON object
 * holding the state name and every message so far. Each step journals the
 * new state and the message about to leave in one transaction before it
 * leaves (DESIGN.md rule 3), and archives every message received raw first
 * (rule 4). The object emits ::journaled (id, state) after each journal
 * point, which the crash tests use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fx-buyer.h"
#include "semper-fair-exchange-private.h"
#include "semper-journal-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-message.h"
#include "semper-suspend.h"

#define ROLE_BUYER   "buyer"
#define STATE_MAX    (32 * 1024 * 1024)
#define M2_RECEIVED  "m2-received"   /* m2 kept; the payment is being made */

struct _SemperFxBuyer
{
  GObject           parent_instance;

  SemperProfile    *profile;
  SemperCrypto     *crypto;    /* borrowed from profile */
  SemperArchive    *archive;   /* borrowed from profile */
  SemperTrust      *trust;
  SemperCommClient *client;
  char             *fingerprint;
  GArray           *systems;   /* (element-type SemperFxPaymentSystem) */
};

G_DEFINE_FINAL_TYPE (SemperFxBuyer, semper_fx_buyer, G_TYPE_OBJECT)

enum {
  SIGNAL_JOURNALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One exchange as its latest journal entry describes it. */
typedef struct {
  char          *id;
  char          *state;
  char          *merchant_url;
  char          *ttp_url;
  char          *system;
  char          *nonce;       /* N_B, hex; revealed in m3 */
  gint64         last_step;
  gboolean       finished;
  GBytes        *ttp_cert, *offer, *document, *m1, *m2, *m3, *m4, *token, *request;
  GBytes        *goods_key;
  SemperFxOffer *offer_obj;
  SemperProtocolMessage *m1_msg;
  SemperProtocolMessage *m2_msg;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  g_free (ex->id);
  g_free (ex->state);
  g_free (ex->merchant_url);
  g_free (ex->ttp_url);
  g_free (ex->system);
  if (ex->nonce != NULL)
    semper_secret_wipe (ex->nonce, strlen (ex->nonce));
  g_free (ex->nonce);
  g_clear_pointer (&ex->ttp_cert, g_bytes_unref);
  g_clear_pointer (&ex->offer, g_bytes_unref);
  g_clear_pointer (&ex->document, g_bytes_unref);
  g_clear_pointer (&ex->m1, g_bytes_unref);
  g_clear_pointer (&ex->m2, g_bytes_unref);
  g_clear_pointer (&ex->m3, g_bytes_unref);
  g_clear_pointer (&ex->m4, g_bytes_unref);
  g_clear_pointer (&ex->token, g_bytes_unref);
  g_clear_pointer (&ex->request, g_bytes_unref);
  g_clear_pointer (&ex->goods_key, g_bytes_unref);
  g_clear_pointer (&ex->offer_obj, semper_fx_offer_free);
  g_clear_object (&ex->m1_msg);
  g_clear_object (&ex->m2_msg);
  g_free (ex);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static void
semper_fx_buyer_dispose (GObject *object)
{
  SemperFxBuyer *self = SEMPER_FX_BUYER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->trust);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (semper_fx_buyer_parent_class)->dispose (object);
}

static void
semper_fx_buyer_finalize (GObject *object)
{
  SemperFxBuyer *self = SEMPER_FX_BUYER (object);

  g_free (self->fingerprint);
  g_clear_pointer (&self->systems, g_array_unref);
  G_OBJECT_CLASS (semper_fx_buyer_parent_class)->finalize (object);
}

static void
semper_fx_buyer_class_init (SemperFxBuyerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_fx_buyer_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_fx_buyer_finalize;

  /**
   * SemperFxBuyer::journaled:
   * @id: the exchange
   * @state: the state just journaled
   *
   * Emitted after each journal point has committed, before the message
   * journaled with it leaves.
   */
  signals[SIGNAL_JOURNALED] =
    g_signal_new ("journaled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
semper_fx_buyer_init (SemperFxBuyer *self)
{
  self->systems = g_array_new (FALSE, TRUE, sizeof (SemperFxPaymentSystem));
}

SemperFxBuyer *
semper_fx_buyer_new (SemperProfile  *profile,
                     GError        **error)
{
  g_autoptr(SemperFxBuyer) self = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  self = g_object_new (SEMPER_TYPE_FX_BUYER, NULL);
  self->profile = g_object_ref (profile);
  self->crypto = semper_profile_get_crypto (profile);
  self->archive = semper_profile_get_archive (profile);
  self->trust = semper_profile_dup_trust (profile, error);
  if (self->trust == NULL)
    return NULL;
  cert = semper_crypto_dup_certificate (self->crypto);
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("The profile has no certificate yet"));
      return NULL;
    }
  self->fingerprint = semper_sha256_hex (cert);
  self->client = semper_comm_client_new ();
  return g_steal_pointer (&self);
}

void
semper_fx_buyer_add_payment_system (SemperFxBuyer               *self,
                                    const SemperFxPaymentSystem *system)
{
  g_return_if_fail (SEMPER_IS_FX_BUYER (self));
  g_array_append_vals (self->systems, system, 1);
}

void
semper_fx_buyer_set_timeout (SemperFxBuyer *self,
                             guint          seconds)
{
  g_return_if_fail (SEMPER_IS_FX_BUYER (self));
  semper_comm_client_set_timeout (self->client, seconds);
}

static const SemperFxPaymentSystem *
find_system (SemperFxBuyer  *self,
             const char     *name,
             GError        **error)
{
  for (guint i = 0; i < self->systems->len; i++)
    {
      const SemperFxPaymentSystem *s = &g_array_index (self->systems, SemperFxPaymentSystem, i);

      if (g_strcmp0 (s->system, name) == 0)
        return s;
    }
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
               _("The wallet cannot pay by “%s”"), name);
  return NULL;
}

/* ---- the journaled state ------------------------------------------------ */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static char *
exchange_to_json (Exchange   *ex,
                  const char *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_string (builder, "state", state);
  add_string (builder, "merchant_url", ex->merchant_url);
  add_string (builder, "ttp_url", ex->ttp_url);
  add_string (builder, "system", ex->system);
  add_string (builder, "nonce", ex->nonce);
  _semper_journal_add_bytes (builder, "ttp_cert", ex->ttp_cert);
  _semper_journal_add_bytes (builder, "offer", ex->offer);
  _semper_journal_add_bytes (builder, "document", ex->document);
  _semper_journal_add_bytes (builder, "m1", ex->m1);
  _semper_journal_add_bytes (builder, "m2", ex->m2);
  _semper_journal_add_bytes (builder, "m3", ex->m3);
  _semper_journal_add_bytes (builder, "m4", ex->m4);
  _semper_journal_add_bytes (builder, "request", ex->request);
  _semper_journal_add_bytes (builder, "token", ex->token);
  _semper_journal_add_bytes (builder, "goods_key", ex->goods_key);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static char *
opt_string (JsonObject *object,
            const char *name)
{
  if (!json_object_has_member (object, name))
    return NULL;
  return g_strdup (json_object_get_string_member (object, name));
}

static Exchange *load_from (SemperArchive *archive,
                            SemperTrust   *trust,
                            const char    *id,
                            GError       **error);

/* The public entry points' first step, which is why it checks @self. */
static Exchange *
load (SemperFxBuyer  *self,
      const char     *id,
      GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_FX_BUYER (self), NULL);

  return load_from (self->archive, self->trust, id, error);
}

/* The exchange's journaled state, its offer and messages verified against
 * @trust; reads @archive only (a read-only connection will do). */
static Exchange *
load_from (SemperArchive  *archive,
           SemperTrust    *trust,
           const char     *id,
           GError        **error)
{
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_autoptr(Exchange) ex = g_new0 (Exchange, 1);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) state_bytes = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;

  row = semper_archive_exchange_get (archive, id, &local);
  if (row == NULL || !g_str_equal (row->protocol, SEMPER_PROTOCOL_FX))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_NOT_FOUND,
                   _("No purchase “%s”"), id);
      return NULL;
    }
  state_bytes = g_bytes_new (row->state, strlen (row->state));
  root = semper_message_parse (state_bytes, STATE_MAX, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  ex->id = g_strdup (id);
  ex->state = opt_string (object, "state");
  ex->merchant_url = opt_string (object, "merchant_url");
  ex->ttp_url = opt_string (object, "ttp_url");
  ex->system = opt_string (object, "system");
  ex->nonce = opt_string (object, "nonce");
  ex->ttp_cert = _semper_journal_opt_bytes (object, "ttp_cert");
  ex->offer = _semper_journal_opt_bytes (object, "offer");
  ex->document = _semper_journal_opt_bytes (object, "document");
  ex->m1 = _semper_journal_opt_bytes (object, "m1");
  ex->m2 = _semper_journal_opt_bytes (object, "m2");
  ex->m3 = _semper_journal_opt_bytes (object, "m3");
  ex->m4 = _semper_journal_opt_bytes (object, "m4");
  ex->request = _semper_journal_opt_bytes (object, "request");
  ex->token = _semper_journal_opt_bytes (object, "token");
  ex->goods_key = _semper_journal_opt_bytes (object, "goods_key");
  ex->last_step = row->last_step;
  ex->finished = row->finished;

  ex->offer_obj = semper_fx_offer_verify (ex->offer, trust, error);
  if (ex->offer_obj == NULL)
    return NULL;
  if (ex->m1 != NULL)
    {
      ex->m1_msg = semper_protocol_message_verify (ex->m1, trust, error);
      if (ex->m1_msg == NULL)
        return NULL;
    }
  if (ex->m2 != NULL)
    {
      ex->m2_msg = semper_protocol_message_verify (ex->m2, trust, error);
      if (ex->m2_msg == NULL)
        return NULL;
    }
  return g_steal_pointer (&ex);
}

/* After a journal point has committed: @ex is in @state. */
static void
journaled (SemperFxBuyer *self,
           Exchange      *ex,
           const char    *state)
{
  ex->last_step++;
  g_free (ex->state);
  ex->state = g_strdup (state);
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, ex->id, state);
}

/* DESIGN.md rule 3: the new state and the message about to leave, in one
 * transaction, before it leaves. */
static gboolean
journal (SemperFxBuyer  *self,
         Exchange       *ex,
         const char     *state,
         GBytes         *outgoing,
         GError        **error)
{
  g_autofree char *json = exchange_to_json (ex, state);

  if (!_semper_journal_append (self->archive, ex->id, ex->last_step + 1, json, outgoing, error))
    return FALSE;
  journaled (self, ex, state);
  return TRUE;
}

static gboolean
finish (SemperFxBuyer  *self,
        Exchange       *ex,
        const char     *state,
        GError        **error)
{
  g_autofree char *json = exchange_to_json (ex, state);

  if (!semper_archive_exchange_finish (self->archive, ex->id, json, error))
    return FALSE;
  ex->finished = TRUE;
  journaled (self, ex, state);
  return TRUE;
}

static GBytes *
post (SemperFxBuyer  *self,
      const char     *base,
      const char     *path,
      GBytes         *body,
      GError        **error)
{
  g_autofree char *url = g_strconcat (base, path, NULL);

  return semper_comm_client_post_sync (self->client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body,
                                       NULL, NULL, error);
}

static gboolean
wrong_state (Exchange  *ex,
             GError   **error)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE,
               _("Purchase %s is in state “%s”"), ex->id, ex->state);
  return FALSE;
}

/* A new reference to @part of @ex, or NULL with @error when the exchange has
 * not come as far as holding it. */
static GBytes *
dup_part (Exchange  *ex,
          GBytes    *part,
          GError   **error)
{
  if (part == NULL)
    {
      wrong_state (ex, error);
      return NULL;
    }
  return g_bytes_ref (part);
}

/* The goods that the journaled key opens, checked against the offer. */
static GBytes *
open_goods (Exchange  *ex,
            GError   **error)
{
  if (ex->goods_key == NULL || ex->m2_msg == NULL)
    {
      wrong_state (ex, error);
      return NULL;
    }
  return semper_fx_open_goods (ex->m2_msg, ex->offer_obj, ex->goods_key, error);
}

static void
set_b64 (JsonObject *fields,
         const char *name,
         GBytes     *bytes)
{
  g_autofree char *b64 = _semper_fx_b64 (bytes);

  json_object_set_string_member (fields, name, b64);
}

/* ---- steps ---------------------------------------------------------------- */

char *
semper_fx_buyer_prepare (SemperFxBuyer  *self,
                         GBytes         *offer_raw,
                         const char     *system,
                         const char     *merchant_url,
                         const char     *ttp_url,
                         GBytes         *ttp_cert,
                         GBytes        **out_document,
                         GError        **error)
{
  g_autoptr(Exchange) ex = g_new0 (Exchange, 1);
  g_autoptr(SemperSignerInfo) ttp_info = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *created = NULL;
  g_autofree char *json = NULL;
  guint8 tid_bytes[16];

  g_return_val_if_fail (SEMPER_IS_FX_BUYER (self), NULL);

  ex->offer_obj = semper_fx_offer_verify (offer_raw, self->trust, error);
  if (ex->offer_obj == NULL)
    return NULL;
  if (ex->offer_obj->expiry < g_get_real_time () / G_USEC_PER_SEC)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_EXPIRED, _("The offer has expired"));
      return NULL;
    }
  if (!g_strv_contains ((const char * const *) ex->offer_obj->systems, system))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                   _("The merchant does not accept “%s”"), system);
      return NULL;
    }
  if (find_system (self, system, error) == NULL)
    return NULL;
  ttp_info = semper_trust_check_role (self->trust, ttp_cert, SEMPER_ROLE_TTP, error);
  if (ttp_info == NULL)
    return NULL;
  if (!g_str_equal (ttp_info->fingerprint, ex->offer_obj->ttp))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                   _("The offer names another TTP than the one given"));
      return NULL;
    }
  if (g_str_equal (ex->offer_obj->merchant, self->fingerprint))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                   _("The offer is this wallet's own"));
      return NULL;
    }

  if (!semper_random_bytes (tid_bytes, sizeof tid_bytes, error))
    return NULL;
  ex->id = semper_protocol_hex (tid_bytes, sizeof tid_bytes);
  ex->nonce = semper_protocol_new_nonce (error);
  if (ex->nonce == NULL)
    return NULL;
  commit = semper_protocol_commit (ex->nonce);
  ex->document = _semper_fx_make_order (ex->offer_obj, ex->id, commit, system, error);
  if (ex->document == NULL)
    return NULL;
  ex->merchant_url = g_strdup (merchant_url);
  ex->ttp_url = g_strdup (ttp_url);
  ex->system = g_strdup (system);
  ex->ttp_cert = g_bytes_ref (ttp_cert);
  ex->offer = g_bytes_ref (offer_raw);
  ex->last_step = -1;

  json = exchange_to_json (ex, SEMPER_FX_PREPARED);
  if (!semper_archive_begin (self->archive, error))
    return NULL;
  created = semper_archive_exchange_create (self->archive, ex->id, SEMPER_PROTOCOL_FX,
                                            ROLE_BUYER, ex->offer_obj->merchant, json, error);
  if (created == NULL || !_semper_journal_archive_in (self->archive, ex->id, offer_raw, error))
    {
      semper_archive_rollback (self->archive);
      return NULL;
    }
  if (!semper_archive_commit (self->archive, error))
    return NULL;
  journaled (self, ex, SEMPER_FX_PREPARED);
  if (out_document != NULL)
    *out_document = g_bytes_ref (ex->document);
  return g_steal_pointer (&ex->id);
}

GBytes *
semper_fx_buyer_order (SemperFxBuyer  *self,
                       const char     *id,
                       SemperConsent  *consent,
                       GError        **error)
{
  g_autoptr(Exchange) ex = NULL;
  g_autoptr(GBytes) signed_doc = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autofree char *commit = NULL;

  ex = load (self, id, error);
  if (ex == NULL)
    return NULL;
  if (g_str_equal (ex->state, SEMPER_FX_M1_SENT))
    return g_bytes_ref (ex->m1);
  if (!g_str_equal (ex->state, SEMPER_FX_PREPARED))
    {
      wrong_state (ex, error);
      return NULL;
    }
  signed_doc = semper_profile_sign_document (self->profile, ex->document, consent, error);
  if (signed_doc == NULL)
    return NULL;
  commit = semper_protocol_commit (ex->nonce);
  json_object_set_string_member (fields, "offer_hash", ex->offer_obj->hash);
  json_object_set_string_member (fields, "commit_b", commit);
  json_object_set_string_member (fields, "system", ex->system);
  set_b64 (fields, "document", signed_doc);
  m1 = semper_protocol_message_new_for (SEMPER_PROTOCOL_FX, "m1", ex->id, self->fingerprint,
                                        ex->offer_obj->merchant, ex->offer_obj->ttp, fields);
  ex->m1 = semper_protocol_message_sign (m1, self->crypto, error);
  if (ex->m1 == NULL)
    return NULL;
  if (!journal (self, ex, SEMPER_FX_M1_SENT, ex->m1, error))
    return NULL;
  return g_bytes_ref (ex->m1);
}

/* From m2-received: reserve, pay, journal m3. */
static gboolean
pay (SemperFxBuyer  *self,
     Exchange       *ex,
     GError        **error)
{
  const SemperFxPaymentSystem *system = find_system (self, ex->system, error);
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m3 = NULL;
  g_autofree char *key = NULL;
  g_autofree char *m2_hash = NULL;

  if (system == NULL)
    return FALSE;
  key = semper_protocol_message_dup_hash (ex->m1_msg);
  if (!system->reserve (system->user_data, key, &ex->offer_obj->price, error))
    return FALSE;
  proof = system->pay (system->user_data, key, ex->offer_obj->merchant, error);
  if (proof == NULL)
    return FALSE;
  m2_hash = semper_protocol_message_dup_hash (ex->m2_msg);
  json_object_set_string_member (fields, "nonce_b", ex->nonce);
  json_object_set_string_member (fields, "m2_hash", m2_hash);
  set_b64 (fields, "proof", proof);
  m3 = semper_protocol_message_new_in_session (ex->m1_msg, "m3", fields);
  ex->m3 = semper_protocol_message_sign (m3, self->crypto, error);
  if (ex->m3 == NULL)
    return FALSE;
  return journal (self, ex, SEMPER_FX_M3_SENT, ex->m3, error);
}

static gboolean
take_m2 (SemperFxBuyer  *self,
         Exchange       *ex,
         GBytes         *m2_raw,
         GError        **error)
{
  g_autoptr(SemperProtocolMessage) m2 = NULL;

  if (!_semper_journal_archive_in (self->archive, ex->id, m2_raw, error))
    return FALSE;
  m2 = semper_protocol_message_verify (m2_raw, self->trust, error);
  if (m2 == NULL || !semper_fx_check_m2 (m2, ex->m1_msg, error))
    return FALSE;
  ex->m2 = g_bytes_ref (m2_raw);
  ex->m2_msg = g_steal_pointer (&m2);
  return journal (self, ex, M2_RECEIVED, NULL, error) && pay (self, ex, error);
}

GBytes *
semper_fx_buyer_receive_m2 (SemperFxBuyer  *self,
                            const char     *id,
                            GBytes         *m2,
                            GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  if (g_str_equal (ex->state, SEMPER_FX_M3_SENT) && g_bytes_equal (ex->m2, m2))
    return g_bytes_ref (ex->m3);
  if (g_str_equal (ex->state, M2_RECEIVED) && g_bytes_equal (ex->m2, m2))
    return pay (self, ex, error) ? g_bytes_ref (ex->m3) : NULL;
  if (!g_str_equal (ex->state, SEMPER_FX_M1_SENT))
    {
      wrong_state (ex, error);
      return NULL;
    }
  if (!take_m2 (self, ex, m2, error))
    return NULL;
  return g_bytes_ref (ex->m3);
}

/* k, from m4 (@m4_raw) or from T's receipt (@m4_raw NULL): when it opens c
 * to the offer's goods, keep it, commit the payment and finish. */
static gboolean
take_goods_key (SemperFxBuyer  *self,
                Exchange       *ex,
                GBytes         *key,
                GBytes         *m4_raw,
                GError        **error)
{
  g_autoptr(GBytes) goods = semper_fx_open_goods (ex->m2_msg, ex->offer_obj, key, error);
  g_autofree char *m1_hash = NULL;
  const SemperFxPaymentSystem *system;

  if (goods == NULL)
    return FALSE;
  system = find_system (self, ex->system, error);
  if (system == NULL)
    return FALSE;
  if (m4_raw != NULL)
    ex->m4 = g_bytes_ref (m4_raw);
  ex->goods_key = g_bytes_ref (key);
  m1_hash = semper_protocol_message_dup_hash (ex->m1_msg);
  if (system->commit != NULL && !system->commit (system->user_data, m1_hash, error))
    return FALSE;
  return finish (self, ex, SEMPER_FX_DONE, error);
}

static gboolean
take_m4 (SemperFxBuyer  *self,
         Exchange       *ex,
         GBytes         *m4_raw,
         GError        **error)
{
  g_autoptr(SemperProtocolMessage) m4 = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (ex->m1_msg);

  if (!_semper_journal_archive_in (self->archive, ex->id, m4_raw, error))
    return FALSE;
  m4 = semper_protocol_message_verify (m4_raw, self->trust, error);
  if (m4 == NULL || !semper_protocol_message_check (m4, ex->m1_msg, "m4", error))
    return FALSE;
  if (!g_str_equal (semper_protocol_message_get_string (m4, "m1_hash"), m1_hash)
      || semper_protocol_message_get_int (m4, "amount") != ex->offer_obj->price.minor
      || !g_str_equal (semper_protocol_message_get_string (m4, "currency"),
                       ex->offer_obj->price.currency))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                   _("The receipt does not match the order"));
      return FALSE;
    }
  key = semper_protocol_message_dup_bytes (m4, "goods_key");
  return take_goods_key (self, ex, key, m4_raw, error);
}

gboolean
semper_fx_buyer_receive_m4 (SemperFxBuyer  *self,
                            const char     *id,
                            GBytes         *m4,
                            GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return FALSE;
  if (g_str_equal (ex->state, SEMPER_FX_DONE) && ex->m4 != NULL && g_bytes_equal (ex->m4, m4))
    return TRUE;
  if (!g_str_equal (ex->state, SEMPER_FX_M3_SENT))
    return wrong_state (ex, error);
  return take_m4 (self, ex, m4, error);
}

/* ---- the TTP --------------------------------------------------------------- */

/* Acts on T's token: aborted, receipt (with k) or revoke. */
static gboolean
take_token (SemperFxBuyer  *self,
            Exchange       *ex,
            GBytes         *raw,
            GError        **error)
{
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (ex->m1_msg);
  const SemperFxPaymentSystem *system = find_system (self, ex->system, error);
  const char *step;

  if (system == NULL || !_semper_journal_archive_in (self->archive, ex->id, raw, error))
    return FALSE;
  token = semper_protocol_message_verify (raw, self->trust, error);
  if (token == NULL || !semper_protocol_message_check (token, ex->m1_msg, NULL, error))
    return FALSE;
  if (!g_str_equal (semper_protocol_message_get_string (token, "m1_hash"), m1_hash))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                   _("The TTP's answer is about another exchange"));
      return FALSE;
    }
  step = semper_protocol_message_get_step (token);
  ex->token = g_bytes_ref (raw);
  if (g_str_equal (step, "aborted"))
    {
      if (system->release != NULL && !system->release (system->user_data, m1_hash, NULL, error))
        return FALSE;
      return finish (self, ex, SEMPER_FX_ABORTED, error);
    }
  if (g_str_equal (step, "receipt"))
    {
      g_autoptr(GBytes) key = semper_protocol_message_dup_bytes (token, "goods_key");

      if (ex->m2_msg == NULL)
        {
          g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
                       _("The TTP resolved an exchange this wallet never paid"));
          return FALSE;
        }
      return take_goods_key (self, ex, key, NULL, error);
    }
  if (g_str_equal (step, "revoke"))
    {
      if (!journal (self, ex, SEMPER_FX_REFUNDING, NULL, error))
        return FALSE;
      if (system->release != NULL && !system->release (system->user_data, m1_hash, raw, error))
        return FALSE;
      return finish (self, ex, SEMPER_FX_REVOKED, error);
    }
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
               _("Unexpected answer “%s” from the TTP"), step);
  return FALSE;
}

static gboolean
send_to_ttp (SemperFxBuyer  *self,
             Exchange       *ex,
             const char     *path,
             GError        **error)
{
  g_autoptr(GBytes) answer = post (self, ex->ttp_url, path, ex->request, error);

  if (answer == NULL)
    return FALSE;
  return take_token (self, ex, answer, error);
}

/* Signs @fields as the request @step to T, journals it as @state and sends
 * it to T's /fx/@step. */
static gboolean
ask_ttp (SemperFxBuyer  *self,
         Exchange       *ex,
         const char     *step,
         JsonObject     *fields,
         const char     *state,
         GError        **error)
{
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autofree char *path = g_strconcat ("/fx/", step, NULL);

  request = semper_protocol_message_new_in_session (ex->m1_msg, step, fields);
  ex->request = semper_protocol_message_sign (request, self->crypto, error);
  if (ex->request == NULL || !journal (self, ex, state, ex->request, error))
    return FALSE;
  return send_to_ttp (self, ex, path, error);
}

/* Aborts through T, or sends the journaled abort request again. */
static gboolean
do_abort (SemperFxBuyer  *self,
          Exchange       *ex,
          GError        **error)
{
  g_autoptr(JsonObject) fields = NULL;

  if (g_str_equal (ex->state, SEMPER_FX_ABORTING))
    return send_to_ttp (self, ex, "/fx/abort", error);
  if (!g_str_equal (ex->state, SEMPER_FX_M1_SENT) && !g_str_equal (ex->state, M2_RECEIVED))
    return wrong_state (ex, error);
  fields = json_object_new ();
  set_b64 (fields, "m1", ex->m1);
  return ask_ttp (self, ex, "abort", fields, SEMPER_FX_ABORTING, error);
}

/* Resolves through T, or sends the journaled resolve request again. */
static gboolean
do_resolve (SemperFxBuyer  *self,
            Exchange       *ex,
            GError        **error)
{
  g_autoptr(JsonObject) fields = NULL;

  if (g_str_equal (ex->state, SEMPER_FX_RESOLVING))
    return send_to_ttp (self, ex, "/fx/resolve", error);
  if (!g_str_equal (ex->state, SEMPER_FX_M3_SENT))
    return wrong_state (ex, error);
  fields = json_object_new ();
  set_b64 (fields, "offer", ex->offer);
  set_b64 (fields, "m1", ex->m1);
  set_b64 (fields, "m2", ex->m2);
  set_b64 (fields, "m3", ex->m3);
  return ask_ttp (self, ex, "resolve", fields, SEMPER_FX_RESOLVING, error);
}

char *
semper_fx_buyer_abort (SemperFxBuyer  *self,
                       const char     *id,
                       GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);
  gboolean ok;

  if (ex == NULL)
    return NULL;
  /* In "prepared" nothing left the wallet: nothing to abort at the TTP. */
  if (g_str_equal (ex->state, SEMPER_FX_PREPARED))
    ok = finish (self, ex, SEMPER_FX_ABORTED, error);
  else
    ok = do_abort (self, ex, error);
  return ok ? g_strdup (ex->state) : NULL;
}

char *
semper_fx_buyer_resolve (SemperFxBuyer  *self,
                         const char     *id,
                         GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL || !do_resolve (self, ex, error))
    return NULL;
  return g_strdup (ex->state);
}

/* One move from a non-final state; FALSE with @error when it cannot move. */
static gboolean
advance (SemperFxBuyer  *self,
         Exchange       *ex,
         GError        **error)
{
  const char *state = ex->state;

  if (g_str_equal (state, SEMPER_FX_PREPARED))
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE,
                   _("Purchase %s waits for the user's consent to the order"), ex->id);
      return FALSE;
    }
  if (g_str_equal (state, SEMPER_FX_M1_SENT))
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) m2 = post (self, ex->merchant_url, "/fx/m1", ex->m1, &local);

      /* No m2 (or a bad one): nothing was paid, so abort through the TTP. */
      if (m2 == NULL || !take_m2 (self, ex, m2, &local))
        {
          if (local != NULL)
            g_debug ("fx %s: no usable m2 (%s): aborting", ex->id, local->message);
          if (g_str_equal (ex->state, SEMPER_FX_M3_SENT))
            return TRUE;
          return do_abort (self, ex, error);
        }
      return TRUE;
    }
  if (g_str_equal (state, M2_RECEIVED))
    {
      g_autoptr(GError) local = NULL;

      /* Interrupted while paying: finish the payment, or abort when it
       * cannot be made (nothing left the wallet yet). */
      if (pay (self, ex, &local))
        return TRUE;
      g_debug ("fx %s: payment failed (%s): aborting", ex->id, local->message);
      return do_abort (self, ex, error);
    }
  if (g_str_equal (state, SEMPER_FX_M3_SENT))
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) m4 = post (self, ex->merchant_url, "/fx/m3", ex->m3, &local);

      /* Paid but no valid m4: the TTP finishes the exchange. */
      if (m4 == NULL || !take_m4 (self, ex, m4, &local))
        {
          g_debug ("fx %s: no usable m4 (%s): resolving", ex->id,
                   local != NULL ? local->message : "");
          return do_resolve (self, ex, error);
        }
      return TRUE;
    }
  if (g_str_equal (state, SEMPER_FX_ABORTING))
    return do_abort (self, ex, error);
  if (g_str_equal (state, SEMPER_FX_RESOLVING))
    return do_resolve (self, ex, error);
  if (g_str_equal (state, SEMPER_FX_REFUNDING))
    {
      const SemperFxPaymentSystem *system = find_system (self, ex->system, error);
      g_autofree char *m1_hash = semper_protocol_message_dup_hash (ex->m1_msg);

      if (system == NULL)
        return FALSE;
      if (system->release != NULL
          && !system->release (system->user_data, m1_hash, ex->token, error))
        return FALSE;
      return finish (self, ex, SEMPER_FX_REVOKED, error);
    }
  return wrong_state (ex, error);
}

char *
semper_fx_buyer_run (SemperFxBuyer  *self,
                     const char     *id,
                     GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  /* Each move journals a later state; at most a handful of moves. */
  for (int moves = 0; !ex->finished && moves < 8; moves++)
    if (!advance (self, ex, error))
      return NULL;
  if (!ex->finished)
    {
      g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                   _("Purchase %s did not finish"), id);
      return NULL;
    }
  return g_strdup (ex->state);
}

int
semper_fx_buyer_resume (SemperFxBuyer  *self,
                        GError        **error)
{
  g_autoptr(GPtrArray) done = semper_fx_buyer_resume_all (self, error);

  if (done == NULL)
    return -1;
  for (guint i = 0; i < done->len; i++)
    {
      SemperFxResumed *r = g_ptr_array_index (done, i);

      if (r->error != NULL)
        {
          g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_FAILED,
                       _("Purchase %s did not finish: %s"), r->id, r->error);
          return -1;
        }
    }
  return (int) done->len;
}

void
semper_fx_resumed_free (SemperFxResumed *resumed)
{
  if (resumed == NULL)
    return;
  g_free (resumed->id);
  g_free (resumed->state);
  g_free (resumed->error);
  g_free (resumed);
}

GPtrArray *
semper_fx_buyer_resume_all (SemperFxBuyer  *self,
                            GError        **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_fx_resumed_free);

  g_return_val_if_fail (SEMPER_IS_FX_BUYER (self), NULL);

  list = semper_archive_exchange_list_unfinished (self->archive, error);
  if (list == NULL)
    return NULL;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (list, i);
      g_autoptr(GError) local = NULL;
      g_autoptr(Exchange) ex = NULL;
      SemperFxResumed *r;

      if (!g_str_equal (row->protocol, SEMPER_PROTOCOL_FX)
          || !g_str_equal (row->role, ROLE_BUYER))
        continue;
      /* The user suspended it: only resuming it by name runs it. */
      if (semper_exchange_is_suspended (self->profile, row->id))
        continue;
      r = g_new0 (SemperFxResumed, 1);
      r->id = g_strdup (row->id);
      g_ptr_array_add (out, r);
      ex = load (self, row->id, &local);
      if (ex != NULL && g_str_equal (ex->state, SEMPER_FX_PREPARED))
        {
          /* An order the user never consented to was never sent: drop it. */
          if (finish (self, ex, SEMPER_FX_ABORTED, &local))
            r->state = g_strdup (SEMPER_FX_ABORTED);
        }
      else if (ex != NULL)
        r->state = semper_fx_buyer_run (self, row->id, &local);
      if (r->state == NULL)
        {
          r->error = g_strdup (local != NULL ? local->message : "");
          r->state = semper_fx_buyer_dup_state (self, row->id, NULL);
        }
    }
  return g_steal_pointer (&out);
}

char *
semper_fx_buyer_dup_state (SemperFxBuyer  *self,
                           const char     *id,
                           GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  return ex != NULL ? g_strdup (ex->state) : NULL;
}

GBytes *
semper_fx_buyer_dup_goods (SemperFxBuyer  *self,
                           const char     *id,
                           GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  return ex != NULL ? open_goods (ex, error) : NULL;
}

/**
 * semper_fx_buyer_open_archived_goods:
 * @archive: the buyer's archive (read-only will do)
 * @trust: the profile's pinned root
 * @id: the exchange (H(m1))
 * @offer_id: (out) (optional): the merchant's offer id of the goods
 *
 * The goods a finished purchase received, decrypted again from the journaled
 * m2 and key and checked against the signed offer's hash, without the
 * profile's keys: what the Receipts browser opens.
 *
 * Returns: (transfer full): the goods, or %NULL with @error set
 */
GBytes *
semper_fx_buyer_open_archived_goods (SemperArchive  *archive,
                                     SemperTrust    *trust,
                                     const char     *id,
                                     char          **offer_id,
                                     GError        **error)
{
  g_autoptr(Exchange) ex = NULL;
  GBytes *goods;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (trust != NULL && id != NULL, NULL);

  ex = load_from (archive, trust, id, error);
  if (ex == NULL)
    return NULL;
  goods = open_goods (ex, error);
  if (goods != NULL && offer_id != NULL)
    *offer_id = g_strdup (ex->offer_obj->offer_id);
  return goods;
}

GBytes *
semper_fx_buyer_dup_document (SemperFxBuyer  *self,
                              const char     *id,
                              GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  return ex != NULL ? dup_part (ex, ex->document, error) : NULL;
}

/* T's token if there is one, else M's receipt m4. */
GBytes *
semper_fx_buyer_dup_token (SemperFxBuyer  *self,
                           const char     *id,
                           GError        **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  return dup_part (ex, ex->token != NULL ? ex->token : ex->m4, error);
}
