/* wallet-application.c: the Semper Wallet GTK application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-application.h"

#include <glib/gi18n.h>

#include "semper-crypto.h"
#include "wallet-application-private.h"
#include "wallet-password-prompt.h"
#include "wallet-obligations.h"
#include "wallet-preferences-window.h"
#include "wallet-setup-window.h"
#include "wallet-window.h"

/* Until a SEMPER project web site exists, the metainfo and the about window
 * point here (see docs/ui.md). */
#define WALLET_WEBSITE "https://example.org/semper-wallet"

struct _WalletApplication
{
  AdwApplication     parent_instance;

  GSettings         *settings;
  WalletConsentPort *consent_port;
  char              *profile_dir;
  char              *pending_uri;

  SemperProfile     *profile;
  gboolean           opening;       /* the password prompt or the setup flow is up */
  gboolean           show_pending;  /* open the pending URI once the profile is open */
  gboolean           skip_profile;  /* test hook: windows without a profile */
};

G_DEFINE_FINAL_TYPE (WalletApplication, wallet_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_PROFILE_DIR,
  PROP_PENDING_URI,
  PROP_PROFILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "profile", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the wallet profile in DIR (default: $SEMPER_PROFILE or ~/.local/share/semper)"),
    N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, N_("[semper:URI]") },
  { NULL }
};

const char *
wallet_application_get_profile_dir (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);

  return self->profile_dir;
}

/**
 * wallet_application_get_pending_uri:
 * @self: a #WalletApplication
 *
 * Returns: (nullable): the last semper: URI the wallet was asked to open,
 *   not yet handled (paying it needs the commerce layer)
 */
const char *
wallet_application_get_pending_uri (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);

  return self->pending_uri;
}

/**
 * wallet_application_get_settings:
 * @self: a #WalletApplication
 *
 * Returns: (transfer none) (nullable): the org.semper.Wallet settings, once
 *   the application has started up
 */
GSettings *
wallet_application_get_settings (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * wallet_application_get_consent_port:
 * @self: a #WalletApplication
 *
 * The one consent port of the GUI, made at start-up: every signature the
 * wallet asks for goes through the trusted display behind it.
 *
 * Returns: (transfer none) (nullable): the port, once the application has
 *   started up
 */
WalletConsentPort *
wallet_application_get_consent_port (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);

  return self->consent_port;
}

/**
 * wallet_application_get_profile:
 * @self: a #WalletApplication
 *
 * The wallet's profile (key store, archive, lock), opened at start-up
 * through the trusted display's password prompt or made by the first-run
 * setup. Every window except those two is shown only once it is open;
 * #WalletApplication:profile is notified when it is set.
 *
 * Returns: (transfer none) (nullable): the open profile, or %NULL while it is
 *   being opened
 */
SemperProfile *
wallet_application_get_profile (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);

  return self->profile;
}

static WalletWindow *
ensure_window (WalletApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (WALLET_IS_WINDOW (window))
    return WALLET_WINDOW (window);

  return wallet_window_new (self);
}

static gboolean
is_semper_uri (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL && g_ascii_strcasecmp (scheme, "semper") == 0;
}

static void
set_pending_uri (WalletApplication *self,
                 const char        *uri)
{
  if (g_strcmp0 (self->pending_uri, uri) == 0)
    return;

  g_free (self->pending_uri);
  self->pending_uri = g_strdup (uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_URI]);
}

/* A semper: link is kept until the commerce layer can pay it; for now the
 * wallet only opens on the Shop page, where paying will happen. */
static void ensure_profile (WalletApplication *self);

static void
show_uri (WalletApplication *self,
          const char        *uri)
{
  WalletWindow *window;

  set_pending_uri (self, uri);
  if (self->profile == NULL && !self->skip_profile)
    {
      self->show_pending = TRUE;
      ensure_profile (self);
      return;
    }

  window = ensure_window (self);
  wallet_window_open_uri (window, uri);
  gtk_window_present (GTK_WINDOW (window));
}

static void
present_main_window (WalletApplication *self)
{
  if (self->profile == NULL && !self->skip_profile)
    {
      ensure_profile (self);
      return;
    }
  gtk_window_present (GTK_WINDOW (ensure_window (self)));
}

/* The profile is open: decisions of the trusted display go to its archive
 * from now on, and the windows that need it can be shown. */
static void
set_profile (WalletApplication *self,
             SemperProfile     *profile)
{
  g_set_object (&self->profile, profile);
  wallet_consent_port_set_archive (self->consent_port, semper_profile_get_archive (profile));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);

  if (self->show_pending && self->pending_uri != NULL)
    {
      g_autofree char *uri = g_strdup (self->pending_uri);

      self->show_pending = FALSE;
      show_uri (self, uri);
    }
  else
    present_main_window (self);
}

static void
show_open_error (WalletApplication *self,
                 const GError      *error)
{
  g_autofree char *body = NULL;
  const char *heading;
  GtkWidget *dialog;

  if (g_error_matches (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_BUSY))
    {
      heading = _("Your Wallet Is Already Open");
      body = g_strdup_printf (_("Another program is using the wallet profile in %s: another "
                                "Semper Wallet, or the “semper” command. Only one program "
                                "at a time may use a profile. Close the other one, then "
                                "start the wallet again.\n\n%s"),
                              self->profile_dir, error->message);
    }
  else
    {
      heading = _("Could Not Open Your Wallet");
      body = g_strdup_printf (_("The wallet profile in %s could not be opened.\n\n%s"),
                              self->profile_dir, error->message);
    }

  dialog = adw_message_dialog_new (NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  /* No parent: the main window is not shown without a profile. Closing the
   * message ends the wallet. */
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
profile_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WalletApplication) self = user_data;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  if (WALLET_IS_PASSWORD_PROMPT (source))
    profile = wallet_password_prompt_open_profile_finish (WALLET_PASSWORD_PROMPT (source),
                                                          result, &error);
  else
    profile = wallet_setup_window_create_finish (WALLET_SETUP_WINDOW (source), result, &error);

  self->opening = FALSE;
  if (profile != NULL)
    set_profile (self, profile);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_open_error (self, error);
  /* Cancelled: no window is left, so the wallet quits. */
  g_application_release (G_APPLICATION (self));
}

/* Opens the profile through the password prompt, or runs the first-run
 * setup when there is none. The application is held meanwhile: before the
 * prompt shows (the lock is checked first) no window keeps it alive. */
static void
ensure_profile (WalletApplication *self)
{
  if (self->profile != NULL || self->opening)
    return;

  self->opening = TRUE;
  g_application_hold (G_APPLICATION (self));
  if (semper_profile_exists (self->profile_dir))
    {
      WalletPasswordPrompt *prompt = wallet_password_prompt_new (GTK_APPLICATION (self),
                                                                 self->profile_dir);

      wallet_password_prompt_open_profile_async (prompt, NULL, profile_opened_cb,
                                                 g_object_ref (self));
    }
  else
    {
      WalletSetupWindow *setup = wallet_setup_window_new (GTK_APPLICATION (self),
                                                          self->profile_dir);

      wallet_setup_window_create_async (setup, NULL, profile_opened_cb, g_object_ref (self));
      gtk_window_present (GTK_WINDOW (setup));
    }
}

static void
apply_color_scheme_cb (WalletApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  AdwColorScheme scheme;

  switch (g_settings_get_enum (self->settings, "color-scheme"))
    {
    case 1:
      scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
      break;
    case 2:
      scheme = ADW_COLOR_SCHEME_FORCE_DARK;
      break;
    default:
      scheme = ADW_COLOR_SCHEME_DEFAULT;
      break;
    }
  adw_style_manager_set_color_scheme (style_manager, scheme);
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  WalletApplication *self = WALLET_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  WalletPreferencesWindow *preferences;

  preferences = wallet_preferences_window_new (parent, self->settings);
  if (self->profile != NULL)
    wallet_preferences_window_set_profile (preferences, self->profile);
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  WalletApplication *self = WALLET_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Semper Wallet developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application", self,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Semper Wallet"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Semper Wallet developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Shop, pay and sign contracts with documents you can "
                                      "read, and keep every receipt as evidence."),
                        "website", WALLET_WEBSITE,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy_deep (gtk_application_get_windows (app),
                                     (GCopyFunc) g_object_ref, NULL);

  /* Close (not destroy) the windows, so that each one saves its state. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free_full (windows, g_object_unref);
  g_application_quit (G_APPLICATION (app));
}

static const GActionEntry app_actions[] = {
  { .name = "preferences", .activate = preferences_action_cb },
  { .name = "about", .activate = about_action_cb },
  { .name = "quit", .activate = quit_action_cb },
};

static void
wallet_application_startup (GApplication *application)
{
  WalletApplication *self = WALLET_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (wallet_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (APP_ID);
  /* Without an archive until the profile is open (set_profile). It is the
   * process's one consent provider: nothing else can make a consent here. */
  self->consent_port = wallet_consent_port_new (GTK_APPLICATION (self), NULL);
  if (!semper_consent_register_provider (SEMPER_CONSENT_PORT (self->consent_port),
                                         "trusted-display", &error))
    {
      /* Only a second WalletApplication in one process (the UI tests) gets
       * here; the first one's port is still the trusted display. */
      if (g_strcmp0 (semper_consent_get_provider_origin (), "trusted-display") != 0)
        g_critical ("The trusted display is not the consent provider: %s", error->message);
      else
        g_debug ("%s", error->message);
    }
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (apply_color_scheme_cb), self, G_CONNECT_SWAPPED);
  apply_color_scheme_cb (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  wallet_obligations_attach (GTK_APPLICATION (self));
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
wallet_application_activate (GApplication *application)
{
  WalletApplication *self = WALLET_APPLICATION (application);

  /* Started by D-Bus activation, without a command line. */
  if (self->profile_dir == NULL)
    {
      self->profile_dir = semper_profile_default_dir ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE_DIR]);
    }
  present_main_window (self);
}

/* Opened through D-Bus (G_APPLICATION_HANDLES_OPEN), e.g. by a browser. */
static void
wallet_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  WalletApplication *self = WALLET_APPLICATION (application);

  /* Started by D-Bus activation, without a command line. */
  if (self->profile_dir == NULL)
    {
      const char *env = g_getenv ("SEMPER_PROFILE");

      self->profile_dir = (env != NULL && *env != '\0') ?
        g_strdup (env) : g_build_filename (g_get_user_data_dir (), "semper", NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE_DIR]);
    }

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      if (is_semper_uri (uri))
        {
          show_uri (self, uri);
          return;
        }
      g_debug ("Not a semper: link, ignored: %s", uri);
    }
  g_application_activate (application);
}

static char *
resolve_profile_dir (GApplicationCommandLine *cmdline,
                     const char              *option)
{
  const char *env;

  if (option != NULL)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, option);

      return g_file_get_path (file);
    }

  env = g_application_command_line_getenv (cmdline, "SEMPER_PROFILE");
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "semper", NULL);
}

static int
wallet_application_command_line (GApplication            *application,
                                  GApplicationCommandLine *cmdline)
{
  WalletApplication *self = WALLET_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  const char *profile_option = NULL;
  g_autofree const char **uris = NULL;
  g_autofree char *profile_dir = NULL;

  g_variant_dict_lookup (options, "profile", "^&ay", &profile_option);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &uris);

  if (uris != NULL && g_strv_length ((char **) uris) > 1)
    {
      g_application_command_line_printerr (cmdline, _("Give at most one semper: link\n"));
      return 2;
    }
  if (uris != NULL && uris[0] != NULL && !is_semper_uri (uris[0]))
    {
      g_application_command_line_printerr (cmdline, _("Not a semper: link: %s\n"), uris[0]);
      return 2;
    }

  profile_dir = resolve_profile_dir (cmdline, profile_option);
  if (self->profile_dir == NULL)
    {
      self->profile_dir = g_steal_pointer (&profile_dir);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE_DIR]);
    }
  else if (profile_option != NULL && g_strcmp0 (profile_dir, self->profile_dir) != 0)
    {
      /* One running wallet holds one profile (and its lock). */
      g_application_command_line_printerr (cmdline,
                                           _("Semper Wallet is already running with the "
                                             "profile %s\n"),
                                           self->profile_dir);
      return 1;
    }

  if (uris != NULL && uris[0] != NULL)
    show_uri (self, uris[0]);
  else
    g_application_activate (application);

  return 0;
}

static int
wallet_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("semper-wallet %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
wallet_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WalletApplication *self = WALLET_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_PROFILE_DIR:
      g_value_set_string (value, self->profile_dir);
      break;
    case PROP_PENDING_URI:
      g_value_set_string (value, self->pending_uri);
      break;
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_application_dispose (GObject *object)
{
  WalletApplication *self = WALLET_APPLICATION (object);

  g_clear_object (&self->consent_port);
  g_clear_object (&self->profile);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (wallet_application_parent_class)->dispose (object);
}

static void
wallet_application_finalize (GObject *object)
{
  WalletApplication *self = WALLET_APPLICATION (object);

  g_clear_pointer (&self->profile_dir, g_free);
  g_clear_pointer (&self->pending_uri, g_free);

  G_OBJECT_CLASS (wallet_application_parent_class)->finalize (object);
}

static void
wallet_application_class_init (WalletApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = wallet_application_get_property;
  object_class->dispose = wallet_application_dispose;
  object_class->finalize = wallet_application_finalize;

  app_class->startup = wallet_application_startup;
  app_class->activate = wallet_application_activate;
  app_class->open = wallet_application_open;
  app_class->command_line = wallet_application_command_line;
  app_class->handle_local_options = wallet_application_handle_local_options;

  properties[PROP_PROFILE_DIR] =
    g_param_spec_string ("profile-dir", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_URI] =
    g_param_spec_string ("pending-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SEMPER_TYPE_PROFILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wallet_application_init (WalletApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

/* Test hook (wallet-application-private.h): show the windows without
 * opening a profile, for tests of the windows themselves. */
void
_wallet_application_set_skip_profile (WalletApplication *self,
                                      gboolean           skip)
{
  self->skip_profile = skip;
}

/* Tests: use @profile as if the password prompt had opened it. */
void
_wallet_application_set_profile (WalletApplication *self,
                                 SemperProfile     *profile)
{
  g_return_if_fail (WALLET_IS_APPLICATION (self));
  g_return_if_fail (SEMPER_IS_PROFILE (profile));

  set_profile (self, profile);
}

WalletApplication *
wallet_application_new (void)
{
  return g_object_new (WALLET_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/org/semper/Wallet",
                       NULL);
}
