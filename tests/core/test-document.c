/* test-document.c: the strict semper-document parser and writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-document.h"
#include "semper-money.h"

#define MINIMAL \
  "Semper-Document: contract/1\n" \
  "Title: Test agreement\n" \
  "Date: 2026-11-24T10:00:00Z\n" \
  "\n" \
  "The parties agree.\n"

static SemperDocument *
parse_string (const char  *text,
              GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return semper_document_parse (bytes, error);
}

static void
test_minimal (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (MINIMAL, strlen (MINIMAL));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDocument) doc = semper_document_parse (bytes, &error);
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GBytes) again = NULL;
  const char *name, *value;
  guint line;
  gsize offset;

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_cmpstr (semper_document_get_kind (doc), ==, "contract");
  g_assert_cmpuint (semper_document_get_version (doc), ==, 1);
  g_assert_cmpstr (semper_document_get_field (doc, "Title"), ==, "Test agreement");
  g_assert_cmpstr (semper_document_get_field (doc, "title"), ==, "Test agreement");
  g_assert_null (semper_document_get_field (doc, "Total"));
  g_assert_cmpstr (semper_document_get_body (doc), ==, "The parties agree.\n");
  g_assert_cmpuint (semper_document_get_body_line (doc), ==, 5);
  g_assert_cmpuint (semper_document_get_body_offset (doc), ==, strlen (MINIMAL) - 19);

  /* The document keeps the exact input, not a copy or a re-rendering. */
  g_assert_true (semper_document_get_bytes (doc) == bytes);
  again = semper_document_to_bytes (doc, &error);
  g_assert_true (g_bytes_equal (again, bytes));

  date = semper_document_get_date (doc, "Date", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1795514400);

  g_assert_cmpuint (semper_document_get_n_fields (doc), ==, 3);
  g_assert_true (semper_document_get_field_at (doc, 2, &name, &value, &line, &offset));
  g_assert_cmpstr (name, ==, "Date");
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpint (memcmp (MINIMAL + offset, "2026-11-24T10:00:00Z\n", 21), ==, 0);
  g_assert_true (semper_document_get_field_at (doc, 0, &name, &value, &line, &offset));
  g_assert_cmpstr (name, ==, "Semper-Document");
  g_assert_cmpstr (value, ==, "contract/1");
  g_assert_false (semper_document_get_field_at (doc, 3, NULL, NULL, NULL, NULL));
}

static void
test_write_minimal (void)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("contract", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_null (semper_document_get_bytes (doc));
  g_assert_true (semper_document_add_field (doc, "Title", "Test agreement", &error));
  g_assert_true (semper_document_add_field (doc, "Date", "2026-11-24T10:00:00Z", &error));
  g_assert_no_error (error);
  semper_document_set_body (doc, "The parties agree.\n");

  bytes = semper_document_to_bytes (doc, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   MINIMAL, strlen (MINIMAL));
}

static void
test_round_trip (void)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("order", 1);
  g_autoptr(SemperDocument) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes2 = NULL;
  g_autoptr(GPtrArray) items = NULL;
  SemperAmount total;
  const char *body = "Line one.\n\n\tIndented, with Ünïcödé and \xe2\x80\xae hostile text.";

  g_assert_true (semper_document_add_field (doc, "Merchant", "Café Zürich — «Ост»", &error));
  g_assert_true (semper_document_add_field (doc, "Item", "2 x Widget blue @ 12.50 EUR", &error));
  g_assert_true (semper_document_add_field (doc, "Item", "1 x Gadget @ 0.99 EUR", &error));
  g_assert_true (semper_document_add_field (doc, "Total", "25.99 EUR", &error));
  g_assert_true (semper_document_add_field (doc, "X-Note", "a: b @ c x d", &error));
  g_assert_no_error (error);
  semper_document_set_body (doc, body);

  bytes = semper_document_to_bytes (doc, &error);
  g_assert_no_error (error);
  back = semper_document_parse (bytes, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (semper_document_get_n_fields (back), ==, semper_document_get_n_fields (doc));
  for (guint i = 0; i < semper_document_get_n_fields (doc); i++)
    {
      const char *n1, *v1, *n2, *v2;

      semper_document_get_field_at (doc, i, &n1, &v1, NULL, NULL);
      semper_document_get_field_at (back, i, &n2, &v2, NULL, NULL);
      g_assert_cmpstr (n1, ==, n2);
      g_assert_cmpstr (v1, ==, v2);
    }
  g_assert_cmpstr (semper_document_get_body (back), ==, body);
  g_assert_cmpstr (semper_document_get_kind (back), ==, "order");

  items = semper_document_get_fields (back, "Item");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (items, 1), ==, "1 x Gadget @ 0.99 EUR");

  g_assert_true (semper_document_get_amount (back, "Total", &total, &error));
  g_assert_cmpint (total.minor, ==, 2599);
  g_assert_cmpstr (total.currency, ==, "EUR");

  bytes2 = semper_document_to_bytes (back, &error);
  g_assert_true (g_bytes_equal (bytes, bytes2));
}

static void
test_samples (void)
{
  static const char * const names[] = {
    "clean-order.txt", "clean-contract.txt", "bidi.txt", "zero-width.txt", "confusable.txt",
    "control.txt", "fullwidth-digits.txt", "long-line.txt", "bad-totals.txt",
  };

  /* Hostile but well-formed text parses: the checker, not the parser, flags it. */
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "documents",
                                                     names[i], NULL);
      g_autofree char *text = NULL;
      gsize len;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(SemperDocument) doc = NULL;

      g_test_message ("%s", names[i]);
      g_assert_true (g_file_get_contents (path, &text, &len, &error));
      bytes = g_bytes_new (text, len);
      doc = semper_document_parse (bytes, &error);
      g_assert_no_error (error);
      g_assert_nonnull (doc);
    }
}

typedef struct {
  const char *text;
  int         code;
  guint       line;
  guint       column;
} Rejection;

static const Rejection rejections[] = {
  /* characters */
  { "Semper-Document: contract/1\nTitle: A\xff\n\nx", SEMPER_DOCUMENT_ERROR_INVALID_UTF8, 2, 9 },
  { "Semper-Document: contract/1\nTitle: \xc0\xaf\n\nx", SEMPER_DOCUMENT_ERROR_INVALID_UTF8, 2, 8 },
  { "Semper-Document: contract/1\nTitle: A\n\nbody \xed\xa0\x80",
    SEMPER_DOCUMENT_ERROR_INVALID_UTF8, 4, 6 },
  { "Semper-Document: contract/1\r\nTitle: A\r\n\r\nx",
    SEMPER_DOCUMENT_ERROR_BAD_CHARACTER, 1, 28 },
  { "Semper-Document: contract/1\nTitle: A\n\nbody\r\n",
    SEMPER_DOCUMENT_ERROR_BAD_CHARACTER, 4, 5 },
  { "Semper-Document: contract/1\nTitle:\tA\n\nx", SEMPER_DOCUMENT_ERROR_BAD_CHARACTER, 2, 7 },
  { "Semper-Document: contract/1\nTitle: A\tB\n\nx", SEMPER_DOCUMENT_ERROR_BAD_CHARACTER, 2, 9 },
  /* structure */
  { "", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 1 },
  { "\nbody", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 1 },
  { "Title: A\nSemper-Document: contract/1\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 1 },
  { "\xef\xbb\xbfSemper-Document: contract/1\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 1, 1 },
  { "Semper-Document: contract/1\nTitle: A\nbody", SEMPER_DOCUMENT_ERROR_SYNTAX, 3, 5 },
  { "Semper-Document: contract/1\nTitle: A\n", SEMPER_DOCUMENT_ERROR_SYNTAX, 3, 1 },
  { "Semper-Document: contract/1\nTitle A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 6 },
  { "Semper-Document: contract/1\nTitle\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 2, 6 },
  { "Semper-Document: contract/1\nTitle:A\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 2, 7 },
  { "Semper-Document: contract\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 18 },
  { "Semper-Document: contract/01\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 27 },
  { "Semper-Document: contract/\n\nx", SEMPER_DOCUMENT_ERROR_SYNTAX, 1, 27 },
  { "Semper-Document: invoice/1\n\nx", SEMPER_DOCUMENT_ERROR_UNKNOWN_KIND, 1, 18 },
  { "Semper-Document: Contract/1\n\nx", SEMPER_DOCUMENT_ERROR_UNKNOWN_KIND, 1, 18 },
  { "Semper-Document: contract/2\n\nx", SEMPER_DOCUMENT_ERROR_UNSUPPORTED_VERSION, 1, 27 },
  /* names */
  { "Semper-Document: contract/1\nTіtle: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 2 },
  { "Semper-Document: contract/1\nTitle : A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 6 },
  { "Semper-Document: contract/1\n Title: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 1 },
  { "Semper-Document: contract/1\n: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 1 },
  { "Semper-Document: contract/1\n1Title: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 1 },
  { "Semper-Document: contract/1\nValid--Until: A\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 1 },
  { "Semper-Document: contract/1\nTitle-: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 1 },
  { "Semper-Document: contract/1\nTi_tle: A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME, 2, 3 },
  /* values */
  { "Semper-Document: contract/1\nTitle:\n\nx", SEMPER_DOCUMENT_ERROR_BAD_VALUE, 2, 7 },
  { "Semper-Document: contract/1\nTitle: \n\nx", SEMPER_DOCUMENT_ERROR_BAD_VALUE, 2, 8 },
  { "Semper-Document: contract/1\nTitle:  A\n\nx", SEMPER_DOCUMENT_ERROR_BAD_VALUE, 2, 8 },
  { "Semper-Document: contract/1\nTitle: A \n\nx", SEMPER_DOCUMENT_ERROR_BAD_VALUE, 2, 9 },
  /* duplicates */
  { "Semper-Document: contract/1\nTitle: A\nTitle: B\n\nx",
    SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD, 3, 1 },
  { "Semper-Document: contract/1\nTitle: A\ntitle: B\n\nx",
    SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD, 3, 1 },
  { "Semper-Document: contract/1\nSemper-Document: order/1\n\nx",
    SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD, 2, 1 },
  { "Semper-Document: contract/1\nItem: 1 x A @ 1.00 EUR\nItem: 1 x B @ 1.00 EUR\n\nx",
    SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD, 3, 1 },
  /* amounts */
  { "Semper-Document: order/1\nTotal: 12.5 EUR\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 8 },
  { "Semper-Document: order/1\nTotal: 12.50 XYZ\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 8 },
  { "Semper-Document: order/1\nTotal: -12.50 EUR\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 8 },
  { "Semper-Document: order/1\nShipping: EUR 5.00\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 11 },
  { "Semper-Document: order/1\ntax: 5 EUR\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 6 },
  { "Semper-Document: order/1\nPrice: 100.00 JPY\n\nx", SEMPER_DOCUMENT_ERROR_BAD_AMOUNT, 2, 8 },
  /* dates */
  { "Semper-Document: order/1\nDate: 2026-11-24\n\nx", SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 7 },
  { "Semper-Document: order/1\nDate: 2026-11-24T10:00:00+01:00\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 7 },
  { "Semper-Document: order/1\nDate: 2026-11-24t10:00:00z\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 7 },
  { "Semper-Document: order/1\nDeadline: 2026-02-30T10:00:00Z\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 11 },
  { "Semper-Document: order/1\nExpires: 2026-12-31T23:59:60Z\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 10 },
  { "Semper-Document: order/1\nValid-Until: 2026-13-01T00:00:00Z\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 14 },
  { "Semper-Document: order/1\nDate: 2026-11-24T10:00:00.5Z\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_DATE, 2, 7 },
  /* items */
  { "Semper-Document: order/1\nItem: Widget @ 1.00 EUR\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
  { "Semper-Document: order/1\nItem: 0 x Widget @ 1.00 EUR\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
  { "Semper-Document: order/1\nItem: 2 x Widget\n\nx", SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
  { "Semper-Document: order/1\nItem: 2 x  @ 1.00 EUR\n\nx", SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
  { "Semper-Document: order/1\nItem: 2 x Widget @ 1.0 EUR\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
  { "Semper-Document: order/1\nItem: 2000000 x Widget @ 1.00 EUR\n\nx",
    SEMPER_DOCUMENT_ERROR_BAD_ITEM, 2, 7 },
};

static void
test_rejections (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rejections); i++)
    {
      const Rejection *r = &rejections[i];
      g_autoptr(GBytes) bytes = g_bytes_new (r->text, strlen (r->text));
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperDocument) doc = NULL;
      g_autofree char *where = NULL;
      guint line = 0, column = 0;

      doc = semper_document_parse_full (bytes, &line, &column, &error);
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "(parsed)");
      g_assert_null (doc);
      g_assert_error (error, SEMPER_DOCUMENT_ERROR, r->code);
      g_assert_cmpuint (line, ==, r->line);
      g_assert_cmpuint (column, ==, r->column);
      where = g_strdup_printf ("line %u, column %u: ", r->line, r->column);
      g_assert_true (g_str_has_prefix (error->message, where));
    }
}

static void
test_nul (void)
{
  static const char text[] = "Semper-Document: contract/1\nTitle: A\0B\n\nx";
  g_autoptr(GBytes) bytes = g_bytes_new (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;
  guint line, column;
  g_autoptr(SemperDocument) doc = semper_document_parse_full (bytes, &line, &column, &error);

  g_assert_null (doc);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 9);
}

static void
test_repeats (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GPtrArray) parties = NULL;

  doc = parse_string ("Semper-Document: contract/1\nParty: A\nParty: B\n\n", &error);
  g_assert_no_error (error);
  parties = semper_document_get_fields (doc, "Party");
  g_assert_cmpuint (parties->len, ==, 2);
  g_assert_cmpstr (semper_document_get_body (doc), ==, "");
  g_clear_object (&doc);

  doc = parse_string ("Semper-Document: order/1\nParty: A\nParty: B\n\n", &error);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD);
  g_assert_null (doc);
}

static void
test_limits (void)
{
  g_autoptr(GString) text = g_string_new ("Semper-Document: terms/1\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *big = NULL;
  guint line = 0, column = 0;

  /* At most SEMPER_DOCUMENT_MAX_FIELDS header lines. */
  for (int i = 1; i < SEMPER_DOCUMENT_MAX_FIELDS; i++)
    g_string_append_printf (text, "F%d: v\n", i);
  g_string_append (text, "\nbody");
  doc = parse_string (text->str, &error);
  g_assert_no_error (error);
  g_clear_object (&doc);

  g_string_insert (text, strlen ("Semper-Document: terms/1\n"), "One-More: v\n");
  doc = parse_string (text->str, &error);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A header line of 1024 bytes is fine, 1025 is not. */
  g_string_assign (text, "Semper-Document: terms/1\nTitle: ");
  for (int i = 0; i < SEMPER_DOCUMENT_MAX_HEADER_LINE - 7; i++)
    g_string_append_c (text, 'a');
  g_string_append (text, "\n\n");
  doc = parse_string (text->str, &error);
  g_assert_no_error (error);
  g_clear_object (&doc);

  g_string_insert_c (text, 40, 'b');
  bytes = g_bytes_new (text->str, text->len);
  doc = semper_document_parse_full (bytes, &line, &column, &error);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, SEMPER_DOCUMENT_MAX_HEADER_LINE + 1);
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* The whole document is at most 256 KiB; the body has no line limit. */
  big = g_malloc (SEMPER_DOCUMENT_MAX_SIZE + 1);
  memset (big, 'x', SEMPER_DOCUMENT_MAX_SIZE);
  memcpy (big, "Semper-Document: terms/1\n\n", 26);
  bytes = g_bytes_new (big, SEMPER_DOCUMENT_MAX_SIZE);
  doc = semper_document_parse (bytes, &error);
  g_assert_no_error (error);
  g_clear_object (&doc);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = g_bytes_new (big, SEMPER_DOCUMENT_MAX_SIZE + 1);
  doc = semper_document_parse (bytes, &error);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_TOO_LARGE);
  g_assert_null (doc);
}

static void
test_writer_rejects (void)
{
  g_autoptr(SemperDocument) doc = semper_document_new ("order", 1);
  g_autoptr(SemperDocument) bad_kind = semper_document_new ("invoice", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_false (semper_document_add_field (doc, "Bad Name", "x", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME);
  g_clear_error (&error);

  g_assert_false (semper_document_add_field (doc, "Nоte", "x", &error));  /* Cyrillic о */
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_FIELD_NAME);
  g_clear_error (&error);

  g_assert_false (semper_document_add_field (doc, "Note", "two\nlines", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER);
  g_clear_error (&error);

  g_assert_false (semper_document_add_field (doc, "Note", "", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_VALUE);
  g_clear_error (&error);

  g_assert_false (semper_document_add_field (doc, "Total", "12 EUR", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_AMOUNT);
  g_clear_error (&error);

  g_assert_false (semper_document_add_field (doc, "Semper-Document", "order/1", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD);
  g_clear_error (&error);

  g_assert_true (semper_document_add_field (doc, "Note", "once", &error));
  g_assert_false (semper_document_add_field (doc, "NOTE", "twice", &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_DUPLICATE_FIELD);
  g_clear_error (&error);

  /* Refused fields left no trace. */
  g_assert_cmpuint (semper_document_get_n_fields (doc), ==, 2);

  /* A body with a CR cannot be written, because it could not be read back. */
  semper_document_set_body (doc, "dos\r\n");
  bytes = semper_document_to_bytes (doc, &error);
  g_assert_null (bytes);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_CHARACTER);
  g_clear_error (&error);

  bytes = semper_document_to_bytes (bad_kind, &error);
  g_assert_null (bytes);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_UNKNOWN_KIND);
}

static void
test_accessors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *description = NULL;
  SemperAmount amount;
  guint quantity;

  doc = parse_string ("Semper-Document: order/1\nTitle: x\nItem: 3 x Bolt @ 2 @ 0.10 EUR\n\n",
                      &error);
  g_assert_no_error (error);

  g_assert_false (semper_document_get_amount (doc, "Total", &amount, &error));
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_MISSING_FIELD);
  g_clear_error (&error);

  date = semper_document_get_date (doc, "Title", &error);
  g_assert_null (date);
  g_assert_error (error, SEMPER_DOCUMENT_ERROR, SEMPER_DOCUMENT_ERROR_BAD_DATE);
  g_clear_error (&error);

  /* The unit price follows the last " @ ". */
  g_assert_true (semper_document_parse_item (semper_document_get_field (doc, "Item"), &quantity,
                                             &description, &amount, &error));
  g_assert_cmpuint (quantity, ==, 3);
  g_assert_cmpstr (description, ==, "Bolt @ 2");
  g_assert_cmpint (amount.minor, ==, 10);

  g_assert_cmpint (semper_document_field_type ("total"), ==, SEMPER_FIELD_AMOUNT);
  g_assert_cmpint (semper_document_field_type ("Delivery-Date"), ==, SEMPER_FIELD_DATE);
  g_assert_cmpint (semper_document_field_type ("Item"), ==, SEMPER_FIELD_ITEM);
  g_assert_cmpint (semper_document_field_type ("Title"), ==, SEMPER_FIELD_TEXT);
  g_assert_true (semper_document_kind_is_known ("payment-authorisation"));
  g_assert_false (semper_document_kind_is_known ("payment-authorization"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/document/minimal", test_minimal);
  g_test_add_func ("/semper/document/write-minimal", test_write_minimal);
  g_test_add_func ("/semper/document/round-trip", test_round_trip);
  g_test_add_func ("/semper/document/samples", test_samples);
  g_test_add_func ("/semper/document/rejections", test_rejections);
  g_test_add_func ("/semper/document/nul", test_nul);
  g_test_add_func ("/semper/document/repeats", test_repeats);
  g_test_add_func ("/semper/document/limits", test_limits);
  g_test_add_func ("/semper/document/writer-rejects", test_writer_rejects);
  g_test_add_func ("/semper/document/accessors", test_accessors);

  return g_test_run ();
}
