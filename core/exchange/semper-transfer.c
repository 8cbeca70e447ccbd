/* semper-transfer.c: business items, packages and the transfer service; see
 * semper-transfer.h and docs/transfer.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-transfer.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-message.h"
#include "semper-protocol-message.h"
#include "semper-json-private.h"

#define CONTENT_TYPE_PACKAGE "application/semper-package"
#define CONTENT_TYPE_RECEIPT "application/semper-delivery-receipt"
#define RECEIPT_MAX_JSON     4096

G_DEFINE_QUARK (semper-transfer-error-quark, semper_transfer_error)

static const char * const kinds[] = { "payment", "statement", "credential" };

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...)
{
  va_list ap;

  va_start (ap, format);
  if (error != NULL && *error == NULL)
    *error = g_error_new_valist (SEMPER_TRANSFER_ERROR, code, format, ap);
  va_end (ap);
  return FALSE;
}

SemperItem *
semper_item_new (SemperItemKind  kind,
                 const char     *type,
                 const char     *description,
                 GBytes         *content)
{
  SemperItem *item = g_new0 (SemperItem, 1);

  item->kind = kind;
  item->type = g_strdup (type);
  item->description = g_strdup (description);
  item->content = g_bytes_ref (content);
  return item;
}

void
semper_item_free (SemperItem *item)
{
  if (item == NULL)
    return;
  g_free (item->type);
  g_free (item->description);
  g_clear_pointer (&item->content, g_bytes_unref);
  g_free (item);
}

SemperPackage *
semper_package_new (const char *sender,
                    const char *recipient,
                    gboolean    receipt)
{
  SemperPackage *self = g_new0 (SemperPackage, 1);
  guint8 id[16];

  if (!semper_random_bytes (id, sizeof id, NULL))
    for (gsize i = 0; i < sizeof id; i++)
      id[i] = (guint8) g_random_int_range (0, 256);
  /* The id names the package; uniqueness, not secrecy, is what counts. */
  self->id = g_new0 (char, 2 * sizeof id + 1);
  for (gsize i = 0; i < sizeof id; i++)
    g_snprintf (self->id + 2 * i, 3, "%02x", id[i]);
  self->sender = g_strdup (sender);
  self->recipient = g_strdup (recipient);
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  self->receipt = receipt;
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_item_free);
  return self;
}

void
semper_package_add_item (SemperPackage *self,
                         SemperItem    *item)
{
  g_return_if_fail (self != NULL && item != NULL);
  g_ptr_array_add (self->items, item);
}

void
semper_package_free (SemperPackage *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->sender);
  g_free (self->recipient);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self);
}

GBytes *
semper_package_to_json (const SemperPackage *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-package");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "sender");
  json_builder_add_string_value (b, self->sender);
  json_builder_set_member_name (b, "recipient");
  json_builder_add_string_value (b, self->recipient);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, self->created);
  json_builder_set_member_name (b, "receipt");
  json_builder_add_boolean_value (b, self->receipt);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->items->len; i++)
    {
      SemperItem *item = g_ptr_array_index (self->items, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (item->content, NULL),
                                              g_bytes_get_size (item->content));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[item->kind]);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, item->type);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, item->description);
      json_builder_set_member_name (b, "content");
      json_builder_add_string_value (b, b64);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

/* ---- strict parsing ---------------------------------------------------------- */

static gboolean
has_exactly (JsonObject         *object,
             const char * const *members,
             gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (!json_object_has_member (object, members[i]))
      return FALSE;
  return json_object_get_size (object) == n;
}

static gboolean
is_type (const char *s)
{
  gsize n = s != NULL ? strlen (s) : 0;

  if (n == 0 || n > 32)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '-')
      return FALSE;
  return TRUE;
}

/* One line of valid UTF-8 without control characters, at most @max bytes. */
static gboolean
is_line (const char *s,
         gsize       max)
{
  if (s == NULL || *s == '\0' || strlen (s) > max || !g_utf8_validate (s, -1, NULL))
    return FALSE;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static SemperItem *
parse_item (JsonNode  *node,
            GError   **error)
{
  static const char * const members[] = { "kind", "type", "description", "content" };
  JsonObject *object;
  const char *kind;
  g_autoptr(GBytes) content = NULL;
  gsize k;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("an item is not an object"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!has_exactly (object, members, G_N_ELEMENTS (members)))
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("an item has missing or unknown members"));
      return NULL;
    }
  kind = semper_json_get_string (object, "kind");
  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    if (g_strcmp0 (kind, kinds[k]) == 0)
      break;
  content = semper_json_get_base64 (object, "content", SEMPER_ITEM_MAX_CONTENT);
  if (k == G_N_ELEMENTS (kinds) || !is_type (semper_json_get_string (object, "type"))
      || !is_line (semper_json_get_string (object, "description"), 1024) || content == NULL)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("an item has a bad kind, type, description or content"));
      return NULL;
    }
  return semper_item_new ((SemperItemKind) k, semper_json_get_string (object, "type"),
                          semper_json_get_string (object, "description"), content);
}

SemperPackage *
semper_package_parse (GBytes  *json,
                      GError **error)
{
  static const char * const members[] = {
    "type", "version", "id", "sender", "recipient", "created", "receipt", "items",
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperPackage) self = NULL;
  JsonObject *object;
  JsonNode *receipt, *items;
  JsonArray *array;
  gint64 version = 0, created = 0;
  guint n;

  root = semper_message_parse (json, SEMPER_CMS_MAX_SIZE, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!has_exactly (object, members, G_N_ELEMENTS (members))
      || g_strcmp0 (semper_json_get_string (object, "type"), "semper-package") != 0
      || !semper_json_get_int (object, "version", &version) || version != 1)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("not a version 1 package with exactly the package's members"));
      return NULL;
    }
  receipt = json_object_get_member (object, "receipt");
  items = json_object_get_member (object, "items");
  if (!semper_protocol_is_hex (semper_json_get_string (object, "id"), 32)
      || !semper_protocol_is_hex (semper_json_get_string (object, "sender"), 64)
      || !semper_protocol_is_hex (semper_json_get_string (object, "recipient"), 64)
      || !semper_json_get_int (object, "created", &created) || created <= 0
      || !JSON_NODE_HOLDS_VALUE (receipt) || json_node_get_value_type (receipt) != G_TYPE_BOOLEAN
      || !JSON_NODE_HOLDS_ARRAY (items))
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("a malformed id, party, date, receipt flag or item list"));
      return NULL;
    }
  array = json_node_get_array (items);
  n = json_array_get_length (array);
  if (n == 0 || n > SEMPER_PACKAGE_MAX_ITEMS)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("one to 64 items"));
      return NULL;
    }

  self = g_new0 (SemperPackage, 1);
  self->id = g_strdup (semper_json_get_string (object, "id"));
  self->sender = g_strdup (semper_json_get_string (object, "sender"));
  self->recipient = g_strdup (semper_json_get_string (object, "recipient"));
  self->created = created;
  self->receipt = json_node_get_boolean (receipt);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_item_free);
  for (guint i = 0; i < n; i++)
    {
      SemperItem *item = parse_item (json_array_get_element (array, i), error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (self->items, item);
    }
  return g_steal_pointer (&self);
}

/* ---- sealing and receiving ------------------------------------------------------ */

GBytes *
semper_transfer_seal (SemperCrypto              *sender,
                      const SemperPackage       *package,
                      SemperTransferAttributes   attributes,
                      GBytes                    *recipient_cert,
                      GError                   **error)
{
  g_autoptr(GBytes) wire = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (sender), NULL);
  g_return_val_if_fail (package != NULL, NULL);
  g_return_val_if_fail (!(attributes & SEMPER_TRANSFER_ENCRYPTED) || recipient_cert != NULL,
                        NULL);

  wire = semper_package_to_json (package);
  if (attributes & SEMPER_TRANSFER_SIGNED)
    {
      GBytes *signed_data = semper_cms_sign_message (sender, wire, error);

      if (signed_data == NULL)
        return NULL;
      g_bytes_unref (wire);
      wire = signed_data;
    }
  if (attributes & SEMPER_TRANSFER_ENCRYPTED)
    {
      GBytes *enveloped = semper_cms_encrypt (wire, recipient_cert, error);

      if (enveloped == NULL)
        return NULL;
      g_bytes_unref (wire);
      wire = enveloped;
    }
  return g_steal_pointer (&wire);
}

typedef enum {
  LAYER_JSON,
  LAYER_SIGNED,
  LAYER_ENVELOPED,
  LAYER_UNKNOWN,
} Layer;

/* The outer layer of @bytes: JSON, or the content type of a CMS ContentInfo
 * (SEQUENCE { OID 1.2.840.113549.1.7.2 or .3, [0] … }). */
static Layer
outer_layer (GBytes *bytes)
{
  static const guint8 pkcs7[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07 };
  gsize size = 0;
  const guint8 *p = g_bytes_get_data (bytes, &size);
  gsize at = 2;

  if (size > 0 && p[0] == '{')
    return LAYER_JSON;
  if (size < 2 || p[0] != 0x30)
    return LAYER_UNKNOWN;
  if (p[1] & 0x80)
    at += p[1] & 0x7f;
  if (size < at + sizeof pkcs7 + 1 || memcmp (p + at, pkcs7, sizeof pkcs7) != 0)
    return LAYER_UNKNOWN;
  switch (p[at + sizeof pkcs7])
    {
    case 0x02:
      return LAYER_SIGNED;
    case 0x03:
      return LAYER_ENVELOPED;
    default:
      return LAYER_UNKNOWN;
    }
}

static gboolean
check_item (SemperTrust  *trust,
            SemperItem   *item,
            GError      **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) local = NULL;

  if (item->kind == SEMPER_ITEM_PAYMENT)
    return TRUE;
  /* Statements and credentials are signed documents: each must verify. */
  content = semper_cms_verify (item->content, trust, &signer, &local);
  if (content == NULL || !signer->trusted)
    return fail (error, SEMPER_TRANSFER_ERROR_FORGED,
                 _("The item “%s” is not a document signed under the marketplace's root: %s"),
                 item->description, local != NULL ? local->message : _("untrusted signer"));
  return TRUE;
}

static GBytes *
make_receipt (SemperCrypto         *recipient,
              const SemperPackage  *package,
              GBytes               *wire,
              GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) json = NULL;
  g_autofree char *hash = semper_sha256_hex (wire);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-delivery-receipt");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "package");
  json_builder_add_string_value (b, package->id);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, hash);
  json_builder_set_member_name (b, "sender");
  json_builder_add_string_value (b, package->sender);
  json_builder_set_member_name (b, "recipient");
  json_builder_add_string_value (b, package->recipient);
  json_builder_set_member_name (b, "received");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_end_object (b);
  json = semper_json_builder_to_bytes (b);
  return semper_cms_sign_message (recipient, json, error);
}

SemperPackage *
semper_transfer_receive (SemperCrypto              *recipient,
                         SemperTrust               *trust,
                         SemperArchive             *archive,
                         GBytes                    *wire,
                         SemperTransferAttributes   required,
                         SemperTransferPaymentFunc  payment_func,
                         gpointer                   user_data,
                         SemperTransferAttributes  *out_attributes,
                         GBytes                   **out_receipt,
                         GError                   **error)
{
  g_autoptr(GBytes) inner = g_bytes_ref (wire);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperPackage) package = NULL;
  g_autoptr(GBytes) receipt = NULL;
  g_autofree char *own = NULL;
  SemperTransferAttributes got = SEMPER_TRANSFER_PLAIN;
  Layer layer;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (recipient), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);
  g_return_val_if_fail (wire != NULL, NULL);

  cert = semper_crypto_dup_certificate (recipient);
  if (cert == NULL)
    {
      fail (error, SEMPER_TRANSFER_ERROR_NOT_FOR_US, _("This party has no certificate"));
      return NULL;
    }
  own = semper_sha256_hex (cert);

  layer = outer_layer (inner);
  if (layer == LAYER_ENVELOPED)
    {
      GBytes *plain = semper_cms_decrypt (recipient, inner, error);

      if (plain == NULL)
        return NULL;
      g_bytes_unref (inner);
      inner = plain;
      got |= SEMPER_TRANSFER_ENCRYPTED;
      layer = outer_layer (inner);
    }
  if (layer == LAYER_SIGNED)
    {
      GBytes *content = semper_cms_verify (inner, trust, &signer, error);

      if (content == NULL)
        return NULL;
      g_bytes_unref (inner);
      inner = content;
      got |= SEMPER_TRANSFER_SIGNED;
      layer = outer_layer (inner);
    }
  if (layer != LAYER_JSON)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Invalid package: %s"),
            _("neither a package nor a signed or enveloped one"));
      return NULL;
    }
  if ((got & required) != required)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INSECURE,
            _("The package lacks a required protection (%s)"),
            (required & ~got & SEMPER_TRANSFER_SIGNED) ? _("the sender's signature")
                                                       : _("encryption to us"));
      return NULL;
    }
  package = semper_package_parse (inner, error);
  if (package == NULL)
    return NULL;
  if (!g_str_equal (package->recipient, own))
    {
      fail (error, SEMPER_TRANSFER_ERROR_NOT_FOR_US,
            _("The package is addressed to another party"));
      return NULL;
    }
  if (signer != NULL && (!signer->trusted || !g_str_equal (signer->fingerprint, package->sender)))
    {
      fail (error, SEMPER_TRANSFER_ERROR_FORGED,
            _("The package is not signed by the sender it names"));
      return NULL;
    }
  for (guint i = 0; i < package->items->len; i++)
    if (!check_item (trust, g_ptr_array_index (package->items, i), error))
      return NULL;
  for (guint i = 0; i < package->items->len; i++)
    {
      SemperItem *item = g_ptr_array_index (package->items, i);

      if (item->kind == SEMPER_ITEM_PAYMENT && payment_func == NULL)
        {
          fail (error, SEMPER_TRANSFER_ERROR_REFUSED,
                _("The package holds a payment and nothing here takes payments"));
          return NULL;
        }
    }

  /* Checked: archived raw before anything is acted on. */
  if (archive != NULL
      && semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL, CONTENT_TYPE_PACKAGE,
                                       wire, error) == 0)
    return NULL;
  for (guint i = 0; i < package->items->len; i++)
    {
      SemperItem *item = g_ptr_array_index (package->items, i);

      if (item->kind == SEMPER_ITEM_PAYMENT && !payment_func (package, item, user_data, error))
        return NULL;
    }
  if (package->receipt)
    {
      receipt = make_receipt (recipient, package, wire, error);
      if (receipt == NULL)
        return NULL;
      if (archive != NULL
          && semper_archive_message_store (archive, SEMPER_MESSAGE_OUT, NULL, CONTENT_TYPE_RECEIPT,
                                           receipt, error) == 0)
        return NULL;
    }
  if (out_attributes != NULL)
    *out_attributes = got;
  if (out_receipt != NULL)
    *out_receipt = g_steal_pointer (&receipt);
  return g_steal_pointer (&package);
}

/* ---- the receipt of delivery ---------------------------------------------------- */

void
semper_delivery_receipt_free (SemperDeliveryReceipt *self)
{
  if (self == NULL)
    return;
  g_free (self->package);
  g_free (self->sha256);
  g_free (self->sender);
  g_free (self->recipient);
  g_free (self);
}

SemperDeliveryReceipt *
semper_delivery_receipt_parse (GBytes  *json,
                               GError **error)
{
  static const char * const members[] = {
    "type", "version", "package", "sha256", "sender", "recipient", "received",
  };
  g_autoptr(JsonNode) root = NULL;
  SemperDeliveryReceipt *self;
  JsonObject *object;
  gint64 version = 0, received = 0;

  root = semper_message_parse (json, RECEIPT_MAX_JSON, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!has_exactly (object, members, G_N_ELEMENTS (members))
      || g_strcmp0 (semper_json_get_string (object, "type"), "semper-delivery-receipt") != 0
      || !semper_json_get_int (object, "version", &version) || version != 1
      || !semper_protocol_is_hex (semper_json_get_string (object, "package"), 32)
      || !semper_protocol_is_hex (semper_json_get_string (object, "sha256"), 64)
      || !semper_protocol_is_hex (semper_json_get_string (object, "sender"), 64)
      || !semper_protocol_is_hex (semper_json_get_string (object, "recipient"), 64)
      || !semper_json_get_int (object, "received", &received) || received <= 0)
    {
      fail (error, SEMPER_TRANSFER_ERROR_INVALID, _("Not a receipt of delivery"));
      return NULL;
    }
  self = g_new0 (SemperDeliveryReceipt, 1);
  self->package = g_strdup (semper_json_get_string (object, "package"));
  self->sha256 = g_strdup (semper_json_get_string (object, "sha256"));
  self->sender = g_strdup (semper_json_get_string (object, "sender"));
  self->recipient = g_strdup (semper_json_get_string (object, "recipient"));
  self->received = received;
  return self;
}

SemperDeliveryReceipt *
semper_transfer_check_receipt (GBytes               *receipt,
                               SemperTrust          *trust,
                               const SemperPackage  *package,
                               GBytes               *wire,
                               GError              **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(SemperDeliveryReceipt) self = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (receipt != NULL && package != NULL && wire != NULL, NULL);

  json = semper_cms_verify (receipt, trust, &signer, error);
  if (json == NULL)
    return NULL;
  self = semper_delivery_receipt_parse (json, error);
  if (self == NULL)
    return NULL;
  hash = semper_sha256_hex (wire);
  if (!signer->trusted || !g_str_equal (signer->fingerprint, package->recipient)
      || !g_str_equal (self->recipient, package->recipient)
      || !g_str_equal (self->sender, package->sender)
      || !g_str_equal (self->package, package->id) || !g_str_equal (self->sha256, hash))
    {
      fail (error, SEMPER_TRANSFER_ERROR_FORGED,
            _("The receipt is not the recipient's receipt of this package"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- over HTTP ------------------------------------------------------------------ */

typedef struct {
  SemperCrypto              *recipient;
  SemperTrust               *trust;
  SemperArchive             *archive;
  SemperTransferAttributes   required;
  SemperTransferPaymentFunc  payment_func;
  gpointer                   user_data;
} Route;

static void
route_free (Route *route)
{
  g_clear_object (&route->recipient);
  g_clear_object (&route->trust);
  g_clear_object (&route->archive);
  g_free (route);
}

static SemperCommResponse *
route_cb (SemperCommServer  *server,
          SemperCommRequest *request,
          gpointer           data)
{
  Route *route = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPackage) package = NULL;
  g_autoptr(GBytes) receipt = NULL;
  g_autoptr(GBytes) answer = NULL;

  package = semper_transfer_receive (route->recipient, route->trust, route->archive,
                                     semper_comm_request_get_body (request), route->required,
                                     route->payment_func, route->user_data, NULL, &receipt,
                                     &error);
  if (package == NULL)
    return semper_comm_response_new_error (400, "refused", error->message);
  if (receipt != NULL)
    return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, receipt);
  {
    char *text = g_strdup_printf ("{\"package\":\"%s\"}", package->id);

    answer = g_bytes_new_take (text, strlen (text));
  }
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, answer);
}

void
semper_transfer_add_route (SemperCommServer           *server,
                           const char                 *path,
                           SemperCrypto               *recipient,
                           SemperTrust                *trust,
                           SemperArchive              *archive,
                           SemperTransferAttributes    required,
                           SemperTransferPaymentFunc   payment_func,
                           gpointer                    user_data)
{
  Route *route = g_new0 (Route, 1);

  route->recipient = g_object_ref (recipient);
  route->trust = g_object_ref (trust);
  route->archive = archive != NULL ? g_object_ref (archive) : NULL;
  route->required = required;
  route->payment_func = payment_func;
  route->user_data = user_data;
  semper_comm_server_add_route (server, "POST", path, route_cb, route,
                                (GDestroyNotify) route_free);
}

gboolean
semper_transfer_send (SemperCommClient  *client,
                      const char        *url,
                      GBytes            *wire,
                      GBytes           **out_receipt,
                      GError           **error)
{
  g_autofree char *type = NULL;
  g_autoptr(GBytes) answer = NULL;
  const char *sent_type = outer_layer (wire) == LAYER_JSON ? SEMPER_COMM_CONTENT_TYPE_JSON
                                                           : SEMPER_COMM_CONTENT_TYPE_CMS;

  answer = semper_comm_client_post_sync (client, url, sent_type, wire, &type, NULL, error);
  if (answer == NULL)
    return FALSE;
  if (out_receipt != NULL)
    *out_receipt = g_strcmp0 (type, SEMPER_COMM_CONTENT_TYPE_CMS) == 0
                   ? g_steal_pointer (&answer) : NULL;
  return TRUE;
}
