/* fx-crash-helper.c: buys one offer with a wallet profile and kills itself
 * (SIGKILL) right after the buyer's journal point named by
 * SEMPER_TEST_CRASH_AFTER (a state: prepared, m1-sent, m2-received, …), for
 * test-fair-exchange's crash test. Prints the exchange id first.
 *
 * Usage: fx-crash-helper PROFILE PASSWORD OFFER MERCHANT_URL TTP_URL TTP_CERT
 * Exit status 0 when the purchase finished, 1 when it failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include "semper-fair-exchange.h"
#include "semper-fx-ecash.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static void
journaled_cb (SemperFxBuyer *buyer,
              const char    *id,
              const char    *state,
              gpointer       user_data)
{
  const char *crash = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (crash != NULL && g_str_equal (crash, state))
    {
      /* Killed inside prepare(), the id is not printed yet. */
      if (g_str_equal (state, SEMPER_FX_PREPARED))
        {
          g_print ("%s\n", id);
          fflush (stdout);
        }
      raise (SIGKILL);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperFxBuyer) buyer = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GBytes) offer = NULL, ttp_cert = NULL, document = NULL, m1 = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  char *data = NULL;
  gsize len = 0;
  FILE *devnull;

  if (argc != 7)
    return 2;
  profile = semper_profile_open (argv[1], SEMPER_PROFILE_OPEN_DEFAULT, password_cb, argv[2],
                                 &error);
  if (profile != NULL)
    buyer = semper_fx_ecash_new_wallet_buyer (profile, &error);
  if (buyer == NULL)
    goto fail;
  g_signal_connect (buyer, "journaled", G_CALLBACK (journaled_cb), NULL);
  if (!g_file_get_contents (argv[3], &data, &len, &error))
    goto fail;
  offer = g_bytes_new_take (data, len);
  if (!g_file_get_contents (argv[6], &data, &len, &error))
    goto fail;
  ttp_cert = g_bytes_new_take (data, len);

  id = semper_fx_buyer_prepare (buyer, offer, "ecash", argv[4], argv[5], ttp_cert, &document,
                                &error);
  if (id == NULL)
    goto fail;
  g_print ("%s\n", id);
  fflush (stdout);
  devnull = fopen ("/dev/null", "w");
  port = semper_headless_consent_new (devnull, SEMPER_HEADLESS_YES);
  consent = semper_headless_consent_request (port, document, "order", &error);
  g_clear_object (&port);
  fclose (devnull);
  if (consent == NULL)
    goto fail;
  m1 = semper_fx_buyer_order (buyer, id, consent, &error);
  if (m1 == NULL)
    goto fail;
  state = semper_fx_buyer_run (buyer, id, &error);
  if (state == NULL)
    goto fail;
  g_print ("%s\n", state);
  return 0;

fail:
  g_printerr ("%s\n", error->message);
  return 1;
}
