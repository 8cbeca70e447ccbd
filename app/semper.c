/* semper.c: the headless wallet.
 *
 *   semper [--profile DIR] [--json] COMMAND …
 *
 * Exit status: 0 ok · 1 error · 2 usage · 3 refused or flagged.
 * Every user action of the GUI is a subcommand here (DESIGN.md §8).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "semper-checker.h"
#include "semper-cms.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"
#include "semper-trust.h"

enum {
  EXIT_OK = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_REFUSED = 3,
};

/* Largest file a command reads: a semper document is at most 256 KiB and a
 * signed message a few MiB; anything larger is refused before it is read. */
#define MAX_INPUT_SIZE (16 * 1024 * 1024)

typedef struct {
  char     *profile_dir;
  char     *password_file;
  gboolean  json;
  gboolean  creating;     /* init: ask for the new password twice */
} Cli;

static Cli cli;

static GOptionEntry global_entries[] = {
  { "profile", 0, 0, G_OPTION_ARG_FILENAME, &cli.profile_dir,
    N_("Profile directory (default $SEMPER_PROFILE or ~/.local/share/semper)"), N_("DIR") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, N_("Print one JSON object"), NULL },
  { NULL }
};

/* ---- output ------------------------------------------------------------ */

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static const char *
error_code (const GError *error)
{
  if (error->domain == SEMPER_DOCUMENT_ERROR)
    return "bad-document";
  if (error->domain == SEMPER_CONSENT_ERROR)
    return error->code == SEMPER_CONSENT_ERROR_CANCELLED ? "cancelled" : "refused";
  if (error->domain == SEMPER_CRYPTO_ERROR)
    {
      switch (error->code)
        {
        case SEMPER_CRYPTO_ERROR_BAD_PASSWORD: return "bad-password";
        case SEMPER_CRYPTO_ERROR_CANCELLED: return "cancelled";
        case SEMPER_CRYPTO_ERROR_BAD_SIGNATURE: return "bad-signature";
        case SEMPER_CRYPTO_ERROR_UNTRUSTED: return "untrusted";
        case SEMPER_CRYPTO_ERROR_EXPIRED: return "expired";
        case SEMPER_CRYPTO_ERROR_BAD_INPUT: return "bad-input";
        default: return "crypto";
        }
    }
  if (error->domain == SEMPER_PROFILE_ERROR)
    {
      switch (error->code)
        {
        case SEMPER_PROFILE_ERROR_BUSY: return "profile-busy";
        case SEMPER_PROFILE_ERROR_NOT_FOUND: return "no-profile";
        case SEMPER_PROFILE_ERROR_EXISTS: return "exists";
        case SEMPER_PROFILE_ERROR_NO_IDENTITY: return "no-identity";
        default: return "profile";
        }
    }
  return "error";
}

/* Reports @error and returns the exit status that goes with it. */
static int
fail (const GError *error,
      int           status)
{
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, error_code (error));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_autofree char *safe = semper_headless_escape (error->message, -1);
      g_printerr ("semper: %s\n", safe);
    }

  return status;
}

static int
usage (GOptionContext *context,
       const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  if (message)
    g_printerr ("semper: %s\n", message);
  g_printerr ("%s", help);
  return EXIT_USAGE;
}

/* ---- input ------------------------------------------------------------- */

static GBytes *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  char *data = NULL;
  gsize len = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, error);
  if (info == NULL)
    return NULL;

  if (g_file_info_get_size (info) > MAX_INPUT_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("%s is larger than %d MiB"), path, MAX_INPUT_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, error))
    return NULL;

  return g_bytes_new_take (data, len);
}

static char *
read_password_file (const char  *path,
                    GError     **error)
{
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;

  /* One trailing newline is the file's, not the password's. */
  if (len > 0 && data[len - 1] == '\n')
    data[--len] = '\0';
  if (len > 0 && data[len - 1] == '\r')
    data[--len] = '\0';

  if (strlen (data) != len)
    {
      semper_secret_free (data);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password file %s contains a NUL byte"), path);
      return NULL;
    }

  return data;
}

static char *
prompt_no_echo (FILE       *tty,
                const char *prompt)
{
  struct termios old, quiet;
  char buf[1024];
  gboolean restored = TRUE;
  char *answer = NULL;
  int fd = fileno (tty);

  fputs (prompt, tty);
  fflush (tty);

  if (tcgetattr (fd, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~(ECHO | ECHONL);
      quiet.c_lflag |= ICANON;
      restored = tcsetattr (fd, TCSAFLUSH, &quiet) != 0;
    }

  if (fgets (buf, sizeof buf, tty) != NULL)
    {
      buf[strcspn (buf, "\r\n")] = '\0';
      answer = g_strdup (buf);
    }
  semper_secret_wipe (buf, sizeof buf);

  if (!restored)
    tcsetattr (fd, TCSAFLUSH, &old);
  fputc ('\n', tty);

  return answer;
}

/* The SemperPasswordFunc of the command line: --password-file, or the
 * terminal without echo. Never a built-in password. */
static char *
cli_password_cb (gboolean  retry,
                 gpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  FILE *tty;
  char *first;

  if (cli.password_file != NULL)
    {
      char *password;

      if (retry)
        return NULL;     /* the file would give the same wrong answer */
      password = read_password_file (cli.password_file, &error);
      if (password == NULL)
        g_printerr ("semper: %s\n", error->message);
      return password;
    }

  tty = fopen ("/dev/tty", "r+e");
  if (tty == NULL)
    {
      g_printerr ("semper: %s\n", _("A password is needed: give --password-file FILE, or run "
                                    "from a terminal"));
      return NULL;
    }

  if (retry)
    {
      fputs (_("Wrong password.\n"), tty);
      /* A growing delay makes guessing at the prompt slow. */
      g_usleep (G_USEC_PER_SEC);
    }

  first = prompt_no_echo (tty, cli.creating ? _("New profile password: ")
                                            : _("Profile password: "));
  if (first != NULL && cli.creating)
    {
      char *second = prompt_no_echo (tty, _("Repeat the password: "));

      if (second == NULL || !g_str_equal (first, second))
        {
          fputs (_("The passwords differ.\n"), tty);
          semper_secret_free (first);
          first = NULL;
        }
      semper_secret_free (second);
    }

  fclose (tty);
  return first;
}

static char *
profile_dir (void)
{
  if (cli.profile_dir != NULL)
    return g_strdup (cli.profile_dir);
  return semper_profile_default_dir ();
}

static int
status_for_error (const GError *error)
{
  if (error->domain == SEMPER_CONSENT_ERROR)
    return EXIT_REFUSED;
  return EXIT_ERROR;
}

/* ---- commands ---------------------------------------------------------- */

static int
cmd_init (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— create the wallet identity"));
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *name = NULL;
  g_autofree char *ca = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, as certificates will show it"),
      N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the new profile password from FILE"), N_("FILE") },
    { "ca", 0, 0, G_OPTION_ARG_STRING, &ca, N_("Register with the certification authority at URL"),
      N_("URL") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);
  if (argc != 1)
    return usage (context, _("init takes no arguments"));
  if (name == NULL || *g_strstrip (name) == '\0')
    return usage (context, _("--name NAME is required"));
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    return usage (context, _("the name must be UTF-8 of at most 64 characters"));

  if (ca != NULL)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Registration with a certification authority is not available yet: "
                     "run “semper init” without --ca for a self-signed identity"));
      return fail (error, EXIT_ERROR);
    }

  dir = profile_dir ();
  cli.creating = TRUE;
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return fail (error, EXIT_ERROR);

  if (!semper_profile_create_identity (profile, name, &error))
    return fail (error, EXIT_ERROR);

  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  fingerprint = semper_sha256_hex (cert);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "profile");
      json_builder_add_string_value (b, dir);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, fingerprint);
      json_builder_set_member_name (b, "registered");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_print (_("Created the wallet profile in %s\n"), dir);
      g_print (_("Identity: %s (self-signed, not yet registered with a certification authority)\n"),
               name);
      g_print (_("Certificate fingerprint (SHA-256): %s\n"), fingerprint);
    }

  return EXIT_OK;
}

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
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — the trusted display’s checks"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperChecker) checker = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *hex = NULL;
  gboolean refuse;

  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);
  if (argc != 2)
    return usage (context, _("document check takes one FILE"));

  bytes = read_file (argv[1], &error);
  if (bytes == NULL)
    return fail (error, EXIT_ERROR);

  doc = semper_document_parse (bytes, &error);
  if (doc == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      return fail (error, EXIT_ERROR);
    }

  checker = semper_checker_new (&error);
  if (checker == NULL)
    return fail (error, EXIT_ERROR);

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
      print_json (b);
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
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE --out OUT.p7m — sign a document"));
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

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);
  if (argc != 2)
    return usage (context, _("document sign takes one FILE"));
  if (out == NULL)
    return usage (context, _("--out OUT.p7m is required"));
  if (accept_warnings && !yes)
    return usage (context, _("--accept-warnings goes with --yes"));

  bytes = read_file (argv[1], &error);
  if (bytes == NULL)
    return fail (error, EXIT_ERROR);

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
    return fail (error, status_for_error (error));

  dir = profile_dir ();
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, &error);
  if (profile == NULL)
    return fail (error, EXIT_ERROR);

  signed_data = semper_profile_sign_document (profile, bytes, consent, &error);
  if (signed_data == NULL)
    return fail (error, status_for_error (error));

  data = g_bytes_get_data (signed_data, &len);
  if (!g_file_set_contents_full (out, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return fail (error, EXIT_ERROR);

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
      print_json (b);
    }
  else
    {
      g_print (_("Signed: %s (document SHA-256 %s)\n"), out, hex);
    }

  return EXIT_OK;
}

static int
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

static GBytes *
load_root (const char  *path,
           GError     **error)
{
  g_autoptr(GBytes) bytes = read_file (path, error);
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (len > 10 && memcmp (data, "-----BEGIN", 10) == 0)
    {
      g_autofree char *pem = g_strndup (data, len);
      return semper_certificate_from_pem (pem, error);
    }

  return g_steal_pointer (&bytes);
}

static int
cmd_verify (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — verify a signed file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *when = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *root_path = NULL;
  GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
      N_("Trust the root certificate in FILE (PEM or DER) instead of the profile’s"), N_("FILE") },
    { NULL }
  };
  gsize len = 0;
  const char *data;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);
  if (argc != 2)
    return usage (context, _("verify takes one FILE"));

  p7m = read_file (argv[1], &error);
  if (p7m == NULL)
    return fail (error, EXIT_ERROR);

  /* The pinned root: --ca, else the profile's, read without unlocking the
   * profile (verification needs no password). */
  if (ca != NULL)
    root = load_root (ca, &error);
  else
    {
      dir = profile_dir ();
      root_path = g_build_filename (dir, "trust-root.der", NULL);
      if (g_file_test (root_path, G_FILE_TEST_EXISTS))
        root = load_root (root_path, &error);
    }
  if (error != NULL)
    return fail (error, EXIT_ERROR);

  if (root != NULL)
    {
      trust = semper_trust_new (root, &error);
      if (trust == NULL)
        return fail (error, EXIT_ERROR);
    }

  content = semper_cms_verify (p7m, trust, &signer, &error);
  if (content == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      if (error->domain == SEMPER_CRYPTO_ERROR &&
          (error->code == SEMPER_CRYPTO_ERROR_UNTRUSTED || error->code == SEMPER_CRYPTO_ERROR_EXPIRED))
        return fail (error, EXIT_REFUSED);
      return fail (error, EXIT_ERROR);
    }

  doc = semper_document_parse (content, NULL);
  hex = semper_sha256_hex (content);
  local = g_date_time_to_utc (signer->signing_time);
  when = g_date_time_format_iso8601 (local);
  data = g_bytes_get_data (content, &len);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "trusted");
      json_builder_add_boolean_value (b, signer->trusted);
      json_builder_set_member_name (b, "signer");
      json_builder_add_string_value (b, signer->common_name);
      json_builder_set_member_name (b, "role");
      if (signer->role)
        json_builder_add_string_value (b, signer->role);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, signer->fingerprint);
      json_builder_set_member_name (b, "signing_time");
      json_builder_add_string_value (b, when);
      json_builder_set_member_name (b, "chain");
      json_builder_begin_array (b);
      for (guint i = 0; signer->chain && i < signer->chain->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (signer->chain, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "content_sha256");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "document_kind");
      if (doc)
        json_builder_add_string_value (b, semper_document_get_kind (doc));
      else
        json_builder_add_null_value (b);
      if (g_utf8_validate (data, len, NULL) && memchr (data, '\0', len) == NULL)
        {
          g_autofree char *text = g_strndup (data, len);
          json_builder_set_member_name (b, "content");
          json_builder_add_string_value (b, text);
        }
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_autofree char *name = semper_headless_escape (signer->common_name, -1);

      g_print (_("%s: valid signature\n"), argv[1]);
      g_print (_("Signed by: %s%s%s%s\n"), name,
               signer->role ? " (" : "", signer->role ? signer->role : "", signer->role ? ")" : "");
      g_print (_("Signed at: %s\n"), when);
      g_print (_("Certificate SHA-256: %s\n"), signer->fingerprint);
      if (signer->chain != NULL)
        for (guint i = 0; i < signer->chain->len; i++)
          {
            g_autofree char *link = semper_headless_escape (g_ptr_array_index (signer->chain, i), -1);
            g_print (_("Chain %u: %s\n"), i, link);
          }
      g_print (_("Trusted: %s\n"), signer->trusted ? _("yes, the chain ends at your pinned root")
                                                   : _("NO, the signer is not certified by a root "
                                                       "you trust"));
      if (doc != NULL)
        {
          g_autofree char *text = semper_headless_escape (data, len);

          g_print (_("Content: semper document %s/%u, SHA-256 %s\n"),
                   semper_document_get_kind (doc), semper_document_get_version (doc), hex);
          g_print ("----- BEGIN DOCUMENT -----\n%s%s----- END DOCUMENT -----\n",
                   text, (len > 0 && data[len - 1] != '\n') ? "\n" : "");
        }
      else
        {
          g_print (_("Content: %" G_GSIZE_FORMAT " bytes, SHA-256 %s\n"), len, hex);
        }
    }

  return signer->trusted ? EXIT_OK : EXIT_REFUSED;
}

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
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _("usage: semper [--profile DIR] [--json] COMMAND …\n\nCommands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
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
