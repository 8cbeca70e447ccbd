/* semper-ecash-refund.h: a merchant's refund of an e-cash payment as fresh
 * coins (PROTOCOLS.md C "Refund"; docs/payments.md).
 *
 * The buyer stays anonymous: its wallet makes blinded coin requests for the
 * refund's amount (journaled in the archive with their secrets, as coins of
 * payment system "ecash-refund" in state "refund:<tid>") and hands the
 * merchant the blinded values only:
 *   {"type":"semper-ecash-refund-request","version":1,"tid":"<64 hex>",
 *    "coins":[{"denomination":"<id>","blinded":"<base64>"},…]}
 * The merchant withdraws them from its own account (a normal bank withdraw,
 * value + fee from the merchant) and hands back the bank's signed answer; the
 * wallet unblinds the signatures, checks each coin and puts it in the purse.
 * Finishing twice adds nothing twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-bank-request.h"
#include "semper-profile.h"

G_BEGIN_DECLS

#define SEMPER_ECASH_REFUND_SYSTEM "ecash-refund"

typedef struct {
  char      *tid;
  GPtrArray *coins;  /* (element-type SemperBankBlinded) */
} SemperEcashRefundRequest;

SemperEcashRefundRequest *semper_ecash_refund_request_parse   (GBytes                   *json,
                                                               GError                  **error);
GBytes                   *semper_ecash_refund_request_to_json (SemperEcashRefundRequest *self);
void                      semper_ecash_refund_request_free    (SemperEcashRefundRequest *self);

/* Buyer: journals coin requests worth exactly @amount under @tid (the
 * wallet's linked bank) and returns (transfer full) the request for the
 * merchant. Asking again for the same tid returns the same request. */
GBytes *semper_ecash_refund_ask    (SemperProfile       *profile,
                                    const char          *tid,
                                    const SemperAmount  *amount,
                                    GError             **error);

/* Merchant: withdraws the request's coins from its account @account under
 * idempotency key @key. Returns (transfer full): the bank's signed answer,
 * to hand to the buyer. */
GBytes *semper_ecash_refund_pay    (GBytes              *request_json,
                                    SemperCommClient    *client,
                                    SemperCrypto        *merchant,
                                    SemperTrust         *trust,
                                    const char          *bank_url,
                                    const char          *bank_fingerprint,
                                    const char          *account,
                                    const char          *key,
                                    GError             **error);

/* Buyer: checks the bank's signed answer, unblinds and stores the coins.
 * @out_amount (optional): what was added now (zero when already done). */
gboolean semper_ecash_refund_finish (SemperProfile      *profile,
                                     const char         *tid,
                                     GBytes             *bank_answer,
                                     SemperAmount       *out_amount,
                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperEcashRefundRequest, semper_ecash_refund_request_free)

G_END_DECLS
