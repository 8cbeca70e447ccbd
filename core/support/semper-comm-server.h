/* semper-comm-server.h: the HTTP server side of comm, used by every role.
 *
 * A SemperCommServer routes requests by method and path to handlers. Before a
 * handler runs, the server has already answered, with a JSON error body:
 * 404 (no route for the path), 405 (the path exists, not with this method),
 * 415 (a body that is neither application/pkcs7-mime nor application/json),
 * 413 (a body over the limit; see docs/comm.md).
 *
 * Threading: the server runs in the thread-default GMainContext of the thread
 * that called semper_comm_server_listen(); handlers run there. A handler that
 * needs slow work (SQLite, NSS) returns %NULL after taking a reference on the
 * request, and later calls semper_comm_request_respond() from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm.h"

G_BEGIN_DECLS

/**
 * SemperCommHandler:
 * @server: the server
 * @request: (transfer none): the request, body complete and within the limit
 * @user_data: as given to semper_comm_server_add_route()
 *
 * Returns: (transfer full) (nullable): the response, or %NULL when the
 *   handler kept a reference on @request and will call
 *   semper_comm_request_respond() exactly once, later
 */
typedef SemperCommResponse *(*SemperCommHandler) (SemperCommServer  *server,
                                                  SemperCommRequest *request,
                                                  gpointer           user_data);

#define SEMPER_TYPE_COMM_SERVER (semper_comm_server_get_type ())
G_DECLARE_FINAL_TYPE (SemperCommServer, semper_comm_server, SEMPER, COMM_SERVER, GObject)

SemperCommServer *semper_comm_server_new              (GError           **error);
void              semper_comm_server_set_max_body     (SemperCommServer  *self,
                                                       gsize              max_body);
gsize             semper_comm_server_get_max_body     (SemperCommServer  *self);
void              semper_comm_server_set_idle_timeout (SemperCommServer  *self,
                                                       guint              seconds);
guint             semper_comm_server_get_idle_timeout (SemperCommServer  *self);
gboolean          semper_comm_server_listen           (SemperCommServer  *self,
                                                       const char        *host,
                                                       guint              port,
                                                       GError           **error);
guint             semper_comm_server_get_port         (SemperCommServer  *self);
/* (transfer full) (nullable): "http://127.0.0.1:PORT", %NULL before listening */
char             *semper_comm_server_dup_uri          (SemperCommServer  *self);
void              semper_comm_server_add_route        (SemperCommServer  *self,
                                                       const char        *method,
                                                       const char        *path,
                                                       SemperCommHandler  handler,
                                                       gpointer           user_data,
                                                       GDestroyNotify     destroy);
void              semper_comm_server_disconnect       (SemperCommServer  *self);

G_END_DECLS
