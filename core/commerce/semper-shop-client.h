/* semper-shop-client.h: the wallet's view of one merchant (docs/merchant.md).
 *
 * A shop client talks to one `semperd --role merchant` over HTTP. It
 * downloads the merchant's commerce services and accepts only those whose
 * merchant signature, evaluator certification and both chains verify against
 * the profile's trust (semper_profile_dup_trust, with its CRL); a refused
 * service is listed with the reason, never run. It pages and searches a
 * service's catalog. Every signed message received is archived raw
 * (DESIGN.md rule 4) before it is used.
 *
 * Threading: the calls without _async block on the network. A GUI calls the
 * _async variants, which run the blocking call in a GTask thread and call
 * back in the caller's thread-default main context. A SemperShopClient may be
 * used from several threads at once (its cache is locked; each HTTP call is
 * independent); a SemperPurchase from one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-catalog.h"
#include "semper-consent.h"
#include "semper-profile.h"
#include "semper-service.h"

G_BEGIN_DECLS

#define SEMPER_SHOP_ERROR (semper_shop_error_quark ())

typedef enum {
  SEMPER_SHOP_ERROR_FAILED,
  SEMPER_SHOP_ERROR_BAD_ANSWER,     /* the merchant answered something malformed */
  SEMPER_SHOP_ERROR_NOT_FOUND,      /* no such service, offer or article */
  SEMPER_SHOP_ERROR_REFUSED,        /* the service or a merchant message is refused:
                                     * uncertified, unknown evaluator, not in the signed
                                     * flow, price differing from the signed offer, … */
  SEMPER_SHOP_ERROR_PAYMENT,        /* no acceptable payment system, or payment failed */
  SEMPER_SHOP_ERROR_DECLINED,       /* the user did not consent */
  /* Why a payment cannot go ahead, for the user (nothing was paid): */
  SEMPER_SHOP_ERROR_BALANCE,        /* not enough money in the purse or account (or not linked) */
  SEMPER_SHOP_ERROR_LIMIT,          /* over the user's spending limit for every system offered */
  SEMPER_SHOP_ERROR_NO_SYSTEM,      /* the merchant accepts none of the wallet's systems */
  SEMPER_SHOP_ERROR_EXPIRED,        /* the merchant's signed offer has expired */
} SemperShopError;

GQuark semper_shop_error_quark (void);

/**
 * SemperShopListing:
 * @id: the service id as the merchant named it
 * @service: (nullable): the verified service, %NULL when refused
 * @refusal: (nullable): why the service was refused (then @service is %NULL)
 *
 * One service of a merchant, verified or refused. Free with
 * semper_shop_listing_free().
 */
typedef struct {
  char          *id;
  SemperService *service;
  GError        *refusal;
} SemperShopListing;

void semper_shop_listing_free (SemperShopListing *listing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperShopListing, semper_shop_listing_free)

/**
 * SemperShopPage:
 * @total: how many articles match in all
 * @offset: the first match on this page
 * @articles: (element-type SemperArticle): the matches, in the catalog's order
 *
 * One page of a catalog search. The articles were checked (ids, single-line
 * texts, prices in the service's currency). Free with semper_shop_page_free().
 */
typedef struct {
  guint      total;
  guint      offset;
  GPtrArray *articles;
} SemperShopPage;

void            semper_shop_page_free    (SemperShopPage *page);
/* A copy of an article (for pages and models). */
SemperArticle  *semper_article_copy      (const SemperArticle *article);
void            semper_article_free      (SemperArticle       *article);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperShopPage, semper_shop_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArticle, semper_article_free)

#define SEMPER_TYPE_SHOP_CLIENT (semper_shop_client_get_type ())
G_DECLARE_FINAL_TYPE (SemperShopClient, semper_shop_client, SEMPER, SHOP_CLIENT, GObject)

/* @merchant_url: "http://HOST:PORT" of the merchant. Returns: (transfer full) (nullable) */
SemperShopClient *semper_shop_client_new            (SemperProfile        *profile,
                                                     const char           *merchant_url,
                                                     GError              **error);
SemperProfile    *semper_shop_client_get_profile    (SemperShopClient     *self);
const char       *semper_shop_client_get_url        (SemperShopClient     *self);
void              semper_shop_client_set_timeout    (SemperShopClient     *self,
                                                     guint                 seconds);

/* Downloads and verifies every service (GET /services). Returns: (transfer
 * full) (element-type SemperShopListing): the verified and the refused ones,
 * in the merchant's order; %NULL with @error only when the merchant could not
 * be asked at all. */
GPtrArray        *semper_shop_client_list_services  (SemperShopClient     *self,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
void              semper_shop_client_list_services_async  (SemperShopClient    *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GPtrArray        *semper_shop_client_list_services_finish (SemperShopClient    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* A verified service by id (lists the services on first use). Returns:
 * (transfer full) (nullable): %NULL with SEMPER_SHOP_ERROR_NOT_FOUND, or with
 * SEMPER_SHOP_ERROR_REFUSED and the reason when it did not verify. */
SemperService    *semper_shop_client_dup_service    (SemperShopClient     *self,
                                                     const char           *service_id,
                                                     GCancellable         *cancellable,
                                                     GError              **error);

/* One page of the service's catalog (GET /catalog). @query, @category:
 * (nullable). @limit: 1 … SEMPER_CATALOG_MAX_PAGE. Returns: (transfer full) (nullable) */
SemperShopPage   *semper_shop_client_search         (SemperShopClient     *self,
                                                     const char           *service_id,
                                                     const char           *query,
                                                     const char           *category,
                                                     guint                 offset,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
void              semper_shop_client_search_async   (SemperShopClient     *self,
                                                     const char           *service_id,
                                                     const char           *query,
                                                     const char           *category,
                                                     guint                 offset,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
SemperShopPage   *semper_shop_client_search_finish  (SemperShopClient     *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* A member-only item of @service_id, read with the profile's valid
 * subscription credential of that service (POST /present): the flow's step
 * where the buyer shows the credential and the merchant answers with the
 * signed item, both checked against the signed flow. The signed answer is
 * archived. Returns: (transfer full) (nullable): the item's content;
 * SEMPER_SHOP_ERROR_NOT_FOUND when no valid subscription is in the archive. */
GBytes           *semper_shop_client_read_member_item (SemperShopClient *self,
                                                       const char       *service_id,
                                                       const char       *item,
                                                       GCancellable     *cancellable,
                                                       GError          **error);

/* Mail order, after the goods arrived: the buyer's delivery receipt for the
 * purchase archived as receipt @receipt_id (the flow's step after the order
 * confirmation). prepare returns the `receipt` semper document to consent to;
 * send signs it with @consent (consumed), checks that the signed flow allows
 * it now, sends it (POST /delivery), archives it and marks the receipt
 * "delivered". Both block. Returns: (transfer full) (nullable) */
GBytes           *semper_shop_client_prepare_delivery_receipt (SemperShopClient *self,
                                                               gint64            receipt_id,
                                                               GError          **error);
gboolean          semper_shop_client_send_delivery_receipt    (SemperShopClient *self,
                                                               gint64            receipt_id,
                                                               GBytes           *document,
                                                               SemperConsent    *consent,
                                                               GCancellable     *cancellable,
                                                               GError          **error);

G_END_DECLS
