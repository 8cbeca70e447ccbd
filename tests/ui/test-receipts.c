/* test-receipts.c: the Receipts and Contracts pages over a large archive.
 *
 * One archive with 100 000 generated receipts (one transaction) and a few
 * real ones: signed by a merchant that a test CA certified, signed by an
 * uncertified key, and one with a hostile merchant name. Checks the
 * model's size, search as you type, each filter against the count the
 * generator implies, sorting, live verification in the detail pane,
 * labels, the CSV/JSON and .p7m exports, and saves screenshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-evidence.h"
#include "semper-money.h"
#include "ui-test-util.h"
#include "wallet-contracts-page.h"
#include "wallet-receipts-page.h"

#define N_GENERATED 100000
#define BASE_TIME   G_GINT64_CONSTANT (1735689600)  /* 2025-01-01T00:00:00Z */
#define N_EXTRA     3

static const char * const merchants[] = {
  "Bookshop", "Café Olé", "Grocer", "Hardware Hall", "Zoo shop",
};

static char *test_dir;

/* What the generator put in row @i (0-based). */
static const char *gen_merchant (guint i) { return merchants[i % G_N_ELEMENTS (merchants)]; }
static const char *gen_system (guint i) { return i % 2 ? "account" : "ecash"; }
static const char *gen_state (guint i) { return i % 7 == 0 ? "refunded" : "paid"; }
static gint64 gen_amount (guint i) { return 100 + (i % 1000) * 7; }
static gint64 gen_time (guint i) { return BASE_TIME + (gint64) i * 600; }

typedef struct {
  SemperArchive *archive;
  GBytes        *root;
  GBytes        *signed_receipt;   /* the CMS bytes of the certified merchant's receipt */
  gint64         signed_id;
  gint64         untrusted_id;
  gint64         hostile_id;
} World;

static World world;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("test password");
}

static SemperCrypto *
new_crypto (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (test_dir, name, NULL);
  SemperCrypto *crypto;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  crypto = semper_crypto_open (dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  g_assert_no_error (error);
  return crypto;
}

static gint64
insert_signed (SemperCrypto *signer,
               const char   *exchange_id,
               const char   *merchant,
               const char   *title,
               gint64        minor,
               GBytes      **out_p7m)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"kind\":\"receipt\",\"merchant\":\"%s\","
                                           "\"title\":\"%s\",\"amount\":%" G_GINT64_FORMAT ","
                                           "\"state\":\"paid\"}", merchant, title, minor);
  g_autoptr(GBytes) content = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) p7m = semper_cms_sign_message (signer, content, &error);
  SemperArchiveRecord r = { 0 };
  gint64 id;

  g_assert_no_error (error);
  if (exchange_id != NULL)
    {
      g_autofree char *created = semper_archive_exchange_create (world.archive, exchange_id,
                                                                 "purchase", "buyer", merchant,
                                                                 "done", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (created, ==, exchange_id);
    }
  r.message_id = semper_archive_message_store (world.archive, SEMPER_MESSAGE_IN, exchange_id,
                                               "application/pkcs7-mime", p7m, &error);
  g_assert_no_error (error);
  r.exchange_id = (char *) exchange_id;
  r.counterparty = (char *) merchant;
  r.title = (char *) title;
  r.amount.minor = minor;
  strcpy (r.amount.currency, "EUR");
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = BASE_TIME - 3600;
  r.text = json;
  id = semper_archive_record_insert (world.archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  if (out_p7m != NULL)
    *out_p7m = g_bytes_ref (p7m);
  return id;
}

static void
world_build (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) ca = new_crypto ("ca");
  g_autoptr(SemperCrypto) merchant = new_crypto ("merchant");
  g_autoptr(SemperCrypto) rogue = new_crypto ("rogue");
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *path = g_build_filename (test_dir, "archive.db", NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  SemperArchiveRecord r = { 0 };

  g_assert_true (semper_crypto_make_root (ca, "Test Marketplace CA", 30, &error));
  g_assert_no_error (error);
  world.root = semper_crypto_dup_certificate (ca);
  csr = semper_crypto_create_csr (merchant, "Signed Books Ltd", SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, SEMPER_ROLE_MERCHANT, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (merchant, cert, &error));
  g_assert_no_error (error);
  g_assert_true (semper_crypto_make_self_signed (rogue, "Rogue Shop", &error));
  g_assert_no_error (error);

  world.archive = semper_archive_open (path, &error);
  g_assert_no_error (error);

  g_assert_true (semper_archive_begin (world.archive, &error));
  for (guint i = 0; i < N_GENERATED; i++)
    {
      g_autofree char *title = g_strdup_printf ("Order %u%s", i, i % 1000 == 0 ? " zeppelin" : "");

      r.counterparty = (char *) gen_merchant (i);
      r.title = title;
      r.amount.minor = gen_amount (i);
      strcpy (r.amount.currency, "EUR");
      r.fee = r.amount;
      r.fee.minor = 0;        /* what both payment systems report */
      r.payment_system = (char *) gen_system (i);
      r.state = (char *) gen_state (i);
      r.time = gen_time (i);
      r.text = title;
      g_assert_cmpint (semper_archive_record_insert (world.archive, SEMPER_ARCHIVE_RECEIPTS, &r,
                                                     &error), ==, i + 1);
    }
  world.signed_id = insert_signed (merchant, "tx-quokka", "Signed Books Ltd",
                                   "Signed atlas quokka", 4990, &world.signed_receipt);
  world.untrusted_id = insert_signed (rogue, NULL, "Rogue Shop", "Cheap watch wombat", 999, NULL);
  world.hostile_id = insert_signed (rogue, NULL, "=HYPERLINK(\"http://evil.example\")",
                                    "Formula, \"quoted\" injection", 100, NULL);
  g_assert_true (semper_archive_commit (world.archive, &error));
  g_assert_no_error (error);
  g_test_message ("filled %d receipts in %.1f s", N_GENERATED + N_EXTRA,
                  g_timer_elapsed (timer, NULL));
}

/* ---- the page in a window ---------------------------------------------- */

typedef struct {
  GtkWindow          *window;
  WalletReceiptsPage *page;
  WalletRecordModel  *model;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AdwToastOverlay *overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());

  fx->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fx->window, 1100, 700);
  fx->page = wallet_receipts_page_new (SEMPER_ARCHIVE_RECEIPTS);
  adw_toast_overlay_set_child (overlay, GTK_WIDGET (fx->page));
  adw_window_set_content (ADW_WINDOW (fx->window), GTK_WIDGET (overlay));
  g_assert_true (wallet_receipts_page_set_archive (fx->page, world.archive, world.root, &error));
  g_assert_no_error (error);
  fx->model = wallet_receipts_page_get_model (fx->page);
  ui_test_show_and_wait (fx->window);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GObject *
child (Fixture    *fx,
       const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (fx->page), WALLET_TYPE_RECEIPTS_PAGE, name);
}

static guint
n_items (Fixture *fx)
{
  return g_list_model_get_n_items (G_LIST_MODEL (fx->model));
}

typedef struct {
  const char *want;
  gboolean    done;
} SearchWait;

static void
search_changed_cb (GtkSearchEntry *entry,
                   SearchWait     *wait)
{
  if (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (entry)), wait->want))
    wait->done = TRUE;
}

static gboolean
search_done (gpointer data)
{
  return ((SearchWait *) data)->done;
}

/* Types into the search entry and waits for the debounced query of that
 * text (the page's handler runs before this one). */
static void
search (Fixture    *fx,
        const char *text)
{
  GtkEditable *entry = GTK_EDITABLE (child (fx, "search_entry"));
  SearchWait wait = { text, FALSE };
  gulong handler;

  if (g_str_equal (gtk_editable_get_text (entry), text))
    return;
  handler = g_signal_connect_after (entry, "search-changed", G_CALLBACK (search_changed_cb),
                                    &wait);
  gtk_editable_set_text (entry, text);
  ui_test_spin_until (search_done, &wait);
  g_signal_handler_disconnect (entry, handler);
}

static void
choose (Fixture    *fx,
        const char *dropdown,
        const char *value)
{
  GtkDropDown *d = GTK_DROP_DOWN (child (fx, dropdown));
  GListModel *list = gtk_drop_down_get_model (d);
  /* The choices show labels; the page keeps the codes they stand for. */
  const char * const *codes = g_object_get_data (G_OBJECT (d), "codes");

  g_assert_nonnull (codes);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1 + g_strv_length ((char **) codes));
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    if ((value == NULL && i == 0) || (i > 0 && g_strcmp0 (codes[i - 1], value) == 0))
      {
        gtk_drop_down_set_selected (d, i);
        return;
      }
  g_error ("no choice %s in %s", value, dropdown);
}

static void
type_into (Fixture    *fx,
           const char *entry,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (fx, entry)), text);
}

static const SemperArchiveRecord *
row (Fixture *fx,
     guint    position)
{
  g_autoptr(WalletRecord) item = g_list_model_get_item (G_LIST_MODEL (fx->model), position);

  g_assert_nonnull (item);
  /* The model holds the item in its cache: the record outlives this ref. */
  return wallet_record_get_record (item);
}

static void
test_fill (Fixture       *fx,
           gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (child (fx, "stack"));
  const SemperArchiveRecord *first;

  g_assert_cmpuint (n_items (fx), ==, N_GENERATED + N_EXTRA);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (fx, "count_label"))), ==,
                   "100003 receipts");
  /* Newest first: the last generated row. */
  first = row (fx, 0);
  g_assert_cmpint (first->id, ==, N_GENERATED);
  g_assert_cmpint (first->time, ==, gen_time (N_GENERATED - 1));
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "receipts-list");
  /* The view read the rows it shows, not the list. */
  g_assert_cmpuint (wallet_record_model_get_n_read (fx->model), <, 500);
}

static void
test_search (Fixture       *fx,
             gconstpointer  data)
{
  search (fx, "zeppelin");
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED / 1000);
  for (guint i = 0; i < n_items (fx); i++)
    g_assert_nonnull (strstr (row (fx, i)->title, "zeppelin"));

  search (fx, "zepp");           /* prefix, as typed */
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED / 1000);
  search (fx, "zeppelin 5000");  /* all words, each a prefix: 5000 and 50000 */
  g_assert_cmpuint (n_items (fx), ==, 2);
  search (fx, "zeppelin 99000");
  g_assert_cmpuint (n_items (fx), ==, 1);
  g_assert_cmpstr (row (fx, 0)->title, ==, "Order 99000 zeppelin");
  search (fx, "bookshop zeppelin");   /* the merchant is searched too */
  g_assert_cmpuint (n_items (fx), ==, 100);
  search (fx, "cafe 4");              /* diacritics folded: "Café Olé", Order 4… */
  g_assert_cmpuint (n_items (fx), ==, 2 + 20 + 200 + 2000);   /* 4…, i % 5 == 1 */
  g_assert_cmpstr (row (fx, 0)->counterparty, ==, "Café Olé");
  search (fx, "\"*) NEAR(");          /* hostile text: no error, nothing found */
  g_assert_cmpuint (n_items (fx), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (fx, "count_label"))), ==,
                   "0 receipts");
  search (fx, "");
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED + N_EXTRA);
  /* A new query over the whole list, shown: still only what is on screen. */
  ui_test_wait_until_painted (GTK_WIDGET (fx->window));
  g_assert_cmpuint (wallet_record_model_get_n_read (fx->model), >, 0);
  g_assert_cmpuint (wallet_record_model_get_n_read (fx->model), <, 500);
}

static guint
count_generated (gboolean (*pass) (guint i, gpointer data),
                 gpointer  data)
{
  guint n = 0;

  for (guint i = 0; i < N_GENERATED; i++)
    if (pass (i, data))
      n++;
  return n;
}

static gboolean
pass_bookshop (guint i, gpointer d)
{
  return g_str_equal (gen_merchant (i), "Bookshop");
}

static gboolean
pass_refunded (guint i, gpointer d)
{
  return g_str_equal (gen_state (i), "refunded");
}

static gboolean
pass_book_refunded_account (guint i, gpointer d)
{
  return pass_bookshop (i, d) && pass_refunded (i, d) && g_str_equal (gen_system (i), "account");
}
static gboolean
pass_amount (guint i, gpointer d)
{
  return gen_amount (i) >= 1000 && gen_amount (i) <= 2000;
}

typedef struct { gint64 since, until; } Range;

static gboolean
pass_range (guint i, gpointer d)
{
  Range *r = d;
  return gen_time (i) >= r->since && gen_time (i) <= r->until;
}

static void
test_filters (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GDateTime) feb1 = g_date_time_new_local (2025, 2, 1, 0, 0, 0);
  g_autoptr(GDateTime) mar1 = g_date_time_new_local (2025, 3, 1, 0, 0, 0);
  Range feb = { g_date_time_to_unix (feb1), g_date_time_to_unix (mar1) - 1 };

  choose (fx, "counterparty_dropdown", "Bookshop");
  g_assert_cmpuint (n_items (fx), ==, count_generated (pass_bookshop, NULL));
  for (guint i = 0; i < 50; i++)
    g_assert_cmpstr (row (fx, i)->counterparty, ==, "Bookshop");

  /* States and payment systems are shown in words, filtered by code. */
  {
    GListModel *states = gtk_drop_down_get_model (GTK_DROP_DOWN (child (fx, "state_dropdown")));
    GListModel *systems = gtk_drop_down_get_model (GTK_DROP_DOWN (child (fx,
                                                                         "system_dropdown")));

    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (states), 2), ==, "Refunded");
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (systems), 2), ==, "E-cash");
  }
  choose (fx, "state_dropdown", "refunded");
  choose (fx, "system_dropdown", "account");
  g_assert_cmpuint (n_items (fx), ==, count_generated (pass_book_refunded_account, NULL));
  g_assert_cmpuint (n_items (fx), >, 0);

  /* Filters and search together. */
  search (fx, "zeppelin");
  for (guint i = 0; i < n_items (fx); i++)
    {
      const SemperArchiveRecord *r = row (fx, i);
      g_assert_nonnull (strstr (r->title, "zeppelin"));
      g_assert_cmpstr (r->state, ==, "refunded");
    }
  search (fx, "");

  choose (fx, "counterparty_dropdown", NULL);
  choose (fx, "state_dropdown", NULL);
  choose (fx, "system_dropdown", NULL);
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED + N_EXTRA);

  /* Dates are local days, both ends included. */
  type_into (fx, "since_entry", "2025-02-01");
  type_into (fx, "until_entry", "2025-02-28");
  g_assert_cmpuint (n_items (fx), ==, count_generated (pass_range, &feb));
  g_assert_cmpuint (n_items (fx), ==, 28 * 24 * 6);
  type_into (fx, "until_entry", "2025-02-31");   /* no such day: marked, not applied */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child (fx, "until_entry")), "error"));
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED - (feb.since - BASE_TIME) / 600);
  type_into (fx, "since_entry", "");
  type_into (fx, "until_entry", "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (child (fx, "until_entry")), "error"));

  /* Amounts: "10.00 EUR" to "20.00 EUR", inclusive. */
  type_into (fx, "min_entry", "10.00 EUR");
  type_into (fx, "max_entry", "20.00 EUR");
  g_assert_cmpuint (n_items (fx), ==, count_generated (pass_amount, NULL));
  type_into (fx, "max_entry", "20.00 CHF");      /* another currency: marked, not applied */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child (fx, "max_entry")), "error"));
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "receipts-filtered");
  type_into (fx, "min_entry", "");
  type_into (fx, "max_entry", "");
  g_assert_cmpuint (n_items (fx), ==, N_GENERATED + N_EXTRA);
}

static void
test_sort (Fixture       *fx,
           gconstpointer  data)
{
  GtkDropDown *sort = GTK_DROP_DOWN (child (fx, "sort_dropdown"));

  gtk_drop_down_set_selected (sort, SEMPER_ARCHIVE_SORT_OLDEST);
  g_assert_cmpint (row (fx, 0)->time, ==, BASE_TIME - 3600);
  g_assert_cmpint (row (fx, N_EXTRA)->id, ==, 1);
  gtk_drop_down_set_selected (sort, SEMPER_ARCHIVE_SORT_AMOUNT_HIGH);
  g_assert_cmpint (row (fx, 0)->amount.minor, ==, gen_amount (999));
  g_assert_cmpint (row (fx, 0)->amount.minor, >=, row (fx, 1)->amount.minor);
  gtk_drop_down_set_selected (sort, SEMPER_ARCHIVE_SORT_AMOUNT_LOW);
  g_assert_cmpint (row (fx, 0)->amount.minor, ==, 100);
  gtk_drop_down_set_selected (sort, SEMPER_ARCHIVE_SORT_NEWEST);
  g_assert_cmpint (row (fx, 0)->id, ==, N_GENERATED);
}

static void
test_detail (Fixture       *fx,
             gconstpointer  data)
{
  WalletRecordDetail *detail = wallet_receipts_page_get_detail (fx->page);
  SemperSignerInfo *signer;
  g_autoptr(GError) error = NULL;

  search (fx, "quokka");
  g_assert_cmpuint (n_items (fx), ==, 1);
  g_assert_true (wallet_receipts_page_select (fx->page, 0));
  g_assert_cmpint (wallet_record_detail_get_id (detail), ==, world.signed_id);
  g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_VALID);
  signer = wallet_record_detail_get_signer (detail);
  g_assert_nonnull (signer);
  g_assert_cmpstr (signer->common_name, ==, "Signed Books Ltd");
  g_assert_cmpstr (signer->role, ==, SEMPER_ROLE_MERCHANT);
  g_assert_true (signer->trusted);
  g_assert_nonnull (signer->signing_time);
  g_assert_cmpuint (signer->chain->len, ==, 2);
  g_assert_nonnull (strstr (wallet_record_detail_get_content_text (detail),
                            "\"title\":\"Signed atlas quokka\""));
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "receipts-detail");

  /* Labels and notes are saved, shown in the list and searchable. */
  g_assert_true (wallet_record_detail_save_labels (detail, "gift books", "for Anna", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (row (fx, 0)->labels, ==, "gift books");
  search (fx, "anna gift");
  g_assert_cmpuint (n_items (fx), ==, 1);
  g_assert_cmpint (row (fx, 0)->id, ==, world.signed_id);
  g_assert_cmpint (wallet_record_detail_get_id (detail), ==, world.signed_id);

  /* Signed by a key that no CA we trust certified. */
  search (fx, "wombat");
  g_assert_true (wallet_receipts_page_select (fx->page, 0));
  g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_UNTRUSTED);
  g_assert_null (wallet_record_detail_get_content_text (detail));   /* nothing stale shown */
  ui_test_save_screenshot (GTK_WIDGET (fx->window), "receipts-untrusted");

  /* A generated row has no signed message. */
  search (fx, "zeppelin 97000");
  g_assert_true (wallet_receipts_page_select (fx->page, 0));
  g_assert_cmpint (wallet_record_detail_get_verdict (detail), ==, WALLET_VERDICT_NONE);
  search (fx, "");
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_load_contents (file, NULL, &data, NULL, NULL, &error);
  g_assert_no_error (error);
  return data;
}

static void
test_export (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = g_build_filename (test_dir, "list.csv", NULL);
  g_autofree char *json_path = g_build_filename (test_dir, "list.json", NULL);
  g_autofree char *p7m_path = g_build_filename (test_dir, "receipt.p7m", NULL);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) p7m_file = g_file_new_for_path (p7m_path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *csv = NULL;
  g_autofree char *p7m = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *items;
  gsize len = 0;

  /* The list as shown: search and order applied. */
  search (fx, "zeppelin");
  choose (fx, "counterparty_dropdown", "Bookshop");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fx, "sort_dropdown")),
                              SEMPER_ARCHIVE_SORT_OLDEST);
  g_assert_cmpuint (n_items (fx), ==, 100);
  g_assert_true (wallet_receipts_page_export (fx->page, csv_file, WALLET_EXPORT_CSV, &error));
  g_assert_no_error (error);
  csv = read_file (csv_file);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 100 + 1);   /* header, rows, "" */
  g_assert_cmpstr (lines[0], ==,
                   "id,time,merchant,title,amount,currency,fee,payment_system,state,labels,note");
  g_assert_cmpstr (lines[1], ==,
                   "1,2025-01-01T00:00:00Z,Bookshop,Order 0 zeppelin,1.00,EUR,0.00,ecash,"
                   "refunded,,");
  /* Row 1000 (0-based): id 1001, 1000 * 10 min after the base. */
  g_assert_cmpstr (lines[2], ==,
                   "1001,2025-01-07T22:40:00Z,Bookshop,Order 1000 zeppelin,1.00,EUR,0.00,ecash,"
                   "paid,,");
  g_assert_cmpstr (lines[101], ==, "");

  g_assert_true (wallet_receipts_page_export (fx->page, json_file, WALLET_EXPORT_JSON, &error));
  g_assert_no_error (error);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  items = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 100);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 1), "id"),
                   ==, 1001);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "amount"), ==, "1.00 EUR");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "fee"), ==, "0.00 EUR");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0),
                                               "fee_minor"), ==, 0);

  /* A hostile merchant name cannot become a spreadsheet formula. */
  choose (fx, "counterparty_dropdown", NULL);
  search (fx, "injection");
  g_assert_cmpuint (n_items (fx), ==, 1);
  g_assert_true (wallet_receipts_page_export (fx->page, csv_file, WALLET_EXPORT_CSV, &error));
  g_assert_no_error (error);
  g_clear_pointer (&csv, g_free);
  g_clear_pointer (&lines, g_strfreev);
  csv = read_file (csv_file);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_nonnull (strstr (lines[1], ",\"'=HYPERLINK(\"\"http://evil.example\"\")\","
                                      "\"Formula, \"\"quoted\"\" injection\",1.00,EUR,"));

  /* The receipt itself, bytes as the merchant signed them. */
  search (fx, "quokka");
  g_assert_true (wallet_receipts_page_select (fx->page, 0));
  g_assert_true (wallet_record_detail_export (wallet_receipts_page_get_detail (fx->page),
                                              p7m_file, &error));
  g_assert_no_error (error);
  g_file_get_contents (p7m_path, &p7m, &len, NULL);
  g_assert_cmpmem (p7m, len, g_bytes_get_data (world.signed_receipt, NULL),
                   g_bytes_get_size (world.signed_receipt));

  /* The whole transaction as an evidence bundle, which checks offline
   * against the pinned root and holds the receipt as signed. */
  {
    g_autofree char *bundle_path = g_build_filename (test_dir, "evidence.json", NULL);
    g_autoptr(GFile) bundle_file = g_file_new_for_path (bundle_path);
    WalletRecordDetail *detail = wallet_receipts_page_get_detail (fx->page);
    GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail),
                                                                   WALLET_TYPE_RECORD_DETAIL,
                                                                   "evidence_button"));
    g_autofree char *bundle = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(SemperEvidenceInfo) info = NULL;
    gsize bundle_len = 0;

    g_assert_true (gtk_widget_get_sensitive (button));
    g_assert_true (wallet_record_detail_export_evidence (detail, bundle_file, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (bundle_path, &bundle, &bundle_len, NULL));
    bytes = g_bytes_new (bundle, bundle_len);
    g_assert_true (semper_evidence_is_bundle (bytes));
    info = semper_evidence_verify (bytes, world.root, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (info->exchange_id, ==, "tx-quokka");
    g_assert_cmpuint (info->statements->len, ==, 1);

    /* A receipt of no archived transaction has nothing to bundle. */
    search (fx, "wombat");
    g_assert_true (wallet_receipts_page_select (fx->page, 0));
    g_assert_false (gtk_widget_get_sensitive (button));
    g_assert_false (wallet_record_detail_export_evidence (detail, bundle_file, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  search (fx, "");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fx, "sort_dropdown")),
                              SEMPER_ARCHIVE_SORT_NEWEST);
}

/* ---- shown again ---------------------------------------------------------- */

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n)
{
  (*n)++;
}

static void
show_again (GtkWidget *page)
{
  gtk_widget_set_visible (page, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (gtk_widget_get_mapped (page));
  gtk_widget_set_visible (page, TRUE);
  while (!gtk_widget_get_mapped (page))
    g_main_context_iteration (NULL, TRUE);
}

/* The page reads the archive again when it is shown again, but only when
 * something was written to it meanwhile (by the wallet's own connection or
 * by another one, such as a purchase): the window opening on the page does
 * not read everything twice. */
static void
test_shown_again (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (test_dir, "shown-again.db", NULL);
  g_autoptr(SemperArchive) view = semper_archive_open (path, &error);
  g_autoptr(SemperArchive) writer = NULL;
  GtkWindow *window = GTK_WINDOW (adw_window_new ());
  WalletReceiptsPage *page = wallet_receipts_page_new (SEMPER_ARCHIVE_RECEIPTS);
  SemperArchiveRecord r = { 0 };
  GListModel *model;
  guint changes = 0;

  g_assert_no_error (error);
  writer = semper_archive_open (path, &error);
  g_assert_no_error (error);
  r.counterparty = (char *) "Bookshop";
  r.title = (char *) "First";
  r.amount.minor = 500;
  strcpy (r.amount.currency, "EUR");
  r.state = (char *) "paid";
  r.time = BASE_TIME;
  g_assert_cmpint (semper_archive_record_insert (writer, SEMPER_ARCHIVE_RECEIPTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);

  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (page));
  g_assert_true (wallet_receipts_page_set_archive (page, view, world.root, &error));
  g_assert_no_error (error);
  model = G_LIST_MODEL (wallet_receipts_page_get_model (page));
  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  ui_test_show_and_wait (window);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  /* shown first, and again, with nothing new: not read again */
  show_again (GTK_WIDGET (page));
  g_assert_cmpuint (changes, ==, 0);

  /* a receipt from another connection: there when shown again */
  r.title = (char *) "Second";
  r.time = BASE_TIME + 60;
  g_assert_cmpint (semper_archive_record_insert (writer, SEMPER_ARCHIVE_RECEIPTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);
  show_again (GTK_WIDGET (page));
  g_assert_cmpuint (changes, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* a change through the page's own connection counts too */
  changes = 0;
  r.title = (char *) "Third";
  r.time = BASE_TIME + 120;
  g_assert_cmpint (semper_archive_record_insert (view, SEMPER_ARCHIVE_RECEIPTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);
  show_again (GTK_WIDGET (page));
  g_assert_cmpuint (changes, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- empty states and contracts ---------------------------------------- */

static void
test_empty_and_contracts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (test_dir, "contracts.db", NULL);
  g_autoptr(SemperArchive) archive = semper_archive_open (path, &error);
  GtkWindow *window = GTK_WINDOW (adw_window_new ());
  WalletContractsPage *page = wallet_contracts_page_new ();
  WalletReceiptsPage *browser = wallet_contracts_page_get_browser (page);
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (browser),
                                                              WALLET_TYPE_RECEIPTS_PAGE,
                                                              "stack"));
  SemperArchiveRecord r = { 0 };
  GListModel *model;
  GtkDropDown *state;

  g_assert_no_error (error);
  gtk_window_set_default_size (window, 900, 600);
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (page));
  ui_test_show_and_wait (window);

  /* Without an archive, and with an empty one: the empty state. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_true (wallet_contracts_page_set_archive (page, archive, world.root, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  ui_test_save_screenshot (GTK_WIDGET (window), "contracts-empty");

  r.counterparty = (char *) "Bob Builder";
  r.title = (char *) "Kitchen renovation";
  r.state = (char *) "signed";
  r.time = BASE_TIME;
  r.text = (char *) "Semper-Document: contract/1\nTitle: Kitchen renovation\n";
  g_assert_cmpint (semper_archive_record_insert (archive, SEMPER_ARCHIVE_CONTRACTS, &r, &error),
                   >, 0);
  r.title = (char *) "Garden shed";
  r.state = (char *) "aborted";
  r.time = BASE_TIME + 60;
  g_assert_cmpint (semper_archive_record_insert (archive, SEMPER_ARCHIVE_CONTRACTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);

  /* New records show when the page is reloaded (as on every map). */
  g_assert_true (wallet_receipts_page_reload (browser, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");
  model = G_LIST_MODEL (wallet_receipts_page_get_model (browser));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  /* States sorted: "aborted", then "signed". */
  state = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (browser),
                                                        WALLET_TYPE_RECEIPTS_PAGE,
                                                        "state_dropdown"));
  gtk_drop_down_set_selected (state, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  {
    g_autoptr(WalletRecord) item = g_list_model_get_item (model, 0);
    g_assert_cmpstr (wallet_record_get_record (item)->state, ==, "aborted");
  }
  g_assert_true (wallet_receipts_page_select (browser, 0));
  g_assert_cmpint (wallet_record_detail_get_verdict (wallet_receipts_page_get_detail (browser)), ==,
                   WALLET_VERDICT_NONE);
  ui_test_save_screenshot (GTK_WIDGET (window), "contracts-list");

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_dir = ui_test_setup_dirs ("semper-receipts-test-XXXXXX");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  /* The page icons, as the application provides them. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/semper/Wallet/icons");

  world_build ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/semper/ui/receipts/fill", test_fill);
  ADD ("/semper/ui/receipts/search", test_search);
  ADD ("/semper/ui/receipts/filters", test_filters);
  ADD ("/semper/ui/receipts/sort", test_sort);
  ADD ("/semper/ui/receipts/detail", test_detail);
  ADD ("/semper/ui/receipts/export", test_export);
#undef ADD
  g_test_add_func ("/semper/ui/contracts/empty-and-list", test_empty_and_contracts);
  g_test_add_func ("/semper/ui/receipts/shown-again", test_shown_again);

  status = g_test_run ();
  g_clear_object (&world.archive);
  g_clear_pointer (&world.root, g_bytes_unref);
  g_clear_pointer (&world.signed_receipt, g_bytes_unref);
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
