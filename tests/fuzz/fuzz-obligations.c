/* fuzz-obligations.c: the dates taken from a record's text (documents a
 * peer signed, one after the other).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semper-obligations-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_obligation_free);
  g_autofree char *text = g_strndup ((const char *) data, size);
  SemperArchiveRecord record = { 0 };
  const gint64 since = 0;

  record.id = 1;
  record.counterparty = (char *) "peer";
  record.text = text;
  _semper_obligations_collect_record (SEMPER_ARCHIVE_CONTRACTS, &record, since, out);
  for (guint i = 0; i < out->len; i++)
    {
      SemperObligation *o = g_ptr_array_index (out, i);
      g_autofree char *id = semper_obligation_dup_id (o);

      g_assert (o->when >= since && o->field != NULL && id != NULL);
      g_assert (semper_obligation_kind_describe (o->kind) != NULL);
    }
  return 0;
}
