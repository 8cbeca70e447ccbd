/* semper-commerce-private.h: strict JSON reading shared by the commerce layer.
 *
 * The service description and the order form are peer input: every object
 * has a closed set of members (an unknown one is refused), strings have
 * length limits and no control characters, numbers are integers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Refuses members of @object not in @allowed (NULL-terminated); @where names
 * the object in the message. */
gboolean    _semper_json_check_members (JsonObject          *object,
                                        const char * const  *allowed,
                                        const char          *where,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
/* A string member: valid UTF-8 (json-glib), 1..@max_len bytes, no control
 * characters. Absent: *out = NULL, an error only when @required.
 * Returns: borrowed through @out. */
gboolean    _semper_json_get_string    (JsonObject          *object,
                                        const char          *member,
                                        gsize                max_len,
                                        gboolean             required,
                                        const char          *where,
                                        const char         **out,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
/* An integer member in [@min, @max]; absent: *out = @fallback unless @required. */
gboolean    _semper_json_get_int       (JsonObject          *object,
                                        const char          *member,
                                        gint64               min,
                                        gint64               max,
                                        gboolean             required,
                                        gint64               fallback,
                                        const char          *where,
                                        gint64              *out,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
gboolean    _semper_json_get_bool      (JsonObject          *object,
                                        const char          *member,
                                        gboolean             fallback,
                                        const char          *where,
                                        gboolean            *out,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
/* An array member (absent: NULL without error unless @required) of at most
 * @max elements. Returns: borrowed through @out. */
gboolean    _semper_json_get_array     (JsonObject          *object,
                                        const char          *member,
                                        guint                min,
                                        guint                max,
                                        gboolean             required,
                                        const char          *where,
                                        JsonArray          **out,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
/* An object member; absent: NULL unless @required. */
gboolean    _semper_json_get_object    (JsonObject          *object,
                                        const char          *member,
                                        gboolean             required,
                                        const char          *where,
                                        JsonObject         **out,
                                        GQuark               domain,
                                        int                  code,
                                        GError             **error);
/* An identifier: [a-z][a-z0-9-]*, at most 64 bytes. */
gboolean    _semper_commerce_is_identifier (const char      *text);
/* Text without C0/C1 controls, DEL, U+2028/2029. */
gboolean    _semper_commerce_is_plain_text (const char      *text);

G_END_DECLS
