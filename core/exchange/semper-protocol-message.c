/* semper-protocol-message.c: the signed messages of the exchange protocols.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-protocol-message.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-message.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-protocol-error-quark, semper_protocol_error)

#define TID_LEN  32
#define HASH_LEN 64

/* One field of a step: its name and kind ('h' 64 hex, 'b' base64, 'i' integer > 0,
 * 's' a token of 1 to 64 of [A-Za-z0-9._-]). */
typedef struct {
  const char *name;
  char        kind;
} FieldSpec;

typedef struct {
  const char          *step;
  SemperProtocolParty  senders;
  FieldSpec            fields[6];
} StepSpec;

static const StepSpec asw_steps[] = {
  { "m1", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "text_hash", 'h' }, { "commit_o", 'h' }, { "deadline", 'i' }, { "document", 'b' } } },
  { "m2", SEMPER_PROTOCOL_PARTY_RESPONDER,
    { { "m1_hash", 'h' }, { "commit_r", 'h' }, { "document", 'b' } } },
  { "m3", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "nonce_o", 'h' }, { "commit_r", 'h' } } },
  { "m4", SEMPER_PROTOCOL_PARTY_RESPONDER,
    { { "nonce_r", 'h' }, { "commit_o", 'h' } } },
  { "abort", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "m1", 'b' } } },
  { "resolve", SEMPER_PROTOCOL_PARTY_ORIGINATOR | SEMPER_PROTOCOL_PARTY_RESPONDER,
    { { "m1", 'b' }, { "m2", 'b' } } },
  { "aborted", SEMPER_PROTOCOL_PARTY_TTP,
    { { "key", 'h' }, { "ma1", 'b' } } },
  { "resolved", SEMPER_PROTOCOL_PARTY_TTP,
    { { "key", 'h' }, { "m1", 'b' }, { "m2", 'b' } } },
};

/* PROTOCOLS.md B: the originator is the buyer, the responder the merchant. */
static const StepSpec fx_steps[] = {
  { "m1", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "offer_hash", 'h' }, { "commit_b", 'h' }, { "system", 's' }, { "document", 'b' } } },
  { "m2", SEMPER_PROTOCOL_PARTY_RESPONDER,
    { { "m1_hash", 'h' }, { "cipher", 'b' }, { "cipher_hash", 'h' }, { "envelope", 'b' } } },
  { "m3", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "nonce_b", 'h' }, { "m2_hash", 'h' }, { "proof", 'b' } } },
  { "m4", SEMPER_PROTOCOL_PARTY_RESPONDER,
    { { "m1_hash", 'h' }, { "goods_key", 'b' }, { "amount", 'i' }, { "currency", 's' } } },
  { "abort", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "m1", 'b' } } },
  { "resolve", SEMPER_PROTOCOL_PARTY_ORIGINATOR,
    { { "offer", 'b' }, { "m1", 'b' }, { "m2", 'b' }, { "m3", 'b' } } },
  { "aborted", SEMPER_PROTOCOL_PARTY_TTP,
    { { "m1_hash", 'h' }, { "abort", 'b' } } },
  { "receipt", SEMPER_PROTOCOL_PARTY_TTP,
    { { "m1_hash", 'h' }, { "goods_key", 'b' } } },
  { "revoke", SEMPER_PROTOCOL_PARTY_TTP,
    { { "m1_hash", 'h' } } },
};

struct _SemperProtocolMessage
{
  GObject           parent_instance;

  char             *protocol;
  guint             version;
  char             *step;
  char             *tid;
  char             *originator;
  char             *responder;
  char             *ttp;
  JsonObject       *fields;
  GBytes           *raw;
  SemperSignerInfo *signer;
};

G_DEFINE_FINAL_TYPE (SemperProtocolMessage, semper_protocol_message, G_TYPE_OBJECT)

static void
semper_protocol_message_finalize (GObject *object)
{
  SemperProtocolMessage *self = SEMPER_PROTOCOL_MESSAGE (object);

  g_free (self->protocol);
  g_free (self->step);
  g_free (self->tid);
  g_free (self->originator);
  g_free (self->responder);
  g_free (self->ttp);
  g_clear_pointer (&self->fields, json_object_unref);
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_clear_pointer (&self->signer, semper_signer_info_unref);

  G_OBJECT_CLASS (semper_protocol_message_parent_class)->finalize (object);
}

static void
semper_protocol_message_class_init (SemperProtocolMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_protocol_message_finalize;
}

static void
semper_protocol_message_init (SemperProtocolMessage *self)
{
}

static const StepSpec *
find_step_of (const char *protocol,
              const char *step)
{
  const StepSpec *steps = asw_steps;
  gsize n = G_N_ELEMENTS (asw_steps);

  if (g_strcmp0 (protocol, SEMPER_PROTOCOL_FX) == 0)
    {
      steps = fx_steps;
      n = G_N_ELEMENTS (fx_steps);
    }
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (steps[i].step, step) == 0)
      return &steps[i];
  return NULL;
}

SemperProtocolParty
semper_protocol_step_senders (const char *step)
{
  const StepSpec *spec = find_step_of (SEMPER_PROTOCOL_ASW, step);

  return spec != NULL ? spec->senders : 0;
}

static gboolean
is_token (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '.' && text[i] != '_' && text[i] != '-')
      return FALSE;
  return TRUE;
}

gboolean
semper_protocol_is_hex (const char *text,
                        gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;
  return TRUE;
}

char *
semper_protocol_hex (const guint8 *data,
                     gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[2 * len] = '\0';
  return out;
}

char *
semper_protocol_commit (const char *nonce_hex)
{
  guint8 nonce[32];
  guint8 digest[32];

  if (!semper_protocol_is_hex (nonce_hex, HASH_LEN))
    return NULL;
  for (gsize i = 0; i < 32; i++)
    nonce[i] = (g_ascii_xdigit_value (nonce_hex[2 * i]) << 4)
               | g_ascii_xdigit_value (nonce_hex[2 * i + 1]);
  semper_sha256 (nonce, sizeof nonce, digest);
  semper_secret_wipe (nonce, sizeof nonce);
  return semper_protocol_hex (digest, sizeof digest);
}

char *
semper_protocol_new_nonce (GError **error)
{
  guint8 nonce[32];
  char *hex;

  if (!semper_random_bytes (nonce, sizeof nonce, error))
    return NULL;
  hex = semper_protocol_hex (nonce, sizeof nonce);
  semper_secret_wipe (nonce, sizeof nonce);
  return hex;
}

/**
 * semper_protocol_message_new:
 * @fields: (transfer none): the step's fields, copied
 *
 * Returns: (transfer full): an unsigned message of the "asw" protocol
 */
SemperProtocolMessage *
semper_protocol_message_new (const char *step,
                             const char *tid,
                             const char *originator,
                             const char *responder,
                             const char *ttp,
                             JsonObject *fields)
{
  return semper_protocol_message_new_for (SEMPER_PROTOCOL_ASW, step, tid, originator,
                                          responder, ttp, fields);
}

/**
 * semper_protocol_message_new_for:
 * @protocol: %SEMPER_PROTOCOL_ASW or %SEMPER_PROTOCOL_FX
 * @fields: (transfer none): the step's fields, copied
 *
 * Returns: (transfer full): an unsigned message of @protocol
 */
SemperProtocolMessage *
semper_protocol_message_new_for (const char *protocol,
                                 const char *step,
                                 const char *tid,
                                 const char *originator,
                                 const char *responder,
                                 const char *ttp,
                                 JsonObject *fields)
{
  SemperProtocolMessage *self = g_object_new (SEMPER_TYPE_PROTOCOL_MESSAGE, NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  self->protocol = g_strdup (protocol);
  self->version = g_str_equal (protocol, SEMPER_PROTOCOL_FX) ? SEMPER_PROTOCOL_FX_VERSION
                                                             : SEMPER_PROTOCOL_ASW_VERSION;
  self->step = g_strdup (step);
  self->tid = g_strdup (tid);
  self->originator = g_strdup (originator);
  self->responder = g_strdup (responder);
  self->ttp = g_strdup (ttp);
  json_node_set_object (node, fields);
  copy = json_node_copy (node);
  self->fields = json_object_ref (json_node_get_object (copy));
  return self;
}

SemperProtocolMessage *
semper_protocol_message_new_in_session (SemperProtocolMessage *session,
                                        const char            *step,
                                        JsonObject            *fields)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (session), NULL);

  return semper_protocol_message_new_for (session->protocol, step, session->tid,
                                          session->originator, session->responder, session->ttp,
                                          fields);
}

/**
 * semper_protocol_message_dup_content:
 *
 * Returns: (transfer full): the JSON content, members in a fixed order
 */
GBytes *
semper_protocol_message_dup_content (SemperProtocolMessage *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) fields = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);

  json_node_set_object (fields, self->fields);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, self->protocol);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, self->version);
  json_builder_set_member_name (builder, "step");
  json_builder_add_string_value (builder, self->step);
  json_builder_set_member_name (builder, "tid");
  json_builder_add_string_value (builder, self->tid);
  json_builder_set_member_name (builder, "originator");
  json_builder_add_string_value (builder, self->originator);
  json_builder_set_member_name (builder, "responder");
  json_builder_add_string_value (builder, self->responder);
  json_builder_set_member_name (builder, "ttp");
  json_builder_add_string_value (builder, self->ttp);
  json_builder_set_member_name (builder, "fields");
  json_builder_add_value (builder, json_node_copy (fields));
  json_builder_end_object (builder);
  return semper_json_builder_to_bytes (builder);
}

GBytes *
semper_protocol_message_sign (SemperProtocolMessage  *self,
                              SemperCrypto           *crypto,
                              GError                **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) p7m = NULL;

  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);

  /* Check our own output with the same parser the peer uses. */
  content = semper_protocol_message_dup_content (self);
  {
    g_autoptr(SemperProtocolMessage) check = semper_protocol_message_parse_content (content,
                                                                                    error);
    if (check == NULL)
      return NULL;
  }
  p7m = semper_cms_sign_message (crypto, content, error);
  if (p7m == NULL)
    return NULL;
  g_clear_pointer (&self->raw, g_bytes_unref);
  self->raw = g_bytes_ref (p7m);
  return g_steal_pointer (&p7m);
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_INVALID,
               _("Invalid protocol message: %s"), text);
  return FALSE;
}

static gboolean
is_canonical_base64 (JsonObject *fields,
                     const char *name)
{
  g_autoptr(GBytes) bytes = semper_json_get_base64 (fields, name, G_MAXSIZE);

  return bytes != NULL;
}

static gboolean
check_fields (const StepSpec  *spec,
              JsonObject      *fields,
              GError         **error)
{
  guint expected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (spec->fields) && spec->fields[i].name != NULL; i++)
    {
      const FieldSpec *f = &spec->fields[i];
      const char *text;
      gint64 value = 0;

      expected++;
      switch (f->kind)
        {
        case 'h':
          text = semper_json_get_string (fields, f->name);
          if (!semper_protocol_is_hex (text, HASH_LEN))
            return invalid (error, _("field “%s” must be 64 lower-case hex digits"), f->name);
          break;
        case 'b':
          if (!is_canonical_base64 (fields, f->name))
            return invalid (error, _("field “%s” must be canonical base64"), f->name);
          break;
        case 'i':
          if (!semper_json_get_int (fields, f->name, &value) || value <= 0)
            return invalid (error, _("field “%s” must be a positive integer"), f->name);
          break;
        case 's':
          if (!is_token (semper_json_get_string (fields, f->name)))
            return invalid (error, _("field “%s” must be a short token"), f->name);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (json_object_get_size (fields) != expected)
    return invalid (error, _("step “%s” has unknown fields"), spec->step);
  return TRUE;
}

/**
 * semper_protocol_message_parse_content:
 * @content: the signed JSON content
 *
 * Returns: (transfer full) (nullable): the message without signer, or %NULL
 *   with %SEMPER_PROTOCOL_ERROR_INVALID (or a %SEMPER_MESSAGE_ERROR)
 */
SemperProtocolMessage *
semper_protocol_message_parse_content (GBytes  *content,
                                       GError **error)
{
  static const char * const members[] = {
    "protocol", "version", "step", "tid", "originator", "responder", "ttp", "fields",
  };
  g_autoptr(SemperProtocolMessage) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *fields;
  const StepSpec *spec;
  const char *protocol, *step, *tid, *originator, *responder, *ttp;
  gint64 version = 0;

  g_return_val_if_fail (content != NULL, NULL);

  root = semper_message_parse (content, SEMPER_PROTOCOL_MESSAGE_MAX_SIZE, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    if (!json_object_has_member (object, members[i]))
      {
        invalid (error, _("member “%s” is missing"), members[i]);
        return NULL;
      }
  if (json_object_get_size (object) != G_N_ELEMENTS (members))
    {
      invalid (error, _("unknown members"));
      return NULL;
    }

  protocol = semper_json_get_string (object, "protocol");
  if (g_strcmp0 (protocol, SEMPER_PROTOCOL_ASW) != 0
      && g_strcmp0 (protocol, SEMPER_PROTOCOL_FX) != 0)
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION,
                   _("Not a message of a known exchange protocol"));
      return NULL;
    }
  if (!semper_json_get_int (object, "version", &version)
      || version != (g_str_equal (protocol, SEMPER_PROTOCOL_FX) ? SEMPER_PROTOCOL_FX_VERSION
                                                                : SEMPER_PROTOCOL_ASW_VERSION))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION,
                   _("Unsupported version of the exchange protocol"));
      return NULL;
    }

  step = semper_json_get_string (object, "step");
  spec = find_step_of (protocol, step);
  if (spec == NULL)
    {
      invalid (error, _("unknown step"));
      return NULL;
    }

  tid = semper_json_get_string (object, "tid");
  if (!semper_protocol_is_hex (tid, TID_LEN))
    {
      invalid (error, _("the transaction id must be 32 lower-case hex digits"));
      return NULL;
    }
  originator = semper_json_get_string (object, "originator");
  responder = semper_json_get_string (object, "responder");
  ttp = semper_json_get_string (object, "ttp");
  if (!semper_protocol_is_hex (originator, HASH_LEN) ||
      !semper_protocol_is_hex (responder, HASH_LEN) ||
      !semper_protocol_is_hex (ttp, HASH_LEN))
    {
      invalid (error, _("a party's fingerprint must be 64 lower-case hex digits"));
      return NULL;
    }
  if (g_str_equal (originator, responder) || g_str_equal (originator, ttp)
      || g_str_equal (responder, ttp))
    {
      invalid (error, _("the three parties must be different"));
      return NULL;
    }

  fields = json_object_get_member (object, "fields");
  if (!JSON_NODE_HOLDS_OBJECT (fields))
    {
      invalid (error, _("“fields” must be an object"));
      return NULL;
    }
  if (!check_fields (spec, json_node_get_object (fields), error))
    return NULL;

  self = g_object_new (SEMPER_TYPE_PROTOCOL_MESSAGE, NULL);
  self->protocol = g_strdup (protocol);
  self->version = (guint) version;
  self->step = g_strdup (step);
  self->tid = g_strdup (tid);
  self->originator = g_strdup (originator);
  self->responder = g_strdup (responder);
  self->ttp = g_strdup (ttp);
  self->fields = json_object_ref (json_node_get_object (fields));
  return g_steal_pointer (&self);
}

/**
 * semper_protocol_message_verify:
 * @p7m: the message as received
 * @trust: the pinned root
 *
 * Returns: (transfer full) (nullable): the verified message; its signer is
 *   the party that sends this step (%SEMPER_PROTOCOL_ERROR_WRONG_PARTY
 *   otherwise)
 */
SemperProtocolMessage *
semper_protocol_message_verify (GBytes       *p7m,
                                SemperTrust  *trust,
                                GError      **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperProtocolMessage) self = NULL;
  SemperProtocolParty senders, who = 0;

  g_return_val_if_fail (p7m != NULL, NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);

  if (g_bytes_get_size (p7m) > SEMPER_PROTOCOL_MESSAGE_MAX_SIZE)
    {
      invalid (error, _("too large"));
      return NULL;
    }
  content = semper_cms_verify (p7m, trust, &signer, error);
  if (content == NULL)
    return NULL;
  if (!signer->trusted)
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_PARTY,
                   _("The signer's certificate is not from the pinned authority"));
      return NULL;
    }
  self = semper_protocol_message_parse_content (content, error);
  if (self == NULL)
    return NULL;

  if (g_str_equal (signer->fingerprint, self->originator))
    who = SEMPER_PROTOCOL_PARTY_ORIGINATOR;
  else if (g_str_equal (signer->fingerprint, self->responder))
    who = SEMPER_PROTOCOL_PARTY_RESPONDER;
  else if (g_str_equal (signer->fingerprint, self->ttp))
    who = SEMPER_PROTOCOL_PARTY_TTP;
  senders = find_step_of (self->protocol, self->step)->senders;
  if ((who & senders) == 0
      || (who == SEMPER_PROTOCOL_PARTY_TTP && g_strcmp0 (signer->role, SEMPER_ROLE_TTP) != 0))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_PARTY,
                   _("Step “%s” was signed by %s, who may not send it"),
                   self->step, signer->common_name);
      return NULL;
    }

  self->raw = g_bytes_ref (p7m);
  self->signer = g_steal_pointer (&signer);
  return g_steal_pointer (&self);
}

gboolean
semper_protocol_message_check (SemperProtocolMessage  *self,
                               SemperProtocolMessage  *session,
                               const char             *step,
                               GError                **error)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), FALSE);
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (session), FALSE);

  if (!g_str_equal (self->protocol, session->protocol) || self->version != session->version
      || !g_str_equal (self->tid, session->tid)
      || !g_str_equal (self->originator, session->originator)
      || !g_str_equal (self->responder, session->responder)
      || !g_str_equal (self->ttp, session->ttp))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION,
                   _("The message belongs to another session"));
      return FALSE;
    }
  if (step != NULL && !g_str_equal (self->step, step))
    {
      g_set_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP,
                   _("Expected step “%s”, got “%s”"), step, self->step);
      return FALSE;
    }
  return TRUE;
}

const char *
semper_protocol_message_get_protocol (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->protocol;
}

guint
semper_protocol_message_get_version (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), 0);
  return self->version;
}

const char *
semper_protocol_message_get_step (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->step;
}

const char *
semper_protocol_message_get_tid (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->tid;
}

const char *
semper_protocol_message_get_originator (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->originator;
}

const char *
semper_protocol_message_get_responder (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->responder;
}

const char *
semper_protocol_message_get_ttp (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->ttp;
}

JsonObject *
semper_protocol_message_get_fields (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->fields;
}

const char *
semper_protocol_message_get_string (SemperProtocolMessage *self,
                                    const char            *field)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return semper_json_get_string (self->fields, field);
}

gint64
semper_protocol_message_get_int (SemperProtocolMessage *self,
                                 const char            *field)
{
  gint64 value = 0;

  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), 0);
  semper_json_get_int (self->fields, field, &value);
  return value;
}

GBytes *
semper_protocol_message_dup_bytes (SemperProtocolMessage *self,
                                   const char            *field)
{
  const char *text;
  guchar *data;
  gsize len = 0;

  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  text = semper_json_get_string (self->fields, field);
  if (text == NULL)
    return NULL;
  data = g_base64_decode (text, &len);
  return g_bytes_new_take (data, len);
}

GBytes *
semper_protocol_message_get_raw (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->raw;
}

SemperSignerInfo *
semper_protocol_message_get_signer (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->signer;
}

char *
semper_protocol_message_dup_hash (SemperProtocolMessage *self)
{
  g_return_val_if_fail (SEMPER_IS_PROTOCOL_MESSAGE (self), NULL);
  return self->raw != NULL ? semper_sha256_hex (self->raw) : NULL;
}
