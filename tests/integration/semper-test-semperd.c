/* semper-test-semperd.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-test-semperd.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>

#include "semper-bank-request.h"
#include "semper-ca-client.h"
#include "semper-comm-client.h"

/* A failed assertion aborts the test before its tear-down: the servers
 * must not outlive it (they hold the test's output pipe open). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * semper_test_start_semperd:
 * @role: ca, ttp, bank, …
 * @listen: HOST:PORT (port 0: any free one)
 * @config: (nullable): the role's --config
 * @url: (out): where semperd said it listens ("http://127.0.0.1:PORT")
 *
 * Starts `semperd` from the build tree and waits until it accepts
 * connections. Fails the test if it does not.
 *
 * Returns: (transfer full): the running process.
 */
GSubprocess *
semper_test_start_semperd (const char  *role,
                           const char  *listen,
                           const char  *state,
                           const char  *password_file,
                           const char  *config,
                           char       **url)
{
  g_autofree char *semperd = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semperd",
                                               NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (config != NULL)
    proc = g_subprocess_launcher_spawn (launcher, &error, semperd, "--role", role, "--listen",
                                        listen, "--state", state, "--password-file",
                                        password_file, "--config", config, NULL);
  else
    proc = g_subprocess_launcher_spawn (launcher, &error, semperd, "--role", role, "--listen",
                                        listen, "--state", state, "--password-file",
                                        password_file, NULL);
  g_assert_no_error (error);

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  *url = g_strdup (line + strlen ("listening on "));

  return proc;
}

/* Stops it the way an operator does (SIGTERM) and waits for it. */
void
semper_test_stop_semperd (GSubprocess **proc)
{
  if (*proc == NULL)
    return;
  g_subprocess_send_signal (*proc, SIGTERM);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}

/* ---- the test's marketplace ----------------------------------------------------- */

/* A SemperPasswordFunc whose @user_data is the password. */
char *
semper_test_password_cb (gboolean retry,
                         gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

/**
 * semper_test_market_init_without_ca:
 * @tmpl: the temporary directory's name, as for g_dir_make_tmp()
 * @password: every party's password
 *
 * Makes a temporary directory with a file DIR/password holding @password,
 * for a market whose CA is a running `semperd --role ca`: the market's
 * root and trust come from it with the first semper_test_register_profile().
 */
void
semper_test_market_init_without_ca (SemperTestMarket *market,
                                    const char       *tmpl,
                                    const char       *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = g_strconcat (password, "\n", NULL);

  memset (market, 0, sizeof *market);
  market->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  market->password = g_strdup (password);
  market->password_file = g_build_filename (market->dir, "password", NULL);
  g_file_set_contents (market->password_file, contents, -1, &error);
  g_assert_no_error (error);
}

/**
 * semper_test_market_init:
 * @tmpl: the temporary directory's name, as for g_dir_make_tmp()
 * @password: every party's password
 *
 * Makes a temporary directory with a file DIR/password holding @password,
 * and a CA (a root "Test Marketplace CA" in DIR/ca) to certify the parties.
 */
void
semper_test_market_init (SemperTestMarket *market,
                         const char       *tmpl,
                         const char       *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_dir = NULL;

  semper_test_market_init_without_ca (market, tmpl, password);
  ca_dir = g_build_filename (market->dir, "ca", NULL);
  market->ca = semper_crypto_open (ca_dir, TRUE, semper_test_password_cb, market->password,
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (market->ca, &error));
  g_assert_true (semper_crypto_make_root (market->ca, "Test Marketplace CA", 30, &error));
  market->root = semper_crypto_dup_certificate (market->ca);
  market->trust = semper_trust_new (market->root, &error);
  g_assert_no_error (error);
}

/* Frees it and removes its directory: close the profiles in it first. */
void
semper_test_market_clear (SemperTestMarket *market)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", market->dir);

  g_clear_object (&market->trust);
  g_clear_object (&market->ca);
  g_clear_pointer (&market->root, g_bytes_unref);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_clear_pointer (&market->dir, g_free);
  g_clear_pointer (&market->password, g_free);
  g_clear_pointer (&market->password_file, g_free);
}

/* A new profile DIR/@name with a key, and its request for a certificate. */
static SemperProfile *
new_profile (SemperTestMarket  *market,
             const char        *name,
             const char        *cn,
             const char        *role,
             GBytes           **csr)
{
  g_autofree char *dir = g_build_filename (market->dir, name, NULL);
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  SemperCrypto *crypto;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, semper_test_password_cb,
                                 market->password, &error);
  g_assert_no_error (error);
  crypto = semper_profile_get_crypto (profile);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  *csr = semper_crypto_create_csr (crypto, cn != NULL ? cn : name, role, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&profile);
}

/* Imports @cert into @profile and makes the market's root its trust root. */
static void
certify_profile (SemperTestMarket *market,
                 SemperProfile    *profile,
                 GBytes           *cert)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (semper_crypto_import_certificate (semper_profile_get_crypto (profile), cert,
                                                   &error));
  g_assert_true (semper_profile_set_trust_root (profile, market->root, &error));
  g_assert_no_error (error);
}

/**
 * semper_test_make_profile:
 * @name: the profile's directory in the market's
 * @cn: (nullable): the certificate's common name (%NULL: @name)
 * @role: the certificate's role (SEMPER_ROLE_…)
 *
 * Creates a profile with a key and a certificate from the market's CA, and
 * its root as the profile's trust root.
 *
 * Returns: (transfer full): the open profile.
 */
SemperProfile *
semper_test_make_profile (SemperTestMarket *market,
                          const char       *name,
                          const char       *cn,
                          const char       *role)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;

  profile = new_profile (market, name, cn, role, &csr);
  cert = semper_crypto_issue_certificate (market->ca, csr, role, 30, &error);
  g_assert_no_error (error);
  certify_profile (market, profile, cert);
  return g_steal_pointer (&profile);
}

/**
 * semper_test_register_profile:
 * @ca_url: the market's CA, a running `semperd --role ca`
 * @name: the profile's directory in the market's
 * @cn: the certificate's common name
 * @role: the certificate's role (SEMPER_ROLE_…)
 * @secret: the CA's enrolment secret for @role
 *
 * Creates a profile with a key, registers it with the CA, and gives it the
 * CA's root as its trust root (the first call fetches it, and sets the
 * market's root and trust). The profile is closed again.
 *
 * Returns: (transfer full): its certificate (DER).
 */
GBytes *
semper_test_register_profile (SemperTestMarket *market,
                              const char       *ca_url,
                              const char       *name,
                              const char       *cn,
                              const char       *role,
                              const char       *secret)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;

  profile = new_profile (market, name, cn, role, &csr);
  cert = semper_ca_client_register (client, ca_url, csr, role, secret, NULL, &error);
  g_assert_no_error (error);
  if (market->root == NULL)
    {
      market->root = semper_ca_client_fetch_root (client, ca_url, NULL, &error);
      g_assert_no_error (error);
      market->trust = semper_trust_new (market->root, &error);
      g_assert_no_error (error);
    }
  certify_profile (market, profile, cert);
  return g_steal_pointer (&cert);
}

/* Opens the existing profile @name again. */
SemperProfile *
semper_test_open_profile (SemperTestMarket *market,
                          const char       *name)
{
  g_autofree char *dir = g_build_filename (market->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  SemperProfile *profile;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, semper_test_password_cb,
                                 market->password, &error);
  g_assert_no_error (error);
  return profile;
}

/* A server's state is a profile: makes it, and closes it again so that
 * semperd can lock it. Returns (transfer full) its certificate's fingerprint. */
char *
semper_test_certify_server (SemperTestMarket *market,
                            const char       *name,
                            const char       *cn,
                            const char       *role)
{
  g_autoptr(SemperProfile) profile = semper_test_make_profile (market, name, cn, role);

  return semper_test_fingerprint (profile);
}

/**
 * semper_test_start_server:
 * @role: ca, ttp, bank, …; its state is DIR/@role
 * @listen: (nullable): HOST:PORT (%NULL: any free port on 127.0.0.1)
 * @config_text: (nullable): the role's configuration, written to DIR/@role.json
 * @url: (out): where it listens
 *
 * semper_test_start_semperd() with the market's password file.
 *
 * Returns: (transfer full): the running process.
 */
GSubprocess *
semper_test_start_server (SemperTestMarket  *market,
                          const char        *role,
                          const char        *listen,
                          const char        *config_text,
                          char             **url)
{
  g_autofree char *state = g_build_filename (market->dir, role, NULL);
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;

  if (config_text != NULL)
    {
      g_autofree char *name = g_strconcat (role, ".json", NULL);

      config = g_build_filename (market->dir, name, NULL);
      g_file_set_contents (config, config_text, -1, &error);
      g_assert_no_error (error);
    }
  return semper_test_start_semperd (role, listen != NULL ? listen : "127.0.0.1:0", state,
                                    market->password_file, config, url);
}

/**
 * semper_test_start_ttp:
 * @bank_url: the bank the TTP collects payments at before it gives out k
 * @url: (out): where it listens
 *
 * Starts the TTP of DIR/ttp on any free port, configured with @bank_url in
 * DIR/ttp.json ({"format":"semper-ttp-config","version":1,"bank":URL}).
 *
 * Returns: (transfer full): the running process.
 */
GSubprocess *
semper_test_start_ttp (SemperTestMarket  *market,
                       const char        *bank_url,
                       char             **url)
{
  g_autofree char *config = g_strdup_printf ("{\"format\":\"semper-ttp-config\",\"version\":1,"
                                             "\"bank\":\"%s\"}", bank_url);

  return semper_test_start_server (market, "ttp", NULL, config, url);
}

/* The SHA-256 of the profile's certificate (transfer full). */
char *
semper_test_fingerprint (SemperProfile *profile)
{
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));

  return semper_sha256_hex (cert);
}

/* ---- the bank -------------------------------------------------------------------- */

/* Links a wallet through its purse, which remembers the bank (transfer full). */
SemperPurse *
semper_test_link_purse (SemperProfile *profile,
                        const char    *bank_url,
                        const char    *account,
                        const char    *code)
{
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GError) error = NULL;

  purse = semper_purse_new (profile, &error);
  g_assert_no_error (error);
  g_assert_true (semper_purse_link (purse, bank_url, account, code, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&purse);
}

/* Links @account to the profile's key with a bank request (a merchant's
 * way), under the key "link-ACCOUNT"; the bank names the key as the owner. */
void
semper_test_link_account (SemperTestMarket *market,
                          SemperProfile    *profile,
                          const char       *bank_url,
                          const char       *bank_fp,
                          const char       *account,
                          const char       *code)
{
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strconcat ("link-", account, NULL);
  g_autofree char *fp = semper_test_fingerprint (profile);

  request = semper_bank_request_new (SEMPER_BANK_OP_LINK, key);
  request->account = g_strdup (account);
  request->code = g_strdup (code);
  answer = semper_bank_request_send (request, client, semper_profile_get_crypto (profile),
                                     market->trust, bank_url, bank_fp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->result, ==, "ok");
  g_assert_cmpstr (answer->owner, ==, fp);
}

/* The first column of the first row of @sql (0 if none) on the store of the
 * bank started in the market (DIR/bank/bank.db), with @arg as its parameter. */
gint64
semper_test_bank_db_int (SemperTestMarket *market,
                         const char       *sql,
                         const char       *arg)
{
  g_autofree char *path = g_build_filename (market->dir, "bank", "bank.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* @account's EUR balance in the bank's store. */
gint64
semper_test_bank_balance (SemperTestMarket *market,
                          const char       *account)
{
  return semper_test_bank_db_int (market,
                                  "SELECT amount FROM balances WHERE account = ? AND "
                                  "currency = 'EUR'", account);
}

/**
 * semper_test_run_purse_helper:
 * @name: the wallet's profile in the market
 * @crash_after: (nullable): the journal point after which the helper kills
 *   itself (SEMPER_TEST_CRASH_AFTER), or %NULL
 * @...: the helper's command and its arguments, then %NULL
 *
 * Runs tests/integration/purse-crash-helper on the profile and waits for it.
 *
 * Returns: its exit status, or minus the signal that ended it.
 */
int
semper_test_run_purse_helper (SemperTestMarket *market,
                              const char       *name,
                              const char       *crash_after,
                              ...)
{
  g_autofree char *helper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "tests",
                                              "integration", "purse-crash-helper", NULL);
  g_autofree char *profile = g_build_filename (market->dir, name, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (helper));
  g_ptr_array_add (argv, g_strdup (profile));
  g_ptr_array_add (argv, g_strdup (market->password));
  va_start (ap, crash_after);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (crash_after != NULL)
    g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", crash_after, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (proc))
    return -g_subprocess_get_term_sig (proc);
  return g_subprocess_get_exit_status (proc);
}
