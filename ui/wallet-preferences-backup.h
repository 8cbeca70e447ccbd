/* wallet-preferences-backup.h: Preferences → Backup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PREFERENCES_BACKUP (wallet_preferences_backup_get_type ())

G_DECLARE_FINAL_TYPE (WalletPreferencesBackup, wallet_preferences_backup,
                      WALLET, PREFERENCES_BACKUP, AdwPreferencesPage)

WalletPreferencesBackup *wallet_preferences_backup_new      (SemperProfile           *profile);
/* TRUE while a backup is written (the "busy" property). */
gboolean                 wallet_preferences_backup_get_busy (WalletPreferencesBackup *self);
/* Checks the two password rows and writes the backup to @file in a worker
 * thread (what the file chooser's answer does). FALSE when the passwords do
 * not do; the page then says why. */
gboolean                 wallet_preferences_backup_save_to  (WalletPreferencesBackup *self,
                                                             GFile                   *file);
/* The password rows, for the tests. (transfer none) */
AdwEntryRow             *_wallet_preferences_backup_get_password_row (WalletPreferencesBackup *self,
                                                                      guint                    n);

G_END_DECLS
