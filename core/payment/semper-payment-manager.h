/* semper-payment-manager.h: the wallet's payment systems, the user's
 * preferences and the negotiation of PROTOCOLS.md E (docs/payments.md).
 *
 * The manager holds the installed SemperPaymentSystem objects (the user's
 * instruments: the e-cash purse, a linked bank account) and the payment
 * preferences (semper-prefs.h: an ordered list, per-system limits, policy
 * ask|pick). negotiate() chooses one system for a merchant's offer:
 *
 *   candidates = the merchant's accepted systems that are installed, in the
 *                user's order (systems not in the list after, in the
 *                merchant's order); each is usable when price + fee is within
 *                the system's limit and can_pay() says yes.
 *   @forced (`--pay ecash`)  that system, if offered and usable, else an error;
 *   policy pick              the first usable system in the user's list;
 *   policy ask, or pick
 *   with nothing listed usable  the ask callback chooses among the usable ones
 *                            (the UI shows its trusted display; the CLI has
 *                            none and fails with NO_CHOICE, naming --pay).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-payment-system.h"
#include "semper-prefs.h"

G_BEGIN_DECLS

/* One system the merchant accepts, with its fee (same currency as the price;
 * zero when none). */
typedef struct {
  const char   *system;
  SemperAmount  fee;
} SemperPaymentOffer;

/* One candidate as negotiate() shows it to the ask callback. */
typedef struct {
  char         *system;
  SemperAmount  total;     /* price + fee */
  gboolean      usable;
  char         *reason;    /* (nullable) why not usable, for the user */
  gboolean      listed;    /* in the user's ordered list */
  gboolean      over_limit; /* not usable because of the user's limit for it */
} SemperPaymentCandidate;

void semper_payment_candidate_free (SemperPaymentCandidate *candidate);

/* Returns (transfer full) (nullable): the id of the chosen candidate (one
 * with usable set), or NULL when the user cancelled. @candidates: (element-type
 * SemperPaymentCandidate), in the user's order. Called in the caller's thread. */
typedef char *(*SemperPaymentAskFunc) (const SemperAmount *price,
                                       GPtrArray          *candidates,
                                       gpointer            user_data);

#define SEMPER_TYPE_PAYMENT_MANAGER (semper_payment_manager_get_type ())
G_DECLARE_FINAL_TYPE (SemperPaymentManager, semper_payment_manager, SEMPER, PAYMENT_MANAGER,
                      GObject)

SemperPaymentManager *semper_payment_manager_new          (SemperPrefs           *prefs);
SemperPrefs          *semper_payment_manager_get_prefs    (SemperPaymentManager  *self);
/* Installs @system (a second system with the same id replaces the first). */
void                  semper_payment_manager_add_system   (SemperPaymentManager  *self,
                                                           SemperPaymentSystem   *system);
/* Returns (transfer none) (nullable) */
SemperPaymentSystem  *semper_payment_manager_get_system   (SemperPaymentManager  *self,
                                                           const char            *id);
/* Returns (transfer container) (element-type SemperPaymentSystem): in the
 * user's order, unlisted ones after. */
GPtrArray            *semper_payment_manager_list_systems (SemperPaymentManager  *self);

/* Returns (transfer container) (element-type SemperPaymentCandidate): what
 * negotiate() would choose from, for display. */
GPtrArray            *semper_payment_manager_candidates   (SemperPaymentManager      *self,
                                                           const SemperAmount        *price,
                                                           const SemperPaymentOffer  *offers,
                                                           guint                      n_offers);
/* Chooses a system for @price (see the file comment). @forced: (nullable) a
 * system id, or NULL/"auto" for the rules; @ask: (nullable).
 * Returns (transfer none): the chosen system, or NULL with SEMPER_PAYMENT_ERROR
 * (NO_CHOICE, CANCELLED, CANNOT_PAY for a forced system that cannot pay). */
SemperPaymentSystem  *semper_payment_manager_negotiate    (SemperPaymentManager      *self,
                                                           const SemperAmount        *price,
                                                           const SemperPaymentOffer  *offers,
                                                           guint                      n_offers,
                                                           const char                *forced,
                                                           SemperPaymentAskFunc       ask,
                                                           gpointer                   ask_data,
                                                           GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperPaymentCandidate, semper_payment_candidate_free)

G_END_DECLS
