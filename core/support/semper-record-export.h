/* semper-record-export.h: receipts and contracts as JSON and CSV, for the
 * history exports of the wallet and `semper receipts --json`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-archive.h"

G_BEGIN_DECLS

/* Adds one object (the record's fields; amounts as minor units and as text;
 * the time as RFC 3339 UTC) as the next value of @builder. */
void  semper_record_add_json        (JsonBuilder               *builder,
                                     SemperArchiveRecordKind    kind,
                                     const SemperArchiveRecord *record);

/* CSV (RFC 4180, CRLF line ends). Text cells that a spreadsheet would run
 * as a formula (starting with = + - @ or a tab) get a leading apostrophe. */
void  semper_record_append_csv_header (GString                *out,
                                       SemperArchiveRecordKind kind);
void  semper_record_append_csv        (GString                   *out,
                                       const SemperArchiveRecord *record);

/* Returns: (transfer full): @time (unix seconds) as RFC 3339 UTC */
char *semper_record_format_time     (gint64                     time);

G_END_DECLS
