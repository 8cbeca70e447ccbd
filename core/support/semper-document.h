/* semper-document.h: strict parser and writer for semper documents (DESIGN.md §5).
 *
 * A parsed document keeps the exact bytes it was parsed from: those bytes are
 * what the trusted display shows, what is hashed and what is signed. The
 * grammar, limits and field types are in docs/documents.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_DOCUMENT_MAX_SIZE        (256 * 1024) /* bytes, whole document */
#define SEMPER_DOCUMENT_MAX_HEADER_LINE 1024         /* bytes, without the LF */
#define SEMPER_DOCUMENT_MAX_FIELDS      128          /* header lines, Semper-Document included */
#define SEMPER_DOCUMENT_MAX_NAME        64           /* bytes in a field name */
#define SEMPER_DOCUMENT_MAX_QUANTITY    1000000      /* in an Item line */

#define SEMPER_DOCUMENT_ERROR (semper_document_error_quark ())

typedef enum {
  SEMPER_DOCUMENT_ERROR_INVALID_UTF8,        /* not UTF-8 */
  SEMPER_DOCUMENT_ERROR_BAD_CHARACTER,       /* NUL, CR, or a tab in the header */
  SEMPER_DOCUMENT_ERROR_SYNTAX,              /* not "Name: value", no blank line, … */
  SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD,     /* a non-repeating field twice */
  SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME,      /* non-ASCII or malformed name */
  SEMPER_DOCUMENT_ERROR_BAD_VALUE,           /* empty, or leading/trailing space */
  SEMPER_DOCUMENT_ERROR_BAD_AMOUNT,          /* an amount field that is no amount */
  SEMPER_DOCUMENT_ERROR_BAD_DATE,            /* a date field that is no RFC 3339 UTC date */
  SEMPER_DOCUMENT_ERROR_BAD_ITEM,            /* an Item that is not "2 x Thing @ 1.00 EUR" */
  SEMPER_DOCUMENT_ERROR_UNKNOWN_KIND,        /* kind not in the list */
  SEMPER_DOCUMENT_ERROR_UNSUPPORTED_VERSION, /* a kind's version we do not know */
  SEMPER_DOCUMENT_ERROR_TOO_LARGE,           /* a size limit */
  SEMPER_DOCUMENT_ERROR_MISSING_FIELD,       /* asked for a field that is not there */
} SemperDocumentError;

GQuark semper_document_error_quark (void);

/* What a field's value must be. */
typedef enum {
  SEMPER_FIELD_TEXT,
  SEMPER_FIELD_AMOUNT,
  SEMPER_FIELD_DATE,
  SEMPER_FIELD_ITEM,
} SemperFieldType;

#define SEMPER_TYPE_DOCUMENT (semper_document_get_type ())
G_DECLARE_FINAL_TYPE (SemperDocument, semper_document, SEMPER, DOCUMENT, GObject)

gboolean         semper_document_kind_is_known  (const char      *kind);
SemperFieldType  semper_document_field_type     (const char      *name);
gboolean         semper_document_field_repeats  (const char      *kind,
                                                 const char      *name);

SemperDocument  *semper_document_parse          (GBytes          *bytes,
                                                 GError         **error);
SemperDocument  *semper_document_parse_full     (GBytes          *bytes,
                                                 guint           *error_line,
                                                 guint           *error_column,
                                                 GError         **error);

SemperDocument  *semper_document_new            (const char      *kind,
                                                 guint            version);
gboolean         semper_document_add_field      (SemperDocument  *self,
                                                 const char      *name,
                                                 const char      *value,
                                                 GError         **error);
void             semper_document_set_body       (SemperDocument  *self,
                                                 const char      *body);
GBytes          *semper_document_to_bytes       (SemperDocument  *self,
                                                 GError         **error);

GBytes          *semper_document_get_bytes      (SemperDocument  *self);
const char      *semper_document_get_kind       (SemperDocument  *self);
guint            semper_document_get_version    (SemperDocument  *self);
const char      *semper_document_get_field      (SemperDocument  *self,
                                                 const char      *name);
GPtrArray       *semper_document_get_fields     (SemperDocument  *self,
                                                 const char      *name);
guint            semper_document_get_n_fields   (SemperDocument  *self);
gboolean         semper_document_get_field_at   (SemperDocument  *self,
                                                 guint            index,
                                                 const char     **name,
                                                 const char     **value,
                                                 guint           *line,
                                                 gsize           *value_offset);
const char      *semper_document_get_body       (SemperDocument  *self);
guint            semper_document_get_body_line  (SemperDocument  *self);
gsize            semper_document_get_body_offset (SemperDocument *self);

gboolean         semper_document_get_amount     (SemperDocument  *self,
                                                 const char      *name,
                                                 SemperAmount    *out,
                                                 GError         **error);
GDateTime       *semper_document_get_date       (SemperDocument  *self,
                                                 const char      *name,
                                                 GError         **error);

gboolean         semper_document_parse_item     (const char      *value,
                                                 guint           *quantity,
                                                 char           **description,
                                                 SemperAmount    *unit_price,
                                                 GError         **error);
GDateTime       *semper_document_parse_date     (const char      *value,
                                                 GError         **error);

G_END_DECLS
