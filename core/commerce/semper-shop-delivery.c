/* semper-shop-delivery.c: the mail order's delivery receipt, wallet side
 * (docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-shop-client.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "semper-archive.h"
#include "semper-document.h"
#include "semper-flow-cursor.h"
#include "semper-money.h"
#include "semper-protocol-message.h"
#include "semper-shop-client-private.h"
#include "semper-shop-private.h"

#define DELIVERY_ITEM "statement/delivery-receipt"

/* H(m1) of the fair exchange @exchange_id: the m1 this wallet journaled. */
static char *
find_m1_hash (SemperShopClient *self,
              const char       *exchange_id,
              GError          **error)
{
  SemperArchive *archive = semper_profile_get_archive (semper_shop_client_get_profile (self));
  g_autoptr(GPtrArray) journal = semper_archive_journal_list (archive, exchange_id, error);

  if (journal == NULL)
    return NULL;
  for (guint i = 0; i < journal->len; i++)
    {
      SemperArchiveJournalEntry *e = g_ptr_array_index (journal, i);
      g_autoptr(SemperProtocolMessage) msg = NULL;

      if (e->outgoing == NULL)
        continue;
      msg = semper_protocol_message_verify (e->outgoing, _semper_shop_client_get_trust (self),
                                            NULL);
      if (msg != NULL
          && g_strcmp0 (semper_protocol_message_get_protocol (msg), SEMPER_PROTOCOL_FX) == 0
          && g_strcmp0 (semper_protocol_message_get_step (msg), "m1") == 0)
        return semper_sha256_hex (e->outgoing);
    }
  g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
               _("The receipt's exchange has no order in the journal"));
  return NULL;
}

static SemperArchiveRecord *
get_receipt (SemperShopClient *self,
             gint64            receipt_id,
             GError          **error)
{
  SemperArchive *archive = semper_profile_get_archive (semper_shop_client_get_profile (self));
  SemperArchiveRecord *record;

  record = semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS, receipt_id, error);
  if (record != NULL && record->exchange_id == NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("Receipt %" PRId64 " belongs to no exchange"), receipt_id);
      semper_archive_record_free (record);
      return NULL;
    }
  return record;
}

GBytes *
semper_shop_client_prepare_delivery_receipt (SemperShopClient *self,
                                             gint64            receipt_id,
                                             GError          **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(SemperDocument) doc = semper_document_new ("receipt", 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *m1_hash = NULL;
  g_autofree char *amount = NULL;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);

  record = get_receipt (self, receipt_id, error);
  if (record == NULL)
    return NULL;
  m1_hash = find_m1_hash (self, record->exchange_id, error);
  if (m1_hash == NULL)
    return NULL;
  amount = semper_amount_format (&record->amount);
  if (!semper_document_add_field (doc, "Title", _("Delivery receipt"), error)
      || !semper_document_add_field (doc, "Date", date, error)
      || !semper_document_add_field (doc, "Merchant", record->counterparty, error)
      || !semper_document_add_field (doc, "Transaction", m1_hash, error)
      || !semper_document_add_field (doc, "Amount", amount, error))
    return NULL;
  semper_document_set_body (doc, _("The goods of this order arrived, complete and as "
                                   "ordered.\n"));
  return semper_document_to_bytes (doc, error);
}

gboolean
semper_shop_client_send_delivery_receipt (SemperShopClient *self,
                                          gint64            receipt_id,
                                          GBytes           *document,
                                          SemperConsent    *consent,
                                          GCancellable     *cancellable,
                                          GError          **error)
{
  SemperProfile *profile = semper_shop_client_get_profile (self);
  SemperArchive *archive = semper_profile_get_archive (profile);
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(SemperFlowCursor) cursor = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GBytes) signed_doc = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *b64 = NULL;
  const SemperServiceStep *fx_step = NULL;
  SemperService *service = NULL;
  const char *m1_hash;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), FALSE);

  record = get_receipt (self, receipt_id, error);
  if (record == NULL)
    return FALSE;
  doc = semper_document_parse (document, error);
  if (doc == NULL)
    return FALSE;
  m1_hash = semper_document_get_field (doc, "Transaction");
  if (m1_hash == NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("Not a delivery receipt from semper_shop_client_prepare_delivery_receipt"));
      return FALSE;
    }
  /* The merchant's certified service whose flow has a delivery receipt after
   * the fair exchange that confirmed the order. */
  listings = semper_shop_client_list_services (self, cancellable, error);
  if (listings == NULL)
    return FALSE;
  for (guint i = 0; i < listings->len && service == NULL; i++)
    {
      SemperShopListing *l = g_ptr_array_index (listings, i);

      if (l->service == NULL
          || !g_str_equal (semper_service_get_merchant (l->service), record->counterparty))
        continue;
      for (guint k = 0; k < semper_service_get_n_steps (l->service); k++)
        {
          const SemperServiceStep *st = semper_service_get_step (l->service, k);

          if (st->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE
              && g_strcmp0 (st->merchant_gives, "statement/confirmation") == 0)
            {
              service = l->service;
              fx_step = st;
            }
        }
    }
  if (service == NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                   _("%s has no certified service with delivery receipts"), record->counterparty);
      return FALSE;
    }
  cursor = semper_flow_cursor_new_at (service, fx_step->id, 4, error);
  if (cursor == NULL)
    return FALSE;
  if (!semper_flow_cursor_accept (cursor, SEMPER_SERVICE_PARTY_BUYER, DELIVERY_ITEM, &local))
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                   _("The signed service does not take a delivery receipt now: %s"),
                   local->message);
      return FALSE;
    }

  signed_doc = semper_profile_sign_document (profile, document, consent, error);
  if (signed_doc == NULL)
    return FALSE;
  /* Journal before it leaves: the signed receipt is evidence of delivery. */
  if (semper_archive_message_store (archive, SEMPER_MESSAGE_OUT, record->exchange_id,
                                    SEMPER_COMM_CONTENT_TYPE_CMS, signed_doc, error) == 0)
    return FALSE;
  b64 = _semper_shop_b64 (signed_doc);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, m1_hash);
  json_builder_set_member_name (b, "receipt");
  json_builder_add_string_value (b, b64);
  json_builder_end_object (b);
  request = semper_json_builder_to_bytes (b);
  answer = _semper_shop_client_post (self, "/delivery", SEMPER_COMM_CONTENT_TYPE_JSON, request,
                                     SEMPER_COMM_CONTENT_TYPE_JSON, cancellable, error);
  if (answer == NULL)
    return FALSE;
  return semper_archive_record_set_state (archive, SEMPER_ARCHIVE_RECEIPTS, receipt_id,
                                          "delivered", error);
}
