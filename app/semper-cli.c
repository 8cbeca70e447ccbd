/* semper-cli.c: what every command of `semper` shares: output, input, passwords.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-cli.h"

#include <errno.h>
#include <stdarg.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "semper-archive.h"
#include "semper-checker.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"

Cli cli;

GOptionEntry semper_cli_global_entries[] = {
  { "profile", 0, 0, G_OPTION_ARG_FILENAME, &cli.profile_dir,
    N_("Profile directory (default $SEMPER_PROFILE or ~/.local/share/semper)"), N_("DIR") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, N_("Print one JSON object"), NULL },
  { NULL }
};

/* ---- output ------------------------------------------------------------ */

void
cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

/* One JSON object of string members: @name, its value, and more pairs up to
 * a NULL name. */
void
cli_print_json_strings (const char *name,
                        ...)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  va_list args;

  json_builder_begin_object (b);
  va_start (args, name);
  for (const char *member = name; member != NULL; member = va_arg (args, const char *))
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (b);
  cli_print_json (b);
}

static const char *
error_code (const GError *error)
{
  if (error->domain == SEMPER_DOCUMENT_ERROR)
    return "bad-document";
  if (error->domain == SEMPER_CONSENT_ERROR)
    return error->code == SEMPER_CONSENT_ERROR_CANCELLED ? "cancelled" : "refused";
  if (error->domain == SEMPER_CRYPTO_ERROR)
    {
      switch (error->code)
        {
        case SEMPER_CRYPTO_ERROR_BAD_PASSWORD: return "bad-password";
        case SEMPER_CRYPTO_ERROR_CANCELLED: return "cancelled";
        case SEMPER_CRYPTO_ERROR_BAD_SIGNATURE: return "bad-signature";
        case SEMPER_CRYPTO_ERROR_UNTRUSTED: return "untrusted";
        case SEMPER_CRYPTO_ERROR_EXPIRED: return "expired";
        case SEMPER_CRYPTO_ERROR_REVOKED: return "revoked";
        case SEMPER_CRYPTO_ERROR_BAD_INPUT: return "bad-input";
        default: return "crypto";
        }
    }
  if (error->domain == SEMPER_PROFILE_ERROR)
    {
      switch (error->code)
        {
        case SEMPER_PROFILE_ERROR_BUSY: return "profile-busy";
        case SEMPER_PROFILE_ERROR_NOT_FOUND: return "no-profile";
        case SEMPER_PROFILE_ERROR_EXISTS: return "exists";
        case SEMPER_PROFILE_ERROR_NO_IDENTITY: return "no-identity";
        default: return "profile";
        }
    }
  return "error";
}

/* Reports @error and returns the exit status that goes with it. */
int
cli_fail (const GError *error,
      int           status)
{
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, error_code (error));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *safe = semper_headless_escape (error->message, -1);
      g_printerr ("semper: %s\n", safe);
    }

  return status;
}

int
cli_usage (GOptionContext *context,
       const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  if (message)
    g_printerr ("semper: %s\n", message);
  g_printerr ("%s", help);
  return EXIT_USAGE;
}

/* Parses the command's options (@entries, then the global ones) and checks
 * that @n_args arguments are left (-1: the command checks them itself). On a
 * usage error, prints the message (@usage for a wrong number of arguments)
 * and the help, and returns FALSE: the command exits with EXIT_USAGE. */
gboolean
cli_parse_options (GOptionContext      *context,
                   const GOptionEntry  *entries,
                   int                 *argc,
                   char              ***argv,
                   int                  n_args,
                   const char          *usage)
{
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cli_usage (context, error->message);
      return FALSE;
    }
  if (n_args >= 0 && *argc != n_args + 1)
    {
      cli_usage (context, usage);
      return FALSE;
    }
  return TRUE;
}

/* ---- input ------------------------------------------------------------- */

/* A certificate file, PEM or DER; returns (transfer full) the DER. */
GBytes *
cli_read_certificate (const char  *path,
                      GError     **error)
{
  g_autoptr(GBytes) bytes = cli_read_file (path, error);
  const char *data;
  gsize len = 0;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (len > 10 && memcmp (data, "-----BEGIN", 10) == 0)
    {
      g_autofree char *pem = g_strndup (data, len);
      return semper_certificate_from_pem (pem, error);
    }
  return g_steal_pointer (&bytes);
}

/* The profile's archive, opened without unlocking the key database: reading
 * receipts, disputes and bundles needs no password (as `semper verify`).
 * SQLite's own locking (WAL) keeps this safe while the wallet has the
 * profile open. */
SemperArchive *
cli_open_archive (GError **error)
{
  g_autofree char *dir = cli_profile_dir ();
  g_autofree char *path = NULL;

  if (!semper_profile_exists (dir))
    {
      g_set_error (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NOT_FOUND,
                   _("No wallet profile in %s (create one with “semper init”)"), dir);
      return NULL;
    }
  path = g_build_filename (dir, "archive.db", NULL);
  return semper_archive_open (path, error);
}

GBytes *
cli_read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  char *data = NULL;
  gsize len = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, error);
  if (info == NULL)
    return NULL;

  if (g_file_info_get_size (info) > MAX_INPUT_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("%s is larger than %d MiB"), path, MAX_INPUT_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, error))
    return NULL;

  return g_bytes_new_take (data, len);
}

static char *
read_password_file (const char  *path,
                    GError     **error)
{
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;

  /* One trailing newline is the file's, not the password's. */
  if (len > 0 && data[len - 1] == '\n')
    data[--len] = '\0';
  if (len > 0 && data[len - 1] == '\r')
    data[--len] = '\0';

  if (strlen (data) != len)
    {
      semper_secret_free (data);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password file %s contains a NUL byte"), path);
      return NULL;
    }

  return data;
}

static char *
prompt_no_echo (FILE       *tty,
                const char *prompt)
{
  struct termios old, quiet;
  char buf[1024];
  gboolean restored = TRUE;
  char *answer = NULL;
  int fd = fileno (tty);

  fputs (prompt, tty);
  fflush (tty);

  if (tcgetattr (fd, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~(ECHO | ECHONL);
      quiet.c_lflag |= ICANON;
      restored = tcsetattr (fd, TCSAFLUSH, &quiet) != 0;
    }

  if (fgets (buf, sizeof buf, tty) != NULL)
    {
      buf[strcspn (buf, "\r\n")] = '\0';
      answer = g_strdup (buf);
    }
  semper_secret_wipe (buf, sizeof buf);

  if (!restored)
    tcsetattr (fd, TCSAFLUSH, &old);
  fputc ('\n', tty);

  return answer;
}

/* The SemperPasswordFunc of the command line: --password-file, or the
 * terminal without echo. Never a built-in password. */
char *
cli_password_cb (gboolean  retry,
                 gpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  FILE *tty;
  char *first;

  if (cli.password_file != NULL)
    {
      char *password;

      if (retry)
        return NULL;     /* the file would give the same wrong answer */
      password = read_password_file (cli.password_file, &error);
      if (password == NULL)
        g_printerr ("semper: %s\n", error->message);
      return password;
    }

  tty = fopen ("/dev/tty", "r+e");
  if (tty == NULL)
    {
      g_printerr ("semper: %s\n", _("A password is needed: give --password-file FILE, or run "
                                    "from a terminal"));
      return NULL;
    }

  if (retry)
    {
      fputs (_("Wrong password.\n"), tty);
      /* A growing delay makes guessing at the prompt slow. */
      g_usleep (G_USEC_PER_SEC);
    }

  first = prompt_no_echo (tty, cli.creating ? _("New profile password: ")
                                            : _("Profile password: "));
  if (first != NULL && cli.creating)
    {
      char *second = prompt_no_echo (tty, _("Repeat the password: "));

      if (second == NULL || !g_str_equal (first, second))
        {
          fputs (_("The passwords differ.\n"), tty);
          semper_secret_free (first);
          first = NULL;
        }
      semper_secret_free (second);
    }

  fclose (tty);
  return first;
}

char *
cli_profile_dir (void)
{
  if (cli.profile_dir != NULL)
    return g_strdup (cli.profile_dir);
  return semper_profile_default_dir ();
}

int
cli_status_for_error (const GError *error)
{
  if (error->domain == SEMPER_CONSENT_ERROR)
    return EXIT_REFUSED;
  return EXIT_ERROR;
}
