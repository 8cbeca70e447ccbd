/* archive-crash-helper.c: writes to an archive until it is killed.
 *
 * Usage: archive-crash-helper ARCHIVE
 * Each round commits one transaction (a receipt, a raw message and an audit
 * row), then prints the receipt id and flushes. An id on stdout therefore
 * means "committed": test-archive.c kills this process with SIGKILL and then
 * checks that every printed id survived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "semper-archive.h"

#define MAX_ROUNDS 100000

typedef struct {
  guint  round;
  gint64 receipt_id;
} Round;

static gboolean
write_round_cb (SemperArchive  *archive,
                gpointer        user_data,
                GError        **error)
{
  Round *round = user_data;
  g_autofree char *text = g_strdup_printf ("crash round %u: a receipt for coffee beans",
                                           round->round);
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  SemperArchiveRecord record = {
    .counterparty = (char *) "Crash Test Café",
    .amount = { .minor = 1000 + round->round, .currency = "EUR" },
    .payment_system = (char *) "ecash",
    .state = (char *) "paid",
    .text = text,
  };

  record.message_id = semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL,
                                                    "text/plain", raw, error);
  if (record.message_id == 0)
    return FALSE;
  round->receipt_id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS,
                                                    &record, error);
  if (round->receipt_id == 0)
    return FALSE;
  return semper_archive_audit_append (archive, "payment", text, error) != 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    {
      g_printerr ("Usage: %s ARCHIVE\n", argv[0]);
      return 2;
    }
  archive = semper_archive_open (argv[1], &error);
  if (archive == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < MAX_ROUNDS; i++)
    {
      Round round = { .round = i };

      if (!semper_archive_run_in_transaction (archive, write_round_cb, &round, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      /* Only now, after COMMIT returned, is the id reported. */
      if (printf ("%" G_GINT64_FORMAT "\n", round.receipt_id) < 0 || fflush (stdout) != 0)
        return 1;
    }
  return 0;
}
