/* fuzz-archive-search.c: hostile search text against the archive's FTS5 index.
 *
 * Whatever the user types, the search must neither fail nor touch anything
 * but the index: the input goes through semper_archive_fts_query_from_text()
 * and then a real MATCH on an in-memory archive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "semper-archive.h"

static SemperArchive *archive;

static void
set_up (void)
{
  static const char * const texts[] = {
    "coffee beans from Ethiopia", "a \"quoted\" NEAR(word) AND more", "Café Olé * ( ) ^",
  };
  GError *error = NULL;

  archive = semper_archive_open (":memory:", &error);
  if (archive == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      SemperArchiveRecord record = {
        .counterparty = (char *) "Fuzz Shop",
        .amount = { .minor = 100, .currency = "EUR" },
        .state = (char *) "paid",
        .text = (char *) texts[i],
        .labels = (char *) texts[(i + 1) % G_N_ELEMENTS (texts)],
      };

      if (semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &record, &error) == 0)
        g_error ("%s", error->message);
      record.counterparty = (char *) "Fuzz Peer";
      if (semper_archive_record_insert (archive, SEMPER_ARCHIVE_CONTRACTS, &record, &error) == 0)
        g_error ("%s", error->message);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *query = NULL;
  GError *error = NULL;
  GArray *ids;

  if (archive == NULL)
    set_up ();

  query = semper_archive_fts_query_from_text (text);
  if (!g_utf8_validate (query, -1, NULL))
    abort ();

  for (int kind = SEMPER_ARCHIVE_RECEIPTS; kind <= SEMPER_ARCHIVE_CONTRACTS; kind++)
    {
      ids = semper_archive_record_search (archive, kind, text, 20, &error);
      if (ids == NULL)
        g_error ("search for %s failed: %s", query, error->message);
      g_array_unref (ids);
    }
  return 0;
}
