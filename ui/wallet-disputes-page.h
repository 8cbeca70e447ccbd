/* wallet-disputes-page.h: the Disputes page: open a claim on a transaction,
 * see the evidence the archive holds, send it to the TTP or export it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "semper-profile.h"

G_BEGIN_DECLS

#define WALLET_TYPE_DISPUTES_PAGE (wallet_disputes_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletDisputesPage, wallet_disputes_page, WALLET, DISPUTES_PAGE, AdwBin)

/* @profile: (nullable) */
void     wallet_disputes_page_set_profile     (WalletDisputesPage *self,
                                               SemperProfile      *profile);
/* Prefills the claim form with the transaction @exchange_id. */
void     wallet_disputes_page_set_exchange    (WalletDisputesPage *self,
                                               const char         *exchange_id);
/* The form's transaction, and the TTP address the claim goes to. */
const char *wallet_disputes_page_get_exchange (WalletDisputesPage *self);
const char *wallet_disputes_page_get_ttp_url  (WalletDisputesPage *self);
/* Shows what the evidence of the form's transaction proves. */
gboolean wallet_disputes_page_show_evidence   (WalletDisputesPage *self,
                                               GError            **error);
/* The disputes listed (newest first). Returns: (transfer full) (element-type gint64) */
GArray  *wallet_disputes_page_dup_ids         (WalletDisputesPage *self);
const char *wallet_disputes_page_get_state    (WalletDisputesPage *self,
                                               gint64              id);
/* Writes dispute @id's file (the signed claim, the evidence, any answer). */
gboolean wallet_disputes_page_export          (WalletDisputesPage *self,
                                               gint64              id,
                                               GFile              *file,
                                               GError            **error);
/* Whether a send to the TTP is running. */
gboolean wallet_disputes_page_get_busy        (WalletDisputesPage *self);

gboolean wallet_disputes_page_save_labels     (WalletDisputesPage *self,
                                               gint64              id,
                                               const char         *labels,
                                               const char         *note,
                                               GError            **error);
void     wallet_disputes_page_set_search      (WalletDisputesPage *self,
                                               const char         *text);
GtkWidget *wallet_disputes_page_get_row       (WalletDisputesPage *self,
                                               gint64              id);

G_END_DECLS
