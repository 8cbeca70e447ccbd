/* semper-bank-request.h: the messages between wallets, merchants and the
 * bank (PROTOCOLS.md section C; docs/bank.md).
 *
 * Every request is JSON inside a CMS SignedData by the requester; every
 * answer is JSON inside a CMS SignedData by the bank. This file only parses
 * and writes the JSON, strictly (semper_message_parse: no duplicates, a size
 * limit; known members only, canonical base64 and hex, integer amounts); the
 * bank (semper-bank.c) and the purse (semper-purse.c) check signatures and
 * meaning. Plain structs, each with one owner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-trust.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_BANK_ERROR (semper_bank_error_quark ())

typedef enum {
  SEMPER_BANK_ERROR_INVALID,         /* malformed request, answer or config */
  SEMPER_BANK_ERROR_UNAUTHORISED,    /* the signer may not use the account */
  SEMPER_BANK_ERROR_NO_ACCOUNT,      /* no such account, or none for this signer */
  SEMPER_BANK_ERROR_INSUFFICIENT,    /* the balance does not cover value + fee */
  SEMPER_BANK_ERROR_KEY_REUSED,      /* an idempotency key sent again with another request */
  SEMPER_BANK_ERROR_BAD_COIN,        /* a forged, altered, unknown or expired coin */
  SEMPER_BANK_ERROR_DOUBLE_SPENT,    /* the coin was spent before (the answer carries proof) */
  SEMPER_BANK_ERROR_FAILED,          /* storage or NSS failed */
} SemperBankError;

GQuark semper_bank_error_quark (void);

/* Largest request or answer body. */
#define SEMPER_BANK_MAX_JSON (256 * 1024)
/* Most coins one withdraw or swap asks for. */
#define SEMPER_BANK_MAX_COINS 64
/* An idempotency key: 1 to 64 of [A-Za-z0-9_-]. */
#define SEMPER_BANK_MAX_KEY 64

typedef enum {
  SEMPER_BANK_OP_LINK,
  SEMPER_BANK_OP_BALANCE,
  SEMPER_BANK_OP_WITHDRAW,
  SEMPER_BANK_OP_DEPOSIT,
  SEMPER_BANK_OP_SWAP,
  SEMPER_BANK_OP_REFUND,   /* a TTP's fx/revoke: refund what was deposited under H(m1) */
} SemperBankOp;

const char *semper_bank_op_to_string (SemperBankOp op);

typedef struct {
  char   *denomination;  /* hex id */
  GBytes *blinded;
} SemperBankBlinded;

/* {"type":"semper-bank-request","version":1,"op":…,"key":…, …} */
typedef struct {
  SemperBankOp  op;
  char         *key;         /* idempotency key; NULL only for balance */
  char         *account;     /* link, balance, withdraw */
  char         *code;        /* link: the account's link code (a secret) */
  GPtrArray    *coins;       /* (element-type SemperBankBlinded) withdraw, swap */
  GBytes       *coin;        /* deposit, swap: the coin's JSON (semper-ecash-coin) */
  GBytes       *permission;  /* deposit, swap: the exact bytes the coin key signed */
  GBytes       *signature;   /* deposit, swap: the coin key's signature (r || s) */
  GBytes       *token;       /* refund: the TTP's signed fx/revoke (docs/fair-exchange.md) */
} SemperBankRequest;

SemperBankRequest *semper_bank_request_new      (SemperBankOp        op,
                                                 const char         *key);
/* Returns (transfer full): the request as JSON. */
GBytes            *semper_bank_request_to_json  (SemperBankRequest  *self);
/* Strict parser of a request body (the JSON inside the CMS). */
SemperBankRequest *semper_bank_request_parse    (GBytes             *json,
                                                 GError            **error);
void               semper_bank_request_free     (SemperBankRequest  *self);
/* Adds a blinded coin for withdraw or swap. */
void               semper_bank_request_add_coin (SemperBankRequest  *self,
                                                 const char         *denomination,
                                                 GBytes             *blinded);

/* What a swap's deposit permission names as its tid: the hex SHA-256 of
 * "semper-swap/1" and, per new coin, its denomination id and blinded bytes,
 * so that the coin key's signature covers the coins it is swapped for. */
char              *semper_bank_swap_tid         (GPtrArray          *coins);

/* The coin key's deposit permission:
 * {"type":"semper-ecash-deposit-permission","version":1,"coin":"<id>",
 *  "tid":"<64 hex: H(m1), a tid or a swap tid>","amount":N,"currency":"EUR",
 *  "merchant":"<64 hex: fingerprint of the payee's certificate>"} */
typedef struct {
  char         *coin;
  char         *tid;
  SemperAmount  amount;
  char         *merchant;
} SemperDepositPermission;

/* Returns (transfer full): the permission's bytes, to be signed by the coin. */
GBytes                  *semper_deposit_permission_to_json (const SemperDepositPermission *self);
SemperDepositPermission *semper_deposit_permission_parse   (GBytes                        *json,
                                                            GError                       **error);
void                     semper_deposit_permission_free    (SemperDepositPermission       *self);

/* The bank's answer, as the purse reads it:
 * {"type":"semper-bank-answer","version":1,"op":…,"key":…,"request":"<hex H(request)>",
 *  "result":"ok"|"double-spent", …} — the members per op are in docs/bank.md. */
typedef struct {
  SemperBankOp  op;
  char         *key;             /* (nullable) for balance */
  char         *request;         /* hex SHA-256 of the request JSON */
  char         *result;          /* "ok" or "double-spent" */
  char         *account;         /* (nullable) */
  char         *owner;           /* (nullable) link */
  SemperAmount  amount;          /* withdraw: total value; deposit: the coin's value */
  gint64        fee;             /* withdraw, deposit, swap; same currency */
  GArray       *balances;        /* (element-type SemperAmount) balance */
  GPtrArray    *blind_signatures;/* (element-type GBytes) withdraw, swap */
  char         *coin;            /* (nullable) deposit, swap, double-spent */
  GBytes       *proof_permission;/* (nullable) double-spent: the first permission */
  GBytes       *proof_signature; /* (nullable) and its signature */
} SemperBankAnswer;

SemperBankAnswer *semper_bank_answer_parse (GBytes           *json,
                                            GError          **error);
void              semper_bank_answer_free  (SemperBankAnswer *self);

/* One entry of the bank's published list (GET /bank/denominations). */
typedef struct {
  GBytes *signed_description;  /* the bank's SignedData, to verify with the ecash API */
  gint64  fee_withdraw;
  gint64  fee_deposit;
  gint64  fee_swap;
} SemperBankDenominationEntry;

/* Strict parser of {"denominations":[{"signed":…,"fees":{…}}, …]}. Returns
 * (transfer full) (element-type SemperBankDenominationEntry). */
GPtrArray        *semper_bank_denominations_parse (GBytes   *json,
                                                   GError  **error);

/* Client side: signs @request with @signer, posts it to BANK_URL/bank/request,
 * verifies the answer against @trust (signer role "bank", and when
 * @bank_fingerprint is given, that certificate), parses it and checks that it
 * answers this request (its hash and key). @out_raw (optional) gets the signed
 * answer as received, for the archive. Returns (transfer full). */
SemperBankAnswer *semper_bank_request_send (SemperBankRequest  *request,
                                            SemperCommClient   *client,
                                            SemperCrypto       *signer,
                                            SemperTrust        *trust,
                                            const char         *bank_url,
                                            const char         *bank_fingerprint,
                                            GBytes            **out_raw,
                                            GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperBankRequest, semper_bank_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperDepositPermission, semper_deposit_permission_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperBankAnswer, semper_bank_answer_free)

G_END_DECLS
