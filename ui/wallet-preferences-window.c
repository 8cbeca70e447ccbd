/* wallet-preferences-window.c: the preferences of Semper Wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-preferences-window.h"

#include "semper-profile.h"
#include "wallet-preferences-backup.h"
#include "wallet-preferences-payment.h"

struct _WalletPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *color_scheme_row;
  GtkSwitch            *fingerprint_switch;
  WalletPreferencesPayment *payment_page;   /* (nullable) once a profile is set */
};

G_DEFINE_FINAL_TYPE (WalletPreferencesWindow, wallet_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* The rows of the combo row are in the order of the values of the
 * org.semper.Wallet.ColorScheme enum: default, light, dark. */
static const char * const color_scheme_nicks[] = { "default", "light", "dark" };

static gboolean
color_scheme_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_scheme_nicks); i++)
    if (g_strcmp0 (nick, color_scheme_nicks[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
color_scheme_set_mapping (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (color_scheme_nicks))
    return NULL;
  return g_variant_new_string (color_scheme_nicks[selected]);
}

static void
wallet_preferences_window_dispose (GObject *object)
{
  WalletPreferencesWindow *self = WALLET_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (wallet_preferences_window_parent_class)->dispose (object);
}

static void
wallet_preferences_window_class_init (WalletPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wallet_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow,
                                        color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow,
                                        fingerprint_switch);
}

static void
wallet_preferences_window_init (WalletPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * wallet_preferences_window_new:
 * @parent: (nullable): the window to be transient for
 * @settings: the org.semper.Wallet settings to edit
 *
 * Returns: (transfer full): a new preferences window, bound to @settings
 */
WalletPreferencesWindow *
wallet_preferences_window_new (GtkWindow *parent,
                               GSettings *settings)
{
  WalletPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (WALLET_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                color_scheme_get_mapping, color_scheme_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "show-fingerprint-full",
                   self->fingerprint_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  return self;
}

/**
 * wallet_preferences_window_set_profile:
 * @profile: the open profile
 *
 * Adds the Payment Methods page, which reads and stores the profile's
 * payment preferences, and the Backup page. Without a profile only the
 * general page is shown.
 */
void
wallet_preferences_window_set_profile (WalletPreferencesWindow *self,
                                       SemperProfile           *profile)
{
  g_autoptr(WalletPreferencesPayment) page = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WALLET_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (SEMPER_IS_PROFILE (profile));

  if (self->payment_page != NULL)
    return;
  page = wallet_preferences_payment_new (profile, &error);
  if (page == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error->message));
      return;
    }
  self->payment_page = page;
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  {
    g_autoptr(WalletPreferencesBackup) backup = wallet_preferences_backup_new (profile);

    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (backup));
  }
}
