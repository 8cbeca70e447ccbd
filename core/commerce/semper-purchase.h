/* semper-purchase.h: one purchase from a certified commerce service, wallet side
 * (docs/merchant.md).
 *
 * A purchase runs the service's signed flow with a SemperFlowCursor: every
 * message the merchant sends is checked against the flow before it is used,
 * and anything the flow does not allow stops the purchase before anything is
 * paid. In order:
 *
 *   1. semper_purchase_new() for a verified service; add items (an offer id of
 *      the service, or an article id of its catalog) and the order form's
 *      answers; optionally choose the payment system.
 *   2. semper_purchase_prepare(): validates the form, asks the merchant for its
 *      signed offer, verifies it (signature, this service's merchant, the
 *      price equal to the signed service offer or catalog price × quantity +
 *      shipping, a payment system that both accept), and returns the `order`
 *      semper document that the user must see and consent to.
 *   3. The consent: the trusted display (SemperConsentPort) or, headless,
 *      SemperHeadlessConsent with --yes, for exactly those bytes.
 *   4. semper_purchase_complete(): signs the order, runs the fair exchange
 *      (PROTOCOLS.md B) with the payment, receives the goods (or the signed
 *      order confirmation, or the credential), and archives the receipt.
 *      Returns the receipt's archive id (the one `semper receipt show` takes).
 *
 * prepare and complete block on the network: a GUI calls the _async variants
 * (GTask thread; the callback in the caller's main context). The progress
 * callback is called in the thread that runs the step; a GUI should bounce it
 * to the main context (g_main_context_invoke).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-consent.h"
#include "semper-fx-buyer.h"
#include "semper-payment-manager.h"
#include "semper-shop-client.h"

G_BEGIN_DECLS

typedef enum {
  SEMPER_PURCHASE_NEW,              /* items and answers being collected */
  SEMPER_PURCHASE_REQUESTING_OFFER, /* asking the merchant for its signed offer */
  SEMPER_PURCHASE_AWAITING_CONSENT, /* offer verified; the order document waits for consent */
  SEMPER_PURCHASE_ORDERING,         /* order signed and journaled, being sent (fx/m1) */
  SEMPER_PURCHASE_PAYING,           /* goods received encrypted; payment sent (fx/m3) */
  SEMPER_PURCHASE_RESOLVING,        /* the merchant did not finish: asking the TTP */
  SEMPER_PURCHASE_DONE,             /* goods and receipt archived */
  SEMPER_PURCHASE_ABORTED,          /* ended without payment */
  SEMPER_PURCHASE_REFUNDED,         /* the TTP revoked the payment */
  SEMPER_PURCHASE_FAILED,           /* refused or failed; nothing was paid unless journaled */
} SemperPurchaseState;

const char *semper_purchase_state_to_string (SemperPurchaseState state);

#define SEMPER_TYPE_PURCHASE (semper_purchase_get_type ())
G_DECLARE_FINAL_TYPE (SemperPurchase, semper_purchase, SEMPER, PURCHASE, GObject)

typedef void (*SemperPurchaseProgressFunc) (SemperPurchase      *purchase,
                                            SemperPurchaseState  state,
                                            gpointer             user_data);


/**
 * SemperPurchaseConsentFunc:
 * @purchase: the purchase
 * @document: the exact bytes to show and sign
 * @purpose: what it is, e.g. "payment authorisation"
 *
 * Asked during semper_purchase_complete() when the payment system needs a
 * signed document of its own (an account payment's authorisation, which names
 * the merchant's invoice and so exists only after the order was sent). Called
 * in the thread that runs complete: a GUI blocks that thread until the trusted
 * display answers. Returns: (transfer full) (nullable): the consent, or %NULL
 * with @error when the user declined (the purchase then aborts, nothing paid).
 */
typedef SemperConsent *(*SemperPurchaseConsentFunc) (SemperPurchase  *purchase,
                                                     GBytes          *document,
                                                     const char      *purpose,
                                                     gpointer         user_data,
                                                     GError         **error);

/* @service_id: a service that semper_shop_client_dup_service() accepts.
 * Returns: (transfer full) (nullable) */
SemperPurchase *semper_purchase_new                (SemperShopClient           *client,
                                                    const char                 *service_id,
                                                    GCancellable               *cancellable,
                                                    GError                    **error);
SemperService  *semper_purchase_get_service        (SemperPurchase             *self);
SemperPurchaseState semper_purchase_get_state      (SemperPurchase             *self);
void            semper_purchase_set_progress_func  (SemperPurchase             *self,
                                                    SemperPurchaseProgressFunc  func,
                                                    gpointer                    user_data,
                                                    GDestroyNotify              destroy);

void            semper_purchase_set_consent_func   (SemperPurchase             *self,
                                                    SemperPurchaseConsentFunc   func,
                                                    gpointer                    user_data,
                                                    GDestroyNotify              destroy);

/* @item: an offer id of the service, or an article id of its catalog (looked
 * up at prepare). Adding the same item again adds to its quantity. */
gboolean        semper_purchase_add_item           (SemperPurchase             *self,
                                                    const char                 *item,
                                                    guint                       quantity,
                                                    GError                    **error);
/* An answer to the order form (field name → text; an address's lines joined by "\n"). */
void            semper_purchase_set_answer         (SemperPurchase             *self,
                                                    const char                 *field,
                                                    const char                 *value);
/* "ecash", "account", or %NULL (auto: the first of the service's systems that
 * the wallet can pay with). */
void            semper_purchase_set_payment_system (SemperPurchase             *self,
                                                    const char                 *system);
/* When the payment system is auto: the user's preferences decide (`semper prefs
 * payment`: order, limits, policy) through the payment manager; with policy
 * ask, @func asks the user (called in the thread that runs prepare). Without
 * a func, policy ask falls back to the service's order among what the wallet
 * can pay (the headless default). */
void            semper_purchase_set_payment_ask_func (SemperPurchase           *self,
                                                      SemperPaymentAskFunc      func,
                                                      gpointer                  user_data,
                                                      GDestroyNotify            destroy);
/* Problems with the answers now (SemperOrderProblem, form order), for a GUI
 * form. Returns: (transfer full) (element-type SemperOrderProblem) */
GPtrArray      *semper_purchase_validate           (SemperPurchase             *self);

/* Step 2. Returns: (transfer full) (nullable): the order document to consent to. */
GBytes         *semper_purchase_prepare            (SemperPurchase             *self,
                                                    GCancellable               *cancellable,
                                                    GError                    **error);
void            semper_purchase_prepare_async      (SemperPurchase             *self,
                                                    GCancellable               *cancellable,
                                                    GAsyncReadyCallback         callback,
                                                    gpointer                    user_data);
GBytes         *semper_purchase_prepare_finish     (SemperPurchase             *self,
                                                    GAsyncResult               *result,
                                                    GError                    **error);
/* After prepare: the verified offer's total, the payment system chosen, the
 * offer's description. */
const SemperAmount *semper_purchase_get_total      (SemperPurchase             *self);
const char     *semper_purchase_get_payment_system (SemperPurchase             *self);
/* The fair exchange's buyer once prepared (its ::journaled signal is what the
 * CLI's crash test hook listens to). Returns: (transfer none) (nullable) */
SemperFxBuyer  *semper_purchase_get_fx_buyer     (SemperPurchase             *self);
/* After `semper resume` finished an interrupted purchase (exchange @id of
 * @fx, state done): enters its receipt in the Receipts list, as the purchase
 * would have, from the signed order document (title, Merchant-Name, Total,
 * Payment-System) and the merchant's or the TTP's receipt, and stores a
 * subscription's credential that verifies (issuer, service, holder). Does nothing for
 * an exchange that is not done or already has its receipt. Returns the
 * receipt's record id, 0 when there was nothing to do, -1 with @error. */
gint64          semper_purchase_archive_resumed  (SemperProfile              *profile,
                                                  SemperFxBuyer              *fx,
                                                  const char                 *id,
                                                  GError                    **error);
/* Finishes the interrupted purchase @id of the wallet's buyer @fx (as
 * semper_fx_ecash_new_wallet_buyer() makes it): runs the fair exchange to a
 * final state (semper_fx_buyer_run) unless it is final already, then, when it
 * is done, records what the purchase would have: the receipt, a
 * subscription's credential and the goods (semper_purchase_archive_resumed).
 * `semper resume [--id]` and the window's resume all go through here.
 * Returns: (transfer full) (nullable): the final state, or %NULL with @error
 * (the exchange did not finish, or its receipt could not be recorded). */
char           *semper_purchase_resume           (SemperProfile              *profile,
                                                  SemperFxBuyer              *fx,
                                                  const char                 *id,
                                                  GError                    **error);
/* Every interrupted purchase of @profile that is not suspended
 * (semper_fx_ecash_resume_profile: one never consented to is aborted), each
 * done one recorded as semper_purchase_resume() records it. Returns:
 * (transfer full) (element-type SemperFxResumed) (nullable) */
GPtrArray      *semper_purchase_resume_all       (SemperProfile              *profile,
                                                  GError                    **error);

/* Step 4: @consent for the bytes prepare returned (consumed). Returns the
 * receipt's archive id, or 0 with @error. */
gint64          semper_purchase_complete           (SemperPurchase             *self,
                                                    SemperConsent              *consent,
                                                    GCancellable               *cancellable,
                                                    GError                    **error);
void            semper_purchase_complete_async     (SemperPurchase             *self,
                                                    SemperConsent              *consent,
                                                    GCancellable               *cancellable,
                                                    GAsyncReadyCallback         callback,
                                                    gpointer                    user_data);
gint64          semper_purchase_complete_finish    (SemperPurchase             *self,
                                                    GAsyncResult               *result,
                                                    GError                    **error);

/* After complete: (nullable) */
const char     *semper_purchase_get_exchange_id    (SemperPurchase             *self);
/* The goods (digital goods, the signed order confirmation, the credential).
 * Returns: (transfer full) (nullable) */
GBytes         *semper_purchase_dup_goods          (SemperPurchase             *self);

G_END_DECLS
