/* semper-fx-account.h: account payments (PROTOCOLS.md D) as seen by the TTP of
 * the fair exchange (PROTOCOLS.md B; docs/fair-exchange.md).
 *
 * The proof of payment in m3 is the account proof of semper-account-payment.h:
 * the buyer's signed payment authorisation and the slip enveloped to the bank.
 * The TTP checks it offline: the authorisation verifies under the pinned root,
 * is signed by a wallet certificate, is a payment-authorisation document whose
 * Transaction is H(m1), whose Merchant is the offer's merchant, whose Amount is
 * the price, and whose Slip is H(slip). It cannot open the slip (it is the
 * bank's) nor see the account's balance, so before it gives out k it sends the
 * bank an "authorise" with the merchant's signed invoice that the proof carries:
 * the bank places the hold for the merchant, or says no and T revokes. The
 * merchant then captures that hold after fetching m3 from the TTP (its own
 * authorise of the same invoice is told the hold stands; docs/fair-exchange.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-fair-exchange.h"
#include "semper-fx-buyer.h"
#include "semper-crypto.h"
#include "semper-trust.h"

G_BEGIN_DECLS

typedef struct _SemperFxAccountChecker SemperFxAccountChecker;

/* The TTP's side; @bank_url (nullable: no bank, no resolve of a paid
 * exchange) is where it authorises, signing with @crypto. (transfer full) */
SemperFxAccountChecker *semper_fx_account_checker_new        (SemperCrypto           *crypto,
                                                              SemperTrust            *trust,
                                                              const char             *bank_url);
void                    semper_fx_account_checker_free       (SemperFxAccountChecker *self);
/* Fills @out with system "account" and its @check; valid while @self lives. */
void                    semper_fx_account_checker_get_system (SemperFxAccountChecker *self,
                                                              SemperFxPaymentSystem  *out);

/* For `semper resume` and the window's Resume All: adds system "account" to
 * @buyer, backed by @profile's SemperAccountSystem. Nobody can give the
 * user's second consent there, so an exchange interrupted before its m3 was
 * journaled cannot pay and is aborted; after that only commit (goods
 * received) and release (aborted, or T's revoke: the bank pays back) remain. */
void                    semper_fx_account_add_resume_system  (SemperFxBuyer          *buyer,
                                                              SemperProfile          *profile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperFxAccountChecker, semper_fx_account_checker_free)

G_END_DECLS
