/* semper-fair-exchange.c: the offer and the messages of PROTOCOLS.md B,
 * shared by the buyer, the merchant, the TTP and the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fair-exchange-private.h"

#include <glib/gi18n-lib.h>
#include <pkcs11t.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-crypto-private.h"
#include "semper-document.h"
#include "semper-message.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-fx-error-quark, semper_fx_error)

#define OFFER_MAX_JSON  (64 * 1024)
#define KEY_LEN         32
#define IV_LEN          12
#define TAG_LEN         16

static gboolean
bad (GError    **error,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad (GError    **error,
     const char *format,
     ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE, text);
  return FALSE;
}

char *
_semper_fx_b64 (GBytes *bytes)
{
  return g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* ---- offer ---------------------------------------------------------------- */

void
semper_fx_offer_free (SemperFxOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->offer_id);
  g_free (offer->description);
  g_free (offer->goods_hash);
  g_free (offer->merchant);
  g_free (offer->ttp);
  g_strfreev (offer->systems);
  g_strfreev (offer->order_fields);
  g_clear_pointer (&offer->raw, g_bytes_unref);
  g_free (offer->hash);
  g_free (offer);
}

static gboolean
is_plain_text (const char *text,
               gsize       max)
{
  gsize len;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  len = strlen (text);
  if (len == 0 || len > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_id (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '-' && text[i] != '_' && text[i] != '.')
      return FALSE;
  return TRUE;
}

#define ORDER_FIELDS_MAX  256
#define ORDER_VALUE_MAX   512

/* The fields the exchange's order document writes itself. */
static const char * const fx_order_own_fields[] = {
  "Semper-Document", "Title", "Date", "Merchant", "Offer", "Offer-Id", "Transaction",
  "Commitment", "Payment-System", "Total",
};

static gboolean
is_order_field_name (const char *name)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > 64 || !g_ascii_isalpha (name[0]) || name[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-')
      return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (fx_order_own_fields); i++)
    if (g_ascii_strcasecmp (name, fx_order_own_fields[i]) == 0)
      return FALSE;
  return TRUE;
}

/* The offer's optional "order": [[name, value], …]. Returns: (transfer full)
 * (nullable): name, value, … or NULL with @error set. */
static GStrv
parse_order_fields (JsonNode  *node,
                    GError   **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      bad (error, _("Invalid offer: “order” must be a list"));
      return NULL;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > ORDER_FIELDS_MAX)
    {
      bad (error, _("Invalid offer: the order lists 1 to %d fields"), ORDER_FIELDS_MAX);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *pair = json_array_get_element (array, i);
      JsonArray *two;
      const char *texts[2] = { NULL, NULL };

      if (!JSON_NODE_HOLDS_ARRAY (pair)
          || json_array_get_length (two = json_node_get_array (pair)) != 2)
        {
          bad (error, _("Invalid offer: an order field is not a name and a value"));
          return NULL;
        }
      for (guint j = 0; j < 2; j++)
        {
          JsonNode *text = json_array_get_element (two, j);

          if (JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING)
            texts[j] = json_node_get_string (text);
        }
      if (!is_order_field_name (texts[0]) || !is_plain_text (texts[1], ORDER_VALUE_MAX))
        {
          bad (error, _("Invalid offer: malformed order field"));
          return NULL;
        }
      g_strv_builder_add (builder, texts[0]);
      g_strv_builder_add (builder, texts[1]);
    }
  return g_strv_builder_end (builder);
}

/**
 * semper_fx_offer_parse:
 * @json: the offer's JSON content
 *
 * Returns: (transfer full) (nullable): the offer, without raw and hash
 */
SemperFxOffer *
semper_fx_offer_parse (GBytes  *json,
                       GError **error)
{
  static const char * const members[] = {
    "type", "version", "offer", "description", "goods", "amount", "currency", "merchant",
    "ttp", "expiry", "systems",
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  SemperFxOffer *offer;
  JsonObject *object;
  JsonNode *systems;
  JsonArray *array;
  gint64 version = 0, amount = 0, expiry = 0;
  const char *currency;

  root = semper_message_parse (json, OFFER_MAX_JSON, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    if (!json_object_has_member (object, members[i]))
      {
        bad (error, _("Invalid offer: member “%s” is missing"), members[i]);
        return NULL;
      }
  if (json_object_get_size (object) != G_N_ELEMENTS (members)
                                       + (json_object_has_member (object, "order") ? 1 : 0))
    {
      bad (error, _("Invalid offer: unknown members"));
      return NULL;
    }
  if (g_strcmp0 (semper_json_get_string (object, "type"), "semper-fx-offer") != 0
      || !semper_json_get_int (object, "version", &version) || version != 1)
    {
      bad (error, _("Invalid offer: not a version 1 offer"));
      return NULL;
    }
  if (!semper_json_get_int (object, "amount", &amount) || amount <= 0
      || !semper_json_get_int (object, "expiry", &expiry) || expiry <= 0)
    {
      bad (error, _("Invalid offer: amount and expiry must be positive integers"));
      return NULL;
    }
  currency = semper_json_get_string (object, "currency");
  if (currency == NULL || semper_currency_decimals (currency) < 0)
    {
      bad (error, _("Invalid offer: unknown currency"));
      return NULL;
    }
  if (!is_id (semper_json_get_string (object, "offer"))
      || !is_plain_text (semper_json_get_string (object, "description"), 1024)
      || !semper_protocol_is_hex (semper_json_get_string (object, "goods"), 64)
      || !semper_protocol_is_hex (semper_json_get_string (object, "merchant"), 64)
      || !semper_protocol_is_hex (semper_json_get_string (object, "ttp"), 64))
    {
      bad (error, _("Invalid offer: malformed id, description, hash or fingerprint"));
      return NULL;
    }
  systems = json_object_get_member (object, "systems");
  if (!JSON_NODE_HOLDS_ARRAY (systems))
    {
      bad (error, _("Invalid offer: “systems” must be a list"));
      return NULL;
    }
  array = json_node_get_array (systems);
  if (json_array_get_length (array) == 0 || json_array_get_length (array) > 16)
    {
      bad (error, _("Invalid offer: one to 16 payment systems"));
      return NULL;
    }

  offer = g_new0 (SemperFxOffer, 1);
  if (!semper_amount_init (&offer->price, amount, currency, &local))
    {
      semper_fx_offer_free (offer);
      bad (error, _("Invalid offer: %s"), local->message);
      return NULL;
    }
  offer->offer_id = g_strdup (semper_json_get_string (object, "offer"));
  offer->description = g_strdup (semper_json_get_string (object, "description"));
  offer->goods_hash = g_strdup (semper_json_get_string (object, "goods"));
  offer->merchant = g_strdup (semper_json_get_string (object, "merchant"));
  offer->ttp = g_strdup (semper_json_get_string (object, "ttp"));
  offer->expiry = expiry;
  offer->systems = g_new0 (char *, json_array_get_length (array) + 1);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *name = NULL;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        name = json_node_get_string (node);
      if (!is_id (name))
        {
          semper_fx_offer_free (offer);
          bad (error, _("Invalid offer: malformed payment system"));
          return NULL;
        }
      offer->systems[i] = g_strdup (name);
    }
  if (json_object_has_member (object, "order"))
    {
      offer->order_fields = parse_order_fields (json_object_get_member (object, "order"),
                                                error);
      if (offer->order_fields == NULL)
        {
          semper_fx_offer_free (offer);
          return NULL;
        }
    }
  return offer;
}

/* Returns (transfer full): the offer's JSON, members in a fixed order. */
GBytes *
_semper_fx_offer_to_json (SemperFxOffer *offer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "semper-fx-offer");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "offer");
  json_builder_add_string_value (builder, offer->offer_id);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, offer->description);
  json_builder_set_member_name (builder, "goods");
  json_builder_add_string_value (builder, offer->goods_hash);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, offer->price.minor);
  json_builder_set_member_name (builder, "currency");
  json_builder_add_string_value (builder, offer->price.currency);
  json_builder_set_member_name (builder, "merchant");
  json_builder_add_string_value (builder, offer->merchant);
  json_builder_set_member_name (builder, "ttp");
  json_builder_add_string_value (builder, offer->ttp);
  json_builder_set_member_name (builder, "expiry");
  json_builder_add_int_value (builder, offer->expiry);
  json_builder_set_member_name (builder, "systems");
  json_builder_begin_array (builder);
  for (guint i = 0; offer->systems[i] != NULL; i++)
    json_builder_add_string_value (builder, offer->systems[i]);
  json_builder_end_array (builder);
  if (offer->order_fields != NULL)
    {
      json_builder_set_member_name (builder, "order");
      json_builder_begin_array (builder);
      for (guint i = 0; offer->order_fields[i] != NULL && offer->order_fields[i + 1] != NULL;
           i += 2)
        {
          json_builder_begin_array (builder);
          json_builder_add_string_value (builder, offer->order_fields[i]);
          json_builder_add_string_value (builder, offer->order_fields[i + 1]);
          json_builder_end_array (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return semper_json_builder_to_bytes (builder);
}

/**
 * semper_fx_offer_verify:
 *
 * Returns: (transfer full) (nullable): the offer with raw and hash
 */
SemperFxOffer *
semper_fx_offer_verify (GBytes       *p7m,
                        SemperTrust  *trust,
                        GError      **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  SemperFxOffer *offer;

  g_return_val_if_fail (p7m != NULL, NULL);

  content = semper_cms_verify (p7m, trust, &signer, error);
  if (content == NULL)
    return NULL;
  offer = semper_fx_offer_parse (content, error);
  if (offer == NULL)
    return NULL;
  if (!signer->trusted || g_strcmp0 (signer->role, SEMPER_ROLE_MERCHANT) != 0
      || !g_str_equal (signer->fingerprint, offer->merchant))
    {
      semper_fx_offer_free (offer);
      bad (error, _("The offer is not signed by the merchant it names"));
      return NULL;
    }
  offer->raw = g_bytes_ref (p7m);
  offer->hash = semper_sha256_hex (p7m);
  return offer;
}

/* ---- goods encryption: AES-256-GCM, c = IV || ciphertext || tag, with H(m1)
 * as additional data so that c belongs to one exchange. ---------------------- */

static GBytes *
aes_gcm (gboolean      encrypt,
         GBytes       *key,
         const guint8 *iv,
         const char   *aad,
         const guint8 *in,
         gsize         in_len,
         GError      **error)
{
  PK11SlotInfo *slot;
  PK11SymKey *sym;
  SECItem key_item = { siBuffer, (unsigned char *) g_bytes_get_data (key, NULL),
                       (unsigned int) g_bytes_get_size (key) };
  CK_GCM_PARAMS params = { 0 };
  SECItem param = { siBuffer, (unsigned char *) &params, sizeof params };
  guint8 *out;
  unsigned int out_len = 0;
  SECStatus rv;

  if (g_bytes_get_size (key) != KEY_LEN || in_len > G_MAXUINT32 - TAG_LEN)
    {
      bad (error, _("Malformed goods key"));
      return NULL;
    }
  _semper_nss_init ();
  slot = PK11_GetInternalSlot ();
  sym = PK11_ImportSymKey (slot, CKM_AES_GCM, PK11_OriginUnwrap,
                           encrypt ? CKA_ENCRYPT : CKA_DECRYPT, &key_item, NULL);
  PK11_FreeSlot (slot);
  if (sym == NULL)
    {
      _semper_set_nss_error (error, 0, "AES key");
      return NULL;
    }
  params.pIv = (CK_BYTE_PTR) iv;
  params.ulIvLen = IV_LEN;
  params.ulIvBits = IV_LEN * 8;
  params.pAAD = (CK_BYTE_PTR) aad;
  params.ulAADLen = strlen (aad);
  params.ulTagBits = TAG_LEN * 8;
  out = g_malloc (in_len + TAG_LEN + 1);
  if (encrypt)
    rv = PK11_Encrypt (sym, CKM_AES_GCM, &param, out, &out_len, in_len + TAG_LEN, in, in_len);
  else
    rv = PK11_Decrypt (sym, CKM_AES_GCM, &param, out, &out_len, in_len, in, in_len);
  PK11_FreeSymKey (sym);
  if (rv != SECSuccess)
    {
      g_free (out);
      bad (error, _("The goods do not decrypt with this key"));
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

static GBytes *
encrypt_goods (GBytes     *key,
               const char *label,
               GBytes     *goods,
               GError    **error)
{
  guint8 iv[IV_LEN];
  g_autoptr(GBytes) sealed = NULL;
  GByteArray *out;

  if (!semper_random_bytes (iv, sizeof iv, error))
    return NULL;
  sealed = aes_gcm (TRUE, key, iv, label, g_bytes_get_data (goods, NULL),
                    g_bytes_get_size (goods), error);
  if (sealed == NULL)
    return NULL;
  out = g_byte_array_new ();
  g_byte_array_append (out, iv, sizeof iv);
  g_byte_array_append (out, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
decrypt_goods (GBytes     *key,
               const char *label,
               GBytes     *cipher,
               GError    **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (cipher, &len);

  if (len < IV_LEN + TAG_LEN)
    {
      bad (error, _("The encrypted goods are too short"));
      return NULL;
    }
  return aes_gcm (FALSE, key, data, label, data + IV_LEN, len - IV_LEN, error);
}

/* ---- the key envelope for the TTP ------------------------------------------ */

/* {"type":"semper-fx-key","version":1,"label":"<H(m1)>","key":"<base64 32 bytes>"} */
static GBytes *
envelope_json (const char *label,
               GBytes     *key)
{
  g_autofree char *b64 = _semper_fx_b64 (key);
  char *text = g_strdup_printf ("{\"type\":\"semper-fx-key\",\"version\":1,\"label\":\"%s\","
                                "\"key\":\"%s\"}", label, b64);

  semper_secret_wipe (b64, strlen (b64));
  return g_bytes_new_take (text, strlen (text));
}

/**
 * semper_fx_key_envelope_parse:
 * @json: the decrypted content of e
 * @out_label: (out) (transfer full): the label
 *
 * Returns: (transfer full) (nullable): k
 */
GBytes *
semper_fx_key_envelope_parse (GBytes  *json,
                              char   **out_label,
                              GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gint64 version = 0;
  const char *label, *key;
  guchar *raw;
  gsize len = 0;
  g_autofree char *again = NULL;

  root = semper_message_parse (json, 1024, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  label = semper_json_get_string (object, "label");
  key = semper_json_get_string (object, "key");
  if (json_object_get_size (object) != 4
      || g_strcmp0 (semper_json_get_string (object, "type"), "semper-fx-key") != 0
      || !semper_json_get_int (object, "version", &version) || version != 1
      || !semper_protocol_is_hex (label, 64) || key == NULL || strlen (key) != 44)
    {
      bad (error, _("Malformed key envelope"));
      return NULL;
    }
  raw = g_base64_decode (key, &len);
  again = len == KEY_LEN ? g_base64_encode (raw, len) : NULL;
  if (again == NULL || !g_str_equal (again, key))
    {
      semper_secret_wipe (raw, len);
      g_free (raw);
      bad (error, _("Malformed key envelope"));
      return NULL;
    }
  *out_label = g_strdup (label);
  return g_bytes_new_take (raw, len);
}

/* ---- checks ------------------------------------------------------------------ */

static gboolean
field_is (SemperDocument *doc,
          const char     *name,
          const char     *value)
{
  return g_strcmp0 (semper_document_get_field (doc, name), value) == 0;
}

/* Returns (transfer full): the order document the buyer signs. */
GBytes *
_semper_fx_make_order (SemperFxOffer *offer,
                       const char    *tid,
                       const char    *commit,
                       const char    *system,
                       GError       **error)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("order", 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *total = semper_amount_format (&offer->price);
  g_autofree char *body = g_strdup_printf ("%s\n", offer->description);

  if (!semper_document_add_field (doc, "Title", offer->description, error)
      || !semper_document_add_field (doc, "Date", date, error)
      || !semper_document_add_field (doc, "Merchant", offer->merchant, error))
    return NULL;
  for (guint i = 0; offer->order_fields != NULL && offer->order_fields[i] != NULL; i += 2)
    if (!semper_document_add_field (doc, offer->order_fields[i], offer->order_fields[i + 1],
                                    error))
      return NULL;
  if (!semper_document_add_field (doc, "Offer", offer->hash, error)
      || !semper_document_add_field (doc, "Offer-Id", offer->offer_id, error)
      || !semper_document_add_field (doc, "Transaction", tid, error)
      || !semper_document_add_field (doc, "Commitment", commit, error)
      || !semper_document_add_field (doc, "Payment-System", system, error)
      || !semper_document_add_field (doc, "Total", total, error))
    return NULL;
  semper_document_set_body (doc, body);
  return semper_document_to_bytes (doc, error);
}

/* The order document's fields other than the exchange's own are exactly the
 * offer's "order" fields, in order (none when the offer has none). */
static gboolean
order_fields_match (SemperDocument *doc,
                    SemperFxOffer  *offer)
{
  guint next = 0;

  for (guint i = 0; i < semper_document_get_n_fields (doc); i++)
    {
      const char *name = NULL, *value = NULL;
      gboolean own = FALSE;

      semper_document_get_field_at (doc, i, &name, &value, NULL, NULL);
      for (gsize j = 0; j < G_N_ELEMENTS (fx_order_own_fields); j++)
        own = own || g_ascii_strcasecmp (name, fx_order_own_fields[j]) == 0;
      if (own)
        continue;
      if (offer->order_fields == NULL || offer->order_fields[next] == NULL
          || !g_str_equal (offer->order_fields[next], name)
          || !g_str_equal (offer->order_fields[next + 1], value))
        return FALSE;
      next += 2;
    }
  return offer->order_fields == NULL || offer->order_fields[next] == NULL;
}

gboolean
semper_fx_check_m1 (SemperProtocolMessage  *m1,
                    SemperFxOffer          *offer,
                    SemperTrust            *trust,
                    GError                **error)
{
  g_autoptr(GBytes) signed_doc = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autofree char *total = NULL;
  const char *system;

  if (!g_str_equal (semper_protocol_message_get_protocol (m1), SEMPER_PROTOCOL_FX)
      || !g_str_equal (semper_protocol_message_get_step (m1), "m1"))
    return bad (error, _("Not an order (fx/m1)"));
  if (offer->hash == NULL
      || !g_str_equal (semper_protocol_message_get_string (m1, "offer_hash"), offer->hash))
    return bad (error, _("The order names another offer"));
  if (!g_str_equal (semper_protocol_message_get_responder (m1), offer->merchant)
      || !g_str_equal (semper_protocol_message_get_ttp (m1), offer->ttp))
    return bad (error, _("The order names another merchant or TTP than the offer"));
  system = semper_protocol_message_get_string (m1, "system");
  if (!g_strv_contains ((const char * const *) offer->systems, system))
    return bad (error, _("The offer does not accept the payment system “%s”"), system);

  signed_doc = semper_protocol_message_dup_bytes (m1, "document");
  text = semper_cms_verify (signed_doc, trust, &signer, error);
  if (text == NULL)
    return FALSE;
  if (!g_str_equal (signer->fingerprint, semper_protocol_message_get_originator (m1)))
    return bad (error, _("The order document is signed by someone else than the buyer"));
  doc = semper_document_parse (text, error);
  if (doc == NULL)
    return FALSE;
  total = semper_amount_format (&offer->price);
  if (!g_str_equal (semper_document_get_kind (doc), "order")
      || !field_is (doc, "Offer", offer->hash)
      || !field_is (doc, "Merchant", offer->merchant)
      || !field_is (doc, "Transaction", semper_protocol_message_get_tid (m1))
      || !field_is (doc, "Commitment", semper_protocol_message_get_string (m1, "commit_b"))
      || !field_is (doc, "Payment-System", system)
      || !field_is (doc, "Total", total))
    return bad (error, _("The signed order does not match the message"));
  if (!order_fields_match (doc, offer))
    return bad (error, _("The signed order does not list the offer's items and terms"));
  return TRUE;
}

gboolean
semper_fx_check_m2 (SemperProtocolMessage  *m2,
                    SemperProtocolMessage  *m1,
                    GError                **error)
{
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (m1);
  g_autoptr(GBytes) cipher = NULL;
  g_autofree char *cipher_hash = NULL;

  if (!semper_protocol_message_check (m2, m1, "m2", error))
    return FALSE;
  if (!g_str_equal (semper_protocol_message_get_string (m2, "m1_hash"), m1_hash))
    return bad (error, _("m2 answers another order"));
  cipher = semper_protocol_message_dup_bytes (m2, "cipher");
  cipher_hash = semper_sha256_hex (cipher);
  if (!g_str_equal (semper_protocol_message_get_string (m2, "cipher_hash"), cipher_hash))
    return bad (error, _("m2's H(c) does not match c"));
  return TRUE;
}

/* m3 against m1 and m2: N_B opens h(N_B), and H(m2). */
gboolean
_semper_fx_check_m3 (SemperProtocolMessage  *m3,
                     SemperProtocolMessage  *m1,
                     SemperProtocolMessage  *m2,
                     GError                **error)
{
  g_autofree char *commit = NULL;
  g_autofree char *m2_hash = semper_protocol_message_dup_hash (m2);

  if (!semper_protocol_message_check (m3, m1, "m3", error))
    return FALSE;
  commit = semper_protocol_commit (semper_protocol_message_get_string (m3, "nonce_b"));
  if (commit == NULL
      || !g_str_equal (commit, semper_protocol_message_get_string (m1, "commit_b")))
    return bad (error, _("m3's nonce does not open the order's commitment"));
  if (!g_str_equal (semper_protocol_message_get_string (m3, "m2_hash"), m2_hash))
    return bad (error, _("m3 answers another m2"));
  return TRUE;
}

GBytes *
semper_fx_open_goods (SemperProtocolMessage  *m2,
                      SemperFxOffer          *offer,
                      GBytes                 *key,
                      GError                **error)
{
  g_autoptr(GBytes) cipher = semper_protocol_message_dup_bytes (m2, "cipher");
  g_autoptr(GBytes) goods = NULL;
  g_autofree char *hash = NULL;

  goods = decrypt_goods (key, semper_protocol_message_get_string (m2, "m1_hash"), cipher, error);
  if (goods == NULL)
    return NULL;
  hash = semper_sha256_hex (goods);
  if (!g_str_equal (hash, offer->goods_hash))
    {
      bad (error, _("The goods delivered are not the goods offered"));
      return NULL;
    }
  return g_steal_pointer (&goods);
}

GBytes *
semper_fx_make_m2 (SemperCrypto           *merchant,
                   SemperProtocolMessage  *m1,
                   GBytes                 *goods,
                   GBytes                 *ttp_cert,
                   GBytes                **out_key,
                   GError                **error)
{
  guint8 k[KEY_LEN];
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) inner = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (m1);
  g_autofree char *cipher_b64 = NULL, *cipher_hash = NULL, *envelope_b64 = NULL;
  GBytes *signed_m2;

  if (!semper_random_bytes (k, sizeof k, error))
    return NULL;
  key = g_bytes_new (k, sizeof k);
  semper_secret_wipe (k, sizeof k);
  cipher = encrypt_goods (key, m1_hash, goods, error);
  if (cipher == NULL)
    return NULL;
  inner = envelope_json (m1_hash, key);
  envelope = semper_cms_encrypt (inner, ttp_cert, error);
  semper_secret_wipe ((gpointer) g_bytes_get_data (inner, NULL), g_bytes_get_size (inner));
  if (envelope == NULL)
    return NULL;
  cipher_b64 = _semper_fx_b64 (cipher);
  cipher_hash = semper_sha256_hex (cipher);
  envelope_b64 = _semper_fx_b64 (envelope);
  json_object_set_string_member (fields, "m1_hash", m1_hash);
  json_object_set_string_member (fields, "cipher", cipher_b64);
  json_object_set_string_member (fields, "cipher_hash", cipher_hash);
  json_object_set_string_member (fields, "envelope", envelope_b64);
  m2 = semper_protocol_message_new_in_session (m1, "m2", fields);
  signed_m2 = semper_protocol_message_sign (m2, merchant, error);
  if (signed_m2 != NULL && out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return signed_m2;
}

GBytes *
semper_fx_make_m4 (SemperCrypto           *merchant,
                   SemperProtocolMessage  *m1,
                   SemperFxOffer          *offer,
                   GBytes                 *key,
                   GError                **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m4 = NULL;
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (m1);
  g_autofree char *key_b64 = _semper_fx_b64 (key);

  json_object_set_string_member (fields, "m1_hash", m1_hash);
  json_object_set_string_member (fields, "goods_key", key_b64);
  json_object_set_int_member (fields, "amount", offer->price.minor);
  json_object_set_string_member (fields, "currency", offer->price.currency);
  m4 = semper_protocol_message_new_in_session (m1, "m4", fields);
  return semper_protocol_message_sign (m4, merchant, error);
}

/* The TTP's decision on a resolve (PROTOCOLS.md B): opens e with @ttp's key.
 * Returns (transfer full) k when it decrypts c to the offered goods, %NULL
 * (with the reason in @error) when T must revoke. */
GBytes *
_semper_fx_ttp_open (SemperCrypto           *ttp,
                     SemperProtocolMessage  *m1,
                     SemperProtocolMessage  *m2,
                     SemperFxOffer          *offer,
                     GError                **error)
{
  g_autoptr(GBytes) envelope = semper_protocol_message_dup_bytes (m2, "envelope");
  g_autoptr(GBytes) inner = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) goods = NULL;
  g_autofree char *label = NULL;
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (m1);

  inner = semper_cms_decrypt (ttp, envelope, error);
  if (inner == NULL)
    return NULL;
  key = semper_fx_key_envelope_parse (inner, &label, error);
  semper_secret_wipe ((gpointer) g_bytes_get_data (inner, NULL), g_bytes_get_size (inner));
  if (key == NULL)
    return NULL;
  if (!g_str_equal (label, m1_hash))
    {
      bad (error, _("The key envelope is labelled for another exchange"));
      return NULL;
    }
  goods = semper_fx_open_goods (m2, offer, key, error);
  if (goods == NULL)
    return NULL;
  return g_steal_pointer (&key);
}
