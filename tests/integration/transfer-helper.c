/* transfer-helper.c: the receiving party of test-transfer as its own
 * process: opens a profile, serves POST /transfer with the transfer service
 * (semper_transfer_add_route) into the profile's archive, and takes payments
 * by printing them. Prints "listening on URL", then serves until killed.
 *
 * Usage: transfer-helper PROFILE PASSWORD REQUIRED   (REQUIRED: the attribute bits)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "semper-comm-server.h"
#include "semper-profile.h"
#include "semper-transfer.h"

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static gboolean
payment_cb (const SemperPackage  *package,
            const SemperItem     *item,
            gpointer              user_data,
            GError              **error)
{
  g_printerr ("payment %s of %" G_GSIZE_FORMAT " bytes in package %s\n", item->type,
              g_bytes_get_size (item->content), package->id);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperCommServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *uri = NULL;

  if (argc != 4)
    return 2;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  profile = semper_profile_open (argv[1], SEMPER_PROFILE_OPEN_DEFAULT, password_cb, argv[2],
                                 &error);
  if (profile == NULL)
    goto fail;
  trust = semper_profile_dup_trust (profile, &error);
  if (trust == NULL)
    goto fail;
  server = semper_comm_server_new (&error);
  if (server == NULL)
    goto fail;
  semper_transfer_add_route (server, "/transfer", semper_profile_get_crypto (profile), trust,
                             semper_profile_get_archive (profile),
                             (SemperTransferAttributes) g_ascii_strtoll (argv[3], NULL, 10),
                             payment_cb, NULL);
  if (!semper_comm_server_listen (server, "127.0.0.1", 0, &error))
    goto fail;
  uri = semper_comm_server_dup_uri (server);
  g_print ("listening on %s\n", uri);
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;

fail:
  g_printerr ("transfer-helper: %s\n", error->message);
  return 1;
}
