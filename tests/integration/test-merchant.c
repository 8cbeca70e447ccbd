/* test-merchant.c: the merchant role and the wallet's shop/buy/pay, end to end.
 *
 * Real processes on loopback: `semperd --role ca` (registration with
 * enrolment secrets), `--role bank`, `--role ttp`, `--role merchant` with one
 * of the three trials' services (data/demo/services), signed with
 * `semper service sign` by the merchant and certified with `semper service
 * certify` by an evaluator. The wallet is a fresh profile made with `semper
 * init --ca`, linked to its bank account, with coins from `semper withdraw`;
 * everything else goes through `semper` as a user runs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1 /* memmem */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-bank-request.h"
#include "semper-catalog.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-service.h"
#include "semper-test-semperd.h"

#define PASSWORD "merchant test password"

static const char ca_config[] =
  "[ca]\nname=Merchant Test CA\nroles=wallet;merchant;ttp;bank;evaluator\n\n"
  "[enrolment]\n"
  "merchant=merchant-enrolment-secret-0123456789\n"
  "ttp=ttp-enrolment-secret-0123456789\n"
  "bank=bank-enrolment-secret-0123456789\n"
  "evaluator=evaluator-enrolment-secret-0123456789\n";

static const char bank_config[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":10,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":1000,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":10000,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":100000}},\n"
  "  {\"id\":\"bob\",\"link-code\":\"bob-code\",\"balances\":{\"EUR\":100000}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}}]}\n";

static const char course_text[] = "Module 1: Introduction to computer networks.\n"
                                  "Chapter 1: packets. Chapter 2: routing.\n";
static const char report_text[] = "FOGRA member report Q3: ink density measurements.\n";
/* The consultancy contract template the merchant's operator consents to sign. */
static const char consultancy_template[] =
  "Semper-Document: contract/1\n"
  "Title: Print-process consultancy, one day\n"
  "Date: {{date}}\n"
  "\n"
  "FOGRA Research gives {{customer}} one day of print-process consultancy, for 950.00 EUR.\n";

typedef enum {
  CERTIFIED,
  UNCERTIFIED,
  FOREIGN_EVALUATOR,
} Certification;

typedef struct {
  const char    *file;        /* data/demo/services/FILE */
  const char    *merchant;    /* the description's merchant = the certificate's CN */
  Certification  certification;
  const char    *deviate;     /* SEMPER_TEST_MERCHANT_DEVIATE, or NULL */
  const char    *config;      /* more members of the merchant's configuration, or NULL */
  const char    *systems;     /* the service's payment systems instead of the file's, or NULL */
} Trial;

typedef struct {
  SemperTestMarket  market;
  const char       *password;     /* the market's password file */
  char             *semper;
  char             *wallet;
  char             *ca_url;
  char             *bank_url;
  char             *ttp_url;
  char             *merchant_url;
  char             *merchant_pem; /* the merchant's certificate, for contract propose --to */
  char             *merchant_state;
  GSubprocess      *ca;
  GSubprocess      *bank;
  GSubprocess      *ttp;
  GSubprocess      *merchant;
} Fixture;

static char *
write_tmp (Fixture    *fx,
           const char *name,
           const char *contents)
{
  char *path = g_build_filename (fx->market.dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs `semper --json --profile PROFILE ARGS…`; returns the exit status. */
static int
semper_run (Fixture     *fx,
            const char  *profile,
            JsonObject **out,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (fx->semper));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (profile));
  va_start (ap, out);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                            | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("semper %s: stdout: %s\nstderr: %s\n", (char *) argv->pdata[4], stdout_buf,
                stderr_buf);
  if (out != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      *out = NULL;
      if (stdout_buf != NULL && *stdout_buf != '\0')
        {
          json_parser_load_from_data (parser, stdout_buf, -1, &error);
          g_assert_no_error (error);
          *out = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
        }
      else if (stderr_buf != NULL)
        {
          /* The error message, for the assertions on refusals. */
          *out = json_object_new ();
          json_object_set_string_member (*out, "stderr", stderr_buf);
        }
    }
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

#define SEMPER(fx, profile, out, ...) semper_run (fx, profile, out, __VA_ARGS__, NULL)

static char *
error_text (JsonObject *out)
{
  if (out != NULL && json_object_has_member (out, "stderr"))
    return g_strdup (json_object_get_string_member (out, "stderr"));
  if (out != NULL && json_object_has_member (out, "error"))
    return g_strdup (json_object_get_string_member (json_object_get_object_member (out, "error"),
                                                    "message"));
  return g_strdup ("");
}

/* A server's state DIR/@name: a profile with a certificate of @role from the CA. */
static char *
register_server (Fixture    *fx,
                 const char *name,
                 const char *cn,
                 const char *role,
                 const char *secret)
{
  g_autoptr(GBytes) cert = semper_test_register_profile (&fx->market, fx->ca_url, name, cn, role,
                                                         secret);

  return semper_certificate_to_pem (cert);
}

/* The merchant's certificate owns the bank account "shop". */
static void
link_merchant (Fixture *fx)
{
  g_autoptr(SemperProfile) profile = semper_test_open_profile (&fx->market, "merchant");

  semper_test_link_account (&fx->market, profile, fx->bank_url, NULL, "shop", "shop-code");
}

/* An evaluator certified by another CA: its certification must not count. */
static char *
foreign_certification (Fixture    *fx,
                       const char *signed_description)
{
  g_autofree char *dir = g_build_filename (fx->market.dir, "foreign-ca", NULL);
  g_autofree char *edir = g_build_filename (fx->market.dir, "foreign-evaluator", NULL);
  g_autofree char *out = g_build_filename (fx->market.dir, "foreign.cert.p7m", NULL);
  g_autoptr(SemperCrypto) ca = NULL;
  g_autoptr(SemperProfile) evaluator = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) description = NULL;
  g_autoptr(GBytes) certification = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) from = g_date_time_add_minutes (now, -10);
  g_autoptr(GDateTime) until = g_date_time_add_days (now, 30);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  ca = semper_crypto_open (dir, TRUE, semper_test_password_cb, fx->market.password, NULL,
                           &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (ca, &error));
  g_assert_true (semper_crypto_make_root (ca, "Rogue CA", 30, &error));
  evaluator = semper_profile_open (edir, SEMPER_PROFILE_OPEN_CREATE, semper_test_password_cb,
                                   fx->market.password, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (semper_profile_get_crypto (evaluator), &error));
  csr = semper_crypto_create_csr (semper_profile_get_crypto (evaluator), "Rogue Evaluator",
                                  SEMPER_ROLE_EVALUATOR, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, SEMPER_ROLE_EVALUATOR, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (semper_profile_get_crypto (evaluator), cert,
                                                   &error));
  /* It checks the merchant's signature under the real root, then signs with its own key. */
  g_assert_true (g_file_get_contents (signed_description, &data, &len, &error));
  description = g_bytes_new_take (g_steal_pointer (&data), len);
  certification = semper_service_certify (semper_profile_get_crypto (evaluator), fx->market.trust,
                                          description, from, until, &error);
  g_assert_no_error (error);
  g_file_set_contents (out, g_bytes_get_data (certification, NULL),
                       (gssize) g_bytes_get_size (certification), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&out);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  const Trial *trial = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *ca_state = NULL;
  g_autofree char *merchant_state = NULL, *evaluator = NULL, *ca_conf = NULL;
  g_autofree char *description = NULL, *signed_d = NULL, *cert = NULL, *ttp_pem = NULL;
  g_autofree char *goods = NULL, *report = NULL, *config_text = NULL, *pem = NULL;
  g_autofree char *contract = NULL;
  gboolean is_subscription = g_str_equal (trial->file, "subscription.json");

  semper_test_market_init_without_ca (&fx->market, "semper-merchant-XXXXXX", PASSWORD);
  fx->password = fx->market.password_file;
  fx->semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper", NULL);
  fx->wallet = g_build_filename (fx->market.dir, "wallet", NULL);
  ca_state = g_build_filename (fx->market.dir, "ca", NULL);
  merchant_state = g_build_filename (fx->market.dir, "merchant", NULL);
  evaluator = g_build_filename (fx->market.dir, "evaluator", NULL);
  ca_conf = write_tmp (fx, "ca.conf", ca_config);

  fx->ca = semper_test_start_semperd ("ca", "127.0.0.1:0", ca_state, fx->password,
                                      ca_conf, &fx->ca_url);
  g_free (register_server (fx, "bank", "Test Bank", SEMPER_ROLE_BANK,
                           "bank-enrolment-secret-0123456789"));
  pem = register_server (fx, "ttp", "Semper Marketplace TTP", SEMPER_ROLE_TTP,
                         "ttp-enrolment-secret-0123456789");
  ttp_pem = write_tmp (fx, "ttp.pem", pem);
  g_clear_pointer (&pem, g_free);
  pem = register_server (fx, "merchant", trial->merchant, SEMPER_ROLE_MERCHANT,
                         "merchant-enrolment-secret-0123456789");
  fx->merchant_pem = write_tmp (fx, "merchant.pem", pem);
  g_clear_pointer (&pem, g_free);
  fx->merchant_state = g_strdup (merchant_state);
  g_free (register_server (fx, "evaluator", "Consumer Association", SEMPER_ROLE_EVALUATOR,
                           "evaluator-enrolment-secret-0123456789"));
  fx->bank = semper_test_start_server (&fx->market, "bank", NULL, bank_config, &fx->bank_url);
  /* The TTP collects payments at the bank before it gives out k. */
  fx->ttp = semper_test_start_ttp (&fx->market, fx->bank_url, &fx->ttp_url);
  link_merchant (fx);

  /* The service: signed by the merchant, certified by the evaluator (both with the CLI). */
  description = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo", "services",
                                  trial->file, NULL);
  if (trial->systems != NULL)
    {
      /* The same service, taking only @systems. */
      g_autofree char *text = NULL;
      g_autofree char *changed = NULL;
      g_autoptr(GRegex) re = g_regex_new ("\"payment_systems\": *\\[[^]]*\\]", 0, 0, NULL);

      g_assert_true (g_file_get_contents (description, &text, NULL, &error));
      changed = g_regex_replace_literal (re, text, -1, 0, trial->systems, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (changed, !=, text);
      g_free (description);
      description = write_tmp (fx, "service.json", changed);
    }
  signed_d = g_build_filename (fx->market.dir, "service.p7m", NULL);
  cert = g_build_filename (fx->market.dir, "service.cert.p7m", NULL);
  g_assert_cmpint (SEMPER (fx, merchant_state, NULL, "service", "sign", description, "--out",
                           signed_d, "--password-file", fx->password), ==, 0);
  if (trial->certification == CERTIFIED)
    g_assert_cmpint (SEMPER (fx, evaluator, NULL, "service", "certify", signed_d, "--out", cert,
                             "--days", "30", "--password-file", fx->password), ==, 0);
  else if (trial->certification == FOREIGN_EVALUATOR)
    {
      g_free (cert);
      cert = foreign_certification (fx, signed_d);
    }

  goods = write_tmp (fx, "course.txt", course_text);
  report = write_tmp (fx, "report.txt", report_text);
  contract = write_tmp (fx, "consultancy-day.txt", consultancy_template);
  config_text = g_strdup_printf (
    "{\"format\":\"semper-merchant-config\",\"version\":1,\n"
    " \"bank\":\"%s\",\"bank_account\":\"shop\",\n"
    " \"ttp\":{\"url\":\"%s\",\"certificate\":\"%s\"}%s,\n"
    " \"services\":[{\"description\":\"%s\"%s%s%s,\n"
    "   \"goods\":{\"intro-networks\":\"%s\",\"security-basics\":\"%s\","
    "\"ecommerce-law\":\"%s\"},\n"
    "   \"member_items\":{\"report-q3\":\"%s\"}%s%s%s}]}\n",
    fx->bank_url, fx->ttp_url, ttp_pem, trial->config != NULL ? trial->config : "",
    description,
    trial->certification != UNCERTIFIED ? ",\"certification\":\"" : "",
    trial->certification != UNCERTIFIED ? cert : "",
    trial->certification != UNCERTIFIED ? "\"" : "",
    goods, goods, goods, report,
    is_subscription ? ",\n   \"contracts\":{\"consultancy-day\":\"" : "",
    is_subscription ? contract : "", is_subscription ? "\"}" : "");
  if (trial->deviate != NULL)
    g_setenv ("SEMPER_TEST_MERCHANT_DEVIATE", trial->deviate, TRUE);
  fx->merchant = semper_test_start_server (&fx->market, "merchant", NULL, config_text,
                                           &fx->merchant_url);
  g_unsetenv ("SEMPER_TEST_MERCHANT_DEVIATE");

  /* The buyer: a fresh wallet, registered, linked to its account, with 500.00 EUR of coins. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "init", "--name", "Alice", "--password-file",
                           fx->password, "--ca", fx->ca_url), ==, 0);
  g_clear_pointer (&out, json_object_unref);
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "bank", "link", fx->bank_url, "alice",
                           "--code", "alice-code", "--password-file", fx->password), ==, 0);
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "withdraw", "500.00 EUR", "--password-file",
                           fx->password), ==, 0);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  semper_test_stop_semperd (&fx->merchant);
  semper_test_stop_semperd (&fx->ttp);
  semper_test_stop_semperd (&fx->bank);
  semper_test_stop_semperd (&fx->ca);
  semper_test_market_clear (&fx->market);
  g_free (fx->semper);
  g_free (fx->wallet);
  g_free (fx->ca_url);
  g_free (fx->bank_url);
  g_free (fx->ttp_url);
  g_free (fx->merchant_url);
  g_free (fx->merchant_pem);
  g_free (fx->merchant_state);
}

/* The purse's EUR coins, in cents. */
static gint64
purse_cents (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *purse;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "balance", "--password-file", fx->password),
                   ==, 0);
  purse = json_object_get_array_member (out, "purse");
  for (guint i = 0; i < json_array_get_length (purse); i++)
    {
      SemperAmount amount;

      g_assert_true (semper_amount_parse (json_array_get_string_element (purse, i), &amount,
                                          NULL));
      if (g_str_equal (amount.currency, "EUR"))
        return amount.minor;
    }
  return 0;
}

/* The account's balance at the bank, in cents. */
static gint64
account_cents (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *balances;
  SemperAmount amount;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "balance", "--password-file", fx->password),
                   ==, 0);
  balances = json_object_get_array_member (out, "account-balances");
  g_assert_true (semper_amount_parse (json_array_get_string_element (balances, 0), &amount,
                                      NULL));
  return amount.minor;
}

static void
assert_receipt_verifies (Fixture *fx,
                         gint64   receipt,
                         gint64   cents,
                         guint    n_receipts)
{
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, receipt);
  g_autoptr(JsonObject) list = NULL;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "receipt", "show", id), ==, 0);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (out,
                                                                              "verification"),
                                                 "valid"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (out,
                                                                              "verification"),
                                                 "trusted"));
  g_assert_cmpint (SEMPER (fx, fx->wallet, &list, "receipts"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==,
                    n_receipts);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (out, "receipt"),
                                               "amount_minor"), ==, cents);
}

/* ---- the three trials --------------------------------------------------------------- */

static const Trial courseware = { "courseware.json", "EUROCOM Courseware", CERTIFIED, NULL };
static const Trial subscription = { "subscription.json", "FOGRA Research", CERTIFIED, NULL };
static const Trial mail_order = { "mail-order.json", "Otto Mail Order", CERTIFIED, NULL };
static const Trial uncertified = { "courseware.json", "EUROCOM Courseware", UNCERTIFIED, NULL };
static const Trial foreign = { "courseware.json", "EUROCOM Courseware", FOREIGN_EVALUATOR,
                               NULL };
static const Trial cheat_price = { "courseware.json", "EUROCOM Courseware", CERTIFIED,
                                   "price" };
static const Trial cheat_order = { "courseware.json", "EUROCOM Courseware", CERTIFIED,
                                   "order" };
static const Trial cheat_message = { "courseware.json", "EUROCOM Courseware", CERTIFIED,
                                     "message" };

static void
test_courseware (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) shop = NULL;
  g_autoptr(JsonObject) buy = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autofree char *goods_out = g_build_filename (fx->market.dir, "bought.txt", NULL);
  g_autofree char *got = NULL;
  JsonObject *service;
  gint64 before = purse_cents (fx);

  /* The shop: one certified service, its terms and offers. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &shop, "shop", fx->merchant_url, "--password-file",
                           fx->password), ==, 0);
  service = json_array_get_object_element (json_object_get_array_member (shop, "items"), 0);
  g_assert_true (json_object_get_boolean_member (service, "verified"));
  g_assert_cmpstr (json_object_get_string_member (service, "evaluator"), ==,
                   "Consumer Association");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (service, "terms")), ==,
                    3);

  /* Without --yes nothing is signed and nothing paid. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &refused, "buy", fx->merchant_url, "intro-networks",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--password-file", fx->password), ==, 3);
  g_assert_cmpint (purse_cents (fx), ==, before);

  g_assert_cmpint (SEMPER (fx, fx->wallet, &buy, "buy", fx->merchant_url, "intro-networks",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--pay", "ecash", "--yes", "--goods-out", goods_out,
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (buy, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (buy, "total"), ==, "4.90 EUR");
  g_assert_cmpstr (json_object_get_string_member (buy, "payment_system"), ==, "ecash");
  g_assert_true (g_file_get_contents (goods_out, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, course_text);
  g_assert_cmpint (purse_cents (fx), ==, before - 490);
  assert_receipt_verifies (fx, json_object_get_int_member (buy, "receipt"), 490, 1);

  /* A web shop's semper: links: an offer link shows the item, a pay link buys it. */
  {
    g_autoptr(GUri) parsed = g_uri_parse (fx->merchant_url, G_URI_FLAGS_NONE, NULL);
    g_autofree char *offer = g_strdup_printf ("semper://127.0.0.1:%d/offer/eurocom-courseware/"
                                              "security-basics", g_uri_get_port (parsed));
    g_autofree char *pay = g_strdup_printf ("semper://127.0.0.1:%d/pay/eurocom-courseware/"
                                            "security-basics", g_uri_get_port (parsed));
    g_autoptr(JsonObject) shown = NULL;
    g_autoptr(JsonObject) paid = NULL;

    g_assert_cmpint (SEMPER (fx, fx->wallet, &shown, "pay", offer, "--password-file",
                             fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (shown, "price"), ==, "7.50 EUR");
    g_assert_cmpint (purse_cents (fx), ==, before - 490);
    g_assert_cmpint (SEMPER (fx, fx->wallet, &paid, "pay", pay, "--answer", "student=Alice",
                             "--answer", "language=Deutsch", "--yes", "--password-file",
                             fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (paid, "state"), ==, "done");
    g_assert_cmpint (purse_cents (fx), ==, before - 490 - 750);
    assert_receipt_verifies (fx, json_object_get_int_member (paid, "receipt"), 750, 2);
  }
}

static void
test_subscription (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) buy = NULL;
  g_autoptr(JsonObject) member = NULL;
  g_autoptr(JsonObject) refused = NULL;
  gint64 before = purse_cents (fx);

  /* Registration alone is free and signs nothing: a membership credential. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &member, "buy", fx->merchant_url, "membership",
                           "--answer", "company=Druckerei Muster GmbH",
                           "--answer", "contact=einkauf@muster.example",
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (member, "state"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (member, "receipt"), ==, 0);
  g_assert_cmpint (purse_cents (fx), ==, before);
  g_clear_pointer (&member, json_object_unref);

  /* No subscription yet: no member item. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &refused, "shop", fx->merchant_url, "--member-item",
                           "report-q3", "--password-file", fx->password), ==, 1);

  g_assert_cmpint (SEMPER (fx, fx->wallet, &buy, "buy", fx->merchant_url, "quarter",
                           "--answer", "company=Druckerei Muster GmbH",
                           "--answer", "contact=einkauf@muster.example", "--pay", "ecash",
                           "--yes", "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (buy, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (buy, "total"), ==, "35.00 EUR");
  g_assert_cmpint (purse_cents (fx), ==, before - 3500);
  assert_receipt_verifies (fx, json_object_get_int_member (buy, "receipt"), 3500, 1);

  /* The same subscription paid by account; the credential it returns opens a member item. */
  {
    g_autoptr(JsonObject) by_account = NULL;
    g_autoptr(JsonObject) item = NULL;
    g_autofree char *out = g_build_filename (fx->market.dir, "report.txt", NULL);
    g_autofree char *got = NULL;
    gint64 coins = purse_cents (fx);
    gint64 account = account_cents (fx);

    g_assert_cmpint (SEMPER (fx, fx->wallet, &by_account, "buy", fx->merchant_url, "annual",
                             "--answer", "company=Druckerei Muster GmbH",
                             "--answer", "contact=einkauf@muster.example", "--pay", "account",
                             "--yes", "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (by_account, "state"), ==, "done");
    g_assert_cmpstr (json_object_get_string_member (by_account, "payment_system"), ==,
                     "account");
    g_assert_cmpint (account_cents (fx), ==, account - 12000);
    g_assert_cmpint (purse_cents (fx), ==, coins);
    assert_receipt_verifies (fx, json_object_get_int_member (by_account, "receipt"), 12000, 2);
    g_assert_nonnull (strstr (json_object_get_string_member (by_account, "document"),
                              "\nMerchant-Name: FOGRA Research\n"));
    g_assert_nonnull (strstr (json_object_get_string_member (by_account, "document"),
                              "\nItem: 1 x Annual subscription to the research reports @ "
                              "120.00 EUR\n"));
    g_assert_cmpint (SEMPER (fx, fx->wallet, &item, "shop", fx->merchant_url, "--member-item",
                             "report-q3", "--out", out, "--password-file", fx->password), ==, 0);
    g_assert_true (g_file_get_contents (out, &got, NULL, NULL));
    g_assert_cmpstr (got, ==, report_text);
  }
}

/* The user signed what they can read: every item line with quantity and unit
 * price, the subtotal, the shipping, the total with its currency, the delivery
 * address, the payment system and the merchant's certified name; and the
 * trusted display's checks (totals included) pass on those exact bytes. */
static void
assert_signed_order (Fixture            *fx,
                     JsonObject         *buy,
                     const char * const *lines)
{
  const char *document = json_object_get_string_member (buy, "document");
  g_autofree char *path = g_build_filename (fx->market.dir, "signed-order.txt", NULL);
  g_autoptr(JsonObject) checked = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (document, "Semper-Document: order/1\n"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("\n%s\n", lines[i]);

      if (strstr (document, line) == NULL)
        g_error ("the signed order lacks “%s”:\n%s", lines[i], document);
    }
  g_file_set_contents (path, document, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (SEMPER (fx, fx->wallet, &checked, "document", "check", path), ==, 0);
}

/* The signed order confirmation repeats the order's items and address. */
static void
assert_confirmation (const char         *path,
                     const char * const *pairs)
{
  g_autofree char *p7m = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &p7m, &len, NULL));
  g_assert_nonnull (memmem (p7m, len, "\"semper-order-confirmation\"",
                            strlen ("\"semper-order-confirmation\"")));
  for (guint i = 0; pairs[i] != NULL; i++)
    if (memmem (p7m, len, pairs[i], strlen (pairs[i])) == NULL)
      g_error ("the order confirmation lacks %s", pairs[i]);
}

/* POST /contracts/sync on the merchant: it fetches proposals and steps now. */
static JsonObject *
merchant_sync (Fixture *fx)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = g_strconcat (fx->merchant_url, "/contracts/sync", NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  answer = semper_comm_client_post_sync (client, url, "application/json", body, NULL, NULL,
                                         &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                              (gssize) g_bytes_get_size (answer), &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Proposes @text to the merchant and runs the exchange to its end: the
 * merchant's answer comes from its operator's consent. Returns the state. */
static char *
propose_to_merchant (Fixture    *fx,
                     const char *text,
                     const char *merchant_state)
{
  g_autofree char *path = write_tmp (fx, "contract.txt", text);
  g_autoptr(JsonObject) proposed = NULL;
  g_autoptr(JsonObject) sync = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autofree char *id = NULL;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &proposed, "contract", "propose", path, "--to",
                           fx->merchant_pem, "--ttp", fx->ttp_url, "--deadline", "1h", "--yes",
                           "--password-file", fx->password), ==, 0);
  id = g_strdup (json_object_get_string_member (proposed, "id"));
  sync = merchant_sync (fx);
  {
    /* the merchant took the proposal now (or at its timer, just before) */
    JsonArray *proposals = json_object_get_array_member (sync, "proposals");

    for (guint i = 0; i < json_array_get_length (proposals); i++)
      {
        JsonObject *p = json_array_get_object_element (proposals, i);

        if (g_str_equal (json_object_get_string_member (p, "id"), id))
          g_assert_cmpstr (json_object_get_string_member (p, "state"), ==, merchant_state);
      }
  }
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "resume", "--password-file", fx->password),
                   ==, 0);
  g_clear_pointer (&sync, json_object_unref);
  sync = merchant_sync (fx);
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "resume", "--password-file", fx->password),
                   ==, 0);
  g_assert_cmpint (SEMPER (fx, fx->wallet, &shown, "contract", "show", id, "--offline",
                           "--password-file", fx->password), ==, 0);
  return g_strdup (json_object_get_string_member (shown, "state"));
}

/* The subscription flow's consultancy step: a contract signed (PROTOCOLS.md A)
 * with the merchant server itself. It consents only to the template of its
 * configuration, filled in; anything else it declines; both are recorded. */
static void
test_consultancy (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *log_path = g_build_filename (fx->merchant_state, "contract-consents.jsonl",
                                                NULL);
  g_autofree char *log = NULL;
  g_autofree char *signed_state = NULL;
  g_autofree char *other_state = NULL;
  g_autoptr(JsonObject) contracts = NULL;
  static const char good[] =
    "Semper-Document: contract/1\n"
    "Title: Print-process consultancy, one day\n"
    "Date: 2026-12-01T09:00:00Z\n"
    "\n"
    "FOGRA Research gives Druckerei Muster GmbH one day of print-process consultancy, for "
    "950.00 EUR.\n";
  /* the same with another price: no template of the operator's */
  static const char other[] =
    "Semper-Document: contract/1\n"
    "Title: Print-process consultancy, one day\n"
    "Date: 2026-12-01T09:00:00Z\n"
    "\n"
    "FOGRA Research gives Druckerei Muster GmbH one day of print-process consultancy, for "
    "9.50 EUR.\n";

  signed_state = propose_to_merchant (fx, good, "m2-sent");
  g_assert_cmpstr (signed_state, ==, "signed");
  other_state = propose_to_merchant (fx, other, "declined");
  g_assert_cmpstr (other_state, !=, "signed");

  /* The customer's archive holds the signed contract, both signatures verified. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &contracts, "contract", "list", "--password-file",
                           fx->password), ==, 0);

  /* Every decision of the operator's consent is on record, in order. */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (log), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_nonnull (strstr (lines[0], "\"decision\":\"consent\""));
    g_assert_nonnull (strstr (lines[0], "\"template\":\"fogra-subscription/consultancy-day\""));
    g_assert_nonnull (strstr (lines[1], "\"decision\":\"refused\""));
  }
}

static void
test_mail_order (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) buy = NULL;
  g_autoptr(JsonObject) by_account = NULL;
  g_autofree char *confirmation = g_build_filename (fx->market.dir, "confirmation.p7m", NULL);
  g_autofree char *item1 = NULL, *item2 = NULL, *subtotal = NULL, *total_line = NULL;
  g_autofree char *c_item1 = NULL;
  g_autoptr(SemperCatalog) catalog = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  const SemperArticle *a1 = semper_catalog_find (catalog, "A000001");
  const SemperArticle *a2 = semper_catalog_find (catalog, "A000002");
  SemperAmount total, line;
  g_autofree char *want = NULL;
  gint64 before = purse_cents (fx);

  /* 2 × A000001 + A000002 + 5.95 EUR shipping. */
  g_assert_true (semper_amount_multiply (&a1->price, 2, &line, NULL));
  g_assert_true (semper_amount_add (&line, &a2->price, &total, NULL));
  total.minor += 595;
  want = semper_amount_format (&total);

  g_assert_cmpint (SEMPER (fx, fx->wallet, &buy, "buy", fx->merchant_url, "A000001:2",
                           "A000002", "--answer", "recipient=Erika Mustermann",
                           "--answer", "address=Heidestraße 17\\n51147 Köln",
                           "--answer", "delivery=express", "--pay", "ecash",
                           "--goods-out", confirmation,
                           "--yes", "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (buy, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (buy, "total"), ==, want);
  g_assert_cmpint (purse_cents (fx), ==, before - total.minor);
  assert_receipt_verifies (fx, json_object_get_int_member (buy, "receipt"), total.minor,
                           1);
  {
    g_autofree char *p1 = semper_amount_format (&a1->price);
    g_autofree char *p2 = semper_amount_format (&a2->price);
    SemperAmount sub = total;
    g_autofree char *sub_text = NULL;

    item1 = g_strdup_printf ("Item: 2 x %s (A000001) @ %s", a1->title, p1);
    item2 = g_strdup_printf ("Item: 1 x %s (A000002) @ %s", a2->title, p2);
    c_item1 = g_strdup_printf ("[\"Item\",\"2 x %s (A000001) @ %s\"]", a1->title, p1);
    sub.minor -= 595;
    sub_text = semper_amount_format (&sub);
    subtotal = g_strdup_printf ("Subtotal: %s", sub_text);
    total_line = g_strdup_printf ("Total: %s", want);
  }
  {
    const char * const lines[] = { "Merchant-Name: Otto Mail Order", item1, item2, subtotal,
                                   "Shipping: 5.95 EUR", "Recipient: Erika Mustermann",
                                   "Delivery-Address-1: Heidestraße 17",
                                   "Delivery-Address-2: 51147 Köln", "Delivery: express",
                                   "Payment-System: ecash", total_line, NULL };
    const char * const pairs[] = { c_item1, "[\"Shipping\",\"5.95 EUR\"]",
                                   "[\"Recipient\",\"Erika Mustermann\"]",
                                   "[\"Delivery-Address-1\",\"Heidestraße 17\"]",
                                   "[\"Delivery-Address-2\",\"51147 Köln\"]", NULL };

    assert_signed_order (fx, buy, lines);
    assert_confirmation (confirmation, pairs);
  }

  /* The same order paid by account: the second consent, the account charged. */
  {
    gint64 coins = purse_cents (fx);
    gint64 account = account_cents (fx);
    const char * const lines[] = { "Merchant-Name: Otto Mail Order", item1, item2,
                                   "Shipping: 5.95 EUR",
                                   "Delivery-Address-1: Am Markt 3",
                                   "Delivery-Address-2: 20095 Hamburg",
                                   "Payment-System: account", total_line, NULL };
    const char * const pairs[] = { c_item1, "[\"Delivery-Address-1\",\"Am Markt 3\"]",
                                   NULL };

    g_assert_cmpint (SEMPER (fx, fx->wallet, &by_account, "buy", fx->merchant_url,
                             "A000001:2", "A000002", "--answer", "recipient=Erika Mustermann",
                             "--answer", "address=Am Markt 3\\n20095 Hamburg",
                             "--answer", "delivery=standard", "--pay", "account",
                             "--goods-out", confirmation,
                             "--yes", "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (by_account, "state"), ==, "done");
    g_assert_cmpstr (json_object_get_string_member (by_account, "payment_system"), ==,
                     "account");
    g_assert_cmpint (account_cents (fx), ==, account - total.minor);
    g_assert_cmpint (purse_cents (fx), ==, coins);
    assert_receipt_verifies (fx, json_object_get_int_member (by_account, "receipt"),
                             total.minor, 2);
    assert_signed_order (fx, by_account, lines);
    assert_confirmation (confirmation, pairs);
  }

  /* The parcel arrived: the buyer signs the delivery receipt, the flow's next step. */
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                           json_object_get_int_member (buy, "receipt"));
    g_autoptr(JsonObject) delivered = NULL;
    g_autoptr(JsonObject) again = NULL;
    g_autoptr(JsonObject) shown = NULL;

    g_assert_cmpint (SEMPER (fx, fx->wallet, &delivered, "delivery", fx->merchant_url, id,
                             "--yes", "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (delivered, "state"), ==, "delivered");
    g_assert_cmpint (SEMPER (fx, fx->wallet, &shown, "receipt", "show", id), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (shown,
                                                                                 "receipt"),
                                                    "state"), ==, "delivered");
    /* The flow ends there: a second delivery receipt is refused by the merchant. */
    g_assert_cmpint (SEMPER (fx, fx->wallet, &again, "delivery", fx->merchant_url, id,
                             "--yes", "--password-file", fx->password), !=, 0);
  }
}

/* The same trial paid from the bank account: invoice, authorisation (a second
 * consent), authorise and capture at the bank. */
static void
test_account (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) buy = NULL;
  g_autoptr(JsonObject) declined = NULL;
  g_autofree char *goods_out = g_build_filename (fx->market.dir, "bought.txt", NULL);
  g_autofree char *got = NULL;
  gint64 coins = purse_cents (fx);
  gint64 before = account_cents (fx);

  g_assert_cmpint (SEMPER (fx, fx->wallet, &buy, "buy", fx->merchant_url, "ecommerce-law",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--pay", "account", "--yes", "--goods-out", goods_out,
                           "--password-file", fx->password), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (buy, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (buy, "payment_system"), ==, "account");
  g_assert_true (g_file_get_contents (goods_out, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, course_text);
  g_assert_cmpint (account_cents (fx), ==, before - 1200);
  g_assert_cmpint (purse_cents (fx), ==, coins);
  assert_receipt_verifies (fx, json_object_get_int_member (buy, "receipt"), 1200, 1);

  /* --pay auto (the default): the user's preferences decide, the account first, chosen
   * without asking. */
  {
    g_autoptr(JsonObject) prefs = NULL;
    g_autoptr(JsonObject) picked = NULL;

    g_assert_cmpint (SEMPER (fx, fx->wallet, &prefs, "prefs", "payment", "--order",
                             "account,ecash", "--policy", "pick", "--password-file", fx->password),
                   ==, 0);
    g_assert_cmpint (SEMPER (fx, fx->wallet, &picked, "buy", fx->merchant_url, "intro-networks",
                             "--answer", "student=Alice", "--answer", "language=English",
                             "--pay", "auto", "--yes", "--password-file", fx->password), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (picked, "payment_system"), ==, "account");
    g_assert_cmpint (account_cents (fx), ==, before - 1200 - 490);
    g_assert_cmpint (purse_cents (fx), ==, coins);
  }
}

/* `semper buy … --pay account` killed (SIGKILL) right after its fair exchange
 * journaled @point (SEMPER_TEST_CRASH_AFTER, a test hook of the CLI). */
static void
buy_killed_at_full (Fixture    *fx,
                    const char *point,
                    const char *item,
                    const char *answer1,
                    const char *answer2)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", point, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, fx->semper, "--json", "--profile",
                                      fx->wallet, "buy", fx->merchant_url, item,
                                      "--answer", answer1, "--answer", answer2, "--pay",
                                      "account", "--yes", "--password-file", fx->password,
                                      NULL);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
}

static void
buy_killed_at (Fixture    *fx,
               const char *point)
{
  buy_killed_at_full (fx, point, "ecommerce-law", "student=Alice", "language=English");
}

/* The state `semper resume` left the one purchase in. */
static char *
resume_purchase (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *items;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "resume", "--password-file", fx->password),
                   ==, 0);
  items = json_object_get_array_member (out, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "protocol"), "fx"))
        return g_strdup (json_object_get_string_member (item, "state"));
    }
  return NULL;
}

/* The id of the wallet's one unfinished purchase (its fair exchange). */
static char *
unfinished_purchase (Fixture *fx)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  profile = semper_test_open_profile (&fx->market, "wallet");
  list = semper_archive_exchange_list_unfinished (semper_profile_get_archive (profile), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (list, i);

      if (g_str_equal (row->protocol, "fx"))
        {
          g_assert_null (id);
          id = g_strdup (row->id);
        }
    }
  g_assert_nonnull (id);
  return id;
}

/* `semper resume --id ID`: the state it left that one purchase in. */
static char *
resume_purchase_id (Fixture    *fx,
                    const char *id)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *items;
  JsonObject *item;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "resume", "--id", id, "--password-file",
                           fx->password), ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  item = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "id"), ==, id);
  g_assert_false (json_object_has_member (item, "error"));
  return g_strdup (json_object_get_string_member (item, "state"));
}

/* The one receipt in the Receipts list verifies, for @amount from @merchant. */
static void
assert_one_receipt (Fixture    *fx,
                    gint64      amount,
                    const char *merchant)
{
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) shown = NULL;
  JsonArray *items;
  JsonObject *receipt;
  g_autofree char *rid = NULL;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &list, "receipts"), ==, 0);
  items = json_object_get_array_member (list, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  receipt = json_array_get_object_element (items, 0);
  rid = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (receipt, "id"));
  g_assert_cmpint (SEMPER (fx, fx->wallet, &shown, "receipt", "show", rid), ==, 0);
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (shown, "verification"), "valid"));
  receipt = json_object_get_object_member (shown, "receipt");
  g_assert_cmpint (json_object_get_int_member (receipt, "amount_minor"), ==, amount);
  g_assert_cmpstr (json_object_get_string_member (receipt, "merchant"), ==, merchant);
}

/* `semper resume --id` finishes a crashed account-paid purchase and records
 * its receipt as plain `semper resume` does; run again, it changes nothing. */
static void
test_account_resume_by_id (Fixture       *fx,
                           gconstpointer  data)
{
  gint64 before = account_cents (fx);
  g_autofree char *id = NULL;
  g_autofree char *paid = NULL;
  g_autofree char *again = NULL;

  buy_killed_at (fx, "m3-sent");
  id = unfinished_purchase (fx);
  paid = resume_purchase_id (fx, id);
  g_assert_cmpstr (paid, ==, "done");
  g_assert_cmpint (account_cents (fx), ==, before - 1200);
  assert_one_receipt (fx, 1200, "EUROCOM Courseware");
  again = resume_purchase_id (fx, id);
  g_assert_cmpstr (again, ==, "done");
  g_assert_cmpint (account_cents (fx), ==, before - 1200);
  assert_one_receipt (fx, 1200, "EUROCOM Courseware");
}

/* An account-paid purchase interrupted by a crash: `semper resume` finishes
 * it. Killed once m3 (with the payment authorisation) was journaled, it is
 * paid exactly once and done; killed after m1, before any payment, it is
 * aborted at the TTP and nothing is paid. */
static void
test_account_resume (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 coins = purse_cents (fx);
  gint64 before = account_cents (fx);
  g_autofree char *paid = NULL;
  g_autofree char *aborted = NULL;
  g_autofree char *again = NULL;

  buy_killed_at (fx, "m3-sent");
  paid = resume_purchase (fx);
  g_assert_cmpstr (paid, ==, "done");
  g_assert_cmpint (account_cents (fx), ==, before - 1200);
  /* the resumed purchase is in the Receipts list, its receipt verifies */
  {
    g_autoptr(JsonObject) list = NULL;
    g_autoptr(JsonObject) shown = NULL;
    JsonArray *items;
    JsonObject *receipt;
    g_autofree char *rid = NULL;

    g_assert_cmpint (SEMPER (fx, fx->wallet, &list, "receipts"), ==, 0);
    items = json_object_get_array_member (list, "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    receipt = json_array_get_object_element (items, 0);
    rid = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (receipt, "id"));
    g_assert_cmpint (SEMPER (fx, fx->wallet, &shown, "receipt", "show", rid), ==, 0);
    g_assert_true (json_object_get_boolean_member (
      json_object_get_object_member (shown, "verification"), "valid"));
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (shown,
                                                                              "receipt"),
                                                 "amount_minor"), ==, 1200);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (shown,
                                                                                 "receipt"),
                                                    "merchant"), ==, "EUROCOM Courseware");
  }
  again = resume_purchase (fx);
  g_assert_null (again);
  g_assert_cmpint (account_cents (fx), ==, before - 1200);

  buy_killed_at (fx, "m1-sent");
  aborted = resume_purchase (fx);
  g_assert_cmpstr (aborted, ==, "aborted");
  g_assert_cmpint (account_cents (fx), ==, before - 1200);
  g_assert_cmpint (purse_cents (fx), ==, coins);
}

/* ---- merchant crash recovery (issue 4) ------------------------------------------ */

/* The merchant's account "shop" at the bank, in cents. The merchant's
 * profile is locked while semperd runs: call it with the merchant stopped. */
static gint64
shop_cents (Fixture *fx)
{
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperBankRequest) balance = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (fx->merchant);
  profile = semper_test_open_profile (&fx->market, "merchant");
  balance->account = g_strdup ("shop");
  answer = semper_bank_request_send (balance, client, semper_profile_get_crypto (profile),
                                     fx->market.trust, fx->bank_url, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->result, ==, "ok");
  for (guint i = 0; i < answer->balances->len; i++)
    {
      SemperAmount *amount = &g_array_index (answer->balances, SemperAmount, i);

      if (g_str_equal (amount->currency, "EUR"))
        return amount->minor;
    }
  return 0;   /* no EUR yet */
}

/* A crash: SIGKILL, no chance to finish anything. */
static void
kill_merchant (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (fx->merchant);
  g_subprocess_wait (fx->merchant, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (fx->merchant));
  g_assert_cmpint (g_subprocess_get_term_sig (fx->merchant), ==, SIGKILL);
  g_clear_object (&fx->merchant);
}

/* `semperd --role merchant` again on the same state and configuration (at
 * another port, as after a real restart). */
static void
restart_merchant (Fixture *fx)
{
  g_autofree char *conf = g_build_filename (fx->market.dir, "merchant.json", NULL);

  g_assert_null (fx->merchant);
  g_clear_pointer (&fx->merchant_url, g_free);
  fx->merchant = semper_test_start_semperd ("merchant", "127.0.0.1:0", fx->merchant_state,
                                            fx->password, conf, &fx->merchant_url);
}

/* POST /fx/recover: runs after the recovery queued at start (one worker,
 * in order); returns how many exchanges this call collected. */
static gint64
merchant_recover (Fixture *fx)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (fx->merchant_url, "/fx/recover", NULL);
  g_autoptr(GBytes) empty = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  answer = semper_comm_client_post_sync (client, url, "application/json", empty, NULL, NULL,
                                         &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                              (gssize) g_bytes_get_size (answer), &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                     "paid");
}

/* Holds the dead merchant's port (bound, not listening): connections to it
 * are refused, and the restarted merchant cannot get it by chance. */
static GSocket *
hold_port (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  g_assert_nonnull (uri);
  address = g_inet_socket_address_new (lo, (guint16) g_uri_get_port (uri));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  return socket;
}

/* The buyer `semper buy ITEM --pay PAY`, killed right after journaling m3
 * (before m3 leaves): the merchant has sent m2 and never gets m3. */
static void
buy_killed_before_m3 (Fixture    *fx,
                      const char *item,
                      const char *pay)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", "m3-sent", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, fx->semper, "--json", "--profile",
                                      fx->wallet, "buy", fx->merchant_url, item,
                                      "--answer", "student=Alice", "--answer",
                                      "language=English", "--pay", pay, "--yes",
                                      "--password-file", fx->password, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
}

/* The real merchant (semperd) is killed (SIGKILL) after it sent m2; the
 * buyer, unable to reach it with m3, resolves at the TTP (`semper resume`).
 * (a) e-cash, resolved while the merchant is down: the restarted merchant
 * deposits the coins at start. (b) account, resolved after the merchant came
 * back: its invoice survived the crash in the store, POST /fx/recover
 * captures the payment. Each is collected exactly once, over further
 * restarts and recoveries. */
static void
test_merchant_recover (Fixture       *fx,
                       gconstpointer  data)
{
  gint64 coins = purse_cents (fx);
  gint64 account = account_cents (fx);
  gint64 shop;
  g_autoptr(GSocket) old_port = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *resolved_account = NULL;

  /* (a) e-cash: 4.90 EUR */
  buy_killed_before_m3 (fx, "intro-networks", "ecash");
  kill_merchant (fx);
  shop = shop_cents (fx);
  resolved = resume_purchase (fx);
  g_assert_cmpstr (resolved, ==, "done");
  g_assert_cmpint (purse_cents (fx), ==, coins - 490);
  /* T deposited the coins for the merchant before it gave out k. */
  g_assert_cmpint (shop_cents (fx), ==, shop + 490);
  restart_merchant (fx);
  /* The recovery at start fetched the payment (the bank answered its
   * deposits with T's): this one finds nothing left. */
  g_assert_cmpint (merchant_recover (fx), ==, 0);
  kill_merchant (fx);
  g_assert_cmpint (shop_cents (fx), ==, shop + 490);
  restart_merchant (fx);
  g_assert_cmpint (merchant_recover (fx), ==, 0);
  kill_merchant (fx);
  g_assert_cmpint (shop_cents (fx), ==, shop + 490);
  g_assert_cmpint (account_cents (fx), ==, account);

  /* (b) account: 12.00 EUR; the merchant restarts before the buyer resolves */
  restart_merchant (fx);
  buy_killed_before_m3 (fx, "ecommerce-law", "account");
  kill_merchant (fx);
  old_port = hold_port (fx->merchant_url);
  restart_merchant (fx);
  g_assert_cmpint (merchant_recover (fx), ==, 0);      /* not resolved yet: nothing owed */
  g_assert_cmpint (account_cents (fx), ==, account);
  /* m3 goes to the merchant's old address: refused, so the buyer resolves at the TTP. */
  resolved_account = resume_purchase (fx);
  g_assert_cmpstr (resolved_account, ==, "done");
  g_assert_cmpint (merchant_recover (fx), ==, 1);      /* authorised and captured */
  g_assert_cmpint (account_cents (fx), ==, account - 1200);
  g_assert_cmpint (merchant_recover (fx), ==, 0);
  kill_merchant (fx);
  g_assert_cmpint (shop_cents (fx), ==, shop + 490 + 1200);
  restart_merchant (fx);
  g_assert_cmpint (merchant_recover (fx), ==, 0);
  semper_test_stop_semperd (&fx->merchant);
  g_assert_cmpint (shop_cents (fx), ==, shop + 490 + 1200);
  g_assert_cmpint (account_cents (fx), ==, account - 1200);
  g_assert_cmpint (purse_cents (fx), ==, coins - 490);
  g_assert_null (resume_purchase (fx));
}

/* Every fair exchange `semper resume` finished, as its states. */
static char *
resume_all (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(GString) states = g_string_new (NULL);
  JsonArray *items;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "resume", "--password-file", fx->password),
                   ==, 0);
  items = json_object_get_array_member (out, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "protocol"), "fx"))
        g_string_append_printf (states, "%s%s", states->len > 0 ? "," : "",
                                json_object_get_string_member (item, "state"));
    }
  return g_string_free (g_steal_pointer (&states), FALSE);
}

/* The buyer cannot take back what T collected for the merchant: an account
 * payment resolved at the TTP (T had the bank hold the price before it gave
 * out k) whose account the buyer then empties, and an e-cash payment after
 * it. The restarted merchant's recovery captures the held money and the coins
 * T deposited are answered, not paid twice. (Before T collected at resolve,
 * the bank refused the merchant's authorise here.) */
static void
test_merchant_recover_held (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GSocket) old_port = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) empty = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *states = NULL;
  g_autofree char *rest = NULL;
  gint64 coins = purse_cents (fx);
  gint64 shop;

  buy_killed_before_m3 (fx, "ecommerce-law", "account");
  buy_killed_before_m3 (fx, "intro-networks", "ecash");
  kill_merchant (fx);
  shop = shop_cents (fx);
  states = resume_all (fx);
  g_assert_cmpstr (states, ==, "done,done");
  g_assert_cmpint (purse_cents (fx), ==, coins - 490);
  /* T deposited the coins for the merchant when it resolved. */
  g_assert_cmpint (shop_cents (fx), ==, shop + 490);
  /* The buyer empties the account: the price T had held is not in it any more. */
  rest = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d EUR", account_cents (fx) / 100,
                          (int) (account_cents (fx) % 100));
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "withdraw", rest, "--password-file",
                           fx->password), ==, 0);
  g_assert_cmpint (account_cents (fx), ==, 0);
  old_port = hold_port (fx->merchant_url);
  restart_merchant (fx);
  url = g_strconcat (fx->merchant_url, "/fx/recover", NULL);
  answer = semper_comm_client_post_sync (client, url, "application/json", empty, NULL, NULL,
                                         &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  semper_test_stop_semperd (&fx->merchant);
  g_assert_cmpint (shop_cents (fx), ==, shop + 490 + 1200);
  g_assert_cmpint (account_cents (fx), ==, 0);
}

/* A subscription paid by account, its buyer killed after m3: `semper resume`
 * finishes it and stores the credential, which then opens a member item. */
static void
test_subscription_resume (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fx->market.dir, "report.txt", NULL);
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *state = NULL;
  g_autofree char *got = NULL;
  gint64 before = account_cents (fx);

  buy_killed_at_full (fx, "m3-sent", "quarter", "company=Druckerei Muster GmbH",
                      "contact=einkauf@muster.example");
  state = resume_purchase (fx);
  g_assert_cmpstr (state, ==, "done");
  g_assert_cmpint (account_cents (fx), ==, before - 3500);
  g_assert_cmpint (SEMPER (fx, fx->wallet, &item, "shop", fx->merchant_url, "--member-item",
                           "report-q3", "--out", out, "--password-file", fx->password), ==, 0);
  g_assert_true (g_file_get_contents (out, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, report_text);
}

/* The same subscription resumed with `semper resume --id`: its receipt and
 * its credential are recorded; the credential opens a member item. */
static void
test_subscription_resume_by_id (Fixture       *fx,
                                gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fx->market.dir, "report.txt", NULL);
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *got = NULL;
  gint64 before = account_cents (fx);

  buy_killed_at_full (fx, "m3-sent", "quarter", "company=Druckerei Muster GmbH",
                      "contact=einkauf@muster.example");
  id = unfinished_purchase (fx);
  state = resume_purchase_id (fx, id);
  g_assert_cmpstr (state, ==, "done");
  g_assert_cmpint (account_cents (fx), ==, before - 3500);
  g_assert_cmpint (SEMPER (fx, fx->wallet, &item, "shop", fx->merchant_url, "--member-item",
                           "report-q3", "--out", out, "--password-file", fx->password), ==, 0);
  g_assert_true (g_file_get_contents (out, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, report_text);
  {
    g_autoptr(JsonObject) list = NULL;

    g_assert_cmpint (SEMPER (fx, fx->wallet, &list, "receipts"), ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==,
                      1);
  }
}

/* ---- the catalog over HTTP ----------------------------------------------------------- */

static void
test_catalog (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SemperCatalog) catalog = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  g_autoptr(JsonObject) page1 = NULL;
  g_autoptr(JsonObject) last = NULL;
  g_autoptr(JsonObject) found = NULL;
  g_autoptr(GPtrArray) expect = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *cat;
  JsonArray *articles;
  guint total = 0;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &page1, "shop", fx->merchant_url, "--page", "1",
                           "--password-file", fx->password), ==, 0);
  cat = json_object_get_object_member (page1, "catalog");
  g_assert_cmpint (json_object_get_int_member (cat, "total"), ==, 6000);
  articles = json_object_get_array_member (cat, "articles");
  g_assert_cmpuint (json_array_get_length (articles), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (articles, 0),
                                                  "id"), ==, "A000001");

  /* The last page holds the last 20 (6000 = 300 × 20). */
  g_assert_cmpint (SEMPER (fx, fx->wallet, &last, "shop", fx->merchant_url, "--page", "300",
                           "--password-file", fx->password), ==, 0);
  articles = json_object_get_array_member (json_object_get_object_member (last, "catalog"),
                                           "articles");
  g_assert_cmpuint (json_array_get_length (articles), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (articles, 19),
                                                  "id"), ==, "A006000");

  /* A search over HTTP finds what a search of the same catalog finds here. */
  expect = semper_catalog_search (catalog, "raincoat", NULL, 0, 20, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpint (SEMPER (fx, fx->wallet, &found, "shop", fx->merchant_url, "--search",
                           "raincoat", "--password-file", fx->password), ==, 0);
  cat = json_object_get_object_member (found, "catalog");
  g_assert_cmpint (json_object_get_int_member (cat, "total"), ==, total);
  articles = json_object_get_array_member (cat, "articles");
  g_assert_cmpuint (json_array_get_length (articles), ==, expect->len);
  for (guint i = 0; i < expect->len; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (articles, i),
                                                    "id"), ==,
                     ((SemperArticle *) g_ptr_array_index (expect, i))->id);
}

/* ---- deviating merchants: refused, nothing paid ----------------------------------------- */

static void
assert_refused (Fixture    *fx,
                const char *expect)
{
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *text = NULL;
  gint64 before = purse_cents (fx);
  gint64 account = account_cents (fx);

  g_assert_cmpint (SEMPER (fx, fx->wallet, &out, "buy", fx->merchant_url, "intro-networks",
                           "--service", "eurocom-courseware",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--yes", "--password-file", fx->password), ==, 3);
  text = error_text (out);
  if (strstr (text, expect) == NULL)
    g_error ("expected “%s” in: %s", expect, text);
  g_assert_cmpint (purse_cents (fx), ==, before);
  g_assert_cmpint (account_cents (fx), ==, account);
}

static void
test_uncertified (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) shop = NULL;

  g_assert_cmpint (SEMPER (fx, fx->wallet, &shop, "shop", fx->merchant_url, "--password-file",
                           fx->password), ==, 3);
  assert_refused (fx, "not certified");
}

static void
test_foreign_evaluator (Fixture       *fx,
                        gconstpointer  data)
{
  assert_refused (fx, "refused");
}

static void
test_price (Fixture       *fx,
            gconstpointer  data)
{
  assert_refused (fx, "differs from the signed service");
}

/* The offer's order lines (what the user would sign) differ from the order asked for. */
static void
test_order_lines (Fixture       *fx,
                  gconstpointer  data)
{
  assert_refused (fx, "describes another order");
}

static void
test_unexpected_message (Fixture       *fx,
                         gconstpointer  data)
{
  assert_refused (fx, "deviates from its signed service");
}

/* ---- a payment that cannot go ahead (issue 8) ---------------------------------------- */

/* The EUR amount, in cents, in @member ("purse" or "account-balances") of
 * `semper balance` for @profile. */
static gint64
balance_cents (Fixture    *fx,
               const char *profile,
               const char *member)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *list;

  g_assert_cmpint (SEMPER (fx, profile, &out, "balance", "--password-file", fx->password),
                   ==, 0);
  if (!json_object_has_member (out, member))
    return 0;
  list = json_object_get_array_member (out, member);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      SemperAmount amount;

      g_assert_true (semper_amount_parse (json_array_get_string_element (list, i), &amount,
                                          NULL));
      if (g_str_equal (amount.currency, "EUR"))
        return amount.minor;
    }
  return 0;
}

/* A second wallet, "Bob": registered, linked to his account when @link, no coins. */
static char *
bob_wallet (Fixture  *fx,
            gboolean  link)
{
  g_autofree char *bob = g_build_filename (fx->market.dir, "bob", NULL);

  g_assert_cmpint (SEMPER (fx, bob, NULL, "init", "--name", "Bob", "--password-file",
                           fx->password, "--ca", fx->ca_url), ==, 0);
  if (link)
    g_assert_cmpint (SEMPER (fx, bob, NULL, "bank", "link", fx->bank_url, "bob", "--code",
                             "bob-code", "--password-file", fx->password), ==, 0);
  return g_steal_pointer (&bob);
}

/* `semper buy … intro-networks` by @profile exits 3 (refused) with @why and @todo in
 * its message, and pays nothing: no receipt, purse and account as before. */
static void
assert_cannot_pay (Fixture    *fx,
                   const char *profile,
                   const char *pay,
                   const char *why,
                   const char *todo)
{
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) receipts = NULL;
  g_autofree char *text = NULL;
  gint64 purse = balance_cents (fx, profile, "purse");
  gint64 account = balance_cents (fx, profile, "account-balances");

  g_assert_cmpint (SEMPER (fx, profile, &out, "buy", fx->merchant_url, "intro-networks",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--pay", pay, "--yes", "--password-file", fx->password), ==, 3);
  text = error_text (out);
  if (strstr (text, why) == NULL || strstr (text, todo) == NULL)
    g_error ("expected “%s” and “%s” in: %s", why, todo, text);
  g_assert_nonnull (strstr (text, "Nothing was paid"));
  g_assert_cmpint (balance_cents (fx, profile, "purse"), ==, purse);
  g_assert_cmpint (balance_cents (fx, profile, "account-balances"), ==, account);
  g_assert_cmpint (SEMPER (fx, profile, &receipts, "receipts"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (receipts, "items")),
                    ==, 0);
}

/* Not enough money: Bob's purse is empty and he picks e-cash by hand. The
 * wallet says so before anything is signed or sent; the same with auto when
 * his e-cash is the only system he has and the merchant takes. */
static void
test_cannot_pay_balance (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *bob = bob_wallet (fx, TRUE);
  gint64 alice_account = account_cents (fx);

  g_assert_cmpint (balance_cents (fx, bob, "purse"), ==, 0);
  assert_cannot_pay (fx, bob, "ecash", "The purse holds only 0.00 EUR", "semper withdraw");
  g_assert_cmpint (account_cents (fx), ==, alice_account);
  /* With money, the same purchase goes through. */
  g_assert_cmpint (SEMPER (fx, bob, NULL, "withdraw", "10.00 EUR", "--password-file",
                           fx->password), ==, 0);
  g_assert_cmpint (SEMPER (fx, bob, NULL, "buy", fx->merchant_url, "intro-networks",
                           "--answer", "student=Bob", "--answer", "language=English",
                           "--pay", "ecash", "--yes", "--password-file", fx->password), ==, 0);
  g_assert_cmpint (balance_cents (fx, bob, "purse"), ==, 1000 - 490);
}

/* Over the limit, with the system picked by hand: checked before ordering too. */
static void
test_cannot_pay_limit (Fixture       *fx,
                       gconstpointer  data)
{
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "prefs", "payment", "--limit",
                           "account=1.00EUR", "--password-file", fx->password), ==, 0);
  assert_cannot_pay (fx, fx->wallet, "account", "over your limit of 1.00 EUR for account",
                     "semper prefs payment --limit");
  /* e-cash has no limit: the user pays another way. */
  g_assert_cmpint (SEMPER (fx, fx->wallet, NULL, "buy", fx->merchant_url, "intro-networks",
                           "--answer", "student=Alice", "--answer", "language=English",
                           "--pay", "ecash", "--yes", "--password-file", fx->password), ==, 0);
  g_assert_cmpint (purse_cents (fx), ==, 50000 - 490);
}

/* The merchant takes only account payments, and Bob has no bank account
 * linked: his wallet has no system the merchant accepts. */
static void
test_cannot_pay_no_system (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *bob = bob_wallet (fx, FALSE);

  assert_cannot_pay (fx, bob, "auto", "accepts none of this wallet's payment systems",
                     "semper bank link");
  assert_cannot_pay (fx, bob, "ecash", "does not accept “ecash”", "semper bank link");
  assert_cannot_pay (fx, bob, "account", "link a bank account first", "semper bank link");
}

/* The merchant's offers expire at once (offer_lifetime 0 in its configuration):
 * the wallet refuses the offer before signing anything. */
static void
test_cannot_pay_expired (Fixture       *fx,
                         gconstpointer  data)
{
  assert_cannot_pay (fx, fx->wallet, "auto", "offer has expired", "for a new offer");
  assert_cannot_pay (fx, fx->wallet, "account", "offer has expired", "for a new offer");
}

static const Trial account_only = { "courseware.json", "EUROCOM Courseware", CERTIFIED, NULL,
                                    NULL, "\"payment_systems\": [\"account\"]" };
/* Recovery only at start and on POST /fx/recover: no timer pass between the test's steps. */
static const Trial recovering = { "courseware.json", "EUROCOM Courseware", CERTIFIED, NULL,
                                  ",\"recover_interval\":0", NULL };
static const Trial offer_expires = { "courseware.json", "EUROCOM Courseware", CERTIFIED, NULL,
                                     ",\"offer_lifetime\":0", NULL };

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, trial, fn) \
  g_test_add (path, Fixture, &trial, fixture_set_up, fn, fixture_tear_down)
  ADD ("/semper/merchant/courseware", courseware, test_courseware);
  ADD ("/semper/merchant/account", courseware, test_account);
  ADD ("/semper/merchant/account-resume", courseware, test_account_resume);
  ADD ("/semper/merchant/merchant-recover", recovering, test_merchant_recover);
  ADD ("/semper/merchant/recover-held", recovering, test_merchant_recover_held);
  ADD ("/semper/merchant/subscription", subscription, test_subscription);
  ADD ("/semper/merchant/consultancy", subscription, test_consultancy);
  ADD ("/semper/merchant/subscription-resume", subscription, test_subscription_resume);
  ADD ("/semper/merchant/account-resume-by-id", courseware, test_account_resume_by_id);
  ADD ("/semper/merchant/subscription-resume-by-id", subscription,
       test_subscription_resume_by_id);
  ADD ("/semper/merchant/mail-order", mail_order, test_mail_order);
  ADD ("/semper/merchant/catalog", mail_order, test_catalog);
  ADD ("/semper/merchant/refused/uncertified", uncertified, test_uncertified);
  ADD ("/semper/merchant/refused/foreign-evaluator", foreign, test_foreign_evaluator);
  ADD ("/semper/merchant/refused/price", cheat_price, test_price);
  ADD ("/semper/merchant/refused/unexpected-message", cheat_message, test_unexpected_message);
  ADD ("/semper/merchant/refused/order-lines", cheat_order, test_order_lines);
  ADD ("/semper/merchant/cannot-pay/balance", courseware, test_cannot_pay_balance);
  ADD ("/semper/merchant/cannot-pay/limit", courseware, test_cannot_pay_limit);
  ADD ("/semper/merchant/cannot-pay/no-system", account_only, test_cannot_pay_no_system);
  ADD ("/semper/merchant/cannot-pay/expired", offer_expires, test_cannot_pay_expired);
#undef ADD
  return g_test_run ();
}
