/* semper-ecash-refund.c: refunds of e-cash payments as fresh coins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ecash-refund.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-ecash.h"
#include "semper-money.h"
#include "semper-payment-json-private.h"
#include "semper-payment-system.h"
#include "semper-purse.h"

#define REQUEST_TYPE "semper-ecash-refund-request"
#define MAX_BLINDED 1024

static void
blinded_free (gpointer data)
{
  SemperBankBlinded *b = data;

  g_free (b->denomination);
  g_clear_pointer (&b->blinded, g_bytes_unref);
  g_free (b);
}

void
semper_ecash_refund_request_free (SemperEcashRefundRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->tid);
  g_clear_pointer (&self->coins, g_ptr_array_unref);
  g_free (self);
}

GBytes *
semper_ecash_refund_request_to_json (SemperEcashRefundRequest *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  _semper_pay_add_string (b, "type", REQUEST_TYPE);
  _semper_pay_add_int (b, "version", 1);
  _semper_pay_add_string (b, "tid", self->tid);
  json_builder_set_member_name (b, "coins");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->coins->len; i++)
    {
      SemperBankBlinded *c = self->coins->pdata[i];

      json_builder_begin_object (b);
      _semper_pay_add_string (b, "denomination", c->denomination);
      _semper_pay_add_base64 (b, "blinded", c->blinded);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return _semper_pay_builder_finish (b);
}

SemperEcashRefundRequest *
semper_ecash_refund_request_parse (GBytes  *json,
                                   GError **error)
{
  static const char * const allowed[] = { "type", "version", "tid", "coins", NULL };
  static const char * const coin_members[] = { "denomination", "blinded", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperEcashRefundRequest) self = g_new0 (SemperEcashRefundRequest, 1);
  JsonObject *o;
  JsonNode *node;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);
  o = _semper_pay_json_open (json, REQUEST_TYPE, allowed, &root, error);
  if (o == NULL || (self->tid = _semper_pay_json_hex64 (o, "tid", error)) == NULL)
    return NULL;
  node = json_object_get_member (o, "coins");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (array = json_node_get_array (node)) == 0
      || json_array_get_length (array) > SEMPER_BANK_MAX_COINS)
    {
      g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                   _("A refund request holds 1 to %d coins"), SEMPER_BANK_MAX_COINS);
      return NULL;
    }
  self->coins = g_ptr_array_new_with_free_func (blinded_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      SemperBankBlinded *c;
      const char *denomination;
      JsonObject *co;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                               _("A coin of the refund request is not an object"));
          return NULL;
        }
      co = json_node_get_object (item);
      if (!_semper_pay_json_members (co, coin_members, error)
          || (denomination = _semper_pay_json_string (co, "denomination", TRUE, error)) == NULL)
        return NULL;
      if (!_semper_pay_is_hex64 (denomination))
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                               _("A denomination id is 64 hex digits"));
          return NULL;
        }
      c = g_new0 (SemperBankBlinded, 1);
      g_ptr_array_add (self->coins, c);
      c->denomination = g_strdup (denomination);
      if ((c->blinded = _semper_pay_json_base64 (co, "blinded", MAX_BLINDED, error)) == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- the buyer ------------------------------------------------------------------ */

typedef struct {
  char   *url;
  char   *fingerprint;
} Bank;

static gboolean
linked_bank (SemperArchive  *archive,
             Bank           *out,
             GError        **error)
{
  out->url = semper_archive_pref_get (archive, "bank.url", NULL);
  out->fingerprint = semper_archive_pref_get (archive, "bank.fingerprint", NULL);
  if (out->url == NULL || out->fingerprint == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY,
                           _("No bank account is linked: use “semper bank link”"));
      return FALSE;
    }
  return TRUE;
}

static void
bank_clear (Bank *bank)
{
  g_clear_pointer (&bank->url, g_free);
  g_clear_pointer (&bank->fingerprint, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Bank, bank_clear)

/* (element-type SemperDenomination): the linked bank's, verified. */
static GPtrArray *
denominations (SemperProfile  *profile,
               const Bank     *bank,
               GError        **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(SemperTrust) trust = semper_profile_dup_trust (profile, error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_denomination_free);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;

  if (trust == NULL)
    return NULL;
  url = g_strconcat (bank->url, "/bank/denominations", NULL);
  body = semper_comm_client_get_sync (client, url, NULL, NULL, error);
  if (body == NULL || (entries = semper_bank_denominations_parse (body, error)) == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBankDenominationEntry *e = entries->pdata[i];
      SemperDenomination *d = semper_denomination_new_from_signed (e->signed_description, trust,
                                                                   error);

      if (d == NULL)
        return NULL;
      g_ptr_array_add (list, d);
      if (g_strcmp0 (semper_denomination_get_bank (d), bank->fingerprint) != 0)
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                               _("A denomination is signed by another bank than the linked one"));
          return NULL;
        }
    }
  return g_steal_pointer (&list);
}

static int
by_value_desc (gconstpointer a,
               gconstpointer b)
{
  gint64 va = semper_denomination_get_value (*(SemperDenomination * const *) a);
  gint64 vb = semper_denomination_get_value (*(SemperDenomination * const *) b);

  return va < vb ? 1 : va > vb ? -1 : 0;
}

static GPtrArray *
pending_rows (SemperArchive  *archive,
              const char     *tid,
              GError        **error)
{
  g_autofree char *state = g_strconcat ("refund:", tid, NULL);

  return semper_archive_coin_list (archive, SEMPER_ECASH_REFUND_SYSTEM, state, error);
}

GBytes *
semper_ecash_refund_ask (SemperProfile       *profile,
                         const char          *tid,
                         const SemperAmount  *amount,
                         GError             **error)
{
  SemperArchive *archive;
  g_auto(Bank) bank = { 0 };
  g_autoptr(GPtrArray) denoms = NULL;
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(SemperEcashRefundRequest) request = g_new0 (SemperEcashRefundRequest, 1);
  g_autofree char *state = g_strconcat ("refund:", tid, NULL);
  gint64 left;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (amount != NULL, NULL);

  if (!_semper_pay_is_hex64 (tid) || amount->minor <= 0)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("A refund needs a transaction id and a positive amount"));
      return NULL;
    }
  archive = semper_profile_get_archive (profile);
  if (!linked_bank (archive, &bank, error))
    return NULL;
  request->tid = g_strdup (tid);
  request->coins = g_ptr_array_new_with_free_func (blinded_free);

  /* Asked before: the same coins again (their secrets are journaled). */
  rows = pending_rows (archive, tid, error);
  if (rows == NULL)
    return NULL;
  if (rows->len > 0)
    denoms = denominations (profile, &bank, error);
  for (guint i = 0; i < rows->len; i++)
    {
      SemperArchiveCoin *row = rows->pdata[i];
      g_autoptr(SemperCoinRequest) creq = NULL;
      SemperDenomination *d = NULL;
      SemperBankBlinded *c;

      if (denoms == NULL)
        return NULL;
      for (guint j = 0; j < denoms->len && creq == NULL; j++)
        {
          d = denoms->pdata[j];
          creq = semper_coin_request_new_from_json (row->body, d, NULL);
        }
      if (creq == NULL)
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                               _("A journaled refund coin fits none of the bank's "
                                 "denominations"));
          return NULL;
        }
      c = g_new0 (SemperBankBlinded, 1);
      c->denomination = g_strdup (semper_denomination_get_id (d));
      c->blinded = g_bytes_ref (semper_coin_request_get_blinded (creq));
      g_ptr_array_add (request->coins, c);
    }
  if (rows->len > 0)
    return semper_ecash_refund_request_to_json (request);

  denoms = denominations (profile, &bank, error);
  if (denoms == NULL)
    return NULL;
  for (guint i = 0; i < denoms->len; i++)
    if (g_str_equal (semper_denomination_get_currency (denoms->pdata[i]), amount->currency)
        && semper_denomination_check_withdraw (denoms->pdata[i], now, NULL))
      g_ptr_array_add (usable, denoms->pdata[i]);
  g_ptr_array_sort (usable, by_value_desc);

  /* All the coin requests in one archive transaction: after a crash, asking
   * again finds all of them or none, never a part of the amount. */
  if (!semper_archive_begin (archive, error))
    return NULL;
  left = amount->minor;
  for (guint i = 0; i < usable->len && left > 0; i++)
    {
      SemperDenomination *d = usable->pdata[i];
      gint64 value = semper_denomination_get_value (d);

      while (left >= value && request->coins->len < SEMPER_BANK_MAX_COINS)
        {
          g_autoptr(SemperCoinRequest) creq = semper_coin_request_new (d, error);
          g_autoptr(GBytes) json = NULL;
          SemperArchiveCoin row = { 0 };
          SemperBankBlinded *c;

          if (creq == NULL || (json = semper_coin_request_to_json (creq, error)) == NULL)
            goto fail;
          row.payment_system = (char *) SEMPER_ECASH_REFUND_SYSTEM;
          row.serial = (char *) semper_coin_request_get_id (creq);
          (void) semper_amount_init (&row.value, value, amount->currency, NULL);
          row.state = state;
          row.body = json;
          /* Journaled with its secrets before the blinded value leaves. */
          if (semper_archive_coin_insert (archive, &row, error) == 0)
            goto fail;
          c = g_new0 (SemperBankBlinded, 1);
          c->denomination = g_strdup (semper_denomination_get_id (d));
          c->blinded = g_bytes_ref (semper_coin_request_get_blinded (creq));
          g_ptr_array_add (request->coins, c);
          left -= value;
        }
    }
  if (left != 0)
    {
      g_autofree char *text = semper_amount_format (amount);

      g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                   _("%s cannot be made of the bank's coins"), text);
      goto fail;
    }
  if (!semper_archive_commit (archive, error))
    goto fail;
  return semper_ecash_refund_request_to_json (request);

fail:
  semper_archive_rollback (archive);
  return NULL;
}

/* ---- the merchant ----------------------------------------------------------------- */

GBytes *
semper_ecash_refund_pay (GBytes            *request_json,
                         SemperCommClient  *client,
                         SemperCrypto      *merchant,
                         SemperTrust       *trust,
                         const char        *bank_url,
                         const char        *bank_fingerprint,
                         const char        *account,
                         const char        *key,
                         GError           **error)
{
  g_autoptr(SemperEcashRefundRequest) refund = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  GBytes *raw = NULL;

  refund = semper_ecash_refund_request_parse (request_json, error);
  if (refund == NULL)
    return NULL;
  request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW, key);
  request->account = g_strdup (account);
  for (guint i = 0; i < refund->coins->len; i++)
    {
      SemperBankBlinded *c = refund->coins->pdata[i];

      semper_bank_request_add_coin (request, c->denomination, c->blinded);
    }
  answer = semper_bank_request_send (request, client, merchant, trust, bank_url,
                                     bank_fingerprint, &raw, error);
  if (answer == NULL)
    return NULL;
  return raw;
}

/* ---- the buyer again ---------------------------------------------------------------- */

gboolean
semper_ecash_refund_finish (SemperProfile  *profile,
                            const char     *tid,
                            GBytes         *bank_answer,
                            SemperAmount   *out_amount,
                            GError        **error)
{
  SemperArchive *archive;
  g_auto(Bank) bank = { 0 };
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) denoms = NULL;
  g_autoptr(GPtrArray) coins = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_coin_free);
  gint64 sum = 0;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (tid != NULL && bank_answer != NULL, FALSE);

  archive = semper_profile_get_archive (profile);
  if (out_amount != NULL)
    memset (out_amount, 0, sizeof *out_amount);
  if (!linked_bank (archive, &bank, error))
    return FALSE;
  rows = pending_rows (archive, tid, error);
  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    return TRUE;  /* finished before, or never asked: nothing to add */

  trust = semper_profile_dup_trust (profile, error);
  if (trust == NULL)
    return FALSE;
  content = semper_cms_verify (bank_answer, trust, &info, error);
  if (content == NULL)
    return FALSE;
  if (g_strcmp0 (info->role, SEMPER_ROLE_BANK) != 0
      || !g_str_equal (info->fingerprint, bank.fingerprint))
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("The refund is not signed by the linked bank"));
      return FALSE;
    }
  answer = semper_bank_answer_parse (content, error);
  if (answer == NULL)
    return FALSE;
  if (answer->op != SEMPER_BANK_OP_WITHDRAW || g_strcmp0 (answer->result, "ok") != 0
      || answer->blind_signatures == NULL || answer->blind_signatures->len != rows->len)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_INVALID,
                           _("The bank's answer does not carry this refund's coins"));
      return FALSE;
    }
  denoms = denominations (profile, &bank, error);
  if (denoms == NULL)
    return FALSE;

  /* Unblind and check every coin before storing any. */
  for (guint i = 0; i < rows->len; i++)
    {
      SemperArchiveCoin *row = rows->pdata[i];
      g_autoptr(SemperCoinRequest) creq = NULL;
      SemperDenomination *d = NULL;
      SemperCoin *coin;

      for (guint j = 0; j < denoms->len && creq == NULL; j++)
        {
          d = denoms->pdata[j];
          creq = semper_coin_request_new_from_json (row->body, d, NULL);
        }
      if (creq == NULL)
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_STATE,
                               _("A journaled refund coin fits none of the bank's "
                                 "denominations"));
          return FALSE;
        }
      coin = semper_coin_request_finish (creq, answer->blind_signatures->pdata[i], error);
      if (coin == NULL)
        return FALSE;
      g_ptr_array_add (coins, coin);
      if (!semper_coin_verify (coin, d, error))
        return FALSE;
    }

  if (!semper_archive_begin (archive, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      SemperArchiveCoin *row = rows->pdata[i];
      g_autoptr(GBytes) json = semper_coin_to_json (coins->pdata[i], TRUE, error);
      SemperArchiveCoin fresh = { 0 };

      if (json == NULL)
        goto fail;
      fresh.payment_system = (char *) SEMPER_PURSE_SYSTEM;
      fresh.serial = (char *) semper_coin_get_id (coins->pdata[i]);
      fresh.value = row->value;
      fresh.state = (char *) "fresh";
      fresh.body = json;
      if (semper_archive_coin_insert (archive, &fresh, error) == 0
          || !semper_archive_coin_set_state (archive, row->id, "done", error))
        goto fail;
      sum += row->value.minor;
    }
  if (!semper_archive_commit (archive, error))
    goto fail;
  if (out_amount != NULL)
    (void) semper_amount_init (out_amount, sum,
                               ((SemperArchiveCoin *) rows->pdata[0])->value.currency, NULL);
  return TRUE;

fail:
  semper_archive_rollback (archive);
  return FALSE;
}
