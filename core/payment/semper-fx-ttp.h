/* semper-fx-ttp.h: the TTP's payment side of the fair exchange (PROTOCOLS.md
 * B; docs/fair-exchange.md "The TTP collects the payment").
 *
 * When a buyer resolves, T checks the proof of payment offline and then, before
 * it gives the buyer k, collects the payment for the merchant at the bank:
 * e-cash coins are deposited (semper-fx-ecash.c), an account payment is
 * authorised (a hold; semper-fx-account.c). The bank is named in the TTP's
 * configuration, `semperd --role ttp --config FILE`:
 *
 *   {"format":"semper-ttp-config","version":1,"bank":"http://127.0.0.1:8443"}
 *
 * Without a bank the TTP still signs contracts and aborts exchanges, and
 * refuses to resolve a paid one: it could not tell whether the payment is good.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-role.h"

G_BEGIN_DECLS

#define SEMPER_FX_TTP_CONFIG_MAX (16 * 1024)

/* Strict parser of the configuration above (the fuzz target). @out_bank_url:
 * (out) (transfer full) (nullable): the bank's http(s) URL, NULL when the
 * configuration names none. */
gboolean semper_fx_ttp_config_parse (GBytes                   *json,
                                     char                    **out_bank_url,
                                     GError                  **error);

/* The error of a TTP without a bank (SEMPER_FX_ERROR_PAYMENT). Returns FALSE. */
gboolean semper_fx_ttp_no_bank      (GError                  **error);

/* Sets @error from @local (transfer full), a failure to collect at the bank:
 * SEMPER_FX_ERROR_REFUSED when @refused (the bank's signed answer refused the
 * payment; T revokes), SEMPER_FX_ERROR_UNREACHABLE when the bank could not be
 * reached, SEMPER_FX_ERROR_PAYMENT otherwise (T decides nothing either way). */
void     semper_fx_ttp_settle_error (GError                  **error,
                                     GError                   *local,
                                     gboolean                  refused);

/* The "ttp" role of semperd: the TTP with the e-cash and account systems. */
GObject *semper_fx_ttp_role_setup   (SemperCommServer         *server,
                                     const SemperRoleOptions  *options,
                                     GError                  **error);

G_END_DECLS
