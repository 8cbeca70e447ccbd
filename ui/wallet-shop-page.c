/* wallet-shop-page.c: the Shop page: the merchants the wallet knows
 *
 * The page lists the merchants stored in the profile
 * (wallet-shop-merchants.h), adds one by its address, forgets one, and
 * takes semper: links that a browser hands to the wallet (GApplication's
 * open → WalletWindow → here): the link's merchant is remembered and shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-shop-page.h"

#include <glib/gi18n.h>

#include "semper-uri.h"
#include "wallet-shop-merchant-view.h"
#include "wallet-shop-merchants.h"

struct _WalletShopPage
{
  AdwBin                parent_instance;

  SemperProfile        *profile;
  GPtrArray            *rows;          /* AdwActionRow in merchants_group */
  char                 *link;          /* the last semper: link opened */

  GtkStack             *stack;
  AdwStatusPage        *closed_page;
  AdwPreferencesGroup  *add_group;
  AdwEntryRow          *add_row;
  GtkLabel             *add_error;
  AdwPreferencesGroup  *link_group;
  AdwActionRow         *link_row;
  AdwPreferencesGroup  *merchants_group;
  AdwActionRow         *empty_row;
  WalletShopMerchantView *view;        /* the merchant shown, or NULL */
};

G_DEFINE_FINAL_TYPE (WalletShopPage, wallet_shop_page, ADW_TYPE_BIN)

enum {
  SIGNAL_RECEIPT_ADDED,
  SIGNAL_SHOW_RECEIPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
view_close_cb (WalletShopPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "merchants");
}

static void
view_receipt_added_cb (WalletShopPage *self,
                       gint64          id)
{
  g_signal_emit (self, signals[SIGNAL_RECEIPT_ADDED], 0, id);
}

static void
view_show_receipt_cb (WalletShopPage *self,
                      gint64          id)
{
  g_signal_emit (self, signals[SIGNAL_SHOW_RECEIPT], 0, id);
}

/**
 * wallet_shop_page_open_merchant:
 *
 * Shows the merchant at @url (its services are loaded and checked).
 * Returns: (transfer none) (nullable): its view, or NULL without a profile.
 */
WalletShopMerchantView *
wallet_shop_page_open_merchant (WalletShopPage *self,
                                const char     *url)
{
  GtkWidget *old;

  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), NULL);

  if (self->profile == NULL)
    return NULL;
  if (self->view != NULL && g_strcmp0 (wallet_shop_merchant_view_get_url (self->view), url) == 0
      && g_strcmp0 (wallet_shop_merchant_view_get_step (self->view), "progress") != 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "merchant");
      return self->view;
    }
  old = gtk_stack_get_child_by_name (self->stack, "merchant");
  if (old != NULL)
    gtk_stack_remove (self->stack, old);
  self->view = wallet_shop_merchant_view_new (self->profile, url);
  g_signal_connect_object (self->view, "close", G_CALLBACK (view_close_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "receipt-added", G_CALLBACK (view_receipt_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "show-receipt", G_CALLBACK (view_show_receipt_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->view), "merchant");
  gtk_stack_set_visible_child_name (self->stack, "merchant");
  return self->view;
}

WalletShopMerchantView *
wallet_shop_page_get_merchant_view (WalletShopPage *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), NULL);

  return self->view;
}

static void
row_activated_cb (AdwActionRow   *row,
                  WalletShopPage *self)
{
  wallet_shop_page_open_merchant (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

static void
toast (WalletShopPage *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
show_add_error (WalletShopPage *self,
                const char     *message)
{
  gtk_label_set_text (self->add_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->add_error), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->add_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->add_row), "error");
}

static void
remove_clicked_cb (GtkButton      *button,
                   WalletShopPage *self)
{
  const char *url = g_object_get_data (G_OBJECT (button), "merchant-url");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy = g_strdup (url);

  if (!wallet_shop_page_remove_merchant (self, copy, &error))
    {
      text = g_strdup_printf (_("Could not forget the merchant: %s"), error->message);
      toast (self, text);
      return;
    }
  text = g_strdup_printf (_("Forgot %s"), copy);
  toast (self, text);
}

static void
reload (WalletShopPage *self)
{
  g_auto(GStrv) urls = NULL;
  g_autoptr(GError) error = NULL;
  SemperArchive *archive;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->merchants_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);

  if (self->profile == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "closed");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "merchants");

  archive = semper_profile_get_archive (self->profile);
  urls = wallet_shop_merchants_load (archive, &error);
  if (urls == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read your merchants: %s"),
                                               error->message);
      toast (self, text);
      return;
    }

  for (guint i = 0; urls[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *remove_label = g_strdup_printf (_("Forget %s"), urls[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), urls[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Open it to see its certified services. Each is shown "
                                     "only after its certificates are checked."));
      gtk_widget_set_name (row, urls[i]);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_signal_connect (row, "activated", G_CALLBACK (row_activated_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Forget this merchant"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "merchant-url", g_strdup (urls[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

      adw_preferences_group_add (self->merchants_group, row);
      g_ptr_array_add (self->rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->empty_row), urls[0] == NULL);
}

void
wallet_shop_page_set_profile (WalletShopPage *self,
                              SemperProfile  *profile)
{
  g_return_if_fail (WALLET_IS_SHOP_PAGE (self));

  GtkWidget *old;

  if (!g_set_object (&self->profile, profile))
    return;
  old = gtk_stack_get_child_by_name (self->stack, "merchant");
  if (old != NULL)
    gtk_stack_remove (self->stack, old);
  self->view = NULL;
  reload (self);
}

static gboolean
require_profile (WalletShopPage  *self,
                 GError         **error)
{
  if (self->profile != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                       _("Open your wallet first."));
  return FALSE;
}

gboolean
wallet_shop_page_add_merchant (WalletShopPage *self,
                               const char     *url,
                               GError        **error)
{
  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (!require_profile (self, error)
      || !wallet_shop_merchants_add (semper_profile_get_archive (self->profile), url, NULL,
                                     error))
    return FALSE;
  reload (self);
  return TRUE;
}

gboolean
wallet_shop_page_remove_merchant (WalletShopPage *self,
                                  const char     *url,
                                  GError        **error)
{
  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (!require_profile (self, error)
      || !wallet_shop_merchants_remove (semper_profile_get_archive (self->profile), url, error))
    return FALSE;
  reload (self);
  return TRUE;
}

GStrv
wallet_shop_page_dup_merchants (WalletShopPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    g_strv_builder_add (builder,
                        adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rows->pdata[i])));
  return g_strv_builder_end (builder);
}

gboolean
wallet_shop_page_open_uri (WalletShopPage *self,
                           const char     *uri,
                           GError        **error)
{
  g_autoptr(SemperUri) link = NULL;
  g_autofree char *subtitle = NULL;
  GError *local_error = NULL;
  WalletShopMerchantView *view;

  g_return_val_if_fail (WALLET_IS_SHOP_PAGE (self), FALSE);

  g_free (self->link);
  self->link = g_strdup (uri);
  gtk_widget_set_visible (GTK_WIDGET (self->link_group), TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->link_row), uri != NULL ? uri : "");

  link = uri != NULL ? semper_uri_parse (uri, &local_error) : NULL;
  if (link == NULL && local_error == NULL)
    g_set_error_literal (&local_error, SEMPER_URI_ERROR, SEMPER_URI_ERROR_INVALID,
                         _("There is no link to open."));
  if (link == NULL
      || !wallet_shop_page_add_merchant (self, link->merchant_url, &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("This link cannot be paid: %s"),
                                               local_error->message);

      adw_action_row_set_subtitle (self->link_row, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->link_row), "error");
      g_propagate_error (error, local_error);
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->link_row), "error");
  subtitle = g_strdup_printf (_("From %s. The merchant is now in your list below."),
                              link->merchant_url);
  adw_action_row_set_subtitle (self->link_row, subtitle);

  view = wallet_shop_page_open_merchant (self, link->merchant_url);
  if (view != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) items = NULL;

      for (guint i = 0; i < link->items->len; i++)
        {
          SemperUriItem *item = link->items->pdata[i];
          g_autofree char *text = g_strdup_printf ("%s:%u", item->item, item->quantity);

          g_strv_builder_add (builder, text);
        }
      items = g_strv_builder_end (builder);
      /* Both kinds of link fill an order; nothing is paid before the review and
       * the trusted display. */
      wallet_shop_merchant_view_start_order (view, link->service, (const char * const *) items);
    }
  return TRUE;
}

static void
add_apply_cb (AdwEntryRow    *row,
              WalletShopPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  if (!wallet_shop_page_add_merchant (self, text, &error))
    {
      g_debug ("Cannot add %s: %s", text, error->message);
      show_add_error (self, error->message);
      return;
    }
  show_add_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), "");
}

static void
add_changed_cb (AdwEntryRow    *row,
                WalletShopPage *self)
{
  show_add_error (self, NULL);
}

static void
wallet_shop_page_dispose (GObject *object)
{
  WalletShopPage *self = WALLET_SHOP_PAGE (object);

  g_clear_object (&self->profile);
  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (wallet_shop_page_parent_class)->dispose (object);
}

static void
wallet_shop_page_finalize (GObject *object)
{
  WalletShopPage *self = WALLET_SHOP_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->link, g_free);

  G_OBJECT_CLASS (wallet_shop_page_parent_class)->finalize (object);
}

static void
wallet_shop_page_class_init (WalletShopPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_shop_page_dispose;
  object_class->finalize = wallet_shop_page_finalize;

  /* A purchase archived a receipt (its archive id). */
  signals[SIGNAL_RECEIPT_ADDED] =
    g_signal_new ("receipt-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* The user asked to see a receipt. */
  signals[SIGNAL_SHOW_RECEIPT] =
    g_signal_new ("show-receipt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
wallet_shop_page_init (WalletShopPage *self)
{
  GtkWidget *scrolled;
  GtkWidget *clamp;
  GtkWidget *box;

  self->rows = g_ptr_array_new ();
  self->stack = GTK_STACK (gtk_stack_new ());
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));

  self->closed_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->closed_page, "semper-shop-symbolic");
  adw_status_page_set_title (self->closed_page, _("No Shops Yet"));
  adw_status_page_set_description (self->closed_page,
                                   _("Merchants you visit appear here with their certified "
                                     "catalogues, prices and terms."));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->closed_page), "closed");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->link_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->link_group, _("Link From a Web Shop"));
  self->link_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->link_row), FALSE);
  adw_preferences_group_add (self->link_group, GTK_WIDGET (self->link_row));
  gtk_widget_set_visible (GTK_WIDGET (self->link_group), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->link_group));

  self->add_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->add_group, _("Add a Merchant"));
  adw_preferences_group_set_description (self->add_group,
                                         _("Type the address that a shop gave you, or open a "
                                           "semper: link on its web page."));
  self->add_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->add_row), _("_Merchant address"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->add_row), TRUE);
  adw_entry_row_set_show_apply_button (self->add_row, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
  g_signal_connect (self->add_row, "apply", G_CALLBACK (add_apply_cb), self);
  g_signal_connect (self->add_row, "changed", G_CALLBACK (add_changed_cb), self);
  adw_preferences_group_add (self->add_group, GTK_WIDGET (self->add_row));
  self->add_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->add_error, TRUE);
  gtk_label_set_xalign (self->add_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->add_error), "error");
  gtk_widget_set_margin_top (GTK_WIDGET (self->add_error), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->add_error), FALSE);
  adw_preferences_group_add (self->add_group, GTK_WIDGET (self->add_error));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->add_group));

  self->merchants_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->merchants_group, _("Your Merchants"));
  self->empty_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No merchants yet"));
  adw_action_row_set_subtitle (self->empty_row,
                               _("Add one above by its address, or follow a semper: link "
                                 "from a web shop."));
  adw_preferences_group_add (self->merchants_group, GTK_WIDGET (self->empty_row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->merchants_group));

  clamp = adw_clamp_new ();
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->stack, scrolled, "merchants");

  gtk_stack_set_visible_child_name (self->stack, "closed");
}
