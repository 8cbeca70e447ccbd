/* semper-order-form.h: standardised order forms (docs/commerce.md).
 *
 * An order form is declarative data, part of a commerce service: typed
 * fields (text, quantity, choice, amount, date, address, email), each
 * required or optional and mapped to one header of the `order` semper
 * document; limits on the order's item lines; an optional shipping charge.
 * The user's answers are validated field by field, and a valid filled form
 * becomes the `order` document (Item lines, Subtotal, Shipping, Total that
 * the checker's totals rule accepts) that the user signs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-document.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_ORDER_FORM_MAX_SIZE    (64 * 1024) /* bytes of JSON */
#define SEMPER_ORDER_FORM_MAX_FIELDS  32
#define SEMPER_ORDER_FORM_MAX_CHOICES 64
#define SEMPER_ORDER_FORM_MAX_TEXT    512         /* bytes in one answer or address line */
#define SEMPER_ORDER_FORM_MAX_LINES   8           /* lines of an address */
#define SEMPER_ORDER_FORM_MAX_ITEMS   100         /* item lines in one order */

#define SEMPER_ORDER_FORM_ERROR (semper_order_form_error_quark ())

typedef enum {
  SEMPER_ORDER_FORM_ERROR_INVALID,       /* the form's description is malformed */
  SEMPER_ORDER_FORM_ERROR_BAD_ANSWER,    /* a filled form that does not validate */
  SEMPER_ORDER_FORM_ERROR_BAD_ITEMS,     /* the order's item lines break the form's limits */
} SemperOrderFormError;

GQuark semper_order_form_error_quark (void);

typedef enum {
  SEMPER_ORDER_FIELD_TEXT,
  SEMPER_ORDER_FIELD_QUANTITY,
  SEMPER_ORDER_FIELD_CHOICE,
  SEMPER_ORDER_FIELD_AMOUNT,
  SEMPER_ORDER_FIELD_DATE,
  SEMPER_ORDER_FIELD_ADDRESS,
  SEMPER_ORDER_FIELD_EMAIL,
} SemperOrderFieldType;

/**
 * SemperOrderField:
 * @name: the answer's key, an identifier
 * @label: what the user reads
 * @header: the `order` document's header field (an address gives @header-1, @header-2, …)
 * @type: what the answer must be
 * @required: whether an answer is needed
 * @min: quantity: smallest value; amount: smallest minor units
 * @max: quantity: largest value; amount: largest minor units
 * @max_length: text, address: bytes per line
 * @max_lines: address: number of lines
 * @choices: (nullable): choice: the allowed answers
 * @currency: (nullable): amount: the currency it must be in
 *
 * One field of a form; owned by the form, read-only.
 */
typedef struct {
  char                 *name;
  char                 *label;
  char                 *header;
  SemperOrderFieldType  type;
  gboolean              required;
  gint64                min;
  gint64                max;
  guint                 max_length;
  guint                 max_lines;
  GStrv                 choices;
  char                 *currency;
} SemperOrderField;

/**
 * SemperOrderProblem:
 * @field: the field's name (or the unknown key that was given)
 * @message: a translated sentence, starting with the field's label
 */
typedef struct {
  char *field;
  char *message;
} SemperOrderProblem;

void semper_order_problem_free (SemperOrderProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperOrderProblem, semper_order_problem_free)

/**
 * SemperOrderLine:
 * @quantity: 1 … the form's max-quantity
 * @description: the article as the user reads it
 * @unit_price: the price of one
 *
 * One item of an order, owned by the caller.
 */
typedef struct {
  guint         quantity;
  const char   *description;
  SemperAmount  unit_price;
} SemperOrderLine;

#define SEMPER_TYPE_ORDER_FORM (semper_order_form_get_type ())
G_DECLARE_FINAL_TYPE (SemperOrderForm, semper_order_form, SEMPER, ORDER_FORM, GObject)

SemperOrderForm        *semper_order_form_parse       (GBytes           *json,
                                                       GError          **error);
SemperOrderForm        *semper_order_form_new_from_json (JsonObject     *object,
                                                       GError          **error);

const char             *semper_order_form_get_id      (SemperOrderForm  *self);
const char             *semper_order_form_get_title   (SemperOrderForm  *self);
guint                   semper_order_form_get_n_fields (SemperOrderForm *self);
const SemperOrderField *semper_order_form_get_field   (SemperOrderForm  *self,
                                                       guint             index);
const SemperOrderField *semper_order_form_find_field  (SemperOrderForm  *self,
                                                       const char       *name);
/* (nullable): the shipping charge added to every order */
const SemperAmount     *semper_order_form_get_shipping (SemperOrderForm *self);

/* @answers: field name → the user's text (an address's lines joined by "\n").
 * Returns: (transfer full) (element-type SemperOrderProblem): every problem,
 *   empty when the answers are valid. */
GPtrArray              *semper_order_form_validate    (SemperOrderForm  *self,
                                                       GHashTable       *answers);
/* Validates the answers and the lines, then writes the `order` document.
 * Returns: (transfer full) (nullable) */
SemperDocument         *semper_order_form_build_order (SemperOrderForm       *self,
                                                       GHashTable            *answers,
                                                       const SemperOrderLine *lines,
                                                       guint                  n_lines,
                                                       const char            *merchant,
                                                       const char            *service_id,
                                                       GDateTime             *date,
                                                       GError               **error);

G_END_DECLS
