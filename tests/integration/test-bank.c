/* test-bank.c: the e-cash bank (`semperd --role bank`) with a wallet's purse
 * and two merchants, over loopback (PROTOCOLS.md C; docs/bank.md).
 *
 * The bank is a separate process; the wallet (a SemperPurse) and the
 * merchants run in the test process, each on its own profile with a
 * certificate from a test CA. Conservation is checked on the bank's own
 * store: customers' balances plus what the bank owes for coins in
 * circulation plus its fees never change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-bank.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-ecash.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-test-semperd.h"

#define PASSWORD "bank test password"
#define OPENING 10000
#define FEE_WITHDRAW 1
#define FEE_DEPOSIT 2
#define RACES 8

static const char config_text[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":2,\"swap\":0}},\n"
  "  {\"value\":200,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":2,\"swap\":0}},\n"
  "  {\"value\":500,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":2,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}},\n"
  "  {\"id\":\"mallory\",\"link-code\":\"mallory-code\",\"balances\":{\"EUR\":500}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}},\n"
  "  {\"id\":\"shop2\",\"link-code\":\"shop2-code\"},\n"
  "  {\"id\":\"carol\",\"link-code\":\"carol-code\",\"balances\":{\"EUR\":20000}}]}\n";

typedef struct {
  SemperTestMarket  market;
  GSubprocess      *bank_proc;
  char             *bank_url;
  char             *bank_fp;
  SemperProfile    *alice;
  SemperPurse      *purse;
  SemperProfile    *shop;
  SemperProfile    *shop2;
  SemperProfile    *mallory;
} Fixture;

static void
start_bank (Fixture *fx)
{
  g_autofree char *listen = NULL;
  g_autofree char *url = NULL;

  /* After a restart, the same port: the wallet remembers the bank's URL. */
  if (fx->bank_url != NULL)
    listen = g_strdup (fx->bank_url + strlen ("http://"));
  fx->bank_proc = semper_test_start_server (&fx->market, "bank", listen, config_text, &url);
  if (fx->bank_url == NULL)
    fx->bank_url = g_steal_pointer (&url);
  else
    g_assert_cmpstr (fx->bank_url, ==, url);
}

static SemperBankAnswer *
call (Fixture            *fx,
      SemperProfile      *as,
      SemperBankRequest  *request,
      GBytes            **out_raw,
      GError            **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();

  return semper_bank_request_send (request, client, semper_profile_get_crypto (as),
                                   fx->market.trust, fx->bank_url, fx->bank_fp, out_raw, error);
}

static void
link_account (Fixture       *fx,
              SemperProfile *as,
              const char    *account,
              const char    *code)
{
  semper_test_link_account (&fx->market, as, fx->bank_url, fx->bank_fp, account, code);
}

static SemperProfile *
make_profile (Fixture    *fx,
              const char *name,
              const char *role)
{
  return semper_test_make_profile (&fx->market, name, NULL, role);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  semper_test_market_init (&fx->market, "semper-bank-XXXXXX", PASSWORD);
  fx->bank_fp = semper_test_certify_server (&fx->market, "bank", NULL, SEMPER_ROLE_BANK);
  start_bank (fx);

  fx->alice = make_profile (fx, "alice", SEMPER_ROLE_WALLET);
  fx->purse = semper_test_link_purse (fx->alice, fx->bank_url, "alice", "alice-code");

  fx->shop = make_profile (fx, "shop", SEMPER_ROLE_MERCHANT);
  fx->shop2 = make_profile (fx, "shop2", SEMPER_ROLE_MERCHANT);
  fx->mallory = make_profile (fx, "mallory", SEMPER_ROLE_WALLET);
  link_account (fx, fx->shop, "shop", "shop-code");
  link_account (fx, fx->shop2, "shop2", "shop2-code");
  link_account (fx, fx->mallory, "mallory", "mallory-code");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->bank_proc != NULL)
    semper_test_stop_semperd (&fx->bank_proc);
  g_clear_object (&fx->purse);
  g_clear_object (&fx->alice);
  g_clear_object (&fx->shop);
  g_clear_object (&fx->shop2);
  g_clear_object (&fx->mallory);
  g_free (fx->bank_url);
  g_free (fx->bank_fp);
  semper_test_market_clear (&fx->market);
}

/* ---- reading the bank's store ------------------------------------------------ */

static gint64
balance (Fixture    *fx,
         const char *account)
{
  return semper_test_bank_balance (&fx->market, account);
}

/* Customers + coins in circulation + fees: the money in the system. */
static void
assert_conserved (Fixture *fx)
{
  g_assert_cmpint (semper_test_bank_db_int (&fx->market,
                                            "SELECT sum (amount) FROM balances "
                                            "WHERE currency = 'EUR'", NULL),
                   ==, OPENING + 500 + 20000);
}

static gint64
purse_balance (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  SemperAmount sum;

  g_assert_true (semper_purse_get_balance (fx->purse, "EUR", &sum, &error));
  g_assert_no_error (error);
  return sum.minor;
}

static void
withdraw (Fixture *fx,
          gint64   minor)
{
  g_autoptr(GError) error = NULL;
  SemperAmount amount;

  semper_amount_init (&amount, minor, "EUR", NULL);
  g_assert_true (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_no_error (error);
}

static char *
make_tid (guint n)
{
  g_autofree char *text = g_strdup_printf ("tid %u", n);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return semper_sha256_hex (bytes);
}

/* The coins the purse gives for @tid, with permissions for @merchant. */
static GPtrArray *
pay (Fixture       *fx,
     const char    *tid,
     gint64         minor,
     SemperProfile *merchant,
     gboolean       reserve)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = semper_test_fingerprint (merchant);
  GPtrArray *spends;
  SemperAmount amount;

  semper_amount_init (&amount, minor, "EUR", NULL);
  if (reserve)
    {
      g_assert_true (semper_purse_reserve (fx->purse, tid, &amount, &error));
      g_assert_no_error (error);
    }
  spends = semper_purse_payment (fx->purse, tid, fp, &error);
  g_assert_no_error (error);
  return spends;
}

/* The coins the purse reserves for @tid, with permissions for the payee
 * @payee_fp (a fingerprint: the bank's own for a swap). */
static GPtrArray *
pay_to (Fixture    *fx,
        const char *tid,
        gint64      minor,
        const char *payee_fp)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *spends;
  SemperAmount amount;

  semper_amount_init (&amount, minor, "EUR", NULL);
  g_assert_true (semper_purse_reserve (fx->purse, tid, &amount, &error));
  g_assert_no_error (error);
  spends = semper_purse_payment (fx->purse, tid, payee_fp, &error);
  g_assert_no_error (error);
  return spends;
}

static SemperBankRequest *
deposit_request (SemperPurseSpend *spend,
                 const char       *key)
{
  SemperBankRequest *request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT, key);

  request->coin = g_bytes_ref (spend->coin);
  request->permission = g_bytes_ref (spend->permission);
  request->signature = g_bytes_ref (spend->signature);
  return request;
}

static SemperBankAnswer *
deposit (Fixture          *fx,
         SemperProfile    *merchant,
         SemperPurseSpend *spend,
         const char       *key,
         GBytes          **out_raw,
         GError          **error)
{
  g_autoptr(SemperBankRequest) request = deposit_request (spend, key);

  return call (fx, merchant, request, out_raw, error);
}

/* ---- tests ------------------------------------------------------------------- */

static void
test_withdraw (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) balances = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  SemperAmount amount, fee;

  g_assert_cmpint (purse_balance (fx), ==, 0);
  /* 7.00 EUR = 500 + 200: two coins, two withdraw fees. */
  semper_amount_init (&amount, 700, "EUR", NULL);
  g_assert_true (semper_purse_withdraw (fx->purse, &amount, &fee, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fee.minor, ==, 2 * FEE_WITHDRAW);
  g_assert_cmpint (purse_balance (fx), ==, 700);
  g_assert_cmpint (balance (fx, "alice"), ==, OPENING - 700 - 2 * FEE_WITHDRAW);
  g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_ECASH), ==, 700);
  g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_FEES), ==, 2);
  assert_conserved (fx);

  coins = semper_archive_coin_list (semper_profile_get_archive (fx->alice), SEMPER_PURSE_SYSTEM,
                                    "fresh", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (coins->len, ==, 2);

  /* The account holder sees the same through the bank's signed answer. */
  balances = semper_purse_dup_account_balances (fx->purse, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (balances->len, ==, 1);
  g_assert_cmpint (g_array_index (balances, SemperAmount, 0).minor, ==, OPENING - 702);

  /* An amount that the denominations cannot make, and one the account
   * cannot cover. */
  semper_amount_init (&amount, 750, "EUR", NULL);
  g_assert_false (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_AMOUNT);
  g_clear_error (&error);
  semper_amount_init (&amount, OPENING, "EUR", NULL);
  g_assert_false (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "insufficient-funds");
  g_assert_cmpint (purse_balance (fx), ==, 700);
  g_assert_cmpint (balance (fx, "alice"), ==, OPENING - 702);
  assert_conserved (fx);
}

static void
test_idempotency (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW,
                                                                   "withdraw-once");
  g_autoptr(SemperBankRequest) other = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW,
                                                                 "withdraw-once");
  g_autoptr(SemperBankAnswer) a1 = NULL;
  g_autoptr(SemperBankAnswer) a2 = NULL;
  g_autoptr(SemperBankAnswer) a3 = NULL;
  g_autoptr(GBytes) raw1 = NULL;
  g_autoptr(GBytes) raw2 = NULL;
  g_autoptr(GBytes) denoms_body = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SemperDenomination) denom = NULL;
  g_autoptr(SemperCoinRequest) creq = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GPtrArray) spends = NULL;
  g_autofree char *url = g_strconcat (fx->bank_url, "/bank/denominations", NULL);
  g_autofree char *tid = make_tid (1);
  SemperBankDenominationEntry *entry;

  /* Withdraw: the same request twice, byte-identical answers, one debit. */
  denoms_body = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_no_error (error);
  entries = semper_bank_denominations_parse (denoms_body, &error);
  g_assert_no_error (error);
  entry = g_ptr_array_index (entries, 0);
  denom = semper_denomination_new_from_signed (entry->signed_description, fx->market.trust, &error);
  g_assert_no_error (error);
  creq = semper_coin_request_new (denom, &error);
  g_assert_no_error (error);
  request->account = g_strdup ("alice");
  semper_bank_request_add_coin (request, semper_denomination_get_id (denom),
                                semper_coin_request_get_blinded (creq));
  a1 = call (fx, fx->alice, request, &raw1, &error);
  g_assert_no_error (error);
  a2 = call (fx, fx->alice, request, &raw2, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (raw1, raw2));
  g_assert_cmpint (balance (fx, "alice"),
                   ==, OPENING - semper_denomination_get_value (denom) - entry->fee_withdraw);
  assert_conserved (fx);

  /* The same key for a different request is refused, and moves nothing. */
  other->account = g_strdup ("alice");
  semper_bank_request_add_coin (other, semper_denomination_get_id (denom),
                                semper_coin_request_get_blinded (creq));
  semper_bank_request_add_coin (other, semper_denomination_get_id (denom),
                                semper_coin_request_get_blinded (creq));
  a3 = call (fx, fx->alice, other, NULL, &error);
  g_assert_null (a3);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "key-reused");
  g_clear_error (&error);
  g_assert_cmpint (balance (fx, "alice"),
                   ==, OPENING - semper_denomination_get_value (denom) - entry->fee_withdraw);

  /* Deposit: twice under one key, and again under a new key: one credit. */
  withdraw (fx, 500);
  spends = pay (fx, tid, 500, fx->shop, TRUE);
  g_assert_cmpuint (spends->len, ==, 1);
  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(SemperBankAnswer) answer = NULL;
      static GBytes *first = NULL;

      answer = deposit (fx, fx->shop, g_ptr_array_index (spends, 0),
                        round < 2 ? "deposit-once" : "deposit-again", &raw, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (answer->result, ==, "ok");
      g_assert_cmpstr (answer->key, ==, "deposit-once");
      if (round == 0)
        first = g_bytes_ref (raw);
      else
        g_assert_true (g_bytes_equal (first, raw));
      if (round == 2)
        g_clear_pointer (&first, g_bytes_unref);
    }
  g_assert_cmpint (balance (fx, "shop"), ==, 500 - FEE_DEPOSIT);
  assert_conserved (fx);
  g_assert_true (semper_purse_commit (fx->purse, tid, &error));
  g_assert_no_error (error);

  /* Swap: a 500 coin for five of 100, twice under one key (the same
   * blind signatures back), and under a new key (the first answer). */
  {
    g_autoptr(SemperBankRequest) swap = semper_bank_request_new (SEMPER_BANK_OP_SWAP,
                                                                  "swap-once");
    g_autoptr(GPtrArray) creqs = g_ptr_array_new_with_free_func (
      (GDestroyNotify) semper_coin_request_free);
    g_autoptr(GPtrArray) coins = NULL;
    g_autoptr(SemperBankAnswer) s1 = NULL;
    g_autoptr(SemperBankAnswer) s2 = NULL;
    g_autoptr(SemperBankAnswer) s3 = NULL;
    g_autoptr(GBytes) sraw1 = NULL;
    g_autoptr(GBytes) sraw2 = NULL;
    g_autofree char *swap_tid = NULL;
    SemperPurseSpend *spend;
    gint64 ecash, fees;

    g_assert_cmpint (semper_denomination_get_value (denom), ==, 100);
    for (guint i = 0; i < 5; i++)
      {
        SemperCoinRequest *c = semper_coin_request_new (denom, &error);

        g_assert_no_error (error);
        g_ptr_array_add (creqs, c);
        semper_bank_request_add_coin (swap, semper_denomination_get_id (denom),
                                      semper_coin_request_get_blinded (c));
      }
    swap_tid = semper_bank_swap_tid (swap->coins);
    withdraw (fx, 500);
    ecash = balance (fx, SEMPER_BANK_ACCOUNT_ECASH);
    fees = balance (fx, SEMPER_BANK_ACCOUNT_FEES);
    coins = pay_to (fx, swap_tid, 500, fx->bank_fp);
    g_assert_cmpuint (coins->len, ==, 1);
    spend = g_ptr_array_index (coins, 0);
    swap->coin = g_bytes_ref (spend->coin);
    swap->permission = g_bytes_ref (spend->permission);
    swap->signature = g_bytes_ref (spend->signature);
    s1 = call (fx, fx->alice, swap, &sraw1, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s1->result, ==, "ok");
    g_assert_cmpuint (s1->blind_signatures->len, ==, 5);
    s2 = call (fx, fx->alice, swap, &sraw2, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (sraw1, sraw2));
    g_free (swap->key);
    swap->key = g_strdup ("swap-again");
    s3 = call (fx, fx->alice, swap, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s3->result, ==, "ok");
    g_assert_cmpstr (s3->key, ==, "swap-once");
    /* The bank owes the five new coins instead of the old one: no more. */
    g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_ECASH), ==, ecash - s1->fee);
    g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_FEES), ==, fees + s1->fee);
    assert_conserved (fx);
    g_assert_true (semper_purse_commit (fx->purse, swap_tid, &error));
    g_assert_no_error (error);
  }
}

typedef struct {
  Fixture          *fx;
  SemperProfile    *merchant;
  SemperPurseSpend *spend;
  SemperBankAnswer *answer;
  GError           *error;
} Race;

static gpointer
race_thread (gpointer data)
{
  Race *race = data;
  g_autofree char *key = g_strdup_printf ("race-%.32s", race->spend->coin_id);

  race->answer = deposit (race->fx, race->merchant, race->spend, key, NULL, &race->error);
  return NULL;
}

static void
test_double_spend (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 credited;

  withdraw (fx, RACES * 100);
  for (guint i = 0; i < RACES; i++)
    {
      g_autofree char *tid = make_tid (100 + i);
      g_autoptr(GPtrArray) to_shop = pay (fx, tid, 100, fx->shop, TRUE);
      g_autoptr(GPtrArray) to_shop2 = pay (fx, tid, 100, fx->shop2, FALSE);
      Race races[2] = {
        { fx, fx->shop, g_ptr_array_index (to_shop, 0), NULL, NULL },
        { fx, fx->shop2, g_ptr_array_index (to_shop2, 0), NULL, NULL },
      };
      GThread *threads[2];
      Race *winner, *loser;
      g_autoptr(SemperCoin) coin = NULL;

      /* The same coin at two merchants at once. */
      threads[0] = g_thread_new ("shop", race_thread, &races[0]);
      threads[1] = g_thread_new ("shop2", race_thread, &races[1]);
      g_thread_join (threads[0]);
      g_thread_join (threads[1]);
      g_assert_no_error (races[0].error);
      g_assert_no_error (races[1].error);

      winner = g_str_equal (races[0].answer->result, "ok") ? &races[0] : &races[1];
      loser = winner == &races[0] ? &races[1] : &races[0];
      g_assert_cmpstr (winner->answer->result, ==, "ok");
      g_assert_cmpstr (loser->answer->result, ==, "double-spent");

      /* The proof is the winner's permission, signed by the coin. */
      g_assert_true (g_bytes_equal (loser->answer->proof_permission, winner->spend->permission));
      coin = semper_coin_new_from_json (winner->spend->coin, &error);
      g_assert_no_error (error);
      g_assert_true (semper_coin_verify_signature (coin, loser->answer->proof_permission,
                                                   loser->answer->proof_signature, &error));
      g_assert_no_error (error);

      semper_bank_answer_free (races[0].answer);
      semper_bank_answer_free (races[1].answer);
      g_assert_true (semper_purse_commit (fx->purse, tid, &error));
    }
  credited = balance (fx, "shop") + balance (fx, "shop2");
  g_assert_cmpint (credited, ==, RACES * (100 - FEE_DEPOSIT));
  g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_ECASH), ==, 0);
  assert_conserved (fx);
}

static GBytes *
replace_in (GBytes     *bytes,
            const char *from,
            const char *to)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) parts = g_strsplit (text, from, 2);
  char *joined;

  g_assert_nonnull (parts[1]);
  joined = g_strjoin (to, parts[0], parts[1], NULL);
  return g_bytes_new_take (joined, strlen (joined));
}

static void
assert_refused (Fixture          *fx,
                SemperProfile    *as,
                SemperBankRequest *request,
                const char       *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBankAnswer) answer = call (fx, as, request, NULL, &error);

  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, code);
}

static void
test_forged_coin (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = make_tid (7);
  g_autoptr(GPtrArray) spends = NULL;
  SemperPurseSpend *spend;
  g_autoptr(SemperCoin) coin = NULL;
  g_autofree char *sig_b64 = NULL;

  withdraw (fx, 300);
  spends = pay (fx, tid, 200, fx->shop, TRUE);
  g_assert_cmpuint (spends->len, ==, 1);
  spend = g_ptr_array_index (spends, 0);
  coin = semper_coin_new_from_json (spend->coin, &error);
  g_assert_no_error (error);

  /* The bank's signature altered: one bit of the coin's signature. */
  {
    g_autoptr(SemperBankRequest) request = deposit_request (spend, "forged-1");
    g_autofree char *text = g_strndup (g_bytes_get_data (spend->coin, NULL),
                                       g_bytes_get_size (spend->coin));
    char *sig = strstr (text, "\"signature\":\"") + strlen ("\"signature\":\"");

    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    g_bytes_unref (request->coin);
    request->coin = g_bytes_new (text, strlen (text));
    assert_refused (fx, fx->shop, request, "bad-coin");
  }
  /* The permission altered after the coin signed it (a larger amount). */
  {
    g_autoptr(SemperBankRequest) request = deposit_request (spend, "forged-2");

    g_bytes_unref (request->permission);
    request->permission = replace_in (spend->permission, "\"amount\":200", "\"amount\":500");
    assert_refused (fx, fx->shop, request, "bad-coin");
  }
  /* Another coin's key under this coin's signature (the bank signed neither
   * this pair nor anything the new key signs). */
  {
    g_autoptr(SemperBankRequest) request = deposit_request (spend, "forged-3");
    g_autoptr(GPtrArray) fresh = semper_archive_coin_list (
      semper_profile_get_archive (fx->alice), SEMPER_PURSE_SYSTEM, "fresh", &error);
    g_autoptr(SemperCoin) other = NULL;
    g_autofree char *mine = g_base64_encode (
      g_bytes_get_data (semper_coin_get_public_key (coin), NULL),
      g_bytes_get_size (semper_coin_get_public_key (coin)));
    g_autofree char *theirs = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (fresh->len, ==, 1);
    other = semper_coin_new_from_json (((SemperArchiveCoin *) g_ptr_array_index (fresh, 0))->body,
                                       &error);
    g_assert_no_error (error);
    theirs = g_base64_encode (g_bytes_get_data (semper_coin_get_public_key (other), NULL),
                              g_bytes_get_size (semper_coin_get_public_key (other)));
    g_bytes_unref (request->coin);
    request->coin = replace_in (spend->coin, mine, theirs);
    assert_refused (fx, fx->shop, request, "bad-coin");
  }
  /* A permission for shop, deposited by shop2. */
  {
    g_autoptr(SemperBankRequest) request = deposit_request (spend, "forged-4");

    assert_refused (fx, fx->shop2, request, "unauthorised");
  }
  g_assert_cmpint (balance (fx, "shop"), ==, 0);
  g_assert_cmpint (balance (fx, "shop2"), ==, 0);
  assert_conserved (fx);

  /* The real one still goes through. */
  {
    g_autoptr(SemperBankAnswer) answer = deposit (fx, fx->shop, spend, "real", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (answer->result, ==, "ok");
  }
  g_assert_cmpint (balance (fx, "shop"), ==, 200 - FEE_DEPOSIT);
  assert_conserved (fx);
}

static void
post_raw (Fixture    *fx,
          const char *content_type,
          GBytes     *body,
          guint       status,
          const char *code)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (fx->bank_url, "/bank/request", NULL);
  g_autoptr(GBytes) answer = semper_comm_client_post_sync (client, url, content_type, body,
                                                           NULL, NULL, &error);

  g_assert_null (answer);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, status);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, code);
}

static void
post_signed (Fixture       *fx,
             SemperProfile *as,
             const char    *json,
             guint          status,
             const char    *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) p7m = semper_cms_sign_message (semper_profile_get_crypto (as), content,
                                                   &error);

  g_assert_no_error (error);
  post_raw (fx, SEMPER_COMM_CONTENT_TYPE_CMS, p7m, status, code);
}

static void
test_bad_input (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) json = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) junk = g_bytes_new_static ("not cms", 7);
  g_autoptr(SemperBankRequest) request = NULL;

  post_raw (fx, SEMPER_COMM_CONTENT_TYPE_JSON, json, 415, "bad-content-type");
  post_raw (fx, SEMPER_COMM_CONTENT_TYPE_CMS, junk, 400, "bad-signature");
  post_signed (fx, fx->alice, "not json", 400, "invalid");
  post_signed (fx, fx->alice, "{\"type\":\"semper-bank-request\",\"version\":1,"
               "\"op\":\"steal\",\"key\":\"k\"}", 400, "invalid");
  post_signed (fx, fx->alice, "{\"type\":\"semper-bank-request\",\"version\":1,"
               "\"op\":\"withdraw\",\"key\":\"k\",\"account\":\"alice\",\"coins\":[],"
               "\"extra\":1}", 400, "invalid");
  post_signed (fx, fx->alice, "{\"type\":\"semper-bank-request\",\"version\":1,"
               "\"op\":\"withdraw\",\"account\":\"alice\",\"coins\":[]}", 400, "invalid");
  post_signed (fx, fx->alice, "{\"type\":\"semper-bank-request\",\"version\":1,"
               "\"op\":\"withdraw\",\"key\":\"k\",\"key\":\"k\",\"account\":\"alice\","
               "\"coins\":[]}", 400, "invalid");
  post_signed (fx, fx->alice, "{\"type\":\"semper-bank-request\",\"version\":1,"
               "\"op\":\"withdraw\",\"key\":\"k\",\"account\":\"alice\",\"coins\":"
               "[{\"denomination\":\"" "0000000000000000000000000000000000000000000000000000"
               "000000000000\",\"blinded\":\"AAAA\"}]}", 400, "invalid");

  /* Someone else's account, a wrong link code, an account taken already. */
  request = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  request->account = g_strdup ("alice");
  assert_refused (fx, fx->mallory, request, "unauthorised");
  g_clear_pointer (&request, semper_bank_request_free);
  request = semper_bank_request_new (SEMPER_BANK_OP_LINK, "again");
  request->account = g_strdup ("alice");
  request->code = g_strdup ("alice-code");
  assert_refused (fx, fx->mallory, request, "unauthorised");
  g_clear_pointer (&request, semper_bank_request_free);
  request = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  request->account = g_strdup ("nobody");
  assert_refused (fx, fx->alice, request, "no-account");
  assert_conserved (fx);
}

static void
test_restart (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = make_tid (9);
  g_autofree char *tid2 = make_tid (10);
  g_autoptr(GPtrArray) spent = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(SemperBankAnswer) a1 = NULL;
  g_autoptr(SemperBankAnswer) a2 = NULL;
  g_autoptr(SemperBankAnswer) a3 = NULL;

  withdraw (fx, 700);
  spent = pay (fx, tid, 500, fx->shop, TRUE);
  a1 = deposit (fx, fx->shop, g_ptr_array_index (spent, 0), "before", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a1->result, ==, "ok");
  kept = pay (fx, tid2, 200, fx->shop, TRUE);

  semper_test_stop_semperd (&fx->bank_proc);
  start_bank (fx);

  /* Opening balances are not paid in again; nothing else changed. */
  g_assert_cmpint (balance (fx, "alice"), ==, OPENING - 702);
  g_assert_cmpint (balance (fx, "shop"), ==, 500 - FEE_DEPOSIT);
  assert_conserved (fx);
  /* The spent coin stays spent, with its proof; the unspent one (its
   * denomination key kept across the restart) is still good. */
  again = pay (fx, tid, 500, fx->shop2, FALSE);
  a2 = deposit (fx, fx->shop2, g_ptr_array_index (again, 0), "after", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a2->result, ==, "double-spent");
  a3 = deposit (fx, fx->shop, g_ptr_array_index (kept, 0), "kept", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a3->result, ==, "ok");
  g_assert_cmpint (balance (fx, "shop"), ==, 700 - 2 * FEE_DEPOSIT);
  assert_conserved (fx);
}

static void
test_change_and_reclaim (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = make_tid (20);
  g_autofree char *tid2 = make_tid (21);
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(GPtrArray) spends2 = NULL;
  g_autoptr(SemperBankAnswer) late = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;

  /* One 500 coin; paying 300 swaps it for change first. */
  withdraw (fx, 500);
  spends = pay (fx, tid, 300, fx->shop, TRUE);
  g_assert_cmpint (purse_balance (fx), ==, 200);
  g_assert_cmpint (balance (fx, SEMPER_BANK_ACCOUNT_ECASH), ==, 500);

  /* The payment does not finish: the wallet takes the coins back. */
  g_assert_true (semper_purse_reclaim (fx->purse, tid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (purse_balance (fx), ==, 500);
  /* ... so the merchant, if it got them, can no longer deposit them. */
  late = deposit (fx, fx->shop, g_ptr_array_index (spends, 0), "late", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (late->result, ==, "double-spent");

  /* The other way round: the merchant deposited, so reclaiming finds the
   * coin spent and does not give it back. */
  spends2 = pay (fx, tid2, 200, fx->shop, TRUE);
  for (guint i = 0; i < spends2->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("paid-%u", i);

      g_clear_pointer (&answer, semper_bank_answer_free);
      answer = deposit (fx, fx->shop, g_ptr_array_index (spends2, i), key, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (answer->result, ==, "ok");
    }
  g_assert_true (semper_purse_reclaim (fx->purse, tid2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (purse_balance (fx), ==, 300);
  g_assert_cmpint (balance (fx, "shop"), ==, 200 - (gint64) spends2->len * FEE_DEPOSIT);
  assert_conserved (fx);
}

/* The bank takes the request but the wallet never hears the answer (the
 * bank is stopped; the wallet gives up); the request stays journaled and
 * recover() completes it under the same key: money moves once. */
static void
test_lost_answer (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SemperAmount amount;
  int done;

  /* The purse knows the denominations already. */
  withdraw (fx, 100);
  semper_amount_init (&amount, 300, "EUR", NULL);
  semper_purse_set_timeout (fx->purse, 2);
  g_subprocess_send_signal (fx->bank_proc, SIGSTOP);
  g_assert_false (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_PENDING);
  g_clear_error (&error);
  g_subprocess_send_signal (fx->bank_proc, SIGCONT);
  g_assert_cmpint (purse_balance (fx), ==, 100);

  semper_purse_set_timeout (fx->purse, 30);
  done = semper_purse_recover (fx->purse, &error);
  g_assert_no_error (error);
  g_assert_cmpint (done, ==, 1);
  g_assert_cmpint (purse_balance (fx), ==, 400);
  g_assert_cmpint (balance (fx, "alice"), ==, OPENING - 400 - 3 * FEE_WITHDRAW);
  assert_conserved (fx);
  /* Nothing left to do. */
  g_assert_cmpint (semper_purse_recover (fx->purse, &error), ==, 0);
  g_assert_no_error (error);
}

static int
run_semper (Fixture     *fx,
            char       **out,
            ...)
{
  g_autofree char *semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                              NULL);
  g_autofree char *profile = g_build_filename (fx->market.dir, "carol", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (semper));
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (profile));
  g_ptr_array_add (argv, g_strdup ("--password-file"));
  g_ptr_array_add (argv, g_strdup (fx->market.password_file));
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("stderr: %s", err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* The user's commands: link, withdraw, balance, and refusals. */
static void
test_cli (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(SemperProfile) carol = make_profile (fx, "carol", SEMPER_ROLE_WALLET);
  g_autofree char *out = NULL;

  g_clear_object (&carol);
  g_assert_cmpint (run_semper (fx, &out, "withdraw", "5.00 EUR", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "bank", "link", fx->bank_url, "carol", "--code",
                               "wrong", NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "bank", "link", fx->bank_url, "carol", "--code",
                               "carol-code", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "--json", "withdraw", "7.00", "EUR", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"withdrawn\" : \"7.00 EUR\""));
  g_assert_nonnull (strstr (out, "\"fee\" : \"0.02 EUR\""));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "withdraw", "300.00 EUR", NULL), ==, 3);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "withdraw", "7,00 EUR", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "--json", "balance", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"7.00 EUR\""));
  g_assert_nonnull (strstr (out, "\"192.98 EUR\""));
  g_assert_cmpint (balance (fx, "carol"), ==, 20000 - 702);
  assert_conserved (fx);
}


/* ---- crash at every journal point of the purse --------------------------------- */

/* carol's wallet in purse-crash-helper: see semper_test_run_purse_helper(). */
#define run_helper(fx, crash_after, ...) \
  semper_test_run_purse_helper (&(fx)->market, "carol", crash_after, __VA_ARGS__)

static SemperProfile *
open_carol (Fixture *fx)
{
  return semper_test_open_profile (&fx->market, "carol");
}

/* After recovery: nothing pending, nothing half-swapped, and the coins the
 * purse holds (fresh or reserved) are exactly what the bank owes. */
static gint64
check_carol (Fixture *fx)
{
  g_autoptr(SemperProfile) carol = open_carol (fx);
  SemperArchive *archive = semper_profile_get_archive (carol);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) coins = semper_archive_coin_list (archive, SEMPER_PURSE_SYSTEM, NULL,
                                                         &error);
  g_autoptr(GPtrArray) pending = semper_archive_coin_list (archive, "ecash-request", "pending",
                                                           &error);
  gint64 held = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 0);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      g_assert_false (g_str_has_prefix (coin->state, "swapping:"));
      if (g_str_equal (coin->state, "fresh") || g_str_has_prefix (coin->state, "spending:"))
        held += coin->value.minor;
    }
  g_assert_cmpint (held, ==, balance (fx, SEMPER_BANK_ACCOUNT_ECASH));
  assert_conserved (fx);
  return held;
}

/* Pays everything carol holds to shop, so that the next round starts with
 * an empty purse. */
static void
empty_carol (Fixture *fx)
{
  g_autoptr(SemperProfile) carol = open_carol (fx);
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(GPtrArray) tids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *shop = semper_test_fingerprint (fx->shop);
  g_autofree char *parking = make_tid (999);
  SemperAmount fresh;

  purse = semper_purse_new (carol, &error);
  g_assert_no_error (error);
  g_assert_true (semper_purse_get_balance (purse, "EUR", &fresh, &error));
  if (fresh.minor > 0)
    g_assert_true (semper_purse_reserve (purse, parking, &fresh, &error));
  g_assert_no_error (error);
  coins = semper_archive_coin_list (semper_profile_get_archive (carol), SEMPER_PURSE_SYSTEM,
                                    NULL, &error);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      if (g_str_has_prefix (coin->state, "spending:")
          && !g_ptr_array_find_with_equal_func (tids, coin->state + 9, g_str_equal, NULL))
        g_ptr_array_add (tids, g_strdup (coin->state + 9));
    }
  for (guint t = 0; t < tids->len; t++)
    {
      const char *tid = g_ptr_array_index (tids, t);
      g_autoptr(GPtrArray) spends = semper_purse_payment (purse, tid, shop, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < spends->len; i++)
        {
          SemperPurseSpend *spend = g_ptr_array_index (spends, i);
          g_autofree char *key = g_strdup_printf ("empty-%.32s", spend->coin_id);
          g_autoptr(SemperBankAnswer) answer = deposit (fx, fx->shop, spend, key, NULL, &error);

          g_assert_no_error (error);
          g_assert_cmpstr (answer->result, ==, "ok");
        }
      g_assert_true (semper_purse_commit (purse, tid, &error));
    }
}

/* The money the users see: carol's purse (coins fresh or reserved) and every
 * account except the bank's debt for coins in circulation (_ecash). A coin
 * the merchant deposited while carol still holds it reserved is counted
 * twice until carol commits the payment: @in_flight. */
static void
assert_money (Fixture *fx,
              gint64   in_flight)
{
  g_autoptr(SemperProfile) carol = open_carol (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) coins = semper_archive_coin_list (semper_profile_get_archive (carol),
                                                         SEMPER_PURSE_SYSTEM, NULL, &error);
  gint64 purse = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      if (g_str_equal (coin->state, "fresh") || g_str_has_prefix (coin->state, "spending:"))
        purse += coin->value.minor;
    }
  g_assert_cmpint (purse - in_flight
                   + semper_test_bank_db_int (&fx->market,
                                              "SELECT sum (amount) FROM balances "
                                              "WHERE currency = 'EUR' AND account <> '"
                                              SEMPER_BANK_ACCOUNT_ECASH "'", NULL),
                   ==, OPENING + 500 + 20000);
}

static GBytes *
base64_bytes (const char *text)
{
  gsize len = 0;
  guchar *data = g_base64_decode (text, &len);

  return g_bytes_new_take (data, len);
}

/* Reads the deposit permissions the helper's payment wrote. */
static GPtrArray *
read_spends (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *spends = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_purse_spend_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      SemperPurseSpend *spend = g_new0 (SemperPurseSpend, 1);

      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      spend->coin_id = g_strdup (fields[0]);
      spend->coin = base64_bytes (fields[1]);
      spend->permission = base64_bytes (fields[2]);
      spend->signature = base64_bytes (fields[3]);
      g_ptr_array_add (spends, spend);
    }
  return spends;
}

/* The merchant deposits @spends; its answers are lost (it crashed, or the
 * bank was killed right after its commit and restarted), so it asks again
 * under the same key and under a new one: the bank credits each coin once
 * and answers each time with its first answer. Returns what was credited. */
static gint64
deposit_lost_answers (Fixture   *fx,
                      GPtrArray *spends,
                      guint      round)
{
  gint64 credited = 0;

  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *spend = g_ptr_array_index (spends, i);
      g_autofree char *key = g_strdup_printf ("crash-%u-%u", round, i);
      g_autofree char *key2 = g_strdup_printf ("crash-%u-%u-again", round, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperBankAnswer) a1 = NULL;
      g_autoptr(SemperBankAnswer) a2 = NULL;
      g_autoptr(SemperBankAnswer) a3 = NULL;
      g_autoptr(GBytes) raw1 = NULL;
      g_autoptr(GBytes) raw2 = NULL;
      gint64 shop = balance (fx, "shop");

      a1 = deposit (fx, fx->shop, spend, key, &raw1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (a1->result, ==, "ok");
      if (round % 2 == 1)
        {
          /* The bank killed after its commit, before anything else. */
          g_subprocess_force_exit (fx->bank_proc);
          g_subprocess_wait (fx->bank_proc, NULL, NULL);
          g_clear_object (&fx->bank_proc);
          start_bank (fx);
        }
      a2 = deposit (fx, fx->shop, spend, key, &raw2, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (raw1, raw2));
      a3 = deposit (fx, fx->shop, spend, key2, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (a3->result, ==, "ok");
      g_assert_cmpstr (a3->key, ==, key);
      g_assert_cmpint (balance (fx, "shop"), ==, shop + a1->amount.minor - a1->fee);
      credited += a1->amount.minor;
    }
  return credited;
}

static void
test_crash (Fixture       *fx,
            gconstpointer  data)
{
  static const char * const withdraw_points[] = {
    "withdraw:coin-requests", "withdraw:request", "withdraw:answered", "withdraw:coins",
  };
  static const char * const swap_points[] = {
    "swap:coin-requests", "swap:coin-marked", "swap:request", "swap:answered", "swap:coins",
    "reserve:marked",
  };
  g_autoptr(SemperProfile) carol = NULL;
  g_autofree char *out = NULL;
  gint64 held = 0;

  if (!g_test_slow ())
    {
      g_test_skip ("slow: runs in suite slow (-m slow)");
      return;
    }
  carol = make_profile (fx, "carol", SEMPER_ROLE_WALLET);
  g_clear_object (&carol);
  g_assert_cmpint (run_semper (fx, &out, "bank", "link", fx->bank_url, "carol", "--code",
                               "carol-code", NULL), ==, 0);

  /* Withdraw: killed at each point, then recovered; the money arrives once,
   * or (killed before the request was journaled) not at all. */
  for (guint i = 0; i < G_N_ELEMENTS (withdraw_points); i++)
    {
      g_test_message ("crash after %s", withdraw_points[i]);
      g_assert_cmpint (run_helper (fx, withdraw_points[i], "withdraw", "300", NULL),
                       ==, -SIGKILL);
      g_assert_cmpint (run_helper (fx, NULL, "recover", NULL), ==, 0);
      held += i == 0 ? 0 : 300;
      g_assert_cmpint (check_carol (fx), ==, held);
    }

  /* Change: a 500 coin swapped for 300 + 200 to pay 300; and taking a
   * reserved coin back. Killed at each point, recovered, nothing lost. */
  empty_carol (fx);
  for (guint i = 0; i < G_N_ELEMENTS (swap_points); i++)
    {
      g_autofree char *tid = make_tid (500 + i);
      g_autofree char *tid2 = make_tid (600 + i);

      g_test_message ("change: crash after %s", swap_points[i]);
      g_assert_cmpint (run_helper (fx, NULL, "withdraw", "500", NULL), ==, 0);
      g_assert_cmpint (run_helper (fx, swap_points[i], "reserve", tid, "300", NULL), ==, -SIGKILL);
      g_assert_cmpint (run_helper (fx, NULL, "recover", NULL), ==, 0);
      g_assert_cmpint (check_carol (fx), ==, 500);
      empty_carol (fx);

      if (g_str_equal (swap_points[i], "reserve:marked"))
        continue;
      g_test_message ("reclaim: crash after %s", swap_points[i]);
      g_assert_cmpint (run_helper (fx, NULL, "withdraw", "500", NULL), ==, 0);
      g_assert_cmpint (run_helper (fx, NULL, "reserve", tid2, "500", NULL), ==, 0);
      g_assert_cmpint (run_helper (fx, swap_points[i], "reclaim", tid2, NULL), ==, -SIGKILL);
      g_assert_cmpint (run_helper (fx, NULL, "recover", NULL), ==, 0);
      g_assert_cmpint (check_carol (fx), ==, 500);
      empty_carol (fx);
    }

  /* Spend and deposit: reserving killed after the coins are marked, the
   * merchant's deposit answers lost (and the bank killed after a deposit's
   * commit), committing killed after the coins are marked spent; or the
   * wallet, not knowing whether the merchant was paid, reclaims instead. At
   * every step the money is there once. */
  for (guint round = 0; round < 4; round++)
    {
      g_autofree char *tid = make_tid (700 + round);
      g_autofree char *spends_path = g_build_filename (fx->market.dir, "spends", NULL);
      g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
      g_autoptr(GPtrArray) spends = NULL;
      gint64 shop_before = balance (fx, "shop");
      gint64 deposited;

      g_test_message ("spend round %u", round);
      g_assert_cmpint (run_helper (fx, NULL, "withdraw", "700", NULL), ==, 0);
      assert_money (fx, 0);
      g_assert_cmpint (run_helper (fx, "reserve:marked", "reserve", tid, "700", NULL),
                       ==, -SIGKILL);
      g_assert_cmpint (run_helper (fx, NULL, "recover", NULL), ==, 0);
      g_assert_cmpint (check_carol (fx), ==, 700);
      assert_money (fx, 0);
      g_assert_cmpint (run_helper (fx, NULL, "payment", tid, shop_fp, spends_path, NULL), ==, 0);
      spends = read_spends (spends_path);
      g_assert_cmpuint (spends->len, ==, 2);
      deposited = deposit_lost_answers (fx, spends, round);
      g_assert_cmpint (deposited, ==, 700);
      g_assert_cmpint (balance (fx, "shop"), ==, shop_before + 700 - 2 * FEE_DEPOSIT);
      assert_money (fx, 700);
      if (round < 2)
        {
          g_assert_cmpint (run_helper (fx, "commit:spent", "commit", tid, NULL), ==, -SIGKILL);
        }
      else
        {
          /* The bank answers the reclaim's swaps double-spent: marked spent. */
          g_assert_cmpint (run_helper (fx, NULL, "reclaim", tid, NULL), ==, 0);
        }
      g_assert_cmpint (run_helper (fx, NULL, "recover", NULL), ==, 0);
      g_assert_cmpint (check_carol (fx), ==, 0);
      assert_money (fx, 0);
    }
}

/* ---- expiry of denominations ------------------------------------------------------ */

/* Moves a denomination's dates into the past (as if time had passed) and
 * restarts the bank, which makes a new key for that value from its config. */
static void
expire (Fixture    *fx,
        gint64      value,
        gboolean    deposit_too)
{
  g_autofree char *path = g_build_filename (fx->market.dir, "bank", "bank.db", NULL);
  g_autofree char *sql = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3 *db = NULL;

  semper_test_stop_semperd (&fx->bank_proc);
  sql = g_strdup_printf ("UPDATE denominations SET valid_from = %" G_GINT64_FORMAT
                         ", withdraw_until = %" G_GINT64_FORMAT ", deposit_until = %"
                         G_GINT64_FORMAT " WHERE value = %" G_GINT64_FORMAT, now - 7200,
                         deposit_too ? now - 3600 : now - 120,
                         deposit_too ? now - 120 : now + 365 * 86400, value);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
  start_bank (fx);
}

static char *
coin_state (Fixture    *fx,
            gint64      value,
            const char *state)
{
  g_autoptr(SemperProfile) carol = open_carol (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) coins = semper_archive_coin_list (semper_profile_get_archive (carol),
                                                         SEMPER_PURSE_SYSTEM, state, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);

      if (coin->value.minor == value)
        return g_strdup (coin->serial);
    }
  return NULL;
}

/* A denomination the bank stops signing: `semper balance` renews its coins
 * at the bank (a swap) while the bank still takes them; once its
 * deposit-until has passed, the bank refuses a coin of it. */
static void
test_expiry (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(SemperProfile) carol = make_profile (fx, "carol", SEMPER_ROLE_WALLET);
  g_autofree char *out = NULL;
  g_autofree char *old500 = NULL;
  g_autofree char *old200 = NULL;
  g_autofree char *after = NULL;
  g_autofree char *tid = make_tid (42);
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  g_autofree char *spends_path = g_build_filename (fx->market.dir, "spends", NULL);
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&carol);
  g_assert_cmpint (run_semper (fx, &out, "bank", "link", fx->bank_url, "carol", "--code",
                               "carol-code", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "withdraw", "7.00 EUR", NULL), ==, 0);
  old500 = coin_state (fx, 500, "fresh");
  old200 = coin_state (fx, 200, "fresh");
  g_assert_nonnull (old500);
  g_assert_nonnull (old200);

  /* The 500 key stops signing: balance renews that coin, only that one. */
  expire (fx, 500, FALSE);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "balance", NULL), ==, 0);
  after = coin_state (fx, 500, "fresh");
  g_assert_nonnull (after);
  g_assert_cmpstr (after, !=, old500);
  g_clear_pointer (&after, g_free);
  after = coin_state (fx, 200, "fresh");
  g_assert_cmpstr (after, ==, old200);
  g_assert_cmpint (check_carol (fx), ==, 700);

  /* The 200 key's deposit window closes too: the coin is worth nothing at
   * the bank, which refuses it; balance leaves it alone. */
  expire (fx, 200, TRUE);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_semper (fx, &out, "balance", NULL), ==, 0);
  g_assert_cmpint (run_helper (fx, NULL, "reserve", tid, "200", NULL), ==, 0);
  g_assert_cmpint (run_helper (fx, NULL, "payment", tid, shop_fp, spends_path, NULL), ==, 0);
  spends = read_spends (spends_path);
  g_assert_cmpuint (spends->len, ==, 1);
  g_assert_cmpstr (((SemperPurseSpend *) g_ptr_array_index (spends, 0))->coin_id, ==, old200);
  answer = deposit (fx, fx->shop, g_ptr_array_index (spends, 0), "expired", NULL, &error);
  g_assert_null (answer);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "bad-coin");
  g_assert_cmpint (balance (fx, "shop"), ==, 0);
  assert_conserved (fx);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/semper/bank/withdraw", test_withdraw);
  ADD ("/semper/bank/idempotency", test_idempotency);
  ADD ("/semper/bank/double-spend", test_double_spend);
  ADD ("/semper/bank/forged-coin", test_forged_coin);
  ADD ("/semper/bank/bad-input", test_bad_input);
  ADD ("/semper/bank/restart", test_restart);
  ADD ("/semper/bank/change-and-reclaim", test_change_and_reclaim);
  ADD ("/semper/bank/lost-answer", test_lost_answer);
  ADD ("/semper/bank/cli", test_cli);
  ADD ("/semper/bank/crash", test_crash);
  ADD ("/semper/bank/expiry", test_expiry);
#undef ADD

  return g_test_run ();
}
