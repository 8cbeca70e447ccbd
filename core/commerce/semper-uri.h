/* semper-uri.h: semper: URIs that a web shop links to (docs/merchant.md).
 *
 *   semper://HOST:PORT/offer/SERVICE/ITEM              show an item of a service
 *   semper://HOST:PORT/pay/SERVICE/ITEM[:QTY][/ITEM[:QTY]]…   buy these items
 *
 * HOST is a DNS name, an IPv4 address or a bracketed IPv6 address; PORT is
 * 1…65535 (required); SERVICE is a service identifier ([a-z][a-z0-9-]*);
 * ITEM an offer or article id ([A-Za-z0-9-], ≤ 32); QTY 1…1000000 without a
 * leading zero; at most 100 items. No user info, query, fragment or
 * percent-encoding: anything else is refused. The merchant is reached at
 * http://HOST:PORT (security is in the signed messages, not the transport).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SEMPER_URI_MAX_LENGTH 4096
#define SEMPER_URI_MAX_ITEMS  100

#define SEMPER_URI_ERROR (semper_uri_error_quark ())

typedef enum {
  SEMPER_URI_ERROR_INVALID,
} SemperUriError;

GQuark semper_uri_error_quark (void);

typedef enum {
  SEMPER_URI_OFFER,
  SEMPER_URI_PAY,
} SemperUriAction;

typedef struct {
  char  *item;
  guint  quantity;
} SemperUriItem;

/**
 * SemperUri:
 * @action: show (offer) or buy (pay)
 * @host: the host as written (an IPv6 address without brackets)
 * @port: 1…65535
 * @merchant_url: "http://HOST:PORT"
 * @service: the service id
 * @items: (element-type SemperUriItem): one for offer, 1…100 for pay
 */
typedef struct {
  SemperUriAction  action;
  char            *host;
  guint            port;
  char            *merchant_url;
  char            *service;
  GPtrArray       *items;
} SemperUri;

/* Returns: (transfer full) (nullable) */
SemperUri *semper_uri_parse    (const char *text,
                                GError    **error);
void       semper_uri_free     (SemperUri  *uri);
/* The canonical text of @uri. Returns: (transfer full) */
char      *semper_uri_to_string (const SemperUri *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperUri, semper_uri_free)

G_END_DECLS
