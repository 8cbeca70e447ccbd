/* semper-money.h: ISO 4217 amounts as integer minor units (DESIGN.md rule 6).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_MONEY_ERROR (semper_money_error_quark ())

typedef enum {
  SEMPER_MONEY_ERROR_SYNTAX,            /* not "123.45 EUR" */
  SEMPER_MONEY_ERROR_UNKNOWN_CURRENCY,  /* not an ISO 4217 code we know */
  SEMPER_MONEY_ERROR_DECIMALS,          /* wrong number of decimals for the currency */
  SEMPER_MONEY_ERROR_OVERFLOW,          /* does not fit in 64 bits of minor units */
  SEMPER_MONEY_ERROR_CURRENCY_MISMATCH, /* arithmetic on two currencies */
} SemperMoneyError;

GQuark   semper_money_error_quark  (void);

int      semper_currency_decimals  (const char         *code);

gboolean semper_amount_init        (SemperAmount       *out,
                                    gint64              minor,
                                    const char         *currency,
                                    GError            **error);
gboolean semper_amount_parse       (const char         *text,
                                    SemperAmount       *out,
                                    GError            **error);
char    *semper_amount_format      (const SemperAmount *amount);
gboolean semper_amount_equal       (const SemperAmount *a,
                                    const SemperAmount *b);
gboolean semper_amount_add         (const SemperAmount *a,
                                    const SemperAmount *b,
                                    SemperAmount       *out,
                                    GError            **error);
gboolean semper_amount_subtract    (const SemperAmount *a,
                                    const SemperAmount *b,
                                    SemperAmount       *out,
                                    GError            **error);
gboolean semper_amount_multiply    (const SemperAmount *a,
                                    gint64              factor,
                                    SemperAmount       *out,
                                    GError            **error);

G_END_DECLS
