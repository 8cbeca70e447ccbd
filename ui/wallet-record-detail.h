/* wallet-record-detail.h: the detail pane of a receipt or contract: the
 * stored signed message verified live, its signer, and labels and note
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-archive.h"
#include "semper-trust.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_VERDICT_NONE,       /* nothing shown, or no signed message stored */
  WALLET_VERDICT_VALID,      /* signature valid, chain ends at the pinned root */
  WALLET_VERDICT_UNTRUSTED,  /* signature valid, signer not certified by the pinned root */
  WALLET_VERDICT_INVALID,    /* the stored message does not verify */
} WalletVerdict;

#define WALLET_TYPE_RECORD_DETAIL (wallet_record_detail_get_type ())
G_DECLARE_FINAL_TYPE (WalletRecordDetail, wallet_record_detail, WALLET, RECORD_DETAIL, GtkWidget)

WalletRecordDetail *wallet_record_detail_new               (void);
void                wallet_record_detail_set_source        (WalletRecordDetail      *self,
                                                            SemperArchive           *archive,
                                                            SemperArchiveRecordKind  kind,
                                                            SemperTrust             *trust);
gboolean            wallet_record_detail_show              (WalletRecordDetail      *self,
                                                            gint64                   id,
                                                            GError                 **error);
gint64              wallet_record_detail_get_id            (WalletRecordDetail      *self);
WalletVerdict       wallet_record_detail_get_verdict       (WalletRecordDetail      *self);
SemperSignerInfo   *wallet_record_detail_get_signer        (WalletRecordDetail      *self);
const char         *wallet_record_detail_get_verdict_text  (WalletRecordDetail      *self);
const char         *wallet_record_detail_get_content_text  (WalletRecordDetail      *self);
gboolean            wallet_record_detail_save_labels       (WalletRecordDetail      *self,
                                                            const char              *labels,
                                                            const char              *note,
                                                            GError                 **error);
const char         *wallet_record_detail_get_exchange_id  (WalletRecordDetail      *self);
/* For the tests: the "Dispute…" button. */
GtkWidget          *_wallet_record_detail_get_dispute_button (WalletRecordDetail    *self);
gboolean            wallet_record_detail_export            (WalletRecordDetail      *self,
                                                            GFile                   *file,
                                                            GError                 **error);
gboolean            wallet_record_detail_open_goods        (WalletRecordDetail      *self,
                                                            GFile                  **out_file,
                                                            GtkWindow              **out_viewer,
                                                            GError                 **error);
/* For the tests: the "Open" button. */
GtkWidget          *_wallet_record_detail_get_open_button  (WalletRecordDetail      *self);
gboolean            wallet_record_detail_export_evidence   (WalletRecordDetail      *self,
                                                            GFile                   *file,
                                                            GError                 **error);

G_END_DECLS
