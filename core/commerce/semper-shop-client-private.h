/* semper-shop-client-private.h: what SemperPurchase uses of SemperShopClient.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-comm-client.h"
#include "semper-shop-client.h"

G_BEGIN_DECLS

SemperTrust      *_semper_shop_client_get_trust (SemperShopClient *self);
SemperCommClient *_semper_shop_client_get_http  (SemperShopClient *self);
/* Turns a comm HTTP status error into a SEMPER_SHOP_ERROR with the merchant's message. */
void              _semper_shop_client_http_error (GError         **error);
/* GET/POST to the merchant; the answer must have the given type. (transfer full) */
GBytes           *_semper_shop_client_get       (SemperShopClient *self,
                                                 const char       *path,
                                                 gsize             max_body,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
GBytes           *_semper_shop_client_post      (SemperShopClient *self,
                                                 const char       *path,
                                                 const char       *content_type,
                                                 GBytes           *body,
                                                 const char       *answer_type,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
/* The signed description and certification of a verified service, and the
 * merchant's TTP (checked: role ttp under our root). */
gboolean          _semper_shop_client_dup_raw   (SemperShopClient *self,
                                                 const char       *service_id,
                                                 GBytes          **out_description,
                                                 GBytes          **out_certification,
                                                 char            **out_ttp_url,
                                                 GBytes          **out_ttp_cert);
/* The whole catalog, verified against the service's digest (cached). */
SemperCatalog    *_semper_shop_client_dup_catalog (SemperShopClient *self,
                                                   SemperService    *service,
                                                   GCancellable     *cancellable,
                                                   GError          **error);

/* ---- the parsers of the merchant's answers (fuzz target shop-client) ---- */

typedef struct {
  char   *id;
  GBytes *description;    /* the merchant's signed description */
  GBytes *certification;  /* (nullable): the evaluator's certification */
} SemperShopServiceEntry;

void              _semper_shop_service_entry_free (SemperShopServiceEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperShopServiceEntry, _semper_shop_service_entry_free)

/* GET /services, strictly, before any signature is checked. Returns:
 * (transfer full) (element-type SemperShopServiceEntry) (nullable) */
GPtrArray        *_semper_shop_parse_services_list (GBytes       *body,
                                                    char        **out_ttp_url,
                                                    GBytes      **out_ttp_cert,
                                                    GError      **error);
/* GET /catalog: exactly the page asked for (@offset, @limit 1…500), every
 * article through the catalog's rules, priced in @currency.
 * Returns: (transfer full) (nullable) */
SemperShopPage   *_semper_shop_parse_catalog_page  (GBytes       *body,
                                                    const char   *currency,
                                                    guint         offset,
                                                    guint         limit,
                                                    GError      **error);
/* GET /catalog/export, before the digest is compared.
 * Returns: (transfer full) (nullable) */
SemperCatalog    *_semper_shop_parse_catalog_export (GBytes      *body,
                                                     GError     **error);

G_END_DECLS
