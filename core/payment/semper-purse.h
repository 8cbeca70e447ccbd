/* semper-purse.h: the wallet's e-cash purse (PROTOCOLS.md section C;
 * docs/bank.md).
 *
 * Coins live in the profile's archive (payment system "ecash", serial = coin
 * id, state "fresh" | "spending:<tid>" | "swapping:<key>" | "spent"). Every
 * bank request is journaled in the archive before it leaves, with the
 * secrets needed to finish it (coin keys, blinding inverses), so that after
 * a crash semper_purse_recover() sends it again under the same idempotency
 * key and the bank's stored answer completes it: a withdrawal is never paid
 * for without its coins, and a coin is never lost or spent twice.
 *
 * The user's bank binding (bank URL, account, bank certificate) is kept in
 * the archive's preferences "bank.url", "bank.account", "bank.fingerprint"
 * by semper_purse_link().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-bank-request.h"
#include "semper-profile.h"

G_BEGIN_DECLS

#define SEMPER_PURSE_SYSTEM "ecash"

#define SEMPER_PURSE_ERROR (semper_purse_error_quark ())

typedef enum {
  SEMPER_PURSE_ERROR_NOT_LINKED,     /* no bank account linked yet */
  SEMPER_PURSE_ERROR_INSUFFICIENT,   /* the purse does not hold enough */
  SEMPER_PURSE_ERROR_AMOUNT,         /* the amount cannot be made of the denominations */
  SEMPER_PURSE_ERROR_PENDING,        /* the bank did not answer; the request stays journaled */
  SEMPER_PURSE_ERROR_STATE,          /* no coins under that transaction, or in another state */
} SemperPurseError;

GQuark semper_purse_error_quark (void);

/* A coin given in payment: what goes to the merchant, who deposits it. */
typedef struct {
  char   *coin_id;
  GBytes *coin;        /* the coin's JSON, without its secret */
  GBytes *permission;  /* the deposit permission's exact bytes */
  GBytes *signature;   /* the coin key's signature over them */
} SemperPurseSpend;

void semper_purse_spend_free (SemperPurseSpend *spend);

#define SEMPER_TYPE_PURSE (semper_purse_get_type ())
G_DECLARE_FINAL_TYPE (SemperPurse, semper_purse, SEMPER, PURSE, GObject)

/* @profile must have an identity and a pinned root. */
SemperPurse *semper_purse_new                  (SemperProfile       *profile,
                                                GError             **error);
void         semper_purse_set_timeout          (SemperPurse         *self,
                                                guint                seconds);

/* Links the profile's certificate to @account with the account's one-time
 * link code and remembers the bank. */
gboolean     semper_purse_link                 (SemperPurse         *self,
                                                const char          *bank_url,
                                                const char          *account,
                                                const char          *code,
                                                GError             **error);
/* (transfer full) (nullable) */
char        *semper_purse_dup_bank_url         (SemperPurse         *self);
char        *semper_purse_dup_account          (SemperPurse         *self);

/* The sum of fresh coins in @currency. */
gboolean     semper_purse_get_balance          (SemperPurse         *self,
                                                const char          *currency,
                                                SemperAmount        *out,
                                                GError             **error);
/* Returns (transfer full) (element-type SemperAmount): the account's balances. */
GArray      *semper_purse_dup_account_balances (SemperPurse         *self,
                                                GError             **error);

/* Withdraws exactly @amount as coins (largest denominations first); the
 * bank debits @amount plus the fee, returned in @out_fee (optional). */
gboolean     semper_purse_withdraw             (SemperPurse         *self,
                                                const SemperAmount  *amount,
                                                SemperAmount        *out_fee,
                                                GError             **error);

/* Spending. reserve() marks fresh coins worth exactly @amount as
 * "spending:<tid>" before anything leaves (swapping a larger coin at the bank
 * for change when needed); payment() signs their deposit permissions for
 * @merchant (its certificate fingerprint); commit() records them spent once
 * the merchant confirmed; reclaim() takes back coins whose payment did not
 * finish, by swapping them at the bank for fresh ones: if the merchant
 * deposited them first, they are marked spent instead. @tid is 64 hex digits
 * (H(m1) or a transaction id). */
gboolean     semper_purse_reserve              (SemperPurse         *self,
                                                const char          *tid,
                                                const SemperAmount  *amount,
                                                GError             **error);
/* Returns (transfer full) (element-type SemperPurseSpend) */
GPtrArray   *semper_purse_payment              (SemperPurse         *self,
                                                const char          *tid,
                                                const char          *merchant,
                                                GError             **error);
gboolean     semper_purse_commit               (SemperPurse         *self,
                                                const char          *tid,
                                                GError             **error);
gboolean     semper_purse_reclaim              (SemperPurse         *self,
                                                const char          *tid,
                                                GError             **error);

/* Expiry: swaps every fresh coin whose denomination the bank no longer
 * signs (its withdraw window closed) or whose deposit-until is less than
 * @horizon away for coins of the denominations the bank signs now, before
 * the bank stops taking it. Returns the number of coins renewed, or -1 with
 * @error. A coin whose denomination the bank no longer publishes is left
 * alone: the bank takes it no more. */
int          semper_purse_refresh              (SemperPurse         *self,
                                                GTimeSpan            horizon,
                                                GError             **error);

/* Sends every journaled bank request again and finishes it. Returns the
 * number finished, or -1 with @error when the bank is still unreachable. */
int          semper_purse_recover              (SemperPurse         *self,
                                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperPurseSpend, semper_purse_spend_free)

G_END_DECLS
