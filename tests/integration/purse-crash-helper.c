/* purse-crash-helper.c: runs one purse operation on a profile and kills
 * itself (SIGKILL) right after the journal entry named by
 * SEMPER_TEST_CRASH_AFTER, for test-bank's crash test.
 *
 * Usage: purse-crash-helper PROFILE PASSWORD withdraw MINOR
 *        purse-crash-helper PROFILE PASSWORD reserve TID MINOR
 *        purse-crash-helper PROFILE PASSWORD reclaim TID
 *        purse-crash-helper PROFILE PASSWORD recover
 * Exit status 0 when the operation finished, 1 when it failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static void
journaled_cb (SemperPurse *purse,
              const char  *point,
              gpointer     user_data)
{
  const char *crash = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (crash != NULL && g_str_equal (crash, point))
    raise (SIGKILL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  SemperAmount amount;
  gboolean ok = FALSE;

  if (argc < 4)
    return 2;
  profile = semper_profile_open (argv[1], SEMPER_PROFILE_OPEN_DEFAULT, password_cb, argv[2],
                                 &error);
  if (profile != NULL)
    purse = semper_purse_new (profile, &error);
  if (purse == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_signal_connect (purse, "journaled", G_CALLBACK (journaled_cb), NULL);

  if (g_str_equal (argv[3], "withdraw") && argc == 5)
    {
      semper_amount_init (&amount, g_ascii_strtoll (argv[4], NULL, 10), "EUR", NULL);
      ok = semper_purse_withdraw (purse, &amount, NULL, &error);
    }
  else if (g_str_equal (argv[3], "reserve") && argc == 6)
    {
      semper_amount_init (&amount, g_ascii_strtoll (argv[5], NULL, 10), "EUR", NULL);
      ok = semper_purse_reserve (purse, argv[4], &amount, &error);
    }
  else if (g_str_equal (argv[3], "reclaim") && argc == 5)
    ok = semper_purse_reclaim (purse, argv[4], &error);
  else if (g_str_equal (argv[3], "recover") && argc == 4)
    ok = semper_purse_recover (purse, &error) >= 0;
  else
    return 2;
  if (!ok)
    g_printerr ("%s\n", error->message);
  return ok ? 0 : 1;
}
