/* semper-cmd-init.c: semper init
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-ca.h"
#include "semper-ca-client.h"
#include "semper-cli.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-profile.h"
#include "semper-trust.h"

/* Registration with a CA (docs/ca.md): fetch the root, compare or show its
 * fingerprint, make a CSR for the profile's key, register, check what came
 * back against that root, then import it and pin the root. */
static int
init_with_ca (const char *name,
              const char *ca,
              const char *expected_fingerprint)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root_role = NULL;
  g_autofree char *root_fingerprint = NULL;
  g_autofree char *root_name = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *dir = NULL;

  if (!g_str_has_prefix (ca, "http://") && !g_str_has_prefix (ca, "https://"))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--ca wants an http:// or https:// URL"));
      return cli_fail (error, EXIT_USAGE);
    }

  root = semper_ca_client_fetch_root (client, ca, NULL, &error);
  if (root == NULL)
    {
      g_prefix_error (&error, _("Could not fetch the CA's root certificate: "));
      return cli_fail (error, EXIT_ERROR);
    }
  trust = semper_trust_new (root, &error);
  if (trust == NULL)
    return cli_fail (error, EXIT_ERROR);
  root_role = semper_certificate_dup_role (root);
  if (g_strcmp0 (root_role, SEMPER_ROLE_CA) != 0)
    {
      g_set_error_literal (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                           _("The server's root certificate is not a certification authority's"));
      return cli_fail (error, EXIT_REFUSED);
    }
  root_fingerprint = semper_sha256_hex (root);
  root_name = semper_certificate_dup_common_name (root);
  if (expected_fingerprint != NULL)
    {
      g_autofree char *want = semper_ca_normalize_fingerprint (expected_fingerprint);

      if (want == NULL)
        {
          g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("--ca-fingerprint wants 64 hex digits (SHA-256)"));
          return cli_fail (error, EXIT_USAGE);
        }
      if (!g_str_equal (want, root_fingerprint))
        {
          g_set_error (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                       _("The CA's root certificate has fingerprint %s, not the one you "
                         "gave: refusing to register"), root_fingerprint);
          return cli_fail (error, EXIT_REFUSED);
        }
    }

  dir = cli_profile_dir ();
  cli.creating = TRUE;
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (semper_profile_has_identity (profile))
    {
      g_set_error (&error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_EXISTS,
                   _("The profile %s already has an identity"), dir);
      return cli_fail (error, EXIT_ERROR);
    }
  if (!semper_profile_register (profile, ca, root, name, NULL, &info, &error))
    {
      gboolean refused = g_error_matches (error, SEMPER_PROFILE_ERROR,
                                          SEMPER_PROFILE_ERROR_NOT_REGISTERED);
      return cli_fail (error, refused ? EXIT_REFUSED : EXIT_ERROR);
    }
  fingerprint = g_strdup (info->fingerprint);

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
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, info->role);
      json_builder_set_member_name (b, "registered");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "ca");
      json_builder_add_string_value (b, ca);
      json_builder_set_member_name (b, "ca_name");
      json_builder_add_string_value (b, root_name ? root_name : "");
      json_builder_set_member_name (b, "ca_fingerprint");
      json_builder_add_string_value (b, root_fingerprint);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_print (_("Created the wallet profile in %s\n"), dir);
      g_print (_("Identity: %s (role wallet), registered with %s\n"), name, ca);
      g_print (_("Certificate fingerprint (SHA-256): %s\n"), fingerprint);
      g_print (_("Pinned CA root: %s\n"), root_name ? root_name : "");
      g_print (_("CA root fingerprint (SHA-256): %s\n"), root_fingerprint);
      if (expected_fingerprint == NULL)
        g_print ("%s", _("Compare the CA root fingerprint with the one your marketplace "
                         "publishes; if they differ, delete this profile.\n"));
    }
  return EXIT_OK;
}

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
  g_autofree char *ca_fingerprint = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, as certificates will show it"),
      N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the new profile password from FILE"), N_("FILE") },
    { "ca", 0, 0, G_OPTION_ARG_STRING, &ca, N_("Register with the certification authority at URL"),
      N_("URL") },
    { "ca-fingerprint", 0, 0, G_OPTION_ARG_STRING, &ca_fingerprint,
      N_("Register only if the CA root has this SHA-256 fingerprint"), N_("HEX") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("init takes no arguments")))
    return EXIT_USAGE;
  if (name == NULL || *g_strstrip (name) == '\0')
    return cli_usage (context, _("--name NAME is required"));
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    return cli_usage (context, _("the name must be UTF-8 of at most 64 characters"));

  if (ca_fingerprint != NULL && ca == NULL)
    return cli_usage (context, _("--ca-fingerprint needs --ca URL"));
  if (ca != NULL)
    return init_with_ca (name, ca, ca_fingerprint);

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
