/* semper-purse.c: the wallet's e-cash purse.
 *
 * The journal, in the archive's coins table:
 *   "ecash"          the coins; serial = coin id; body = coin JSON with its secret
 *   "ecash-pending"  coin requests in flight; serial = the coin id to be;
 *                    state "req:<key>" until the coin is stored, then "done"
 *   "ecash-request"  bank requests in flight; serial = idempotency key;
 *                    body = the request JSON; state "pending" | "done" | "failed"
 * The rows of a request are written in that order (coin requests, the coin
 * being swapped, the request) before it is sent, so a request row means that
 * everything needed to finish it is stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-purse.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-ecash.h"
#include "semper-money.h"

G_DEFINE_QUARK (semper-purse-error-quark, semper_purse_error)

#define SYSTEM_PENDING "ecash-pending"
#define SYSTEM_REQUEST "ecash-request"
#define PREF_URL "bank.url"
#define PREF_ACCOUNT "bank.account"
#define PREF_FINGERPRINT "bank.fingerprint"

typedef struct {
  SemperDenomination *denom;
  gint64              fee_withdraw;
  gint64              fee_swap;
} PurseDenom;

struct _SemperPurse
{
  GObject           parent_instance;

  SemperProfile    *profile;
  SemperArchive    *archive;
  SemperCrypto     *crypto;
  SemperTrust      *trust;
  SemperCommClient *client;
  GPtrArray        *denoms;   /* (nullable) (element-type PurseDenom): fetched once */
};

G_DEFINE_FINAL_TYPE (SemperPurse, semper_purse, G_TYPE_OBJECT)

enum {
  SIGNAL_JOURNALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* After each journal write, so that tests can kill the process exactly
 * there (the CLI's test hooks) and check the recovery. */
static void
journaled (SemperPurse       *self,
           SemperBankRequest *request,
           const char        *point)
{
  g_autofree char *name = g_strconcat (semper_bank_op_to_string (request->op), ":", point,
                                       NULL);

  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, name);
}

static void
semper_purse_dispose (GObject *object)
{
  SemperPurse *self = SEMPER_PURSE (object);

  g_clear_object (&self->trust);
  g_clear_object (&self->client);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->denoms, g_ptr_array_unref);
  self->archive = NULL;
  self->crypto = NULL;
  G_OBJECT_CLASS (semper_purse_parent_class)->dispose (object);
}

static void
semper_purse_class_init (SemperPurseClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_purse_dispose;

  /**
   * SemperPurse::journaled:
   * @point: "withdraw:" or "swap:" and one of "coin-requests", "coin-marked"
   *   (swap), "request", "answered", "coins"; or "reserve:marked" (coins
   *   marked spending:<tid>), "commit:spent" (a payment's coins marked spent)
   *
   * Emitted right after that journal entry was written.
   */
  signals[SIGNAL_JOURNALED] =
    g_signal_new ("journaled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
semper_purse_init (SemperPurse *self)
{
}

void
semper_purse_spend_free (SemperPurseSpend *spend)
{
  if (spend == NULL)
    return;
  g_free (spend->coin_id);
  g_clear_pointer (&spend->coin, g_bytes_unref);
  g_clear_pointer (&spend->permission, g_bytes_unref);
  g_clear_pointer (&spend->signature, g_bytes_unref);
  g_free (spend);
}

static void
purse_denom_free (gpointer data)
{
  PurseDenom *d = data;

  g_clear_pointer (&d->denom, semper_denomination_free);
  g_free (d);
}

/**
 * semper_purse_new:
 *
 * Returns: (transfer full) (nullable): the purse of @profile
 */
SemperPurse *
semper_purse_new (SemperProfile  *profile,
                  GError        **error)
{
  g_autoptr(SemperPurse) self = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  self = g_object_new (SEMPER_TYPE_PURSE, NULL);
  self->trust = semper_profile_dup_trust (profile, error);
  if (self->trust == NULL)
    return NULL;
  self->profile = g_object_ref (profile);
  self->archive = semper_profile_get_archive (profile);
  self->crypto = semper_profile_get_crypto (profile);
  self->client = semper_comm_client_new ();
  return g_steal_pointer (&self);
}

void
semper_purse_set_timeout (SemperPurse *self,
                          guint        seconds)
{
  g_return_if_fail (SEMPER_IS_PURSE (self));
  semper_comm_client_set_timeout (self->client, seconds);
}

char *
semper_purse_dup_bank_url (SemperPurse *self)
{
  g_return_val_if_fail (SEMPER_IS_PURSE (self), NULL);
  return semper_archive_pref_get (self->archive, PREF_URL, NULL);
}

char *
semper_purse_dup_account (SemperPurse *self)
{
  g_return_val_if_fail (SEMPER_IS_PURSE (self), NULL);
  return semper_archive_pref_get (self->archive, PREF_ACCOUNT, NULL);
}

static char *
new_key (void)
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  char *key = g_malloc (2 * sizeof bytes + 1);

  if (!semper_random_bytes (bytes, sizeof bytes, NULL))
    g_error ("No random bytes");
  for (gsize i = 0; i < sizeof bytes; i++)
    {
      key[2 * i] = hex[bytes[i] >> 4];
      key[2 * i + 1] = hex[bytes[i] & 15];
    }
  key[2 * sizeof bytes] = '\0';
  return key;
}

static gboolean
linked (SemperPurse  *self,
        char        **out_url,
        char        **out_account,
        char        **out_fingerprint,
        GError      **error)
{
  g_autofree char *url = semper_archive_pref_get (self->archive, PREF_URL, NULL);
  g_autofree char *account = semper_archive_pref_get (self->archive, PREF_ACCOUNT, NULL);
  g_autofree char *fingerprint = semper_archive_pref_get (self->archive, PREF_FINGERPRINT, NULL);

  if (url == NULL || account == NULL || fingerprint == NULL)
    {
      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_NOT_LINKED,
                   _("No bank account is linked: use “semper bank link”"));
      return FALSE;
    }
  *out_url = g_steal_pointer (&url);
  if (out_account != NULL)
    *out_account = g_steal_pointer (&account);
  *out_fingerprint = g_steal_pointer (&fingerprint);
  return TRUE;
}

/* Only a refusal (4xx: the bank did not take the request) closes a
 * journaled request. Anything else — no answer, a 5xx, or an answer that
 * does not verify or parse — may hide a request the bank carried out, so
 * it stays journaled and is sent again under the same key. */
static gboolean
is_transient (const GError *error)
{
  guint status;

  if (error->domain != SEMPER_COMM_ERROR || error->code != SEMPER_COMM_ERROR_HTTP_STATUS)
    return TRUE;
  status = semper_comm_error_get_status (error);
  return status < 400 || status >= 500;
}

static SemperBankAnswer *
bank_send (SemperPurse        *self,
      SemperBankRequest  *request,
      GError            **error)
{
  g_autofree char *url = NULL;
  g_autofree char *fingerprint = NULL;

  if (!linked (self, &url, NULL, &fingerprint, error))
    return NULL;
  return semper_bank_request_send (request, self->client, self->crypto, self->trust, url,
                                   fingerprint, NULL, error);
}

gboolean
semper_purse_link (SemperPurse  *self,
                   const char   *bank_url,
                   const char   *account,
                   const char   *code,
                   GError      **error)
{
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *key = new_key ();

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);
  g_return_val_if_fail (bank_url != NULL && account != NULL && code != NULL, FALSE);

  request = semper_bank_request_new (SEMPER_BANK_OP_LINK, key);
  request->account = g_strdup (account);
  request->code = g_strdup (code);
  answer = semper_bank_request_send (request, self->client, self->crypto, self->trust,
                                     bank_url, NULL, &raw, error);
  if (answer == NULL)
    return FALSE;
  content = semper_cms_verify (raw, self->trust, &info, error);
  if (content == NULL)
    return FALSE;
  return semper_archive_pref_set (self->archive, PREF_URL, bank_url, error)
         && semper_archive_pref_set (self->archive, PREF_ACCOUNT, account, error)
         && semper_archive_pref_set (self->archive, PREF_FINGERPRINT, info->fingerprint, error);
}

/* ---- denominations ---------------------------------------------------------- */

static GPtrArray *
download_denominations (SemperPurse  *self,
                        GError      **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (purse_denom_free);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *fingerprint = NULL;

  if (!linked (self, &base, NULL, &fingerprint, error))
    return NULL;
  url = g_strconcat (base, "/bank/denominations", NULL);
  body = semper_comm_client_get_sync (self->client, url, NULL, NULL, error);
  if (body == NULL)
    return NULL;
  entries = semper_bank_denominations_parse (body, error);
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBankDenominationEntry *entry = g_ptr_array_index (entries, i);
      PurseDenom *d = g_new0 (PurseDenom, 1);

      g_ptr_array_add (list, d);
      d->denom = semper_denomination_new_from_signed (entry->signed_description, self->trust,
                                                      error);
      if (d->denom == NULL)
        return NULL;
      if (g_strcmp0 (semper_denomination_get_bank (d->denom), fingerprint) != 0)
        {
          g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                       _("A denomination is signed by another bank than the linked one"));
          return NULL;
        }
      d->fee_withdraw = entry->fee_withdraw;
      d->fee_swap = entry->fee_swap;
    }
  return g_steal_pointer (&list);
}

/* The bank's denominations, each verified against the pinned root and
 * signed by the linked bank; fetched once per purse. (element-type PurseDenom) */
static GPtrArray *
fetch_denominations (SemperPurse  *self,
                     GError      **error)
{
  if (self->denoms == NULL)
    self->denoms = download_denominations (self, error);
  return self->denoms != NULL ? g_ptr_array_ref (self->denoms) : NULL;
}

static PurseDenom *
find_denomination (GPtrArray  *denoms,
                   const char *id)
{
  for (guint i = 0; i < denoms->len; i++)
    {
      PurseDenom *d = g_ptr_array_index (denoms, i);

      if (g_str_equal (semper_denomination_get_id (d->denom), id))
        return d;
    }
  return NULL;
}

static int
by_value_desc (gconstpointer a,
               gconstpointer b)
{
  const PurseDenom *da = *(PurseDenom * const *) a;
  const PurseDenom *db = *(PurseDenom * const *) b;
  gint64 va = semper_denomination_get_value (da->denom);
  gint64 vb = semper_denomination_get_value (db->denom);

  return va < vb ? 1 : va > vb ? -1 : 0;
}

/* Greedy: the largest withdrawable denominations first, appended to @out
 * (borrowed pointers). FALSE when @amount cannot be made exactly. */
static gboolean
decompose (GPtrArray  *denoms,
           const char *currency,
           gint64      amount,
           GPtrArray  *out)
{
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  for (guint i = 0; i < denoms->len; i++)
    {
      PurseDenom *d = g_ptr_array_index (denoms, i);

      if (g_str_equal (semper_denomination_get_currency (d->denom), currency)
          && semper_denomination_check_withdraw (d->denom, now, NULL))
        g_ptr_array_add (usable, d);
    }
  g_ptr_array_sort (usable, by_value_desc);
  for (guint i = 0; i < usable->len && amount > 0; i++)
    {
      PurseDenom *d = g_ptr_array_index (usable, i);
      gint64 value = semper_denomination_get_value (d->denom);

      while (amount >= value && out->len < SEMPER_BANK_MAX_COINS)
        {
          g_ptr_array_add (out, d);
          amount -= value;
        }
    }
  return amount == 0;
}

/* ---- the journal ------------------------------------------------------------ */

static GPtrArray *
rows (SemperPurse *self,
      const char  *system,
      const char  *state,
      GError     **error)
{
  return semper_archive_coin_list (self->archive, system, state, error);
}

static gint64
insert_row (SemperPurse        *self,
            const char         *system,
            const char         *serial,
            const SemperAmount *value,
            const char         *state,
            GBytes             *body,
            GError            **error)
{
  SemperArchiveCoin row = { 0 };

  row.payment_system = (char *) system;
  row.serial = (char *) serial;
  row.value = *value;
  row.state = (char *) state;
  row.body = body;
  return semper_archive_coin_insert (self->archive, &row, error);
}

static gboolean
set_rows_state (SemperPurse *self,
                const char  *system,
                const char  *from,
                const char  *to,
                GError     **error)
{
  g_autoptr(GPtrArray) list = rows (self, system, from, error);

  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (list, i);

      if (!semper_archive_coin_set_state (self->archive, row->id, to, error))
        return FALSE;
    }
  return TRUE;
}

static SemperArchiveCoin *
find_row (GPtrArray  *list,
          const char *serial)
{
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (list, i);

      if (g_str_equal (row->serial, serial))
        return row;
    }
  return NULL;
}

/* Makes the coin requests for @chosen, journals them under @key, and adds
 * their blinded coins to @request. (element-type SemperCoinRequest) */
static GPtrArray *
journal_coin_requests (SemperPurse       *self,
                       SemperBankRequest *request,
                       GPtrArray         *chosen,
                       GError           **error)
{
  g_autoptr(GPtrArray) creqs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_coin_request_free);
  g_autofree char *state = g_strconcat ("req:", request->key, NULL);

  for (guint i = 0; i < chosen->len; i++)
    {
      PurseDenom *d = g_ptr_array_index (chosen, i);
      g_autoptr(SemperCoinRequest) creq = semper_coin_request_new (d->denom, error);
      g_autoptr(GBytes) json = NULL;
      SemperAmount value;

      if (creq == NULL)
        return NULL;
      json = semper_coin_request_to_json (creq, error);
      if (json == NULL)
        return NULL;
      semper_amount_init (&value, semper_denomination_get_value (d->denom),
                          semper_denomination_get_currency (d->denom), NULL);
      if (insert_row (self, SYSTEM_PENDING, semper_coin_request_get_id (creq), &value, state,
                      json, error) == 0)
        return NULL;
      semper_bank_request_add_coin (request, semper_denomination_get_id (d->denom),
                                    semper_coin_request_get_blinded (creq));
      g_ptr_array_add (creqs, g_steal_pointer (&creq));
    }
  return g_steal_pointer (&creqs);
}

static gboolean
journal_request (SemperPurse        *self,
                 SemperBankRequest  *request,
                 const SemperAmount *value,
                 GError            **error)
{
  g_autoptr(GBytes) json = semper_bank_request_to_json (request);

  return insert_row (self, SYSTEM_REQUEST, request->key, value, "pending", json, error) != 0;
}

static gboolean
finish_request (SemperPurse *self,
                const char  *key,
                const char  *state,
                GError     **error)
{
  g_autoptr(GPtrArray) list = rows (self, SYSTEM_REQUEST, "pending", error);
  g_autofree char *req_state = g_strconcat ("req:", key, NULL);
  SemperArchiveCoin *row;

  if (list == NULL)
    return FALSE;
  if (!set_rows_state (self, SYSTEM_PENDING, req_state, state, error))
    return FALSE;
  row = find_row (list, key);
  return row == NULL || semper_archive_coin_set_state (self->archive, row->id, state, error);
}

/* Unblinds the bank's signatures, checks and stores the coins, and closes
 * the request. For a swap, the old coin is spent either way. */
static gboolean
complete (SemperPurse       *self,
          SemperBankRequest *request,
          GPtrArray         *creqs,
          GPtrArray         *denoms,
          SemperBankAnswer  *answer,
          gboolean          *out_double_spent,
          GError           **error)
{
  g_autofree char *swapping = g_strconcat ("swapping:", request->key, NULL);

  *out_double_spent = FALSE;
  if (g_str_equal (answer->result, "double-spent"))
    {
      /* The coin was deposited first (by the merchant it was given to). */
      *out_double_spent = TRUE;
      return set_rows_state (self, SEMPER_PURSE_SYSTEM, swapping, "spent", error)
             && finish_request (self, request->key, "failed", error);
    }
  if (answer->blind_signatures == NULL || answer->blind_signatures->len != creqs->len)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The bank answered with the wrong number of coins"));
      return FALSE;
    }
  for (guint i = 0; i < creqs->len; i++)
    {
      SemperCoinRequest *creq = g_ptr_array_index (creqs, i);
      SemperBankBlinded *asked = g_ptr_array_index (request->coins, i);
      PurseDenom *d = find_denomination (denoms, asked->denomination);
      g_autoptr(SemperCoin) coin = NULL;
      g_autoptr(GBytes) json = NULL;
      g_autoptr(GError) local = NULL;
      SemperAmount value;

      if (d == NULL)
        {
          g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                       _("The bank no longer publishes a denomination of these coins"));
          return FALSE;
        }
      coin = semper_coin_request_finish (creq, g_ptr_array_index (answer->blind_signatures, i),
                                         error);
      if (coin == NULL || !semper_coin_verify (coin, d->denom, error))
        return FALSE;
      json = semper_coin_to_json (coin, TRUE, error);
      if (json == NULL)
        return FALSE;
      semper_amount_init (&value, semper_denomination_get_value (d->denom),
                          semper_denomination_get_currency (d->denom), NULL);
      if (insert_row (self, SEMPER_PURSE_SYSTEM, semper_coin_get_id (coin), &value, "fresh",
                      json, &local) == 0
          && !g_error_matches (local, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  journaled (self, request, "coins");
  return set_rows_state (self, SEMPER_PURSE_SYSTEM, swapping, "spent", error)
         && finish_request (self, request->key, "done", error);
}

/* Sends a journaled request and completes it. A bank that does not answer
 * leaves it journaled (SEMPER_PURSE_ERROR_PENDING); a refusal closes it and
 * gives a coin being swapped back to the purse. */
static gboolean
run (SemperPurse       *self,
     SemperBankRequest *request,
     GPtrArray         *creqs,
     GPtrArray         *denoms,
     gboolean          *out_double_spent,
     SemperBankAnswer **out_answer,
     GError           **error)
{
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *swapping = g_strconcat ("swapping:", request->key, NULL);

  answer = bank_send (self, request, &local);
  if (answer == NULL)
    {
      if (is_transient (local))
        {
          g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_PENDING,
                       _("No usable answer from the bank (%s); the request is kept and will "
                         "be sent again"), local->message);
          return FALSE;
        }
      if (!set_rows_state (self, SEMPER_PURSE_SYSTEM, swapping, "fresh", error)
          || !finish_request (self, request->key, "failed", error))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  journaled (self, request, "answered");
  if (!complete (self, request, creqs, denoms, answer, out_double_spent, error))
    return FALSE;
  if (out_answer != NULL)
    *out_answer = g_steal_pointer (&answer);
  return TRUE;
}

/* ---- balance and withdraw ---------------------------------------------------- */

gboolean
semper_purse_get_balance (SemperPurse   *self,
                          const char    *currency,
                          SemperAmount  *out,
                          GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  gint64 sum = 0;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);

  if (!semper_amount_init (out, 0, currency, error))
    return FALSE;
  list = rows (self, SEMPER_PURSE_SYSTEM, "fresh", error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (list, i);

      if (g_str_equal (row->value.currency, currency))
        sum += row->value.minor;
    }
  out->minor = sum;
  return TRUE;
}

GArray *
semper_purse_dup_account_balances (SemperPurse  *self,
                                   GError      **error)
{
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *account = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), NULL);

  if (!linked (self, &url, &account, &fingerprint, error))
    return NULL;
  request = semper_bank_request_new (SEMPER_BANK_OP_BALANCE, NULL);
  request->account = g_steal_pointer (&account);
  answer = bank_send (self, request, error);
  if (answer == NULL)
    return NULL;
  if (answer->balances == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("The bank's answer lists no balances"));
      return NULL;
    }
  return g_array_ref (answer->balances);
}

gboolean
semper_purse_withdraw (SemperPurse         *self,
                       const SemperAmount  *amount,
                       SemperAmount        *out_fee,
                       GError             **error)
{
  g_autoptr(GPtrArray) denoms = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) creqs = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *account = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *key = new_key ();
  gboolean double_spent;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);

  if (!linked (self, &url, &account, &fingerprint, error))
    return FALSE;
  if (amount->minor <= 0)
    {
      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_AMOUNT,
                   _("Withdraw a positive amount"));
      return FALSE;
    }
  denoms = fetch_denominations (self, error);
  if (denoms == NULL)
    return FALSE;
  if (!decompose (denoms, amount->currency, amount->minor, chosen))
    {
      g_autofree char *text = semper_amount_format (amount);

      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_AMOUNT,
                   _("%s cannot be made of the bank's coins (at most %d coins at a time)"),
                   text, SEMPER_BANK_MAX_COINS);
      return FALSE;
    }

  request = semper_bank_request_new (SEMPER_BANK_OP_WITHDRAW, key);
  request->account = g_steal_pointer (&account);
  creqs = journal_coin_requests (self, request, chosen, error);
  if (creqs == NULL)
    return FALSE;
  journaled (self, request, "coin-requests");
  if (!journal_request (self, request, amount, error))
    return FALSE;
  journaled (self, request, "request");
  if (!run (self, request, creqs, denoms, &double_spent, &answer, error))
    return FALSE;
  if (out_fee != NULL)
    semper_amount_init (out_fee, answer->fee, amount->currency, NULL);
  return TRUE;
}

/* ---- swap, spending ----------------------------------------------------------- */

/* Swaps the coin in @row for fresh coins: first @first (0 for none), then
 * the rest of its value less the fee. */
static gboolean
swap (SemperPurse       *self,
      SemperArchiveCoin *row,
      GPtrArray         *denoms,
      gint64             first,
      gboolean          *out_double_spent,
      GError           **error)
{
  g_autoptr(SemperCoin) coin = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) creqs = NULL;
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(GBytes) permission = NULL;
  g_autofree char *key = new_key ();
  g_autofree char *tid = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *url = NULL;
  g_autofree char *state = NULL;
  SemperDepositPermission p = { 0 };
  PurseDenom *d;
  gint64 target;

  if (!linked (self, &url, NULL, &fingerprint, error))
    return FALSE;
  coin = semper_coin_new_from_json (row->body, error);
  if (coin == NULL)
    return FALSE;
  d = find_denomination (denoms, semper_coin_get_denomination_id (coin));
  if (d == NULL)
    {
      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_STATE,
                   _("The bank no longer takes this coin's denomination"));
      return FALSE;
    }
  target = row->value.minor - d->fee_swap;
  if (first > target
      || !(first == 0 || decompose (denoms, row->value.currency, first, chosen))
      || !decompose (denoms, row->value.currency, target - first, chosen)
      || chosen->len == 0)
    {
      g_ptr_array_set_size (chosen, 0);
      if (!decompose (denoms, row->value.currency, target, chosen) || chosen->len == 0)
        {
          g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_AMOUNT,
                       _("The coin cannot be changed into the bank's coins"));
          return FALSE;
        }
    }

  request = semper_bank_request_new (SEMPER_BANK_OP_SWAP, key);
  creqs = journal_coin_requests (self, request, chosen, error);
  if (creqs == NULL)
    return FALSE;
  journaled (self, request, "coin-requests");
  tid = semper_bank_swap_tid (request->coins);
  p.coin = (char *) semper_coin_get_id (coin);
  p.tid = tid;
  p.amount = row->value;
  p.merchant = fingerprint;
  permission = semper_deposit_permission_to_json (&p);
  request->signature = semper_coin_sign (coin, permission, error);
  if (request->signature == NULL)
    return FALSE;
  request->permission = g_steal_pointer (&permission);
  request->coin = semper_coin_to_json (coin, FALSE, error);
  if (request->coin == NULL)
    return FALSE;
  state = g_strconcat ("swapping:", key, NULL);
  if (!semper_archive_coin_set_state (self->archive, row->id, state, error))
    return FALSE;
  journaled (self, request, "coin-marked");
  if (!journal_request (self, request, &row->value, error))
    return FALSE;
  journaled (self, request, "request");
  return run (self, request, creqs, denoms, out_double_spent, NULL, error);
}

static gboolean
check_tid (const char  *tid,
           GError     **error)
{
  if (tid == NULL || strlen (tid) != 64 || strspn (tid, "0123456789abcdef") != 64)
    {
      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_STATE,
                   _("A transaction id is 64 lower-case hex digits"));
      return FALSE;
    }
  return TRUE;
}

static int
row_by_value_desc (gconstpointer a,
                   gconstpointer b)
{
  const SemperArchiveCoin *ra = *(SemperArchiveCoin * const *) a;
  const SemperArchiveCoin *rb = *(SemperArchiveCoin * const *) b;

  return ra->value.minor < rb->value.minor ? 1 : ra->value.minor > rb->value.minor ? -1 : 0;
}

gboolean
semper_purse_reserve (SemperPurse         *self,
                      const char          *tid,
                      const SemperAmount  *amount,
                      GError             **error)
{
  g_autofree char *state = NULL;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);

  if (!check_tid (tid, error))
    return FALSE;
  state = g_strconcat ("spending:", tid, NULL);

  /* At most one swap for change, then an exact selection. */
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(GPtrArray) list = rows (self, SEMPER_PURSE_SYSTEM, "fresh", error);
      g_autoptr(GPtrArray) picked = g_ptr_array_new ();
      g_autoptr(GPtrArray) denoms = NULL;
      SemperArchiveCoin *larger = NULL;
      gint64 remaining = amount->minor, total = 0;
      gboolean double_spent;

      if (list == NULL)
        return FALSE;
      g_ptr_array_sort (list, row_by_value_desc);
      for (guint i = 0; i < list->len; i++)
        {
          SemperArchiveCoin *row = g_ptr_array_index (list, i);

          if (!g_str_equal (row->value.currency, amount->currency))
            continue;
          total += row->value.minor;
          if (row->value.minor <= remaining)
            {
              g_ptr_array_add (picked, row);
              remaining -= row->value.minor;
            }
          else
            larger = row;  /* the smallest coin larger than what is left, in the end */
        }
      if (remaining == 0)
        {
          for (guint i = 0; i < picked->len; i++)
            {
              SemperArchiveCoin *row = g_ptr_array_index (picked, i);

              if (!semper_archive_coin_set_state (self->archive, row->id, state, error))
                return FALSE;
            }
          g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, "reserve:marked");
          return TRUE;
        }
      if (total < amount->minor || larger == NULL || round == 1)
        break;
      denoms = fetch_denominations (self, error);
      if (denoms == NULL || !swap (self, larger, denoms, remaining, &double_spent, error))
        return FALSE;
    }
  g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_INSUFFICIENT,
               _("The purse does not hold enough coins for this amount"));
  return FALSE;
}

GPtrArray *
semper_purse_payment (SemperPurse  *self,
                      const char   *tid,
                      const char   *merchant,
                      GError      **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_purse_spend_free);
  g_autofree char *state = NULL;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), NULL);

  if (!check_tid (tid, error) || !check_tid (merchant, error))
    return NULL;
  state = g_strconcat ("spending:", tid, NULL);
  list = rows (self, SEMPER_PURSE_SYSTEM, state, error);
  if (list == NULL)
    return NULL;
  if (list->len == 0)
    {
      g_set_error (error, SEMPER_PURSE_ERROR, SEMPER_PURSE_ERROR_STATE,
                   _("No coins are reserved for this transaction"));
      return NULL;
    }
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (list, i);
      g_autoptr(SemperCoin) coin = semper_coin_new_from_json (row->body, error);
      g_autoptr(SemperPurseSpend) spend = g_new0 (SemperPurseSpend, 1);
      SemperDepositPermission p = { 0 };

      if (coin == NULL)
        return NULL;
      p.coin = (char *) semper_coin_get_id (coin);
      p.tid = (char *) tid;
      p.amount = row->value;
      p.merchant = (char *) merchant;
      spend->coin_id = g_strdup (semper_coin_get_id (coin));
      spend->permission = semper_deposit_permission_to_json (&p);
      spend->signature = semper_coin_sign (coin, spend->permission, error);
      if (spend->signature == NULL)
        return NULL;
      spend->coin = semper_coin_to_json (coin, FALSE, error);
      if (spend->coin == NULL)
        return NULL;
      g_ptr_array_add (out, g_steal_pointer (&spend));
    }
  return g_steal_pointer (&out);
}

gboolean
semper_purse_commit (SemperPurse  *self,
                     const char   *tid,
                     GError      **error)
{
  g_autofree char *state = NULL;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);

  if (!check_tid (tid, error))
    return FALSE;
  state = g_strconcat ("spending:", tid, NULL);
  if (!set_rows_state (self, SEMPER_PURSE_SYSTEM, state, "spent", error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, "commit:spent");
  return TRUE;
}

gboolean
semper_purse_reclaim (SemperPurse  *self,
                      const char   *tid,
                      GError      **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) denoms = NULL;
  g_autofree char *state = NULL;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), FALSE);

  if (!check_tid (tid, error))
    return FALSE;
  state = g_strconcat ("spending:", tid, NULL);
  list = rows (self, SEMPER_PURSE_SYSTEM, state, error);
  if (list == NULL)
    return FALSE;
  if (list->len == 0)
    return TRUE;
  denoms = fetch_denominations (self, error);
  if (denoms == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      gboolean double_spent;

      if (!swap (self, g_ptr_array_index (list, i), denoms, 0, &double_spent, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- expiry ------------------------------------------------------------------- */

int
semper_purse_refresh (SemperPurse  *self,
                      GTimeSpan     horizon,
                      GError      **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) denoms = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) soon = g_date_time_add (now, horizon);
  int renewed = 0;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), -1);

  list = rows (self, SEMPER_PURSE_SYSTEM, "fresh", error);
  if (list == NULL)
    return -1;
  if (list->len == 0)
    return 0;
  denoms = fetch_denominations (self, error);
  if (denoms == NULL)
    return -1;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (list, i);
      g_autoptr(SemperCoin) coin = semper_coin_new_from_json (row->body, error);
      PurseDenom *d;
      gboolean double_spent;

      if (coin == NULL)
        return -1;
      d = find_denomination (denoms, semper_coin_get_denomination_id (coin));
      /* A denomination the bank no longer publishes takes no deposit: the
       * coin cannot be renewed any more (docs/bank.md). */
      if (d == NULL)
        continue;
      if (semper_denomination_check_withdraw (d->denom, now, NULL)
          && g_date_time_compare (semper_denomination_get_deposit_until (d->denom), soon) > 0)
        continue;
      if (!swap (self, row, denoms, 0, &double_spent, error))
        return -1;
      if (!double_spent)
        renewed++;
    }
  return renewed;
}

/* ---- recovery ------------------------------------------------------------------ */

static int
row_by_id (gconstpointer a,
           gconstpointer b)
{
  const SemperArchiveCoin *ra = *(SemperArchiveCoin * const *) a;
  const SemperArchiveCoin *rb = *(SemperArchiveCoin * const *) b;

  return ra->id < rb->id ? -1 : ra->id > rb->id ? 1 : 0;
}

static gboolean
recover_one (SemperPurse       *self,
             SemperArchiveCoin *row,
             GPtrArray         *denoms,
             GError           **error)
{
  g_autoptr(SemperBankRequest) request = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) creqs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_coin_request_free);
  g_autoptr(GBytes) again = NULL;
  g_autofree char *state = NULL;
  gboolean double_spent;

  request = semper_bank_request_parse (row->body, error);
  if (request == NULL)
    return FALSE;
  again = semper_bank_request_to_json (request);
  if (!g_bytes_equal (again, row->body))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("A journaled bank request does not read back identically"));
      return FALSE;
    }
  state = g_strconcat ("req:", request->key, NULL);
  pending = rows (self, SYSTEM_PENDING, state, error);
  if (pending == NULL)
    return FALSE;
  g_ptr_array_sort (pending, row_by_id);
  if (pending->len != request->coins->len)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("A journaled bank request lost its coin requests"));
      return FALSE;
    }
  for (guint i = 0; i < pending->len; i++)
    {
      SemperArchiveCoin *prow = g_ptr_array_index (pending, i);
      SemperBankBlinded *asked = g_ptr_array_index (request->coins, i);
      PurseDenom *d = find_denomination (denoms, asked->denomination);
      SemperCoinRequest *creq;

      if (d == NULL)
        {
          g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                       _("The bank no longer publishes a denomination of a pending request"));
          return FALSE;
        }
      creq = semper_coin_request_new_from_json (prow->body, d->denom, error);
      if (creq == NULL)
        return FALSE;
      g_ptr_array_add (creqs, creq);
      if (!g_bytes_equal (semper_coin_request_get_blinded (creq), asked->blinded))
        {
          g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                       _("A journaled coin request does not match its bank request"));
          return FALSE;
        }
    }
  return run (self, request, creqs, denoms, &double_spent, NULL, error);
}

int
semper_purse_recover (SemperPurse  *self,
                      GError      **error)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) denoms = NULL;
  int done = 0;

  g_return_val_if_fail (SEMPER_IS_PURSE (self), -1);

  requests = rows (self, SYSTEM_REQUEST, "pending", error);
  if (requests == NULL)
    return -1;

  /* A coin marked for a swap whose request was never journaled never left. */
  all = rows (self, SEMPER_PURSE_SYSTEM, NULL, error);
  if (all == NULL)
    return -1;
  for (guint i = 0; i < all->len; i++)
    {
      SemperArchiveCoin *row = g_ptr_array_index (all, i);

      if (g_str_has_prefix (row->state, "swapping:")
          && find_row (requests, row->state + strlen ("swapping:")) == NULL
          && !semper_archive_coin_set_state (self->archive, row->id, "fresh", error))
        return -1;
    }

  if (requests->len == 0)
    return 0;
  g_ptr_array_sort (requests, row_by_id);
  denoms = fetch_denominations (self, error);
  if (denoms == NULL)
    return -1;
  for (guint i = 0; i < requests->len; i++)
    {
      if (!recover_one (self, g_ptr_array_index (requests, i), denoms, error))
        return -1;
      done++;
    }
  return done;
}
