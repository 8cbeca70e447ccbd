/* test-payment-manager.c: negotiation (PROTOCOLS.md E) over a table of
 * preferences × merchant offers, with the real SemperPrefs in a real archive
 * and small payment systems whose can_pay answer each row sets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-money.h"
#include "semper-payment-manager.h"

/* ---- a payment system that only answers can_pay ------------------------------- */

#define TEST_TYPE_SYSTEM (test_system_get_type ())
G_DECLARE_FINAL_TYPE (TestSystem, test_system, TEST, SYSTEM, GObject)

struct _TestSystem
{
  GObject   parent_instance;
  char     *id;
  gint64    balance;   /* can pay up to this */
};

static void test_system_iface_init (SemperPaymentSystemInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSystem, test_system, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_PAYMENT_SYSTEM,
                                                      test_system_iface_init))

static void
test_system_finalize (GObject *object)
{
  g_free (TEST_SYSTEM (object)->id);
  G_OBJECT_CLASS (test_system_parent_class)->finalize (object);
}

static void
test_system_class_init (TestSystemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_system_finalize;
}

static void
test_system_init (TestSystem *self)
{
}

static const char *
ts_get_id (SemperPaymentSystem *s)
{
  return TEST_SYSTEM (s)->id;
}

static SemperPaymentKind
ts_get_kind (SemperPaymentSystem *s)
{
  return g_str_equal (TEST_SYSTEM (s)->id, "ecash") ? SEMPER_PAYMENT_KIND_CASH_LIKE
                                                    : SEMPER_PAYMENT_KIND_ACCOUNT_BASED;
}

static gboolean
ts_can_pay (SemperPaymentSystem  *s,
            const SemperAmount   *amount,
            GError              **error)
{
  if (amount->minor <= TEST_SYSTEM (s)->balance)
    return TRUE;
  g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY,
               "%s: not enough money", TEST_SYSTEM (s)->id);
  return FALSE;
}

static void
test_system_iface_init (SemperPaymentSystemInterface *iface)
{
  iface->get_id = ts_get_id;
  iface->get_kind = ts_get_kind;
  iface->can_pay = ts_can_pay;
}

static SemperPaymentSystem *
test_system_new (const char *id,
                 gint64      balance)
{
  TestSystem *self = g_object_new (TEST_TYPE_SYSTEM, NULL);

  self->id = g_strdup (id);
  self->balance = balance;
  return SEMPER_PAYMENT_SYSTEM (self);
}

/* ---- the table ------------------------------------------------------------------ */

typedef struct {
  const char *name;
  /* the user's preferences */
  const char *order;        /* comma separated */
  gint64      ecash_limit;  /* minor EUR, 0 = none */
  const char *policy;
  /* what the wallet can pay (minor EUR) */
  gint64      ecash_balance;
  gint64      account_balance;
  /* the merchant's offer: "ecash:FEE,account:FEE" */
  const char *offers;
  gint64      price;
  /* the caller */
  const char *forced;
  const char *ask_answer;   /* what the user picks when asked; NULL cancels */
  /* expected */
  const char *chosen;       /* NULL: an error */
  int         error_code;
  gboolean    asked;
} Row;

#define BIG G_GINT64_CONSTANT (100000000)

static const Row rows[] = {
  { "pick-first", "ecash,account", 0, "pick", BIG, BIG, "ecash:0,account:0", 1000, NULL, NULL,
    "ecash", 0, FALSE },
  { "pick-order-account-first", "account,ecash", 0, "pick", BIG, BIG, "ecash:0,account:0", 1000,
    NULL, NULL, "account", 0, FALSE },
  { "pick-only-offered", "ecash,account", 0, "pick", BIG, BIG, "account:0", 1000, NULL, NULL,
    "account", 0, FALSE },
  { "pick-over-limit-falls-through", "ecash,account", 2000, "pick", BIG, BIG,
    "ecash:0,account:0", 2500, NULL, NULL, "account", 0, FALSE },
  { "pick-at-limit", "ecash,account", 2000, "pick", BIG, BIG, "ecash:0,account:0", 2000, NULL,
    NULL, "ecash", 0, FALSE },
  { "pick-fee-pushes-over-limit", "ecash,account", 2000, "pick", BIG, BIG,
    "ecash:10,account:0", 1995, NULL, NULL, "account", 0, FALSE },
  { "pick-insufficient-falls-through", "ecash,account", 0, "pick", 500, BIG,
    "ecash:0,account:0", 1000, NULL, NULL, "account", 0, FALSE },
  { "pick-nothing-usable", "ecash,account", 2000, "pick", BIG, 100, "ecash:0,account:0", 2500,
    NULL, NULL, NULL, SEMPER_PAYMENT_ERROR_NO_CHOICE, FALSE },
  { "pick-nothing-offered", "ecash", 0, "pick", BIG, BIG, "cheque:0", 1000, NULL, NULL, NULL,
    SEMPER_PAYMENT_ERROR_NO_CHOICE, FALSE },
  { "pick-unlisted-usable-asks", "ecash", 0, "pick", BIG, BIG, "account:0", 1000, NULL,
    "account", "account", 0, TRUE },
  { "pick-unlisted-no-ask-fails", "ecash", 0, "pick", BIG, BIG, "account:0", 1000, NULL, NULL,
    NULL, SEMPER_PAYMENT_ERROR_CANCELLED, TRUE },
  { "ask-asks", "ecash,account", 0, "ask", BIG, BIG, "ecash:0,account:0", 1000, NULL, "account",
    "account", 0, TRUE },
  { "ask-cancel", "ecash,account", 0, "ask", BIG, BIG, "ecash:0,account:0", 1000, NULL, NULL,
    NULL, SEMPER_PAYMENT_ERROR_CANCELLED, TRUE },
  { "ask-answer-not-usable", "ecash,account", 2000, "ask", BIG, BIG, "ecash:0,account:0", 2500,
    NULL, "ecash", NULL, SEMPER_PAYMENT_ERROR_NO_CHOICE, TRUE },
  { "forced-wins-over-ask", "ecash,account", 0, "ask", BIG, BIG, "ecash:0,account:0", 1000,
    "account", NULL, "account", 0, FALSE },
  { "forced-wins-over-order", "ecash,account", 0, "pick", BIG, BIG, "ecash:0,account:0", 1000,
    "account", NULL, "account", 0, FALSE },
  { "forced-auto-is-rules", "account,ecash", 0, "pick", BIG, BIG, "ecash:0,account:0", 1000,
    "auto", NULL, "account", 0, FALSE },
  { "forced-not-offered", "ecash,account", 0, "pick", BIG, BIG, "ecash:0", 1000, "account",
    NULL, NULL, SEMPER_PAYMENT_ERROR_NO_CHOICE, FALSE },
  { "forced-over-limit", "ecash,account", 2000, "pick", BIG, BIG, "ecash:0,account:0", 2500,
    "ecash", NULL, NULL, SEMPER_PAYMENT_ERROR_CANNOT_PAY, FALSE },
  { "forced-insufficient", "ecash,account", 0, "pick", 10, BIG, "ecash:0,account:0", 2500,
    "ecash", NULL, NULL, SEMPER_PAYMENT_ERROR_CANNOT_PAY, FALSE },
};

typedef struct {
  const Row *row;
  gboolean   asked;
  guint      n_candidates;
} AskState;

static char *
ask_cb (const SemperAmount *price,
        GPtrArray          *candidates,
        gpointer            user_data)
{
  AskState *state = user_data;

  state->asked = TRUE;
  state->n_candidates = candidates->len;
  g_assert_cmpint (price->minor, ==, state->row->price);
  return g_strdup (state->row->ask_answer);
}

static void
run_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pay-neg-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "archive.db", NULL);
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autoptr(SemperPaymentManager) manager = NULL;
  g_autoptr(SemperPaymentSystem) ecash = test_system_new ("ecash", row->ecash_balance);
  g_autoptr(SemperPaymentSystem) account = test_system_new ("account", row->account_balance);
  g_auto(GStrv) offer_texts = g_strsplit (row->offers, ",", 0);
  g_autoptr(GArray) offers = g_array_new (FALSE, TRUE, sizeof (SemperPaymentOffer));
  SemperPaymentPolicy policy;
  SemperPaymentSystem *chosen;
  SemperAmount price;
  AskState state = { row, FALSE, 0 };
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_assert_no_error (error);
  archive = semper_archive_open (path, &error);
  g_assert_no_error (error);
  prefs = semper_prefs_new (archive, &error);
  g_assert_no_error (error);
  g_assert_true (semper_prefs_set_payment_order_from_string (prefs, row->order, &error));
  if (row->ecash_limit > 0)
    {
      SemperAmount limit;

      g_assert_true (semper_amount_init (&limit, row->ecash_limit, "EUR", &error));
      g_assert_true (semper_prefs_set_limit (prefs, "ecash", &limit, &error));
    }
  g_assert_true (semper_payment_policy_from_string (row->policy, &policy, &error));
  g_assert_true (semper_prefs_set_policy (prefs, policy, &error));
  g_assert_no_error (error);

  manager = semper_payment_manager_new (prefs);
  semper_payment_manager_add_system (manager, ecash);
  semper_payment_manager_add_system (manager, account);

  for (guint i = 0; offer_texts[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (offer_texts[i], ":", 2);
      SemperPaymentOffer offer = { 0 };

      offer.system = parts[0];
      g_assert_true (semper_amount_init (&offer.fee, g_ascii_strtoll (parts[1], NULL, 10),
                                         "EUR", NULL));
      g_array_append_val (offers, offer);
      g_ptr_array_add (keep, g_steal_pointer (&parts));
    }
  g_assert_true (semper_amount_init (&price, row->price, "EUR", NULL));

  chosen = semper_payment_manager_negotiate (manager, &price,
                                             (SemperPaymentOffer *) offers->data, offers->len,
                                             row->forced, ask_cb, &state, &error);
  if (row->chosen != NULL)
    {
      g_assert_no_error (error);
      g_assert_nonnull (chosen);
      g_assert_cmpstr (semper_payment_system_get_id (chosen), ==, row->chosen);
    }
  else
    {
      g_assert_null (chosen);
      g_assert_error (error, SEMPER_PAYMENT_ERROR, row->error_code);
      g_assert_nonnull (error->message);
    }
  g_assert_cmpint (state.asked, ==, row->asked);

  g_clear_object (&manager);
  g_clear_object (&prefs);
  g_clear_object (&archive);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

/* Without an ask callback (the CLI's headless path) the policy ask fails
 * with a message that names --pay. */
static void
test_headless_ask (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pay-neg-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "archive.db", NULL);
  g_autoptr(SemperArchive) archive = semper_archive_open (path, &error);
  g_autoptr(SemperPrefs) prefs = semper_prefs_new (archive, &error);
  g_autoptr(SemperPaymentManager) manager = semper_payment_manager_new (prefs);
  g_autoptr(SemperPaymentSystem) ecash = test_system_new ("ecash", BIG);
  g_autoptr(GPtrArray) candidates = NULL;
  SemperPaymentOffer offer = { "ecash", { 0, "EUR" } };
  SemperAmount price = { 100, "EUR" };

  g_assert_true (semper_prefs_set_policy (prefs, SEMPER_PAYMENT_POLICY_ASK, &error));
  semper_payment_manager_add_system (manager, ecash);
  g_assert_null (semper_payment_manager_negotiate (manager, &price, &offer, 1, NULL, NULL, NULL,
                                                   &error));
  g_assert_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE);
  g_assert_nonnull (strstr (error->message, "--pay"));

  candidates = semper_payment_manager_candidates (manager, &price, &offer, 1);
  g_assert_cmpuint (candidates->len, ==, 1);
  g_assert_true (((SemperPaymentCandidate *) candidates->pdata[0])->usable);
  g_clear_object (&manager);
  g_clear_object (&prefs);
  g_clear_object (&archive);
}

/* Each candidate says whether the user's limit is what stops it, so that a
 * purchase can say "over your limit" apart from "not enough money". */
static void
test_over_limit_flag (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pay-neg-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "archive.db", NULL);
  g_autoptr(SemperArchive) archive = semper_archive_open (path, &error);
  g_autoptr(SemperPrefs) prefs = semper_prefs_new (archive, &error);
  g_autoptr(SemperPaymentManager) manager = semper_payment_manager_new (prefs);
  g_autoptr(SemperPaymentSystem) ecash = test_system_new ("ecash", BIG);
  g_autoptr(SemperPaymentSystem) account = test_system_new ("account", 50);
  g_autoptr(GPtrArray) candidates = NULL;
  SemperPaymentOffer offers[] = { { "ecash", { 0, "EUR" } }, { "account", { 0, "EUR" } } };
  SemperAmount price = { 100, "EUR" };
  SemperAmount limit = { 99, "EUR" };

  g_assert_no_error (error);
  g_assert_true (semper_prefs_set_limit (prefs, "ecash", &limit, &error));
  semper_payment_manager_add_system (manager, ecash);
  semper_payment_manager_add_system (manager, account);
  candidates = semper_payment_manager_candidates (manager, &price, offers, 2);
  g_assert_cmpuint (candidates->len, ==, 2);
  for (guint i = 0; i < candidates->len; i++)
    {
      SemperPaymentCandidate *c = candidates->pdata[i];

      g_assert_false (c->usable);
      g_assert_nonnull (c->reason);
      /* ecash: over its limit of 0.99 EUR; account: short of money, no limit. */
      g_assert_cmpint (c->over_limit, ==, g_str_equal (c->system, "ecash"));
    }
  g_clear_pointer (&candidates, g_ptr_array_unref);
  g_clear_object (&manager);
  g_clear_object (&prefs);
  g_clear_object (&archive);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/semper/payment/negotiate/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], run_row);
    }
  g_test_add_func ("/semper/payment/negotiate/headless-ask", test_headless_ask);
  g_test_add_func ("/semper/payment/negotiate/over-limit-flag", test_over_limit_flag);
  return g_test_run ();
}
