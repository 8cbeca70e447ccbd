/* semper-record-export.c: receipts and contracts as JSON and CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-record-export.h"

#include "semper-money.h"

char *
semper_record_format_time (gint64 time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time);

  if (dt == NULL)
    return g_strdup ("");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
semper_record_add_json (JsonBuilder               *b,
                        SemperArchiveRecordKind    kind,
                        const SemperArchiveRecord *r)
{
  g_autofree char *time = semper_record_format_time (r->time);
  gboolean has_amount = r->amount.currency[0] != '\0';
  g_autofree char *amount = has_amount ? semper_amount_format (&r->amount) : NULL;
  gboolean has_fee = r->fee.currency[0] != '\0';
  g_autofree char *fee = has_fee ? semper_amount_format (&r->fee) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, r->id);
  add_string_or_null (b, kind == SEMPER_ARCHIVE_RECEIPTS ? "merchant" : "peer", r->counterparty);
  add_string_or_null (b, "title", r->title);
  add_string_or_null (b, "amount", amount);
  json_builder_set_member_name (b, "amount_minor");
  if (has_amount)
    json_builder_add_int_value (b, r->amount.minor);
  else
    json_builder_add_null_value (b);
  add_string_or_null (b, "currency", has_amount ? r->amount.currency : NULL);
  add_string_or_null (b, "fee", fee);
  json_builder_set_member_name (b, "fee_minor");
  if (has_fee)
    json_builder_add_int_value (b, r->fee.minor);
  else
    json_builder_add_null_value (b);
  add_string_or_null (b, "payment_system", r->payment_system);
  add_string_or_null (b, "state", r->state);
  add_string_or_null (b, "time", time);
  add_string_or_null (b, "labels", r->labels != NULL ? r->labels : "");
  add_string_or_null (b, "note", r->note != NULL ? r->note : "");
  add_string_or_null (b, "exchange_id", r->exchange_id);
  json_builder_set_member_name (b, "signed");
  json_builder_add_boolean_value (b, r->message_id > 0);
  json_builder_end_object (b);
}

static void
append_cell (GString    *out,
             const char *value,
             gboolean    text)
{
  gboolean quote;

  if (value == NULL)
    value = "";
  quote = strpbrk (value, ",\"\r\n") != NULL;
  if (text && strchr ("=+-@\t", value[0]) != NULL && value[0] != '\0')
    quote = TRUE;

  if (!quote)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '"');
  if (text && value[0] != '\0' && strchr ("=+-@\t", value[0]) != NULL)
    g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
semper_record_append_csv_header (GString                *out,
                                 SemperArchiveRecordKind kind)
{
  g_string_append_printf (out, "id,time,%s,title,amount,currency,fee,payment_system,state,"
                          "labels,note\r\n", kind == SEMPER_ARCHIVE_RECEIPTS ? "merchant" : "peer");
}

/* "12.50 EUR" -> "12.50" */
static char *
format_number (const SemperAmount *amount)
{
  char *text = semper_amount_format (amount);
  char *space = strchr (text, ' ');

  if (space != NULL)
    *space = '\0';
  return text;
}

void
semper_record_append_csv (GString                   *out,
                          const SemperArchiveRecord *r)
{
  g_autofree char *time = semper_record_format_time (r->time);
  g_autofree char *amount = NULL;
  g_autofree char *fee = NULL;

  /* "12.50 EUR" -> "12.50": the currency has its own column. The fee, in the
   * amount's currency, is empty when the payment system reported none. */
  if (r->amount.currency[0] != '\0')
    amount = format_number (&r->amount);
  if (r->fee.currency[0] != '\0')
    fee = format_number (&r->fee);

  g_string_append_printf (out, "%" G_GINT64_FORMAT ",", r->id);
  append_cell (out, time, FALSE);
  g_string_append_c (out, ',');
  append_cell (out, r->counterparty, TRUE);
  g_string_append_c (out, ',');
  append_cell (out, r->title, TRUE);
  g_string_append_c (out, ',');
  append_cell (out, amount, FALSE);
  g_string_append_c (out, ',');
  append_cell (out, r->amount.currency, FALSE);
  g_string_append_c (out, ',');
  append_cell (out, fee, FALSE);
  g_string_append_c (out, ',');
  append_cell (out, r->payment_system, TRUE);
  g_string_append_c (out, ',');
  append_cell (out, r->state, TRUE);
  g_string_append_c (out, ',');
  append_cell (out, r->labels, TRUE);
  g_string_append_c (out, ',');
  append_cell (out, r->note, TRUE);
  g_string_append (out, "\r\n");
}
