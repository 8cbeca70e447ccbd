/* semper-ca.h: the marketplace certification authority (`semperd --role ca`).
 *
 * A SemperCa keeps, under its state directory, an NSS database with the root
 * key and certificate (nss/), an SQLite record of every certificate it
 * issued and revoked (ca.db) and the token that authorises its admin routes
 * (admin-token). It issues certificates from PKCS#10 requests under a
 * registration policy, revokes them, and publishes a signed X.509 CRL.
 * See docs/ca.md for the policy, the routes and the configuration file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-role.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_CA_ERROR (semper_ca_error_quark ())

typedef enum {
  SEMPER_CA_ERROR_FAILED,        /* storage or NSS failed; the message says why */
  SEMPER_CA_ERROR_BAD_REQUEST,   /* a malformed registration or admin request */
  SEMPER_CA_ERROR_REFUSED,       /* the policy does not allow what was asked */
  SEMPER_CA_ERROR_NOT_FOUND,     /* no issued certificate matches */
  SEMPER_CA_ERROR_UNAUTHORIZED,  /* an admin request without the right token */
  SEMPER_CA_ERROR_BAD_CONFIG,    /* the configuration file is wrong */
} SemperCaError;

GQuark semper_ca_error_quark (void);

/* Largest registration body the CA reads (a P-256 CSR is about 300 bytes). */
#define SEMPER_CA_MAX_REQUEST (16 * 1024)

/**
 * SemperCaRequest:
 * @csr: the PKCS#10 request (DER)
 * @role: the role asked for
 * @secret: (nullable): an enrolment secret from the CA's operator
 *
 * A registration request as parsed from its JSON body
 * `{"csr": BASE64, "role": "wallet", "secret": "..."}` (role optional,
 * default `wallet`; secret optional).
 */
typedef struct {
  GBytes *csr;
  char   *role;
  char   *secret;
} SemperCaRequest;

SemperCaRequest *semper_ca_request_parse (GBytes           *body,
                                          GError          **error);
void             semper_ca_request_free  (SemperCaRequest  *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperCaRequest, semper_ca_request_free)

/* Strict RFC 4648 base64 (canonical padding, no whitespace). */
GBytes          *semper_ca_base64_decode (const char       *text,
                                          gsize             max_len,
                                          GError          **error);

#define SEMPER_TYPE_CA (semper_ca_get_type ())
G_DECLARE_FINAL_TYPE (SemperCa, semper_ca, SEMPER, CA, GObject)

SemperCa *semper_ca_open          (const char          *state_dir,
                                   const char          *config_file,
                                   SemperPasswordFunc   password_func,
                                   gpointer             password_data,
                                   GError             **error);
GBytes   *semper_ca_get_root      (SemperCa            *self);
char     *semper_ca_dup_admin_token_path (SemperCa     *self);
GBytes   *semper_ca_register      (SemperCa            *self,
                                   const SemperCaRequest *request,
                                   GError             **error);
GBytes   *semper_ca_issue         (SemperCa            *self,
                                   GBytes              *csr_der,
                                   const char          *role,
                                   GError             **error);
gboolean  semper_ca_revoke        (SemperCa            *self,
                                   const char          *fingerprint,
                                   const char          *reason,
                                   GError             **error);
gboolean  semper_ca_is_revoked    (SemperCa            *self,
                                   const char          *fingerprint);
GBytes   *semper_ca_dup_crl       (SemperCa            *self,
                                   GError             **error);
void      semper_ca_add_routes    (SemperCa            *self,
                                   SemperCommServer    *server);

/* The `ca` role of semperd. */
GObject  *semper_ca_role_setup    (SemperCommServer         *server,
                                   const SemperRoleOptions  *options,
                                   GError                  **error);

G_END_DECLS
