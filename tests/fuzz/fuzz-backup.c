/* fuzz-backup.c: the backup file's clear header and the decrypted payload
 * (a restore parses both; the payload is fuzzed directly, since a fuzzer
 * cannot forge the AES-GCM tag and PBKDF2 would make every run slow).
 * The first byte picks the parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semper-backup-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) entries = NULL;
  SemperBackupHeader header;
  SemperBackupInfo info;
  guint64 total = 0;

  if (size < 1)
    return 0;
  if (data[0] & 1)
    {
      if (_semper_backup_parse_header (data + 1, size - 1, &header, NULL))
        g_assert (header.iterations >= SEMPER_BACKUP_MIN_ITERATIONS
                  && header.iterations <= SEMPER_BACKUP_MAX_ITERATIONS);
      return 0;
    }

  entries = _semper_backup_parse_payload (data + 1, size - 1, &info, NULL);
  if (entries == NULL)
    return 0;
  /* Whatever is accepted stays inside the profile folder and the limits. */
  g_assert (entries->len == info.n_files && info.n_files <= SEMPER_BACKUP_MAX_FILES);
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBackupEntry *e = g_ptr_array_index (entries, i);
      g_auto(GStrv) parts = g_strsplit (e->path, "/", -1);

      g_assert (e->path[0] != '/');
      for (guint k = 0; parts[k] != NULL; k++)
        g_assert (parts[k][0] != '\0' && parts[k][0] != '.');
      g_assert (_semper_backup_check_path (e->path, strlen (e->path), NULL));
      total += g_bytes_get_size (e->data);
    }
  g_assert (total == info.n_bytes && total <= SEMPER_BACKUP_MAX_BYTES);
  return 0;
}
