/* purse-crash-helper.c: runs one purse or account-payment operation on a
 * profile and kills itself (SIGKILL) right after the journal entry named by
 * SEMPER_TEST_CRASH_AFTER, for the crash tests of test-bank and
 * test-account-payment.
 *
 * Usage: purse-crash-helper PROFILE PASSWORD withdraw MINOR
 *        purse-crash-helper PROFILE PASSWORD reserve TID MINOR
 *        purse-crash-helper PROFILE PASSWORD payment TID MERCHANT OUT
 *        purse-crash-helper PROFILE PASSWORD commit TID
 *        purse-crash-helper PROFILE PASSWORD reclaim TID
 *        purse-crash-helper PROFILE PASSWORD recover
 *        purse-crash-helper PROFILE PASSWORD account-pay TID MERCHANT INVOICE MINOR OUT
 *        purse-crash-helper PROFILE PASSWORD account-commit TID
 *        purse-crash-helper PROFILE PASSWORD refund-ask TID MINOR OUT
 *        purse-crash-helper PROFILE PASSWORD refund-finish TID ANSWER
 * payment writes the signed deposit permissions to OUT, a line per coin:
 * the coin id, then the coin, the permission and the signature in base64.
 * account-pay runs reserve, prepare, the user's consent (headless, yes) and
 * pay on the account system (only pay when it was paid before) with the
 * invoice read from the file INVOICE, and writes the proof to OUT.
 * refund-ask journals the coin requests of a merchant's e-cash refund and
 * writes the request for the merchant to OUT ("refund:asked" once it is
 * journaled); refund-finish stores the coins of the bank's answer read from
 * ANSWER ("refund:finished" once they are stored).
 * Exit status 0 when the operation finished, 1 when it failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "semper-account-system.h"
#include "semper-ecash-refund.h"
#include "semper-headless-consent.h"
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
journaled_cb (GObject    *source,
              const char *point,
              gpointer    user_data)
{
  const char *crash = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (crash != NULL && g_str_equal (crash, point))
    raise (SIGKILL);
}

static void
append_base64 (GString *out,
               GBytes  *bytes)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes));

  g_string_append_printf (out, " %s", b64);
}

static gboolean
write_spends (GPtrArray   *spends,
              const char  *path,
              GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *spend = g_ptr_array_index (spends, i);

      g_string_append (out, spend->coin_id);
      append_base64 (out, spend->coin);
      append_base64 (out, spend->permission);
      append_base64 (out, spend->signature);
      g_string_append_c (out, '\n');
    }
  return g_file_set_contents (path, out->str, out->len, error);
}

static gboolean
account_pay (SemperProfile  *profile,
             char          **argv,
             GError        **error)
{
  g_autoptr(SemperAccountSystem) account = semper_account_system_new (profile, error);
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GBytes) invoice = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) proof = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  SemperPaymentSystem *system;
  SemperAmount amount;
  FILE *devnull;

  if (account == NULL)
    return FALSE;
  system = SEMPER_PAYMENT_SYSTEM (account);
  g_signal_connect (account, "journaled", G_CALLBACK (journaled_cb), NULL);
  if (!g_file_get_contents (argv[2], &text, &len, error))
    return FALSE;
  invoice = g_bytes_new_take (g_steal_pointer (&text), len);
  semper_amount_init (&amount, g_ascii_strtoll (argv[3], NULL, 10), "EUR", NULL);
  devnull = fopen ("/dev/null", "w");
  port = semper_headless_consent_new (devnull, SEMPER_HEADLESS_YES);
  if (!semper_consent_register_provider (SEMPER_CONSENT_PORT (port), "headless-yes", error)
      || !semper_payment_system_reserve (system, argv[0], &amount, error))
    return FALSE;
  /* Paid before: pay() hands out the journaled proof, no consent needed. */
  proof = semper_payment_system_pay (system, argv[0], argv[1], invoice, NULL, NULL);
  if (proof != NULL)
    return g_file_set_contents (argv[4], g_bytes_get_data (proof, NULL),
                                g_bytes_get_size (proof), error);
  document = semper_payment_system_prepare (system, argv[0], argv[1], invoice, error);
  if (document == NULL)
    return FALSE;
  consent = semper_headless_consent_request (port, document, "payment", error);
  if (consent == NULL)
    return FALSE;
  proof = semper_payment_system_pay (system, argv[0], argv[1], invoice, consent, error);
  return proof != NULL && g_file_set_contents (argv[4], g_bytes_get_data (proof, NULL),
                                               g_bytes_get_size (proof), error);
}

static gboolean
refund_ask (SemperProfile  *profile,
            char          **argv,
            GError        **error)
{
  g_autoptr(GBytes) request = NULL;
  SemperAmount amount;

  semper_amount_init (&amount, g_ascii_strtoll (argv[1], NULL, 10), "EUR", NULL);
  request = semper_ecash_refund_ask (profile, argv[0], &amount, error);
  if (request == NULL)
    return FALSE;
  journaled_cb (NULL, "refund:asked", NULL);
  return g_file_set_contents (argv[2], g_bytes_get_data (request, NULL),
                              g_bytes_get_size (request), error);
}

static gboolean
refund_finish (SemperProfile  *profile,
               char          **argv,
               GError        **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) answer = NULL;
  gsize len = 0;

  if (!g_file_get_contents (argv[1], &text, &len, error))
    return FALSE;
  answer = g_bytes_new_take (g_steal_pointer (&text), len);
  if (!semper_ecash_refund_finish (profile, argv[0], answer, NULL, error))
    return FALSE;
  journaled_cb (NULL, "refund:finished", NULL);
  return TRUE;
}

static gboolean
account_commit (SemperProfile  *profile,
                const char     *tid,
                GError        **error)
{
  g_autoptr(SemperAccountSystem) account = semper_account_system_new (profile, error);

  if (account == NULL)
    return FALSE;
  g_signal_connect (account, "journaled", G_CALLBACK (journaled_cb), NULL);
  return semper_payment_system_commit (SEMPER_PAYMENT_SYSTEM (account), tid, error);
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
  else if (g_str_equal (argv[3], "payment") && argc == 7)
    {
      g_autoptr(GPtrArray) spends = semper_purse_payment (purse, argv[4], argv[5], &error);

      ok = spends != NULL && write_spends (spends, argv[6], &error);
    }
  else if (g_str_equal (argv[3], "commit") && argc == 5)
    ok = semper_purse_commit (purse, argv[4], &error);
  else if (g_str_equal (argv[3], "account-pay") && argc == 9)
    ok = account_pay (profile, argv + 4, &error);
  else if (g_str_equal (argv[3], "account-commit") && argc == 5)
    ok = account_commit (profile, argv[4], &error);
  else if (g_str_equal (argv[3], "refund-ask") && argc == 7)
    ok = refund_ask (profile, argv + 4, &error);
  else if (g_str_equal (argv[3], "refund-finish") && argc == 6)
    ok = refund_finish (profile, argv + 4, &error);
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
