/* semper-shop-wire.c: the merchant protocol's shared pieces (docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-shop-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-ca.h"
#include "semper-cms.h"
#include "semper-commerce-private.h"
#include "semper-message.h"
#include "semper-shop-client.h"

#define SUMMARY_MAX 180   /* the display's line limit is 200, with "Title: " */

char *
_semper_shop_order_summary (GBytes *order)
{
  g_autoptr(SemperDocument) doc = semper_document_parse (order, NULL);
  g_autofree char *hash = semper_sha256_hex (order);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GPtrArray) items = NULL;
  const char *merchant = NULL, *total = NULL;
  g_autofree char *tail = NULL;

  if (doc != NULL)
    {
      merchant = semper_document_get_field (doc, "Merchant");
      total = semper_document_get_field (doc, "Total");
      items = semper_document_get_fields (doc, "Item");
    }
  /* 128 bits of H(order) bind the order document through the signed offer;
   * the whole stays one line that the trusted display shows unwrapped. */
  tail = g_strdup_printf ("total %s (order %.32s)", total != NULL ? total : "?", hash);
  g_string_append_printf (s, "%s: ", merchant != NULL ? merchant : "Order");
  if (items != NULL && items->len == 1
      && s->len + strlen (g_ptr_array_index (items, 0)) + 2 + strlen (tail) <= SUMMARY_MAX)
    g_string_append_printf (s, "%s; ", (const char *) g_ptr_array_index (items, 0));
  else if (items != NULL)
    g_string_append_printf (s, "%u item lines; ", items->len);
  g_string_append (s, tail);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

GStrv
_semper_shop_order_fields (GBytes *order)
{
  static const char * const skip[] = { "Semper-Document", "Merchant", "Date", "Total" };
  g_autoptr(SemperDocument) doc = semper_document_parse (order, NULL);
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *merchant;

  if (doc == NULL || (merchant = semper_document_get_field (doc, "Merchant")) == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, "Merchant-Name");
  g_strv_builder_add (builder, merchant);
  for (guint i = 0; i < semper_document_get_n_fields (doc); i++)
    {
      const char *name = NULL, *value = NULL;
      gboolean skipped = FALSE;

      semper_document_get_field_at (doc, i, &name, &value, NULL, NULL);
      for (gsize j = 0; j < G_N_ELEMENTS (skip); j++)
        skipped = skipped || g_str_equal (name, skip[j]);
      if (skipped)
        continue;
      g_strv_builder_add (builder, name);
      g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

gboolean
_semper_shop_order_fields_equal (const char * const *fields,
                                 GBytes             *order)
{
  g_auto(GStrv) want = _semper_shop_order_fields (order);

  return fields != NULL && want != NULL
         && g_strv_equal ((const char * const *) want, fields);
}

char *
_semper_shop_b64 (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return g_base64_encode (data, len);
}

GBytes *
_semper_shop_unb64 (const char *text,
                    gsize       max_len,
                    GError    **error)
{
  return semper_ca_base64_decode (text, max_len, error);
}

JsonObject *
_semper_shop_parse_object (GBytes *bytes,
                           GQuark  domain,
                           int     code,
                           GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) node = semper_message_parse (bytes, g_bytes_get_size (bytes) + 1, &local);

  if (node == NULL)
    {
      g_set_error (error, domain, code, _("Malformed JSON: %s"), local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, domain, code, _("Malformed JSON: not an object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

/* ---- credentials ------------------------------------------------------------- */

void
_semper_shop_credential_free (SemperShopCredential *c)
{
  if (c == NULL)
    return;
  g_free (c->service);
  g_free (c->kind);
  g_free (c->offer);
  g_free (c->title);
  g_free (c->holder);
  g_free (c->serial);
  g_free (c->issuer);
  g_free (c->issuer_name);
  g_free (c);
}

GBytes *
_semper_shop_credential_make (SemperCrypto               *merchant,
                              const SemperShopCredential *c,
                              GError                    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-credential");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, c->service);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, c->kind);
  json_builder_set_member_name (b, "offer");
  json_builder_add_string_value (b, c->offer);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, c->title);
  json_builder_set_member_name (b, "holder");
  json_builder_add_string_value (b, c->holder);
  json_builder_set_member_name (b, "serial");
  json_builder_add_string_value (b, c->serial);
  json_builder_set_member_name (b, "not_before");
  json_builder_add_int_value (b, c->not_before);
  json_builder_set_member_name (b, "not_after");
  json_builder_add_int_value (b, c->not_after);
  json_builder_end_object (b);
  json = semper_json_builder_to_bytes (b);
  return semper_cms_sign_message (merchant, json, error);
}

static gboolean
is_hex (const char *s,
        gsize       len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

SemperShopCredential *
_semper_shop_credential_parse (GBytes  *content,
                               GError **error)
{
  static const char * const members[] = {
    "type", "version", "service", "kind", "offer", "title", "holder", "serial", "not_before",
    "not_after", NULL
  };
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(SemperShopCredential) c = g_new0 (SemperShopCredential, 1);
  const char *type = NULL, *service = NULL, *kind = NULL, *offer = NULL, *title = NULL;
  const char *holder = NULL, *serial = NULL;
  gint64 version = 0;
  GQuark d = SEMPER_SHOP_ERROR;
  int code = SEMPER_SHOP_ERROR_BAD_ANSWER;

  if (g_bytes_get_size (content) > 16 * 1024)
    {
      g_set_error (error, d, code, _("A credential larger than 16 KiB"));
      return NULL;
    }
  o = _semper_shop_parse_object (content, d, code, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "credential", d, code, error)
      || !_semper_json_get_string (o, "type", 32, TRUE, "credential", &type, d, code, error)
      || !_semper_json_get_int (o, "version", 1, 1, TRUE, 0, "credential", &version, d, code,
                                error)
      || !_semper_json_get_string (o, "service", 64, TRUE, "credential", &service, d, code,
                                   error)
      || !_semper_json_get_string (o, "kind", 32, TRUE, "credential", &kind, d, code, error)
      || !_semper_json_get_string (o, "offer", 64, TRUE, "credential", &offer, d, code, error)
      || !_semper_json_get_string (o, "title", 200, TRUE, "credential", &title, d, code, error)
      || !_semper_json_get_string (o, "holder", 64, TRUE, "credential", &holder, d, code,
                                   error)
      || !_semper_json_get_string (o, "serial", 32, TRUE, "credential", &serial, d, code,
                                   error)
      || !_semper_json_get_int (o, "not_before", 0, G_MAXINT64, TRUE, 0, "credential",
                                &c->not_before, d, code, error)
      || !_semper_json_get_int (o, "not_after", 0, G_MAXINT64, TRUE, 0, "credential",
                                &c->not_after, d, code, error))
    return NULL;
  if (!g_str_equal (type, "semper-credential")
      || !_semper_commerce_is_identifier (service) || !_semper_commerce_is_identifier (offer)
      || (!g_str_equal (kind, "membership") && !g_str_equal (kind, "subscription"))
      || !is_hex (holder, 64) || !is_hex (serial, 32) || c->not_after < c->not_before)
    {
      g_set_error (error, d, code, _("A malformed credential"));
      return NULL;
    }
  c->service = g_strdup (service);
  c->kind = g_strdup (kind);
  c->offer = g_strdup (offer);
  c->title = g_strdup (title);
  c->holder = g_strdup (holder);
  c->serial = g_strdup (serial);
  return g_steal_pointer (&c);
}

SemperShopCredential *
_semper_shop_credential_verify (GBytes       *p7m,
                                SemperTrust  *trust,
                                GError      **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  SemperShopCredential *c;

  content = semper_cms_verify (p7m, trust, &signer, error);
  if (content == NULL)
    return NULL;
  if (g_strcmp0 (signer->role, SEMPER_ROLE_MERCHANT) != 0)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BAD_ANSWER,
                   _("A credential signed by %s, who is not a merchant"), signer->common_name);
      return NULL;
    }
  c = _semper_shop_credential_parse (content, error);
  if (c == NULL)
    return NULL;
  c->issuer = g_strdup (signer->fingerprint);
  c->issuer_name = g_strdup (signer->common_name);
  return c;
}

/* ---- the order --------------------------------------------------------------- */

GBytes *
_semper_shop_build_order (SemperService              *service,
                          SemperCatalog              *catalog,
                          const SemperShopItem       *items,
                          guint                       n_items,
                          GHashTable                 *answers,
                          GDateTime                  *date,
                          const SemperServiceOffer  **out_single,
                          GError                    **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (SemperOrderLine));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SemperDocument) doc = NULL;
  const SemperServiceOffer *single = NULL;

  if (n_items == 0)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("Name at least one item to order"));
      return NULL;
    }
  for (guint i = 0; i < n_items; i++)
    {
      const SemperServiceOffer *offer = semper_service_find_offer (service, items[i].item);
      const SemperArticle *article = NULL;
      SemperOrderLine line = { 0 };
      char *text;

      if (offer == NULL && catalog != NULL)
        article = semper_catalog_find (catalog, items[i].item);
      if (offer == NULL && article == NULL)
        {
          g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                       _("No offer or article “%s” in the service %s"), items[i].item,
                       semper_service_get_id (service));
          return NULL;
        }
      if (offer != NULL && !g_str_equal (offer->kind, "digital-goods")
          && !g_str_equal (offer->kind, "physical-goods"))
        {
          if (n_items != 1 || items[i].quantity != 1)
            {
              g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                           _("“%s” is ordered alone and once"), offer->title);
              return NULL;
            }
          single = offer;
        }
      if (offer != NULL)
        {
          text = g_strdup (offer->title);
          line.unit_price = offer->price;
        }
      else
        {
          text = g_strdup_printf ("%s (%s)", article->title, article->id);
          line.unit_price = article->price;
        }
      g_ptr_array_add (texts, text);
      line.quantity = items[i].quantity;
      line.description = text;
      g_array_append_val (lines, line);
    }
  doc = semper_order_form_build_order (semper_service_get_order_form (service), answers,
                                       (const SemperOrderLine *) (void *) lines->data,
                                       lines->len, semper_service_get_merchant (service),
                                       semper_service_get_id (service), date, error);
  if (doc == NULL)
    return NULL;
  if (out_single != NULL)
    *out_single = single;
  return semper_document_to_bytes (doc, error);
}
