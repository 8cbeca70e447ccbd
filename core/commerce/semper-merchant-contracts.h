/* semper-merchant-contracts.h: the merchant as the counterparty of contract
 * signing (PROTOCOLS.md A), e.g. the subscription trial's consultancy step.
 *
 * A merchant signs nothing without a consent, and a consent is made only by
 * the process's one registered provider (docs/trusted-display.md). For a
 * server that provider is SemperOperatorConsent (origin "merchant-operator"):
 * its operator's decision, written down in advance in the merchant's
 * configuration as the contract templates it may sign. It consents to a
 * contract text only if the text is one of those templates with each
 * `{{name}}` placeholder filled by one line of plain text, and the trusted
 * display's checker refuses nothing in it; every decision is recorded in
 * STATE/contract-consents.jsonl before it is answered. docs/decisions.md,
 * docs/merchant.md.
 *
 * SemperMerchantContracts runs the responder side on the merchant's profile:
 * it fetches proposals from the TTP's mailbox, asks the provider, accepts or
 * declines, and steps the unfinished exchanges, on a worker thread, every few
 * seconds and whenever POST /contracts/sync asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-consent.h"
#include "semper-profile.h"

G_BEGIN_DECLS

#define SEMPER_OPERATOR_CONSENT_ORIGIN "merchant-operator"

/* One template the operator consents to: @name (the offer id) and its text. */
typedef struct {
  char   *name;
  GBytes *text;
} SemperContractTemplate;

#define SEMPER_TYPE_OPERATOR_CONSENT (semper_operator_consent_get_type ())
G_DECLARE_FINAL_TYPE (SemperOperatorConsent, semper_operator_consent,
                      SEMPER, OPERATOR_CONSENT, GObject)

/* @templates: (element-type SemperContractTemplate) (transfer none): copied.
 * @log_path: the file every decision is appended to. */
SemperOperatorConsent *semper_operator_consent_new   (GPtrArray              *templates,
                                                      const char             *log_path);
/* The template @text fills, or %NULL with @error set (why not). */
const char            *semper_operator_consent_match (SemperOperatorConsent  *self,
                                                      GBytes                 *text,
                                                      GError                **error);

typedef struct _SemperMerchantContracts SemperMerchantContracts;

/* Registers the operator consent as the process's provider (fails when
 * another is registered), and the route POST /contracts/sync. */
SemperMerchantContracts *_semper_merchant_contracts_new  (SemperCommServer  *server,
                                                          SemperProfile     *profile,
                                                          const char        *ttp_url,
                                                          GPtrArray         *templates,
                                                          const char        *state_dir,
                                                          GError           **error);
void                     _semper_merchant_contracts_free (SemperMerchantContracts *self);

void semper_contract_template_free (SemperContractTemplate *t);

G_END_DECLS
