/* semperd.c: one server binary for the counterparties.
 *
 *   semperd --role ROLE --listen HOST:PORT --state DIR [--config FILE]
 *           [--password-file FILE]
 *
 * Prints "listening on http://HOST:PORT" on standard output once it accepts
 * connections (with --listen HOST:0, the port it got), and stops cleanly on
 * SIGINT or SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "semper-comm-server.h"
#include "semper-crypto.h"
#include "semperd-roles.h"

static char *password_file;

static char *
password_cb (gboolean  retry,
             gpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  if (retry || password_file == NULL)
    return NULL;

  if (!g_file_get_contents (password_file, &data, &len, &error))
    {
      g_printerr ("semperd: %s\n", error->message);
      return NULL;
    }
  if (len > 0 && data[len - 1] == '\n')
    data[--len] = '\0';
  return data;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_listen (const char  *listen,
              char       **host,
              guint       *port,
              GError     **error)
{
  const char *colon = strrchr (listen, ':');
  guint64 value = 0;

  if (colon == NULL || colon == listen ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen wants HOST:PORT, not “%s”"), listen);
      return FALSE;
    }

  *host = g_strndup (listen, colon - listen);
  *port = (guint) value;
  return TRUE;
}

static void
list_roles (void)
{
  g_printerr ("%s", _("Roles:\n"));
  for (guint i = 0; semperd_roles[i].name != NULL; i++)
    g_printerr ("  %-10s %s\n", semperd_roles[i].name, _(semperd_roles[i].summary));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCommServer) server = NULL;
  g_autoptr(GObject) service = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *role = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *state = NULL;
  g_autofree char *config = NULL;
  g_autofree char *host = NULL;
  g_autofree char *uri = NULL;
  const SemperRole *found = NULL;
  SemperRoleOptions options = { 0 };
  guint port = 0;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("The role to serve"), N_("ROLE") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("Address to listen on (port 0: any free)"),
      N_("HOST:PORT") },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state, N_("Directory for the role’s state"),
      N_("DIR") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config, N_("The role’s configuration"), N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password of the role’s key database from FILE"), N_("FILE") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("— a SEMPER counterparty: merchant, ttp, bank or ca"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("semperd: %s\n", error->message);
      return 2;
    }

  if (role == NULL || listen == NULL || state == NULL)
    {
      g_printerr ("%s", _("semperd: --role, --listen and --state are required\n"));
      list_roles ();
      return 2;
    }

  for (guint i = 0; semperd_roles[i].name != NULL; i++)
    if (g_str_equal (semperd_roles[i].name, role))
      found = &semperd_roles[i];
  if (found == NULL)
    {
      g_printerr (_("semperd: unknown role “%s”\n"), role);
      list_roles ();
      return 2;
    }

  if (!parse_listen (listen, &host, &port, &error))
    {
      g_printerr ("semperd: %s\n", error->message);
      return 2;
    }

  if (g_mkdir_with_parents (state, 0700) != 0)
    {
      g_printerr (_("semperd: cannot create %s: %s\n"), state, g_strerror (errno));
      return 1;
    }

  options.state_dir = state;
  options.config_file = config;
  options.password_func = password_cb;

  server = semper_comm_server_new (&error);
  if (server == NULL)
    goto failed;

  service = found->setup (server, &options, &error);
  if (service == NULL)
    goto failed;

  if (!semper_comm_server_listen (server, host, port, &error))
    goto failed;

  uri = semper_comm_server_dup_uri (server);
  g_print ("listening on %s\n", uri);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  semper_comm_server_disconnect (server);
  g_clear_pointer (&password_file, g_free);
  return 0;

failed:
  g_printerr ("semperd: %s\n", error->message);
  g_clear_pointer (&password_file, g_free);
  return 1;
}
