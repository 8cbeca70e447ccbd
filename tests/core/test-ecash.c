/* test-ecash.c: denominations signed by the bank, coins withdrawn blindly,
 * and every way a coin can be forged or altered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-ecash.h"

/* RSA key generation is slow (more so under ASan): two keys per run. */
static SemperBlindRsaKey *denom_key;
static SemperBlindRsaKey *other_key;

typedef struct
{
  char               *tmp;
  SemperCrypto       *ca;
  SemperCrypto       *bank;
  SemperCrypto       *wallet;
  SemperTrust        *trust;
  SemperDenomination *denom;       /* bank side, with the private key */
  SemperDenomination *published;   /* wallet side, from the signed bytes */
  GDateTime          *now;
} Fixture;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup (user_data);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static SemperCrypto *
new_party (Fixture    *fx,
           const char *name,
           const char *role)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  SemperCrypto *crypto;

  crypto = semper_crypto_open (dir, TRUE, password_cb, g_strdup (name), g_free, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  if (role == NULL)
    return crypto;
  csr = semper_crypto_create_csr (crypto, name, role, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (fx->ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  return crypto;
}

static SemperDenomination *
make_denom (SemperBlindRsaKey *key,
            GDateTime         *now,
            gint64             value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) from = g_date_time_add_hours (now, -1);
  g_autoptr(GDateTime) until = g_date_time_add_days (now, 30);
  g_autoptr(GDateTime) deposit = g_date_time_add_days (now, 60);
  SemperDenomination *denom;

  denom = semper_denomination_new (key, value, "EUR", from, until, deposit, &error);
  g_assert_no_error (error);
  return denom;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = NULL;
  GBytes *p7m;

  fx->tmp = g_dir_make_tmp ("semper-ecash-XXXXXX", &error);
  g_assert_no_error (error);
  fx->ca = new_party (fx, "ca", NULL);
  g_assert_true (semper_crypto_make_root (fx->ca, "Test Marketplace CA", 30, &error));
  root = semper_crypto_dup_certificate (fx->ca);
  fx->trust = semper_trust_new (root, &error);
  g_assert_no_error (error);
  fx->bank = new_party (fx, "bank", SEMPER_ROLE_BANK);
  fx->wallet = new_party (fx, "wallet", SEMPER_ROLE_WALLET);

  /* Whole seconds: the wire format has no fractions. */
  {
    g_autoptr(GDateTime) exact = g_date_time_new_now_utc ();

    fx->now = g_date_time_new_utc (g_date_time_get_year (exact), g_date_time_get_month (exact),
                                   g_date_time_get_day_of_month (exact),
                                   g_date_time_get_hour (exact),
                                   g_date_time_get_minute (exact),
                                   g_date_time_get_second (exact));
  }
  fx->denom = make_denom (denom_key, fx->now, 500);
  p7m = semper_denomination_sign (fx->denom, fx->bank, &error);
  g_assert_no_error (error);
  fx->published = semper_denomination_new_from_signed (p7m, fx->trust, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_pointer (&fx->denom, semper_denomination_free);
  g_clear_pointer (&fx->published, semper_denomination_free);
  g_clear_pointer (&fx->now, g_date_time_unref);
  g_clear_object (&fx->trust);
  g_clear_object (&fx->ca);
  g_clear_object (&fx->bank);
  g_clear_object (&fx->wallet);
  rm_rf (fx->tmp);
  g_free (fx->tmp);
}

/* A whole withdrawal: wallet blinds, bank signs, wallet unblinds. */
static SemperCoin *
withdraw (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCoinRequest) req = semper_coin_request_new (fx->published, &error);
  g_autoptr(GBytes) blind_sig = NULL;
  SemperCoin *coin;

  g_assert_no_error (error);
  blind_sig = semper_denomination_blind_sign (fx->denom, semper_coin_request_get_blinded (req),
                                              fx->now, &error);
  g_assert_no_error (error);
  coin = semper_coin_request_finish (req, blind_sig, &error);
  g_assert_no_error (error);
  return coin;
}

static SemperCoin *
parse (const char *json,
       GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return semper_coin_new_from_json (bytes, error);
}

static void
test_denomination (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperDenomination) bogus = NULL;
  g_autoptr(GDateTime) later = g_date_time_add_days (fx->now, -1);
  GBytes *signed_p7m = semper_denomination_get_signed (fx->published);
  g_autofree guint8 *altered = NULL;
  g_autoptr(GBytes) altered_bytes = NULL;
  g_autoptr(SemperDenomination) by_wallet = make_denom (denom_key, fx->now, 500);
  GBytes *wallet_p7m;
  gsize len;

  /* What the wallet reads is what the bank published. */
  g_assert_cmpstr (semper_denomination_get_id (fx->published), ==,
                   semper_denomination_get_id (fx->denom));
  g_assert_cmpint (semper_denomination_get_value (fx->published), ==, 500);
  g_assert_cmpstr (semper_denomination_get_currency (fx->published), ==, "EUR");
  g_assert_true (g_date_time_equal (semper_denomination_get_deposit_until (fx->published),
                                    semper_denomination_get_deposit_until (fx->denom)));
  g_assert_false (semper_blind_rsa_key_has_private (
                    semper_denomination_get_key (fx->published)));
  g_assert_cmpuint (strlen (semper_denomination_get_bank (fx->published)), ==, 64);
  g_assert_true (semper_denomination_check_withdraw (fx->published, fx->now, &error));

  /* Signed by someone who is not a bank: refused. */
  wallet_p7m = semper_denomination_sign (by_wallet, fx->wallet, &error);
  g_assert_no_error (error);
  bogus = semper_denomination_new_from_signed (wallet_p7m, fx->trust, &error);
  g_assert_null (bogus);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_UNTRUSTED);
  g_clear_error (&error);

  /* One byte of the signed description changed: refused. The value 500 sits
   * in the attached JSON; change its first digit. */
  altered = g_memdup2 (g_bytes_get_data (signed_p7m, NULL), g_bytes_get_size (signed_p7m));
  len = g_bytes_get_size (signed_p7m);
  {
    guint8 *hit = NULL;

    for (gsize i = 0; hit == NULL && i + 11 <= len; i++)
      if (memcmp (altered + i, "\"value\":500", 11) == 0)
        hit = altered + i;

    g_assert_nonnull (hit);
    hit[8] = '9';
  }
  altered_bytes = g_bytes_new (altered, len);
  bogus = semper_denomination_new_from_signed (altered_bytes, fx->trust, &error);
  g_assert_null (bogus);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Validity periods out of order. */
  bogus = semper_denomination_new (denom_key, 500, "EUR", fx->now, later, later, &error);
  g_assert_null (bogus);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
  g_clear_error (&error);
  bogus = semper_denomination_new (denom_key, 500, "XXY", later, fx->now, fx->now, &error);
  g_assert_null (bogus);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
  g_clear_error (&error);
  bogus = semper_denomination_new (denom_key, 0, "EUR", later, fx->now, fx->now, &error);
  g_assert_null (bogus);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_withdraw (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCoin) coin = withdraw (fx);
  g_autoptr(SemperCoin) again = NULL;
  g_autoptr(SemperCoin) purse = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) json_secret = NULL;
  g_autoptr(GBytes) permission = g_bytes_new_static ("deposit 5.00 EUR to merchant X", 30);
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) sig2 = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autofree char *hash_hex = NULL;

  g_assert_true (semper_coin_has_secret (coin));
  g_assert_true (semper_coin_verify (coin, fx->published, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (semper_coin_get_denomination_id (coin), ==,
                   semper_denomination_get_id (fx->published));
  /* The coin's id is H(coin public key): the hash the bank signed. */
  hash = semper_sha256_bytes (semper_coin_get_public_key (coin));
  hash_hex = semper_sha256_hex (semper_coin_get_public_key (coin));
  g_assert_cmpstr (semper_coin_get_id (coin), ==, hash_hex);

  /* Sent to a merchant: no secret in it; it still verifies. */
  json = semper_coin_to_json (coin, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (g_strstr_len (g_bytes_get_data (json, NULL), g_bytes_get_size (json),
                               "secret"));
  again = semper_coin_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_false (semper_coin_has_secret (again));
  g_assert_cmpstr (semper_coin_get_id (again), ==, semper_coin_get_id (coin));
  g_assert_true (semper_coin_verify (again, fx->published, &error));
  g_assert_no_error (error);

  /* The coin key signs a deposit permission that the merchant can check. */
  sig = semper_coin_sign (coin, permission, &error);
  g_assert_no_error (error);
  g_assert_true (semper_coin_verify_signature (again, permission, sig, &error));
  g_assert_no_error (error);
  g_assert_null (semper_coin_sign (again, permission, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NO_SECRET);
  g_clear_error (&error);

  /* Kept in the purse with its secret, and back. */
  json_secret = semper_coin_to_json (coin, TRUE, &error);
  g_assert_no_error (error);
  purse = semper_coin_new_from_json (json_secret, &error);
  g_assert_no_error (error);
  g_assert_true (semper_coin_has_secret (purse));
  sig2 = semper_coin_sign (purse, permission, &error);
  g_assert_no_error (error);
  g_assert_true (semper_coin_verify_signature (coin, permission, sig2, &error));
  g_assert_no_error (error);
}

static void
test_forged (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCoin) coin = withdraw (fx);
  g_autoptr(SemperCoin) other = withdraw (fx);
  g_autoptr(GBytes) json = semper_coin_to_json (coin, FALSE, &error);
  g_autoptr(GBytes) other_json = semper_coin_to_json (other, FALSE, &error);
  g_autoptr(GBytes) other_secret = semper_coin_to_json (other, TRUE, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SemperDenomination) denom2 = make_denom (other_key, fx->now, 500);
  g_autoptr(SemperCoin) forged = NULL;
  JsonObject *mine, *theirs;
  g_autofree char *text = NULL;
  g_autofree char *sig_b64 = NULL;
  g_autofree char *spliced = NULL;
  g_autofree guint8 *sig = NULL;
  gsize sig_len = 0;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL),
                                             g_bytes_get_size (json), NULL));
  mine = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (other_json, NULL),
                                             g_bytes_get_size (other_json), NULL));
  theirs = json_node_get_object (json_parser_get_root (parser));

#define COIN_FMT "{\"type\":\"semper-ecash-coin\",\"version\":1,\"denomination\":\"%s\"," \
                 "\"public-key\":\"%s\",\"prefix\":\"%s\",\"signature\":\"%s\"}"

  /* The same JSON, reassembled: still a good coin (the template is right). */
  text = g_strdup_printf (COIN_FMT, json_object_get_string_member (mine, "denomination"),
                          json_object_get_string_member (mine, "public-key"),
                          json_object_get_string_member (mine, "prefix"),
                          json_object_get_string_member (mine, "signature"));
  forged = parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (semper_coin_verify (forged, fx->published, &error));
  g_clear_pointer (&forged, semper_coin_free);
  g_clear_pointer (&text, g_free);

  /* Another coin key under my signature. */
  text = g_strdup_printf (COIN_FMT, json_object_get_string_member (mine, "denomination"),
                          json_object_get_string_member (theirs, "public-key"),
                          json_object_get_string_member (mine, "prefix"),
                          json_object_get_string_member (mine, "signature"));
  forged = parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (semper_coin_verify (forged, fx->published, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_clear_pointer (&forged, semper_coin_free);
  g_clear_pointer (&text, g_free);

  /* Another prefix. */
  text = g_strdup_printf (COIN_FMT, json_object_get_string_member (mine, "denomination"),
                          json_object_get_string_member (mine, "public-key"),
                          json_object_get_string_member (theirs, "prefix"),
                          json_object_get_string_member (mine, "signature"));
  forged = parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (semper_coin_verify (forged, fx->published, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_clear_pointer (&forged, semper_coin_free);
  g_clear_pointer (&text, g_free);

  /* One bit of the signature changed. */
  sig = g_base64_decode (json_object_get_string_member (mine, "signature"), &sig_len);
  sig[sig_len / 2] ^= 0x10;
  sig_b64 = g_base64_encode (sig, sig_len);
  text = g_strdup_printf (COIN_FMT, json_object_get_string_member (mine, "denomination"),
                          json_object_get_string_member (mine, "public-key"),
                          json_object_get_string_member (mine, "prefix"), sig_b64);
  forged = parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (semper_coin_verify (forged, fx->published, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_clear_pointer (&forged, semper_coin_free);
  g_clear_pointer (&text, g_free);

  /* A 5 EUR coin presented as another denomination (say a 50 EUR one). */
  g_assert_false (semper_coin_verify (coin, denom2, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_WRONG_DENOMINATION);
  g_clear_error (&error);
  text = g_strdup_printf (COIN_FMT, semper_denomination_get_id (denom2),
                          json_object_get_string_member (mine, "public-key"),
                          json_object_get_string_member (mine, "prefix"),
                          json_object_get_string_member (mine, "signature"));
  forged = parse (text, &error);
  g_assert_no_error (error);
  g_assert_false (semper_coin_verify (forged, denom2, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_clear_pointer (&forged, semper_coin_free);
  g_clear_pointer (&text, g_free);

  /* Another coin's secret key spliced into my coin. */
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *with_secret;

    g_assert_true (json_parser_load_from_data (p2, g_bytes_get_data (other_secret, NULL),
                                               g_bytes_get_size (other_secret), NULL));
    with_secret = json_node_get_object (json_parser_get_root (p2));
    spliced = g_strdup_printf ("{\"type\":\"semper-ecash-coin\",\"version\":1,"
                               "\"denomination\":\"%s\",\"public-key\":\"%s\",\"prefix\":\"%s\","
                               "\"signature\":\"%s\",\"secret-key\":\"%s\"}",
                               json_object_get_string_member (mine, "denomination"),
                               json_object_get_string_member (mine, "public-key"),
                               json_object_get_string_member (mine, "prefix"),
                               json_object_get_string_member (mine, "signature"),
                               json_object_get_string_member (with_secret, "secret-key"));
    forged = parse (spliced, &error);
    g_assert_null (forged);
    g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* Malformed: the strict parser refuses before any crypto. */
  {
    const char *bad[] = {
      "",
      "[]",
      "{\"type\":\"semper-ecash-coin\"}",
      "{\"type\":\"semper-ecash-coin\",\"type\":\"semper-ecash-coin\",\"version\":1}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        forged = parse (bad[i], &error);
        g_assert_null (forged);
        g_assert_nonnull (error);
        g_clear_error (&error);
      }
  }
  {
    /* an extra member, a non-canonical base64, a version 2, a short prefix */
    g_autofree char *extra = NULL;
    g_autofree char *v2 = NULL;
    g_autofree char *noncanon = NULL;
    g_autofree char *short_prefix = NULL;
    const char *pk = json_object_get_string_member (mine, "public-key");
    const char *prefix = json_object_get_string_member (mine, "prefix");
    const char *s = json_object_get_string_member (mine, "signature");
    const char *d = json_object_get_string_member (mine, "denomination");
    g_autofree char *pk_spaced = g_strconcat (" ", pk, NULL);

    text = g_strdup_printf (COIN_FMT, d, pk, prefix, s);
    extra = g_strdup_printf ("%.*s,\"value\":5000}", (int) strlen (text) - 1, text);
    v2 = g_strdup_printf ("{\"type\":\"semper-ecash-coin\",\"version\":2,\"denomination\":\"%s\","
                          "\"public-key\":\"%s\",\"prefix\":\"%s\",\"signature\":\"%s\"}",
                          d, pk, prefix, s);
    noncanon = g_strdup_printf (COIN_FMT, d, pk_spaced, prefix, s);
    short_prefix = g_strdup_printf (COIN_FMT, d, pk, "AAAA", s);

    forged = parse (extra, &error);
    g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
    g_clear_error (&error);
    forged = parse (v2, &error);
    g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
    g_clear_error (&error);
    forged = parse (noncanon, &error);
    g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
    g_clear_error (&error);
    forged = parse (short_prefix, &error);
    g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (forged);
  }
  json_object_unref (mine);
#undef COIN_FMT
}

static void
test_expiry (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCoinRequest) req = semper_coin_request_new (fx->published, &error);
  g_autoptr(GDateTime) before = g_date_time_add_hours (fx->now, -2);
  g_autoptr(GDateTime) after_withdraw = g_date_time_add_days (fx->now, 31);
  g_autoptr(GDateTime) after_deposit = g_date_time_add_days (fx->now, 61);
  g_autoptr(GBytes) sig = NULL;

  g_assert_no_error (error);
  sig = semper_denomination_blind_sign (fx->denom, semper_coin_request_get_blinded (req),
                                        before, &error);
  g_assert_null (sig);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NOT_YET_VALID);
  g_clear_error (&error);
  sig = semper_denomination_blind_sign (fx->denom, semper_coin_request_get_blinded (req),
                                        after_withdraw, &error);
  g_assert_null (sig);
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_EXPIRED);
  g_clear_error (&error);

  /* After the withdraw window, coins are still deposited; after deposit-until not. */
  g_assert_true (semper_denomination_check_deposit (fx->published, after_withdraw, &error));
  g_assert_no_error (error);
  g_assert_false (semper_denomination_check_deposit (fx->published, after_deposit, &error));
  g_assert_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_EXPIRED);
  g_clear_error (&error);

  /* A public-only denomination cannot sign. */
  sig = semper_denomination_blind_sign (fx->published, semper_coin_request_get_blinded (req),
                                        fx->now, &error);
  g_assert_null (sig);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY);
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  denom_key = semper_blind_rsa_key_generate (2048, &error);
  g_assert_no_error (error);
  other_key = semper_blind_rsa_key_generate (2048, &error);
  g_assert_no_error (error);

  g_test_add ("/semper/ecash/denomination", Fixture, NULL,
              fixture_setup, test_denomination, fixture_teardown);
  g_test_add ("/semper/ecash/withdraw", Fixture, NULL,
              fixture_setup, test_withdraw, fixture_teardown);
  g_test_add ("/semper/ecash/forged", Fixture, NULL,
              fixture_setup, test_forged, fixture_teardown);
  g_test_add ("/semper/ecash/expiry", Fixture, NULL,
              fixture_setup, test_expiry, fixture_teardown);

  ret = g_test_run ();
  g_clear_object (&denom_key);
  g_clear_object (&other_key);
  return ret;
}
