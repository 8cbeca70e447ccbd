/* fx-merchant-helper.c: a merchant process for test-fair-exchange's merchant
 * crash test. It opens the merchant's profile, serves its SemperFxMerchant
 * (the store PROFILE/fx.db, e-cash collected at the bank) on
 * 127.0.0.1:<any port> and kills itself (SIGKILL) right after the merchant's
 * journal point named by SEMPER_TEST_CRASH_AFTER (m2-sent, m3-received,
 * m4-sent). At every start it first runs semper_fx_merchant_recover() with
 * the TTP, as the merchant's role does after a crash.
 *
 * Prints "recovered N" and then "listening on URL"; serves until killed.
 * Usage: fx-merchant-helper PROFILE PASSWORD TTP_CERT TTP_URL BANK_URL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "semper-comm-server.h"
#include "semper-fair-exchange.h"
#include "semper-fx-ecash.h"
#include "semper-profile.h"

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static void
journaled_cb (SemperFxMerchant *merchant,
              const char       *key,
              const char       *state,
              gpointer          user_data)
{
  const char *crash = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (crash != NULL && g_str_equal (crash, state))
    raise (SIGKILL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperFxMerchant) merchant = NULL;
  g_autoptr(SemperFxEcash) ecash = NULL;
  g_autoptr(SemperCommServer) server = NULL;
  g_autoptr(GBytes) ttp_cert = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *db = NULL;
  g_autofree char *uri = NULL;
  SemperFxPaymentSystem system;
  char *data = NULL;
  gsize len = 0;
  int recovered;

  if (argc != 6)
    return 2;
  /* Never outlive the test. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  profile = semper_profile_open (argv[1], SEMPER_PROFILE_OPEN_DEFAULT, password_cb, argv[2],
                                 &error);
  if (profile == NULL)
    goto fail;
  trust = semper_profile_dup_trust (profile, &error);
  if (trust == NULL || !g_file_get_contents (argv[3], &data, &len, &error))
    goto fail;
  ttp_cert = g_bytes_new_take (data, len);
  db = g_build_filename (argv[1], "fx.db", NULL);
  merchant = semper_fx_merchant_new (semper_profile_get_crypto (profile), trust, ttp_cert, db,
                                     &error);
  if (merchant == NULL)
    goto fail;
  ecash = semper_fx_ecash_new_merchant (semper_profile_get_crypto (profile), trust, argv[5],
                                        NULL);
  semper_fx_ecash_get_system (ecash, &system);
  semper_fx_merchant_add_payment_system (merchant, &system);
  g_signal_connect (merchant, "journaled", G_CALLBACK (journaled_cb), NULL);

  recovered = semper_fx_merchant_recover (merchant, argv[4], &error);
  if (recovered < 0)
    goto fail;
  g_print ("recovered %d\n", recovered);

  server = semper_comm_server_new (&error);
  if (server == NULL)
    goto fail;
  semper_fx_merchant_add_routes (merchant, server, "");
  if (!semper_comm_server_listen (server, "127.0.0.1", 0, &error))
    goto fail;
  uri = semper_comm_server_dup_uri (server);
  g_print ("listening on %s\n", uri);
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;

fail:
  g_printerr ("fx-merchant-helper: %s\n", error->message);
  return 1;
}
