/* test-money.c: ISO 4217 amounts as integers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-money.h"

static void
test_decimals (void)
{
  g_assert_cmpint (semper_currency_decimals ("EUR"), ==, 2);
  g_assert_cmpint (semper_currency_decimals ("USD"), ==, 2);
  g_assert_cmpint (semper_currency_decimals ("GBP"), ==, 2);
  g_assert_cmpint (semper_currency_decimals ("CHF"), ==, 2);
  g_assert_cmpint (semper_currency_decimals ("JPY"), ==, 0);
  g_assert_cmpint (semper_currency_decimals ("KRW"), ==, 0);
  g_assert_cmpint (semper_currency_decimals ("KWD"), ==, 3);
  g_assert_cmpint (semper_currency_decimals ("BHD"), ==, 3);
  g_assert_cmpint (semper_currency_decimals ("CLF"), ==, 4);
  g_assert_cmpint (semper_currency_decimals ("eur"), ==, -1);
  g_assert_cmpint (semper_currency_decimals ("XXX"), ==, -1);
  g_assert_cmpint (semper_currency_decimals ("XAU"), ==, -1);
  g_assert_cmpint (semper_currency_decimals ("EURO"), ==, -1);
  g_assert_cmpint (semper_currency_decimals (""), ==, -1);
  g_assert_cmpint (semper_currency_decimals (NULL), ==, -1);
}

static void
test_parse (void)
{
  static const struct {
    const char *text;
    gint64      minor;
    const char *currency;
  } good[] = {
    { "123.45 EUR", 12345, "EUR" },
    { "0.00 EUR", 0, "EUR" },
    { "0.05 USD", 5, "USD" },
    { "1000 JPY", 1000, "JPY" },
    { "0 JPY", 0, "JPY" },
    { "1.234 KWD", 1234, "KWD" },
    { "-2.50 CHF", -250, "CHF" },
    { "92233720368547758.07 EUR", G_MAXINT64, "EUR" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      SemperAmount amount;
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;

      g_assert_true (semper_amount_parse (good[i].text, &amount, &error));
      g_assert_no_error (error);
      g_assert_cmpint (amount.minor, ==, good[i].minor);
      g_assert_cmpstr (amount.currency, ==, good[i].currency);

      back = semper_amount_format (&amount);
      g_assert_cmpstr (back, ==, good[i].text);
    }
}

static void
test_parse_bad (void)
{
  static const struct {
    const char *text;
    int         code;
  } bad[] = {
    { "123.4 EUR", SEMPER_MONEY_ERROR_DECIMALS },
    { "123.456 EUR", SEMPER_MONEY_ERROR_DECIMALS },
    { "123 EUR", SEMPER_MONEY_ERROR_DECIMALS },
    { "100.00 JPY", SEMPER_MONEY_ERROR_DECIMALS },
    { "1.23 KWD", SEMPER_MONEY_ERROR_DECIMALS },
    { "12.00 ABC", SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY },
    { "12.00 eur", SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY },
    { "012.00 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "+12.00 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "-0.00 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "12,00 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { ".50 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "12. EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "12.00  EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "12.00EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "EUR 12.00", SEMPER_MONEY_ERROR_SYNTAX },
    { "1 000.00 EUR", SEMPER_MONEY_ERROR_SYNTAX },
    { "1e3 JPY", SEMPER_MONEY_ERROR_SYNTAX },
    { "\xef\xbc\x91.00 EUR", SEMPER_MONEY_ERROR_SYNTAX },  /* fullwidth 1 */
    { "", SEMPER_MONEY_ERROR_SYNTAX },
    { "92233720368547758.08 EUR", SEMPER_MONEY_ERROR_OVERFLOW },
    { "99999999999999999999999 JPY", SEMPER_MONEY_ERROR_OVERFLOW },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SemperAmount amount = { 7, "GBP" };
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i].text);
      g_assert_false (semper_amount_parse (bad[i].text, &amount, &error));
      g_assert_error (error, SEMPER_MONEY_ERROR, bad[i].code);
      g_assert_cmpint (amount.minor, ==, 7);  /* untouched on failure */
    }
}

static void
test_format (void)
{
  SemperAmount amount;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  g_assert_true (semper_amount_init (&amount, 5, "EUR", NULL));
  a = semper_amount_format (&amount);
  g_assert_cmpstr (a, ==, "0.05 EUR");

  g_assert_true (semper_amount_init (&amount, -123456, "KWD", NULL));
  b = semper_amount_format (&amount);
  g_assert_cmpstr (b, ==, "-123.456 KWD");

  g_assert_true (semper_amount_init (&amount, G_MININT64, "JPY", NULL));
  c = semper_amount_format (&amount);
  g_assert_cmpstr (c, ==, "-9223372036854775808 JPY");

  g_assert_true (semper_amount_init (&amount, 1, "CLF", NULL));
  d = semper_amount_format (&amount);
  g_assert_cmpstr (d, ==, "0.0001 CLF");
}

static void
test_arithmetic (void)
{
  SemperAmount a, b, out = { 42, "EUR" };
  g_autoptr(GError) error = NULL;

  g_assert_true (semper_amount_parse ("12.50 EUR", &a, NULL));
  g_assert_true (semper_amount_parse ("0.75 EUR", &b, NULL));

  g_assert_true (semper_amount_add (&a, &b, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out.minor, ==, 1325);

  g_assert_true (semper_amount_subtract (&b, &a, &out, &error));
  g_assert_cmpint (out.minor, ==, -1175);

  g_assert_true (semper_amount_multiply (&a, 3, &out, &error));
  g_assert_cmpint (out.minor, ==, 3750);
  g_assert_cmpstr (out.currency, ==, "EUR");

  /* Different currencies never add. */
  g_assert_true (semper_amount_parse ("1.00 USD", &b, NULL));
  out.minor = 42;
  g_assert_false (semper_amount_add (&a, &b, &out, &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_CURRENCY_MISMATCH);
  g_assert_cmpint (out.minor, ==, 42);
  g_clear_error (&error);

  g_assert_false (semper_amount_init (&out, 1, "ZZZ", &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY);
  g_clear_error (&error);
}

static void
test_overflow (void)
{
  SemperAmount max, one, min, out = { 42, "EUR" };
  g_autoptr(GError) error = NULL;

  g_assert_true (semper_amount_init (&max, G_MAXINT64, "EUR", NULL));
  g_assert_true (semper_amount_init (&one, 1, "EUR", NULL));
  g_assert_true (semper_amount_init (&min, G_MININT64, "EUR", NULL));

  g_assert_false (semper_amount_add (&max, &one, &out, &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW);
  g_clear_error (&error);

  g_assert_false (semper_amount_subtract (&min, &one, &out, &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW);
  g_clear_error (&error);

  g_assert_false (semper_amount_multiply (&max, 2, &out, &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW);
  g_clear_error (&error);

  g_assert_false (semper_amount_multiply (&min, -1, &out, &error));
  g_assert_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW);
  g_clear_error (&error);

  g_assert_cmpint (out.minor, ==, 42);

  g_assert_true (semper_amount_add (&max, &min, &out, &error));
  g_assert_cmpint (out.minor, ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/money/decimals", test_decimals);
  g_test_add_func ("/semper/money/parse", test_parse);
  g_test_add_func ("/semper/money/parse-bad", test_parse_bad);
  g_test_add_func ("/semper/money/format", test_format);
  g_test_add_func ("/semper/money/arithmetic", test_arithmetic);
  g_test_add_func ("/semper/money/overflow", test_overflow);

  return g_test_run ();
}
