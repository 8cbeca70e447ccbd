/* semper-comm-server.c: routes, limits and deferred answers on a SoupServer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-comm-server.h"
#include "semper-comm-private.h"

#include <string.h>
#include <libsoup/soup.h>

#define LISTEN_BACKLOG 128

typedef struct
{
  char              *method;
  char              *path;
  gboolean           prefix;   /* path ends in "/": matches everything below */
  SemperCommHandler  handler;
  gpointer           user_data;
  GDestroyNotify     destroy;
} Route;

struct _SemperCommServer
{
  GObject       parent_instance;

  SoupServer   *soup;
  GMainContext *context;      /* where handlers run; set by listen */
  GPtrArray    *routes;
  gsize         max_body;
  guint         idle_timeout;
  char         *host;
  guint         port;
};

G_DEFINE_FINAL_TYPE (SemperCommServer, semper_comm_server, G_TYPE_OBJECT)

/* Per-message bookkeeping while the body arrives. */
typedef struct
{
  guint64  received;
  gboolean rejected;
  gboolean dropped;
} BodyState;

struct _SemperCommRequest
{
  gatomicrefcount     ref_count;
  SoupServerMessage  *msg;       /* until answered; touched only in context */
  GMainContext       *context;
  GHashTable         *headers;   /* lower-case name → value */
  char               *method;
  char               *path;
  char               *query;
  char               *content_type;
  char               *remote_host;
  GBytes             *body;
  int                 answered;   /* atomic: respond() was called */
  gboolean            in_handler; /* the handler has not returned yet */
  gboolean            paused;
  int                *finished;   /* rc box, shared with a signal handler */
};

G_DEFINE_BOXED_TYPE (SemperCommRequest, semper_comm_request,
                     semper_comm_request_ref, semper_comm_request_unref)

static const char body_state_key[] = "semper-comm-body-state";

static void
route_free (Route *route)
{
  if (route->destroy != NULL)
    route->destroy (route->user_data);
  g_free (route->method);
  g_free (route->path);
  g_free (route);
}

/* Finds the route for @method and @path, longest path first. When the path is
 * known but not with @method, returns NULL and fills @allow. */
static Route *
find_route (SemperCommServer *self,
            const char       *method,
            const char       *path,
            GString         **allow)
{
  Route *best = NULL;
  gsize best_len = 0;
  g_autoptr(GString) methods = NULL;

  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = g_ptr_array_index (self->routes, i);
      gsize len = strlen (route->path);
      gboolean match = route->prefix ? g_str_has_prefix (path, route->path)
                                     : strcmp (path, route->path) == 0;

      if (!match)
        continue;
      if (strcmp (route->method, method) == 0)
        {
          if (best == NULL || len > best_len)
            {
              best = route;
              best_len = len;
            }
          continue;
        }
      if (methods == NULL)
        methods = g_string_new (NULL);
      if (strstr (methods->str, route->method) == NULL)
        g_string_append_printf (methods, "%s%s", methods->len > 0 ? ", " : "", route->method);
    }

  if (best == NULL && allow != NULL)
    *allow = g_steal_pointer (&methods);
  return best;
}

static void
apply_response (SoupServerMessage  *msg,
                SemperCommResponse *response)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  soup_server_message_set_status (msg, response->status, NULL);
  for (guint i = 0; i + 1 < response->headers->len; i += 2)
    soup_message_headers_replace (headers,
                                  g_ptr_array_index (response->headers, i),
                                  g_ptr_array_index (response->headers, i + 1));
  soup_message_body_truncate (body);
  if (response->content_type != NULL)
    soup_message_headers_set_content_type (headers, response->content_type, NULL);
  if (g_bytes_get_size (response->body) > 0)
    soup_message_body_append_bytes (body, response->body);
  soup_message_headers_set_content_length (headers, g_bytes_get_size (response->body));
}

/* Rejects a request before its handler runs; the rest of its body is read
 * and thrown away (up to a cap, see got_chunk_cb) so that the client gets
 * to read the answer. */
static void
reject (SoupServerMessage *msg,
        guint              status,
        const char        *code,
        const char        *message,
        const char        *allow)
{
  g_autoptr(SemperCommResponse) response = semper_comm_response_new_error (status, code, message);

  if (allow != NULL)
    semper_comm_response_set_header (response, "Allow", allow);
  apply_response (msg, response);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_body_truncate (soup_server_message_get_request_body (msg));
}

static void
drop_connection (SoupServerMessage *msg,
                 BodyState         *state)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (state->dropped || socket == NULL)
    return;
  state->dropped = TRUE;
  g_debug ("comm: dropping a connection that keeps sending an oversized body");
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

static void
reject_too_large (SemperCommServer  *self,
                  SoupServerMessage *msg,
                  BodyState         *state)
{
  g_autofree char *message = NULL;

  if (state->rejected)
    return;
  state->rejected = TRUE;
  message = g_strdup_printf ("The request body exceeds the limit of %" G_GSIZE_FORMAT " bytes",
                             self->max_body);
  reject (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", message, NULL);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              SemperCommServer  *self)
{
  BodyState *state = g_object_get_data (G_OBJECT (msg), body_state_key);

  if (state == NULL)
    return;
  state->received += g_bytes_get_size (chunk);
  if (state->received > self->max_body)
    reject_too_large (self, msg, state);
  /* A client that ignores the 413 and keeps sending loses its connection. */
  if (state->received > 2 * (guint64) self->max_body)
    drop_connection (msg, state);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    SemperCommServer  *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  /* An idle timeout: every wait for the peer (request, body, keep-alive,
   * writing to a stalled reader) fails after this many seconds. */
  if (socket != NULL)
    g_socket_set_timeout (socket, self->idle_timeout);

  g_object_set_data_full (G_OBJECT (msg), body_state_key, g_new0 (BodyState, 1), g_free);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self, 0);
}

static void
early_handler_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SemperCommServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  BodyState *state = g_object_get_data (G_OBJECT (msg), body_state_key);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  goffset length = 0;
  g_autoptr(GString) allow = NULL;
  const char *content_type;
  gboolean has_body;

  if (find_route (self, method, path, &allow) == NULL)
    {
      g_autofree char *message = NULL;

      if (allow != NULL)
        {
          message = g_strdup_printf ("%s is not allowed on %s", method, path);
          reject (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed", message, allow->str);
        }
      else
        {
          message = g_strdup_printf ("Nothing here at %s", path);
          reject (msg, SOUP_STATUS_NOT_FOUND, "not-found", message, NULL);
        }
      return;
    }

  if (encoding == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  has_body = encoding == SOUP_ENCODING_CHUNKED || length > 0;

  content_type = soup_message_headers_get_content_type (headers, NULL);
  if ((has_body || strcmp (method, "POST") == 0 || strcmp (method, "PUT") == 0) &&
      !semper_comm_content_type_is_allowed (content_type))
    {
      g_autofree char *message =
        g_strdup_printf ("Unsupported content type “%s”; expected %s or %s",
                         content_type != NULL ? content_type : "(none)",
                         SEMPER_COMM_CONTENT_TYPE_CMS, SEMPER_COMM_CONTENT_TYPE_JSON);

      reject (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", message, NULL);
      return;
    }

  if (state != NULL && length > 0 && (guint64) length > self->max_body)
    {
      reject_too_large (self, msg, state);
      /* Far too large: do not even read it. */
      if ((guint64) length > 2 * (guint64) self->max_body)
        drop_connection (msg, state);
    }
}

static void
request_finished_cb (SoupServerMessage *msg,
                     int               *finished)
{
  *finished = TRUE;
}

static void
finished_release (gpointer data,
                  GClosure *closure)
{
  g_atomic_rc_box_release (data);
}

static void
request_answer (SemperCommRequest  *request,
                SemperCommResponse *response)
{
  if (request->msg != NULL && !*request->finished)
    {
      apply_response (request->msg, response);
      if (request->paused)
        {
          request->paused = FALSE;
          soup_server_message_unpause (request->msg);
        }
    }
  /* Drop the message here, in the server's context, not in whichever
   * thread happens to release the request last. */
  g_clear_object (&request->msg);
  semper_comm_response_free (response);
}

typedef struct
{
  SemperCommRequest  *request;
  SemperCommResponse *response;
} Answer;

static gboolean
answer_idle_cb (gpointer data)
{
  Answer *answer = data;

  request_answer (answer->request, g_steal_pointer (&answer->response));
  return G_SOURCE_REMOVE;
}

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  semper_comm_response_free (answer->response);
  semper_comm_request_unref (answer->request);
  g_free (answer);
}

/**
 * semper_comm_request_respond:
 * @request: a request whose handler returned %NULL
 * @response: (transfer full): the answer
 *
 * Answers a request later, from any thread. The answer is written from the
 * server's main context. If the client has gone meanwhile, it is dropped.
 */
void
semper_comm_request_respond (SemperCommRequest  *request,
                             SemperCommResponse *response)
{
  g_autoptr(GSource) source = NULL;
  Answer *answer;

  g_return_if_fail (request != NULL);
  g_return_if_fail (response != NULL);

  if (!g_atomic_int_compare_and_exchange (&request->answered, FALSE, TRUE))
    {
      g_critical ("%s: request %s %s answered twice", G_STRFUNC, request->method, request->path);
      semper_comm_response_free (response);
      return;
    }

  answer = g_new0 (Answer, 1);
  answer->request = semper_comm_request_ref (request);
  answer->response = response;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, answer_idle_cb, answer, answer_free);
  g_source_set_static_name (source, "[semper] comm answer");
  g_source_attach (source, request->context);
}

static SemperCommRequest *
request_new (SoupServerMessage *msg,
             const char        *path,
             GMainContext      *context)
{
  SemperCommRequest *request = g_new0 (SemperCommRequest, 1);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) flat = soup_message_body_flatten (body);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_atomic_ref_count_init (&request->ref_count);
  request->msg = g_object_ref (msg);
  request->context = g_main_context_ref (context);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      char *key = g_ascii_strdown (name, -1);
      const char *old = g_hash_table_lookup (request->headers, key);

      g_hash_table_replace (request->headers, key,
                            old != NULL ? g_strconcat (old, ", ", value, NULL) : g_strdup (value));
    }
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->query = g_strdup (uri != NULL ? g_uri_get_query (uri) : NULL);
  request->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  request->remote_host = g_strdup (soup_server_message_get_remote_host (msg));
  request->body = g_steal_pointer (&flat);
  request->finished = g_atomic_rc_box_new0 (int);
  g_signal_connect_data (msg, "finished", G_CALLBACK (request_finished_cb),
                         g_atomic_rc_box_acquire (request->finished), finished_release, 0);
  return request;
}

SemperCommRequest *
semper_comm_request_ref (SemperCommRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

void
semper_comm_request_unref (SemperCommRequest *request)
{
  if (request == NULL || !g_atomic_ref_count_dec (&request->ref_count))
    return;

  /* Normally NULL by now (request_answer() drops it). */
  g_clear_object (&request->msg);
  g_atomic_rc_box_release (request->finished);
  g_main_context_unref (request->context);
  g_hash_table_unref (request->headers);
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->content_type);
  g_free (request->remote_host);
  g_bytes_unref (request->body);
  g_free (request);
}

const char *
semper_comm_request_get_method (const SemperCommRequest *request)
{
  return request->method;
}

/**
 * semper_comm_request_get_path:
 * @request: a request
 *
 * Returns: (transfer none): the decoded path, e.g. "/ttp/resolve"
 */
const char *
semper_comm_request_get_path (const SemperCommRequest *request)
{
  return request->path;
}

/**
 * semper_comm_request_get_query:
 * @request: a request
 *
 * Returns: (nullable) (transfer none): the raw query string, without "?"
 */
const char *
semper_comm_request_get_query (const SemperCommRequest *request)
{
  return request->query;
}

/**
 * semper_comm_request_get_content_type:
 * @request: a request
 *
 * Returns: (nullable) (transfer none): the body's media type, without parameters
 */
const char *
semper_comm_request_get_content_type (const SemperCommRequest *request)
{
  return request->content_type;
}

/**
 * semper_comm_request_get_body:
 * @request: a request
 *
 * Returns: (transfer none): the complete body, maybe empty, never %NULL
 */
GBytes *
semper_comm_request_get_body (const SemperCommRequest *request)
{
  return request->body;
}

/**
 * semper_comm_request_get_remote_host:
 * @request: a request
 *
 * Returns: (nullable) (transfer none): the peer's IP address as text
 */
const char *
semper_comm_request_get_remote_host (const SemperCommRequest *request)
{
  return request->remote_host;
}

/**
 * semper_comm_request_get_header:
 * @request: a request
 * @name: a header name, case-insensitive
 *
 * Returns: (nullable) (transfer none): the header's value
 */
const char *
semper_comm_request_get_header (const SemperCommRequest *request,
                                const char              *name)
{
  g_autofree char *key = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (request->headers, key);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SemperCommServer *self = user_data;
  g_autoptr(SemperCommRequest) request = NULL;
  SemperCommResponse *response;
  Route *route;

  /* Routes only grow, so the early handler's answer still holds. */
  route = find_route (self, soup_server_message_get_method (msg), path, NULL);
  if (route == NULL)
    {
      reject (msg, SOUP_STATUS_NOT_FOUND, "not-found", "No such route", NULL);
      return;
    }

  request = request_new (msg, path, self->context);
  request->in_handler = TRUE;
  response = route->handler (self, request, route->user_data);
  request->in_handler = FALSE;

  if (response != NULL)
    {
      if (!g_atomic_int_compare_and_exchange (&request->answered, FALSE, TRUE))
        {
          g_critical ("%s: handler for %s %s both returned and deferred a response",
                      G_STRFUNC, request->method, request->path);
          semper_comm_response_free (response);
          return;
        }
      request_answer (request, response);
      return;
    }

  /* Deferred: the answer arrives through an idle in this context, which
   * cannot run before we return, so pausing now is never too late. */
  request->paused = TRUE;
  soup_server_message_pause (msg);
}

static void
semper_comm_server_dispose (GObject *object)
{
  SemperCommServer *self = SEMPER_COMM_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (semper_comm_server_parent_class)->dispose (object);
}

static void
semper_comm_server_finalize (GObject *object)
{
  SemperCommServer *self = SEMPER_COMM_SERVER (object);

  g_clear_pointer (&self->routes, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (semper_comm_server_parent_class)->finalize (object);
}

static void
semper_comm_server_class_init (SemperCommServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_comm_server_dispose;
  object_class->finalize = semper_comm_server_finalize;
}

static void
semper_comm_server_init (SemperCommServer *self)
{
  self->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  self->max_body = SEMPER_COMM_DEFAULT_MAX_BODY;
  self->idle_timeout = SEMPER_COMM_DEFAULT_IDLE_TIMEOUT;
}

/**
 * semper_comm_server_new:
 * @error: return location for an error
 *
 * Returns: (transfer full): a server with no routes, not yet listening
 */
SemperCommServer *
semper_comm_server_new (GError **error)
{
  g_autoptr(SemperCommServer) self = g_object_new (SEMPER_TYPE_COMM_SERVER, NULL);

  self->soup = soup_server_new ("server-header", "semper/" PACKAGE_VERSION " ", NULL);
  g_signal_connect_object (self->soup, "request-started",
                           G_CALLBACK (request_started_cb), self, 0);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);

  return g_steal_pointer (&self);
}

/**
 * semper_comm_server_set_max_body:
 * @self: a server
 * @max_body: the largest request body accepted, in bytes (at least 1)
 *
 * A larger body is answered with 413. Its rest is read and discarded up to
 * twice the limit, so that the client sees the answer; beyond that the
 * connection is closed.
 */
void
semper_comm_server_set_max_body (SemperCommServer *self,
                                 gsize             max_body)
{
  g_return_if_fail (SEMPER_IS_COMM_SERVER (self));
  g_return_if_fail (max_body > 0);
  self->max_body = max_body;
}

gsize
semper_comm_server_get_max_body (SemperCommServer *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_SERVER (self), 0);
  return self->max_body;
}

/**
 * semper_comm_server_set_idle_timeout:
 * @self: a server
 * @seconds: how long a connection may stall before it is closed; 0 = never
 *
 * Applies to connections accepted from now on.
 */
void
semper_comm_server_set_idle_timeout (SemperCommServer *self,
                                     guint             seconds)
{
  g_return_if_fail (SEMPER_IS_COMM_SERVER (self));
  self->idle_timeout = seconds;
}

guint
semper_comm_server_get_idle_timeout (SemperCommServer *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_SERVER (self), 0);
  return self->idle_timeout;
}

/**
 * semper_comm_server_listen:
 * @self: a server
 * @host: an IP address ("127.0.0.1", "::1", "0.0.0.0") or "localhost"
 * @port: a TCP port, or 0 for a free one (see semper_comm_server_get_port())
 * @error: return location for an error
 *
 * Starts accepting connections in the calling thread's thread-default main
 * context, which must then be run. Listens once per server.
 *
 * Returns: %TRUE on success
 */
gboolean
semper_comm_server_listen (SemperCommServer  *self,
                           const char        *host,
                           guint              port,
                           GError           **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = NULL;
  GSList *listeners;

  g_return_val_if_fail (SEMPER_IS_COMM_SERVER (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (self->context == NULL, FALSE);

  if (port > G_MAXUINT16)
    {
      g_set_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_FAILED,
                   "Invalid port %u", port);
      return FALSE;
    }

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_FAILED,
                   "Cannot listen on “%s”: not an IP address", host);
      return FALSE;
    }

  /* Our own listening socket, for a backlog that absorbs a burst of
   * clients (GSocket's default is 10). */
  socket_address = g_inet_socket_address_new (address, port);
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (socket == NULL ||
      !g_socket_bind (socket, socket_address, TRUE, &local_error) ||
      !g_socket_listen (socket, &local_error) ||
      !soup_server_listen_socket (self->soup, socket, 0, &local_error))
    {
      g_set_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_FAILED,
                   "Cannot listen on %s port %u: %s", host, port, local_error->message);
      return FALSE;
    }

  self->context = g_main_context_ref_thread_default ();
  self->host = g_inet_address_to_string (address);

  listeners = soup_server_get_listeners (self->soup);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (local))
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);

  return TRUE;
}

guint
semper_comm_server_get_port (SemperCommServer *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_SERVER (self), 0);
  return self->port;
}

char *
semper_comm_server_dup_uri (SemperCommServer *self)
{
  g_return_val_if_fail (SEMPER_IS_COMM_SERVER (self), NULL);

  if (self->port == 0)
    return NULL;
  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", self->host, self->port);
  return g_strdup_printf ("http://%s:%u", self->host, self->port);
}

/**
 * semper_comm_server_add_route:
 * @self: a server
 * @method: "GET", "POST", …
 * @path: an exact path ("/catalog"), or a prefix ending in "/" ("/receipts/")
 *   that matches every path below it; the longest match wins
 * @handler: (scope notified): called in the server's main context
 * @user_data: for @handler
 * @destroy: (nullable): frees @user_data with the server
 */
void
semper_comm_server_add_route (SemperCommServer  *self,
                              const char        *method,
                              const char        *path,
                              SemperCommHandler  handler,
                              gpointer           user_data,
                              GDestroyNotify     destroy)
{
  Route *route;

  g_return_if_fail (SEMPER_IS_COMM_SERVER (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');
  g_return_if_fail (handler != NULL);

  route = g_new0 (Route, 1);
  route->method = g_strdup (method);
  route->path = g_strdup (path);
  route->prefix = g_str_has_suffix (path, "/");
  route->handler = handler;
  route->user_data = user_data;
  route->destroy = destroy;
  g_ptr_array_add (self->routes, route);
}

/**
 * semper_comm_server_disconnect:
 * @self: a server
 *
 * Closes the listening socket and every open connection.
 */
void
semper_comm_server_disconnect (SemperCommServer *self)
{
  g_return_if_fail (SEMPER_IS_COMM_SERVER (self));
  soup_server_disconnect (self->soup);
}
