/* semper-cmd-demo.c: semper demo [--state DIR] [--headless] [--serve] [--no-scenarios] [--data DIR]
 *
 * A complete local marketplace on loopback: the CA, the bank, the TTP and
 * the three trial merchants as `semperd` children, an evaluator that
 * certifies the merchants' services, and a demo wallet profile registered
 * with the CA and funded at the bank. Then it opens the wallet window, or
 * (headless) runs the trial scenarios through `semper`. Everything lives
 * under one state directory, so a second start reuses it; SIGINT and
 * SIGTERM stop every child. docs/demo.md describes the layout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "semper-archive.h"
#include "semper-ca-client.h"
#include "semper-cli.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-service.h"
#include "semper-trust.h"

#define DEMO_WALLET_NAME    "Demo Customer"
#define DEMO_BANK_ACCOUNT   "alice"
#define DEMO_BANK_CODE      "demo-alice"
#define DEMO_WITHDRAW       "200.00 EUR"
#define DEMO_LOW_MINOR      15000   /* top the purse up below 150.00 EUR */
#define DEMO_TTP_NAME       "Semper Marketplace TTP"
#define STOP_GRACE_SECONDS  10

typedef struct {
  const char *id;        /* state sub-directory, service file name */
  const char *name;      /* the certificate's CN = the description's "merchant" */
  const char *account;   /* its account at the bank */
  const char *goods;     /* data/demo/goods/ID/ holds digital goods, or NULL */
  const char *members;   /* data/demo/members/ID/ holds member-only items, or NULL */
} DemoMerchant;

static const DemoMerchant demo_merchants[] = {
  { "courseware", "EUROCOM Courseware", "courses", "courseware", NULL },
  { "subscription", "FOGRA Research", "research", NULL, "subscription" },
  { "mail-order", "Otto Mail Order", "mailorder", NULL, NULL },
};

typedef struct {
  char             *name;
  GSubprocess      *proc;
  GDataInputStream *out;
  char             *url;
} DemoServer;

typedef struct {
  char       *state;
  char       *password;
  char       *data;
  char       *bindir;
  char       *memo_path;
  GKeyFile   *memo;      /* DIR/demo.ini: ports, enrolment secrets, what is done */
  gboolean    stop;      /* a SIGINT or SIGTERM arrived */
  GPtrArray  *servers;   /* DemoServer, in start order */
  GBytes     *root;
  char       *root_fingerprint;
  char       *bank_url;
  char       *ttp_url;
  char       *ca_url;
  GHashTable *merchant_urls;   /* merchant id -> URL */
  GHashTable *merchant_problems; /* merchant id -> why it does not run */
  JsonObject *balance;
  GPtrArray  *scenarios;       /* JsonObject: name, status, reason or results */
} Demo;

static void
demo_server_free (DemoServer *server)
{
  g_clear_object (&server->out);
  g_clear_object (&server->proc);
  g_free (server->name);
  g_free (server->url);
  g_free (server);
}

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

/* Progress goes to stdout, or to stderr when stdout carries the JSON. */
static void
say (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (cli.json)
    g_printerr ("%s\n", text);
  else
    g_print ("%s\n", text);
}

static gboolean
stop_cb (gpointer user_data)
{
  Demo *demo = user_data;

  demo->stop = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
interrupted (Demo    *demo,
             GError **error)
{
  if (!demo->stop)
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Interrupted"));
  return TRUE;
}

static void
memo_save (Demo *demo)
{
  g_autoptr(GError) error = NULL;

  if (!g_key_file_save_to_file (demo->memo, demo->memo_path, &error))
    g_printerr (_("semper demo: cannot save %s: %s\n"), demo->memo_path, error->message);
  g_chmod (demo->memo_path, 0600);
}

static char *
random_hex (gsize    n,
            GError **error)
{
  guint8 buf[32];
  GString *out;

  g_assert (n <= sizeof buf);
  if (!semper_random_bytes (buf, n, error))
    return NULL;
  out = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (out, "%02x", buf[i]);
  semper_secret_wipe (buf, sizeof buf);
  return g_string_free (out, FALSE);
}

/* The demo profiles' password: random, in a 0600 file, made once. */
static gboolean
ensure_password (Demo    *demo,
                 GError **error)
{
  g_autofree char *hex = NULL;
  g_autofree char *line = NULL;
  gboolean ok;

  if (g_file_test (demo->password, G_FILE_TEST_EXISTS))
    {
      /* It is a secret: keep it to this user even if someone widened it. */
      g_chmod (demo->password, 0600);
      return TRUE;
    }
  hex = random_hex (24, error);
  if (hex == NULL)
    return FALSE;
  line = g_strconcat (hex, "\n", NULL);
  ok = g_file_set_contents_full (demo->password, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error);
  semper_secret_wipe (hex, strlen (hex));
  semper_secret_wipe (line, strlen (line));
  return ok;
}

/* An enrolment secret per role, shared by the CA's configuration and the
 * server that registers; kept in the memo (0600). */
static char *
enrolment_secret (Demo       *demo,
                  const char *role,
                  GError    **error)
{
  char *secret = g_key_file_get_string (demo->memo, "enrolment", role, NULL);

  if (secret != NULL)
    return secret;
  secret = random_hex (24, error);
  if (secret == NULL)
    return NULL;
  g_key_file_set_string (demo->memo, "enrolment", role, secret);
  memo_save (demo);
  return secret;
}

static gboolean
write_ca_config (Demo        *demo,
                 const char  *path,
                 GError     **error)
{
  static const char * const roles[] = { "merchant", "ttp", "bank", "evaluator", NULL };
  g_autoptr(GString) text = g_string_new ("[ca]\nname=Semper Demo Marketplace CA\n"
                                          "roles=wallet;merchant;ttp;bank;evaluator\n"
                                          "\n[enrolment]\n");

  for (guint i = 0; roles[i] != NULL; i++)
    {
      g_autofree char *secret = enrolment_secret (demo, roles[i], error);

      if (secret == NULL)
        return FALSE;
      g_string_append_printf (text, "%s=%s\n", roles[i], secret);
    }
  return g_file_set_contents_full (path, text->str, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   error);
}

/* ---- children ------------------------------------------------------------ */

static void
child_setup (gpointer user_data)
{
  /* If the demo dies without stopping them, its servers stop too. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

typedef struct {
  gboolean  done;
  char     *line;
  GError   *error;
} LineWait;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineWait *wait = user_data;

  wait->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &wait->error);
  wait->done = TRUE;
}

static void
wait_exit_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for @proc to end; kills it after STOP_GRACE_SECONDS. */
static void
wait_or_kill (GSubprocess *proc)
{
  gboolean done = FALSE;
  gboolean expired = FALSE;
  guint timeout = g_timeout_add_seconds (STOP_GRACE_SECONDS, timeout_cb, &expired);

  g_subprocess_wait_async (proc, NULL, wait_exit_cb, &done);
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      if (expired && !done)
        {
          g_subprocess_force_exit (proc);
          expired = FALSE;
        }
    }
  if (!expired)
    g_source_remove (timeout);
}

/* The last non-empty line of @path (a server's log), for an error message. */
static char *
log_tail (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  /* semperd's own complaint, rather than the usage text after it */
  for (guint i = g_strv_length (lines); i > 0; i--)
    if (g_str_has_prefix (lines[i - 1], "semperd: "))
      return g_strdup (lines[i - 1] + strlen ("semperd: "));
  return g_strdup (lines[0] != NULL ? lines[g_strv_length (lines) - 1] : "");
}

static DemoServer *
spawn_semperd (Demo        *demo,
               const char  *name,
               const char  *role,
               const char  *config,
               guint        port,
               char       **out_log_tail,
               GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log = NULL;
  g_autofree char *logs = g_build_filename (demo->state, "logs", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  DemoServer *server;
  LineWait wait = { 0 };

  g_mkdir_with_parents (logs, 0700);
  log = g_strdup_printf ("%s/%s.log", logs, name);
  g_ptr_array_add (argv, g_build_filename (demo->bindir, "semperd", NULL));
  g_ptr_array_add (argv, g_strdup ("--role"));
  g_ptr_array_add (argv, g_strdup (role));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
  g_ptr_array_add (argv, g_strdup ("--state"));
  g_ptr_array_add (argv, g_build_filename (demo->state, name, NULL));
  g_ptr_array_add (argv, g_strdup ("--password-file"));
  g_ptr_array_add (argv, g_strdup (demo->password));
  if (config != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--config"));
      g_ptr_array_add (argv, g_strdup (config));
    }
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (proc == NULL)
    return NULL;

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, read_line_cb, &wait);
  while (!wait.done && !demo->stop)
    g_main_context_iteration (NULL, TRUE);

  if (!wait.done || wait.line == NULL || !g_str_has_prefix (wait.line, "listening on http://"))
    {
      g_subprocess_send_signal (proc, SIGTERM);
      wait_or_kill (proc);
      while (!wait.done)
        g_main_context_iteration (NULL, TRUE);
      if (!interrupted (demo, error))
        {
          g_autofree char *tail = log_tail (log);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("semperd --role %s did not start (%s): %s"), role, log,
                       *tail != '\0' ? tail : _("no message"));
          if (out_log_tail != NULL)
            *out_log_tail = g_steal_pointer (&tail);
        }
      g_free (wait.line);
      g_clear_error (&wait.error);
      return NULL;
    }

  server = g_new0 (DemoServer, 1);
  server->name = g_strdup (name);
  server->proc = g_steal_pointer (&proc);
  server->out = g_steal_pointer (&in);
  server->url = g_strdup (wait.line + strlen ("listening on "));
  g_free (wait.line);
  return server;
}

/* Starts `semperd --role ROLE` with state DIR/NAME on the port of the last
 * run if it is still free, else on any free one. Returns: its URL. */
static const char *
start_server (Demo        *demo,
              const char  *name,
              const char  *role,
              const char  *config,
              GError     **error)
{
  g_autoptr(GError) first_error = NULL;
  g_autofree char *tail = NULL;
  DemoServer *server = NULL;
  guint port = g_key_file_get_integer (demo->memo, "ports", name, NULL);
  const char *colon;

  if (port > 0 && port < 65536)
    {
      server = spawn_semperd (demo, name, role, config, port, &tail, &first_error);
      if (server == NULL && (interrupted (demo, error)
                             || tail == NULL || strstr (tail, "already in use") == NULL))
        {
          if (first_error != NULL)
            g_propagate_error (error, g_steal_pointer (&first_error));
          return NULL;
        }
    }
  if (server == NULL)
    server = spawn_semperd (demo, name, role, config, 0, NULL, error);
  if (server == NULL)
    return NULL;

  colon = strrchr (server->url, ':');
  g_key_file_set_integer (demo->memo, "ports", name, atoi (colon + 1));
  memo_save (demo);
  g_ptr_array_add (demo->servers, server);
  say (_("  %-13s %s  (state %s/%s)"), name, server->url, demo->state, name);
  return server->url;
}

static void
stop_servers (Demo *demo)
{
  if (demo->servers->len == 0)
    return;
  say ("%s", _("Stopping the marketplace…"));
  /* Merchants first, the CA last: the reverse of the start. */
  for (guint i = demo->servers->len; i > 0; i--)
    {
      DemoServer *server = g_ptr_array_index (demo->servers, i - 1);

      g_subprocess_send_signal (server->proc, SIGTERM);
    }
  for (guint i = demo->servers->len; i > 0; i--)
    {
      DemoServer *server = g_ptr_array_index (demo->servers, i - 1);

      wait_or_kill (server->proc);
    }
  g_ptr_array_set_size (demo->servers, 0);
}

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} CommWait;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CommWait *wait = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &wait->out, &wait->err,
                                        &wait->error);
  wait->done = TRUE;
}

/* Runs `semper --json --profile DIR/PROFILE ARGS… [--password-file P]` from
 * the same build as this one, as the user would. @out: its JSON answer. */
static gboolean
run_semper_v (Demo        *demo,
              const char  *profile,
              gboolean     password,
              JsonObject **out,
              GError     **error,
              va_list      ap)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = g_build_filename (demo->state, profile, NULL);
  JsonObject *object = NULL;
  CommWait wait = { 0 };
  int status;

  g_ptr_array_add (argv, g_build_filename (demo->bindir, "semper", NULL));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (dir));
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  if (password)
    {
      g_ptr_array_add (argv, g_strdup ("--password-file"));
      g_ptr_array_add (argv, g_strdup (demo->password));
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (proc == NULL)
    return FALSE;
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicate_cb, &wait);
  while (!wait.done)
    {
      g_main_context_iteration (NULL, TRUE);
      if (demo->stop && !wait.done)
        g_subprocess_send_signal (proc, SIGTERM);
    }
  g_subprocess_wait (proc, NULL, NULL);
  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      g_free (wait.out);
      g_free (wait.err);
      return FALSE;
    }
  if (interrupted (demo, error))
    {
      g_free (wait.out);
      g_free (wait.err);
      return FALSE;
    }

  if (wait.out != NULL && *wait.out != '\0'
      && json_parser_load_from_data (parser, wait.out, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));

  status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : 128;
  if (status != 0)
    {
      const char *message = NULL;

      if (object != NULL && json_object_has_member (object, "error"))
        message = json_object_get_string_member_with_default (
          json_object_get_object_member (object, "error"), "message", NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "semper %s: %s",
                   (const char *) argv->pdata[4],
                   message != NULL ? message : (wait.err != NULL ? g_strstrip (wait.err) : ""));
      g_free (wait.out);
      g_free (wait.err);
      return FALSE;
    }
  if (out != NULL)
    *out = object != NULL ? json_object_ref (object) : json_object_new ();
  g_free (wait.out);
  g_free (wait.err);
  return TRUE;
}

/* `semper` in the demo wallet, with the demo password. */
static gboolean
run_semper (Demo        *demo,
            JsonObject **out,
            GError     **error,
            ...)
{
  va_list ap;
  gboolean ok;

  va_start (ap, error);
  ok = run_semper_v (demo, "wallet", TRUE, out, error, ap);
  va_end (ap);
  return ok;
}

/* `semper` in DIR/@profile; @password: whether the command takes the password. */
static gboolean
run_semper_in (Demo        *demo,
               const char  *profile,
               gboolean     password,
               JsonObject **out,
               GError     **error,
               ...)
{
  va_list ap;
  gboolean ok;

  va_start (ap, error);
  ok = run_semper_v (demo, profile, password, out, error, ap);
  va_end (ap);
  return ok;
}

/* ---- the servers' profiles ------------------------------------------------- */

/* Makes DIR/@name a profile with a certificate of @role for @cn from the
 * demo CA (enrolment secret), unless it has one. Returns: its certificate. */
static GBytes *
ensure_server_profile (Demo        *demo,
                       const char  *name,
                       const char  *cn,
                       const char  *role,
                       GError     **error)
{
  g_autofree char *dir = g_build_filename (demo->state, name, NULL);
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperCommClient) client = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *cert_role = NULL;
  SemperCrypto *crypto;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, cli_password_cb, NULL, error);
  if (profile == NULL)
    return NULL;
  crypto = semper_profile_get_crypto (profile);
  cert = semper_crypto_dup_certificate (crypto);
  if (cert != NULL)
    {
      cert_role = semper_certificate_dup_role (cert);
      if (g_strcmp0 (cert_role, role) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("%s holds a certificate for role %s, not %s"), dir,
                       cert_role != NULL ? cert_role : "?", role);
          return NULL;
        }
      return g_steal_pointer (&cert);
    }

  secret = enrolment_secret (demo, role, error);
  if (secret == NULL)
    return NULL;
  if (!semper_crypto_has_key (crypto) && !semper_crypto_generate_key (crypto, error))
    return NULL;
  csr = semper_crypto_create_csr (crypto, cn, role, error);
  if (csr == NULL)
    return NULL;
  client = semper_comm_client_new ();
  cert = semper_ca_client_register (client, demo->ca_url, csr, role, secret, NULL, error);
  if (cert == NULL)
    return NULL;
  if (!semper_crypto_import_certificate (crypto, cert, error)
      || !semper_profile_set_trust_root (profile, demo->root, error))
    return NULL;
  say (_("  certified %s as %s"), cn, role);
  return g_steal_pointer (&cert);
}

/* The CA: start it, and pin its root (the same one on every later start). */
static gboolean
start_ca (Demo    *demo,
          GError **error)
{
  g_autofree char *config = g_build_filename (demo->state, "ca.conf", NULL);
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *pinned = NULL;
  const char *url;

  if (!write_ca_config (demo, config, error))
    return FALSE;
  url = start_server (demo, "ca", "ca", config, error);
  if (url == NULL)
    return FALSE;
  demo->ca_url = g_strdup (url);
  demo->root = semper_ca_client_fetch_root (client, url, NULL, error);
  if (demo->root == NULL)
    return FALSE;
  demo->root_fingerprint = semper_sha256_hex (demo->root);
  pinned = g_key_file_get_string (demo->memo, "ca", "root-fingerprint", NULL);
  if (pinned != NULL && !g_str_equal (pinned, demo->root_fingerprint))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The CA at %s answers with root %s, not the demo's root %s"), url,
                   demo->root_fingerprint, pinned);
      return FALSE;
    }
  g_key_file_set_string (demo->memo, "ca", "root-fingerprint", demo->root_fingerprint);
  memo_save (demo);
  say (_("  CA root fingerprint (SHA-256): %s"), demo->root_fingerprint);
  return TRUE;
}

/* DIR/bank.json: data/demo/bank.json with the merchants' accounts bound to
 * their certificates (they deposit without a link code). */
static char *
write_bank_config (Demo        *demo,
                   GHashTable  *owners,
                   GError     **error)
{
  g_autofree char *source = g_build_filename (demo->data, "bank.json", NULL);
  g_autofree char *path = g_build_filename (demo->state, "bank.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GHashTable) missing = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonArray *accounts;
  GHashTableIter iter;
  gpointer key, value;

  if (!json_parser_load_from_file (parser, source, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !json_object_has_member (json_node_get_object (json_parser_get_root (parser)),
                                  "accounts"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s has no accounts"), source);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  accounts = json_object_get_array_member (root, "accounts");

  g_hash_table_iter_init (&iter, owners);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (missing, key);
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      const char *id = json_object_get_string_member_with_default (account, "id", "");
      const char *owner = g_hash_table_lookup (owners, id);

      if (owner == NULL)
        continue;
      json_object_remove_member (account, "link-code");
      json_object_set_string_member (account, "owner", owner);
      g_hash_table_remove (missing, id);
    }
  g_hash_table_iter_init (&iter, missing);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      JsonObject *account = json_object_new ();

      json_object_set_string_member (account, "id", key);
      json_object_set_string_member (account, "owner", g_hash_table_lookup (owners, key));
      json_array_add_object_element (accounts, account);
    }

  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  if (!g_file_set_contents (path, text, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* ---- merchants ------------------------------------------------------------- */

/* The evaluator signs the certification of @merchant's service, once (and
 * again when less than 30 days are left or the description changed). */
static gboolean
certify_service (Demo                *demo,
                 const DemoMerchant  *merchant,
                 const char          *description,
                 const char          *signed_path,
                 const char          *cert_path,
                 GError             **error)
{
  g_autofree char *merchant_dir = g_build_filename (demo->state, merchant->id, NULL);
  g_autofree char *evaluator_dir = g_build_filename (demo->state, "evaluator", NULL);
  g_autofree char *memo_key = g_strdup_printf ("%s-certified-until", merchant->id);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = g_date_time_add_minutes (now, -10);
  g_autoptr(GDateTime) not_after = g_date_time_add_days (now, 365);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) signed_description = NULL;
  g_autoptr(GBytes) certification = NULL;
  g_autoptr(SemperService) service = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autofree char *text = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *certified_digest = NULL;
  gsize len;
  gint64 until = g_key_file_get_int64 (demo->memo, "services", memo_key, NULL);

  if (!g_file_get_contents (description, &text, &len, error))
    return FALSE;
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  digest = semper_sha256_hex (bytes);
  certified_digest = g_key_file_get_string (demo->memo, "services",
                                            merchant->id, NULL);
  if (g_file_test (cert_path, G_FILE_TEST_EXISTS) && g_file_test (signed_path, G_FILE_TEST_EXISTS)
      && until > g_date_time_to_unix (now) + 30 * 24 * 3600
      && g_strcmp0 (certified_digest, digest) == 0)
    return TRUE;

  service = semper_service_parse (bytes, error);
  if (service == NULL)
    return FALSE;
  {
    g_autoptr(SemperProfile) profile = semper_profile_open (merchant_dir,
                                                            SEMPER_PROFILE_OPEN_DEFAULT,
                                                            cli_password_cb, NULL, error);
    if (profile == NULL)
      return FALSE;
    signed_description = semper_service_sign (service, semper_profile_get_crypto (profile),
                                              error);
    if (signed_description == NULL)
      return FALSE;
  }
  {
    g_autoptr(SemperProfile) profile = semper_profile_open (evaluator_dir,
                                                            SEMPER_PROFILE_OPEN_DEFAULT,
                                                            cli_password_cb, NULL, error);
    if (profile == NULL)
      return FALSE;
    trust = semper_profile_dup_trust (profile, error);
    if (trust == NULL)
      return FALSE;
    certification = semper_service_certify (semper_profile_get_crypto (profile), trust,
                                            signed_description, not_before, not_after, error);
    if (certification == NULL)
      return FALSE;
  }
  if (!g_file_set_contents (signed_path, g_bytes_get_data (signed_description, NULL),
                            g_bytes_get_size (signed_description), error)
      || !g_file_set_contents (cert_path, g_bytes_get_data (certification, NULL),
                               g_bytes_get_size (certification), error))
    return FALSE;
  g_key_file_set_int64 (demo->memo, "services", memo_key, g_date_time_to_unix (not_after));
  g_key_file_set_string (demo->memo, "services", merchant->id, digest);
  memo_save (demo);
  {
    g_autofree char *until_text = g_date_time_format (not_after, "%F");

    say (_("  the evaluator certified “%s” of %s until %s"), semper_service_get_title (service),
         merchant->name, until_text);
  }
  return TRUE;
}

/* Adds { "ID": "PATH", … } for every file in @dir (ID: the name without
 * its extension) to @builder as member @member. */
static void
add_files (JsonBuilder *builder,
           const char  *member,
           const char  *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      const char *dot = strrchr (file, '.');
      g_autofree char *id = dot != NULL ? g_strndup (file, dot - file) : g_strdup (file);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      json_builder_set_member_name (builder, id);
      json_builder_add_string_value (builder, path);
    }
  json_builder_end_object (builder);
}

/* DIR/MERCHANT.json, the format of docs/merchant.md. */
static char *
write_merchant_config (Demo                *demo,
                       const DemoMerchant  *merchant,
                       const char          *description,
                       const char          *cert_path,
                       const char          *ttp_pem,
                       GError             **error)
{
  g_autofree char *name = g_strconcat (merchant->id, ".json", NULL);
  g_autofree char *path = g_build_filename (demo->state, name, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "semper-merchant-config");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "bank");
  json_builder_add_string_value (b, demo->bank_url);
  json_builder_set_member_name (b, "bank_account");
  json_builder_add_string_value (b, merchant->account);
  json_builder_set_member_name (b, "ttp");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, demo->ttp_url);
  json_builder_set_member_name (b, "certificate");
  json_builder_add_string_value (b, ttp_pem);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "services");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  json_builder_set_member_name (b, "certification");
  json_builder_add_string_value (b, cert_path);
  if (merchant->goods != NULL)
    {
      g_autofree char *dir = g_build_filename (demo->data, "goods", merchant->goods, NULL);

      add_files (b, "goods", dir);
    }
  if (merchant->members != NULL)
    {
      g_autofree char *dir = g_build_filename (demo->data, "members", merchant->members, NULL);

      add_files (b, "member_items", dir);
    }
  /* The contract templates its operator consents to sign (docs/merchant.md). */
  {
    g_autofree char *dir = g_build_filename (demo->data, "contracts", merchant->id, NULL);

    add_files (b, "contracts", dir);
  }
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  if (!g_file_set_contents (path, text, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* Certifies and starts one merchant. A merchant that cannot run is
 * recorded in merchant_problems with the reason; only an interruption or a
 * broken state directory fails the demo. */
static gboolean
start_merchant (Demo                *demo,
                const DemoMerchant  *merchant,
                const char          *ttp_pem,
                GError             **error)
{
  g_autofree char *file = g_strconcat (merchant->id, ".json", NULL);
  g_autofree char *description = g_build_filename (demo->data, "services", file, NULL);
  g_autofree char *signed_name = g_strconcat (merchant->id, ".p7m", NULL);
  g_autofree char *cert_name = g_strconcat (merchant->id, ".cert.p7m", NULL);
  g_autofree char *signed_path = g_build_filename (demo->state, signed_name, NULL);
  g_autofree char *cert_path = g_build_filename (demo->state, cert_name, NULL);
  g_autofree char *config = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *url;

  if (!certify_service (demo, merchant, description, signed_path, cert_path, error))
    return FALSE;
  config = write_merchant_config (demo, merchant, description, cert_path, ttp_pem, error);
  if (config == NULL)
    return FALSE;
  url = start_server (demo, merchant->id, "merchant", config, &local_error);
  if (url == NULL)
    {
      if (interrupted (demo, error))
        return FALSE;
      say (_("  %-13s NOT RUNNING: %s"), merchant->id, local_error->message);
      g_hash_table_insert (demo->merchant_problems, g_strdup (merchant->id),
                           g_strdup (local_error->message));
      return TRUE;
    }
  g_hash_table_insert (demo->merchant_urls, g_strdup (merchant->id), g_strdup (url));
  return TRUE;
}

/* ---- the marketplace and the wallet ------------------------------------------ */

static gboolean
start_marketplace (Demo    *demo,
                   GError **error)
{
  g_autoptr(GHashTable) owners = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GBytes) ttp_cert = NULL;
  g_autofree char *ttp_pem_path = g_build_filename (demo->state, "ttp.pem", NULL);
  g_autofree char *ttp_pem = NULL;
  g_autofree char *bank_config = NULL;
  g_autofree char *ttp_config = NULL, *ttp_config_text = NULL;
  const char *url;

  say ("%s", _("Starting the marketplace on loopback:"));
  if (!start_ca (demo, error))
    return FALSE;

  /* Every server's certificate, with its role, from the demo CA. */
  {
    g_autoptr(GBytes) bank = ensure_server_profile (demo, "bank", "Semper Demo Bank",
                                                    SEMPER_ROLE_BANK, error);
    g_autoptr(GBytes) evaluator = NULL;

    if (bank == NULL)
      return FALSE;
    ttp_cert = ensure_server_profile (demo, "ttp", DEMO_TTP_NAME, SEMPER_ROLE_TTP, error);
    if (ttp_cert == NULL)
      return FALSE;
    evaluator = ensure_server_profile (demo, "evaluator", "Consumer Association (demo evaluator)",
                                       SEMPER_ROLE_EVALUATOR, error);
    if (evaluator == NULL)
      return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (demo_merchants); i++)
    {
      g_autoptr(GBytes) cert = ensure_server_profile (demo, demo_merchants[i].id,
                                                      demo_merchants[i].name,
                                                      SEMPER_ROLE_MERCHANT, error);

      g_autofree char *pem = NULL;
      g_autofree char *pem_name = NULL;
      g_autofree char *pem_path = NULL;

      if (cert == NULL)
        return FALSE;
      g_hash_table_insert (owners, (gpointer) demo_merchants[i].account,
                           semper_sha256_hex (cert));
      /* DIR/ID.pem: what a customer proposes a contract to (--to) */
      pem = semper_certificate_to_pem (cert);
      pem_name = g_strconcat (demo_merchants[i].id, ".pem", NULL);
      pem_path = g_build_filename (demo->state, pem_name, NULL);
      if (!g_file_set_contents (pem_path, pem, -1, error))
        return FALSE;
    }


  bank_config = write_bank_config (demo, owners, error);
  if (bank_config == NULL)
    return FALSE;
  url = start_server (demo, "bank", "bank", bank_config, error);
  if (url == NULL)
    return FALSE;
  demo->bank_url = g_strdup (url);
  /* DIR/ttp.json: the TTP collects payments at this bank before it gives out k. */
  ttp_config = g_build_filename (demo->state, "ttp.json", NULL);
  ttp_config_text = g_strdup_printf ("{\"format\":\"semper-ttp-config\",\"version\":1,"
                                     "\"bank\":\"%s\"}\n", demo->bank_url);
  if (!g_file_set_contents (ttp_config, ttp_config_text, -1, error))
    return FALSE;
  url = start_server (demo, "ttp", "ttp", ttp_config, error);
  if (url == NULL)
    return FALSE;
  demo->ttp_url = g_strdup (url);

  ttp_pem = semper_certificate_to_pem (ttp_cert);
  if (!g_file_set_contents (ttp_pem_path, ttp_pem, -1, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (demo_merchants); i++)
    if (!start_merchant (demo, &demo_merchants[i], ttp_pem_path, error))
      return FALSE;
  return TRUE;
}

/* The bank's port may differ from the last run: the wallet keeps the URL it
 * linked with in its preferences, so point them at the running bank. */
static gboolean
update_wallet_bank_url (Demo    *demo,
                        GError **error)
{
  g_autofree char *dir = g_build_filename (demo->state, "wallet", NULL);
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = NULL;
  SemperArchive *archive;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, error);
  if (profile == NULL)
    return FALSE;
  archive = semper_profile_get_archive (profile);
  url = semper_archive_pref_get (archive, "bank.url", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (url == NULL || g_str_equal (url, demo->bank_url))
    return TRUE;
  say (_("  the bank moved to %s: updating the wallet's bank address"), demo->bank_url);
  return semper_archive_pref_set (archive, "bank.url", demo->bank_url, error);
}

/* What the wallet already has, read from the profile itself (so that a demo
 * interrupted between two steps does not redo one). */
static gboolean
wallet_status (Demo      *demo,
               gboolean  *registered,
               gboolean  *linked,
               GError   **error)
{
  g_autofree char *dir = g_build_filename (demo->state, "wallet", NULL);
  g_autoptr(SemperProfile) profile = NULL;
  g_autofree char *account = NULL;

  *registered = *linked = FALSE;
  if (!semper_profile_exists (dir))
    return TRUE;
  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, error);
  if (profile == NULL)
    return FALSE;
  *registered = semper_profile_has_identity (profile);
  account = semper_archive_pref_get (semper_profile_get_archive (profile), "bank.account", NULL);
  *linked = account != NULL;
  return TRUE;
}

/* The EUR in the purse, from `semper balance --json`. */
static gint64
purse_eur (JsonObject *balance)
{
  JsonArray *purse;

  if (balance == NULL || !json_object_has_member (balance, "purse"))
    return 0;
  purse = json_object_get_array_member (balance, "purse");
  for (guint i = 0; i < json_array_get_length (purse); i++)
    {
      SemperAmount amount;

      if (semper_amount_parse (json_array_get_string_element (purse, i), &amount, NULL)
          && g_str_equal (amount.currency, "EUR"))
        return amount.minor;
    }
  return 0;
}

static gboolean
prepare_wallet (Demo    *demo,
                GError **error)
{
  g_autofree char *wallet = g_build_filename (demo->state, "wallet", NULL);
  gboolean registered, linked;

  say ("%s", _("The demo wallet:"));
  if (!wallet_status (demo, &registered, &linked, error))
    return FALSE;
  if (!registered)
    {
      g_autoptr(JsonObject) out = NULL;

      if (!run_semper (demo, &out, error, "init", "--name", DEMO_WALLET_NAME, "--ca",
                       demo->ca_url, "--ca-fingerprint", demo->root_fingerprint, NULL))
        return FALSE;
      say (_("  created %s for “%s”, registered with the demo CA"), wallet, DEMO_WALLET_NAME);
    }
  else
    say (_("  reusing %s"), wallet);

  if (!linked)
    {
      if (!run_semper (demo, NULL, error, "bank", "link", demo->bank_url, DEMO_BANK_ACCOUNT,
                       "--code", DEMO_BANK_CODE, NULL))
        return FALSE;
      say (_("  linked bank account “%s” (opening balance from %s/bank.json)"),
           DEMO_BANK_ACCOUNT, demo->data);
    }
  else if (!update_wallet_bank_url (demo, error))
    return FALSE;

  /* Enough e-cash for the three scenarios, on every start. */
  if (!run_semper (demo, &demo->balance, error, "balance", NULL))
    return FALSE;
  if (purse_eur (demo->balance) < DEMO_LOW_MINOR)
    {
      if (!run_semper (demo, NULL, error, "withdraw", DEMO_WITHDRAW, NULL))
        return FALSE;
      say (_("  withdrew %s of e-cash into the purse"), DEMO_WITHDRAW);
      g_clear_pointer (&demo->balance, json_object_unref);
      if (!run_semper (demo, &demo->balance, error, "balance", NULL))
        return FALSE;
    }
  if (json_object_has_member (demo->balance, "purse"))
    {
      JsonArray *purse = json_object_get_array_member (demo->balance, "purse");

      for (guint i = 0; i < json_array_get_length (purse); i++)
        say (_("  purse: %s"), json_array_get_string_element (purse, i));
    }
  if (json_object_has_member (demo->balance, "account-balances"))
    {
      JsonArray *account = json_object_get_array_member (demo->balance, "account-balances");

      for (guint i = 0; i < json_array_get_length (account); i++)
        say (_("  bank account %s: %s"), DEMO_BANK_ACCOUNT,
             json_array_get_string_element (account, i));
    }
  return TRUE;
}

/* ---- the scenarios --------------------------------------------------------- */

static const char consultancy_text[] =
  "Semper-Document: contract/1\n"
  "Title: Print-process consultancy, one day\n"
  "Date: %s\n"
  "\n"
  "FOGRA Research gives %s one day of print-process consultancy at the customer's\n"
  "premises, within 60 days of this contract, for 950.00 EUR, invoiced after the day.\n"
  "Findings are confidential to the customer.\n";

typedef struct {
  Demo       *demo;
  JsonObject *scenario;
  JsonArray  *steps;
  gboolean    failed;
  gboolean    skipped;
} Run;

static void
run_begin (Run        *run,
           Demo       *demo,
           const char *name)
{
  run->demo = demo;
  run->scenario = json_object_new ();
  run->steps = json_array_new ();
  run->failed = run->skipped = FALSE;
  json_object_set_string_member (run->scenario, "name", name);
}

static void
run_end (Run *run)
{
  const char *status = run->failed ? "failed" : run->skipped ? "partial" : "done";

  json_object_set_string_member (run->scenario, "status", status);
  json_object_set_array_member (run->scenario, "steps", run->steps);
  g_ptr_array_add (run->demo->scenarios, run->scenario);
}

/* One step's outcome; @step (transfer full, nullable): its details. */
static JsonObject *
run_step (Run        *run,
          const char *name,
          const char *status,
          const char *detail)
{
  JsonObject *step = json_object_new ();

  json_object_set_string_member (step, "step", name);
  json_object_set_string_member (step, "status", status);
  if (detail != NULL)
    json_object_set_string_member (step, g_str_equal (status, "done") ? "detail" : "reason",
                                   detail);
  json_array_add_object_element (run->steps, step);
  if (g_str_equal (status, "failed"))
    {
      run->failed = TRUE;
      say (_("    %s: FAILED: %s"), name, detail);
    }
  else if (g_str_equal (status, "not-run"))
    {
      run->skipped = TRUE;
      say (_("    %s: NOT RUN: %s"), name, detail);
    }
  else
    say (_("    %s: %s"), name, detail != NULL ? detail : _("done"));
  return step;
}

/* The first line of the order the user signed, for the report. */
static char *
title_of (const char *document)
{
  const char *line = document != NULL ? strstr (document, "\nTitle: ") : NULL;

  if (line == NULL)
    return g_strdup ("");
  line += strlen ("\nTitle: ");
  return g_strndup (line, strcspn (line, "\n"));
}

/* `semper buy …`, then `semper receipt show` of its receipt: the purchase
 * is only reported done when the archived receipt verifies. */
static gboolean
buy_step (Run         *run,
          const char  *step_name,
          const char  *goods_out,
          const char  *url,
          const char  *item,
          const char  *item2,
          const char  *pay,
          const char  *const *answers)
{
  Demo *demo = run->demo;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) buy = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *receipt_id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  JsonObject *step;
  JsonObject *verification;
  gboolean ok;

  g_ptr_array_add (args, g_strdup ("buy"));
  g_ptr_array_add (args, g_strdup (url));
  g_ptr_array_add (args, g_strdup (item));
  if (item2 != NULL)
    g_ptr_array_add (args, g_strdup (item2));
  for (guint i = 0; answers[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("--answer"));
      g_ptr_array_add (args, g_strdup (answers[i]));
    }
  if (goods_out != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--goods-out"));
      g_ptr_array_add (args, g_strdup (goods_out));
    }
  g_ptr_array_add (args, g_strdup ("--pay"));
  g_ptr_array_add (args, g_strdup (pay));
  g_ptr_array_add (args, g_strdup ("--yes"));
  while (args->len < 18)
    g_ptr_array_add (args, NULL);

  ok = run_semper (demo, &buy, &error, args->pdata[0], args->pdata[1], args->pdata[2],
                   args->pdata[3], args->pdata[4], args->pdata[5], args->pdata[6],
                   args->pdata[7], args->pdata[8], args->pdata[9], args->pdata[10],
                   args->pdata[11], args->pdata[12], args->pdata[13], args->pdata[14],
                   args->pdata[15], args->pdata[16], args->pdata[17], NULL);
  if (!ok)
    {
      run_step (run, step_name, "failed", error->message);
      return FALSE;
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (buy, "state", NULL), "done") != 0
      || json_object_get_int_member_with_default (buy, "receipt", 0) <= 0)
    {
      run_step (run, step_name, "failed", _("the purchase did not end with a receipt"));
      return FALSE;
    }
  receipt_id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (buy, "receipt"));
  if (!run_semper_in (demo, "wallet", FALSE, &shown, &error, "receipt", "show", receipt_id, NULL))
    {
      run_step (run, step_name, "failed", error->message);
      return FALSE;
    }
  verification = json_object_has_member (shown, "verification")
                 ? json_object_get_object_member (shown, "verification") : NULL;
  if (verification == NULL
      || !json_object_get_boolean_member_with_default (verification, "valid", FALSE)
      || !json_object_get_boolean_member_with_default (verification, "trusted", FALSE))
    {
      run_step (run, step_name, "failed", _("the archived receipt does not verify"));
      return FALSE;
    }

  title = title_of (json_object_get_string_member_with_default (buy, "document", NULL));
  detail = g_strdup_printf (_("signed the order “%s”; paid %s by %s; receipt %s from %s, "
                              "signature valid"),
                            title, json_object_get_string_member_with_default (buy, "total", "?"),
                            json_object_get_string_member_with_default (buy, "payment_system",
                                                                        "?"),
                            receipt_id,
                            json_object_get_string_member_with_default (verification, "signer",
                                                                        "?"));
  step = run_step (run, step_name, "done", detail);
  json_object_set_string_member (step, "document",
                                 json_object_get_string_member_with_default (buy, "document",
                                                                             ""));
  json_object_set_int_member (step, "receipt", json_object_get_int_member (buy, "receipt"));
  json_object_set_string_member (step, "total",
                                 json_object_get_string_member_with_default (buy, "total", ""));
  json_object_set_string_member (step, "payment_system",
                                 json_object_get_string_member_with_default (buy,
                                                                             "payment_system",
                                                                             ""));
  if (json_object_has_member (buy, "goods_sha256"))
    json_object_set_string_member (step, "goods_sha256",
                                   json_object_get_string_member (buy, "goods_sha256"));
  if (goods_out != NULL)
    json_object_set_string_member (step, "goods", goods_out);
  return TRUE;
}

static void
scenario_courseware (Demo       *demo,
                     const char *url)
{
  static const char * const answers[] = { "student=" DEMO_WALLET_NAME, "language=English",
                                          NULL };
  g_autofree char *goods = g_build_filename (demo->state, "goods", "intro-networks.txt", NULL);
  Run run;

  run_begin (&run, demo, "courseware");
  buy_step (&run, "buy-module", goods, url, "intro-networks", NULL, "ecash", answers);
  run_end (&run);
}

/* POST URL/contracts/sync: the merchant fetches its contract proposals from
 * the TTP's mailbox, decides with its operator's consent, and steps its
 * exchanges now rather than at its next timer. */
static gboolean
merchant_sync (const char  *url,
               GError     **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *target = g_strconcat (url, "/contracts/sync", NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = semper_comm_client_post_sync (client, target,
                                                           SEMPER_COMM_CONTENT_TYPE_JSON, body,
                                                           NULL, NULL, error);

  return answer != NULL;
}

/* The consultancy contract, signed with FOGRA Research's merchant server
 * itself by contract signing (PROTOCOLS.md A) through the TTP: the customer
 * proposes the consultancy text to the merchant's certificate, the merchant
 * consents because its configuration lists the template
 * (data/demo/contracts/subscription/), both sides step until it is signed. */
static void
consultancy_contract (Run        *run,
                      const char *url)
{
  Demo *demo = run->demo;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%FT%TZ");
  g_autofree char *text = g_strdup_printf (consultancy_text, date, DEMO_WALLET_NAME);
  g_autofree char *path = g_build_filename (demo->state, "goods", "consultancy.txt", NULL);
  g_autofree char *pem = g_build_filename (demo->state, "subscription.pem", NULL);
  g_autoptr(JsonObject) proposed = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) ignored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  const char *id;
  const char *state;
  JsonObject *step;

  if (!g_file_set_contents (path, text, -1, &error)
      || !run_semper (demo, &proposed, &error, "contract", "propose", path, "--to", pem, "--ttp",
                      demo->ttp_url, "--deadline", "1h", "--yes", NULL))
    goto failed;
  id = json_object_get_string_member_with_default (proposed, "id", "");
  /* the merchant accepts (m2), the customer answers (m3), the merchant
   * finishes (m4), the customer has both signatures */
  if (!merchant_sync (url, &error)
      || !run_semper (demo, &ignored, &error, "resume", NULL))
    goto failed;
  g_clear_pointer (&ignored, json_object_unref);
  if (!merchant_sync (url, &error)
      || !run_semper (demo, &ignored, &error, "resume", NULL)
      || !run_semper (demo, &shown, &error, "contract", "show", id, "--offline", NULL))
    goto failed;
  state = json_object_get_string_member_with_default (shown, "state", "");
  if (!g_str_equal (state, "signed"))
    {
      g_autofree char *why = g_strdup_printf (_("the contract ended in state %s"), state);

      run_step (run, "consultancy-contract", "failed", why);
      return;
    }
  detail = g_strdup_printf (_("signed the contract “Print-process consultancy, one day” with "
                              "FOGRA Research's merchant server, which consented by its "
                              "operator's template (contract %s, both signatures exchanged)"),
                            id);
  step = run_step (run, "consultancy-contract", "done", detail);
  json_object_set_string_member (step, "document", text);
  json_object_set_string_member (step, "contract", id);
  return;

failed:
  run_step (run, "consultancy-contract", "failed", error->message);
}

static void
scenario_subscription (Demo       *demo,
                       const char *url)
{
  static const char * const answers[] = { "company=Demo Druckerei GmbH",
                                          "contact=einkauf@druckerei.example", NULL };
  g_autofree char *report = g_build_filename (demo->state, "goods", "report-2026-q3.txt", NULL);
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(GError) error = NULL;
  Run run;

  run_begin (&run, demo, "subscription");
  /* The signed flow begins with the registration: semper buy registers first. */
  if (buy_step (&run, "register-and-subscribe", NULL, url, "quarter", NULL, "account",
                answers))
    {
      if (run_semper (demo, &item, &error, "shop", url, "--member-item", "report-2026-q3",
                      "--out", report, NULL))
        {
          g_autofree char *detail = g_strdup_printf (_("read the member-only report "
                                                       "report-2026-q3 with the credential "
                                                       "(%s)"), report);
          JsonObject *step = run_step (&run, "member-item", "done", detail);

          json_object_set_string_member (step, "sha256",
                                         json_object_get_string_member_with_default (item,
                                                                                     "sha256",
                                                                                     ""));
        }
      else
        run_step (&run, "member-item", "failed", error->message);
    }
  else
    run_step (&run, "member-item", "not-run", _("there is no subscription"));
  consultancy_contract (&run, url);
  run_end (&run);
}

/* The parcel arrived: `semper delivery URL RECEIPT --yes` signs the delivery
 * receipt (the flow's step after the order confirmation), then `semper
 * receipt show` must find the purchase's receipt marked delivered. */
static void
delivery_step (Run        *run,
               const char *url)
{
  Demo *demo = run->demo;
  JsonObject *order = json_array_get_object_element (run->steps,
                                                     json_array_get_length (run->steps) - 1);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                         json_object_get_int_member (order, "receipt"));
  g_autoptr(JsonObject) delivered = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  JsonObject *receipt;
  JsonObject *step;

  if (!run_semper (demo, &delivered, &error, "delivery", url, id, "--yes", NULL)
      || !run_semper_in (demo, "wallet", FALSE, &shown, &error, "receipt", "show", id, NULL))
    {
      run_step (run, "delivery-receipt", "failed", error->message);
      return;
    }
  receipt = json_object_has_member (shown, "receipt")
            ? json_object_get_object_member (shown, "receipt") : NULL;
  if (receipt == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (receipt, "state", NULL),
                    "delivered") != 0)
    {
      run_step (run, "delivery-receipt", "failed",
                _("the merchant took the delivery receipt but the receipt is not delivered"));
      return;
    }
  detail = g_strdup_printf (_("signed the delivery receipt for receipt %s; the merchant "
                              "accepted it"), id);
  step = run_step (run, "delivery-receipt", "done", detail);
  json_object_set_string_member (step, "document",
                                 json_object_get_string_member_with_default (delivered,
                                                                             "document", ""));
  json_object_set_string_member (step, "receipt_state", "delivered");
}

static void
scenario_mail_order (Demo       *demo,
                     const char *url)
{
  static const char * const answers[] = { "recipient=" DEMO_WALLET_NAME,
                                          "address=Heidestraße 17\\n51147 Köln",
                                          "delivery=standard", NULL };
  g_autofree char *confirmation = g_build_filename (demo->state, "goods",
                                                    "order-confirmation.p7m", NULL);
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(GError) error = NULL;
  Run run;

  run_begin (&run, demo, "mail-order");
  if (run_semper (demo, &page, &error, "shop", url, "--search", "pencil", NULL)
      && json_object_has_member (page, "catalog"))
    {
      g_autofree char *detail = g_strdup_printf (
        _("searched the catalog for “pencil”: %" PRId64 " articles"),
        json_object_get_int_member_with_default (json_object_get_object_member (page, "catalog"),
                                                 "total", 0));

      run_step (&run, "browse", "done", detail);
    }
  else
    run_step (&run, "browse", "failed", error != NULL ? error->message : _("no catalog"));
  if (buy_step (&run, "order", confirmation, url, "A000001:3", NULL, "account", answers))
    delivery_step (&run, url);
  else
    run_step (&run, "delivery-receipt", "not-run", _("there is no confirmed order"));
  run_end (&run);
}

/* Runs each scenario whose merchant runs; says plainly why the others did
 * not run. Nothing is reported as done that did not happen. */
static void
run_scenarios (Demo *demo)
{
  static const struct {
    const char *name;
    const char *summary;
    void      (*run) (Demo *demo, const char *url);
  } scenarios[] = {
    { "courseware", N_("buy a course module by fair exchange"), scenario_courseware },
    { "subscription", N_("register, subscribe, read a member-only item, sign a contract"),
      scenario_subscription },
    { "mail-order", N_("order articles for delivery, with a signed confirmation"),
      scenario_mail_order },
  };
  g_autofree char *goods = g_build_filename (demo->state, "goods", NULL);

  g_mkdir_with_parents (goods, 0700);
  say ("%s", _("The trial scenarios:"));
  for (guint i = 0; i < G_N_ELEMENTS (scenarios) && !demo->stop; i++)
    {
      const char *url = g_hash_table_lookup (demo->merchant_urls, scenarios[i].name);

      say ("  %s: %s", scenarios[i].name, _(scenarios[i].summary));
      if (url == NULL)
        {
          g_autofree char *reason = g_strdup_printf (
            _("its merchant is not running: %s"),
            (const char *) g_hash_table_lookup (demo->merchant_problems, scenarios[i].name));
          JsonObject *scenario = json_object_new ();

          say (_("    NOT RUN: %s"), reason);
          json_object_set_string_member (scenario, "name", scenarios[i].name);
          json_object_set_string_member (scenario, "status", "not-run");
          json_object_set_string_member (scenario, "reason", reason);
          g_ptr_array_add (demo->scenarios, scenario);
          continue;
        }
      scenarios[i].run (demo, url);
    }
}

static gboolean
scenarios_failed (Demo *demo)
{
  for (guint i = 0; i < demo->scenarios->len; i++)
    if (g_str_equal (json_object_get_string_member (g_ptr_array_index (demo->scenarios, i),
                                                    "status"), "failed"))
      return TRUE;
  return FALSE;
}

/* ---- the wallet window ------------------------------------------------------- */

static int
run_wallet_window (Demo *demo)
{
  g_autofree char *wallet = g_build_filename (demo->state, "wallet", NULL);
  g_autofree char *binary = g_build_filename (demo->bindir, "semper-wallet", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  say (_("Opening the wallet on %s (its password is in %s)…"), wallet, demo->password);
  proc = g_subprocess_launcher_spawn (launcher, &error, binary, "--profile", wallet, NULL);
  if (proc == NULL)
    return cli_fail (error, EXIT_ERROR);
  g_subprocess_wait_async (proc, NULL, wait_exit_cb, &done);
  while (!done && !demo->stop)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    {
      g_subprocess_send_signal (proc, SIGTERM);
      wait_or_kill (proc);
    }
  return EXIT_OK;
}

/* ---- the report ------------------------------------------------------------ */

static void
print_report (Demo *demo)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *wallet = g_build_filename (demo->state, "wallet", NULL);

  if (!cli.json)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, demo->state);
  json_builder_set_member_name (b, "wallet");
  json_builder_add_string_value (b, wallet);
  json_builder_set_member_name (b, "password_file");
  json_builder_add_string_value (b, demo->password);
  json_builder_set_member_name (b, "root_fingerprint");
  json_builder_add_string_value (b, demo->root_fingerprint);
  json_builder_set_member_name (b, "servers");
  json_builder_begin_array (b);
  for (guint i = 0; i < demo->servers->len; i++)
    {
      DemoServer *server = g_ptr_array_index (demo->servers, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, server->name);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, server->url);
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, atoi (g_subprocess_get_identifier (server->proc)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "not_running");
  json_builder_begin_object (b);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, demo->merchant_problems);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        json_builder_set_member_name (b, key);
        json_builder_add_string_value (b, value);
      }
  }
  json_builder_end_object (b);
  if (demo->balance != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, demo->balance);
      json_builder_set_member_name (b, "balance");
      json_builder_add_value (b, node);
    }
  json_builder_set_member_name (b, "scenarios");
  json_builder_begin_array (b);
  for (guint i = 0; i < demo->scenarios->len; i++)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, g_ptr_array_index (demo->scenarios, i));
      json_builder_add_value (b, node);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  cli_print_json (b);
  fflush (stdout);   /* --serve: the report is read while the marketplace runs */
}

/* ---- semper demo ------------------------------------------------------------ */

/* Where `semperd`, `semper` and `semper-wallet` are: next to this binary. */
static char *
own_bindir (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  return self != NULL ? g_path_get_dirname (self) : g_strdup (".");
}

static char *
default_data_dir (void)
{
  const char *env = g_getenv ("SEMPER_DEMO_DATA");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (g_file_test (SEMPER_DEMO_SOURCE_DIR "/bank.json", G_FILE_TEST_EXISTS))
    return g_strdup (SEMPER_DEMO_SOURCE_DIR);
  return g_strdup (SEMPER_DEMO_INSTALLED_DIR);
}

static gboolean
have_display (void)
{
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
}

static void
demo_clear (Demo *demo)
{
  g_clear_pointer (&demo->servers, g_ptr_array_unref);
  g_clear_pointer (&demo->memo, g_key_file_unref);
  g_clear_pointer (&demo->root, g_bytes_unref);
  g_clear_pointer (&demo->merchant_urls, g_hash_table_unref);
  g_clear_pointer (&demo->merchant_problems, g_hash_table_unref);
  g_clear_pointer (&demo->balance, json_object_unref);
  g_clear_pointer (&demo->scenarios, g_ptr_array_unref);
  g_free (demo->state);
  g_free (demo->password);
  g_free (demo->data);
  g_free (demo->bindir);
  g_free (demo->memo_path);
  g_free (demo->root_fingerprint);
  g_free (demo->bank_url);
  g_free (demo->ttp_url);
  g_free (demo->ca_url);
}

int
cmd_demo (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— run the local marketplace and the demo wallet"));
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *data = NULL;
  gboolean headless = FALSE;
  gboolean serve = FALSE;
  gboolean no_scenarios = FALSE;
  Demo demo = { 0 };
  guint sigint, sigterm;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state,
      N_("Keep everything in DIR (default: $XDG_STATE_HOME/semper-demo)"), N_("DIR") },
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless,
      N_("Do not open the wallet: run the trial scenarios through semper"), NULL },
    { "serve", 0, 0, G_OPTION_ARG_NONE, &serve,
      N_("Headless: keep the marketplace running until Ctrl-C"), NULL },
    { "no-scenarios", 0, 0, G_OPTION_ARG_NONE, &no_scenarios,
      N_("Headless: do not run the trial scenarios"), NULL },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data,
      N_("The demo data (services, bank, goods); default: the built-in"), N_("DIR") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, semper_cli_global_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return cli_usage (context, error->message);
  if (argc != 1)
    return cli_usage (context, _("demo takes no arguments"));
  if (!headless && !have_display ())
    headless = TRUE;

  demo.state = state != NULL ? g_canonicalize_filename (state, NULL)
                             : g_build_filename (g_get_user_state_dir (), "semper-demo", NULL);
  demo.data = data != NULL ? g_canonicalize_filename (data, NULL) : default_data_dir ();
  demo.bindir = own_bindir ();
  demo.password = g_build_filename (demo.state, "password", NULL);
  demo.memo_path = g_build_filename (demo.state, "demo.ini", NULL);
  demo.memo = g_key_file_new ();
  demo.servers = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_server_free);
  demo.merchant_urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  demo.merchant_problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  demo.scenarios = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_free (cli.password_file);
  cli.password_file = g_strdup (demo.password);

  sigint = g_unix_signal_add (SIGINT, stop_cb, &demo);
  sigterm = g_unix_signal_add (SIGTERM, stop_cb, &demo);

  if (g_mkdir_with_parents (demo.state, 0700) != 0)
    {
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("Cannot create %s: %s"), demo.state, g_strerror (errno));
      status = cli_fail (error, EXIT_ERROR);
      goto out;
    }
  g_chmod (demo.state, 0700);
  if (g_file_test (demo.memo_path, G_FILE_TEST_EXISTS)
      && !g_key_file_load_from_file (demo.memo, demo.memo_path, G_KEY_FILE_NONE, &error))
    {
      status = cli_fail (error, EXIT_ERROR);
      goto out;
    }
  say (_("Demo state: %s (data from %s)"), demo.state, demo.data);

  if (!ensure_password (&demo, &error)
      || !start_marketplace (&demo, &error)
      || !prepare_wallet (&demo, &error))
    {
      status = cli_fail (error, EXIT_ERROR);
      goto out;
    }

  if (headless)
    {
      if (!no_scenarios)
        run_scenarios (&demo);
      if (!demo.stop && !no_scenarios)
        {
          g_autoptr(GError) balance_error = NULL;

          /* the report shows the purse after the scenarios */
          g_clear_pointer (&demo.balance, json_object_unref);
          if (!run_semper (&demo, &demo.balance, &balance_error, "balance", NULL))
            say (_("semper balance: %s"), balance_error->message);
        }
      if (scenarios_failed (&demo))
        status = EXIT_ERROR;
      print_report (&demo);
      if (serve)
        {
          say ("%s", _("The marketplace is running; Ctrl-C stops it."));
          while (!demo.stop)
            g_main_context_iteration (NULL, TRUE);
        }
    }
  else
    {
      print_report (&demo);
      status = run_wallet_window (&demo);
    }

out:
  stop_servers (&demo);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (demo.stop && status == EXIT_OK && headless && !serve)
    status = EXIT_ERROR;
  demo_clear (&demo);
  return status;
}
