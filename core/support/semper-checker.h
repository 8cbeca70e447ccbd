/* semper-checker.h: the trusted display's checks on a semper document.
 *
 * The checker reads a document's exact bytes and reports everything that
 * could make what the user sees differ from what they sign: bidirectional
 * controls, invisible and control characters, mixed-script and confusable
 * words (ICU's spoof checker, Unicode TR39), non-ASCII digits, over-long
 * lines, and header amounts that do not add up. The rules are in
 * docs/documents.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_CHECKER_ERROR (semper_checker_error_quark ())

typedef enum {
  SEMPER_CHECKER_ERROR_ICU,   /* ICU could not open its data */
} SemperCheckerError;

GQuark semper_checker_error_quark (void);

#define SEMPER_CHECKER_MAX_LINE     200   /* code points a line may hold before LONG_LINE */
#define SEMPER_CHECKER_MAX_FINDINGS 1000  /* more are not reported */

typedef enum {
  SEMPER_FINDING_BIDI_CONTROL,
  SEMPER_FINDING_INVISIBLE,
  SEMPER_FINDING_CONTROL,
  SEMPER_FINDING_MIXED_SCRIPT,
  SEMPER_FINDING_CONFUSABLE,
  SEMPER_FINDING_NON_ASCII_DIGIT,
  SEMPER_FINDING_LONG_LINE,
  SEMPER_FINDING_TOTALS_MISMATCH,
  SEMPER_FINDING_NON_NFC,
} SemperFindingKind;

typedef enum {
  SEMPER_FINDING_WARN,    /* the user must acknowledge it before signing */
  SEMPER_FINDING_REFUSE,  /* the document may not be signed at all */
} SemperFindingSeverity;

/**
 * SemperFinding:
 * @line: 1-based line in the document
 * @column: 1-based column, in code points
 * @offset: byte offset in the document's bytes
 * @length: bytes that the finding covers (the character, the word, the rest of the line, the value)
 * @codepoint: the character at fault, or 0 where none applies (totals, long lines)
 * @kind: what was found
 * @severity: warn or refuse
 * @field: (nullable): the header field the finding is in; NULL in the body
 * @reason: a translated sentence for the user
 */
struct _SemperFinding
{
  guint                 line;
  guint                 column;
  gsize                 offset;
  gsize                 length;
  gunichar              codepoint;
  SemperFindingKind     kind;
  SemperFindingSeverity severity;
  char                 *field;
  char                 *reason;
};

#define SEMPER_TYPE_FINDING (semper_finding_get_type ())
GType          semper_finding_get_type           (void) G_GNUC_CONST;
SemperFinding *semper_finding_copy               (const SemperFinding   *finding);
void           semper_finding_free               (SemperFinding         *finding);
const char    *semper_finding_kind_to_string     (SemperFindingKind      kind);
const char    *semper_finding_severity_to_string (SemperFindingSeverity  severity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperFinding, semper_finding_free)

#define SEMPER_TYPE_CHECKER (semper_checker_get_type ())
G_DECLARE_FINAL_TYPE (SemperChecker, semper_checker, SEMPER, CHECKER, GObject)

SemperChecker *semper_checker_new             (GError         **error);
GPtrArray     *semper_checker_check           (SemperChecker   *self,
                                               SemperDocument  *document);
gboolean       semper_checker_findings_refuse (GPtrArray       *findings);

G_END_DECLS
