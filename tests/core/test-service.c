/* test-service.c: commerce service descriptions: strict parsing, signing by
 * the merchant, certification by an evaluator, verification in the wallet,
 * and the flow checker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "semper-cms.h"
#include "semper-flow-cursor.h"
#include "semper-service.h"

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

static GBytes *
load_service (const char *name)
{
  g_autoptr(GError) error = NULL;
  const char *root = g_getenv ("SEMPER_SOURCE_ROOT");
  g_autofree char *path = NULL;
  char *text = NULL;
  gsize len;

  g_assert_nonnull (root);
  path = g_build_filename (root, "data", "demo", "services", name, NULL);
  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (text, len);
}

/* The text of @name with @old (which must occur) replaced by @new. */
static GBytes *
edited (const char *name,
        const char *old,
        const char *new)
{
  g_autoptr(GBytes) bytes = load_service (name);
  g_autoptr(GString) text = g_string_new_len (g_bytes_get_data (bytes, NULL),
                                              g_bytes_get_size (bytes));

  g_assert_nonnull (strstr (text->str, old));
  g_string_replace (text, old, new, 1);
  return g_string_free_to_bytes (g_steal_pointer (&text));
}

/* ---- parsing ---- */

static void
test_parse_demo (void)
{
  static const char * const names[] = { "courseware.json", "subscription.json",
                                        "mail-order.json" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = load_service (names[i]);
      g_autoptr(SemperService) service = semper_service_parse (bytes, &error);

      g_assert_no_error (error);
      g_assert_nonnull (service);
      g_assert_nonnull (semper_service_get_order_form (service));
      g_assert_true (semper_service_accepts_payment_system (service, "account"));
      g_assert_true (semper_service_get_bytes (service) == bytes);
    }

  {
    g_autoptr(GBytes) bytes = load_service ("courseware.json");
    g_autoptr(SemperService) service = semper_service_parse (bytes, NULL);
    const SemperServiceOffer *offer = semper_service_find_offer (service, "security-basics");
    const SemperServiceStep *step = semper_service_find_step (service, "purchase");

    g_assert_cmpstr (semper_service_get_id (service), ==, "eurocom-courseware");
    g_assert_cmpstr (semper_service_get_merchant (service), ==, "EUROCOM Courseware");
    g_assert_cmpint (semper_service_get_n_offers (service), ==, 3);
    g_assert_nonnull (offer);
    g_assert_cmpint (offer->price.minor, ==, 750);
    g_assert_cmpint (step->kind, ==, SEMPER_SERVICE_STEP_FAIR_EXCHANGE);
    g_assert_cmpstr (step->merchant_gives, ==, "goods");
    g_assert_true (step->final);
  }
  {
    g_autoptr(GBytes) bytes = load_service ("subscription.json");
    g_autoptr(SemperService) service = semper_service_parse (bytes, NULL);

    g_assert_cmpint (semper_service_find_offer (service, "annual")->validity_days, ==, 365);
    g_assert_cmpint (semper_service_find_step (service, "consultancy")->kind, ==,
                     SEMPER_SERVICE_STEP_CONTRACT_SIGNING);
  }
  {
    g_autoptr(GBytes) bytes = load_service ("mail-order.json");
    g_autoptr(SemperService) service = semper_service_parse (bytes, NULL);

    g_assert_cmpint (semper_service_get_catalog_size (service), ==, 6000);
    g_assert_cmpint (semper_service_get_n_offers (service), ==, 0);
  }
}

static void
test_parse_refuses (void)
{
  static const struct {
    const char *file;
    const char *old;
    const char *new;
    const char *message;   /* a part of the error's message */
  } cases[] = {
    { "courseware.json", "\"version\": 1,\n  \"id\"", "\"version\": 2,\n  \"id\"", "version" },
    { "courseware.json", "\"currency\": \"EUR\",", "\"currency\": \"EUR\", \"colour\": 1,",
      "unknown member" },
    { "courseware.json", "\"currency\": \"EUR\",", "\"currency\": \"EUR\", \"currency\": \"EUR\",",
      "" },
    { "courseware.json", "\"price\": \"4.90 EUR\"", "\"price\": \"4.90 EUR\", \"discount\": 1",
      "unknown member" },
    { "courseware.json", "\"price\": \"4.90 EUR\"", "\"price\": \"4.90 USD\"", "currency" },
    { "courseware.json", "\"price\": \"4.90 EUR\"", "\"price\": \"4.9 EUR\"", "not an amount" },
    { "courseware.json", "\"price\": \"4.90 EUR\"", "\"price\": 4.90", "must be a string" },
    { "courseware.json", "\"ecash\", \"account\"", "\"ecash\", \"bitcoin\"", "bitcoin" },
    { "courseware.json", "\"ecash\", \"account\"", "\"ecash\", \"ecash\"", "twice" },
    { "courseware.json", "\"next\": [\"purchase\"]", "\"next\": [\"pay\"]", "does not exist" },
    { "courseware.json", "\"next\": [\"purchase\"]", "\"next\": []", "final" },
    { "courseware.json", "\"start\": \"offer\"", "\"start\": \"purchase\"", "cannot be reached" },
    { "courseware.json", "\"merchant_gives\": \"goods\"", "\"merchant_gives\": \"payment\"",
      "merchant_gives" },
    { "courseware.json", "\"kind\": \"fair-exchange\",", "\"kind\": \"fair-exchange\", "
      "\"from\": \"buyer\",", "fair exchange" },
    { "courseware.json", "\"item\": \"statement/offer\"", "\"item\": \"statement/contract\"",
      "contract" },
    { "courseware.json", "\"kind\": \"digital-goods\", \"price\": \"12.00 EUR\"",
      "\"kind\": \"subscription\", \"price\": \"12.00 EUR\"", "validity_days" },
    { "courseware.json", "\"type\": \"email\"", "\"type\": \"phone\"", "unknown type" },
    { "courseware.json", "\"header\": \"Student\"", "\"header\": \"Total\"", "reserved" },
    { "courseware.json", "\"id\": \"eurocom-courseware\"", "\"id\": \"Eurocom Courseware\"",
      "identifier" },
    { "courseware.json", "\"title\": \"EUROCOM multimedia courseware\"",
      "\"title\": \"EUROCOM\\u0007 courseware\"", "control" },
    { "subscription.json", "\"next\": [\"present\", \"consultancy\"], \"final\": true },\n"
      "      { \"id\": \"present\"",
      "\"next\": [\"present\", \"present\"], \"final\": true },\n      { \"id\": \"present\"",
      "twice" },
    { "mail-order.json", "\"digest\": \"f3b4", "\"digest\": \"F3B4", "digest" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = edited (cases[i].file, cases[i].old, cases[i].new);
      g_autoptr(SemperService) service = semper_service_parse (bytes, &error);

      if (service != NULL)
        g_error ("case %" G_GSIZE_FORMAT " was accepted", i);
      g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": “%s” lacks “%s”", i, error->message,
                 cases[i].message);
    }
}

static void
test_parse_ambiguous (void)
{
  g_autoptr(GError) error = NULL;
  /* After "purchase", "delivered" and "dispute" would both begin with the
   * buyer's delivery receipt: the flow could not tell them apart. */
  g_autoptr(GBytes) bytes = edited ("mail-order.json", "\"item\": \"statement/dispute\"",
                                    "\"item\": \"statement/delivery-receipt\"");
  g_autoptr(SemperService) service = semper_service_parse (bytes, &error);

  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "both begin"));
}

/* ---- signing, certification, verification ---- */

typedef struct
{
  char         *tmp;
  SemperCrypto *ca;
  SemperCrypto *merchant;
  SemperCrypto *evaluator;
  SemperCrypto *wallet;
  SemperCrypto *other_ca;
  SemperCrypto *other_evaluator;
  SemperTrust  *trust;
  GBytes       *service_bytes;
  SemperService *service;
  GBytes       *signed_description;
  GDateTime    *now;
} Fixture;

static SemperCrypto *
new_profile (Fixture    *fx,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);
  SemperCrypto *crypto;

  crypto = semper_crypto_open (dir, TRUE, password_cb, g_strdup (name), g_free, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  g_assert_no_error (error);
  return crypto;
}

static SemperCrypto *
new_party (Fixture      *fx,
           SemperCrypto *ca,
           const char   *dir,
           const char   *cn,
           const char   *role)
{
  g_autoptr(GError) error = NULL;
  SemperCrypto *crypto = new_profile (fx, dir);
  g_autoptr(GBytes) csr = semper_crypto_create_csr (crypto, cn, role, &error);
  g_autoptr(GBytes) cert = NULL;

  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  g_assert_no_error (error);
  return crypto;
}

/* Keys and certificates are made once (NSS key generation is the slow
 * part, under the sanitizers); every test gets the same parties. */
static Fixture pki;

static void
pki_setup (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = NULL;

  fx->tmp = g_dir_make_tmp ("semper-service-XXXXXX", &error);
  g_assert_no_error (error);
  fx->ca = new_profile (fx, "ca");
  semper_crypto_make_root (fx->ca, "Test Marketplace CA", 30, &error);
  g_assert_no_error (error);
  root = semper_crypto_dup_certificate (fx->ca);
  fx->trust = semper_trust_new (root, &error);
  g_assert_no_error (error);

  fx->merchant = new_party (fx, fx->ca, "merchant", "EUROCOM Courseware",
                            SEMPER_ROLE_MERCHANT);
  fx->evaluator = new_party (fx, fx->ca, "evaluator", "Consumer Council", SEMPER_ROLE_EVALUATOR);
  fx->wallet = new_party (fx, fx->ca, "wallet", "EUROCOM Courseware", SEMPER_ROLE_WALLET);
  fx->other_ca = new_profile (fx, "other-ca");
  semper_crypto_make_root (fx->other_ca, "Unknown CA", 30, &error);
  g_assert_no_error (error);
  fx->other_evaluator = new_party (fx, fx->other_ca, "other-evaluator", "Consumer Council",
                                   SEMPER_ROLE_EVALUATOR);

  fx->service_bytes = load_service ("courseware.json");
  fx->service = semper_service_parse (fx->service_bytes, &error);
  g_assert_no_error (error);
  fx->signed_description = semper_service_sign (fx->service, fx->merchant, &error);
  g_assert_no_error (error);
  fx->now = g_date_time_new_now_utc ();
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  if (pki.tmp == NULL)
    pki_setup (&pki);
  *fx = pki;
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
}

static void
pki_teardown (Fixture *fx)
{
  g_clear_pointer (&fx->now, g_date_time_unref);
  g_clear_pointer (&fx->signed_description, g_bytes_unref);
  g_clear_object (&fx->service);
  g_clear_pointer (&fx->service_bytes, g_bytes_unref);
  g_clear_object (&fx->trust);
  g_clear_object (&fx->ca);
  g_clear_object (&fx->merchant);
  g_clear_object (&fx->evaluator);
  g_clear_object (&fx->wallet);
  g_clear_object (&fx->other_ca);
  g_clear_object (&fx->other_evaluator);
  rm_rf (fx->tmp);
  g_free (fx->tmp);
}

/* Certifies @signed_description by @evaluator from @from_days to @to_days
 * (relative to now); the trust is always the test CA's. */
static GBytes *
certify (Fixture      *fx,
         SemperCrypto *evaluator,
         GBytes       *signed_description,
         int           from_days,
         int           to_days)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) from = g_date_time_add_days (fx->now, from_days);
  g_autoptr(GDateTime) to = g_date_time_add_days (fx->now, to_days);
  GBytes *certification;

  certification = semper_service_certify (evaluator, fx->trust, signed_description, from, to,
                                          &error);
  g_assert_no_error (error);
  return certification;
}

static void
test_verify_good (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) certification = certify (fx, fx->evaluator, fx->signed_description, -1, 30);
  g_autoptr(SemperService) service = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;

  service = semper_service_verify (fx->signed_description, certification, fx->trust, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_service_get_id (service), ==, "eurocom-courseware");
  g_assert_true (g_bytes_equal (semper_service_get_bytes (service), fx->service_bytes));
  g_assert_cmpstr (semper_service_get_merchant_signer (service)->role, ==, "merchant");
  g_assert_cmpstr (semper_service_get_evaluator_signer (service)->common_name, ==,
                   "Consumer Council");
  g_assert_nonnull (semper_service_get_certified_until (service));

  /* The certification names H(description) and the merchant's certificate. */
  content = semper_cms_verify (certification, fx->trust, &signer, &error);
  g_assert_no_error (error);
  {
    g_autofree char *hash = semper_sha256_hex (fx->service_bytes);
    g_autoptr(GBytes) cert = semper_crypto_dup_certificate (fx->merchant);
    g_autofree char *fingerprint = semper_sha256_hex (cert);
    g_autofree char *text = g_strndup (g_bytes_get_data (content, NULL),
                                       g_bytes_get_size (content));

    g_assert_nonnull (strstr (text, hash));
    g_assert_nonnull (strstr (text, fingerprint));
  }
}

static void
test_verify_unknown_evaluator (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) certification = certify (fx, fx->other_evaluator, fx->signed_description,
                                             -1, 30);
  g_autoptr(SemperService) service = NULL;

  service = semper_service_verify (fx->signed_description, certification, fx->trust, NULL,
                                   &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "evaluator"));
}

static void
test_verify_wrong_roles (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) by_wallet = certify (fx, fx->wallet, fx->signed_description, -1, 30);
  g_autoptr(GBytes) good = certify (fx, fx->evaluator, fx->signed_description, -1, 30);
  g_autoptr(GBytes) signed_by_wallet = NULL;
  g_autoptr(SemperService) service = NULL;

  /* A wallet certificate cannot certify a service. */
  service = semper_service_verify (fx->signed_description, by_wallet, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE);
  g_clear_error (&error);

  /* Nor sign one as the merchant (even with the merchant's name as CN). */
  signed_by_wallet = semper_service_sign (fx->service, fx->wallet, &error);
  g_assert_no_error (error);
  service = semper_service_verify (signed_by_wallet, good, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE);
  g_clear_error (&error);

  /* An evaluator does not certify what is not signed by a merchant. */
  {
    g_autoptr(GDateTime) to = g_date_time_add_days (fx->now, 30);
    g_autoptr(GBytes) c = semper_service_certify (fx->evaluator, fx->trust, signed_by_wallet,
                                                  fx->now, to, &error);

    g_assert_null (c);
    g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE);
  }
}

static void
test_verify_altered (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) certification = certify (fx, fx->evaluator, fx->signed_description, -1, 30);
  g_autoptr(GBytes) altered = edited ("courseware.json", "\"price\": \"4.90 EUR\"",
                                      "\"price\": \"14.90 EUR\"");
  g_autoptr(SemperService) altered_service = semper_service_parse (altered, &error);
  g_autoptr(GBytes) resigned = NULL;
  g_autoptr(SemperService) service = NULL;
  g_autoptr(SemperCrypto) merchant2 = NULL;
  g_autoptr(GBytes) signed2 = NULL;

  g_assert_no_error (error);
  /* The merchant changes a price after certification and signs again. */
  resigned = semper_service_sign (altered_service, fx->merchant, &error);
  g_assert_no_error (error);
  service = semper_service_verify (resigned, certification, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_CERTIFIED);
  g_assert_nonnull (strstr (error->message, "altered"));
  g_clear_error (&error);

  /* Another merchant certificate (same name) presents the certified text. */
  merchant2 = new_party (fx, fx->ca, "merchant2", "EUROCOM Courseware", SEMPER_ROLE_MERCHANT);
  signed2 = semper_service_sign (fx->service, merchant2, &error);
  g_assert_no_error (error);
  service = semper_service_verify (signed2, certification, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_CERTIFIED);
  g_clear_error (&error);

  /* The CMS bytes themselves altered: the signature fails. */
  {
    g_autoptr(GByteArray) bytes = g_byte_array_new ();
    g_autoptr(GBytes) broken = NULL;
    gsize len;
    const guint8 *data_ = g_bytes_get_data (fx->signed_description, &len);
    gsize at = 0;

    g_byte_array_append (bytes, data_, len);
    while (at + 8 <= bytes->len && memcmp (bytes->data + at, "4.90 EUR", 8) != 0)
      at++;
    g_assert_cmpuint (at + 8, <=, bytes->len);
    bytes->data[at] = '5';
    broken = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
    service = semper_service_verify (broken, certification, fx->trust, NULL, &error);
    g_assert_null (service);
    g_assert_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE);
  }
}

static void
test_verify_expired (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expired = certify (fx, fx->evaluator, fx->signed_description, -20, -1);
  g_autoptr(GBytes) future = certify (fx, fx->evaluator, fx->signed_description, 2, 30);
  g_autoptr(SemperService) service = NULL;
  g_autoptr(GDateTime) later = g_date_time_add_days (fx->now, 3);

  service = semper_service_verify (fx->signed_description, expired, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_EXPIRED);
  g_clear_error (&error);

  service = semper_service_verify (fx->signed_description, future, fx->trust, NULL, &error);
  g_assert_null (service);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_EXPIRED);
  g_clear_error (&error);

  service = semper_service_verify (fx->signed_description, future, fx->trust, later, &error);
  g_assert_no_error (error);
  g_assert_nonnull (service);
}

static void
test_verify_name_mismatch (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) other = new_party (fx, fx->ca, "other-merchant", "Cheap Courses",
                                             SEMPER_ROLE_MERCHANT);
  g_autoptr(GBytes) signed_other = semper_service_sign (fx->service, other, &error);
  g_autoptr(GDateTime) to = g_date_time_add_days (fx->now, 30);
  g_autoptr(GBytes) c = NULL;

  g_assert_no_error (error);
  c = semper_service_certify (fx->evaluator, fx->trust, signed_other, fx->now, to, &error);
  g_assert_null (c);
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_WRONG_ROLE);
  g_assert_nonnull (strstr (error->message, "Cheap Courses"));
}

/* ---- the flow checker ---- */

static SemperService *
parse_demo (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = load_service (name);
  SemperService *service = semper_service_parse (bytes, &error);

  g_assert_no_error (error);
  return service;
}

#define BUYER SEMPER_SERVICE_PARTY_BUYER
#define MERCHANT SEMPER_SERVICE_PARTY_MERCHANT

static void
accept (SemperFlowCursor   *cursor,
        SemperServiceParty  sender,
        const char         *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (semper_flow_cursor_accept (cursor, sender, message, &error));
  g_assert_no_error (error);
}

static void
refuse (SemperFlowCursor   *cursor,
        SemperServiceParty  sender,
        const char         *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *step = g_strdup (semper_flow_cursor_get_step (cursor));
  guint done = semper_flow_cursor_get_done (cursor);

  g_assert_false (semper_flow_cursor_accept (cursor, sender, message, &error));
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "expects"));
  /* A refused message does not move the cursor. */
  g_assert_cmpstr (semper_flow_cursor_get_step (cursor), ==, step);
  g_assert_cmpuint (semper_flow_cursor_get_done (cursor), ==, done);
}

static void
test_flow_courseware (void)
{
  g_autoptr(SemperService) service = parse_demo ("courseware.json");
  g_autoptr(SemperFlowCursor) cursor = semper_flow_cursor_new (service);
  g_auto(GStrv) expected = NULL;

  g_assert_null (semper_flow_cursor_get_step (cursor));
  expected = semper_flow_cursor_dup_expected (cursor);
  g_assert_cmpstrv (expected, ((const char * const[]) { "merchant:statement/offer", NULL }));

  refuse (cursor, BUYER, "fx/m1");                 /* no order before the signed offer */
  refuse (cursor, MERCHANT, "goods");              /* no goods outside the fair exchange */
  refuse (cursor, BUYER, "statement/offer");       /* the offer comes from the merchant */
  accept (cursor, MERCHANT, "statement/offer");
  g_assert_false (semper_flow_cursor_can_finish (cursor));
  refuse (cursor, MERCHANT, "fx/m2");              /* m2 before m1 */
  accept (cursor, BUYER, "fx/m1");
  refuse (cursor, BUYER, "fx/m3");                 /* out of turn */
  accept (cursor, MERCHANT, "fx/m2");
  refuse (cursor, MERCHANT, "fx/m2");              /* m2 twice */
  accept (cursor, BUYER, "fx/m3");
  accept (cursor, MERCHANT, "fx/m4");
  g_assert_cmpstr (semper_flow_cursor_get_step (cursor), ==, "purchase");
  g_assert_true (semper_flow_cursor_can_finish (cursor));
  refuse (cursor, MERCHANT, "statement/offer");    /* the flow has ended */
  refuse (cursor, BUYER, NULL);
}

static void
test_flow_subscription (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperService) service = parse_demo ("subscription.json");
  g_autoptr(SemperFlowCursor) cursor = semper_flow_cursor_new (service);
  g_autoptr(SemperFlowCursor) resumed = NULL;
  g_auto(GStrv) expected = NULL;

  accept (cursor, BUYER, "statement/registration");
  accept (cursor, MERCHANT, "credential");
  accept (cursor, MERCHANT, "statement/offer");
  accept (cursor, BUYER, "fx/m1");
  accept (cursor, MERCHANT, "fx/m2");
  accept (cursor, BUYER, "fx/m3");
  accept (cursor, MERCHANT, "fx/m4");
  g_assert_true (semper_flow_cursor_can_finish (cursor));

  /* The decision after the subscription: read a report, or sign a contract. */
  expected = semper_flow_cursor_dup_expected (cursor);
  g_assert_cmpstrv (expected, ((const char * const[]) { "buyer:credential", "buyer:asw/m1",
                                                        NULL }));
  refuse (cursor, MERCHANT, "goods");              /* no report without the credential */
  accept (cursor, BUYER, "credential");
  accept (cursor, MERCHANT, "goods");
  accept (cursor, BUYER, "credential");            /* and again */
  accept (cursor, MERCHANT, "goods");
  accept (cursor, BUYER, "asw/m1");
  g_assert_cmpstr (semper_flow_cursor_get_step (cursor), ==, "consultancy");
  refuse (cursor, BUYER, "asw/m3");
  accept (cursor, MERCHANT, "asw/m2");

  /* Resumed from a journal at the same position, it expects the same. */
  resumed = semper_flow_cursor_new_at (service, "consultancy", 2, &error);
  g_assert_no_error (error);
  refuse (resumed, MERCHANT, "asw/m4");
  accept (resumed, BUYER, "asw/m3");
  accept (resumed, MERCHANT, "asw/m4");
  g_assert_true (semper_flow_cursor_can_finish (resumed));

  g_assert_null (semper_flow_cursor_new_at (service, "consultancy", 5, &error));
  g_assert_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_INVALID);
}

static void
test_flow_mail_order (void)
{
  g_autoptr(SemperService) service = parse_demo ("mail-order.json");
  g_autoptr(SemperFlowCursor) cursor = semper_flow_cursor_new (service);

  accept (cursor, MERCHANT, "statement/offer");
  accept (cursor, BUYER, "fx/m1");
  accept (cursor, MERCHANT, "fx/m2");
  accept (cursor, BUYER, "fx/m3");
  accept (cursor, MERCHANT, "fx/m4");
  /* The confirmation is no end: a delivery receipt or a dispute follows. */
  g_assert_false (semper_flow_cursor_can_finish (cursor));
  refuse (cursor, MERCHANT, "statement/delivery-receipt");
  accept (cursor, BUYER, "statement/delivery-receipt");
  g_assert_true (semper_flow_cursor_can_finish (cursor));
  refuse (cursor, BUYER, "statement/dispute");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/service/parse/demo", test_parse_demo);
  g_test_add_func ("/semper/service/parse/refuses", test_parse_refuses);
  g_test_add_func ("/semper/service/parse/ambiguous", test_parse_ambiguous);
  g_test_add ("/semper/service/verify/good", Fixture, NULL, fixture_setup, test_verify_good,
              fixture_teardown);
  g_test_add ("/semper/service/verify/unknown-evaluator", Fixture, NULL, fixture_setup,
              test_verify_unknown_evaluator, fixture_teardown);
  g_test_add ("/semper/service/verify/wrong-roles", Fixture, NULL, fixture_setup,
              test_verify_wrong_roles, fixture_teardown);
  g_test_add ("/semper/service/verify/altered", Fixture, NULL, fixture_setup,
              test_verify_altered, fixture_teardown);
  g_test_add ("/semper/service/verify/expired", Fixture, NULL, fixture_setup,
              test_verify_expired, fixture_teardown);
  g_test_add ("/semper/service/verify/name-mismatch", Fixture, NULL, fixture_setup,
              test_verify_name_mismatch, fixture_teardown);
  g_test_add_func ("/semper/service/flow/courseware", test_flow_courseware);
  g_test_add_func ("/semper/service/flow/subscription", test_flow_subscription);
  g_test_add_func ("/semper/service/flow/mail-order", test_flow_mail_order);

  ret = g_test_run ();
  if (pki.tmp != NULL)
    pki_teardown (&pki);
  return ret;
}
