/* semper-evidence.h: evidence bundles that still verify years later.
 *
 * An evidence bundle is one file per transaction (an archive exchange: a
 * contract signing, a fair exchange, a payment) carrying every signed
 * message of the exchange as archived (raw bytes), the certificates, the
 * CA's revocation lists as the wallet fetched them, and the TTP's signed
 * tokens. semper_evidence_verify() checks it offline, like long-term
 * validation of signed PDFs: every signature is checked at its signing
 * time against the revocation list (a certificate revoked after a
 * signature leaves that signature valid; revoked at or before it, the
 * signature is refused), and says what the bundle proves. Format, limits
 * and what each protocol proves: docs/evidence.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"
#include "semper-profile.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_EVIDENCE_ERROR (semper_evidence_error_quark ())

typedef enum {
  SEMPER_EVIDENCE_ERROR_INVALID,    /* not a bundle, malformed, over a limit */
  SEMPER_EVIDENCE_ERROR_NOT_FOUND,  /* no exchange or record with that id */
  SEMPER_EVIDENCE_ERROR_EMPTY,      /* the archive holds no signed message for it */
  SEMPER_EVIDENCE_ERROR_REFUSED,    /* a signature, chain, revocation, time or binding fails */
} SemperEvidenceError;

GQuark semper_evidence_error_quark (void);

/* Limits of the format (the parser refuses anything larger). */
#define SEMPER_EVIDENCE_MAX_SIZE     (48 * 1024 * 1024)
#define SEMPER_EVIDENCE_MAX_MESSAGES 64
#define SEMPER_EVIDENCE_MAX_CRLS     16
#define SEMPER_EVIDENCE_MEDIA_TYPE   "application/vnd.semper.evidence+json"
/* How a revocation list is archived (a raw message with no exchange). */
#define SEMPER_EVIDENCE_CRL_TYPE     "application/pkix-crl"

/**
 * SemperEvidenceStatement:
 * One signed message of the bundle as verified.
 */
typedef struct {
  char             *step;       /* protocol step ("m1", "aborted", …) or the document kind */
  char             *direction;  /* "in" or "out", as the wallet archived it */
  GDateTime        *archived;   /* when the wallet archived it */
  SemperSignerInfo *signer;     /* with its signing time */
  char             *sha256;     /* hex SHA-256 of the raw message */
} SemperEvidenceStatement;

/**
 * SemperEvidenceInfo:
 * What a bundle proves, from semper_evidence_verify().
 */
typedef struct {
  char       *protocol;      /* "asw", "fx", … or "messages" */
  char       *exchange_id;   /* the archive exchange (tid) */
  char       *transaction;   /* (nullable) H(m1), the transaction's identity */
  char       *state;         /* "signed", "aborted", "paid", "unfinished", … */
  char       *summary;       /* one translated sentence: what it proves */
  GPtrArray  *findings;      /* (element-type utf8): further translated lines */
  GPtrArray  *statements;    /* (element-type SemperEvidenceStatement) in archive order */
  GBytes     *text;          /* (nullable) the document the parties signed */
  GDateTime  *crl_issued;    /* (nullable) thisUpdate of the revocation list used */
  gboolean    crl_covers;    /* the list was issued after the last signature */
  char       *root;          /* hex SHA-256 of the root the bundle was checked against */
} SemperEvidenceInfo;

void semper_evidence_statement_free (SemperEvidenceStatement *statement);
void semper_evidence_info_free      (SemperEvidenceInfo      *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperEvidenceStatement, semper_evidence_statement_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperEvidenceInfo, semper_evidence_info_free)

/* Keeps @crl (a revocation list as just fetched) in @archive, as a raw
 * message of type SEMPER_EVIDENCE_CRL_TYPE archived now, unless that exact
 * list is there already. `semper ca update-crl` calls it. */
gboolean            semper_evidence_keep_crl       (SemperArchive            *archive,
                                                    GBytes                   *crl,
                                                    GError                  **error);
/* The same for the profile's current list (PROFILE/crl.der), if it has one.
 * Export and disputes call it first. */
gboolean            semper_evidence_archive_crl    (SemperProfile            *profile,
                                                    GError                  **error);

/* The bundle of an archive exchange (@exchange_id: a tid), or of the
 * exchange behind a receipt or contract record. The _archive form needs no
 * unlocked key: @root_der is the profile's pinned root.
 * Returns: (transfer full) (nullable): the bundle's bytes */
GBytes             *semper_evidence_export         (SemperProfile            *profile,
                                                    const char               *exchange_id,
                                                    GError                  **error);
GBytes             *semper_evidence_export_record  (SemperProfile            *profile,
                                                    SemperArchiveRecordKind   kind,
                                                    gint64                    id,
                                                    GError                  **error);
GBytes             *semper_evidence_export_archive (SemperArchive            *archive,
                                                    GBytes                   *root_der,
                                                    const char               *exchange_id,
                                                    GError                  **error);

/* Checks @bundle offline against @root_der (the pinned root; the bundle's
 * own copy must be the same certificate). @extra_crl (nullable): a
 * revocation list the verifier holds itself; the newest valid list wins.
 * Returns: (transfer full) (nullable): what it proves, or %NULL with
 *   SEMPER_EVIDENCE_ERROR_INVALID / _REFUSED (message says which part) */
SemperEvidenceInfo *semper_evidence_verify         (GBytes                   *bundle,
                                                    GBytes                   *root_der,
                                                    GBytes                   *extra_crl,
                                                    GError                  **error);

/* Whether @bytes looks like a bundle (for `semper verify`'s dispatch). */
gboolean            semper_evidence_is_bundle      (GBytes                   *bytes);

G_END_DECLS
