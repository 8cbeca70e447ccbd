/* semper-comm-client.c: one request, one bounded answer, on a SoupSession.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-comm-client.h"
#include "semper-comm-private.h"
#include "semper-message.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#define READ_BLOCK        (64 * 1024)
#define ERROR_BODY_MAX    (64 * 1024)   /* what we read of a non-2xx body */
#define POOL_IDLE_TIMEOUT 60            /* seconds an unused keep-alive connection lives */

struct _SemperCommClient
{
  GObject       parent_instance;

  GMutex        lock;
  guint         timeout;
  gsize         max_body;
  SoupSession  *session;          /* shared by async calls in one context */
  GMainContext *session_context;
};

G_DEFINE_FINAL_TYPE (SemperCommClient, semper_comm_client, G_TYPE_OBJECT)

typedef struct
{
  char          *url;
  SoupSession   *session;
  gboolean       private_session;
  SoupMessage   *msg;
  GCancellable  *cancellable;      /* ours: cancelled by the timer or the caller's */
  GCancellable  *user_cancellable;
  gulong         user_cancel_id;
  GSource       *timer;
  gboolean       timed_out;
  guint          timeout;
  gsize          max_body;
  gsize          limit;            /* what we read of this body */
  guint          status;
  char          *content_type;
  GInputStream  *stream;
  GByteArray    *buffer;
} Call;

typedef struct
{
  GBytes *body;
  char   *content_type;
} Result;

static void
result_free (gpointer data)
{
  Result *result = data;

  g_bytes_unref (result->body);
  g_free (result->content_type);
  g_free (result);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  if (call->timer != NULL)
    {
      g_source_destroy (call->timer);
      g_source_unref (call->timer);
    }
  if (call->user_cancellable != NULL)
    {
      g_cancellable_disconnect (call->user_cancellable, call->user_cancel_id);
      g_object_unref (call->user_cancellable);
    }
  g_clear_object (&call->stream);
  g_clear_object (&call->msg);
  if (call->session != NULL && call->private_session)
    soup_session_abort (call->session);
  g_clear_object (&call->session);
  g_clear_object (&call->cancellable);
  g_clear_pointer (&call->buffer, g_byte_array_unref);
  g_free (call->content_type);
  g_free (call->url);
  g_free (call);
}

static SoupSession *
session_new (SemperCommClient *self)
{
  /* Direct connections only (no proxy): the peers are named by URL and the
   * demo runs on loopback; see docs/comm.md. */
  return soup_session_new_with_options ("timeout", self->timeout,
                                        "idle-timeout", POOL_IDLE_TIMEOUT,
                                        "max-conns", 64,
                                        "max-conns-per-host", 16,
                                        "proxy-resolver", NULL,
                                        "user-agent", "semper/" PACKAGE_VERSION " ",
                                        NULL);
}

/* A SoupSession belongs to the main context it was first used in. Async
 * calls from that context share one (keep-alive); any other context gets
 * a session of its own for the call. */
static SoupSession *
session_for_context (SemperCommClient *self,
                     gboolean         *out_private)
{
  GMainContext *context = g_main_context_get_thread_default ();
  SoupSession *session = NULL;

  if (context == NULL)
    context = g_main_context_default ();

  g_mutex_lock (&self->lock);
  if (self->session == NULL)
    {
      self->session = session_new (self);
      self->session_context = g_main_context_ref (context);
    }
  if (self->session_context == context)
    session = g_object_ref (self->session);
  g_mutex_unlock (&self->lock);

  *out_private = session == NULL;
  if (session == NULL)
    session = session_new (self);
  return session;
}

static GError *
map_transport_error (Call   *call,
                     GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (call->timed_out)
        return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TIMEOUT,
                            _("No complete answer from %s within %u s"), call->url, call->timeout);
      return g_error_copy (error);
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TIMEOUT,
                        _("%s did not answer in time: %s"), call->url, error->message);
  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_UNREACHABLE,
                        _("Cannot reach %s: %s"), call->url, error->message);
  return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_FAILED,
                      _("The connection to %s broke off: %s"), call->url, error->message);
}

static void
fail (GTask  *task,
      GError *error)
{
  Call *call = g_task_get_task_data (task);

  /* Stop the clock and any I/O still pending before reporting. */
  if (call->timer != NULL)
    g_source_destroy (call->timer);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
finish_call (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&call->buffer));
  Result *result;

  if (!SOUP_STATUS_IS_SUCCESSFUL (call->status))
    {
      g_autofree char *code = NULL;
      g_autofree char *message = NULL;

      if (call->content_type != NULL &&
          g_ascii_strcasecmp (call->content_type, SEMPER_COMM_CONTENT_TYPE_JSON) == 0)
        semper_message_parse_error (body, &code, &message);
      fail (task, _semper_comm_error_new_status (call->status,
                                                 soup_message_get_reason_phrase (call->msg),
                                                 code, message));
      return;
    }

  if (g_bytes_get_size (body) > 0 && !semper_comm_content_type_is_allowed (call->content_type))
    {
      fail (task, g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_BAD_CONTENT_TYPE,
                               _("%s answered with content of type “%s”, expected %s or %s"),
                               call->url,
                               call->content_type != NULL ? call->content_type : "(none)",
                               SEMPER_COMM_CONTENT_TYPE_CMS, SEMPER_COMM_CONTENT_TYPE_JSON));
      return;
    }

  if (call->timer != NULL)
    g_source_destroy (call->timer);
  result = g_new0 (Result, 1);
  result->body = g_steal_pointer (&body);
  result->content_type = g_strdup (call->content_type);
  g_task_return_pointer (task, result, result_free);
  g_object_unref (task);
}

static GError *
too_large_error (Call    *call,
                 guint64  size,
                 gboolean declared)
{
  g_autofree char *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  g_autofree char *limit_text = g_strdup_printf ("%" G_GSIZE_FORMAT, call->max_body);

  if (declared)
    return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE,
                        _("The answer from %s is %s bytes, over the limit of %s"),
                        call->url, size_text, limit_text);
  return g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE,
                      _("The answer from %s exceeds the limit of %s bytes"),
                      call->url, limit_text);
}

static void read_cb (GObject *object, GAsyncResult *res, gpointer user_data);

static void
read_more (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (call->stream, READ_BLOCK, G_PRIORITY_DEFAULT,
                                   call->cancellable, read_cb, task);
}

static void
read_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;
  gsize size;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), res, &error);
  if (chunk == NULL)
    {
      fail (task, map_transport_error (call, error));
      return;
    }

  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      finish_call (task);
      return;
    }

  if (call->buffer->len + size > call->limit)
    {
      if (SOUP_STATUS_IS_SUCCESSFUL (call->status))
        fail (task, too_large_error (call, 0, FALSE));
      else
        fail (task, _semper_comm_error_new_status (call->status,
                                                   soup_message_get_reason_phrase (call->msg),
                                                   NULL, NULL));
      return;
    }

  g_byte_array_append (call->buffer, g_bytes_get_data (chunk, NULL), size);
  read_more (task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  goffset length = -1;

  call->stream = soup_session_send_finish (SOUP_SESSION (object), res, &error);
  if (call->stream == NULL)
    {
      fail (task, map_transport_error (call, error));
      return;
    }

  call->status = soup_message_get_status (call->msg);
  headers = soup_message_get_response_headers (call->msg);
  call->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  call->limit = SOUP_STATUS_IS_SUCCESSFUL (call->status) ? call->max_body
                                                         : MIN (call->max_body, ERROR_BODY_MAX);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);

  /* Refuse an announced oversize body before reading any of it. */
  if (length > 0 && (guint64) length > call->limit)
    {
      if (SOUP_STATUS_IS_SUCCESSFUL (call->status))
        fail (task, too_large_error (call, length, TRUE));
      else
        fail (task, _semper_comm_error_new_status (call->status,
                                                   soup_message_get_reason_phrase (call->msg),
                                                   NULL, NULL));
      return;
    }

  call->buffer = g_byte_array_sized_new (length > 0 ? (guint) length : 0);
  read_more (task);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Call *call = user_data;

  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
user_cancelled_cb (GCancellable *user_cancellable,
                   gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
start_call (SemperCommClient    *self,
            const char          *method,
            const char          *url,
            const char          *content_type,
            GBytes              *body,
            GCancellable        *cancellable,
            gpointer             source_tag,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  Call *call;

  g_task_set_source_tag (task, source_tag);
  call = g_new0 (Call, 1);
  call->url = g_strdup (url);
  g_mutex_lock (&self->lock);
  call->timeout = self->timeout;
  call->max_body = self->max_body;
  g_mutex_unlock (&self->lock);
  g_task_set_task_data (task, call, call_free);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      fail (task, g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_INVALID_URL,
                               _("Only http:// and https:// URLs can be used, not “%s”"), url));
      return;
    }

  if (body != NULL && g_bytes_get_size (body) > call->max_body)
    {
      g_autofree char *size_text = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (body));
      g_autofree char *limit_text = g_strdup_printf ("%" G_GSIZE_FORMAT, call->max_body);

      fail (task, g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE,
                               _("The request body of %s bytes exceeds the limit of %s"),
                               size_text, limit_text));
      return;
    }

  if (body != NULL && !semper_comm_content_type_is_allowed (content_type))
    {
      fail (task, g_error_new (SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_BAD_CONTENT_TYPE,
                               _("Cannot send content of type “%s”; expected %s or %s"),
                               content_type != NULL ? content_type : "(none)",
                               SEMPER_COMM_CONTENT_TYPE_CMS, SEMPER_COMM_CONTENT_TYPE_JSON));
      return;
    }

  call->msg = soup_message_new_from_uri (method, uri);
  /* Carry bytes to the URL asked for and nowhere else. */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (call->msg), "Accept",
                                SEMPER_COMM_CONTENT_TYPE_CMS ", " SEMPER_COMM_CONTENT_TYPE_JSON);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (call->msg, content_type, body);

  call->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->user_cancellable = g_object_ref (cancellable);
      call->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb),
                                                    g_object_ref (call->cancellable),
                                                    g_object_unref);
    }

  if (call->timeout > 0)
    {
      call->timer = g_timeout_source_new ((guint) MIN ((guint64) call->timeout * 1000,
                                                       G_MAXUINT));
      g_source_set_callback (call->timer, timeout_cb, call, NULL);
      g_source_set_static_name (call->timer, "[semper] comm request timeout");
      g_source_attach (call->timer, g_task_get_context (task));
    }

  call->session = session_for_context (self, &call->private_session);
  soup_session_send_async (call->session, call->msg, G_PRIORITY_DEFAULT, call->cancellable,
                           send_cb, task);
}

static GBytes *
finish_common (SemperCommClient  *self,
               GAsyncResult      *result,
               char             **out_content_type,
               GError           **error)
{
  Result *value;
  GBytes *body;

  if (out_content_type != NULL)
    *out_content_type = NULL;

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return NULL;

  body = g_steal_pointer (&value->body);
  if (out_content_type != NULL)
    *out_content_type = g_steal_pointer (&value->content_type);
  result_free (value);
  return body;
}

/**
 * semper_comm_client_post_async:
 * @self: a client
 * @url: an http:// or https:// URL
 * @content_type: %SEMPER_COMM_CONTENT_TYPE_CMS or %SEMPER_COMM_CONTENT_TYPE_JSON
 * @body: (transfer none): the request body
 * @cancellable: (nullable): cancels the request
 * @callback: called in the caller's thread-default main context
 * @user_data: for @callback
 */
void
semper_comm_client_post_async (SemperCommClient    *self,
                               const char          *url,
                               const char          *content_type,
                               GBytes              *body,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SEMPER_IS_COMM_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (body != NULL);

  start_call (self, SOUP_METHOD_POST, url, content_type, body, cancellable,
              semper_comm_client_post_async, callback, user_data);
}

/**
 * semper_comm_client_post_finish:
 * @self: a client
 * @result: the result
 * @out_content_type: (out) (optional) (transfer full) (nullable): the answer's media type
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the response body, maybe empty
 */
GBytes *
semper_comm_client_post_finish (SemperCommClient  *self,
                                GAsyncResult      *result,
                                char             **out_content_type,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        semper_comm_client_post_async, NULL);
  return finish_common (self, result, out_content_type, error);
}

void
semper_comm_client_get_async (SemperCommClient    *self,
                              const char          *url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SEMPER_IS_COMM_CLIENT (self));
  g_return_if_fail (url != NULL);

  start_call (self, SOUP_METHOD_GET, url, NULL, NULL, cancellable,
              semper_comm_client_get_async, callback, user_data);
}

/**
 * semper_comm_client_get_finish:
 * @self: a client
 * @result: the result
 * @out_content_type: (out) (optional) (transfer full) (nullable): the answer's media type
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the response body, maybe empty
 */
GBytes *
semper_comm_client_get_finish (SemperCommClient  *self,
                               GAsyncResult      *result,
                               char             **out_content_type,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        semper_comm_client_get_async, NULL);
  return finish_common (self, result, out_content_type, error);
}

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GBytes *
run_sync (SemperCommClient  *self,
          const char        *method,
          const char        *url,
          const char        *content_type,
          GBytes            *body,
          char             **out_content_type,
          GCancellable      *cancellable,
          GError           **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GAsyncResult *result = NULL;
  GBytes *answer;

  /* A private context (and so a private session) per call: works from any
   * thread, whatever else that thread's contexts are doing. */
  g_main_context_push_thread_default (context);
  start_call (self, method, url, content_type, body, cancellable, NULL, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);

  answer = finish_common (self, result, out_content_type, error);
  g_object_unref (result);
  /* Let the aborted session's last callbacks run in this context. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return answer;
}

/**
 * semper_comm_client_post_sync:
 * @self: a client
 * @url: an http:// or https:// URL
 * @content_type: %SEMPER_COMM_CONTENT_TYPE_CMS or %SEMPER_COMM_CONTENT_TYPE_JSON
 * @body: (transfer none): the request body
 * @out_content_type: (out) (optional) (transfer full) (nullable): the answer's media type
 * @cancellable: (nullable): cancels the request, from any thread
 * @error: return location for an error
 *
 * Blocks the calling thread (never call it from the GTK main thread).
 *
 * Returns: (transfer full) (nullable): the response body, maybe empty
 */
GBytes *
semper_comm_client_post_sync (SemperCommClient  *self,
                              const char        *url,
                              const char        *content_type,
                              GBytes            *body,
                              char             **out_content_type,
                              GCancellable      *cancellable,
                              GError           **error)
{
  g_return_val_if_fail (SEMPER_IS_COMM_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  return run_sync (self, SOUP_METHOD_POST, url, content_type, body, out_content_type,
                   cancellable, error);
}

/**
 * semper_comm_client_get_sync:
 * @self: a client
 * @url: an http:// or https:// URL
 * @out_content_type: (out) (optional) (transfer full) (nullable): the answer's media type
 * @cancellable: (nullable): cancels the request, from any thread
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the response body, maybe empty
 */
GBytes *
semper_comm_client_get_sync (SemperCommClient  *self,
                             const char        *url,
                             char             **out_content_type,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_return_val_if_fail (SEMPER_IS_COMM_CLIENT (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return run_sync (self, SOUP_METHOD_GET, url, NULL, NULL, out_content_type,
                   cancellable, error);
}

/**
 * semper_comm_client_set_timeout:
 * @self: a client
 * @seconds: the longest a whole request may take, connecting included;
 *   0 = no limit
 *
 * Applies to requests started afterwards (a shared connection pool made
 * earlier keeps its I/O timeout).
 */
void
semper_comm_client_set_timeout (SemperCommClient *self,
                                guint             seconds)
{
  g_return_if_fail (SEMPER_IS_COMM_CLIENT (self));

  g_mutex_lock (&self->lock);
  self->timeout = seconds;
  if (self->session != NULL)
    g_object_set (self->session, "timeout", seconds, NULL);
  g_mutex_unlock (&self->lock);
}

guint
semper_comm_client_get_timeout (SemperCommClient *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_CLIENT (self), 0);
  return self->timeout;
}

/**
 * semper_comm_client_set_max_body:
 * @self: a client
 * @max_body: the largest request or response body, in bytes (at least 1)
 */
void
semper_comm_client_set_max_body (SemperCommClient *self,
                                 gsize             max_body)
{
  g_return_if_fail (SEMPER_IS_COMM_CLIENT (self));
  g_return_if_fail (max_body > 0);

  g_mutex_lock (&self->lock);
  self->max_body = max_body;
  g_mutex_unlock (&self->lock);
}

gsize
semper_comm_client_get_max_body (SemperCommClient *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_CLIENT (self), 0);
  return self->max_body;
}

static void
semper_comm_client_dispose (GObject *object)
{
  SemperCommClient *self = SEMPER_COMM_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->session_context, g_main_context_unref);

  G_OBJECT_CLASS (semper_comm_client_parent_class)->dispose (object);
}

static void
semper_comm_client_finalize (GObject *object)
{
  SemperCommClient *self = SEMPER_COMM_CLIENT (object);

  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (semper_comm_client_parent_class)->finalize (object);
}

static void
semper_comm_client_class_init (SemperCommClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_comm_client_dispose;
  object_class->finalize = semper_comm_client_finalize;
}

static void
semper_comm_client_init (SemperCommClient *self)
{
  g_mutex_init (&self->lock);
  self->timeout = SEMPER_COMM_DEFAULT_TIMEOUT;
  self->max_body = SEMPER_COMM_DEFAULT_MAX_BODY;
}

/**
 * semper_comm_client_new:
 *
 * Returns: (transfer full): a client with the default limit (4 MiB) and
 *   timeout (30 s)
 */
SemperCommClient *
semper_comm_client_new (void)
{
  return g_object_new (SEMPER_TYPE_COMM_CLIENT, NULL);
}
