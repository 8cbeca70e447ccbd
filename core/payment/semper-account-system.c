/* semper-account-system.c: the buyer's side of account payments.
 *
 * A payment's state lives in the archive's preferences under
 * "account.payment.<tid>" as JSON {"state":…,"amount":N,"currency":…,
 * "common":hex,"document":b64,"slip":b64,"proof":b64}:
 * reserved -> prepared -> paid -> done | reclaimed | refunded.
 * Each step is written before its result leaves the wallet: the document the
 * user approves and its enveloped slip are journaled by prepare(), so that
 * after a crash prepare() returns the same document (the same slip nonce)
 * and pay() signs it; the proof is journaled by pay(), so a repeated pay()
 * hands the merchant the same proof and its authorise under the same key
 * gets the bank's first answer. Money moves only at the bank, once per
 * invoice (docs/payments.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-account-system.h"

#include <glib/gi18n-lib.h>

#include "semper-account-payment.h"
#include "semper-archive.h"
#include "semper-bank-request.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-message.h"
#include "semper-money.h"
#include "semper-payment-json-private.h"

#define SYSTEM_ID "account"
#define PREF_URL "bank.url"
#define PREF_ACCOUNT "bank.account"
#define PREF_FINGERPRINT "bank.fingerprint"
#define PREF_PAYMENT "account.payment."

struct _SemperAccountSystem
{
  GObject        parent_instance;

  SemperProfile *profile;
  SemperTrust   *trust;
  GBytes        *bank_certificate;  /* fetched once */
  GMutex         lock;
};

enum {
  SIGNAL_JOURNALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void payment_system_iface_init (SemperPaymentSystemInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SemperAccountSystem, semper_account_system, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_PAYMENT_SYSTEM,
                                                      payment_system_iface_init))

static void
semper_account_system_dispose (GObject *object)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (object);

  g_clear_object (&self->profile);
  g_clear_object (&self->trust);
  g_clear_pointer (&self->bank_certificate, g_bytes_unref);
  G_OBJECT_CLASS (semper_account_system_parent_class)->dispose (object);
}

static void
semper_account_system_finalize (GObject *object)
{
  g_mutex_clear (&SEMPER_ACCOUNT_SYSTEM (object)->lock);
  G_OBJECT_CLASS (semper_account_system_parent_class)->finalize (object);
}

static void
semper_account_system_class_init (SemperAccountSystemClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_account_system_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_account_system_finalize;

  /**
   * SemperAccountSystem::journaled:
   * @point: "account:" and the state just written: "reserved", "prepared",
   *   "paid", "done", "reclaimed" or "refunded"
   *
   * Emitted right after a payment's state was stored, so that the crash
   * tests can kill the process exactly there.
   */
  signals[SIGNAL_JOURNALED] =
    g_signal_new ("journaled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
semper_account_system_init (SemperAccountSystem *self)
{
  g_mutex_init (&self->lock);
}

SemperAccountSystem *
semper_account_system_new (SemperProfile  *profile,
                           GError        **error)
{
  g_autoptr(SemperAccountSystem) self = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  self = g_object_new (SEMPER_TYPE_ACCOUNT_SYSTEM, NULL);
  self->profile = g_object_ref (profile);
  self->trust = semper_profile_dup_trust (profile, error);
  if (self->trust == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static SemperArchive *
archive (SemperAccountSystem *self)
{
  return semper_profile_get_archive (self->profile);
}

static gboolean
linked (SemperAccountSystem  *self,
        char                **out_url,
        char                **out_account,
        char                **out_fingerprint,
        GError              **error)
{
  g_autofree char *url = semper_archive_pref_get (archive (self), PREF_URL, NULL);
  g_autofree char *account = semper_archive_pref_get (archive (self), PREF_ACCOUNT, NULL);
  g_autofree char *fp = semper_archive_pref_get (archive (self), PREF_FINGERPRINT, NULL);

  if (url == NULL || account == NULL || fp == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY,
                           _("No bank account is linked: use “semper bank link”"));
      return FALSE;
    }
  if (out_url != NULL)
    *out_url = g_steal_pointer (&url);
  if (out_account != NULL)
    *out_account = g_steal_pointer (&account);
  if (out_fingerprint != NULL)
    *out_fingerprint = g_steal_pointer (&fp);
  return TRUE;
}

/* ---- the stored state of one payment ----------------------------------------- */

typedef struct {
  char         *state;
  SemperAmount  amount;
  char         *common;    /* (nullable) */
  GBytes       *document;  /* (nullable) the authorisation to sign, until paid */
  GBytes       *slip;      /* (nullable) the enveloped slip, until paid */
  GBytes       *proof;     /* (nullable) */
} State;

static void
state_clear (State *s)
{
  g_clear_pointer (&s->state, g_free);
  g_clear_pointer (&s->common, g_free);
  g_clear_pointer (&s->document, g_bytes_unref);
  g_clear_pointer (&s->slip, g_bytes_unref);
  g_clear_pointer (&s->proof, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (State, state_clear)

/* Returns FALSE with NOT_FOUND when there is no payment under @tid. */
static gboolean
load_state (SemperAccountSystem  *self,
            const char           *tid,
            State                *out,
            GError              **error)
{
  static const char * const allowed[] = {
    "type", "version", "state", "amount", "currency", "common", "document", "slip", "proof",
    NULL
  };
  g_autofree char *key = g_strconcat (PREF_PAYMENT, tid, NULL);
  g_autofree char *text = semper_archive_pref_get (archive (self), key, error);
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  const char *state;

  if (text == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NOT_FOUND,
                     _("No account payment under transaction %s"), tid);
      return FALSE;
    }
  json = g_bytes_new (text, strlen (text));
  o = _semper_pay_json_open (json, "semper-account-payment", allowed, &root, error);
  if (o == NULL || (state = _semper_pay_json_string (o, "state", TRUE, error)) == NULL
      || !_semper_pay_json_amount (o, &out->amount, error))
    return FALSE;
  out->state = g_strdup (state);
  if (json_object_has_member (o, "common")
      && (out->common = _semper_pay_json_hex64 (o, "common", error)) == NULL)
    return FALSE;
  if (json_object_has_member (o, "document")
      && (out->document = _semper_pay_json_base64 (o, "document", 64 * 1024, error)) == NULL)
    return FALSE;
  if (json_object_has_member (o, "slip")
      && (out->slip = _semper_pay_json_base64 (o, "slip", 64 * 1024, error)) == NULL)
    return FALSE;
  if (json_object_has_member (o, "proof")
      && (out->proof = _semper_pay_json_base64 (o, "proof", 256 * 1024, error)) == NULL)
    return FALSE;
  return TRUE;
}

static gboolean
save_state (SemperAccountSystem  *self,
            const char           *tid,
            const State          *s,
            GError              **error)
{
  g_autofree char *key = g_strconcat (PREF_PAYMENT, tid, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) json = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  _semper_pay_add_string (b, "type", "semper-account-payment");
  _semper_pay_add_int (b, "version", 1);
  _semper_pay_add_string (b, "state", s->state);
  _semper_pay_add_int (b, "amount", s->amount.minor);
  _semper_pay_add_string (b, "currency", s->amount.currency);
  if (s->common != NULL)
    _semper_pay_add_string (b, "common", s->common);
  if (s->document != NULL)
    _semper_pay_add_base64 (b, "document", s->document);
  if (s->slip != NULL)
    _semper_pay_add_base64 (b, "slip", s->slip);
  if (s->proof != NULL)
    _semper_pay_add_base64 (b, "proof", s->proof);
  json = _semper_pay_builder_finish (b);
  text = g_strndup (g_bytes_get_data (json, NULL), g_bytes_get_size (json));
  return semper_archive_pref_set (archive (self), key, text, error);
}

static gboolean
set_state (SemperAccountSystem  *self,
           const char           *tid,
           State                *s,
           const char           *state,
           GError              **error)
{
  g_autofree char *point = g_strconcat ("account:", state, NULL);

  g_free (s->state);
  s->state = g_strdup (state);
  if (!save_state (self, tid, s, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, point);
  return TRUE;
}

static gboolean
wrong_state (const State  *s,
             GError      **error)
{
  g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
               _("The account payment is %s"), s->state);
  return FALSE;
}

/* ---- the bank's certificate ----------------------------------------------------- */

static GBytes *
dup_bank_certificate (SemperAccountSystem  *self,
                      const char           *url,
                      const char           *fingerprint,
                      GError              **error)
{
  g_autoptr(SemperCommClient) client = NULL;
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autofree char *full = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);

  if (self->bank_certificate != NULL)
    return g_bytes_ref (self->bank_certificate);
  client = semper_comm_client_new ();
  full = g_strconcat (url, g_str_has_suffix (url, "/") ? "" : "/", "bank/certificate", NULL);
  signed_ = semper_comm_client_get_sync (client, full, &content_type, NULL, error);
  if (signed_ == NULL)
    return NULL;
  content = semper_cms_verify (signed_, self->trust, &info, error);
  if (content == NULL)
    return NULL;
  if (g_strcmp0 (info->role, SEMPER_ROLE_BANK) != 0
      || !g_str_equal (info->fingerprint, fingerprint))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("The bank's certificate is not the one linked to this wallet"));
      return NULL;
    }
  self->bank_certificate = g_bytes_ref (info->certificate);
  return g_bytes_ref (self->bank_certificate);
}

/* ---- the interface ------------------------------------------------------------ */

static const char *
account_get_id (SemperPaymentSystem *system)
{
  return SYSTEM_ID;
}

static SemperPaymentKind
account_get_kind (SemperPaymentSystem *system)
{
  return SEMPER_PAYMENT_KIND_ACCOUNT_BASED;
}

/* The balance is the bank's to check (it answers no); the wallet only needs
 * a linked account. */
static gboolean
account_can_pay (SemperPaymentSystem  *system,
                 const SemperAmount   *amount,
                 GError              **error)
{
  return linked (SEMPER_ACCOUNT_SYSTEM (system), NULL, NULL, NULL, error);
}

static gboolean
account_reserve (SemperPaymentSystem  *system,
                 const char           *tid,
                 const SemperAmount   *amount,
                 GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };
  g_autoptr(GError) local = NULL;

  if (!_semper_pay_is_hex64 (tid))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("A transaction id is 64 hex digits"));
      return FALSE;
    }
  if (!linked (self, NULL, NULL, NULL, error))
    return FALSE;
  if (load_state (self, tid, &s, &local))
    {
      if (semper_amount_equal (&s.amount, amount))
        return TRUE;
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                           _("Another amount is reserved under this transaction"));
      return FALSE;
    }
  if (!g_error_matches (local, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  s.amount = *amount;
  return set_state (self, tid, &s, "reserved", error);
}

static GBytes *
account_prepare (SemperPaymentSystem  *system,
                 const char           *tid,
                 const char           *merchant,
                 GBytes               *invoice_p7m,
                 GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };
  g_autoptr(SemperInvoice) invoice = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) slip_json = NULL;
  g_autoptr(GBytes) slip = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autofree char *common = NULL;
  g_autofree char *url = NULL;
  g_autofree char *account = NULL;
  g_autofree char *fp = NULL;
  guint8 nonce[32];
  g_autofree char *nonce_hex = NULL;
  SemperPaymentSlip fields = { 0 };

  if (invoice_p7m == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("An account payment needs the merchant's invoice"));
      return NULL;
    }
  if (!load_state (self, tid, &s, error))
    return NULL;
  if (!g_str_equal (s.state, "reserved") && !g_str_equal (s.state, "prepared"))
    {
      wrong_state (&s, error);
      return NULL;
    }
  invoice = semper_invoice_verify (invoice_p7m, self->trust, &common, error);
  if (invoice == NULL)
    return NULL;
  if (!g_str_equal (invoice->tid, tid) || !g_str_equal (invoice->merchant, merchant)
      || !semper_amount_equal (&invoice->price, &s.amount))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("The invoice does not match the order (transaction, merchant "
                             "or price)"));
      return NULL;
    }
  /* Prepared before (the wallet stopped before pay): the journaled document,
   * so that the user approves, and the bank sees, one slip per invoice. */
  if (g_str_equal (s.state, "prepared"))
    {
      if (g_strcmp0 (s.common, common) != 0 || s.document == NULL || s.slip == NULL)
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                               _("Another invoice was prepared under this transaction"));
          return NULL;
        }
      return g_bytes_ref (s.document);
    }
  if (!linked (self, &url, &account, &fp, error))
    return NULL;
  cert = dup_bank_certificate (self, url, fp, error);
  if (cert == NULL)
    return NULL;

  if (!semper_random_bytes (nonce, sizeof nonce, error))
    return NULL;
  nonce_hex = g_malloc (2 * sizeof nonce + 1);
  for (guint i = 0; i < sizeof nonce; i++)
    g_snprintf (nonce_hex + 2 * i, 3, "%02x", nonce[i]);
  fields.account = account;
  fields.amount = s.amount;
  fields.common = common;
  fields.nonce = nonce_hex;
  slip_json = semper_payment_slip_to_json (&fields);
  slip = semper_cms_encrypt (slip_json, cert, error);
  if (slip == NULL)
    return NULL;
  document = semper_account_authorisation_build (invoice, common, slip, error);
  if (document == NULL)
    return NULL;

  s.common = g_steal_pointer (&common);
  s.document = g_bytes_ref (document);
  s.slip = g_steal_pointer (&slip);
  if (!set_state (self, tid, &s, "prepared", error))
    return NULL;
  return g_steal_pointer (&document);
}

static GBytes *
account_pay (SemperPaymentSystem  *system,
             const char           *tid,
             const char           *merchant,
             GBytes               *invoice,
             SemperConsent        *consent,
             GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };
  g_autoptr(GBytes) authorisation = NULL;
  g_autoptr(GBytes) proof = NULL;
  SemperAccountProof fields = { 0 };

  if (!load_state (self, tid, &s, error))
    return NULL;
  if (s.proof != NULL)
    return g_bytes_ref (s.proof);  /* made once: pay again returns the same proof */
  if (g_str_equal (s.state, "reserved"))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                           _("Prepare the payment authorisation first"));
      return NULL;
    }
  if (!g_str_equal (s.state, "prepared") || s.document == NULL || s.slip == NULL)
    {
      wrong_state (&s, error);
      return NULL;
    }
  if (consent == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                           _("An account payment needs the user's consent to its "
                             "authorisation"));
      return NULL;
    }
  authorisation = semper_cms_sign_document (semper_profile_get_crypto (self->profile),
                                            s.document, consent, error);
  if (authorisation == NULL)
    return NULL;
  fields.authorisation = authorisation;
  fields.slip = s.slip;
  fields.invoice = invoice;
  proof = semper_account_proof_to_json (&fields);
  /* The proof holds both: the journal keeps only what a repeat needs. */
  g_clear_pointer (&s.document, g_bytes_unref);
  g_clear_pointer (&s.slip, g_bytes_unref);
  s.proof = g_bytes_ref (proof);
  if (!set_state (self, tid, &s, "paid", error))
    return NULL;
  return g_steal_pointer (&proof);
}

static gboolean
account_commit (SemperPaymentSystem  *system,
                const char           *tid,
                GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };

  if (!load_state (self, tid, &s, error))
    return FALSE;
  if (g_str_equal (s.state, "done") || g_str_equal (s.state, "refunded"))
    return TRUE;
  if (!g_str_equal (s.state, "paid"))
    return wrong_state (&s, error);
  return set_state (self, tid, &s, "done", error);
}

/* After the TTP's revoke of a fair exchange (@revoke, its signed fx/revoke):
 * the bank releases the merchant's hold under the tid, or pays back what was
 * captured, and refuses any later authorise or capture under it. The same
 * idempotent "refund" request as the e-cash purse's (docs/fair-exchange.md). */
static gboolean
send_revoke (SemperAccountSystem  *self,
             const char           *tid,
             GBytes               *revoke,
             GError              **error)
{
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = NULL, *fp = NULL;
  g_autofree char *op_key = g_strdup_printf ("fxr-%.56s", tid);

  if (!linked (self, &url, NULL, &fp, error))
    return FALSE;
  request = semper_bank_request_new (SEMPER_BANK_OP_REFUND, op_key);
  request->token = g_bytes_ref (revoke);
  answer = semper_bank_request_send (request, client, semper_profile_get_crypto (self->profile),
                                     self->trust, url, fp, NULL, error);
  return answer != NULL;
}

/* Without a revoke nothing left the account on the buyer's side: the bank
 * holds the money only on the merchant's authorise, and an aborted
 * exchange's hold is the merchant's to release (docs/payments.md). */
static gboolean
account_reclaim (SemperPaymentSystem  *system,
                 const char           *tid,
                 GBytes               *revoke,
                 GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };
  g_autoptr(GError) local = NULL;

  if (revoke != NULL && !send_revoke (self, tid, revoke, error))
    return FALSE;

  if (!load_state (self, tid, &s, &local))
    {
      if (g_error_matches (local, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (g_str_equal (s.state, "reclaimed"))
    return TRUE;
  if (g_str_equal (s.state, "done") || g_str_equal (s.state, "refunded"))
    return wrong_state (&s, error);
  g_clear_pointer (&s.document, g_bytes_unref);
  g_clear_pointer (&s.slip, g_bytes_unref);
  return set_state (self, tid, &s, "reclaimed", error);
}

static gboolean
account_refund (SemperPaymentSystem  *system,
                const char           *tid,
                GBytes               *refund,
                GError              **error)
{
  SemperAccountSystem *self = SEMPER_ACCOUNT_SYSTEM (system);
  g_auto(State) s = { 0 };
  g_autoptr(SemperAccountAnswer) answer = NULL;
  g_autofree char *fp = NULL;

  if (!load_state (self, tid, &s, error))
    return FALSE;
  if (s.common == NULL)
    return wrong_state (&s, error);
  if (!linked (self, NULL, NULL, &fp, error))
    return FALSE;
  answer = semper_account_answer_verify (refund, self->trust, fp, error);
  if (answer == NULL)
    return FALSE;
  if (answer->op != SEMPER_ACCOUNT_OP_REFUND || !answer->yes
      || !g_str_equal (answer->common, s.common))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("This is not the bank's refund of this payment"));
      return FALSE;
    }
  return set_state (self, tid, &s, "refunded", error);
}

/* An account payment has no fee: the bank debits exactly the authorised
 * amount (docs/payments.md). */
static gboolean
account_get_fee (SemperPaymentSystem  *system,
                 const char           *tid,
                 const SemperAmount   *amount,
                 SemperAmount         *fee,
                 GError              **error)
{
  *fee = *amount;
  fee->minor = 0;
  return TRUE;
}

static void
payment_system_iface_init (SemperPaymentSystemInterface *iface)
{
  iface->get_id = account_get_id;
  iface->get_kind = account_get_kind;
  iface->can_pay = account_can_pay;
  iface->reserve = account_reserve;
  iface->prepare = account_prepare;
  iface->pay = account_pay;
  iface->commit = account_commit;
  iface->reclaim = account_reclaim;
  iface->refund = account_refund;
  iface->get_fee = account_get_fee;
}
