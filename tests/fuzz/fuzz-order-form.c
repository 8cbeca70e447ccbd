/* fuzz-order-form.c: the order form parser, and validation and the order
 * document for whatever form it accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-money.h"
#include "semper-order-form.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(SemperOrderForm) form = semper_order_form_parse (bytes, NULL);
  g_autoptr(GHashTable) answers = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(SemperDocument) order = NULL;
  SemperOrderLine line = { 1, "Fuzzed article", { 100, "EUR" } };

  if (form == NULL)
    return 0;

  /* Answer every field with the same plausible text; whatever validates
   * must become an order document that parses back. */
  answers = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < semper_order_form_get_n_fields (form); i++)
    {
      const SemperOrderField *field = semper_order_form_get_field (form, i);

      g_hash_table_insert (answers, field->name,
                           field->type == SEMPER_ORDER_FIELD_CHOICE ? field->choices[0] : "1");
    }
  problems = semper_order_form_validate (form, answers);
  date = g_date_time_new_utc (2026, 11, 24, 10, 0, 0);
  order = semper_order_form_build_order (form, answers, &line, 1, "Merchant", "service", date,
                                         NULL);
  if (order != NULL)
    {
      g_autoptr(GBytes) text = semper_document_to_bytes (order, NULL);
      g_autoptr(SemperDocument) again = NULL;

      g_assert_cmpuint (problems->len, ==, 0);
      g_assert_nonnull (text);
      again = semper_document_parse (text, NULL);
      g_assert_nonnull (again);
    }
  return 0;
}
