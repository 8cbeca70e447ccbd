/* semper-backup-private.h: the parsers of the backup format, for the fuzz
 * target and the tests (docs/backup.md describes the layout).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-backup.h"

G_BEGIN_DECLS

#define SEMPER_BACKUP_MAGIC       "SEMPERBK"
#define SEMPER_BACKUP_HEADER_SIZE 48
#define SEMPER_BACKUP_SALT_SIZE   16
#define SEMPER_BACKUP_NONCE_SIZE  12
#define SEMPER_BACKUP_TAG_SIZE    16
#define SEMPER_BACKUP_MAX_PATH    200

typedef struct {
  guint16 version;
  guint32 iterations;
  guint8  salt[SEMPER_BACKUP_SALT_SIZE];
  guint8  nonce[SEMPER_BACKUP_NONCE_SIZE];
} SemperBackupHeader;

typedef struct {
  char   *path;   /* relative, '/'-separated, checked by _semper_backup_check_path() */
  GBytes *data;
} SemperBackupEntry;

void      _semper_backup_entry_free    (SemperBackupEntry  *entry);

gboolean  _semper_backup_parse_header  (const guint8       *data,
                                        gsize               len,
                                        SemperBackupHeader *out,
                                        GError            **error);
/* Returns (transfer full) (element-type SemperBackupEntry): the files of a
 * decrypted payload, or NULL with SEMPER_BACKUP_ERROR_FORMAT/_TOO_LARGE. */
GPtrArray *_semper_backup_parse_payload (const guint8      *data,
                                         gsize              len,
                                         SemperBackupInfo  *out_info,
                                         GError           **error);
gboolean  _semper_backup_check_path    (const char         *path,
                                        gsize               len,
                                        GError            **error);

G_END_DECLS
