/* semper-restore.h: after a restore, the purse takes its coins over
 * (docs/backup.md): `semper restore` and the setup window share it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

/* Swaps every fresh coin of @profile's purse for a new one at its bank
 * (reserve all, then reclaim), so that the copies another profile holds (the
 * original of a backup) are refused. Blocks on the network. @out_coins: the
 * fresh coins afterwards. A purse without a bank takes nothing over (TRUE). */
gboolean semper_restore_take_over_coins (SemperProfile  *profile,
                                         guint          *out_coins,
                                         GError        **error);

G_END_DECLS
