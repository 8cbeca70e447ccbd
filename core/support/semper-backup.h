/* semper-backup.h: an encrypted backup of a whole wallet profile in one
 * file, and its restore into a new profile directory (docs/backup.md).
 *
 * The file holds every file of the profile (the NSS key and certificate
 * databases, the archive with receipts, contracts, coins, labels, notes and
 * preferences, the pinned root and the CRL); SQLite databases are copied with
 * SQLite's online backup API, so a backup taken while the profile is open is
 * consistent. It is encrypted and authenticated under a password: PBKDF2-HMAC-
 * SHA256 (600,000 iterations, 16-byte random salt) gives an AES-256-GCM key;
 * the clear header (format, version, iterations, salt, nonce) is the GCM
 * additional data, so no byte of the file can change unnoticed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_BACKUP_ERROR (semper_backup_error_quark ())

typedef enum {
  SEMPER_BACKUP_ERROR_FAILED,        /* reading the profile or writing the copy failed */
  SEMPER_BACKUP_ERROR_FORMAT,        /* not a backup file, or a damaged one */
  SEMPER_BACKUP_ERROR_VERSION,       /* a backup format this wallet does not know */
  SEMPER_BACKUP_ERROR_BAD_PASSWORD,  /* wrong password, or the file was changed */
  SEMPER_BACKUP_ERROR_EXISTS,        /* the restore target is not a new, empty directory */
  SEMPER_BACKUP_ERROR_TOO_LARGE,     /* beyond the limits below */
} SemperBackupError;

GQuark semper_backup_error_quark (void);

/* The iteration count written into new backups, and the range a file may
 * name (a hostile file must not make the wallet spin for hours). */
#define SEMPER_BACKUP_ITERATIONS     600000
#define SEMPER_BACKUP_MIN_ITERATIONS 100000
#define SEMPER_BACKUP_MAX_ITERATIONS 10000000
/* At most this many files and bytes of profile in one backup. */
#define SEMPER_BACKUP_MAX_FILES      4096
#define SEMPER_BACKUP_MAX_BYTES      (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  gint64  created;      /* unix seconds, when the backup was made */
  guint   n_files;
  guint64 n_bytes;      /* sum of the files' sizes */
} SemperBackupInfo;

/* Writes a backup of the open @profile to @path (replaced atomically).
 * Blocks: run it off the main thread in a GUI. */
gboolean semper_backup_create        (SemperProfile     *profile,
                                      const char        *password,
                                      const char        *path,
                                      SemperBackupInfo  *out_info,
                                      GError           **error);

/* (transfer full): the backup file's bytes, for @profile. */
GBytes  *semper_backup_create_bytes  (SemperProfile     *profile,
                                      const char        *password,
                                      GError           **error);

/* Decrypts and checks @backup and writes the profile into @dir, which must
 * not exist or be an empty directory. Nothing is left in @dir on failure.
 * The restored profile opens with the original profile's password. */
gboolean semper_backup_restore_bytes (GBytes            *backup,
                                      const char        *password,
                                      const char        *dir,
                                      SemperBackupInfo  *out_info,
                                      GError           **error);
gboolean semper_backup_restore       (const char        *path,
                                      const char        *password,
                                      const char        *dir,
                                      SemperBackupInfo  *out_info,
                                      GError           **error);

G_END_DECLS
