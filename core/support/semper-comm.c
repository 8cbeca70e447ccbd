/* semper-comm.c: the error domain and the request/response values of comm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-comm.h"
#include "semper-comm-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "semper-json-private.h"

/* An extended error domain, so that a HTTP_STATUS error carries the status
 * and the peer's error code alongside its message. */
typedef struct
{
  guint  status;
  char  *code;
} SemperCommErrorPrivate;

static void
semper_comm_error_private_init (SemperCommErrorPrivate *priv)
{
  priv->status = 0;
  priv->code = NULL;
}

static void
semper_comm_error_private_copy (const SemperCommErrorPrivate *src,
                                SemperCommErrorPrivate       *dest)
{
  dest->status = src->status;
  dest->code = g_strdup (src->code);
}

static void
semper_comm_error_private_clear (SemperCommErrorPrivate *priv)
{
  g_clear_pointer (&priv->code, g_free);
}

G_DEFINE_EXTENDED_ERROR (SemperCommError, semper_comm_error)

/**
 * semper_comm_error_get_status:
 * @error: (nullable): an error
 *
 * Returns: the HTTP status of a %SEMPER_COMM_ERROR_HTTP_STATUS error, else 0
 */
guint
semper_comm_error_get_status (const GError *error)
{
  SemperCommErrorPrivate *priv;

  if (error == NULL || error->domain != SEMPER_COMM_ERROR)
    return 0;
  priv = semper_comm_error_get_private (error);
  return priv != NULL ? priv->status : 0;
}

/**
 * semper_comm_error_get_code:
 * @error: (nullable): an error
 *
 * Returns: (nullable) (transfer none): the machine-readable code that the
 *   peer put in its JSON error body ("not-found", …), if any
 */
const char *
semper_comm_error_get_code (const GError *error)
{
  SemperCommErrorPrivate *priv;

  if (error == NULL || error->domain != SEMPER_COMM_ERROR)
    return NULL;
  priv = semper_comm_error_get_private (error);
  return priv != NULL ? priv->code : NULL;
}

GError *
_semper_comm_error_new_status (guint       status,
                               const char *reason,
                               const char *code,
                               const char *message)
{
  GError *error;
  SemperCommErrorPrivate *priv;

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  if (reason == NULL)
    reason = "";

  if (message != NULL && *message != '\0')
    error = g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS,
                         _("The server answered %u %s: %s"), status, reason, message);
  else
    error = g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS,
                         _("The server answered %u %s"), status, reason);

  priv = semper_comm_error_get_private (error);
  priv->status = status;
  priv->code = g_strdup (code);
  return error;
}

/**
 * semper_comm_content_type_is_allowed:
 * @content_type: (nullable): a media type, without parameters
 *
 * Returns: whether @content_type is one of the two types comm carries
 */
gboolean
semper_comm_content_type_is_allowed (const char *content_type)
{
  return content_type != NULL &&
         (g_ascii_strcasecmp (content_type, SEMPER_COMM_CONTENT_TYPE_CMS) == 0 ||
          g_ascii_strcasecmp (content_type, SEMPER_COMM_CONTENT_TYPE_JSON) == 0);
}

/**
 * semper_comm_response_new:
 * @status: the HTTP status
 * @content_type: (nullable): the body's media type; %NULL for no body
 * @body: (nullable) (transfer none): the body
 *
 * Returns: (transfer full): a response for a handler to return
 */
SemperCommResponse *
semper_comm_response_new (guint       status,
                          const char *content_type,
                          GBytes     *body)
{
  SemperCommResponse *response = g_new0 (SemperCommResponse, 1);

  response->status = status;
  response->content_type = g_strdup (content_type);
  response->body = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
  response->headers = g_ptr_array_new_with_free_func (g_free);
  return response;
}

/**
 * semper_comm_response_new_error:
 * @status: the HTTP status, 4xx or 5xx
 * @code: (nullable): a short machine-readable code; %NULL derives one from
 *   @status ("not-found")
 * @message: a human-readable message
 *
 * Makes the one error body format of comm:
 * `{"error": {"code": "...", "message": "..."}}` as application/json.
 *
 * Returns: (transfer full): a response
 */
SemperCommResponse *
semper_comm_response_new_error (guint       status,
                                const char *code,
                                const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *derived = NULL;
  g_autoptr(GBytes) body = NULL;

  if (code == NULL)
    {
      const char *phrase = soup_status_get_phrase (status);

      derived = g_ascii_strdown (phrase != NULL && *phrase != '\0' ? phrase : "error", -1);
      g_strdelimit (derived, " ", '-');
      g_strcanon (derived, "abcdefghijklmnopqrstuvwxyz0123456789-", '-');
      code = derived;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message != NULL ? message : "");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = semper_json_builder_to_bytes (builder);

  return semper_comm_response_new (status, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

/**
 * semper_comm_response_set_header:
 * @response: a response
 * @name: a header name
 * @value: its value
 *
 * Adds one response header (e.g. `Allow`, `Retry-After`).
 */
void
semper_comm_response_set_header (SemperCommResponse *response,
                                 const char         *name,
                                 const char         *value)
{
  g_return_if_fail (response != NULL);
  g_return_if_fail (name != NULL && value != NULL);

  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

guint
semper_comm_response_get_status (const SemperCommResponse *response)
{
  return response->status;
}

/**
 * semper_comm_response_get_content_type:
 * @response: a response
 *
 * Returns: (nullable) (transfer none): the body's media type
 */
const char *
semper_comm_response_get_content_type (const SemperCommResponse *response)
{
  return response->content_type;
}

/**
 * semper_comm_response_get_body:
 * @response: a response
 *
 * Returns: (transfer none): the body, maybe empty
 */
GBytes *
semper_comm_response_get_body (const SemperCommResponse *response)
{
  return response->body;
}

void
semper_comm_response_free (SemperCommResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->content_type);
  g_bytes_unref (response->body);
  g_ptr_array_unref (response->headers);
  g_free (response);
}
