/* semper-shop-private.h: what the merchant role and the wallet's shop client
 * share: the wire format of docs/merchant.md (order summaries, credentials,
 * base64, request/answer JSON helpers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-catalog.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-json-private.h"
#include "semper-service.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_SHOP_MAX_ANSWER (64 * 1024)   /* bytes of a merchant's JSON answer, catalog aside */
#define SEMPER_SHOP_MAX_REQUEST (64 * 1024)  /* bytes of a buyer's JSON request */

/* The offer's one-line description for the order document @order (the
 * order-form document): the merchant, its items, the total and the SHA-256
 * of @order's bytes, at most 1024 bytes. Returns: (transfer full) */
char     *_semper_shop_order_summary   (GBytes          *order);
/* The order-form document's header as the fair exchange's signed order repeats
 * it: Merchant-Name (the certified name), then every field but Semper-Document,
 * Merchant, Date and Total, in order. Returns: (transfer full) (nullable):
 * name, value, …, NULL */
GStrv     _semper_shop_order_fields    (GBytes          *order);
/* @fields equals _semper_shop_order_fields (@order) */
gboolean  _semper_shop_order_fields_equal (const char * const *fields,
                                           GBytes             *order);

char     *_semper_shop_b64             (GBytes          *bytes);
GBytes   *_semper_shop_unb64           (const char      *text,
                                        gsize            max_len,
                                        GError         **error);

/**
 * SemperShopCredential:
 * A credential the merchant issued: membership (registration) or
 * subscription (an access right with validity), bound to the holder's
 * certificate. Signed (CMS) by the merchant over
 * {"type":"semper-credential","version":1,"service":ID,"kind":"membership"|
 *  "subscription","offer":ID,"title":TEXT,"holder":HEX64,"serial":HEX32,
 *  "not_before":UNIX,"not_after":UNIX}.
 */
typedef struct {
  char   *service;
  char   *kind;
  char   *offer;
  char   *title;
  char   *holder;
  char   *serial;
  gint64  not_before;
  gint64  not_after;
  char   *issuer;        /* after verify: the signer's fingerprint */
  char   *issuer_name;   /* after verify: the signer's CN */
} SemperShopCredential;

void      _semper_shop_credential_free (SemperShopCredential *credential);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperShopCredential, _semper_shop_credential_free)

GBytes   *_semper_shop_credential_make (SemperCrypto    *merchant,
                                        const SemperShopCredential *credential,
                                        GError         **error);
/* The credential's JSON, strictly (the fuzz target's entry). */
SemperShopCredential *_semper_shop_credential_parse (GBytes  *content,
                                                     GError **error);
/* Verifies the signature (role merchant) and parses strictly. */
SemperShopCredential *_semper_shop_credential_verify (GBytes       *p7m,
                                                      SemperTrust  *trust,
                                                      GError      **error);

/* Parses @bytes (strict JSON, semper_message_parse) into an object.
 * Returns: (transfer full) (nullable) */
JsonObject *_semper_shop_parse_object  (GBytes          *bytes,
                                        GQuark           domain,
                                        int              code,
                                        GError         **error);

/* One line of a buyer's request: an offer id or a catalog article id. */
typedef struct {
  char  *item;
  guint  quantity;
} SemperShopItem;

/* The order-form document for @items and @answers at @date, with the prices
 * of @service's signed offers or of @catalog (nullable). A subscription,
 * registration or consultancy offer is ordered alone, once; @out_single
 * (optional) receives it. Merchant and wallet build the same bytes.
 * Returns: (transfer full) (nullable) */
GBytes   *_semper_shop_build_order     (SemperService              *service,
                                        SemperCatalog              *catalog,
                                        const SemperShopItem       *items,
                                        guint                       n_items,
                                        GHashTable                 *answers,
                                        GDateTime                  *date,
                                        const SemperServiceOffer  **out_single,
                                        GError                    **error);

G_END_DECLS
