/* semper-contract-signing.h: two-party contract signing, the O and R sides
 * of PROTOCOLS.md A (ASW with the Shmatikov–Mitchell fix).
 *
 * One SemperContractSigning works on one wallet profile. Every exchange is
 * an archive exchange (protocol "asw", id = tid); every step is journaled
 * with the message it is about to send before that message leaves, and
 * every message received is archived raw first. The calls block (run them
 * off the GTK main thread); messages travel through the TTP's mailbox.
 * States, journal points and the contract file: docs/contract-signing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-consent.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_CONTRACT_ERROR (semper_contract_error_quark ())

typedef enum {
  SEMPER_CONTRACT_ERROR_FAILED,
  SEMPER_CONTRACT_ERROR_NOT_FOUND,   /* no contract exchange with that id */
  SEMPER_CONTRACT_ERROR_WRONG_STATE, /* the action is not allowed in the exchange's state */
  SEMPER_CONTRACT_ERROR_BAD_MESSAGE, /* a message that does not fit the contract */
  SEMPER_CONTRACT_ERROR_EXPIRED,     /* past the proposal's deadline */
} SemperContractError;

GQuark semper_contract_error_quark (void);

/* Exchange states (the "state" of the journal entries) */
#define SEMPER_ASW_M1_SENT     "m1-sent"      /* O: waiting for m2 */
#define SEMPER_ASW_M1_RECEIVED "m1-received"  /* R: waiting for the user */
#define SEMPER_ASW_M2_SENT     "m2-sent"      /* R: waiting for m3 */
#define SEMPER_ASW_M3_SENT     "m3-sent"      /* O: waiting for m4 */
#define SEMPER_ASW_M4_SENT     "m4-sent"      /* R: m4 journaled, maybe not delivered */
#define SEMPER_ASW_ABORTING    "aborting"     /* O: abort request journaled */
#define SEMPER_ASW_RESOLVING   "resolving"    /* O or R: resolve request journaled */
#define SEMPER_ASW_SIGNED      "signed"       /* final: m1..m4 or the TTP's replacement */
#define SEMPER_ASW_ABORTED     "aborted"      /* final: the TTP's abort token */
#define SEMPER_ASW_DECLINED    "declined"     /* final (R): the user said no, nothing sent */

/* Checks of the messages, shared by the parties and the TTP. Each returns
 * FALSE with SEMPER_CONTRACT_ERROR_BAD_MESSAGE or a SEMPER_PROTOCOL_ERROR. */
/* @out_text: (out) (optional) (transfer full): the contract text */
gboolean semper_asw_check_m1 (SemperProtocolMessage  *m1,
                              SemperTrust            *trust,
                              GBytes                **out_text,
                              GError                **error);
gboolean semper_asw_check_m2 (SemperProtocolMessage  *m2,
                              SemperProtocolMessage  *m1,
                              SemperTrust            *trust,
                              GError                **error);
gboolean semper_asw_check_m3 (SemperProtocolMessage  *m3,
                              SemperProtocolMessage  *m1,
                              SemperProtocolMessage  *m2,
                              GError                **error);
gboolean semper_asw_check_m4 (SemperProtocolMessage  *m4,
                              SemperProtocolMessage  *m1,
                              SemperProtocolMessage  *m2,
                              GError                **error);

/**
 * SemperContractInfo:
 * What a contract file proves, from semper_contract_verify().
 */
typedef struct {
  char             *state;       /* SEMPER_ASW_SIGNED or SEMPER_ASW_ABORTED */
  char             *key;         /* H(m1), the contract's identity */
  GBytes           *text;        /* the contract text both signed */
  SemperSignerInfo *originator;
  SemperSignerInfo *responder;
  SemperSignerInfo *ttp;         /* (nullable): when the TTP's token decides */
} SemperContractInfo;

void semper_contract_info_free (SemperContractInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperContractInfo, semper_contract_info_free)

/* Verifies an exported contract file offline against @trust.
 * Returns: (transfer full) (nullable) */
SemperContractInfo *semper_contract_verify (GBytes       *file,
                                            SemperTrust  *trust,
                                            GError      **error);

#define SEMPER_TYPE_CONTRACT_SIGNING (semper_contract_signing_get_type ())
G_DECLARE_FINAL_TYPE (SemperContractSigning, semper_contract_signing,
                      SEMPER, CONTRACT_SIGNING, GObject)

SemperContractSigning *semper_contract_signing_new (SemperProfile  *profile,
                                                    GError        **error);

/* O: proposes @text (a semper document of kind contract) to the holder of
 * @responder_cert through the TTP at @ttp_url. @consent is the user's
 * consent for @text (consumed). @deadline: unix seconds.
 * Returns: (transfer full) (nullable): the exchange id */
char      *semper_contract_signing_propose      (SemperContractSigning  *self,
                                                 const char             *ttp_url,
                                                 GBytes                 *responder_cert,
                                                 GBytes                 *text,
                                                 SemperConsent          *consent,
                                                 gint64                  deadline,
                                                 GError                **error);
/* R: fetches new proposals from the TTP's mailbox.
 * Returns: (transfer full) (element-type utf8): ids of the new exchanges */
GPtrArray *semper_contract_signing_fetch        (SemperContractSigning  *self,
                                                 const char             *ttp_url,
                                                 GError                **error);
/* Returns: (transfer full): the contract text of an exchange */
GBytes    *semper_contract_signing_dup_text     (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);
/* R: signs the text (@consent, consumed) and sends m2. */
gboolean   semper_contract_signing_accept       (SemperContractSigning  *self,
                                                 const char             *id,
                                                 SemperConsent          *consent,
                                                 GError                **error);
gboolean   semper_contract_signing_decline      (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);
/* Feeds one received message into the exchange (what step() does with each
 * message from the mailbox). Refused messages change nothing. */
gboolean   semper_contract_signing_receive      (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GBytes                 *raw,
                                                 GError                **error);
/* Moves the exchange on: fetches what it waits for, and after the deadline
 * (@now unix seconds, 0: the clock) aborts or resolves through the TTP.
 * Returns: (transfer full) (nullable): the state afterwards */
char      *semper_contract_signing_step         (SemperContractSigning  *self,
                                                 const char             *id,
                                                 gint64                  now,
                                                 GError                **error);
char      *semper_contract_signing_abort        (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);
char      *semper_contract_signing_resolve      (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);
char      *semper_contract_signing_dup_state    (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);
/* Resends the journaled message of every unfinished exchange (byte for
 * byte) and steps it once. */
gboolean   semper_contract_signing_resume       (SemperContractSigning  *self,
                                                 GError                **error);
/* The contract file of a finished exchange (signed or aborted).
 * Returns: (transfer full) (nullable) */
GBytes    *semper_contract_signing_dup_contract (SemperContractSigning  *self,
                                                 const char             *id,
                                                 GError                **error);

G_END_DECLS
