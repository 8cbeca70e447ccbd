/* semper-document.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-document.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "semper-money.h"

G_DEFINE_QUARK (semper-document-error-quark, semper_document_error)

static const char * const kinds[] = {
  "order", "contract", "payment-authorisation", "receipt", "dispute", "terms",
};

static const char * const amount_fields[] = {
  "Amount", "Total", "Subtotal", "Shipping", "Tax", "Discount", "Price", "Fee", "Deposit",
};

static const char * const date_fields[] = {
  "Date", "Deadline", "Expires", "Delivery-Date", "Valid-From", "Valid-Until", "Due-Date",
  "Issued", "Effective-Date",
};

/* Fields that may appear more than once, per kind. */
static const struct {
  const char *kind;
  const char *name;
} repeating[] = {
  { "order", "Item" },
  { "receipt", "Item" },
  { "payment-authorisation", "Item" },
  { "dispute", "Item" },
  { "contract", "Party" },
};

typedef struct {
  char  *name;
  char  *value;
  guint  line;
  gsize  value_offset;
} Field;

struct _SemperDocument
{
  GObject     parent_instance;

  GBytes     *bytes;      /* exact input of a parsed document; NULL while building */
  char       *kind;
  guint       version;
  GPtrArray  *fields;     /* of Field, in order; [0] is Semper-Document */
  GHashTable *seen;       /* lower-case field name → first line (GUINT_TO_POINTER) */
  char       *body;
  guint       body_line;
  gsize       body_offset;
};

G_DEFINE_FINAL_TYPE (SemperDocument, semper_document, G_TYPE_OBJECT)

static void
field_free (gpointer data)
{
  Field *field = data;

  g_free (field->name);
  g_free (field->value);
  g_free (field);
}

static void
semper_document_finalize (GObject *object)
{
  SemperDocument *self = SEMPER_DOCUMENT (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->body, g_free);

  G_OBJECT_CLASS (semper_document_parent_class)->finalize (object);
}

static void
semper_document_class_init (SemperDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_document_finalize;
}

static void
semper_document_init (SemperDocument *self)
{
  self->fields = g_ptr_array_new_with_free_func (field_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->body = g_strdup ("");
}

static gboolean
name_in (const char        *name,
         const char * const *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * semper_document_kind_is_known:
 *
 * Returns: whether @kind is one of order, contract, payment-authorisation,
 *   receipt, dispute, terms.
 */
gboolean
semper_document_kind_is_known (const char *kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * semper_document_field_type:
 *
 * Returns: what values of the field @name must be (names compare without case).
 */
SemperFieldType
semper_document_field_type (const char *name)
{
  if (name_in (name, amount_fields, G_N_ELEMENTS (amount_fields)))
    return SEMPER_FIELD_AMOUNT;
  if (name_in (name, date_fields, G_N_ELEMENTS (date_fields)))
    return SEMPER_FIELD_DATE;
  if (g_ascii_strcasecmp (name, "Item") == 0)
    return SEMPER_FIELD_ITEM;
  return SEMPER_FIELD_TEXT;
}

/**
 * semper_document_field_repeats:
 *
 * Returns: whether a document of @kind may hold the field @name more than once.
 */
gboolean
semper_document_field_repeats (const char *kind,
                               const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (repeating); i++)
    if (g_strcmp0 (kind, repeating[i].kind) == 0
        && g_ascii_strcasecmp (name, repeating[i].name) == 0)
      return TRUE;
  return FALSE;
}

/**
 * semper_document_parse_date:
 * @value: "2026-11-24T10:00:00Z": RFC 3339, UTC, whole seconds, upper-case T and Z
 *
 * Returns: (transfer full): the time, or NULL with a BAD_DATE error.
 */
GDateTime *
semper_document_parse_date (const char  *value,
                            GError     **error)
{
  static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
  int year, month, day, hour, minute, second;
  GDateTime *time = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  if (strlen (value) != sizeof pattern - 1)
    goto bad;

  for (gsize i = 0; i < sizeof pattern - 1; i++)
    {
      if (pattern[i] == 'd' ? !g_ascii_isdigit (value[i]) : value[i] != pattern[i])
        goto bad;
    }

  year = (value[0] - '0') * 1000 + (value[1] - '0') * 100 + (value[2] - '0') * 10
         + (value[3] - '0');
  month = (value[5] - '0') * 10 + (value[6] - '0');
  day = (value[8] - '0') * 10 + (value[9] - '0');
  hour = (value[11] - '0') * 10 + (value[12] - '0');
  minute = (value[14] - '0') * 10 + (value[15] - '0');
  second = (value[17] - '0') * 10 + (value[18] - '0');

  /* GDateTime checks the calendar (no 30 February); we refuse leap second 60. */
  if (year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23
      && minute <= 59 && second <= 59)
    time = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (time != NULL)
    return time;

bad:
  g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_DATE,
               _("“%s” is not a date like “2026-11-24T10:00:00Z” (RFC 3339, UTC)"), value);
  return NULL;
}

static gboolean
parse_document_amount (const char    *value,
                       SemperAmount  *out,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!semper_amount_parse (value, out, &local_error))
    {
      g_set_error_literal (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_AMOUNT,
                           local_error->message);
      return FALSE;
    }
  if (out->minor < 0)
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_AMOUNT,
                   _("“%s”: amounts in a document are not negative"), value);
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_document_parse_item:
 * @value: an Item value: "QUANTITY x DESCRIPTION @ UNIT-PRICE", e.g.
 *   "2 x Widget blue @ 12.50 EUR"
 * @quantity: (out) (optional): 1 … SEMPER_DOCUMENT_MAX_QUANTITY
 * @description: (out) (optional) (transfer full): the text between " x " and the last " @ "
 * @unit_price: (out) (optional): a non-negative amount
 */
gboolean
semper_document_parse_item (const char    *value,
                            guint         *quantity,
                            char         **description,
                            SemperAmount  *unit_price,
                            GError       **error)
{
  const char *p = value;
  const char *desc;
  const char *at;
  guint64 q = 0;
  SemperAmount price;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (value != NULL, FALSE);

  if (*p < '1' || *p > '9')
    goto bad;
  for (; g_ascii_isdigit (*p); p++)
    {
      q = q * 10 + (guint64) (*p - '0');
      if (q > SEMPER_DOCUMENT_MAX_QUANTITY)
        {
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_ITEM,
                       _("“%s”: a quantity is at most %d"), value, SEMPER_DOCUMENT_MAX_QUANTITY);
          return FALSE;
        }
    }
  if (!g_str_has_prefix (p, " x "))
    goto bad;
  desc = p + 3;

  at = g_strrstr (desc, " @ ");
  if (at == NULL || at == desc || desc[0] == ' ' || at[-1] == ' ')
    goto bad;

  if (!parse_document_amount (at + 3, &price, &local_error))
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_ITEM,
                   _("“%s”: bad unit price: %s"), value, local_error->message);
      return FALSE;
    }

  if (quantity)
    *quantity = (guint) q;
  if (description)
    *description = g_strndup (desc, (gsize) (at - desc));
  if (unit_price)
    *unit_price = price;
  return TRUE;

bad:
  g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_ITEM,
               _("“%s” is not an item like “2 x Widget @ 12.50 EUR”"), value);
  return FALSE;
}

static guint
column_at (const char *line_start,
           const char *p)
{
  return (guint) g_utf8_strlen (line_start, p - line_start) + 1;
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-';
}

/* Validates one header line (without its LF) and appends it as a field.
 * On error, *err_col is the 1-based code-point column of the culprit. */
static gboolean
add_header_line (SemperDocument  *self,
                 const char      *ls,
                 gsize            len,
                 guint            line,
                 gsize            line_offset,
                 guint           *err_col,
                 GError         **error)
{
  const char *le = ls + len;
  const char *q;
  const char *value;
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *value_str = NULL;
  gpointer first_line;
  Field *field;

  *err_col = 1;

  if (len > SEMPER_DOCUMENT_MAX_HEADER_LINE)
    {
      *err_col = column_at (ls, ls + SEMPER_DOCUMENT_MAX_HEADER_LINE);
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE,
                   _("a header line is at most %d bytes"), SEMPER_DOCUMENT_MAX_HEADER_LINE);
      return FALSE;
    }

  if (self->fields->len >= SEMPER_DOCUMENT_MAX_FIELDS)
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE,
                   _("a document has at most %d header fields"), SEMPER_DOCUMENT_MAX_FIELDS);
      return FALSE;
    }

  for (q = ls; q < le; q++)
    {
      if (*q == '\t' || *q == '\r' || *q == '\n' || *q == '\0')
        {
          *err_col = column_at (ls, q);
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER,
                       *q == '\t' ? _("tabs are not allowed in the header")
                                  : _("line breaks and NUL are not allowed in a field"));
          return FALSE;
        }
    }

  for (q = ls; q < le && is_name_char (*q); q++)
    ;

  if (q == le)
    {
      *err_col = column_at (ls, q);
      g_set_error_literal (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                           _("expected “Name: value”"));
      return FALSE;
    }
  if (*q != ':')
    {
      *err_col = column_at (ls, q);
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME,
                   _("U+%04X is not allowed in a field name (ASCII letters, digits and "
                     "“-” only)"), g_utf8_get_char (q));
      return FALSE;
    }

  name = g_strndup (ls, (gsize) (q - ls));
  if (q == ls || !g_ascii_isalpha (ls[0]) || q[-1] == '-' || strstr (name, "--") != NULL
      || q - ls > SEMPER_DOCUMENT_MAX_NAME)
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME,
                   _("“%s” is not a field name: a letter, then letters and digits, in parts "
                     "joined by single hyphens, at most %d characters"), name,
                   SEMPER_DOCUMENT_MAX_NAME);
      return FALSE;
    }

  if (q + 1 == le)
    {
      *err_col = column_at (ls, q + 1);
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_VALUE,
                   _("the field “%s” has an empty value"), name);
      return FALSE;
    }
  if (q[1] != ' ')
    {
      *err_col = column_at (ls, q + 1);
      g_set_error_literal (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                           _("expected one space after the colon"));
      return FALSE;
    }

  value = q + 2;
  *err_col = column_at (ls, value);
  if (value == le)
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_VALUE,
                   _("the field “%s” has an empty value"), name);
      return FALSE;
    }
  if (value[0] == ' ' || le[-1] == ' ')
    {
      if (value[0] != ' ')
        *err_col = column_at (ls, le - 1);
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_VALUE,
                   _("the value of “%s” starts or ends with a space"), name);
      return FALSE;
    }
  value_str = g_strndup (value, (gsize) (le - value));

  if (self->fields->len == 0)
    {
      const char *slash = strchr (value_str, '/');
      const char *v;
      guint64 version = 0;

      if (strcmp (name, "Semper-Document") != 0)
        {
          *err_col = 1;
          g_set_error_literal (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                               _("a document starts with “Semper-Document: KIND/VERSION”"));
          return FALSE;
        }
      if (slash == NULL)
        {
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                       _("“%s” is not KIND/VERSION"), value_str);
          return FALSE;
        }
      g_free (self->kind);
      self->kind = g_strndup (value_str, (gsize) (slash - value_str));
      if (!semper_document_kind_is_known (self->kind))
        {
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_UNKNOWN_KIND,
                       _("unknown document kind “%s”"), self->kind);
          return FALSE;
        }
      v = slash + 1;
      if (*v < '1' || *v > '9' || strlen (v) > 6)
        goto bad_version;
      for (; *v; v++)
        {
          if (!g_ascii_isdigit (*v))
            goto bad_version;
          version = version * 10 + (guint64) (*v - '0');
        }
      if (version != 1)
        {
          *err_col = column_at (ls, value + (slash - value_str) + 1);
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_UNSUPPORTED_VERSION,
                       _("version %u of “%s” documents is not supported"), (guint) version,
                       self->kind);
          return FALSE;
        }
      self->version = (guint) version;
      goto append;

bad_version:
      *err_col = column_at (ls, value + (slash - value_str) + 1);
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                   _("“%s” is not a version number"), slash + 1);
      return FALSE;
    }

  lower = g_ascii_strdown (name, -1);
  if (g_hash_table_lookup_extended (self->seen, lower, NULL, &first_line)
      && !semper_document_field_repeats (self->kind, name))
    {
      *err_col = 1;
      if (GPOINTER_TO_UINT (first_line) > 0)
        g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD,
                     _("the field “%s” appears twice (first on line %u)"), name,
                     GPOINTER_TO_UINT (first_line));
      else
        g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD,
                     _("the field “%s” appears twice"), name);
      return FALSE;
    }

  switch (semper_document_field_type (name))
    {
    case SEMPER_FIELD_AMOUNT:
      {
        SemperAmount amount;

        if (!parse_document_amount (value_str, &amount, error))
          return FALSE;
      }
      break;

    case SEMPER_FIELD_DATE:
      {
        g_autoptr(GDateTime) time = semper_document_parse_date (value_str, error);

        if (time == NULL)
          return FALSE;
      }
      break;

    case SEMPER_FIELD_ITEM:
      if (!semper_document_parse_item (value_str, NULL, NULL, NULL, error))
        return FALSE;
      break;

    case SEMPER_FIELD_TEXT:
    default:
      break;
    }

append:
  g_clear_pointer (&lower, g_free);
  lower = g_ascii_strdown (name, -1);
  if (!g_hash_table_contains (self->seen, lower))
    g_hash_table_insert (self->seen, g_steal_pointer (&lower), GUINT_TO_POINTER (line));

  field = g_new0 (Field, 1);
  field->name = g_steal_pointer (&name);
  field->value = g_steal_pointer (&value_str);
  field->line = line;
  field->value_offset = line_offset + (gsize) (value - ls);
  g_ptr_array_add (self->fields, field);
  return TRUE;
}

static void
set_position_error (GError     **error,
                    const char  *data,
                    gsize        offset,
                    guint       *error_line,
                    guint       *error_column,
                    GQuark       domain,
                    int          code,
                    const char  *message)
{
  guint line = 1;
  gsize ls = 0;

  for (gsize i = 0; i < offset; i++)
    {
      if (data[i] == '\n')
        {
          line++;
          ls = i + 1;
        }
    }

  if (error_line)
    *error_line = line;
  if (error_column)
    *error_column = column_at (data + ls, data + offset);
  g_set_error (error, domain, code, _("line %u, column %u: %s"), line,
               column_at (data + ls, data + offset), message);
}

/**
 * semper_document_parse:
 * @bytes: the document's exact bytes
 *
 * Returns: (transfer full): the document, which keeps @bytes, or NULL with a
 *   SEMPER_DOCUMENT_ERROR whose message names the line and column.
 */
SemperDocument *
semper_document_parse (GBytes  *bytes,
                       GError **error)
{
  return semper_document_parse_full (bytes, NULL, NULL, error);
}

/**
 * semper_document_parse_full:
 * @error_line: (out) (optional): on error, the 1-based line of the problem
 * @error_column: (out) (optional): on error, its 1-based column in code points
 *
 * Like semper_document_parse(), and tells the UI where the problem is.
 */
SemperDocument *
semper_document_parse_full (GBytes  *bytes,
                            guint   *error_line,
                            guint   *error_column,
                            GError **error)
{
  g_autoptr(SemperDocument) self = NULL;
  gsize size = 0;
  const char *data;
  const char *end = NULL;
  const char *cr;
  const char *p;
  guint line = 1;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);

  if (error_line)
    *error_line = 0;
  if (error_column)
    *error_column = 0;

  if (size > SEMPER_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE,
                   _("the document is %zu bytes; the limit is %d"), size,
                   SEMPER_DOCUMENT_MAX_SIZE);
      return NULL;
    }
  if (size == 0)
    {
      set_position_error (error, "", 0, error_line, error_column, SEMPER_DOCUMENT_ERROR,
                          SEMPER_DOCUMENT_ERROR_SYNTAX, _("the document is empty"));
      return NULL;
    }

  /* The whole document, header and body: UTF-8, no NUL, LF line ends only. */
  g_utf8_validate_len (data, size, &end);
  cr = memchr (data, '\r', (gsize) (end - data));
  if (cr != NULL)
    {
      set_position_error (error, data, (gsize) (cr - data), error_line, error_column,
                          SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER,
                          _("carriage return (CR): lines end with LF only"));
      return NULL;
    }
  if (end < data + size)
    {
      if (*end == '\0')
        set_position_error (error, data, (gsize) (end - data), error_line, error_column,
                            SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER,
                            _("NUL character"));
      else
        set_position_error (error, data, (gsize) (end - data), error_line, error_column,
                            SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_INVALID_UTF8,
                            _("invalid UTF-8"));
      return NULL;
    }

  self = g_object_new (SEMPER_TYPE_DOCUMENT, NULL);

  for (p = data;; line++)
    {
      const char *lf = memchr (p, '\n', size - (gsize) (p - data));
      guint col = 1;
      g_autoptr(GError) local_error = NULL;

      if (lf == NULL)
        {
          const char *line_end = data + size;

          if (error_line)
            *error_line = line;
          if (error_column)
            *error_column = column_at (p, line_end);
          g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                       _("line %u, column %u: %s"), line, column_at (p, line_end),
                       _("the header does not end with a blank line"));
          return NULL;
        }

      if (lf == p)
        {
          if (line == 1)
            {
              set_position_error (error, data, 0, error_line, error_column,
                                  SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_SYNTAX,
                                  _("a document starts with “Semper-Document: KIND/VERSION”"));
              return NULL;
            }
          p = lf + 1;
          line++;
          break;
        }

      if (!add_header_line (self, p, (gsize) (lf - p), line, (gsize) (p - data), &col,
                            &local_error))
        {
          if (error_line)
            *error_line = line;
          if (error_column)
            *error_column = col;
          g_set_error (error, SEMPER_DOCUMENT_ERROR, local_error->code,
                       _("line %u, column %u: %s"), line, col, local_error->message);
          return NULL;
        }
      p = lf + 1;
    }

  g_free (self->body);
  self->body = g_strndup (p, size - (gsize) (p - data));
  self->body_line = line;
  self->body_offset = (gsize) (p - data);
  self->bytes = g_bytes_ref (bytes);

  return g_steal_pointer (&self);
}

/**
 * semper_document_new:
 * @kind: a known kind, e.g. "order"
 * @version: 1
 *
 * Starts a document to write. Add fields, set the body, then call
 * semper_document_to_bytes().
 *
 * Returns: (transfer full): an empty document of @kind.
 */
SemperDocument *
semper_document_new (const char *kind,
                     guint       version)
{
  SemperDocument *self;
  Field *field;

  g_return_val_if_fail (kind != NULL, NULL);

  self = g_object_new (SEMPER_TYPE_DOCUMENT, NULL);
  self->kind = g_strdup (kind);
  self->version = version;

  field = g_new0 (Field, 1);
  field->name = g_strdup ("Semper-Document");
  field->value = g_strdup_printf ("%s/%u", kind, version);
  g_ptr_array_add (self->fields, field);
  g_hash_table_insert (self->seen, g_strdup ("semper-document"), GUINT_TO_POINTER (0));

  return self;
}

/**
 * semper_document_add_field:
 *
 * Appends "@name: @value" to the header of a document being written, with the
 * parser's checks (name, value, duplicates, amounts, dates, items, limits).
 *
 * Returns: FALSE with a SEMPER_DOCUMENT_ERROR if the parser would refuse it.
 */
gboolean
semper_document_add_field (SemperDocument  *self,
                           const char      *name,
                           const char      *value,
                           GError         **error)
{
  g_autofree char *line = NULL;
  guint col = 1;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (self->bytes == NULL, FALSE);  /* parsed documents are immutable */
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_INVALID_UTF8,
                   _("the value of “%s” is not UTF-8"), name);
      return FALSE;
    }
  if (!g_str_is_ascii (name))
    {
      g_set_error_literal (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME,
                           _("field names are ASCII"));
      return FALSE;
    }

  line = g_strconcat (name, ": ", value, NULL);
  return add_header_line (self, line, strlen (line), 0, 0, &col, error);
}

/**
 * semper_document_set_body:
 *
 * Sets the free text after the blank line of a document being written. It is
 * written as given: add a final "\n" yourself if you want one.
 */
void
semper_document_set_body (SemperDocument *self,
                          const char     *body)
{
  g_return_if_fail (SEMPER_IS_DOCUMENT (self));
  g_return_if_fail (self->bytes == NULL);

  g_free (self->body);
  self->body = g_strdup (body ? body : "");
}

/**
 * semper_document_to_bytes:
 *
 * Returns: (transfer full): the document's bytes: for a parsed document the
 *   exact input; for one being written, its canonical form, which is checked
 *   by parsing it back (so it always round-trips), or NULL with that error.
 */
GBytes *
semper_document_to_bytes (SemperDocument  *self,
                          GError         **error)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SemperDocument) check = NULL;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);

  if (self->bytes != NULL)
    return g_bytes_ref (self->bytes);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      g_string_append_printf (out, "%s: %s\n", field->name, field->value);
    }
  g_string_append_c (out, '\n');
  g_string_append (out, self->body);

  bytes = g_string_free_to_bytes (g_steal_pointer (&out));
  check = semper_document_parse (bytes, error);
  if (check == NULL)
    return NULL;

  return g_steal_pointer (&bytes);
}

/**
 * semper_document_get_bytes:
 *
 * Returns: (transfer none) (nullable): the exact bytes a document was parsed
 *   from; NULL for a document being written (use semper_document_to_bytes()).
 */
GBytes *
semper_document_get_bytes (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);

  return self->bytes;
}

const char *
semper_document_get_kind (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);

  return self->kind;
}

guint
semper_document_get_version (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), 0);

  return self->version;
}

/**
 * semper_document_get_field:
 * @name: compared without case
 *
 * Returns: (transfer none) (nullable): the value of the first field @name.
 */
const char *
semper_document_get_field (SemperDocument *self,
                           const char     *name)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (g_ascii_strcasecmp (field->name, name) == 0)
        return field->value;
    }
  return NULL;
}

/**
 * semper_document_get_fields:
 *
 * Returns: (transfer container) (element-type utf8): the values of every
 *   field @name, in order (empty if none). The strings belong to @self.
 */
GPtrArray *
semper_document_get_fields (SemperDocument *self,
                            const char     *name)
{
  GPtrArray *values;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  values = g_ptr_array_new ();
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (g_ascii_strcasecmp (field->name, name) == 0)
        g_ptr_array_add (values, field->value);
    }
  return values;
}

/**
 * semper_document_get_n_fields:
 *
 * Returns: the number of header lines, the Semper-Document line included.
 */
guint
semper_document_get_n_fields (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), 0);

  return self->fields->len;
}

/**
 * semper_document_get_field_at:
 * @index: 0 is the Semper-Document line
 * @name: (out) (optional) (transfer none):
 * @value: (out) (optional) (transfer none):
 * @line: (out) (optional): its 1-based line (0 in a document being written)
 * @value_offset: (out) (optional): byte offset of the value in the bytes
 *   (0 in a document being written)
 *
 * Returns: FALSE if @index is out of range.
 */
gboolean
semper_document_get_field_at (SemperDocument  *self,
                              guint            index,
                              const char     **name,
                              const char     **value,
                              guint           *line,
                              gsize           *value_offset)
{
  Field *field;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), FALSE);

  if (index >= self->fields->len)
    return FALSE;

  field = g_ptr_array_index (self->fields, index);
  if (name)
    *name = field->name;
  if (value)
    *value = field->value;
  if (line)
    *line = field->line;
  if (value_offset)
    *value_offset = field->value_offset;
  return TRUE;
}

/**
 * semper_document_get_body:
 *
 * Returns: (transfer none): the text after the blank line, possibly empty.
 */
const char *
semper_document_get_body (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);

  return self->body;
}

/**
 * semper_document_get_body_line:
 *
 * Returns: the 1-based line on which the body starts (0 while writing).
 */
guint
semper_document_get_body_line (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), 0);

  return self->body_line;
}

/**
 * semper_document_get_body_offset:
 *
 * Returns: the byte offset at which the body starts (0 while writing).
 */
gsize
semper_document_get_body_offset (SemperDocument *self)
{
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), 0);

  return self->body_offset;
}

static const char *
require_field (SemperDocument  *self,
               const char      *name,
               GError         **error)
{
  const char *value = semper_document_get_field (self, name);

  if (value == NULL)
    g_set_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_MISSING_FIELD,
                 _("the document has no “%s” field"), name);
  return value;
}

/**
 * semper_document_get_amount:
 * @out: (out): the amount of the field @name
 */
gboolean
semper_document_get_amount (SemperDocument  *self,
                            const char      *name,
                            SemperAmount    *out,
                            GError         **error)
{
  const char *value;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  value = require_field (self, name, error);
  if (value == NULL)
    return FALSE;

  return parse_document_amount (value, out, error);
}

/**
 * semper_document_get_date:
 *
 * Returns: (transfer full): the date of the field @name, or NULL with an error.
 */
GDateTime *
semper_document_get_date (SemperDocument  *self,
                          const char      *name,
                          GError         **error)
{
  const char *value;

  g_return_val_if_fail (SEMPER_IS_DOCUMENT (self), NULL);

  value = require_field (self, name, error);
  if (value == NULL)
    return NULL;

  return semper_document_parse_date (value, error);
}
