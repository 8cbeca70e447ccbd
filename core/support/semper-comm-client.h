/* semper-comm-client.h: the HTTP client side of comm.
 *
 * Sends one body and returns the peer's body, with a size limit and a
 * timeout for the whole request. A non-2xx answer becomes a
 * %SEMPER_COMM_ERROR_HTTP_STATUS error whose message comes from the peer's
 * JSON error body; semper_comm_error_get_status() and _get_code() read it.
 *
 * Threading: the async functions work in the caller's thread-default main
 * context (e.g. the GTK main loop). The sync functions work from any thread,
 * each call on a private context and connection, and block that thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm.h"

G_BEGIN_DECLS

#define SEMPER_TYPE_COMM_CLIENT (semper_comm_client_get_type ())
G_DECLARE_FINAL_TYPE (SemperCommClient, semper_comm_client, SEMPER, COMM_CLIENT, GObject)

SemperCommClient *semper_comm_client_new          (void);
void              semper_comm_client_set_timeout  (SemperCommClient    *self,
                                                   guint                seconds);
guint             semper_comm_client_get_timeout  (SemperCommClient    *self);
void              semper_comm_client_set_max_body (SemperCommClient    *self,
                                                   gsize                max_body);
gsize             semper_comm_client_get_max_body (SemperCommClient    *self);

/* Returns (transfer full): the response body, maybe empty;
 * @out_content_type: (out) (optional) (transfer full) (nullable) */
GBytes           *semper_comm_client_post_sync    (SemperCommClient    *self,
                                                   const char          *url,
                                                   const char          *content_type,
                                                   GBytes              *body,
                                                   char               **out_content_type,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
GBytes           *semper_comm_client_get_sync     (SemperCommClient    *self,
                                                   const char          *url,
                                                   char               **out_content_type,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

void              semper_comm_client_post_async   (SemperCommClient    *self,
                                                   const char          *url,
                                                   const char          *content_type,
                                                   GBytes              *body,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GBytes           *semper_comm_client_post_finish  (SemperCommClient    *self,
                                                   GAsyncResult        *result,
                                                   char               **out_content_type,
                                                   GError             **error);
void              semper_comm_client_get_async    (SemperCommClient    *self,
                                                   const char          *url,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GBytes           *semper_comm_client_get_finish   (SemperCommClient    *self,
                                                   GAsyncResult        *result,
                                                   char               **out_content_type,
                                                   GError             **error);

G_END_DECLS
