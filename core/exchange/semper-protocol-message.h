/* semper-protocol-message.h: the signed messages of the exchange protocols.
 *
 * Every protocol message is a CMS SignedData (semper_cms_sign_message) over
 * JSON content that names the protocol and its version, the step, the
 * transaction id and the certificate fingerprints of both parties and of the
 * TTP (PROTOCOLS.md), plus the step's own fields:
 *
 *   {"protocol":"asw","version":1,"step":"m1","tid":"<32 hex>",
 *    "originator":"<64 hex>","responder":"<64 hex>","ttp":"<64 hex>",
 *    "fields":{...}}
 *
 * The parser is strict (semper_message_parse, exactly these members, known
 * steps, exactly the step's fields, canonical hex and base64), and
 * semper_protocol_message_check() refuses a message that belongs to another
 * session, protocol or party. See docs/contract-signing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-crypto.h"
#include "semper-trust.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_PROTOCOL_MESSAGE_MAX_SIZE (1024 * 1024)

#define SEMPER_PROTOCOL_ASW         "asw"
#define SEMPER_PROTOCOL_ASW_VERSION 1
#define SEMPER_PROTOCOL_FX          "fx"
#define SEMPER_PROTOCOL_FX_VERSION  1

#define SEMPER_PROTOCOL_ERROR (semper_protocol_error_quark ())

typedef enum {
  SEMPER_PROTOCOL_ERROR_INVALID,        /* malformed content, unknown step, bad field */
  SEMPER_PROTOCOL_ERROR_WRONG_SESSION,  /* another protocol, version, tid, party or TTP */
  SEMPER_PROTOCOL_ERROR_WRONG_PARTY,    /* signed by someone else than the step's sender */
  SEMPER_PROTOCOL_ERROR_WRONG_STEP,     /* a valid message, but not the one expected now */
} SemperProtocolError;

GQuark semper_protocol_error_quark (void);

/* Who sends a step. */
typedef enum {
  SEMPER_PROTOCOL_PARTY_ORIGINATOR = 1 << 0,
  SEMPER_PROTOCOL_PARTY_RESPONDER  = 1 << 1,
  SEMPER_PROTOCOL_PARTY_TTP        = 1 << 2,
} SemperProtocolParty;

#define SEMPER_TYPE_PROTOCOL_MESSAGE (semper_protocol_message_get_type ())
G_DECLARE_FINAL_TYPE (SemperProtocolMessage, semper_protocol_message,
                      SEMPER, PROTOCOL_MESSAGE, GObject)

/* Building: @fields (transfer none) is copied. */
SemperProtocolMessage *semper_protocol_message_new           (const char   *step,
                                                              const char   *tid,
                                                              const char   *originator,
                                                              const char   *responder,
                                                              const char   *ttp,
                                                              JsonObject   *fields);
SemperProtocolMessage *semper_protocol_message_new_for       (const char   *protocol,
                                                              const char   *step,
                                                              const char   *tid,
                                                              const char   *originator,
                                                              const char   *responder,
                                                              const char   *ttp,
                                                              JsonObject   *fields);
/* A message of the same session as @session, another step. */
SemperProtocolMessage *semper_protocol_message_new_in_session (SemperProtocolMessage *session,
                                                               const char            *step,
                                                               JsonObject            *fields);
GBytes                *semper_protocol_message_dup_content   (SemperProtocolMessage *self);
/* Signs the content; the result is also kept as the message's raw bytes.
 * Returns: (transfer full) (nullable) */
GBytes                *semper_protocol_message_sign          (SemperProtocolMessage *self,
                                                              SemperCrypto          *crypto,
                                                              GError               **error);

/* Parsing. parse_content checks the JSON only (no signature): for the fuzz
 * target and for content that was verified elsewhere. verify checks the CMS
 * signature against @trust, then the content, then that the signer is the
 * step's sender. Returns: (transfer full) (nullable) */
SemperProtocolMessage *semper_protocol_message_parse_content (GBytes        *content,
                                                              GError       **error);
SemperProtocolMessage *semper_protocol_message_verify        (GBytes        *p7m,
                                                              SemperTrust   *trust,
                                                              GError       **error);

/* Refuses @self unless it is step @step (nullable: any) of the same session as
 * @session (protocol, version, tid, the three fingerprints). */
gboolean     semper_protocol_message_check          (SemperProtocolMessage *self,
                                                     SemperProtocolMessage *session,
                                                     const char            *step,
                                                     GError               **error);

SemperProtocolParty semper_protocol_step_senders    (const char            *step);

const char  *semper_protocol_message_get_protocol   (SemperProtocolMessage *self);
guint        semper_protocol_message_get_version    (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_step       (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_tid        (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_originator (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_responder  (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_ttp        (SemperProtocolMessage *self);
JsonObject  *semper_protocol_message_get_fields     (SemperProtocolMessage *self);
const char  *semper_protocol_message_get_string     (SemperProtocolMessage *self,
                                                     const char            *field);
gint64       semper_protocol_message_get_int        (SemperProtocolMessage *self,
                                                     const char            *field);
/* A base64 field decoded. Returns: (transfer full) (nullable) */
GBytes      *semper_protocol_message_dup_bytes      (SemperProtocolMessage *self,
                                                     const char            *field);
/* (nullable): the signed bytes, when the message was signed or verified */
GBytes      *semper_protocol_message_get_raw        (SemperProtocolMessage *self);
/* (nullable): the verified signer */
SemperSignerInfo *semper_protocol_message_get_signer (SemperProtocolMessage *self);
/* Lower-case hex SHA-256 of the raw bytes (H(m) in PROTOCOLS.md).
 * Returns: (transfer full) (nullable) */
char        *semper_protocol_message_dup_hash       (SemperProtocolMessage *self);

/* Helpers for the fields. */
char        *semper_protocol_hex                    (const guint8 *data,
                                                     gsize         len);
/* h(N): hex SHA-256 of the 32 bytes that @nonce_hex encodes; NULL if malformed */
char        *semper_protocol_commit                 (const char   *nonce_hex);
gboolean     semper_protocol_is_hex                 (const char   *text,
                                                     gsize         len);
char        *semper_protocol_new_nonce              (GError      **error);

G_END_DECLS
