/* wallet-record.h: one receipt or contract as an item of WalletRecordModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "semper-archive.h"

G_BEGIN_DECLS

#define WALLET_TYPE_RECORD (wallet_record_get_type ())
G_DECLARE_FINAL_TYPE (WalletRecord, wallet_record, WALLET, RECORD, GObject)

WalletRecord              *wallet_record_new        (gint64               id,
                                                     SemperArchiveRecord *record);
gint64                     wallet_record_get_id     (WalletRecord        *self);
const SemperArchiveRecord *wallet_record_get_record (WalletRecord        *self);
char                      *wallet_record_dup_amount (WalletRecord        *self);
char                      *wallet_record_dup_date   (WalletRecord        *self);

const char                *wallet_record_state_label  (const char        *state);
const char                *wallet_record_system_label (const char        *system);

G_END_DECLS
