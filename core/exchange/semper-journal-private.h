/* semper-journal-private.h: the protocol journal's steps that the wallet's
 * exchanges (fair exchange buyer, contract signing) share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-archive.h"

G_BEGIN_DECLS

/* DESIGN.md rule 3: journal entry @step of exchange @id (@state, the
 * exchange's state as JSON, and @outgoing, the message about to leave, if
 * any) and the raw copy of @outgoing, in one transaction (a savepoint inside
 * an open one), before the message leaves. */
gboolean _semper_journal_append    (SemperArchive  *archive,
                                    const char     *id,
                                    gint64          step,
                                    const char     *state,
                                    GBytes         *outgoing,
                                    GError        **error);

/* DESIGN.md rule 4: the received CMS message @raw of exchange @id, archived
 * as received. */
gboolean _semper_journal_archive_in (SemperArchive  *archive,
                                     const char     *id,
                                     GBytes         *raw,
                                     GError        **error);

/* The journaled state's messages: member @name, base64, only when @bytes is
 * not NULL; and back (NULL when there is no member @name). */
void     _semper_journal_add_bytes (JsonBuilder    *builder,
                                    const char     *name,
                                    GBytes         *bytes);
GBytes  *_semper_journal_opt_bytes (JsonObject     *object,
                                    const char     *name);

G_END_DECLS
