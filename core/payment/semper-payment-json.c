/* semper-payment-json.c: strict JSON helpers for the payment messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-payment-json-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-message.h"
#include "semper-money.h"
#include "semper-payment-system.h"
#include "semper-json-private.h"

static void
invalid (GError    **error,
         const char *format,
         const char *name)
{
  g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID, format, name);
}

gboolean
_semper_pay_json_members (JsonObject          *object,
                          const char * const  *allowed,
                          GError             **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        invalid (error, _("Unexpected member “%s”"), l->data);
        return FALSE;
      }
  return TRUE;
}

JsonObject *
_semper_pay_json_open (GBytes              *json,
                       const char          *type,
                       const char * const  *allowed,
                       JsonNode           **out_root,
                       GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;
  const char *text;
  gint64 version;

  root = semper_message_parse (json, _SEMPER_PAY_MAX_JSON, &local);
  if (root == NULL)
    {
      g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID, "%s",
                   local->message);
      return NULL;
    }
  object = json_node_get_object (root);
  if (!_semper_pay_json_members (object, allowed, error))
    return NULL;
  text = _semper_pay_json_string (object, "type", TRUE, error);
  if (text == NULL)
    return NULL;
  if (!g_str_equal (text, type))
    {
      invalid (error, _("Not a “%s” message"), type);
      return NULL;
    }
  if (!_semper_pay_json_int (object, "version", 1, 1, &version, error))
    return NULL;
  *out_root = g_steal_pointer (&root);
  return object;
}

const char *
_semper_pay_json_string (JsonObject  *object,
                         const char  *name,
                         gboolean     required,
                         GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      if (required)
        invalid (error, _("Missing member “%s”"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      invalid (error, _("Member “%s” must be a string"), name);
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
_semper_pay_json_int (JsonObject  *object,
                      const char  *name,
                      gint64       min,
                      gint64       max,
                      gint64      *out,
                      GError     **error)
{
  if (!semper_json_get_int (object, name, out))
    {
      invalid (error, _("Member “%s” must be an integer"), name);
      return FALSE;
    }
  if (*out < min || *out > max)
    {
      invalid (error, _("Member “%s” is out of range"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
_semper_pay_is_hex64 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
_semper_pay_is_key (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

gboolean
_semper_pay_is_account (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 0 || len > 64 || !g_ascii_isalnum (text[0]))
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'z') && *p != '.' && *p != '-'
        && *p != '_')
      return FALSE;
  return TRUE;
}

char *
_semper_pay_json_hex64 (JsonObject  *object,
                        const char  *name,
                        GError     **error)
{
  const char *text = _semper_pay_json_string (object, name, TRUE, error);

  if (text == NULL)
    return NULL;
  if (!_semper_pay_is_hex64 (text))
    {
      invalid (error, _("Member “%s” must be 64 lower-case hex digits"), name);
      return NULL;
    }
  return g_strdup (text);
}

GBytes *
_semper_pay_json_base64 (JsonObject  *object,
                         const char  *name,
                         gsize        max,
                         GError     **error)
{
  GBytes *bytes;

  if (_semper_pay_json_string (object, name, TRUE, error) == NULL)
    return NULL;
  bytes = semper_json_get_base64 (object, name, max);
  if (bytes == NULL)
    invalid (error, _("Member “%s” must be canonical base64"), name);
  return bytes;
}

gboolean
_semper_pay_json_amount (JsonObject    *object,
                         SemperAmount  *out,
                         GError       **error)
{
  const char *currency;
  gint64 minor;

  if (!_semper_pay_json_int (object, "amount", 0, _SEMPER_PAY_MAX_AMOUNT, &minor, error))
    return FALSE;
  currency = _semper_pay_json_string (object, "currency", TRUE, error);
  if (currency == NULL)
    return FALSE;
  if (!semper_amount_init (out, minor, currency, NULL))
    {
      invalid (error, _("Member “%s” is not a known currency"), "currency");
      return FALSE;
    }
  return TRUE;
}

void
_semper_pay_add_string (JsonBuilder *b,
                        const char  *name,
                        const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

void
_semper_pay_add_int (JsonBuilder *b,
                     const char  *name,
                     gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
_semper_pay_add_base64 (JsonBuilder *b,
                        const char  *name,
                        GBytes      *value)
{
  gsize len = 0;
  const guchar *data = g_bytes_get_data (value, &len);
  g_autofree char *text = g_base64_encode (data, len);

  _semper_pay_add_string (b, name, text);
}

GBytes *
_semper_pay_builder_finish (JsonBuilder *b)
{

  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}
