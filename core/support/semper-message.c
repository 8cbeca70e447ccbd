/* semper-message.c: strict JSON for bodies from the network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-message.h"
#include "semper-json-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#define ERROR_BODY_MAX    (64 * 1024)
#define ERROR_MESSAGE_MAX 300

G_DEFINE_QUARK (semper-message-error-quark, semper_message_error)

/* Nesting depth outside strings, before json-glib recurses into it. */
static gboolean
depth_ok (const char *data,
          gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > SEMPER_MESSAGE_MAX_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

typedef struct
{
  GHashTable *counts;     /* JsonObject → members seen */
  gboolean    duplicate;
} Members;

static void
object_member_cb (JsonParser *parser,
                  JsonObject *object,
                  const char *name,
                  Members    *members)
{
  guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (members->counts, object)) + 1;

  g_hash_table_insert (members->counts, object, GUINT_TO_POINTER (seen));
  /* A repeated name replaces the earlier member, so the object stays
   * smaller than the number of members parsed. */
  if (json_object_get_size (object) != seen)
    members->duplicate = TRUE;
}

/**
 * semper_message_parse:
 * @bytes: a JSON text, UTF-8
 * @max_size: the largest accepted size in bytes
 * @error: return location for an error
 *
 * Parses @bytes strictly: valid UTF-8 without NUL, an object at the top,
 * no member name twice in one object, nesting at most
 * %SEMPER_MESSAGE_MAX_DEPTH.
 *
 * Returns: (transfer full) (nullable): the root object node
 */
JsonNode *
semper_message_parse (GBytes  *bytes,
                      gsize    max_size,
                      GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(GError) local_error = NULL;
  Members members = { 0 };
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len > max_size)
    {
      g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, max_size);

      g_set_error (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_TOO_LARGE,
                   _("The message is larger than %s bytes"), limit);
      return NULL;
    }
  if (len == 0 || !g_utf8_validate_len (data, len, NULL) || memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_INVALID,
                           _("The message is not UTF-8 text"));
      return NULL;
    }
  if (!depth_ok (data, len))
    {
      g_set_error (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_TOO_LARGE,
                   _("The message nests deeper than %d levels"), SEMPER_MESSAGE_MAX_DEPTH);
      return NULL;
    }

  counts = g_hash_table_new (NULL, NULL);
  members.counts = counts;
  parser = json_parser_new_immutable ();
  g_signal_connect (parser, "object-member", G_CALLBACK (object_member_cb), &members);
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_INVALID,
                   _("The message is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  if (members.duplicate)
    {
      g_set_error_literal (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_DUPLICATE,
                           _("The message names a member twice"));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_INVALID,
                           _("The message is not a JSON object"));
      return NULL;
    }
  return json_node_ref (root);
}

/**
 * semper_message_parse_error:
 * @bytes: a body, presumably the JSON error body of comm
 * @out_code: (out) (transfer full) (nullable): the code, if well-formed
 * @out_message: (out) (transfer full) (nullable): the message, cleaned:
 *   control and format characters become spaces, at most 300 characters
 *
 * Returns: whether @bytes was an error body
 */
gboolean
semper_message_parse_error (GBytes  *bytes,
                            char   **out_code,
                            char   **out_message)
{
  g_autoptr(JsonNode) root = semper_message_parse (bytes, ERROR_BODY_MAX, NULL);
  JsonNode *node;
  JsonObject *object;
  const char *code, *message;

  *out_code = NULL;
  *out_message = NULL;
  if (root == NULL)
    return FALSE;
  node = json_object_get_member (json_node_get_object (root), "error");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  code = semper_json_get_string (object, "code");
  message = semper_json_get_string (object, "message");

  if (code != NULL && strlen (code) <= 64)
    {
      *out_code = g_strdup (code);
      g_strcanon (*out_code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
                  '?');
    }
  if (message != NULL)
    {
      GString *clean = g_string_new (NULL);
      guint count = 0;
      const char *p;

      for (p = message; *p != '\0' && count < ERROR_MESSAGE_MAX; p = g_utf8_next_char (p), count++)
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
            c = ' ';
          g_string_append_unichar (clean, c);
        }
      if (*p != '\0')
        g_string_append (clean, "…");
      *out_message = g_string_free (clean, FALSE);
    }
  return TRUE;
}
