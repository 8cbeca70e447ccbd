/* semper-merchant-payment.h: the payment systems a merchant collects with
 * (private to the merchant role).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-crypto.h"
#include "semper-fair-exchange.h"
#include "semper-money.h"
#include "semper-trust.h"

G_BEGIN_DECLS

typedef struct _SemperMerchantPayment SemperMerchantPayment;

/* Adds to @fx every payment system this merchant can collect with (e-cash
 * and account payments when a bank is configured) and appends their names to
 * @systems. The account payments' invoices are kept in the SQLite store
 * @db_path. Returns: (transfer full) (nullable): their state, freed with
 * _semper_merchant_payment_free() after @fx. */
SemperMerchantPayment *_semper_merchant_payment_new  (SemperFxMerchant      *fx,
                                                      SemperCrypto          *crypto,
                                                      SemperTrust           *trust,
                                                      const char            *bank_url,
                                                      const char            *db_path,
                                                      GPtrArray             *systems,
                                                      GError               **error);
void                   _semper_merchant_payment_free (SemperMerchantPayment *self);
/* An account payment's invoice for the exchange @key (H(m1)): signed, and
 * stored (before it is returned) for collecting, also after a restart.
 * Returns: (transfer full) (nullable) */
GBytes                *_semper_merchant_payment_invoice (SemperMerchantPayment *self,
                                                         const char            *key,
                                                         const SemperAmount    *price,
                                                         const char            *order_hash,
                                                         GError               **error);

G_END_DECLS
