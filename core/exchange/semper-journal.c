/* semper-journal.c: the protocol journal's shared steps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-journal-private.h"

#include "semper-comm.h"

static gboolean
store (SemperArchive           *archive,
       SemperMessageDirection   direction,
       const char              *id,
       GBytes                  *raw,
       GError                 **error)
{
  return semper_archive_message_store (archive, direction, id, SEMPER_COMM_CONTENT_TYPE_CMS, raw,
                                       error) != 0;
}

gboolean
_semper_journal_append (SemperArchive  *archive,
                        const char     *id,
                        gint64          step,
                        const char     *state,
                        GBytes         *outgoing,
                        GError        **error)
{
  if (!semper_archive_begin (archive, error))
    return FALSE;
  if (!semper_archive_journal_append (archive, id, step, state, outgoing, error)
      || (outgoing != NULL && !store (archive, SEMPER_MESSAGE_OUT, id, outgoing, error)))
    {
      semper_archive_rollback (archive);
      return FALSE;
    }
  return semper_archive_commit (archive, error);
}

gboolean
_semper_journal_archive_in (SemperArchive  *archive,
                            const char     *id,
                            GBytes         *raw,
                            GError        **error)
{
  return store (archive, SEMPER_MESSAGE_IN, id, raw, error);
}

void
_semper_journal_add_bytes (JsonBuilder *builder,
                           const char  *name,
                           GBytes      *bytes)
{
  g_autofree char *b64 = NULL;

  if (bytes == NULL)
    return;
  b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, b64);
}

GBytes *
_semper_journal_opt_bytes (JsonObject *object,
                           const char *name)
{
  const char *text;
  guchar *data;
  gsize len = 0;

  if (!json_object_has_member (object, name))
    return NULL;
  text = json_object_get_string_member (object, name);
  data = g_base64_decode (text, &len);
  return g_bytes_new_take (data, len);
}
