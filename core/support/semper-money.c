/* semper-money.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-money.h"

#include <string.h>
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (semper-money-error-quark, semper_money_error)

/* ISO 4217 active codes with their minor units (the standard's list, not
 * CLDR's "cash" digits). Codes without minor units (XAU, XDR, XXX, …) are
 * left out on purpose: they cannot be amounts in a document. Sorted. */
typedef struct {
  char code[4];
  int  decimals;
} Currency;

static const Currency currencies[] = {
  { "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "ANG", 2 }, { "AOA", 2 },
  { "ARS", 2 }, { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 }, { "BAM", 2 }, { "BBD", 2 },
  { "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 }, { "BIF", 0 }, { "BMD", 2 }, { "BND", 2 },
  { "BOB", 2 }, { "BOV", 2 }, { "BRL", 2 }, { "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 },
  { "BYN", 2 }, { "BZD", 2 }, { "CAD", 2 }, { "CDF", 2 }, { "CHE", 2 }, { "CHF", 2 },
  { "CHW", 2 }, { "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 }, { "COP", 2 }, { "COU", 2 },
  { "CRC", 2 }, { "CUC", 2 }, { "CUP", 2 }, { "CVE", 2 }, { "CZK", 2 }, { "DJF", 0 },
  { "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 }, { "EGP", 2 }, { "ERN", 2 }, { "ETB", 2 },
  { "EUR", 2 }, { "FJD", 2 }, { "FKP", 2 }, { "GBP", 2 }, { "GEL", 2 }, { "GHS", 2 },
  { "GIP", 2 }, { "GMD", 2 }, { "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 },
  { "HNL", 2 }, { "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 }, { "INR", 2 },
  { "IQD", 3 }, { "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 }, { "JOD", 3 }, { "JPY", 0 },
  { "KES", 2 }, { "KGS", 2 }, { "KHR", 2 }, { "KMF", 0 }, { "KPW", 2 }, { "KRW", 0 },
  { "KWD", 3 }, { "KYD", 2 }, { "KZT", 2 }, { "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 },
  { "LRD", 2 }, { "LSL", 2 }, { "LYD", 3 }, { "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 },
  { "MKD", 2 }, { "MMK", 2 }, { "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 }, { "MUR", 2 },
  { "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MXV", 2 }, { "MYR", 2 }, { "MZN", 2 },
  { "NAD", 2 }, { "NGN", 2 }, { "NIO", 2 }, { "NOK", 2 }, { "NPR", 2 }, { "NZD", 2 },
  { "OMR", 3 }, { "PAB", 2 }, { "PEN", 2 }, { "PGK", 2 }, { "PHP", 2 }, { "PKR", 2 },
  { "PLN", 2 }, { "PYG", 0 }, { "QAR", 2 }, { "RON", 2 }, { "RSD", 2 }, { "RUB", 2 },
  { "RWF", 0 }, { "SAR", 2 }, { "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 }, { "SEK", 2 },
  { "SGD", 2 }, { "SHP", 2 }, { "SLE", 2 }, { "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 },
  { "STN", 2 }, { "SVC", 2 }, { "SYP", 2 }, { "SZL", 2 }, { "THB", 2 }, { "TJS", 2 },
  { "TMT", 2 }, { "TND", 3 }, { "TOP", 2 }, { "TRY", 2 }, { "TTD", 2 }, { "TWD", 2 },
  { "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 }, { "USD", 2 }, { "USN", 2 }, { "UYI", 0 },
  { "UYU", 2 }, { "UYW", 4 }, { "UZS", 2 }, { "VED", 2 }, { "VES", 2 }, { "VND", 0 },
  { "VUV", 0 }, { "WST", 2 }, { "XAF", 0 }, { "XCD", 2 }, { "XOF", 0 }, { "XPF", 0 },
  { "YER", 2 }, { "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 }, { "ZWL", 2 },
};

static int
compare_code (const void *key,
              const void *element)
{
  return strcmp (key, element);
}

/**
 * semper_currency_decimals:
 * @code: an ISO 4217 alphabetic code, e.g. "EUR"
 *
 * Returns: the currency's number of minor-unit digits (EUR 2, JPY 0, KWD 3),
 *   or -1 when @code is not a currency we know.
 */
int
semper_currency_decimals (const char *code)
{
  const void *found;

  if (code == NULL || strlen (code) != 3)
    return -1;

  found = bsearch (code, currencies, G_N_ELEMENTS (currencies), sizeof currencies[0],
                   compare_code);
  if (found == NULL)
    return -1;

  return ((const Currency *) found)->decimals;
}

/**
 * semper_amount_init:
 *
 * Fills @out with @minor units of @currency, which must be a known code.
 */
gboolean
semper_amount_init (SemperAmount  *out,
                    gint64         minor,
                    const char    *currency,
                    GError       **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (semper_currency_decimals (currency) < 0)
    {
      g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY,
                   _("“%s” is not an ISO 4217 currency code"), currency ? currency : "");
      return FALSE;
    }

  out->minor = minor;
  memcpy (out->currency, currency, 4);
  return TRUE;
}

/* magnitude = magnitude * 10 + digit, refusing anything above G_MAXINT64. */
static gboolean
push_digit (guint64 *magnitude,
            char     digit)
{
  guint64 d = (guint64) (digit - '0');

  if (*magnitude > ((guint64) G_MAXINT64 - d) / 10)
    return FALSE;

  *magnitude = *magnitude * 10 + d;
  return TRUE;
}

/**
 * semper_amount_parse:
 * @text: e.g. "123.45 EUR", "-0.50 USD", "1000 JPY"
 * @out: (out): the amount
 *
 * Parses the one canonical spelling of an amount: an optional "-", the
 * integer part without leading zeros, a "." and exactly as many decimals as
 * the currency has (none and no "." for JPY), one space, the code. "-0.00"
 * is refused (zero has no sign).
 */
gboolean
semper_amount_parse (const char    *text,
                     SemperAmount  *out,
                     GError       **error)
{
  const char *p = text;
  const char *space;
  char code[4];
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  int decimals;
  int int_digits = 0;
  int frac_digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  space = strchr (text, ' ');
  if (space == NULL || strlen (space + 1) != 3 || strchr (space + 1, ' ') != NULL)
    {
      g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_SYNTAX,
                   _("“%s” is not an amount like “123.45 EUR”"), text);
      return FALSE;
    }

  memcpy (code, space + 1, 4);
  decimals = semper_currency_decimals (code);
  if (decimals < 0)
    {
      g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY,
                   _("“%s” is not an ISO 4217 currency code"), code);
      return FALSE;
    }

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }

  for (; p < space && g_ascii_isdigit (*p); p++, int_digits++)
    {
      if (int_digits == 1 && magnitude == 0)
        goto syntax;  /* leading zero */
      if (!push_digit (&magnitude, *p))
        goto overflow;
    }

  if (int_digits == 0)
    goto syntax;

  if (p < space && *p == '.')
    {
      p++;
      for (; p < space && g_ascii_isdigit (*p); p++, frac_digits++)
        {
          if (!push_digit (&magnitude, *p))
            goto overflow;
        }
      if (frac_digits == 0)
        goto syntax;
    }

  if (p != space)
    goto syntax;

  if (frac_digits != decimals)
    {
      if (decimals == 0)
        g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_DECIMALS,
                     _("“%s”: %s amounts have no decimals"), text, code);
      else
        g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_DECIMALS,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "“%s”: %s amounts have exactly %d decimal",
                                  "“%s”: %s amounts have exactly %d decimals", decimals),
                     text, code, decimals);
      return FALSE;
    }

  if (negative && magnitude == 0)
    goto syntax;

  out->minor = negative ? -(gint64) magnitude : (gint64) magnitude;
  memcpy (out->currency, code, 4);
  return TRUE;

syntax:
  g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_SYNTAX,
               _("“%s” is not an amount like “123.45 EUR”"), text);
  return FALSE;

overflow:
  g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW,
               _("“%s” is too large an amount"), text);
  return FALSE;
}

/**
 * semper_amount_format:
 *
 * Returns: (transfer full): the canonical spelling that semper_amount_parse()
 *   reads back, e.g. "123.45 EUR".
 */
char *
semper_amount_format (const SemperAmount *amount)
{
  int decimals;
  guint64 magnitude;
  guint64 scale = 1;

  g_return_val_if_fail (amount != NULL, NULL);
  decimals = semper_currency_decimals (amount->currency);
  g_return_val_if_fail (decimals >= 0, NULL);

  for (int i = 0; i < decimals; i++)
    scale *= 10;

  /* Negate in unsigned arithmetic so that G_MININT64 does not overflow. */
  magnitude = amount->minor < 0 ? (guint64) 0 - (guint64) amount->minor : (guint64) amount->minor;

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT " %s", amount->minor < 0 ? "-" : "",
                            magnitude, amount->currency);

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT " %s",
                          amount->minor < 0 ? "-" : "", magnitude / scale, decimals,
                          magnitude % scale, amount->currency);
}

gboolean
semper_amount_equal (const SemperAmount *a,
                     const SemperAmount *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->minor == b->minor && strcmp (a->currency, b->currency) == 0;
}

static gboolean
same_currency (const SemperAmount  *a,
               const SemperAmount  *b,
               GError             **error)
{
  if (strcmp (a->currency, b->currency) == 0)
    return TRUE;

  g_set_error (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_CURRENCY_MISMATCH,
               _("cannot combine %s and %s amounts"), a->currency, b->currency);
  return FALSE;
}

static gboolean
overflowed (GError **error)
{
  g_set_error_literal (error, SEMPER_MONEY_ERROR, SEMPER_MONEY_ERROR_OVERFLOW,
                       _("the amount is too large"));
  return FALSE;
}

/**
 * semper_amount_add:
 * @out: (out): @a + @b; may be @a or @b
 *
 * Returns: FALSE (and leaves @out alone) on different currencies or overflow.
 */
gboolean
semper_amount_add (const SemperAmount  *a,
                   const SemperAmount  *b,
                   SemperAmount        *out,
                   GError             **error)
{
  gint64 sum;

  g_return_val_if_fail (a != NULL && b != NULL && out != NULL, FALSE);

  if (!same_currency (a, b, error))
    return FALSE;
  if (__builtin_add_overflow (a->minor, b->minor, &sum))
    return overflowed (error);

  memmove (out->currency, a->currency, 4);
  out->minor = sum;
  return TRUE;
}

/**
 * semper_amount_subtract:
 * @out: (out): @a − @b; may be @a or @b
 */
gboolean
semper_amount_subtract (const SemperAmount  *a,
                        const SemperAmount  *b,
                        SemperAmount        *out,
                        GError             **error)
{
  gint64 difference;

  g_return_val_if_fail (a != NULL && b != NULL && out != NULL, FALSE);

  if (!same_currency (a, b, error))
    return FALSE;
  if (__builtin_sub_overflow (a->minor, b->minor, &difference))
    return overflowed (error);

  memmove (out->currency, a->currency, 4);
  out->minor = difference;
  return TRUE;
}

/**
 * semper_amount_multiply:
 * @out: (out): @a × @factor (a quantity); may be @a
 */
gboolean
semper_amount_multiply (const SemperAmount  *a,
                        gint64               factor,
                        SemperAmount        *out,
                        GError             **error)
{
  gint64 product;

  g_return_val_if_fail (a != NULL && out != NULL, FALSE);

  if (__builtin_mul_overflow (a->minor, factor, &product))
    return overflowed (error);

  memmove (out->currency, a->currency, 4);
  out->minor = product;
  return TRUE;
}
