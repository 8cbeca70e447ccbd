/* semper-obligations.c: the dates that matter, from the archived documents.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-obligations.h"
#include "semper-obligations-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "semper-document.h"

#define DOCUMENT_START "Semper-Document: "
#define DAY (24 * 60 * 60)

void
semper_obligation_free (SemperObligation *obligation)
{
  if (obligation == NULL)
    return;
  g_free (obligation->counterparty);
  g_free (obligation->title);
  g_free (obligation->field);
  g_free (obligation);
}

const char *
semper_obligation_kind_describe (SemperObligationKind kind)
{
  switch (kind)
    {
    case SEMPER_OBLIGATION_DELIVERY:
      return _("Delivery");
    case SEMPER_OBLIGATION_DEADLINE:
      return _("Deadline");
    case SEMPER_OBLIGATION_PAYMENT_DUE:
      return _("Payment due");
    case SEMPER_OBLIGATION_EXPIRES:
      return _("Expires");
    case SEMPER_OBLIGATION_ENDS:
      return _("Ends");
    case SEMPER_OBLIGATION_WITHDRAWAL:
      return _("Withdrawal deadline");
    case SEMPER_OBLIGATION_REFUND:
      return _("Refund deadline");
    default:
      return _("Date");
    }
}

char *
semper_obligation_dup_id (const SemperObligation *obligation)
{
  g_autofree char *field = g_ascii_strdown (obligation->field, -1);

  return g_strdup_printf ("%s-%" G_GINT64_FORMAT "-%s-%" G_GINT64_FORMAT,
                          obligation->record_kind == SEMPER_ARCHIVE_RECEIPTS ? "receipt"
                                                                               : "contract",
                          obligation->record_id, field, obligation->when);
}

gboolean
semper_obligation_is_due_soon (const SemperObligation *obligation,
                               gint64                  now,
                               guint                   days)
{
  return obligation->when >= now - DAY && obligation->when <= now + (gint64) days * DAY;
}

/* Which fields are obligations, and of what kind. */
static gboolean
field_kind (const char           *name,
            SemperObligationKind *out)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_str_equal (lower, "delivery-date"))
    *out = SEMPER_OBLIGATION_DELIVERY;
  else if (g_str_equal (lower, "deadline"))
    *out = SEMPER_OBLIGATION_DEADLINE;
  else if (g_str_equal (lower, "due-date"))
    *out = SEMPER_OBLIGATION_PAYMENT_DUE;
  else if (g_str_equal (lower, "expires"))
    *out = SEMPER_OBLIGATION_EXPIRES;
  else if (g_str_equal (lower, "valid-until"))
    *out = SEMPER_OBLIGATION_ENDS;
  else if (g_str_has_suffix (lower, "-deadline") || g_str_has_suffix (lower, "-until"))
    {
      if (strstr (lower, "withdraw") != NULL || strstr (lower, "cancel") != NULL)
        *out = SEMPER_OBLIGATION_WITHDRAWAL;
      else if (strstr (lower, "refund") != NULL || strstr (lower, "return") != NULL)
        *out = SEMPER_OBLIGATION_REFUND;
      else
        *out = SEMPER_OBLIGATION_DEADLINE;
    }
  else
    return FALSE;
  return TRUE;
}

static void
collect_document (SemperArchiveRecordKind  kind,
                  SemperArchiveRecord     *record,
                  const char              *text,
                  gsize                    len,
                  gint64                   since,
                  GPtrArray               *out)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);
  g_autoptr(SemperDocument) doc = semper_document_parse (bytes, NULL);
  guint n;

  if (doc == NULL)
    return;
  n = semper_document_get_n_fields (doc);
  for (guint i = 0; i < n; i++)
    {
      const char *name = NULL;
      const char *value = NULL;
      g_autoptr(GDateTime) date = NULL;
      SemperObligationKind okind;
      SemperObligation *o;

      if (!semper_document_get_field_at (doc, i, &name, &value, NULL, NULL)
          || !field_kind (name, &okind))
        continue;
      date = semper_document_parse_date (value, NULL);
      if (date == NULL || g_date_time_to_unix (date) < since)
        continue;
      o = g_new0 (SemperObligation, 1);
      o->record_kind = kind;
      o->record_id = record->id;
      o->counterparty = g_strdup (record->counterparty);
      o->title = g_strdup (record->title != NULL ? record->title
                                                 : semper_document_get_field (doc, "Title"));
      o->field = g_strdup (name);
      o->kind = okind;
      o->when = g_date_time_to_unix (date);
      g_ptr_array_add (out, o);
    }
}

/* A record's text may hold several documents one after the other: each
 * starts with a "Semper-Document: " line. */
void
_semper_obligations_collect_record (SemperArchiveRecordKind  kind,
                                    SemperArchiveRecord     *record,
                                    gint64                   since,
                                    GPtrArray               *out)
{
  const char *text = record->text;
  const char *start;

  if (text == NULL)
    return;
  start = g_str_has_prefix (text, DOCUMENT_START) ? text : strstr (text, "\n" DOCUMENT_START);
  while (start != NULL)
    {
      const char *next;

      if (*start == '\n')
        start++;
      next = strstr (start, "\n" DOCUMENT_START);
      collect_document (kind, record, start, next != NULL ? (gsize) (next + 1 - start)
                                                          : strlen (start), since, out);
      start = next;
    }
}

static int
compare_when (gconstpointer a,
              gconstpointer b)
{
  const SemperObligation *oa = *(SemperObligation * const *) a;
  const SemperObligation *ob = *(SemperObligation * const *) b;

  if (oa->when != ob->when)
    return oa->when < ob->when ? -1 : 1;
  if (oa->record_id != ob->record_id)
    return oa->record_id < ob->record_id ? -1 : 1;
  return g_strcmp0 (oa->field, ob->field);
}

GPtrArray *
semper_obligations_collect (SemperArchive  *archive,
                            gint64          now,
                            GError        **error)
{
  static const SemperArchiveRecordKind kinds[] = {
    SEMPER_ARCHIVE_RECEIPTS, SEMPER_ARCHIVE_CONTRACTS
  };
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_obligation_free);
  gint64 since = now - SEMPER_OBLIGATIONS_OVERDUE_DAYS * DAY;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      SemperArchiveRecordQuery query = { .sort = SEMPER_ARCHIVE_SORT_NEWEST };
      g_autoptr(GArray) ids = semper_archive_record_query (archive, kinds[k], &query, error);

      if (ids == NULL)
        return NULL;
      /* Newest first, and only so many: the old ones' dates are long past. */
      for (guint i = 0; i < ids->len && i < SEMPER_OBLIGATIONS_MAX_RECORDS; i++)
        {
          g_autoptr(SemperArchiveRecord) r = NULL;

          r = semper_archive_record_get (archive, kinds[k], g_array_index (ids, gint64, i),
                                         error);
          if (r == NULL)
            return NULL;
          if (r->state != NULL && (g_str_equal (r->state, "aborted")
                                   || g_str_equal (r->state, "cancelled")
                                   || g_str_equal (r->state, "refunded")))
            continue;
          _semper_obligations_collect_record (kinds[k], r, since, out);
        }
    }
  g_ptr_array_sort (out, compare_when);
  return g_steal_pointer (&out);
}
