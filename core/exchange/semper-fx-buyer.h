/* semper-fx-buyer.h: the buyer's side (the wallet) of the fair exchange (PROTOCOLS.md B);
 * see semper-fair-exchange.h and docs/fair-exchange.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-fair-exchange.h"

G_BEGIN_DECLS

/* ---- the buyer (wallet) --------------------------------------------------- */

#define SEMPER_TYPE_FX_BUYER (semper_fx_buyer_get_type ())
G_DECLARE_FINAL_TYPE (SemperFxBuyer, semper_fx_buyer, SEMPER, FX_BUYER, GObject)

SemperFxBuyer *semper_fx_buyer_new                (SemperProfile               *profile,
                                                   GError                     **error);
/* Copied; the buyer uses reserve, pay, commit, release. */
void           semper_fx_buyer_add_payment_system (SemperFxBuyer               *self,
                                                   const SemperFxPaymentSystem *system);
void           semper_fx_buyer_set_timeout        (SemperFxBuyer               *self,
                                                   guint                        seconds);

/* Verifies @offer (p7m), creates the exchange (state "prepared", nothing
 * sent) and makes the order document (fixed tid and h(N_B)) that the user
 * must see and consent to. @merchant_url: where /fx/m1 and /fx/m3 live;
 * @ttp_url: the offer's TTP; @ttp_cert: its DER certificate (checked against
 * the offer's fingerprint and role ttp). @out_document: (out) (transfer full).
 * Returns: (transfer full) (nullable): the exchange id */
char          *semper_fx_buyer_prepare            (SemperFxBuyer               *self,
                                                   GBytes                      *offer,
                                                   const char                  *system,
                                                   const char                  *merchant_url,
                                                   const char                  *ttp_url,
                                                   GBytes                      *ttp_cert,
                                                   GBytes                     **out_document,
                                                   GError                     **error);
/* Step 1: signs the order (@consent for the document's bytes, consumed) and
 * journals m1 (state m1-sent). Returns: (transfer full): m1, to send to M. */
GBytes        *semper_fx_buyer_order              (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   SemperConsent               *consent,
                                                   GError                     **error);
/* Step 3: takes m2, reserves and makes the payment, journals m3 (state
 * m3-sent). Returns: (transfer full): m3, to send to M. */
GBytes        *semper_fx_buyer_receive_m2         (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GBytes                      *m2,
                                                   GError                     **error);
/* Takes m4: checks k opens c to the offered goods; state done. */
gboolean       semper_fx_buyer_receive_m4         (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GBytes                      *m4,
                                                   GError                     **error);
/* Through the TTP (blocking HTTP). Return the state afterwards. */
char          *semper_fx_buyer_abort              (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
char          *semper_fx_buyer_resolve            (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
/* Drives the exchange over HTTP from its state to a final one: sends the
 * journaled message (byte for byte) to the merchant, takes the answer, and
 * resolves through the TTP when the merchant does not deliver after
 * payment, aborts when it does not answer m1. Returns the final state. */
char          *semper_fx_buyer_run                (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
/* Runs every unfinished fx exchange of the profile (semper resume). Returns
 * the number run, or -1 with @error when one could not be finished. */
int            semper_fx_buyer_resume             (SemperFxBuyer               *self,
                                                   GError                     **error);

/* What semper_fx_buyer_resume_all() did with one exchange. */
typedef struct {
  char *id;
  char *state;   /* (nullable): the state afterwards */
  char *error;   /* (nullable): why it did not finish */
} SemperFxResumed;

void           semper_fx_resumed_free             (SemperFxResumed             *resumed);
/* Like resume(), but goes on after a failure and reports each exchange.
 * Returns: (transfer full) (element-type SemperFxResumed) (nullable) */
GPtrArray     *semper_fx_buyer_resume_all         (SemperFxBuyer               *self,
                                                   GError                     **error);
char          *semper_fx_buyer_dup_state          (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
/* (transfer full) (nullable): the goods of a purchase with goods, read from
 * the archive alone (no profile keys): the Receipts browser's "Open" */
GBytes        *semper_fx_buyer_open_archived_goods (SemperArchive               *archive,
                                                   SemperTrust                 *trust,
                                                   const char                  *id,
                                                   char                       **offer_id,
                                                   GError                     **error);
/* (transfer full) (nullable): the goods once done */
GBytes        *semper_fx_buyer_dup_goods          (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
/* (transfer full) (nullable): the order document the user consented to (the
 * text m1 signs), once prepared */
GBytes        *semper_fx_buyer_dup_document       (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);
/* (transfer full) (nullable): the merchant's m4 or T's fx/receipt; the abort
 * or revoke token once aborted or revoked */
GBytes        *semper_fx_buyer_dup_token          (SemperFxBuyer               *self,
                                                   const char                  *id,
                                                   GError                     **error);

G_END_DECLS
