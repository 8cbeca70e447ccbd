/* test-order-form.c: order forms: strict parsing, per-field validation, and
 * the `order` document a filled form becomes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-checker.h"
#include "semper-money.h"
#include "semper-order-form.h"

static const char form_json[] =
  "{\"format\":\"semper-order-form\",\"version\":1,\"id\":\"mail-order\","
  "\"title\":\"Mail order\",\"lines\":{\"min\":1,\"max\":3,\"max_quantity\":20},"
  "\"shipping\":\"5.95 EUR\",\"fields\":["
  "{\"name\":\"recipient\",\"label\":\"Recipient\",\"header\":\"Recipient\",\"type\":\"text\","
  "\"required\":true,\"max_length\":20},"
  "{\"name\":\"address\",\"label\":\"Delivery address\",\"header\":\"Delivery-Address\","
  "\"type\":\"address\",\"required\":true,\"max_lines\":3,\"max_length\":40},"
  "{\"name\":\"email\",\"label\":\"E-mail\",\"header\":\"Email\",\"type\":\"email\"},"
  "{\"name\":\"parcels\",\"label\":\"Parcels\",\"header\":\"Parcels\",\"type\":\"quantity\","
  "\"min\":1,\"max\":5},"
  "{\"name\":\"delivery\",\"label\":\"Delivery\",\"header\":\"Delivery\",\"type\":\"choice\","
  "\"required\":true,\"choices\":[\"standard\",\"express\"]},"
  "{\"name\":\"tip\",\"label\":\"Tip for the driver\",\"header\":\"Fee\",\"type\":\"amount\","
  "\"currency\":\"EUR\",\"min\":\"0.50 EUR\",\"max\":\"10.00 EUR\"},"
  "{\"name\":\"when\",\"label\":\"Deliver from\",\"header\":\"Delivery-Date\",\"type\":\"date\"}"
  "]}";

static SemperOrderForm *
parse_form (const char *json,
            GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return semper_order_form_parse (bytes, error);
}

static SemperOrderForm *
good_form (void)
{
  g_autoptr(GError) error = NULL;
  SemperOrderForm *form = parse_form (form_json, &error);

  g_assert_no_error (error);
  return form;
}

static GHashTable *
good_answers (void)
{
  GHashTable *answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (answers, g_strdup ("recipient"), g_strdup ("Erika Mustermann"));
  g_hash_table_insert (answers, g_strdup ("address"),
                       g_strdup ("Heidestraße 17\n51147 Köln\nGermany"));
  g_hash_table_insert (answers, g_strdup ("email"), g_strdup ("erika@example.org"));
  g_hash_table_insert (answers, g_strdup ("parcels"), g_strdup ("2"));
  g_hash_table_insert (answers, g_strdup ("delivery"), g_strdup ("express"));
  g_hash_table_insert (answers, g_strdup ("tip"), g_strdup ("2.00 EUR"));
  g_hash_table_insert (answers, g_strdup ("when"), g_strdup ("2026-12-01"));
  return answers;
}

static void
test_parse (void)
{
  g_autoptr(SemperOrderForm) form = good_form ();
  const SemperOrderField *field;

  g_assert_cmpstr (semper_order_form_get_id (form), ==, "mail-order");
  g_assert_cmpuint (semper_order_form_get_n_fields (form), ==, 7);
  field = semper_order_form_find_field (form, "parcels");
  g_assert_cmpint (field->type, ==, SEMPER_ORDER_FIELD_QUANTITY);
  g_assert_cmpint (field->min, ==, 1);
  g_assert_cmpint (field->max, ==, 5);
  g_assert_false (field->required);
  field = semper_order_form_get_field (form, 4);
  g_assert_cmpstrv (field->choices, ((const char * const[]) { "standard", "express", NULL }));
  g_assert_cmpint (semper_order_form_get_shipping (form)->minor, ==, 595);
  g_assert_null (semper_order_form_get_field (form, 7));
}

static void
test_parse_refuses (void)
{
  static const struct {
    const char *old;
    const char *new;
  } cases[] = {
    { "\"version\":1", "\"version\":2" },
    { "\"version\":1", "\"version\":1,\"version\":1" },
    { "\"title\":\"Mail order\"", "\"title\":\"Mail order\",\"extra\":true" },
    { "\"type\":\"text\"", "\"type\":\"phone\"" },
    { "\"type\":\"text\"", "\"type\":\"text\",\"choices\":[\"a\"]" },
    { "\"max_length\":20", "\"max_length\":2000" },
    { "\"max_length\":20", "\"max_length\":\"20\"" },
    { "\"min\":1,\"max\":5", "\"min\":6,\"max\":5" },
    { "\"min\":1,\"max\":5", "\"min\":1" },
    { "[\"standard\",\"express\"]", "[\"standard\",\"standard\"]" },
    { "[\"standard\",\"express\"]", "[]" },
    { "[\"standard\",\"express\"]", "[\" standard\"]" },
    { "\"header\":\"Recipient\"", "\"header\":\"Total\"" },
    { "\"header\":\"Recipient\"", "\"header\":\"Email\"" },
    { "\"header\":\"Recipient\"", "\"header\":\"Recipient name\"" },
    { "\"header\":\"Recipient\"", "\"header\":\"Delivery-Address-1\"" },
    { "\"header\":\"Parcels\"", "\"header\":\"Price\"" },
    { "\"header\":\"Fee\"", "\"header\":\"Tip\"" },
    { "\"header\":\"Delivery-Date\"", "\"header\":\"Deliver-From\"" },
    { "\"currency\":\"EUR\"", "\"currency\":\"EURO\"" },
    { "\"max\":\"10.00 EUR\"", "\"max\":\"10.00 USD\"" },
    { "\"shipping\":\"5.95 EUR\"", "\"shipping\":\"5.9 EUR\"" },
    { "\"name\":\"recipient\"", "\"name\":\"Recipient\"" },
    { "\"name\":\"email\"", "\"name\":\"recipient\"" },
    { "\"max_lines\":3", "\"max_lines\":30" },
    { "\"label\":\"Parcels\"", "\"label\":\"Par\\ncels\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) text = g_string_new (form_json);
      g_autoptr(SemperOrderForm) form = NULL;

      g_assert_nonnull (strstr (text->str, cases[i].old));
      g_string_replace (text, cases[i].old, cases[i].new, 1);
      form = parse_form (text->str, &error);
      if (form != NULL)
        g_error ("case %" G_GSIZE_FORMAT " was accepted", i);
      g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_INVALID);
    }
}

/* The problems for @answers, as "field: message" lines. */
static GPtrArray *
problems_for (SemperOrderForm *form,
              GHashTable      *answers)
{
  return semper_order_form_validate (form, answers);
}

static void
assert_problem (SemperOrderForm *form,
                const char      *field,
                const char      *answer,
                const char      *message_part)
{
  g_autoptr(GHashTable) answers = good_answers ();
  g_autoptr(GPtrArray) problems = NULL;
  SemperOrderProblem *problem;

  if (answer != NULL)
    g_hash_table_insert (answers, g_strdup (field), g_strdup (answer));
  else
    g_hash_table_remove (answers, field);
  problems = problems_for (form, answers);
  if (problems->len != 1)
    g_error ("%s=%s: %u problems", field, answer, problems->len);
  problem = problems->pdata[0];
  g_assert_cmpstr (problem->field, ==, field);
  if (strstr (problem->message, message_part) == NULL)
    g_error ("%s=%s: “%s” lacks “%s”", field, answer, problem->message, message_part);
}

static void
test_validate (void)
{
  g_autoptr(SemperOrderForm) form = good_form ();
  g_autoptr(GHashTable) answers = good_answers ();
  g_autoptr(GPtrArray) problems = problems_for (form, answers);

  g_assert_cmpuint (problems->len, ==, 0);

  assert_problem (form, "recipient", NULL, "Recipient: is required");
  assert_problem (form, "recipient", "", "is required");
  assert_problem (form, "recipient", "A name that is far too long", "longer than 20");
  assert_problem (form, "recipient", "Erika\tMustermann", "control");
  assert_problem (form, "recipient", " Erika", "space");
  assert_problem (form, "address", "Line 1\nLine 2\nLine 3\nLine 4", "more than 3 lines");
  assert_problem (form, "address", "Line 1\n\nLine 3", "line 2 is empty");
  assert_problem (form, "parcels", "0", "between 1 and 5");
  assert_problem (form, "parcels", "6", "between 1 and 5");
  assert_problem (form, "parcels", "02", "whole number");
  assert_problem (form, "parcels", "2.5", "whole number");
  assert_problem (form, "parcels", "-1", "whole number");
  assert_problem (form, "delivery", "overnight", "choices");
  assert_problem (form, "delivery", NULL, "Delivery: is required");
  assert_problem (form, "email", "erika", "e-mail");
  assert_problem (form, "email", "erika@localhost", "e-mail");
  assert_problem (form, "email", "er ika@example.org", "e-mail");
  assert_problem (form, "email", "erika@@example.org", "e-mail");
  assert_problem (form, "tip", "2.00 USD", "must be in EUR");
  assert_problem (form, "tip", "0.10 EUR", "between 0.50 EUR and 10.00 EUR");
  assert_problem (form, "tip", "2 EUR", "not an amount");
  assert_problem (form, "when", "2026-02-30", "not a date");
  assert_problem (form, "when", "tomorrow", "not a date");
  assert_problem (form, "colour", "red", "not a field of this form");

  /* Optional fields may be left out. */
  g_hash_table_remove (answers, "email");
  g_hash_table_remove (answers, "parcels");
  g_hash_table_remove (answers, "tip");
  g_hash_table_remove (answers, "when");
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = problems_for (form, answers);
  g_assert_cmpuint (problems->len, ==, 0);

  /* Several problems are all reported, in the form's order. */
  g_hash_table_remove (answers, "recipient");
  g_hash_table_insert (answers, g_strdup ("delivery"), g_strdup ("by drone"));
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = problems_for (form, answers);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((SemperOrderProblem *) problems->pdata[0])->field, ==, "recipient");
  g_assert_cmpstr (((SemperOrderProblem *) problems->pdata[1])->field, ==, "delivery");
}

static SemperOrderLine *
lines_of (guint *n)
{
  static SemperOrderLine lines[2];

  lines[0].quantity = 2;
  lines[0].description = "Hansa classic raincoat, navy";
  g_assert_true (semper_amount_parse ("79.99 EUR", &lines[0].unit_price, NULL));
  lines[1].quantity = 1;
  lines[1].description = "Alster family pencil set @ home, green";
  g_assert_true (semper_amount_parse ("4.95 EUR", &lines[1].unit_price, NULL));
  *n = 2;
  return lines;
}

static void
test_build_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperOrderForm) form = good_form ();
  g_autoptr(GHashTable) answers = good_answers ();
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 11, 24, 10, 0, 0);
  g_autoptr(SemperDocument) order = NULL;
  g_autoptr(SemperDocument) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SemperChecker) checker = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) items = NULL;
  SemperAmount total;
  guint n;
  SemperOrderLine *lines = lines_of (&n);

  order = semper_order_form_build_order (form, answers, lines, n, "Otto Mail Order",
                                         "otto-mail-order", date, &error);
  g_assert_no_error (error);
  bytes = semper_document_to_bytes (order, &error);
  g_assert_no_error (error);

  /* What the user signs parses back, with every answer and the totals. */
  parsed = semper_document_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_document_get_kind (parsed), ==, "order");
  g_assert_cmpstr (semper_document_get_field (parsed, "Merchant"), ==, "Otto Mail Order");
  g_assert_cmpstr (semper_document_get_field (parsed, "Service"), ==, "otto-mail-order");
  g_assert_cmpstr (semper_document_get_field (parsed, "Order-Form"), ==, "mail-order");
  g_assert_cmpstr (semper_document_get_field (parsed, "Date"), ==, "2026-11-24T10:00:00Z");
  g_assert_cmpstr (semper_document_get_field (parsed, "Recipient"), ==, "Erika Mustermann");
  g_assert_cmpstr (semper_document_get_field (parsed, "Delivery-Address-1"), ==,
                   "Heidestraße 17");
  g_assert_cmpstr (semper_document_get_field (parsed, "Delivery-Address-3"), ==, "Germany");
  g_assert_cmpstr (semper_document_get_field (parsed, "Parcels"), ==, "2");
  g_assert_cmpstr (semper_document_get_field (parsed, "Fee"), ==, "2.00 EUR");
  g_assert_cmpstr (semper_document_get_field (parsed, "Delivery-Date"), ==,
                   "2026-12-01T00:00:00Z");
  items = semper_document_get_fields (parsed, "Item");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (items->pdata[0], ==, "2 x Hansa classic raincoat, navy @ 79.99 EUR");
  g_assert_cmpstr (semper_document_get_field (parsed, "Subtotal"), ==, "164.93 EUR");
  g_assert_cmpstr (semper_document_get_field (parsed, "Shipping"), ==, "5.95 EUR");
  g_assert_true (semper_document_get_amount (parsed, "Total", &total, &error));
  g_assert_cmpint (total.minor, ==, 2 * 7999 + 495 + 595);

  /* The trusted display's checker finds nothing: the totals add up. */
  checker = semper_checker_new (&error);
  g_assert_no_error (error);
  findings = semper_checker_check (checker, parsed);
  for (guint i = 0; i < findings->len; i++)
    g_printerr ("finding: %s\n", ((SemperFinding *) findings->pdata[i])->reason);
  g_assert_cmpuint (findings->len, ==, 0);
}

static void
test_build_refuses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperOrderForm) form = good_form ();
  g_autoptr(GHashTable) answers = good_answers ();
  g_autoptr(GDateTime) date = g_date_time_new_now_utc ();
  SemperOrderLine four[4];
  SemperOrderLine usd[2];
  guint n;
  SemperOrderLine *lines = lines_of (&n);
  SemperDocument *order;

  /* Answers that do not validate: the error names each field. */
  g_hash_table_insert (answers, g_strdup ("parcels"), g_strdup ("9"));
  g_hash_table_remove (answers, "recipient");
  order = semper_order_form_build_order (form, answers, lines, n, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "Recipient: is required"));
  g_assert_nonnull (strstr (error->message, "Parcels: must be between 1 and 5"));
  g_clear_error (&error);
  g_clear_pointer (&answers, g_hash_table_unref);
  answers = good_answers ();

  /* Too many lines, none, a quantity over the form's limit, mixed currencies. */
  for (guint i = 0; i < 4; i++)
    four[i] = lines[0];
  order = semper_order_form_build_order (form, answers, four, 4, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS);
  g_clear_error (&error);
  order = semper_order_form_build_order (form, answers, four, 0, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS);
  g_clear_error (&error);
  four[0].quantity = 21;
  order = semper_order_form_build_order (form, answers, four, 1, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS);
  g_clear_error (&error);
  usd[0] = lines[0];
  usd[1] = lines[1];
  g_assert_true (semper_amount_parse ("4.95 USD", &usd[1].unit_price, NULL));
  order = semper_order_form_build_order (form, answers, usd, 2, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS);
  g_clear_error (&error);
  /* A description that cannot be a header value. */
  usd[1] = lines[1];
  usd[1].description = " leading space";
  order = semper_order_form_build_order (form, answers, usd, 2, "M", "s", date, &error);
  g_assert_null (order);
  g_assert_error (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/order-form/parse", test_parse);
  g_test_add_func ("/semper/order-form/parse/refuses", test_parse_refuses);
  g_test_add_func ("/semper/order-form/validate", test_validate);
  g_test_add_func ("/semper/order-form/build-order", test_build_order);
  g_test_add_func ("/semper/order-form/build-order/refuses", test_build_refuses);

  return g_test_run ();
}
