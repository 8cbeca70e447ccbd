/* semper-ca-client.h: talking to the marketplace CA (`semperd --role ca`).
 *
 * Plain functions over a SemperCommClient for the wallet (and for the other
 * roles when they register). Every DER object travels in JSON as canonical
 * base64 (docs/ca.md). Nothing here trusts what it fetched: the caller pins
 * the root (compare its fingerprint) and checks what the CA issued.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

/* The DER in member @member of a JSON answer from the CA (strictly parsed).
 * Returns (transfer full), or NULL with SEMPER_CA_ERROR_BAD_REQUEST. */
GBytes   *semper_ca_client_parse_der     (GBytes            *body,
                                          const char        *member,
                                          GError           **error);

/* GET BASE/ca/root: the CA's root certificate (DER), not yet trusted. */
GBytes   *semper_ca_client_fetch_root    (SemperCommClient  *client,
                                          const char        *base_url,
                                          GCancellable      *cancellable,
                                          GError           **error);
/* POST BASE/ca/register: the issued certificate (DER), not yet checked. */
GBytes   *semper_ca_client_register      (SemperCommClient  *client,
                                          const char        *base_url,
                                          GBytes            *csr_der,
                                          const char        *role,
                                          const char        *secret,
                                          GCancellable      *cancellable,
                                          GError           **error);
/* GET BASE/ca/crl: the CA's CRL (DER), not yet checked (semper_trust_set_crl). */
GBytes   *semper_ca_client_fetch_crl     (SemperCommClient  *client,
                                          const char        *base_url,
                                          GCancellable      *cancellable,
                                          GError           **error);
/* POST BASE/ca/admin/revoke with the CA's admin token. */
gboolean  semper_ca_client_revoke        (SemperCommClient  *client,
                                          const char        *base_url,
                                          const char        *admin_token,
                                          const char        *fingerprint,
                                          const char        *reason,
                                          GCancellable      *cancellable,
                                          GError           **error);

/* "aa:BB:cc…" or "aabbcc…" → lower-case hex without separators, or NULL when
 * it is not 64 hex digits. (transfer full) */
char     *semper_ca_normalize_fingerprint (const char       *text);

G_END_DECLS
