/* semper-fx-ecash.h: e-cash (PROTOCOLS.md C) as a payment system of the
 * fair exchange (PROTOCOLS.md B; docs/fair-exchange.md).
 *
 * The proof of payment in m3 is
 *   {"type":"semper-fx-ecash-proof","version":1,"coins":[{"coin":"<base64 coin JSON>",
 *    "permission":"<base64>","signature":"<base64 r||s>","denomination":"<base64 the
 *    bank's signed denomination>"}, …]}
 * one entry per coin, each deposit permission bound to H(m1) and the merchant,
 * so that the TTP can check it offline: the bank's signature on the
 * denomination (a bank certificate under the pinned root), the coin's blind
 * signature, the coin key's signature over the permission, the sum; it then
 * deposits the coins for the merchant before it gives out k (semper-fx-ttp.h).
 *
 * A buyer reserves and pays with its SemperPurse; a merchant collects by
 * depositing each coin at the bank (idempotency key from H(m1) and the coin);
 * a revoke from the TTP is honoured by the bank's "refund" operation (the
 * coins deposited under H(m1) are credited back to the buyer's account) and
 * the coins never deposited are reclaimed into the purse by a swap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-fair-exchange.h"
#include "semper-purse.h"

G_BEGIN_DECLS

#define SEMPER_FX_ECASH_MAX_PROOF (256 * 1024)

/* One coin of a proof. */
typedef struct {
  GBytes *coin;
  GBytes *permission;
  GBytes *signature;
  GBytes *denomination;
} SemperFxEcashCoin;

/* Strict parser of a proof. Returns: (transfer full) (element-type
 * SemperFxEcashCoin) (nullable) */
GPtrArray *semper_fx_ecash_proof_parse (GBytes   *json,
                                        GError  **error);

#define SEMPER_TYPE_FX_ECASH (semper_fx_ecash_get_type ())
G_DECLARE_FINAL_TYPE (SemperFxEcash, semper_fx_ecash, SEMPER, FX_ECASH, GObject)

/* The buyer's side, over @purse of @profile (linked to a bank). */
SemperFxEcash *semper_fx_ecash_new_buyer    (SemperPurse            *purse,
                                             SemperProfile          *profile);
/* The merchant's side: deposits at @bank_url with @crypto (whose certificate
 * owns an account there); @bank_fingerprint (nullable) pins the bank. */
SemperFxEcash *semper_fx_ecash_new_merchant (SemperCrypto           *crypto,
                                             SemperTrust            *trust,
                                             const char             *bank_url,
                                             const char             *bank_fingerprint);
/* The TTP's side: checks proofs offline against @trust, then deposits the
 * coins for the merchant at @bank_url (nullable: no bank, no resolve of a
 * paid exchange), signing its requests with @crypto (role "ttp"). */
SemperFxEcash *semper_fx_ecash_new_ttp      (SemperCrypto           *crypto,
                                             SemperTrust            *trust,
                                             const char             *bank_url);

/* Fills @out with this side's calls; @self must outlive every user of @out. */
void           semper_fx_ecash_get_system   (SemperFxEcash          *self,
                                             SemperFxPaymentSystem  *out);

/* A buyer for @profile paying with its purse (the purse and the e-cash
 * system live as long as the buyer); it also resumes account-paid purchases
 * (semper_fx_account_add_resume_system). Returns: (transfer full) (nullable) */
SemperFxBuyer *semper_fx_ecash_new_wallet_buyer (SemperProfile          *profile,
                                                 GError                **error);
/* `semper resume`: runs every unfinished purchase of @profile; builds the
 * purse only when there is one. Returns: (transfer full) (element-type
 * SemperFxResumed) (nullable) */
GPtrArray     *semper_fx_ecash_resume_profile   (SemperProfile          *profile,
                                                 GError                **error);

G_END_DECLS
