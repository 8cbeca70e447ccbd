/* test-actions.c: the actions of the wallet window on exchanges, receipts and
 * backups (issue 8, docs/activity.md, docs/backup.md), against a real bank
 * and a real TTP (`semperd --role bank|ttp`) and the real `semper` binary:
 *
 * - a paid purchase whose merchant vanished after m2, suspended with
 *   `semper suspend`: `semper resume` and the window's resume on start leave
 *   it alone; Resolve in Activity gets the goods through the TTP, and the row
 *   says so; Dispute… opens the Disputes page with the transaction and the
 *   TTP of the exchange; a second purchase is suspended in the window, left
 *   alone by Resume All, and aborted after the dialog said what that means
 *   for the money; a receipt's Dispute… in Receipts does the same;
 * - a backup restored in the first-run setup window: a wrong password
 *   restores nothing; the right one opens the wallet with its receipt, and
 *   its coins are spendable once (the original's copies are refused).
 *
 * The merchant (a SemperFxMerchant) runs in the test process, as in
 * tests/integration/test-fair-exchange.c, so that "vanished" is a dead URL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-archive.h"
#include "semper-backup.h"
#include "semper-bank-request.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-fair-exchange.h"
#include "semper-fx-buyer.h"
#include "semper-fx-ecash.h"
#include "semper-fx-merchant.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-shop-client.h"
#include "semper-suspend.h"
#include "semper-test-semperd.h"
#include "ui-test-util.h"
#include "wallet-activity-page.h"
#include "wallet-consent-port.h"
#include "wallet-disputes-page.h"
#include "wallet-exchanges.h"
#include "wallet-receipts-page.h"
#include "wallet-record-detail.h"
#include "wallet-setup-window-private.h"
#include "wallet-shop-merchant-view.h"
#include "wallet-trusted-display-private.h"
#include "wallet-window.h"

#define PASSWORD        "actions test password"
#define BACKUP_PASSWORD "a backup password of its own"
#define PRICE           300   /* 3.00 EUR: a 200 and a 100 coin */
#define DEAD_MERCHANT   "http://127.0.0.1:9/shop"

static const char bank_config[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":200,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}}]}\n";

static const char goods_text[] = "Course notes: Networks 101, chapter 1 to 12.\n";

static WalletConsentPort *provider;
static char *test_dir;

typedef struct {
  SemperTestMarket  market;
  char             *alice_dir;
  GSubprocess      *bank_proc;
  GSubprocess      *ttp_proc;
  char             *bank_url;
  char             *ttp_url;
  GBytes           *ttp_cert;
  SemperProfile    *shop;
  SemperFxEcash    *shop_ecash;
  SemperFxMerchant *merchant;
  GBytes           *goods;
  guint             deposits;
  /* the window's run */
  char             *purchase_a;
  char             *purchase_b;
} Fixture;

static SemperProfile *
make_profile (Fixture    *fx,
              const char *name,
              const char *role)
{
  return semper_test_make_profile (&fx->market, name, NULL, role);
}

static void
bank_send (Fixture           *fx,
           SemperBankRequest *request,
           SemperBankAnswer **out)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;

  *out = semper_bank_request_send (request, client, semper_profile_get_crypto (fx->shop),
                                   fx->market.trust, fx->bank_url, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autoptr(SemperProfile) ttp = NULL;
  g_autoptr(SemperProfile) alice = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  SemperFxPaymentSystem system;
  SemperAmount amount;

  semper_test_market_init (&fx->market, "semper-actions-XXXXXX", PASSWORD);

  g_object_unref (make_profile (fx, "bank", SEMPER_ROLE_BANK));
  ttp = make_profile (fx, "ttp", SEMPER_ROLE_TTP);
  fx->ttp_cert = semper_crypto_dup_certificate (semper_profile_get_crypto (ttp));
  g_clear_object (&ttp);
  fx->bank_proc = semper_test_start_server (&fx->market, "bank", NULL, bank_config,
                                            &fx->bank_url);
  /* The TTP collects payments at the bank before it gives out k. */
  fx->ttp_proc = semper_test_start_ttp (&fx->market, fx->bank_url, &fx->ttp_url);

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

  /* Alice: 10.00 EUR of coins; closed again so that `semper` can lock her profile. */
  alice = make_profile (fx, "alice", SEMPER_ROLE_WALLET);
  fx->alice_dir = g_build_filename (fx->market.dir, "alice", NULL);
  purse = semper_test_link_purse (alice, fx->bank_url, "alice", "alice-code");
  g_assert_true (semper_amount_init (&amount, 1000, "EUR", &error));
  g_assert_true (semper_purse_withdraw (purse, &amount, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  semper_test_stop_semperd (&fx->bank_proc);
  semper_test_stop_semperd (&fx->ttp_proc);
  g_clear_object (&fx->merchant);
  g_clear_object (&fx->shop_ecash);
  g_clear_object (&fx->shop);
  g_clear_pointer (&fx->ttp_cert, g_bytes_unref);
  g_clear_pointer (&fx->goods, g_bytes_unref);
  g_free (fx->bank_url);
  g_free (fx->ttp_url);
  g_free (fx->purchase_a);
  g_free (fx->purchase_b);
  g_free (fx->alice_dir);
  semper_test_market_clear (&fx->market);
}

/* ---- helpers ---------------------------------------------------------------------- */

/* Runs `semper --profile DIR ARGS… --password-file F`; returns the exit status. */
static int
run_semper (Fixture     *fx,
            char       **out,
            const char  *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  va_list ap;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semper",
                                           NULL));
  g_ptr_array_add (argv, g_strdup ("--profile"));
  g_ptr_array_add (argv, g_strdup (fx->alice_dir));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, g_strdup ("--password-file"));
  g_ptr_array_add (argv, g_strdup (fx->market.password_file));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                            | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  if (stderr_buf != NULL && *stderr_buf != '\0')
    g_test_message ("semper stderr: %s", stderr_buf);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  return g_subprocess_get_exit_status (proc);
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
display_open (gpointer data)
{
  return wallet_consent_port_get_display (data) != NULL;
}

static gboolean
display_armed (gpointer data)
{
  return _wallet_trusted_display_is_armed (data);
}

static void
consent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SemperConsent **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The user reads the order in the trusted display and presses Sign there:
 * the display's own code path. */
static SemperConsent *
consent_in_trusted_display (GBytes *document)
{
  g_autoptr(WalletTrustedDisplay) display = NULL;
  SemperConsent *consent = NULL;

  wallet_consent_port_request_full_async (provider, document, "order", NULL, NULL, consent_cb,
                                          &consent);
  ui_test_spin_until (display_open, provider);
  display = g_object_ref (wallet_consent_port_get_display (provider));
  ui_test_wait_mapped_active (GTK_WINDOW (display));
  ui_test_wait_until_painted (GTK_WIDGET (display));
  if (!_wallet_trusted_display_is_armed (display))
    _wallet_trusted_display_fire_delay (display);
  ui_test_spin_until (display_armed, display);
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click (_wallet_trusted_display_get_widget (display, "sign"));
  ui_test_spin_until (is_set, &consent);
  return consent;
}

/* A signed order to the (vanished) merchant for a fresh offer: m1-sent. */
static char *
order (Fixture       *fx,
       SemperProfile *alice,
       const char    *offer_id,
       GBytes       **out_m1)
{
  static const char * const systems[] = { "ecash", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperFxBuyer) buyer = semper_fx_ecash_new_wallet_buyer (alice, &error);
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autofree char *id = NULL;
  SemperAmount price;
  GBytes *m1;

  g_assert_no_error (error);
  g_assert_true (semper_amount_init (&price, PRICE, "EUR", &error));
  offer = semper_fx_merchant_offer (fx->merchant, offer_id, "Networks 101 course notes",
                                    fx->goods, &price, g_get_real_time () / G_USEC_PER_SEC + 3600,
                                    systems, &error);
  g_assert_no_error (error);
  id = semper_fx_buyer_prepare (buyer, offer, "ecash", DEAD_MERCHANT, fx->ttp_url, fx->ttp_cert,
                                &document, &error);
  g_assert_no_error (error);
  consent = consent_in_trusted_display (document);
  m1 = semper_fx_buyer_order (buyer, id, g_steal_pointer (&consent), &error);
  g_assert_no_error (error);
  if (out_m1 != NULL)
    *out_m1 = m1;
  else
    g_bytes_unref (m1);
  return g_steal_pointer (&id);
}

static gint64
purse_balance (SemperProfile *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPurse) purse = semper_purse_new (profile, &error);
  SemperAmount sum;

  g_assert_no_error (error);
  g_assert_true (semper_purse_get_balance (purse, "EUR", &sum, &error));
  g_assert_no_error (error);
  return sum.minor;
}

static char *
state_of (SemperProfile *profile,
          const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperFxBuyer) buyer = semper_fx_ecash_new_wallet_buyer (profile, &error);
  char *state;

  g_assert_no_error (error);
  state = semper_fx_buyer_dup_state (buyer, id, &error);
  g_assert_no_error (error);
  return state;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The page @name of the window's view stack (the Contracts page has an
 * activity page and a receipts browser of its own). */
static GtkWidget *
page_of (WalletWindow *window,
         const char   *name,
         GType         type)
{
  AdwViewStack *stack = ADW_VIEW_STACK (find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  GtkWidget *page = find_type (adw_view_stack_get_child_by_name (stack, name), type);

  g_assert_nonnull (page);
  return page;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static gboolean
not_busy (gpointer data)
{
  return !wallet_exchanges_is_busy (data);
}

static void
wait_idle (WalletExchanges *exchanges,
           GtkWidget       *window)
{
  ui_test_spin_until (not_busy, exchanges);
  ui_test_wait_until_painted (window);
}

static WalletExchangeItem *
item (WalletExchanges *exchanges,
      const char      *id)
{
  GPtrArray *items = wallet_exchanges_get_items (exchanges);

  for (guint i = 0; items != NULL && i < items->len; i++)
    if (g_str_equal (((WalletExchangeItem *) items->pdata[i])->id, id))
      return items->pdata[i];
  return NULL;
}

static GtkWidget *
row_button (WalletActivityPage *page,
            const char         *id,
            const char         *action)
{
  return _wallet_activity_page_get_widget (page, id, action);
}

/* ---- purchases in Activity, disputes from Activity and Receipts -------------------- */

static void
assert_dispute_page (Fixture      *fx,
                     WalletWindow *window,
                     const char   *exchange)
{
  WalletDisputesPage *disputes =
    WALLET_DISPUTES_PAGE (page_of (window, "disputes", WALLET_TYPE_DISPUTES_PAGE));

  g_assert_cmpstr (wallet_window_get_visible_page (window), ==, "disputes");
  g_assert_cmpstr (wallet_disputes_page_get_exchange (disputes), ==, exchange);
  /* The TTP the exchange named, not typed. */
  g_assert_cmpstr (wallet_disputes_page_get_ttp_url (disputes), ==, fx->ttp_url);
}

static void
purchases_body (WalletWindow  *window,
                SemperProfile *profile,
                gpointer       data)
{
  Fixture *fx = data;
  WalletActivityPage *page =
    WALLET_ACTIVITY_PAGE (page_of (window, "activity", WALLET_TYPE_ACTIVITY_PAGE));
  WalletExchanges *exchanges = wallet_activity_page_get_exchanges (page);
  WalletExchangeItem *a, *b;
  AdwMessageDialog *dialog;
  g_autofree char *what = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord r = { 0 };
  gint64 receipt;

  g_assert_nonnull (exchanges);
  wallet_window_set_visible_page (window, "activity");
  wait_idle (exchanges, GTK_WIDGET (window));

  /* Resumed on start, but not the suspended purchase: still paid and waiting. */
  a = item (exchanges, fx->purchase_a);
  g_assert_nonnull (a);
  g_assert_true (a->suspended);
  g_assert_cmpstr (a->state, ==, SEMPER_FX_M3_SENT);
  g_assert_cmpint (a->status, ==, WALLET_EXCHANGE_SUSPENDED);
  g_assert_cmpstr (a->ttp_url, ==, fx->ttp_url);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row_button (page, a->id, "status"))), ==,
                   "Suspended");
  g_assert_nonnull (row_button (page, a->id, "resume"));
  g_assert_nonnull (row_button (page, a->id, "resolve"));
  g_assert_null (row_button (page, a->id, "suspend"));
  g_assert_null (row_button (page, a->id, "retry"));
  g_assert_null (row_button (page, a->id, "abort"));    /* it is paid */
  g_assert_null (row_button (page, a->id, "dispute"));  /* not finished */
  ui_test_save_screenshot (GTK_WIDGET (window), "actions-suspended");

  /* Resolve: the TTP checks the payment and hands over the key. */
  click (row_button (page, a->id, "resolve"));
  wait_idle (exchanges, GTK_WIDGET (window));
  a = item (exchanges, fx->purchase_a);
  g_assert_nonnull (a);
  g_assert_true (a->finished);
  g_assert_cmpstr (a->state, ==, SEMPER_FX_DONE);
  g_assert_true (a->by_ttp);
  g_assert_null (a->last_error);
  g_assert_cmpint (a->status, ==, WALLET_EXCHANGE_DONE);
  what = wallet_exchange_item_describe (a);
  g_assert_nonnull (strstr (what, "The TTP finished it for you"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (row_button (page, a->id, "status"))), ==,
                   "Done");
  ui_test_save_screenshot (GTK_WIDGET (window), "actions-resolved");

  /* Dispute… on the finished exchange: the Disputes page, filled in. */
  click (row_button (page, a->id, "dispute"));
  ui_test_wait_until_painted (GTK_WIDGET (window));
  assert_dispute_page (fx, window, fx->purchase_a);
  ui_test_save_screenshot (GTK_WIDGET (window), "actions-dispute-prefilled");
  wallet_window_set_visible_page (window, "activity");

  /* A second order, whose merchant vanished before m2. */
  fx->purchase_b = order (fx, profile, "offer-b", NULL);
  wallet_exchanges_run_async (exchanges, WALLET_EXCHANGES_REFRESH, NULL, NULL, NULL, NULL);
  wait_idle (exchanges, GTK_WIDGET (window));
  b = item (exchanges, fx->purchase_b);
  g_assert_nonnull (b);
  g_assert_cmpstr (b->state, ==, SEMPER_FX_M1_SENT);
  g_assert_cmpint (b->status, ==, WALLET_EXCHANGE_WAITING);
  g_assert_nonnull (row_button (page, b->id, "retry"));
  g_assert_nonnull (row_button (page, b->id, "abort"));
  g_assert_null (row_button (page, b->id, "resolve"));
  g_assert_null (row_button (page, b->id, "resume"));

  /* Suspend: kept in the profile; Resume All leaves it alone. */
  click (row_button (page, b->id, "suspend"));
  wait_idle (exchanges, GTK_WIDGET (window));
  g_assert_true (semper_exchange_is_suspended (profile, fx->purchase_b));
  b = item (exchanges, fx->purchase_b);
  g_assert_true (b->suspended);
  g_assert_nonnull (row_button (page, b->id, "resume"));
  click (_wallet_activity_page_get_widget (page, NULL, "resume"));
  wait_idle (exchanges, GTK_WIDGET (window));
  b = item (exchanges, fx->purchase_b);
  g_assert_cmpstr (b->state, ==, SEMPER_FX_M1_SENT);
  g_assert_false (b->finished);

  /* Abort…: said first what it means for the money; Keep Waiting changes nothing. */
  click (row_button (page, b->id, "abort"));
  ui_test_spin_until (dialog_shown, NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog),
                            "no money leaves your wallet"));
  ui_test_wait_mapped_active (GTK_WINDOW (dialog));
  ui_test_wait_until_painted (GTK_WIDGET (dialog));
  ui_test_save_screenshot (GTK_WIDGET (dialog), "actions-abort-purchase");
  adw_message_dialog_response (dialog, "cancel");
  g_assert_false (wallet_exchanges_is_busy (exchanges));
  click (row_button (page, b->id, "abort"));
  ui_test_spin_until (dialog_shown, NULL);
  adw_message_dialog_response (find_message_dialog (), "abort");
  wait_idle (exchanges, GTK_WIDGET (window));
  b = item (exchanges, fx->purchase_b);
  g_assert_true (b->finished);
  g_assert_cmpstr (b->state, ==, SEMPER_FX_ABORTED);
  g_assert_cmpint (b->status, ==, WALLET_EXCHANGE_ABORTED);
  g_assert_false (semper_exchange_is_suspended (profile, fx->purchase_b));
  /* Only the first purchase was paid. */
  wallet_exchanges_worker_lock ();
  g_assert_cmpint (purse_balance (profile), ==, 1000 - PRICE);
  state = state_of (profile, fx->purchase_b);
  wallet_exchanges_worker_unlock ();
  g_assert_cmpstr (state, ==, SEMPER_FX_ABORTED);

  /* Dispute… on the receipt of the first purchase, in Receipts. */
  r.counterparty = (char *) "shop";
  r.title = (char *) "Networks 101 course notes";
  semper_amount_init (&r.amount, PRICE, "EUR", NULL);
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = g_get_real_time () / G_USEC_PER_SEC;
  r.text = (char *) "Networks 101 course notes";
  r.exchange_id = fx->purchase_a;
  wallet_exchanges_worker_lock ();
  receipt = semper_archive_record_insert (semper_profile_get_archive (profile),
                                          SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  wallet_exchanges_worker_unlock ();
  g_assert_no_error (error);
  wallet_window_show_receipt (window, receipt);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  {
    GtkWidget *receipts = page_of (window, "receipts", WALLET_TYPE_RECEIPTS_PAGE);
    WalletRecordDetail *detail = WALLET_RECORD_DETAIL (find_type (receipts,
                                                                  WALLET_TYPE_RECORD_DETAIL));
    GtkWidget *button = _wallet_record_detail_get_dispute_button (detail);

    g_assert_cmpint (wallet_record_detail_get_id (detail), ==, receipt);
    g_assert_cmpstr (wallet_record_detail_get_exchange_id (detail), ==, fx->purchase_a);
    g_assert_true (gtk_widget_get_visible (button));
    ui_test_save_screenshot (GTK_WIDGET (window), "actions-receipt-dispute");
    click (button);
  }
  ui_test_wait_until_painted (GTK_WIDGET (window));
  assert_dispute_page (fx, window, fx->purchase_a);
}

static void
test_purchases (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SemperProfile) alice = semper_test_open_profile (&fx->market, "alice");
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperFxBuyer) buyer = NULL;
  g_autofree char *out = NULL;
  g_autofree char *state = NULL;
  g_autofree char *suspend_arg = NULL;

  /* The first purchase: m2 came, Alice paid (m3 journaled), the merchant vanished. */
  fx->purchase_a = order (fx, alice, "offer-a", &m1);
  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  buyer = semper_fx_ecash_new_wallet_buyer (alice, &error);
  g_assert_no_error (error);
  m3 = semper_fx_buyer_receive_m2 (buyer, fx->purchase_a, m2, &error);
  g_assert_no_error (error);
  g_clear_object (&buyer);
  g_clear_object (&alice);

  /* Suspended with the CLI; `semper resume` skips it, `semper suspend` lists it. */
  g_assert_cmpint (run_semper (fx, &out, "suspend", fx->purchase_a, NULL), ==, 0);
  g_free (g_steal_pointer (&out));
  g_assert_cmpint (run_semper (fx, &out, "--json", "resume", NULL), ==, 0);
  g_assert_null (strstr (out, fx->purchase_a));
  g_free (g_steal_pointer (&out));
  g_assert_cmpint (run_semper (fx, &out, "suspend", NULL), ==, 0);
  g_assert_nonnull (strstr (out, fx->purchase_a));
  alice = semper_test_open_profile (&fx->market, "alice");
  state = state_of (alice, fx->purchase_a);
  g_assert_cmpstr (state, ==, SEMPER_FX_M3_SENT);
  g_assert_true (semper_exchange_is_suspended (alice, fx->purchase_a));

  ui_test_run_in_window (alice, 1000, 700, purchases_body, fx);
}

/* `semper resume --id` runs a suspended exchange and lifts the suspension. */
static void
test_resume_by_id (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SemperProfile) alice = semper_test_open_profile (&fx->market, "alice");
  g_autoptr(GBytes) m1 = NULL, m2 = NULL, m3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperFxBuyer) buyer = NULL;
  g_autofree char *out = NULL;
  g_autofree char *state = NULL;

  fx->purchase_a = order (fx, alice, "offer-c", &m1);
  m2 = semper_fx_merchant_handle_m1 (fx->merchant, m1, &error);
  g_assert_no_error (error);
  buyer = semper_fx_ecash_new_wallet_buyer (alice, &error);
  m3 = semper_fx_buyer_receive_m2 (buyer, fx->purchase_a, m2, &error);
  g_assert_no_error (error);
  g_assert_true (semper_exchange_set_suspended (alice, fx->purchase_a, TRUE, &error));
  g_clear_object (&buyer);
  g_clear_object (&alice);

  g_assert_cmpint (run_semper (fx, &out, "--json", "resume", "--id", fx->purchase_a, NULL), ==,
                   0);
  /* The merchant is gone: resuming it resolves it with the TTP. */
  g_assert_nonnull (strstr (out, fx->purchase_a));
  g_assert_nonnull (strstr (out, "\"done\""));
  alice = semper_test_open_profile (&fx->market, "alice");
  state = state_of (alice, fx->purchase_a);
  g_assert_cmpstr (state, ==, SEMPER_FX_DONE);
  g_assert_false (semper_exchange_is_suspended (alice, fx->purchase_a));
}

/* ---- restore in the setup window ---------------------------------------------------- */

/* The profile @name pays all its coins to the shop, and the shop deposits
 * every one. Returns how many coins it spent, 0 when the bank refused them. */
static guint
spend (Fixture    *fx,
       const char *name,
       const char *label)
{
  g_autoptr(SemperProfile) profile = semper_test_open_profile (&fx->market, name);
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (semper_profile_get_crypto (fx->shop));
  g_autofree char *shop_fp = semper_sha256_hex (cert);
  g_autofree char *seed = g_strdup_printf ("spend %s", label);
  g_autoptr(GBytes) seed_bytes = g_bytes_new (seed, strlen (seed));
  g_autofree char *tid = semper_sha256_hex (seed_bytes);
  SemperAmount amount;
  guint accepted = 0;

  purse = semper_purse_new (profile, &error);
  g_assert_no_error (error);
  /* All of it: no change to make at the bank. */
  g_assert_true (semper_purse_get_balance (purse, "EUR", &amount, &error));
  g_assert_cmpint (amount.minor, ==, 1000);
  g_assert_true (semper_purse_reserve (purse, tid, &amount, &error));
  g_assert_no_error (error);
  spends = semper_purse_payment (purse, tid, shop_fp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, >, 0);
  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *s = g_ptr_array_index (spends, i);
      g_autofree char *key = g_strdup_printf ("deposit-%s-%u", label, fx->deposits++);
      g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT,
                                                                      key);
      g_autoptr(SemperBankAnswer) answer = NULL;

      request->coin = g_bytes_ref (s->coin);
      request->permission = g_bytes_ref (s->permission);
      request->signature = g_bytes_ref (s->signature);
      bank_send (fx, request, &answer);
      if (g_str_equal (answer->result, "ok"))
        accepted++;
      else
        g_assert_cmpstr (answer->result, ==, "double-spent");
    }
  return accepted == spends->len ? spends->len : 0;
}

static void
restored_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SemperProfile **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = wallet_setup_window_create_finish (WALLET_SETUP_WINDOW (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
setup_idle (gpointer data)
{
  return !_wallet_setup_window_is_busy (data);
}

static void
type_into (WalletSetupWindow *window,
           const char        *name,
           const char        *text)
{
  gtk_editable_set_text (GTK_EDITABLE (_wallet_setup_window_get_widget (window, name)), text);
}

static void
test_restore (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SemperProfile) alice = semper_test_open_profile (&fx->market, "alice");
  g_autoptr(SemperProfile) restored = NULL;
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"receipt\":\"Atlas of quokkas\"}", 30);
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *backup = g_build_filename (fx->market.dir, "alice.semper-backup", NULL);
  g_autofree char *target = g_build_filename (fx->market.dir, "restored", NULL);
  SemperArchive *archive = semper_profile_get_archive (alice);
  SemperArchiveRecord r = { 0 };
  WalletSetupWindow *window;
  SemperArchiveRecord *got;
  const char *description;

  /* A signed receipt, then a backup under a password of its own (as
   * Preferences → Backup writes it). */
  p7m = semper_cms_sign_message (semper_profile_get_crypto (fx->shop), content, &error);
  g_assert_no_error (error);
  r.message_id = semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL,
                                               "application/pkcs7-mime", p7m, &error);
  g_assert_no_error (error);
  r.counterparty = (char *) "shop";
  r.title = (char *) "Atlas of quokkas";
  semper_amount_init (&r.amount, 1250, "EUR", NULL);
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = 1751328000;
  r.text = (char *) "Atlas of quokkas";
  semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  g_assert_true (semper_backup_create (alice, BACKUP_PASSWORD, backup, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&alice);

  window = wallet_setup_window_new (NULL, target);
  wallet_setup_window_create_async (window, NULL, restored_cb, &restored);
  ui_test_show_and_wait (GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (_wallet_setup_window_get_widget (window, "restore")));
  click (_wallet_setup_window_get_widget (window, "restore"));
  g_assert_cmpstr (_wallet_setup_window_get_page (window), ==, "restore");
  g_assert_false (gtk_widget_get_sensitive (_wallet_setup_window_get_widget (window, "next")));
  file = g_file_new_for_path (backup);
  _wallet_setup_window_set_restore_file (window, file);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (_wallet_setup_window_get_widget (
    window, "take-over"))));

  /* A wrong password restores nothing, and says so. */
  type_into (window, "backup-password", "not the password");
  click (_wallet_setup_window_get_widget (window, "next"));
  ui_test_spin_until (setup_idle, window);
  g_assert_cmpstr (_wallet_setup_window_get_page (window), ==, "restore");
  g_assert_true (gtk_widget_get_visible (_wallet_setup_window_get_widget (window, "error")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (_wallet_setup_window_get_widget (
    window, "error"))), "Nothing was restored"));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));

  /* The backup's password, and the wallet's own. */
  type_into (window, "backup-password", BACKUP_PASSWORD);
  type_into (window, "profile-password", PASSWORD);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "setup-restore");
  click (_wallet_setup_window_get_widget (window, "next"));
  ui_test_spin_until (setup_idle, window);
  g_assert_cmpstr (_wallet_setup_window_get_page (window), ==, "done");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (
    _wallet_setup_window_get_widget (window, "done")));
  g_assert_nonnull (strstr (description, "coins were swapped at the bank"));
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "setup-restored");
  click (_wallet_setup_window_get_widget (window, "next"));
  ui_test_spin_until (is_set, &restored);

  /* The restored wallet opens with its receipt, which verifies. */
  receipts = semper_archive_record_list (semper_profile_get_archive (restored),
                                         SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (receipts->len, ==, 1);
  got = g_ptr_array_index (receipts, 0);
  g_assert_cmpstr (got->title, ==, "Atlas of quokkas");
  raw = semper_archive_message_get (semper_profile_get_archive (restored), got->message_id, NULL,
                                    &error);
  g_assert_no_error (error);
  verified = semper_cms_verify (raw, fx->market.trust, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (verified, content));
  g_clear_object (&restored);

  /* Its coins are spendable once: the original's copies were swapped away. */
  g_assert_cmpuint (spend (fx, "alice", "original"), ==, 0);
  g_assert_cmpuint (spend (fx, "restored", "restored"), >, 0);
}

/* ---- a payment that cannot go ahead ------------------------------------------------- */

static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
view_settled (gpointer data)
{
  return g_strcmp0 (wallet_shop_merchant_view_get_step (data), "loading") != 0;
}

/* Each typed reason core gives (semper-shop-client.h) makes the failure page
 * say why and offer what to do; Withdraw and Change Limits open Preferences.
 * (Over the limit is also driven end to end against the demo in test-shop.c.) */
static void
test_cannot_pay (void)
{
  static const struct {
    int         code;
    const char *title;
    const char *says;
    const char *action;
  } causes[] = {
    { SEMPER_SHOP_ERROR_BALANCE, "Not Enough Money", "Withdraw more",
      "_Withdraw in Preferences…" },
    { SEMPER_SHOP_ERROR_LIMIT, "Over Your Spending Limit", "Raise the limit",
      "Change _Limits in Preferences…" },
    { SEMPER_SHOP_ERROR_NO_SYSTEM, "No Common Way to Pay", "choose another payment system",
      "Pay _Another Way…" },
    { SEMPER_SHOP_ERROR_EXPIRED, "The Offer Has Expired", "Ask the merchant for a new offer",
      "Ask for a _New Offer" },
  };
  g_autofree char *dir = g_build_filename (test_dir, "cannot-pay", NULL);
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) preferences = g_simple_action_new ("preferences", NULL);
  g_autoptr(GError) error = NULL;
  WalletShopMerchantView *view;
  GtkWindow *window;
  guint opened = 0;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_CREATE, semper_test_password_cb,
                                 (gpointer) PASSWORD, &error);
  g_assert_no_error (error);
  g_signal_connect (preferences, "activate", G_CALLBACK (preferences_cb), &opened);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (preferences));
  window = GTK_WINDOW (gtk_window_new ());
  gtk_widget_insert_action_group (GTK_WIDGET (window), "app", G_ACTION_GROUP (app));
  gtk_window_set_default_size (window, 720, 560);
  view = wallet_shop_merchant_view_new (profile, DEAD_MERCHANT);
  gtk_window_set_child (window, GTK_WIDGET (view));
  ui_test_show_and_wait (window);
  ui_test_spin_until (view_settled, view);

  for (guint i = 0; i < G_N_ELEMENTS (causes); i++)
    {
      g_autoptr(GError) why = g_error_new (SEMPER_SHOP_ERROR, causes[i].code, "core says %u", i);
      g_autofree char *core_says = g_strdup_printf ("core says %u", i);
      AdwStatusPage *page;
      GtkWidget *action;
      const char *text;

      _wallet_shop_merchant_view_explain_failure (view, why);
      g_assert_cmpstr (wallet_shop_merchant_view_get_step (view), ==, "failed");
      page = ADW_STATUS_PAGE (_wallet_shop_merchant_view_get_failure (view, "page"));
      action = _wallet_shop_merchant_view_get_failure (view, "action");
      text = adw_status_page_get_description (page);
      g_assert_cmpstr (adw_status_page_get_title (page), ==, causes[i].title);
      g_assert_nonnull (strstr (text, core_says));
      g_assert_nonnull (strstr (text, "Nothing was paid"));
      g_assert_nonnull (strstr (text, causes[i].says));
      g_assert_true (gtk_widget_get_visible (action));
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (action)), ==, causes[i].action);
      if (causes[i].code == SEMPER_SHOP_ERROR_BALANCE || causes[i].code == SEMPER_SHOP_ERROR_LIMIT)
        {
          guint before = opened;

          g_signal_emit_by_name (action, "clicked");
          g_assert_cmpuint (opened, ==, before + 1);
        }
      if (causes[i].code == SEMPER_SHOP_ERROR_BALANCE)
        {
          ui_test_wait_until_painted (GTK_WIDGET (window));
          ui_test_save_screenshot (GTK_WIDGET (window), "shop-not-enough-money");
        }
    }

  /* A payment that failed otherwise has no such button. */
  {
    g_autoptr(GError) other = g_error_new_literal (SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_PAYMENT,
                                                   "the bank said no");

    _wallet_shop_merchant_view_explain_failure (view, other);
    g_assert_false (gtk_widget_get_visible (_wallet_shop_merchant_view_get_failure (view,
                                                                                    "action")));
  }
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  test_dir = ui_test_setup_dirs ("semper-actions-test-XXXXXX");
  locale_dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "en", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* The trusted display is the process's one consent provider. */
  provider = wallet_consent_port_new (NULL, NULL);
  semper_consent_register_provider (SEMPER_CONSENT_PORT (provider), "trusted-display", &error);
  g_assert_no_error (error);

  g_test_add ("/semper/ui/actions/purchases", Fixture, NULL, fixture_set_up, test_purchases,
              fixture_tear_down);
  g_test_add ("/semper/ui/actions/resume-by-id", Fixture, NULL, fixture_set_up,
              test_resume_by_id, fixture_tear_down);
  g_test_add ("/semper/ui/actions/restore", Fixture, NULL, fixture_set_up, test_restore,
              fixture_tear_down);
  g_test_add_func ("/semper/ui/actions/cannot-pay", test_cannot_pay);

  status = g_test_run ();
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
