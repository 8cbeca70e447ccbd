/* wallet-window.c: the main window of Semper Wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-window.h"

#include <glib/gi18n.h>

#include "semper-profile.h"
#include "wallet-activity-page.h"
#include "wallet-contracts-page.h"
#include "wallet-disputes-page.h"
#include "wallet-receipts-page.h"
#include "wallet-shop-page.h"

struct _WalletWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *stack;
  AdwViewSwitcherBar   *switcher_bar;
  WalletReceiptsPage   *receipts_page;
  WalletContractsPage  *contracts_page;
  WalletShopPage       *shop_page;
  WalletDisputesPage   *disputes_page;
  WalletActivityPage   *activity_page;

  /* The Activity and Contracts pages' exchanges run core calls in a worker
   * thread on the profile's archive; the browsers read their own connection
   * to the same file on the main thread (SemperArchive is not thread-safe). */
  WalletExchanges      *exchanges;
  SemperArchive        *view_archive;
};

G_DEFINE_FINAL_TYPE (WalletWindow, wallet_window, ADW_TYPE_APPLICATION_WINDOW)

/* The page names double as the choices of the "last-page" key. */
static const char * const page_names[] = {
  "shop", "activity", "receipts", "contracts", "disputes",
};

static gboolean
is_page_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *
wallet_window_get_visible_page (WalletWindow *self)
{
  g_return_val_if_fail (WALLET_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

/**
 * wallet_window_set_visible_page:
 * @self: a #WalletWindow
 * @page_name: one of "shop", "activity", "receipts", "contracts", "disputes"
 *
 * Shows the page @page_name. An unknown name is ignored (with a debug
 * message), since it can come from outside, e.g. a stale setting.
 */
void
wallet_window_set_visible_page (WalletWindow *self,
                                const char   *page_name)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));

  if (!is_page_name (page_name))
    {
      g_debug ("Ignoring unknown page “%s”", page_name ? page_name : "(null)");
      return;
    }

  adw_view_stack_set_visible_child_name (self->stack, page_name);
}

static void
visible_child_changed_cb (WalletWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  if (is_page_name (name))
    g_settings_set_string (self->settings, "last-page", name);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  wallet_window_set_visible_page (WALLET_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* "Dispute…" on a receipt or a finished exchange: the Disputes page with the
 * transaction and its TTP filled in. */
static void
open_dispute_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  WalletWindow *self = WALLET_WINDOW (widget);

  wallet_disputes_page_set_exchange (self->disputes_page, g_variant_get_string (parameter, NULL));
  wallet_window_set_visible_page (self, "disputes");
}

static void
restore_state (WalletWindow *self)
{
  g_autofree char *last_page = NULL;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  last_page = g_settings_get_string (self->settings, "last-page");
  wallet_window_set_visible_page (self, last_page);
}

static void
save_state (WalletWindow *self)
{
  int width = 0;
  int height = 0;

  /* In GTK 4 the default size follows the unmaximized size of the window. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
wallet_window_close_request (GtkWindow *window)
{
  save_state (WALLET_WINDOW (window));

  return GTK_WINDOW_CLASS (wallet_window_parent_class)->close_request (window);
}

/**
 * wallet_window_set_archive:
 * @archive: (nullable): the open profile's archive
 * @trust_root: (nullable): the profile's pinned root certificate (DER)
 *
 * Hands the archive to the Receipts and Contracts pages.
 */
void
wallet_window_set_archive (WalletWindow  *self,
                           SemperArchive *archive,
                           GBytes        *trust_root)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WALLET_IS_WINDOW (self));

  if (!wallet_receipts_page_set_archive (self->receipts_page, archive, trust_root, &error)
      || !wallet_contracts_page_set_archive (self->contracts_page, archive, trust_root, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the archive: %s"),
                                               error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
}

/* A purchase resumed (on start, Resume All, Retry, Resolve) enters its
 * receipt: the Receipts page shows it once the job is over (when shown; else
 * it reads the archive again on showing, as it does after any change). */
static void
exchanges_busy_cb (WalletWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->exchanges == NULL || wallet_exchanges_is_busy (self->exchanges)
      || !gtk_widget_get_mapped (GTK_WIDGET (self->receipts_page)))
    return;
  if (!wallet_receipts_page_reload (self->receipts_page, &error))
    g_debug ("Cannot reload the receipts: %s", error->message);
}

/* The exchanges of @profile for the Activity and Contracts pages, and a
 * connection of the main thread's own to its archive. On a new profile the
 * Activity page resumes the interrupted exchanges, visibly. */
static void
set_exchanges (WalletWindow  *self,
               SemperProfile *profile)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GError) error = NULL;

  if (self->exchanges != NULL && profile != NULL
      && wallet_exchanges_get_profile (self->exchanges) == profile)
    return;
  g_clear_object (&self->exchanges);
  g_clear_object (&self->view_archive);
  if (profile != NULL && WALLET_IS_APPLICATION (app))
    {
      const char *path = semper_archive_get_path (semper_profile_get_archive (profile));

      self->exchanges = wallet_exchanges_new (profile, wallet_application_get_consent_port (
                                                         WALLET_APPLICATION (app)));
      g_signal_connect_object (self->exchanges, "notify::busy",
                               G_CALLBACK (exchanges_busy_cb), self, G_CONNECT_SWAPPED);
      self->view_archive = semper_archive_open (path, &error);
      if (self->view_archive == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Could not read the archive: %s"),
                                                   error->message);

          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
        }
    }
  wallet_activity_page_set_exchanges (self->activity_page, self->exchanges, TRUE);
  wallet_contracts_page_set_exchanges (self->contracts_page, self->exchanges);
}

/* The application opens the profile (maybe after the window exists) and
 * notifies its "profile" property. */
static void
application_profile_cb (WalletWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GError) error = NULL;

  if (app == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (app), "profile") == NULL)
    return;
  g_object_get (app, "profile", &profile, NULL);
  set_exchanges (self, profile);
  /* The browsers verify against the profile's root and its revocation list,
   * as the exchange layer does. */
  root = profile != NULL ? semper_profile_dup_trust_root (profile) : NULL;
  if (root != NULL)
    trust = semper_profile_dup_trust (profile, &error);
  if (error != NULL
      || !wallet_receipts_page_set_archive_with_trust (self->receipts_page, self->view_archive,
                                                       trust, &error)
      || !wallet_receipts_page_set_archive_with_trust (
            wallet_contracts_page_get_browser (self->contracts_page), self->view_archive, trust,
            &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the archive: %s"),
                                               error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
  wallet_shop_page_set_profile (self->shop_page, profile);
  wallet_disputes_page_set_profile (self->disputes_page, profile);
}

static void
shop_receipt_added_cb (WalletWindow *self,
                       gint64        id)
{
  g_autoptr(GError) error = NULL;

  if (!wallet_receipts_page_reload (self->receipts_page, &error))
    g_debug ("Cannot reload the receipts: %s", error->message);
}

/**
 * wallet_window_show_receipt:
 * @id: a receipt's archive id
 *
 * Shows the Receipts page with receipt @id selected.
 */
void
wallet_window_show_receipt (WalletWindow *self,
                            gint64        id)
{
  g_autoptr(GError) error = NULL;
  guint position;

  g_return_if_fail (WALLET_IS_WINDOW (self));

  if (!wallet_receipts_page_reload (self->receipts_page, &error))
    g_debug ("Cannot reload the receipts: %s", error->message);
  wallet_window_set_visible_page (self, "receipts");
  if (wallet_record_model_find (wallet_receipts_page_get_model (self->receipts_page), id,
                                &position))
    wallet_receipts_page_select (self->receipts_page, position);
}

/**
 * wallet_window_open_uri:
 * @uri: a semper: link, as a browser handed it to the wallet
 *
 * Shows the Shop page with the link's merchant (or why the link cannot be
 * paid).
 */
void
wallet_window_open_uri (WalletWindow *self,
                        const char   *uri)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WALLET_IS_WINDOW (self));

  wallet_window_set_visible_page (self, "shop");
  if (!wallet_shop_page_open_uri (self->shop_page, uri, &error))
    g_debug ("Cannot open %s: %s", uri, error->message);
}

/* GtkWindow:application is not a construct property: g_object_new() sets
 * it after constructed(), so the window follows it here. */
static void
application_changed_cb (WalletWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (app), "profile") != NULL)
    {
      g_signal_connect_object (app, "notify::profile", G_CALLBACK (application_profile_cb), self,
                               G_CONNECT_SWAPPED);
      application_profile_cb (self);
    }
}

static void
wallet_window_dispose (GObject *object)
{
  WalletWindow *self = WALLET_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->exchanges);
  g_clear_object (&self->view_archive);

  G_OBJECT_CLASS (wallet_window_parent_class)->dispose (object);
}

static void
wallet_window_class_init (WalletWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wallet_window_dispose;
  window_class->close_request = wallet_window_close_request;

  g_type_ensure (WALLET_TYPE_RECEIPTS_PAGE);
  g_type_ensure (WALLET_TYPE_CONTRACTS_PAGE);
  g_type_ensure (WALLET_TYPE_ACTIVITY_PAGE);
  g_type_ensure (WALLET_TYPE_SHOP_PAGE);
  g_type_ensure (WALLET_TYPE_DISPUTES_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, receipts_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, contracts_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, activity_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, shop_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, disputes_page);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.open-dispute", "s", open_dispute_action);

  /* Alt+1 … Alt+5 switch pages, in the order of the view switcher. */
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-page", "s", page_names[i]);
}

static void
wallet_window_init (WalletWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  restore_state (self);

  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
  g_signal_connect_object (self->shop_page, "receipt-added", G_CALLBACK (shop_receipt_added_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shop_page, "show-receipt",
                           G_CALLBACK (wallet_window_show_receipt), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (visible_child_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

WalletWindow *
wallet_window_new (WalletApplication *application)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (application), NULL);

  return g_object_new (WALLET_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
