/* semper-dispute.h: dispute claims (PROTOCOLS.md F).
 *
 * A dispute claim is a semper document of kind dispute that the user signs
 * through the consent port (the trusted display; `--yes` headless). It
 * names the transaction (its H(m1) and the exchange id), the claim kind and
 * the SHA-256 of the evidence bundle (semper-evidence.h) it comes with. The
 * wallet keeps each claim as a row of the archive's disputes table plus an
 * archive exchange "dispute-<id>" holding the signed claim, the bundle and
 * the TTP's signed answer as raw messages. Sending is journaled before it
 * leaves. The TTP is the first arbiter: for a transaction whose outcome it
 * decided it answers with its signed decision and token; otherwise it
 * answers, signed, that the claim is referred to a human arbiter, who gets
 * the exported dispute file. See docs/evidence.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-evidence.h"
#include "semper-profile.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_DISPUTE_ERROR (semper_dispute_error_quark ())

typedef enum {
  SEMPER_DISPUTE_ERROR_FAILED,
  SEMPER_DISPUTE_ERROR_NOT_FOUND,    /* no dispute or transaction with that id */
  SEMPER_DISPUTE_ERROR_WRONG_STATE,  /* e.g. sending a dispute that was answered */
  SEMPER_DISPUTE_ERROR_INVALID,      /* a malformed claim, request or answer */
  SEMPER_DISPUTE_ERROR_REFUSED,      /* the arbiter refused the claim (not a party, bad bundle) */
} SemperDisputeError;

GQuark semper_dispute_error_quark (void);

typedef enum {
  SEMPER_DISPUTE_CLAIM_PAID_NOT_RECEIVED,
  SEMPER_DISPUTE_CLAIM_GOODS_DO_NOT_MATCH,
  SEMPER_DISPUTE_CLAIM_CHARGED_TWICE,
  SEMPER_DISPUTE_CLAIM_NOT_DELIVERED,
  SEMPER_DISPUTE_CLAIM_OTHER,
} SemperDisputeClaim;

/* "paid-not-received", "goods-do-not-match", "charged-twice", "not-delivered", "other" */
const char *semper_dispute_claim_to_string   (SemperDisputeClaim  claim);
gboolean    semper_dispute_claim_from_string (const char         *text,
                                              SemperDisputeClaim *out_claim);
/* A translated sentence for the claim */
const char *semper_dispute_claim_describe    (SemperDisputeClaim  claim);

/* Dispute states (the disputes table's state column) */
#define SEMPER_DISPUTE_OPEN     "open"      /* signed and kept, not sent */
#define SEMPER_DISPUTE_SENDING  "sending"   /* request journaled, answer not yet archived */
#define SEMPER_DISPUTE_DECIDED  "decided"   /* the TTP decided from its own state */
#define SEMPER_DISPUTE_REFERRED "referred"  /* the TTP referred it to a human arbiter */

/* Decisions in the TTP's answer */
#define SEMPER_DISPUTE_DECISION_ABORTED  "aborted"   /* TTP aborted: nobody bound, nothing owed */
#define SEMPER_DISPUTE_DECISION_RESOLVED "resolved"  /* TTP resolved: its token is the outcome */
#define SEMPER_DISPUTE_DECISION_REFERRED "referred"  /* for a human arbiter */

/**
 * SemperDisputeInfo:
 * One dispute as the wallet holds it (semper_disputes_get()).
 */
typedef struct {
  gint64              id;
  char               *exchange_id;   /* the disputed transaction's exchange */
  char               *transaction;   /* (nullable) its H(m1) */
  SemperDisputeClaim  claim;
  char               *state;         /* SEMPER_DISPUTE_* */
  GBytes             *document;      /* the claim text the user signed */
  GBytes             *signed_claim;  /* (nullable) the CMS of the claim */
  GBytes             *bundle;        /* (nullable) the evidence bundle sent with it */
  char               *ttp_url;       /* (nullable) where it was sent */
  GBytes             *answer;        /* (nullable) the TTP's signed answer (CMS) */
  char               *decision;      /* (nullable) SEMPER_DISPUTE_DECISION_* */
  char               *reason;        /* (nullable) the TTP's explanation */
  GBytes             *token;         /* (nullable) the TTP's token it answered with */
  gint64              created;
  gint64              updated;
} SemperDisputeInfo;

void semper_dispute_info_free (SemperDisputeInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperDisputeInfo, semper_dispute_info_free)

#define SEMPER_TYPE_DISPUTES (semper_disputes_get_type ())
G_DECLARE_FINAL_TYPE (SemperDisputes, semper_disputes, SEMPER, DISPUTES, GObject)

SemperDisputes *semper_disputes_new (SemperProfile  *profile,
                                     GError        **error);

/* Step 1: the claim document for the transaction @exchange_id (its bundle is
 * made now and named by hash), to show in the trusted display. @text
 * (nullable): the user's own words, the document's body.
 * Returns: (transfer full) (nullable): the document's exact bytes */
GBytes     *semper_disputes_draft   (SemperDisputes      *self,
                                     const char          *exchange_id,
                                     SemperDisputeClaim   claim,
                                     const char          *text,
                                     GError             **error);
/* Step 2: signs @document (from draft; @consent for those bytes, consumed)
 * and keeps the claim with its bundle. Returns: the dispute id, 0 on error */
gint64      semper_disputes_open    (SemperDisputes      *self,
                                     GBytes              *document,
                                     SemperConsent       *consent,
                                     GError             **error);
/* (transfer full) (element-type SemperArchiveDispute): newest first; @state nullable */
GPtrArray  *semper_disputes_list    (SemperDisputes      *self,
                                     const char          *state,
                                     GError             **error);
/* Returns: (transfer full) (nullable) */
SemperDisputeInfo *semper_disputes_get (SemperDisputes   *self,
                                        gint64            id,
                                        GError          **error);
/* Sends the claim and its bundle to the TTP at @ttp_url (blocks; journaled
 * first; a dispute in state "sending" is resent byte for byte), verifies
 * and archives the signed answer. Returns: (transfer full) (nullable): the
 * state afterwards */
char       *semper_disputes_send    (SemperDisputes      *self,
                                     gint64               id,
                                     const char          *ttp_url,
                                     GError             **error);
/* The dispute file for a human arbiter: the signed claim, the bundle and
 * the TTP's answer, verifiable offline (`semper verify`).
 * Returns: (transfer full) (nullable) */
GBytes     *semper_disputes_export  (SemperDisputes      *self,
                                     gint64               id,
                                     GError             **error);

/* A dispute file from semper_disputes_export(): the claim, the bundle and any
 * answer, verified offline like a bundle. @out_evidence: (out) (optional)
 * (transfer full). Returns: (transfer full) (nullable) */
gboolean    semper_dispute_is_file  (GBytes              *bytes);
SemperDisputeInfo *semper_dispute_verify (GBytes              *file,
                                          GBytes              *root_der,
                                          GBytes              *extra_crl,
                                          SemperEvidenceInfo **out_evidence,
                                          GError             **error);

/* The TTP's side: checks a request (signed claim + bundle) against @trust,
 * decides from @lookup (the TTP's token for a key, or NULL) and signs the
 * answer with @crypto. Returns: (transfer full) (nullable) the answer (CMS) */
typedef GBytes *(*SemperDisputeLookupFunc) (const char  *key,
                                            gpointer     user_data);
GBytes     *semper_dispute_arbitrate (SemperCrypto           *crypto,
                                      SemperTrust            *trust,
                                      GBytes                 *request,
                                      SemperDisputeLookupFunc lookup,
                                      gpointer                user_data,
                                      GError                **error);

G_END_DECLS
