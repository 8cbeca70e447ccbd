/* semper-json.c: strict getters for members of JSON objects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-json-private.h"

#include <string.h>

const char *
semper_json_get_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
semper_json_get_int (JsonObject *object,
                     const char *name,
                     gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

JsonArray *
semper_json_get_array (JsonObject *object,
                       const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

GBytes *
semper_json_builder_to_bytes (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

GBytes *
semper_json_get_base64 (JsonObject *object,
                        const char *name,
                        gsize       max)
{
  const char *text = semper_json_get_string (object, name);
  g_autofree guchar *data = NULL;
  g_autofree char *again = NULL;
  gsize len = 0;

  /* No decoding of what cannot be canonical or is longer than @max bytes
   * need (in a form that does not overflow for G_MAXSIZE). */
  if (text == NULL || *text == '\0' || strlen (text) % 4 != 0
      || strlen (text) / 4 > max / 3 + 1)
    return NULL;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return NULL;
  data = g_base64_decode (text, &len);
  if (len == 0 || len > max)
    return NULL;
  again = g_base64_encode (data, len);
  if (!g_str_equal (again, text))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}
