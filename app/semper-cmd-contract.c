/* semper-cmd-contract.c: semper contract propose|list|show|accept|decline|export|certificate,
 * and semper resume.
 *
 * Contract signing is PROTOCOLS.md A through the TTP's mailbox (wallets are
 * not servers). The responder is named by their certificate file (PEM or
 * DER), which they export with `semper contract certificate OUT`. Both
 * sides are shown the contract text through the headless consent and sign
 * only with --yes (or "yes" typed at a terminal). docs/contract-signing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "semper-archive.h"
#include "semper-cli.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-fx-ecash.h"
#include "semper-headless-consent.h"
#include "semper-message.h"
#include "semper-profile.h"
#include "semper-purchase.h"
#include "semper-suspend.h"

#define DEFAULT_DEADLINE (24 * 3600)
#define MAX_DEADLINE     (366 * 24 * 3600)
#define TTP_URL_FILE     "ttp-url"

/* ---- test hooks ---------------------------------------------------------
 * Compiled only with -Dtest_hooks=true (the default for development and CI
 * builds; packagers turn it off). Read by the CLI only, never by core:
 *   SEMPER_TEST_CRASH_AFTER=<journal state>  raise(SIGKILL) right after that
 *                                            journal entry committed
 *   SEMPER_TEST_NOW=<unix seconds>           the clock used for deadlines
 */

static gint64
cli_now (void)
{
#ifdef SEMPER_TEST_HOOKS
  const char *now = g_getenv ("SEMPER_TEST_NOW");

  if (now != NULL && *now != '\0')
    return g_ascii_strtoll (now, NULL, 10);
#endif
  return g_get_real_time () / G_USEC_PER_SEC;
}

#ifdef SEMPER_TEST_HOOKS
static void
crash_after_cb (SemperContractSigning *signing,
                const char            *id,
                const char            *state,
                gpointer               user_data)
{
  const char *point = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (point != NULL && g_str_equal (point, state))
    raise (SIGKILL);
}
#endif

/* ---- shared ------------------------------------------------------------ */

typedef struct {
  SemperProfile         *profile;
  SemperContractSigning *signing;
} Wallet;

static void
wallet_clear (Wallet *w)
{
  g_clear_object (&w->signing);
  g_clear_object (&w->profile);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Wallet, wallet_clear)

static gboolean
wallet_open (Wallet  *w,
             GError **error)
{
  g_autofree char *dir = cli_profile_dir ();

  w->profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL,
                                    error);
  if (w->profile == NULL)
    return FALSE;
  w->signing = semper_contract_signing_new (w->profile, error);
  if (w->signing == NULL)
    return FALSE;
#ifdef SEMPER_TEST_HOOKS
  g_signal_connect (w->signing, "journaled", G_CALLBACK (crash_after_cb), NULL);
#endif
  return TRUE;
}

static char *
read_ttp_url (Wallet *w)
{
  g_autofree char *path = g_build_filename (semper_profile_get_dir (w->profile), TTP_URL_FILE,
                                            NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The TTP's address must be an http:// or https:// URL"));
      return FALSE;
    }
  return TRUE;
}

/* The TTP used last is remembered, so that `contract list` knows where to look. */
static gboolean
remember_ttp_url (Wallet      *w,
                  const char  *url,
                  GError     **error)
{
  g_autofree char *path = g_build_filename (semper_profile_get_dir (w->profile), TTP_URL_FILE,
                                            NULL);
  g_autofree char *line = g_strdup_printf ("%s\n", url);

  return g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* "2h", "90m", "3d", "3600s" from now, or an RFC 3339 date. */
static gboolean
parse_deadline (const char  *text,
                gint64      *out,
                GError     **error)
{
  gint64 now = cli_now ();
  gint64 deadline = 0;
  char *end = NULL;

  if (text == NULL)
    {
      *out = now + DEFAULT_DEADLINE;
      return TRUE;
    }
  if (g_ascii_isdigit (text[0]) && strlen (text) < 12)
    {
      guint64 n = g_ascii_strtoull (text, &end, 10);
      guint64 unit = 0;

      if (g_str_equal (end, "s"))
        unit = 1;
      else if (g_str_equal (end, "m"))
        unit = 60;
      else if (g_str_equal (end, "h"))
        unit = 3600;
      else if (g_str_equal (end, "d"))
        unit = 24 * 3600;
      if (unit != 0 && n > 0 && n <= MAX_DEADLINE)
        deadline = now + (gint64) MIN (n * unit, (guint64) MAX_DEADLINE + 1);
    }
  if (deadline == 0)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_iso8601 (text, NULL);

      if (date != NULL)
        deadline = g_date_time_to_unix (date);
    }
  if (deadline == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The deadline “%s” is neither a duration (90m, 2h, 3d) nor an RFC 3339 "
                     "date"), text);
      return FALSE;
    }
  if (deadline <= now || deadline - now > MAX_DEADLINE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The deadline must lie in the future, at most a year away"));
      return FALSE;
    }
  *out = deadline;
  return TRUE;
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (unix_time);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

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

static SemperConsent *
ask_consent (SemperProfile  *profile,
             GBytes         *text,
             gboolean        yes,
             gboolean        accept_warnings,
             GError        **error)
{
  /* With --json, standard output carries the one JSON object; the display
   * goes to standard error. */
  g_autoptr(SemperHeadlessConsent) port =
    semper_headless_consent_new (cli.json ? stderr : stdout, consent_mode (yes, accept_warnings));

  semper_headless_consent_set_archive (port, semper_profile_get_archive (profile));
  return semper_headless_consent_request (port, text, _("contract"), error);
}

static int
status_for (const GError *error)
{
  if (error->domain == SEMPER_CONTRACT_ERROR
      && (error->code == SEMPER_CONTRACT_ERROR_WRONG_STATE
          || error->code == SEMPER_CONTRACT_ERROR_EXPIRED))
    return EXIT_REFUSED;
  return cli_status_for_error (error);
}

/* What the archive knows about one contract exchange. */
typedef struct {
  char     *id;
  char     *role;
  char     *peer;       /* fingerprint */
  char     *peer_name;  /* (nullable) */
  char     *state;
  char     *title;      /* (nullable) */
  GBytes   *text;       /* (nullable) */
  gint64    deadline;
  gboolean  finished;
} Summary;

static void
summary_free (Summary *s)
{
  g_free (s->id);
  g_free (s->role);
  g_free (s->peer);
  g_free (s->peer_name);
  g_free (s->state);
  g_free (s->title);
  g_clear_pointer (&s->text, g_bytes_unref);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Summary, summary_free)

static Summary *
summarize (Wallet      *w,
           const char  *id,
           GError     **error)
{
  SemperArchive *archive = semper_profile_get_archive (w->profile);
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_autoptr(Summary) s = g_new0 (Summary, 1);
  g_autoptr(GBytes) state_bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperDocument) doc = NULL;

  s->state = semper_contract_signing_dup_state (w->signing, id, error);
  if (s->state == NULL)
    return NULL;
  row = semper_archive_exchange_get (archive, id, error);
  if (row == NULL)
    return NULL;
  s->id = g_strdup (id);
  s->role = g_strdup (row->role);
  s->peer = g_strdup (row->peer);
  s->finished = row->finished;
  state_bytes = g_bytes_new (row->state, strlen (row->state));
  root = semper_message_parse (state_bytes, 16 * 1024 * 1024, NULL);
  if (root != NULL)
    s->deadline = json_object_get_int_member_with_default (json_node_get_object (root),
                                                           "deadline", 0);
  s->text = semper_contract_signing_dup_text (w->signing, id, error);
  if (s->text == NULL)
    return NULL;
  doc = semper_document_parse (s->text, NULL);
  if (doc != NULL && semper_document_get_field (doc, "Title") != NULL)
    s->title = g_strdup (semper_document_get_field (doc, "Title"));
  return g_steal_pointer (&s);
}

static void
summary_to_json (JsonBuilder *b,
                 Summary     *s,
                 gboolean     with_text)
{
  g_autofree char *deadline = format_time (s->deadline);

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, s->id);
  json_builder_set_member_name (b, "title");
  if (s->title != NULL)
    json_builder_add_string_value (b, s->title);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, s->role);
  json_builder_set_member_name (b, "peer");
  json_builder_add_string_value (b, s->peer != NULL ? s->peer : "");
  if (s->peer_name != NULL)
    {
      json_builder_set_member_name (b, "peer_name");
      json_builder_add_string_value (b, s->peer_name);
    }
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, s->state);
  json_builder_set_member_name (b, "finished");
  json_builder_add_boolean_value (b, s->finished);
  json_builder_set_member_name (b, "deadline");
  json_builder_add_string_value (b, deadline);
  if (with_text && s->text != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (s->text, NULL),
                                         g_bytes_get_size (s->text));
      g_autofree char *hash = semper_sha256_hex (s->text);

      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, text);
      json_builder_set_member_name (b, "text_sha256");
      json_builder_add_string_value (b, hash);
    }
}

static void
print_summary_line (Summary *s)
{
  g_autofree char *title = semper_headless_escape (s->title != NULL ? s->title : "", -1);
  g_autofree char *peer = semper_headless_escape (s->peer_name != NULL ? s->peer_name
                                                  : s->peer != NULL ? s->peer : "", -1);

  g_print ("%s  %-11s %-10s %s — %s\n", s->id, s->state, s->role, title, peer);
}

/* Moves one unfinished exchange on (fetching what it waits for, aborting or
 * resolving after its deadline). */
static char *
step_one (Wallet      *w,
          const char  *id,
          GError     **error)
{
  return semper_contract_signing_step (w->signing, id, cli_now (), error);
}

typedef struct {
  char *id;
  char *state;   /* (nullable) */
  char *error;   /* (nullable) */
  const char *protocol;  /* NULL: asw */
} Stepped;

static void
stepped_free (Stepped *s)
{
  g_free (s->id);
  g_free (s->state);
  g_free (s->error);
  g_free (s);
}

/* Steps every unfinished contract exchange once.
 * Returns: (transfer full) (element-type Stepped) */
static GPtrArray *
step_all (Wallet  *w,
          GError **error)
{
  SemperArchive *archive = semper_profile_get_archive (w->profile);
  g_autoptr(GPtrArray) list = semper_archive_exchange_list_unfinished (archive, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) stepped_free);

  if (list == NULL)
    return NULL;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (list, i);
      g_autoptr(GError) local = NULL;
      Stepped *s;

      if (!g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW)
          || semper_exchange_is_suspended (w->profile, row->id))
        continue;
      s = g_new0 (Stepped, 1);
      s->id = g_strdup (row->id);
      s->state = step_one (w, row->id, &local);
      if (s->state == NULL)
        {
          s->error = g_strdup (local->message);
          s->state = semper_contract_signing_dup_state (w->signing, row->id, NULL);
        }
      g_ptr_array_add (out, s);
    }
  return g_steal_pointer (&out);
}

/* ---- contract propose ---------------------------------------------------- */

static int
contract_propose (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("FILE --to PEER.pem --ttp URL — propose a contract"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) peer_cert = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_auto(Wallet) w = { 0 };
  g_autofree char *to = NULL;
  g_autofree char *ttp = NULL;
  g_autofree char *deadline_text = NULL;
  g_autofree char *id = NULL;
  g_autofree char *peer_fpr = NULL;
  g_autofree char *peer_name = NULL;
  g_autofree char *deadline_str = NULL;
  gboolean yes = FALSE;
  gboolean accept_warnings = FALSE;
  gint64 deadline = 0;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("The responder's certificate (PEM or DER, from `semper contract certificate`)"),
      N_("PEER") },
    { "ttp", 0, 0, G_OPTION_ARG_STRING, &ttp,
      N_("The TTP's URL (default: the one used last)"), N_("URL") },
    { "deadline", 0, 0, G_OPTION_ARG_STRING, &deadline_text,
      N_("Until when the responder may answer: 90m, 2h, 3d or an RFC 3339 date (default 1d)"),
      N_("WHEN") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the contract printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes: sign although the checker warned (never when it refuses)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("contract propose takes one FILE")))
    return EXIT_USAGE;
  if (to == NULL)
    return cli_usage (context, _("--to PEER (the responder's certificate file) is required"));
  if (accept_warnings && !yes)
    return cli_usage (context, _("--accept-warnings goes with --yes"));
  if (!parse_deadline (deadline_text, &deadline, &error))
    return cli_usage (context, error->message);
  if (ttp != NULL && !check_url (ttp, &error))
    return cli_usage (context, error->message);

  text = cli_read_file (argv[1], &error);
  if (text == NULL)
    return cli_fail (error, EXIT_ERROR);
  doc = semper_document_parse (text, &error);
  if (doc == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      return cli_fail (error, EXIT_ERROR);
    }
  if (!g_str_equal (semper_document_get_kind (doc), "contract"))
    {
      g_set_error (&error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_BAD_MESSAGE,
                   _("%s: only a semper document of kind “contract” can be proposed"), argv[1]);
      return cli_fail (error, EXIT_ERROR);
    }
  peer_cert = cli_read_certificate (to, &error);
  if (peer_cert == NULL)
    {
      g_prefix_error (&error, "%s: ", to);
      return cli_fail (error, EXIT_ERROR);
    }
  peer_fpr = semper_sha256_hex (peer_cert);
  peer_name = semper_certificate_dup_common_name (peer_cert);

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  if (ttp == NULL)
    ttp = read_ttp_url (&w);
  if (ttp == NULL)
    return cli_usage (context, _("--ttp URL is required (no TTP was used before)"));

  consent = ask_consent (w.profile, text, yes, accept_warnings, &error);
  if (consent == NULL)
    return cli_fail (error, cli_status_for_error (error));

  id = semper_contract_signing_propose (w.signing, ttp, peer_cert, text,
                                        g_steal_pointer (&consent), deadline, &error);
  if (id == NULL)
    return cli_fail (error, status_for (error));
  if (!remember_ttp_url (&w, ttp, &error))
    return cli_fail (error, EXIT_ERROR);

  deadline_str = format_time (deadline);
  if (cli.json)
    cli_print_json_strings ("id", id, "state", SEMPER_ASW_M1_SENT, "peer", peer_fpr,
                            "peer_name", peer_name != NULL ? peer_name : "", "ttp", ttp,
                            "deadline", deadline_str, NULL);
  else
    {
      g_autofree char *name = semper_headless_escape (peer_name != NULL ? peer_name : "", -1);

      g_print (_("Proposed contract %s to %s (%s).\n"), id, name, peer_fpr);
      g_print (_("They may answer until %s; run `semper resume` to follow it.\n"), deadline_str);
    }
  return EXIT_OK;
}

/* ---- contract list / show ------------------------------------------------ */

static int
contract_list (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— fetch proposals, move contracts on, and list them"));
  g_autoptr(GError) error = NULL;
  g_auto(Wallet) w = { 0 };
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) unfinished = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_free);
  g_autofree char *ttp = NULL;
  gboolean offline = FALSE;
  SemperArchive *archive;
  GOptionEntry entries[] = {
    { "ttp", 0, 0, G_OPTION_ARG_STRING, &ttp,
      N_("Fetch proposals from the TTP at URL (default: the one used last)"), N_("URL") },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Only list what the archive holds; talk to no TTP"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("contract list takes no arguments")))
    return EXIT_USAGE;
  if (ttp != NULL && !check_url (ttp, &error))
    return cli_usage (context, error->message);

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  archive = semper_profile_get_archive (w.profile);

  if (!offline)
    {
      g_autoptr(GPtrArray) stepped = NULL;

      if (ttp == NULL)
        ttp = read_ttp_url (&w);
      if (ttp != NULL)
        {
          g_autoptr(GPtrArray) fresh = semper_contract_signing_fetch (w.signing, ttp, &error);

          if (fresh == NULL)
            {
              g_ptr_array_add (warnings, g_strdup_printf (_("Could not fetch proposals from %s: "
                                                            "%s"), ttp, error->message));
              g_clear_error (&error);
            }
          else if (!remember_ttp_url (&w, ttp, &error))
            return cli_fail (error, EXIT_ERROR);
        }
      stepped = step_all (&w, &error);
      if (stepped == NULL)
        return cli_fail (error, EXIT_ERROR);
      for (guint i = 0; i < stepped->len; i++)
        {
          Stepped *s = g_ptr_array_index (stepped, i);

          if (s->error != NULL)
            g_ptr_array_add (warnings, g_strdup_printf ("%s: %s", s->id, s->error));
        }
    }

  unfinished = semper_archive_exchange_list_unfinished (archive, &error);
  if (unfinished == NULL)
    return cli_fail (error, EXIT_ERROR);
  for (guint i = 0; i < unfinished->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (unfinished, i);

      if (g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW))
        g_ptr_array_add (ids, g_strdup (row->id));
    }
  records = semper_archive_record_list (archive, SEMPER_ARCHIVE_CONTRACTS, 0, NULL, NULL, &error);
  if (records == NULL)
    return cli_fail (error, EXIT_ERROR);
  for (guint i = 0; i < records->len; i++)
    {
      SemperArchiveRecord *record = g_ptr_array_index (records, i);

      if (record->exchange_id != NULL
          && !g_ptr_array_find_with_equal_func (ids, record->exchange_id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (record->exchange_id));
    }
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(GError) local = NULL;
      Summary *s = summarize (&w, id, &local);

      if (s == NULL)
        {
          g_ptr_array_add (warnings, g_strdup_printf ("%s: %s", id, local->message));
          continue;
        }
      for (guint j = 0; j < records->len; j++)
        {
          SemperArchiveRecord *record = g_ptr_array_index (records, j);

          if (g_strcmp0 (record->exchange_id, id) == 0 && s->peer_name == NULL)
            s->peer_name = g_strdup (record->counterparty);
        }
      g_ptr_array_add (items, s);
    }

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < items->len; i++)
        {
          json_builder_begin_object (b);
          summary_to_json (b, g_ptr_array_index (items, i), FALSE);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (warnings, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      for (guint i = 0; i < warnings->len; i++)
        {
          g_autofree char *safe = semper_headless_escape (g_ptr_array_index (warnings, i), -1);
          g_printerr (_("semper: warning: %s\n"), safe);
        }
      if (items->len == 0)
        g_print ("%s", _("No contracts.\n"));
      for (guint i = 0; i < items->len; i++)
        print_summary_line (g_ptr_array_index (items, i));
    }
  return EXIT_OK;
}

static int
contract_show (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show a contract"));
  g_autoptr(GError) error = NULL;
  g_autoptr(Summary) s = NULL;
  g_auto(Wallet) w = { 0 };
  g_autofree char *warning = NULL;
  gboolean offline = FALSE;
  GOptionEntry entries[] = {
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Only show what the archive holds; talk to no TTP"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("contract show takes one ID")))
    return EXIT_USAGE;

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  s = summarize (&w, argv[1], &error);
  if (s == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (!offline && !s->finished)
    {
      g_autofree char *state = step_one (&w, argv[1], &error);

      if (state == NULL)
        {
          warning = g_strdup (error->message);
          g_clear_error (&error);
        }
      g_clear_pointer (&s, summary_free);
      s = summarize (&w, argv[1], &error);
      if (s == NULL)
        return cli_fail (error, EXIT_ERROR);
    }

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      summary_to_json (b, s, TRUE);
      if (warning != NULL)
        {
          json_builder_set_member_name (b, "warning");
          json_builder_add_string_value (b, warning);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *deadline = format_time (s->deadline);
      g_autofree char *framed = semper_headless_frame (s->text);
      g_autofree char *hash = semper_sha256_hex (s->text);

      if (warning != NULL)
        {
          g_autofree char *safe = semper_headless_escape (warning, -1);
          g_printerr (_("semper: warning: %s\n"), safe);
        }
      g_print (_("Contract %s\n"), s->id);
      g_print (_("State: %s%s\n"), s->state, s->finished ? _(" (final)") : "");
      g_print (_("You are the %s; the other party’s certificate SHA-256: %s\n"), s->role,
               s->peer != NULL ? s->peer : "");
      g_print (_("Deadline: %s\n"), deadline);
      g_print (_("Text SHA-256: %s\n"), hash);
      g_print ("%s", framed);
    }
  return EXIT_OK;
}

/* ---- contract accept / decline ----------------------------------------- */

static int
contract_accept (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — sign a proposed contract"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GBytes) text = NULL;
  g_auto(Wallet) w = { 0 };
  g_autofree char *state = NULL;
  gboolean yes = FALSE;
  gboolean accept_warnings = FALSE;
  GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the contract printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes: sign although the checker warned (never when it refuses)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("contract accept takes one ID")))
    return EXIT_USAGE;
  if (accept_warnings && !yes)
    return cli_usage (context, _("--accept-warnings goes with --yes"));

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  state = semper_contract_signing_dup_state (w.signing, argv[1], &error);
  if (state == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (!g_str_equal (state, SEMPER_ASW_M1_RECEIVED))
    {
      g_set_error (&error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_WRONG_STATE,
                   _("Contract %s is %s: only a proposal you received can be accepted"),
                   argv[1], state);
      return cli_fail (error, EXIT_REFUSED);
    }
  text = semper_contract_signing_dup_text (w.signing, argv[1], &error);
  if (text == NULL)
    return cli_fail (error, EXIT_ERROR);

  consent = ask_consent (w.profile, text, yes, accept_warnings, &error);
  if (consent == NULL)
    return cli_fail (error, cli_status_for_error (error));
  if (!semper_contract_signing_accept (w.signing, argv[1], g_steal_pointer (&consent), &error))
    return cli_fail (error, status_for (error));

  g_clear_pointer (&state, g_free);
  state = semper_contract_signing_dup_state (w.signing, argv[1], &error);
  if (state == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    cli_print_json_strings ("id", argv[1], "state", state, NULL);
  else
    g_print (_("Accepted contract %s; it is %s. Run `semper resume` to finish it.\n"), argv[1],
             state);
  return EXIT_OK;
}

static int
contract_decline (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — decline a proposal"));
  g_autoptr(GError) error = NULL;
  g_auto(Wallet) w = { 0 };
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("contract decline takes one ID")))
    return EXIT_USAGE;

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  if (!semper_contract_signing_decline (w.signing, argv[1], &error))
    return cli_fail (error, status_for (error));
  if (cli.json)
    cli_print_json_strings ("id", argv[1], "state", SEMPER_ASW_DECLINED, NULL);
  else
    g_print (_("Declined contract %s; nothing was signed or sent.\n"), argv[1]);
  return EXIT_OK;
}

/* ---- contract export / certificate -------------------------------------- */

static int
contract_export (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("ID OUT — write a finished contract to one file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) file = NULL;
  g_auto(Wallet) w = { 0 };
  g_autofree char *state = NULL;
  g_autofree char *bundle = NULL;
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle,
      N_("Also write the contract's evidence bundle to FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc != 3 && !(argc == 2 && bundle != NULL))
    return cli_usage (context, _("contract export takes an ID and an OUT file"));

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  if (bundle != NULL
      && !cli_export_bundle (semper_profile_get_archive (w.profile), argv[1], bundle, &error))
    return cli_fail (error, status_for (error));
  if (argc == 2)
    {
      if (cli.json)
        cli_print_json_strings ("id", argv[1], "bundle", bundle, NULL);
      else
        g_print (_("Wrote the evidence bundle of contract %s to %s\n"), argv[1], bundle);
      return EXIT_OK;
    }
  file = semper_contract_signing_dup_contract (w.signing, argv[1], &error);
  if (file == NULL)
    return cli_fail (error, status_for (error));
  state = semper_contract_signing_dup_state (w.signing, argv[1], &error);
  if (state == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (!g_file_set_contents_full (argv[2], g_bytes_get_data (file, NULL), g_bytes_get_size (file),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return cli_fail (error, EXIT_ERROR);
  if (cli.json)
    cli_print_json_strings ("id", argv[1], "state", state, "out", argv[2], NULL);
  else
    g_print (_("Exported contract %s (%s) to %s; check it with `semper verify %s`.\n"), argv[1],
             state, argv[2], argv[2]);
  return EXIT_OK;
}

static int
contract_certificate (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("OUT — export your certificate for a proposer’s --to"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *fpr = NULL;
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1,
                          _("contract certificate takes one OUT file")))
    return EXIT_USAGE;

  dir = cli_profile_dir ();
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  if (cert == NULL)
    {
      g_set_error (&error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NO_IDENTITY,
                   _("The profile has no certificate yet: run `semper init --ca URL`"));
      return cli_fail (error, EXIT_ERROR);
    }
  pem = semper_certificate_to_pem (cert);
  if (!g_file_set_contents_full (argv[1], pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return cli_fail (error, EXIT_ERROR);
  fpr = semper_sha256_hex (cert);
  name = semper_certificate_dup_common_name (cert);
  if (cli.json)
    cli_print_json_strings ("out", argv[1], "fingerprint", fpr, "name", name != NULL ? name : "",
                            NULL);
  else
    g_print (_("Wrote your certificate to %s (SHA-256 %s). Give it to whoever proposes a "
               "contract to you.\n"), argv[1], fpr);
  return EXIT_OK;
}

int
cmd_contract (int    argc,
              char **argv)
{
  static const struct {
    const char *name;
    int       (*run) (int argc, char **argv);
  } subs[] = {
    { "propose", contract_propose },
    { "list", contract_list },
    { "show", contract_show },
    { "accept", contract_accept },
    { "decline", contract_decline },
    { "export", contract_export },
    { "certificate", contract_certificate },
  };

  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (subs); i++)
    if (g_str_equal (argv[1], subs[i].name))
      return subs[i].run (argc - 1, argv + 1);

  g_printerr ("%s", _("usage: semper contract propose FILE --to PEER.pem [--ttp URL] "
                      "[--deadline WHEN] [--yes]\n"
                      "       semper contract list [--ttp URL] [--offline]\n"
                      "       semper contract show ID [--offline]\n"
                      "       semper contract accept ID [--yes]\n"
                      "       semper contract decline ID\n"
                      "       semper contract export ID OUT\n"
                      "       semper contract certificate OUT\n"));
  return EXIT_USAGE;
}

/* ---- resume -------------------------------------------------------------- */

/* `semper resume --id ID`: the one exchange, suspended or not; resuming it
 * by name lifts its suspension (docs/activity.md). */
static Stepped *
resume_one (Wallet      *w,
            const char  *id,
            GError     **error)
{
  g_autoptr(SemperArchiveExchange) row =
    semper_archive_exchange_get (semper_profile_get_archive (w->profile), id, error);
  g_autoptr(GError) local = NULL;
  Stepped *s;

  if (row == NULL)
    return NULL;
  if (!semper_exchange_set_suspended (w->profile, id, FALSE, error))
    return NULL;
  s = g_new0 (Stepped, 1);
  s->id = g_strdup (id);
  if (row->finished && !g_str_equal (row->protocol, SEMPER_PROTOCOL_FX))
    s->state = g_strdup (row->state);
  else if (g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW))
    {
      s->state = step_one (w, id, &local);
      if (s->state == NULL)
        s->state = semper_contract_signing_dup_state (w->signing, id, NULL);
    }
  else if (g_str_equal (row->protocol, SEMPER_PROTOCOL_FX))
    {
      g_autoptr(SemperFxBuyer) buyer = semper_fx_ecash_new_wallet_buyer (w->profile, &local);

      s->protocol = SEMPER_PROTOCOL_FX;
      /* Finished, it still gets its receipt if a crash kept it from that. */
      if (buyer != NULL)
        {
          s->state = semper_purchase_resume (w->profile, buyer, id, &local);
          if (s->state == NULL)
            s->state = semper_fx_buyer_dup_state (buyer, id, NULL);
        }
    }
  else
    g_set_error (&local, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("Exchange %s (%s) cannot be resumed from here"), id, row->protocol);
  if (local != NULL)
    s->error = g_strdup (local->message);
  return s;
}

/* Finishes or resolves every interrupted exchange from its journal: the
 * journaled message is resent byte for byte, then the exchange is stepped
 * (after its deadline: aborted or resolved through the TTP). Contract
 * signing is the only journaled protocol so far; others add theirs here. */
int
cmd_resume (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— finish or resolve every interrupted exchange"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stepped = NULL;
  g_auto(Wallet) w = { 0 };
  g_autofree char *only = NULL;
  gboolean failed = FALSE;
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { "id", 0, 0, G_OPTION_ARG_STRING, &only,
      N_("Resume only this exchange, also if it is suspended (lifts the suspension)"),
      N_("ID") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 0, _("resume takes no arguments")))
    return EXIT_USAGE;

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  if (only != NULL)
    {
      Stepped *one = resume_one (&w, only, &error);

      if (one == NULL)
        return cli_fail (error, EXIT_ERROR);
      stepped = g_ptr_array_new_with_free_func ((GDestroyNotify) stepped_free);
      g_ptr_array_add (stepped, one);
    }
  else
    stepped = step_all (&w, &error);
  if (stepped == NULL)
    return cli_fail (error, EXIT_ERROR);
  /* Purchases (PROTOCOLS.md B) too: docs/fair-exchange.md. Suspended ones
   * are skipped (semper-suspend.h). */
  if (only == NULL)
  {
    g_autoptr(GPtrArray) fx = semper_purchase_resume_all (w.profile, &error);

    if (fx == NULL)
      return cli_fail (error, EXIT_ERROR);
    for (guint i = 0; i < fx->len; i++)
      {
        SemperFxResumed *r = g_ptr_array_index (fx, i);
        Stepped *s = g_new0 (Stepped, 1);

        s->id = g_steal_pointer (&r->id);
        s->state = g_steal_pointer (&r->state);
        s->error = g_steal_pointer (&r->error);
        s->protocol = SEMPER_PROTOCOL_FX;
        g_ptr_array_add (stepped, s);
      }
  }

  for (guint i = 0; i < stepped->len; i++)
    failed |= ((Stepped *) g_ptr_array_index (stepped, i))->error != NULL;

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < stepped->len; i++)
        {
          Stepped *s = g_ptr_array_index (stepped, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, s->id);
          json_builder_set_member_name (b, "protocol");
          json_builder_add_string_value (b, s->protocol != NULL ? s->protocol
                                                                : SEMPER_PROTOCOL_ASW);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, s->state != NULL ? s->state : "");
          if (s->error != NULL)
            {
              json_builder_set_member_name (b, "error");
              json_builder_add_string_value (b, s->error);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      if (stepped->len == 0)
        g_print ("%s", _("Nothing to resume.\n"));
      for (guint i = 0; i < stepped->len; i++)
        {
          Stepped *s = g_ptr_array_index (stepped, i);

          if (s->error != NULL)
            {
              g_autofree char *safe = semper_headless_escape (s->error, -1);

              g_print (_("%s: %s, not finished: %s\n"), s->id, s->state ? s->state : "?", safe);
            }
          else
            g_print ("%s: %s\n", s->id, s->state);
        }
    }
  return failed ? EXIT_ERROR : EXIT_OK;
}

/* ---- suspend ------------------------------------------------------------- */

/* `semper suspend ID`: no automatic retries or resumes of the exchange until
 * `semper resume --id ID` (or Resume in the window). `--list` shows them. */
int
cmd_suspend (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("[ID] — stop retrying an exchange until you resume it"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_auto(Wallet) w = { 0 };
  g_auto(GStrv) ids = NULL;
  GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc > 2)
    return cli_usage (context, _("suspend takes one exchange id, or none to list them"));

  if (!wallet_open (&w, &error))
    return cli_fail (error, EXIT_ERROR);
  if (argc == 2)
    {
      row = semper_archive_exchange_get (semper_profile_get_archive (w.profile), argv[1],
                                         &error);
      if (row == NULL)
        return cli_fail (error, EXIT_ERROR);
      if (row->finished)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Exchange %s is finished: there is nothing to suspend"), argv[1]);
          return cli_fail (error, EXIT_ERROR);
        }
      if (!semper_exchange_set_suspended (w.profile, argv[1], TRUE, &error))
        return cli_fail (error, EXIT_ERROR);
    }
  ids = semper_exchange_dup_suspended (w.profile);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; ids[i] != NULL; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, ids[i]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (argc == 2)
    g_print (_("Suspended %s: it is not retried or resumed until `semper resume --id %s`.\n"),
             argv[1], argv[1]);
  else
    for (guint i = 0; ids[i] != NULL; i++)
      g_print ("%s\n", ids[i]);
  return EXIT_OK;
}
