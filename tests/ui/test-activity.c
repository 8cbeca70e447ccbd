/* test-activity.c: contracts proposed and accepted through the wallet's
 * Activity and Contracts pages, each signature through the trusted display,
 * against a real CA and TTP (semperd processes) and a second wallet driven
 * with the real `semper` binary; an interrupted exchange resumed on start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "contract-cli-fixture.h"
#pragma GCC diagnostic pop

#include "semper-contract-signing.h"
#include "semper-evidence.h"
#include "ui-test-util.h"
#include "wallet-activity-page.h"
#include "wallet-consent-port.h"
#include "wallet-contracts-page.h"
#include "wallet-exchanges.h"
#include "wallet-trusted-display-private.h"

static WalletConsentPort *provider;

typedef struct {
  SemperProfile      *profile;
  WalletExchanges    *exchanges;
  WalletActivityPage *page;
  GtkWindow          *window;
} Wallet;

static gboolean
not_busy (gpointer data)
{
  return !wallet_exchanges_is_busy (data);
}

static void
wait_idle (Wallet *w)
{
  ui_test_spin_until (not_busy, w->exchanges);
  /* Let the page rebuild and paint. */
  ui_test_wait_until_painted (GTK_WIDGET (w->window));
}

static void
wallet_start (Fixture *fx,
              Wallet  *w)
{
  g_autoptr(GError) error = NULL;

  w->profile = semper_profile_open (fx->alice, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                    &error);
  g_assert_no_error (error);
  w->exchanges = wallet_exchanges_new (w->profile, provider);
  w->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (w->window, 820, 560);
  gtk_window_set_title (w->window, "Activity");
  w->page = wallet_activity_page_new (FALSE);
  gtk_window_set_child (w->window, GTK_WIDGET (w->page));
  ui_test_show_and_wait (w->window);
  /* As the window does when the profile is open: resume what was interrupted. */
  wallet_activity_page_set_exchanges (w->page, w->exchanges, TRUE);
  g_assert_true (wallet_exchanges_is_busy (w->exchanges));
  wait_idle (w);
}

static void
wallet_stop (Wallet *w)
{
  gtk_window_destroy (w->window);
  g_clear_object (&w->exchanges);
  g_clear_object (&w->profile);
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
}

static WalletExchangeItem *
item (Wallet     *w,
      const char *id)
{
  GPtrArray *items = wallet_exchanges_get_items (w->exchanges);

  for (guint i = 0; i < items->len; i++)
    if (g_str_equal (((WalletExchangeItem *) items->pdata[i])->id, id))
      return items->pdata[i];
  return NULL;
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

/* The user reads the document in the trusted display and presses Sign:
 * the display's own code path, with its checks. */
static void
sign_in_trusted_display (const char *screenshot)
{
  g_autoptr(WalletTrustedDisplay) display = NULL;
  GtkWidget *sign;

  ui_test_spin_until (display_open, provider);
  display = g_object_ref (wallet_consent_port_get_display (provider));
  ui_test_wait_mapped_active (GTK_WINDOW (display));
  ui_test_wait_until_painted (GTK_WIDGET (display));
  if (!_wallet_trusted_display_is_armed (display))
    _wallet_trusted_display_fire_delay (display);
  ui_test_spin_until (display_armed, display);
  g_assert_true (_wallet_trusted_display_seen_end (display));
  if (screenshot != NULL)
    ui_test_save_screenshot (GTK_WIDGET (display), screenshot);
  sign = _wallet_trusted_display_get_widget (display, "sign");
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click (sign);
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_SIGNED);
}

static char *
bob_lists_one (Fixture *fx)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *items;

  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "list", "--ttp", fx->ttp_url,
                           "--password-file", fx->password), ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), >=, 1);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "id"));
}

static void
assert_contract_verifies (Wallet     *w,
                          const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperContractSigning) signing = semper_contract_signing_new (w->profile, &error);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(SemperTrust) trust = semper_profile_dup_trust (w->profile, &error);
  g_autoptr(SemperContractInfo) info = NULL;

  g_assert_no_error (error);
  file = semper_contract_signing_dup_contract (signing, id, &error);
  g_assert_no_error (error);
  info = semper_contract_verify (file, trust, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->state, ==, SEMPER_ASW_SIGNED);
  g_assert_true (g_bytes_equal (info->text, g_bytes_new_static (contract_text,
                                                                strlen (contract_text))));
}

/* The Contracts browser over the wallet's archive: both signed contracts
 * verify live (the contract file with both signers), export as the file
 * `semper verify` accepts, and as the evidence bundle of their exchange. */
static void
browse_signed_contracts (Fixture *fx,
                         Wallet  *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) view = NULL;
  g_autoptr(GBytes) root = semper_profile_dup_trust_root (w->profile);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  WalletContractsPage *page = wallet_contracts_page_new ();
  WalletReceiptsPage *browser = wallet_contracts_page_get_browser (page);
  WalletRecordDetail *detail = wallet_receipts_page_get_detail (browser);
  GListModel *model;

  view = semper_archive_open (semper_archive_get_path (semper_profile_get_archive (w->profile)),
                              &error);
  g_assert_no_error (error);
  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_set_child (window, GTK_WIDGET (page));
  ui_test_show_and_wait (window);
  g_assert_true (wallet_contracts_page_set_archive (page, view, root, &error));
  g_assert_no_error (error);
  model = G_LIST_MODEL (wallet_receipts_page_get_model (browser));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/contract-%u.json", fx->dir, i);
      g_autofree char *bundle_path = g_strdup_printf ("%s/contract-%u-evidence.json", fx->dir, i);
      g_autoptr(GFile) out = g_file_new_for_path (file);
      g_autoptr(GFile) bundle_out = g_file_new_for_path (bundle_path);
      g_autofree char *bundle = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(SemperEvidenceInfo) info = NULL;
      gsize len = 0;

      g_assert_true (wallet_receipts_page_select (browser, i));
      g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_VALID);
      g_assert_nonnull (wallet_record_detail_get_signer (detail));
      g_assert_nonnull (strstr (wallet_record_detail_get_content_text (detail),
                                "Sale of a bicycle"));
      if (i == 0)
        ui_test_save_screenshot (GTK_WIDGET (window), "contracts-signed-detail");
      g_assert_true (wallet_record_detail_export (detail, out, &error));
      g_assert_no_error (error);
      g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "verify", file, NULL), ==, 0);
      g_assert_true (wallet_record_detail_export_evidence (detail, bundle_out, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (bundle_path, &bundle, &len, NULL));
      bytes = g_bytes_new (bundle, len);
      info = semper_evidence_verify (bytes, root, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->state, ==, "signed");
    }
  gtk_window_destroy (window);
}

static void
test_contracts (Fixture       *fx,
                gconstpointer  data)
{
  Wallet w = { 0 };
  g_autoptr(GFile) deal = g_file_new_for_path (fx->deal);
  g_autoptr(GFile) bob_cert = g_file_new_for_path (fx->bob_pem);
  g_autofree char *alice_pem = g_build_filename (fx->dir, "alice.pem", NULL);
  g_autofree char *proposed = NULL;
  g_autofree char *incoming = NULL;
  g_autofree char *bob_id = NULL;
  g_autoptr(JsonObject) out = NULL;
  WalletExchangeItem *it;
  GtkWidget *widget;

  /* Alice gives Bob her certificate (before her wallet holds the profile). */
  g_assert_cmpint (SEMPER (fx, fx->alice, NULL, "contract", "certificate", alice_pem,
                           "--password-file", fx->password), ==, 0);

  wallet_start (fx, &w);
  g_assert_cmpuint (wallet_exchanges_get_items (w.exchanges)->len, ==, 0);
  ui_test_save_screenshot (GTK_WIDGET (w.window), "activity-empty");

  /* Propose from a text file: the propose window, then the trusted display. */
  click (_wallet_activity_page_get_widget (w.page, NULL, "propose"));
  widget = _wallet_activity_page_get_widget (w.page, NULL, "propose-window");
  g_assert_nonnull (widget);
  ui_test_wait_mapped_active (GTK_WINDOW (widget));
  _wallet_activity_page_set_proposal (w.page, deal, bob_cert);
  gtk_editable_set_text (GTK_EDITABLE (_wallet_activity_page_get_widget (w.page, NULL,
                                                                         "ttp-entry")),
                         fx->ttp_url);
  ui_test_wait_until_painted (widget);
  ui_test_save_screenshot (widget, "activity-propose");
  click (_wallet_activity_page_get_widget (w.page, NULL, "propose-button"));
  sign_in_trusted_display ("activity-trusted-display-contract");
  wait_idle (&w);
  g_assert_cmpuint (wallet_exchanges_get_items (w.exchanges)->len, ==, 1);
  it = g_ptr_array_index (wallet_exchanges_get_items (w.exchanges), 0);
  proposed = g_strdup (it->id);
  g_assert_cmpstr (it->state, ==, SEMPER_ASW_M1_SENT);
  g_assert_cmpint (it->status, ==, WALLET_EXCHANGE_WAITING);
  g_assert_cmpstr (it->title, ==, "Sale of a bicycle");
  g_assert_nonnull (_wallet_activity_page_get_widget (w.page, proposed, "abort"));
  g_assert_nonnull (_wallet_activity_page_get_widget (w.page, proposed, "retry"));
  ui_test_save_screenshot (GTK_WIDGET (w.window), "activity-proposed");

  /* Bob fetches and accepts with his own wallet. */
  bob_id = bob_lists_one (fx);
  g_assert_cmpstr (bob_id, ==, proposed);
  g_assert_cmpint (SEMPER (fx, fx->bob, NULL, "contract", "accept", bob_id, "--yes",
                           "--password-file", fx->password), ==, 0);

  /* Alice's Retry: m2 arrives, m3 goes out. */
  click (_wallet_activity_page_get_widget (w.page, proposed, "retry"));
  wait_idle (&w);
  g_assert_cmpstr (item (&w, proposed)->state, ==, SEMPER_ASW_M3_SENT);
  g_assert_nonnull (_wallet_activity_page_get_widget (w.page, proposed, "resolve"));
  g_assert_null (_wallet_activity_page_get_widget (w.page, proposed, "abort"));

  /* Bob finishes his side; Alice's Retry: signed. */
  g_assert_cmpint (SEMPER (fx, fx->bob, NULL, "resume", "--password-file", fx->password), ==, 0);
  click (_wallet_activity_page_get_widget (w.page, proposed, "retry"));
  wait_idle (&w);
  it = item (&w, proposed);
  g_assert_cmpstr (it->state, ==, SEMPER_ASW_SIGNED);
  g_assert_true (it->finished);
  g_assert_cmpint (it->status, ==, WALLET_EXCHANGE_DONE);
  assert_contract_verifies (&w, proposed);

  /* Bob proposes to Alice; her wallet fetches it from the TTP's mailbox. */
  g_assert_cmpint (SEMPER (fx, fx->bob, &out, "contract", "propose", fx->deal, "--to", alice_pem,
                           "--ttp", fx->ttp_url, "--yes", "--password-file", fx->password), ==,
                   0);
  incoming = g_strdup (json_object_get_string_member (out, "id"));
  click (_wallet_activity_page_get_widget (w.page, NULL, "fetch"));
  wait_idle (&w);
  it = item (&w, incoming);
  g_assert_nonnull (it);
  g_assert_cmpstr (it->state, ==, SEMPER_ASW_M1_RECEIVED);
  g_assert_cmpint (it->status, ==, WALLET_EXCHANGE_NEEDS_YOU);
  g_assert_nonnull (_wallet_activity_page_get_widget (w.page, incoming, "decline"));
  ui_test_save_screenshot (GTK_WIDGET (w.window), "activity-incoming");

  /* Review and sign: the contract is shown in the trusted display first. */
  click (_wallet_activity_page_get_widget (w.page, incoming, "accept"));
  sign_in_trusted_display ("activity-trusted-display-accept");
  wait_idle (&w);
  g_assert_cmpstr (item (&w, incoming)->state, ==, SEMPER_ASW_M2_SENT);

  /* The wallet closes here. Bob goes on (m3); then the wallet starts again
   * and resumes the interrupted exchange by itself, saying so. */
  wallet_stop (&w);
  g_assert_cmpint (SEMPER (fx, fx->bob, NULL, "resume", "--password-file", fx->password), ==, 0);
  wallet_start (fx, &w);
  widget = _wallet_activity_page_get_widget (w.page, NULL, "resumed");
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (widget)), "Resumed 1 interrupted"));
  it = item (&w, incoming);
  g_assert_nonnull (it);
  /* Resumed: m2 sent again byte for byte, m3 taken from the mailbox, m4 sent. */
  g_assert_cmpstr (it->state, ==, SEMPER_ASW_SIGNED);
  g_assert_cmpint (it->status, ==, WALLET_EXCHANGE_DONE);
  assert_contract_verifies (&w, incoming);
  ui_test_save_screenshot (GTK_WIDGET (w.window), "activity-resumed");
  browse_signed_contracts (fx, &w);

  wallet_stop (&w);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  for (int tries = 0; tries < 100; tries++)
    {
      g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();

      g_object_ref (toplevels);
      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

          if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
            return ADW_MESSAGE_DIALOG (window);
        }
      g_main_context_iteration (NULL, FALSE);
    }
  return NULL;
}

/* The Contracts page: contracts in progress above the browser; Abort. */
static void
test_contracts_page (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(WalletExchanges) exchanges = NULL;
  g_autoptr(SemperArchive) view = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autofree char *id = propose (fx, NULL);
  WalletContractsPage *page;
  WalletActivityPage *in_progress;
  AdwMessageDialog *dialog;
  gboolean aborted = FALSE;
  GtkWindow *window;

  profile = semper_profile_open (fx->alice, SEMPER_PROFILE_OPEN_DEFAULT, password_cb, NULL,
                                 &error);
  g_assert_no_error (error);
  view = semper_archive_open (semper_archive_get_path (semper_profile_get_archive (profile)),
                              &error);
  g_assert_no_error (error);
  root = semper_profile_dup_trust_root (profile);
  exchanges = wallet_exchanges_new (profile, provider);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 900, 640);
  page = wallet_contracts_page_new ();
  gtk_window_set_child (window, GTK_WIDGET (page));
  ui_test_show_and_wait (window);
  g_assert_true (wallet_contracts_page_set_archive (page, view, root, &error));
  g_assert_no_error (error);
  wallet_contracts_page_set_exchanges (page, exchanges);
  ui_test_spin_until (not_busy, exchanges);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  in_progress = wallet_contracts_page_get_in_progress (page);
  g_assert_nonnull (_wallet_activity_page_get_widget (in_progress, id, "abort"));
  ui_test_save_screenshot (GTK_WIDGET (window), "contracts-in-progress");

  /* Abort…: first what it means, then (only on "Abort") the TTP's abort. */
  g_signal_emit_by_name (_wallet_activity_page_get_widget (in_progress, id, "abort"), "clicked");
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "moves no money"));
  ui_test_wait_mapped_active (GTK_WINDOW (dialog));
  ui_test_wait_until_painted (GTK_WIDGET (dialog));
  ui_test_save_screenshot (GTK_WIDGET (dialog), "activity-abort-dialog");
  adw_message_dialog_response (dialog, "cancel");
  g_assert_false (wallet_exchanges_is_busy (exchanges));
  g_signal_emit_by_name (_wallet_activity_page_get_widget (in_progress, id, "abort"), "clicked");
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "abort");
  g_assert_true (wallet_exchanges_is_busy (exchanges));
  ui_test_spin_until (not_busy, exchanges);
  for (guint i = 0; i < wallet_exchanges_get_items (exchanges)->len; i++)
    {
      WalletExchangeItem *it = g_ptr_array_index (wallet_exchanges_get_items (exchanges), i);

      if (g_str_equal (it->id, id))
        {
          g_assert_cmpstr (it->state, ==, SEMPER_ASW_ABORTED);
          g_assert_cmpint (it->status, ==, WALLET_EXCHANGE_ABORTED);
          g_assert_true (it->finished);
          aborted = TRUE;
        }
    }
  g_assert_true (aborted);
  /* Finished, it is a row of the Contracts browser below. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (wallet_receipts_page_get_model (
                      wallet_contracts_page_get_browser (page)))), ==, 1);
  ui_test_wait_until_painted (GTK_WIDGET (window));
  ui_test_save_screenshot (GTK_WIDGET (window), "contracts-aborted");
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = ui_test_setup_dirs ("semper-activity-test-XXXXXX");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  /* As semper-wallet does at start-up. */
  provider = wallet_consent_port_new (NULL, NULL);
  semper_consent_register_provider (SEMPER_CONSENT_PORT (provider), "trusted-display", &error);
  g_assert_no_error (error);

  g_test_add ("/semper/ui/activity/contracts", Fixture, NULL, fixture_set_up, test_contracts,
              fixture_tear_down);
  g_test_add ("/semper/ui/activity/contracts-page", Fixture, NULL, fixture_set_up,
              test_contracts_page, fixture_tear_down);
  status = g_test_run ();
  ui_test_remove_recursively (dir);
  return status;
}
