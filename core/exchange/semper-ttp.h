/* semper-ttp.h: the trusted third party of contract signing (PROTOCOLS.md A).
 *
 * The TTP keeps a durable map H(m1) -> ABORTED(token) | RESOLVED(token) in
 * its own SQLite file and answers every abort or resolve request for a key
 * from that stored state: the first request decides, every later one gets
 * the same signed token back. It also runs a mailbox so that two wallets,
 * which are not servers, can exchange m1..m4 through it.
 * HTTP routes and stored state: docs/contract-signing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-crypto.h"
#include "semper-fair-exchange.h"
#include "semper-role.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_TTP_ERROR (semper_ttp_error_quark ())

typedef enum {
  SEMPER_TTP_ERROR_FAILED,      /* storage failed */
  SEMPER_TTP_ERROR_NOT_FOR_US,  /* the request names another TTP */
} SemperTtpError;

GQuark semper_ttp_error_quark (void);

#define SEMPER_TYPE_TTP (semper_ttp_get_type ())
G_DECLARE_FINAL_TYPE (SemperTtp, semper_ttp, SEMPER, TTP, GObject)

/* @crypto holds the TTP's key and a certificate with role "ttp". */
SemperTtp *semper_ttp_new             (SemperCrypto      *crypto,
                                       SemperTrust       *trust,
                                       const char        *db_path,
                                       GError           **error);
const char *semper_ttp_get_fingerprint (SemperTtp        *self);
/* (transfer none) */
SemperTrust *semper_ttp_get_trust     (SemperTtp         *self);
/* (transfer none): the TTP's key, for its requests to a bank */
SemperCrypto *semper_ttp_get_crypto   (SemperTtp         *self);

/* Returns: (transfer full) (nullable): the signed token for the key, as stored */
GBytes    *semper_ttp_abort           (SemperTtp         *self,
                                       GBytes            *ma1,
                                       GError           **error);
GBytes    *semper_ttp_resolve         (SemperTtp         *self,
                                       GBytes            *request,
                                       GError           **error);
/* Mailbox: posts m1..m4 (returns the sequence number, 0 on error) and lists
 * the messages for a recipient after @after as JSON {"messages":[{"seq":N,
 * "message":"<base64>"}]}. */
gint64     semper_ttp_mailbox_post    (SemperTtp         *self,
                                       GBytes            *message,
                                       GError           **error);
GBytes    *semper_ttp_mailbox_list    (SemperTtp         *self,
                                       const char        *recipient,
                                       gint64             after,
                                       GError           **error);

/* Fair exchange (PROTOCOLS.md B). The TTP checks proofs of payment with the
 * @check of the registered payment systems (copied). fx_abort takes
 * Sig_B("fx/abort", m1); fx_resolve Sig_B("fx/resolve", offer, m1, m2, m3).
 * Both return the stored token for H(m1): fx/aborted, fx/receipt (with k) or
 * fx/revoke. Returns: (transfer full) (nullable) */
void       semper_ttp_add_fx_payment_system (SemperTtp                   *self,
                                             const SemperFxPaymentSystem *system);
GBytes    *semper_ttp_fx_abort        (SemperTtp         *self,
                                       GBytes            *request,
                                       GError           **error);
GBytes    *semper_ttp_fx_resolve      (SemperTtp         *self,
                                       GBytes            *request,
                                       GError           **error);
/* The buyer's m3 of a key resolved with a receipt, for the merchant
 * (GET /fx/payment?key=H(m1)). Returns: (transfer full) (nullable) */
GBytes    *semper_ttp_fx_dup_payment  (SemperTtp         *self,
                                       const char        *key);

void       semper_ttp_add_routes      (SemperTtp         *self,
                                       SemperCommServer  *server);

/* The "ttp" role of semperd: STATE_DIR is a profile (nss/, trust-root.der)
 * whose certificate has role "ttp"; the state is STATE_DIR/ttp.db. */
GObject   *semper_ttp_role_setup      (SemperCommServer         *server,
                                       const SemperRoleOptions  *options,
                                       GError                  **error);

G_END_DECLS
