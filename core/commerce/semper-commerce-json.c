/* semper-commerce-json.c: strict JSON reading shared by the commerce layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-commerce-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

gboolean
_semper_commerce_is_identifier (const char *text)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len == 0 || len > 64 || !(text[0] >= 'a' && text[0] <= 'z'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(text[i] >= 'a' && text[i] <= 'z') && !g_ascii_isdigit (text[i]) && text[i] != '-')
      return FALSE;
  return text[len - 1] != '-';
}

gboolean
_semper_commerce_is_plain_text (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029)
        return FALSE;
    }
  return TRUE;
}

gboolean
_semper_json_check_members (JsonObject          *object,
                            const char * const  *allowed,
                            const char          *where,
                            GQuark               domain,
                            int                  code,
                            GError             **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *shown = g_strescape (l->data, NULL);

          g_set_error (error, domain, code, _("%s: unknown member “%.64s”"), where, shown);
          return FALSE;
        }
    }
  return TRUE;
}

static JsonNode *
get_member (JsonObject *object,
            const char *member)
{
  return json_object_has_member (object, member)
         ? json_object_get_member (object, member) : NULL;
}

gboolean
_semper_json_get_string (JsonObject   *object,
                         const char   *member,
                         gsize         max_len,
                         gboolean      required,
                         const char   *where,
                         const char  **out,
                         GQuark        domain,
                         int           code,
                         GError      **error)
{
  JsonNode *node = get_member (object, member);
  const char *value;

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        g_set_error (error, domain, code, _("%s: “%s” is missing"), where, member);
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, domain, code, _("%s: “%s” must be a string"), where, member);
      return FALSE;
    }
  value = json_node_get_string (node);
  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, domain, code, _("%s: “%s” is empty"), where, member);
      return FALSE;
    }
  if (strlen (value) > max_len)
    {
      g_set_error (error, domain, code, _("%s: “%s” is longer than %zu bytes"),
                   where, member, max_len);
      return FALSE;
    }
  if (!_semper_commerce_is_plain_text (value))
    {
      g_set_error (error, domain, code, _("%s: “%s” holds control characters"), where, member);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
_semper_json_get_int (JsonObject  *object,
                      const char  *member,
                      gint64       min,
                      gint64       max,
                      gboolean     required,
                      gint64       fallback,
                      const char  *where,
                      gint64      *out,
                      GQuark       domain,
                      int          code,
                      GError     **error)
{
  JsonNode *node = get_member (object, member);
  gint64 value;

  *out = fallback;
  if (node == NULL)
    {
      if (required)
        g_set_error (error, domain, code, _("%s: “%s” is missing"), where, member);
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, domain, code, _("%s: “%s” must be an integer"), where, member);
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_set_error (error, domain, code,
                   _("%s: “%s” must be between %" PRId64 " and %" PRId64),
                   where, member, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
_semper_json_get_bool (JsonObject  *object,
                       const char  *member,
                       gboolean     fallback,
                       const char  *where,
                       gboolean    *out,
                       GQuark       domain,
                       int          code,
                       GError     **error)
{
  JsonNode *node = get_member (object, member);

  *out = fallback;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, domain, code, _("%s: “%s” must be true or false"), where, member);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_semper_json_get_array (JsonObject  *object,
                        const char  *member,
                        guint        min,
                        guint        max,
                        gboolean     required,
                        const char  *where,
                        JsonArray  **out,
                        GQuark       domain,
                        int          code,
                        GError     **error)
{
  JsonNode *node = get_member (object, member);
  guint n;

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        g_set_error (error, domain, code, _("%s: “%s” is missing"), where, member);
      return !required;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, domain, code, _("%s: “%s” must be an array"), where, member);
      return FALSE;
    }
  n = json_array_get_length (json_node_get_array (node));
  if (n < min || n > max)
    {
      g_set_error (error, domain, code, _("%s: “%s” must have %u to %u elements, not %u"),
                   where, member, min, max, n);
      return FALSE;
    }
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
_semper_json_get_object (JsonObject  *object,
                         const char  *member,
                         gboolean     required,
                         const char  *where,
                         JsonObject **out,
                         GQuark       domain,
                         int          code,
                         GError     **error)
{
  JsonNode *node = get_member (object, member);

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        g_set_error (error, domain, code, _("%s: “%s” is missing"), where, member);
      return !required;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, domain, code, _("%s: “%s” must be an object"), where, member);
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}
