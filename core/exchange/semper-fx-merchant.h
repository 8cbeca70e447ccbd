/* semper-fx-merchant.h: the merchant's side (a server) of the fair exchange (PROTOCOLS.md B);
 * see semper-fair-exchange.h and docs/fair-exchange.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-fair-exchange.h"

G_BEGIN_DECLS

/* ---- the merchant (server) ------------------------------------------------ */

#define SEMPER_TYPE_FX_MERCHANT (semper_fx_merchant_get_type ())
G_DECLARE_FINAL_TYPE (SemperFxMerchant, semper_fx_merchant, SEMPER, FX_MERCHANT, GObject)

/* @crypto: the merchant's key and certificate (role merchant); @ttp_cert: the
 * DER certificate of the TTP its offers name; @db_path: its SQLite store. */
SemperFxMerchant *semper_fx_merchant_new                (SemperCrypto                *crypto,
                                                         SemperTrust                 *trust,
                                                         GBytes                      *ttp_cert,
                                                         const char                  *db_path,
                                                         GError                     **error);
/* Copied; the merchant uses collect. */
void              semper_fx_merchant_add_payment_system (SemperFxMerchant            *self,
                                                         const SemperFxPaymentSystem *system);
/* Makes and stores a signed offer for @goods (digital goods, or the signed
 * order confirmation of physical goods). @offer_id: unique per offer.
 * Returns: (transfer full): the signed offer */
GBytes           *semper_fx_merchant_offer              (SemperFxMerchant            *self,
                                                         const char                  *offer_id,
                                                         const char                  *description,
                                                         GBytes                      *goods,
                                                         const SemperAmount          *price,
                                                         gint64                       expiry,
                                                         const char * const          *systems,
                                                         GError                     **error);
/* The same with the order's header fields (name, value, …, NULL; nullable),
 * which the buyer's signed order document must repeat (the offer's "order"). */
GBytes           *semper_fx_merchant_offer_with_order   (SemperFxMerchant            *self,
                                                         const char                  *offer_id,
                                                         const char                  *description,
                                                         const char * const          *order_fields,
                                                         GBytes                      *goods,
                                                         const SemperAmount          *price,
                                                         gint64                       expiry,
                                                         const char * const          *systems,
                                                         GError                     **error);
/* m1 -> m2 and m3 -> m4; a repeated request gets the stored answer. */
GBytes           *semper_fx_merchant_handle_m1          (SemperFxMerchant            *self,
                                                         GBytes                      *m1,
                                                         GError                     **error);
GBytes           *semper_fx_merchant_handle_m3          (SemperFxMerchant            *self,
                                                         GBytes                      *m3,
                                                         GError                     **error);
/* For every exchange that sent m2 but never got m3: asks the TTP at
 * @ttp_url whether the buyer resolved it, and if so collects the payment
 * from the buyer's m3 that T kept (GET /fx/payment). Returns the number of
 * exchanges paid that way, or -1 with @error: at once when the TTP cannot be
 * reached; otherwise an exchange that cannot be collected (the bank refuses)
 * is skipped, the others are still collected, and -1 comes with the first
 * such error at the end. Skipped exchanges are tried again by the next call. */
int               semper_fx_merchant_recover            (SemperFxMerchant            *self,
                                                         const char                  *ttp_url,
                                                         GError                     **error);
/* POST PREFIX/fx/m1 and PREFIX/fx/m3 (@prefix "" or "/merchant"). */
void              semper_fx_merchant_add_routes         (SemperFxMerchant            *self,
                                                         SemperCommServer            *server,
                                                         const char                  *prefix);

G_END_DECLS
