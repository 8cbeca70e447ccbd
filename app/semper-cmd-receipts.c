/* semper-cmd-receipts.c: semper receipts · receipt show · receipt export
 *
 * The Receipts page without a window: list and search the archive's
 * receipts, show one with its stored signed message verified against the
 * profile's pinned root, and export that message (.p7m) as received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-cli.h"
#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-headless-consent.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-record-export.h"
#include "semper-trust.h"

/* Returns: (transfer full) (nullable): the pinned root, NULL when none */
static SemperTrust *
load_trust (GError **error)
{
  g_autofree char *dir = cli_profile_dir ();
  g_autofree char *path = g_build_filename (dir, "trust-root.der", NULL);
  g_autofree char *crl_path = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(SemperTrust) trust = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  root = cli_read_file (path, error);
  if (root == NULL)
    return NULL;
  trust = semper_trust_new (root, error);
  if (trust == NULL)
    return NULL;
  /* With the profile's revocation list, as the exchange layer checks
   * (semper_profile_dup_trust() needs the open profile; this reads only). */
  crl_path = g_build_filename (dir, "crl.der", NULL);
  if (g_file_test (crl_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GBytes) crl = cli_read_file (crl_path, error);

      if (crl == NULL || !semper_trust_set_crl (trust, crl, error))
        {
          g_prefix_error (error, _("The profile’s revocation list %s is not usable: "),
                          crl_path);
          return NULL;
        }
    }
  return g_steal_pointer (&trust);
}

/* "YYYY-MM-DD" (a UTC day) or an RFC 3339 time -> unix seconds. */
static gboolean
parse_since (const char  *text,
             gint64      *out,
             GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  int y, m, d;
  char rest;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &rest) == 3)
    dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  else
    dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--since takes a date (YYYY-MM-DD) or an RFC 3339 time, not “%s”"), text);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
parse_id (const char  *text,
          gint64      *out)
{
  char *end = NULL;
  gint64 id;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  id = g_ascii_strtoll (text, &end, 10);
  if (*end != '\0' || id <= 0)
    return FALSE;
  *out = id;
  return TRUE;
}

static void
print_line (const SemperArchiveRecord *r)
{
  g_autofree char *time = semper_record_format_time (r->time);
  g_autofree char *amount = semper_amount_format (&r->amount);
  g_autofree char *merchant = semper_headless_escape (r->counterparty, -1);
  g_autofree char *title = semper_headless_escape (r->title != NULL ? r->title : "", -1);

  g_print ("%-6" G_GINT64_FORMAT " %s  %-20s %14s  %-8s %-9s %s\n", r->id, time, merchant,
           amount, r->payment_system != NULL ? r->payment_system : "-", r->state, title);
}

/* semper receipts [--search TEXT] [--since DATE] [--merchant NAME] [--state STATE] [--csv] */
int
cmd_receipts (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list and search receipts"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *search = NULL;
  g_autofree char *since = NULL;
  g_autofree char *merchant = NULL;
  g_autofree char *state = NULL;
  gboolean csv = FALSE;
  SemperArchiveRecordQuery q = { 0 };
  GOptionEntry entries[] = {
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_("Only receipts with all these words (merchant, title, text, labels, note)"),
      N_("TEXT") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Only receipts from this day (YYYY-MM-DD, UTC) or time (RFC 3339) on"), N_("DATE") },
    { "merchant", 0, 0, G_OPTION_ARG_STRING, &merchant, N_("Only this merchant"), N_("NAME") },
    { "state", 0, 0, G_OPTION_ARG_STRING, &state, N_("Only receipts in this state"),
      N_("STATE") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print the list as CSV (RFC 4180), as the wallet’s Export as CSV writes it"), NULL },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("receipts takes no arguments")))
    return EXIT_USAGE;
  if (csv && cli.json)
    return cli_usage (context, _("--csv and --json cannot be used together"));
  if (since != NULL && !parse_since (since, &q.since, &error))
    return cli_usage (context, error->message);

  archive = cli_open_archive (&error);
  if (archive == NULL)
    return cli_fail (error, EXIT_ERROR);
  q.text = search;
  q.counterparty = merchant;
  q.state = state;
  q.sort = search != NULL ? SEMPER_ARCHIVE_SORT_RELEVANCE : SEMPER_ARCHIVE_SORT_NEWEST;
  ids = semper_archive_record_query (archive, SEMPER_ARCHIVE_RECEIPTS, &q, &error);
  if (ids == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(SemperArchiveRecord) r =
            semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS,
                                       g_array_index (ids, gint64, i), &error);
          if (r == NULL)
            return cli_fail (error, EXIT_ERROR);
          semper_record_add_json (b, SEMPER_ARCHIVE_RECEIPTS, r);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (b);
      return EXIT_OK;
    }

  if (csv)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      semper_record_append_csv_header (out, SEMPER_ARCHIVE_RECEIPTS);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(SemperArchiveRecord) r =
            semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS,
                                       g_array_index (ids, gint64, i), &error);
          if (r == NULL)
            return cli_fail (error, EXIT_ERROR);
          semper_record_append_csv (out, r);
        }
      fwrite (out->str, 1, out->len, stdout);
      return EXIT_OK;
    }

  if (ids->len == 0)
    g_print ("%s", _("No receipts.\n"));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(SemperArchiveRecord) r =
        semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS,
                                   g_array_index (ids, gint64, i), &error);
      if (r == NULL)
        return cli_fail (error, EXIT_ERROR);
      print_line (r);
    }
  return EXIT_OK;
}

static void
signer_to_json (JsonBuilder      *b,
                SemperSignerInfo *signer)
{
  g_autoptr(GDateTime) utc = signer->signing_time != NULL
                             ? g_date_time_to_utc (signer->signing_time) : NULL;
  g_autofree char *when = utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;

  json_builder_set_member_name (b, "signer");
  json_builder_add_string_value (b, signer->common_name);
  json_builder_set_member_name (b, "role");
  if (signer->role != NULL)
    json_builder_add_string_value (b, signer->role);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "fingerprint");
  json_builder_add_string_value (b, signer->fingerprint);
  json_builder_set_member_name (b, "signing_time");
  if (when != NULL)
    json_builder_add_string_value (b, when);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "chain");
  json_builder_begin_array (b);
  for (guint i = 0; signer->chain != NULL && i < signer->chain->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (signer->chain, i));
  json_builder_end_array (b);
}

/* semper receipt show ID */
static int
receipt_show (SemperArchive       *archive,
              SemperTrust         *trust,
              SemperArchiveRecord *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) verify_error = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  int status = EXIT_OK;

  if (r->message_id > 0)
    {
      raw = semper_archive_message_get (archive, r->message_id, NULL, &error);
      if (raw == NULL)
        return cli_fail (error, EXIT_ERROR);
      content = semper_cms_verify (raw, trust, &signer, &verify_error);
      if (content == NULL || !signer->trusted)
        status = EXIT_REFUSED;
    }

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "receipt");
      semper_record_add_json (b, SEMPER_ARCHIVE_RECEIPTS, r);
      json_builder_set_member_name (b, "verification");
      if (raw == NULL)
        json_builder_add_null_value (b);
      else
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "valid");
          json_builder_add_boolean_value (b, content != NULL);
          json_builder_set_member_name (b, "trusted");
          json_builder_add_boolean_value (b, content != NULL && signer->trusted);
          if (content != NULL)
            {
              gsize len = 0;
              const char *data = g_bytes_get_data (content, &len);
              g_autofree char *hex = semper_sha256_hex (content);

              signer_to_json (b, signer);
              json_builder_set_member_name (b, "content_sha256");
              json_builder_add_string_value (b, hex);
              if (g_utf8_validate (data, len, NULL) && memchr (data, '\0', len) == NULL)
                {
                  g_autofree char *text = g_strndup (data, len);
                  json_builder_set_member_name (b, "content");
                  json_builder_add_string_value (b, text);
                }
            }
          else
            {
              json_builder_set_member_name (b, "error");
              json_builder_add_string_value (b, verify_error->message);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      cli_print_json (b);
      return status;
    }

  {
    g_autofree char *merchant = semper_headless_escape (r->counterparty, -1);
    g_autofree char *title = semper_headless_escape (r->title != NULL ? r->title : "", -1);
    g_autofree char *amount = semper_amount_format (&r->amount);
    g_autofree char *time = semper_record_format_time (r->time);
    g_autofree char *labels = semper_headless_escape (r->labels != NULL ? r->labels : "", -1);
    g_autofree char *note = semper_headless_escape (r->note != NULL ? r->note : "", -1);

    g_print (_("Receipt %" PRId64 "\n"), r->id);
    g_print (_("Merchant: %s\n"), merchant);
    g_print (_("Title: %s\n"), title);
    g_print (_("Amount: %s\n"), amount);
    g_print (_("Paid with: %s\n"), r->payment_system != NULL ? r->payment_system : "-");
    g_print (_("State: %s\n"), r->state);
    g_print (_("Archived: %s\n"), time);
    if (*labels != '\0')
      g_print (_("Labels: %s\n"), labels);
    if (*note != '\0')
      g_print (_("Note: %s\n"), note);
  }
  if (raw == NULL)
    {
      g_print ("%s", _("No signed message is stored for this receipt: nothing to verify.\n"));
      return status;
    }
  if (content == NULL)
    {
      g_autofree char *safe = semper_headless_escape (verify_error->message, -1);
      g_print (_("Signature: does NOT verify: %s\n"), safe);
      return status;
    }
  {
    g_autofree char *name = semper_headless_escape (signer->common_name, -1);
    g_autoptr(GDateTime) utc = g_date_time_to_utc (signer->signing_time);
    g_autofree char *when = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
    g_autofree char *framed = semper_headless_frame (content);

    g_print (_("Signed by: %s (%s)\n"), name, signer->role != NULL ? signer->role : "?");
    g_print (_("Signed at: %s\n"), when);
    g_print (_("Certificate SHA-256: %s\n"), signer->fingerprint);
    for (guint i = 0; signer->chain != NULL && i < signer->chain->len; i++)
      {
        g_autofree char *link = semper_headless_escape (g_ptr_array_index (signer->chain, i), -1);
        g_print (_("Chain %u: %s\n"), i, link);
      }
    g_print (_("Trusted: %s\n"), signer->trusted ? _("yes, the chain ends at your pinned root")
                                                 : _("NO, the signer is not certified by a root "
                                                     "you trust"));
    g_print ("%s", framed);
  }
  return status;
}

/* semper receipt show ID · semper receipt export ID OUT */
int
cmd_receipt (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("show ID | export ID OUT — one receipt"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  gboolean show;
  gint64 id = 0;
  g_autofree char *bundle = NULL;
  GOptionEntry entries[] = {
    { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle,
      N_("Also write the evidence bundle of the receipt's transaction to FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc < 2)
    return cli_usage (context, _("receipt needs show or export"));
  show = g_str_equal (argv[1], "show");
  if (!show && !g_str_equal (argv[1], "export"))
    return cli_usage (context, _("receipt needs show or export"));
  if ((argc != (show ? 3 : 4) && !(!show && bundle != NULL && argc == 3))
      || !parse_id (argv[2], &id))
    return cli_usage (context, show ? _("receipt show takes one ID")
                                    : _("receipt export takes an ID and a file"));

  archive = cli_open_archive (&error);
  if (archive == NULL)
    return cli_fail (error, EXIT_ERROR);
  record = semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS, id, &error);
  if (record == NULL)
    return cli_fail (error, EXIT_ERROR);

  if (show)
    {
      trust = load_trust (&error);
      if (error != NULL)
        return cli_fail (error, EXIT_ERROR);
      return receipt_show (archive, trust, record);
    }

  if (bundle != NULL)
    {
      if (record->exchange_id == NULL)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Receipt %" PRId64 " belongs to no archived exchange"), id);
          return cli_fail (error, EXIT_ERROR);
        }
      if (!cli_export_bundle (archive, record->exchange_id, bundle, &error))
        return cli_fail (error, EXIT_ERROR);
      if (argc == 3)
        {
          if (!cli.json)
            g_print (_("Wrote the evidence bundle of receipt %" PRId64 " to %s\n"), id,
                     bundle);
          else
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "id");
              json_builder_add_int_value (b, id);
              json_builder_set_member_name (b, "bundle");
              json_builder_add_string_value (b, bundle);
              json_builder_end_object (b);
              cli_print_json (b);
            }
          return EXIT_OK;
        }
    }

  {
    g_autoptr(GBytes) raw = NULL;

    if (record->message_id <= 0)
      {
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("Receipt %" PRId64 " has no signed message to export"), id);
        return cli_fail (error, EXIT_ERROR);
      }
    raw = semper_archive_message_get (archive, record->message_id, NULL, &error);
    if (raw == NULL
        || !g_file_set_contents_full (argv[3], g_bytes_get_data (raw, NULL),
                                      g_bytes_get_size (raw), G_FILE_SET_CONTENTS_CONSISTENT,
                                      0644, &error))
      return cli_fail (error, EXIT_ERROR);

    if (cli.json)
      {
        g_autoptr(JsonBuilder) b = json_builder_new ();
        g_autofree char *hex = semper_sha256_hex (raw);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "id");
        json_builder_add_int_value (b, id);
        json_builder_set_member_name (b, "file");
        json_builder_add_string_value (b, argv[3]);
        json_builder_set_member_name (b, "sha256");
        json_builder_add_string_value (b, hex);
        json_builder_end_object (b);
        cli_print_json (b);
      }
    else
      g_print (_("Wrote receipt %" PRId64 " to %s (check it with `semper verify`)\n"),
               id, argv[3]);
  }
  return EXIT_OK;
}
