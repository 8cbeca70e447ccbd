/* wallet-contracts-page.c: the Contracts page
 *
 * On top, the contracts in progress with Propose and Check for Proposals
 * (a contracts-only WalletActivityPage); below, the same browser as Receipts
 * (search, filters, sort, live verification of the stored contract file,
 * labels, export), over the contracts table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-contracts-page.h"

struct _WalletContractsPage
{
  AdwBin              parent_instance;

  WalletActivityPage *in_progress;
  WalletReceiptsPage *browser;
};

G_DEFINE_FINAL_TYPE (WalletContractsPage, wallet_contracts_page, ADW_TYPE_BIN)

static void
wallet_contracts_page_class_init (WalletContractsPageClass *klass)
{
}

static void
wallet_contracts_page_init (WalletContractsPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->in_progress = wallet_activity_page_new (TRUE);
  self->browser = wallet_receipts_page_new (SEMPER_ARCHIVE_CONTRACTS);
  gtk_widget_set_vexpand (GTK_WIDGET (self->browser), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->in_progress));
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->browser));
  adw_bin_set_child (ADW_BIN (self), box);
}

WalletContractsPage *
wallet_contracts_page_new (void)
{
  return g_object_new (WALLET_TYPE_CONTRACTS_PAGE, NULL);
}

/**
 * wallet_contracts_page_set_archive:
 * @archive: (nullable): the profile's archive
 * @trust_root: (nullable): the profile's pinned root (DER)
 */
gboolean
wallet_contracts_page_set_archive (WalletContractsPage  *self,
                                   SemperArchive        *archive,
                                   GBytes               *trust_root,
                                   GError              **error)
{
  g_return_val_if_fail (WALLET_IS_CONTRACTS_PAGE (self), FALSE);

  return wallet_receipts_page_set_archive (self->browser, archive, trust_root, error);
}

/* Returns: (transfer none) */
WalletReceiptsPage *
wallet_contracts_page_get_browser (WalletContractsPage *self)
{
  g_return_val_if_fail (WALLET_IS_CONTRACTS_PAGE (self), NULL);
  return self->browser;
}

/**
 * wallet_contracts_page_set_exchanges:
 * @exchanges: (nullable): the open profile's exchanges
 */
/* A contract that finished (signed or aborted) belongs in the browser now. */
static void
exchanges_changed_cb (WalletContractsPage *self,
                      WalletExchanges     *exchanges)
{
  g_autoptr(GError) error = NULL;

  if (wallet_exchanges_is_busy (exchanges))
    return;
  if (!wallet_receipts_page_reload (self->browser, &error))
    g_debug ("Cannot reload the contracts: %s", error->message);
}

void
wallet_contracts_page_set_exchanges (WalletContractsPage *self,
                                     WalletExchanges     *exchanges)
{
  g_return_if_fail (WALLET_IS_CONTRACTS_PAGE (self));

  if (exchanges != NULL)
    g_signal_connect_object (exchanges, "changed", G_CALLBACK (exchanges_changed_cb), self,
                             G_CONNECT_SWAPPED);
  wallet_activity_page_set_exchanges (self->in_progress, exchanges, FALSE);
}

/* Returns: (transfer none) */
WalletActivityPage *
wallet_contracts_page_get_in_progress (WalletContractsPage *self)
{
  g_return_val_if_fail (WALLET_IS_CONTRACTS_PAGE (self), NULL);
  return self->in_progress;
}
