/* semper-service.c: commerce services as signed, certified data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-service.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-commerce-private.h"
#include "semper-document.h"
#include "semper-message.h"
#include "semper-money.h"

G_DEFINE_QUARK (semper-service-error-quark, semper_service_error)

#define INVALID SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_INVALID
#define MAX_TITLE 200
#define MAX_TEXT  4000
#define HASH_HEX  64

static const char * const payment_systems[] = { "ecash", "account", NULL };
static const char * const offer_kinds[] = {
  "digital-goods", "physical-goods", "subscription", "registration", "consultancy", NULL,
};
/* Business items (PROTOCOLS.md): payment, goods, credential, and statements. */
static const char * const items[] = {
  "payment", "goods", "credential", "statement/offer", "statement/order",
  "statement/confirmation", "statement/receipt", "statement/delivery-receipt",
  "statement/registration", "statement/contract", "statement/dispute", NULL,
};
static const char * const merchant_gives[] = {
  "goods", "credential", "statement/confirmation", "statement/receipt", NULL,
};
static const char * const fx_messages[] = { "fx/m1", "fx/m2", "fx/m3", "fx/m4" };
static const char * const asw_messages[] = { "asw/m1", "asw/m2", "asw/m3", "asw/m4" };

struct _SemperService
{
  GObject           parent_instance;

  GBytes           *bytes;
  char             *id;
  char             *title;
  char             *merchant;
  char             *currency;
  GStrv             terms;
  GStrv             payment_systems;
  char             *ttp_name;
  char             *ttp_fingerprint;
  char             *catalog_digest;
  guint             catalog_size;
  GPtrArray        *offers;   /* of SemperServiceOffer */
  SemperOrderForm  *order_form;
  char             *start;
  GPtrArray        *steps;    /* of SemperServiceStep */

  SemperSignerInfo *merchant_signer;
  SemperSignerInfo *evaluator_signer;
  GDateTime        *certified_until;
};

G_DEFINE_FINAL_TYPE (SemperService, semper_service, G_TYPE_OBJECT)

static void
offer_free (SemperServiceOffer *offer)
{
  g_free (offer->id);
  g_free (offer->title);
  g_free (offer->description);
  g_free (offer->kind);
  g_free (offer);
}

static void
step_free (SemperServiceStep *step)
{
  g_free (step->id);
  g_free (step->item);
  g_free (step->buyer_gives);
  g_free (step->merchant_gives);
  g_strfreev (step->next);
  g_free (step);
}

static void
semper_service_dispose (GObject *object)
{
  SemperService *self = SEMPER_SERVICE (object);

  g_clear_object (&self->order_form);

  G_OBJECT_CLASS (semper_service_parent_class)->dispose (object);
}

static void
semper_service_finalize (GObject *object)
{
  SemperService *self = SEMPER_SERVICE (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self->id);
  g_free (self->title);
  g_free (self->merchant);
  g_free (self->currency);
  g_strfreev (self->terms);
  g_strfreev (self->payment_systems);
  g_free (self->ttp_name);
  g_free (self->ttp_fingerprint);
  g_free (self->catalog_digest);
  g_clear_pointer (&self->offers, g_ptr_array_unref);
  g_free (self->start);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->merchant_signer, semper_signer_info_unref);
  g_clear_pointer (&self->evaluator_signer, semper_signer_info_unref);
  g_clear_pointer (&self->certified_until, g_date_time_unref);

  G_OBJECT_CLASS (semper_service_parent_class)->finalize (object);
}

static void
semper_service_class_init (SemperServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_service_dispose;
  object_class->finalize = semper_service_finalize;
}

static void
semper_service_init (SemperService *self)
{
  self->offers = g_ptr_array_new_with_free_func ((GDestroyNotify) offer_free);
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
}

static gboolean
is_hex (const char *text,
        gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;
  return TRUE;
}

/* A list of distinct strings, each one of @vocabulary (or any identifier
 * when @vocabulary is NULL; or any plain text when @text). */
static GStrv
get_string_list (JsonObject          *object,
                 const char          *member,
                 guint                min,
                 guint                max,
                 gsize                max_len,
                 const char * const  *vocabulary,
                 gboolean             text,
                 const char          *where,
                 GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint n;

  if (!_semper_json_get_array (object, member, min, max, TRUE, where, &array, INVALID, error))
    return NULL;
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *value;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          (value = json_node_get_string (node)) == NULL || value[0] == '\0' ||
          strlen (value) > max_len || !_semper_commerce_is_plain_text (value))
        {
          g_set_error (error, INVALID,
                       _("%s: “%s” element %u must be a non-empty string of at most %zu"
                         " bytes without control characters"),
                       where, member, i + 1, max_len);
          return NULL;
        }
      if (vocabulary != NULL && !g_strv_contains (vocabulary, value))
        {
          g_autofree char *known = g_strjoinv (", ", (GStrv) vocabulary);

          g_set_error (error, INVALID, _("%s: “%s” is not one of %s"), where, value, known);
          return NULL;
        }
      if (vocabulary == NULL && !text && !_semper_commerce_is_identifier (value))
        {
          g_set_error (error, INVALID, _("%s: “%s” is not an identifier"), where, value);
          return NULL;
        }
      if (!text)
        for (guint j = 0; j < i; j++)
          if (g_strcmp0 (json_array_get_string_element (array, j), value) == 0)
            {
              g_set_error (error, INVALID, _("%s: “%s” appears twice in “%s”"), where, value,
                           member);
              return NULL;
            }
      g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

static gboolean
get_identifier (JsonObject  *object,
                const char  *member,
                const char  *where,
                const char **out,
                GError     **error)
{
  if (!_semper_json_get_string (object, member, 64, TRUE, where, out, INVALID, error))
    return FALSE;
  if (!_semper_commerce_is_identifier (*out))
    {
      g_set_error (error, INVALID, _("%s: “%s” is not an identifier (a-z, 0-9, -)"), where,
                   *out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_one_of (JsonObject          *object,
            const char          *member,
            const char * const  *vocabulary,
            const char          *where,
            const char         **out,
            GError             **error)
{
  if (!_semper_json_get_string (object, member, 64, TRUE, where, out, INVALID, error))
    return FALSE;
  if (!g_strv_contains (vocabulary, *out))
    {
      g_autofree char *known = g_strjoinv (", ", (GStrv) vocabulary);

      g_set_error (error, INVALID, _("%s: “%s” is “%s”, not one of %s"), where, member, *out,
                   known);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_offer (SemperService  *self,
             JsonNode       *node,
             guint           index,
             GError        **error)
{
  static const char * const members[] = {
    "id", "title", "description", "kind", "price", "validity_days", NULL,
  };
  g_autofree char *where = g_strdup_printf (_("offer %u"), index + 1);
  SemperServiceOffer *offer;
  JsonObject *object;
  const char *id, *title, *description, *kind, *price;
  g_autoptr(GError) local = NULL;
  gint64 days;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, INVALID, _("%s: must be an object"), where);
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!_semper_json_check_members (object, members, where, INVALID, error) ||
      !get_identifier (object, "id", where, &id, error))
    return FALSE;
  g_free (where);
  where = g_strdup_printf (_("offer “%s”"), id);
  if (semper_service_find_offer (self, id) != NULL)
    {
      g_set_error (error, INVALID, _("%s: the id appears twice"), where);
      return FALSE;
    }
  if (!_semper_json_get_string (object, "title", MAX_TITLE, TRUE, where, &title, INVALID,
                                error) ||
      !_semper_json_get_string (object, "description", MAX_TEXT, FALSE, where, &description,
                                INVALID, error) ||
      !get_one_of (object, "kind", offer_kinds, where, &kind, error) ||
      !_semper_json_get_string (object, "price", 64, TRUE, where, &price, INVALID, error))
    return FALSE;

  offer = g_new0 (SemperServiceOffer, 1);
  g_ptr_array_add (self->offers, offer);
  offer->id = g_strdup (id);
  offer->title = g_strdup (title);
  offer->description = g_strdup (description);
  offer->kind = g_strdup (kind);
  if (!semper_amount_parse (price, &offer->price, &local) || offer->price.minor < 0)
    {
      g_set_error (error, INVALID, _("%s: the price “%s” is not an amount: %s"), where, price,
                   local ? local->message : _("negative"));
      return FALSE;
    }
  if (g_strcmp0 (offer->price.currency, self->currency) != 0)
    {
      g_set_error (error, INVALID, _("%s: the price is not in the service's currency %s"),
                   where, self->currency);
      return FALSE;
    }
  if (!_semper_json_get_int (object, "validity_days", 1, 3660, g_strcmp0 (kind, "subscription")
                             == 0, 0, where, &days, INVALID, error))
    return FALSE;
  if (days != 0 && g_strcmp0 (kind, "subscription") != 0)
    {
      g_set_error (error, INVALID, _("%s: only a subscription has “validity_days”"), where);
      return FALSE;
    }
  offer->validity_days = days;
  return TRUE;
}

static gboolean
parse_step (SemperService  *self,
            JsonNode       *node,
            guint           index,
            GError        **error)
{
  static const char * const members[] = {
    "id", "kind", "from", "item", "buyer_gives", "merchant_gives", "next", "final", NULL,
  };
  static const char * const kinds[] = {
    "transfer", "fair-exchange", "contract-signing", NULL,
  };
  static const char * const parties[] = { "buyer", "merchant", NULL };
  g_autofree char *where = g_strdup_printf (_("step %u"), index + 1);
  SemperServiceStep *step;
  JsonObject *object;
  const char *id, *kind, *value;
  gboolean final;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, INVALID, _("%s: must be an object"), where);
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!_semper_json_check_members (object, members, where, INVALID, error) ||
      !get_identifier (object, "id", where, &id, error))
    return FALSE;
  g_free (where);
  where = g_strdup_printf (_("step “%s”"), id);
  if (semper_service_find_step (self, id) != NULL)
    {
      g_set_error (error, INVALID, _("%s: the id appears twice"), where);
      return FALSE;
    }
  if (!get_one_of (object, "kind", kinds, where, &kind, error))
    return FALSE;

  step = g_new0 (SemperServiceStep, 1);
  g_ptr_array_add (self->steps, step);
  step->id = g_strdup (id);
  step->kind = g_strcmp0 (kind, "transfer") == 0 ? SEMPER_SERVICE_STEP_TRANSFER
               : g_strcmp0 (kind, "fair-exchange") == 0 ? SEMPER_SERVICE_STEP_FAIR_EXCHANGE
               : SEMPER_SERVICE_STEP_CONTRACT_SIGNING;

  if (step->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE)
    {
      /* The buyer starts a fair exchange (fx/m1 is the order); what the
       * buyer gives is a payment (PROTOCOLS.md B). */
      if (json_object_has_member (object, "from") || json_object_has_member (object, "item"))
        {
          g_set_error (error, INVALID,
                       _("%s: a fair exchange names “buyer_gives” and “merchant_gives”, "
                         "not “from” or “item”"), where);
          return FALSE;
        }
      step->from = SEMPER_SERVICE_PARTY_BUYER;
      if (!get_one_of (object, "buyer_gives", (const char * const[]) { "payment", NULL },
                       where, &value, error))
        return FALSE;
      step->buyer_gives = g_strdup (value);
      if (!get_one_of (object, "merchant_gives", merchant_gives, where, &value, error))
        return FALSE;
      step->merchant_gives = g_strdup (value);
    }
  else
    {
      if (json_object_has_member (object, "buyer_gives") ||
          json_object_has_member (object, "merchant_gives"))
        {
          g_set_error (error, INVALID,
                       _("%s: only a fair exchange has “buyer_gives” and “merchant_gives”"),
                       where);
          return FALSE;
        }
      if (!get_one_of (object, "from", parties, where, &value, error))
        return FALSE;
      step->from = g_strcmp0 (value, "buyer") == 0 ? SEMPER_SERVICE_PARTY_BUYER
                                                   : SEMPER_SERVICE_PARTY_MERCHANT;
      if (!get_one_of (object, "item", items, where, &value, error))
        return FALSE;
      step->item = g_strdup (value);
      if (step->kind == SEMPER_SERVICE_STEP_CONTRACT_SIGNING &&
          g_strcmp0 (value, "statement/contract") != 0)
        {
          g_set_error (error, INVALID, _("%s: a contract signing signs “statement/contract”"),
                       where);
          return FALSE;
        }
      if (step->kind == SEMPER_SERVICE_STEP_TRANSFER &&
          g_strcmp0 (value, "statement/contract") == 0)
        {
          g_set_error (error, INVALID,
                       _("%s: a contract is signed by a contract signing, not transferred"),
                       where);
          return FALSE;
        }
    }

  step->next = get_string_list (object, "next", 0, SEMPER_SERVICE_MAX_NEXT, 64, NULL, FALSE,
                                where, error);
  if (step->next == NULL)
    return FALSE;
  if (!_semper_json_get_bool (object, "final", FALSE, where, &final, INVALID, error))
    return FALSE;
  step->final = final;
  if (!final && step->next[0] == NULL)
    {
      g_set_error (error, INVALID,
                   _("%s: nothing may follow it, so it must be “final”"), where);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_flow (SemperService  *self,
            GError        **error)
{
  g_autoptr(GHashTable) reached = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) todo = g_queue_new ();

  if (semper_service_find_step (self, self->start) == NULL)
    {
      g_set_error (error, INVALID, _("flow: the start step “%s” does not exist"), self->start);
      return FALSE;
    }
  for (guint i = 0; i < self->steps->len; i++)
    {
      SemperServiceStep *step = g_ptr_array_index (self->steps, i);

      for (guint j = 0; step->next[j] != NULL; j++)
        if (semper_service_find_step (self, step->next[j]) == NULL)
          {
            g_set_error (error, INVALID, _("step “%s”: the next step “%s” does not exist"),
                         step->id, step->next[j]);
            return FALSE;
          }
    }
  g_hash_table_add (reached, self->start);
  g_queue_push_tail (todo, self->start);
  while (!g_queue_is_empty (todo))
    {
      const SemperServiceStep *step = semper_service_find_step (self, g_queue_pop_head (todo));

      for (guint j = 0; step->next[j] != NULL; j++)
        if (g_hash_table_add (reached, step->next[j]))
          g_queue_push_tail (todo, step->next[j]);
    }
  for (guint i = 0; i < self->steps->len; i++)
    {
      SemperServiceStep *step = g_ptr_array_index (self->steps, i);

      if (!g_hash_table_contains (reached, step->id))
        {
          g_set_error (error, INVALID, _("step “%s” cannot be reached from the start"),
                       step->id);
          return FALSE;
        }
    }
  /* Which step comes next must be clear from the first message: two steps
   * that may follow the same point may not begin with the same message from
   * the same party. */
  for (guint i = 0; i <= self->steps->len; i++)
    {
      const char *start_only[] = { self->start, NULL };
      const char * const *next;
      const char *point;

      if (i == self->steps->len)
        {
          next = start_only;
          point = _("the start");
        }
      else
        {
          SemperServiceStep *step = g_ptr_array_index (self->steps, i);

          next = (const char * const *) step->next;
          point = step->id;
        }
      for (guint a = 0; next[a] != NULL; a++)
        for (guint b = a + 1; next[b] != NULL; b++)
          {
            const SemperServiceStep *sa = semper_service_find_step (self, next[a]);
            const SemperServiceStep *sb = semper_service_find_step (self, next[b]);
            SemperServiceParty pa, pb;
            const char *ma = semper_service_step_message (sa, 0, &pa);
            const char *mb = semper_service_step_message (sb, 0, &pb);

            if (pa == pb && g_strcmp0 (ma, mb) == 0)
              {
                g_set_error (error, INVALID,
                             _("after %s, the steps “%s” and “%s” both begin with “%s”"),
                             point, sa->id, sb->id, ma);
                return FALSE;
              }
          }
    }
  return TRUE;
}

static SemperService *
parse_object (JsonObject  *object,
              GError     **error)
{
  static const char * const members[] = {
    "format", "version", "id", "title", "merchant", "terms", "currency", "payment_systems",
    "ttp", "catalog", "offers", "order_form", "flow", NULL,
  };
  static const char * const ttp_members[] = { "name", "fingerprint", NULL };
  static const char * const catalog_members[] = { "articles", "digest", NULL };
  static const char * const flow_members[] = { "start", "steps", NULL };
  const char *where = _("service description");
  g_autoptr(SemperService) self = g_object_new (SEMPER_TYPE_SERVICE, NULL);
  const char *format, *id, *title, *merchant, *currency, *value;
  JsonObject *ttp, *catalog, *form, *flow;
  JsonArray *offers, *steps;
  g_autoptr(GError) local = NULL;
  gint64 number;

  if (!_semper_json_check_members (object, members, where, INVALID, error) ||
      !_semper_json_get_string (object, "format", 32, TRUE, where, &format, INVALID, error))
    return NULL;
  if (g_strcmp0 (format, "semper-service") != 0)
    {
      g_set_error (error, INVALID, _("%s: the format is “%s”, not “semper-service”"), where,
                   format);
      return NULL;
    }
  if (!_semper_json_get_int (object, "version", 1, 1, TRUE, 0, where, &number, INVALID, error) ||
      !get_identifier (object, "id", where, &id, error) ||
      !_semper_json_get_string (object, "title", MAX_TITLE, TRUE, where, &title, INVALID,
                                error) ||
      !_semper_json_get_string (object, "merchant", MAX_TITLE, TRUE, where, &merchant, INVALID,
                                error) ||
      !_semper_json_get_string (object, "currency", 3, TRUE, where, &currency, INVALID, error))
    return NULL;
  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->merchant = g_strdup (merchant);
  if (semper_currency_decimals (currency) < 0)
    {
      g_set_error (error, INVALID, _("%s: “%s” is not an ISO 4217 currency"), where, currency);
      return NULL;
    }
  self->currency = g_strdup (currency);

  self->terms = get_string_list (object, "terms", 1, SEMPER_SERVICE_MAX_TERMS, MAX_TEXT, NULL,
                                 TRUE, where, error);
  if (self->terms == NULL)
    return NULL;
  self->payment_systems = get_string_list (object, "payment_systems", 1, 8, 32, payment_systems,
                                           FALSE, where, error);
  if (self->payment_systems == NULL)
    return NULL;

  if (!_semper_json_get_object (object, "ttp", TRUE, where, &ttp, INVALID, error) ||
      !_semper_json_check_members (ttp, ttp_members, _("ttp"), INVALID, error) ||
      !_semper_json_get_string (ttp, "name", MAX_TITLE, TRUE, _("ttp"), &value, INVALID, error))
    return NULL;
  self->ttp_name = g_strdup (value);
  if (!_semper_json_get_string (ttp, "fingerprint", HASH_HEX, FALSE, _("ttp"), &value, INVALID,
                                error))
    return NULL;
  if (value != NULL && !is_hex (value, HASH_HEX))
    {
      g_set_error (error, INVALID,
                   _("ttp: the fingerprint must be 64 lower-case hex digits (SHA-256)"));
      return NULL;
    }
  self->ttp_fingerprint = g_strdup (value);

  if (!_semper_json_get_object (object, "catalog", FALSE, where, &catalog, INVALID, error))
    return NULL;
  if (catalog != NULL)
    {
      if (!_semper_json_check_members (catalog, catalog_members, _("catalog"), INVALID, error) ||
          !_semper_json_get_int (catalog, "articles", 1, 10000000, TRUE, 0, _("catalog"),
                                 &number, INVALID, error) ||
          !_semper_json_get_string (catalog, "digest", HASH_HEX, TRUE, _("catalog"), &value,
                                    INVALID, error))
        return NULL;
      if (!is_hex (value, HASH_HEX))
        {
          g_set_error (error, INVALID,
                       _("catalog: the digest must be 64 lower-case hex digits (SHA-256)"));
          return NULL;
        }
      self->catalog_size = number;
      self->catalog_digest = g_strdup (value);
    }

  if (!_semper_json_get_array (object, "offers", 0, SEMPER_SERVICE_MAX_OFFERS, TRUE, where,
                               &offers, INVALID, error))
    return NULL;
  for (guint i = 0; i < json_array_get_length (offers); i++)
    if (!parse_offer (self, json_array_get_element (offers, i), i, error))
      return NULL;
  if (self->offers->len == 0 && self->catalog_digest == NULL)
    {
      g_set_error (error, INVALID, _("%s: no offers and no catalog"), where);
      return NULL;
    }

  if (!_semper_json_get_object (object, "order_form", TRUE, where, &form, INVALID, error))
    return NULL;
  self->order_form = semper_order_form_new_from_json (form, &local);
  if (self->order_form == NULL)
    {
      g_set_error (error, INVALID, _("%s: %s"), where, local->message);
      return NULL;
    }

  if (!_semper_json_get_object (object, "flow", TRUE, where, &flow, INVALID, error) ||
      !_semper_json_check_members (flow, flow_members, _("flow"), INVALID, error) ||
      !get_identifier (flow, "start", _("flow"), &value, error) ||
      !_semper_json_get_array (flow, "steps", 1, SEMPER_SERVICE_MAX_STEPS, TRUE, _("flow"),
                               &steps, INVALID, error))
    return NULL;
  self->start = g_strdup (value);
  for (guint i = 0; i < json_array_get_length (steps); i++)
    if (!parse_step (self, json_array_get_element (steps, i), i, error))
      return NULL;
  if (!check_flow (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * semper_service_parse:
 * @json: a service description (at most SEMPER_SERVICE_MAX_SIZE bytes)
 *
 * Strict (docs/commerce.md): duplicate and unknown members, wrong types,
 * unknown vocabulary, broken limits and an inconsistent flow are refused.
 * The exact bytes are kept (semper_service_get_bytes).
 *
 * Returns: (transfer full) (nullable): the service, or %NULL with
 *   %SEMPER_SERVICE_ERROR_INVALID
 */
SemperService *
semper_service_parse (GBytes  *json,
                      GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  SemperService *self;

  g_return_val_if_fail (json != NULL, NULL);

  root = semper_message_parse (json, SEMPER_SERVICE_MAX_SIZE, &local);
  if (root == NULL)
    {
      g_set_error (error, INVALID, _("service description: %s"), local->message);
      return NULL;
    }
  self = parse_object (json_node_get_object (root), error);
  if (self != NULL)
    self->bytes = g_bytes_ref (json);
  return self;
}

/**
 * semper_service_sign:
 * @merchant: the merchant's keys (role `merchant`)
 *
 * Returns: (transfer full) (nullable): CMS SignedData over the exact bytes
 */
GBytes *
semper_service_sign (SemperService  *self,
                     SemperCrypto   *merchant,
                     GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  g_return_val_if_fail (SEMPER_IS_CRYPTO (merchant), NULL);

  return semper_cms_sign_message (merchant, self->bytes, error);
}

static gboolean
require_role (SemperSignerInfo  *signer,
              const char        *role,
              const char        *what,
              GError           **error)
{
  if (signer->trusted && g_strcmp0 (signer->role, role) == 0)
    return TRUE;
  g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE,
               _("The %s is signed by “%s”, whose certificate has the role “%s”, not “%s”"),
               what, signer->common_name, signer->role ? signer->role : "", role);
  return FALSE;
}

/* Verifies the merchant's signature; returns the content and the signer. */
static GBytes *
verify_description (GBytes            *signed_description,
                    SemperTrust       *trust,
                    SemperSignerInfo **signer,
                    SemperService    **service,
                    GError           **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(SemperService) parsed = NULL;

  content = semper_cms_verify (signed_description, trust, &info, error);
  if (content == NULL)
    {
      g_prefix_error (error, _("The merchant's signature on the service description: "));
      return NULL;
    }
  if (!require_role (info, SEMPER_ROLE_MERCHANT, _("service description"), error))
    return NULL;
  parsed = semper_service_parse (content, error);
  if (parsed == NULL)
    return NULL;
  if (g_strcmp0 (parsed->merchant, info->common_name) != 0)
    {
      g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE,
                   _("The service description names the merchant “%s” but is signed by “%s”"),
                   parsed->merchant, info->common_name);
      return NULL;
    }
  *signer = g_steal_pointer (&info);
  *service = g_steal_pointer (&parsed);
  return g_steal_pointer (&content);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * semper_service_certify:
 * @evaluator: the evaluator's keys (role `evaluator`)
 * @trust: the pinned root the merchant's certificate must chain to
 * @signed_description: what semper_service_sign() made
 * @not_before: start of the certification's validity
 * @not_after: its end
 *
 * An evaluator certifies only a description that verifies and parses: the
 * certification is Sig_E({"format": "semper-service-certification",
 * "version": 1, "service": id, "description_sha256": H(description),
 * "merchant": fingerprint of the merchant's certificate, "not_before",
 * "not_after"}).
 *
 * Returns: (transfer full) (nullable): the certification (CMS SignedData)
 */
GBytes *
semper_service_certify (SemperCrypto  *evaluator,
                        SemperTrust   *trust,
                        GBytes        *signed_description,
                        GDateTime     *not_before,
                        GDateTime     *not_after,
                        GError       **error)
{
  g_autoptr(SemperSignerInfo) merchant = NULL;
  g_autoptr(SemperService) service = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hash = NULL, *from = NULL, *until = NULL, *json = NULL;
  gsize len;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (evaluator), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);
  g_return_val_if_fail (not_before != NULL && not_after != NULL, NULL);

  if (g_date_time_compare (not_before, not_after) >= 0)
    {
      g_set_error (error, INVALID, _("The certification would end before it begins"));
      return NULL;
    }
  content = verify_description (signed_description, trust, &merchant, &service, error);
  if (content == NULL)
    return NULL;

  hash = semper_sha256_hex (content);
  from = format_time (not_before);
  until = format_time (not_after);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "semper-service-certification");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "service");
  json_builder_add_string_value (builder, service->id);
  json_builder_set_member_name (builder, "description_sha256");
  json_builder_add_string_value (builder, hash);
  json_builder_set_member_name (builder, "merchant");
  json_builder_add_string_value (builder, merchant->fingerprint);
  json_builder_set_member_name (builder, "not_before");
  json_builder_add_string_value (builder, from);
  json_builder_set_member_name (builder, "not_after");
  json_builder_add_string_value (builder, until);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &len);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), len);

    return semper_cms_sign_message (evaluator, bytes, error);
  }
}

/**
 * semper_service_verify:
 * @signed_description: the merchant's SignedData over the description
 * @certification: the evaluator's SignedData over the certification
 * @trust: the pinned root
 * @now: (nullable): the time to check the validity at; %NULL for now
 *
 * Checks both signatures and chains (semper_cms_verify), that the
 * description is signed by a `merchant` certificate whose CN is the
 * description's merchant and the certification by an `evaluator`
 * certificate, that the certification names this service id, the SHA-256 of
 * exactly these description bytes and this merchant certificate, and that
 * @now lies inside its validity.
 *
 * Returns: (transfer full) (nullable): the certified service, or %NULL with a
 *   SEMPER_CRYPTO_ERROR (signature, chain, revocation) or SEMPER_SERVICE_ERROR
 */
SemperService *
semper_service_verify (GBytes     *signed_description,
                       GBytes     *certification,
                       SemperTrust *trust,
                       GDateTime  *now,
                       GError    **error)
{
  static const char * const members[] = {
    "format", "version", "service", "description_sha256", "merchant", "not_before",
    "not_after", NULL,
  };
  const char *where = _("service certification");
  g_autoptr(SemperSignerInfo) merchant = NULL;
  g_autoptr(SemperSignerInfo) evaluator = NULL;
  g_autoptr(SemperService) service = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) cert_content = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) from = NULL, until = NULL, current = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *hash = NULL;
  const char *format, *id, *sha, *fingerprint, *value;
  JsonObject *object;
  gint64 version;

  g_return_val_if_fail (signed_description != NULL && certification != NULL, NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);

  content = verify_description (signed_description, trust, &merchant, &service, error);
  if (content == NULL)
    return NULL;

  cert_content = semper_cms_verify (certification, trust, &evaluator, error);
  if (cert_content == NULL)
    {
      g_prefix_error (error, _("The evaluator's certification of the service: "));
      return NULL;
    }
  if (!require_role (evaluator, SEMPER_ROLE_EVALUATOR, where, error))
    return NULL;

  root = semper_message_parse (cert_content, SEMPER_SERVICE_CERTIFICATION_MAX_SIZE, &local);
  if (root == NULL)
    {
      g_set_error (error, INVALID, _("%s: %s"), where, local->message);
      return NULL;
    }
  object = json_node_get_object (root);
  if (!_semper_json_check_members (object, members, where, INVALID, error) ||
      !_semper_json_get_string (object, "format", 64, TRUE, where, &format, INVALID, error) ||
      !_semper_json_get_int (object, "version", 1, 1, TRUE, 0, where, &version, INVALID,
                             error) ||
      !_semper_json_get_string (object, "service", 64, TRUE, where, &id, INVALID, error) ||
      !_semper_json_get_string (object, "description_sha256", HASH_HEX, TRUE, where, &sha,
                                INVALID, error) ||
      !_semper_json_get_string (object, "merchant", HASH_HEX, TRUE, where, &fingerprint,
                                INVALID, error))
    return NULL;
  if (g_strcmp0 (format, "semper-service-certification") != 0)
    {
      g_set_error (error, INVALID, _("%s: the format is “%s”"), where, format);
      return NULL;
    }
  if (!_semper_json_get_string (object, "not_before", 32, TRUE, where, &value, INVALID, error))
    return NULL;
  from = semper_document_parse_date (value, NULL);
  if (!_semper_json_get_string (object, "not_after", 32, TRUE, where, &value, INVALID, error))
    return NULL;
  until = semper_document_parse_date (value, NULL);
  if (from == NULL || until == NULL)
    {
      g_set_error (error, INVALID, _("%s: the validity dates are not RFC 3339 UTC dates"),
                   where);
      return NULL;
    }

  hash = semper_sha256_hex (content);
  if (g_strcmp0 (id, service->id) != 0 || g_strcmp0 (sha, hash) != 0)
    {
      g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_CERTIFIED,
                   _("The evaluator “%s” certified another description than this one of "
                     "the service “%s” (altered after certification?)"),
                   evaluator->common_name, service->id);
      return NULL;
    }
  if (g_strcmp0 (fingerprint, merchant->fingerprint) != 0)
    {
      g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_CERTIFIED,
                   _("The evaluator “%s” certified the service “%s” for another merchant "
                     "certificate than the one that signed it"),
                   evaluator->common_name, service->id);
      return NULL;
    }
  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  if (g_date_time_compare (current, from) < 0 || g_date_time_compare (current, until) > 0)
    {
      g_autofree char *a = format_time (from), *b = format_time (until);

      g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_EXPIRED,
                   _("The certification of the service “%s” is valid from %s to %s only"),
                   service->id, a, b);
      return NULL;
    }

  service->merchant_signer = g_steal_pointer (&merchant);
  service->evaluator_signer = g_steal_pointer (&evaluator);
  service->certified_until = g_steal_pointer (&until);
  return g_steal_pointer (&service);
}

GBytes *
semper_service_get_bytes (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->bytes;
}

const char *
semper_service_get_id (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->id;
}

const char *
semper_service_get_title (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->title;
}

const char *
semper_service_get_merchant (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->merchant;
}

const char *
semper_service_get_currency (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->currency;
}

const char * const *
semper_service_get_terms (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return (const char * const *) self->terms;
}

const char * const *
semper_service_get_payment_systems (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return (const char * const *) self->payment_systems;
}

gboolean
semper_service_accepts_payment_system (SemperService *self,
                                       const char    *system)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), FALSE);
  return system != NULL && g_strv_contains ((const char * const *) self->payment_systems, system);
}

const char *
semper_service_get_ttp_name (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->ttp_name;
}

const char *
semper_service_get_ttp_fingerprint (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->ttp_fingerprint;
}

const char *
semper_service_get_catalog_digest (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->catalog_digest;
}

guint
semper_service_get_catalog_size (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), 0);
  return self->catalog_size;
}

guint
semper_service_get_n_offers (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), 0);
  return self->offers->len;
}

/**
 * semper_service_get_offer:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperServiceOffer *
semper_service_get_offer (SemperService *self,
                          guint          index)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return index < self->offers->len ? g_ptr_array_index (self->offers, index) : NULL;
}

/**
 * semper_service_find_offer:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperServiceOffer *
semper_service_find_offer (SemperService *self,
                           const char    *id)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  for (guint i = 0; i < self->offers->len; i++)
    {
      SemperServiceOffer *offer = g_ptr_array_index (self->offers, i);

      if (g_strcmp0 (offer->id, id) == 0)
        return offer;
    }
  return NULL;
}

/**
 * semper_service_get_order_form:
 *
 * Returns: (transfer none)
 */
SemperOrderForm *
semper_service_get_order_form (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->order_form;
}

const char *
semper_service_get_start (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->start;
}

guint
semper_service_get_n_steps (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), 0);
  return self->steps->len;
}

/**
 * semper_service_get_step:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperServiceStep *
semper_service_get_step (SemperService *self,
                         guint          index)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return index < self->steps->len ? g_ptr_array_index (self->steps, index) : NULL;
}

/**
 * semper_service_find_step:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperServiceStep *
semper_service_find_step (SemperService *self,
                          const char    *id)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  for (guint i = 0; i < self->steps->len; i++)
    {
      SemperServiceStep *step = g_ptr_array_index (self->steps, i);

      if (g_strcmp0 (step->id, id) == 0)
        return step;
    }
  return NULL;
}

/**
 * semper_service_get_merchant_signer:
 *
 * Returns: (transfer none) (nullable): set by semper_service_verify()
 */
SemperSignerInfo *
semper_service_get_merchant_signer (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->merchant_signer;
}

/**
 * semper_service_get_evaluator_signer:
 *
 * Returns: (transfer none) (nullable): set by semper_service_verify()
 */
SemperSignerInfo *
semper_service_get_evaluator_signer (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->evaluator_signer;
}

/**
 * semper_service_get_certified_until:
 *
 * Returns: (transfer none) (nullable): set by semper_service_verify()
 */
GDateTime *
semper_service_get_certified_until (SemperService *self)
{
  g_return_val_if_fail (SEMPER_IS_SERVICE (self), NULL);
  return self->certified_until;
}

guint
semper_service_step_n_messages (const SemperServiceStep *step)
{
  g_return_val_if_fail (step != NULL, 0);
  return step->kind == SEMPER_SERVICE_STEP_TRANSFER ? 1 : 4;
}

/**
 * semper_service_step_message:
 * @sender: (out) (optional): who sends it
 *
 * A transfer is one message named by its item, from its sender; a fair
 * exchange is fx/m1 … fx/m4 (buyer, merchant, buyer, merchant); a contract
 * signing is asw/m1 … asw/m4, starting with its `from` party and alternating.
 *
 * Returns: (nullable): the name of message @index of @step
 */
const char *
semper_service_step_message (const SemperServiceStep *step,
                             guint                    index,
                             SemperServiceParty      *sender)
{
  SemperServiceParty other;

  g_return_val_if_fail (step != NULL, NULL);
  if (index >= semper_service_step_n_messages (step))
    return NULL;
  other = step->from == SEMPER_SERVICE_PARTY_BUYER ? SEMPER_SERVICE_PARTY_MERCHANT
                                                   : SEMPER_SERVICE_PARTY_BUYER;
  if (sender)
    *sender = index % 2 == 0 ? step->from : other;
  switch (step->kind)
    {
    case SEMPER_SERVICE_STEP_TRANSFER:
      return step->item;
    case SEMPER_SERVICE_STEP_FAIR_EXCHANGE:
      return fx_messages[index];
    case SEMPER_SERVICE_STEP_CONTRACT_SIGNING:
    default:
      return asw_messages[index];
    }
}
