/* semper-comm.h: what the HTTP client and server of core share.
 *
 * The comm layer carries bytes over HTTP/1.1 (libsoup 3): CMS messages as
 * `application/pkcs7-mime` and machine-to-machine JSON as `application/json`.
 * It neither signs nor parses CMS; security is in the messages (DESIGN.md §4).
 * See docs/comm.md for the limits, timeouts, threading and error format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_COMM_CONTENT_TYPE_CMS  "application/pkcs7-mime"
#define SEMPER_COMM_CONTENT_TYPE_JSON "application/json"

/* Defaults, overridable per client and per server. */
#define SEMPER_COMM_DEFAULT_MAX_BODY      (4 * 1024 * 1024)
#define SEMPER_COMM_DEFAULT_TIMEOUT       30   /* client: seconds for a whole request */
#define SEMPER_COMM_DEFAULT_IDLE_TIMEOUT  60   /* server: seconds a connection may stall */

#define SEMPER_COMM_ERROR (semper_comm_error_quark ())

typedef enum {
  SEMPER_COMM_ERROR_FAILED,            /* anything else, e.g. the peer closed mid-response */
  SEMPER_COMM_ERROR_TIMEOUT,           /* the request did not complete in time */
  SEMPER_COMM_ERROR_TOO_LARGE,         /* a body exceeds the configured limit */
  SEMPER_COMM_ERROR_HTTP_STATUS,       /* the peer answered with a non-2xx status */
  SEMPER_COMM_ERROR_UNREACHABLE,       /* no connection: refused, no route, unknown host */
  SEMPER_COMM_ERROR_BAD_CONTENT_TYPE,  /* a body of a type other than the two we carry */
  SEMPER_COMM_ERROR_INVALID_URL,       /* not an http:// or https:// URL */
} SemperCommError;

GQuark      semper_comm_error_quark      (void);
guint       semper_comm_error_get_status (const GError *error);
const char *semper_comm_error_get_code   (const GError *error);

gboolean    semper_comm_content_type_is_allowed (const char *content_type);

/* SemperCommRequest: one request as the server received it (reference counted). */
typedef struct _SemperCommRequest SemperCommRequest;

#define SEMPER_TYPE_COMM_REQUEST (semper_comm_request_get_type ())
GType               semper_comm_request_get_type         (void) G_GNUC_CONST;

SemperCommRequest  *semper_comm_request_ref              (SemperCommRequest  *request);
void                semper_comm_request_unref            (SemperCommRequest  *request);
const char         *semper_comm_request_get_method       (const SemperCommRequest *request);
const char         *semper_comm_request_get_path         (const SemperCommRequest *request);
const char         *semper_comm_request_get_query        (const SemperCommRequest *request);
const char         *semper_comm_request_get_content_type (const SemperCommRequest *request);
GBytes             *semper_comm_request_get_body         (const SemperCommRequest *request);
const char         *semper_comm_request_get_remote_host  (const SemperCommRequest *request);
const char         *semper_comm_request_get_header       (const SemperCommRequest *request,
                                                          const char              *name);

/* SemperCommResponse: what a handler answers (owned by whoever holds it). */
typedef struct _SemperCommResponse SemperCommResponse;

SemperCommResponse *semper_comm_response_new             (guint               status,
                                                          const char         *content_type,
                                                          GBytes             *body);
SemperCommResponse *semper_comm_response_new_error       (guint               status,
                                                          const char         *code,
                                                          const char         *message);
void                semper_comm_response_set_header      (SemperCommResponse *response,
                                                          const char         *name,
                                                          const char         *value);
guint               semper_comm_response_get_status      (const SemperCommResponse *response);
const char         *semper_comm_response_get_content_type (const SemperCommResponse *response);
GBytes             *semper_comm_response_get_body        (const SemperCommResponse *response);
void                semper_comm_response_free            (SemperCommResponse *response);

/* For a handler that answers later (see semper-comm-server.h); any thread. */
void                semper_comm_request_respond          (SemperCommRequest  *request,
                                                          SemperCommResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperCommRequest, semper_comm_request_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperCommResponse, semper_comm_response_free)

G_END_DECLS
