/* semperd-roles.h: the roles semperd can run, one line each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-role.h"
#include "semper-bank.h"
#include "semper-ca.h"
#include "semper-merchant.h"
#include "semper-ttp.h"
#include "semper-fx-ttp.h"

/* Add a role: include its header above and add one line below, e.g.
 *   { "ca", semper_ca_role_setup, N_("certification authority") }, */
static const SemperRole semperd_roles[] = {
  { "bank", semper_bank_role_setup, N_("bank: accounts and e-cash") },
  { "ca", semper_ca_role_setup, N_("certification authority") },
  { "merchant", semper_merchant_role_setup, N_("merchant: certified commerce services") },
  { "ttp", semper_fx_ttp_role_setup,
    N_("trusted third party for contract signing and fair exchange") },
  { NULL, NULL, NULL }
};
