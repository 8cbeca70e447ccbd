/* semper-order-form.c: standardised order forms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-order-form.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-commerce-private.h"
#include "semper-message.h"
#include "semper-money.h"

G_DEFINE_QUARK (semper-order-form-error-quark, semper_order_form_error)

#define INVALID SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_INVALID
#define MAX_LABEL 200
#define MAX_HEADER 60  /* leaves room for an address's "-N" within the 64 of a name */

/* Headers that the form's own writer sets, or the fair exchange's order
 * document that repeats the form's (Title … Payment-System, Merchant-Name:
 * docs/merchant.md); a field may not take them. */
static const char * const reserved_headers[] = {
  "Semper-Document", "Merchant", "Service", "Order-Form", "Date", "Item", "Subtotal",
  "Shipping", "Tax", "Discount", "Total", "Amount", "Title", "Offer", "Offer-Id",
  "Transaction", "Commitment", "Payment-System", "Merchant-Name", NULL,
};

static const char * const type_names[] = {
  [SEMPER_ORDER_FIELD_TEXT] = "text",
  [SEMPER_ORDER_FIELD_QUANTITY] = "quantity",
  [SEMPER_ORDER_FIELD_CHOICE] = "choice",
  [SEMPER_ORDER_FIELD_AMOUNT] = "amount",
  [SEMPER_ORDER_FIELD_DATE] = "date",
  [SEMPER_ORDER_FIELD_ADDRESS] = "address",
  [SEMPER_ORDER_FIELD_EMAIL] = "email",
};

struct _SemperOrderForm
{
  GObject       parent_instance;

  char         *id;
  char         *title;
  guint         min_lines;
  guint         max_lines;
  guint         max_quantity;
  gboolean      has_shipping;
  SemperAmount  shipping;
  GPtrArray    *fields;   /* of SemperOrderField */
};

G_DEFINE_FINAL_TYPE (SemperOrderForm, semper_order_form, G_TYPE_OBJECT)

static void
order_field_free (SemperOrderField *field)
{
  g_free (field->name);
  g_free (field->label);
  g_free (field->header);
  g_strfreev (field->choices);
  g_free (field->currency);
  g_free (field);
}

void
semper_order_problem_free (SemperOrderProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->field);
  g_free (problem->message);
  g_free (problem);
}

static void
semper_order_form_finalize (GObject *object)
{
  SemperOrderForm *self = SEMPER_ORDER_FORM (object);

  g_free (self->id);
  g_free (self->title);
  g_clear_pointer (&self->fields, g_ptr_array_unref);

  G_OBJECT_CLASS (semper_order_form_parent_class)->finalize (object);
}

static void
semper_order_form_class_init (SemperOrderFormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_order_form_finalize;
}

static void
semper_order_form_init (SemperOrderForm *self)
{
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) order_field_free);
}

/* A semper document field name: ALPHA *(ALPHA / DIGIT) *("-" 1*(ALPHA / DIGIT)). */
static gboolean
is_header_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > MAX_HEADER || !g_ascii_isalpha (name[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    {
      if (name[i] == '-')
        {
          if (name[i - 1] == '-' || i + 1 == len)
            return FALSE;
        }
      else if (!g_ascii_isalnum (name[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_reserved_header (const char *name)
{
  for (gsize i = 0; reserved_headers[i] != NULL; i++)
    if (g_ascii_strcasecmp (reserved_headers[i], name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
parse_amount_member (JsonObject   *object,
                     const char   *member,
                     const char   *where,
                     gboolean     *present,
                     SemperAmount *out,
                     GError      **error)
{
  const char *text;
  g_autoptr(GError) local = NULL;

  *present = FALSE;
  if (!_semper_json_get_string (object, member, 64, FALSE, where, &text, INVALID, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!semper_amount_parse (text, out, &local) || out->minor < 0)
    {
      g_set_error (error, INVALID, _("%s: “%s” is not an amount: %s"), where, member,
                   local ? local->message : _("negative"));
      return FALSE;
    }
  *present = TRUE;
  return TRUE;
}

static SemperOrderField *
parse_field (JsonNode   *node,
             guint       index,
             GError    **error)
{
  static const char * const common[] = {
    "name", "label", "header", "type", "required", "max_length", "min", "max", "choices",
    "currency", "max_lines", NULL,
  };
  g_autofree char *where = g_strdup_printf (_("order form field %u"), index + 1);
  SemperOrderField *field;
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) order_field_free);
  JsonObject *object;
  const char *name, *label, *header, *type;
  gint64 value;
  gboolean b;
  gsize t;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, INVALID, _("%s: must be an object"), where);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!_semper_json_check_members (object, common, where, INVALID, error))
    return NULL;
  if (!_semper_json_get_string (object, "name", 64, TRUE, where, &name, INVALID, error))
    return NULL;
  if (!_semper_commerce_is_identifier (name))
    {
      g_set_error (error, INVALID, _("%s: the name “%s” is not an identifier (a-z, 0-9, -)"),
                   where, name);
      return NULL;
    }
  g_free (where);
  where = g_strdup_printf (_("order form field “%s”"), name);

  if (!_semper_json_get_string (object, "label", MAX_LABEL, TRUE, where, &label, INVALID, error) ||
      !_semper_json_get_string (object, "header", MAX_HEADER, TRUE, where, &header, INVALID,
                                error) ||
      !_semper_json_get_string (object, "type", 16, TRUE, where, &type, INVALID, error))
    return NULL;
  if (!is_header_name (header) || is_reserved_header (header))
    {
      g_set_error (error, INVALID,
                   _("%s: “%s” cannot be a header of the order (malformed or reserved)"),
                   where, header);
      return NULL;
    }
  for (t = 0; t < G_N_ELEMENTS (type_names); t++)
    if (g_strcmp0 (type_names[t], type) == 0)
      break;
  if (t == G_N_ELEMENTS (type_names))
    {
      g_set_error (error, INVALID, _("%s: unknown type “%s”"), where, type);
      return NULL;
    }

  field = g_new0 (SemperOrderField, 1);
  g_ptr_array_add (keep, field);
  field->name = g_strdup (name);
  field->label = g_strdup (label);
  field->header = g_strdup (header);
  field->type = t;
  if (!_semper_json_get_bool (object, "required", FALSE, where, &b, INVALID, error))
    return NULL;
  field->required = b;

  /* Each type has its own members; the others are refused. */
  {
    const char *only[8] = { NULL };
    guint n = 0;

    switch (field->type)
      {
      case SEMPER_ORDER_FIELD_TEXT:
        only[n++] = "max_length";
        break;
      case SEMPER_ORDER_FIELD_QUANTITY:
        only[n++] = "min";
        only[n++] = "max";
        break;
      case SEMPER_ORDER_FIELD_CHOICE:
        only[n++] = "choices";
        break;
      case SEMPER_ORDER_FIELD_AMOUNT:
        only[n++] = "currency";
        only[n++] = "min";
        only[n++] = "max";
        break;
      case SEMPER_ORDER_FIELD_ADDRESS:
        only[n++] = "max_lines";
        only[n++] = "max_length";
        break;
      case SEMPER_ORDER_FIELD_DATE:
      case SEMPER_ORDER_FIELD_EMAIL:
      default:
        break;
      }
    for (gsize i = 5; common[i] != NULL; i++)
      if (json_object_has_member (object, common[i]) && !g_strv_contains (only, common[i]))
        {
          g_set_error (error, INVALID, _("%s: “%s” does not apply to a %s field"), where,
                       common[i], type);
          return NULL;
        }
  }

  /* The header's type in a semper document must match the answer's. */
  {
    SemperFieldType want = SEMPER_FIELD_TEXT;

    if (field->type == SEMPER_ORDER_FIELD_AMOUNT)
      want = SEMPER_FIELD_AMOUNT;
    else if (field->type == SEMPER_ORDER_FIELD_DATE)
      want = SEMPER_FIELD_DATE;
    if (field->type == SEMPER_ORDER_FIELD_ADDRESS)
      {
        g_autofree char *line = g_strconcat (header, "-1", NULL);

        if (semper_document_field_type (line) != want)
          want = SEMPER_FIELD_ITEM; /* never matches below */
      }
    if (field->type != SEMPER_ORDER_FIELD_ADDRESS && semper_document_field_type (header) != want)
      want = SEMPER_FIELD_ITEM;
    if (want == SEMPER_FIELD_ITEM)
      {
        g_set_error (error, INVALID,
                     _("%s: the header “%s” does not hold a %s value in a semper document"),
                     where, header, type);
        return NULL;
      }
  }

  switch (field->type)
    {
    case SEMPER_ORDER_FIELD_TEXT:
      if (!_semper_json_get_int (object, "max_length", 1, SEMPER_ORDER_FORM_MAX_TEXT, FALSE, 200,
                                 where, &value, INVALID, error))
        return NULL;
      field->max_length = value;
      break;

    case SEMPER_ORDER_FIELD_QUANTITY:
      if (!_semper_json_get_int (object, "min", 0, 1000000, FALSE, 1, where, &value, INVALID,
                                 error))
        return NULL;
      field->min = value;
      if (!_semper_json_get_int (object, "max", 0, 1000000, TRUE, 0, where, &value, INVALID,
                                 error))
        return NULL;
      field->max = value;
      if (field->max < field->min)
        {
          g_set_error (error, INVALID, _("%s: “max” is smaller than “min”"), where);
          return NULL;
        }
      break;

    case SEMPER_ORDER_FIELD_CHOICE:
      {
        JsonArray *choices;
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

        if (!_semper_json_get_array (object, "choices", 1, SEMPER_ORDER_FORM_MAX_CHOICES, TRUE,
                                     where, &choices, INVALID, error))
          return NULL;
        for (guint i = 0; i < json_array_get_length (choices); i++)
          {
            JsonNode *c = json_array_get_element (choices, i);
            const char *text;

            if (!JSON_NODE_HOLDS_VALUE (c) || json_node_get_value_type (c) != G_TYPE_STRING ||
                (text = json_node_get_string (c)) == NULL || text[0] == '\0' ||
                strlen (text) > MAX_LABEL || !_semper_commerce_is_plain_text (text) ||
                g_ascii_isspace (text[0]) || g_ascii_isspace (text[strlen (text) - 1]))
              {
                g_set_error (error, INVALID,
                             _("%s: choice %u must be a non-empty single-line string of at "
                               "most %d bytes without surrounding spaces"),
                             where, i + 1, MAX_LABEL);
                return NULL;
              }
            for (guint j = 0; j < i; j++)
              if (g_strcmp0 (json_array_get_string_element (choices, j), text) == 0)
                {
                  g_set_error (error, INVALID, _("%s: the choice “%s” appears twice"), where,
                               text);
                  return NULL;
                }
            g_strv_builder_add (builder, text);
          }
        field->choices = g_strv_builder_end (builder);
      }
      break;

    case SEMPER_ORDER_FIELD_AMOUNT:
      {
        const char *currency;
        SemperAmount a;
        gboolean present;

        if (!_semper_json_get_string (object, "currency", 3, TRUE, where, &currency, INVALID,
                                      error))
          return NULL;
        if (semper_currency_decimals (currency) < 0)
          {
            g_set_error (error, INVALID, _("%s: “%s” is not an ISO 4217 currency"), where,
                         currency);
            return NULL;
          }
        field->currency = g_strdup (currency);
        field->min = 0;
        field->max = G_MAXINT64;
        if (!parse_amount_member (object, "min", where, &present, &a, error))
          return NULL;
        if (present)
          field->min = a.minor;
        if (present && g_strcmp0 (a.currency, currency) != 0)
          goto wrong_currency;
        if (!parse_amount_member (object, "max", where, &present, &a, error))
          return NULL;
        if (present)
          field->max = a.minor;
        if (present && g_strcmp0 (a.currency, currency) != 0)
          goto wrong_currency;
        if (field->max < field->min)
          {
            g_set_error (error, INVALID, _("%s: “max” is smaller than “min”"), where);
            return NULL;
          }
        break;

wrong_currency:
        g_set_error (error, INVALID, _("%s: “min” and “max” must be in %s"), where, currency);
        return NULL;
      }

    case SEMPER_ORDER_FIELD_ADDRESS:
      if (!_semper_json_get_int (object, "max_lines", 1, SEMPER_ORDER_FORM_MAX_LINES, FALSE, 4,
                                 where, &value, INVALID, error))
        return NULL;
      field->max_lines = value;
      if (!_semper_json_get_int (object, "max_length", 1, SEMPER_ORDER_FORM_MAX_TEXT, FALSE, 100,
                                 where, &value, INVALID, error))
        return NULL;
      field->max_length = value;
      break;

    case SEMPER_ORDER_FIELD_DATE:
    case SEMPER_ORDER_FIELD_EMAIL:
    default:
      field->max_length = 254;
      break;
    }
  return g_ptr_array_steal_index (keep, 0);
}

/**
 * semper_order_form_new_from_json:
 * @object: (transfer none): an order form object, as in docs/commerce.md
 *
 * Returns: (transfer full) (nullable): the form, or %NULL with
 *   %SEMPER_ORDER_FORM_ERROR_INVALID naming the member at fault.
 */
SemperOrderForm *
semper_order_form_new_from_json (JsonObject  *object,
                                 GError     **error)
{
  static const char * const members[] = {
    "format", "version", "id", "title", "lines", "shipping", "fields", NULL,
  };
  static const char * const line_members[] = { "min", "max", "max_quantity", NULL };
  const char *where = _("order form");
  g_autoptr(SemperOrderForm) self = g_object_new (SEMPER_TYPE_ORDER_FORM, NULL);
  const char *format, *id, *title;
  JsonObject *lines;
  JsonArray *fields;
  gint64 value;

  if (!_semper_json_check_members (object, members, where, INVALID, error) ||
      !_semper_json_get_string (object, "format", 32, TRUE, where, &format, INVALID, error))
    return NULL;
  if (g_strcmp0 (format, "semper-order-form") != 0)
    {
      g_set_error (error, INVALID, _("%s: the format is “%s”, not “semper-order-form”"), where,
                   format);
      return NULL;
    }
  if (!_semper_json_get_int (object, "version", 1, 1, TRUE, 0, where, &value, INVALID, error) ||
      !_semper_json_get_string (object, "id", 64, TRUE, where, &id, INVALID, error) ||
      !_semper_json_get_string (object, "title", MAX_LABEL, TRUE, where, &title, INVALID, error))
    return NULL;
  if (!_semper_commerce_is_identifier (id))
    {
      g_set_error (error, INVALID, _("%s: the id “%s” is not an identifier (a-z, 0-9, -)"),
                   where, id);
      return NULL;
    }
  self->id = g_strdup (id);
  self->title = g_strdup (title);

  self->min_lines = 1;
  self->max_lines = SEMPER_ORDER_FORM_MAX_ITEMS;
  self->max_quantity = SEMPER_DOCUMENT_MAX_QUANTITY;
  if (!_semper_json_get_object (object, "lines", FALSE, where, &lines, INVALID, error))
    return NULL;
  if (lines != NULL)
    {
      const char *lw = _("order form lines");

      if (!_semper_json_check_members (lines, line_members, lw, INVALID, error) ||
          !_semper_json_get_int (lines, "min", 1, SEMPER_ORDER_FORM_MAX_ITEMS, FALSE, 1, lw,
                                 &value, INVALID, error))
        return NULL;
      self->min_lines = value;
      if (!_semper_json_get_int (lines, "max", 1, SEMPER_ORDER_FORM_MAX_ITEMS, FALSE,
                                 SEMPER_ORDER_FORM_MAX_ITEMS, lw, &value, INVALID, error))
        return NULL;
      self->max_lines = value;
      if (!_semper_json_get_int (lines, "max_quantity", 1, SEMPER_DOCUMENT_MAX_QUANTITY, FALSE,
                                 SEMPER_DOCUMENT_MAX_QUANTITY, lw, &value, INVALID, error))
        return NULL;
      self->max_quantity = value;
      if (self->max_lines < self->min_lines)
        {
          g_set_error (error, INVALID, _("%s: “max” is smaller than “min”"), lw);
          return NULL;
        }
    }
  if (!parse_amount_member (object, "shipping", where, &self->has_shipping, &self->shipping,
                            error))
    return NULL;

  if (!_semper_json_get_array (object, "fields", 0, SEMPER_ORDER_FORM_MAX_FIELDS, TRUE, where,
                               &fields, INVALID, error))
    return NULL;
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      SemperOrderField *field = parse_field (json_array_get_element (fields, i), i, error);

      if (field == NULL)
        return NULL;
      for (guint j = 0; j < self->fields->len; j++)
        {
          SemperOrderField *other = g_ptr_array_index (self->fields, j);

          if (g_strcmp0 (other->name, field->name) == 0 ||
              g_ascii_strcasecmp (other->header, field->header) == 0)
            {
              g_set_error (error, INVALID,
                           _("order form field “%s”: its name or header is used twice"),
                           field->name);
              order_field_free (field);
              return NULL;
            }
        }
      g_ptr_array_add (self->fields, field);
    }
  /* An address "Addr" writes Addr-1 …; no other header may collide with those. */
  for (guint i = 0; i < self->fields->len; i++)
    {
      SemperOrderField *a = g_ptr_array_index (self->fields, i);

      if (a->type != SEMPER_ORDER_FIELD_ADDRESS)
        continue;
      for (guint j = 0; j < self->fields->len; j++)
        {
          SemperOrderField *b = g_ptr_array_index (self->fields, j);
          gsize n = strlen (a->header);

          if (i != j && g_ascii_strncasecmp (a->header, b->header, n) == 0 &&
              b->header[n] == '-')
            {
              g_set_error (error, INVALID,
                           _("order form field “%s”: its header collides with the address "
                             "lines of “%s”"), b->name, a->name);
              return NULL;
            }
        }
    }
  return g_steal_pointer (&self);
}

/**
 * semper_order_form_parse:
 * @json: the form as JSON (at most SEMPER_ORDER_FORM_MAX_SIZE bytes)
 *
 * Strict: duplicate or unknown members, wrong types and broken limits are
 * refused (docs/commerce.md).
 *
 * Returns: (transfer full) (nullable)
 */
SemperOrderForm *
semper_order_form_parse (GBytes  *json,
                         GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;

  root = semper_message_parse (json, SEMPER_ORDER_FORM_MAX_SIZE, &local);
  if (root == NULL)
    {
      g_set_error (error, INVALID, _("order form: %s"), local->message);
      return NULL;
    }
  return semper_order_form_new_from_json (json_node_get_object (root), error);
}

const char *
semper_order_form_get_id (SemperOrderForm *self)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  return self->id;
}

const char *
semper_order_form_get_title (SemperOrderForm *self)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  return self->title;
}

guint
semper_order_form_get_n_fields (SemperOrderForm *self)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), 0);
  return self->fields->len;
}

/**
 * semper_order_form_get_field:
 *
 * Returns: (transfer none) (nullable): field @index, or %NULL past the end
 */
const SemperOrderField *
semper_order_form_get_field (SemperOrderForm *self,
                             guint            index)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  return index < self->fields->len ? g_ptr_array_index (self->fields, index) : NULL;
}

/**
 * semper_order_form_find_field:
 *
 * Returns: (transfer none) (nullable): the field called @name
 */
const SemperOrderField *
semper_order_form_find_field (SemperOrderForm *self,
                              const char      *name)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  for (guint i = 0; i < self->fields->len; i++)
    {
      SemperOrderField *field = g_ptr_array_index (self->fields, i);

      if (g_strcmp0 (field->name, name) == 0)
        return field;
    }
  return NULL;
}

/**
 * semper_order_form_get_shipping:
 *
 * Returns: (transfer none) (nullable): the shipping charge, if the form has one
 */
const SemperAmount *
semper_order_form_get_shipping (SemperOrderForm *self)
{
  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  return self->has_shipping ? &self->shipping : NULL;
}

static void
add_problem (GPtrArray              *problems,
             const SemperOrderField *field,
             const char             *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
add_problem (GPtrArray              *problems,
             const SemperOrderField *field,
             const char             *format,
             ...)
{
  SemperOrderProblem *problem = g_new0 (SemperOrderProblem, 1);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  problem->field = g_strdup (field->name);
  problem->message = g_strdup_printf ("%s: %s", field->label, text);
  g_ptr_array_add (problems, problem);
}

/* One line of an answer: single-line plain text within the field's limit,
 * without surrounding spaces (a header value may not have them). */
static gboolean
check_line (GPtrArray              *problems,
            const SemperOrderField *field,
            const char             *line,
            guint                   max_length)
{
  gsize len = strlen (line);

  if (!g_utf8_validate (line, -1, NULL) || !_semper_commerce_is_plain_text (line))
    {
      add_problem (problems, field, _("contains control characters or line breaks"));
      return FALSE;
    }
  if (len > max_length)
    {
      add_problem (problems, field, _("is longer than %u bytes"), max_length);
      return FALSE;
    }
  if (len > 0 && (g_ascii_isspace (line[0]) || g_ascii_isspace (line[len - 1])))
    {
      add_problem (problems, field, _("starts or ends with a space"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_quantity (const char *text,
                gint64     *out)
{
  gint64 value = 0;
  gsize len = strlen (text);

  if (len == 0 || len > 7 || (len > 1 && text[0] == '0'))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* local@domain: ASCII, one @, a local part of atext and dots, a domain of
 * at least two LDH labels. Stricter than RFC 5322 on purpose. */
static gboolean
is_email (const char *text)
{
  const char *at = strchr (text, '@');
  gsize len = strlen (text);
  g_auto(GStrv) labels = NULL;

  if (at == NULL || strchr (at + 1, '@') != NULL || len > 254 || at == text ||
      at - text > 64 || text[0] == '.' || at[-1] == '.')
    return FALSE;
  for (const char *p = text; p < at; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+/=?^_`{|}~-.", *p) == NULL)
      return FALSE;
    else if (*p == '.' && p[1] == '.')
      return FALSE;
  labels = g_strsplit (at + 1, ".", -1);
  if (g_strv_length (labels) < 2)
    return FALSE;
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize n = strlen (labels[i]);

      if (n == 0 || n > 63 || labels[i][0] == '-' || labels[i][n - 1] == '-')
        return FALSE;
      for (gsize j = 0; j < n; j++)
        if (!g_ascii_isalnum (labels[i][j]) && labels[i][j] != '-')
          return FALSE;
    }
  return TRUE;
}

/* "YYYY-MM-DD" or the full RFC 3339 UTC form; returns the full form. */
static char *
parse_date_answer (const char *text)
{
  g_autofree char *full = NULL;
  g_autoptr(GDateTime) date = NULL;

  if (strlen (text) == 10)
    full = g_strconcat (text, "T00:00:00Z", NULL);
  else
    full = g_strdup (text);
  date = semper_document_parse_date (full, NULL);
  return date != NULL ? g_steal_pointer (&full) : NULL;
}

static void
validate_field (const SemperOrderField *field,
                const char             *answer,
                GPtrArray              *problems)
{
  switch (field->type)
    {
    case SEMPER_ORDER_FIELD_TEXT:
      check_line (problems, field, answer, field->max_length);
      break;

    case SEMPER_ORDER_FIELD_QUANTITY:
      {
        gint64 value;

        if (!parse_quantity (answer, &value))
          add_problem (problems, field, _("“%s” is not a whole number"), answer);
        else if (value < field->min || value > field->max)
          add_problem (problems, field,
                       _("must be between %" PRId64 " and %" PRId64),
                       field->min, field->max);
      }
      break;

    case SEMPER_ORDER_FIELD_CHOICE:
      if (!g_strv_contains ((const char * const *) field->choices, answer))
        add_problem (problems, field, _("must be one of the offered choices"));
      break;

    case SEMPER_ORDER_FIELD_AMOUNT:
      {
        SemperAmount amount;
        g_autoptr(GError) local = NULL;

        if (!semper_amount_parse (answer, &amount, &local))
          add_problem (problems, field, _("is not an amount like “12.50 %s”: %s"),
                       field->currency, local->message);
        else if (g_strcmp0 (amount.currency, field->currency) != 0)
          add_problem (problems, field, _("must be in %s"), field->currency);
        else if (amount.minor < field->min || amount.minor > field->max)
          {
            SemperAmount lo = { field->min, "" }, hi = { field->max, "" };
            g_autofree char *lo_text = NULL, *hi_text = NULL;

            g_strlcpy (lo.currency, field->currency, sizeof lo.currency);
            g_strlcpy (hi.currency, field->currency, sizeof hi.currency);
            lo_text = semper_amount_format (&lo);
            hi_text = semper_amount_format (&hi);
            add_problem (problems, field, _("must be between %s and %s"), lo_text, hi_text);
          }
      }
      break;

    case SEMPER_ORDER_FIELD_DATE:
      {
        g_autofree char *full = parse_date_answer (answer);

        if (full == NULL)
          add_problem (problems, field, _("is not a date like 2026-12-01"));
      }
      break;

    case SEMPER_ORDER_FIELD_ADDRESS:
      {
        g_auto(GStrv) lines = g_strsplit (answer, "\n", -1);
        guint n = g_strv_length (lines);

        if (n > field->max_lines)
          {
            add_problem (problems, field, _("has more than %u lines"), field->max_lines);
            break;
          }
        for (guint i = 0; i < n; i++)
          {
            if (lines[i][0] == '\0')
              {
                add_problem (problems, field, _("line %u is empty"), i + 1);
                break;
              }
            if (!check_line (problems, field, lines[i], field->max_length))
              break;
          }
      }
      break;

    case SEMPER_ORDER_FIELD_EMAIL:
      if (!is_email (answer))
        add_problem (problems, field, _("is not an e-mail address like name@example.org"));
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * semper_order_form_validate:
 * @answers: (element-type utf8 utf8): field name → answer
 *
 * Checks every field (an empty answer counts as none) and refuses keys that
 * are not fields of the form.
 *
 * Returns: (transfer full) (element-type SemperOrderProblem): the problems,
 *   in the form's field order; empty when the answers are valid.
 */
GPtrArray *
semper_order_form_validate (SemperOrderForm *self,
                            GHashTable      *answers)
{
  GPtrArray *problems;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  g_return_val_if_fail (answers != NULL, NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_order_problem_free);
  for (guint i = 0; i < self->fields->len; i++)
    {
      const SemperOrderField *field = g_ptr_array_index (self->fields, i);
      const char *answer = g_hash_table_lookup (answers, field->name);

      if (answer == NULL || answer[0] == '\0')
        {
          if (field->required)
            add_problem (problems, field, _("is required"));
          continue;
        }
      validate_field (field, answer, problems);
    }

  g_hash_table_iter_init (&iter, answers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (semper_order_form_find_field (self, key) == NULL)
      {
        SemperOrderProblem *problem = g_new0 (SemperOrderProblem, 1);

        problem->field = g_utf8_make_valid (key, -1);
        problem->message = g_strdup_printf (_("“%s” is not a field of this form"),
                                            problem->field);
        g_ptr_array_add (problems, problem);
      }
  return problems;
}

/**
 * semper_order_form_build_order:
 * @answers: (element-type utf8 utf8): field name → answer
 * @lines: (array length=n_lines): the items ordered
 * @merchant: the merchant's name, as the service description gives it
 * @service_id: the commerce service's id
 * @date: when the order is made (its UTC second is written)
 *
 * Writes an `order/1` semper document: Merchant, Service, Order-Form, Date,
 * one Item per line, Subtotal, Shipping (if the form has one), Total, then
 * the answered fields in form order (an address as HEADER-1, HEADER-2, …).
 * Subtotal + Shipping = Total, so the checker's totals rule accepts it.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with
 *   %SEMPER_ORDER_FORM_ERROR_BAD_ANSWER (every problem, "; "-separated) or
 *   _BAD_ITEMS.
 */
SemperDocument *
semper_order_form_build_order (SemperOrderForm       *self,
                               GHashTable            *answers,
                               const SemperOrderLine *lines,
                               guint                  n_lines,
                               const char            *merchant,
                               const char            *service_id,
                               GDateTime             *date,
                               GError               **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *date_text = NULL;
  g_autofree char *subtotal_text = NULL;
  g_autofree char *total_text = NULL;
  SemperAmount subtotal, total;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (SEMPER_IS_ORDER_FORM (self), NULL);
  g_return_val_if_fail (merchant != NULL && service_id != NULL && date != NULL, NULL);
  g_return_val_if_fail (lines != NULL || n_lines == 0, NULL);

  problems = semper_order_form_validate (self, answers);
  if (problems->len > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          SemperOrderProblem *p = g_ptr_array_index (problems, i);

          g_string_append_printf (text, "%s%s", i ? "; " : "", p->message);
        }
      g_set_error_literal (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ANSWER,
                           text->str);
      return NULL;
    }
  if (n_lines < self->min_lines || n_lines > self->max_lines)
    {
      g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,
                   _("An order on this form has %u to %u items, not %u"), self->min_lines,
                   self->max_lines, n_lines);
      return NULL;
    }

  doc = semper_document_new ("order", 1);
  utc = g_date_time_to_utc (date);
  date_text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  if (!semper_document_add_field (doc, "Merchant", merchant, &local) ||
      !semper_document_add_field (doc, "Service", service_id, &local) ||
      !semper_document_add_field (doc, "Order-Form", self->id, &local) ||
      !semper_document_add_field (doc, "Date", date_text, &local))
    goto bad_items;

  for (guint i = 0; i < n_lines; i++)
    {
      const SemperOrderLine *line = &lines[i];
      g_autofree char *price = NULL;
      g_autofree char *item = NULL;
      SemperAmount line_total;

      if (line->quantity < 1 || line->quantity > self->max_quantity)
        {
          g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,
                       _("Item %u: the quantity must be between 1 and %u"), i + 1,
                       self->max_quantity);
          return NULL;
        }
      if (line->description == NULL || line->unit_price.minor < 0 ||
          !semper_amount_multiply (&line->unit_price, line->quantity, &line_total, &local) ||
          (i == 0 ? !semper_amount_init (&subtotal, line_total.minor, line_total.currency, &local)
                  : !semper_amount_add (&subtotal, &line_total, &subtotal, &local)))
        {
          if (local == NULL)
            g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,
                         _("Item %u has no description or a negative price"), i + 1);
          else
            g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,
                         _("Item %u: %s"), i + 1, local->message);
          return NULL;
        }
      price = semper_amount_format (&line->unit_price);
      item = g_strdup_printf ("%u x %s @ %s", line->quantity, line->description, price);
      if (!semper_document_add_field (doc, "Item", item, &local))
        goto bad_items;
    }

  total = subtotal;
  subtotal_text = semper_amount_format (&subtotal);
  if (!semper_document_add_field (doc, "Subtotal", subtotal_text, &local))
    goto bad_items;
  if (self->has_shipping)
    {
      g_autofree char *shipping = semper_amount_format (&self->shipping);

      if (!semper_amount_add (&subtotal, &self->shipping, &total, &local) ||
          !semper_document_add_field (doc, "Shipping", shipping, &local))
        goto bad_items;
    }
  total_text = semper_amount_format (&total);
  if (!semper_document_add_field (doc, "Total", total_text, &local))
    goto bad_items;

  for (guint i = 0; i < self->fields->len; i++)
    {
      const SemperOrderField *field = g_ptr_array_index (self->fields, i);
      const char *answer = g_hash_table_lookup (answers, field->name);

      if (answer == NULL || answer[0] == '\0')
        continue;
      if (field->type == SEMPER_ORDER_FIELD_ADDRESS)
        {
          g_auto(GStrv) address = g_strsplit (answer, "\n", -1);

          for (guint j = 0; address[j] != NULL; j++)
            {
              g_autofree char *header = g_strdup_printf ("%s-%u", field->header, j + 1);

              if (!semper_document_add_field (doc, header, address[j], &local))
                goto bad_answer;
            }
        }
      else if (field->type == SEMPER_ORDER_FIELD_DATE)
        {
          g_autofree char *full = parse_date_answer (answer);

          if (!semper_document_add_field (doc, field->header, full, &local))
            goto bad_answer;
        }
      else if (!semper_document_add_field (doc, field->header, answer, &local))
        goto bad_answer;
    }
  semper_document_set_body (doc, _("Ordered on the terms of the commerce service named above.\n"));

  /* The writer parses what it wrote: this is the last check of every limit. */
  {
    g_autoptr(GBytes) bytes = semper_document_to_bytes (doc, &local);

    if (bytes == NULL)
      goto bad_items;
  }
  return g_steal_pointer (&doc);

bad_answer:
  g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ANSWER,
               _("The answers do not fit an order document: %s"), local->message);
  return NULL;

bad_items:
  g_set_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,
               _("The order cannot be written: %s"), local->message);
  return NULL;
}
