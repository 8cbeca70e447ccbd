/* test-account-payment.c: account payments (PROTOCOLS.md D) through a real
 * `semperd --role bank` over loopback: the merchant's invoice, the buyer's
 * authorisation with the slip enveloped to the bank, authorise, capture,
 * release and refund, each repeated under its idempotency key, and the
 * refusals: insufficient funds, forged or mismatched authorisations, a
 * merchant that cannot read the slip. And e-cash through the same interface.
 *
 * The buyers' wallets (SemperAccountSystem over a profile) and the merchants
 * run in the test process, each on its own profile with a certificate from a
 * test CA; the bank's store is read to check that money is conserved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "semper-account-payment.h"
#include "semper-account-system.h"
#include "semper-archive.h"
#include "semper-bank-request.h"
#include "semper-cms.h"
#include "semper-ecash.h"
#include "semper-ecash-refund.h"
#include "semper-ecash-system.h"
#include "semper-comm-client.h"
#include "semper-headless-consent.h"
#include "semper-money.h"
#include "semper-payment-system.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-purse.h"
#include "semper-test-semperd.h"

#define PASSWORD "account test password"
#define TOTAL (10000 + 500 + 0 + 0 + 3000)

static const char config_text[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":1,\"deposit\":2,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}},\n"
  "  {\"id\":\"mallory\",\"link-code\":\"mallory-code\",\"balances\":{\"EUR\":500}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}},\n"
  "  {\"id\":\"shop2\",\"link-code\":\"shop2-code\"},\n"
  "  {\"id\":\"carol\",\"link-code\":\"carol-code\",\"balances\":{\"EUR\":3000}}]}\n";

static SemperHeadlessConsent *consent_port;

typedef struct {
  SemperTestMarket     market;
  GSubprocess         *bank_proc;
  char                *bank_url;
  char                *bank_fp;
  SemperProfile       *alice;
  SemperProfile       *mallory;
  SemperProfile       *shop;
  SemperProfile       *shop2;
  SemperAccountSystem *alice_pay;
  SemperAccountSystem *mallory_pay;
  guint                n_tid;
} Fixture;

/* Links a wallet through its purse (which remembers the bank) or a merchant
 * through a bank request. */
static void
link_wallet (Fixture       *fx,
             SemperProfile *profile,
             const char    *account,
             const char    *code)
{
  g_object_unref (semper_test_link_purse (profile, fx->bank_url, account, code));
}

static void
link_merchant (Fixture       *fx,
               SemperProfile *profile,
               const char    *account,
               const char    *code)
{
  semper_test_link_account (&fx->market, profile, fx->bank_url, fx->bank_fp, account, code);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  semper_test_market_init (&fx->market, "semper-account-XXXXXX", PASSWORD);
  fx->bank_fp = semper_test_certify_server (&fx->market, "bank", NULL, SEMPER_ROLE_BANK);
  fx->bank_proc = semper_test_start_server (&fx->market, "bank", NULL, config_text,
                                            &fx->bank_url);

  fx->alice = semper_test_make_profile (&fx->market, "alice", NULL, SEMPER_ROLE_WALLET);
  fx->mallory = semper_test_make_profile (&fx->market, "mallory", NULL, SEMPER_ROLE_WALLET);
  fx->shop = semper_test_make_profile (&fx->market, "shop", NULL, SEMPER_ROLE_MERCHANT);
  fx->shop2 = semper_test_make_profile (&fx->market, "shop2", NULL, SEMPER_ROLE_MERCHANT);
  link_wallet (fx, fx->alice, "alice", "alice-code");
  link_wallet (fx, fx->mallory, "mallory", "mallory-code");
  link_merchant (fx, fx->shop, "shop", "shop-code");
  link_merchant (fx, fx->shop2, "shop2", "shop2-code");
  fx->alice_pay = semper_account_system_new (fx->alice, &error);
  g_assert_no_error (error);
  fx->mallory_pay = semper_account_system_new (fx->mallory, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  semper_test_stop_semperd (&fx->bank_proc);
  g_clear_object (&fx->alice_pay);
  g_clear_object (&fx->mallory_pay);
  g_clear_object (&fx->alice);
  g_clear_object (&fx->mallory);
  g_clear_object (&fx->shop);
  g_clear_object (&fx->shop2);
  g_free (fx->bank_url);
  g_free (fx->bank_fp);
  semper_test_market_clear (&fx->market);
}

/* ---- the bank's store ----------------------------------------------------------- */

static void
assert_balances (Fixture *fx,
                 gint64   alice,
                 gint64   held,
                 gint64   shop)
{
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "alice"), ==, alice);
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "_held"), ==, held);
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "shop"), ==, shop);
  g_assert_cmpint (semper_test_bank_db_int (&fx->market,
                                            "SELECT sum (amount) FROM balances "
                                            "WHERE currency = 'EUR'", NULL), ==, TOTAL);
}

/* ---- the parties' steps ---------------------------------------------------------- */

static char *
next_tid (Fixture *fx)
{
  g_autofree char *text = g_strdup_printf ("tid %u", fx->n_tid++);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return semper_sha256_hex (bytes);
}

static GBytes *
make_invoice (Fixture       *fx,
              SemperProfile *merchant,
              const char    *tid,
              gint64         minor)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = semper_test_fingerprint (merchant);
  static const char order[] = "Semper-Document: order/1\nItem: 1 x Book @ 1.00 EUR\n\nThe order\n";
  g_autoptr(GBytes) order_bytes = g_bytes_new_static (order, sizeof order - 1);
  g_autofree char *order_hash = semper_sha256_hex (order_bytes);
  SemperInvoice invoice = { { minor, "EUR" }, fp, (char *) tid, 1790000000, order_hash };
  GBytes *signed_ = semper_invoice_sign (&invoice, semper_profile_get_crypto (merchant), &error);

  g_assert_no_error (error);
  return signed_;
}

/* The buyer's whole side: reserve, prepare (the document), consent, pay. */
static GBytes *
buyer_pay (Fixture             *fx,
           SemperAccountSystem *buyer,
           SemperProfile       *merchant,
           const char          *tid,
           GBytes              *invoice,
           gint64               minor,
           GBytes             **out_document)
{
  SemperPaymentSystem *system = SEMPER_PAYMENT_SYSTEM (buyer);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autofree char *merchant_fp = semper_test_fingerprint (merchant);
  SemperAmount amount = { minor, "EUR" };
  GBytes *proof;

  g_assert_true (semper_payment_system_can_pay (system, &amount, &error));
  g_assert_true (semper_payment_system_reserve (system, tid, &amount, &error));
  g_assert_no_error (error);
  document = semper_payment_system_prepare (system, tid, merchant_fp, invoice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  consent = semper_headless_consent_request (consent_port, document, "payment", &error);
  g_assert_no_error (error);
  proof = semper_payment_system_pay (system, tid, merchant_fp, invoice, consent, &error);
  g_assert_no_error (error);
  if (out_document != NULL)
    *out_document = g_steal_pointer (&document);
  return proof;
}

static SemperAccountAnswer *
send_op (Fixture                *fx,
         SemperProfile          *merchant,
         SemperAccountRequest   *request,
         GBytes                **out_raw,
         GError                **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();

  return semper_account_request_send (request, client, semper_profile_get_crypto (merchant),
                                      fx->market.trust, fx->bank_url, fx->bank_fp, out_raw, error);
}

static SemperAccountAnswer *
authorise (Fixture        *fx,
           SemperProfile  *merchant,
           const char     *key,
           GBytes         *invoice,
           GBytes         *proof,
           GBytes        **out_raw,
           GError        **error)
{
  SemperAccountRequest request = { SEMPER_ACCOUNT_OP_AUTHORISE, (char *) key, invoice, proof };

  return send_op (fx, merchant, &request, out_raw, error);
}

static SemperAccountAnswer *
settle (Fixture          *fx,
        SemperProfile    *merchant,
        SemperAccountOp   op,
        const char       *key,
        const char       *common,
        gint64            refund,
        GBytes          **out_raw,
        GError          **error)
{
  SemperAccountRequest request = { op, (char *) key, NULL, NULL, (char *) common,
                                   { refund, "EUR" } };

  return send_op (fx, merchant, &request, out_raw, error);
}

static char *
common_of (Fixture *fx,
           GBytes  *invoice)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperInvoice) parsed = NULL;
  char *common = NULL;

  parsed = semper_invoice_verify (invoice, fx->market.trust, &common, &error);
  g_assert_no_error (error);
  return common;
}

static gboolean
bytes_equal (GBytes *a,
             GBytes *b)
{
  return g_bytes_equal (a, b);
}

/* ---- tests ---------------------------------------------------------------------- */

/* Authorise holds the money, capture pays the merchant, refunds pay it back,
 * and the buyer's wallet takes the bank's signed refund. */
static void
test_capture_and_refund (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 1250);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 1250, NULL);
  g_autofree char *common = common_of (fx, invoice);
  g_autoptr(SemperAccountAnswer) auth = NULL;
  g_autoptr(SemperAccountAnswer) cap = NULL;
  g_autoptr(SemperAccountAnswer) ref = NULL;
  g_autoptr(SemperAccountAnswer) over = NULL;
  g_autoptr(GBytes) refund_raw = NULL;

  assert_balances (fx, 10000, 0, 0);
  auth = authorise (fx, fx->shop, "auth-1", invoice, proof, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (auth->yes);
  g_assert_cmpstr (auth->common, ==, common);
  g_assert_cmpint (auth->amount.minor, ==, 1250);
  assert_balances (fx, 10000 - 1250, 1250, 0);

  cap = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "cap-1", common, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cap->yes);
  assert_balances (fx, 10000 - 1250, 0, 1250);
  g_assert_true (semper_payment_system_commit (SEMPER_PAYMENT_SYSTEM (fx->alice_pay), tid,
                                               &error));

  /* A release after the capture is refused; so is capture twice. */
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_RELEASE, "rel-1", common, 0, NULL,
                         &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "cap-2", common, 0, NULL,
                         &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  ref = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_REFUND, "ref-1", common, 250, &refund_raw,
                &error);
  g_assert_no_error (error);
  g_assert_true (ref->yes);
  g_assert_cmpint (ref->amount.minor, ==, 250);
  assert_balances (fx, 10000 - 1000, 0, 1000);
  g_assert_true (semper_payment_system_refund (SEMPER_PAYMENT_SYSTEM (fx->alice_pay), tid,
                                               refund_raw, &error));
  g_assert_no_error (error);

  /* More than is left of the payment is refused and moves nothing. */
  over = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_REFUND, "ref-2", common, 1001, NULL, &error);
  g_assert_null (over);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (error->message, "more than"));
  assert_balances (fx, 10000 - 1000, 0, 1000);
}

static void
test_release (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 700);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 700, NULL);
  g_autofree char *common = common_of (fx, invoice);
  g_autoptr(SemperAccountAnswer) auth = NULL;
  g_autoptr(SemperAccountAnswer) rel = NULL;
  g_autoptr(GBytes) raw = NULL;

  auth = authorise (fx, fx->shop, "auth-r", invoice, proof, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (auth->yes);
  assert_balances (fx, 10000 - 700, 700, 0);
  rel = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_RELEASE, "rel-r", common, 0, &raw, &error);
  g_assert_no_error (error);
  g_assert_true (rel->yes);
  assert_balances (fx, 10000, 0, 0);
  /* Released once, whatever the merchant repeats under the key. */
  for (guint n = 0; n < 2; n++)
    {
      g_autoptr(SemperAccountAnswer) again = NULL;
      g_autoptr(GBytes) raw_again = NULL;

      again = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_RELEASE, "rel-r", common, 0, &raw_again,
                      &error);
      g_assert_no_error (error);
      g_assert_true (bytes_equal (raw, raw_again));
      assert_balances (fx, 10000, 0, 0);
    }
  g_assert_true (semper_payment_system_reclaim (SEMPER_PAYMENT_SYSTEM (fx->alice_pay), tid, NULL,
                                                &error));

  /* Nothing to capture or refund after a release. */
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "cap-r", common, 0, NULL,
                         &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_REFUND, "ref-r", common, 100, NULL,
                         &error));
  g_assert_nonnull (error);
  assert_balances (fx, 10000, 0, 0);
}

/* Mallory has 5.00 EUR: the bank signs a clear no, and nothing moves. */
static void
test_insufficient (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 1000);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->mallory_pay, fx->shop, tid, invoice, 1000, NULL);
  g_autoptr(SemperAccountAnswer) auth = NULL;
  g_autoptr(SemperAccountAnswer) again = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) raw_again = NULL;
  g_autofree char *common = common_of (fx, invoice);

  auth = authorise (fx, fx->shop, "auth-poor", invoice, proof, &raw, &error);
  g_assert_no_error (error);
  g_assert_false (auth->yes);
  g_assert_cmpstr (auth->reason, ==, "insufficient-funds");
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "mallory"), ==, 500);
  assert_balances (fx, 10000, 0, 0);
  again = authorise (fx, fx->shop, "auth-poor", invoice, proof, &raw_again, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_equal (raw, raw_again));
  /* A no holds nothing: there is nothing to capture. */
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "cap-poor", common, 0, NULL,
                         &error));
  g_assert_nonnull (error);
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "mallory"), ==, 500);
}

/* Every op repeated under its key returns the first answer, byte for byte,
 * and moves the money once; a key reused for another request is refused. */
static void
test_idempotency (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 900);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 900, NULL);
  g_autofree char *common = common_of (fx, invoice);
  g_autoptr(GBytes) proof_again = NULL;
  struct {
    SemperAccountOp op;
    const char     *key;
    gint64          refund;
    gint64          alice, held, shop;
  } steps[] = {
    { SEMPER_ACCOUNT_OP_AUTHORISE, "i-auth", 0, 10000 - 900, 900, 0 },
    { SEMPER_ACCOUNT_OP_CAPTURE, "i-cap", 0, 10000 - 900, 0, 900 },
    { SEMPER_ACCOUNT_OP_REFUND, "i-ref", 300, 10000 - 600, 0, 600 },
  };

  /* pay() again returns the same proof: it is made once. */
  proof_again = semper_payment_system_pay (SEMPER_PAYMENT_SYSTEM (fx->alice_pay), tid, "x",
                                           invoice, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_equal (proof, proof_again));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GBytes) first = NULL;

      for (guint n = 0; n < 3; n++)
        {
          g_autoptr(SemperAccountAnswer) answer = NULL;
          g_autoptr(GBytes) raw = NULL;

          if (steps[i].op == SEMPER_ACCOUNT_OP_AUTHORISE)
            answer = authorise (fx, fx->shop, steps[i].key, invoice, proof, &raw, &error);
          else
            answer = settle (fx, fx->shop, steps[i].op, steps[i].key, common, steps[i].refund,
                             &raw, &error);
          g_assert_no_error (error);
          g_assert_true (answer->yes);
          if (first == NULL)
            first = g_bytes_ref (raw);
          else
            g_assert_true (bytes_equal (first, raw));
          assert_balances (fx, steps[i].alice, steps[i].held, steps[i].shop);
        }
    }

  /* The refund's key with another amount: refused, nothing moves. */
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_REFUND, "i-ref", common, 100, NULL,
                         &error));
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (error->message, "idempotency key"));
  g_clear_error (&error);
  /* The same invoice authorised again under a new key: refused. */
  g_assert_null (authorise (fx, fx->shop, "i-auth-2", invoice, proof, NULL, &error));
  g_assert_nonnull (error);
  assert_balances (fx, 10000 - 600, 0, 600);
}

static void
assert_refused (Fixture       *fx,
                SemperProfile *merchant,
                const char    *key,
                GBytes        *invoice,
                GBytes        *proof,
                const char    *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperAccountAnswer) answer = authorise (fx, merchant, key, invoice, proof, NULL,
                                                     &error);

  g_assert_null (answer);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected “%s” in: %s", fragment, error->message);
}

/* Replaces the first @from in binary @bytes by @to (same length). */
static GBytes *
replace_in (GBytes     *bytes,
            const char *from,
            const char *to)
{
  gsize len = 0, n = strlen (from);
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint8 *copy = g_memdup2 (data, len);

  g_assert_cmpuint (strlen (to), ==, n);
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (copy + i, from, n) == 0)
      {
        memcpy (copy + i, to, n);
        return g_bytes_new_take (copy, len);
      }
  g_error ("“%s” not found", from);
}

/* Forged and mismatched authorisations are refused and move nothing. */
static void
test_forged (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 400);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 400, NULL);
  g_autofree char *tid2 = next_tid (fx);
  g_autoptr(GBytes) dearer = make_invoice (fx, fx->shop, tid, 4000);
  g_autoptr(GBytes) invoice_m = make_invoice (fx, fx->shop, tid2, 300);
  g_autoptr(GBytes) proof_m = NULL;
  g_autoptr(SemperAccountProof) parsed = NULL;
  g_autoptr(SemperAccountProof) mixed = NULL;
  g_autoptr(GBytes) mixed_json = NULL;
  g_autoptr(GBytes) altered = NULL;
  g_autoptr(GBytes) altered_json = NULL;
  g_autoptr(GBytes) content = NULL;
  SemperAccountProof swapped = { 0 };

  /* The merchant raises the price after the buyer authorised it. */
  assert_refused (fx, fx->shop, "f-1", dearer, proof, "does not match");
  /* Another merchant forwards the shop's invoice and proof. */
  assert_refused (fx, fx->shop2, "f-2", invoice, proof, "another merchant");

  /* Mallory claims alice's account: her wallet's slip names "alice". */
  g_assert_true (semper_archive_pref_set (semper_profile_get_archive (fx->mallory),
                                          "bank.account", "alice", &error));
  proof_m = buyer_pay (fx, fx->mallory_pay, fx->shop, tid2, invoice_m, 300, NULL);
  assert_refused (fx, fx->shop, "f-3", invoice_m, proof_m, "holder");

  /* An authorisation whose document was altered after signing. */
  parsed = semper_account_proof_parse (proof, &error);
  g_assert_no_error (error);
  content = semper_cms_verify (parsed->authorisation, fx->market.trust, NULL, &error);
  g_assert_no_error (error);
  altered = replace_in (parsed->authorisation, "4.00 EUR", "0.40 EUR");
  swapped.authorisation = altered;
  swapped.slip = parsed->slip;
  altered_json = semper_account_proof_to_json (&swapped);
  assert_refused (fx, fx->shop, "f-4", invoice, altered_json, "authorisation");

  /* Alice's authorisation with mallory's slip. */
  mixed = semper_account_proof_parse (proof_m, &error);
  g_assert_no_error (error);
  swapped.authorisation = parsed->authorisation;
  swapped.slip = mixed->slip;
  mixed_json = semper_account_proof_to_json (&swapped);
  assert_refused (fx, fx->shop, "f-5", invoice, mixed_json, "does not match");

  assert_balances (fx, 10000, 0, 0);
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "mallory"), ==, 500);
}

/* The merchant cannot open the slip, and neither the proof nor the invoice
 * names the buyer's account; the bank gets only H(order). */
static void
test_privacy (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 100);
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 100,
                                       &document);
  g_autoptr(SemperAccountProof) parsed = semper_account_proof_parse (proof, &error);
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) invoice_json = NULL;
  g_autofree char *proof_text = g_strndup (g_bytes_get_data (proof, NULL),
                                           g_bytes_get_size (proof));
  g_autofree char *doc_text = g_strndup (g_bytes_get_data (document, NULL),
                                         g_bytes_get_size (document));
  g_autofree char *invoice_text = NULL;
  g_autoptr(SemperAccountAnswer) auth = NULL;

  g_assert_no_error (error);
  opened = semper_cms_decrypt (semper_profile_get_crypto (fx->shop), parsed->slip, &error);
  g_assert_null (opened);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (strstr (doc_text, "alice"));
  g_assert_null (strstr (proof_text, "alice"));
  invoice_json = semper_cms_verify (invoice, fx->market.trust, NULL, &error);
  g_assert_no_error (error);
  invoice_text = g_strndup (g_bytes_get_data (invoice_json, NULL),
                            g_bytes_get_size (invoice_json));
  g_assert_null (strstr (invoice_text, "Book"));
  /* ... and yet the bank pays it. */
  auth = authorise (fx, fx->shop, "p-1", invoice, proof, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (auth->yes);
}

/* The wallet refuses an invoice for another transaction, merchant or price. */
static void
test_wallet_checks (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autofree char *other = next_tid (fx);
  g_autoptr(GBytes) wrong_tid = make_invoice (fx, fx->shop, other, 100);
  g_autoptr(GBytes) wrong_price = make_invoice (fx, fx->shop, tid, 101);
  g_autoptr(GBytes) good = make_invoice (fx, fx->shop, tid, 100);
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  g_autofree char *shop2_fp = semper_test_fingerprint (fx->shop2);
  SemperPaymentSystem *system = SEMPER_PAYMENT_SYSTEM (fx->alice_pay);
  SemperAmount amount = { 100, "EUR" };
  GBytes *doc;

  g_assert_cmpstr (semper_payment_system_get_id (system), ==, "account");
  g_assert_cmpint (semper_payment_system_get_kind (system), ==,
                   SEMPER_PAYMENT_KIND_ACCOUNT_BASED);
  g_assert_null (semper_payment_system_pay (system, tid, shop_fp, good, NULL, &error));
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (semper_payment_system_reserve (system, tid, &amount, &error));
  doc = semper_payment_system_prepare (system, tid, shop_fp, wrong_tid, &error);
  g_assert_null (doc);
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID);
  g_clear_error (&error);
  doc = semper_payment_system_prepare (system, tid, shop_fp, wrong_price, &error);
  g_assert_null (doc);
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID);
  g_clear_error (&error);
  doc = semper_payment_system_prepare (system, tid, shop2_fp, good, &error);
  g_assert_null (doc);
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID);
  g_clear_error (&error);
  /* Without the user's consent nothing is signed. */
  doc = semper_payment_system_prepare (system, tid, shop_fp, good, &error);
  g_assert_no_error (error);
  g_bytes_unref (doc);
  g_assert_null (semper_payment_system_pay (system, tid, shop_fp, good, NULL, &error));
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE);
}

/* E-cash through the same interface: can_pay follows the purse, prepare needs
 * no document, the proof's coins deposit at the bank for the merchant, and a
 * reclaimed reservation comes back to the purse, and a merchant's refund
 * arrives as fresh coins without the merchant learning who the buyer is. */
static void
test_ecash_system (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperEcashSystem) ecash = semper_ecash_system_new (fx->alice, &error);
  SemperPurse *purse;
  g_autoptr(GBytes) doc = NULL;
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autofree char *tid2 = next_tid (fx);
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  SemperPaymentSystem *system;
  SemperAmount amount = { 300, "EUR" }, balance_now;

  g_assert_no_error (error);
  purse = semper_ecash_system_get_purse (ecash);
  system = SEMPER_PAYMENT_SYSTEM (ecash);
  g_assert_cmpstr (semper_payment_system_get_id (system), ==, "ecash");
  g_assert_cmpint (semper_payment_system_get_kind (system), ==, SEMPER_PAYMENT_KIND_CASH_LIKE);
  g_assert_false (semper_payment_system_can_pay (system, &amount, &error));
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY);
  g_clear_error (&error);

  g_assert_true (semper_purse_withdraw (purse, &(SemperAmount) { 500, "EUR" }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (semper_payment_system_can_pay (system, &amount, &error));
  g_assert_true (semper_payment_system_reserve (system, tid, &amount, &error));
  g_assert_no_error (error);
  doc = semper_payment_system_prepare (system, tid, shop_fp, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (doc);
  proof = semper_payment_system_pay (system, tid, shop_fp, NULL, NULL, &error);
  g_assert_no_error (error);
  coins = semper_ecash_proof_parse (proof, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (coins->len, ==, 3);

  /* The merchant deposits each coin of the proof. */
  for (guint i = 0; i < coins->len; i++)
    {
      SemperPurseSpend *spend = coins->pdata[i];
      g_autofree char *key = g_strdup_printf ("dep-%u", i);
      g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT,
                                                                      key);
      g_autoptr(SemperBankAnswer) answer = NULL;
      g_autoptr(SemperCommClient) client = semper_comm_client_new ();

      request->coin = g_bytes_ref (spend->coin);
      request->permission = g_bytes_ref (spend->permission);
      request->signature = g_bytes_ref (spend->signature);
      answer = semper_bank_request_send (request, client, semper_profile_get_crypto (fx->shop),
                                         fx->market.trust, fx->bank_url, fx->bank_fp, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (answer->result, ==, "ok");
    }
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "shop"), ==, 3 * (100 - 2));
  g_assert_true (semper_payment_system_commit (system, tid, &error));
  g_assert_no_error (error);
  g_assert_true (semper_purse_get_balance (purse, "EUR", &balance_now, &error));
  g_assert_cmpint (balance_now.minor, ==, 200);

  /* An aborted payment: the reserved coins come back. */
  amount.minor = 200;
  g_assert_true (semper_payment_system_reserve (system, tid2, &amount, &error));
  g_assert_true (semper_purse_get_balance (purse, "EUR", &balance_now, &error));
  g_assert_cmpint (balance_now.minor, ==, 0);
  g_assert_true (semper_payment_system_reclaim (system, tid2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (semper_purse_get_balance (purse, "EUR", &balance_now, &error));
  g_assert_cmpint (balance_now.minor, ==, 200);
  g_assert_cmpint (semper_payment_system_recover (system, &error), >=, 0);
  g_assert_no_error (error);

  /* The merchant refunds 2.00 EUR of the first payment as fresh coins it
   * withdraws from its account for the buyer's blinded requests. */
  {
    SemperAmount back = { 200, "EUR" };
    g_autoptr(GBytes) ask = semper_ecash_refund_ask (fx->alice, tid, &back, &error);
    g_autoptr(GBytes) ask_again = NULL;
    g_autoptr(GBytes) answer = NULL;
    g_autoptr(GBytes) answer_again = NULL;
    g_autoptr(SemperCommClient) client = semper_comm_client_new ();
    g_autofree char *ask_text = NULL;

    g_assert_no_error (error);
    ask_again = semper_ecash_refund_ask (fx->alice, tid, &back, &error);
    g_assert_no_error (error);
    g_assert_true (bytes_equal (ask, ask_again));
    ask_text = g_strndup (g_bytes_get_data (ask, NULL), g_bytes_get_size (ask));
    g_assert_null (strstr (ask_text, "alice"));
    answer = semper_ecash_refund_pay (ask, client, semper_profile_get_crypto (fx->shop),
                                      fx->market.trust, fx->bank_url, fx->bank_fp, "shop",
                                      "refund-1", &error);
    g_assert_no_error (error);
    answer_again = semper_ecash_refund_pay (ask, client, semper_profile_get_crypto (fx->shop),
                                            fx->market.trust, fx->bank_url, fx->bank_fp, "shop",
                                            "refund-1", &error);
    g_assert_no_error (error);
    g_assert_true (bytes_equal (answer, answer_again));
    /* 2 coins of 1.00 EUR, 0.01 EUR withdraw fee each, from the merchant. */
    g_assert_cmpint (semper_test_bank_balance (&fx->market, "shop"), ==,
                     3 * (100 - 2) - 200 - 2);
    g_assert_true (semper_payment_system_refund (system, tid, answer, &error));
    g_assert_no_error (error);
    g_assert_true (semper_payment_system_refund (system, tid, answer, &error));
    g_assert_no_error (error);
    g_assert_true (semper_purse_get_balance (purse, "EUR", &balance_now, &error));
    g_assert_cmpint (balance_now.minor, ==, 400);
  }
}

/* The buyer's refund request under @key with the TTP's signed fx/revoke of
 * the exchange @tid between alice and the shop. */
static SemperBankRequest *
revoke_request (Fixture    *fx,
                const char *tid,
                const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) ttp = semper_test_make_profile (&fx->market, "ttp", NULL,
                                                           SEMPER_ROLE_TTP);
  g_autofree char *ttp_fp = semper_test_fingerprint (ttp);
  g_autofree char *alice_fp = semper_test_fingerprint (fx->alice);
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) revoke = NULL;
  SemperBankRequest *request = semper_bank_request_new (SEMPER_BANK_OP_REFUND, key);

  json_object_set_string_member (fields, "m1_hash", tid);
  revoke = semper_protocol_message_new_for (SEMPER_PROTOCOL_FX, "revoke",
                                            "00112233445566778899aabbccddeeff", alice_fp,
                                            shop_fp, ttp_fp, fields);
  request->token = semper_protocol_message_sign (revoke, semper_profile_get_crypto (ttp),
                                                 &error);
  g_assert_no_error (error);
  return request;
}

/* The buyer sends @request: it refunds 8.00 EUR to alice, and sent again,
 * the bank answers the same bytes and moves nothing. */
static void
assert_refunds_once (Fixture           *fx,
                     SemperBankRequest *request,
                     gint64             alice,
                     gint64             shop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperBankAnswer) again = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) raw_again = NULL;
  SemperCrypto *crypto = semper_profile_get_crypto (fx->alice);

  answer = semper_bank_request_send (request, client, crypto, fx->market.trust, fx->bank_url,
                                     fx->bank_fp, &raw, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->result, ==, "ok");
  g_assert_cmpint (answer->amount.minor, ==, 800);
  assert_balances (fx, alice, 0, shop);
  again = semper_bank_request_send (request, client, crypto, fx->market.trust, fx->bank_url,
                                    fx->bank_fp, &raw_again, &error);
  g_assert_no_error (error);
  g_assert_true (bytes_equal (raw, raw_again));
  assert_balances (fx, alice, 0, shop);
}

/* The TTP's fx/revoke of an exchange paid from an account: the buyer's
 * refund request gives back a captured payment, once (a hold it releases);
 * nothing more can be authorised or captured under the revoked tid. */
static void
test_revoke (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 800);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 800, NULL);
  g_autofree char *common = common_of (fx, invoice);
  g_autoptr(SemperAccountAnswer) auth = NULL;
  g_autoptr(SemperAccountAnswer) cap = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(GBytes) later = NULL;
  g_autoptr(GBytes) later_proof = NULL;

  auth = authorise (fx, fx->shop, "v-auth", invoice, proof, NULL, &error);
  g_assert_no_error (error);
  cap = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "v-cap", common, 0, NULL, &error);
  g_assert_no_error (error);
  assert_balances (fx, 10000 - 800, 0, 800);

  request = revoke_request (fx, tid, "v-refund");
  assert_refunds_once (fx, request, 10000, 0);

  /* The buyer's wallet forgets the payment; nothing more is paid under the
   * revoked exchange, whoever pays. */
  g_assert_true (semper_payment_system_reclaim (SEMPER_PAYMENT_SYSTEM (fx->alice_pay), tid, NULL,
                                                &error));
  g_assert_no_error (error);
  later = make_invoice (fx, fx->shop, tid, 100);
  later_proof = buyer_pay (fx, fx->mallory_pay, fx->shop, tid, later, 100, NULL);
  assert_refused (fx, fx->shop, "v-auth-2", later, later_proof, "revoked");
  g_assert_null (settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "v-cap-2", common, 0, NULL,
                         &error));
  g_assert_nonnull (error);
  assert_balances (fx, 10000, 0, 0);
  g_assert_cmpint (semper_test_bank_balance (&fx->market, "mallory"), ==, 500);
}

/* The shop takes @n coins of 1.00 EUR out of its account (plus the fees). */
static void
drain_shop (Fixture *fx,
            guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = g_strconcat (fx->bank_url, "/bank/denominations", NULL);
  g_autoptr(GBytes) body = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SemperDenomination) denom = NULL;
  g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW,
                                                                   "drain");
  g_autoptr(GPtrArray) creqs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_coin_request_free);
  g_autoptr(SemperBankAnswer) answer = NULL;
  SemperBankDenominationEntry *entry;

  g_assert_no_error (error);
  entries = semper_bank_denominations_parse (body, &error);
  g_assert_no_error (error);
  entry = g_ptr_array_index (entries, 0);
  denom = semper_denomination_new_from_signed (entry->signed_description, fx->market.trust,
                                               &error);
  g_assert_no_error (error);
  request->account = g_strdup ("shop");
  for (guint i = 0; i < n; i++)
    {
      SemperCoinRequest *creq = semper_coin_request_new (denom, &error);

      g_assert_no_error (error);
      g_ptr_array_add (creqs, creq);
      semper_bank_request_add_coin (request, semper_denomination_get_id (denom),
                                    semper_coin_request_get_blinded (creq));
    }
  answer = semper_bank_request_send (request, client, semper_profile_get_crypto (fx->shop),
                                     fx->market.trust, fx->bank_url, fx->bank_fp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->result, ==, "ok");
}

/* A TTP's revoke while the merchant's account no longer holds the payment:
 * the buyer is paid back at once, and once; the merchant's account goes
 * below zero (the bank's claim against it, as with a chargeback), pays
 * nothing out while it is, and a later payment brings it back. */
static void
test_revoke_short (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tid = next_tid (fx);
  g_autofree char *tid2 = next_tid (fx);
  g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 800);
  g_autoptr(GBytes) invoice2 = make_invoice (fx, fx->shop, tid2, 800);
  g_autoptr(GBytes) proof = buyer_pay (fx, fx->alice_pay, fx->shop, tid, invoice, 800, NULL);
  g_autoptr(GBytes) proof2 = buyer_pay (fx, fx->alice_pay, fx->shop, tid2, invoice2, 800, NULL);
  g_autofree char *common = common_of (fx, invoice);
  g_autofree char *common2 = common_of (fx, invoice2);
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankRequest) withdraw = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW,
                                                                    "s-withdraw");
  g_autoptr(SemperBankAnswer) refused = NULL;
  g_autoptr(SemperBankAnswer) balance = NULL;
  g_autoptr(SemperBankRequest) ask = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperAccountAnswer) a = NULL;
  g_autoptr(SemperAccountAnswer) c = NULL;
  g_autoptr(SemperAccountAnswer) a2 = NULL;
  g_autoptr(SemperAccountAnswer) c2 = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = g_strconcat (fx->bank_url, "/bank/denominations", NULL);
  g_autoptr(SemperDenomination) denom = NULL;
  g_autoptr(SemperCoinRequest) creq = NULL;

  a = authorise (fx, fx->shop, "s-auth", invoice, proof, NULL, &error);
  g_assert_no_error (error);
  c = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "s-cap", common, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (c->yes);
  drain_shop (fx, 7);
  assert_balances (fx, 10000 - 800, 0, 800 - 707);

  /* Short: the buyer gets the 8.00 EUR all the same, once; the shop owes 7.07 EUR. */
  request = revoke_request (fx, tid, "s-refund");
  assert_refunds_once (fx, request, 10000, 800 - 707 - 800);
  g_assert_cmpint (semper_test_bank_db_int (&fx->market,
                                            "SELECT count (*) FROM fx_revoked WHERE tid = ?",
                                            tid), ==, 1);
  /* The merchant sees its balance below zero, and can withdraw nothing. */
  ask->account = g_strdup ("shop");
  balance = semper_bank_request_send (ask, client, semper_profile_get_crypto (fx->shop),
                                      fx->market.trust, fx->bank_url, fx->bank_fp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (balance->balances->len, ==, 1);
  g_assert_cmpint (g_array_index (balance->balances, SemperAmount, 0).minor, ==, -707);
  body = semper_comm_client_get_sync (client, url, NULL, NULL, &error);
  g_assert_no_error (error);
  entries = semper_bank_denominations_parse (body, &error);
  g_assert_no_error (error);
  denom = semper_denomination_new_from_signed (
    ((SemperBankDenominationEntry *) g_ptr_array_index (entries, 0))->signed_description,
    fx->market.trust, &error);
  g_assert_no_error (error);
  creq = semper_coin_request_new (denom, &error);
  g_assert_no_error (error);
  withdraw->account = g_strdup ("shop");
  semper_bank_request_add_coin (withdraw, semper_denomination_get_id (denom),
                                semper_coin_request_get_blinded (creq));
  refused = semper_bank_request_send (withdraw, client, semper_profile_get_crypto (fx->shop),
                                      fx->market.trust, fx->bank_url, fx->bank_fp, NULL, &error);
  g_assert_null (refused);
  g_assert_cmpstr (semper_comm_error_get_code (error), ==, "insufficient-funds");
  g_clear_error (&error);
  assert_balances (fx, 10000, 0, -707);

  /* Another payment brings the merchant's account back above zero. */
  a2 = authorise (fx, fx->shop, "s-auth-2", invoice2, proof2, NULL, &error);
  g_assert_no_error (error);
  c2 = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, "s-cap-2", common2, 0, NULL, &error);
  g_assert_no_error (error);
  assert_balances (fx, 10000 - 800, 0, 800 - 707);
}

/* ---- a wallet killed at each journal point of an account payment ---------------- */

/* carol's wallet in purse-crash-helper: see semper_test_run_purse_helper(). */
#define run_helper(fx, crash_after, ...) \
  semper_test_run_purse_helper (&(fx)->market, "carol", crash_after, __VA_ARGS__)

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

/* The slip carol's wallet journaled for @tid (NULL when there is none). */
static GBytes *
journaled_slip (Fixture    *fx,
                const char *tid)
{
  g_autofree char *key = g_strconcat ("account.payment.", tid, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) carol = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *slip;
  gsize len = 0;
  guchar *raw;

  carol = semper_test_open_profile (&fx->market, "carol");
  text = semper_archive_pref_get (semper_profile_get_archive (carol), key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (text);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  slip = json_object_get_string_member_with_default (json_node_get_object (root), "slip", NULL);
  if (slip == NULL)
    return NULL;
  raw = g_base64_decode (slip, &len);
  return g_bytes_new_take (raw, len);
}

/* Carol's wallet is killed right after each state of an account payment is
 * stored, and pays again in a new process: the same slip (the user approves
 * one authorisation per invoice), the same proof after paid, the bank moves
 * the money once whatever the merchant repeats, and the sum of all accounts
 * never changes. */
static void
test_crash (Fixture       *fx,
            gconstpointer  data)
{
  static const char * const points[] = {
    "account:reserved", "account:prepared", "account:paid", "account:done",
  };
  g_autoptr(SemperProfile) carol = NULL;
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  g_autofree char *invoice_path = g_build_filename (fx->market.dir, "invoice", NULL);
  g_autofree char *proof_path = g_build_filename (fx->market.dir, "proof", NULL);
  gint64 carol_balance = 3000, shop_balance = 0;

  carol = semper_test_make_profile (&fx->market, "carol", NULL, SEMPER_ROLE_WALLET);
  link_wallet (fx, carol, "carol", "carol-code");
  g_clear_object (&carol);

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *tid = next_tid (fx);
      g_autoptr(GBytes) invoice = make_invoice (fx, fx->shop, tid, 400);
      g_autofree char *common = common_of (fx, invoice);
      g_autofree char *auth_key = g_strdup_printf ("crash-auth-%u", i);
      g_autofree char *auth_key2 = g_strdup_printf ("crash-auth-%u-again", i);
      g_autofree char *cap_key = g_strdup_printf ("crash-cap-%u", i);
      g_autoptr(GBytes) slip = NULL;
      g_autoptr(GBytes) proof = NULL;
      g_autoptr(GBytes) proof_again = NULL;
      g_autoptr(GBytes) raw1 = NULL;
      g_autoptr(GBytes) raw2 = NULL;
      g_autoptr(SemperAccountProof) parsed = NULL;
      g_autoptr(SemperAccountAnswer) a1 = NULL;
      g_autoptr(SemperAccountAnswer) a2 = NULL;
      g_autoptr(SemperAccountAnswer) a3 = NULL;
      g_autoptr(SemperAccountAnswer) cap = NULL;
      gboolean at_done = g_str_equal (points[i], "account:done");

      g_test_message ("crash after %s", points[i]);
      g_file_set_contents (invoice_path, g_bytes_get_data (invoice, NULL),
                           g_bytes_get_size (invoice), &error);
      g_assert_no_error (error);
      if (!at_done)
        {
          g_assert_cmpint (run_helper (fx, points[i], "account-pay", tid, shop_fp, invoice_path,
                                       "400", proof_path, NULL), ==, -SIGKILL);
          assert_balances (fx, 10000, 0, shop_balance);
          g_assert_cmpint (semper_test_bank_balance (&fx->market, "carol"), ==, carol_balance);
          slip = journaled_slip (fx, tid);
          /* Before prepare nothing was journaled but the amount. */
          g_assert_true ((slip != NULL) == (i == 1));
        }
      g_assert_cmpint (run_helper (fx, NULL, "account-pay", tid, shop_fp, invoice_path, "400",
                                   proof_path, NULL), ==, 0);
      proof = read_bytes (proof_path);
      parsed = semper_account_proof_parse (proof, &error);
      g_assert_no_error (error);
      if (slip != NULL)
        g_assert_true (g_bytes_equal (slip, parsed->slip));
      /* Paid: a new process hands out the same proof. */
      g_assert_cmpint (run_helper (fx, NULL, "account-pay", tid, shop_fp, invoice_path, "400",
                                   proof_path, NULL), ==, 0);
      proof_again = read_bytes (proof_path);
      g_assert_true (g_bytes_equal (proof, proof_again));

      /* The merchant's authorise, repeated under its key: one debit. */
      a1 = authorise (fx, fx->shop, auth_key, invoice, proof, &raw1, &error);
      g_assert_no_error (error);
      g_assert_true (a1->yes);
      a2 = authorise (fx, fx->shop, auth_key, invoice, proof, &raw2, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (raw1, raw2));
      a3 = authorise (fx, fx->shop, auth_key2, invoice, proof, NULL, &error);
      g_assert_null (a3);
      g_assert_nonnull (error);
      g_clear_error (&error);
      carol_balance -= 400;
      g_assert_cmpint (semper_test_bank_balance (&fx->market, "carol"), ==, carol_balance);
      cap = settle (fx, fx->shop, SEMPER_ACCOUNT_OP_CAPTURE, cap_key, common, 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (cap->yes);
      shop_balance += 400;

      if (at_done)
        g_assert_cmpint (run_helper (fx, points[i], "account-commit", tid, NULL), ==, -SIGKILL);
      g_assert_cmpint (run_helper (fx, NULL, "account-commit", tid, NULL), ==, 0);
      assert_balances (fx, 10000, 0, shop_balance);
      g_assert_cmpint (semper_test_bank_balance (&fx->market, "carol"), ==, carol_balance);
    }

  /* The shop refunds 3.00 EUR as fresh coins: carol's wallet killed once its
   * coin requests are journaled and once the coins are stored. The request
   * is the same after the crash, the coins arrive once. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *tid = next_tid (fx);
    g_autofree char *ask_path = g_build_filename (fx->market.dir, "refund-request", NULL);
    g_autofree char *answer_path = g_build_filename (fx->market.dir, "refund-answer", NULL);
    g_autoptr(GBytes) ask = NULL;
    g_autoptr(GBytes) ask_again = NULL;
    g_autoptr(GBytes) answer = NULL;
    g_autoptr(SemperEcashRefundRequest) parsed = NULL;
    g_autoptr(SemperCommClient) client = semper_comm_client_new ();
    g_autoptr(GPtrArray) coins = NULL;
    gint64 purse = 0;

    g_assert_cmpint (run_helper (fx, "refund:asked", "refund-ask", tid, "300", ask_path, NULL),
                     ==, -SIGKILL);
    g_assert_cmpint (run_helper (fx, NULL, "refund-ask", tid, "300", ask_path, NULL), ==, 0);
    ask = read_bytes (ask_path);
    parsed = semper_ecash_refund_request_parse (ask, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (parsed->coins->len, ==, 3);
    g_assert_cmpint (run_helper (fx, NULL, "refund-ask", tid, "300", ask_path, NULL), ==, 0);
    ask_again = read_bytes (ask_path);
    g_assert_true (g_bytes_equal (ask, ask_again));

    answer = semper_ecash_refund_pay (ask, client, semper_profile_get_crypto (fx->shop),
                                      fx->market.trust, fx->bank_url, fx->bank_fp, "shop",
                                      "crash-refund", &error);
    g_assert_no_error (error);
    shop_balance -= 300 + 3;
    assert_balances (fx, 10000, 0, shop_balance);
    g_file_set_contents (answer_path, g_bytes_get_data (answer, NULL),
                         g_bytes_get_size (answer), &error);
    g_assert_no_error (error);
    g_assert_cmpint (run_helper (fx, "refund:finished", "refund-finish", tid, answer_path,
                                 NULL), ==, -SIGKILL);
    g_assert_cmpint (run_helper (fx, NULL, "refund-finish", tid, answer_path, NULL), ==, 0);

    carol = semper_test_open_profile (&fx->market, "carol");
    coins = semper_archive_coin_list (semper_profile_get_archive (carol), SEMPER_PURSE_SYSTEM,
                                      "fresh", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < coins->len; i++)
      purse += ((SemperArchiveCoin *) g_ptr_array_index (coins, i))->value.minor;
    g_assert_cmpint (purse, ==, 300);
    g_assert_cmpint (semper_test_bank_balance (&fx->market, "_ecash"), ==, 300);
    assert_balances (fx, 10000, 0, shop_balance);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  FILE *devnull;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  devnull = fopen ("/dev/null", "w");
  g_assert_nonnull (devnull);
  consent_port = semper_headless_consent_new (devnull, SEMPER_HEADLESS_YES);
  semper_consent_register_provider (SEMPER_CONSENT_PORT (consent_port), "headless-yes", &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/semper/account/capture-and-refund", test_capture_and_refund);
  ADD ("/semper/account/release", test_release);
  ADD ("/semper/account/insufficient", test_insufficient);
  ADD ("/semper/account/idempotency", test_idempotency);
  ADD ("/semper/account/forged", test_forged);
  ADD ("/semper/account/privacy", test_privacy);
  ADD ("/semper/account/wallet-checks", test_wallet_checks);
  ADD ("/semper/payment/ecash-system", test_ecash_system);
  ADD ("/semper/account/revoke", test_revoke);
  ADD ("/semper/account/revoke-short", test_revoke_short);
  ADD ("/semper/account/crash", test_crash);
#undef ADD

  status = g_test_run ();
  g_clear_object (&consent_port);
  return status;
}
