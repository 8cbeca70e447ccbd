/* semper-ecash-system.c: e-cash as a SemperPaymentSystem over the purse.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ecash-system.h"

#include <glib/gi18n-lib.h>

#include "semper-ecash-refund.h"
#include "semper-money.h"
#include "semper-payment-json-private.h"

#define PROOF_TYPE "semper-ecash-proof"
#define MAX_BLOB (64 * 1024)

struct _SemperEcashSystem
{
  GObject        parent_instance;

  SemperProfile *profile;
  SemperPurse   *purse;
};

static void payment_system_iface_init (SemperPaymentSystemInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SemperEcashSystem, semper_ecash_system, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_PAYMENT_SYSTEM,
                                                      payment_system_iface_init))

static void
semper_ecash_system_dispose (GObject *object)
{
  g_clear_object (&SEMPER_ECASH_SYSTEM (object)->purse);
  g_clear_object (&SEMPER_ECASH_SYSTEM (object)->profile);
  G_OBJECT_CLASS (semper_ecash_system_parent_class)->dispose (object);
}

static void
semper_ecash_system_class_init (SemperEcashSystemClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_ecash_system_dispose;
}

static void
semper_ecash_system_init (SemperEcashSystem *self)
{
}

SemperEcashSystem *
semper_ecash_system_new (SemperProfile  *profile,
                         GError        **error)
{
  g_autoptr(SemperEcashSystem) self = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  self = g_object_new (SEMPER_TYPE_ECASH_SYSTEM, NULL);
  self->profile = g_object_ref (profile);
  self->purse = semper_purse_new (profile, error);
  if (self->purse == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

SemperPurse *
semper_ecash_system_get_purse (SemperEcashSystem *self)
{
  g_return_val_if_fail (SEMPER_IS_ECASH_SYSTEM (self), NULL);
  return self->purse;
}

/* Purse errors become payment errors, keeping the message for the user. */
static gboolean
translate (GError  *local,
           GError **error)
{
  SemperPaymentError code = SEMPER_PAYMENT_ERROR_FAILED;

  if (local->domain == SEMPER_PURSE_ERROR)
    switch ((SemperPurseError) local->code)
      {
      case SEMPER_PURSE_ERROR_NOT_LINKED:
      case SEMPER_PURSE_ERROR_INSUFFICIENT:
      case SEMPER_PURSE_ERROR_AMOUNT:
        code = SEMPER_PAYMENT_ERROR_CANNOT_PAY;
        break;
      case SEMPER_PURSE_ERROR_PENDING:
        code = SEMPER_PAYMENT_ERROR_PENDING;
        break;
      case SEMPER_PURSE_ERROR_STATE:
        code = SEMPER_PAYMENT_ERROR_STATE;
        break;
      default:
        break;
      }
  g_set_error_literal (error, SEMPER_PAYMENT_ERROR, code, local->message);
  g_error_free (local);
  return FALSE;
}

static const char *
ecash_get_id (SemperPaymentSystem *system)
{
  return SEMPER_PURSE_SYSTEM;
}

static SemperPaymentKind
ecash_get_kind (SemperPaymentSystem *system)
{
  return SEMPER_PAYMENT_KIND_CASH_LIKE;
}

static gboolean
ecash_can_pay (SemperPaymentSystem  *system,
               const SemperAmount   *amount,
               GError              **error)
{
  SemperEcashSystem *self = SEMPER_ECASH_SYSTEM (system);
  GError *local = NULL;
  SemperAmount balance;

  if (!semper_purse_get_balance (self->purse, amount->currency, &balance, &local))
    return translate (local, error);
  if (balance.minor < amount->minor)
    {
      g_autofree char *have = semper_amount_format (&balance);

      g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY,
                   _("The purse holds only %s in coins"), have);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ecash_reserve (SemperPaymentSystem  *system,
               const char           *tid,
               const SemperAmount   *amount,
               GError              **error)
{
  GError *local = NULL;

  if (!semper_purse_reserve (SEMPER_ECASH_SYSTEM (system)->purse, tid, amount, &local))
    return translate (local, error);
  return TRUE;
}

static GBytes *
ecash_pay (SemperPaymentSystem  *system,
           const char           *tid,
           const char           *merchant,
           GBytes               *invoice,
           SemperConsent        *consent,
           GError              **error)
{
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  GError *local = NULL;

  spends = semper_purse_payment (SEMPER_ECASH_SYSTEM (system)->purse, tid, merchant, &local);
  if (spends == NULL)
    {
      translate (local, error);
      return NULL;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  _semper_pay_add_string (b, "type", PROOF_TYPE);
  _semper_pay_add_int (b, "version", 1);
  json_builder_set_member_name (b, "coins");
  json_builder_begin_array (b);
  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *spend = spends->pdata[i];

      json_builder_begin_object (b);
      _semper_pay_add_base64 (b, "coin", spend->coin);
      _semper_pay_add_base64 (b, "permission", spend->permission);
      _semper_pay_add_base64 (b, "signature", spend->signature);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return _semper_pay_builder_finish (b);
}

static gboolean
ecash_commit (SemperPaymentSystem  *system,
              const char           *tid,
              GError              **error)
{
  GError *local = NULL;

  if (!semper_purse_commit (SEMPER_ECASH_SYSTEM (system)->purse, tid, &local))
    return translate (local, error);
  return TRUE;
}

/* After an abort the coins never left: swapping them back is safe. After a
 * revoke the merchant may have deposited them: the purse's reclaim marks
 * those spent, and the bank's refund of a revoked exchange (fx) credits
 * their value to the buyer's account. */
static gboolean
ecash_reclaim (SemperPaymentSystem  *system,
               const char           *tid,
               GBytes               *revoke,
               GError              **error)
{
  GError *local = NULL;

  if (!semper_purse_reclaim (SEMPER_ECASH_SYSTEM (system)->purse, tid, &local))
    return translate (local, error);
  return TRUE;
}

static gboolean
ecash_refund (SemperPaymentSystem  *system,
              const char           *tid,
              GBytes               *refund,
              GError              **error)
{
  return semper_ecash_refund_finish (SEMPER_ECASH_SYSTEM (system)->profile, tid, refund, NULL,
                                     error);
}

static int
ecash_recover (SemperPaymentSystem  *system,
               GError              **error)
{
  GError *local = NULL;
  int n = semper_purse_recover (SEMPER_ECASH_SYSTEM (system)->purse, &local);

  if (n < 0)
    translate (local, error);
  return n;
}

/* A payment with e-cash has no fee: it spends coins at their face value. The
 * bank's withdrawal fee (per denomination, when configured) was paid when the
 * coins were withdrawn, and the deposit fee is the merchant's
 * (docs/payments.md). */
static gboolean
ecash_get_fee (SemperPaymentSystem  *system,
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
  iface->get_id = ecash_get_id;
  iface->get_kind = ecash_get_kind;
  iface->can_pay = ecash_can_pay;
  iface->reserve = ecash_reserve;
  iface->pay = ecash_pay;
  iface->commit = ecash_commit;
  iface->reclaim = ecash_reclaim;
  iface->refund = ecash_refund;
  iface->get_fee = ecash_get_fee;
  iface->recover = ecash_recover;
}

GPtrArray *
semper_ecash_proof_parse (GBytes  *json,
                          GError **error)
{
  static const char * const allowed[] = { "type", "version", "coins", NULL };
  static const char * const coin_members[] = { "coin", "permission", "signature", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) spends = NULL;
  JsonObject *o;
  JsonNode *node;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, PROOF_TYPE, allowed, &root, error);
  if (o == NULL)
    return NULL;
  node = json_object_get_member (o, "coins");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (array = json_node_get_array (node)) == 0
      || json_array_get_length (array) > 64)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("A proof of payment must hold 1 to 64 coins"));
      return NULL;
    }
  spends = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_purse_spend_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(SemperPurseSpend) spend = g_new0 (SemperPurseSpend, 1);
      JsonObject *c;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                               _("A coin of the proof is not an object"));
          return NULL;
        }
      c = json_node_get_object (item);
      if (!_semper_pay_json_members (c, coin_members, error)
          || (spend->coin = _semper_pay_json_base64 (c, "coin", MAX_BLOB, error)) == NULL
          || (spend->permission = _semper_pay_json_base64 (c, "permission", MAX_BLOB,
                                                          error)) == NULL
          || (spend->signature = _semper_pay_json_base64 (c, "signature", MAX_BLOB,
                                                         error)) == NULL)
        return NULL;
      g_ptr_array_add (spends, g_steal_pointer (&spend));
    }
  return g_steal_pointer (&spends);
}
