/* semper-cmd-dispute.c: semper evidence export | dispute open/list/show/send/export,
 * and what `semper verify` says about a bundle or a dispute file.
 *
 * Evidence bundles and disputes: docs/evidence.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "semper-cli.h"
#include "semper-dispute.h"
#include "semper-evidence.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"

#define TTP_URL_FILE "ttp-url"

static GOptionEntry password_entries[] = {
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
    N_("Read the profile password from FILE"), N_("FILE") },
  { NULL }
};

static SemperProfile *
open_profile (GError **error)
{
  g_autofree char *dir = cli_profile_dir ();

  return semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, error);
}

static int
status_for (const GError *error)
{
  if ((error->domain == SEMPER_EVIDENCE_ERROR
       && error->code == SEMPER_EVIDENCE_ERROR_REFUSED)
      || (error->domain == SEMPER_DISPUTE_ERROR
          && (error->code == SEMPER_DISPUTE_ERROR_REFUSED
              || error->code == SEMPER_DISPUTE_ERROR_WRONG_STATE))
      || (error->domain == SEMPER_CRYPTO_ERROR
          && (error->code == SEMPER_CRYPTO_ERROR_UNTRUSTED
              || error->code == SEMPER_CRYPTO_ERROR_EXPIRED
              || error->code == SEMPER_CRYPTO_ERROR_REVOKED
              || error->code == SEMPER_CRYPTO_ERROR_BAD_SIGNATURE)))
    return EXIT_REFUSED;
  return cli_status_for_error (error);
}

static gboolean
write_file (const char  *path,
            GBytes      *bytes,
            GError     **error)
{
  return g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static char *
format_unix (gint64 t)
{
  g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc (t);

  return d != NULL ? g_date_time_format (d, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

static char *
format_time (GDateTime *t)
{
  g_autoptr(GDateTime) utc = t != NULL ? g_date_time_to_utc (t) : NULL;

  return utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

static void
print_done (const char *key,
            const char *value,
            const char *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_end_object (b);
  cli_print_json (b);
}

/* ---- semper evidence export TID OUT -------------------------------------------- */

/* Shared with `contract export --bundle` and `receipt export --bundle`:
 * keeps the profile's current revocation list in @archive, then writes the
 * bundle of @exchange_id to @out. */
gboolean
cli_export_bundle (SemperArchive  *archive,
                   const char     *exchange_id,
                   const char     *out,
                   GError        **error)
{
  g_autofree char *dir = cli_profile_dir ();
  g_autofree char *root_path = g_build_filename (dir, "trust-root.der", NULL);
  g_autofree char *crl_path = g_build_filename (dir, "crl.der", NULL);
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) bundle = NULL;

  root = cli_read_file (root_path, error);
  if (root == NULL)
    return FALSE;
  if (g_file_test (crl_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GBytes) crl = cli_read_file (crl_path, error);

      if (crl == NULL || !semper_evidence_keep_crl (archive, crl, error))
        return FALSE;
    }
  bundle = semper_evidence_export_archive (archive, root, exchange_id, error);
  return bundle != NULL && write_file (out, bundle, error);
}

static int
evidence_export (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("TID OUT — write the evidence bundle of a transaction"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;

  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 3)
    return cli_usage (context, _("evidence export takes a transaction id and an OUT file"));
  archive = cli_open_archive (&error);
  if (archive == NULL || !cli_export_bundle (archive, argv[1], argv[2], &error))
    return cli_fail (error, status_for (error));
  if (cli.json)
    print_done ("id", argv[1], argv[2]);
  else
    g_print (_("Wrote the evidence bundle of %s to %s; check it with `semper verify %s`.\n"),
             argv[1], argv[2], argv[2]);
  return EXIT_OK;
}

int
cmd_evidence (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return evidence_export (argc - 1, argv + 1);
  g_printerr ("%s", _("usage: semper evidence export TID OUT\n"));
  return EXIT_USAGE;
}

/* ---- semper verify BUNDLE | DISPUTE-FILE ----------------------------------------- */

static void
statements_json (JsonBuilder *b,
                 GPtrArray   *statements)
{
  json_builder_set_member_name (b, "statements");
  json_builder_begin_array (b);
  for (guint i = 0; i < statements->len; i++)
    {
      SemperEvidenceStatement *st = statements->pdata[i];
      g_autofree char *when = format_time (st->signer->signing_time);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "step");
      json_builder_add_string_value (b, st->step);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, st->direction);
      json_builder_set_member_name (b, "signer");
      json_builder_add_string_value (b, st->signer->common_name);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, st->signer->role != NULL ? st->signer->role : "");
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, st->signer->fingerprint);
      json_builder_set_member_name (b, "signing_time");
      json_builder_add_string_value (b, when);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, st->sha256);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
evidence_json (JsonBuilder        *b,
               SemperEvidenceInfo *info)
{
  json_builder_set_member_name (b, "protocol");
  json_builder_add_string_value (b, info->protocol);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, info->exchange_id);
  json_builder_set_member_name (b, "transaction");
  if (info->transaction != NULL)
    json_builder_add_string_value (b, info->transaction);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, info->state);
  json_builder_set_member_name (b, "proves");
  json_builder_add_string_value (b, info->summary);
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->findings->len; i++)
    json_builder_add_string_value (b, info->findings->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "crl_issued");
  if (info->crl_issued != NULL)
    {
      g_autofree char *when = format_time (info->crl_issued);
      json_builder_add_string_value (b, when);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "crl_covers_signing");
  json_builder_add_boolean_value (b, info->crl_covers);
  json_builder_set_member_name (b, "root");
  json_builder_add_string_value (b, info->root);
  statements_json (b, info->statements);
  if (info->text != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (info->text, NULL),
                                         g_bytes_get_size (info->text));
      json_builder_set_member_name (b, "content");
      json_builder_add_string_value (b, text);
    }
}

static void
evidence_print (SemperEvidenceInfo *info)
{
  g_autofree char *summary = semper_headless_escape (info->summary, -1);

  g_print (_("It proves: %s\n"), summary);
  if (info->transaction != NULL)
    g_print (_("Transaction (SHA-256 of m1): %s\n"), info->transaction);
  g_print (_("Exchange: %s (%s)\n"), info->exchange_id, info->protocol);
  for (guint i = 0; i < info->statements->len; i++)
    {
      SemperEvidenceStatement *st = info->statements->pdata[i];
      g_autofree char *name = semper_headless_escape (st->signer->common_name, -1);
      g_autofree char *when = format_time (st->signer->signing_time);

      /* TRANSLATORS: "  m2 signed by NAME (ROLE) at TIME" */
      g_print (_("  %s signed by %s (%s) at %s\n"), st->step, name,
               st->signer->role != NULL ? st->signer->role : "?", when);
    }
  for (guint i = 0; i < info->findings->len; i++)
    {
      g_autofree char *line = semper_headless_escape (info->findings->pdata[i], -1);
      g_print ("%s\n", line);
    }
  if (info->text != NULL)
    {
      g_autofree char *framed = semper_headless_frame (info->text);
      g_print ("%s", framed);
    }
}

int
cli_verify_evidence (const char *path,
                     GBytes     *file,
                     GBytes     *root,
                     const char *crl_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(SemperEvidenceInfo) evidence = NULL;
  g_autoptr(SemperDisputeInfo) dispute = NULL;

  if (root == NULL)
    {
      g_set_error (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                   _("%s: evidence is verified against a root: give --ca FILE or use a "
                     "profile"), path);
      return cli_fail (error, EXIT_ERROR);
    }
  if (crl_path != NULL && (crl = cli_read_file (crl_path, &error)) == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (semper_dispute_is_file (file))
    dispute = semper_dispute_verify (file, root, crl, &evidence, &error);
  else
    evidence = semper_evidence_verify (file, root, crl, &error);
  if (evidence == NULL)
    {
      g_prefix_error (&error, "%s: ", path);
      return cli_fail (error, error->domain == SEMPER_EVIDENCE_ERROR
                              && error->code == SEMPER_EVIDENCE_ERROR_INVALID
                              ? EXIT_ERROR : EXIT_REFUSED);
    }

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, path);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, dispute != NULL ? "dispute" : "evidence");
      if (dispute != NULL)
        {
          json_builder_set_member_name (b, "claim");
          json_builder_add_string_value (b, semper_dispute_claim_to_string (dispute->claim));
          json_builder_set_member_name (b, "dispute_state");
          json_builder_add_string_value (b, dispute->state);
          json_builder_set_member_name (b, "decision");
          if (dispute->decision != NULL)
            json_builder_add_string_value (b, dispute->decision);
          else
            json_builder_add_null_value (b);
        }
      evidence_json (b, evidence);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      if (dispute != NULL)
        {
          g_print (_("%s: a valid dispute claim “%s” about exchange %s\n"), path,
                   semper_dispute_claim_to_string (dispute->claim), dispute->exchange_id);
          if (dispute->decision != NULL)
            {
              g_autofree char *reason = semper_headless_escape (dispute->reason, -1);
              g_print (_("The TTP answered (signed): %s — %s\n"), dispute->decision, reason);
            }
          else
            g_print ("%s", _("No answer from a TTP is included.\n"));
        }
      else
        g_print (_("%s: a valid evidence bundle\n"), path);
      evidence_print (evidence);
    }
  return EXIT_OK;
}

/* ---- semper dispute … ------------------------------------------------------------ */

static SemperHeadlessMode
consent_mode (gboolean yes,
              gboolean accept_warnings)
{
  if (yes)
    return accept_warnings ? SEMPER_HEADLESS_YES_ACCEPT_WARNINGS : SEMPER_HEADLESS_YES;
  if (isatty (STDIN_FILENO) && !cli.json)
    return SEMPER_HEADLESS_ASK_TERMINAL;
  return SEMPER_HEADLESS_NEVER;
}

static gboolean
parse_id (const char *text,
          gint64     *out)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

static int
dispute_open (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("TID --claim KIND — sign a dispute claim about a transaction"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) text_bytes = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autofree char *claim_text = NULL;
  g_autofree char *text_file = NULL;
  g_autofree char *text = NULL;
  gboolean yes = FALSE;
  gboolean accept_warnings = FALSE;
  SemperDisputeClaim claim;
  gint64 id;
  GOptionEntry entries[] = {
    { "claim", 0, 0, G_OPTION_ARG_STRING, &claim_text,
      N_("paid-not-received, goods-do-not-match, charged-twice, not-delivered or other"),
      N_("KIND") },
    { "text", 0, 0, G_OPTION_ARG_FILENAME, &text_file,
      N_("Your own words for the claim, from FILE (UTF-8)"), N_("FILE") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the claim printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes, sign even if the checker warns"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 2)
    return cli_usage (context, _("dispute open takes one transaction id"));
  if (claim_text == NULL || !semper_dispute_claim_from_string (claim_text, &claim))
    return cli_usage (context, _("--claim must be paid-not-received, goods-do-not-match, "
                                 "charged-twice, not-delivered or other"));
  if (text_file != NULL)
    {
      text_bytes = cli_read_file (text_file, &error);
      if (text_bytes == NULL)
        return cli_fail (error, EXIT_ERROR);
      text = g_strndup (g_bytes_get_data (text_bytes, NULL), g_bytes_get_size (text_bytes));
      if (strlen (text) != g_bytes_get_size (text_bytes))
        return cli_usage (context, _("The text file holds a NUL byte"));
    }

  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  disputes = semper_disputes_new (profile, &error);
  if (disputes == NULL)
    return cli_fail (error, EXIT_ERROR);
  document = semper_disputes_draft (disputes, argv[1], claim, text, &error);
  if (document == NULL)
    return cli_fail (error, status_for (error));

  port = semper_headless_consent_new (cli.json ? stderr : stdout,
                                      consent_mode (yes, accept_warnings));
  semper_headless_consent_set_archive (port, semper_profile_get_archive (profile));
  consent = semper_headless_consent_request (port, document, _("dispute"), &error);
  if (consent == NULL)
    return cli_fail (error, status_for (error));
  id = semper_disputes_open (disputes, document, consent, &error);
  if (id == 0)
    return cli_fail (error, status_for (error));

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, id);
      json_builder_set_member_name (b, "exchange");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "claim");
      json_builder_add_string_value (b, semper_dispute_claim_to_string (claim));
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, SEMPER_DISPUTE_OPEN);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Opened dispute %" PRId64 "; send it with `semper dispute send %" PRId64
               " --ttp URL`.\n"), id, id);
  return EXIT_OK;
}

static int
dispute_list (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list your dispute claims"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *state = NULL;
  GOptionEntry entries[] = {
    { "state", 0, 0, G_OPTION_ARG_STRING, &state,
      N_("Only disputes in STATE (open, sending, decided, referred)"), N_("STATE") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 1)
    return cli_usage (context, _("dispute list takes no arguments"));
  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  disputes = semper_disputes_new (profile, &error);
  rows = disputes != NULL ? semper_disputes_list (disputes, state, &error) : NULL;
  if (rows == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          SemperArchiveDispute *d = rows->pdata[i];
          g_autofree char *created = format_unix (d->created);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, d->id);
          json_builder_set_member_name (b, "exchange");
          json_builder_add_string_value (b, d->exchange_id != NULL ? d->exchange_id : "");
          json_builder_set_member_name (b, "claim");
          json_builder_add_string_value (b, d->claim);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, d->state);
          json_builder_set_member_name (b, "created");
          json_builder_add_string_value (b, created);
          /* The user's own, as receipts and contracts carry them. */
          json_builder_set_member_name (b, "labels");
          if (d->labels != NULL)
            json_builder_add_string_value (b, d->labels);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "note");
          if (d->note != NULL)
            json_builder_add_string_value (b, d->note);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (rows->len == 0)
    g_print ("%s", _("No disputes.\n"));
  else
    for (guint i = 0; i < rows->len; i++)
      {
        SemperArchiveDispute *d = rows->pdata[i];
        g_autofree char *created = format_unix (d->created);

        g_print ("%" G_GINT64_FORMAT "  %-9s  %-18s  %s  %s\n", d->id, d->state, d->claim,
                 created, d->exchange_id != NULL ? d->exchange_id : "");
      }
  return EXIT_OK;
}

static SemperDisputes *
open_disputes (SemperProfile **out_profile,
               GError        **error)
{
  *out_profile = open_profile (error);
  if (*out_profile == NULL)
    return NULL;
  return semper_disputes_new (*out_profile, error);
}

static void
dispute_info_json (JsonBuilder       *b,
                   SemperDisputeInfo *info)
{
  g_autofree char *document = g_strndup (g_bytes_get_data (info->document, NULL),
                                         g_bytes_get_size (info->document));
  g_autofree char *created = format_unix (info->created);
  g_autofree char *updated = format_unix (info->updated);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, info->id);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, info->exchange_id);
  json_builder_set_member_name (b, "transaction");
  if (info->transaction != NULL)
    json_builder_add_string_value (b, info->transaction);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "claim");
  json_builder_add_string_value (b, semper_dispute_claim_to_string (info->claim));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, info->state);
  json_builder_set_member_name (b, "ttp");
  if (info->ttp_url != NULL)
    json_builder_add_string_value (b, info->ttp_url);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "decision");
  if (info->decision != NULL)
    json_builder_add_string_value (b, info->decision);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "reason");
  if (info->reason != NULL)
    json_builder_add_string_value (b, info->reason);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "has_token");
  json_builder_add_boolean_value (b, info->token != NULL);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_string_value (b, updated);
  json_builder_set_member_name (b, "document");
  json_builder_add_string_value (b, document);
  json_builder_end_object (b);
}

static int
dispute_show (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show one dispute"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(SemperDisputeInfo) info = NULL;
  gint64 id = 0;

  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 2 || !parse_id (argv[1], &id))
    return cli_usage (context, _("dispute show takes one dispute id"));
  disputes = open_disputes (&profile, &error);
  info = disputes != NULL ? semper_disputes_get (disputes, id, &error) : NULL;
  if (info == NULL)
    return cli_fail (error, error->domain == SEMPER_DISPUTE_ERROR ? EXIT_ERROR
                                                                  : status_for (error));
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      dispute_info_json (b, info);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *framed = semper_headless_frame (info->document);

      g_print (_("Dispute %" PRId64 ": %s, %s\n"), info->id,
               semper_dispute_claim_to_string (info->claim), info->state);
      g_print (_("Exchange: %s\n"), info->exchange_id);
      if (info->ttp_url != NULL)
        g_print (_("Sent to: %s\n"), info->ttp_url);
      if (info->decision != NULL)
        {
          g_autofree char *reason = semper_headless_escape (info->reason, -1);
          g_print (_("TTP’s decision (signed): %s — %s\n"), info->decision, reason);
        }
      g_print ("%s", framed);
    }
  return EXIT_OK;
}

static int
dispute_send (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("ID — send a claim and its evidence to the TTP"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(SemperDisputeInfo) info = NULL;
  g_autofree char *ttp = NULL;
  g_autofree char *state = NULL;
  gint64 id = 0;
  GOptionEntry entries[] = {
    { "ttp", 0, 0, G_OPTION_ARG_STRING, &ttp,
      N_("The TTP’s URL (default: the one used last for contracts)"), N_("URL") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 2 || !parse_id (argv[1], &id))
    return cli_usage (context, _("dispute send takes one dispute id"));
  if (ttp != NULL && !g_str_has_prefix (ttp, "http://") && !g_str_has_prefix (ttp, "https://"))
    return cli_usage (context, _("The TTP’s address must be an http:// or https:// URL"));
  disputes = open_disputes (&profile, &error);
  if (disputes == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (ttp == NULL)
    {
      g_autofree char *path = g_build_filename (semper_profile_get_dir (profile), TTP_URL_FILE,
                                                NULL);

      if (g_file_get_contents (path, &ttp, NULL, NULL))
        g_strstrip (ttp);
    }
  state = semper_disputes_send (disputes, id, ttp, &error);
  if (state == NULL)
    return cli_fail (error, status_for (error));
  info = semper_disputes_get (disputes, id, &error);
  if (info == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      dispute_info_json (b, info);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *reason = semper_headless_escape (info->reason, -1);

      g_print (_("The TTP answered dispute %" PRId64 " (signed): %s\n%s\n"), id,
               info->decision, reason);
    }
  return EXIT_OK;
}

static int
dispute_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("ID OUT — write the dispute file for an arbiter"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(GBytes) file = NULL;
  gint64 id = 0;

  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, password_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 3 || !parse_id (argv[1], &id))
    return cli_usage (context, _("dispute export takes a dispute id and an OUT file"));
  disputes = open_disputes (&profile, &error);
  file = disputes != NULL ? semper_disputes_export (disputes, id, &error) : NULL;
  if (file == NULL || !write_file (argv[2], file, &error))
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    print_done ("id", argv[1], argv[2]);
  else
    g_print (_("Wrote dispute %s to %s; check it with `semper verify %s`.\n"), argv[1], argv[2],
             argv[2]);
  return EXIT_OK;
}

int
cmd_dispute (int    argc,
             char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "open"))
    return dispute_open (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return dispute_list (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return dispute_show (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "send"))
    return dispute_send (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return dispute_export (argc - 1, argv + 1);
  g_printerr ("%s", _("usage: semper dispute open TID --claim KIND [--text FILE] [--yes]\n"
                      "       semper dispute list [--state STATE]\n"
                      "       semper dispute show ID\n"
                      "       semper dispute send ID [--ttp URL]\n"
                      "       semper dispute export ID OUT\n"));
  return EXIT_USAGE;
}
