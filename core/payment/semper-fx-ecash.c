/* semper-fx-ecash.c: e-cash as a payment system of the fair exchange.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fx-ecash.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-bank-request.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-ecash.h"
#include "semper-fx-account.h"
#include "semper-message.h"
#include "semper-fx-ttp.h"
#include "semper-json-private.h"

struct _SemperFxEcash
{
  GObject           parent_instance;

  SemperPurse      *purse;      /* buyer */
  SemperProfile    *profile;    /* buyer */
  SemperCrypto     *crypto;     /* merchant, or the buyer's (borrowed from profile) */
  SemperTrust      *trust;
  char             *bank_url;   /* merchant */
  char             *bank_fingerprint;
  char             *fingerprint; /* merchant */
  gboolean          ttp;         /* the TTP's side; bank_url may be NULL */
  SemperCommClient *client;
};

G_DEFINE_FINAL_TYPE (SemperFxEcash, semper_fx_ecash, G_TYPE_OBJECT)

static void
semper_fx_ecash_dispose (GObject *object)
{
  SemperFxEcash *self = SEMPER_FX_ECASH (object);

  g_clear_object (&self->purse);
  g_clear_object (&self->profile);
  g_clear_object (&self->crypto);
  g_clear_object (&self->trust);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (semper_fx_ecash_parent_class)->dispose (object);
}

static void
semper_fx_ecash_finalize (GObject *object)
{
  SemperFxEcash *self = SEMPER_FX_ECASH (object);

  g_free (self->bank_url);
  g_free (self->bank_fingerprint);
  g_free (self->fingerprint);
  G_OBJECT_CLASS (semper_fx_ecash_parent_class)->finalize (object);
}

static void
semper_fx_ecash_class_init (SemperFxEcashClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_fx_ecash_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_fx_ecash_finalize;
}

static void
semper_fx_ecash_init (SemperFxEcash *self)
{
  self->client = semper_comm_client_new ();
}

static gboolean
payment_error (GError    **error,
               const char *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
payment_error (GError    **error,
               const char *format,
               ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT, text);
  return FALSE;
}

/* ---- the proof -------------------------------------------------------------- */

static void
proof_coin_free (gpointer data)
{
  SemperFxEcashCoin *c = data;

  g_clear_pointer (&c->coin, g_bytes_unref);
  g_clear_pointer (&c->permission, g_bytes_unref);
  g_clear_pointer (&c->signature, g_bytes_unref);
  g_clear_pointer (&c->denomination, g_bytes_unref);
  g_free (c);
}

static GBytes *
canonical_base64 (JsonObject *object,
                  const char *name,
                  gsize       max)
{
  const char *text = semper_json_get_string (object, name);
  guchar *data;
  gsize len = 0;
  g_autofree char *again = NULL;

  if (text == NULL || strlen (text) == 0 || strlen (text) > max)
    return NULL;
  data = g_base64_decode (text, &len);
  again = g_base64_encode (data, len);
  if (len == 0 || !g_str_equal (again, text))
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

GPtrArray *
semper_fx_ecash_proof_parse (GBytes  *json,
                             GError **error)
{
  static const char * const coin_members[] = { "coin", "permission", "signature",
                                               "denomination" };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) coins = g_ptr_array_new_with_free_func (proof_coin_free);
  JsonObject *object;
  JsonNode *list;
  JsonNode *type, *version;
  JsonArray *array;

  root = semper_message_parse (json, SEMPER_FX_ECASH_MAX_PROOF, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  type = json_object_get_member (object, "type");
  version = json_object_get_member (object, "version");
  list = json_object_get_member (object, "coins");
  if (json_object_get_size (object) != 3 || type == NULL || !JSON_NODE_HOLDS_VALUE (type)
      || json_node_get_value_type (type) != G_TYPE_STRING
      || g_strcmp0 (json_node_get_string (type), "semper-fx-ecash-proof") != 0
      || version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1
      || list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      payment_error (error, _("Malformed e-cash proof of payment"));
      return NULL;
    }
  array = json_node_get_array (list);
  if (json_array_get_length (array) == 0
      || json_array_get_length (array) > SEMPER_BANK_MAX_COINS)
    {
      payment_error (error, _("An e-cash proof holds 1 to %d coins"), SEMPER_BANK_MAX_COINS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      SemperFxEcashCoin *c;
      JsonObject *entry;
      gboolean ok = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || json_object_get_size (json_node_get_object (node)) != G_N_ELEMENTS (coin_members))
        {
          payment_error (error, _("Malformed coin in the e-cash proof"));
          return NULL;
        }
      entry = json_node_get_object (node);
      c = g_new0 (SemperFxEcashCoin, 1);
      g_ptr_array_add (coins, c);
      c->coin = canonical_base64 (entry, "coin", SEMPER_ECASH_MAX_JSON * 2);
      c->permission = canonical_base64 (entry, "permission", 8192);
      c->signature = canonical_base64 (entry, "signature", 256);
      c->denomination = canonical_base64 (entry, "denomination", 64 * 1024);
      ok = c->coin != NULL && c->permission != NULL && c->signature != NULL
           && c->denomination != NULL;
      if (!ok)
        {
          payment_error (error, _("Malformed coin in the e-cash proof"));
          return NULL;
        }
    }
  return g_steal_pointer (&coins);
}

static GBytes *
proof_to_json (GPtrArray *coins)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-fx-ecash-proof");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "coins");
  json_builder_begin_array (b);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperFxEcashCoin *c = g_ptr_array_index (coins, i);
      GBytes *parts[] = { c->coin, c->permission, c->signature, c->denomination };
      const char *names[] = { "coin", "permission", "signature", "denomination" };

      json_builder_begin_object (b);
      for (guint j = 0; j < G_N_ELEMENTS (parts); j++)
        {
          g_autofree char *b64 = g_base64_encode (g_bytes_get_data (parts[j], NULL),
                                                  g_bytes_get_size (parts[j]));

          json_builder_set_member_name (b, names[j]);
          json_builder_add_string_value (b, b64);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

/* Checks one coin of a proof offline; returns its value. */
static gboolean
check_coin (SemperTrust        *trust,
            SemperFxEcashCoin  *c,
            const char         *key,
            const char         *merchant,
            SemperAmount       *out_value,
            char              **out_id,
            GError            **error)
{
  g_autoptr(SemperDenomination) denom = NULL;
  g_autoptr(SemperCoin) coin = NULL;
  g_autoptr(SemperDepositPermission) permission = NULL;

  denom = semper_denomination_new_from_signed (c->denomination, trust, error);
  if (denom == NULL)
    return FALSE;
  coin = semper_coin_new_from_json (c->coin, error);
  if (coin == NULL || !semper_coin_verify (coin, denom, error))
    return FALSE;
  permission = semper_deposit_permission_parse (c->permission, error);
  if (permission == NULL)
    return FALSE;
  if (!g_str_equal (permission->coin, semper_coin_get_id (coin))
      || !g_str_equal (permission->tid, key) || !g_str_equal (permission->merchant, merchant)
      || permission->amount.minor != semper_denomination_get_value (denom)
      || !g_str_equal (permission->amount.currency, semper_denomination_get_currency (denom)))
    return payment_error (error, _("A coin's permission is not for this exchange"));
  if (!semper_coin_verify_signature (coin, c->permission, c->signature, error))
    return FALSE;
  *out_value = permission->amount;
  *out_id = g_strdup (semper_coin_get_id (coin));
  return TRUE;
}

/* The whole proof: distinct valid coins adding up to @amount. */
static GPtrArray *
check_proof (SemperTrust         *trust,
             const char          *key,
             const SemperAmount  *amount,
             const char          *merchant,
             GBytes              *proof,
             GError             **error)
{
  g_autoptr(GPtrArray) coins = semper_fx_ecash_proof_parse (proof, error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 total = 0;

  if (coins == NULL)
    return NULL;
  for (guint i = 0; i < coins->len; i++)
    {
      SemperAmount value;
      char *id = NULL;

      if (!check_coin (trust, g_ptr_array_index (coins, i), key, merchant, &value, &id, error))
        return NULL;
      if (!g_hash_table_add (seen, id))
        {
          payment_error (error, _("The proof names a coin twice"));
          return NULL;
        }
      if (!g_str_equal (value.currency, amount->currency))
        {
          payment_error (error, _("The proof pays in another currency"));
          return NULL;
        }
      total += value.minor;
    }
  if (total != amount->minor)
    {
      /* Minor units; translatable formats cannot use G_GINT64_FORMAT. */
      payment_error (error, _("The proof pays %lld instead of %lld"), (long long) total,
                     (long long) amount->minor);
      return NULL;
    }
  return g_steal_pointer (&coins);
}

/* ---- buyer ---------------------------------------------------------------- */

static gint64
reserved_sum (SemperFxEcash  *self,
              const char     *key,
              guint          *n_coins,
              GError        **error)
{
  g_autofree char *state = g_strconcat ("spending:", key, NULL);
  g_autoptr(GPtrArray) list = NULL;
  gint64 sum = 0;

  list = semper_archive_coin_list (semper_profile_get_archive (self->profile),
                                   SEMPER_PURSE_SYSTEM, state, error);
  if (list == NULL)
    return -1;
  for (guint i = 0; i < list->len; i++)
    sum += ((SemperArchiveCoin *) g_ptr_array_index (list, i))->value.minor;
  if (n_coins != NULL)
    *n_coins = list->len;
  return sum;
}

static gboolean
buyer_reserve (gpointer            user_data,
               const char         *key,
               const SemperAmount *amount,
               GError            **error)
{
  SemperFxEcash *self = user_data;
  SemperAmount rest = *amount;
  gint64 sum;

  /* Again after a crash: only what is not reserved yet. */
  sum = reserved_sum (self, key, NULL, error);
  if (sum < 0)
    return FALSE;
  if (sum == amount->minor)
    return TRUE;
  if (sum > amount->minor)
    return payment_error (error, _("More coins are reserved for this exchange than it costs"));
  rest.minor -= sum;
  return semper_purse_reserve (self->purse, key, &rest, error);
}

/* The bank's signed denominations by id. */
static GHashTable *
fetch_denominations (SemperFxEcash  *self,
                     GError        **error)
{
  g_autofree char *bank = semper_purse_dup_bank_url (self->purse);
  g_autofree char *url = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) map = NULL;

  if (bank == NULL)
    {
      payment_error (error, _("The purse is not linked to a bank"));
      return NULL;
    }
  url = g_strconcat (bank, "/bank/denominations", NULL);
  body = semper_comm_client_get_sync (self->client, url, NULL, NULL, error);
  if (body == NULL)
    return NULL;
  entries = semper_bank_denominations_parse (body, error);
  if (entries == NULL)
    return NULL;
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBankDenominationEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SemperDenomination) denom = NULL;

      denom = semper_denomination_new_from_signed (entry->signed_description, self->trust,
                                                   error);
      if (denom == NULL)
        return NULL;
      g_hash_table_insert (map, g_strdup (semper_denomination_get_id (denom)),
                           g_bytes_ref (entry->signed_description));
    }
  return g_steal_pointer (&map);
}

static GBytes *
buyer_pay (gpointer     user_data,
           const char  *key,
           const char  *merchant,
           GError     **error)
{
  SemperFxEcash *self = user_data;
  g_autoptr(GPtrArray) spends = NULL;
  g_autoptr(GPtrArray) coins = g_ptr_array_new_with_free_func (proof_coin_free);
  g_autoptr(GHashTable) denoms = NULL;

  spends = semper_purse_payment (self->purse, key, merchant, error);
  if (spends == NULL)
    return NULL;
  denoms = fetch_denominations (self, error);
  if (denoms == NULL)
    return NULL;
  for (guint i = 0; i < spends->len; i++)
    {
      SemperPurseSpend *spend = g_ptr_array_index (spends, i);
      g_autoptr(SemperCoin) coin = semper_coin_new_from_json (spend->coin, error);
      SemperFxEcashCoin *c;
      GBytes *denom;

      if (coin == NULL)
        return NULL;
      denom = g_hash_table_lookup (denoms, semper_coin_get_denomination_id (coin));
      if (denom == NULL)
        {
          payment_error (error, _("The bank no longer lists a coin's denomination"));
          return NULL;
        }
      c = g_new0 (SemperFxEcashCoin, 1);
      c->coin = g_bytes_ref (spend->coin);
      c->permission = g_bytes_ref (spend->permission);
      c->signature = g_bytes_ref (spend->signature);
      c->denomination = g_bytes_ref (denom);
      g_ptr_array_add (coins, c);
    }
  return proof_to_json (coins);
}

static gboolean
buyer_commit (gpointer     user_data,
              const char  *key,
              GError     **error)
{
  SemperFxEcash *self = user_data;
  guint n = 0;

  if (reserved_sum (self, key, &n, error) < 0)
    return FALSE;
  /* Idempotent: committed coins are no longer "spending". */
  return n == 0 || semper_purse_commit (self->purse, key, error);
}

static gboolean
buyer_release (gpointer     user_data,
               const char  *key,
               GBytes      *revoke,
               GError     **error)
{
  SemperFxEcash *self = user_data;
  guint n = 0;

  if (revoke != NULL)
    {
      g_autoptr(SemperBankRequest) request = NULL;
      g_autoptr(SemperBankAnswer) answer = NULL;
      g_autofree char *bank = semper_purse_dup_bank_url (self->purse);
      g_autofree char *bank_fp = semper_archive_pref_get (
        semper_profile_get_archive (self->profile), "bank.fingerprint", NULL);
      g_autofree char *op_key = g_strdup_printf ("fxr-%.56s", key);

      if (bank == NULL)
        return payment_error (error, _("The purse is not linked to a bank"));
      request = semper_bank_request_new (SEMPER_BANK_OP_REFUND, op_key);
      request->token = g_bytes_ref (revoke);
      answer = semper_bank_request_send (request, self->client,
                                         semper_profile_get_crypto (self->profile),
                                         self->trust, bank, bank_fp, NULL, error);
      if (answer == NULL)
        return FALSE;
    }
  if (reserved_sum (self, key, &n, error) < 0)
    return FALSE;
  /* Coins never deposited come back by a swap; deposited ones turn out
   * spent (and were refunded to the account above). */
  return n == 0 || semper_purse_reclaim (self->purse, key, error);
}

SemperFxEcash *
semper_fx_ecash_new_buyer (SemperPurse   *purse,
                           SemperProfile *profile)
{
  SemperFxEcash *self = g_object_new (SEMPER_TYPE_FX_ECASH, NULL);

  self->purse = g_object_ref (purse);
  self->profile = g_object_ref (profile);
  self->trust = semper_profile_dup_trust (profile, NULL);
  return self;
}

/* ---- merchant and TTP: deposits ---------------------------------------------- */

/* Deposits each coin of @coins for the payee its permission names, under one
 * idempotency key per (exchange, coin) that the merchant and the TTP derive
 * alike: whichever deposits second gets the first deposit's answer. Sets
 * *refused when the bank's signed answer refuses a coin (spent before). */
static gboolean
deposit_coins (SemperFxEcash  *self,
               const char     *key,
               GPtrArray      *coins,
               gboolean       *refused,
               GError        **error)
{
  *refused = FALSE;
  for (guint i = 0; i < coins->len; i++)
    {
      SemperFxEcashCoin *c = g_ptr_array_index (coins, i);
      g_autoptr(SemperBankRequest) request = NULL;
      g_autoptr(SemperBankAnswer) answer = NULL;
      g_autofree char *seed = g_strdup_printf ("fx-deposit/%s/%u", key, i);
      g_autoptr(GBytes) seed_bytes = g_bytes_new (seed, strlen (seed));
      g_autofree char *hash = semper_sha256_hex (seed_bytes);
      g_autofree char *op_key = g_strdup_printf ("fxd-%.56s", hash);

      request = semper_bank_request_new (SEMPER_BANK_OP_DEPOSIT, op_key);
      request->coin = g_bytes_ref (c->coin);
      request->permission = g_bytes_ref (c->permission);
      request->signature = g_bytes_ref (c->signature);
      answer = semper_bank_request_send (request, self->client, self->crypto, self->trust,
                                         self->bank_url, self->bank_fingerprint, NULL, error);
      if (answer == NULL)
        return FALSE;
      if (!g_str_equal (answer->result, "ok"))
        {
          *refused = TRUE;
          return payment_error (error, _("The bank refused a coin: %s"), answer->result);
        }
    }
  return TRUE;
}

static gboolean
merchant_collect (gpointer            user_data,
                  const char         *key,
                  const SemperAmount *amount,
                  GBytes             *proof,
                  GError            **error)
{
  SemperFxEcash *self = user_data;
  g_autoptr(GPtrArray) coins = NULL;
  gboolean refused;

  coins = check_proof (self->trust, key, amount, self->fingerprint, proof, error);
  return coins != NULL && deposit_coins (self, key, coins, &refused, error);
}

SemperFxEcash *
semper_fx_ecash_new_merchant (SemperCrypto *crypto,
                              SemperTrust  *trust,
                              const char   *bank_url,
                              const char   *bank_fingerprint)
{
  SemperFxEcash *self = g_object_new (SEMPER_TYPE_FX_ECASH, NULL);
  g_autoptr(GBytes) cert = semper_crypto_dup_certificate (crypto);

  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->bank_url = g_strdup (bank_url);
  self->bank_fingerprint = g_strdup (bank_fingerprint);
  self->fingerprint = cert != NULL ? semper_sha256_hex (cert) : g_strdup ("");
  return self;
}

/* ---- TTP ---------------------------------------------------------------------- */

static gboolean
ttp_check (gpointer            user_data,
           const char         *key,
           const SemperAmount *amount,
           const char         *merchant,
           GBytes             *proof,
           GError            **error)
{
  SemperFxEcash *self = user_data;
  g_autoptr(GPtrArray) coins = check_proof (self->trust, key, amount, merchant, proof, error);

  return coins != NULL;
}

/* Before k leaves: the coins deposited for the merchant. A coin the bank
 * refuses (spent elsewhere first) makes T revoke; a bank that cannot be
 * reached decides nothing. */
static gboolean
ttp_settle (gpointer            user_data,
            const char         *key,
            const SemperAmount *amount,
            const char         *merchant,
            GBytes             *proof,
            GError            **error)
{
  SemperFxEcash *self = user_data;
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(GError) local = NULL;
  gboolean refused = FALSE;

  if (self->bank_url == NULL)
    return semper_fx_ttp_no_bank (error);
  /* ttp_check verified it a moment ago: only the coins are needed here. */
  coins = semper_fx_ecash_proof_parse (proof, error);
  if (coins == NULL)
    return FALSE;
  if (deposit_coins (self, key, coins, &refused, &local))
    return TRUE;
  semper_fx_ttp_settle_error (error, g_steal_pointer (&local), refused);
  return FALSE;
}

SemperFxEcash *
semper_fx_ecash_new_ttp (SemperCrypto *crypto,
                         SemperTrust  *trust,
                         const char   *bank_url)
{
  SemperFxEcash *self = g_object_new (SEMPER_TYPE_FX_ECASH, NULL);

  self->ttp = TRUE;
  self->crypto = g_object_ref (crypto);
  self->trust = g_object_ref (trust);
  self->bank_url = g_strdup (bank_url);
  return self;
}

void
semper_fx_ecash_get_system (SemperFxEcash         *self,
                            SemperFxPaymentSystem *out)
{
  g_return_if_fail (SEMPER_IS_FX_ECASH (self));

  memset (out, 0, sizeof *out);
  out->system = SEMPER_PURSE_SYSTEM;
  out->user_data = self;
  if (self->purse != NULL)
    {
      out->reserve = buyer_reserve;
      out->pay = buyer_pay;
      out->commit = buyer_commit;
      out->release = buyer_release;
    }
  if (self->bank_url != NULL && !self->ttp)
    out->collect = merchant_collect;
  out->check = ttp_check;
  if (self->ttp)
    out->settle = ttp_settle;
}

SemperFxBuyer *
semper_fx_ecash_new_wallet_buyer (SemperProfile  *profile,
                                  GError        **error)
{
  g_autoptr(SemperPurse) purse = NULL;
  g_autoptr(SemperFxBuyer) buyer = NULL;
  SemperFxEcash *ecash;
  SemperFxPaymentSystem system;

  purse = semper_purse_new (profile, error);
  if (purse == NULL)
    return NULL;
  buyer = semper_fx_buyer_new (profile, error);
  if (buyer == NULL)
    return NULL;
  ecash = semper_fx_ecash_new_buyer (purse, profile);
  semper_fx_ecash_get_system (ecash, &system);
  semper_fx_buyer_add_payment_system (buyer, &system);
  g_object_set_data_full (G_OBJECT (buyer), "semper-fx-ecash", ecash, g_object_unref);
  /* Account-paid purchases are resumed too (their proof is in the journaled m3). */
  semper_fx_account_add_resume_system (buyer, profile);
  return g_steal_pointer (&buyer);
}

GPtrArray *
semper_fx_ecash_resume_profile (SemperProfile  *profile,
                                GError        **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(SemperFxBuyer) buyer = NULL;
  gboolean any = FALSE;

  list = semper_archive_exchange_list_unfinished (semper_profile_get_archive (profile), error);
  if (list == NULL)
    return NULL;
  for (guint i = 0; i < list->len && !any; i++)
    any = g_str_equal (((SemperArchiveExchange *) g_ptr_array_index (list, i))->protocol,
                       SEMPER_PROTOCOL_FX);
  if (!any)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) semper_fx_resumed_free);
  buyer = semper_fx_ecash_new_wallet_buyer (profile, error);
  if (buyer == NULL)
    return NULL;
  return semper_fx_buyer_resume_all (buyer, error);
}
