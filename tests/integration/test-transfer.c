/* test-transfer.c: the transfer service between two processes on loopback:
 * the merchant (this process) sends packages over HTTP to a wallet profile
 * served by tests/integration/transfer-helper, which requires both
 * security attributes. The wallet checks, archives raw and answers the
 * signed receipt of delivery; a package without the attributes it requires
 * is refused and not archived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-profile.h"
#include "semper-test-semperd.h"
#include "semper-transfer.h"

#define PASSWORD "transfer test password"

typedef struct {
  SemperTestMarket  market;
  SemperProfile    *merchant;
  char             *fp_merchant;
  GBytes           *wallet_cert;
  char             *fp_wallet;
  GSubprocess      *wallet;
  char             *url;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wallet_dir = NULL, *helper = NULL, *line = NULL;
  g_autofree char *required = g_strdup_printf ("%d", SEMPER_TRANSFER_SIGNED
                                                     | SEMPER_TRANSFER_ENCRYPTED);
  g_autoptr(SemperProfile) wallet = NULL;
  g_autoptr(GDataInputStream) in = NULL;

  semper_test_market_init (&fx->market, "semper-transfer-XXXXXX", PASSWORD);
  fx->merchant = semper_test_make_profile (&fx->market, "merchant", NULL, SEMPER_ROLE_MERCHANT);
  fx->fp_merchant = semper_test_fingerprint (fx->merchant);
  /* The wallet's profile is made here and then opened by its own process. */
  wallet = semper_test_make_profile (&fx->market, "wallet", NULL, SEMPER_ROLE_WALLET);
  fx->fp_wallet = semper_test_fingerprint (wallet);
  fx->wallet_cert = semper_crypto_dup_certificate (semper_profile_get_crypto (wallet));
  g_clear_object (&wallet);

  helper = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "tests", "integration",
                             "transfer-helper", NULL);
  wallet_dir = g_build_filename (fx->market.dir, "wallet", NULL);
  fx->wallet = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, wallet_dir,
                                 PASSWORD, required, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->wallet));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  fx->url = g_strconcat (line + strlen ("listening on "), "/transfer", NULL);
}

static void
stop_wallet (Fixture *fx)
{
  if (fx->wallet == NULL)
    return;
  g_subprocess_send_signal (fx->wallet, SIGTERM);
  g_subprocess_wait (fx->wallet, NULL, NULL);
  g_clear_object (&fx->wallet);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  stop_wallet (fx);
  g_clear_object (&fx->merchant);
  g_clear_pointer (&fx->wallet_cert, g_bytes_unref);
  g_free (fx->fp_merchant);
  g_free (fx->fp_wallet);
  g_free (fx->url);
  semper_test_market_clear (&fx->market);
}

static SemperPackage *
make_package (Fixture *fx)
{
  static const char receipt[] = "{\"type\":\"receipt\",\"order\":17,\"paid\":\"3.00 EUR\"}";
  static const char right[] = "{\"access\":\"reports\",\"days\":30}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static (receipt, strlen (receipt));
  g_autoptr(GBytes) access = g_bytes_new_static (right, strlen (right));
  g_autoptr(GBytes) statement = NULL, credential = NULL;
  g_autoptr(GBytes) proof = g_bytes_new_static ("{\"coins\":[]}", 12);
  SemperCrypto *crypto = semper_profile_get_crypto (fx->merchant);
  SemperPackage *package = semper_package_new (fx->fp_merchant, fx->fp_wallet, TRUE);

  statement = semper_cms_sign_message (crypto, doc, &error);
  g_assert_no_error (error);
  credential = semper_cms_sign_message (crypto, access, &error);
  g_assert_no_error (error);
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_STATEMENT, "receipt",
                                                     "Receipt for order 17", statement));
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_CREDENTIAL, "subscription",
                                                     "FOGRA reports, 30 days", credential));
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_PAYMENT, "ecash",
                                                     "Refund of 3.00 EUR", proof));
  return package;
}

/* Signed and enveloped: delivered, receipted, archived raw. Signed only (the
 * wallet requires confidentiality too): refused, not archived. */
static void
test_send (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPackage) package = make_package (fx);
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GBytes) wire = NULL, weak = NULL, receipt = NULL, none = NULL;
  g_autoptr(SemperDeliveryReceipt) checked = NULL;
  g_autoptr(SemperProfile) wallet = NULL;
  SemperArchive *archive;
  guint packages = 0;

  wire = semper_transfer_seal (semper_profile_get_crypto (fx->merchant), package,
                               SEMPER_TRANSFER_SIGNED | SEMPER_TRANSFER_ENCRYPTED,
                               fx->wallet_cert, &error);
  g_assert_no_error (error);
  g_assert_true (semper_transfer_send (client, fx->url, wire, &receipt, &error));
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  checked = semper_transfer_check_receipt (receipt, fx->market.trust, package, wire, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (checked->recipient, ==, fx->fp_wallet);

  weak = semper_transfer_seal (semper_profile_get_crypto (fx->merchant), package,
                               SEMPER_TRANSFER_SIGNED, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (semper_transfer_send (client, fx->url, weak, &none, &error));
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_cmpuint (semper_comm_error_get_status (error), ==, 400);
  g_clear_error (&error);

  /* The wallet's archive holds exactly what arrived, once. */
  stop_wallet (fx);
  wallet = semper_test_open_profile (&fx->market, "wallet");
  archive = semper_profile_get_archive (wallet);
  for (gint64 id = 1; id < 200; id++)
    {
      g_autofree char *type = NULL;
      g_autoptr(GBytes) raw = semper_archive_message_get (archive, id, &type, NULL);

      if (raw != NULL && g_strcmp0 (type, "application/semper-package") == 0)
        {
          g_assert_true (g_bytes_equal (raw, wire));
          packages++;
        }
    }
  g_assert_cmpuint (packages, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/semper/transfer/http", Fixture, NULL, fixture_set_up, test_send,
              fixture_tear_down);
  return g_test_run ();
}
