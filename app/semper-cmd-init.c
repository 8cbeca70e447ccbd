/* semper-cmd-init.c: semper init
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "semper-cli.h"
#include "semper-crypto.h"
#include "semper-profile.h"

int
cmd_init (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— create the wallet identity"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *name = NULL;
  g_autofree char *ca = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, as certificates will show it"),
      N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the new profile password from FILE"), N_("FILE") },
    { "ca", 0, 0, G_OPTION_ARG_STRING, &ca, N_("Register with the certification authority at URL"),
      N_("URL") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 1)
    return cli_usage (context, _("init takes no arguments"));
  if (name == NULL || *g_strstrip (name) == '\0')
    return cli_usage (context, _("--name NAME is required"));
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    return cli_usage (context, _("the name must be UTF-8 of at most 64 characters"));

  if (ca != NULL)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Registration with a certification authority is not available yet: "
                     "run “semper init” without --ca for a self-signed identity"));
      return cli_fail (error, EXIT_ERROR);
    }

  dir = cli_profile_dir ();
  cli.creating = TRUE;
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (!semper_profile_create_identity (profile, name, &error))
    return cli_fail (error, EXIT_ERROR);

  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  fingerprint = semper_sha256_hex (cert);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, dir);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, fingerprint);
      json_builder_set_member_name (b, "registered");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_print (_("Created the wallet profile in %s\n"), dir);
      g_print (_("Identity: %s (self-signed, not yet registered with a certification authority)\n"),
               name);
      g_print (_("Certificate fingerprint (SHA-256): %s\n"), fingerprint);
    }

  return EXIT_OK;
}
