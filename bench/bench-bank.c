/* bench-bank.c: the bank's withdraw and deposit, next to the signatures they
 * are made of.
 *
 * Usage: bench-bank
 * Runs the bank in this process (semper_bank_handle: no HTTP, but the real
 * SQLite store with synchronous=FULL, in a temporary directory) with a
 * wallet and a merchant, and prints operations per second of: a whole
 * withdrawal of one coin (coin key, blind, the wallet's CMS signature, the
 * bank's verify + blind-sign + CMS signature + commit, the wallet's verify,
 * unblind and check), the wallet's side of a spend (the deposit permission,
 * the coin key's signature, the coin's JSON) and a whole deposit (the coin's permission, the
 * merchant's CMS signature, the bank's checks, commit and signed answer),
 * and, measured in the same run, NSS's CMS sign and verify with a P-256 key
 * and the coin key's raw ECDSA sign and verify: a withdrawal costs two CMS
 * signatures, two verifications and one RSA blind signature; a deposit two
 * of each CMS operation and one ECDSA verification. It also measures the
 * bank's RSA-2048 blind signature alone (NSS's raw private operation plus the
 * RSAVP1 fault check), the wallet's blinding (GMP) and one durable SQLite
 * commit, and prints each operation's rate against the rate its
 * cryptography alone would allow (the bound: 1 / the sum of the times of
 * the operations it is made of), with the load average, since the machine
 * may be shared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-bank.h"
#include "semper-blind-rsa.h"
#include "semper-cms.h"
#include "semper-ecash.h"
#include "semper-money.h"

#define SECONDS 1.0
#define PASSWORD "bench"

typedef gboolean (*OpFunc) (gpointer data);

typedef struct {
  SemperTrust        *trust;
  SemperCrypto       *wallet;
  SemperCrypto       *merchant;
  char               *merchant_fp;
  SemperBank         *bank;
  SemperDenomination *denom;
  GBytes             *message;
  GBytes             *p7m;
  SemperCoin         *coin;
  GBytes             *coin_sig;
  GPtrArray          *coins;    /* withdrawn, then deposited */
  guint               next;
  guint               spends;
  SemperBlindRsaKey  *rsa;
  GBytes             *input;
  GBytes             *blinded;
  sqlite3            *db;       /* a store like the bank's, for the commit alone */
  guint               rows;
} Bench;

static double
rate (const char *name,
      OpFunc      op,
      gpointer    data)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (SECONDS * G_USEC_PER_SEC);
  guint n = 0;
  double per_second;

  while (g_get_monotonic_time () < end)
    {
      if (!op (data))
        break;
      n++;
    }
  per_second = n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_print ("%-30s %10.1f ops/s\n", name, per_second);
  return per_second;
}

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (PASSWORD);
}

static SemperCrypto *
make_party (const char   *dir,
            const char   *name,
            const char   *role,
            SemperCrypto *ca)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) crypto = semper_crypto_open (path, TRUE, password_cb, NULL, NULL,
                                                       &error);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;

  if (crypto == NULL || !semper_crypto_generate_key (crypto, &error))
    g_error ("%s", error->message);
  csr = semper_crypto_create_csr (crypto, name, role, &error);
  if (csr != NULL)
    cert = semper_crypto_issue_certificate (ca, csr, role, 30, &error);
  if (cert == NULL || !semper_crypto_import_certificate (crypto, cert, &error))
    g_error ("%s", error->message);
  return g_steal_pointer (&crypto);
}

static char *
fingerprint (SemperCrypto *crypto)
{
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (crypto);

  return semper_sha256_hex (cert);
}

static GBytes *
handle (Bench             *b,
        SemperCrypto      *as,
        SemperBankRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = semper_bank_request_to_json (request);
  g_autoptr(GBytes) p7m = semper_cms_sign_message (as, json, &error);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) content = NULL;

  if (p7m != NULL)
    answer = semper_bank_handle (b->bank, p7m, &error);
  if (answer != NULL)
    content = semper_cms_verify (answer, b->trust, NULL, &error);
  if (content == NULL)
    g_printerr ("bench-bank: %s\n", error->message);
  return g_steal_pointer (&content);
}

static gboolean
op_cms_sign (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) p7m = semper_cms_sign_message (b->wallet, b->message, NULL);

  return p7m != NULL;
}

static gboolean
op_cms_verify (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) content = semper_cms_verify (b->p7m, b->trust, NULL, NULL);

  return content != NULL;
}

static gboolean
op_blind_sign (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) sig = semper_blind_rsa_blind_sign (b->rsa, b->blinded, NULL);

  return sig != NULL;
}

static gboolean
op_blind (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) inv = NULL;
  g_autoptr(GBytes) blinded = semper_blind_rsa_blind (b->rsa,
                                                      SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED,
                                                      b->input, &inv, NULL);

  return blinded != NULL;
}

/* One durable commit of one row, as every bank request ends. */
static gboolean
op_commit (gpointer data)
{
  Bench *b = data;
  g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE; INSERT INTO t VALUES (%u, "
                                          "randomblob (200)); COMMIT;", b->rows++);

  return sqlite3_exec (b->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static gboolean
op_ecdsa_sign (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) sig = semper_coin_sign (b->coin, b->message, NULL);

  return sig != NULL;
}

static gboolean
op_ecdsa_verify (gpointer data)
{
  Bench *b = data;

  return semper_coin_verify_signature (b->coin, b->message, b->coin_sig, NULL);
}

static gboolean
op_withdraw (gpointer data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("w%u", b->coins->len);
  g_autoptr(SemperCoinRequest) creq = semper_coin_request_new (b->denom, &error);
  g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW, key);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  SemperCoin *coin;

  if (creq == NULL)
    return FALSE;
  request->account = g_strdup ("wallet");
  semper_bank_request_add_coin (request, semper_denomination_get_id (b->denom),
                                semper_coin_request_get_blinded (creq));
  content = handle (b, b->wallet, request);
  if (content == NULL)
    return FALSE;
  answer = semper_bank_answer_parse (content, &error);
  if (answer == NULL || answer->blind_signatures == NULL)
    return FALSE;
  coin = semper_coin_request_finish (creq, g_ptr_array_index (answer->blind_signatures, 0),
                                     &error);
  if (coin == NULL || !semper_coin_verify (coin, b->denom, &error))
    return FALSE;
  g_ptr_array_add (b->coins, coin);
  return TRUE;
}

/* The wallet's side of spending one coin: the deposit permission for a fresh
 * tid, the coin key's signature and the coin's JSON (no bank involved). */
static gboolean
op_spend (gpointer data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("s%u", b->spends++);
  g_autoptr(GBytes) tid_input = g_bytes_new (key, strlen (key));
  g_autofree char *tid = semper_sha256_hex (tid_input);
  g_autoptr(GBytes) permission = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) coin_json = NULL;
  SemperDepositPermission p = { 0 };

  p.coin = (char *) semper_coin_get_id (b->coin);
  p.tid = tid;
  semper_amount_init (&p.amount, semper_denomination_get_value (b->denom), "EUR", NULL);
  p.merchant = b->merchant_fp;
  permission = semper_deposit_permission_to_json (&p);
  signature = semper_coin_sign (b->coin, permission, &error);
  coin_json = semper_coin_to_json (b->coin, FALSE, &error);
  return signature != NULL && coin_json != NULL;
}

static gboolean
op_deposit (gpointer data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GBytes) tid_input = NULL;
  g_autofree char *tid = NULL;
  SemperDepositPermission p = { 0 };
  SemperCoin *coin;

  if (b->next >= b->coins->len)
    return FALSE;
  coin = g_ptr_array_index (b->coins, b->next);
  key = g_strdup_printf ("d%u", b->next++);
  tid_input = g_bytes_new (key, strlen (key));
  tid = semper_sha256_hex (tid_input);
  p.coin = (char *) semper_coin_get_id (coin);
  p.tid = tid;
  semper_amount_init (&p.amount, semper_denomination_get_value (b->denom), "EUR", NULL);
  p.merchant = b->merchant_fp;
  request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT, key);
  request->permission = semper_deposit_permission_to_json (&p);
  request->signature = semper_coin_sign (coin, request->permission, &error);
  request->coin = semper_coin_to_json (coin, FALSE, &error);
  if (request->signature == NULL || request->coin == NULL)
    return FALSE;
  content = handle (b, b->merchant, request);
  if (content == NULL)
    return FALSE;
  answer = semper_bank_answer_parse (content, &error);
  return answer != NULL && g_str_equal (answer->result, "ok");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("semper-bench-bank-XXXXXX", &error);
  g_autofree char *ca_dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *wallet_fp = NULL;
  g_autofree char *config = NULL;
  g_autofree char *cmd = NULL;
  g_autoptr(SemperCrypto) ca = NULL;
  g_autoptr(SemperCrypto) bank = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) config_bytes = NULL;
  g_autoptr(GBytes) denoms = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  static const char sample[] = "{\"type\":\"semper-bank-request\",\"version\":1,"
                               "\"op\":\"balance\",\"account\":\"wallet\"}";
  Bench b = { 0 };
  double cms_sign, cms_verify, ecdsa_sign, ecdsa_verify, blind_sign, withdraw, spend, deposit;
  double withdraw_bound, spend_bound, deposit_bound;
  g_autofree char *load = NULL;
  g_autofree char *db_commit = NULL;

  if (dir == NULL)
    g_error ("%s", error->message);
  ca_dir = g_build_filename (dir, "ca", NULL);
  ca = semper_crypto_open (ca_dir, TRUE, password_cb, NULL, NULL, &error);
  if (ca == NULL || !semper_crypto_generate_key (ca, &error)
      || !semper_crypto_make_root (ca, "Bench CA", 30, &error))
    g_error ("%s", error->message);
  root = semper_crypto_dup_certificate (ca);
  b.trust = semper_trust_new (root, &error);
  bank = make_party (dir, "bank", SEMPER_ROLE_BANK, ca);
  b.wallet = make_party (dir, "wallet", SEMPER_ROLE_WALLET, ca);
  b.merchant = make_party (dir, "merchant", SEMPER_ROLE_MERCHANT, ca);
  wallet_fp = fingerprint (b.wallet);
  b.merchant_fp = fingerprint (b.merchant);

  config = g_strdup_printf ("{\"type\":\"semper-bank-config\",\"version\":1,"
                            "\"currencies\":[\"EUR\"],\"denominations\":[{\"value\":100,"
                            "\"currency\":\"EUR\"}],\"accounts\":["
                            "{\"id\":\"wallet\",\"owner\":\"%s\",\"balances\":{\"EUR\":"
                            "100000000}},{\"id\":\"merchant\",\"owner\":\"%s\"}]}",
                            wallet_fp, b.merchant_fp);
  config_bytes = g_bytes_new (config, strlen (config));
  db = g_build_filename (dir, "bank.db", NULL);
  b.bank = semper_bank_new (bank, b.trust, db, config_bytes, &error);
  if (b.bank == NULL)
    g_error ("%s", error->message);
  denoms = semper_bank_dup_denominations (b.bank);
  entries = semper_bank_denominations_parse (denoms, &error);
  if (entries == NULL)
    g_error ("%s", error->message);
  b.denom = semper_denomination_new_from_signed (
    ((SemperBankDenominationEntry *) g_ptr_array_index (entries, 0))->signed_description,
    b.trust, &error);
  if (b.denom == NULL)
    g_error ("%s", error->message);

  b.coins = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_coin_free);
  b.message = g_bytes_new_static (sample, strlen (sample));
  b.p7m = semper_cms_sign_message (b.wallet, b.message, &error);
  if (b.p7m == NULL || !op_withdraw (&b))
    g_error ("Could not withdraw a first coin");
  b.coin = g_ptr_array_index (b.coins, 0);  /* borrowed */
  b.coin_sig = semper_coin_sign (b.coin, b.message, &error);

  b.rsa = semper_blind_rsa_key_generate (2048, &error);
  if (b.rsa == NULL)
    g_error ("%s", error->message);
  b.input = semper_blind_rsa_prepare (SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b.message,
                                      &error);
  if (b.input == NULL || !op_blind (&b))
    g_error ("Could not blind a message");
  {
    g_autoptr(GBytes) inv = NULL;

    b.blinded = semper_blind_rsa_blind (b.rsa, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b.input,
                                        &inv, &error);
    if (b.blinded == NULL)
      g_error ("%s", error->message);
  }
  db_commit = g_build_filename (dir, "commit.db", NULL);
  if (sqlite3_open (db_commit, &b.db) != SQLITE_OK
      || sqlite3_exec (b.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                       "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)", NULL, NULL,
                       NULL) != SQLITE_OK)
    g_error ("Could not make %s", db_commit);

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("load average: %s", load);
  g_print ("bank in process (SQLite synchronous=FULL), RSA 2048 coins, P-256 CMS, "
           "%.0f s per figure\n", SECONDS);
  cms_sign = rate ("NSS CMS sign (P-256)", op_cms_sign, &b);
  cms_verify = rate ("NSS CMS verify (P-256)", op_cms_verify, &b);
  ecdsa_sign = rate ("coin ECDSA sign", op_ecdsa_sign, &b);
  ecdsa_verify = rate ("coin ECDSA verify", op_ecdsa_verify, &b);
  blind_sign = rate ("RSA-2048 blind sign (NSS)", op_blind_sign, &b);
  rate ("RSA-2048 blind (GMP, wallet)", op_blind, &b);
  rate ("SQLite durable commit", op_commit, &b);
  withdraw = rate ("withdraw (1 coin, end to end)", op_withdraw, &b);
  spend = rate ("spend (1 coin, wallet side)", op_spend, &b);
  deposit = rate ("deposit (1 coin, end to end)", op_deposit, &b);

  /* What the signatures alone allow, and how close each operation comes. */
  withdraw_bound = 1 / (2 / cms_sign + 2 / cms_verify + 1 / blind_sign);
  spend_bound = ecdsa_sign;
  deposit_bound = 1 / (2 / cms_sign + 2 / cms_verify + 1 / ecdsa_verify);
  g_print ("%-30s %10s %10s %8s\n", "", "ops/s", "bound", "ratio");
  g_print ("%-30s %10.1f %10.1f %8.3f\n", "withdraw (2 sign, 2 verify, RSA)", withdraw,
           withdraw_bound, withdraw / withdraw_bound);
  g_print ("%-30s %10.1f %10.1f %8.3f\n", "spend (1 ECDSA sign)", spend, spend_bound,
           spend / spend_bound);
  g_print ("%-30s %10.1f %10.1f %8.3f\n", "deposit (2 sign, 2 verify, ECDSA)", deposit,
           deposit_bound, deposit / deposit_bound);

  g_clear_pointer (&b.coins, g_ptr_array_unref);
  g_clear_pointer (&b.blinded, g_bytes_unref);
  g_clear_pointer (&b.input, g_bytes_unref);
  g_clear_pointer (&b.db, sqlite3_close);
  g_clear_object (&b.rsa);
  g_clear_pointer (&b.coin_sig, g_bytes_unref);
  g_clear_pointer (&b.denom, semper_denomination_free);
  g_clear_pointer (&b.message, g_bytes_unref);
  g_clear_pointer (&b.p7m, g_bytes_unref);
  g_clear_object (&b.bank);
  g_clear_object (&b.wallet);
  g_clear_object (&b.merchant);
  g_clear_object (&b.trust);
  g_free (b.merchant_fp);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  return 0;
}
