/* bench-purchase.c: a complete purchase on loopback, next to its
 * cryptographic floor.
 *
 * Usage: bench-purchase [--wallets N] [--purchases K] [--each M]
 *
 * Starts the demo marketplace (`semper demo --headless --serve`, so the CA,
 * bank, TTP and merchants are the real semperd processes) with extra bank
 * accounts for the benchmark's wallets, makes N+1 wallet profiles
 * registered with the demo CA and funded with e-cash, and measures, with
 * the wallet-side API (semper_purchase_*, consent automated by the headless
 * consent port in --yes mode):
 *
 *  - latency: one wallet buys a course module K times in a row (after one
 *    purchase to warm up); each time from the signed offer to the archived
 *    receipt: semper_purchase_new … prepare … consent … complete. Median and
 *    95th percentile.
 *  - throughput: N wallets (N processes, each with its own profile) buy M
 *    modules each at the same time from the one merchant; purchases per
 *    second over the wall-clock time from "go" to the last receipt.
 *
 * Each next to the cryptographic floor timed with NSS in the same run: the
 * CMS signatures and verifications that a purchase needs by the protocol
 * (PROTOCOLS.md B with e-cash, C): the buyer signs the order document, m1
 * and m3 and verifies the offer, m2 and m4; the merchant signs the offer, m2,
 * its deposit request and m4 and verifies m1, the order in it, m3 and the
 * bank's answer; the bank verifies the deposit and signs its answer:
 * 8 signatures and 8 verifications. Coin operations (ECDSA, RSA) are not
 * counted, so the floor is a lower bound. Latency floor: their sum;
 * throughput floor: the machine's cores divided by that sum (everything
 * runs on this machine).
 *
 * Next to each, the CPU time per purchase of the wallet and of the servers
 * (from getrusage and /proc), which other load on the machine changes
 * less than the wall-clock figures; the floor is timed in CPU time too.
 *
 * It prints figures and never asserts on time. Workers are this program
 * again with --worker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "semper-cms.h"
#include "semper-consent.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"
#include "semper-purchase.h"
#include "semper-shop-client.h"
#include "semper-trust.h"

#define SERVICE    "eurocom-courseware"
#define ITEM       "intro-networks"
#define FLOOR_SIGN   8
#define FLOOR_VERIFY 8
#define FLOOR_SECONDS 1.0

static char *password_path;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  char *text = NULL;

  if (retry || !g_file_get_contents (password_path, &text, NULL, NULL))
    return NULL;
  g_strchomp (text);
  return text;
}

/* User + system CPU time of this process, µs. */
static gint64
process_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* User + system CPU time of the processes whose parent is @parent (the
 * demo's servers), µs, from /proc. */
static gint64
children_cpu_us (GPid parent)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  long ticks = sysconf (_SC_CLK_TCK);
  gint64 total = 0;
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;
      const char *rest;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* after "pid (comm) ": state ppid … utime (14th field) stime (15th) */
      rest = strrchr (stat, ')');
      if (rest == NULL)
        continue;
      fields = g_strsplit (rest + 2, " ", 0);
      if (g_strv_length (fields) < 13 || g_ascii_strtoll (fields[1], NULL, 10) != parent)
        continue;
      total += (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10))
               * G_USEC_PER_SEC / ticks;
    }
  return total;
}

/* ---- the worker: one wallet, COUNT purchases ------------------------------ */

static gint64
one_purchase (SemperShopClient      *client,
              SemperHeadlessConsent *port)
{
  g_autoptr(SemperPurchase) purchase = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  purchase = semper_purchase_new (client, SERVICE, NULL, &error);
  if (purchase == NULL || !semper_purchase_add_item (purchase, ITEM, 1, &error))
    g_error ("purchase: %s", error->message);
  semper_purchase_set_answer (purchase, "student", "Bench Customer");
  semper_purchase_set_answer (purchase, "language", "English");
  semper_purchase_set_payment_system (purchase, "ecash");
  document = semper_purchase_prepare (purchase, NULL, &error);
  if (document == NULL)
    g_error ("prepare: %s", error->message);
  consent = semper_headless_consent_request (port, document, "order", &error);
  if (consent == NULL)
    g_error ("consent: %s", error->message);
  if (semper_purchase_complete (purchase, g_steal_pointer (&consent), NULL, &error) <= 0)
    g_error ("complete: %s", error ? error->message : "no receipt");
  return g_get_monotonic_time () - start;
}

/* Prints "ready" after a warm-up purchase, waits for a line on stdin, then
 * prints the microseconds of each purchase, one per line. */
static int
run_worker (const char *profile_dir,
            const char *merchant_url,
            guint       count)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperShopClient) client = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(GError) error = NULL;
  FILE *sink = fopen ("/dev/null", "we");
  char go[16];
  gint64 cpu;

  profile = semper_profile_open (profile_dir, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  if (profile == NULL)
    g_error ("%s: %s", profile_dir, error->message);
  client = semper_shop_client_new (profile, merchant_url, &error);
  if (client == NULL)
    g_error ("%s", error->message);
  port = semper_headless_consent_new (sink, SEMPER_HEADLESS_YES);

  one_purchase (client, port);
  printf ("ready\n");
  fflush (stdout);
  if (fgets (go, sizeof go, stdin) == NULL)
    return 1;
  cpu = process_cpu_us ();
  for (guint i = 0; i < count; i++)
    {
      printf ("%" G_GINT64_FORMAT "\n", one_purchase (client, port));
      fflush (stdout);
    }
  /* the wallet's own CPU time for the measured purchases */
  printf ("cpu %" G_GINT64_FORMAT "\n", process_cpu_us () - cpu);
  fflush (stdout);
  fclose (sink);
  return 0;
}

/* ---- the driver ---------------------------------------------------------- */

typedef struct {
  char *dir;
  char *semper;
  char *self;
  char *ca_url;
  char *bank_url;
  char *merchant_url;
  GSubprocess *demo;
  GPid demo_pid;
} Bench;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
semper_sync (Bench      *b,
             const char *profile,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  va_list ap;

  g_ptr_array_add (argv, b->semper);
  g_ptr_array_add (argv, (char *) "--profile");
  g_ptr_array_add (argv, (char *) profile);
  va_start (ap, profile);
  for (char *a = va_arg (ap, char *); a != NULL; a = va_arg (ap, char *))
    g_ptr_array_add (argv, a);
  va_end (ap);
  g_ptr_array_add (argv, (char *) "--password-file");
  g_ptr_array_add (argv, password_path);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("semper %s: %s %s", (char *) argv->pdata[3], error->message, err ? err : "");
}

/* data/demo with a bank account and link code per benchmark wallet. */
static char *
make_data (Bench *b,
           guint  wallets)
{
  g_autofree char *data = g_build_filename (b->dir, "data", NULL);
  g_autofree char *bank_in = g_build_filename (SEMPER_DEMO_SOURCE_DIR, "bank.json", NULL);
  g_autofree char *bank_out = g_build_filename (data, "bank.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  static const char * const links[] = { "services", "goods", "members" };
  JsonArray *accounts;

  g_mkdir_with_parents (data, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *target = g_build_filename (SEMPER_DEMO_SOURCE_DIR, links[i], NULL);
      g_autofree char *link = g_build_filename (data, links[i], NULL);

      if (symlink (target, link) != 0)
        g_error ("symlink %s: %s", link, g_strerror (errno));
    }
  if (!json_parser_load_from_file (parser, bank_in, &error))
    g_error ("%s", error->message);
  accounts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "accounts");
  for (guint i = 0; i <= wallets; i++)
    {
      JsonObject *account = json_object_new ();
      JsonObject *balances = json_object_new ();
      g_autofree char *id = g_strdup_printf ("bench-%u", i);

      json_object_set_string_member (account, "id", id);
      json_object_set_string_member (account, "link-code", id);
      json_object_set_int_member (balances, "EUR", 10000000);
      json_object_set_object_member (account, "balances", balances);
      json_array_add_object_element (accounts, account);
    }
  json_generator_set_root (gen, json_parser_get_root (parser));
  if (!json_generator_to_file (gen, bank_out, &error))
    g_error ("%s", error->message);
  return g_steal_pointer (&data);
}

static const char *
server_url (JsonObject *report,
            const char *name)
{
  JsonArray *servers = json_object_get_array_member (report, "servers");

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonObject *server = json_array_get_object_element (servers, i);

      if (g_str_equal (json_object_get_string_member (server, "name"), name))
        return json_object_get_string_member (server, "url");
    }
  return NULL;
}

/* Starts the marketplace; FALSE (and says why) when the merchant is missing. */
static gboolean
start_demo (Bench *b,
            guint  wallets)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *data = make_data (b, wallets);
  g_autofree char *state = g_build_filename (b->dir, "state", NULL);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *report;
  char *line;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  b->demo = g_subprocess_launcher_spawn (launcher, &error, b->semper, "--json", "demo",
                                         "--headless", "--serve", "--no-scenarios", "--state",
                                         state, "--data", data, NULL);
  if (b->demo == NULL)
    g_error ("%s", error->message);
  b->demo_pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (b->demo), NULL, 10);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (b->demo));
  /* the report is one pretty-printed object: it ends with a "}" line */
  while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error)) != NULL)
    {
      gboolean end = g_str_equal (line, "}");

      g_string_append_printf (text, "%s\n", line);
      g_free (line);
      if (end)
        break;
    }
  if (!json_parser_load_from_data (parser, text->str, -1, &error))
    g_error ("semper demo: %s", error != NULL ? error->message : "no report");
  report = json_node_get_object (json_parser_get_root (parser));
  password_path = g_strdup (json_object_get_string_member (report, "password_file"));
  b->ca_url = g_strdup (server_url (report, "ca"));
  b->bank_url = g_strdup (server_url (report, "bank"));
  b->merchant_url = g_strdup (server_url (report, "courseware"));
  if (b->merchant_url == NULL)
    {
      JsonObject *why = json_object_get_object_member (report, "not_running");

      printf ("purchase: not measured: the courseware merchant is not running (%s)\n",
              json_object_get_string_member_with_default (why, "courseware", "?"));
      return FALSE;
    }
  return TRUE;
}

static void
stop_demo (Bench *b)
{
  if (b->demo == NULL)
    return;
  g_subprocess_send_signal (b->demo, SIGINT);
  g_subprocess_wait (b->demo, NULL, NULL);
  g_clear_object (&b->demo);
}

static char *
make_wallet (Bench *b,
             guint  i)
{
  g_autofree char *name = g_strdup_printf ("wallet-%u", i);
  g_autofree char *account = g_strdup_printf ("bench-%u", i);
  g_autofree char *who = g_strdup_printf ("Bench Customer %u", i);
  char *dir = g_build_filename (b->dir, name, NULL);

  semper_sync (b, dir, "init", "--name", who, "--ca", b->ca_url, NULL);
  semper_sync (b, dir, "bank", "link", b->bank_url, account, "--code", account, NULL);
  semper_sync (b, dir, "withdraw", "300.00 EUR", NULL);
  return dir;
}

static GSubprocess *
spawn_worker (Bench      *b,
              const char *profile,
              guint       count)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autofree char *n = g_strdup_printf ("%u", count);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, b->self, "--worker", profile,
                                      b->merchant_url, n, password_path, NULL);
  if (proc == NULL)
    g_error ("%s", error->message);
  return proc;
}

static char *
read_line (GSubprocess       *proc,
           GDataInputStream **in)
{
  if (*in == NULL)
    *in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  return g_data_input_stream_read_line_utf8 (*in, NULL, NULL, NULL);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Runs @wallets workers of @each purchases at once; fills @latencies (µs)
 * and the CPU time the wallets and the servers spent (µs). */
static double
run_round (Bench      *b,
           GPtrArray  *profiles,
           guint       each,
           GArray     *latencies,
           gint64     *wallet_cpu,
           gint64     *server_cpu)
{
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ins = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 start, end;

  for (guint i = 0; i < profiles->len; i++)
    g_ptr_array_add (procs, spawn_worker (b, g_ptr_array_index (profiles, i), each));
  for (guint i = 0; i < procs->len; i++)
    {
      GDataInputStream *in = NULL;
      g_autofree char *line = read_line (g_ptr_array_index (procs, i), &in);

      g_ptr_array_add (ins, in);
      if (g_strcmp0 (line, "ready") != 0)
        g_error ("worker %u did not get ready", i);
    }
  *wallet_cpu = 0;
  *server_cpu = children_cpu_us (b->demo_pid);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < procs->len; i++)
    {
      GOutputStream *out = g_subprocess_get_stdin_pipe (g_ptr_array_index (procs, i));

      g_output_stream_write_all (out, "go\n", 3, NULL, NULL, NULL);
      g_output_stream_flush (out, NULL, NULL);
    }
  for (guint i = 0; i < procs->len; i++)
    {
      GDataInputStream *in = g_ptr_array_index (ins, i);
      char *line;

      while ((line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL)) != NULL)
        {
          gint64 us;

          if (g_str_has_prefix (line, "cpu "))
            *wallet_cpu += g_ascii_strtoll (line + 4, NULL, 10);
          else
            {
              us = g_ascii_strtoll (line, NULL, 10);
              g_array_append_val (latencies, us);
            }
          g_free (line);
        }
      if (!g_subprocess_wait_check (g_ptr_array_index (procs, i), NULL, NULL))
        g_error ("worker %u failed", i);
    }
  end = g_get_monotonic_time ();
  *server_cpu = children_cpu_us (b->demo_pid) - *server_cpu;
  if (latencies->len != profiles->len * each)
    g_error ("%u purchases of %u finished", latencies->len, profiles->len * each);
  return (end - start) / 1e6;
}

/* NSS's CMS sign and verify with a wallet's P-256 key, per operation (s of
 * this process's CPU time, so that other load on the machine does not count).
 * Every message is different (a counter in it), and each is verified once: a
 * process verifies the same bytes only once (semper-crypto.c), so verifying
 * one message again and again would time a lookup, not NSS. */
static void
crypto_floor (const char *profile_dir,
              double     *sign_s,
              double     *verify_s)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) signed_messages = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_bytes_unref);
  gint64 start, stop;
  guint n;

  profile = semper_profile_open (profile_dir, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  if (profile == NULL || (trust = semper_profile_dup_trust (profile, &error)) == NULL)
    g_error ("%s", error->message);

  start = process_cpu_us ();
  stop = start + (gint64) (FLOOR_SECONDS * G_USEC_PER_SEC);
  for (n = 0; process_cpu_us () < stop; n++)
    {
      g_autofree char *body = g_strdup_printf ("{\"bench\":\"floor\",\"n\":%u}", n);
      g_autoptr(GBytes) message = g_bytes_new (body, strlen (body));
      GBytes *p7m = semper_cms_sign_message (semper_profile_get_crypto (profile), message,
                                             &error);

      if (p7m == NULL)
        g_error ("%s", error->message);
      g_ptr_array_add (signed_messages, p7m);
    }
  *sign_s = (process_cpu_us () - start) / 1e6 / n;

  start = process_cpu_us ();
  for (n = 0; n < signed_messages->len; n++)
    {
      g_autoptr(GBytes) content = semper_cms_verify (g_ptr_array_index (signed_messages, n),
                                                     trust, NULL, &error);

      if (content == NULL)
        g_error ("%s", error->message);
    }
  *verify_s = (process_cpu_us () - start) / 1e6 / n;
}

/* The machine's load average: the figures depend on what else runs. */
static void
print_load (const char *when)
{
  g_autofree char *load = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("  %s, %s: load average %s", when, date, load);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— a purchase on loopback");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) wallets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) concurrent = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *bindir = NULL;
  g_autofree char *self = NULL;
  g_autofree char *floor_dir = NULL;
  int n_wallets = 8, purchases = 30, each = 10;
  double sign_s, verify_s, floor_s, seconds;
  gint64 wallet_cpu, server_cpu;
  Bench b = { 0 };
  GOptionEntry entries[] = {
    { "wallets", 0, 0, G_OPTION_ARG_INT, &n_wallets, "Concurrent wallets", "N" },
    { "purchases", 0, 0, G_OPTION_ARG_INT, &purchases, "Purchases for the latency", "K" },
    { "each", 0, 0, G_OPTION_ARG_INT, &each, "Purchases per concurrent wallet", "M" },
    { NULL }
  };

  if (argc == 6 && g_str_equal (argv[1], "--worker"))
    {
      password_path = argv[5];
      return run_worker (argv[2], argv[3], (guint) g_ascii_strtoull (argv[4], NULL, 10));
    }

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  n_wallets = CLAMP (n_wallets, 1, 64);
  purchases = CLAMP (purchases, 1, 1000);
  each = CLAMP (each, 1, 1000);

  self = g_file_read_link ("/proc/self/exe", NULL);
  bindir = g_path_get_dirname (self);
  b.self = self;
  b.semper = g_build_filename (bindir, "..", "app", "semper", NULL);
  b.dir = g_dir_make_tmp ("bench-purchase-XXXXXX", &error);
  if (b.dir == NULL)
    g_error ("%s", error->message);

  printf ("bench-purchase: the demo marketplace on loopback, %u CPU(s)\n", g_get_num_processors ());
  print_load ("before");
  if (start_demo (&b, n_wallets))
    {
      for (int i = 0; i <= n_wallets; i++)
        g_ptr_array_add (wallets, make_wallet (&b, i));
      floor_dir = g_strdup (g_ptr_array_index (wallets, 0));

      crypto_floor (floor_dir, &sign_s, &verify_s);
      floor_s = FLOOR_SIGN * sign_s + FLOOR_VERIFY * verify_s;
      printf ("NSS CMS: sign %.3f ms, verify %.3f ms; a purchase needs %d + %d: floor %.2f ms\n",
              sign_s * 1e3, verify_s * 1e3, FLOOR_SIGN, FLOOR_VERIFY, floor_s * 1e3);

      /* latency: one wallet, purchases one after the other */
      g_ptr_array_add (one, g_ptr_array_index (wallets, 0));
      run_round (&b, one, purchases, latencies, &wallet_cpu, &server_cpu);
      g_array_sort (latencies, compare_gint64);
      printf ("latency, one wallet, %d purchases: median %.2f ms, p95 %.2f ms "
              "(floor %.2f ms)\n", purchases,
              g_array_index (latencies, gint64, latencies->len / 2) / 1e3,
              g_array_index (latencies, gint64, (latencies->len * 95 + 99) / 100 - 1) / 1e3,
              floor_s * 1e3);
      printf ("  CPU per purchase: wallet %.1f ms, servers %.1f ms (floor %.2f ms)\n",
              wallet_cpu / 1e3 / purchases, server_cpu / 1e3 / purchases, floor_s * 1e3);

      /* throughput: N wallets at once against one merchant */
      g_ptr_array_remove_index (wallets, 0);
      seconds = run_round (&b, wallets, each, concurrent, &wallet_cpu, &server_cpu);
      g_array_sort (concurrent, compare_gint64);
      printf ("throughput, %d wallets x %d purchases, one merchant: %.1f purchases/s "
              "(floor %.1f/s on %u CPUs); latency under load median %.2f ms, p95 %.2f ms\n",
              n_wallets, each, concurrent->len / seconds,
              g_get_num_processors () / floor_s, g_get_num_processors (),
              g_array_index (concurrent, gint64, concurrent->len / 2) / 1e3,
              g_array_index (concurrent, gint64, (concurrent->len * 95 + 99) / 100 - 1) / 1e3);
      printf ("  CPU per purchase: wallet %.1f ms, servers %.1f ms (floor %.2f ms)\n",
              wallet_cpu / 1e3 / concurrent->len, server_cpu / 1e3 / concurrent->len,
              floor_s * 1e3);
    }
  print_load ("after");
  stop_demo (&b);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", b.dir);

    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  g_free (b.dir);
  g_free (b.semper);
  g_free (b.ca_url);
  g_free (b.bank_url);
  g_free (b.merchant_url);
  g_free (password_path);
  return 0;
}
