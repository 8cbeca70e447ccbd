/* test-checker.c: the trusted display's document checker, on real ICU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-checker.h"
#include "semper-document.h"

typedef struct {
  SemperChecker  *checker;
  SemperDocument *document;
  GPtrArray      *findings;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->checker = semper_checker_new (&error);
  g_assert_no_error (error);
  g_assert_nonnull (f->checker);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->findings, g_ptr_array_unref);
  g_clear_object (&f->document);
  g_clear_object (&f->checker);
}

static void
dump (GPtrArray *findings)
{
  for (guint i = 0; i < findings->len; i++)
    {
      SemperFinding *x = g_ptr_array_index (findings, i);

      g_test_message ("%u:%u [%s/%s] U+%04X %s", x->line, x->column,
                      semper_finding_kind_to_string (x->kind),
                      semper_finding_severity_to_string (x->severity), x->codepoint, x->reason);
    }
}

static void
check_text (Fixture    *f,
            const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->findings, g_ptr_array_unref);
  g_clear_object (&f->document);
  f->document = semper_document_parse (bytes, &error);
  g_assert_no_error (error);
  f->findings = semper_checker_check (f->checker, f->document);
  dump (f->findings);
}

static void
check_sample (Fixture    *f,
              const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "documents", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  check_text (f, text);
}

/* The one finding of @kind; fails if there is not exactly one. */
static SemperFinding *
only (Fixture           *f,
      SemperFindingKind  kind)
{
  SemperFinding *found = NULL;

  for (guint i = 0; i < f->findings->len; i++)
    {
      SemperFinding *x = g_ptr_array_index (f->findings, i);

      if (x->kind == kind)
        {
          g_assert_null (found);
          found = x;
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* The finding really points at its code point in the document's bytes. */
static void
assert_points_at (Fixture             *f,
                  const SemperFinding *x)
{
  gsize size;
  const char *data = g_bytes_get_data (semper_document_get_bytes (f->document), &size);

  g_assert_cmpuint (x->offset + x->length, <=, size);
  if (x->codepoint != 0)
    g_assert_cmpuint (g_utf8_get_char (data + x->offset), ==, x->codepoint);
}

static void
test_clean (Fixture       *f,
            gconstpointer  data)
{
  check_sample (f, "clean-order.txt");
  g_assert_cmpuint (f->findings->len, ==, 0);
  g_assert_false (semper_checker_findings_refuse (f->findings));

  check_sample (f, "clean-contract.txt");
  g_assert_cmpuint (f->findings->len, ==, 0);

  check_text (f, "Semper-Document: contract/1\nTitle: Test agreement\n"
              "Date: 2026-11-24T10:00:00Z\n\nThe parties agree.\n");
  g_assert_cmpuint (f->findings->len, ==, 0);

  /* Ordinary non-Latin prose and accents are not suspicious. */
  check_text (f, "Semper-Document: contract/1\nTitle: Договор аренды\n\n"
              "Стороны согласны. Les parties sont d’accord. 東京タワーで会いましょう。\n"
              "Tab\tin the body is fine.\n");
  g_assert_cmpuint (f->findings->len, ==, 0);
}

static void
test_bidi (Fixture       *f,
           gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "bidi.txt");
  g_assert_cmpuint (f->findings->len, ==, 2);

  x = g_ptr_array_index (f->findings, 0);
  g_assert_cmpint (x->kind, ==, SEMPER_FINDING_BIDI_CONTROL);
  g_assert_cmpuint (x->codepoint, ==, 0x202E);
  g_assert_cmpuint (x->line, ==, 5);
  g_assert_cmpuint (x->column, ==, 31);
  g_assert_cmpuint (x->length, ==, 3);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);
  g_assert_cmpstr (x->field, ==, "Payee-Account");
  g_assert_nonnull (strstr (x->reason, "U+202E RIGHT-TO-LEFT OVERRIDE"));
  assert_points_at (f, x);

  x = g_ptr_array_index (f->findings, 1);
  g_assert_cmpuint (x->codepoint, ==, 0x202C);
  g_assert_true (semper_checker_findings_refuse (f->findings));
  g_assert_cmpstr (semper_finding_kind_to_string (x->kind), ==, "bidi-control");

  /* An override in the body is refused too; a mark in the body only warns. */
  check_text (f, "Semper-Document: contract/1\n\nPay \xe2\x80\xae""0001 EUR.\n");
  x = only (f, SEMPER_FINDING_BIDI_CONTROL);
  g_assert_cmpuint (x->line, ==, 3);
  g_assert_cmpuint (x->column, ==, 5);
  g_assert_null (x->field);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);

  check_text (f, "Semper-Document: contract/1\n\nHebrew \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"
              "\xe2\x80\x8f.\n");
  x = only (f, SEMPER_FINDING_BIDI_CONTROL);
  g_assert_cmpuint (x->codepoint, ==, 0x200F);
  g_assert_cmpuint (x->column, ==, 12);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_WARN);
  g_assert_false (semper_checker_findings_refuse (f->findings));
}

static void
test_confusable (Fixture       *f,
                 gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "confusable.txt");
  g_assert_cmpuint (f->findings->len, ==, 2);

  /* "pаypal" with a Cyrillic а: the а is named, in the header. */
  x = g_ptr_array_index (f->findings, 0);
  g_assert_cmpint (x->kind, ==, SEMPER_FINDING_MIXED_SCRIPT);
  g_assert_cmpuint (x->codepoint, ==, 0x0430);
  g_assert_cmpuint (x->line, ==, 2);
  g_assert_cmpuint (x->column, ==, 9);
  g_assert_cmpstr (x->field, ==, "Payee");
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_WARN);
  g_assert_nonnull (strstr (x->reason, "p\xd0\xb0ypal"));
  g_assert_nonnull (strstr (x->reason, "CYRILLIC SMALL LETTER A"));
  assert_points_at (f, x);

  /* The all-Cyrillic "раураӏ" in the body reads as "paypal". */
  x = g_ptr_array_index (f->findings, 1);
  g_assert_cmpint (x->kind, ==, SEMPER_FINDING_CONFUSABLE);
  g_assert_cmpuint (x->line, ==, 6);
  g_assert_cmpuint (x->column, ==, 34);
  g_assert_cmpuint (x->codepoint, ==, 0x0440);
  g_assert_cmpuint (x->length, ==, 12);
  g_assert_nonnull (strstr (x->reason, "“payp"));  /* TR39 skeleton of раураӏ */
  g_assert_nonnull (strstr (x->reason, "Cyrillic"));
  assert_points_at (f, x);
  g_assert_false (semper_checker_findings_refuse (f->findings));
}

static void
test_invisible (Fixture       *f,
                gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "zero-width.txt");
  x = only (f, SEMPER_FINDING_INVISIBLE);
  g_assert_cmpuint (f->findings->len, ==, 1);
  g_assert_cmpuint (x->codepoint, ==, 0x200B);
  g_assert_cmpuint (x->line, ==, 5);
  g_assert_cmpuint (x->column, ==, 58);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_WARN);
  assert_points_at (f, x);

  /* Soft hyphen, word joiner and BOM in a header field: refused. */
  check_text (f, "Semper-Document: order/1\nMerchant: Shop\xc2\xad""A\xe2\x81\xa0""B"
              "\xef\xbb\xbf\n\n");
  g_assert_cmpuint (f->findings->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      x = g_ptr_array_index (f->findings, i);
      g_assert_cmpint (x->kind, ==, SEMPER_FINDING_INVISIBLE);
      g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);
      assert_points_at (f, x);
    }
  g_assert_cmpuint (((SemperFinding *) g_ptr_array_index (f->findings, 2))->codepoint, ==,
                    0xFEFF);
}

static void
test_control (Fixture       *f,
              gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "control.txt");
  g_assert_cmpuint (f->findings->len, ==, 1);
  x = only (f, SEMPER_FINDING_CONTROL);
  g_assert_cmpuint (x->codepoint, ==, 0x0007);
  g_assert_cmpuint (x->line, ==, 6);
  g_assert_cmpuint (x->column, ==, 26);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_WARN);
  assert_points_at (f, x);

  /* An escape sequence in a header field is refused; so is a line separator. */
  check_text (f, "Semper-Document: order/1\nMerchant: \x1b[2JShop\nNote: a\xe2\x80\xa8""b\n\n");
  g_assert_cmpuint (f->findings->len, ==, 2);
  x = g_ptr_array_index (f->findings, 0);
  g_assert_cmpuint (x->codepoint, ==, 0x1B);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);
  x = g_ptr_array_index (f->findings, 1);
  g_assert_cmpuint (x->codepoint, ==, 0x2028);
  g_assert_cmpint (x->kind, ==, SEMPER_FINDING_CONTROL);
}

static void
test_digits (Fixture       *f,
             gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "fullwidth-digits.txt");
  g_assert_cmpuint (f->findings->len, ==, 1);
  x = only (f, SEMPER_FINDING_NON_ASCII_DIGIT);
  g_assert_cmpuint (x->codepoint, ==, 0xFF13);
  g_assert_cmpuint (x->line, ==, 6);
  g_assert_cmpuint (x->column, ==, 11);
  assert_points_at (f, x);

  /* Arabic-Indic digits. */
  check_text (f, "Semper-Document: contract/1\n\nRent: \xd9\xa5\xd9\xa0 per month.\n");
  g_assert_cmpuint (f->findings->len, ==, 2);
  x = g_ptr_array_index (f->findings, 0);
  g_assert_cmpuint (x->codepoint, ==, 0x0665);
  g_assert_cmpint (x->kind, ==, SEMPER_FINDING_NON_ASCII_DIGIT);
}

static void
test_long_line (Fixture       *f,
                gconstpointer  data)
{
  SemperFinding *x;
  g_autoptr(GString) text = g_string_new ("Semper-Document: contract/1\n\n");

  check_sample (f, "long-line.txt");
  g_assert_cmpuint (f->findings->len, ==, 1);
  x = only (f, SEMPER_FINDING_LONG_LINE);
  g_assert_cmpuint (x->line, ==, 5);
  g_assert_cmpuint (x->column, ==, SEMPER_CHECKER_MAX_LINE + 1);
  g_assert_cmpuint (x->length, ==, 519 - SEMPER_CHECKER_MAX_LINE);
  g_assert_cmpuint (x->codepoint, ==, 0);

  /* 500 characters, counted in code points, not bytes; 200 are fine. */
  for (int i = 0; i < 500; i++)
    g_string_append (text, "é");
  g_string_append (text, "\n");
  for (int i = 0; i < SEMPER_CHECKER_MAX_LINE; i++)
    g_string_append (text, "ü");
  g_string_append (text, "\n");
  check_text (f, text->str);
  x = only (f, SEMPER_FINDING_LONG_LINE);
  g_assert_cmpuint (x->line, ==, 3);
  g_assert_cmpuint (x->offset, ==, strlen ("Semper-Document: contract/1\n\n") + 400);
  g_assert_cmpuint (x->length, ==, 600);
  g_assert_cmpuint (f->findings->len, ==, 1);
}

static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  SemperFinding *x;

  check_sample (f, "bad-totals.txt");
  g_assert_cmpuint (f->findings->len, ==, 1);
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpuint (x->line, ==, 6);
  g_assert_cmpuint (x->column, ==, 8);
  g_assert_cmpstr (x->field, ==, "Total");
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);
  g_assert_nonnull (strstr (x->reason, "36.90 EUR"));
  g_assert_nonnull (strstr (x->reason, "39.90 EUR"));
  g_assert_cmpuint (x->length, ==, strlen ("39.90 EUR"));

  /* The same items with the right total: nothing to say. */
  check_text (f, "Semper-Document: order/1\nItem: 2 x Flower pot @ 12.50 EUR\n"
              "Item: 1 x Soil @ 6.90 EUR\nShipping: 5.00 EUR\nTax: 1.10 EUR\n"
              "Discount: 0.50 EUR\nTotal: 37.50 EUR\n\n");
  g_assert_cmpuint (f->findings->len, ==, 0);

  /* Mixed currencies. */
  check_text (f, "Semper-Document: order/1\nItem: 1 x A @ 1.00 EUR\nItem: 1 x B @ 1.00 USD\n"
              "Total: 2.00 EUR\n\n");
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpuint (x->line, ==, 3);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_REFUSE);

  check_text (f, "Semper-Document: order/1\nItem: 1 x A @ 1.00 EUR\nTotal: 1.00 CHF\n\n");
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpuint (x->line, ==, 3);

  /* A Subtotal that does not match its items. */
  check_text (f, "Semper-Document: order/1\nItem: 3 x A @ 1000 JPY\nSubtotal: 3001 JPY\n"
              "Total: 3001 JPY\n\n");
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpstr (x->field, ==, "Subtotal");

  /* Items that overflow 64 bits. */
  check_text (f, "Semper-Document: order/1\n"
              "Item: 1000000 x A @ 92233720368547758.07 EUR\nTotal: 1.00 EUR\n\n");
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpuint (x->line, ==, 2);
  g_assert_true (semper_checker_findings_refuse (f->findings));

  /* Items with no Total only warn. */
  check_text (f, "Semper-Document: order/1\nItem: 1 x A @ 1.00 EUR\n\n");
  x = only (f, SEMPER_FINDING_TOTALS_MISMATCH);
  g_assert_cmpint (x->severity, ==, SEMPER_FINDING_WARN);
}

static void
test_non_nfc (Fixture       *f,
              gconstpointer  data)
{
  SemperFinding *x;

  /* "e" + COMBINING ACUTE ACCENT instead of "é". */
  check_text (f, "Semper-Document: contract/1\n\nCafe\xcc\x81 au lait\n");
  x = only (f, SEMPER_FINDING_NON_NFC);
  g_assert_cmpuint (f->findings->len, ==, 1);
  g_assert_cmpuint (x->line, ==, 3);
  g_assert_cmpuint (x->column, ==, 4);
  g_assert_cmpuint (x->codepoint, ==, 'e');
}

static void
test_written (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("order", 1);
  g_autoptr(GPtrArray) findings = NULL;
  SemperFinding *x;

  /* A document being written is checked as the bytes it will be. */
  g_assert_true (semper_document_add_field (doc, "Merchant", "Evil\xe2\x80\xae""Shop", NULL));
  findings = semper_checker_check (f->checker, doc);
  g_assert_cmpuint (findings->len, ==, 1);
  x = g_ptr_array_index (findings, 0);
  g_assert_cmpuint (x->line, ==, 2);
  g_assert_cmpuint (x->column, ==, 15);
  g_assert_true (semper_checker_findings_refuse (findings));
}

static void
test_finding_boxed (void)
{
  SemperFinding f = { 3, 4, 10, 3, 0x202E, SEMPER_FINDING_BIDI_CONTROL,
                      SEMPER_FINDING_REFUSE, (char *) "Title", (char *) "why" };
  g_autoptr(SemperFinding) copy = g_boxed_copy (SEMPER_TYPE_FINDING, &f);

  g_assert_cmpuint (copy->codepoint, ==, 0x202E);
  g_assert_cmpstr (copy->field, ==, "Title");
  g_assert_true (copy->reason != f.reason);
  g_assert_cmpstr (semper_finding_severity_to_string (copy->severity), ==, "refuse");
  g_assert_cmpstr (semper_finding_kind_to_string (SEMPER_FINDING_TOTALS_MISMATCH), ==,
                   "totals-mismatch");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/semper/checker/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("clean", test_clean);
  ADD ("bidi", test_bidi);
  ADD ("confusable", test_confusable);
  ADD ("invisible", test_invisible);
  ADD ("control", test_control);
  ADD ("digits", test_digits);
  ADD ("long-line", test_long_line);
  ADD ("totals", test_totals);
  ADD ("non-nfc", test_non_nfc);
  ADD ("written", test_written);
#undef ADD
  g_test_add_func ("/semper/checker/finding-boxed", test_finding_boxed);

  return g_test_run ();
}
