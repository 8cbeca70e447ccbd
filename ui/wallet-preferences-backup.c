/* wallet-preferences-backup.c: Preferences → Backup
 *
 * Writes an encrypted backup of the whole profile (core/support/
 * semper-backup.h, docs/backup.md) to a file the user picks, under a
 * password typed twice here, in a worker thread. Restoring is
 * `semper restore FILE --profile DIR`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-preferences-backup.h"

#include <glib/gi18n.h>

#include "semper-backup.h"
#include "semper-crypto.h"
#include "semper-profile.h"

#define MIN_PASSWORD_LENGTH 8

struct _WalletPreferencesBackup
{
  AdwPreferencesPage    parent_instance;

  SemperProfile        *profile;
  gboolean              busy;

  AdwEntryRow          *password_row;
  AdwEntryRow          *repeat_row;
  AdwActionRow         *save_row;
  GtkButton            *save_button;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (WalletPreferencesBackup, wallet_preferences_backup,
                     ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (WalletPreferencesBackup *self,
       const char              *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_debug ("toast: %s", text);
  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (text));
}

static void
set_busy (WalletPreferencesBackup *self,
          gboolean                 busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

typedef struct {
  SemperProfile    *profile;
  char             *password;
  char             *path;
  SemperBackupInfo  info;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->profile);
  semper_secret_free (job->password);
  g_free (job->path);
  g_free (job);
}

static void
backup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (semper_backup_create (job->profile, job->password, job->path, &job->info, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
backup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  WalletPreferencesBackup *self = WALLET_PREFERENCES_BACKUP (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->profile == NULL)
    return;     /* the window closed meanwhile */
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_path_get_basename (job->path);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *when = g_date_time_format (now, "%x %X");
      g_autofree char *subtitle = NULL;

      message = g_strdup_printf (ngettext ("Backed up %u file to %s",
                                           "Backed up %u files to %s", job->info.n_files),
                                 job->info.n_files, name);
      /* Translators: the backup row's subtitle after a backup: the time and the file */
      subtitle = g_strdup_printf (_("Last backup: %s, %s"), when, job->path);
      adw_action_row_set_subtitle (self->save_row, subtitle);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), "");
    }
  else
    message = g_strdup_printf (_("The backup was not written: %s"), error->message);
  toast (self, message);
  set_busy (self, FALSE);
}

static gboolean
check_passwords (WalletPreferencesBackup *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_row));
  AdwEntryRow *wrong = NULL;
  const char *problem = NULL;

  if (g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH)
    {
      problem = _("The backup’s password needs at least 8 characters");
      wrong = self->password_row;
    }
  else if (!g_str_equal (password, repeat))
    {
      problem = _("The two passwords differ");
      wrong = self->repeat_row;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->repeat_row), "error");
  if (problem != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (wrong), "error");
      toast (self, problem);
      return FALSE;
    }
  return TRUE;
}

gboolean
wallet_preferences_backup_save_to (WalletPreferencesBackup *self,
                                   GFile                   *file)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *job_path = NULL;
  Job *job;

  g_return_val_if_fail (WALLET_IS_PREFERENCES_BACKUP (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->busy || !check_passwords (self))
    return FALSE;
  job_path = g_file_get_path (file);
  if (job_path == NULL)
    {
      toast (self, _("Choose a file on this computer for the backup"));
      return FALSE;
    }

  job = g_new0 (Job, 1);
  job->profile = g_object_ref (self->profile);
  job->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  job->path = g_steal_pointer (&job_path);
  task = g_task_new (self, NULL, backup_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  set_busy (self, TRUE);
  adw_action_row_set_subtitle (self->save_row, _("Writing the backup…"));
  g_task_run_in_thread (task, backup_thread);
  return TRUE;
}

static void
chooser_response_cb (GtkNativeDialog         *dialog,
                     int                      response,
                     WalletPreferencesBackup *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      wallet_preferences_backup_save_to (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
save_clicked_cb (WalletPreferencesBackup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("semper-wallet-%s.semper-backup", date);

  if (self->busy || !check_passwords (self) || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save the Backup"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
wallet_preferences_backup_dispose (GObject *object)
{
  WalletPreferencesBackup *self = WALLET_PREFERENCES_BACKUP (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (wallet_preferences_backup_parent_class)->dispose (object);
}

static void
wallet_preferences_backup_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  WalletPreferencesBackup *self = WALLET_PREFERENCES_BACKUP (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_preferences_backup_class_init (WalletPreferencesBackupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_preferences_backup_dispose;
  object_class->get_property = wallet_preferences_backup_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wallet_preferences_backup_init (WalletPreferencesBackup *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *coins = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *label;

  adw_preferences_group_set_title (group, _("Encrypted Backup"));
  adw_preferences_group_set_description (group,
    _("One file with your key, receipts, contracts, coins, labels and notes, encrypted "
      "with a password. Keep it somewhere else than this computer."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  self->password_row = ADW_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 _("Backup _Password"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->password_row), TRUE);
  adw_preferences_group_add (group, GTK_WIDGET (self->password_row));
  self->repeat_row = ADW_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->repeat_row),
                                 _("_Repeat the Password"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->repeat_row), TRUE);
  adw_preferences_group_add (group, GTK_WIDGET (self->repeat_row));

  self->save_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->save_row), _("Back Up to a File"));
  adw_action_row_set_subtitle (self->save_row, _("No backup made from this window yet"));
  self->save_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Back Up…")));
  gtk_widget_set_valign (GTK_WIDGET (self->save_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  adw_action_row_add_suffix (self->save_row, GTK_WIDGET (self->save_button));
  adw_action_row_set_activatable_widget (self->save_row, GTK_WIDGET (self->save_button));
  adw_preferences_group_add (group, GTK_WIDGET (self->save_row));

  adw_preferences_group_set_title (coins, _("Restoring"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), coins);
  label = gtk_label_new (_("Restore into a new profile with “semper restore FILE --profile "
                           "DIR --backup-password-file F”, F holding this backup’s password; "
                           "the restored profile opens with this profile’s password. The "
                           "coins in a backup are also in this wallet: the restore swaps them "
                           "at the bank, and the copies here can then no longer be spent."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "dim-label");
  adw_preferences_group_add (coins, label);
}

/**
 * wallet_preferences_backup_new:
 * @profile: the open profile
 *
 * Returns: (transfer full): the Backup page for @profile
 */
WalletPreferencesBackup *
wallet_preferences_backup_new (SemperProfile *profile)
{
  WalletPreferencesBackup *self;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  self = g_object_ref_sink (g_object_new (WALLET_TYPE_PREFERENCES_BACKUP,
                                          "title", _("Backup"),
                                          "icon-name", "document-save-symbolic",
                                          "name", "backup",
                                          NULL));
  self->profile = g_object_ref (profile);
  return self;
}

gboolean
wallet_preferences_backup_get_busy (WalletPreferencesBackup *self)
{
  g_return_val_if_fail (WALLET_IS_PREFERENCES_BACKUP (self), FALSE);

  return self->busy;
}

AdwEntryRow *
_wallet_preferences_backup_get_password_row (WalletPreferencesBackup *self,
                                             guint                    n)
{
  return n == 0 ? self->password_row : self->repeat_row;
}
