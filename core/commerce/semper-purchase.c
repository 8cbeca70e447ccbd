/* semper-purchase.c: one purchase from a certified commerce service (docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-purchase.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-account-system.h"
#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-commerce-private.h"
#include "semper-fair-exchange.h"
#include "semper-flow-cursor.h"
#include "semper-fx-ecash.h"
#include "semper-money.h"
#include "semper-order-form.h"
#include "semper-ecash-system.h"
#include "semper-payment-system.h"
#include "semper-prefs.h"
#include "semper-protocol-message.h"
#include "semper-purse.h"
#include "semper-shop-client-private.h"
#include "semper-shop-private.h"
#include "semper-json-private.h"

struct _SemperPurchase {
  GObject                     parent_instance;

  SemperShopClient           *client;
  SemperProfile              *profile;     /* borrowed from client */
  SemperService              *service;
  SemperFlowCursor           *cursor;
  GBytes                     *description;
  GBytes                     *certification;
  char                       *ttp_url;
  GBytes                     *ttp_cert;
  GArray                     *items;       /* SemperShopItem */
  GHashTable                 *answers;
  char                       *system;      /* requested, then chosen */
  SemperPurchaseState         state;
  SemperPurchaseProgressFunc  progress;
  gpointer                    progress_data;
  GDestroyNotify              progress_destroy;

  char                       *session;
  char                       *fingerprint; /* ours */
  char                       *merchant_fp; /* the service's merchant */
  GBytes                     *order;       /* the order-form document */
  GBytes                     *fx_document; /* the document the user consents to */
  SemperAmount                total;
  const SemperServiceOffer   *single;      /* subscription/registration, or NULL */
  SemperFxBuyer              *fx;
  SemperPurse                *purse;
  SemperFxEcash              *ecash;
  SemperPaymentSystem        *account;     /* (nullable): no bank account linked */
  char                       *account_key; /* H(m1) reserved by us before fx asks */
  GBytes                     *account_proof;
  SemperPaymentAskFunc        ask_func;
  gpointer                    ask_data;
  GDestroyNotify              ask_destroy;
  SemperPurchaseConsentFunc   consent_func;
  gpointer                    consent_data;
  GDestroyNotify              consent_destroy;
  char                       *exchange_id;
  GBytes                     *goods;
  gint64                      receipt_id;
};

G_DEFINE_FINAL_TYPE (SemperPurchase, semper_purchase, G_TYPE_OBJECT)

const char *
semper_purchase_state_to_string (SemperPurchaseState state)
{
  switch (state)
    {
    case SEMPER_PURCHASE_NEW: return "new";
    case SEMPER_PURCHASE_REQUESTING_OFFER: return "requesting-offer";
    case SEMPER_PURCHASE_AWAITING_CONSENT: return "awaiting-consent";
    case SEMPER_PURCHASE_ORDERING: return "ordering";
    case SEMPER_PURCHASE_PAYING: return "paying";
    case SEMPER_PURCHASE_RESOLVING: return "resolving";
    case SEMPER_PURCHASE_DONE: return "done";
    case SEMPER_PURCHASE_ABORTED: return "aborted";
    case SEMPER_PURCHASE_REFUNDED: return "refunded";
    case SEMPER_PURCHASE_FAILED: return "failed";
    default: return "unknown";
    }
}

static void
shop_item_clear (gpointer data)
{
  g_free (((SemperShopItem *) data)->item);
}

static void
semper_purchase_dispose (GObject *object)
{
  SemperPurchase *self = SEMPER_PURCHASE (object);

  g_clear_object (&self->fx);
  g_clear_object (&self->ecash);
  g_clear_object (&self->account);
  if (self->consent_destroy != NULL)
    g_clear_pointer (&self->consent_data, self->consent_destroy);
  if (self->ask_destroy != NULL)
    g_clear_pointer (&self->ask_data, self->ask_destroy);
  g_clear_object (&self->purse);
  g_clear_object (&self->cursor);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  if (self->progress_destroy != NULL)
    g_clear_pointer (&self->progress_data, self->progress_destroy);
  G_OBJECT_CLASS (semper_purchase_parent_class)->dispose (object);
}

static void
semper_purchase_finalize (GObject *object)
{
  SemperPurchase *self = SEMPER_PURCHASE (object);

  g_clear_pointer (&self->description, g_bytes_unref);
  g_clear_pointer (&self->certification, g_bytes_unref);
  g_free (self->ttp_url);
  g_clear_pointer (&self->ttp_cert, g_bytes_unref);
  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_free (self->system);
  g_free (self->session);
  g_free (self->fingerprint);
  g_free (self->merchant_fp);
  g_clear_pointer (&self->order, g_bytes_unref);
  g_clear_pointer (&self->fx_document, g_bytes_unref);
  g_free (self->exchange_id);
  g_clear_pointer (&self->goods, g_bytes_unref);
  g_free (self->account_key);
  g_clear_pointer (&self->account_proof, g_bytes_unref);
  G_OBJECT_CLASS (semper_purchase_parent_class)->finalize (object);
}

static void
semper_purchase_class_init (SemperPurchaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_purchase_dispose;
  object_class->finalize = semper_purchase_finalize;
}

static void
semper_purchase_init (SemperPurchase *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (SemperShopItem));
  g_array_set_clear_func (self->items, shop_item_clear);
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
set_state (SemperPurchase      *self,
           SemperPurchaseState  state)
{
  self->state = state;
  if (self->progress != NULL)
    self->progress (self, state, self->progress_data);
}

static gboolean
refuse (GError    **error,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError    **error,
        const char *format,
        ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED, text);
  return FALSE;
}

SemperPurchase *
semper_purchase_new (SemperShopClient *client,
                     const char       *service_id,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(SemperPurchase) self = NULL;
  g_autoptr(GBytes) cert = NULL;
  SemperSignerInfo *merchant;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (client), NULL);
  g_return_val_if_fail (service_id != NULL, NULL);

  self = g_object_new (SEMPER_TYPE_PURCHASE, NULL);
  self->client = g_object_ref (client);
  self->profile = semper_shop_client_get_profile (client);
  self->service = semper_shop_client_dup_service (client, service_id, cancellable, error);
  if (self->service == NULL)
    return NULL;
  if (!_semper_shop_client_dup_raw (client, service_id, &self->description,
                                    &self->certification, &self->ttp_url, &self->ttp_cert))
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("The service %s is not available"), service_id);
      return NULL;
    }
  merchant = semper_service_get_merchant_signer (self->service);
  self->merchant_fp = g_strdup (merchant->fingerprint);
  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (self->profile));
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("The profile has no certificate yet: register it with `semper init --ca`"));
      return NULL;
    }
  self->fingerprint = semper_sha256_hex (cert);
  self->cursor = semper_flow_cursor_new (self->service);
  return g_steal_pointer (&self);
}

SemperService *
semper_purchase_get_service (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->service;
}

SemperPurchaseState
semper_purchase_get_state (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), SEMPER_PURCHASE_FAILED);
  return self->state;
}

void
semper_purchase_set_progress_func (SemperPurchase             *self,
                                   SemperPurchaseProgressFunc  func,
                                   gpointer                    user_data,
                                   GDestroyNotify              destroy)
{
  g_return_if_fail (SEMPER_IS_PURCHASE (self));
  if (self->progress_destroy != NULL)
    g_clear_pointer (&self->progress_data, self->progress_destroy);
  self->progress = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

void
semper_purchase_set_consent_func (SemperPurchase            *self,
                                  SemperPurchaseConsentFunc  func,
                                  gpointer                   user_data,
                                  GDestroyNotify             destroy)
{
  g_return_if_fail (SEMPER_IS_PURCHASE (self));
  if (self->consent_destroy != NULL)
    g_clear_pointer (&self->consent_data, self->consent_destroy);
  self->consent_func = func;
  self->consent_data = user_data;
  self->consent_destroy = destroy;
}

void
semper_purchase_set_payment_ask_func (SemperPurchase       *self,
                                      SemperPaymentAskFunc  func,
                                      gpointer              user_data,
                                      GDestroyNotify        destroy)
{
  g_return_if_fail (SEMPER_IS_PURCHASE (self));
  if (self->ask_destroy != NULL)
    g_clear_pointer (&self->ask_data, self->ask_destroy);
  self->ask_func = func;
  self->ask_data = user_data;
  self->ask_destroy = destroy;
}

gboolean
semper_purchase_add_item (SemperPurchase *self,
                          const char     *item,
                          guint           quantity,
                          GError        **error)
{
  SemperShopItem it;

  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), FALSE);

  if (self->state != SEMPER_PURCHASE_NEW)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("The order was already sent"));
      return FALSE;
    }
  if (item == NULL || *item == '\0' || strlen (item) > 32 || quantity == 0
      || quantity > 1000000)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("An item needs an id and a quantity of 1 to 1000000"));
      return FALSE;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      SemperShopItem *other = &g_array_index (self->items, SemperShopItem, i);

      if (g_str_equal (other->item, item))
        {
          if (other->quantity + quantity > 1000000)
            {
              g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                           _("Too many of “%s”"), item);
              return FALSE;
            }
          other->quantity += quantity;
          return TRUE;
        }
    }
  it.item = g_strdup (item);
  it.quantity = quantity;
  g_array_append_val (self->items, it);
  return TRUE;
}

void
semper_purchase_set_answer (SemperPurchase *self,
                            const char     *field,
                            const char     *value)
{
  g_return_if_fail (SEMPER_IS_PURCHASE (self));
  g_return_if_fail (field != NULL);

  if (value == NULL)
    g_hash_table_remove (self->answers, field);
  else
    g_hash_table_replace (self->answers, g_strdup (field), g_strdup (value));
}

void
semper_purchase_set_payment_system (SemperPurchase *self,
                                    const char     *system)
{
  g_return_if_fail (SEMPER_IS_PURCHASE (self));
  g_free (self->system);
  self->system = g_strdup (system);
}

GPtrArray *
semper_purchase_validate (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return semper_order_form_validate (semper_service_get_order_form (self->service),
                                     self->answers);
}

const SemperAmount *
semper_purchase_get_total (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->total.currency[0] != '\0' ? &self->total : NULL;
}

const char *
semper_purchase_get_payment_system (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->system;
}

const char *
semper_purchase_get_exchange_id (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->exchange_id;
}

GBytes *
semper_purchase_dup_goods (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->goods != NULL ? g_bytes_ref (self->goods) : NULL;
}

/* ---- the merchant's answers ------------------------------------------------------ */

/* Checks a message the merchant sent against the signed flow, then moves on. */
static gboolean
accept_merchant (SemperPurchase *self,
                 const char     *message,
                 GError        **error)
{
  g_autoptr(GError) local = NULL;

  if (!semper_flow_cursor_accept (self->cursor, SEMPER_SERVICE_PARTY_MERCHANT, message, &local))
    return refuse (error, _("The merchant deviates from its signed service: %s"),
                   local->message);
  return TRUE;
}

static gboolean
accept_buyer (SemperPurchase *self,
              const char     *message,
              GError        **error)
{
  g_autoptr(GError) local = NULL;

  if (!semper_flow_cursor_accept (self->cursor, SEMPER_SERVICE_PARTY_BUYER, message, &local))
    return refuse (error, _("The signed service does not allow this now: %s"), local->message);
  return TRUE;
}

static gint64
archive_in (SemperPurchase *self,
            GBytes         *raw,
            GError        **error)
{
  return semper_archive_message_store (semper_profile_get_archive (self->profile),
                                       SEMPER_MESSAGE_IN, self->exchange_id,
                                       SEMPER_COMM_CONTENT_TYPE_CMS, raw, error);
}

/* The flow step that follows the offer (the fair exchange), and what it gives. */
static const SemperServiceStep *
fair_exchange_step (SemperService *service)
{
  for (guint i = 0; i < semper_service_get_n_steps (service); i++)
    {
      const SemperServiceStep *s = semper_service_get_step (service, i);

      if (s->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE)
        return s;
    }
  return NULL;
}

static gboolean
store_credential (SemperPurchase       *self,
                  GBytes               *raw,
                  SemperShopCredential *cred,
                  GError              **error)
{
  SemperArchiveCredential record = { 0 };

  record.kind = cred->kind;
  record.issuer = cred->issuer_name;
  record.state = (char *) "valid";
  record.body = raw;
  return semper_archive_credential_insert (semper_profile_get_archive (self->profile), &record,
                                           error) != 0;
}

static SemperShopCredential *
check_credential (SemperPurchase *self,
                  GBytes         *raw,
                  const char     *kind,
                  GError        **error)
{
  g_autoptr(SemperShopCredential) cred = NULL;
  g_autoptr(GError) local = NULL;

  cred = _semper_shop_credential_verify (raw, _semper_shop_client_get_trust (self->client),
                                         &local);
  if (cred == NULL)
    return refuse (error, _("The merchant's credential does not verify: %s"), local->message),
           NULL;
  if (!g_str_equal (cred->issuer, self->merchant_fp)
      || !g_str_equal (cred->service, semper_service_get_id (self->service))
      || !g_str_equal (cred->holder, self->fingerprint) || !g_str_equal (cred->kind, kind))
    return refuse (error, _("The merchant's credential is for another service, holder or "
                            "kind")), NULL;
  return g_steal_pointer (&cred);
}

/* The registration step (statement/registration → credential). */
static gboolean
do_register (SemperPurchase *self,
             GCancellable   *cancellable,
             GError        **error)
{
  static const char * const members[] = { "session", "message", "credential", NULL };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(SemperShopCredential) cred = NULL;
  g_autoptr(SemperSignerInfo) me = NULL;
  SemperCrypto *crypto = semper_profile_get_crypto (self->profile);
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (crypto);
  g_autofree char *name = semper_certificate_dup_common_name (cert);
  const char *session = NULL, *message = NULL, *cred_b64 = NULL;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;

  if (!accept_buyer (self, "statement/registration", error))
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-registration");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, semper_service_get_id (self->service));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name != NULL ? name : "buyer");
  json_builder_end_object (b);
  json = semper_json_builder_to_bytes (b);
  request = semper_cms_sign_message (semper_profile_get_crypto (self->profile), json, error);
  if (request == NULL)
    return FALSE;
  if (semper_archive_message_store (semper_profile_get_archive (self->profile),
                                    SEMPER_MESSAGE_OUT, NULL, SEMPER_COMM_CONTENT_TYPE_CMS,
                                    request, error) == 0)
    return FALSE;
  answer = _semper_shop_client_post (self->client, "/register", SEMPER_COMM_CONTENT_TYPE_CMS,
                                     request, SEMPER_COMM_CONTENT_TYPE_JSON, cancellable, error);
  if (answer == NULL)
    return FALSE;
  o = _semper_shop_parse_object (answer, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "registration answer", d, c, error)
      || !_semper_json_get_string (o, "session", 32, TRUE, "registration answer", &session, d,
                                   c, error)
      || !_semper_json_get_string (o, "message", 64, TRUE, "registration answer", &message, d,
                                   c, error)
      || !_semper_json_get_string (o, "credential", 64 * 1024, TRUE, "registration answer",
                                   &cred_b64, d, c, error))
    return FALSE;
  if (!accept_merchant (self, message, error))
    return FALSE;
  raw = _semper_shop_unb64 (cred_b64, 48 * 1024, error);
  if (raw == NULL)
    return FALSE;
  if (archive_in (self, raw, error) == 0)
    return FALSE;
  cred = check_credential (self, raw, "membership", error);
  if (cred == NULL || !store_credential (self, raw, cred, error))
    return FALSE;
  g_free (self->session);
  self->session = g_strdup (session);
  return TRUE;
}

/* A multi-line text member (a semper document): a string of at most
 * SEMPER_SHOP_MAX_ANSWER bytes; the document parser checks the rest. */
static gboolean
get_text (JsonObject  *o,
          const char  *member,
          const char **out,
          GError     **error)
{
  const char *text = semper_json_get_string (o, member);

  if (text == NULL || strlen (text) > SEMPER_SHOP_MAX_ANSWER)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BAD_ANSWER,
                   _("The merchant's answer is malformed: “%s” must be a text"), member);
      return FALSE;
    }
  *out = text;
  return TRUE;
}

/* Why no system can pay, as a SemperShopError code: the merchant accepts
 * none of the wallet's systems, every one offered is over the user's limit,
 * or the money is short; PAYMENT when one could pay (the user must choose). */
static int
cannot_pay_code (GPtrArray *candidates)
{
  gboolean all_over_limit = TRUE;

  if (candidates->len == 0)
    return SEMPER_SHOP_ERROR_NO_SYSTEM;
  for (guint i = 0; i < candidates->len; i++)
    {
      SemperPaymentCandidate *c = g_ptr_array_index (candidates, i);

      if (c->usable)
        return SEMPER_SHOP_ERROR_PAYMENT;
      all_over_limit &= c->over_limit;
    }
  return all_over_limit ? SEMPER_SHOP_ERROR_LIMIT : SEMPER_SHOP_ERROR_BALANCE;
}

/* The wallet's payment manager for @offer: the user's preferences, the
 * purse and the linked account, and the systems both sides can pay with
 * (into @offers). NULL without preferences. */
static SemperPaymentManager *
offer_manager (SemperPurchase *self,
               SemperFxOffer  *offer,
               GArray         *offers)
{
  const char *supported[] = { "ecash", self->account != NULL ? "account" : NULL, NULL };
  g_autoptr(SemperPrefs) prefs = semper_prefs_new (semper_profile_get_archive (self->profile),
                                                   NULL);
  g_autoptr(SemperEcashSystem) ecash = NULL;
  SemperPaymentManager *manager;

  if (prefs == NULL)
    return NULL;
  manager = semper_payment_manager_new (prefs);
  ecash = semper_ecash_system_new (self->profile, NULL);
  if (ecash != NULL)
    semper_payment_manager_add_system (manager, SEMPER_PAYMENT_SYSTEM (ecash));
  if (self->account != NULL)
    semper_payment_manager_add_system (manager, self->account);
  for (guint i = 0; offer->systems[i] != NULL; i++)
    if (semper_service_accepts_payment_system (self->service, offer->systems[i])
        && g_strv_contains (supported, offer->systems[i]))
      {
        SemperPaymentOffer o = { offer->systems[i], { 0, "" } };

        o.fee.minor = 0;
        memcpy (o.fee.currency, offer->price.currency, sizeof o.fee.currency);
        g_array_append_val (offers, o);
      }
  return manager;
}

/* A system the user picked by hand gets the same checks as the automatic
 * choice, before anything is signed or sent: the user's limit for it, and
 * the money in the purse or the account. */
static gboolean
check_picked_system (SemperPurchase *self,
                     SemperFxOffer  *offer,
                     GError        **error)
{
  g_autoptr(GArray) offers = g_array_new (FALSE, TRUE, sizeof (SemperPaymentOffer));
  g_autoptr(SemperPaymentManager) manager = offer_manager (self, offer, offers);
  g_autoptr(GPtrArray) candidates = NULL;

  if (manager == NULL)
    return TRUE;
  candidates = semper_payment_manager_candidates (manager, &offer->price,
                                                  (const SemperPaymentOffer *)
                                                  (void *) offers->data, offers->len);
  for (guint i = 0; i < candidates->len; i++)
    {
      SemperPaymentCandidate *c = g_ptr_array_index (candidates, i);

      if (!g_str_equal (c->system, self->system) || c->usable)
        continue;
      g_set_error (error, SEMPER_SHOP_ERROR,
                   c->over_limit ? SEMPER_SHOP_ERROR_LIMIT : SEMPER_SHOP_ERROR_BALANCE,
                   "%s", c->reason != NULL ? c->reason : _("This payment system cannot pay this"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
choose_system (SemperPurchase *self,
               SemperFxOffer  *offer,
               GError        **error)
{
  const char *supported[] = { "ecash", self->account != NULL ? "account" : NULL, NULL };

  if (self->system != NULL)
    {
      if (!g_strv_contains ((const char * const *) offer->systems, self->system)
          || !semper_service_accepts_payment_system (self->service, self->system))
        {
          g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NO_SYSTEM,
                       _("The merchant does not accept “%s” for this order"), self->system);
          return FALSE;
        }
      if (!g_strv_contains (supported, self->system))
        {
          g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NO_SYSTEM,
                       _("This wallet cannot pay with “%s”: link a bank account first "
                         "(semper bank link)"), self->system);
          return FALSE;
        }
      return check_picked_system (self, offer, error);
    }
  /* auto: the user's preferences (PROTOCOLS.md E) through the payment manager. */
  {
    g_autoptr(GArray) offers = g_array_new (FALSE, TRUE, sizeof (SemperPaymentOffer));
    g_autoptr(SemperPaymentManager) manager = offer_manager (self, offer, offers);
    g_autoptr(GError) local = NULL;
    SemperPaymentSystem *chosen;

    if (manager != NULL)
      {
        SemperPrefs *prefs = semper_payment_manager_get_prefs (manager);

        chosen = semper_payment_manager_negotiate (manager, &offer->price,
                                                   (const SemperPaymentOffer *)
                                                   (void *) offers->data, offers->len, NULL,
                                                   self->ask_func, self->ask_data, &local);
        if (chosen != NULL)
          {
            self->system = g_strdup (semper_payment_system_get_id (chosen));
            return TRUE;
          }
        if (g_error_matches (local, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANCELLED))
          {
            g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_DECLINED,
                         _("No payment system was chosen"));
            return FALSE;
          }
        /* Headless with policy ask and no way to ask: the first system, in the
         * service's order, that the user's limits and the purse or account allow. */
        if (self->ask_func == NULL
            && semper_prefs_get_policy (prefs) == SEMPER_PAYMENT_POLICY_ASK
            && g_error_matches (local, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE))
          {
            g_autoptr(GPtrArray) candidates = NULL;

            candidates = semper_payment_manager_candidates (manager, &offer->price,
                                                            (const SemperPaymentOffer *)
                                                            (void *) offers->data, offers->len);
            for (const char * const *s = semper_service_get_payment_systems (self->service);
                 *s != NULL; s++)
              for (guint i = 0; i < candidates->len; i++)
                {
                  SemperPaymentCandidate *c = g_ptr_array_index (candidates, i);

                  if (c->usable && g_str_equal (c->system, *s))
                    {
                      self->system = g_strdup (c->system);
                      return TRUE;
                    }
                }
          }
        {
          g_autoptr(GPtrArray) candidates =
            semper_payment_manager_candidates (manager, &offer->price,
                                               (const SemperPaymentOffer *) (void *) offers->data,
                                               offers->len);

          g_set_error (error, SEMPER_SHOP_ERROR, cannot_pay_code (candidates), "%s",
                       local->message);
        }
        return FALSE;
      }
  }
  /* Else the service's order of preference, among what both sides can do. */
  for (const char * const *s = semper_service_get_payment_systems (self->service); *s; s++)
    if (g_strv_contains ((const char * const *) offer->systems, *s)
        && g_strv_contains (supported, *s))
      {
        self->system = g_strdup (*s);
        return TRUE;
      }
  g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NO_SYSTEM,
               _("No payment system that both the merchant and this wallet accept"));
  return FALSE;
}

/* The account system inside the fair exchange: its authorisation needs the
 * merchant's invoice for H(m1) and the user's consent, so the purchase makes
 * the proof itself between m2 and m3 (pay_by_account) and hands it over here. */
static gboolean
account_reserve (gpointer            user_data,
                 const char         *key,
                 const SemperAmount *amount,
                 GError            **error)
{
  SemperPurchase *self = user_data;

  if (g_strcmp0 (self->account_key, key) == 0)
    return TRUE;
  return semper_payment_system_reserve (self->account, key, amount, error);
}

static GBytes *
account_pay (gpointer     user_data,
             const char  *key,
             const char  *merchant,
             GError     **error)
{
  SemperPurchase *self = user_data;

  if (self->account_proof == NULL || g_strcmp0 (self->account_key, key) != 0)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_PAYMENT,
                   _("The account payment was not authorised"));
      return NULL;
    }
  return g_bytes_ref (self->account_proof);
}

static gboolean
account_commit (gpointer     user_data,
                const char  *key,
                GError     **error)
{
  SemperPurchase *self = user_data;

  return semper_payment_system_commit (self->account, key, error);
}

static gboolean
account_release (gpointer     user_data,
                 const char  *key,
                 GBytes      *revoke,
                 GError     **error)
{
  SemperPurchase *self = user_data;

  return semper_payment_system_reclaim (self->account, key, revoke, error);
}

static gboolean
setup_fx (SemperPurchase *self,
          GError        **error)
{
  SemperFxPaymentSystem system = { 0 };

  if (self->fx != NULL)
    return TRUE;
  self->fx = semper_fx_buyer_new (self->profile, error);
  if (self->fx == NULL)
    return FALSE;
  self->purse = semper_purse_new (self->profile, error);
  if (self->purse == NULL)
    return FALSE;
  self->ecash = semper_fx_ecash_new_buyer (self->purse, self->profile);
  semper_fx_ecash_get_system (self->ecash, &system);
  semper_fx_buyer_add_payment_system (self->fx, &system);
  {
    g_autoptr(SemperAccountSystem) account = semper_account_system_new (self->profile, NULL);
    g_autofree char *linked = semper_archive_pref_get (semper_profile_get_archive (self->profile),
                                                       "bank.account", NULL);
    SemperFxPaymentSystem adapter = { 0 };

    /* Without a linked bank account the wallet pays with e-cash only. */
    if (account != NULL && linked != NULL)
      {
        self->account = SEMPER_PAYMENT_SYSTEM (g_steal_pointer (&account));
        adapter.system = "account";
        adapter.user_data = self;
        adapter.reserve = account_reserve;
        adapter.pay = account_pay;
        adapter.commit = account_commit;
        adapter.release = account_release;
        semper_fx_buyer_add_payment_system (self->fx, &adapter);
      }
  }
  return TRUE;
}

SemperFxBuyer *
semper_purchase_get_fx_buyer (SemperPurchase *self)
{
  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);
  return self->fx;
}

GBytes *
semper_purchase_prepare (SemperPurchase *self,
                         GCancellable   *cancellable,
                         GError        **error)
{
  static const char * const members[] = { "session", "message", "offer", "order", NULL };
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) offer_raw = NULL;
  g_autoptr(SemperFxOffer) offer = NULL;
  g_autoptr(GBytes) their_order = NULL;
  g_autoptr(SemperDocument) their_doc = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(SemperCatalog) catalog = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *summary = NULL, *ttp_fp = NULL, *want = NULL, *got = NULL;
  const char *session = NULL, *message = NULL, *offer_b64 = NULL, *order_text = NULL;
  const SemperServiceStep *fx_step;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), NULL);

  if (self->state != SEMPER_PURCHASE_NEW)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("This purchase was prepared already"));
      return NULL;
    }
  problems = semper_purchase_validate (self);
  if (problems->len > 0)
    {
      g_autoptr(GString) text = g_string_new (_("The order form is not filled in correctly:"));

      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (text, "\n  %s",
                                ((SemperOrderProblem *) g_ptr_array_index (problems, i))->message);
      g_set_error_literal (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED, text->str);
      return NULL;
    }
  set_state (self, SEMPER_PURCHASE_REQUESTING_OFFER);

  /* Everything received about the service is evidence. */
  if (semper_archive_message_store (semper_profile_get_archive (self->profile),
                                    SEMPER_MESSAGE_IN, NULL, SEMPER_COMM_CONTENT_TYPE_CMS,
                                    self->description, error) == 0
      || semper_archive_message_store (semper_profile_get_archive (self->profile),
                                       SEMPER_MESSAGE_IN, NULL, SEMPER_COMM_CONTENT_TYPE_CMS,
                                       self->certification, error) == 0)
    goto failed;

  fx_step = fair_exchange_step (self->service);
  if (fx_step == NULL)
    {
      refuse (error, _("The service %s sells nothing by fair exchange"),
              semper_service_get_id (self->service));
      goto failed;
    }
  /* A flow that begins with the buyer's registration: register first. */
  if (g_strcmp0 (semper_service_get_start (self->service), "register") == 0
      || semper_flow_cursor_check (self->cursor, SEMPER_SERVICE_PARTY_BUYER,
                                   "statement/registration", NULL))
    {
      if (!do_register (self, cancellable, error))
        goto failed;
      if (self->items->len == 1)
        {
          const SemperServiceOffer *only = semper_service_find_offer (
            self->service, g_array_index (self->items, SemperShopItem, 0).item);

          if (only != NULL && g_str_equal (only->kind, "registration"))
            {
              /* Registration is free and needs no signature: done. */
              set_state (self, SEMPER_PURCHASE_DONE);
              return NULL;
            }
        }
    }

  /* Ask for the offer. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, semper_service_get_id (self->service));
  if (self->session != NULL)
    {
      json_builder_set_member_name (b, "session");
      json_builder_add_string_value (b, self->session);
    }
  json_builder_set_member_name (b, "buyer");
  json_builder_add_string_value (b, self->fingerprint);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->items->len; i++)
    {
      SemperShopItem *it = &g_array_index (self->items, SemperShopItem, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "item");
      json_builder_add_string_value (b, it->item);
      json_builder_set_member_name (b, "quantity");
      json_builder_add_int_value (b, it->quantity);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "answers");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, value);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  request = semper_json_builder_to_bytes (b);
  answer = _semper_shop_client_post (self->client, "/offer", SEMPER_COMM_CONTENT_TYPE_JSON,
                                     request, SEMPER_COMM_CONTENT_TYPE_JSON, cancellable, error);
  if (answer == NULL)
    goto failed;
  o = _semper_shop_parse_object (answer, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "offer answer", d, c, error)
      || !_semper_json_get_string (o, "session", 32, TRUE, "offer answer", &session, d, c,
                                   error)
      || !_semper_json_get_string (o, "message", 64, TRUE, "offer answer", &message, d, c,
                                   error)
      || !_semper_json_get_string (o, "offer", 64 * 1024, TRUE, "offer answer", &offer_b64, d,
                                   c, error)
      || !get_text (o, "order", &order_text, error))
    goto failed;
  /* The flow first: a message the signed service does not allow here is refused
   * whatever it contains. */
  if (!accept_merchant (self, message, error))
    goto failed;
  if (self->session != NULL && !g_str_equal (self->session, session))
    {
      refuse (error, _("The merchant answered in another session"));
      goto failed;
    }
  g_free (self->session);
  self->session = g_strdup (session);
  offer_raw = _semper_shop_unb64 (offer_b64, 48 * 1024, error);
  if (offer_raw == NULL)
    goto failed;
  offer = semper_fx_offer_verify (offer_raw, _semper_shop_client_get_trust (self->client),
                                  &local);
  if (offer == NULL)
    {
      refuse (error, _("The merchant's offer does not verify: %s"), local->message);
      goto failed;
    }
  if (!g_str_equal (offer->merchant, self->merchant_fp))
    {
      refuse (error, _("The offer is signed by another merchant than the certified service's"));
      goto failed;
    }
  ttp_fp = semper_sha256_hex (self->ttp_cert);
  if (!g_str_equal (offer->ttp, ttp_fp))
    {
      refuse (error, _("The offer names another TTP than the merchant's"));
      goto failed;
    }
  if (offer->expiry <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_EXPIRED,
                   _("The merchant's offer has expired"));
      goto failed;
    }

  /* Rebuild the order from the signed service: the items, the form and the
   * prices must be exactly the certified ones. */
  their_order = g_bytes_new (order_text, strlen (order_text));
  their_doc = semper_document_parse (their_order, &local);
  if (their_doc == NULL)
    {
      refuse (error, _("The merchant's order document is malformed: %s"), local->message);
      goto failed;
    }
  date = semper_document_get_date (their_doc, "Date", &local);
  if (date == NULL)
    {
      refuse (error, _("The merchant's order document has no valid date: %s"), local->message);
      goto failed;
    }
  if (semper_service_get_catalog_digest (self->service) != NULL)
    {
      catalog = _semper_shop_client_dup_catalog (self->client, self->service, cancellable,
                                                 error);
      if (catalog == NULL)
        goto failed;
    }
  self->order = _semper_shop_build_order (self->service, catalog,
                                          (const SemperShopItem *) (void *) self->items->data,
                                          self->items->len, self->answers, date, &self->single,
                                          error);
  if (self->order == NULL)
    goto failed;
  if (!g_bytes_equal (self->order, their_order))
    {
      refuse (error, _("The merchant's order differs from the signed service (items, prices "
                       "or form): refused, nothing was paid"));
      goto failed;
    }
  {
    g_autoptr(SemperDocument) mine = semper_document_parse (self->order, error);

    if (mine == NULL || !semper_document_get_amount (mine, "Total", &self->total, error))
      goto failed;
  }
  if (!semper_amount_equal (&offer->price, &self->total))
    {
      want = semper_amount_format (&self->total);
      got = semper_amount_format (&offer->price);
      refuse (error, _("The offer's price %s differs from the signed service's %s: refused, "
                       "nothing was paid"), got, want);
      goto failed;
    }
  summary = _semper_shop_order_summary (self->order);
  if (!g_str_equal (summary, offer->description)
      || !_semper_shop_order_fields_equal ((const char * const *) offer->order_fields,
                                           self->order))
    {
      refuse (error, _("The offer describes another order than the one asked for"));
      goto failed;
    }
  if (!setup_fx (self, error) || !choose_system (self, offer, error))
    goto failed;

  /* The fair exchange's first message is the buyer's order: check it is next. */
  if (!semper_flow_cursor_check (self->cursor, SEMPER_SERVICE_PARTY_BUYER, "fx/m1", &local))
    {
      refuse (error, _("The signed service does not allow an order now: %s"), local->message);
      goto failed;
    }
  self->exchange_id = semper_fx_buyer_prepare (self->fx, offer_raw, self->system,
                                               semper_shop_client_get_url (self->client),
                                               self->ttp_url, self->ttp_cert,
                                               &self->fx_document, error);
  if (self->exchange_id == NULL)
    goto failed;
  /* The order-form document belongs to the exchange as evidence of what was asked. */
  if (semper_archive_message_store (semper_profile_get_archive (self->profile),
                                    SEMPER_MESSAGE_IN, self->exchange_id, "text/plain",
                                    self->order, error) == 0)
    goto failed;
  set_state (self, SEMPER_PURCHASE_AWAITING_CONSENT);
  return g_bytes_ref (self->fx_document);

failed:
  set_state (self, SEMPER_PURCHASE_FAILED);
  return NULL;
}

/* The flow name of a fair-exchange message the merchant sent ("fx/m2"), or
 * NULL when it is not a valid signed protocol message at all. */
static char *
fx_message_name (SemperPurchase *self,
                 GBytes         *raw,
                 GError        **error)
{
  g_autoptr(SemperProtocolMessage) msg = NULL;
  g_autoptr(GError) local = NULL;

  msg = semper_protocol_message_verify (raw, _semper_shop_client_get_trust (self->client),
                                        &local);
  if (msg == NULL)
    return refuse (error, _("The merchant's answer is not a valid signed message: %s"),
                   local->message), NULL;
  return g_strdup_printf ("%s/%s", semper_protocol_message_get_protocol (msg),
                          semper_protocol_message_get_step (msg));
}

static gboolean
is_network_error (const GError *error)
{
  return error->domain == SEMPER_COMM_ERROR
         || g_error_matches (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_UNREACHABLE);
}

/* The fee @system reported for the payment @tid of @amount, into @fee;
 * left unknown (fee->currency[0] == '\0') when the system reports none.
 * @account: (nullable): the purchase's account system, when it has one. */
static void
payment_fee (SemperProfile       *profile,
             SemperPaymentSystem *account,
             const char          *system,
             const char          *tid,
             const SemperAmount  *amount,
             SemperAmount        *fee)
{
  g_autoptr(GObject) made = NULL;
  SemperPaymentSystem *ps = NULL;

  memset (fee, 0, sizeof *fee);
  if (g_strcmp0 (system, "account") == 0)
    {
      if (account == NULL)
        made = (GObject *) semper_account_system_new (profile, NULL);
      ps = account != NULL ? account : (SemperPaymentSystem *) made;
    }
  else if (g_strcmp0 (system, "ecash") == 0)
    ps = (SemperPaymentSystem *) (made = (GObject *) semper_ecash_system_new (profile, NULL));
  if (ps == NULL || !semper_payment_system_get_fee (ps, tid, amount, fee, NULL))
    memset (fee, 0, sizeof *fee);
}

static gint64
archive_receipt (SemperPurchase *self,
                 GBytes         *token,
                 GError        **error)
{
  SemperArchive *archive = semper_profile_get_archive (self->profile);
  SemperArchiveRecord record = { 0 };
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *order = g_strndup (g_bytes_get_data (self->order, NULL),
                                      g_bytes_get_size (self->order));
  g_autofree char *fx_doc = g_strndup (g_bytes_get_data (self->fx_document, NULL),
                                       g_bytes_get_size (self->fx_document));
  gint64 message_id;

  message_id = archive_in (self, token, error);
  if (message_id == 0)
    return 0;
  if (self->single != NULL)
    title = g_strdup (self->single->title);
  else if (self->items->len == 1)
    {
      SemperShopItem *it = &g_array_index (self->items, SemperShopItem, 0);
      const SemperServiceOffer *offer = semper_service_find_offer (self->service, it->item);

      title = g_strdup_printf ("%s: %s", semper_service_get_title (self->service),
                               offer != NULL ? offer->title : it->item);
    }
  else
    title = g_strdup_printf (_("%s: %u items"), semper_service_get_title (self->service),
                             self->items->len);
  text = g_strdup_printf ("%s\n%s", order, fx_doc);
  record.exchange_id = self->exchange_id;
  record.counterparty = (char *) semper_service_get_merchant (self->service);
  record.title = title;
  record.amount = self->total;
  record.payment_system = self->system;
  payment_fee (self->profile, self->account, self->system, self->exchange_id, &self->total,
               &record.fee);
  record.state = (char *) "paid";
  record.time = g_get_real_time () / G_USEC_PER_SEC;
  record.text = text;
  record.message_id = message_id;
  return semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &record, error);
}

gint64
semper_purchase_archive_resumed (SemperProfile  *profile,
                                 SemperFxBuyer  *fx,
                                 const char     *id,
                                 GError        **error)
{
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autofree char *state = semper_fx_buyer_dup_state (fx, id, error);
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autofree char *text = NULL;
  SemperArchiveRecord record = { 0 };
  const char *merchant;
  gint64 message_id;

  if (state == NULL)
    return -1;
  if (!g_str_equal (state, SEMPER_FX_DONE))
    return 0;
  existing = semper_archive_record_list (archive, SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL,
                                         error);
  if (existing == NULL)
    return -1;
  for (guint i = 0; i < existing->len; i++)
    if (g_strcmp0 (((SemperArchiveRecord *) g_ptr_array_index (existing, i))->exchange_id,
                   id) == 0)
      return 0;
  document = semper_fx_buyer_dup_document (fx, id, error);
  token = document != NULL ? semper_fx_buyer_dup_token (fx, id, error) : NULL;
  if (token == NULL)
    return -1;
  doc = semper_document_parse (document, error);
  if (doc == NULL || !semper_document_get_amount (doc, "Total", &record.amount, error))
    return -1;
  message_id = semper_archive_message_store (archive, SEMPER_MESSAGE_IN, id,
                                             SEMPER_COMM_CONTENT_TYPE_CMS, token, error);
  if (message_id == 0)
    return -1;
  merchant = semper_document_get_field (doc, "Merchant-Name");
  text = g_strndup (g_bytes_get_data (document, NULL), g_bytes_get_size (document));
  record.exchange_id = (char *) id;
  record.counterparty = (char *) (merchant != NULL ? merchant
                                                   : semper_document_get_field (doc, "Merchant"));
  record.title = (char *) semper_document_get_field (doc, "Title");
  record.payment_system = (char *) semper_document_get_field (doc, "Payment-System");
  payment_fee (profile, NULL, record.payment_system, id, &record.amount, &record.fee);
  record.state = (char *) "paid";
  record.time = g_get_real_time () / G_USEC_PER_SEC;
  record.text = text;
  record.message_id = message_id;
  message_id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &record, error);
  if (message_id <= 0)
    return -1;
  /* A subscription's credential: the merchant's, for this service, held by us. */
  {
    g_autoptr(GBytes) goods = semper_fx_buyer_dup_goods (fx, id, NULL);
    g_autoptr(SemperTrust) trust = semper_profile_dup_trust (profile, NULL);
    g_autoptr(GBytes) cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
    g_autofree char *holder = cert != NULL ? semper_sha256_hex (cert) : NULL;
    g_autoptr(SemperShopCredential) cred = NULL;

    if (goods != NULL && trust != NULL && holder != NULL)
      cred = _semper_shop_credential_verify (goods, trust, NULL);
    if (cred != NULL && g_str_equal (cred->kind, "subscription")
        && g_strcmp0 (cred->issuer, semper_document_get_field (doc, "Merchant")) == 0
        && g_strcmp0 (cred->service, semper_document_get_field (doc, "Service")) == 0
        && g_str_equal (cred->holder, holder))
      {
        SemperArchiveCredential stored = { 0 };

        stored.kind = cred->kind;
        stored.issuer = cred->issuer_name;
        stored.state = (char *) "valid";
        stored.body = goods;
        if (semper_archive_credential_insert (archive, &stored, error) == 0)
          return -1;
      }
    /* Other goods (a mail order's confirmation): kept as the merchant's
     * message of this exchange, as the purchase keeps them, when the
     * merchant signed them. */
    else if (goods != NULL && trust != NULL)
      {
        g_autoptr(SemperSignerInfo) signer = NULL;
        g_autoptr(GBytes) content = semper_cms_verify (goods, trust, &signer, NULL);

        if (content != NULL
            && g_strcmp0 (signer->fingerprint, semper_document_get_field (doc, "Merchant")) == 0
            && semper_archive_message_store (archive, SEMPER_MESSAGE_IN, id,
                                             SEMPER_COMM_CONTENT_TYPE_CMS, goods, error) == 0)
          return -1;
      }
  }
  return message_id;
}

char *
semper_purchase_resume (SemperProfile  *profile,
                        SemperFxBuyer  *fx,
                        const char     *id,
                        GError        **error)
{
  g_autoptr(SemperArchiveExchange) row =
    semper_archive_exchange_get (semper_profile_get_archive (profile), id, error);
  g_autofree char *state = NULL;

  if (row == NULL)
    return NULL;
  state = row->finished ? semper_fx_buyer_dup_state (fx, id, error)
                        : semper_fx_buyer_run (fx, id, error);
  if (state == NULL || semper_purchase_archive_resumed (profile, fx, id, error) < 0)
    return NULL;
  return g_steal_pointer (&state);
}

GPtrArray *
semper_purchase_resume_all (SemperProfile  *profile,
                            GError        **error)
{
  g_autoptr(GPtrArray) fx = semper_fx_ecash_resume_profile (profile, error);
  g_autoptr(SemperFxBuyer) reader = NULL;

  if (fx == NULL)
    return NULL;
  for (guint i = 0; i < fx->len; i++)
    {
      SemperFxResumed *r = g_ptr_array_index (fx, i);
      g_autoptr(GError) local = NULL;
      g_autofree char *state = NULL;

      if (g_strcmp0 (r->state, SEMPER_FX_DONE) != 0)
        continue;
      if (reader == NULL)
        reader = semper_fx_buyer_new (profile, &local);
      /* Finished already: resume only records it. */
      if (reader != NULL)
        state = semper_purchase_resume (profile, reader, r->id, &local);
      if (state == NULL)
        {
          g_free (r->error);
          r->error = g_strdup (local->message);
        }
    }
  return g_steal_pointer (&fx);
}

/* The confirmation's "order": [[name, value], …] is our order's fields. */
static gboolean
confirmation_repeats_order (JsonObject *confirmation,
                            GBytes     *order)
{
  JsonNode *node = json_object_get_member (confirmation, "order");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) fields = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *pair = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_ARRAY (pair) || json_array_get_length (json_node_get_array (pair)) != 2)
        return FALSE;
      for (guint j = 0; j < 2; j++)
        {
          JsonNode *text = json_array_get_element (json_node_get_array (pair), j);

          if (!JSON_NODE_HOLDS_VALUE (text) || json_node_get_value_type (text) != G_TYPE_STRING)
            return FALSE;
          g_strv_builder_add (builder, json_node_get_string (text));
        }
    }
  fields = g_strv_builder_end (builder);
  return _semper_shop_order_fields_equal ((const char * const *) fields, order);
}

/* What the merchant gave, checked: a credential is ours and of this service;
 * an order confirmation is the merchant's signature over our order. */
static gboolean
take_goods (SemperPurchase *self,
            GError        **error)
{
  const SemperServiceStep *step = fair_exchange_step (self->service);

  if (g_str_equal (step->merchant_gives, "credential"))
    {
      g_autoptr(SemperShopCredential) cred = check_credential (self, self->goods,
                                                               "subscription", error);

      return cred != NULL && store_credential (self, self->goods, cred, error);
    }
  if (g_str_equal (step->merchant_gives, "statement/confirmation"))
    {
      g_autoptr(SemperSignerInfo) signer = NULL;
      g_autoptr(GBytes) content = NULL;
      g_autoptr(JsonObject) o = NULL;
      g_autofree char *hash = semper_sha256_hex (self->order);
      g_autoptr(GError) local = NULL;
      JsonNode *node;

      content = semper_cms_verify (self->goods, _semper_shop_client_get_trust (self->client),
                                   &signer, &local);
      if (content == NULL)
        return refuse (error, _("The order confirmation does not verify: %s"), local->message);
      o = _semper_shop_parse_object (content, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BAD_ANSWER,
                                     error);
      if (o == NULL)
        return FALSE;
      node = json_object_get_member (o, "order_sha256");
      if (!g_str_equal (signer->fingerprint, self->merchant_fp) || node == NULL
          || json_node_get_value_type (node) != G_TYPE_STRING
          || !g_str_equal (json_node_get_string (node), hash))
        return refuse (error, _("The order confirmation is not the merchant's for this order"));
      if (!confirmation_repeats_order (o, self->order))
        return refuse (error, _("The order confirmation does not repeat the order's items and "
                                "delivery address"));
      return archive_in (self, self->goods, error) != 0;
    }
  return TRUE;
}

static gboolean
finish_exchange (SemperPurchase *self,
                 GError        **error)
{
  g_autofree char *state = semper_fx_buyer_dup_state (self->fx, self->exchange_id, error);
  g_autoptr(GBytes) token = NULL;

  if (state == NULL)
    return FALSE;
  if (g_str_equal (state, SEMPER_FX_ABORTED))
    {
      set_state (self, SEMPER_PURCHASE_ABORTED);
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("The purchase was aborted through the TTP; nothing was paid"));
      return FALSE;
    }
  if (g_str_equal (state, SEMPER_FX_REVOKED))
    {
      set_state (self, SEMPER_PURCHASE_REFUNDED);
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("The TTP revoked the payment (the goods did not match the offer); it is "
                     "refunded"));
      return FALSE;
    }
  if (!g_str_equal (state, SEMPER_FX_DONE))
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("The exchange is not finished (state %s); `semper resume` continues it"),
                   state);
      return FALSE;
    }
  self->goods = semper_fx_buyer_dup_goods (self->fx, self->exchange_id, error);
  token = semper_fx_buyer_dup_token (self->fx, self->exchange_id, error);
  if (self->goods == NULL || token == NULL)
    return FALSE;
  if (!take_goods (self, error))
    return FALSE;
  self->receipt_id = archive_receipt (self, token, error);
  if (self->receipt_id == 0)
    return FALSE;
  set_state (self, SEMPER_PURCHASE_DONE);
  return TRUE;
}

/* After a failure of the direct path: let the fair exchange finish by itself
 * (resend, then abort or resolve through the TTP). */
static gint64
fall_back (SemperPurchase *self,
           GError        **error)
{
  g_autofree char *state = NULL;

  set_state (self, SEMPER_PURCHASE_RESOLVING);
  state = semper_fx_buyer_run (self->fx, self->exchange_id, error);
  if (state == NULL)
    {
      set_state (self, SEMPER_PURCHASE_FAILED);
      return 0;
    }
  g_clear_error (error);
  if (!finish_exchange (self, error))
    return 0;
  return self->receipt_id;
}

/* Account payment (PROTOCOLS.md D): the merchant's invoice for H(m1), the
 * payment authorisation the user consents to, the proof fx sends in m3. */
static gboolean
pay_by_account (SemperPurchase *self,
                GBytes         *m1,
                GCancellable   *cancellable,
                GError        **error)
{
  static const char * const members[] = { "invoice", NULL };
  g_autofree char *key = semper_sha256_hex (m1);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) invoice = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  const char *invoice_b64 = NULL;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;

  if (self->consent_func == NULL)
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_DECLINED,
                   _("An account payment needs a second consent, and nobody can give it here"));
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, key);
  json_builder_end_object (b);
  request = semper_json_builder_to_bytes (b);
  answer = _semper_shop_client_post (self->client, "/invoice", SEMPER_COMM_CONTENT_TYPE_JSON,
                                     request, SEMPER_COMM_CONTENT_TYPE_JSON, cancellable, error);
  if (answer == NULL)
    return FALSE;
  o = _semper_shop_parse_object (answer, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "invoice answer", d, c, error)
      || !_semper_json_get_string (o, "invoice", 64 * 1024, TRUE, "invoice answer", &invoice_b64,
                                   d, c, error))
    return FALSE;
  invoice = _semper_shop_unb64 (invoice_b64, 48 * 1024, error);
  if (invoice == NULL || archive_in (self, invoice, error) == 0)
    return FALSE;
  if (!semper_payment_system_reserve (self->account, key, &self->total, error))
    return FALSE;
  g_free (self->account_key);
  self->account_key = g_strdup (key);
  /* The account system checks the invoice: its tid, merchant and price. */
  document = semper_payment_system_prepare (self->account, key, self->merchant_fp, invoice, error);
  if (document == NULL)
    return FALSE;
  consent = self->consent_func (self, document, _("payment authorisation"), self->consent_data,
                                error);
  if (consent == NULL)
    return FALSE;
  self->account_proof = semper_payment_system_pay (self->account, key, self->merchant_fp,
                                                   invoice, consent, error);
  return self->account_proof != NULL;
}

gint64
semper_purchase_complete (SemperPurchase *self,
                          SemperConsent  *consent,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GBytes) m1 = NULL;
  g_autoptr(GBytes) m2 = NULL;
  g_autoptr(GBytes) m3 = NULL;
  g_autoptr(GBytes) m4 = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SEMPER_IS_PURCHASE (self), 0);
  g_return_val_if_fail (SEMPER_IS_CONSENT (consent), 0);

  if (self->state != SEMPER_PURCHASE_AWAITING_CONSENT)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("Prepare the purchase before completing it"));
      return 0;
    }
  m1 = semper_fx_buyer_order (self->fx, self->exchange_id, consent, error);
  if (m1 == NULL)
    {
      set_state (self, SEMPER_PURCHASE_FAILED);
      return 0;
    }
  if (!accept_buyer (self, "fx/m1", error))
    return 0;
  set_state (self, SEMPER_PURCHASE_ORDERING);

  m2 = _semper_shop_client_post (self->client, "/fx/m1", SEMPER_COMM_CONTENT_TYPE_CMS, m1,
                                 SEMPER_COMM_CONTENT_TYPE_CMS, cancellable, &local);
  if (m2 == NULL)
    {
      if (!is_network_error (local) && !g_error_matches (local, SEMPER_SHOP_ERROR,
                                                         SEMPER_SHOP_ERROR_FAILED))
        {
          g_autofree char *state = semper_fx_buyer_abort (self->fx, self->exchange_id, NULL);

          set_state (self, SEMPER_PURCHASE_ABORTED);
          g_propagate_error (error, g_steal_pointer (&local));
          return 0;
        }
      return fall_back (self, error);
    }
  name = fx_message_name (self, m2, error);
  if (name == NULL || !accept_merchant (self, name, error))
    {
      /* Nothing was paid: abort through the TTP, so the merchant cannot go on either. */
      g_autofree char *state = semper_fx_buyer_abort (self->fx, self->exchange_id, NULL);

      set_state (self, SEMPER_PURCHASE_ABORTED);
      return 0;
    }
  if (g_strcmp0 (self->system, "account") == 0 && !pay_by_account (self, m1, cancellable, error))
    {
      g_autofree char *state = semper_fx_buyer_abort (self->fx, self->exchange_id, NULL);

      if (self->account_key != NULL)
        semper_payment_system_reclaim (self->account, self->account_key, NULL, NULL);
      set_state (self, SEMPER_PURCHASE_ABORTED);
      return 0;
    }
  m3 = semper_fx_buyer_receive_m2 (self->fx, self->exchange_id, m2, error);
  if (m3 == NULL)
    {
      g_autofree char *state = semper_fx_buyer_abort (self->fx, self->exchange_id, NULL);

      set_state (self, SEMPER_PURCHASE_ABORTED);
      return 0;
    }
  if (!accept_buyer (self, "fx/m3", error))
    return 0;
  set_state (self, SEMPER_PURCHASE_PAYING);

  m4 = _semper_shop_client_post (self->client, "/fx/m3", SEMPER_COMM_CONTENT_TYPE_CMS, m3,
                                 SEMPER_COMM_CONTENT_TYPE_CMS, cancellable, &local);
  g_clear_pointer (&name, g_free);
  if (m4 != NULL)
    name = fx_message_name (self, m4, NULL);
  if (m4 == NULL || name == NULL
      || !semper_flow_cursor_accept (self->cursor, SEMPER_SERVICE_PARTY_MERCHANT, name, NULL)
      || !semper_fx_buyer_receive_m4 (self->fx, self->exchange_id, m4, NULL))
    {
      /* Paid: the TTP finishes it (goods and receipt, or a revoke and refund). */
      if (local != NULL)
        g_debug ("The merchant did not deliver (%s): resolving through the TTP", local->message);
      return fall_back (self, error);
    }
  if (!finish_exchange (self, error))
    return 0;
  return self->receipt_id;
}

/* ---- async ------------------------------------------------------------------------ */

static void
prepare_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *doc = semper_purchase_prepare (source, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, (GDestroyNotify) g_bytes_unref);
}

void
semper_purchase_prepare_async (SemperPurchase      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, semper_purchase_prepare_async);
  g_task_run_in_thread (task, prepare_thread);
}

GBytes *
semper_purchase_prepare_finish (SemperPurchase *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
complete_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  gint64 id = semper_purchase_complete (source, task_data, cancellable, &error);

  if (id == 0)
    g_task_return_error (task, error);
  else
    {
      gint64 *result = g_new (gint64, 1);

      *result = id;
      g_task_return_pointer (task, result, g_free);
    }
}

void
semper_purchase_complete_async (SemperPurchase      *self,
                                SemperConsent       *consent,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, semper_purchase_complete_async);
  g_task_set_task_data (task, g_object_ref (consent), g_object_unref);
  g_task_run_in_thread (task, complete_thread);
}

gint64
semper_purchase_complete_finish (SemperPurchase *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? *id : 0;
}
