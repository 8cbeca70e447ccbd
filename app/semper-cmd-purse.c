/* semper-cmd-purse.c: semper balance | withdraw AMOUNT | bank link | bank recover
 *
 * The e-cash purse of the profile (core/payment/semper-purse.h): its coins,
 * the linked bank account, withdrawals, and finishing bank requests that a
 * crash or a lost connection left journaled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-cli.h"
#include "semper-comm.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"

/* Coins are renewed when their denomination stops being signed, or a month
 * before the bank stops taking them. */
#define REFRESH_HORIZON (30 * G_TIME_SPAN_DAY)

/* The bank refused (an answer about the request, not a failure to ask). */
static int
status_for (const GError *error)
{
  static const char * const refusals[] = {
    "unauthorised", "no-account", "insufficient-funds", "key-reused", "bad-coin", NULL
  };
  const char *code = semper_comm_error_get_code (error);

  if (code != NULL && g_strv_contains (refusals, code))
    return EXIT_REFUSED;
  if (error->domain == SEMPER_PURSE_ERROR && error->code == SEMPER_PURSE_ERROR_AMOUNT)
    return EXIT_REFUSED;
  return EXIT_ERROR;
}

static SemperPurse *
open_purse (SemperProfile **out_profile,
            GError        **error)
{
  g_autofree char *dir = cli_profile_dir ();
  g_autoptr(SemperProfile) profile = NULL;
  SemperPurse *purse;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, error);
  if (profile == NULL)
    return NULL;
  purse = semper_purse_new (profile, error);
  if (purse == NULL)
    return NULL;
  *out_profile = g_steal_pointer (&profile);
  return purse;
}

static int
parse_options (GOptionContext  *context,
               GOptionEntry    *entries,
               int             *argc,
               char          ***argv)
{
  g_autoptr(GError) error = NULL;
  GOptionEntry password_entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return cli_usage (context, error->message);
  return EXIT_OK;
}

/* The currencies of the coins in the purse, sorted. */
static GPtrArray *
purse_currencies (SemperProfile  *profile,
                  GError        **error)
{
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  coins = semper_archive_coin_list (semper_profile_get_archive (profile), SEMPER_PURSE_SYSTEM,
                                    "fresh", error);
  if (coins == NULL)
    return NULL;
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      if (!g_ptr_array_find_with_equal_func (out, coin->value.currency, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (coin->value.currency));
    }
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);
  return g_steal_pointer (&out);
}

int
cmd_balance (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— the coins in the purse and the linked account's balance"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GPtrArray) currencies = NULL;
  g_autoptr(GArray) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bank_error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *account_id = NULL;
  gboolean offline = FALSE;
  GOptionEntry entries[] = {
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline, N_("Do not ask the bank"), NULL },
    { NULL }
  };
  int status;

  status = parse_options (context, entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (argc != 1)
    return cli_usage (context, _("balance takes no arguments"));

  purse = open_purse (&profile, &error);
  if (purse == NULL)
    return cli_fail (error, EXIT_ERROR);
  account_id = semper_purse_dup_account (purse);
  if (!offline && account_id != NULL)
    {
      /* Finish what a crash or a lost connection left first, and renew
       * coins before their denomination expires. */
      if (semper_purse_recover (purse, &bank_error) >= 0
          && semper_purse_refresh (purse, REFRESH_HORIZON, &bank_error) >= 0)
        account = semper_purse_dup_account_balances (purse, &bank_error);
    }
  currencies = purse_currencies (profile, &error);
  if (currencies == NULL)
    return cli_fail (error, EXIT_ERROR);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "purse");
  json_builder_begin_array (b);
  if (!cli.json && currencies->len == 0)
    g_print ("%s\n", _("Purse: no coins"));
  for (guint i = 0; i < currencies->len; i++)
    {
      SemperAmount sum;
      g_autofree char *text = NULL;

      if (!semper_purse_get_balance (purse, g_ptr_array_index (currencies, i), &sum, &error))
        return cli_fail (error, EXIT_ERROR);
      text = semper_amount_format (&sum);
      json_builder_add_string_value (b, text);
      if (!cli.json)
        g_print (_("Purse: %s\n"), text);
    }
  json_builder_end_array (b);
  if (account_id != NULL)
    {
      json_builder_set_member_name (b, "account");
      json_builder_add_string_value (b, account_id);
    }
  if (account != NULL)
    {
      json_builder_set_member_name (b, "account-balances");
      json_builder_begin_array (b);
      for (guint i = 0; i < account->len; i++)
        {
          g_autofree char *text = semper_amount_format (&g_array_index (account, SemperAmount,
                                                                        i));

          json_builder_add_string_value (b, text);
          if (!cli.json)
            g_print (_("Account %s: %s\n"), account_id, text);
        }
      json_builder_end_array (b);
    }
  else if (bank_error != NULL)
    {
      json_builder_set_member_name (b, "bank-error");
      json_builder_add_string_value (b, bank_error->message);
      if (!cli.json)
        g_printerr (_("semper: the bank did not answer: %s\n"), bank_error->message);
    }
  json_builder_end_object (b);
  if (cli.json)
    cli_print_json (b);
  return EXIT_OK;
}

int
cmd_withdraw (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("AMOUNT — withdraw coins from the linked account "
                            "(e.g. “20.00 EUR”)"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *amount_text = NULL;
  g_autofree char *fee_text = NULL;
  SemperAmount amount, fee;
  int status;

  status = parse_options (context, NULL, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (argc != 2 && argc != 3)
    return cli_usage (context, _("withdraw wants an AMOUNT such as “20.00 EUR”"));
  text = argc == 2 ? g_strdup (argv[1]) : g_strjoin (" ", argv[1], argv[2], NULL);
  if (!semper_amount_parse (text, &amount, &error))
    return cli_usage (context, error->message);

  purse = open_purse (&profile, &error);
  if (purse == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (semper_purse_recover (purse, &error) < 0)
    return cli_fail (error, EXIT_ERROR);
  if (!semper_purse_withdraw (purse, &amount, &fee, &error))
    return cli_fail (error, status_for (error));

  amount_text = semper_amount_format (&amount);
  fee_text = semper_amount_format (&fee);
  if (cli.json)
    cli_print_json_strings ("withdrawn", amount_text, "fee", fee_text, NULL);
  else
    g_print (_("Withdrew %s (fee %s)\n"), amount_text, fee_text);
  return EXIT_OK;
}

static int
bank_link (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("URL ACCOUNT — link this profile's certificate to a bank account"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code_file = NULL;
  GOptionEntry entries[] = {
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The account's link code"), N_("CODE") },
    { "code-file", 0, 0, G_OPTION_ARG_FILENAME, &code_file,
      N_("Read the link code from FILE"), N_("FILE") },
    { NULL }
  };
  int status;
  gboolean ok;

  status = parse_options (context, entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (argc != 3 || (code == NULL) == (code_file == NULL))
    return cli_usage (context, _("link wants URL ACCOUNT and one of --code, --code-file"));
  if (code_file != NULL)
    {
      g_autoptr(GBytes) bytes = cli_read_file (code_file, &error);
      gsize len = 0;
      const char *data;

      if (bytes == NULL)
        return cli_fail (error, EXIT_ERROR);
      data = g_bytes_get_data (bytes, &len);
      while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
      code = g_strndup (data, len);
    }

  purse = open_purse (&profile, &error);
  if (purse == NULL)
    return cli_fail (error, EXIT_ERROR);
  ok = semper_purse_link (purse, argv[1], argv[2], code, &error);
  semper_secret_wipe (code, strlen (code));
  if (!ok)
    return cli_fail (error, status_for (error));
  if (cli.json)
    cli_print_json_strings ("bank", argv[1], "account", argv[2], NULL);
  else
    g_print (_("Linked account %s at %s\n"), argv[2], argv[1]);
  return EXIT_OK;
}

static int
bank_recover (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— send journaled bank requests again and finish them"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GError) error = NULL;
  int status, done;

  status = parse_options (context, NULL, &argc, &argv);
  if (status != EXIT_OK)
    return status;
  if (argc != 1)
    return cli_usage (context, _("recover takes no arguments"));
  purse = open_purse (&profile, &error);
  if (purse == NULL)
    return cli_fail (error, EXIT_ERROR);
  done = semper_purse_recover (purse, &error);
  if (done < 0)
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "finished");
      json_builder_add_int_value (b, done);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "Finished %d bank request\n",
                          "Finished %d bank requests\n", done), done);
  return EXIT_OK;
}

int
cmd_bank (int    argc,
          char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "link"))
    return bank_link (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "recover"))
    return bank_recover (argc - 1, argv + 1);

  g_printerr ("%s", _("usage: semper bank link URL ACCOUNT --code CODE | --code-file FILE\n"
                      "       semper bank recover\n"));
  return EXIT_USAGE;
}
