/* semper-cmd-prefs.c: semper prefs payment [--order LIST] [--limit SYSTEM=AMOUNT]…
 *                     [--policy ask|pick] [--json]
 *
 * The payment preferences kept in the profile's archive (core/support/
 * semper-prefs.h) that the payment manager's negotiation uses
 * (docs/payments.md): the ordered list of payment systems, a spending limit
 * per system (`--limit ecash=20.00EUR`, `--limit ecash=none` removes it), and
 * whether the wallet asks or picks. Without options it shows them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cli.h"
#include "semper-money.h"
#include "semper-prefs.h"
#include "semper-profile.h"

/* The systems this wallet knows, shown even when not in the list. */
static const char * const known_systems[] = { "ecash", "account", NULL };

/* "20.00EUR" or "20.00 EUR" */
static gboolean
parse_amount (const char    *text,
              SemperAmount  *out,
              GError       **error)
{
  g_autoptr(GString) spaced = g_string_new (text);
  gsize i = 0;

  while (i < spaced->len && (g_ascii_isdigit (spaced->str[i]) || spaced->str[i] == '.'))
    i++;
  if (i > 0 && i < spaced->len && g_ascii_isalpha (spaced->str[i]))
    g_string_insert_c (spaced, i, ' ');
  return semper_amount_parse (spaced->str, out, error);
}

static gboolean
apply_limit (SemperPrefs  *prefs,
             const char   *spec,
             GError      **error)
{
  g_autofree char *system = NULL;
  const char *eq = strchr (spec, '=');
  SemperAmount amount;

  if (eq == NULL || eq == spec || eq[1] == '\0')
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("A limit is SYSTEM=AMOUNT (e.g. ecash=20.00EUR) or SYSTEM=none: “%s”"),
                   spec);
      return FALSE;
    }
  system = g_strndup (spec, eq - spec);
  if (g_str_equal (eq + 1, "none"))
    return semper_prefs_set_limit (prefs, system, NULL, error);
  if (!parse_amount (eq + 1, &amount, error))
    return FALSE;
  return semper_prefs_set_limit (prefs, system, &amount, error);
}

static void
show (SemperPrefs *prefs)
{
  const char * const *order = semper_prefs_get_payment_order (prefs);
  g_autoptr(GPtrArray) systems = g_ptr_array_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *order_text = NULL;
  g_autofree char *threshold_text = NULL;
  SemperAmount threshold;
  const char *policy = semper_payment_policy_to_string (semper_prefs_get_policy (prefs));

  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    g_ptr_array_add (systems, (gpointer) order[i]);
  for (guint i = 0; known_systems[i] != NULL; i++)
    if (order == NULL || !g_strv_contains (order, known_systems[i]))
      g_ptr_array_add (systems, (gpointer) known_systems[i]);
  semper_prefs_get_display_threshold (prefs, &threshold);
  threshold_text = semper_amount_format (&threshold);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "order");
  json_builder_begin_array (b);
  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    json_builder_add_string_value (b, order[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "policy");
  json_builder_add_string_value (b, policy);
  json_builder_set_member_name (b, "limits");
  json_builder_begin_object (b);

  order_text = order != NULL ? g_strjoinv (", ", (char **) order) : g_strdup ("");
  if (!cli.json)
    {
      g_print (_("Payment systems, most preferred first: %s\n"), order_text);
      g_print (_("Policy: %s\n"), policy);
    }
  for (guint i = 0; i < systems->len; i++)
    {
      const char *system = systems->pdata[i];
      SemperAmount limit;
      g_autofree char *text = NULL;

      if (!semper_prefs_get_limit (prefs, system, &limit))
        {
          if (!cli.json)
            g_print (_("Limit for %s: none\n"), system);
          continue;
        }
      text = semper_amount_format (&limit);
      json_builder_set_member_name (b, system);
      json_builder_add_string_value (b, text);
      if (!cli.json)
        g_print (_("Limit for %s: %s\n"), system, text);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "display_threshold");
  json_builder_add_string_value (b, threshold_text);
  json_builder_end_object (b);
  if (cli.json)
    cli_print_json (b);
  else
    g_print (_("The trusted display asks to type amounts over %s\n"), threshold_text);
}

static int
prefs_payment (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— show or change the payment preferences"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *order = NULL;
  g_autofree char *policy_text = NULL;
  g_auto(GStrv) limits = NULL;
  GOptionEntry entries[] = {
    { "order", 0, 0, G_OPTION_ARG_STRING, &order,
      N_("The payment systems, most preferred first (e.g. ecash,account)"), N_("LIST") },
    { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &limits,
      N_("A spending limit (e.g. ecash=20.00EUR, or ecash=none); may repeat"),
      N_("SYSTEM=AMOUNT") },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &policy_text,
      N_("ask: choose every time; pick: take the first acceptable system"), N_("ask|pick") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };
  SemperPaymentPolicy policy = SEMPER_PAYMENT_POLICY_ASK;

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("prefs payment takes no arguments")))
    return EXIT_USAGE;
  if (policy_text != NULL && !semper_payment_policy_from_string (policy_text, &policy, &error))
    return cli_usage (context, error->message);

  dir = cli_profile_dir ();
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL,
                                 &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  prefs = semper_prefs_new (semper_profile_get_archive (profile), &error);
  if (prefs == NULL)
    return cli_fail (error, EXIT_ERROR);

  /* Each change is checked and stored (with an audit row) on its own; a bad
   * value stops before the ones after it. */
  if (order != NULL && !semper_prefs_set_payment_order_from_string (prefs, order, &error))
    return cli_fail (error, EXIT_USAGE);
  for (guint i = 0; limits != NULL && limits[i] != NULL; i++)
    if (!apply_limit (prefs, limits[i], &error))
      return cli_fail (error, EXIT_USAGE);
  if (policy_text != NULL && !semper_prefs_set_policy (prefs, policy, &error))
    return cli_fail (error, EXIT_ERROR);

  show (prefs);
  return EXIT_OK;
}

int
cmd_prefs (int    argc,
           char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_printerr ("%s\n", _("Usage: semper prefs payment [--order LIST] [--limit SYSTEM=AMOUNT]… "
                            "[--policy ask|pick] [--json]"));
      return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
  if (g_str_equal (argv[1], "payment"))
    return prefs_payment (argc - 1, argv + 1);
  g_printerr (_("semper: unknown prefs group “%s” (try: payment)\n"), argv[1]);
  return EXIT_USAGE;
}
