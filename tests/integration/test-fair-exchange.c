/* test-fair-exchange.c: PROTOCOLS.md B, payment for goods, with a real bank
 * (`semperd --role bank`), a real TTP (`semperd --role ttp`) and the real
 * e-cash purse. The buyer (a wallet profile with a SemperFxBuyer) and the
 * merchant (a SemperFxMerchant, behind HTTP on a thread of its own for the
 * optimistic path) run in the test process, so that a dishonest merchant
 * or buyer is a few lines of script.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "semper-account-payment.h"
#include "semper-account-system.h"
#include "semper-archive.h"
#include "semper-bank-request.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-comm-server.h"
#include "semper-fair-exchange.h"
#include "semper-fx-ecash.h"
#include "semper-dispute.h"
#include "semper-evidence.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-test-semperd.h"

#define PASSWORD "fx test password"
#define PRICE    300   /* 3.00 EUR: a 200 and a 100 coin */
#define FEE_DEPOSIT 2
#define RACE_PAIRS       200  /* the number, suite slow */
#define RACE_PAIRS_QUICK 50   /* suite integration, under the sanitizers too */

static const char bank_config[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":2,\"swap\":0}},\n"
  "  {\"value\":200,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":2,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}}]}\n";

static const char goods_text[] = "Course notes: Networks 101, chapter 1 to 12.\n";

typedef struct {
  SemperTestMarket  market;
  GSubprocess      *bank_proc;
  GSubprocess      *ttp_proc;
  char             *bank_url;
  char             *ttp_url;
  GBytes           *ttp_cert;
  SemperProfile    *alice;
  SemperPurse      *purse;
  SemperFxEcash    *alice_ecash;
  SemperFxBuyer    *buyer;
  SemperProfile    *shop;
  SemperFxEcash    *shop_ecash;
  SemperFxMerchant *merchant;
  GBytes           *goods;
  /* the merchant's HTTP server, on its own thread */
  GThread          *thread;
  GMainContext     *context;
  GMainLoop        *loop;
  char             *merchant_url;
  char             *base_url;
  GHashTable       *wrong_m2;  /* H(m1) -> m2 with other goods, under /wrong */
  GMutex            mutex;
  GCond             cond;
} Fixture;

static SemperProfile *
make_profile (Fixture    *fx,
              const char *name,
              const char *role)
{
  return semper_test_make_profile (&fx->market, name, NULL, role);
}

static gint64
account_balance (Fixture       *fx,
                 SemperProfile *as,
                 const char    *account)
{
  g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;

  request->account = g_strdup (account);
  answer = semper_bank_request_send (request, client, semper_profile_get_crypto (as),
                                     fx->market.trust, fx->bank_url, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; answer->balances != NULL && i < answer->balances->len; i++)
    {
      SemperAmount *a = &g_array_index (answer->balances, SemperAmount, i);

      if (g_str_equal (a->currency, "EUR"))
        return a->minor;
    }
  return 0;
}

static gint64
purse_balance (Fixture *fx)
{
  SemperAmount amount;
  g_autoptr(GError) error = NULL;

  g_assert_true (semper_purse_get_balance (fx->purse, "EUR", &amount, &error));
  g_assert_no_error (error);
  return amount.minor;
}

static guint
coins_in_state_prefix (Fixture    *fx,
                       const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = semper_archive_coin_list (semper_profile_get_archive (fx->alice),
                                                        SEMPER_PURSE_SYSTEM, NULL, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    if (g_str_has_prefix (((SemperArchiveCoin *) g_ptr_array_index (list, i))->state, prefix))
      n++;
  return n;
}

/* ---- the merchant's HTTP server ----------------------------------------------- */

/* Under /withhold the merchant takes the payment but never answers m3. */
static SemperCommResponse *
withhold_m1_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m2 = semper_fx_merchant_handle_m1 (fx->merchant,
                                                       semper_comm_request_get_body (request),
                                                       &error);

  if (m2 == NULL)
    return semper_comm_response_new_error (400, "refused", error->message);
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, m2);
}

/* Under /wrong the merchant sends other goods than it offered, takes the
 * payment and never answers m3 (the same m2 again for a resent m1). */
static SemperCommResponse *
wrong_m1_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) wrong = g_bytes_new_static ("Not the course notes.\n", 22);
  g_autofree char *hash = NULL;
  GBytes *m2;

  m1 = semper_protocol_message_verify (semper_comm_request_get_body (request), fx->market.trust,
                                       &error);
  if (m1 == NULL)
    return semper_comm_response_new_error (400, "refused", error->message);
  hash = semper_protocol_message_dup_hash (m1);
  m2 = g_hash_table_lookup (fx->wrong_m2, hash);
  if (m2 == NULL)
    {
      m2 = semper_fx_make_m2 (semper_profile_get_crypto (fx->shop), m1, wrong, fx->ttp_cert,
                              &key, &error);
      g_assert_no_error (error);
      g_hash_table_insert (fx->wrong_m2, g_steal_pointer (&hash), m2);
    }
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, m2);
}

static SemperCommResponse *
wrong_m3_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProtocolMessage) m3 = NULL;
  g_autoptr(GBytes) proof = NULL;
  SemperFxPaymentSystem shop;
  SemperAmount price;
  GHashTableIter iter;
  gpointer hash, m2_raw;

  m3 = semper_protocol_message_verify (semper_comm_request_get_body (request), fx->market.trust,
                                       &error);
  g_assert_no_error (error);
  proof = semper_protocol_message_dup_bytes (m3, "proof");
  semper_fx_ecash_get_system (fx->shop_ecash, &shop);
  semper_amount_init (&price, PRICE, "EUR", NULL);
  /* The exchange's H(m1) is the m2 whose hash m3 names. */
  g_hash_table_iter_init (&iter, fx->wrong_m2);
  while (g_hash_table_iter_next (&iter, &hash, &m2_raw))
    {
      g_autofree char *m2_hash = semper_sha256_hex (m2_raw);

      if (g_str_equal (m2_hash, semper_protocol_message_get_string (m3, "m2_hash")))
        g_assert_true (shop.collect (shop.user_data, hash, &price, proof, &error));
    }
  g_assert_no_error (error);
  return semper_comm_response_new_error (503, "withheld", "m4 withheld");
}

static SemperCommResponse *
withhold_m3_cb (SemperCommServer  *server,
                SemperCommRequest *request,
                gpointer           user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m4 = semper_fx_merchant_handle_m3 (fx->merchant,
                                                       semper_comm_request_get_body (request),
                                                       &error);

  return semper_comm_response_new_error (503, "withheld", m4 != NULL ? "m4 withheld"
                                                                     : error->message);
}

static gpointer
server_thread (gpointer data)
{
  Fixture *fx = data;
  g_autoptr(SemperCommServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  g_main_context_push_thread_default (fx->context);
  server = semper_comm_server_new (&error);
  g_assert_no_error (error);
  semper_fx_merchant_add_routes (fx->merchant, server, "/shop");
  semper_comm_server_add_route (server, "POST", "/withhold/fx/m1", withhold_m1_cb, fx, NULL);
  semper_comm_server_add_route (server, "POST", "/withhold/fx/m3", withhold_m3_cb, fx, NULL);
  semper_comm_server_add_route (server, "POST", "/wrong/fx/m1", wrong_m1_cb, fx, NULL);
  semper_comm_server_add_route (server, "POST", "/wrong/fx/m3", wrong_m3_cb, fx, NULL);
  g_assert_true (semper_comm_server_listen (server, "127.0.0.1", 0, &error));
  g_mutex_lock (&fx->mutex);
  uri = semper_comm_server_dup_uri (server);
  fx->base_url = g_strdup (uri);
  fx->merchant_url = g_strconcat (uri, "/shop", NULL);
  g_cond_signal (&fx->cond);
  g_mutex_unlock (&fx->mutex);
  g_main_loop_run (fx->loop);
  semper_comm_server_disconnect (server);
  g_main_context_pop_thread_default (fx->context);
  return NULL;
}

static void
start_merchant_server (Fixture *fx)
{
  fx->context = g_main_context_new ();
  fx->loop = g_main_loop_new (fx->context, FALSE);
  fx->thread = g_thread_new ("merchant", server_thread, fx);
  g_mutex_lock (&fx->mutex);
  while (fx->merchant_url == NULL)
    g_cond_wait (&fx->cond, &fx->mutex);
  g_mutex_unlock (&fx->mutex);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* ---- fixture ---------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) ttp = NULL;
  g_autofree char *db = NULL;
  SemperFxPaymentSystem system;
  SemperAmount amount;

  g_mutex_init (&fx->mutex);
  g_cond_init (&fx->cond);
  fx->wrong_m2 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  semper_test_market_init (&fx->market, "semper-fx-XXXXXX", PASSWORD);

  /* The servers' states are profiles; closed again so that semperd can lock them. */
  g_object_unref (make_profile (fx, "bank", SEMPER_ROLE_BANK));
  ttp = make_profile (fx, "ttp", SEMPER_ROLE_TTP);
  fx->ttp_cert = semper_crypto_dup_certificate (semper_profile_get_crypto (ttp));
  g_clear_object (&ttp);
  fx->bank_proc = semper_test_start_server (&fx->market, "bank", NULL, bank_config,
                                            &fx->bank_url);
  /* The TTP collects payments at the bank before it gives out k. */
  fx->ttp_proc = semper_test_start_ttp (&fx->market, fx->bank_url, &fx->ttp_url);

  /* Alice: a wallet with 10.00 EUR of coins. */
  fx->alice = make_profile (fx, "alice", SEMPER_ROLE_WALLET);
  fx->purse = semper_test_link_purse (fx->alice, fx->bank_url, "alice", "alice-code");
  g_assert_true (semper_amount_init (&amount, 1000, "EUR", &error));
  g_assert_true (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_no_error (error);
  fx->buyer = semper_fx_buyer_new (fx->alice, &error);
  g_assert_no_error (error);
  fx->alice_ecash = semper_fx_ecash_new_buyer (fx->purse, fx->alice);
  semper_fx_ecash_get_system (fx->alice_ecash, &system);
  semper_fx_buyer_add_payment_system (fx->buyer, &system);

  /* The shop: a merchant whose certificate owns the account "shop". */
  fx->shop = make_profile (fx, "shop", SEMPER_ROLE_MERCHANT);
  semper_test_link_account (&fx->market, fx->shop, fx->bank_url, NULL, "shop", "shop-code");
  db = g_build_filename (fx->market.dir, "shop", "fx.db", NULL);
  fx->merchant = semper_fx_merchant_new (semper_profile_get_crypto (fx->shop), fx->market.trust,
                                         fx->ttp_cert, db, &error);
  g_assert_no_error (error);
  fx->shop_ecash = semper_fx_ecash_new_merchant (semper_profile_get_crypto (fx->shop),
                                                 fx->market.trust, fx->bank_url, NULL);
  semper_fx_ecash_get_system (fx->shop_ecash, &system);
  semper_fx_merchant_add_payment_system (fx->merchant, &system);
  fx->goods = g_bytes_new_static (goods_text, strlen (goods_text));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->thread != NULL)
    {
      g_main_context_invoke (fx->context, quit_cb, fx->loop);
      g_thread_join (fx->thread);
      g_main_loop_unref (fx->loop);
      g_main_context_unref (fx->context);
    }
  g_free (fx->merchant_url);
  g_clear_pointer (&fx->wrong_m2, g_hash_table_unref);
  g_free (fx->base_url);
  semper_test_stop_semperd (&fx->bank_proc);
  semper_test_stop_semperd (&fx->ttp_proc);
  g_clear_object (&fx->merchant);
  g_clear_object (&fx->shop_ecash);
  g_clear_object (&fx->shop);
  g_clear_object (&fx->buyer);
  g_clear_object (&fx->alice_ecash);
  g_clear_object (&fx->purse);
  g_clear_object (&fx->alice);
  g_clear_pointer (&fx->ttp_cert, g_bytes_unref);
  g_clear_pointer (&fx->goods, g_bytes_unref);
  g_free (fx->bank_url);
  g_free (fx->ttp_url);
  g_mutex_clear (&fx->mutex);
  g_cond_clear (&fx->cond);
  semper_test_market_clear (&fx->market);
}

/* ---- helpers ------------------------------------------------------------------------- */

static SemperConsent *
consent_for (GBytes *document)
{
  FILE *devnull = fopen ("/dev/null", "w");
  g_autoptr(SemperHeadlessConsent) port = semper_headless_consent_new (devnull,
                                                                       SEMPER_HEADLESS_YES);
  g_autoptr(GError) error = NULL;
  SemperConsent *consent = semper_headless_consent_request (port, document, "order", &error);

  g_assert_no_error (error);
  g_clear_object (&port);
  fclose (devnull);
  return consent;
}

static GBytes *
make_offer (Fixture    *fx,
            const char *offer_id,
            GBytes     *goods)
{
  static const char * const systems[] = { "ecash", NULL };
  g_autoptr(GError) error = NULL;
  SemperAmount price;
  GBytes *offer;

  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  offer = semper_fx_merchant_offer (fx->merchant, offer_id, "Networks 101 course notes", goods,
                                    &price, g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                    &error);
  g_assert_no_error (error);
  return offer;
}

static char *order_offer (Fixture *fx, GBytes *offer, GBytes **out_m1);

/* Prepares and signs an order for a fresh offer; returns the exchange id. */
static char *
order (Fixture     *fx,
       const char  *offer_id,
       GBytes     **out_m1)
{
  g_autoptr(GBytes) offer = make_offer (fx, offer_id, fx->goods);

  return order_offer (fx, offer, out_m1);
}

static char *
order_offer (Fixture     *fx,
             GBytes      *offer,
             GBytes     **out_m1)
{
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  GBytes *m1;

  id = semper_fx_buyer_prepare (fx->buyer, offer, "ecash",
                                fx->merchant_url != NULL ? fx->merchant_url : "http://127.0.0.1:9",
                                fx->ttp_url, fx->ttp_cert, &document, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (document, NULL), g_bytes_get_size (document),
                                  "Total: 3.00 EUR"));
  consent = consent_for (document);
  m1 = semper_fx_buyer_order (fx->buyer, id, consent, &error);
  g_assert_no_error (error);
  if (out_m1 != NULL)
    *out_m1 = m1;
  else
    g_bytes_unref (m1);
  return g_steal_pointer (&id);
}

static void
assert_state (Fixture    *fx,
              const char *id,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = semper_fx_buyer_dup_state (fx->buyer, id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, expected);
}

static void
assert_goods (Fixture    *fx,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) goods = semper_fx_buyer_dup_goods (fx->buyer, id, &error);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (goods, fx->goods));
}

static char *
token_step (Fixture    *fx,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = semper_fx_buyer_dup_token (fx->buyer, id, &error);
  g_autoptr(SemperProtocolMessage) token = NULL;

  g_assert_no_error (error);
  token = semper_protocol_message_verify (raw, fx->market.trust, &error);
  g_assert_no_error (error);
  return g_strdup (semper_protocol_message_get_step (token));
}

static void set_b64 (JsonObject *object, const char *name, GBytes *bytes);
static GPtrArray *outgoing_of (SemperProfile *profile, const char *id);

/* The offer as the buyer's journal holds it. */
static GBytes *
journaled_offer (Fixture    *fx,
                 const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchiveExchange) row = semper_archive_exchange_get (
    semper_profile_get_archive (fx->alice), id, &error);
  g_autoptr(JsonNode) node = NULL;
  gsize len = 0;
  guchar *raw;

  g_assert_no_error (error);
  node = json_from_string (row->state, &error);
  g_assert_no_error (error);
  raw = g_base64_decode (json_object_get_string_member (json_node_get_object (node), "offer"),
                         &len);
  return g_bytes_new_take (raw, len);
}

/* docs/evidence.md: the buyer's bundle of @id verifies offline against the
 * root alone and proves @state; a claim about it sent to the real TTP is
 * answered, signed, with @decision. */
static void
assert_evidence (Fixture    *fx,
                 const char *id,
                 const char *state,
                 const char *decision)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(SemperEvidenceInfo) info = NULL;
  g_autoptr(SemperDisputes) disputes = NULL;
  g_autoptr(GBytes) claim = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(SemperDisputeInfo) answered = NULL;
  g_autofree char *after = NULL;
  g_autofree char *m1_hash = NULL;
  gint64 dispute;

  bundle = semper_evidence_export (fx->alice, id, &error);
  g_assert_no_error (error);
  info = semper_evidence_verify (bundle, fx->market.root, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->protocol, ==, "fx");
  g_assert_cmpstr (info->state, ==, state);
  g_assert_cmpuint (strlen (info->transaction), ==, 64);

  disputes = semper_disputes_new (fx->alice, &error);
  g_assert_no_error (error);
  claim = semper_disputes_draft (disputes, id, SEMPER_DISPUTE_CLAIM_GOODS_DO_NOT_MATCH, NULL,
                                 &error);
  g_assert_no_error (error);
  consent = consent_for (claim);
  dispute = semper_disputes_open (disputes, claim, consent, &error);
  g_assert_no_error (error);
  after = semper_disputes_send (disputes, dispute, fx->ttp_url, &error);
  g_assert_no_error (error);
  answered = semper_disputes_get (disputes, dispute, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answered->decision, ==, decision);
  g_assert_cmpstr (answered->transaction, ==, info->transaction);
  g_assert_cmpstr (after, ==, g_str_equal (decision, SEMPER_DISPUTE_DECISION_REFERRED)
                              ? SEMPER_DISPUTE_REFERRED : SEMPER_DISPUTE_DECIDED);
  (void) m1_hash;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Both honest, over HTTP: goods for exactly the price; the shop is paid. */
static void
test_optimistic (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *step = NULL;

  start_merchant_server (fx);
  id = order (fx, "offer-1", NULL);
  assert_state (fx, id, SEMPER_FX_M1_SENT);
  state = semper_fx_buyer_run (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  assert_goods (fx, id);
  step = token_step (fx, id);
  g_assert_cmpstr (step, ==, "m4");  /* the merchant's own receipt */
  assert_evidence (fx, id, "paid", SEMPER_DISPUTE_DECISION_REFERRED);
  g_assert_cmpint (purse_balance (fx), ==, 1000 - PRICE);
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
  /* Two coins deposited, each less the deposit fee. */
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);

  /* Running it again changes nothing. */
  g_clear_pointer (&state, g_free);
  state = semper_fx_buyer_run (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
}

/* The buyer aborts before paying: T's abort token; nothing paid, the coins
 * stay; a later resolve of the same key gets the same abort token. */
static void
test_abort (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL;
  g_autoptr(GBytes) m2 = NULL;
  g_autofree char *id = order (fx, "offer-2", &m1);
  g_autofree char *state = NULL;
  g_autofree char *step = NULL;

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  state = semper_fx_buyer_abort (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_ABORTED);
  step = token_step (fx, id);
  g_assert_cmpstr (step, ==, "aborted");
  assert_evidence (fx, id, "aborted", SEMPER_DISPUTE_DECISION_ABORTED);
  g_assert_cmpint (purse_balance (fx), ==, 1000);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, 0);

  /* m2 that arrives late is refused: the exchange is over. */
  g_assert_null (semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error));
  g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE);
}

/* The merchant takes the payment and withholds m4 (k): the buyer resolves
 * with the TTP and gets k and T's receipt. */
static void
test_withheld_key (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL;
  g_autofree char *id = order (fx, "offer-3", &m1);
  g_autofree char *state = NULL;
  g_autofree char *step = NULL;

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);  /* paid; m4 dropped */
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);

  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  assert_goods (fx, id);
  step = token_step (fx, id);
  g_assert_cmpstr (step, ==, "receipt");
  assert_evidence (fx, id, "resolved", SEMPER_DISPUTE_DECISION_RESOLVED);
  g_assert_cmpint (purse_balance (fx), ==, 1000 - PRICE);
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
}

/* The merchant restarts between m2 and m3: its store answers m3, once; a
 * resent m3 gets the same m4 and deposits nothing twice. An expired offer
 * is refused before anything is signed. */
static void
test_merchant_restart (Fixture       *fx,
                       gconstpointer  data)
{
  static const char * const systems[] = { "ecash", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL, again = NULL, old = NULL;
  g_autofree char *id = order (fx, "offer-8", &m1);
  g_autofree char *db = g_build_filename (fx->market.dir, "shop", "fx.db", NULL);
  g_autofree char *none = NULL;
  SemperFxPaymentSystem system;
  SemperAmount price;

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  g_clear_object (&fx->merchant);
  fx->merchant = semper_fx_merchant_new (semper_profile_get_crypto (fx->shop), fx->market.trust,
                                         fx->ttp_cert, db, &error);
  g_assert_no_error (error);
  semper_fx_ecash_get_system (fx->shop_ecash, &system);
  semper_fx_merchant_add_payment_system (fx->merchant, &system);
  again = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, m2));
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);
  g_assert_no_error (error);
  g_clear_pointer (&again, g_bytes_unref);
  again = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, m4));
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
  g_assert_true (semper_fx_buyer_receive_m4 (fx->buyer, id, m4, &error));
  g_assert_no_error (error);
  assert_state (fx, id, SEMPER_FX_DONE);
  assert_goods (fx, id);

  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  old = semper_fx_merchant_offer (fx->merchant, "offer-old", "Old notes", fx->goods, &price,
                                  g_get_real_time () / G_USEC_PER_SEC - 60, systems, &error);
  g_assert_no_error (error);
  none = semper_fx_buyer_prepare (fx->buyer, old, "ecash", "http://127.0.0.1:9", fx->ttp_url,
                                  fx->ttp_cert, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_EXPIRED);
}

/* Physical goods: what is exchanged for the payment is the merchant's signed
 * order confirmation; the TTP can stand in for it as for digital goods. */
static void
test_physical (Fixture       *fx,
               gconstpointer  data)
{
  static const char confirmation[] =
    "{\"type\":\"order-confirmation\",\"item\":\"Router X2\",\"quantity\":1,"
    "\"delivery\":\"within 5 working days\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (confirmation, strlen (confirmation));
  g_autoptr(GBytes) signed_confirmation = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL, goods = NULL, shown = NULL;
  g_autoptr(GBytes) shop_cert = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *shop_fp = NULL;

  signed_confirmation = semper_cms_sign_message (semper_profile_get_crypto (fx->shop), content,
                                                 &error);
  g_assert_no_error (error);
  offer = make_offer (fx, "router", signed_confirmation);
  id = order_offer (fx, offer, &m1);
  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);  /* withheld */
  g_assert_no_error (error);
  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  goods = semper_fx_buyer_dup_goods (fx->buyer, id, &error);
  g_assert_no_error (error);
  shown = semper_cms_verify (goods, fx->market.trust, &signer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (shown, content));
  shop_cert = semper_crypto_dup_certificate (semper_profile_get_crypto (fx->shop));
  shop_fp = semper_sha256_hex (shop_cert);
  g_assert_cmpstr (signer->fingerprint, ==, shop_fp);
}

/* The merchant sends other goods than it offered and deposits the payment:
 * the TTP revokes, the bank refunds the buyer's account, and the merchant
 * can no longer deposit under that exchange. */
static void
test_wrong_goods (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, wrong = NULL, key = NULL;
  g_autoptr(SemperProtocolMessage) m1_msg = NULL;
  g_autoptr(SemperProtocolMessage) m3_msg = NULL;
  g_autoptr(GBytes) proof = NULL;
  g_autofree char *id = order (fx, "offer-4", &m1);
  g_autofree char *state = NULL;
  g_autofree char *step = NULL;
  g_autofree char *m1_hash = NULL;
  SemperFxPaymentSystem shop;
  SemperAmount price;
  gint64 alice_before = account_balance (fx, fx->alice, "alice");

  m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
  g_assert_no_error (error);
  wrong = g_bytes_new_static ("Not the course notes.\n", 22);
  m2 = semper_fx_make_m2 (semper_profile_get_crypto (fx->shop), m1_msg, wrong, fx->ttp_cert,
                          &key, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);

  /* The dishonest merchant deposits the coins of m3 and sends k. */
  m3_msg = semper_protocol_message_verify (m3, fx->market.trust, &error);
  g_assert_no_error (error);
  proof = semper_protocol_message_dup_bytes (m3_msg, "proof");
  m1_hash = semper_sha256_hex (m1);
  semper_fx_ecash_get_system (fx->shop_ecash, &shop);
  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  g_assert_true (shop.collect (shop.user_data, m1_hash, &price, proof, &error));
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
  {
    g_autoptr(SemperFxOffer) offer = g_new0 (SemperFxOffer, 1);
    g_autoptr(GBytes) m4 = NULL;

    offer->price = price;
    m4 = semper_fx_make_m4 (semper_profile_get_crypto (fx->shop), m1_msg, offer, key, &error);
    g_assert_no_error (error);
    /* k opens c, but not to the goods offered. */
    g_assert_false (semper_fx_buyer_receive_m4 (fx->buyer, id, m4, &error));
    g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE);
    g_clear_error (&error);
  }

  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_REVOKED);
  step = token_step (fx, id);
  g_assert_cmpstr (step, ==, "revoke");
  assert_evidence (fx, id, "revoked", SEMPER_DISPUTE_DECISION_ABORTED);
  /* The full price back on Alice's account, taken from the shop (and the fees). */
  g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice_before + PRICE);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, 0);
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
  g_assert_null (semper_fx_buyer_dup_goods (fx->buyer, id, &error));
  g_clear_error (&error);

  /* Resuming the revoked exchange refunds nothing twice. */
  g_assert_cmpint (semper_fx_buyer_resume (fx->buyer, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice_before + PRICE);
}

/* A message from another session is refused and changes nothing. */
static void
test_replay (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1a = NULL, m1b = NULL, m2a = NULL, m3 = NULL;
  g_autofree char *a = order (fx, "offer-5a", &m1a);
  g_autofree char *b = order (fx, "offer-5b", &m1b);

  m2a = semper_fx_merchant_handle_m1 (fx->merchant, m1a, &error);
  g_assert_no_error (error);
  g_assert_null (semper_fx_buyer_receive_m2 (fx->buyer, b, m2a, &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION);
  g_clear_error (&error);
  assert_state (fx, b, SEMPER_FX_M1_SENT);
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);

  /* A repeated m1 gets the stored m2, byte for byte. */
  {
    g_autoptr(GBytes) again = semper_fx_merchant_handle_m1 (fx->merchant, m1a, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (again, m2a));
  }
  /* A's m2 fits A; another step where m3 belongs is refused. */
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, a, m2a, &error);
  g_assert_no_error (error);
  g_assert_null (semper_fx_merchant_handle_m3 (fx->merchant, m1b, &error));
  g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE);
  g_clear_error (&error);

  /* The TTP refuses to resolve B with A's m2 and m3, and decides nothing. */
  {
    g_autoptr(SemperProtocolMessage) m1b_msg =
      semper_protocol_message_verify (m1b, fx->market.trust, NULL);
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(SemperProtocolMessage) request = NULL;
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GBytes) answer = NULL;
    g_autoptr(SemperCommClient) client = semper_comm_client_new ();
    g_autofree char *url = g_strconcat (fx->ttp_url, "/fx/resolve", NULL);
    g_autoptr(GBytes) offer = journaled_offer (fx, b);

    set_b64 (fields, "offer", offer);
    set_b64 (fields, "m1", m1b);
    set_b64 (fields, "m2", m2a);
    set_b64 (fields, "m3", m3);
    request = semper_protocol_message_new_in_session (m1b_msg, "resolve", fields);
    raw = semper_protocol_message_sign (request, semper_profile_get_crypto (fx->alice), &error);
    g_assert_no_error (error);
    answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, raw, NULL,
                                           NULL, &error);
    g_assert_null (answer);
    g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
    g_assert_nonnull (strstr (error->message, "another session"));
    g_clear_error (&error);
    /* B can still be aborted: no outcome was stored for it. */
    g_clear_pointer (&answer, g_bytes_unref);
    {
      g_autofree char *state = semper_fx_buyer_abort (fx->buyer, b, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (state, ==, SEMPER_FX_ABORTED);
    }
  }
}

/* A second m2 (PROTOCOLS.md A's lesson, here for B): a dishonest merchant
 * signs another m2 for the same m1 (other k and c). The buyer, holding its
 * journaled m2 and m3, refuses it; the merchant keeps answering the resent
 * m1 with its first m2; and once T decided H(m1), a resolve that presents
 * the second m2 gets the stored token, byte for byte: one outcome per m1. */
static void
test_second_m2 (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m2b = NULL, m3 = NULL, kb = NULL, token = NULL;
  g_autoptr(GBytes) again = NULL, offer = NULL, raw = NULL, answer = NULL;
  g_autoptr(SemperProtocolMessage) m1_msg = NULL;
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = g_strconcat (fx->ttp_url, "/fx/resolve", NULL);
  g_autofree char *id = order (fx, "offer-second-m2", &m1);
  g_autofree char *state = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
  g_assert_no_error (error);
  m2b = semper_fx_make_m2 (semper_profile_get_crypto (fx->shop), m1_msg, fx->goods, fx->ttp_cert,
                           &kb, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (m2, m2b));

  /* The buyer has paid against its m2: another is refused, nothing changes. */
  g_assert_null (semper_fx_buyer_receive_m2 (fx->buyer, id, m2b, &error));
  g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  assert_state (fx, id, SEMPER_FX_M3_SENT);
  sent = outgoing_of (fx->alice, id);
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 1), m3));
  /* The merchant answers m1 with its one stored m2. */
  again = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, m2));

  /* k withheld: the buyer resolves with its m2; T decides H(m1). */
  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  assert_goods (fx, id);
  token = semper_fx_buyer_dup_token (fx->buyer, id, &error);
  g_assert_no_error (error);

  /* The same exchange resolved again with the second m2: the stored token. */
  offer = journaled_offer (fx, id);
  set_b64 (fields, "offer", offer);
  set_b64 (fields, "m1", m1);
  set_b64 (fields, "m2", m2b);
  set_b64 (fields, "m3", m3);
  request = semper_protocol_message_new_in_session (m1_msg, "resolve", fields);
  raw = semper_protocol_message_sign (request, semper_profile_get_crypto (fx->alice), &error);
  g_assert_no_error (error);
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, raw, NULL,
                                         NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (answer, token));
}

/* A dishonest buyer pays, gets k, and then asks T to abort: T answers (it
 * cannot know that m3 left), but its abort token moves no money: the bank
 * refunds only on T's revoke, so the merchant keeps what it was paid and
 * the buyer has the goods it paid for. */
static void
test_abort_after_paying (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL, abort_raw = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(SemperProtocolMessage) m1_msg = NULL;
  g_autoptr(SemperProtocolMessage) abort_msg = NULL;
  g_autoptr(SemperProtocolMessage) token_msg = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperBankRequest) refund = NULL;
  g_autoptr(SemperBankAnswer) refunded = NULL;
  g_autofree char *url = g_strconcat (fx->ttp_url, "/fx/abort", NULL);
  g_autofree char *id = order (fx, "offer-abort-after-paying", &m1);
  g_autofree char *key = NULL, *op_key = NULL;
  gint64 alice_account = account_balance (fx, fx->alice, "alice");

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);
  g_assert_no_error (error);
  g_assert_true (semper_fx_buyer_receive_m4 (fx->buyer, id, m4, &error));
  g_assert_no_error (error);

  m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
  g_assert_no_error (error);
  set_b64 (fields, "m1", m1);
  abort_msg = semper_protocol_message_new_in_session (m1_msg, "abort", fields);
  abort_raw = semper_protocol_message_sign (abort_msg, semper_profile_get_crypto (fx->alice),
                                            &error);
  g_assert_no_error (error);
  token = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, abort_raw,
                                        NULL, NULL, &error);
  g_assert_no_error (error);
  token_msg = semper_protocol_message_verify (token, fx->market.trust, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_protocol_message_get_step (token_msg), ==, "aborted");

  key = semper_protocol_message_dup_hash (m1_msg);
  op_key = g_strdup_printf ("fxr-%.56s", key);
  refund = semper_bank_request_new (SEMPER_BANK_OP_REFUND, op_key);
  refund->token = g_bytes_ref (token);
  refunded = semper_bank_request_send (refund, client, semper_profile_get_crypto (fx->alice),
                                       fx->market.trust, fx->bank_url, NULL, NULL, &error);
  g_assert_null (refunded);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice_account);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
  assert_state (fx, id, SEMPER_FX_DONE);
  assert_goods (fx, id);
}

/* The buyer withholds m3: the merchant has no payment (nothing deposited)
 * and has given nothing but c, which the buyer cannot open without k. If the
 * buyer then gets k from the TTP, the TTP hands the merchant the payment. */
static void
test_withheld_payment (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL;
  g_autofree char *id = order (fx, "offer-6", &m1);
  g_autoptr(GBytes) again = NULL;
  g_autofree char *state = NULL;

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  /* m3 never reaches the merchant. */
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, 0);
  /* The merchant's answer to the order stays the same m2: it sent no k. */
  again = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, m2));
  g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, 0);
  /* Having paid, the buyer may no longer abort. */
  g_assert_null (semper_fx_buyer_abort (fx->buyer, id, &error));
  g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* The buyer goes to the TTP instead of the merchant: goods for the buyer,
   * and the payment for the merchant, from T. */
  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  assert_goods (fx, id);
  /* T deposited the coins for the merchant before it gave out k. */
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
  /* The merchant's own deposits of the same coins are answered, not paid twice. */
  g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, PRICE - 2 * FEE_DEPOSIT);
  g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 0);
  g_assert_cmpint (purse_balance (fx), ==, 1000 - PRICE);
}

/* Spends the last coin that pays exchange @key into Alice's own account
 * (a second permission for it, deposited by her): the coin is gone before
 * the merchant or T sees it. Returns its value. */
static gint64
spend_last_coin_elsewhere (Fixture    *fx,
                           const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (semper_profile_get_crypto (fx->alice));
  g_autofree char *alice_fp = semper_sha256_hex (cert);
  g_autoptr(GPtrArray) spends = semper_purse_payment (fx->purse, key, alice_fp, &error);
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperDepositPermission) permission = NULL;
  g_autofree char *op_key = g_strdup_printf ("elsewhere-%.48s", key);
  SemperPurseSpend *last;

  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, >=, 2);
  last = g_ptr_array_index (spends, spends->len - 1);
  permission = semper_deposit_permission_parse (last->permission, &error);
  g_assert_no_error (error);
  request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT, op_key);
  request->coin = g_bytes_ref (last->coin);
  request->permission = g_bytes_ref (last->permission);
  request->signature = g_bytes_ref (last->signature);
  answer = semper_bank_request_send (request, client, semper_profile_get_crypto (fx->alice),
                                     fx->market.trust, fx->bank_url, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer->result, ==, "ok");
  return permission->amount.minor;
}

/* A buyer who pays with a coin it spent elsewhere first, and resolves (before
 * T collected payments, T checked coins offline and gave it k while the
 * merchant's deposit was refused). T now deposits the coins for the merchant
 * before it gives out k: the bank refuses the spent coin, T revokes, the
 * coins deposited under H(m1) go back to the buyer's account, and neither
 * side has the other's part. Once with m3 withheld from the merchant (T made
 * the deposits), once with m3 refused by the merchant (it made them). */
static void
test_double_spend (Fixture       *fx,
                   gconstpointer  data)
{
  for (guint merchant_sees_m3 = 0; merchant_sees_m3 < 2; merchant_sees_m3++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL, goods = NULL;
      g_autofree char *offer_id = g_strdup_printf ("offer-double-spend-%u", merchant_sees_m3);
      g_autofree char *id = order (fx, offer_id, &m1);
      g_autofree char *key = semper_sha256_hex (m1);
      g_autofree char *state = NULL, *step = NULL;
      gint64 alice0 = account_balance (fx, fx->alice, "alice");
      gint64 shop0 = account_balance (fx, fx->shop, "shop");
      gint64 purse0 = purse_balance (fx);
      gint64 elsewhere;

      m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
      g_assert_no_error (error);
      m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
      g_assert_no_error (error);
      elsewhere = spend_last_coin_elsewhere (fx, key);
      g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==,
                       alice0 + elsewhere - FEE_DEPOSIT);
      if (merchant_sees_m3)
        {
          /* The merchant deposits the good coins, the bank refuses the spent one: no k. */
          m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);
          g_assert_null (m4);
          g_assert_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT);
          g_clear_error (&error);
          g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==,
                           shop0 + PRICE - elsewhere - FEE_DEPOSIT);
        }

      state = semper_fx_buyer_resolve (fx->buyer, id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (state, ==, SEMPER_FX_REVOKED);
      step = token_step (fx, id);
      g_assert_cmpstr (step, ==, "revoke");
      goods = semper_fx_buyer_dup_goods (fx->buyer, id, &error);
      g_assert_null (goods);
      g_assert_nonnull (error);
      g_clear_error (&error);
      /* The merchant keeps nothing; T holds no payment for it. */
      g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0);
      g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 0);
      g_assert_no_error (error);
      g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0);
      /* The buyer: the good coins back in its account (deposited under H(m1),
       * refunded at full value), the spent one where it spent it. */
      g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==,
                       alice0 + PRICE - FEE_DEPOSIT);
      g_assert_cmpint (purse_balance (fx), ==, purse0 - PRICE);
      g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
    }
}

/* A TTP whose configuration names no bank signs contracts and aborts, but
 * refuses to resolve a paid exchange, and decides nothing: it could not tell
 * whether the payment is good. */
static void
test_ttp_without_bank (Fixture       *fx,
                       gconstpointer  data)
{
  static const char * const systems[] = { "ecash", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) ttp2 = make_profile (fx, "ttp2", SEMPER_ROLE_TTP);
  g_autoptr(GBytes) ttp2_cert = semper_crypto_dup_certificate (
    semper_profile_get_crypto (ttp2));
  g_autofree char *db = g_build_filename (fx->market.dir, "shop", "fx2.db", NULL);
  g_autoptr(SemperFxMerchant) merchant = NULL;
  g_autoptr(GBytes) offer = NULL, document = NULL, m1 = NULL, m2 = NULL, m3 = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autofree char *ttp2_url = NULL, *id = NULL, *state = NULL;
  SemperFxPaymentSystem system;
  SemperAmount price;
  GSubprocess *proc;
  g_autofree char *state_dir = g_build_filename (fx->market.dir, "ttp2", NULL);

  g_clear_object (&ttp2);
  proc = semper_test_start_semperd ("ttp", "127.0.0.1:0", state_dir, fx->market.password_file,
                                    NULL, &ttp2_url);
  /* The same shop, with offers that name this TTP. */
  merchant = semper_fx_merchant_new (semper_profile_get_crypto (fx->shop), fx->market.trust,
                                     ttp2_cert, db, &error);
  g_assert_no_error (error);
  semper_fx_ecash_get_system (fx->shop_ecash, &system);
  semper_fx_merchant_add_payment_system (merchant, &system);
  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  offer = semper_fx_merchant_offer (merchant, "offer-no-bank", "Networks 101 course notes",
                                    fx->goods, &price, g_get_real_time () / G_USEC_PER_SEC + 3600,
                                    systems, &error);
  g_assert_no_error (error);
  id = semper_fx_buyer_prepare (fx->buyer, offer, "ecash", "http://127.0.0.1:9", ttp2_url,
                                ttp2_cert, &document, &error);
  g_assert_no_error (error);
  consent = consent_for (document);
  m1 = semper_fx_buyer_order (fx->buyer, id, consent, &error);
  g_assert_no_error (error);
  m2 = semper_fx_merchant_handle_m1 (merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);

  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_null (state);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (error->message, "knows no bank"));
  g_clear_error (&error);
  assert_state (fx, id, SEMPER_FX_RESOLVING);
  g_assert_cmpint (semper_fx_merchant_recover (merchant, ttp2_url, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, 0);
  g_clear_object (&merchant);
  semper_test_stop_semperd (&proc);
}

static void
set_b64 (JsonObject *object,
         const char *name,
         GBytes     *bytes)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes));

  json_object_set_string_member (object, name, b64);
}

typedef struct {
  GMainLoop *loop;
  guint      pending;
  GPtrArray *answers;
} RaceState;

static void
race_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RaceState *race = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *answer = semper_comm_client_post_finish (SEMPER_COMM_CLIENT (source), result, NULL,
                                                   &error);

  g_assert_no_error (error);
  g_ptr_array_add (race->answers, answer);
  if (--race->pending == 0)
    g_main_loop_quit (race->loop);
}

/* RACE_PAIRS aborts and RACE_PAIRS resolves of one H(m1), all in flight at
 * once (one process, asynchronous requests on one client): exactly one
 * outcome, every answer the same signed token, byte for byte. */
static void
test_race (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, offer = NULL;
  g_autoptr(SemperProtocolMessage) m1_msg = NULL;
  g_autoptr(SemperProtocolMessage) abort_msg = NULL;
  g_autoptr(SemperProtocolMessage) resolve_msg = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(GBytes) abort_req = NULL, resolve_req = NULL;
  g_autoptr(JsonObject) abort_fields = json_object_new ();
  g_autoptr(JsonObject) resolve_fields = json_object_new ();
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *abort_url = g_strconcat (fx->ttp_url, "/fx/abort", NULL);
  g_autofree char *resolve_url = g_strconcat (fx->ttp_url, "/fx/resolve", NULL);
  g_autofree char *id = order (fx, "offer-7", &m1);
  g_autofree char *state = NULL, *key = NULL;
  SemperCrypto *alice = semper_profile_get_crypto (fx->alice);
  guint pairs = GPOINTER_TO_UINT (data);
  RaceState race = { 0 };

  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
  g_assert_no_error (error);
  m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
  g_assert_no_error (error);
  offer = journaled_offer (fx, id);

  set_b64 (abort_fields, "m1", m1);
  abort_msg = semper_protocol_message_new_in_session (m1_msg, "abort", abort_fields);
  abort_req = semper_protocol_message_sign (abort_msg, alice, &error);
  g_assert_no_error (error);
  set_b64 (resolve_fields, "offer", offer);
  set_b64 (resolve_fields, "m1", m1);
  set_b64 (resolve_fields, "m2", m2);
  set_b64 (resolve_fields, "m3", m3);
  resolve_msg = semper_protocol_message_new_in_session (m1_msg, "resolve", resolve_fields);
  resolve_req = semper_protocol_message_sign (resolve_msg, alice, &error);
  g_assert_no_error (error);

  g_main_context_push_thread_default (context);
  race.loop = g_main_loop_new (context, FALSE);
  race.answers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  semper_comm_client_set_timeout (client, 120);
  for (guint i = 0; i < pairs; i++)
    {
      /* Alternate who goes first within each pair. */
      gboolean abort_first = (i % 2) == 0;

      semper_comm_client_post_async (client, abort_first ? abort_url : resolve_url,
                                     SEMPER_COMM_CONTENT_TYPE_CMS,
                                     abort_first ? abort_req : resolve_req, NULL, race_done_cb,
                                     &race);
      semper_comm_client_post_async (client, abort_first ? resolve_url : abort_url,
                                     SEMPER_COMM_CONTENT_TYPE_CMS,
                                     abort_first ? resolve_req : abort_req, NULL, race_done_cb,
                                     &race);
      race.pending += 2;
    }
  g_main_loop_run (race.loop);
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (race.answers->len, ==, 2 * pairs);
  for (guint i = 1; i < race.answers->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (race.answers, i),
                                  g_ptr_array_index (race.answers, 0)));
  /* The one outcome is a T token for this exchange: aborted or receipt. */
  token = semper_protocol_message_verify (g_ptr_array_index (race.answers, 0), fx->market.trust,
                                          &error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (semper_protocol_message_get_step (token), "aborted")
                 || g_str_equal (semper_protocol_message_get_step (token), "receipt"));
  key = semper_protocol_message_dup_hash (m1_msg);
  g_assert_cmpstr (semper_protocol_message_get_string (token, "m1_hash"), ==, key);
  /* And the buyer, asking afterwards, ends with that outcome. */
  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, g_str_equal (semper_protocol_message_get_step (token), "aborted")
                              ? SEMPER_FX_ABORTED : SEMPER_FX_DONE);
  g_ptr_array_unref (race.answers);
  g_main_loop_unref (race.loop);
}

/* ---- crash recovery (suite slow) ------------------------------------------------ */

static void
write_file (const char *path,
            GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* The journaled outgoing messages of an exchange, in order. */
static GPtrArray *
outgoing_of (SemperProfile *profile,
             const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = semper_archive_journal_list (semper_profile_get_archive (profile),
                                                              id, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      SemperArchiveJournalEntry *entry = g_ptr_array_index (entries, i);

      if (entry->outgoing != NULL)
        g_ptr_array_add (out, g_bytes_ref (entry->outgoing));
    }
  return out;
}

/* What the merchant stored for the exchange with @tid (m1 and m3). */
static void
merchant_messages (Fixture     *fx,
                   const char  *tid,
                   GBytes     **out_m1,
                   GBytes     **out_m3)
{
  g_autofree char *path = g_build_filename (fx->market.dir, "shop", "fx.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  *out_m1 = *out_m3 = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT m1, m3 FROM fx_exchanges WHERE tid = ?", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, tid, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_m1 = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        *out_m3 = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
run_helper (Fixture    *fx,
            const char *point,
            const char *prefix,
            const char *offer_path,
            const char *cert_path)
{
  g_autofree char *helper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "tests",
                                              "integration", "fx-crash-helper", NULL);
  g_autofree char *profile = g_build_filename (fx->market.dir, "alice", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  url = g_strconcat (fx->base_url, prefix, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", point, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, helper, profile, PASSWORD, offer_path,
                                      url, fx->ttp_url, cert_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* Every point of the cases is reached: killed right after it. */
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
  lines = g_strsplit (out, "\n", -1);
  g_assert_nonnull (lines[0]);
  g_assert_cmpuint (strlen (lines[0]), ==, 32);
  return g_strdup (lines[0]);
}

static void
semper_resume (Fixture *fx)
{
  g_autofree char *semper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                              NULL);
  g_autofree char *profile = g_build_filename (fx->market.dir, "alice", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, semper, "--profile", profile, "resume", "--password-file",
                           fx->market.password_file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_printerr ("semper resume: %s%s\n", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* SIGKILL at every journal point of the buyer, then `semper resume`: the
 * purchase ends with the goods (or, killed before the order left, aborted);
 * no coin is lost or spent twice; what was sent before the crash and after
 * it is the same bytes (the merchant's stored m1 and m3 are the journal's). */
static void
test_crash (Fixture       *fx,
            gconstpointer  data)
{
  static const struct {
    const char *prefix;
    const char *point;
    const char *end;
  } cases[] = {
    { "/shop", "prepared", SEMPER_FX_ABORTED },
    { "/shop", "m1-sent", SEMPER_FX_DONE },
    { "/shop", "m2-received", SEMPER_FX_DONE },
    { "/shop", "m3-sent", SEMPER_FX_DONE },
    { "/shop", "done", SEMPER_FX_DONE },
    { "/withhold", "m3-sent", SEMPER_FX_DONE },
    { "/withhold", "resolving", SEMPER_FX_DONE },
    /* No merchant there: the buyer aborts with the TTP. */
    { "/nowhere", "aborting", SEMPER_FX_ABORTED },
    /* Other goods than offered: T revokes, the bank refunds. */
    { "/wrong", "resolving", SEMPER_FX_REVOKED },
    { "/wrong", "refunding", SEMPER_FX_REVOKED },
  };
  g_autofree char *cert_path = g_build_filename (fx->market.dir, "ttp.der", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  SemperAmount amount;
  gint64 start_balance, start_account;
  guint done = 0, revoked = 0;

  start_merchant_server (fx);
  g_assert_true (semper_amount_init (&amount, 2000, "EUR", &error));
  g_assert_true (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_no_error (error);
  start_balance = purse_balance (fx);
  start_account = account_balance (fx, fx->alice, "alice");
  write_file (cert_path, fx->ttp_cert);
  /* The helper and the CLI open the wallet themselves. */
  g_clear_object (&fx->buyer);
  g_clear_object (&fx->alice_ecash);
  g_clear_object (&fx->purse);
  g_clear_object (&fx->alice);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *offer_id = g_strdup_printf ("crash-%u", i);
      g_autofree char *offer_path = g_build_filename (fx->market.dir, "offer.p7m", NULL);
      g_autoptr(GBytes) offer = make_offer (fx, offer_id, fx->goods);
      char *id;

      g_test_message ("kill after %s (%s)", cases[i].point, cases[i].prefix);
      write_file (offer_path, offer);
      id = run_helper (fx, cases[i].point, cases[i].prefix, offer_path, cert_path);
      g_ptr_array_add (ids, id);
      semper_resume (fx);
    }

  fx->alice = semper_test_open_profile (&fx->market, "alice");
  fx->purse = semper_purse_new (fx->alice, &error);
  g_assert_no_error (error);
  fx->buyer = semper_fx_buyer_new (fx->alice, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(GPtrArray) sent = outgoing_of (fx->alice, id);
      g_autoptr(GBytes) merchant_m1 = NULL, merchant_m3 = NULL;

      assert_state (fx, id, cases[i].end);
      if (g_str_equal (cases[i].end, SEMPER_FX_DONE))
        {
          assert_goods (fx, id);
          done++;
        }
      /* Sent once, resent byte for byte: the merchant holds the journal's m1 and m3. */
      merchant_messages (fx, id, &merchant_m1, &merchant_m3);
      if (g_str_equal (cases[i].end, SEMPER_FX_REVOKED))
        revoked++;
      if (sent->len > 0 && g_str_equal (cases[i].prefix, "/wrong"))
        {
          g_autofree char *m1_hash = semper_sha256_hex (g_ptr_array_index (sent, 0));

          /* m1 resent byte for byte: one m2 for it at the merchant. */
          g_assert_cmpuint (g_hash_table_size (fx->wrong_m2), >=, 1);
          g_assert_nonnull (g_hash_table_lookup (fx->wrong_m2, m1_hash));
        }
      else if (sent->len > 0 && !g_str_equal (cases[i].prefix, "/nowhere"))
        {
          g_assert_nonnull (merchant_m1);
          g_assert_true (g_bytes_equal (merchant_m1, g_ptr_array_index (sent, 0)));
        }
      if (merchant_m3 != NULL)
        {
          g_assert_cmpuint (sent->len, >=, 2);
          g_assert_true (g_bytes_equal (merchant_m3, g_ptr_array_index (sent, 1)));
        }
    }
  /* No coin lost, none spent twice, none left reserved; each revoked
   * purchase refunded once, to the account. */
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
  g_assert_cmpint (purse_balance (fx), ==, start_balance - (gint64) (done + revoked) * PRICE);
  g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==,
                   start_account + (gint64) revoked * PRICE);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==,
                   (gint64) done * (PRICE - 2 * FEE_DEPOSIT));
}

/* ---- the merchant killed (suite slow) ------------------------------------------ */

typedef struct {
  GSubprocess *proc;
  char        *url;
  int          recovered;
} MerchantProc;

/* Starts the merchant process (fx-merchant-helper), killed right after
 * @crash (NULL: never); it recovers with the TTP first. */
static void
merchant_start (Fixture      *fx,
                MerchantProc *mp,
                const char   *crash)
{
  g_autofree char *helper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "tests",
                                              "integration", "fx-merchant-helper", NULL);
  g_autofree char *profile = g_build_filename (fx->market.dir, "shop", NULL);
  g_autofree char *cert_path = g_build_filename (fx->market.dir, "ttp.der", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *second = NULL;

  if (crash != NULL)
    g_subprocess_launcher_setenv (launcher, "SEMPER_TEST_CRASH_AFTER", crash, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SEMPER_TEST_CRASH_AFTER");
  mp->proc = g_subprocess_launcher_spawn (launcher, &error, helper, profile, PASSWORD, cert_path,
                                          fx->ttp_url, fx->bank_url, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mp->proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "recovered "));
  mp->recovered = (int) g_ascii_strtoll (line + strlen ("recovered "), NULL, 10);
  second = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_true (g_str_has_prefix (second, "listening on http://127.0.0.1:"));
  mp->url = g_strdup (second + strlen ("listening on "));
}

/* The merchant must have died with SIGKILL at its journal point. */
static void
merchant_wait_killed (MerchantProc *mp)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (mp->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (mp->proc));
  g_assert_cmpint (g_subprocess_get_term_sig (mp->proc), ==, SIGKILL);
  g_clear_object (&mp->proc);
  g_clear_pointer (&mp->url, g_free);
}

static void
merchant_stop (MerchantProc *mp)
{
  if (mp->proc == NULL)
    return;
  g_subprocess_force_exit (mp->proc);
  g_subprocess_wait (mp->proc, NULL, NULL);
  g_clear_object (&mp->proc);
  g_clear_pointer (&mp->url, g_free);
}

static GBytes *
merchant_post (MerchantProc  *mp,
               const char    *path,
               GBytes        *body,
               GError       **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = g_strconcat (mp->url, path, NULL);

  return semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body, NULL,
                                       NULL, error);
}

/* The merchant's stored row for @key (NULL members when not stored). */
static void
merchant_row (Fixture     *fx,
              const char  *key,
              char       **out_state,
              GBytes     **out_m2,
              GBytes     **out_m3,
              GBytes     **out_m4)
{
  g_autofree char *path = g_build_filename (fx->market.dir, "shop", "fx.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes **outs[] = { out_m2, out_m3, out_m4 };

  *out_state = NULL;
  *out_m2 = *out_m3 = *out_m4 = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT state, m2, m3, m4 FROM fx_exchanges "
                                       "WHERE key = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      for (int i = 0; i < 3; i++)
        if (sqlite3_column_type (stmt, i + 1) != SQLITE_NULL)
          *outs[i] = g_bytes_new (sqlite3_column_blob (stmt, i + 1),
                                  sqlite3_column_bytes (stmt, i + 1));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* SIGKILL the merchant process right after each of its journal points
 * (m2-sent, m3-received, m4-sent), restart it, and finish the exchange both
 * ways: the buyer resends its journaled m1/m3 to the restarted merchant (the
 * answer is the stored m2/m4, byte for byte), or the buyer goes to the TTP
 * while the merchant is down (abort before paying, resolve after) and the
 * restarted merchant recovers its payment from the TTP. The buyer ends with
 * the goods or T's abort token; the merchant is paid exactly for the
 * exchanges whose goods the buyer got; nothing is signed twice. */
static void
test_merchant_crash (Fixture       *fx,
                     gconstpointer  data)
{
  static const struct {
    const char *point;
    gboolean    via_ttp;
    const char *end;        /* the buyer's final state */
    const char *merchant;   /* the merchant's state afterwards */
    int         recovered;  /* payments the restarted merchant got from the TTP */
  } cases[] = {
    { SEMPER_FX_M2_SENT, FALSE, SEMPER_FX_DONE, SEMPER_FX_M4_SENT, 0 },
    { SEMPER_FX_M3_RECEIVED, FALSE, SEMPER_FX_DONE, SEMPER_FX_M4_SENT, 0 },
    { SEMPER_FX_M4_SENT, FALSE, SEMPER_FX_DONE, SEMPER_FX_M4_SENT, 0 },
    { SEMPER_FX_M2_SENT, TRUE, SEMPER_FX_ABORTED, SEMPER_FX_M2_SENT, 0 },
    { SEMPER_FX_M3_RECEIVED, TRUE, SEMPER_FX_DONE, SEMPER_FX_M4_SENT, 1 },
    { SEMPER_FX_M4_SENT, TRUE, SEMPER_FX_DONE, SEMPER_FX_M4_SENT, 0 },
  };
  g_autofree char *cert_path = g_build_filename (fx->market.dir, "ttp.der", NULL);
  g_autoptr(GPtrArray) offers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  SemperAmount amount;
  gint64 start_purse;
  guint done = 0;

  g_assert_true (semper_amount_init (&amount, 2000, "EUR", &error));
  g_assert_true (semper_purse_withdraw (fx->purse, &amount, NULL, &error));
  g_assert_no_error (error);
  start_purse = purse_balance (fx);
  write_file (cert_path, fx->ttp_cert);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *offer_id = g_strdup_printf ("merchant-crash-%u", i);

      g_ptr_array_add (offers, make_offer (fx, offer_id, fx->goods));
    }
  /* The merchant process opens the shop's profile and store itself. */
  g_clear_object (&fx->merchant);
  g_clear_object (&fx->shop_ecash);
  g_clear_object (&fx->shop);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *point = cases[i].point;
      gboolean at_m2 = g_str_equal (point, SEMPER_FX_M2_SENT);
      MerchantProc mp = { 0 };
      g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL;
      g_autoptr(GBytes) kept_m2 = NULL, kept_m3 = NULL, kept_m4 = NULL;
      g_autoptr(SemperProtocolMessage) m1_msg = NULL;
      g_autofree char *id = NULL, *key = NULL, *kept_state = NULL, *state = NULL;
      g_autofree char *step = NULL;

      g_test_message ("merchant killed after %s, then %s", point,
                      cases[i].via_ttp ? "the TTP" : "a resend");
      id = order_offer (fx, g_ptr_array_index (offers, i), &m1);
      m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
      g_assert_no_error (error);
      key = semper_protocol_message_dup_hash (m1_msg);

      merchant_start (fx, &mp, point);
      g_assert_cmpint (mp.recovered, ==, 0);
      m2 = merchant_post (&mp, "/fx/m1", m1, &error);
      if (!at_m2)
        g_assert_no_error (error);
      else
        {
          /* Killed after storing m2, before it left. */
          g_assert_null (m2);
          g_clear_error (&error);
          merchant_wait_killed (&mp);
          merchant_row (fx, key, &kept_state, &kept_m2, &kept_m3, &kept_m4);
          g_assert_cmpstr (kept_state, ==, SEMPER_FX_M2_SENT);
          g_assert_nonnull (kept_m2);
          if (cases[i].via_ttp)
            {
              /* No m2: the buyer aborts with the TTP; nothing is paid. */
              state = semper_fx_buyer_abort (fx->buyer, id, &error);
              g_assert_no_error (error);
            }
          merchant_start (fx, &mp, NULL);
          g_assert_cmpint (mp.recovered, ==, cases[i].recovered);
          if (!cases[i].via_ttp)
            {
              m2 = merchant_post (&mp, "/fx/m1", m1, &error);
              g_assert_no_error (error);
              /* The resent m1 gets the m2 stored before the crash. */
              g_assert_true (g_bytes_equal (m2, kept_m2));
            }
        }
      g_assert_nonnull (m2 != NULL ? m2 : kept_m2);
      if (m2 != NULL)
        {
          m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
          g_assert_no_error (error);
          m4 = merchant_post (&mp, "/fx/m3", m3, &error);
          if (at_m2)
            g_assert_no_error (error);
          else
            {
              /* Killed after storing m3 (before collecting) or m4 (before it left). */
              g_assert_null (m4);
              g_clear_error (&error);
              merchant_wait_killed (&mp);
              merchant_row (fx, key, &kept_state, &kept_m2, &kept_m3, &kept_m4);
              g_assert_cmpstr (kept_state, ==, point);
              g_assert_true (g_bytes_equal (kept_m2, m2));
              g_assert_true (g_bytes_equal (kept_m3, m3));
              g_assert_true ((kept_m4 != NULL) == g_str_equal (point, SEMPER_FX_M4_SENT));
              if (cases[i].via_ttp)
                {
                  /* Paid, no m4: the buyer resolves with the TTP. */
                  state = semper_fx_buyer_resolve (fx->buyer, id, &error);
                  g_assert_no_error (error);
                }
              merchant_start (fx, &mp, NULL);
              g_assert_cmpint (mp.recovered, ==, cases[i].recovered);
              if (!cases[i].via_ttp)
                {
                  m4 = merchant_post (&mp, "/fx/m3", m3, &error);
                  g_assert_no_error (error);
                  /* A stored m4 is sent as stored, never signed again. */
                  if (kept_m4 != NULL)
                    g_assert_true (g_bytes_equal (m4, kept_m4));
                }
            }
          if (m4 != NULL)
            {
              g_assert_true (semper_fx_buyer_receive_m4 (fx->buyer, id, m4, &error));
              g_assert_no_error (error);
            }
        }
      assert_state (fx, id, cases[i].end);
      if (g_str_equal (cases[i].end, SEMPER_FX_DONE))
        {
          g_autoptr(GBytes) again = NULL;

          assert_goods (fx, id);
          done++;
          /* A late resend of m3 to the merchant gets the one stored m4. */
          again = merchant_post (&mp, "/fx/m3", m3, &error);
          g_assert_no_error (error);
          g_clear_pointer (&kept_m4, g_bytes_unref);
          g_clear_pointer (&kept_state, g_free);
          g_clear_pointer (&kept_m2, g_bytes_unref);
          g_clear_pointer (&kept_m3, g_bytes_unref);
          merchant_row (fx, key, &kept_state, &kept_m2, &kept_m3, &kept_m4);
          g_assert_true (g_bytes_equal (again, kept_m4));
          if (m4 != NULL)
            g_assert_true (g_bytes_equal (m4, kept_m4));
        }
      else
        {
          g_clear_pointer (&kept_state, g_free);
          g_clear_pointer (&kept_m2, g_bytes_unref);
          g_clear_pointer (&kept_m3, g_bytes_unref);
          g_clear_pointer (&kept_m4, g_bytes_unref);
          merchant_row (fx, key, &kept_state, &kept_m2, &kept_m3, &kept_m4);
          step = token_step (fx, id);
          g_assert_cmpstr (step, ==, "aborted");
        }
      g_assert_cmpstr (kept_state, ==, cases[i].merchant);
      merchant_stop (&mp);
    }

  /* The buyer paid for exactly the goods it got, and the merchant was paid
   * once for each: no coin lost, none spent twice, none left reserved. */
  fx->shop = semper_test_open_profile (&fx->market, "shop");
  g_assert_cmpuint (coins_in_state_prefix (fx, "spending:"), ==, 0);
  g_assert_cmpint (purse_balance (fx), ==, start_purse - (gint64) done * PRICE);
  g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==,
                   (gint64) done * (PRICE - 2 * FEE_DEPOSIT));
}

/* ---- account payments (PROTOCOLS.md D) inside the exchange ---------------------- */

/* Both sides of an account payment in this test: the buyer's proof made
 * between m2 and m3 (as SemperPurchase does after the user's second
 * consent), the merchant's invoices and its collect (authorise and capture
 * at the bank, as the merchant role does). */
typedef struct {
  Fixture             *fx;
  SemperPaymentSystem *account;
  char                *key;
  GBytes              *proof;
  GHashTable          *invoices;   /* H(m1) -> signed invoice */
} AccountPay;

static gboolean
acc_reserve (gpointer            user_data,
             const char         *key,
             const SemperAmount *amount,
             GError            **error)
{
  AccountPay *ap = user_data;

  /* Reserved before the proof was made (account_order). */
  if (g_strcmp0 (ap->key, key) == 0)
    return TRUE;
  return semper_payment_system_reserve (ap->account, key, amount, error);
}

static GBytes *
acc_pay (gpointer     user_data,
         const char  *key,
         const char  *merchant,
         GError     **error)
{
  AccountPay *ap = user_data;

  g_assert_cmpstr (key, ==, ap->key);
  return g_bytes_ref (ap->proof);
}

static gboolean
acc_commit (gpointer     user_data,
            const char  *key,
            GError     **error)
{
  AccountPay *ap = user_data;

  return semper_payment_system_commit (ap->account, key, error);
}

static gboolean
acc_release (gpointer     user_data,
             const char  *key,
             GBytes      *revoke,
             GError     **error)
{
  AccountPay *ap = user_data;

  return semper_payment_system_reclaim (ap->account, key, revoke, error);
}

static gboolean
acc_collect (gpointer            user_data,
             const char         *key,
             const SemperAmount *amount,
             GBytes             *proof,
             GError            **error)
{
  AccountPay *ap = user_data;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperAccountAnswer) authorised = NULL;
  g_autoptr(SemperAccountAnswer) captured = NULL;
  g_autofree char *auth_key = g_strdup_printf ("auth-%.48s", key);
  g_autofree char *capture_key = g_strdup_printf ("capt-%.48s", key);
  SemperCrypto *shop = semper_profile_get_crypto (ap->fx->shop);
  SemperAccountRequest request = { 0 };

  request.op = SEMPER_ACCOUNT_OP_AUTHORISE;
  request.key = auth_key;
  request.invoice = g_hash_table_lookup (ap->invoices, key);
  request.proof = proof;
  g_assert_nonnull (request.invoice);
  authorised = semper_account_request_send (&request, client, shop, ap->fx->market.trust,
                                            ap->fx->bank_url, NULL, NULL, error);
  if (authorised == NULL)
    return FALSE;
  g_assert_true (authorised->yes);
  memset (&request, 0, sizeof request);
  request.op = SEMPER_ACCOUNT_OP_CAPTURE;
  request.key = capture_key;
  request.common = authorised->common;
  captured = semper_account_request_send (&request, client, shop, ap->fx->market.trust,
                                          ap->fx->bank_url, NULL, NULL, error);
  if (captured == NULL)
    return FALSE;
  g_assert_true (captured->yes);
  return TRUE;
}

/* Orders @offer paid by account: m1 and, from @m2, the buyer's m3. */
static char *
account_order (AccountPay  *ap,
               GBytes      *offer,
               GBytes     **out_m1)
{
  Fixture *fx = ap->fx;
  g_autoptr(GBytes) document = NULL, auth_doc = NULL, invoice = NULL;
  g_autoptr(SemperConsent) consent = NULL, second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) shop_cert = semper_crypto_dup_certificate (
    semper_profile_get_crypto (fx->shop));
  g_autofree char *id = NULL, *order_hash = NULL, *shop_fp = semper_sha256_hex (shop_cert);
  SemperInvoice inv = { 0 };

  id = semper_fx_buyer_prepare (fx->buyer, offer, "account", "http://127.0.0.1:9", fx->ttp_url,
                                fx->ttp_cert, &document, &error);
  g_assert_no_error (error);
  consent = consent_for (document);
  *out_m1 = semper_fx_buyer_order (fx->buyer, id, consent, &error);
  g_assert_no_error (error);
  g_free (ap->key);
  ap->key = semper_sha256_hex (*out_m1);
  order_hash = semper_sha256_hex (document);

  /* The merchant's invoice for H(m1); the user's second consent, to the
   * payment authorisation; the proof that goes into m3. */
  g_assert_true (semper_amount_init (&inv.price, PRICE, "EUR", &error));
  inv.merchant = shop_fp;
  inv.tid = ap->key;
  inv.date = g_get_real_time () / G_USEC_PER_SEC;
  inv.order = order_hash;
  invoice = semper_invoice_sign (&inv, semper_profile_get_crypto (fx->shop), &error);
  g_assert_no_error (error);
  g_hash_table_insert (ap->invoices, g_strdup (ap->key), g_bytes_ref (invoice));
  g_assert_true (semper_payment_system_reserve (ap->account, ap->key, &inv.price, &error));
  auth_doc = semper_payment_system_prepare (ap->account, ap->key, shop_fp, invoice, &error);
  g_assert_no_error (error);
  second = consent_for (auth_doc);
  g_clear_pointer (&ap->proof, g_bytes_unref);
  ap->proof = semper_payment_system_pay (ap->account, ap->key, shop_fp, invoice, second, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&id);
}

/* Account-paid exchanges ended by the TTP (PROTOCOLS.md B with D as the
 * payment): the merchant takes the payment and withholds k (T's receipt
 * gives the buyer the goods, the merchant keeps the money); the merchant
 * sends other goods and takes the payment (T revokes, the bank pays the
 * buyer back); the buyer withholds m3 and resolves (the merchant fetches m3
 * from T and collects). Every time one side has everything only when the
 * other has what it was owed. */
static void
test_account (Fixture       *fx,
              gconstpointer  data)
{
  static const char * const systems[] = { "ecash", "account", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperAccountSystem) account = semper_account_system_new (fx->alice, &error);
  g_autoptr(GBytes) wrong = g_bytes_new_static ("Not the course notes.\n", 22);
  SemperFxPaymentSystem buyer_sys = { 0 }, shop_sys = { 0 };
  AccountPay ap = { 0 };
  SemperAmount price;
  gint64 alice0, shop0;
  g_assert_no_error (error);

  ap.fx = fx;
  ap.account = SEMPER_PAYMENT_SYSTEM (account);
  ap.invoices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
  buyer_sys.system = "account";
  buyer_sys.user_data = &ap;
  buyer_sys.reserve = acc_reserve;
  buyer_sys.pay = acc_pay;
  buyer_sys.commit = acc_commit;
  buyer_sys.release = acc_release;
  semper_fx_buyer_add_payment_system (fx->buyer, &buyer_sys);
  shop_sys.system = "account";
  shop_sys.user_data = &ap;
  shop_sys.collect = acc_collect;
  semper_fx_merchant_add_payment_system (fx->merchant, &shop_sys);
  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  alice0 = account_balance (fx, fx->alice, "alice");
  shop0 = account_balance (fx, fx->shop, "shop");

  /* 1. Paid (authorised and captured), k withheld: resolve → receipt, goods. */
  {
    g_autoptr(GBytes) offer = NULL, m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL;
    g_autofree char *id = NULL, *state = NULL, *step = NULL;

    offer = semper_fx_merchant_offer (fx->merchant, "acc-1", "Networks 101 course notes",
                                      fx->goods, &price,
                                      g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                      &error);
    g_assert_no_error (error);
    id = account_order (&ap, offer, &m1);
    m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
    g_assert_no_error (error);
    m4 = semper_fx_merchant_handle_m3 (fx->merchant, m3, &error);
    g_assert_no_error (error);
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + PRICE);
    /* m4 withheld. */
    state = semper_fx_buyer_resolve (fx->buyer, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
    assert_goods (fx, id);
    step = token_step (fx, id);
    g_assert_cmpstr (step, ==, "receipt");
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + PRICE);
  }

  /* 2. Other goods than offered, payment captured: revoke, the bank pays back. */
  {
    g_autoptr(GBytes) offer = NULL, m1 = NULL, m2 = NULL, m3 = NULL, key = NULL;
    g_autoptr(SemperProtocolMessage) m1_msg = NULL;
    g_autofree char *id = NULL, *state = NULL, *step = NULL;

    offer = semper_fx_merchant_offer (fx->merchant, "acc-2", "Networks 101 course notes",
                                      fx->goods, &price,
                                      g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                      &error);
    g_assert_no_error (error);
    id = account_order (&ap, offer, &m1);
    m1_msg = semper_protocol_message_verify (m1, fx->market.trust, &error);
    g_assert_no_error (error);
    m2 = semper_fx_make_m2 (semper_profile_get_crypto (fx->shop), m1_msg, wrong, fx->ttp_cert,
                            &key, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
    g_assert_no_error (error);
    {
      g_autoptr(SemperProtocolMessage) m3_msg =
        semper_protocol_message_verify (m3, fx->market.trust, &error);
      g_autoptr(GBytes) proof = NULL;

      g_assert_no_error (error);
      proof = semper_protocol_message_dup_bytes (m3_msg, "proof");
      g_assert_true (acc_collect (&ap, ap.key, &price, proof, &error));
      g_assert_no_error (error);
    }
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - 2 * PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + 2 * PRICE);
    state = semper_fx_buyer_resolve (fx->buyer, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (state, ==, SEMPER_FX_REVOKED);
    step = token_step (fx, id);
    g_assert_cmpstr (step, ==, "revoke");
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + PRICE);
  }

  /* 3. The buyer withholds m3 and resolves: T keeps m3, the merchant collects from it. */
  {
    g_autoptr(GBytes) offer = NULL, m1 = NULL, m2 = NULL, m3 = NULL;
    g_autofree char *id = NULL, *state = NULL;

    offer = semper_fx_merchant_offer (fx->merchant, "acc-3", "Networks 101 course notes",
                                      fx->goods, &price,
                                      g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                      &error);
    g_assert_no_error (error);
    id = account_order (&ap, offer, &m1);
    m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
    g_assert_no_error (error);
    state = semper_fx_buyer_resolve (fx->buyer, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
    assert_goods (fx, id);
    /* T had the bank hold the price for the merchant before it gave out k. */
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - 2 * PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + PRICE);
    g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice0 - 2 * PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop0 + 2 * PRICE);
  }

  /* A proof for another exchange does not resolve this one. */
  {
    g_autoptr(GBytes) offer = NULL, m1 = NULL, m2 = NULL, m3 = NULL, old_proof = NULL;
    g_autofree char *id = NULL, *state = NULL;

    old_proof = g_bytes_ref (ap.proof);
    offer = semper_fx_merchant_offer (fx->merchant, "acc-4", "Networks 101 course notes",
                                      fx->goods, &price,
                                      g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                      &error);
    g_assert_no_error (error);
    id = account_order (&ap, offer, &m1);
    g_clear_pointer (&ap.proof, g_bytes_unref);
    ap.proof = g_steal_pointer (&old_proof);
    m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
    g_assert_no_error (error);
    state = semper_fx_buyer_resolve (fx->buyer, id, &error);
    g_assert_null (state);
    g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
    g_assert_nonnull (strstr (error->message, "account payment"));
    g_clear_error (&error);
  }
  /* 5. Interrupted after m3 (the merchant never answers): `semper resume`
   * resolves it with the journaled account proof; the merchant collects from T.
   * 6. Interrupted after m1 (no m2): resume aborts; nothing was paid. */
  {
    g_autoptr(GBytes) offer5 = NULL, offer6 = NULL, m1 = NULL, m1b = NULL, m2 = NULL, m3 = NULL;
    g_autoptr(GPtrArray) resumed = NULL;
    g_autofree char *id5 = NULL, *id6 = NULL;
    gint64 alice1 = account_balance (fx, fx->alice, "alice");
    gint64 shop1 = account_balance (fx, fx->shop, "shop");

    offer5 = semper_fx_merchant_offer (fx->merchant, "acc-5", "Networks 101 course notes",
                                       fx->goods, &price,
                                       g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                       &error);
    g_assert_no_error (error);
    offer6 = semper_fx_merchant_offer (fx->merchant, "acc-6", "Networks 101 course notes",
                                       fx->goods, &price,
                                       g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                       &error);
    g_assert_no_error (error);
    id5 = account_order (&ap, offer5, &m1);
    m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id5, m2, &error);
    g_assert_no_error (error);
    id6 = account_order (&ap, offer6, &m1b);
    resumed = semper_fx_ecash_resume_profile (fx->alice, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < resumed->len; i++)
      {
        SemperFxResumed *r = g_ptr_array_index (resumed, i);

        /* Case 4 stays resolving: T keeps refusing the proof of another exchange. */
        if (g_str_equal (r->id, id5) || g_str_equal (r->id, id6))
          g_assert_null (r->error);
        else
          g_assert_nonnull (r->error);
      }
    assert_state (fx, id5, SEMPER_FX_DONE);
    assert_goods (fx, id5);
    assert_state (fx, id6, SEMPER_FX_ABORTED);
    g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, alice1 - PRICE);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop1 + PRICE);
  }
  /* 7. The buyer withholds m3 and empties its account before it resolves
   * (before T collected payments, T gave it k and the merchant's authorise
   * was refused later): T's authorise gets the bank's no, T revokes, no k,
   * and no money moves. */
  {
    g_autoptr(GBytes) offer = NULL, m1 = NULL, m2 = NULL, m3 = NULL, goods = NULL;
    g_autofree char *id = NULL, *state = NULL, *step = NULL;
    gint64 shop1 = account_balance (fx, fx->shop, "shop");
    SemperAmount drain;

    offer = semper_fx_merchant_offer (fx->merchant, "acc-7", "Networks 101 course notes",
                                      fx->goods, &price,
                                      g_get_real_time () / G_USEC_PER_SEC + 3600, systems,
                                      &error);
    g_assert_no_error (error);
    id = account_order (&ap, offer, &m1);
    m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
    g_assert_no_error (error);
    m3 = semper_fx_buyer_receive_m2 (fx->buyer, id, m2, &error);
    g_assert_no_error (error);
    /* Everything but 1.00 EUR out of the account, into coins. */
    g_assert_true (semper_amount_init (&drain, account_balance (fx, fx->alice, "alice") - 100,
                                       "EUR", &error));
    g_assert_true (semper_purse_withdraw (fx->purse, &drain, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, 100);

    state = semper_fx_buyer_resolve (fx->buyer, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (state, ==, SEMPER_FX_REVOKED);
    step = token_step (fx, id);
    g_assert_cmpstr (step, ==, "revoke");
    goods = semper_fx_buyer_dup_goods (fx->buyer, id, &error);
    g_assert_null (goods);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_cmpint (semper_fx_merchant_recover (fx->merchant, fx->ttp_url, &error), ==, 0);
    g_assert_no_error (error);
    g_assert_cmpint (account_balance (fx, fx->alice, "alice"), ==, 100);
    g_assert_cmpint (account_balance (fx, fx->shop, "shop"), ==, shop1);
  }
  g_clear_pointer (&ap.invoices, g_hash_table_unref);
  g_clear_pointer (&ap.proof, g_bytes_unref);
  g_free (ap.key);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Each test of suite integration is also a meson test of its own: list a new one in
   * tests/integration/meson.build. */
#define ADD(path, fn) \
  g_test_add ("/semper/fx/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("optimistic", test_optimistic);
  ADD ("abort", test_abort);
  ADD ("withheld-key", test_withheld_key);
  ADD ("wrong-goods", test_wrong_goods);
  ADD ("physical-goods", test_physical);
  ADD ("merchant-restart", test_merchant_restart);
  ADD ("replay", test_replay);
  ADD ("second-m2", test_second_m2);
  ADD ("abort-after-paying", test_abort_after_paying);
  ADD ("withheld-payment", test_withheld_payment);
  ADD ("double-spend", test_double_spend);
  ADD ("ttp-without-bank", test_ttp_without_bank);
  ADD ("account", test_account);
  g_test_add ("/semper/fx/abort-races-resolve", Fixture, GUINT_TO_POINTER (RACE_PAIRS_QUICK),
              fixture_set_up, test_race, fixture_tear_down);
  if (g_test_slow ())
    {
      ADD ("crash", test_crash);
      ADD ("merchant-crash", test_merchant_crash);
      g_test_add ("/semper/fx/ttp-race", Fixture, GUINT_TO_POINTER (RACE_PAIRS), fixture_set_up,
                  test_race, fixture_tear_down);
    }
#undef ADD
  return g_test_run ();
}
