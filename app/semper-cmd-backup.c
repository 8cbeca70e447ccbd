/* semper-cmd-backup.c: semper backup FILE | semper restore FILE --profile DIR
 *
 * One encrypted file with the whole profile (core/support/semper-backup.h,
 * docs/backup.md). The backup is encrypted under the profile password unless
 * --backup-password-file names another; a restore opens with the original
 * profile's password, and then takes the purse's coins over: it swaps them at
 * the bank for new ones, so that the original's copies are refused as spent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-backup.h"
#include "semper-cli.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-restore.h"

static char *backup_password_file;

static int
parse_options (GOptionContext  *context,
               GOptionEntry    *entries,
               int             *argc,
               char          ***argv)
{
  g_autoptr(GError) error = NULL;
  GOptionEntry password_entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { "backup-password-file", 0, 0, G_OPTION_ARG_FILENAME, &backup_password_file,
      N_("Read the backup's password from FILE (default: the profile password)"), N_("FILE") },
    { NULL }
  };

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return cli_usage (context, error->message);
  return EXIT_OK;
}

/* The backup's password: --backup-password-file, else the profile's
 * (--password-file or the terminal), through the usual callback. */
static char *
backup_password (void)
{
  char *saved = cli.password_file;
  char *password;

  if (backup_password_file != NULL)
    cli.password_file = backup_password_file;
  password = cli_password_cb (FALSE, NULL);
  cli.password_file = saved;
  return password;
}

static char *
known_password_cb (gboolean retry,
                   gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return dt != NULL ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
}

int
cmd_backup (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FILE — write an encrypted backup of the whole profile"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *created = NULL;
  SemperBackupInfo info;
  char *password;
  gboolean ok;
  int status;

  status = parse_options (context, NULL, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (argc != 2)
    return cli_usage (context, _("backup takes the file to write"));

  dir = cli_profile_dir ();
  /* Holding the profile's lock: no other process writes it meanwhile. */
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  password = backup_password ();
  if (password == NULL)
    {
      g_set_error (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED,
                   _("No password for the backup"));
      return cli_fail (error, EXIT_ERROR);
    }
  ok = semper_backup_create (profile, password, argv[1], &info, &error);
  semper_secret_free (password);
  if (!ok)
    return cli_fail (error, EXIT_ERROR);

  created = format_time (info.created);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "backup");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "files");
      json_builder_add_int_value (b, info.n_files);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) info.n_bytes);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Backed up %u files (%" PRIu64 " bytes) of %s to %s.\n"),
             info.n_files, info.n_bytes, dir, argv[1]);
  return EXIT_OK;
}

/* `semper restore --take-over --profile DIR`: the take-over a restore could
 * not do (no network, or another password). */
static int
take_over_existing (void)
{
  g_autofree char *dir = cli_profile_dir ();
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  guint taken = 0;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, &error);
  if (profile == NULL || !semper_restore_take_over_coins (profile, &taken, &error))
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, dir);
      json_builder_set_member_name (b, "coins_taken_over");
      json_builder_add_int_value (b, taken);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Swapped %u coins at the bank: the copies in the original profile are no "
               "longer spendable.\n"), taken);
  return EXIT_OK;
}

int
cmd_restore (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FILE — restore a backup into a new profile (--profile DIR)"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) take_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *created = NULL;
  gboolean no_take_over = FALSE;
  gboolean take_over_only = FALSE;
  GOptionEntry entries[] = {
    { "no-take-over", 0, 0, G_OPTION_ARG_NONE, &no_take_over,
      N_("Do not swap the purse's coins at the bank (the original may then spend them)"), NULL },
    { "take-over", 0, 0, G_OPTION_ARG_NONE, &take_over_only,
      N_("Without FILE: only swap the coins of the restored profile DIR at the bank"), NULL },
    { NULL }
  };
  SemperBackupInfo info;
  guint taken = 0;
  char *password;
  gboolean ok;
  int status;

  status = parse_options (context, entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (take_over_only && argc == 1)
    return take_over_existing ();
  if (argc != 2)
    return cli_usage (context, _("restore takes the backup file"));
  if (cli.profile_dir == NULL)
    return cli_usage (context, _("restore needs --profile DIR, a folder that does not exist yet"));

  dir = cli_profile_dir ();
  password = backup_password ();
  if (password == NULL)
    {
      g_set_error (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_CANCELLED,
                   _("No password for the backup"));
      return cli_fail (error, EXIT_ERROR);
    }
  ok = semper_backup_restore (argv[1], password, dir, &info, &error);
  if (ok && !no_take_over)
    {
      /* The profile password is the original's: the backup's unless told otherwise. */
      if (backup_password_file != NULL)
        profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL,
                                       &take_error);
      else
        {
          profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, known_password_cb,
                                         password, NULL);
          /* A backup made in the window has a password of its own: ask for the profile's. */
          if (profile == NULL)
            profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb,
                                           NULL, &take_error);
        }
      if (profile != NULL)
        semper_restore_take_over_coins (profile, &taken, &take_error);
    }
  semper_secret_free (password);
  if (!ok)
    return cli_fail (error, EXIT_ERROR);

  created = format_time (info.created);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, dir);
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "files");
      json_builder_add_int_value (b, info.n_files);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) info.n_bytes);
      json_builder_set_member_name (b, "coins_taken_over");
      json_builder_add_int_value (b, taken);
      if (take_error != NULL)
        {
          json_builder_set_member_name (b, "take_over_error");
          json_builder_add_string_value (b, take_error->message);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_print (_("Restored the backup of %s (%u files) into %s.\n"), created, info.n_files, dir);
      if (taken > 0)
        g_print (_("Swapped %u coins at the bank: the copies in the original profile are no "
                   "longer spendable.\n"), taken);
    }
  if (take_error != NULL)
    {
      g_printerr (_("semper: the purse's coins were not taken over: %s\n"), take_error->message);
      g_printerr (_("semper: until they are (semper restore --take-over --profile %s), the "
                    "original profile can spend the same coins, and the bank refuses "
                    "whichever copy comes second.\n"), dir);
    }
  return EXIT_OK;
}
