/* semper-cmd-document.c: semper document check|sign
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "semper-checker.h"
#include "semper-cli.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"

static void
add_findings_json (JsonBuilder *b,
                   GPtrArray   *findings)
{
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    {
      const SemperFinding *f = g_ptr_array_index (findings, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, semper_finding_kind_to_string (f->kind));
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, semper_finding_severity_to_string (f->severity));
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, f->line);
      json_builder_set_member_name (b, "column");
      json_builder_add_int_value (b, f->column);
      json_builder_set_member_name (b, "offset");
      json_builder_add_int_value (b, f->offset);
      json_builder_set_member_name (b, "length");
      json_builder_add_int_value (b, f->length);
      if (f->codepoint != 0)
        {
          g_autofree char *cp = g_strdup_printf ("U+%04X", f->codepoint);
          json_builder_set_member_name (b, "codepoint");
          json_builder_add_string_value (b, cp);
        }
      if (f->field != NULL)
        {
          json_builder_set_member_name (b, "field");
          json_builder_add_string_value (b, f->field);
        }
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, f->reason);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static int
document_check (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FILE — the trusted display’s checks"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperChecker) checker = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *hex = NULL;
  gboolean refuse;

  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 2)
    return cli_usage (context, _("document check takes one FILE"));

  bytes = cli_read_file (argv[1], &error);
  if (bytes == NULL)
    return cli_fail (error, EXIT_ERROR);

  doc = semper_document_parse (bytes, &error);
  if (doc == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      return cli_fail (error, EXIT_ERROR);
    }

  checker = semper_checker_new (&error);
  if (checker == NULL)
    return cli_fail (error, EXIT_ERROR);

  findings = semper_checker_check (checker, doc);
  refuse = semper_checker_findings_refuse (findings);
  hex = semper_sha256_hex (bytes);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, semper_document_get_kind (doc));
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, semper_document_get_version (doc));
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "clean");
      json_builder_add_boolean_value (b, findings->len == 0);
      json_builder_set_member_name (b, "refused");
      json_builder_add_boolean_value (b, refuse);
      add_findings_json (b, findings);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (findings->len == 0)
    {
      g_print (_("%s: a well-formed %s/%u document; the checker found nothing to warn about\n"),
               argv[1], semper_document_get_kind (doc), semper_document_get_version (doc));
    }
  else
    {
      for (guint i = 0; i < findings->len; i++)
        {
          const SemperFinding *f = g_ptr_array_index (findings, i);
          g_autofree char *reason = semper_headless_escape (f->reason, -1);

          g_print ("%s:%u:%u: %s", argv[1], f->line, f->column,
                   f->severity == SEMPER_FINDING_REFUSE ? _("refused") : _("warning"));
          if (f->codepoint != 0)
            g_print (" U+%04X", f->codepoint);
          g_print (" [%s]: %s\n", semper_finding_kind_to_string (f->kind), reason);
        }
      if (refuse)
        g_print (_("%s: this document cannot be signed\n"), argv[1]);
    }

  return findings->len == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
document_sign (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FILE --out OUT.p7m — sign a document"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) signed_data = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *hex = NULL;
  gboolean yes = FALSE;
  gboolean accept_warnings = FALSE;
  SemperHeadlessMode mode;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the signed message (CMS, DER) to OUT"),
      N_("OUT") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the document printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes: sign although the checker warned (never when it refuses)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };
  gsize len = 0;
  const char *data;

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("document sign takes one FILE")))
    return EXIT_USAGE;
  if (out == NULL)
    return cli_usage (context, _("--out OUT.p7m is required"));
  if (accept_warnings && !yes)
    return cli_usage (context, _("--accept-warnings goes with --yes"));

  bytes = cli_read_file (argv[1], &error);
  if (bytes == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (yes)
    mode = accept_warnings ? SEMPER_HEADLESS_YES_ACCEPT_WARNINGS : SEMPER_HEADLESS_YES;
  else if (isatty (STDIN_FILENO) && !cli.json)
    mode = SEMPER_HEADLESS_ASK_TERMINAL;
  else
    mode = SEMPER_HEADLESS_NEVER;

  /* With --json, standard output carries the one JSON object (which holds
   * the document); the human-readable display goes to standard error. */
  port = semper_headless_consent_new (cli.json ? stderr : stdout, mode);
  consent = semper_headless_consent_request (port, bytes, _("document"), &error);
  if (consent == NULL)
    return cli_fail (error, cli_status_for_error (error));

  dir = cli_profile_dir ();
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);

  signed_data = semper_profile_sign_document (profile, bytes, consent, &error);
  if (signed_data == NULL)
    return cli_fail (error, cli_status_for_error (error));

  data = g_bytes_get_data (signed_data, &len);
  if (!g_file_set_contents_full (out, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return cli_fail (error, EXIT_ERROR);

  hex = semper_sha256_hex (bytes);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      gsize doc_len = 0;
      const char *doc = g_bytes_get_data (bytes, &doc_len);
      g_autofree char *doc_text = g_strndup (doc, doc_len);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "document");
      json_builder_add_string_value (b, doc_text);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_print (_("Signed: %s (document SHA-256 %s)\n"), out, hex);
    }

  return EXIT_OK;
}

int
cmd_document (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "check"))
    return document_check (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "sign"))
    return document_sign (argc - 1, argv + 1);

  g_printerr ("%s", _("usage: semper document check FILE\n"
                      "       semper document sign FILE --out OUT.p7m [--yes]\n"));
  return EXIT_USAGE;
}
