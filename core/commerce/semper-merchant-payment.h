/* semper-merchant-payment.h: the payment systems a merchant collects with
 * (private to the merchant role).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-crypto.h"
#include "semper-fair-exchange.h"
#include "semper-trust.h"

G_BEGIN_DECLS

/* Adds to @fx every payment system this merchant can collect with (e-cash
 * when a bank is configured), appends their names to @systems, and returns
 * the state they need in @out_state (freed with @out_free). */
gboolean _semper_merchant_add_payment_systems (SemperFxMerchant  *fx,
                                               SemperCrypto      *crypto,
                                               SemperTrust       *trust,
                                               const char        *bank_url,
                                               const char        *bank_account,
                                               GPtrArray         *systems,
                                               gpointer          *out_state,
                                               GDestroyNotify    *out_free,
                                               GError           **error);

G_END_DECLS
