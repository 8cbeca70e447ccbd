/* semper-obligations-private.h: the per-record step, for the fuzz target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-obligations.h"

G_BEGIN_DECLS

/* Appends to @out (element-type SemperObligation) the dates at or after
 * @since in the documents of @record's text. */
void _semper_obligations_collect_record (SemperArchiveRecordKind  kind,
                                         SemperArchiveRecord     *record,
                                         gint64                   since,
                                         GPtrArray               *out);

G_END_DECLS
