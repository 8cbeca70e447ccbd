/* semper-merchant.h: the merchant role (`semperd --role merchant`), docs/merchant.md.
 *
 * A merchant serves one or more certified commerce services from its
 * configuration (a JSON file, docs/merchant.md): for each the description
 * (signed by the merchant's key at start) and the evaluator's certification,
 * its catalog, the goods of its digital offers and its member-only items. It
 * runs the merchant's side of each service's signed flow, checking every
 * message with a SemperFlowCursor per session: signed offers, the fair
 * exchange of payment for goods / credential / order confirmation
 * (SemperFxMerchant, PROTOCOLS.md B), registration and subscription
 * credentials, member-only items against a valid credential, and signed
 * delivery receipts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-role.h"

G_BEGIN_DECLS

#define SEMPER_MERCHANT_ERROR (semper_merchant_error_quark ())

typedef enum {
  SEMPER_MERCHANT_ERROR_CONFIG,      /* a malformed or inconsistent configuration */
  SEMPER_MERCHANT_ERROR_REQUEST,     /* a malformed request */
  SEMPER_MERCHANT_ERROR_NOT_FOUND,   /* no such service, item, session or credential */
  SEMPER_MERCHANT_ERROR_NOT_ALLOWED, /* the signed flow, or the credential, does not allow it */
} SemperMerchantError;

GQuark semper_merchant_error_quark (void);

#define SEMPER_MERCHANT_CONFIG_MAX_SIZE (256 * 1024)

#define SEMPER_TYPE_MERCHANT (semper_merchant_get_type ())
G_DECLARE_FINAL_TYPE (SemperMerchant, semper_merchant, SEMPER, MERCHANT, GObject)

/* The role's setup for semperd: @options->state_dir is a profile with a key
 * and a certificate of role merchant; @options->config_file is required. */
GObject *semper_merchant_role_setup (SemperCommServer         *server,
                                     const SemperRoleOptions  *options,
                                     GError                  **error);

G_END_DECLS
