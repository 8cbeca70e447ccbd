/* test-demo.c: `semper demo --headless` end to end, as a user runs it: the
 * real CA, bank and TTP (and the merchants once semperd has that role) as
 * processes on loopback, a demo wallet registered and funded, a second run
 * that reuses the state (even when a server's old port is taken), and
 * SIGINT that stops every child. The three trial scenarios run through
 * `semper` against the real merchants.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1 /* memmem */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

/* alice's EUR after the first run, in cents: 5000.00 opening, less the 200.00 withdrawn
 * and its 0.20 of withdrawal fees (the coins' fees in data/demo/bank.json), less
 * 35.00 + 89.80 paid by account */
#define ACCOUNT_AFTER_FIRST_RUN (500000 - 20000 - 20 - 3500 - 8980)

typedef struct {
  char *dir;
  char *state;
  char *semper;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("semper-demo-XXXXXX", &error);
  g_assert_no_error (error);
  fx->state = g_build_filename (fx->dir, "state", NULL);
  fx->semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper", NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);

  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->dir);
  g_free (fx->state);
  g_free (fx->semper);
}

static GSubprocess *
spawn_demo (Fixture    *fx,
            gboolean    serve,
            GError    **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  /* headless whatever the test machine has */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  if (serve)
    return g_subprocess_launcher_spawn (launcher, error, fx->semper, "--json", "demo",
                                        "--headless", "--serve", "--no-scenarios", "--state",
                                        fx->state, NULL);
  return g_subprocess_launcher_spawn (launcher, error, fx->semper, "--json", "demo", "--headless",
                                      "--state", fx->state, NULL);
}

static JsonObject *
parse_report (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Runs `semper --json demo --headless --state STATE` to the end. */
static JsonObject *
run_demo (Fixture  *fx,
          char    **out_progress)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  proc = spawn_demo (fx, FALSE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("semper demo:\n%s\n%s\n", err, out);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  if (out_progress != NULL)
    *out_progress = g_steal_pointer (&err);
  return parse_report (out);
}

/* Gone: no such process, or not ours any more (a reused pid would have to
 * be a child of someone else within the test; a demo child is a semperd). */
static gboolean
process_gone (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
  g_autofree char *cmdline = NULL;

  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (path, &cmdline, NULL, NULL))
    return TRUE;
  return strstr (cmdline, "semperd") == NULL;
}

static JsonObject *
find_server (JsonObject *report,
             const char *name)
{
  JsonArray *servers = json_object_get_array_member (report, "servers");

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonObject *server = json_array_get_object_element (servers, i);

      if (g_str_equal (json_object_get_string_member (server, "name"), name))
        return server;
    }
  return NULL;
}

static void
assert_servers_gone (JsonObject *report)
{
  JsonArray *servers = json_object_get_array_member (report, "servers");

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonObject *server = json_array_get_object_element (servers, i);

      g_assert_true (process_gone (json_object_get_int_member (server, "pid")));
    }
}

static gint64
count_rows (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static JsonObject *
find_step (JsonObject *scenario,
           const char *name)
{
  JsonArray *steps = json_object_get_array_member (scenario, "steps");

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);

      if (g_str_equal (json_object_get_string_member (step, "step"), name))
        return step;
    }
  g_error ("no step %s", name);
  return NULL;
}

static void
assert_step (JsonObject *scenario,
             const char *name,
             const char *status)
{
  g_assert_cmpstr (json_object_get_string_member (find_step (scenario, name), "status"), ==,
                   status);
}

/* The three scenarios ran, every step done: the course by e-cash, the
 * subscription and the mail order by account, the mail order's delivery
 * receipt signed and taken by the merchant. */
static void
assert_scenarios (JsonObject *report)
{
  static const char * const names[] = { "courseware", "subscription", "mail-order" };
  JsonArray *scenarios = json_object_get_array_member (report, "scenarios");
  JsonObject *courseware, *subscription, *mail_order;
  JsonObject *step;

  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (report, "not_running")),
                    ==, 0);
  g_assert_cmpuint (json_array_get_length (scenarios), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_nonnull (find_server (report, names[i]));
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (scenarios,
                                                                                      i),
                                                      "name"), ==, names[i]);
    }
  courseware = json_array_get_object_element (scenarios, 0);
  subscription = json_array_get_object_element (scenarios, 1);
  mail_order = json_array_get_object_element (scenarios, 2);

  g_assert_cmpstr (json_object_get_string_member (courseware, "status"), ==, "done");
  step = find_step (courseware, "buy-module");
  g_assert_cmpstr (json_object_get_string_member (step, "total"), ==, "4.90 EUR");
  g_assert_cmpstr (json_object_get_string_member (step, "payment_system"), ==, "ecash");
  g_assert_nonnull (strstr (json_object_get_string_member (step, "document"),
                            "Introduction to computer networks, module 1"));

  g_assert_cmpstr (json_object_get_string_member (subscription, "status"), ==, "done");
  assert_step (subscription, "register-and-subscribe", "done");
  step = find_step (subscription, "register-and-subscribe");
  g_assert_cmpstr (json_object_get_string_member (step, "total"), ==, "35.00 EUR");
  g_assert_cmpstr (json_object_get_string_member (step, "payment_system"), ==, "account");
  assert_step (subscription, "member-item", "done");
  assert_step (subscription, "consultancy-contract", "done");
  g_assert_nonnull (strstr (json_object_get_string_member (find_step (subscription,
                                                                      "consultancy-contract"),
                                                           "document"),
                            "Title: Print-process consultancy, one day"));

  g_assert_cmpstr (json_object_get_string_member (mail_order, "status"), ==, "done");
  assert_step (mail_order, "browse", "done");
  assert_step (mail_order, "order", "done");
  step = find_step (mail_order, "order");
  g_assert_cmpstr (json_object_get_string_member (step, "total"), ==, "89.80 EUR");
  g_assert_cmpstr (json_object_get_string_member (step, "payment_system"), ==, "account");
  g_assert_nonnull (strstr (json_object_get_string_member (find_step (mail_order, "order"),
                                                           "document"),
                            "3 x Alster family pencil set"));
  /* the signed order lists what the user buys, where it goes and how it is paid */
  {
    const char *document = json_object_get_string_member (find_step (mail_order, "order"),
                                                          "document");
    static const char * const lines[] = {
      "\nMerchant-Name: Otto Mail Order\n", "\nShipping: 5.95 EUR\n",
      "\nSubtotal: 83.85 EUR\n", "\nRecipient: " "Demo Customer" "\n",
      "\nDelivery-Address-1: Heidestraße 17\n", "\nDelivery-Address-2: 51147 Köln\n",
      "\nPayment-System: account\n", "\nTotal: 89.80 EUR\n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      if (strstr (document, lines[i]) == NULL)
        g_error ("the signed order lacks %s:\n%s", lines[i], document);
  }
  /* the parcel arrived: the signed delivery receipt, taken by the merchant */
  assert_step (mail_order, "delivery-receipt", "done");
  step = find_step (mail_order, "delivery-receipt");
  g_assert_cmpstr (json_object_get_string_member (step, "receipt_state"), ==, "delivered");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (step, "document"),
                                   "Semper-Document: receipt/1\n"));
  g_assert_nonnull (strstr (json_object_get_string_member (step, "document"),
                            "Merchant: Otto Mail Order"));
}

/* alice's EUR at the bank after a run, in cents, from the report's `semper balance`. */
static gint64
account_eur (JsonObject *report)
{
  JsonObject *balance = json_object_get_object_member (report, "balance");
  JsonArray *balances;

  g_assert_true (json_object_has_member (balance, "account-balances"));
  balances = json_object_get_array_member (balance, "account-balances");
  for (guint i = 0; i < json_array_get_length (balances); i++)
    {
      const char *text = json_array_get_string_element (balances, i);
      guint64 units = 0, cents = 0;

      if (!g_str_has_suffix (text, " EUR"))
        continue;
      g_assert_cmpint (sscanf (text, "%" G_GUINT64_FORMAT ".%2" G_GUINT64_FORMAT, &units,
                               &cents), ==, 2);
      return (gint64) (units * 100 + cents);
    }
  g_error ("no EUR balance in the report");
  return -1;
}

/* What the scenarios left in the wallet's archive and state. */
static void
assert_archive (Fixture *fx,
                gint64   runs)
{
  g_autofree char *db = g_build_filename (fx->state, "wallet", "archive.db", NULL);
  g_autofree char *goods = g_build_filename (fx->state, "goods", "intro-networks.txt", NULL);
  g_autofree char *module = g_build_filename (g_getenv ("SEMPER_SOURCE_ROOT"), "data", "demo",
                                              "goods", "courseware", "intro-networks.txt", NULL);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  /* three purchases per run, each with a signed receipt; one contract signed per run */
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM receipts"), ==, 3 * runs);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM contracts WHERE state = 'signed'"), ==,
                   runs);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM credentials"), >, 0);
  /* the consultancy contracts were signed by FOGRA's merchant server itself,
   * with its operator's consent, each decision on record */
  {
    g_autofree char *path = g_build_filename (fx->state, "subscription",
                                              "contract-consents.jsonl", NULL);
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (path, &log, NULL, NULL));
    lines = g_strsplit (g_strchomp (log), "\n", -1);
    g_assert_cmpint (g_strv_length (lines), ==, runs);
    for (guint i = 0; lines[i] != NULL; i++)
      g_assert_nonnull (strstr (lines[i], "\"decision\":\"consent\""));
  }
  /* the mail order's goods: the merchant's signed order confirmation */
  {
    g_autofree char *path = g_build_filename (fx->state, "goods", "order-confirmation.p7m",
                                              NULL);
    g_autofree char *p7m = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &p7m, &len, NULL));
    g_assert_nonnull (memmem (p7m, len, "\"semper-order-confirmation\"",
                              strlen ("\"semper-order-confirmation\"")));
    /* it repeats the delivery address and the items */
    g_assert_nonnull (memmem (p7m, len, "[\"Delivery-Address-1\",\"Heidestraße 17\"]",
                              strlen ("[\"Delivery-Address-1\",\"Heidestraße 17\"]")));
    g_assert_nonnull (memmem (p7m, len, "[\"Item\",\"3 x Alster family pencil set",
                              strlen ("[\"Item\",\"3 x Alster family pencil set")));
  }
  /* the course module arrived decrypted, byte for byte */
  g_assert_true (g_file_get_contents (goods, &got, NULL, NULL));
  g_assert_true (g_file_get_contents (module, &want, NULL, NULL));
  g_assert_cmpstr (got, ==, want);
}

static void
test_headless (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *wallet_db = g_build_filename (fx->state, "wallet", "archive.db", NULL);
  g_autofree char *password = g_build_filename (fx->state, "password", NULL);
  g_autofree char *root = g_build_filename (fx->state, "wallet", "trust-root.der", NULL);
  g_autoptr(GBytes) root_der = NULL;
  g_autofree char *root_text = NULL;
  g_autofree char *root_hex = NULL;
  JsonArray *purse;
  JsonObject *bank;
  gint64 account_first;
  GStatBuf st;
  gsize root_len;
  GChecksum *sum;

  first = run_demo (fx, &progress);
  g_assert_nonnull (strstr (progress, "created "));

  /* the CA, the bank and the TTP ran as semperd children, and are gone */
  g_assert_nonnull (find_server (first, "ca"));
  g_assert_nonnull (find_server (first, "bank"));
  g_assert_nonnull (find_server (first, "ttp"));
  assert_servers_gone (first);
  assert_scenarios (first);

  /* the password is the user's alone */
  g_assert_cmpint (g_stat (password, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (fx->state, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  /* the wallet pinned the demo CA's root, the one the report names */
  g_assert_true (g_file_get_contents (root, &root_text, &root_len, NULL));
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) root_text, root_len);
  root_hex = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  g_assert_cmpstr (root_hex, ==, json_object_get_string_member (first, "root_fingerprint"));

  /* funded: e-cash in the purse (archive); the course paid by e-cash, the
   * subscription and the mail order by account (both systems the merchants accept) */
  purse = json_object_get_array_member (json_object_get_object_member (first, "balance"),
                                        "purse");
  /* 200.00 EUR withdrawn, 4.90 EUR spent in e-cash */
  g_assert_cmpuint (json_array_get_length (purse), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (purse, 0), ==, "195.10 EUR");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first,
                                                                                 "balance"),
                                                  "account"), ==, "alice");
  g_assert_cmpint (count_rows (wallet_db, "SELECT sum(amount) FROM coins WHERE currency = 'EUR' "
                                          "AND state = 'fresh'"), ==, 19510);
  /* alice's account: 5000.00 EUR, less the 200.00 EUR withdrawn and its fees, less the
   * 35.00 + 89.80 EUR paid by account */
  account_first = account_eur (first);
  g_assert_cmpint (account_first, ==, ACCOUNT_AFTER_FIRST_RUN);
  assert_archive (fx, 1);

  /* Second start: someone holds the bank's old port. The demo reuses the
   * state (same root, same wallet, no second withdrawal) and moves the bank. */
  {
    JsonObject *old_bank = find_server (first, "bank");
    const char *url = json_object_get_string_member (old_bank, "url");
    int port = atoi (strrchr (url, ':') + 1);
    int sock = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { 0 };
    int one = 1;

    g_assert_cmpint (sock, >=, 0);
    setsockopt (sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_port = htons (port);
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    g_assert_cmpint (bind (sock, (struct sockaddr *) &addr, sizeof addr), ==, 0);
    g_assert_cmpint (listen (sock, 1), ==, 0);

    g_clear_pointer (&progress, g_free);
    second = run_demo (fx, &progress);
    close (sock);

    bank = find_server (second, "bank");
    g_assert_nonnull (bank);
    g_assert_cmpstr (json_object_get_string_member (bank, "url"), !=, url);
  }
  g_assert_nonnull (strstr (progress, "reusing "));
  g_assert_null (strstr (progress, "created "));
  g_assert_cmpstr (json_object_get_string_member (second, "root_fingerprint"), ==,
                   json_object_get_string_member (first, "root_fingerprint"));
  /* the wallet reached the moved bank: the purse (195.10 >= 150.00 EUR) was not topped
   * up, and the second run's account payments (35.00 + 89.80 EUR) went through the bank
   * on its new port */
  g_assert_null (strstr (progress, "withdrew "));
  purse = json_object_get_array_member (json_object_get_object_member (second, "balance"),
                                        "purse");
  g_assert_cmpstr (json_array_get_string_element (purse, 0), ==, "190.20 EUR");
  g_assert_cmpint (account_eur (second), ==, account_first - 12480);
  assert_archive (fx, 2);
  assert_servers_gone (second);
  assert_scenarios (second);
}

typedef struct {
  GMainLoop *loop;
  GString   *err;
  gboolean   ready;
} Watch;

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *watch = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (
    G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL)
    {
      g_main_loop_quit (watch->loop);
      return;
    }
  g_string_append_printf (watch->err, "%s\n", line);
  if (strstr (line, "Ctrl-C") != NULL)
    {
      watch->ready = TRUE;
      g_main_loop_quit (watch->loop);
      return;
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                                       line_cb, watch);
}

static void
test_sigint (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GString) progress = g_string_new (NULL);
  Watch watch = { loop, progress, FALSE };
  GInputStream *stdout_pipe;
  char buf[4096];
  gssize n;

  proc = spawn_demo (fx, TRUE, &error);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, NULL, line_cb, &watch);
  g_main_loop_run (loop);
  if (g_test_verbose ())
    g_printerr ("%s", progress->str);
  g_assert_true (watch.ready);

  /* the report came before the wait; the servers are running now */
  stdout_pipe = g_subprocess_get_stdout_pipe (proc);
  g_subprocess_send_signal (proc, SIGINT);
  while ((n = g_input_stream_read (stdout_pipe, buf, sizeof buf, NULL, &error)) > 0)
    g_string_append_len (out, buf, n);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  report = parse_report (out->str);
  g_assert_nonnull (find_server (report, "ca"));
  g_assert_nonnull (find_server (report, "bank"));
  g_assert_nonnull (find_server (report, "ttp"));
  assert_servers_gone (report);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/demo/headless-and-reuse", Fixture, NULL, fixture_set_up, test_headless,
              fixture_tear_down);
  g_test_add ("/semper/demo/sigint", Fixture, NULL, fixture_set_up, test_sigint,
              fixture_tear_down);
  return g_test_run ();
}
