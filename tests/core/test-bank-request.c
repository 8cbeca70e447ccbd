/* test-bank-request.c: the bank's message parsers and the journaled coin
 * request (docs/bank.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-bank-request.h"
#include "semper-blind-rsa.h"
#include "semper-ecash.h"
#include "semper-fx-ttp.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SIG64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static const char * const good_requests[] = {
  "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"withdraw\",\"key\":\"k1\","
  "\"account\":\"alice\",\"coins\":[{\"denomination\":\"" HEX64 "\",\"blinded\":\"AAECAw==\"}]}",
  "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"deposit\",\"key\":\"k-2_x\","
  "\"coin\":\"e30=\",\"permission\":\"e30=\",\"signature\":\"" SIG64 "\"}",
  "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"swap\",\"key\":\"k3\","
  "\"coins\":[{\"denomination\":\"" HEX64 "\",\"blinded\":\"AAECAw==\"}],"
  "\"coin\":\"e30=\",\"permission\":\"e30=\",\"signature\":\"" SIG64 "\"}",
  "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"link\",\"key\":\"k4\","
  "\"account\":\"shop\",\"code\":\"secret\"}",
  "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"alice\"}",
};

static void
test_requests_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_requests); i++)
    {
      g_autoptr(GBytes) in = text (good_requests[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperBankRequest) request = semper_bank_request_parse (in, &error);
      g_autoptr(GBytes) out = NULL;

      g_assert_no_error (error);
      out = semper_bank_request_to_json (request);
      /* Our writer gives back exactly what it would have sent. */
      g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                       good_requests[i], strlen (good_requests[i]));
    }
}

static void
test_requests_refused (void)
{
  static const char * const bad[] = {
    "",
    "[]",
    "{\"type\":\"semper-bank-request\",\"version\":2,\"op\":\"balance\",\"account\":\"a\"}",
    "{\"type\":\"semper-bank-answer\",\"version\":1,\"op\":\"balance\",\"account\":\"a\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"steal\",\"key\":\"k\"}",
    /* a duplicate member, an unknown one, one of another operation */
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"a\","
    "\"account\":\"b\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"a\","
    "\"x\":1}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"a\","
    "\"key\":\"k\"}",
    /* value-moving without a key; bad keys; bad accounts */
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"link\",\"account\":\"a\","
    "\"code\":\"c\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"link\",\"key\":\"a b\","
    "\"account\":\"a\",\"code\":\"c\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"link\",\"key\":\"\","
    "\"account\":\"a\",\"code\":\"c\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"Alice\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":\"_fees\"}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"balance\",\"account\":7}",
    /* coins: none, a short id, non-canonical base64 */
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"withdraw\",\"key\":\"k\","
    "\"account\":\"a\",\"coins\":[]}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"withdraw\",\"key\":\"k\","
    "\"account\":\"a\",\"coins\":[{\"denomination\":\"0123\",\"blinded\":\"AAECAw==\"}]}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"withdraw\",\"key\":\"k\","
    "\"account\":\"a\",\"coins\":[{\"denomination\":\"" HEX64 "\",\"blinded\":\"AAECAw\"}]}",
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"withdraw\",\"key\":\"k\","
    "\"account\":\"a\",\"coins\":[{\"denomination\":\"" HEX64 "\",\"blinded\":\"AAECAx==\"}]}",
    /* a signature that is not 64 bytes */
    "{\"type\":\"semper-bank-request\",\"version\":1,\"op\":\"deposit\",\"key\":\"k\","
    "\"coin\":\"e30=\",\"permission\":\"e30=\",\"signature\":\"AAAA\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) in = text (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperBankRequest) request = semper_bank_request_parse (in, &error);

      g_test_message ("case %u: %s", i, bad[i]);
      g_assert_null (request);
      g_assert_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID);
      g_assert_nonnull (error->message);
    }
}

static void
test_too_many_coins (void)
{
  g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW, "k");
  g_autoptr(GBytes) blinded = text ("blinded");
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBankRequest) parsed = NULL;

  request->account = g_strdup ("alice");
  for (guint i = 0; i < SEMPER_BANK_MAX_COINS + 1; i++)
    semper_bank_request_add_coin (request, HEX64, blinded);
  json = semper_bank_request_to_json (request);
  parsed = semper_bank_request_parse (json, &error);
  g_assert_null (parsed);
  g_assert_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID);
}

static void
test_permission (void)
{
  SemperDepositPermission p = { HEX64, HEX64, { 500, "EUR" }, HEX64 };
  g_autoptr(GBytes) json = semper_deposit_permission_to_json (&p);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDepositPermission) parsed = semper_deposit_permission_parse (json, &error);
  static const char * const bad[] = {
    "{\"type\":\"semper-ecash-deposit-permission\",\"version\":1,\"coin\":\"" HEX64 "\","
    "\"tid\":\"" HEX64 "\",\"amount\":5.0,\"currency\":\"EUR\",\"merchant\":\"" HEX64 "\"}",
    "{\"type\":\"semper-ecash-deposit-permission\",\"version\":1,\"coin\":\"" HEX64 "\","
    "\"tid\":\"" HEX64 "\",\"amount\":-5,\"currency\":\"EUR\",\"merchant\":\"" HEX64 "\"}",
    "{\"type\":\"semper-ecash-deposit-permission\",\"version\":1,\"coin\":\"" HEX64 "\","
    "\"tid\":\"" HEX64 "\",\"amount\":5,\"currency\":\"XXX\",\"merchant\":\"" HEX64 "\"}",
    "{\"type\":\"semper-ecash-deposit-permission\",\"version\":1,\"coin\":\"" HEX64 "\","
    "\"tid\":\"" HEX64 "\",\"amount\":5,\"currency\":\"EUR\",\"merchant\":\"ABC\"}",
  };

  g_assert_no_error (error);
  g_assert_cmpstr (parsed->coin, ==, HEX64);
  g_assert_cmpint (parsed->amount.minor, ==, 500);
  g_assert_cmpstr (parsed->amount.currency, ==, "EUR");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) in = text (bad[i]);
      g_autoptr(SemperDepositPermission) none = semper_deposit_permission_parse (in, &error);

      g_assert_null (none);
      g_assert_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
test_answers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ok = text ("{\"type\":\"semper-bank-answer\",\"version\":1,\"op\":\"withdraw\","
                               "\"key\":\"k\",\"request\":\"" HEX64 "\",\"result\":\"ok\","
                               "\"account\":\"alice\",\"amount\":700,\"currency\":\"EUR\","
                               "\"fee\":2,\"blind-signatures\":[\"AAECAw==\",\"BAUGBw==\"]}");
  g_autoptr(GBytes) no_proof = text ("{\"type\":\"semper-bank-answer\",\"version\":1,"
                                     "\"op\":\"deposit\",\"key\":\"k\",\"request\":\"" HEX64
                                     "\",\"result\":\"double-spent\",\"coin\":\"" HEX64 "\"}");
  g_autoptr(GBytes) no_key = text ("{\"type\":\"semper-bank-answer\",\"version\":1,"
                                   "\"op\":\"deposit\",\"request\":\"" HEX64
                                   "\",\"result\":\"ok\"}");
  g_autoptr(SemperBankAnswer) answer = semper_bank_answer_parse (ok, &error);
  g_autoptr(SemperBankAnswer) refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (answer->op, ==, SEMPER_BANK_OP_WITHDRAW);
  g_assert_cmpint (answer->amount.minor, ==, 700);
  g_assert_cmpint (answer->fee, ==, 2);
  g_assert_cmpuint (answer->blind_signatures->len, ==, 2);

  refused = semper_bank_answer_parse (no_proof, &error);
  g_assert_null (refused);
  g_assert_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID);
  g_clear_error (&error);
  refused = semper_bank_answer_parse (no_key, &error);
  g_assert_null (refused);
  g_assert_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID);
}

static void
test_swap_tid (void)
{
  g_autoptr(SemperBankRequest) a = semper_bank_request_new (SEMPER_BANK_OP_SWAP, "k");
  g_autoptr(SemperBankRequest) b = semper_bank_request_new (SEMPER_BANK_OP_SWAP, "k");
  g_autoptr(GBytes) one = text ("one");
  g_autoptr(GBytes) two = text ("two");
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;
  g_autofree char *ta2 = NULL;

  semper_bank_request_add_coin (a, HEX64, one);
  semper_bank_request_add_coin (b, HEX64, two);
  ta = semper_bank_swap_tid (a->coins);
  tb = semper_bank_swap_tid (b->coins);
  ta2 = semper_bank_swap_tid (a->coins);
  g_assert_cmpuint (strlen (ta), ==, 64);
  g_assert_cmpstr (ta, ==, ta2);
  g_assert_cmpstr (ta, !=, tb);
}

/* The purse journals a coin request with its secrets before the blinded coin
 * leaves; read back after a "crash", it still finishes into a good coin. */
static void
test_coin_request_journal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBlindRsaKey) key = semper_blind_rsa_key_generate (2048, &error);
  g_autoptr(SemperBlindRsaKey) other_key = semper_blind_rsa_key_generate (2048, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 30);
  g_autoptr(SemperDenomination) denom = NULL;
  g_autoptr(SemperDenomination) other = NULL;
  g_autoptr(SemperCoinRequest) creq = NULL;
  g_autoptr(SemperCoinRequest) back = NULL;
  g_autoptr(SemperCoinRequest) wrong = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) altered = NULL;
  g_autoptr(GBytes) blind_sig = NULL;
  g_autoptr(SemperCoin) coin = NULL;
  g_autofree char *copy = NULL;
  char *input;

  g_assert_no_error (error);
  denom = semper_denomination_new (key, 500, "EUR", now, later, later, &error);
  g_assert_no_error (error);
  other = semper_denomination_new (other_key, 500, "EUR", now, later, later, &error);
  g_assert_no_error (error);
  creq = semper_coin_request_new (denom, &error);
  g_assert_no_error (error);
  json = semper_coin_request_to_json (creq, &error);
  g_assert_no_error (error);

  back = semper_coin_request_new_from_json (json, denom, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_coin_request_get_id (back), ==, semper_coin_request_get_id (creq));
  g_assert_true (g_bytes_equal (semper_coin_request_get_blinded (back),
                                semper_coin_request_get_blinded (creq)));
  blind_sig = semper_denomination_blind_sign (denom, semper_coin_request_get_blinded (back), now,
                                              &error);
  g_assert_no_error (error);
  coin = semper_coin_request_finish (back, blind_sig, &error);
  g_assert_no_error (error);
  g_assert_true (semper_coin_verify (coin, denom, &error));
  g_assert_cmpstr (semper_coin_get_id (coin), ==, semper_coin_request_get_id (creq));

  /* Another denomination's key, or an input that is not the coin key's hash. */
  wrong = semper_coin_request_new_from_json (json, other, &error);
  g_assert_null (wrong);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_WRONG_DENOMINATION);
  g_clear_error (&error);
  copy = g_strndup (g_bytes_get_data (json, NULL), g_bytes_get_size (json));
  input = strstr (copy, "\"input\":\"") + strlen ("\"input\":\"") + 50;
  *input = *input == 'A' ? 'B' : 'A';
  altered = text (copy);
  wrong = semper_coin_request_new_from_json (altered, denom, &error);
  g_assert_null (wrong);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
  semper_secret_wipe (copy, strlen (copy));
}

/* The TTP's configuration (semper-fx-ttp.h): the bank it collects at. */
static void
test_ttp_config (void)
{
  static const char * const refused[] = {
    "",
    "[]",
    "{\"format\":\"semper-ttp-config\"}",
    "{\"format\":\"semper-bank-config\",\"version\":1}",
    "{\"format\":\"semper-ttp-config\",\"version\":2}",
    "{\"format\":\"semper-ttp-config\",\"version\":\"1\"}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":1}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":\"ftp://bank\"}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":\"bank.example\"}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":\"http://u@bank\"}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":\"http://bank/?a=1\"}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"bank\":\"http://b\",\"x\":1}",
    "{\"format\":\"semper-ttp-config\",\"version\":1,\"version\":1}",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  static const char good_text[] = "{\"format\":\"semper-ttp-config\",\"version\":1,"
                                  "\"bank\":\"http://127.0.0.1:8443\"}";
  static const char none_text[] = "{\"version\":1,\"format\":\"semper-ttp-config\"}";
  g_autoptr(GBytes) good = g_bytes_new_static (good_text, strlen (good_text));
  g_autoptr(GBytes) none = g_bytes_new_static (none_text, strlen (none_text));

  g_assert_true (semper_fx_ttp_config_parse (good, &url, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8443");
  g_clear_pointer (&url, g_free);
  g_assert_true (semper_fx_ttp_config_parse (none, &url, &error));
  g_assert_no_error (error);
  g_assert_null (url);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (refused[i], strlen (refused[i]));

      g_assert_false (semper_fx_ttp_config_parse (bytes, &url, &error));
      g_assert_nonnull (error);
      g_assert_null (url);
      g_clear_error (&error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/bank/request/round-trip", test_requests_round_trip);
  g_test_add_func ("/semper/bank/request/refused", test_requests_refused);
  g_test_add_func ("/semper/bank/request/too-many-coins", test_too_many_coins);
  g_test_add_func ("/semper/bank/permission", test_permission);
  g_test_add_func ("/semper/bank/answer", test_answers);
  g_test_add_func ("/semper/bank/swap-tid", test_swap_tid);
  g_test_add_func ("/semper/bank/coin-request-journal", test_coin_request_journal);
  g_test_add_func ("/semper/bank/ttp-config", test_ttp_config);

  return g_test_run ();
}
