/* test-comm.c: the HTTP client and server of core, on real loopback sockets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "semper-comm-client.h"
#include "semper-comm-server.h"
#include "semper-message.h"

#define SERVER_MAX_BODY (64 * 1024)
#define N_CONCURRENT    50

/* The server runs in its own thread and main context, like a role would. */
typedef struct
{
  GThread          *thread;
  GMainContext     *context;
  GMainLoop        *loop;
  SemperCommServer *server;
  char             *uri;
  GMutex            lock;
  GCond             cond;
  gboolean          ready;
} Fixture;

static SemperCommResponse *
echo_cb (SemperCommServer  *server,
         SemperCommRequest *request,
         gpointer           user_data)
{
  return semper_comm_response_new (200, semper_comm_request_get_content_type (request),
                                   semper_comm_request_get_body (request));
}

static SemperCommResponse *
catalog_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"items\":[]}", 12);

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static SemperCommResponse *
big_cb (SemperCommServer  *server,
        SemperCommRequest *request,
        gpointer           user_data)
{
  gsize size = 4 * SERVER_MAX_BODY;
  char *data = g_malloc (size);
  g_autoptr(GBytes) body = NULL;

  memset (data, '7', size);
  body = g_bytes_new_take (data, size);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static SemperCommResponse *
conflict_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  return semper_comm_response_new_error (409, "duplicate-payment",
                                         "This payment was already made\n(idempotency key)");
}

static SemperCommResponse *
html_cb (SemperCommServer  *server,
         SemperCommRequest *request,
         gpointer           user_data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("<p>hi</p>", 9);

  return semper_comm_response_new (200, "text/html", body);
}

static SemperCommResponse *
receipts_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  const char *query = semper_comm_request_get_query (request);
  g_autofree char *text = g_strdup_printf ("{\"path\":\"%s\",\"query\":\"%s\",\"from\":\"%s\"}",
                                           semper_comm_request_get_path (request),
                                           query != NULL ? query : "",
                                           semper_comm_request_get_remote_host (request));
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

/* A handler that answers from a worker thread, as the TTP or bank would
 * after SQLite and NSS work: the body reversed. */
static void
reverse_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SemperCommRequest *request = task_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (semper_comm_request_get_body (request), &len);
  guint8 *reversed = g_malloc (len + 1);
  g_autoptr(GBytes) body = NULL;

  for (gsize i = 0; i < len; i++)
    reversed[i] = data[len - 1 - i];
  body = g_bytes_new_take (reversed, len);
  semper_comm_request_respond (request,
                               semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, body));
  g_task_return_boolean (task, TRUE);
}

static SemperCommResponse *
deferred_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_task_data (task, semper_comm_request_ref (request),
                        (GDestroyNotify) semper_comm_request_unref);
  g_task_run_in_thread (task, reverse_in_thread);
  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GError) error = NULL;
  SemperCommServer *server;

  g_main_context_push_thread_default (fixture->context);

  server = semper_comm_server_new (&error);
  g_assert_no_error (error);
  semper_comm_server_set_max_body (server, SERVER_MAX_BODY);
  semper_comm_server_set_idle_timeout (server, 1);
  semper_comm_server_add_route (server, "POST", "/echo", echo_cb, NULL, NULL);
  semper_comm_server_add_route (server, "GET", "/catalog", catalog_cb, NULL, NULL);
  semper_comm_server_add_route (server, "GET", "/big", big_cb, NULL, NULL);
  semper_comm_server_add_route (server, "POST", "/pay", conflict_cb, NULL, NULL);
  semper_comm_server_add_route (server, "GET", "/html", html_cb, NULL, NULL);
  semper_comm_server_add_route (server, "GET", "/receipts/", receipts_cb, NULL, NULL);
  semper_comm_server_add_route (server, "POST", "/reverse", deferred_cb, NULL, NULL);
  semper_comm_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (semper_comm_server_get_port (server), >, 0);

  g_mutex_lock (&fixture->lock);
  fixture->server = server;
  fixture->uri = semper_comm_server_dup_uri (server);
  fixture->ready = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->lock);

  g_main_loop_run (fixture->loop);

  g_object_unref (server);
  /* Let the connections' last callbacks run before the context goes. */
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  fixture->thread = g_thread_new ("comm-server", server_thread, fixture);

  g_mutex_lock (&fixture->lock);
  while (!fixture->ready)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_main_loop_quit (fixture->loop);
  g_thread_join (fixture->thread);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_free (fixture->uri);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
}

static char *
url_for (Fixture    *fixture,
         const char *path)
{
  return g_strconcat (fixture->uri, path, NULL);
}

/* A CMS-like body: every byte value, NULs included. */
static GBytes *
binary_body (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + (i >> 8));
  data[0] = 0;
  data[size / 2] = 0;
  return g_bytes_new_take (data, size);
}

static void
test_round_trip_sync (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/echo");
  g_autoptr(GBytes) body = binary_body (SERVER_MAX_BODY);
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *catalog_url = url_for (fixture, "/catalog");
  g_autoptr(GBytes) catalog = NULL;

  g_assert_true (g_str_has_prefix (fixture->uri, "http://127.0.0.1:"));

  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body,
                                         &content_type, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (content_type, ==, SEMPER_COMM_CONTENT_TYPE_CMS);
  g_assert_true (g_bytes_equal (answer, body));

  g_clear_pointer (&content_type, g_free);
  catalog = semper_comm_client_get_sync (client, catalog_url, &content_type, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (content_type, ==, SEMPER_COMM_CONTENT_TYPE_JSON);
  g_assert_cmpmem (g_bytes_get_data (catalog, NULL), g_bytes_get_size (catalog),
                   "{\"items\":[]}", 12);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_round_trip_async (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/echo");
  g_autoptr(GBytes) body = binary_body (1000);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GError) error = NULL;

  semper_comm_client_post_async (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body, NULL,
                                 store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = semper_comm_client_post_finish (client, result, &content_type, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (content_type, ==, SEMPER_COMM_CONTENT_TYPE_CMS);
  g_assert_true (g_bytes_equal (answer, body));
}

/* Talks to the server with plain libsoup, to send what our client refuses to. */
static guint
raw_request (const char          *method,
             const char          *url,
             const char          *content_type,
             const char          *body,
             SoupMessageHeaders **out_headers,
             GBytes             **out_body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_headers != NULL)
    *out_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (out_body != NULL)
    *out_body = g_steal_pointer (&answer);
  return soup_message_get_status (msg);
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/nothing/here");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 404);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "not-found");
  g_assert_nonnull (strstr (error->message, "/nothing/here"));
}

static void
test_method_not_allowed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/echo");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;

  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 405);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "method-not-allowed");

  g_assert_cmpuint (raw_request ("DELETE", url, NULL, NULL, &headers, NULL), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Allow"), ==, "POST");
}

static void
test_unsupported_media_type (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *url = url_for (fixture, "/echo");
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) plain = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (raw_request ("POST", url, "text/plain", "hello", &headers, &body), ==, 415);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   SEMPER_COMM_CONTENT_TYPE_JSON);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  "\"unsupported-media-type\""));
  /* A parameter does not change the media type. */
  g_assert_cmpuint (raw_request ("POST", url, "application/json; charset=utf-8", "{}",
                                 NULL, NULL), ==, 200);

  /* Our own client does not even send it. */
  answer = semper_comm_client_post_sync (client, url, "text/plain", plain, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_BAD_CONTENT_TYPE);
}

static void
test_bad_content_type_answer (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/html");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_BAD_CONTENT_TYPE);
}

static void
test_request_too_large (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/echo");
  g_autoptr(GBytes) over = binary_body (SERVER_MAX_BODY + 1);
  g_autoptr(GBytes) huge = binary_body (16 * SERVER_MAX_BODY);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  /* One byte over the server's limit: 413 with the JSON error body. */
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, over,
                                         NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 413);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "too-large");
  g_clear_error (&error);

  /* Far over: the server may hang up without reading it; either way the
   * client gets a comm error, not a hang. */
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, huge,
                                         NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_nonnull (error);
  g_assert_true (error->domain == SEMPER_COMM_ERROR);
  g_assert_true (error->code == SEMPER_COMM_ERROR_HTTP_STATUS ||
                 error->code == SEMPER_COMM_ERROR_FAILED);
  g_clear_error (&error);

  /* The server still works afterwards. */
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, over, NULL,
                                         NULL, &error);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_clear_error (&error);

  /* The client's own limit applies before anything is sent. */
  semper_comm_client_set_max_body (client, 1024);
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, over,
                                         NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE);
}

static void
test_response_too_large (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/big");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  semper_comm_client_set_max_body (client, SERVER_MAX_BODY);
  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Within a larger limit the same answer arrives whole. */
  semper_comm_client_set_max_body (client, 4 * SERVER_MAX_BODY);
  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (answer), ==, 4 * SERVER_MAX_BODY);
}

static void
test_error_body (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/pay");
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_JSON, body,
                                         NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 409);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "duplicate-payment");
  /* The peer's message, its control characters neutralised. */
  g_assert_nonnull (strstr (error->message, "This payment was already made (idempotency key)"));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_prefix_route (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/receipts/42?full=1");
  g_autofree char *bare = url_for (fixture, "/receipts");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected = "{\"path\":\"/receipts/42\",\"query\":\"full=1\",\"from\":\"127.0.0.1\"}";

  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                   expected, strlen (expected));
  g_clear_pointer (&answer, g_bytes_unref);

  /* A prefix route does not match the name without its slash. */
  answer = semper_comm_client_get_sync (client, bare, NULL, NULL, &error);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 404);
}

static void
test_invalid_url (void)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  const char *urls[] = { "ftp://127.0.0.1/x", "file:///etc/passwd", "not a url", "http://" };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) answer = semper_comm_client_get_sync (client, urls[i], NULL, NULL, &error);

      g_assert_null (answer);
      g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_INVALID_URL);
    }
}

static void
test_unreachable (void)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/catalog",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  answer = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_UNREACHABLE);
}

/* A peer written by hand on a GSocketService in the main context: it
 * accepts connections and behaves badly in one of several ways. */
typedef enum {
  RAW_SILENT,       /* accepts, reads nothing, answers nothing */
  RAW_ENDLESS,      /* answers 200 without a length and sends far too much */
  RAW_TRUNCATED,    /* announces 1000 bytes, sends 10, hangs up */
} RawMode;

typedef struct
{
  GSocketService *service;
  RawMode         mode;
  GPtrArray      *connections;  /* kept open until the test ends */
  char           *url;
} RawPeer;

static void
raw_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GSocketConnection *connection = user_data;
  g_autoptr(GError) error = NULL;

  /* The client may hang up first; that is the point of some tests. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_object_unref (connection);
}

static void
free_string (gpointer data)
{
  g_string_free (data, TRUE);
}

static gboolean
raw_incoming_cb (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 gpointer           user_data)
{
  RawPeer *peer = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GString *answer;

  g_ptr_array_add (peer->connections, g_object_ref (connection));
  if (peer->mode == RAW_SILENT)
    return TRUE;

  if (peer->mode == RAW_ENDLESS)
    {
      answer = g_string_new ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Connection: close\r\n\r\n");
      for (guint i = 0; i < 16 * SERVER_MAX_BODY / 8; i++)
        g_string_append (answer, "77777777");
    }
  else
    answer = g_string_new ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Content-Length: 1000\r\n\r\n0123456789");

  g_output_stream_write_all_async (out, answer->str, answer->len, G_PRIORITY_DEFAULT, NULL,
                                   raw_written_cb, g_object_ref (connection));
  /* The data must live until written: keep it with the connection. */
  g_object_set_data_full (G_OBJECT (connection), "answer", answer,
                          free_string);
  return TRUE;
}

static void
raw_peer_start (RawPeer *peer,
                RawMode  mode)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  peer->mode = mode;
  peer->connections = g_ptr_array_new_with_free_func (g_object_unref);
  peer->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (peer->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (peer->service, "incoming", G_CALLBACK (raw_incoming_cb), peer);
  g_socket_service_start (peer->service);
  peer->url = g_strdup_printf ("http://127.0.0.1:%u/catalog", port);
}

static void
raw_peer_stop (RawPeer *peer)
{
  g_socket_service_stop (peer->service);
  g_socket_listener_close (G_SOCKET_LISTENER (peer->service));
  g_clear_object (&peer->service);
  g_clear_pointer (&peer->connections, g_ptr_array_unref);
  g_clear_pointer (&peer->url, g_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GError *
raw_get (RawPeer          *peer,
         SemperCommClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  GError *error = NULL;

  semper_comm_client_get_async (client, peer->url, NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = semper_comm_client_get_finish (client, result, NULL, &error);
  g_assert_null (answer);
  return error;
}

static void
test_timeout (void)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  RawPeer peer = { 0 };
  g_autoptr(GError) error = NULL;

  raw_peer_start (&peer, RAW_SILENT);
  semper_comm_client_set_timeout (client, 1);
  error = raw_get (&peer, client);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TIMEOUT);
  raw_peer_stop (&peer);
}

static void
test_streamed_too_large (void)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  RawPeer peer = { 0 };
  g_autoptr(GError) error = NULL;

  raw_peer_start (&peer, RAW_ENDLESS);
  semper_comm_client_set_max_body (client, SERVER_MAX_BODY);
  error = raw_get (&peer, client);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_TOO_LARGE);
  raw_peer_stop (&peer);
}

static void
test_closed_mid_response (void)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  RawPeer peer = { 0 };
  g_autoptr(GError) error = NULL;

  raw_peer_start (&peer, RAW_TRUNCATED);
  error = raw_get (&peer, client);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_FAILED);
  raw_peer_stop (&peer);
}

static void
test_server_idle_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GInputStream *in;
  char buffer[64];
  gssize n;

  g_socket_client_set_enable_proxy (socket_client, FALSE);
  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1",
                                                semper_comm_server_get_port (fixture->server),
                                                NULL, &error);
  g_assert_no_error (error);
  /* Only a guard against a hanging test, far above the server's 1 s. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 60);

  /* Say nothing: the server hangs up on its own. */
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_cmpint (n, <=, 0);
}

typedef struct
{
  Fixture          *fixture;
  SemperCommClient *client;
  guint             index;
} Worker;

static gpointer
concurrent_worker (gpointer data)
{
  Worker *worker = data;
  g_autofree char *url = url_for (worker->fixture, "/reverse");
  g_autofree char *text = g_strdup_printf ("request-%03u", worker->index);
  g_autofree char *expected = g_strreverse (g_strdup (text));
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  answer = semper_comm_client_post_sync (worker->client, url, SEMPER_COMM_CONTENT_TYPE_CMS,
                                         body, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                   expected, strlen (expected));
  return NULL;
}

typedef struct
{
  guint pending;
  guint answered;
} AsyncCount;

typedef struct
{
  AsyncCount       *count;
  SemperCommClient *client;
  char             *expected;
} AsyncCall;

static void
concurrent_async_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  AsyncCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  answer = semper_comm_client_post_finish (call->client, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                   call->expected, strlen (call->expected));
  call->count->answered++;
  call->count->pending--;
  g_free (call->expected);
  g_free (call);
}

static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = url_for (fixture, "/reverse");
  Worker workers[N_CONCURRENT];
  GThread *threads[N_CONCURRENT];
  AsyncCount count = { 0 };

  /* Sync calls from many threads at once, answered from worker threads. */
  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      workers[i] = (Worker) { fixture, client, i };
      threads[i] = g_thread_new ("comm-client", concurrent_worker, &workers[i]);
    }
  for (guint i = 0; i < N_CONCURRENT; i++)
    g_thread_join (threads[i]);

  /* And async calls in one main loop, sharing a connection pool. */
  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      AsyncCall *call = g_new0 (AsyncCall, 1);
      g_autofree char *text = g_strdup_printf ("async-%03u", i);
      g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

      call->count = &count;
      call->client = client;
      call->expected = g_strreverse (g_strdup (text));
      count.pending++;
      semper_comm_client_post_async (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body, NULL,
                                     concurrent_async_cb, call);
    }
  while (count.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count.answered, ==, N_CONCURRENT);
}

static void
test_error_response_format (void)
{
  g_autoptr(SemperCommResponse) response =
    semper_comm_response_new_error (404, NULL, "No \"such\" thing");
  GBytes *body = semper_comm_response_get_body (response);
  const char *expected =
    "{\"error\":{\"code\":\"not-found\",\"message\":\"No \\\"such\\\" thing\"}}";

  g_assert_cmpuint (semper_comm_response_get_status (response), ==, 404);
  g_assert_cmpstr (semper_comm_response_get_content_type (response), ==,
                   SEMPER_COMM_CONTENT_TYPE_JSON);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   expected, strlen (expected));
}

static void
test_message_strict (void)
{
  struct { const char *text; int code; } cases[] = {
    { "{\"a\":1,\"b\":{\"c\":[1,2]}}", -1 },
    { "{\"a\":1,\"a\":2}", SEMPER_MESSAGE_ERROR_DUPLICATE },
    { "{\"a\":{\"x\":1,\"x\":1}}", SEMPER_MESSAGE_ERROR_DUPLICATE },
    { "[1,2]", SEMPER_MESSAGE_ERROR_INVALID },
    { "{\"a\":", SEMPER_MESSAGE_ERROR_INVALID },
    { "{\"a\":\"\xff\"}", SEMPER_MESSAGE_ERROR_INVALID },
    { "", SEMPER_MESSAGE_ERROR_INVALID },
  };
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  g_autoptr(GBytes) deep_bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].text, strlen (cases[i].text));
      g_autoptr(GError) case_error = NULL;
      g_autoptr(JsonNode) node = semper_message_parse (bytes, 1024, &case_error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (case_error);
          g_assert_nonnull (node);
        }
      else
        {
          g_assert_error (case_error, SEMPER_MESSAGE_ERROR, cases[i].code);
          g_assert_null (node);
        }
    }

  for (guint i = 0; i < 1000; i++)
    g_string_append (deep, "[");
  deep_bytes = g_bytes_new (deep->str, deep->len);
  root = semper_message_parse (deep_bytes, 1024 * 1024, &error);
  g_assert_null (root);
  g_assert_error (error, SEMPER_MESSAGE_ERROR, SEMPER_MESSAGE_ERROR_TOO_LARGE);
}

#define ADD(path, func) \
  g_test_add ("/semper/comm/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Loopback only: no proxy from the environment. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");

  ADD ("round-trip/sync", test_round_trip_sync);
  ADD ("round-trip/async", test_round_trip_async);
  ADD ("status/not-found", test_not_found);
  ADD ("status/method-not-allowed", test_method_not_allowed);
  ADD ("status/unsupported-media-type", test_unsupported_media_type);
  ADD ("status/error-body", test_error_body);
  ADD ("limits/request-too-large", test_request_too_large);
  ADD ("limits/response-too-large", test_response_too_large);
  ADD ("client/bad-content-type", test_bad_content_type_answer);
  ADD ("server/prefix-route", test_prefix_route);
  ADD ("server/idle-timeout", test_server_idle_timeout);
  ADD ("server/concurrent", test_concurrent);
  g_test_add_func ("/semper/comm/error-format", test_error_response_format);
  g_test_add_func ("/semper/comm/message/strict", test_message_strict);
  g_test_add_func ("/semper/comm/client/invalid-url", test_invalid_url);
  g_test_add_func ("/semper/comm/client/unreachable", test_unreachable);
  g_test_add_func ("/semper/comm/client/timeout", test_timeout);
  g_test_add_func ("/semper/comm/client/streamed-too-large", test_streamed_too_large);
  g_test_add_func ("/semper/comm/client/closed-mid-response", test_closed_mid_response);

  return g_test_run ();
}
