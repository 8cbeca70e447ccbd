/* semper-cmd-ca.c: semper ca update-crl | revoke
 *
 * update-crl: fetch the revocation list of the CA the profile registered
 * with, check it against the pinned root and keep it (PROFILE/crl.der) for
 * `semper verify`. revoke: the CA operator's command (needs the CA's admin
 * token, from the same machine as the CA).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "semper-ca.h"
#include "semper-ca-client.h"
#include "semper-archive.h"
#include "semper-cli.h"
#include "semper-evidence.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-trust.h"

static char *
read_text (const char  *path,
           gsize        max,
           GError     **error)
{
  g_autoptr(GBytes) bytes = cli_read_file (path, error);
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  if (len == 0 || len > max || memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s: unexpected contents"),
                   path);
      return NULL;
    }
  return g_strndup (data, len);
}

static int
ca_update_crl (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— fetch the CA's revocation list for verify"));
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_STRING, &ca,
      N_("The CA's URL (default: the one the profile registered with)"), N_("URL") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("update-crl takes no arguments")))
    return EXIT_USAGE;

  dir = cli_profile_dir ();
  path = g_build_filename (dir, "trust-root.der", NULL);
  root = cli_read_file (path, &error);
  if (root == NULL)
    return cli_fail (error, EXIT_ERROR);
  trust = semper_trust_new (root, &error);
  if (trust == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (ca == NULL)
    {
      g_free (path);
      path = g_build_filename (dir, "ca-url", NULL);
      ca = read_text (path, 2048, &error);
      if (ca == NULL)
        {
          g_prefix_error (&error, _("The profile did not register with a CA (use --ca URL): "));
          return cli_fail (error, EXIT_ERROR);
        }
    }

  crl = semper_ca_client_fetch_crl (client, ca, NULL, &error);
  if (crl == NULL || !semper_trust_set_crl (trust, crl, &error))
    return cli_fail (error, EXIT_ERROR);

  /* A cache of a signed public list, replaced atomically; it needs no
   * password, like trust-root.der for verify. */
  g_free (path);
  path = g_build_filename (dir, "crl.der", NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (crl, NULL), g_bytes_get_size (crl),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    return cli_fail (error, EXIT_ERROR);

  /* Evidence (docs/evidence.md): each list as fetched stays in the archive. */
  g_free (path);
  path = g_build_filename (dir, "archive.db", NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(SemperArchive) archive = semper_archive_open (path, &error);

      if (archive == NULL || !semper_evidence_keep_crl (archive, crl, &error))
        return cli_fail (error, EXIT_ERROR);
    }
  g_free (path);
  path = g_build_filename (dir, "crl.der", NULL);

  if (cli.json)
    cli_print_json_strings ("ca", ca, "crl", path, NULL);
  else
    g_print (_("Updated the revocation list from %s\n"), ca);
  return EXIT_OK;
}

static int
ca_revoke (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FINGERPRINT — revoke a certificate (CA operator)"));
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *token = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *fingerprint = NULL;
  GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_STRING, &ca, N_("The CA's URL"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("The CA's admin token (its STATE/admin-token)"), N_("FILE") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("A note for the CA's record"),
      N_("TEXT") },
    { NULL }
  };
  gboolean ok;

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc != 2 || ca == NULL || token_file == NULL)
    return cli_usage (context, _("revoke wants --ca URL --token-file FILE FINGERPRINT"));

  fingerprint = semper_ca_normalize_fingerprint (argv[1]);
  if (fingerprint == NULL)
    return cli_usage (context, _("FINGERPRINT is the certificate's SHA-256 in hex"));
  token = read_text (token_file, 256, &error);
  if (token == NULL)
    return cli_fail (error, EXIT_ERROR);

  ok = semper_ca_client_revoke (client, ca, token, fingerprint, reason, NULL, &error);
  semper_secret_wipe (token, strlen (token));
  if (!ok)
    return cli_fail (error, EXIT_ERROR);

  if (cli.json)
    cli_print_json_strings ("revoked", fingerprint, NULL);
  else
    g_print (_("Revoked %s\n"), fingerprint);
  return EXIT_OK;
}

int
cmd_ca (int    argc,
        char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "update-crl"))
    return ca_update_crl (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "revoke"))
    return ca_revoke (argc - 1, argv + 1);

  g_printerr ("%s", _("usage: semper ca update-crl [--ca URL]\n"
                      "       semper ca revoke --ca URL --token-file FILE FINGERPRINT "
                      "[--reason TEXT]\n"));
  return EXIT_USAGE;
}
