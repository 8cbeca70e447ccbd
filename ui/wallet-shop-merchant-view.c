/* wallet-shop-merchant-view.c: one merchant in the Shop page
 *
 * Steps (a GtkStack): the merchant's services (verified by core against the
 * profile's trust before anything is shown; refused ones say why), a
 * service's catalog (a GtkListView over a WalletShopCatalogModel that asks
 * the merchant for pages as they scroll into view), the order form (rows
 * generated from the form's field types; core's validation marks the rows
 * and says what is wrong), the review (the exact order document), signing
 * in the trusted display (the application's consent port), the fair
 * exchange with its progress, and the receipt or why it did not go ahead.
 *
 * Network calls run in core's GTask threads; this file only ever touches
 * widgets in the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-shop-merchant-view.h"

#include <glib/gi18n.h>

#include "semper-money.h"
#include "semper-purchase.h"
#include "semper-shop-client.h"
#include "wallet-application.h"
#include "wallet-shop-catalog-model.h"

typedef struct {
  char         *id;
  char         *title;     /* (nullable) until the offer names it */
  guint         quantity;
  SemperAmount  price;     /* minor = -1: not known here */
} OrderItem;

static void
order_item_clear (gpointer data)
{
  OrderItem *item = data;

  g_free (item->id);
  g_free (item->title);
}

struct _WalletShopMerchantView
{
  AdwBin              parent_instance;

  SemperProfile      *profile;
  char               *url;
  SemperShopClient   *client;
  GCancellable       *cancellable;
  GPtrArray          *listings;        /* SemperShopListing */
  GError             *load_error;

  /* the order being built */
  SemperService      *service;
  GArray             *items;           /* OrderItem */
  SemperPurchase     *purchase;
  GBytes             *order_document;
  gint64              receipt_id;
  char               *pending_service; /* start_order/browse before the services came */
  GStrv               pending_items;
  gboolean            pending_browse;

  /* widgets */
  GtkLabel           *title_label;
  GtkButton          *back_button;
  GtkStack           *stack;
  AdwStatusPage      *error_page;
  GtkBox             *services_box;
  GPtrArray          *service_groups;
  GtkSearchEntry     *search_entry;
  GtkLabel           *catalog_status;
  GtkListView        *catalog_view;
  WalletShopCatalogModel *catalog_model;
  AdwPreferencesGroup *items_group;
  GPtrArray          *item_rows;
  GtkButton          *more_button;
  AdwPreferencesGroup *form_group;
  GPtrArray          *form_rows;
  GHashTable         *field_widgets;   /* field name → widget */
  AdwComboRow        *payment_row;
  GtkStringList      *payment_ids;
  GtkLabel           *order_error;
  GtkButton          *review_button;
  GtkLabel           *review_summary;
  GtkLabel           *review_document;
  GtkLabel           *review_error;
  GtkButton          *sign_button;
  GtkLabel           *progress_label;
  GtkSpinner         *progress_spinner;
  AdwStatusPage      *done_page;
  AdwStatusPage      *failed_page;
  GtkButton          *failed_action;   /* what to do about it, per cause */
  int                 failed_cause;    /* SemperShopError code of the failure shown */
};

G_DEFINE_FINAL_TYPE (WalletShopMerchantView, wallet_shop_merchant_view, ADW_TYPE_BIN)

enum {
  SIGNAL_CLOSE,
  SIGNAL_RECEIPT_ADDED,
  SIGNAL_SHOW_RECEIPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_order (WalletShopMerchantView *self);

static void
toast (WalletShopMerchantView *self,
       const char             *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
set_step (WalletShopMerchantView *self,
          const char             *step)
{
  gtk_stack_set_visible_child_name (self->stack, step);
  /* While the exchange runs there is no going back: it finishes or resolves. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), g_strcmp0 (step, "progress") != 0);
}

const char *
wallet_shop_merchant_view_get_step (WalletShopMerchantView *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_MERCHANT_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
wallet_shop_merchant_view_get_url (WalletShopMerchantView *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_MERCHANT_VIEW (self), NULL);

  return self->url;
}

gint64
wallet_shop_merchant_view_get_receipt_id (WalletShopMerchantView *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_MERCHANT_VIEW (self), 0);

  return self->receipt_id;
}

static char *
format_amount (const SemperAmount *amount)
{
  return semper_amount_format (amount);
}

static const char *
system_name (const char *id)
{
  if (g_strcmp0 (id, "ecash") == 0)
    return _("E-cash");
  if (g_strcmp0 (id, "account") == 0)
    return _("Bank account");
  return id;
}

static SemperService *
find_service (WalletShopMerchantView *self,
              const char             *id)
{
  for (guint i = 0; self->listings != NULL && i < self->listings->len; i++)
    {
      SemperShopListing *listing = self->listings->pdata[i];

      if (listing->service != NULL && g_strcmp0 (listing->id, id) == 0)
        return listing->service;
    }
  return NULL;
}

/* ---- why something did not go ahead, and what to do ------------------ */

static void
explain_failure (WalletShopMerchantView *self,
                 const GError           *error,
                 SemperPurchaseState     state)
{
  const char *title = _("The Purchase Did Not Go Ahead");
  const char *advice;
  const char *action = NULL;
  g_autofree char *description = NULL;

  self->failed_cause = error->domain == SEMPER_SHOP_ERROR ? error->code : -1;
  /* The four reasons a payment cannot go ahead, each with what to do. */
  if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BALANCE))
    {
      title = _("Not Enough Money");
      advice = _("Nothing was paid. Your e-cash purse (or your bank account) does not hold "
                 "enough for this order. Withdraw more in Preferences → Payment Methods, then "
                 "order again.");
      action = _("_Withdraw in Preferences…");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_LIMIT))
    {
      title = _("Over Your Spending Limit");
      advice = _("Nothing was paid. The total is over the limit you set for each payment "
                 "system this merchant accepts. Raise the limit in Preferences → Payment "
                 "Methods if you mean to spend this much, or order less.");
      action = _("Change _Limits in Preferences…");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NO_SYSTEM))
    {
      title = _("No Common Way to Pay");
      advice = _("Nothing was paid. The merchant accepts none of the payment systems you "
                 "chose or set up. Pay another way: choose another payment system for the "
                 "order, or link a bank account in Preferences → Payment Methods.");
      action = _("Pay _Another Way…");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_EXPIRED))
    {
      title = _("The Offer Has Expired");
      advice = _("Nothing was paid. The merchant’s signed offer is no longer valid. Ask the "
                 "merchant for a new offer: you review it again before you sign.");
      action = _("Ask for a _New Offer");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_PAYMENT))
    {
      title = _("The Payment Cannot Go Ahead");
      advice = _("Nothing was paid. Check your e-cash balance and your spending limits in "
                 "Preferences, withdraw more, or choose another payment system.");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED))
    {
      title = _("The Merchant’s Offer Was Refused");
      advice = _("Nothing was paid. What the merchant sent does not match its certified "
                 "service; do not buy there until the merchant has fixed it.");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_DECLINED)
           || g_error_matches (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED))
    {
      title = _("Not Signed");
      advice = _("You did not sign the order, so nothing was ordered or paid.");
    }
  else if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND))
    advice = _("Nothing was paid. The merchant does not sell this item (any more): "
               "look for it in the catalog again.");
  else if (state == SEMPER_PURCHASE_ABORTED)
    advice = _("The exchange was aborted before anything was paid.");
  else if (state == SEMPER_PURCHASE_REFUNDED)
    {
      title = _("Refunded");
      advice = _("The trusted third party revoked the payment: the money comes back to you.");
    }
  else if (state >= SEMPER_PURCHASE_ORDERING)
    advice = _("If anything was paid, the wallet finishes the exchange or resolves it with the "
               "trusted third party; no payment is lost or made twice. Follow it in Activity.");
  else
    advice = _("Nothing was paid. Try again later, or ask the merchant.");

  description = g_strdup_printf ("%s\n\n%s", error->message, advice);
  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->failed_action), action != NULL);
  if (action != NULL)
    gtk_button_set_label (self->failed_action, action);
  set_step (self, "failed");
}

static void review_clicked_cb (WalletShopMerchantView *self);

static void
failed_action_clicked_cb (WalletShopMerchantView *self)
{
  switch (self->failed_cause)
    {
    case SEMPER_SHOP_ERROR_BALANCE:
    case SEMPER_SHOP_ERROR_LIMIT:
      if (!gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL))
        toast (self, _("Open Preferences from the main menu"));
      break;
    case SEMPER_SHOP_ERROR_NO_SYSTEM:
      /* Back to the order, with its payment choice in focus. */
      show_order (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->payment_row));
      break;
    case SEMPER_SHOP_ERROR_EXPIRED:
      show_order (self);
      review_clicked_cb (self);
      break;
    default:
      break;
    }
}

/* For the tests: the failure page of @error, as a purchase would show it. */
void
_wallet_shop_merchant_view_explain_failure (WalletShopMerchantView *self,
                                            const GError           *error)
{
  explain_failure (self, error, SEMPER_PURCHASE_NEW);
}

GtkWidget *
_wallet_shop_merchant_view_get_failure (WalletShopMerchantView *self,
                                        const char             *name)
{
  if (g_str_equal (name, "page"))
    return GTK_WIDGET (self->failed_page);
  if (g_str_equal (name, "action"))
    return GTK_WIDGET (self->failed_action);
  return NULL;
}

/* ---- services ---------------------------------------------------------- */

static void
offer_buy_clicked_cb (GtkButton              *button,
                      WalletShopMerchantView *self)
{
  const char *service = g_object_get_data (G_OBJECT (button), "service-id");
  const char *offer = g_object_get_data (G_OBJECT (button), "offer-id");
  const char *items[] = { offer, NULL };

  wallet_shop_merchant_view_start_order (self, service, items);
}

static void
browse_clicked_cb (GtkButton              *button,
                   WalletShopMerchantView *self)
{
  wallet_shop_merchant_view_browse (self, g_object_get_data (G_OBJECT (button), "service-id"));
}

static GtkWidget *
listing_group (WalletShopMerchantView *self,
               SemperShopListing      *listing)
{
  GtkWidget *group = adw_preferences_group_new ();
  SemperService *service = listing->service;
  g_autofree char *description = NULL;
  g_autofree char *until = NULL;
  g_autoptr(GString) systems = g_string_new (NULL);
  const char * const *terms;
  const char * const *ids;
  SemperSignerInfo *evaluator;
  GtkWidget *terms_row;

  if (service == NULL)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Service “%s”"), listing->id);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Refused: not shown"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), listing->refusal != NULL
                                   ? listing->refusal->message : "");
      gtk_widget_add_css_class (row, "error");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      return group;
    }

  ids = semper_service_get_payment_systems (service);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_string_append_printf (systems, "%s%s", i > 0 ? ", " : "", system_name (ids[i]));
  evaluator = semper_service_get_evaluator_signer (service);
  if (semper_service_get_certified_until (service) != NULL)
    until = g_date_time_format (semper_service_get_certified_until (service), "%Y-%m-%d");
  description = g_strdup_printf (_("By %s · certified by %s until %s · pays with %s"),
                                 semper_service_get_merchant (service),
                                 evaluator != NULL ? evaluator->common_name
                                                   : _("an evaluator"),
                                 until != NULL ? until : "?", systems->str);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                   semper_service_get_title (service));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);

  terms_row = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (terms_row), _("Terms of business"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (terms_row),
                                 _("Signed by the merchant, certified by the evaluator"));
  terms = semper_service_get_terms (service);
  for (guint i = 0; terms != NULL && terms[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (terms[i]);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (terms_row), label);
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), terms_row);

  for (guint i = 0; i < semper_service_get_n_offers (service); i++)
    {
      const SemperServiceOffer *offer = semper_service_get_offer (service, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *price = gtk_label_new (NULL);
      GtkWidget *buy = gtk_button_new_with_mnemonic (_("_Buy…"));
      g_autofree char *price_text = format_amount (&offer->price);
      g_autofree char *buy_label = g_strdup_printf (_("Buy %s"), offer->title);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), offer->title);
      if (offer->description != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), offer->description);
      gtk_label_set_text (GTK_LABEL (price), price_text);
      gtk_widget_add_css_class (price, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), price);
      gtk_widget_set_valign (buy, GTK_ALIGN_CENTER);
      gtk_widget_set_name (buy, offer->id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (buy), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      buy_label, -1);
      g_object_set_data_full (G_OBJECT (buy), "service-id",
                              g_strdup (semper_service_get_id (service)), g_free);
      g_object_set_data_full (G_OBJECT (buy), "offer-id", g_strdup (offer->id), g_free);
      g_signal_connect (buy, "clicked", G_CALLBACK (offer_buy_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), buy);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  if (semper_service_get_catalog_size (service) > 0)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *browse = gtk_button_new_with_mnemonic (_("B_rowse"));
      guint size = semper_service_get_catalog_size (service);
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "Catalog of %u article",
                                                             "Catalog of %u articles", size),
                                                size);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Search and order articles"));
      gtk_widget_set_valign (browse, GTK_ALIGN_CENTER);
      gtk_widget_set_name (browse, "browse");
      g_object_set_data_full (G_OBJECT (browse), "service-id",
                              g_strdup (semper_service_get_id (service)), g_free);
      g_signal_connect (browse, "clicked", G_CALLBACK (browse_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), browse);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  return group;
}

static void
show_services (WalletShopMerchantView *self)
{
  for (guint i = 0; i < self->service_groups->len; i++)
    gtk_box_remove (self->services_box, self->service_groups->pdata[i]);
  g_ptr_array_set_size (self->service_groups, 0);

  for (guint i = 0; i < self->listings->len; i++)
    {
      GtkWidget *group = listing_group (self, self->listings->pdata[i]);

      gtk_box_append (self->services_box, group);
      g_ptr_array_add (self->service_groups, group);
    }
  if (self->listings->len == 0)
    {
      adw_status_page_set_title (self->error_page, _("No Services"));
      adw_status_page_set_description (self->error_page,
                                       _("This merchant offers no commerce services."));
      set_step (self, "error");
      return;
    }
  set_step (self, "services");
}

static void
services_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(WalletShopMerchantView) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *listings;

  listings = semper_shop_client_list_services_finish (SEMPER_SHOP_CLIENT (source), result,
                                                      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (listings == NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("%s\n\nCheck the address, and that the merchant is running."),
                         error->message);

      adw_status_page_set_title (self->error_page, _("Could Not Reach the Merchant"));
      adw_status_page_set_description (self->error_page, description);
      set_step (self, "error");
      return;
    }
  g_clear_pointer (&self->listings, g_ptr_array_unref);
  self->listings = listings;
  show_services (self);

  if (self->pending_service != NULL)
    {
      g_autofree char *service = g_steal_pointer (&self->pending_service);
      g_auto(GStrv) items = g_steal_pointer (&self->pending_items);

      if (self->pending_browse)
        wallet_shop_merchant_view_browse (self, service);
      else
        wallet_shop_merchant_view_start_order (self, service, (const char * const *) items);
    }
}

static void
load_services (WalletShopMerchantView *self)
{
  set_step (self, "loading");
  semper_shop_client_list_services_async (self->client, self->cancellable, services_loaded_cb,
                                          g_object_ref (self));
}

/* ---- the catalog ------------------------------------------------------- */

/* The catalog's pages come from a client of their own, one request at a
 * time (a SemperShopClient serves one thread at a time). */
typedef struct {
  SemperShopClient *client;
  char             *service_id;
  GQueue            waiting;   /* GTask */
  gboolean          busy;
} CatalogSource;

static void catalog_source_next (CatalogSource *source);

static void
catalog_source_free (gpointer data)
{
  CatalogSource *source = data;

  g_queue_clear_full (&source->waiting, g_object_unref);
  g_clear_object (&source->client);
  g_free (source->service_id);
  g_free (source);
}

static void
catalog_page_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CatalogSource *source = g_object_get_data (G_OBJECT (task), "source");
  g_autoptr(SemperShopPage) page = NULL;
  GError *error = NULL;

  page = semper_shop_client_search_finish (SEMPER_SHOP_CLIENT (object), result, &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    wallet_shop_catalog_return_page (task, page->total, page->articles);
  source->busy = FALSE;
  catalog_source_next (source);
}

static void
catalog_source_next (CatalogSource *source)
{
  GTask *task;

  while (!source->busy && (task = g_queue_pop_head (&source->waiting)) != NULL)
    {
      guint offset = GPOINTER_TO_UINT (g_task_get_task_data (task));

      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          continue;
        }
      source->busy = TRUE;
      semper_shop_client_search_async (source->client, source->service_id,
                                       g_object_get_data (G_OBJECT (task), "query"), NULL,
                                       offset, WALLET_SHOP_CATALOG_PAGE,
                                       g_task_get_cancellable (task), catalog_page_cb, task);
    }
}

static void
catalog_fetch (gpointer    data,
               const char *query,
               guint       offset,
               guint       limit,
               GTask      *task)
{
  CatalogSource *source = data;

  /* The source outlives the model's tasks: the model holds it until disposed,
   * and a task holds the model. */
  g_object_set_data (G_OBJECT (task), "source", source);
  g_object_set_data_full (G_OBJECT (task), "query", g_strdup (query), g_free);
  g_queue_push_tail (&source->waiting, g_object_ref (task));
  catalog_source_next (source);
}

static void
catalog_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *price = gtk_label_new (NULL);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (price, "numeric");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), subtitle);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), price);
  gtk_list_item_set_child (item, box);
}

static void
catalog_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  WalletShopArticle *article = gtk_list_item_get_item (item);
  const SemperArticle *a = wallet_shop_article_get_article (article);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *texts = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (texts);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  GtkWidget *price = gtk_widget_get_next_sibling (texts);
  g_autofree char *price_text = wallet_shop_article_dup_price (article);
  g_autofree char *line = NULL;

  if (a == NULL)
    {
      gtk_label_set_text (GTK_LABEL (title), _("Loading…"));
      gtk_label_set_text (GTK_LABEL (subtitle), "");
      gtk_label_set_text (GTK_LABEL (price), "");
      return;
    }
  line = g_strdup_printf ("%s · %s · %s", a->id, a->category, a->description);
  gtk_label_set_text (GTK_LABEL (title), a->title);
  gtk_label_set_text (GTK_LABEL (subtitle), line);
  gtk_label_set_text (GTK_LABEL (price), price_text);
}

static void
catalog_status_cb (WalletShopMerchantView *self)
{
  const GError *error = wallet_shop_catalog_model_get_error (self->catalog_model);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->catalog_model));
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf (_("Could not load the catalog: %s"), error->message);
  else if (wallet_shop_catalog_model_get_loading (self->catalog_model) && n == 0)
    text = g_strdup (_("Searching…"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u article", "%u articles", n), n);
  gtk_label_set_text (self->catalog_status, text);
}

static void
search_changed_cb (GtkSearchEntry         *entry,
                   WalletShopMerchantView *self)
{
  if (self->catalog_model != NULL)
    wallet_shop_catalog_model_set_query (self->catalog_model,
                                         gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void add_item (WalletShopMerchantView *self, const char *id, const char *title,
                      guint quantity, const SemperAmount *price);

static void
catalog_activate_cb (GtkListView            *view,
                     guint                   position,
                     WalletShopMerchantView *self)
{
  g_autoptr(WalletShopArticle) article =
    g_list_model_get_item (G_LIST_MODEL (self->catalog_model), position);
  const SemperArticle *a = article != NULL ? wallet_shop_article_get_article (article) : NULL;
  g_autofree char *text = NULL;

  if (a == NULL)
    return;
  add_item (self, a->id, a->title, 1, &a->price);
  text = g_strdup_printf (_("Added %s to your order"), a->title);
  toast (self, text);
  show_order (self);
}

void
wallet_shop_merchant_view_browse (WalletShopMerchantView *self,
                                  const char             *service_id)
{
  SemperService *service;
  CatalogSource *source;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WALLET_IS_SHOP_MERCHANT_VIEW (self));

  if (self->listings == NULL)
    {
      g_free (self->pending_service);
      self->pending_service = g_strdup (service_id);
      self->pending_browse = TRUE;
      return;
    }
  service = find_service (self, service_id);
  if (service == NULL)
    return;
  if (self->service != service)
    {
      g_set_object (&self->service, service);
      g_array_set_size (self->items, 0);
      g_clear_object (&self->purchase);
    }

  source = g_new0 (CatalogSource, 1);
  source->client = semper_shop_client_new (self->profile, self->url, &error);
  if (source->client == NULL)
    {
      catalog_source_free (source);
      toast (self, error->message);
      return;
    }
  source->service_id = g_strdup (service_id);
  g_queue_init (&source->waiting);

  if (self->catalog_model != NULL)
    g_signal_handlers_disconnect_by_data (self->catalog_model, self);
  g_clear_object (&self->catalog_model);
  self->catalog_model = wallet_shop_catalog_model_new (catalog_fetch, source,
                                                       catalog_source_free);
  g_signal_connect_swapped (self->catalog_model, "notify::loading",
                            G_CALLBACK (catalog_status_cb), self);
  g_signal_connect_swapped (self->catalog_model, "notify::error",
                            G_CALLBACK (catalog_status_cb), self);
  g_signal_connect_swapped (self->catalog_model, "items-changed",
                            G_CALLBACK (catalog_status_cb), self);
  gtk_list_view_set_model (self->catalog_view,
                           GTK_SELECTION_MODEL (gtk_single_selection_new (
                             g_object_ref (G_LIST_MODEL (self->catalog_model)))));
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  wallet_shop_catalog_model_set_query (self->catalog_model, NULL);
  catalog_status_cb (self);
  set_step (self, "catalog");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ---- the order ---------------------------------------------------------- */

static void
add_item (WalletShopMerchantView *self,
          const char             *id,
          const char             *title,
          guint                   quantity,
          const SemperAmount     *price)
{
  OrderItem item = { 0 };

  for (guint i = 0; i < self->items->len; i++)
    {
      OrderItem *other = &g_array_index (self->items, OrderItem, i);

      if (g_strcmp0 (other->id, id) == 0)
        {
          other->quantity += quantity;
          return;
        }
    }
  item.id = g_strdup (id);
  item.title = g_strdup (title);
  item.quantity = quantity;
  if (price != NULL)
    item.price = *price;
  else
    item.price.minor = -1;
  g_array_append_val (self->items, item);
}

static void
remove_item_clicked_cb (GtkButton              *button,
                        WalletShopMerchantView *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "item-id");

  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (g_array_index (self->items, OrderItem, i).id, id) == 0)
      {
        g_array_remove_index (self->items, i);
        break;
      }
  show_order (self);
}

static GtkWidget *
field_row (WalletShopMerchantView *self,
           const SemperOrderField *field)
{
  g_autofree char *title = field->required
                           ? g_strdup (field->label)
                           : g_strdup_printf (_("%s (optional)"), field->label);
  GtkWidget *row;
  GtkWidget *input;

  switch (field->type)
    {
    case SEMPER_ORDER_FIELD_CHOICE:
      {
        GtkStringList *choices = gtk_string_list_new (NULL);

        if (!field->required)
          gtk_string_list_append (choices, "");
        for (guint i = 0; field->choices != NULL && field->choices[i] != NULL; i++)
          gtk_string_list_append (choices, field->choices[i]);
        row = adw_combo_row_new ();
        adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (choices));
        g_object_unref (choices);
        input = row;
        break;
      }
    case SEMPER_ORDER_FIELD_ADDRESS:
      {
        GtkWidget *view = gtk_text_view_new ();

        row = adw_action_row_new ();
        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
        gtk_widget_set_size_request (view, 240, 72);
        gtk_widget_set_hexpand (view, TRUE);
        gtk_widget_set_margin_top (view, 6);
        gtk_widget_set_margin_bottom (view, 6);
        gtk_widget_add_css_class (view, "card");
        gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        field->label, -1);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), view);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("One line per line of the address"));
        input = view;
        break;
      }
    default:
      row = adw_entry_row_new ();
      if (field->type == SEMPER_ORDER_FIELD_EMAIL)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_EMAIL);
      else if (field->type == SEMPER_ORDER_FIELD_QUANTITY)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_DIGITS);
      input = row;
      break;
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, field->name);
  g_hash_table_replace (self->field_widgets, g_strdup (field->name), input);
  g_object_set_data (G_OBJECT (input), "row", row);
  return row;
}

/* The user's answer to @field, as core takes it (NULL: none). */
static char *
field_answer (GtkWidget *input)
{
  if (ADW_IS_COMBO_ROW (input))
    {
      GObject *item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (input));
      const char *text = item != NULL ? gtk_string_object_get_string (GTK_STRING_OBJECT (item))
                                      : NULL;

      return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
    }
  if (GTK_IS_TEXT_VIEW (input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (input));
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
      g_auto(GStrv) result = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (*g_strstrip (lines[i]) != '\0')
          g_strv_builder_add (kept, lines[i]);
      result = g_strv_builder_end (kept);
      return result[0] != NULL ? g_strjoinv ("\n", result) : NULL;
    }
  {
    g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (input)));

    g_strstrip (text);
    return *text != '\0' ? g_steal_pointer (&text) : NULL;
  }
}

static void
show_order (WalletShopMerchantView *self)
{
  SemperOrderForm *form;
  g_autoptr(GHashTable) previous = NULL;
  const char * const *ids;
  guint selected = 0;

  if (self->service == NULL)
    return;

  for (guint i = 0; i < self->item_rows->len; i++)
    adw_preferences_group_remove (self->items_group, self->item_rows->pdata[i]);
  g_ptr_array_set_size (self->item_rows, 0);
  for (guint i = 0; i < self->items->len; i++)
    {
      OrderItem *item = &g_array_index (self->items, OrderItem, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
      g_autofree char *title = g_strdup_printf ("%u × %s", item->quantity,
                                                item->title != NULL ? item->title : item->id);
      g_autofree char *price = item->price.minor >= 0 ? format_amount (&item->price) : NULL;
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s"),
                                                       item->title != NULL ? item->title
                                                                           : item->id);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (price != NULL)
        {
          g_autofree char *subtitle = g_strdup_printf (_("%s each"), price);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        }
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove from the order"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "item-id", g_strdup (item->id), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_item_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->items_group, row);
      g_ptr_array_add (self->item_rows, row);
    }
  adw_preferences_group_set_description (self->items_group, self->items->len == 0
                                         ? _("Nothing yet: choose an offer or an article.")
                                         : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->more_button),
                          semper_service_get_catalog_size (self->service) > 0);

  /* The form: rebuilt for this service, keeping what was typed. */
  previous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, self->field_widgets);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        char *answer = field_answer (value);

        if (answer != NULL)
          g_hash_table_insert (previous, g_strdup (key), answer);
      }
  }
  for (guint i = 0; i < self->form_rows->len; i++)
    adw_preferences_group_remove (self->form_group, self->form_rows->pdata[i]);
  g_ptr_array_set_size (self->form_rows, 0);
  g_hash_table_remove_all (self->field_widgets);
  form = semper_service_get_order_form (self->service);
  adw_preferences_group_set_title (self->form_group, semper_order_form_get_title (form));
  for (guint i = 0; i < semper_order_form_get_n_fields (form); i++)
    {
      const SemperOrderField *field = semper_order_form_get_field (form, i);
      GtkWidget *row = field_row (self, field);
      GtkWidget *input = g_hash_table_lookup (self->field_widgets, field->name);
      const char *answer = g_hash_table_lookup (previous, field->name);

      if (answer != NULL && ADW_IS_ENTRY_ROW (input))
        gtk_editable_set_text (GTK_EDITABLE (input), answer);
      else if (answer != NULL && GTK_IS_TEXT_VIEW (input))
        gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (input)), answer, -1);
      adw_preferences_group_add (self->form_group, row);
      g_ptr_array_add (self->form_rows, row);
    }

  /* The payment systems that this service accepts. */
  while (g_list_model_get_n_items (G_LIST_MODEL (self->payment_ids)) > 0)
    gtk_string_list_remove (self->payment_ids, 0);
  {
    g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

    gtk_string_list_append (self->payment_ids, "");
    gtk_string_list_append (names, _("Automatic (your preferences)"));
    ids = semper_service_get_payment_systems (self->service);
    for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
      {
        gtk_string_list_append (self->payment_ids, ids[i]);
        gtk_string_list_append (names, system_name (ids[i]));
      }
    selected = adw_combo_row_get_selected (self->payment_row);
    adw_combo_row_set_model (self->payment_row, G_LIST_MODEL (names));
    if (selected < g_list_model_get_n_items (G_LIST_MODEL (names)))
      adw_combo_row_set_selected (self->payment_row, selected);
  }

  gtk_widget_set_visible (GTK_WIDGET (self->order_error), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->review_button), self->items->len > 0);
  set_step (self, "order");
}

void
wallet_shop_merchant_view_start_order (WalletShopMerchantView *self,
                                       const char             *service_id,
                                       const char * const     *items)
{
  SemperService *service;

  g_return_if_fail (WALLET_IS_SHOP_MERCHANT_VIEW (self));

  if (self->listings == NULL)
    {
      g_free (self->pending_service);
      self->pending_service = g_strdup (service_id);
      g_strfreev (self->pending_items);
      self->pending_items = g_strdupv ((char **) items);
      self->pending_browse = FALSE;
      return;
    }
  service = find_service (self, service_id);
  if (service == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("This merchant has no certified service "
                                                 "“%s”."), service_id);
      toast (self, text);
      return;
    }
  if (self->service != service)
    {
      g_set_object (&self->service, service);
      g_array_set_size (self->items, 0);
    }
  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (items[i], ":", 2);
      guint64 quantity = 1;
      const SemperServiceOffer *offer = semper_service_find_offer (service, parts[0]);

      if (parts[1] != NULL
          && (!g_ascii_string_to_unsigned (parts[1], 10, 1, 1000000, &quantity, NULL)))
        continue;
      add_item (self, parts[0], offer != NULL ? offer->title : NULL, (guint) quantity,
                offer != NULL ? &offer->price : NULL);
    }
  show_order (self);
}

static void
mark_problems (WalletShopMerchantView *self,
               GPtrArray              *problems)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->field_widgets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    gtk_widget_remove_css_class (g_object_get_data (value, "row"), "error");
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      SemperOrderProblem *problem = problems->pdata[i];
      GtkWidget *input = g_hash_table_lookup (self->field_widgets, problem->field);

      if (input != NULL)
        gtk_widget_add_css_class (g_object_get_data (G_OBJECT (input), "row"), "error");
      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", problem->message);
    }
  gtk_label_set_text (self->order_error, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->order_error), text->len > 0);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WalletShopMerchantView) self = user_data;
  SemperPurchase *purchase = SEMPER_PURCHASE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autofree char *total = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  document = semper_purchase_prepare_finish (purchase, result, &error);
  if (purchase != self->purchase)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->review_button), TRUE);
  if (document == NULL)
    {
      if (g_error_matches (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BAD_ANSWER)
          || g_error_matches (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ANSWER)
          || g_error_matches (error, SEMPER_ORDER_FORM_ERROR, SEMPER_ORDER_FORM_ERROR_BAD_ITEMS))
        {
          g_autoptr(GPtrArray) problems = semper_purchase_validate (purchase);

          mark_problems (self, problems);
          if (problems->len == 0)
            {
              gtk_label_set_text (self->order_error, error->message);
              gtk_widget_set_visible (GTK_WIDGET (self->order_error), TRUE);
            }
          g_clear_object (&self->purchase);
          set_step (self, "order");
          return;
        }
      explain_failure (self, error, semper_purchase_get_state (purchase));
      g_clear_object (&self->purchase);
      return;
    }

  g_clear_pointer (&self->order_document, g_bytes_unref);
  self->order_document = g_bytes_ref (document);
  total = format_amount (semper_purchase_get_total (purchase));
  summary = g_strdup_printf (_("Total %s, paid with %s, to %s. Read the order below; the "
                               "trusted display shows it again, exactly as your key will "
                               "sign it."),
                             total, system_name (semper_purchase_get_payment_system (purchase)),
                             semper_service_get_merchant (self->service));
  gtk_label_set_text (self->review_summary, summary);
  data = g_bytes_get_data (document, &size);
  text = g_utf8_make_valid (data, (gssize) size);
  gtk_label_set_text (self->review_document, text);
  gtk_widget_set_visible (GTK_WIDGET (self->review_error), FALSE);
  set_step (self, "review");
}

static void
review_clicked_cb (WalletShopMerchantView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(SemperPurchase) purchase = NULL;
  GObject *payment;
  GHashTableIter iter;
  gpointer key, value;

  if (self->service == NULL || self->items->len == 0)
    return;
  purchase = semper_purchase_new (self->client, semper_service_get_id (self->service),
                                  NULL, &error);
  if (purchase == NULL)
    {
      explain_failure (self, error, SEMPER_PURCHASE_NEW);
      return;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      OrderItem *item = &g_array_index (self->items, OrderItem, i);

      if (!semper_purchase_add_item (purchase, item->id, item->quantity, &error))
        {
          gtk_label_set_text (self->order_error, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->order_error), TRUE);
          return;
        }
    }
  g_hash_table_iter_init (&iter, self->field_widgets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *answer = field_answer (value);

      if (answer != NULL)
        semper_purchase_set_answer (purchase, key, answer);
    }
  payment = g_list_model_get_item (G_LIST_MODEL (self->payment_ids),
                                    adw_combo_row_get_selected (self->payment_row));
  if (payment != NULL)
    {
      const char *id = gtk_string_object_get_string (GTK_STRING_OBJECT (payment));

      semper_purchase_set_payment_system (purchase, *id != '\0' ? id : NULL);
      g_object_unref (payment);
    }

  problems = semper_purchase_validate (purchase);
  mark_problems (self, problems);
  if (problems->len > 0)
    return;

  g_set_object (&self->purchase, purchase);
  gtk_widget_set_sensitive (GTK_WIDGET (self->review_button), FALSE);
  semper_purchase_prepare_async (purchase, self->cancellable, prepared_cb, g_object_ref (self));
}

/* ---- signing and paying ------------------------------------------------ */

static const char *
state_text (SemperPurchaseState state)
{
  switch (state)
    {
    case SEMPER_PURCHASE_NEW:
    case SEMPER_PURCHASE_REQUESTING_OFFER:
      return _("Asking the merchant for its signed offer…");
    case SEMPER_PURCHASE_AWAITING_CONSENT:
      return _("Waiting for your signature…");
    case SEMPER_PURCHASE_ORDERING:
      return _("Sending your signed order…");
    case SEMPER_PURCHASE_PAYING:
      return _("Paying and receiving the goods…");
    case SEMPER_PURCHASE_RESOLVING:
      return _("The merchant did not finish: asking the trusted third party…");
    case SEMPER_PURCHASE_DONE:
      return _("Done.");
    case SEMPER_PURCHASE_ABORTED:
      return _("Aborted.");
    case SEMPER_PURCHASE_REFUNDED:
      return _("Refunded.");
    case SEMPER_PURCHASE_FAILED:
    default:
      return _("Failed.");
    }
}

typedef struct {
  GWeakRef            view;
  SemperPurchase     *purchase;
  SemperPurchaseState state;
} Progress;

static gboolean
progress_main_cb (gpointer data)
{
  Progress *progress = data;
  g_autoptr(WalletShopMerchantView) self = g_weak_ref_get (&progress->view);

  if (self != NULL && self->purchase == progress->purchase)
    gtk_label_set_text (self->progress_label, state_text (progress->state));
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_weak_ref_clear (&progress->view);
  g_free (progress);
}

/* Called in the purchase's worker thread. */
static void
progress_cb (SemperPurchase      *purchase,
             SemperPurchaseState  state,
             gpointer             user_data)
{
  GWeakRef *view = user_data;
  g_autoptr(GObject) self = g_weak_ref_get (view);
  Progress *progress;

  if (self == NULL)
    return;
  progress = g_new0 (Progress, 1);
  g_weak_ref_init (&progress->view, self);
  progress->purchase = purchase;
  progress->state = state;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, progress_main_cb, progress,
                              progress_free);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
completed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WalletShopMerchantView) self = user_data;
  SemperPurchase *purchase = SEMPER_PURCHASE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *total = NULL;
  g_autofree char *description = NULL;
  gint64 id;

  id = semper_purchase_complete_finish (purchase, result, &error);
  gtk_spinner_stop (self->progress_spinner);
  if (id == 0)
    {
      explain_failure (self, error, semper_purchase_get_state (purchase));
      return;
    }
  self->receipt_id = id;
  total = format_amount (semper_purchase_get_total (purchase));
  description = g_strdup_printf (_("You paid %s with %s. %s signed the receipt; it is kept "
                                   "in Receipts, where its signature can be checked at any "
                                   "time."),
                                 total,
                                 system_name (semper_purchase_get_payment_system (purchase)),
                                 semper_service_get_merchant (self->service));
  adw_status_page_set_description (self->done_page, description);
  g_array_set_size (self->items, 0);
  set_step (self, "done");
  g_signal_emit (self, signals[SIGNAL_RECEIPT_ADDED], 0, id);
}

/* ---- the payment authorisation: a second consent, asked from the purchase's thread ---- */

/* What the purchase keeps to ask for it: the consent port and whom the
 * authorisation goes to. */
typedef struct {
  WalletConsentPort *port;
  SemperSignerInfo  *merchant;  /* (nullable) */
} SecondConsent;

static void
second_consent_free (gpointer data)
{
  SecondConsent *second = data;

  g_clear_object (&second->port);
  g_clear_pointer (&second->merchant, semper_signer_info_unref);
  g_free (second);
}

/* One request, on the stack of the waiting worker thread. */
typedef struct {
  SecondConsent *second;
  GBytes        *document;
  const char    *purpose;
  GMutex         lock;
  GCond          cond;
  gboolean       done;
  SemperConsent *consent;
  GError        *error;
} SecondRequest;

static void
second_consented_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SecondRequest *request = user_data;
  GError *error = NULL;
  SemperConsent *consent;

  consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  g_mutex_lock (&request->lock);
  request->consent = consent;
  request->error = error;
  request->done = TRUE;
  g_cond_signal (&request->cond);
  g_mutex_unlock (&request->lock);
}

/* Runs in the main thread. */
static gboolean
second_request_idle_cb (gpointer user_data)
{
  SecondRequest *request = user_data;

  wallet_consent_port_request_full_async (request->second->port, request->document,
                                          request->purpose, request->second->merchant, NULL,
                                          second_consented_cb, request);
  return G_SOURCE_REMOVE;
}

/* The SemperPurchaseConsentFunc: an account payment's authorisation names
 * the merchant's invoice, so it exists only once the order is on its way.
 * Called in the purchase's worker thread, it opens the trusted display in
 * the main thread (an idle source on the main context, never
 * g_main_context_invoke(), which could run GTK code here) and waits for the
 * user's decision. */
static SemperConsent *
second_consent_cb (SemperPurchase  *purchase,
                   GBytes          *document,
                   const char      *purpose,
                   gpointer         user_data,
                   GError         **error)
{
  SecondRequest request = { user_data, document, purpose };
  GSource *source;

  g_return_val_if_fail (!g_main_context_is_owner (g_main_context_default ()), NULL);

  g_mutex_init (&request.lock);
  g_cond_init (&request.cond);
  source = g_idle_source_new ();
  g_source_set_callback (source, second_request_idle_cb, &request, NULL);
  g_source_attach (source, g_main_context_default ());
  g_source_unref (source);

  g_mutex_lock (&request.lock);
  while (!request.done)
    g_cond_wait (&request.cond, &request.lock);
  g_mutex_unlock (&request.lock);
  g_mutex_clear (&request.lock);
  g_cond_clear (&request.cond);

  if (request.consent == NULL)
    g_propagate_error (error, request.error);
  return request.consent;
}

static void
consented_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WalletShopMerchantView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  SecondConsent *second;
  GWeakRef *view;

  consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_button), TRUE);
  if (consent == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED))
        text = g_strdup (_("You did not sign: nothing was ordered or paid. Sign again when "
                           "you are ready, or go back to change the order."));
      else
        text = g_strdup_printf (_("Not signed: %s"), error->message);
      gtk_label_set_text (self->review_error, text);
      gtk_widget_set_visible (GTK_WIDGET (self->review_error), TRUE);
      return;
    }
  if (self->purchase == NULL)
    return;

  view = g_new0 (GWeakRef, 1);
  g_weak_ref_init (view, self);
  semper_purchase_set_progress_func (self->purchase, progress_cb, view, weak_ref_free);
  /* A payment authorisation, if the payment system needs one, is signed in
   * the trusted display too, with the same merchant shown. */
  second = g_new0 (SecondConsent, 1);
  second->port = g_object_ref (WALLET_CONSENT_PORT (source));
  if (semper_service_get_merchant_signer (self->service) != NULL)
    second->merchant = semper_signer_info_ref (semper_service_get_merchant_signer (self->service));
  semper_purchase_set_consent_func (self->purchase, second_consent_cb, second,
                                    second_consent_free);
  gtk_label_set_text (self->progress_label, state_text (SEMPER_PURCHASE_ORDERING));
  gtk_spinner_start (self->progress_spinner);
  set_step (self, "progress");
  /* Not cancellable: once the order is signed the exchange finishes or resolves. */
  semper_purchase_complete_async (self->purchase, consent, NULL, completed_cb,
                                  g_object_ref (self));
}

static void
sign_clicked_cb (WalletShopMerchantView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  WalletConsentPort *port = WALLET_IS_APPLICATION (app)
                            ? wallet_application_get_consent_port (WALLET_APPLICATION (app))
                            : NULL;

  if (self->order_document == NULL || self->purchase == NULL)
    return;
  if (port == NULL)
    {
      gtk_label_set_text (self->review_error, _("The trusted display is not available."));
      gtk_widget_set_visible (GTK_WIDGET (self->review_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->review_error), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_button), FALSE);
  wallet_consent_port_request_full_async (port, self->order_document, "order",
                                          semper_service_get_merchant_signer (self->service),
                                          self->cancellable, consented_cb, g_object_ref (self));
}

/* ---- navigation --------------------------------------------------------- */

static void
back_clicked_cb (WalletShopMerchantView *self)
{
  const char *step = wallet_shop_merchant_view_get_step (self);

  if (g_strcmp0 (step, "review") == 0)
    {
      g_clear_object (&self->purchase);
      show_order (self);
    }
  else if (g_strcmp0 (step, "services") == 0 || g_strcmp0 (step, "loading") == 0
           || g_strcmp0 (step, "error") == 0)
    g_signal_emit (self, signals[SIGNAL_CLOSE], 0);
  else
    {
      g_clear_object (&self->purchase);
      if (self->listings != NULL)
        set_step (self, "services");
      else
        load_services (self);
    }
}

static void
more_clicked_cb (WalletShopMerchantView *self)
{
  if (self->service != NULL)
    wallet_shop_merchant_view_browse (self, semper_service_get_id (self->service));
}

static void
show_receipt_clicked_cb (WalletShopMerchantView *self)
{
  if (self->receipt_id != 0)
    g_signal_emit (self, signals[SIGNAL_SHOW_RECEIPT], 0, self->receipt_id);
}

static void
retry_clicked_cb (WalletShopMerchantView *self)
{
  load_services (self);
}

/* ---- construction ------------------------------------------------------- */

static GtkWidget *
clamped_page (GtkWidget *child)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_widget_set_margin_top (child, 18);
  gtk_widget_set_margin_bottom (child, 18);
  gtk_widget_set_margin_start (child, 12);
  gtk_widget_set_margin_end (child, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static GtkWidget *
pill_button (const char *mnemonic,
             const char *name,
             gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  return button;
}

static GtkWidget *
error_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static void
build (WalletShopMerchantView *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *box;
  GtkWidget *spinner;
  GtkWidget *button;
  GtkWidget *scrolled;
  GtkWidget *page;
  GtkListItemFactory *factory;

  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_end (bar, 6);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  self->back_button = GTK_BUTTON (gtk_button_new_from_icon_name ("go-previous-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->back_button), _("Back"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->back_button));
  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->title_label));
  gtk_box_append (GTK_BOX (outer), bar);
  gtk_box_append (GTK_BOX (outer), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (outer), GTK_WIDGET (self->stack));
  adw_bin_set_child (ADW_BIN (self), outer);

  /* loading */
  page = adw_status_page_new ();
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Checking the Merchant’s Services…"));
  adw_status_page_set_description (ADW_STATUS_PAGE (page),
                                   _("Each service is shown only if its merchant’s signature and "
                                     "its evaluator’s certification verify."));
  adw_status_page_set_child (ADW_STATUS_PAGE (page), spinner);
  gtk_stack_add_named (self->stack, page, "loading");

  /* error */
  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  button = pill_button (_("_Try Again"), "retry", FALSE);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (retry_clicked_cb), self);
  adw_status_page_set_child (self->error_page, button);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");

  /* services */
  self->services_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 24));
  gtk_stack_add_named (self->stack, clamped_page (GTK_WIDGET (self->services_box)), "services");

  /* catalog */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text",
                _("Search the catalog by word, id or category"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search the catalog"), -1);
  gtk_widget_set_margin_start (GTK_WIDGET (self->search_entry), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->search_entry), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->search_entry), 12);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->search_entry));
  self->catalog_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->catalog_status, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (self->catalog_status), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self->catalog_status), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->catalog_status));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (catalog_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (catalog_bind_cb), NULL);
  self->catalog_view = GTK_LIST_VIEW (gtk_list_view_new (NULL, factory));
  gtk_list_view_set_single_click_activate (self->catalog_view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->catalog_view), "rich-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->catalog_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Articles; activate one to add it to your order"), -1);
  g_signal_connect (self->catalog_view, "activate", G_CALLBACK (catalog_activate_cb), self);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->catalog_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_stack_add_named (self->stack, box, "catalog");

  /* order */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  self->items_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->items_group, _("Your Order"));
  self->more_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Add From the Catalog…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->more_button), "flat");
  g_signal_connect_swapped (self->more_button, "clicked", G_CALLBACK (more_clicked_cb), self);
  adw_preferences_group_set_header_suffix (self->items_group, GTK_WIDGET (self->more_button));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->items_group));
  self->form_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->form_group));
  page = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (page), _("Payment"));
  self->payment_ids = gtk_string_list_new (NULL);
  self->payment_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->payment_row), _("Pay with"));
  gtk_widget_set_name (GTK_WIDGET (self->payment_row), "payment");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (page), GTK_WIDGET (self->payment_row));
  gtk_box_append (GTK_BOX (box), page);
  self->order_error = GTK_LABEL (error_label ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->order_error));
  self->review_button = GTK_BUTTON (pill_button (_("_Review Order…"), "review", TRUE));
  g_signal_connect_swapped (self->review_button, "clicked", G_CALLBACK (review_clicked_cb),
                            self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->review_button));
  gtk_stack_add_named (self->stack, clamped_page (box), "order");

  /* review */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  page = gtk_label_new (_("Review Your Order"));
  gtk_widget_add_css_class (page, "title-2");
  gtk_box_append (GTK_BOX (box), page);
  self->review_summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->review_summary, TRUE);
  gtk_label_set_xalign (self->review_summary, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->review_summary));
  self->review_document = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_selectable (self->review_document, TRUE);
  gtk_label_set_wrap (self->review_document, TRUE);
  gtk_label_set_wrap_mode (self->review_document, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->review_document, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->review_document), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->review_document), "card");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->review_document));
  self->review_error = GTK_LABEL (error_label ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->review_error));
  self->sign_button = GTK_BUTTON (pill_button (_("_Sign in the Trusted Display…"), "sign",
                                               TRUE));
  g_signal_connect_swapped (self->sign_button, "clicked", G_CALLBACK (sign_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->sign_button));
  gtk_stack_add_named (self->stack, clamped_page (box), "review");

  /* progress */
  page = adw_status_page_new ();
  self->progress_spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->progress_spinner), 32, 32);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Buying…"));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_spinner));
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->progress_label, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_label));
  adw_status_page_set_child (ADW_STATUS_PAGE (page), box);
  gtk_stack_add_named (self->stack, page, "progress");

  /* done */
  self->done_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->done_page, "emblem-ok-symbolic");
  adw_status_page_set_title (self->done_page, _("Paid — Receipt Kept"));
  button = pill_button (_("_Show the Receipt"), "show-receipt", TRUE);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (show_receipt_clicked_cb), self);
  adw_status_page_set_child (self->done_page, button);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->done_page), "done");

  /* failed */
  self->failed_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->failed_page, "dialog-warning-symbolic");
  self->failed_action = GTK_BUTTON (pill_button (_("_Withdraw in Preferences…"), "failed-action",
                                                 TRUE));
  gtk_widget_set_visible (GTK_WIDGET (self->failed_action), FALSE);
  g_signal_connect_swapped (self->failed_action, "clicked",
                            G_CALLBACK (failed_action_clicked_cb), self);
  adw_status_page_set_child (self->failed_page, GTK_WIDGET (self->failed_action));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->failed_page), "failed");
}

static void
wallet_shop_merchant_view_dispose (GObject *object)
{
  WalletShopMerchantView *self = WALLET_SHOP_MERCHANT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->catalog_model != NULL)
    g_signal_handlers_disconnect_by_data (self->catalog_model, self);
  g_clear_object (&self->catalog_model);
  g_clear_object (&self->purchase);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  g_clear_object (&self->profile);
  g_clear_object (&self->payment_ids);
  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (wallet_shop_merchant_view_parent_class)->dispose (object);
}

static void
wallet_shop_merchant_view_finalize (GObject *object)
{
  WalletShopMerchantView *self = WALLET_SHOP_MERCHANT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->listings, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->order_document, g_bytes_unref);
  g_clear_pointer (&self->service_groups, g_ptr_array_unref);
  g_clear_pointer (&self->item_rows, g_ptr_array_unref);
  g_clear_pointer (&self->form_rows, g_ptr_array_unref);
  g_clear_pointer (&self->field_widgets, g_hash_table_unref);
  g_clear_pointer (&self->pending_service, g_free);
  g_clear_pointer (&self->pending_items, g_strfreev);
  g_clear_error (&self->load_error);
  g_free (self->url);

  G_OBJECT_CLASS (wallet_shop_merchant_view_parent_class)->finalize (object);
}

static void
wallet_shop_merchant_view_class_init (WalletShopMerchantViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_shop_merchant_view_dispose;
  object_class->finalize = wallet_shop_merchant_view_finalize;

  /* The user wants the list of merchants again. */
  signals[SIGNAL_CLOSE] =
    g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* A purchase archived its receipt (the archive id). */
  signals[SIGNAL_RECEIPT_ADDED] =
    g_signal_new ("receipt-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* The user asked to see that receipt. */
  signals[SIGNAL_SHOW_RECEIPT] =
    g_signal_new ("show-receipt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
wallet_shop_merchant_view_init (WalletShopMerchantView *self)
{
  self->cancellable = g_cancellable_new ();
  self->items = g_array_new (FALSE, TRUE, sizeof (OrderItem));
  g_array_set_clear_func (self->items, order_item_clear);
  self->service_groups = g_ptr_array_new ();
  self->item_rows = g_ptr_array_new ();
  self->form_rows = g_ptr_array_new ();
  self->field_widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build (self);
}

WalletShopMerchantView *
wallet_shop_merchant_view_new (SemperProfile *profile,
                               const char    *url)
{
  WalletShopMerchantView *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (WALLET_TYPE_SHOP_MERCHANT_VIEW, NULL);
  self->profile = g_object_ref (profile);
  self->url = g_strdup (url);
  gtk_label_set_text (self->title_label, url);
  self->client = semper_shop_client_new (profile, url, &error);
  if (self->client == NULL)
    {
      adw_status_page_set_title (self->error_page, _("Could Not Reach the Merchant"));
      adw_status_page_set_description (self->error_page, error->message);
      set_step (self, "error");
      return self;
    }
  load_services (self);
  return self;
}
