/* semper-payment-system.h: the one interface every payment system implements
 * (SEMPER's generic payment service; PROTOCOLS.md C, D, E; docs/payments.md).
 *
 * A system is cash-like (e-cash: value leaves the wallet as coins) or
 * account-based (the bank moves money between accounts on the buyer's signed
 * authorisation). The buyer's side of one payment, keyed by @tid (H(m1) of the
 * exchange, 64 hex digits, also the bank's idempotency key):
 *
 *   can_pay (amount)            may this system pay @amount now? (balance, link)
 *   reserve (tid, amount)       set the value aside before anything leaves (journaled)
 *   prepare (tid, merchant, invoice) -> the document the user must approve,
 *                               or NULL when the order's own consent covers it (e-cash)
 *   pay (tid, merchant, invoice, consent) -> proof-of-payment bytes bound to tid
 *   commit (tid)                the exchange finished; the payment stays
 *   reclaim (tid, revoke)       the exchange was aborted (@revoke NULL) or revoked
 *                               by the TTP: take the value back (idempotent)
 *   refund (tid, refund)        a merchant's refund, signed by the bank, arrived
 *   recover ()                  finish every journaled request after a crash
 *
 * Calls that talk to the bank block: run them in a thread from a UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-consent.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_PAYMENT_ERROR (semper_payment_error_quark ())

typedef enum {
  SEMPER_PAYMENT_ERROR_FAILED,
  SEMPER_PAYMENT_ERROR_CANNOT_PAY,   /* not enough money, not linked, over the user's limit */
  SEMPER_PAYMENT_ERROR_DECLINED,     /* the bank said no (a signed answer) */
  SEMPER_PAYMENT_ERROR_NOT_FOUND,    /* no payment under that tid, or no such system */
  SEMPER_PAYMENT_ERROR_STATE,        /* not allowed in the payment's state */
  SEMPER_PAYMENT_ERROR_PENDING,      /* the bank did not answer; the request stays journaled */
  SEMPER_PAYMENT_ERROR_INVALID,      /* a malformed or forged invoice, proof or answer */
  SEMPER_PAYMENT_ERROR_NO_CHOICE,    /* negotiation: nothing acceptable, or the user must choose */
  SEMPER_PAYMENT_ERROR_CANCELLED,    /* negotiation: the user cancelled the choice */
} SemperPaymentError;

GQuark semper_payment_error_quark (void);

typedef enum {
  SEMPER_PAYMENT_KIND_CASH_LIKE,
  SEMPER_PAYMENT_KIND_ACCOUNT_BASED,
} SemperPaymentKind;

/* "cash-like" or "account-based" */
const char *semper_payment_kind_to_string (SemperPaymentKind kind);

#define SEMPER_TYPE_PAYMENT_SYSTEM (semper_payment_system_get_type ())
G_DECLARE_INTERFACE (SemperPaymentSystem, semper_payment_system, SEMPER, PAYMENT_SYSTEM, GObject)

/**
 * SemperPaymentSystemInterface:
 * @get_id: "ecash", "account", … as offers, orders and preferences name it
 * @get_kind: cash-like or account-based
 * @can_pay: TRUE when @amount can be paid now; FALSE with
 *   SEMPER_PAYMENT_ERROR_CANNOT_PAY and a message for the user saying why
 * @reserve: sets @amount aside under @tid before anything leaves
 * @prepare: (nullable): the exact bytes of a semper document the user must
 *   approve (the trusted display makes a SemperConsent for them), or %NULL
 *   without error when @pay needs no consent of its own
 * @pay: the proof of payment for @merchant (a certificate fingerprint),
 *   bound to @tid; @invoice is the merchant's signed invoice (account
 *   payments), %NULL for e-cash; @consent is for @prepare's document
 * @commit, @reclaim, @refund, @recover: see the file comment
 * @get_fee: (optional) the fee this system charged the payer for the payment
 *   @tid of @amount, in @amount's currency (on top of @amount, or 0)
 */
struct _SemperPaymentSystemInterface
{
  GTypeInterface parent_iface;

  const char        *(*get_id)   (SemperPaymentSystem  *self);
  SemperPaymentKind  (*get_kind) (SemperPaymentSystem  *self);
  gboolean           (*can_pay)  (SemperPaymentSystem  *self,
                                  const SemperAmount   *amount,
                                  GError              **error);
  gboolean           (*reserve)  (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  const SemperAmount   *amount,
                                  GError              **error);
  GBytes            *(*prepare)  (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  const char           *merchant,
                                  GBytes               *invoice,
                                  GError              **error);
  GBytes            *(*pay)      (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  const char           *merchant,
                                  GBytes               *invoice,
                                  SemperConsent        *consent,
                                  GError              **error);
  gboolean           (*commit)   (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  GError              **error);
  gboolean           (*reclaim)  (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  GBytes               *revoke,
                                  GError              **error);
  gboolean           (*refund)   (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  GBytes               *refund,
                                  GError              **error);
  int                (*recover)  (SemperPaymentSystem  *self,
                                  GError              **error);
  gboolean           (*get_fee)  (SemperPaymentSystem  *self,
                                  const char           *tid,
                                  const SemperAmount   *amount,
                                  SemperAmount         *fee,
                                  GError              **error);
};

const char        *semper_payment_system_get_id   (SemperPaymentSystem  *self);
SemperPaymentKind  semper_payment_system_get_kind (SemperPaymentSystem  *self);
gboolean           semper_payment_system_can_pay  (SemperPaymentSystem  *self,
                                                   const SemperAmount   *amount,
                                                   GError              **error);
gboolean           semper_payment_system_reserve  (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   const SemperAmount   *amount,
                                                   GError              **error);
/* Returns (transfer full) (nullable) */
GBytes            *semper_payment_system_prepare  (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   const char           *merchant,
                                                   GBytes               *invoice,
                                                   GError              **error);
/* @invoice: (nullable) @consent: (nullable) Returns (transfer full) */
GBytes            *semper_payment_system_pay      (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   const char           *merchant,
                                                   GBytes               *invoice,
                                                   SemperConsent        *consent,
                                                   GError              **error);
gboolean           semper_payment_system_commit   (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   GError              **error);
/* @revoke: (nullable) */
gboolean           semper_payment_system_reclaim  (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   GBytes               *revoke,
                                                   GError              **error);
gboolean           semper_payment_system_refund   (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   GBytes               *refund,
                                                   GError              **error);
/* Returns the number of requests finished, or -1 with @error. */
int                semper_payment_system_recover  (SemperPaymentSystem  *self,
                                                   GError              **error);
/* The fee the system reports for the payment @tid of @amount, into @fee (in
 * @amount's currency). FALSE with SEMPER_PAYMENT_ERROR_STATE when the system
 * reports none (the receipt then records the fee as unknown). */
gboolean           semper_payment_system_get_fee  (SemperPaymentSystem  *self,
                                                   const char           *tid,
                                                   const SemperAmount   *amount,
                                                   SemperAmount         *fee,
                                                   GError              **error);

G_END_DECLS
