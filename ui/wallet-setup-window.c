/* wallet-setup-window.c: the first-run setup of a wallet profile
 *
 * A separate window, like the trusted display: the welcome page explains
 * what the trusted display is, then the user picks a name and a password
 * (with strength feedback), and chooses between registering with a CA
 * (fetching its root and showing the fingerprint to compare) and a
 * self-signed identity for now. Making the key, and talking to the CA, run
 * in worker threads (GTask), so the window stays responsive.
 *
 * Or the user restores a backup file (Preferences → Backup, `semper backup`):
 * the file from the file chooser, its password, and whether the purse takes
 * its coins over at the bank, so that the copies left in the original
 * profile can no longer be spent (docs/backup.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-setup-window-private.h"

#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-backup.h"
#include "semper-ca-client.h"
#include "semper-comm-client.h"
#include "semper-comm.h"
#include "semper-crypto.h"
#include "semper-restore.h"
#include "semper-trust.h"
#include "wallet-password-strength.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#define MAX_NAME_CHARS 64

static const char * const pages[] = {
  "welcome", "name", "password", "register", "creating", "done", "restore", NULL
};

enum {
  PAGE_WELCOME, PAGE_NAME, PAGE_PASSWORD, PAGE_REGISTER, PAGE_CREATING, PAGE_DONE, PAGE_RESTORE
};

struct _WalletSetupWindow
{
  AdwWindow       parent_instance;

  GtkWidget      *back_button;
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkWidget      *name_row;
  GtkWidget      *password_entry;
  GtkWidget      *repeat_entry;
  GtkLevelBar    *strength_bar;
  GtkLabel       *strength_label;
  GtkLabel       *x11_label;
  GtkCheckButton *ca_check;
  GtkWidget      *ca_url_row;
  GtkWidget      *fetch_button;
  AdwActionRow   *root_row;
  GtkWidget      *confirm_row;
  GtkCheckButton *confirm_check;
  GtkCheckButton *later_check;
  GtkSpinner     *spinner;
  AdwStatusPage  *done_page;
  GtkLabel       *error_label;
  GtkWidget      *next_button;
  /* restoring a backup (made in C: one page and one button) */
  GtkWidget      *restore_button;
  AdwActionRow   *restore_file_row;
  GtkWidget      *backup_password_entry;
  GtkWidget      *profile_password_entry;
  GtkSwitch      *take_over_switch;
  GFile          *restore_file;

  char           *profile_dir;
  guint           page;
  GTask          *task;
  GCancellable   *worker_cancellable;
  gboolean        busy;
  GBytes         *root;
  char           *root_url;
  SemperProfile  *profile;
};

G_DEFINE_FINAL_TYPE (WalletSetupWindow, wallet_setup_window, ADW_TYPE_WINDOW)

/* ---- validation --------------------------------------------------------- */

static char *
dup_name (WalletSetupWindow *self)
{
  char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));

  return g_strstrip (name);
}

static gboolean
name_is_valid (WalletSetupWindow *self)
{
  g_autofree char *name = dup_name (self);

  return *name != '\0' && g_utf8_validate (name, -1, NULL) &&
         g_utf8_strlen (name, -1) <= MAX_NAME_CHARS;
}

static gboolean
password_is_valid (WalletSetupWindow *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_entry));

  return wallet_password_estimate (password, NULL) >= WALLET_PASSWORD_FAIR &&
         g_str_equal (password, repeat);
}

static const char *
ca_url (WalletSetupWindow *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->ca_url_row));
}

static gboolean
register_is_valid (WalletSetupWindow *self)
{
  if (gtk_check_button_get_active (self->later_check))
    return TRUE;
  return self->root != NULL && g_strcmp0 (self->root_url, ca_url (self)) == 0 &&
         gtk_check_button_get_active (self->confirm_check);
}

static void
set_error (WalletSetupWindow *self,
           const char        *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_buttons (WalletSetupWindow *self)
{
  gboolean can_go_on = !self->busy;
  const char *label = _("_Continue");
  g_autofree char *step = NULL;

  if (self->stack == NULL)  /* disposed */
    return;

  switch (self->page)
    {
    case PAGE_NAME:
      can_go_on = can_go_on && name_is_valid (self);
      break;
    case PAGE_PASSWORD:
      can_go_on = can_go_on && password_is_valid (self);
      break;
    case PAGE_REGISTER:
      can_go_on = can_go_on && register_is_valid (self);
      label = _("_Create Wallet");
      break;
    case PAGE_CREATING:
      can_go_on = FALSE;
      break;
    case PAGE_DONE:
      label = _("_Open Wallet");
      break;
    case PAGE_RESTORE:
      can_go_on = can_go_on && self->restore_file != NULL
                  && *gtk_editable_get_text (GTK_EDITABLE (self->backup_password_entry)) != '\0';
      label = _("_Restore");
      break;
    default:
      break;
    }

  gtk_button_set_label (GTK_BUTTON (self->next_button), label);
  gtk_widget_set_sensitive (self->next_button, can_go_on);
  gtk_widget_set_visible (self->next_button, self->page != PAGE_CREATING);
  gtk_widget_set_visible (self->back_button,
                          (self->page > PAGE_WELCOME && self->page < PAGE_CREATING)
                          || self->page == PAGE_RESTORE);
  gtk_widget_set_visible (self->restore_button, self->page == PAGE_WELCOME);
  gtk_widget_set_sensitive (self->restore_button, !self->busy);
  gtk_widget_set_sensitive (self->back_button, !self->busy);
  gtk_widget_set_sensitive (self->fetch_button,
                            !self->busy && gtk_check_button_get_active (self->ca_check));
  gtk_widget_set_sensitive (self->ca_url_row, !self->busy &&
                            gtk_check_button_get_active (self->ca_check));

  if (self->page >= PAGE_NAME && self->page <= PAGE_REGISTER)
    /* Translators: the steps of the setup: name, password, certificate */
    step = g_strdup_printf (_("Step %u of 3"), self->page);
  adw_window_title_set_subtitle (self->window_title, step);
}

static void
show_page (WalletSetupWindow *self,
           guint              page)
{
  self->page = page;
  gtk_stack_set_visible_child_name (self->stack, pages[page]);
  set_error (self, NULL);
  gtk_spinner_set_spinning (self->spinner, page == PAGE_CREATING);
  update_buttons (self);

  if (page == PAGE_NAME)
    gtk_widget_grab_focus (self->name_row);
  else if (page == PAGE_RESTORE)
    gtk_widget_grab_focus (self->backup_password_entry);
  else if (page == PAGE_PASSWORD)
    gtk_widget_grab_focus (self->password_entry);
  else
    gtk_widget_grab_focus (self->next_button);
}

static void
password_changed_cb (WalletSetupWindow *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_entry));
  WalletPasswordStrength strength = wallet_password_estimate (password, NULL);
  g_autofree char *text = NULL;
  const char *advice;

  if (*password == '\0')
    {
      gtk_level_bar_set_value (self->strength_bar, 0);
      gtk_label_set_label (self->strength_label, _("Type a password of at least 8 characters."));
      update_buttons (self);
      return;
    }

  if (g_utf8_strlen (password, -1) < WALLET_PASSWORD_MIN_LENGTH)
    advice = _("Use at least 8 characters.");
  else if (strength < WALLET_PASSWORD_FAIR)
    advice = _("Too easy to guess: add another word or a few characters.");
  else if (*repeat == '\0')
    advice = _("Now repeat it in the second field.");
  else if (!g_str_equal (password, repeat))
    advice = _("The two passwords do not match.");
  else if (strength == WALLET_PASSWORD_FAIR)
    advice = _("Good enough; a longer one would be better.");
  else
    advice = _("Good.");

  /* Translators: "Strength: Weak. Use at least 8 characters." */
  text = g_strdup_printf (_("Strength: %s. %s"), wallet_password_strength_label (strength),
                          advice);
  gtk_level_bar_set_value (self->strength_bar, strength + 1);
  gtk_label_set_label (self->strength_label, text);
  update_buttons (self);
}

/* ---- fetching the CA's root ------------------------------------------- */

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *url = task_data;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autofree char *role = NULL;
  GError *error = NULL;

  root = semper_ca_client_fetch_root (client, url, cancellable, &error);
  if (root == NULL)
    {
      g_prefix_error (&error, _("Could not fetch the CA’s root certificate: "));
      g_task_return_error (task, error);
      return;
    }
  trust = semper_trust_new (root, &error);
  if (trust == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  role = semper_certificate_dup_role (root);
  if (g_strcmp0 (role, SEMPER_ROLE_CA) != 0)
    {
      g_task_return_new_error (task, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                               _("The server’s root certificate is not a certification "
                                 "authority’s"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&root), (GDestroyNotify) g_bytes_unref);
}

/* "ab12 cd34 …", eight groups per line. */
static char *
format_fingerprint (const char *hex)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; hex[i] != '\0'; i += 4)
    {
      if (i > 0)
        g_string_append_c (s, i % 32 == 0 ? '\n' : ' ');
      g_string_append_len (s, hex + i, MIN (4, strlen (hex + i)));
    }
  return g_string_free (s, FALSE);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *fingerprint = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;

  self->busy = FALSE;
  if (self->stack == NULL)
    return;
  if (root == NULL)
    {
      set_error (self, error->message);
      update_buttons (self);
      return;
    }

  g_clear_pointer (&self->root, g_bytes_unref);
  g_free (self->root_url);
  self->root = g_steal_pointer (&root);
  self->root_url = g_strdup (g_task_get_task_data (G_TASK (result)));

  name = semper_certificate_dup_common_name (self->root);
  fingerprint = semper_sha256_hex (self->root);
  formatted = format_fingerprint (fingerprint);
  subtitle = g_strdup_printf (_("Root certificate fingerprint (SHA-256):\n%s"), formatted);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->root_row),
                                 name != NULL ? name : _("Unnamed CA"));
  adw_action_row_set_subtitle (self->root_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->root_row), TRUE);
  gtk_check_button_set_active (self->confirm_check, FALSE);
  gtk_widget_set_visible (self->confirm_row, TRUE);
  set_error (self, NULL);
  update_buttons (self);
}

static void
fetch_clicked_cb (WalletSetupWindow *self)
{
  g_autoptr(GTask) task = NULL;
  const char *url = ca_url (self);

  if (self->busy)
    return;
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      set_error (self, _("The CA’s address starts with http:// or https://."));
      return;
    }

  self->busy = TRUE;
  set_error (self, NULL);
  update_buttons (self);
  task = g_task_new (self, self->worker_cancellable, fetch_done_cb, NULL);
  g_task_set_task_data (task, g_strdup (url), g_free);
  g_task_run_in_thread (task, fetch_thread);
}

static void
ca_url_changed_cb (WalletSetupWindow *self)
{
  /* A fingerprint shown is for the address it was fetched from only. */
  if (self->root_url != NULL && g_strcmp0 (self->root_url, ca_url (self)) != 0)
    {
      g_clear_pointer (&self->root, g_bytes_unref);
      g_clear_pointer (&self->root_url, g_free);
      gtk_widget_set_visible (GTK_WIDGET (self->root_row), FALSE);
      gtk_widget_set_visible (self->confirm_row, FALSE);
    }
  update_buttons (self);
}

/* ---- making the profile ---------------------------------------------- */

typedef struct
{
  char   *dir;
  char   *name;
  char   *password;   /* a secret */
  char   *ca_url;     /* NULL: self-signed */
  GBytes *root;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->dir);
  g_free (data->name);
  semper_secret_free (data->password);
  g_free (data->ca_url);
  g_clear_pointer (&data->root, g_bytes_unref);
  g_free (data);
}

static char *
create_password_cb (gboolean retry,
                    gpointer user_data)
{
  CreateData *data = user_data;

  /* The chosen password is the only answer; a retry means it did not fit
   * an existing database, and asking again would not help. */
  return retry ? NULL : g_strdup (data->password);
}


static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *data = task_data;
  g_autoptr(SemperProfile) profile = NULL;
  GError *error = NULL;
  gboolean ok;

  profile = semper_profile_open (data->dir, SEMPER_PROFILE_OPEN_CREATE, create_password_cb,
                                 data, &error);
  if (profile == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The key store keeps the callback; its data dies with this task. The
   * slot stays logged in, so it is not called again. */
  if (semper_profile_has_identity (profile))
    {
      g_task_return_new_error (task, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_EXISTS,
                               _("The profile %s already has an identity"), data->dir);
      return;
    }

  if (data->ca_url != NULL)
    ok = semper_profile_register (profile, data->ca_url, data->root, data->name, cancellable,
                                  NULL, &error);
  else
    ok = semper_profile_create_identity (profile, data->name, &error);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&profile), g_object_unref);
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (source);
  CreateData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *description = NULL;

  self->busy = FALSE;
  if (self->stack == NULL)
    return;
  if (profile == NULL)
    {
      show_page (self, PAGE_REGISTER);
      set_error (self, error->message);
      return;
    }

  g_set_object (&self->profile, profile);
  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  fingerprint = cert != NULL ? semper_sha256_hex (cert) : g_strdup ("");
  formatted = format_fingerprint (fingerprint);
  if (data->ca_url != NULL)
    description = g_strdup_printf (_("%s, registered with the certification authority at\n%s\n\n"
                                     "Your certificate’s fingerprint:\n%s\n\n"
                                     "Your wallet is kept in %s."),
                                   data->name, data->ca_url, formatted, data->dir);
  else
    description = g_strdup_printf (_("%s, with a self-signed identity (not registered with a "
                                     "certification authority).\n\n"
                                     "Your certificate’s fingerprint:\n%s\n\n"
                                     "Your wallet is kept in %s."),
                                   data->name, formatted, data->dir);
  adw_status_page_set_description (self->done_page, description);
  show_page (self, PAGE_DONE);
}

static void
start_create (WalletSetupWindow *self)
{
  g_autoptr(GTask) task = NULL;
  CreateData *data = g_new0 (CreateData, 1);

  data->dir = g_strdup (self->profile_dir);
  data->name = dup_name (self);
  data->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_entry)));
  if (gtk_check_button_get_active (self->ca_check))
    {
      data->ca_url = g_strdup (self->root_url);
      data->root = g_bytes_ref (self->root);
    }

  {
    /* The same page says "restoring" after a restore that failed. */
    GtkWidget *creating = gtk_stack_get_child_by_name (self->stack, "creating");

    if (ADW_IS_STATUS_PAGE (creating))
      {
        adw_status_page_set_title (ADW_STATUS_PAGE (creating), _("Creating Your Key…"));
        adw_status_page_set_description (ADW_STATUS_PAGE (creating),
                                         _("Making your key, protecting it with your password "
                                           "and getting your certificate."));
      }
  }
  self->busy = TRUE;
  show_page (self, PAGE_CREATING);
  task = g_task_new (self, self->worker_cancellable, create_done_cb, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);
  g_task_run_in_thread (task, create_thread);
}

/* ---- restoring a backup ------------------------------------------------ */

static void next_clicked_cb (WalletSetupWindow *self);

typedef struct
{
  char             *dir;
  char             *path;
  char             *backup_password;   /* a secret */
  char             *profile_password;  /* a secret; NULL: the backup's */
  gboolean          take_over;
  SemperBackupInfo  info;
  guint             taken;
  char             *take_over_error;
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_free (data->dir);
  g_free (data->path);
  semper_secret_free (data->backup_password);
  semper_secret_free (data->profile_password);
  g_free (data->take_over_error);
  g_free (data);
}

static char *
restore_password_cb (gboolean retry,
                     gpointer user_data)
{
  const char *password = user_data;

  return retry ? NULL : g_strdup (password);
}

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreData *data = task_data;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) take_error = NULL;
  GError *error = NULL;

  if (!semper_backup_restore (data->path, data->backup_password, data->dir, &data->info,
                              &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The restored profile opens with the original's password: the backup's,
   * unless the backup had one of its own (a backup made in the window). */
  profile = semper_profile_open (data->dir, SEMPER_PROFILE_OPEN_DEFAULT, restore_password_cb,
                                 data->profile_password != NULL ? data->profile_password
                                                                : data->backup_password,
                                 &error);
  if (profile == NULL)
    {
      g_prefix_error (&error, _("The backup was restored into %s, but the wallet does not open "
                                "with this password: "), data->dir);
      g_task_return_error (task, error);
      return;
    }
  if (data->take_over
      && !semper_restore_take_over_coins (profile, &data->taken, &take_error))
    data->take_over_error = g_strdup (take_error->message);
  g_task_return_pointer (task, g_steal_pointer (&profile), g_object_unref);
}

static void
restore_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (source);
  RestoreData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *when = NULL;
  g_autofree char *coins = NULL;
  g_autofree char *description = NULL;

  self->busy = FALSE;
  if (self->stack == NULL)
    return;
  if (profile == NULL)
    {
      show_page (self, PAGE_RESTORE);
      if (g_error_matches (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_BAD_PASSWORD))
        set_error (self, _("The password does not open this backup (or the file was changed "
                           "since it was written). Nothing was restored."));
      else
        {
          g_autofree char *text = g_strdup_printf (_("Nothing was restored: %s"),
                                                   error->message);

          set_error (self, text);
        }
      return;
    }

  g_set_object (&self->profile, profile);
  created = g_date_time_new_from_unix_local (data->info.created);
  when = created != NULL ? g_date_time_format (created, "%x %X") : g_strdup ("?");
  if (data->take_over_error != NULL)
    coins = g_strdup_printf (_("The coins were not taken over: %s. Until they are (semper "
                               "restore --take-over), the original profile can spend the same "
                               "coins, and the bank refuses whichever copy comes second."),
                             data->take_over_error);
  else if (data->take_over)
    coins = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u coin was swapped at the bank: the copies in the "
                                          "original profile can no longer be spent.",
                                          "%u coins were swapped at the bank: the copies in the "
                                          "original profile can no longer be spent.",
                                          data->taken), data->taken);
  else
    coins = g_strdup (_("The coins were not taken over: the original profile can spend the "
                        "same coins, and the bank refuses whichever copy comes second."));
  description = g_strdup_printf (_("The backup of %s (%u files) was restored, with its keys, "
                                   "receipts, contracts and coins.\n\n%s\n\n"
                                   "Your wallet is kept in %s."),
                                 when, data->info.n_files, coins, data->dir);
  adw_status_page_set_title (self->done_page, _("Your Wallet Is Restored"));
  adw_status_page_set_description (self->done_page, description);
  show_page (self, PAGE_DONE);
}

static void
start_restore (WalletSetupWindow *self)
{
  g_autoptr(GTask) task = NULL;
  RestoreData *data = g_new0 (RestoreData, 1);
  const char *profile_password =
    gtk_editable_get_text (GTK_EDITABLE (self->profile_password_entry));
  GtkWidget *creating = gtk_stack_get_child_by_name (self->stack, "creating");

  data->dir = g_strdup (self->profile_dir);
  data->path = g_file_get_path (self->restore_file);
  if (data->path == NULL)
    {
      restore_data_free (data);
      set_error (self, _("Choose a backup file on this computer"));
      return;
    }
  data->backup_password =
    g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->backup_password_entry)));
  if (*profile_password != '\0')
    data->profile_password = g_strdup (profile_password);
  data->take_over = gtk_switch_get_active (self->take_over_switch);
  /* The typed passwords have served: copies to wipe are in @data. */
  gtk_editable_set_text (GTK_EDITABLE (self->backup_password_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->profile_password_entry), "");

  if (ADW_IS_STATUS_PAGE (creating))
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (creating), _("Restoring Your Wallet…"));
      adw_status_page_set_description (ADW_STATUS_PAGE (creating),
                                       _("Decrypting the backup, checking every file, and "
                                         "taking the coins over at the bank."));
    }
  self->busy = TRUE;
  show_page (self, PAGE_CREATING);
  task = g_task_new (self, self->worker_cancellable, restore_done_cb, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);
  g_task_run_in_thread (task, restore_thread);
}

static void
set_restore_file (WalletSetupWindow *self,
                  GFile             *file)
{
  g_autofree char *name = NULL;

  g_set_object (&self->restore_file, file);
  name = file != NULL ? g_file_get_basename (file) : NULL;
  adw_action_row_set_subtitle (self->restore_file_row,
                               name != NULL ? name : _("No file chosen"));
  update_buttons (self);
}

static void
restore_chooser_response_cb (GtkNativeDialog   *dialog,
                             int                response,
                             WalletSetupWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      set_restore_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_backup_cb (WalletSetupWindow *self)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Choose a Backup File"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Semper Wallet backups"));
  gtk_file_filter_add_pattern (filter, "*.semper-backup");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (restore_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
restore_clicked_cb (WalletSetupWindow *self)
{
  if (self->busy)
    return;
  show_page (self, PAGE_RESTORE);
}

static GtkWidget *
password_row (const char  *title,
              GtkWidget  **out_entry)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *entry = gtk_password_entry_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), entry);
  *out_entry = entry;
  return row;
}

/* The restore page and the welcome page's button to it. */
static void
build_restore_page (WalletSetupWindow *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *choose = gtk_button_new_with_mnemonic (_("_Choose…"));
  GtkWidget *take_over_row = adw_action_row_new ();
  GtkWidget *row;
  GtkWidget *bottom = gtk_widget_get_parent (self->next_button);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Restore from a Backup"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
    _("A backup file holds your whole wallet: your key, receipts, contracts and coins. It is "
      "restored into a new wallet on this computer."));

  self->restore_file_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->restore_file_row),
                                 _("Backup file"));
  adw_action_row_set_subtitle (self->restore_file_row, _("No file chosen"));
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (choose), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose the backup file"), -1);
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (choose_backup_cb), self);
  adw_action_row_add_suffix (self->restore_file_row, choose);
  adw_action_row_set_activatable_widget (self->restore_file_row, choose);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->restore_file_row));

  row = password_row (_("Backup password"), &self->backup_password_entry);
  g_signal_connect_swapped (self->backup_password_entry, "changed",
                            G_CALLBACK (update_buttons), self);
  g_signal_connect_swapped (self->backup_password_entry, "activate",
                            G_CALLBACK (next_clicked_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = password_row (_("Wallet password, if it differs"), &self->profile_password_entry);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("A backup made in Preferences has a password of its own; "
                                 "the wallet keeps the password it had."));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  self->take_over_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->take_over_switch, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->take_over_switch), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (take_over_row), _("_Take over the coins"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (take_over_row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (take_over_row),
                               _("Swap the coins at the bank now, so that only this wallet can "
                                 "spend them: the old copy’s coins become worthless. Needs the "
                                 "bank to be reachable."));
  adw_action_row_add_suffix (ADW_ACTION_ROW (take_over_row),
                             GTK_WIDGET (self->take_over_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (take_over_row),
                                         GTK_WIDGET (self->take_over_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), take_over_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  gtk_stack_add_named (self->stack, page, "restore");

  self->restore_button = gtk_button_new_with_mnemonic (_("Restore from a _Backup File…"));
  gtk_widget_set_halign (self->restore_button, GTK_ALIGN_END);
  gtk_widget_add_css_class (self->restore_button, "flat");
  gtk_widget_set_tooltip_text (self->restore_button,
                               _("Set up this wallet from a backup of another one"));
  g_signal_connect_swapped (self->restore_button, "clicked", G_CALLBACK (restore_clicked_cb),
                            self);
  gtk_box_append (GTK_BOX (bottom), self->restore_button);
}

/* ---- navigation ------------------------------------------------------- */

static void
finish (WalletSetupWindow *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  if (self->profile != NULL)
    g_task_return_pointer (task, g_object_ref (self->profile), g_object_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The wallet setup was cancelled"));
}

static void
next_clicked_cb (WalletSetupWindow *self)
{
  update_buttons (self);
  if (!gtk_widget_get_sensitive (self->next_button) || self->busy)
    return;

  switch (self->page)
    {
    case PAGE_WELCOME:
    case PAGE_NAME:
      show_page (self, self->page + 1);
      break;
    case PAGE_PASSWORD:
      /* Wipeable copies are made at creation; the repeat field is cleared
       * as soon as it has served. */
      gtk_editable_set_text (GTK_EDITABLE (self->repeat_entry), "");
      show_page (self, PAGE_REGISTER);
      break;
    case PAGE_REGISTER:
      start_create (self);
      break;
    case PAGE_RESTORE:
      start_restore (self);
      break;
    case PAGE_DONE:
      finish (self);
      gtk_window_destroy (GTK_WINDOW (self));
      break;
    default:
      break;
    }
}

static void
back_clicked_cb (WalletSetupWindow *self)
{
  if (self->busy || self->page == PAGE_WELCOME)
    return;
  if (self->page == PAGE_RESTORE)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->backup_password_entry), "");
      gtk_editable_set_text (GTK_EDITABLE (self->profile_password_entry), "");
      show_page (self, PAGE_WELCOME);
      return;
    }
  if (self->page >= PAGE_CREATING)
    return;
  if (self->page == PAGE_REGISTER)
    {
      /* Back to the password: it must be typed twice again. */
      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      gtk_editable_set_text (GTK_EDITABLE (self->repeat_entry), "");
    }
  show_page (self, self->page - 1);
}

static gboolean
close_request_cb (GtkWindow *window)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (window);

  /* The key is being made: closing now would leave half a profile. */
  if (self->page == PAGE_CREATING)
    return TRUE;
  g_cancellable_cancel (self->worker_cancellable);
  finish (self);
  return FALSE;
}

/**
 * wallet_setup_window_create_async:
 *
 * Runs the setup; it finishes when the user opens the new wallet (with the
 * open, locked profile) or closes the window before (%G_IO_ERROR_CANCELLED).
 * The caller presents the window.
 */
void
wallet_setup_window_create_async (WalletSetupWindow   *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (WALLET_IS_SETUP_WINDOW (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, wallet_setup_window_create_async);
}

/**
 * wallet_setup_window_create_finish:
 *
 * Returns: (transfer full): the new profile, open and locked, or %NULL.
 */
SemperProfile *
wallet_setup_window_create_finish (WalletSetupWindow  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wallet_setup_window_dispose (GObject *object)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (object);

  g_cancellable_cancel (self->worker_cancellable);
  finish (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_SETUP_WINDOW);
  self->stack = NULL;
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (wallet_setup_window_parent_class)->dispose (object);
}

static void
wallet_setup_window_finalize (GObject *object)
{
  WalletSetupWindow *self = WALLET_SETUP_WINDOW (object);

  g_clear_object (&self->worker_cancellable);
  g_clear_object (&self->restore_file);
  g_clear_pointer (&self->root, g_bytes_unref);
  g_clear_pointer (&self->root_url, g_free);
  g_clear_pointer (&self->profile_dir, g_free);

  G_OBJECT_CLASS (wallet_setup_window_parent_class)->finalize (object);
}

/* As in the trusted display: on X11 any client can read the keystrokes
 * typed here, the new password included. */
static void
wallet_setup_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (wallet_setup_window_parent_class)->realize (widget);

#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (gtk_widget_get_display (widget)))
    gtk_widget_set_visible (GTK_WIDGET (WALLET_SETUP_WINDOW (widget)->x11_label), TRUE);
#endif
}

static void
wallet_setup_window_class_init (WalletSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wallet_setup_window_dispose;
  object_class->finalize = wallet_setup_window_finalize;
  window_class->close_request = close_request_cb;
  widget_class->realize = wallet_setup_window_realize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-setup-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, WalletSetupWindow, name)
  BIND (back_button);
  BIND (window_title);
  BIND (stack);
  BIND (name_row);
  BIND (password_entry);
  BIND (repeat_entry);
  BIND (strength_bar);
  BIND (strength_label);
  BIND (x11_label);
  BIND (ca_check);
  BIND (ca_url_row);
  BIND (fetch_button);
  BIND (root_row);
  BIND (confirm_row);
  BIND (confirm_check);
  BIND (later_check);
  BIND (spinner);
  BIND (done_page);
  BIND (error_label);
  BIND (next_button);
#undef BIND
}

static void
wallet_setup_window_init (WalletSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->worker_cancellable = g_cancellable_new ();
  gtk_editable_set_text (GTK_EDITABLE (self->ca_url_row), WALLET_DEMO_CA_URL);

  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (next_clicked_cb), self);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (update_buttons), self);
  g_signal_connect_swapped (self->name_row, "entry-activated", G_CALLBACK (next_clicked_cb),
                            self);
  g_signal_connect_swapped (self->password_entry, "changed", G_CALLBACK (password_changed_cb),
                            self);
  g_signal_connect_swapped (self->repeat_entry, "changed", G_CALLBACK (password_changed_cb),
                            self);
  g_signal_connect_swapped (self->repeat_entry, "activate", G_CALLBACK (next_clicked_cb), self);
  g_signal_connect_swapped (self->ca_url_row, "changed", G_CALLBACK (ca_url_changed_cb), self);
  g_signal_connect_swapped (self->fetch_button, "clicked", G_CALLBACK (fetch_clicked_cb), self);
  g_signal_connect_swapped (self->ca_check, "toggled", G_CALLBACK (update_buttons), self);
  g_signal_connect_swapped (self->later_check, "toggled", G_CALLBACK (update_buttons), self);
  g_signal_connect_swapped (self->confirm_check, "toggled", G_CALLBACK (update_buttons), self);

  build_restore_page (self);
  password_changed_cb (self);
  show_page (self, PAGE_WELCOME);
}

/**
 * wallet_setup_window_new:
 * @app: (nullable): the application the window belongs to
 * @profile_dir: where the new profile goes (it must not hold one yet)
 */
WalletSetupWindow *
wallet_setup_window_new (GtkApplication *app,
                         const char     *profile_dir)
{
  WalletSetupWindow *self;

  g_return_val_if_fail (profile_dir != NULL, NULL);

  self = g_object_new (WALLET_TYPE_SETUP_WINDOW, "application", app, NULL);
  self->profile_dir = g_strdup (profile_dir);
  return self;
}

/* ---- test hooks ------------------------------------------------------- */

const char *
_wallet_setup_window_get_page (WalletSetupWindow *self)
{
  return pages[self->page];
}

gboolean
_wallet_setup_window_is_busy (WalletSetupWindow *self)
{
  return self->busy;
}

GtkWidget *
_wallet_setup_window_get_widget (WalletSetupWindow *self,
                                 const char        *name)
{
  struct { const char *name; gpointer widget; } widgets[] = {
    { "next", self->next_button }, { "back", self->back_button },
    { "name", self->name_row }, { "password", self->password_entry },
    { "repeat", self->repeat_entry }, { "strength", self->strength_label },
    { "x11", self->x11_label },
    { "ca", self->ca_check }, { "ca-url", self->ca_url_row },
    { "fetch", self->fetch_button }, { "root", self->root_row },
    { "confirm", self->confirm_check }, { "later", self->later_check },
    { "error", self->error_label }, { "done", self->done_page },
    { "restore", self->restore_button }, { "restore-file", self->restore_file_row },
    { "backup-password", self->backup_password_entry },
    { "profile-password", self->profile_password_entry },
    { "take-over", self->take_over_switch },
  };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    if (g_str_equal (widgets[i].name, name))
      return widgets[i].widget;
  return NULL;
}

/* What the file chooser would give. */
void
_wallet_setup_window_set_restore_file (WalletSetupWindow *self,
                                       GFile             *file)
{
  set_restore_file (self, file);
}
