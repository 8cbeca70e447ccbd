/* semper-evidence-private.h: the bundle's strict parser, shared with the
 * dispute code and the fuzz target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-evidence.h"

G_BEGIN_DECLS

typedef struct {
  SemperMessageDirection  direction;
  gint64                  archived;
  char                   *content_type;
  GBytes                 *data;
} _SemperEvidenceItem;

typedef struct {
  char       *exchange_id;
  char       *protocol;
  gint64      created;
  GBytes     *root;
  GPtrArray  *messages;      /* (element-type _SemperEvidenceItem) */
  GPtrArray  *crls;          /* (element-type _SemperEvidenceItem), content_type NULL */
  GPtrArray  *certificates;  /* (element-type GBytes) */
} _SemperEvidenceBundle;

void                   _semper_evidence_bundle_free (_SemperEvidenceBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (_SemperEvidenceBundle, _semper_evidence_bundle_free)

/* The format only (no signature is checked). Returns: (transfer full) (nullable) */
_SemperEvidenceBundle *_semper_evidence_parse       (GBytes     *bytes,
                                                     GError    **error);
/* Strict canonical base64 of at most @max decoded bytes. (transfer full) (nullable) */
GBytes                *_semper_evidence_decode_b64  (const char *text,
                                                     gsize       max,
                                                     GError    **error);

/* semper-dispute.c: the content of the TTP's answer to a claim (for the fuzz target) */
gboolean               _semper_dispute_parse_answer (GBytes     *content,
                                                     GError    **error);

G_END_DECLS
