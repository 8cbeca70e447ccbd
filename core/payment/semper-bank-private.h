/* semper-bank-private.h: what the bank's account payments
 * (semper-bank-account.c) share with semper-bank.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "semper-bank.h"

G_BEGIN_DECLS

/* Borrowed; the connection is used only with the lock held. */
sqlite3      *_semper_bank_get_db           (SemperBank   *self);
GMutex       *_semper_bank_get_lock         (SemperBank   *self);
SemperCrypto *_semper_bank_get_crypto       (SemperBank   *self);
SemperTrust  *_semper_bank_get_trust        (SemperBank   *self);
/* Adds @delta to @account (refusing a customer's balance below zero, with
 * SEMPER_BANK_ERROR_INSUFFICIENT, unless @into_debt: a revoke's refund) and
 * writes the ledger line. Lock held, inside a transaction. */
gboolean      _semper_bank_move             (SemperBank   *self,
                                             const char   *requester,
                                             const char   *op_key,
                                             const char   *account,
                                             const char   *currency,
                                             gint64        delta,
                                             gboolean      into_debt,
                                             GError      **error);
/* (transfer full) (nullable): the account linked to @owner's certificate. */
char         *_semper_bank_account_of_owner (SemperBank   *self,
                                             const char   *owner);
/* (transfer full) (nullable): @account's owner; *found says whether it exists. */
char         *_semper_bank_account_owner    (SemperBank   *self,
                                             const char   *account,
                                             gboolean     *found);

/* semper-bank-account.c: creates its tables; adds POST /bank/account and
 * GET /bank/certificate. */
gboolean      _semper_bank_account_setup    (SemperBank        *self,
                                             GError           **error);
/* The TTP revoked the exchange @tid (fx's refund op, lock held, inside its
 * transaction): every account payment of @buyer_account under @tid is undone
 * (a hold released, captured money not yet refunded paid back from the
 * merchant's account). Adds the amount to *@total; @currency (4 bytes) is
 * set when it was empty and must match otherwise. */
gboolean      _semper_bank_account_revoke   (SemperBank        *self,
                                             const char        *requester,
                                             const char        *op_key,
                                             const char        *tid,
                                             const char        *buyer_account,
                                             char              *currency,
                                             gint64            *total,
                                             GError           **error);
/* Handles one signed account request (semper-account-payment.h). Returns
 * (transfer full): the bank's signed answer (the stored one for a repeat),
 * or NULL with @error when refused. */
GBytes       *_semper_bank_account_handle   (SemperBank        *self,
                                             GBytes            *p7m,
                                             GError           **error);
void          _semper_bank_account_add_routes (SemperBank       *self,
                                               SemperCommServer *server);

G_END_DECLS
