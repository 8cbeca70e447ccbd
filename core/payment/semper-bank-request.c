/* semper-bank-request.c: the JSON of bank requests, deposit permissions and
 * bank answers, written and parsed strictly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-bank-request.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-crypto.h"
#include "semper-message.h"
#include "semper-money.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-bank-error-quark, semper_bank_error)

#define REQUEST_TYPE "semper-bank-request"
#define ANSWER_TYPE "semper-bank-answer"
#define PERMISSION_TYPE "semper-ecash-deposit-permission"
#define MAX_BLOB (64 * 1024)
#define MAX_AMOUNT G_GINT64_CONSTANT (1000000000000000)

static const char * const op_names[] = {
  "link", "balance", "withdraw", "deposit", "swap", "refund"
};

const char *
semper_bank_op_to_string (SemperBankOp op)
{
  g_return_val_if_fail (op <= SEMPER_BANK_OP_REFUND, NULL);
  return op_names[op];
}

static gboolean
op_from_string (const char   *text,
                SemperBankOp *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (g_str_equal (text, op_names[i]))
      {
        *out = (SemperBankOp) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID, "%s", what);
  return FALSE;
}

static gboolean
is_hex64 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
is_key (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > SEMPER_BANK_MAX_KEY)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* An account id: 1 to 64 of [a-z0-9._-], starting with a letter or digit
 * (ids starting with "_" are the bank's own). */
static gboolean
is_account (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > 64 || !g_ascii_isalnum (text[0]))
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'z') && *p != '.' && *p != '-'
        && *p != '_')
      return FALSE;
  return TRUE;
}

/* Only the members in @allowed (NULL-terminated), each at most once (the
 * parser already refuses duplicates). */
static gboolean
check_members (JsonObject          *object,
               const char * const  *allowed,
               GError             **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                     _("Unexpected member “%s”"), (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}

static const char *
get_string (JsonObject  *object,
            const char  *name,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      if (required)
        g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                     _("Missing member “%s”"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Member “%s” must be a string"), name);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  if (!semper_json_get_int (object, name, out))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Member “%s” must be an integer"), name);
      return FALSE;
    }
  if (*out < min || *out > max)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Member “%s” is out of range"), name);
      return FALSE;
    }
  return TRUE;
}

/* Canonical base64 only (what we decode, encoded again, is the input). */
static GBytes *
get_base64 (JsonObject  *object,
            const char  *name,
            gsize        max,
            GError     **error)
{
  GBytes *bytes;

  if (get_string (object, name, TRUE, error) == NULL)
    return NULL;
  bytes = semper_json_get_base64 (object, name, max);
  if (bytes == NULL)
    g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                 _("Member “%s” must be canonical base64 of at most %zu bytes"), name, max);
  return bytes;
}

static gboolean
check_header (JsonObject  *object,
              const char  *type,
              GError     **error)
{
  const char *t = get_string (object, "type", TRUE, error);
  gint64 version;

  if (t == NULL)
    return FALSE;
  if (!g_str_equal (t, type))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Expected a “%s”, got a “%s”"), type, t);
      return FALSE;
    }
  if (!get_int (object, "version", 1, 1, &version, error))
    return FALSE;
  return TRUE;
}

static JsonObject *
parse_object (GBytes  *json,
              GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;

  root = semper_message_parse (json, SEMPER_BANK_MAX_JSON, &local);
  if (root == NULL)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID, "%s", local->message);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_base64 (JsonBuilder *b,
            const char  *name,
            GBytes      *value)
{
  g_autofree char *text = g_base64_encode (g_bytes_get_data (value, NULL),
                                           g_bytes_get_size (value));

  add_string (b, name, text);
}

static void
blinded_free (gpointer data)
{
  SemperBankBlinded *blinded = data;

  g_free (blinded->denomination);
  g_clear_pointer (&blinded->blinded, g_bytes_unref);
  g_free (blinded);
}

/* ---- requests -------------------------------------------------------------- */

SemperBankRequest *
semper_bank_request_new (SemperBankOp  op,
                         const char   *key)
{
  SemperBankRequest *self = g_new0 (SemperBankRequest, 1);

  self->op = op;
  self->key = g_strdup (key);
  self->coins = g_ptr_array_new_with_free_func (blinded_free);
  return self;
}

void
semper_bank_request_free (SemperBankRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_free (self->account);
  if (self->code != NULL)
    semper_secret_wipe (self->code, strlen (self->code));
  g_free (self->code);
  g_clear_pointer (&self->coins, g_ptr_array_unref);
  g_clear_pointer (&self->coin, g_bytes_unref);
  g_clear_pointer (&self->permission, g_bytes_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_clear_pointer (&self->token, g_bytes_unref);
  g_free (self);
}

void
semper_bank_request_add_coin (SemperBankRequest *self,
                              const char        *denomination,
                              GBytes            *blinded)
{
  SemperBankBlinded *entry = g_new0 (SemperBankBlinded, 1);

  entry->denomination = g_strdup (denomination);
  entry->blinded = g_bytes_ref (blinded);
  g_ptr_array_add (self->coins, entry);
}

GBytes *
semper_bank_request_to_json (SemperBankRequest *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "type", REQUEST_TYPE);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  add_string (b, "op", semper_bank_op_to_string (self->op));
  if (self->key != NULL)
    add_string (b, "key", self->key);
  if (self->account != NULL)
    add_string (b, "account", self->account);
  if (self->code != NULL)
    add_string (b, "code", self->code);
  if (self->op == SEMPER_BANK_OP_WITHDRAW || self->op == SEMPER_BANK_OP_SWAP)
    {
      json_builder_set_member_name (b, "coins");
      json_builder_begin_array (b);
      for (guint i = 0; i < self->coins->len; i++)
        {
          SemperBankBlinded *entry = g_ptr_array_index (self->coins, i);

          json_builder_begin_object (b);
          add_string (b, "denomination", entry->denomination);
          add_base64 (b, "blinded", entry->blinded);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (self->coin != NULL)
    add_base64 (b, "coin", self->coin);
  if (self->permission != NULL)
    add_base64 (b, "permission", self->permission);
  if (self->signature != NULL)
    add_base64 (b, "signature", self->signature);
  if (self->token != NULL)
    add_base64 (b, "token", self->token);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

static gboolean
parse_coins (JsonObject         *object,
             SemperBankRequest  *self,
             GError            **error)
{
  static const char * const members[] = { "denomination", "blinded", NULL };
  JsonNode *node = json_object_get_member (object, "coins");
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("Member “coins” must be an array"));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > SEMPER_BANK_MAX_COINS)
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Ask for 1 to %d coins at a time"), SEMPER_BANK_MAX_COINS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;
      const char *denomination;
      g_autoptr(GBytes) blinded = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return invalid (error, _("Each coin must be an object"));
      entry = json_node_get_object (element);
      if (!check_members (entry, members, error))
        return FALSE;
      denomination = get_string (entry, "denomination", TRUE, error);
      if (denomination == NULL)
        return FALSE;
      if (!is_hex64 (denomination))
        return invalid (error, _("A denomination id is 64 lower-case hex digits"));
      blinded = get_base64 (entry, "blinded", 1024, error);
      if (blinded == NULL)
        return FALSE;
      semper_bank_request_add_coin (self, denomination, blinded);
    }
  return TRUE;
}

SemperBankRequest *
semper_bank_request_parse (GBytes  *json,
                           GError **error)
{
  static const char * const link[] = { "type", "version", "op", "key", "account", "code", NULL };
  static const char * const balance[] = { "type", "version", "op", "account", NULL };
  static const char * const withdraw[] = {
    "type", "version", "op", "key", "account", "coins", NULL
  };
  static const char * const deposit[] = {
    "type", "version", "op", "key", "coin", "permission", "signature", NULL
  };
  static const char * const swap[] = {
    "type", "version", "op", "key", "coin", "permission", "signature", "coins", NULL
  };
  static const char * const refund[] = { "type", "version", "op", "key", "token", NULL };
  const char * const *allowed[] = { link, balance, withdraw, deposit, swap, refund };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SemperBankRequest) self = NULL;
  const char *op_text, *key = NULL;
  SemperBankOp op;

  g_return_val_if_fail (json != NULL, NULL);

  object = parse_object (json, error);
  if (object == NULL || !check_header (object, REQUEST_TYPE, error))
    return NULL;
  op_text = get_string (object, "op", TRUE, error);
  if (op_text == NULL)
    return NULL;
  if (!op_from_string (op_text, &op))
    {
      g_set_error (error, SEMPER_BANK_ERROR, SEMPER_BANK_ERROR_INVALID,
                   _("Unknown operation “%s”"), op_text);
      return NULL;
    }
  if (!check_members (object, allowed[op], error))
    return NULL;

  if (op != SEMPER_BANK_OP_BALANCE)
    {
      key = get_string (object, "key", TRUE, error);
      if (key == NULL)
        return NULL;
      if (!is_key (key))
        {
          invalid (error, _("An idempotency key is 1 to 64 of A-Z, a-z, 0-9, “-” and “_”"));
          return NULL;
        }
    }
  self = semper_bank_request_new (op, key);

  if (op == SEMPER_BANK_OP_LINK || op == SEMPER_BANK_OP_BALANCE || op == SEMPER_BANK_OP_WITHDRAW)
    {
      const char *account = get_string (object, "account", TRUE, error);

      if (account == NULL)
        return NULL;
      if (!is_account (account))
        {
          invalid (error, _("An account id is 1 to 64 of a-z, 0-9, “.”, “-” and “_”"));
          return NULL;
        }
      self->account = g_strdup (account);
    }
  if (op == SEMPER_BANK_OP_LINK)
    {
      const char *code = get_string (object, "code", TRUE, error);

      if (code == NULL)
        return NULL;
      if (*code == '\0' || strlen (code) > 256)
        {
          invalid (error, _("A link code is 1 to 256 characters"));
          return NULL;
        }
      self->code = g_strdup (code);
    }
  if (op == SEMPER_BANK_OP_WITHDRAW || op == SEMPER_BANK_OP_SWAP)
    {
      if (!parse_coins (object, self, error))
        return NULL;
    }
  if (op == SEMPER_BANK_OP_DEPOSIT || op == SEMPER_BANK_OP_SWAP)
    {
      self->coin = get_base64 (object, "coin", 16 * 1024, error);
      if (self->coin == NULL)
        return NULL;
      self->permission = get_base64 (object, "permission", 4096, error);
      if (self->permission == NULL)
        return NULL;
      self->signature = get_base64 (object, "signature", 64, error);
      if (self->signature == NULL)
        return NULL;
      if (g_bytes_get_size (self->signature) != 64)
        {
          invalid (error, _("A coin signature is 64 bytes (r || s)"));
          return NULL;
        }
    }
  if (op == SEMPER_BANK_OP_REFUND)
    {
      self->token = get_base64 (object, "token", MAX_BLOB, error);
      if (self->token == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

char *
semper_bank_swap_tid (GPtrArray *coins)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  static const char label[] = "semper-swap/1";

  g_byte_array_append (data, (const guint8 *) label, sizeof label);
  for (guint i = 0; i < coins->len; i++)
    {
      SemperBankBlinded *entry = g_ptr_array_index (coins, i);
      gsize len = 0;
      const guint8 *blinded = g_bytes_get_data (entry->blinded, &len);
      guint8 size[4] = { len >> 24, len >> 16, len >> 8, len };

      g_byte_array_append (data, (const guint8 *) entry->denomination, 64);
      g_byte_array_append (data, size, 4);
      g_byte_array_append (data, blinded, len);
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return semper_sha256_hex (bytes);
}

/* ---- deposit permissions --------------------------------------------------- */

GBytes *
semper_deposit_permission_to_json (const SemperDepositPermission *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "type", PERMISSION_TYPE);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  add_string (b, "coin", self->coin);
  add_string (b, "tid", self->tid);
  json_builder_set_member_name (b, "amount");
  json_builder_add_int_value (b, self->amount.minor);
  add_string (b, "currency", self->amount.currency);
  add_string (b, "merchant", self->merchant);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

SemperDepositPermission *
semper_deposit_permission_parse (GBytes  *json,
                                 GError **error)
{
  static const char * const members[] = {
    "type", "version", "coin", "tid", "amount", "currency", "merchant", NULL
  };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SemperDepositPermission) self = g_new0 (SemperDepositPermission, 1);
  const char *coin, *tid, *currency, *merchant;
  gint64 amount;

  object = parse_object (json, error);
  if (object == NULL || !check_header (object, PERMISSION_TYPE, error)
      || !check_members (object, members, error))
    return NULL;
  if ((coin = get_string (object, "coin", TRUE, error)) == NULL
      || (tid = get_string (object, "tid", TRUE, error)) == NULL
      || (currency = get_string (object, "currency", TRUE, error)) == NULL
      || (merchant = get_string (object, "merchant", TRUE, error)) == NULL
      || !get_int (object, "amount", 1, MAX_AMOUNT, &amount, error))
    return NULL;
  if (!is_hex64 (coin) || !is_hex64 (tid) || !is_hex64 (merchant))
    {
      invalid (error, _("The permission's coin, tid and merchant are 64 lower-case hex digits"));
      return NULL;
    }
  if (strlen (currency) != 3 || !semper_amount_init (&self->amount, amount, currency, NULL))
    {
      invalid (error, _("The permission's currency is not an ISO 4217 code"));
      return NULL;
    }
  self->coin = g_strdup (coin);
  self->tid = g_strdup (tid);
  self->merchant = g_strdup (merchant);
  return g_steal_pointer (&self);
}

void
semper_deposit_permission_free (SemperDepositPermission *self)
{
  if (self == NULL)
    return;
  g_free (self->coin);
  g_free (self->tid);
  g_free (self->merchant);
  g_free (self);
}

/* ---- answers --------------------------------------------------------------- */

void
semper_bank_answer_free (SemperBankAnswer *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_free (self->request);
  g_free (self->result);
  g_free (self->account);
  g_free (self->owner);
  g_clear_pointer (&self->balances, g_array_unref);
  g_clear_pointer (&self->blind_signatures, g_ptr_array_unref);
  g_free (self->coin);
  g_clear_pointer (&self->proof_permission, g_bytes_unref);
  g_clear_pointer (&self->proof_signature, g_bytes_unref);
  g_free (self);
}

/* @min is 0, or -MAX_AMOUNT for a balance (a merchant's account can be
 * below zero after a TTP's revoke, docs/payments.md). */
static gboolean
parse_amount (JsonObject    *object,
              const char    *name,
              gint64         min,
              SemperAmount  *out,
              GError       **error)
{
  const char *currency = get_string (object, "currency", TRUE, error);
  gint64 minor;

  if (currency == NULL || !get_int (object, name, min, MAX_AMOUNT, &minor, error))
    return FALSE;
  if (strlen (currency) != 3 || !semper_amount_init (out, minor, currency, NULL))
    return invalid (error, _("Not an ISO 4217 currency code"));
  return TRUE;
}

static gboolean
parse_answer_balances (JsonObject        *object,
                       SemperBankAnswer  *self,
                       GError           **error)
{
  static const char * const members[] = { "currency", "amount", NULL };
  JsonNode *node = json_object_get_member (object, "balances");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("Member “balances” must be an array"));
  array = json_node_get_array (node);
  if (json_array_get_length (array) > 200)
    return invalid (error, _("Too many balances"));
  self->balances = g_array_new (FALSE, TRUE, sizeof (SemperAmount));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      SemperAmount amount;

      if (!JSON_NODE_HOLDS_OBJECT (element)
          || !check_members (json_node_get_object (element), members, error)
          || !parse_amount (json_node_get_object (element), "amount", -MAX_AMOUNT, &amount,
                            error))
        return invalid (error, _("A balance is {\"currency\":…,\"amount\":…}"));
      g_array_append_val (self->balances, amount);
    }
  return TRUE;
}

static gboolean
parse_answer_signatures (JsonObject        *object,
                         SemperBankAnswer  *self,
                         GError           **error)
{
  JsonNode *node = json_object_get_member (object, "blind-signatures");
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("Member “blind-signatures” must be an array"));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > SEMPER_BANK_MAX_COINS)
    return invalid (error, _("Wrong number of blind signatures"));
  self->blind_signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) wrapper = json_object_new ();
      JsonNode *element = json_array_get_element (array, i);
      GBytes *sig;

      json_object_set_member (wrapper, "s", json_node_copy (element));
      sig = get_base64 (wrapper, "s", 1024, error);
      if (sig == NULL)
        return FALSE;
      g_ptr_array_add (self->blind_signatures, sig);
    }
  return TRUE;
}

SemperBankAnswer *
semper_bank_answer_parse (GBytes  *json,
                          GError **error)
{
  static const char * const members[] = {
    "type", "version", "op", "key", "request", "result", "account", "owner", "amount",
    "currency", "fee", "balances", "blind-signatures", "coin", "proof", NULL
  };
  static const char * const proof_members[] = { "permission", "signature", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SemperBankAnswer) self = g_new0 (SemperBankAnswer, 1);
  const char *text;

  object = parse_object (json, error);
  if (object == NULL || !check_header (object, ANSWER_TYPE, error)
      || !check_members (object, members, error))
    return NULL;
  text = get_string (object, "op", TRUE, error);
  if (text == NULL)
    return NULL;
  if (!op_from_string (text, &self->op))
    {
      invalid (error, _("Unknown operation in the bank's answer"));
      return NULL;
    }
  text = get_string (object, "result", TRUE, error);
  if (text == NULL)
    return NULL;
  if (!g_str_equal (text, "ok") && !g_str_equal (text, "double-spent"))
    {
      invalid (error, _("Unknown result in the bank's answer"));
      return NULL;
    }
  self->result = g_strdup (text);
  text = get_string (object, "request", TRUE, error);
  if (text == NULL)
    return NULL;
  if (!is_hex64 (text))
    {
      invalid (error, _("The answer's request hash is not 64 hex digits"));
      return NULL;
    }
  self->request = g_strdup (text);

#define OPTIONAL_STRING(field, name, check)                                   \
  G_STMT_START {                                                              \
    g_autoptr(GError) e = NULL;                                               \
    const char *v = get_string (object, name, FALSE, &e);                     \
    if (e != NULL)                                                            \
      {                                                                       \
        g_propagate_error (error, g_steal_pointer (&e));                      \
        return NULL;                                                          \
      }                                                                       \
    if (v != NULL && !check (v))                                              \
      {                                                                       \
        invalid (error, _("Malformed member in the bank's answer"));          \
        return NULL;                                                          \
      }                                                                       \
    self->field = g_strdup (v);                                               \
  } G_STMT_END

  OPTIONAL_STRING (key, "key", is_key);
  OPTIONAL_STRING (account, "account", is_account);
  OPTIONAL_STRING (owner, "owner", is_hex64);
  OPTIONAL_STRING (coin, "coin", is_hex64);
#undef OPTIONAL_STRING

  if (self->op != SEMPER_BANK_OP_BALANCE && self->key == NULL)
    {
      invalid (error, _("The bank's answer names no idempotency key"));
      return NULL;
    }
  if (json_object_has_member (object, "amount")
      && !parse_amount (object, "amount", 0, &self->amount, error))
    return NULL;
  if (json_object_has_member (object, "fee")
      && !get_int (object, "fee", 0, MAX_AMOUNT, &self->fee, error))
    return NULL;
  if (json_object_has_member (object, "balances")
      && !parse_answer_balances (object, self, error))
    return NULL;
  if (json_object_has_member (object, "blind-signatures")
      && !parse_answer_signatures (object, self, error))
    return NULL;
  if (json_object_has_member (object, "proof"))
    {
      JsonNode *node = json_object_get_member (object, "proof");
      JsonObject *proof;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          invalid (error, _("Member “proof” must be an object"));
          return NULL;
        }
      proof = json_node_get_object (node);
      if (!check_members (proof, proof_members, error))
        return NULL;
      self->proof_permission = get_base64 (proof, "permission", 4096, error);
      if (self->proof_permission == NULL)
        return NULL;
      self->proof_signature = get_base64 (proof, "signature", 64, error);
      if (self->proof_signature == NULL)
        return NULL;
    }
  if (g_str_equal (self->result, "double-spent")
      && (self->proof_permission == NULL || self->coin == NULL))
    {
      invalid (error, _("A double-spend answer must carry the coin and the proof"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- the published denominations ------------------------------------------- */

static void
denomination_entry_free (gpointer data)
{
  SemperBankDenominationEntry *entry = data;

  g_clear_pointer (&entry->signed_description, g_bytes_unref);
  g_free (entry);
}

GPtrArray *
semper_bank_denominations_parse (GBytes  *json,
                                 GError **error)
{
  static const char * const top[] = { "denominations", NULL };
  static const char * const members[] = { "signed", "fees", NULL };
  static const char * const fee_members[] = { "withdraw", "deposit", "swap", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (denomination_entry_free);
  JsonNode *node;
  JsonArray *array;

  object = parse_object (json, error);
  if (object == NULL || !check_members (object, top, error))
    return NULL;
  node = json_object_get_member (object, "denominations");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      invalid (error, _("Member “denominations” must be an array"));
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > 256)
    {
      invalid (error, _("Too many denominations"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      SemperBankDenominationEntry *entry;
      JsonObject *item, *fees;
      JsonNode *fees_node;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          invalid (error, _("Each denomination must be an object"));
          return NULL;
        }
      item = json_node_get_object (element);
      if (!check_members (item, members, error))
        return NULL;
      fees_node = json_object_get_member (item, "fees");
      if (fees_node == NULL || !JSON_NODE_HOLDS_OBJECT (fees_node))
        {
          invalid (error, _("Member “fees” must be an object"));
          return NULL;
        }
      fees = json_node_get_object (fees_node);
      if (!check_members (fees, fee_members, error))
        return NULL;
      entry = g_new0 (SemperBankDenominationEntry, 1);
      g_ptr_array_add (list, entry);
      entry->signed_description = get_base64 (item, "signed", 64 * 1024, error);
      if (entry->signed_description == NULL
          || !get_int (fees, "withdraw", 0, MAX_AMOUNT, &entry->fee_withdraw, error)
          || !get_int (fees, "deposit", 0, MAX_AMOUNT, &entry->fee_deposit, error)
          || !get_int (fees, "swap", 0, MAX_AMOUNT, &entry->fee_swap, error))
        return NULL;
    }
  return g_steal_pointer (&list);
}

/* ---- the client's call ----------------------------------------------------- */

SemperBankAnswer *
semper_bank_request_send (SemperBankRequest  *request,
                          SemperCommClient   *client,
                          SemperCrypto       *signer,
                          SemperTrust        *trust,
                          const char         *bank_url,
                          const char         *bank_fingerprint,
                          GBytes            **out_raw,
                          GError            **error)
{
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(SemperBankAnswer) answer = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *content_type = NULL;

  g_return_val_if_fail (request != NULL && bank_url != NULL, NULL);

  json = semper_bank_request_to_json (request);
  hash = semper_sha256_hex (json);
  p7m = semper_cms_sign_message (signer, json, error);
  if (p7m == NULL)
    return NULL;
  base = g_strdup (bank_url);
  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, "/bank/request", NULL);
  raw = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, p7m,
                                      &content_type, NULL, error);
  if (raw == NULL)
    return NULL;
  content = semper_cms_verify (raw, trust, &info, error);
  if (content == NULL)
    {
      g_prefix_error (error, _("The bank's answer does not verify: "));
      return NULL;
    }
  if (g_strcmp0 (info->role, SEMPER_ROLE_BANK) != 0
      || (bank_fingerprint != NULL && !g_str_equal (info->fingerprint, bank_fingerprint)))
    {
      invalid (error, _("The answer is not signed by the bank"));
      return NULL;
    }
  answer = semper_bank_answer_parse (content, error);
  if (answer == NULL)
    return NULL;
  /* A repeated deposit may be answered with the first deposit's answer, which
   * names the first key; everything else answers exactly this request. */
  if (answer->op != request->op
      || (!g_str_equal (answer->request, hash) && request->op != SEMPER_BANK_OP_DEPOSIT
          && request->op != SEMPER_BANK_OP_SWAP))
    {
      invalid (error, _("The bank's answer is for another request"));
      return NULL;
    }
  if (out_raw != NULL)
    *out_raw = g_steal_pointer (&raw);
  return g_steal_pointer (&answer);
}
