/* semper-account-system.h: account payments as a SemperPaymentSystem (id
 * "account", account-based; PROTOCOLS.md D; docs/payments.md).
 *
 * Uses the bank account linked by the purse (archive preferences bank.url,
 * bank.account, bank.fingerprint). reserve() remembers the amount under the
 * tid; prepare(tid, merchant, invoice) checks the merchant's signed invoice
 * (its tid, merchant and price), makes the slip enveloped to the bank's
 * certificate (fetched once from BANK/bank/certificate and checked: role bank,
 * the linked fingerprint) and returns the payment-authorisation document;
 * pay() signs that document with the user's consent and returns the proof
 * (semper-account-payment.h). Nothing moves until the merchant's authorise
 * reaches the bank; reclaim() after an abort forgets the payment (the merchant
 * releases an uncaptured hold); refund() checks the bank's signed refund answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-payment-system.h"
#include "semper-profile.h"

G_BEGIN_DECLS

#define SEMPER_TYPE_ACCOUNT_SYSTEM (semper_account_system_get_type ())
G_DECLARE_FINAL_TYPE (SemperAccountSystem, semper_account_system, SEMPER, ACCOUNT_SYSTEM, GObject)

/* @profile must have an identity and a pinned root. */
SemperAccountSystem *semper_account_system_new (SemperProfile  *profile,
                                                GError        **error);

G_END_DECLS
