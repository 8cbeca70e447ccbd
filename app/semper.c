/* semper.c: the headless wallet.
 *
 *   semper [--profile DIR] [--json] COMMAND …
 *
 * Every user action of the GUI is a subcommand here (DESIGN.md §8); each
 * command group lives in its own semper-cmd-*.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "semper-cli.h"
#include "semper-headless-consent.h"

/* ---- main -------------------------------------------------------------- */

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "init", cmd_init, N_("create the identity (NSS database, P-256 key)") },
  { "document", cmd_document, N_("check or sign a semper document") },
  { "verify", cmd_verify, N_("verify any signed file") },
  { "ca", cmd_ca, N_("the CA's revocation list; revoke (CA operator)") },
  { "balance", cmd_balance, N_("the coins in the purse and the bank account's balance") },
  { "withdraw", cmd_withdraw, N_("withdraw coins from the linked bank account") },
  { "bank", cmd_bank, N_("link a bank account; finish interrupted bank requests") },
  { "prefs", cmd_prefs, N_("show or change the payment preferences (prefs payment)") },
  { "contract", cmd_contract, N_("propose, list, show, accept and export contracts") },
  { "receipts", cmd_receipts, N_("list and search receipts") },
  { "receipt", cmd_receipt, N_("show or export one receipt") },
  { "resume", cmd_resume, N_("finish or resolve every interrupted exchange") },
  { "suspend", cmd_suspend, N_("stop retrying an exchange until you resume it") },
  { "dispute", cmd_dispute, N_("open, send, show and export dispute claims") },
  { "evidence", cmd_evidence, N_("export the evidence bundle of a transaction") },
  { "backup", cmd_backup, N_("write an encrypted backup of the whole profile to one file") },
  { "restore", cmd_restore, N_("restore a backup into a new profile (--profile DIR)") },
  { "demo", cmd_demo, N_("run the local marketplace and open the demo wallet") },
  { "shop", cmd_shop, N_("a merchant's certified services and catalog") },
  { "buy", cmd_buy, N_("buy from a merchant's certified service") },
  { "pay", cmd_pay, N_("complete a semper: payment URI") },
  { "service", cmd_service, N_("sign (merchant) or certify (evaluator) a commerce service") },
  { "delivery", cmd_delivery, N_("sign that a mail order arrived (delivery receipt)") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _("usage: semper [--profile DIR] [--json] COMMAND …\n\nCommands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
}

/* The headless port is this process's one consent provider, registered
 * before any command runs; each command's port prints and decides as its
 * --yes says, and nothing else in the process can make a consent. */
static gboolean
register_consent_provider (void)
{
  g_autoptr(SemperHeadlessConsent) port = semper_headless_consent_new (stderr,
                                                                       SEMPER_HEADLESS_NEVER);
  g_autoptr(GError) error = NULL;

  if (semper_consent_register_provider (SEMPER_CONSENT_PORT (port), "headless-yes", &error))
    return TRUE;
  g_printerr ("semper: %s\n", error->message);
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  int first = 1;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options before the command; each command accepts them too. */
  while (first < argc && argv[first][0] == '-')
    {
      const char *arg = argv[first];

      if (g_str_equal (arg, "--json"))
        cli.json = TRUE;
      else if (g_str_equal (arg, "--profile") && first + 1 < argc)
        cli.profile_dir = g_strdup (argv[++first]);
      else if (g_str_has_prefix (arg, "--profile="))
        cli.profile_dir = g_strdup (arg + strlen ("--profile="));
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_usage (stdout);
          return EXIT_OK;
        }
      else if (g_str_equal (arg, "--version"))
        {
          g_print ("semper %s\n", PACKAGE_VERSION);
          return EXIT_OK;
        }
      else
        {
          g_printerr (_("semper: unknown option %s\n"), arg);
          print_usage (stderr);
          return EXIT_USAGE;
        }
      first++;
    }

  if (first >= argc)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  if (!register_consent_provider ())
    return EXIT_ERROR;

  status = -1;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[first], commands[i].name))
      {
        status = commands[i].run (argc - first, argv + first);
        break;
      }

  if (status < 0)
    {
      g_printerr (_("semper: unknown command “%s”\n"), argv[first]);
      print_usage (stderr);
      status = EXIT_USAGE;
    }

  g_clear_pointer (&cli.profile_dir, g_free);
  g_clear_pointer (&cli.password_file, g_free);
  return status;
}
