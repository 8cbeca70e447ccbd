/* semper-payment-json-private.h: strict JSON reading and writing shared by
 * the payment systems' messages (errors in SEMPER_PAYMENT_ERROR, INVALID).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define _SEMPER_PAY_MAX_JSON (256 * 1024)
#define _SEMPER_PAY_MAX_AMOUNT G_GINT64_CONSTANT (1000000000000000)

/* The top object of @json, with "type" = @type and "version" = 1, and only
 * the members in @allowed (which must list "type" and "version"). */
JsonObject *_semper_pay_json_open       (GBytes              *json,
                                         const char          *type,
                                         const char * const  *allowed,
                                         JsonNode           **out_root,
                                         GError             **error);
gboolean    _semper_pay_json_members    (JsonObject          *object,
                                         const char * const  *allowed,
                                         GError             **error);
const char *_semper_pay_json_string     (JsonObject          *object,
                                         const char          *name,
                                         gboolean             required,
                                         GError             **error);
gboolean    _semper_pay_json_int        (JsonObject          *object,
                                         const char          *name,
                                         gint64               min,
                                         gint64               max,
                                         gint64              *out,
                                         GError             **error);
/* 64 lower-case hex digits. Returns (transfer full). */
char       *_semper_pay_json_hex64      (JsonObject          *object,
                                         const char          *name,
                                         GError             **error);
/* Canonical base64 of 1 to @max bytes. Returns (transfer full). */
GBytes     *_semper_pay_json_base64     (JsonObject          *object,
                                         const char          *name,
                                         gsize                max,
                                         GError             **error);
/* "amount" (N >= 0) and "currency" (ISO 4217). */
gboolean    _semper_pay_json_amount     (JsonObject          *object,
                                         SemperAmount        *out,
                                         GError             **error);
gboolean    _semper_pay_is_hex64        (const char          *text);
gboolean    _semper_pay_is_key          (const char          *text);
gboolean    _semper_pay_is_account      (const char          *text);

void        _semper_pay_add_string      (JsonBuilder         *b,
                                         const char          *name,
                                         const char          *value);
void        _semper_pay_add_int         (JsonBuilder         *b,
                                         const char          *name,
                                         gint64               value);
void        _semper_pay_add_base64      (JsonBuilder         *b,
                                         const char          *name,
                                         GBytes              *value);
/* Ends the builder's top object and returns (transfer full) its JSON. */
GBytes     *_semper_pay_builder_finish  (JsonBuilder         *b);

G_END_DECLS
