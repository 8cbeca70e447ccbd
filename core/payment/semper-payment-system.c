/* semper-payment-system.c: the payment system interface's dispatchers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-payment-system.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (semper-payment-error-quark, semper_payment_error)

G_DEFINE_INTERFACE (SemperPaymentSystem, semper_payment_system, G_TYPE_OBJECT)

static void
semper_payment_system_default_init (SemperPaymentSystemInterface *iface)
{
}

const char *
semper_payment_kind_to_string (SemperPaymentKind kind)
{
  return kind == SEMPER_PAYMENT_KIND_CASH_LIKE ? "cash-like" : "account-based";
}

static gboolean
unsupported (SemperPaymentSystem  *self,
             const char           *what,
             GError              **error)
{
  g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
               _("The payment system “%s” cannot %s"), semper_payment_system_get_id (self), what);
  return FALSE;
}

const char *
semper_payment_system_get_id (SemperPaymentSystem *self)
{
  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), NULL);
  return SEMPER_PAYMENT_SYSTEM_GET_IFACE (self)->get_id (self);
}

SemperPaymentKind
semper_payment_system_get_kind (SemperPaymentSystem *self)
{
  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), SEMPER_PAYMENT_KIND_CASH_LIKE);
  return SEMPER_PAYMENT_SYSTEM_GET_IFACE (self)->get_kind (self);
}

gboolean
semper_payment_system_can_pay (SemperPaymentSystem  *self,
                               const SemperAmount   *amount,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->can_pay == NULL)
    return TRUE;
  return iface->can_pay (self, amount, error);
}

gboolean
semper_payment_system_reserve (SemperPaymentSystem  *self,
                               const char           *tid,
                               const SemperAmount   *amount,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (tid != NULL && amount != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->reserve == NULL)
    return unsupported (self, _("reserve money"), error);
  return iface->reserve (self, tid, amount, error);
}

GBytes *
semper_payment_system_prepare (SemperPaymentSystem  *self,
                               const char           *tid,
                               const char           *merchant,
                               GBytes               *invoice,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), NULL);
  g_return_val_if_fail (tid != NULL && merchant != NULL, NULL);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->prepare == NULL)
    return NULL;
  return iface->prepare (self, tid, merchant, invoice, error);
}

GBytes *
semper_payment_system_pay (SemperPaymentSystem  *self,
                           const char           *tid,
                           const char           *merchant,
                           GBytes               *invoice,
                           SemperConsent        *consent,
                           GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), NULL);
  g_return_val_if_fail (tid != NULL && merchant != NULL, NULL);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->pay == NULL)
    {
      unsupported (self, _("pay"), error);
      return NULL;
    }
  return iface->pay (self, tid, merchant, invoice, consent, error);
}

gboolean
semper_payment_system_commit (SemperPaymentSystem  *self,
                              const char           *tid,
                              GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (tid != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->commit == NULL)
    return TRUE;
  return iface->commit (self, tid, error);
}

gboolean
semper_payment_system_reclaim (SemperPaymentSystem  *self,
                               const char           *tid,
                               GBytes               *revoke,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (tid != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->reclaim == NULL)
    return unsupported (self, _("take a payment back"), error);
  return iface->reclaim (self, tid, revoke, error);
}

gboolean
semper_payment_system_refund (SemperPaymentSystem  *self,
                              const char           *tid,
                              GBytes               *refund,
                              GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (tid != NULL && refund != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->refund == NULL)
    return unsupported (self, _("take a refund"), error);
  return iface->refund (self, tid, refund, error);
}

int
semper_payment_system_recover (SemperPaymentSystem  *self,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), -1);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->recover == NULL)
    return 0;
  return iface->recover (self, error);
}

gboolean
semper_payment_system_get_fee (SemperPaymentSystem  *self,
                               const char           *tid,
                               const SemperAmount   *amount,
                               SemperAmount         *fee,
                               GError              **error)
{
  SemperPaymentSystemInterface *iface;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_SYSTEM (self), FALSE);
  g_return_val_if_fail (amount != NULL && fee != NULL, FALSE);
  iface = SEMPER_PAYMENT_SYSTEM_GET_IFACE (self);
  if (iface->get_fee == NULL)
    return unsupported (self, "report fees", error);
  if (!iface->get_fee (self, tid, amount, fee, error))
    return FALSE;
  g_return_val_if_fail (g_str_equal (fee->currency, amount->currency) && fee->minor >= 0, FALSE);
  return TRUE;
}
