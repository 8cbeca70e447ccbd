/* semper-json-private.h: strict getters for members of JSON objects from the
 * network or from files (one copy for all of core/).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Returns (transfer none) the string @name of @object, or NULL when it is
 * missing or is not a JSON string (null, numbers, … are not strings). */
const char *semper_json_get_string (JsonObject *object,
                                    const char *name);

/* Stores the integer @name of @object in @out and returns TRUE; returns FALSE
 * and leaves @out alone when it is missing or not a JSON integer (a double
 * such as 1.0 or a string "1" is not one). */
gboolean    semper_json_get_int    (JsonObject *object,
                                    const char *name,
                                    gint64     *out);

/* Returns (transfer none) the array @name of @object, or NULL when it is
 * missing or not a JSON array. */
JsonArray  *semper_json_get_array  (JsonObject *object,
                                    const char *name);

/* Returns (transfer full) the compact JSON text of @builder's root. */
GBytes     *semper_json_builder_to_bytes (JsonBuilder *builder);

/* Returns (transfer full) the bytes that the string @name of @object holds
 * in base64, or NULL when it is missing, not a string, or not canonical
 * base64 (what it decodes to, encoded again, is the string) of 1 to @max
 * bytes. */
GBytes     *semper_json_get_base64 (JsonObject *object,
                                    const char *name,
                                    gsize       max);

G_END_DECLS
