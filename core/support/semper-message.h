/* semper-message.h: strict parsing of the JSON bodies that peers send.
 *
 * json-glib alone accepts duplicate members (the last wins) and any nesting
 * depth; DESIGN.md rule 5 wants neither. Every JSON body from the network
 * goes through semper_message_parse() first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SEMPER_MESSAGE_MAX_DEPTH 32

#define SEMPER_MESSAGE_ERROR (semper_message_error_quark ())

typedef enum {
  SEMPER_MESSAGE_ERROR_INVALID,    /* not JSON, not UTF-8, or not an object at the top */
  SEMPER_MESSAGE_ERROR_TOO_LARGE,  /* over the size or depth limit */
  SEMPER_MESSAGE_ERROR_DUPLICATE,  /* a member name appears twice in one object */
} SemperMessageError;

GQuark    semper_message_error_quark (void);

/* Returns (transfer full): the root node, always an object */
JsonNode *semper_message_parse       (GBytes      *bytes,
                                      gsize        max_size,
                                      GError     **error);
/* Reads {"error": {"code": "...", "message": "..."}}; both outs (transfer full)
 * (nullable), the message cleaned of control characters for display. */
gboolean  semper_message_parse_error (GBytes      *bytes,
                                      char       **out_code,
                                      char       **out_message);

G_END_DECLS
