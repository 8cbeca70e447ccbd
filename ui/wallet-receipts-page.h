/* wallet-receipts-page.h: the archive browser of receipts (and, with
 * kind SEMPER_ARCHIVE_CONTRACTS, of contracts): search, filters, sort,
 * detail pane, exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-archive.h"
#include "wallet-record-detail.h"
#include "wallet-record-model.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_EXPORT_CSV,
  WALLET_EXPORT_JSON,
} WalletExportFormat;

#define WALLET_TYPE_RECEIPTS_PAGE (wallet_receipts_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletReceiptsPage, wallet_receipts_page, WALLET, RECEIPTS_PAGE, GtkWidget)

WalletReceiptsPage *wallet_receipts_page_new        (SemperArchiveRecordKind   kind);
SemperArchiveRecordKind wallet_receipts_page_get_kind (WalletReceiptsPage      *self);
gboolean            wallet_receipts_page_set_archive (WalletReceiptsPage       *self,
                                                      SemperArchive            *archive,
                                                      GBytes                   *trust_root,
                                                      GError                  **error);
gboolean            wallet_receipts_page_set_archive_with_trust (WalletReceiptsPage *self,
                                                                 SemperArchive      *archive,
                                                                 SemperTrust        *trust,
                                                                 GError            **error);
gboolean            wallet_receipts_page_reload     (WalletReceiptsPage        *self,
                                                     GError                   **error);
WalletRecordModel  *wallet_receipts_page_get_model  (WalletReceiptsPage        *self);
WalletRecordDetail *wallet_receipts_page_get_detail (WalletReceiptsPage        *self);
gboolean            wallet_receipts_page_select     (WalletReceiptsPage        *self,
                                                     guint                      position);
gboolean            wallet_receipts_page_export     (WalletReceiptsPage        *self,
                                                     GFile                     *file,
                                                     WalletExportFormat         format,
                                                     GError                   **error);

G_END_DECLS
