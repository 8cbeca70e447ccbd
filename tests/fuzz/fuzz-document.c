/* fuzz-document.c: the semper-document parser, writer and checker on arbitrary bytes.
 *
 * Besides "no crash, no leak, no UB", it checks two properties: a parsed
 * document rebuilt with the writer gives back exactly the input bytes (the
 * grammar is canonical), and every finding lies inside the document.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "semper-checker.h"
#include "semper-document.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
rebuild_and_compare (SemperDocument *doc,
                     GBytes         *input)
{
  g_autoptr(SemperDocument) copy = semper_document_new (semper_document_get_kind (doc),
                                                        semper_document_get_version (doc));
  g_autoptr(GBytes) out = NULL;

  for (guint i = 1; i < semper_document_get_n_fields (doc); i++)
    {
      const char *name, *value;

      semper_document_get_field_at (doc, i, &name, &value, NULL, NULL);
      if (!semper_document_add_field (copy, name, value, NULL))
        abort ();
    }
  semper_document_set_body (copy, semper_document_get_body (doc));

  out = semper_document_to_bytes (copy, NULL);
  if (out == NULL || !g_bytes_equal (out, input))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static SemperChecker *checker;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  guint line, column;

  if (checker == NULL)
    {
      checker = semper_checker_new (NULL);
      if (checker == NULL)
        abort ();
    }

  doc = semper_document_parse_full (bytes, &line, &column, &error);
  if (doc == NULL)
    {
      if (error == NULL || error->domain != SEMPER_DOCUMENT_ERROR)
        abort ();
      return 0;
    }

  rebuild_and_compare (doc, bytes);

  findings = semper_checker_check (checker, doc);
  for (guint i = 0; i < findings->len; i++)
    {
      SemperFinding *f = g_ptr_array_index (findings, i);

      if (f->offset + f->length > size || f->line == 0 || f->column == 0 || f->reason == NULL)
        abort ();
    }
  (void) semper_checker_findings_refuse (findings);

  return 0;
}
