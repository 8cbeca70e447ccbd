/* test-backup.c: `semper backup` and `semper restore` (docs/backup.md)
 *
 * A wallet with coins from a real bank (`semperd --role bank`) and a signed,
 * labelled receipt is backed up with the CLI and restored into a new
 * profile. The restored profile verifies its receipt with labels and note
 * intact, and can spend its coins once: with the take-over (the default) the
 * original's copies are refused by the bank; without it, whichever copy is
 * deposited second is refused with the bank's double-spend proof.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-archive.h"
#include "semper-bank.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-test-semperd.h"

#define PASSWORD "backup test password"

static const char config_text[] =
  "{\"type\":\"semper-bank-config\",\"version\":1,\"currencies\":[\"EUR\"],\n"
  " \"denominations\":[\n"
  "  {\"value\":100,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}},\n"
  "  {\"value\":200,\"currency\":\"EUR\",\"fees\":{\"withdraw\":0,\"deposit\":0,\"swap\":0}}],\n"
  " \"accounts\":[\n"
  "  {\"id\":\"alice\",\"link-code\":\"alice-code\",\"balances\":{\"EUR\":10000}},\n"
  "  {\"id\":\"shop\",\"link-code\":\"shop-code\",\"balances\":{\"EUR\":0}}]}\n";

typedef struct {
  SemperTestMarket  market;
  char             *alice_dir;
  char             *backup;
  GSubprocess      *bank_proc;
  char             *bank_url;
  char             *bank_fp;
  SemperProfile    *shop;
  gint64            receipt_id;
  guint             deposits;
} Fixture;

static SemperProfile *
open_profile (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SemperProfile *profile;

  profile = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, semper_test_password_cb,
                                 (gpointer) PASSWORD, &error);
  g_assert_no_error (error);
  return profile;
}

/* Runs `semper --profile DIR ARGS… [--password-file F]`; returns the exit status. */
static int
run_semper (Fixture     *fx,
            const char  *profile,
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
  g_ptr_array_add (argv, g_strdup (profile));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  /* Reading receipts needs no password. */
  if (!g_str_equal (first, "--json") || !g_str_has_prefix (argv->pdata[4], "receipt"))
    {
      g_ptr_array_add (argv, g_strdup ("--password-file"));
      g_ptr_array_add (argv, g_strdup (fx->market.password_file));
    }
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                            G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  if (stderr_buf != NULL && *stderr_buf != '\0')
    g_test_message ("semper stderr: %s", stderr_buf);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  return g_subprocess_get_exit_status (proc);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) alice = NULL;
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) p7m = NULL;
  SemperArchiveRecord r = { 0 };
  SemperArchive *archive;
  SemperAmount amount;

  semper_test_market_init (&fx->market, "semper-backup-XXXXXX", PASSWORD);
  fx->alice_dir = g_build_filename (fx->market.dir, "alice", NULL);
  fx->backup = g_build_filename (fx->market.dir, "alice.semper-backup", NULL);

  fx->bank_fp = semper_test_certify_server (&fx->market, "bank", NULL, SEMPER_ROLE_BANK);
  fx->bank_proc = semper_test_start_server (&fx->market, "bank", NULL, config_text,
                                            &fx->bank_url);

  fx->shop = semper_test_make_profile (&fx->market, "shop", NULL, SEMPER_ROLE_MERCHANT);
  semper_test_link_account (&fx->market, fx->shop, fx->bank_url, fx->bank_fp, "shop",
                            "shop-code");

  /* Alice: 300 EUR in coins (a 200 and a 100) and a signed receipt with a label. */
  alice = semper_test_make_profile (&fx->market, "alice", NULL, SEMPER_ROLE_WALLET);
  purse = semper_test_link_purse (alice, fx->bank_url, "alice", "alice-code");
  semper_amount_init (&amount, 300, "EUR", NULL);
  g_assert_true (semper_purse_withdraw (purse, &amount, NULL, &error));
  g_assert_no_error (error);

  archive = semper_profile_get_archive (alice);
  content = g_bytes_new_static ("{\"receipt\":\"Atlas of quokkas\"}", 30);
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
  fx->receipt_id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  g_assert_true (semper_archive_record_set_labels (archive, SEMPER_ARCHIVE_RECEIPTS,
                                                   fx->receipt_id, "gift books",
                                                   "for Grandma's birthday", &error));
  g_assert_no_error (error);
  /* Labels and notes on a contract and on a dispute travel too. */
  {
    SemperArchiveRecord c = { 0 };
    SemperArchiveDispute d = { 0 };
    gint64 contract_id, dispute_id;

    c.counterparty = (char *) "Bob Builder";
    c.title = (char *) "Kitchen renovation";
    c.state = (char *) "signed";
    c.time = 1751328000;
    c.text = (char *) "Kitchen renovation";
    contract_id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_CONTRACTS, &c, &error);
    g_assert_no_error (error);
    g_assert_true (semper_archive_record_set_labels (archive, SEMPER_ARCHIVE_CONTRACTS,
                                                     contract_id, "house", "deposit paid",
                                                     &error));
    g_assert_no_error (error);
    d.claim = (char *) "not-delivered";
    d.state = (char *) "open";
    dispute_id = semper_archive_dispute_insert (archive, &d, &error);
    g_assert_no_error (error);
    g_assert_true (semper_archive_dispute_set_labels (archive, dispute_id, "atlas",
                                                      "call the shop first", &error));
    g_assert_no_error (error);
  }
  /* The profile is closed here, so that the CLI can lock it. */
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->bank_proc != NULL)
    semper_test_stop_semperd (&fx->bank_proc);
  g_clear_object (&fx->shop);
  g_free (fx->bank_url);
  g_free (fx->bank_fp);
  g_free (fx->alice_dir);
  g_free (fx->backup);
  semper_test_market_clear (&fx->market);
}

static gint64
purse_balance (SemperPurse *purse)
{
  g_autoptr(GError) error = NULL;
  SemperAmount sum;

  g_assert_true (semper_purse_get_balance (purse, "EUR", &sum, &error));
  g_assert_no_error (error);
  return sum.minor;
}

/* The profile at @dir pays 300 EUR to the shop, and the shop deposits every
 * coin. Returns how many deposits the bank accepted; each refusal must come
 * with the double-spend proof. */
static guint
spend_all (Fixture    *fx,
           const char *dir,
           const char *label)
{
  g_autoptr(SemperProfile) profile = open_profile (dir);
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *shop_fp = semper_test_fingerprint (fx->shop);
  g_autofree char *seed = g_strdup_printf ("spend %s", label);
  g_autoptr(GBytes) seed_bytes = g_bytes_new (seed, strlen (seed));
  g_autofree char *tid = semper_sha256_hex (seed_bytes);
  SemperAmount amount;
  guint accepted = 0;

  purse = semper_purse_new (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpint (purse_balance (purse), ==, 300);
  semper_amount_init (&amount, 300, "EUR", NULL);
  g_assert_true (semper_purse_reserve (purse, tid, &amount, &error));
  g_assert_no_error (error);
  spends = semper_purse_payment (purse, tid, shop_fp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, >, 0);

  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *spend = g_ptr_array_index (spends, i);
      g_autofree char *key = g_strdup_printf ("deposit-%u", fx->deposits++);
      g_autoptr(SemperBankRequest) request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT,
                                                                      key);
      g_autoptr(SemperBankAnswer) answer = NULL;

      request->coin = g_bytes_ref (spend->coin);
      request->permission = g_bytes_ref (spend->permission);
      request->signature = g_bytes_ref (spend->signature);
      answer = semper_bank_request_send (request, client, semper_profile_get_crypto (fx->shop),
                                         fx->market.trust, fx->bank_url, fx->bank_fp, NULL,
                                         &error);
      g_assert_no_error (error);
      if (g_str_equal (answer->result, "ok"))
        accepted++;
      else
        {
          g_assert_cmpstr (answer->result, ==, "double-spent");
          g_assert_nonnull (answer->proof_permission);
          g_assert_nonnull (answer->proof_signature);
          g_assert_false (g_bytes_equal (answer->proof_permission, spend->permission));
        }
    }
  if (accepted == spends->len)
    {
      g_assert_true (semper_purse_commit (purse, tid, &error));
      g_assert_no_error (error);
      g_assert_cmpint (purse_balance (purse), ==, 0);
    }
  return accepted;
}

static void
assert_receipt_verifies (Fixture    *fx,
                         const char *dir)
{
  g_autofree char *out = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, fx->receipt_id);
  g_autoptr(JsonObject) root = NULL;
  JsonObject *receipt, *verification;

  g_assert_cmpint (run_semper (fx, dir, &out, "--json", "receipt", "show", id, NULL), ==, 0);
  root = parse_object (out);
  receipt = json_object_get_object_member (root, "receipt");
  verification = json_object_get_object_member (root, "verification");
  g_assert_cmpstr (json_object_get_string_member (receipt, "labels"), ==, "gift books");
  g_assert_cmpstr (json_object_get_string_member (receipt, "note"), ==,
                   "for Grandma's birthday");
  g_assert_true (json_object_get_boolean_member (verification, "valid"));
  g_assert_true (json_object_get_boolean_member (verification, "trusted"));

  /* The labels are searchable in the restored archive, too. */
  g_free (g_steal_pointer (&out));
  g_assert_cmpint (run_semper (fx, dir, &out, "--json", "receipts", "--search", "Grandma",
                               NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Atlas of quokkas"));

  /* The contract's and the dispute's labels and notes came along. */
  {
    g_autofree char *path = g_build_filename (dir, "archive.db", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SemperArchive) archive = semper_archive_open (path, &error);
    g_autoptr(SemperArchiveRecord) contract = NULL;
    g_autoptr(GPtrArray) disputes = NULL;
    SemperArchiveDispute *d;

    g_assert_no_error (error);
    contract = semper_archive_record_get (archive, SEMPER_ARCHIVE_CONTRACTS, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (contract->labels, ==, "house");
    g_assert_cmpstr (contract->note, ==, "deposit paid");
    disputes = semper_archive_dispute_list (archive, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (disputes->len, ==, 1);
    d = disputes->pdata[0];
    g_assert_cmpstr (d->labels, ==, "atlas");
    g_assert_cmpstr (d->note, ==, "call the shop first");
  }
  g_free (g_steal_pointer (&out));
  g_assert_cmpint (run_semper (fx, dir, &out, "--json", "dispute", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"call the shop first\""));
}

static void
test_take_over (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *restored = g_build_filename (fx->market.dir, "restored", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpint (run_semper (fx, fx->alice_dir, NULL, "backup", fx->backup, NULL), ==, 0);
  g_assert_true (g_file_test (fx->backup, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (run_semper (fx, restored, &out, "--json", "restore", fx->backup, NULL), ==, 0);
  answer = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (answer, "coins_taken_over"), >, 0);
  g_assert_false (json_object_has_member (answer, "take_over_error"));

  assert_receipt_verifies (fx, restored);

  /* The original's coins were swapped away: the bank refuses them all ... */
  g_assert_cmpuint (spend_all (fx, fx->alice_dir, "original"), ==, 0);
  /* ... and the restored profile spends its new coins, once. */
  g_assert_cmpuint (spend_all (fx, restored, "restored"), ==, 2);
}

static void
test_no_take_over (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *restored = g_build_filename (fx->market.dir, "restored", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpint (run_semper (fx, fx->alice_dir, NULL, "backup", fx->backup, NULL), ==, 0);
  g_assert_cmpint (run_semper (fx, restored, &out, "--json", "restore", fx->backup,
                               "--no-take-over", NULL), ==, 0);
  answer = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (answer, "coins_taken_over"), ==, 0);
  assert_receipt_verifies (fx, restored);

  /* Both hold the same coins: the first to be deposited wins, the second is
   * refused with the bank's proof of the first spend. */
  g_assert_cmpuint (spend_all (fx, restored, "restored"), ==, 2);
  g_assert_cmpuint (spend_all (fx, fx->alice_dir, "original"), ==, 0);
}

/* The take-over after the fact, as a restore without network would need it. */
static void
test_take_over_later (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *restored = g_build_filename (fx->market.dir, "restored", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpint (run_semper (fx, fx->alice_dir, NULL, "backup", fx->backup, NULL), ==, 0);
  g_assert_cmpint (run_semper (fx, restored, NULL, "restore", fx->backup, "--no-take-over",
                               NULL), ==, 0);
  g_assert_cmpint (run_semper (fx, restored, &out, "--json", "restore", "--take-over", NULL),
                   ==, 0);
  answer = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (answer, "coins_taken_over"), >, 0);

  g_assert_cmpuint (spend_all (fx, fx->alice_dir, "original"), ==, 0);
  g_assert_cmpuint (spend_all (fx, restored, "restored"), ==, 2);
}

static void
test_refusals (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *restored = g_build_filename (fx->market.dir, "restored", NULL);
  g_autofree char *other_pw = g_build_filename (fx->market.dir, "other-password", NULL);
  g_autofree char *tampered = g_build_filename (fx->market.dir, "tampered.semper-backup", NULL);
  g_autofree char *busy = g_build_filename (fx->market.dir, "busy", NULL);
  g_autofree char *busy_file = g_build_filename (busy, "keep", NULL);
  g_autoptr(GError) error = NULL;
  char *bytes = NULL;
  gsize len = 0;

  g_assert_cmpint (run_semper (fx, fx->alice_dir, NULL, "backup", fx->backup, NULL), ==, 0);

  /* A wrong password. */
  g_file_set_contents (other_pw, "not the password\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_semper (fx, restored, NULL, "restore", fx->backup,
                               "--backup-password-file", other_pw, NULL), ==, 1);
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));

  /* One flipped bit in the header (the iteration count's low byte) or in the body. */
  g_file_get_contents (fx->backup, &bytes, &len, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      gsize at = i == 0 ? 19 : len / 2;

      bytes[at] ^= 0x01;
      g_file_set_contents (tampered, bytes, len, &error);
      g_assert_no_error (error);
      bytes[at] ^= 0x01;
      g_assert_cmpint (run_semper (fx, restored, NULL, "restore", tampered, NULL), ==, 1);
      g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
    }
  g_free (bytes);

  /* Never over an existing profile. */
  g_assert_cmpint (g_mkdir_with_parents (busy, 0700), ==, 0);
  g_file_set_contents (busy_file, "x", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_semper (fx, busy, NULL, "restore", fx->backup, NULL), ==, 1);
  g_assert_cmpint (run_semper (fx, fx->alice_dir, NULL, "restore", fx->backup, NULL), ==, 1);

  /* No leftovers beside the target. */
  {
    g_autoptr(GDir) dir = g_dir_open (fx->market.dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".restored.restore-"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/semper/backup/take-over", test_take_over);
  ADD ("/semper/backup/no-take-over", test_no_take_over);
  ADD ("/semper/backup/take-over-later", test_take_over_later);
  ADD ("/semper/backup/refusals", test_refusals);
#undef ADD

  return g_test_run ();
}
