/* semper-bank.h: the bank of the e-cash system and its accounts
 * (PROTOCOLS.md section C; docs/bank.md).
 *
 * The bank keeps its own SQLite store: accounts with integer balances per
 * currency, the denomination keys it blind-signs with, an operations table
 * keyed by (requester, idempotency key) holding the first signed answer, and
 * the spent-coin table keyed by the coin id holding the first deposit
 * permission. Every request is a CMS SignedData by the requester over a
 * bank request (semper-bank-request.h); every answer is signed by the bank.
 * Each request is decided under one mutex and inside one BEGIN IMMEDIATE
 * transaction, so a balance never changes outside a transaction and a
 * repeated request returns the stored answer, byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-bank-request.h"
#include "semper-comm-server.h"
#include "semper-crypto.h"
#include "semper-role.h"
#include "semper-trust.h"

G_BEGIN_DECLS

/* The bank's own accounts: what it owes for coins in circulation, and the
 * fees it has earned. Their balances plus all customers' stay constant. */
#define SEMPER_BANK_ACCOUNT_ECASH "_ecash"
#define SEMPER_BANK_ACCOUNT_FEES  "_fees"

#define SEMPER_TYPE_BANK (semper_bank_get_type ())
G_DECLARE_FINAL_TYPE (SemperBank, semper_bank, SEMPER, BANK, GObject)

/* @crypto holds the bank's key and a certificate with role "bank";
 * @config (nullable) is the JSON of docs/bank.md: accounts that do not exist
 * yet are opened with its balances, denominations without a key in the
 * store get one. The store keeps everything else across restarts. */
SemperBank *semper_bank_new                 (SemperCrypto       *crypto,
                                             SemperTrust        *trust,
                                             const char         *db_path,
                                             GBytes             *config,
                                             GError            **error);
const char *semper_bank_get_fingerprint     (SemperBank         *self);

/* Handles one signed request. Returns (transfer full): the bank's signed
 * answer (the stored one for a repeated request), or %NULL with
 * SEMPER_BANK_ERROR (or a CMS error) when it is refused. A double spend is an
 * answer, not an error: it carries the first deposit permission as proof. */
GBytes     *semper_bank_handle              (SemperBank         *self,
                                             GBytes             *p7m,
                                             GError            **error);
/* Returns (transfer full): {"denominations":[{"signed":"<base64 SignedData>",
 * "fees":{"withdraw":N,"deposit":N,"swap":N}}, …]} (fees per coin, in minor
 * units of the denomination's currency). */
GBytes     *semper_bank_dup_denominations   (SemperBank         *self);

/* GET /bank/denominations, POST /bank/request. */
void        semper_bank_add_routes          (SemperBank         *self,
                                             SemperCommServer   *server);

/* The "bank" role of semperd: STATE_DIR is a profile (nss/, trust-root.der)
 * whose certificate has role "bank"; the store is STATE_DIR/bank.db. */
GObject    *semper_bank_role_setup          (SemperCommServer         *server,
                                             const SemperRoleOptions  *options,
                                             GError                  **error);

G_END_DECLS
