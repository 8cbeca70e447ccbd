/* wallet-record-model.h: a GListModel of receipts or contracts that holds
 * only their ids and reads a row when a view asks for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"
#include "wallet-record.h"

G_BEGIN_DECLS

#define WALLET_TYPE_RECORD_MODEL (wallet_record_model_get_type ())
G_DECLARE_FINAL_TYPE (WalletRecordModel, wallet_record_model, WALLET, RECORD_MODEL, GObject)

WalletRecordModel       *wallet_record_model_new        (SemperArchive                  *archive,
                                                         SemperArchiveRecordKind         kind);
SemperArchive           *wallet_record_model_get_archive (WalletRecordModel             *self);
SemperArchiveRecordKind  wallet_record_model_get_kind   (WalletRecordModel              *self);
gboolean                 wallet_record_model_set_query  (WalletRecordModel              *self,
                                                         const SemperArchiveRecordQuery *query,
                                                         GError                        **error);
gint64                   wallet_record_model_get_id     (WalletRecordModel              *self,
                                                         guint                           position);
gboolean                 wallet_record_model_find       (WalletRecordModel              *self,
                                                         gint64                          id,
                                                         guint                          *position);
guint                    wallet_record_model_get_n_read (WalletRecordModel             *self);
void                     wallet_record_model_reload     (WalletRecordModel              *self,
                                                         gint64                          id);

G_END_DECLS
