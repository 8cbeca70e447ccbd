/* semper-ecash-system.h: e-cash as a SemperPaymentSystem (id "ecash",
 * cash-like), over the profile's SemperPurse (docs/payments.md).
 *
 * can_pay: fresh coins worth at least the amount; reserve/commit/reclaim/
 * recover: the purse's; prepare: NULL (the order's consent covers it); refund:
 * the bank's answer to a merchant's refund as fresh coins (semper-ecash-refund.h); pay:
 * {"type":"semper-ecash-proof","version":1,"coins":[{"coin":b64,"permission":b64,
 * "signature":b64},…]} — the deposit permissions bound to tid and merchant.
 * semper_ecash_proof_parse() reads it back for the merchant and the TTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-payment-system.h"
#include "semper-profile.h"
#include "semper-purse.h"

G_BEGIN_DECLS

#define SEMPER_TYPE_ECASH_SYSTEM (semper_ecash_system_get_type ())
G_DECLARE_FINAL_TYPE (SemperEcashSystem, semper_ecash_system, SEMPER, ECASH_SYSTEM, GObject)

/* The profile's purse as a payment system. */
SemperEcashSystem *semper_ecash_system_new      (SemperProfile  *profile,
                                                 GError        **error);
SemperPurse       *semper_ecash_system_get_purse (SemperEcashSystem *self);

/* Returns (transfer full) (element-type SemperPurseSpend): the coins of a proof. */
GPtrArray         *semper_ecash_proof_parse     (GBytes        *json,
                                                 GError       **error);

G_END_DECLS
