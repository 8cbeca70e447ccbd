/* semper-contract-signing.c: the O and R sides of ASW contract signing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-contract-signing.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-journal-private.h"
#include "semper-message.h"
#include "semper-suspend.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-contract-error-quark, semper_contract_error)

#define ROLE_ORIGINATOR "originator"
#define ROLE_RESPONDER  "responder"
#define CONTRACT_FILE_MAX (8 * 1024 * 1024)

struct _SemperContractSigning
{
  GObject           parent_instance;

  SemperProfile    *profile;
  SemperCrypto     *crypto;    /* borrowed from profile */
  SemperArchive    *archive;   /* borrowed from profile */
  SemperTrust      *trust;
  SemperCommClient *client;
  char             *fingerprint;
};

G_DEFINE_FINAL_TYPE (SemperContractSigning, semper_contract_signing, G_TYPE_OBJECT)

enum {
  SIGNAL_JOURNALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One exchange as its latest journal entry describes it. */
typedef struct {
  char                  *id;
  char                  *state;
  char                  *role;
  char                  *ttp_url;
  char                  *nonce;     /* own nonce, hex; revealed in m3/m4 anyway */
  gint64                 deadline;
  gint64                 last_step;
  gboolean               finished;
  GBytes                *m1, *m2, *m3, *m4, *token;
  GBytes                *outgoing;  /* the journaled message of the current state */
  SemperProtocolMessage *m1_msg;
  SemperProtocolMessage *m2_msg;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  g_free (ex->id);
  g_free (ex->state);
  g_free (ex->role);
  g_free (ex->ttp_url);
  if (ex->nonce != NULL)
    semper_secret_wipe (ex->nonce, strlen (ex->nonce));
  g_free (ex->nonce);
  g_clear_pointer (&ex->m1, g_bytes_unref);
  g_clear_pointer (&ex->m2, g_bytes_unref);
  g_clear_pointer (&ex->m3, g_bytes_unref);
  g_clear_pointer (&ex->m4, g_bytes_unref);
  g_clear_pointer (&ex->token, g_bytes_unref);
  g_clear_pointer (&ex->outgoing, g_bytes_unref);
  g_clear_object (&ex->m1_msg);
  g_clear_object (&ex->m2_msg);
  g_free (ex);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static void
semper_contract_signing_dispose (GObject *object)
{
  SemperContractSigning *self = SEMPER_CONTRACT_SIGNING (object);

  g_clear_object (&self->trust);
  g_clear_object (&self->client);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (semper_contract_signing_parent_class)->dispose (object);
}

static void
semper_contract_signing_finalize (GObject *object)
{
  SemperContractSigning *self = SEMPER_CONTRACT_SIGNING (object);

  g_free (self->fingerprint);
  G_OBJECT_CLASS (semper_contract_signing_parent_class)->finalize (object);
}

static void
semper_contract_signing_class_init (SemperContractSigningClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_contract_signing_dispose;
  G_OBJECT_CLASS (klass)->finalize = semper_contract_signing_finalize;

  /**
   * SemperContractSigning::journaled:
   * @id: the exchange
   * @state: the journal state just committed
   *
   * Emitted right after a journal entry (state and outgoing message) was
   * committed, before the message leaves. The CLI's crash-recovery test hook
   * listens to it (docs/contract-signing.md).
   */
  signals[SIGNAL_JOURNALED] =
    g_signal_new ("journaled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
semper_contract_signing_init (SemperContractSigning *self)
{
}

static gboolean
bad_message (GError    **error,
             const char *message)
{
  g_set_error_literal (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_BAD_MESSAGE, message);
  return FALSE;
}

static char *
encode (GBytes *bytes)
{
  return g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* The checks, shared with the TTP */

/* Verifies the signed contract text in @field of @msg: signed by @fingerprint,
 * a contract document, hashing to @text_hash. */
static GBytes *
check_document (SemperProtocolMessage  *msg,
                SemperTrust            *trust,
                const char             *fingerprint,
                const char             *text_hash,
                GError                **error)
{
  g_autoptr(GBytes) p7m = semper_protocol_message_dup_bytes (msg, "document");
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autofree char *hash = NULL;

  text = semper_cms_verify (p7m, trust, &signer, error);
  if (text == NULL)
    return NULL;
  if (!signer->trusted || !g_str_equal (signer->fingerprint, fingerprint))
    {
      bad_message (error, _("The contract text was signed by someone else"));
      return NULL;
    }
  hash = semper_sha256_hex (text);
  if (!g_str_equal (hash, text_hash))
    {
      bad_message (error, _("The signed contract text does not match its hash"));
      return NULL;
    }
  doc = semper_document_parse (text, error);
  if (doc == NULL)
    return NULL;
  if (!g_str_equal (semper_document_get_kind (doc), "contract"))
    {
      bad_message (error, _("The signed text is not a contract"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

gboolean
semper_asw_check_m1 (SemperProtocolMessage  *m1,
                     SemperTrust            *trust,
                     GBytes                **out_text,
                     GError                **error)
{
  g_autoptr(GBytes) text = NULL;

  if (!g_str_equal (semper_protocol_message_get_step (m1), "m1"))
    return bad_message (error, _("Expected m1"));
  text = check_document (m1, trust, semper_protocol_message_get_originator (m1),
                         semper_protocol_message_get_string (m1, "text_hash"), error);
  if (text == NULL)
    return FALSE;
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return TRUE;
}

gboolean
semper_asw_check_m2 (SemperProtocolMessage  *m2,
                     SemperProtocolMessage  *m1,
                     SemperTrust            *trust,
                     GError                **error)
{
  g_autofree char *m1_hash = semper_protocol_message_dup_hash (m1);
  g_autoptr(GBytes) text = NULL;

  if (!semper_protocol_message_check (m2, m1, "m2", error))
    return FALSE;
  if (m1_hash == NULL
      || !g_str_equal (semper_protocol_message_get_string (m2, "m1_hash"), m1_hash))
    return bad_message (error, _("m2 answers another m1"));
  text = check_document (m2, trust, semper_protocol_message_get_responder (m1),
                         semper_protocol_message_get_string (m1, "text_hash"), error);
  return text != NULL;
}

static gboolean
check_reveal (SemperProtocolMessage  *msg,
              const char             *nonce_field,
              const char             *expected_commit,
              const char             *commit_field,
              const char             *other_commit,
              GError                **error)
{
  const char *nonce = semper_protocol_message_get_string (msg, nonce_field);
  g_autofree char *commit = semper_protocol_commit (nonce);

  if (commit == NULL || !g_str_equal (commit, expected_commit))
    return bad_message (error, _("The revealed nonce does not match its commitment"));
  if (!g_str_equal (semper_protocol_message_get_string (msg, commit_field), other_commit))
    return bad_message (error, _("The message is bound to another commitment"));
  return TRUE;
}

gboolean
semper_asw_check_m3 (SemperProtocolMessage  *m3,
                     SemperProtocolMessage  *m1,
                     SemperProtocolMessage  *m2,
                     GError                **error)
{
  if (!semper_protocol_message_check (m3, m1, "m3", error))
    return FALSE;
  return check_reveal (m3, "nonce_o", semper_protocol_message_get_string (m1, "commit_o"),
                       "commit_r", semper_protocol_message_get_string (m2, "commit_r"), error);
}

gboolean
semper_asw_check_m4 (SemperProtocolMessage  *m4,
                     SemperProtocolMessage  *m1,
                     SemperProtocolMessage  *m2,
                     GError                **error)
{
  if (!semper_protocol_message_check (m4, m1, "m4", error))
    return FALSE;
  return check_reveal (m4, "nonce_r", semper_protocol_message_get_string (m2, "commit_r"),
                       "commit_o", semper_protocol_message_get_string (m1, "commit_o"), error);
}

/* Verifies the TTP's token against the session of @m1. */
static SemperProtocolMessage *
check_token (GBytes                 *raw,
             SemperProtocolMessage  *m1,
             SemperTrust            *trust,
             GError                **error)
{
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autofree char *key = semper_protocol_message_dup_hash (m1);
  const char *step;

  token = semper_protocol_message_verify (raw, trust, error);
  if (token == NULL || !semper_protocol_message_check (token, m1, NULL, error))
    return NULL;
  step = semper_protocol_message_get_step (token);
  if (!g_str_equal (step, "aborted") && !g_str_equal (step, "resolved"))
    {
      bad_message (error, _("The TTP's answer is no abort or resolve token"));
      return NULL;
    }
  if (!g_str_equal (semper_protocol_message_get_string (token, "key"), key))
    {
      bad_message (error, _("The TTP's token is for another contract"));
      return NULL;
    }
  return g_steal_pointer (&token);
}

/* The contract file */

void
semper_contract_info_free (SemperContractInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->state);
  g_free (info->key);
  g_clear_pointer (&info->text, g_bytes_unref);
  g_clear_pointer (&info->originator, semper_signer_info_unref);
  g_clear_pointer (&info->responder, semper_signer_info_unref);
  g_clear_pointer (&info->ttp, semper_signer_info_unref);
  g_free (info);
}

static GBytes *
contract_file (Exchange *ex)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  struct { const char *name; GBytes *bytes; } parts[] = {
    { "m1", ex->m1 }, { "m2", ex->m2 }, { "m3", ex->m3 }, { "m4", ex->m4 },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "semper-contract");
  json_builder_add_int_value (builder, 1);
  if (ex->token != NULL)
    {
      g_autofree char *b64 = encode (ex->token);

      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, b64);
    }
  else
    for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_autofree char *b64 = encode (parts[i].bytes);

        json_builder_set_member_name (builder, parts[i].name);
        json_builder_add_string_value (builder, b64);
      }
  json_builder_end_object (builder);
  return semper_json_builder_to_bytes (builder);
}

static GBytes *
member_bytes (JsonObject  *object,
              const char  *name,
              GError     **error)
{
  const char *text = semper_json_get_string (object, name);
  guchar *data;
  gsize len = 0;

  if (text == NULL)
    {
      g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_BAD_MESSAGE,
                   _("The contract file has no “%s”"), name);
      return NULL;
    }
  data = g_base64_decode (text, &len);
  return g_bytes_new_take (data, len);
}

static SemperProtocolMessage *
verify_member (JsonObject   *object,
               const char   *name,
               SemperTrust  *trust,
               GError      **error)
{
  g_autoptr(GBytes) raw = member_bytes (object, name, error);

  return raw != NULL ? semper_protocol_message_verify (raw, trust, error) : NULL;
}

/**
 * semper_contract_verify:
 * @file: a contract file: {"semper-contract":1, "m1".."m4"} or
 *   {"semper-contract":1, "token"} with the TTP's token
 *
 * Returns: (transfer full) (nullable): what the file proves
 */
SemperContractInfo *
semper_contract_verify (GBytes       *file,
                        SemperTrust  *trust,
                        GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperContractInfo) info = g_new0 (SemperContractInfo, 1);
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  JsonObject *object;
  JsonNode *version;

  root = semper_message_parse (file, CONTRACT_FILE_MAX, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  version = json_object_get_member (object, "semper-contract");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    {
      bad_message (error, _("Not a semper contract file"));
      return NULL;
    }

  if (json_object_has_member (object, "token"))
    {
      g_autoptr(SemperProtocolMessage) token = NULL;
      const char *step;

      if (json_object_get_size (object) != 2)
        {
          bad_message (error, _("The contract file has unknown members"));
          return NULL;
        }
      token = verify_member (object, "token", trust, error);
      if (token == NULL)
        return NULL;
      step = semper_protocol_message_get_step (token);
      if (g_str_equal (step, "resolved"))
        {
          m1 = verify_member (semper_protocol_message_get_fields (token), "m1", trust, error);
          if (m1 == NULL)
            return NULL;
          m2 = verify_member (semper_protocol_message_get_fields (token), "m2", trust, error);
          if (m2 == NULL)
            return NULL;
          info->state = g_strdup (SEMPER_ASW_SIGNED);
        }
      else if (g_str_equal (step, "aborted"))
        {
          g_autoptr(SemperProtocolMessage) ma1 = NULL;

          ma1 = verify_member (semper_protocol_message_get_fields (token), "ma1", trust, error);
          if (ma1 == NULL || !semper_protocol_message_check (ma1, token, "abort", error))
            return NULL;
          m1 = verify_member (semper_protocol_message_get_fields (ma1), "m1", trust, error);
          if (m1 == NULL)
            return NULL;
          info->state = g_strdup (SEMPER_ASW_ABORTED);
        }
      else
        {
          bad_message (error, _("The token is neither an abort nor a resolve token"));
          return NULL;
        }
      if (!semper_protocol_message_check (m1, token, "m1", error)
          || !semper_asw_check_m1 (m1, trust, &info->text, error)
          || (m2 != NULL && !semper_asw_check_m2 (m2, m1, trust, error)))
        return NULL;
      {
        GBytes *raw = semper_protocol_message_get_raw (token);
        g_autoptr(SemperProtocolMessage) again = check_token (raw, m1, trust, error);
        if (again == NULL)
          return NULL;
      }
      info->ttp = semper_signer_info_ref (semper_protocol_message_get_signer (token));
    }
  else
    {
      g_autoptr(SemperProtocolMessage) m3 = NULL;
      g_autoptr(SemperProtocolMessage) m4 = NULL;

      if (json_object_get_size (object) != 5)
        {
          bad_message (error, _("The contract file has unknown members"));
          return NULL;
        }
      if ((m1 = verify_member (object, "m1", trust, error)) == NULL
          || (m2 = verify_member (object, "m2", trust, error)) == NULL
          || (m3 = verify_member (object, "m3", trust, error)) == NULL
          || (m4 = verify_member (object, "m4", trust, error)) == NULL)
        return NULL;
      if (!semper_asw_check_m1 (m1, trust, &info->text, error)
          || !semper_asw_check_m2 (m2, m1, trust, error)
          || !semper_asw_check_m3 (m3, m1, m2, error)
          || !semper_asw_check_m4 (m4, m1, m2, error))
        return NULL;
      info->state = g_strdup (SEMPER_ASW_SIGNED);
    }

  info->key = semper_protocol_message_dup_hash (m1);
  info->originator = semper_signer_info_ref (semper_protocol_message_get_signer (m1));
  if (m2 != NULL)
    info->responder = semper_signer_info_ref (semper_protocol_message_get_signer (m2));
  return g_steal_pointer (&info);
}

/* The parties */

SemperContractSigning *
semper_contract_signing_new (SemperProfile  *profile,
                             GError        **error)
{
  g_autoptr(SemperContractSigning) self = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_FAILED,
                   _("The profile has no identity or no pinned authority"));
      return NULL;
    }
  self = g_object_new (SEMPER_TYPE_CONTRACT_SIGNING, NULL);
  self->trust = semper_profile_dup_trust (profile, error);
  if (self->trust == NULL)
    return NULL;
  self->profile = g_object_ref (profile);
  self->crypto = semper_profile_get_crypto (profile);
  self->archive = semper_profile_get_archive (profile);
  self->client = semper_comm_client_new ();
  self->fingerprint = semper_sha256_hex (cert);
  return g_steal_pointer (&self);
}

static char *
exchange_to_json (Exchange   *ex,
                  const char *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, ex->role);
  json_builder_set_member_name (builder, "ttp_url");
  json_builder_add_string_value (builder, ex->ttp_url);
  json_builder_set_member_name (builder, "deadline");
  json_builder_add_int_value (builder, ex->deadline);
  if (ex->nonce != NULL)
    {
      json_builder_set_member_name (builder, "nonce");
      json_builder_add_string_value (builder, ex->nonce);
    }
  _semper_journal_add_bytes (builder, "m1", ex->m1);
  _semper_journal_add_bytes (builder, "m2", ex->m2);
  _semper_journal_add_bytes (builder, "m3", ex->m3);
  _semper_journal_add_bytes (builder, "m4", ex->m4);
  _semper_journal_add_bytes (builder, "token", ex->token);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static Exchange *
load (SemperContractSigning  *self,
      const char             *id,
      GError                **error)
{
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_autoptr(GPtrArray) journal = NULL;
  g_autoptr(Exchange) ex = g_new0 (Exchange, 1);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) state_bytes = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;

  row = semper_archive_exchange_get (self->archive, id, &local);
  if (row == NULL || !g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW))
    {
      g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_NOT_FOUND,
                   _("No contract exchange “%s”"), id);
      return NULL;
    }
  state_bytes = g_bytes_new (row->state, strlen (row->state));
  root = semper_message_parse (state_bytes, CONTRACT_FILE_MAX, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  ex->id = g_strdup (id);
  ex->state = g_strdup (json_object_get_string_member (object, "state"));
  ex->role = g_strdup (json_object_get_string_member (object, "role"));
  ex->ttp_url = g_strdup (json_object_get_string_member (object, "ttp_url"));
  ex->deadline = json_object_get_int_member (object, "deadline");
  if (json_object_has_member (object, "nonce"))
    ex->nonce = g_strdup (json_object_get_string_member (object, "nonce"));
  ex->m1 = _semper_journal_opt_bytes (object, "m1");
  ex->m2 = _semper_journal_opt_bytes (object, "m2");
  ex->m3 = _semper_journal_opt_bytes (object, "m3");
  ex->m4 = _semper_journal_opt_bytes (object, "m4");
  ex->token = _semper_journal_opt_bytes (object, "token");
  ex->last_step = row->last_step;
  ex->finished = row->finished;

  journal = semper_archive_journal_list (self->archive, id, error);
  if (journal == NULL)
    return NULL;
  for (guint i = journal->len; i > 0; i--)
    {
      SemperArchiveJournalEntry *entry = g_ptr_array_index (journal, i - 1);

      if (entry->outgoing != NULL)
        {
          ex->outgoing = g_bytes_ref (entry->outgoing);
          break;
        }
    }

  ex->m1_msg = semper_protocol_message_verify (ex->m1, self->trust, error);
  if (ex->m1_msg == NULL)
    return NULL;
  if (ex->m2 != NULL)
    {
      ex->m2_msg = semper_protocol_message_verify (ex->m2, self->trust, error);
      if (ex->m2_msg == NULL)
        return NULL;
    }
  return g_steal_pointer (&ex);
}

/* DESIGN.md rule 3: the new state and the message about to leave, in one
 * transaction, before it leaves. Inside an open transaction, the caller
 * emits ::journaled after its commit. */
static gboolean
journal_entry (SemperContractSigning  *self,
         Exchange               *ex,
         const char             *state,
         GBytes                 *outgoing,
         GError                **error)
{
  g_autofree char *json = exchange_to_json (ex, state);

  if (!_semper_journal_append (self->archive, ex->id, ex->last_step + 1, json, outgoing, error))
    return FALSE;
  ex->last_step++;
  g_free (ex->state);
  ex->state = g_strdup (state);
  if (outgoing != NULL)
    {
      g_clear_pointer (&ex->outgoing, g_bytes_unref);
      ex->outgoing = g_bytes_ref (outgoing);
    }
  return TRUE;
}

static gboolean
journal (SemperContractSigning  *self,
         Exchange               *ex,
         const char             *state,
         GBytes                 *outgoing,
         GError                **error)
{
  if (!journal_entry (self, ex, state, outgoing, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, ex->id, state);
  return TRUE;
}

static gboolean
finish (SemperContractSigning  *self,
        Exchange               *ex,
        const char             *state,
        GError                **error)
{
  g_autofree char *json = exchange_to_json (ex, state);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  SemperArchiveRecord record = { 0 };
  SemperSignerInfo *peer_info = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autofree char *text_str = NULL;

  if (!semper_archive_begin (self->archive, error))
    return FALSE;
  if (!semper_archive_exchange_finish (self->archive, ex->id, json, error))
    goto failed;
  g_free (ex->state);
  ex->state = g_strdup (state);
  ex->finished = TRUE;

  if (g_str_equal (state, SEMPER_ASW_SIGNED) || g_str_equal (state, SEMPER_ASW_ABORTED))
    {
      file = contract_file (ex);
      record.message_id = semper_archive_message_store (self->archive, SEMPER_MESSAGE_IN, ex->id,
                                                        SEMPER_COMM_CONTENT_TYPE_JSON, file,
                                                        error);
      if (record.message_id == 0)
        goto failed;
    }
  if (!semper_asw_check_m1 (ex->m1_msg, self->trust, &text, error))
    goto failed;
  doc = semper_document_parse (text, NULL);
  text_str = g_strndup (g_bytes_get_data (text, NULL), g_bytes_get_size (text));

  if (g_str_equal (ex->role, ROLE_RESPONDER))
    peer_info = semper_protocol_message_get_signer (ex->m1_msg);
  else if (ex->m2_msg != NULL)
    peer_info = semper_protocol_message_get_signer (ex->m2_msg);
  record.exchange_id = ex->id;
  record.counterparty = peer_info != NULL ? peer_info->common_name
                        : (char *) semper_protocol_message_get_responder (ex->m1_msg);
  record.title = doc != NULL ? (char *) semper_document_get_field (doc, "Title") : NULL;
  record.state = (char *) state;
  record.time = g_get_real_time () / G_USEC_PER_SEC;
  record.text = text_str;
  if (semper_archive_record_insert (self->archive, SEMPER_ARCHIVE_CONTRACTS, &record, error) == 0)
    goto failed;
  return semper_archive_commit (self->archive, error);

failed:
  semper_archive_rollback (self->archive);
  return FALSE;
}

static GBytes *
post (SemperContractSigning  *self,
      const char             *base,
      const char             *path,
      GBytes                 *body,
      GError                **error)
{
  g_autofree char *url = g_strconcat (base, path, NULL);

  return semper_comm_client_post_sync (self->client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body,
                                       NULL, NULL, error);
}

static gboolean
deliver (SemperContractSigning  *self,
         Exchange               *ex,
         GError                **error)
{
  g_autoptr(GBytes) answer = post (self, ex->ttp_url, "/asw/mailbox", ex->outgoing, error);

  return answer != NULL;
}

static char *
fetch_ttp_fingerprint (SemperContractSigning  *self,
                       const char             *ttp_url,
                       GError                **error)
{
  g_autofree char *url = g_strconcat (ttp_url, "/asw/certificate", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GError) local = NULL;

  body = semper_comm_client_get_sync (self->client, url, NULL, NULL, error);
  if (body == NULL)
    return NULL;
  root = semper_message_parse (body, 64 * 1024, error);
  if (root == NULL)
    return NULL;
  cert = member_bytes (json_node_get_object (root), "certificate", error);
  if (cert == NULL)
    return NULL;
  if (!semper_trust_check_certificate (self->trust, cert, NULL, &info, error))
    return NULL;
  if (g_strcmp0 (info->role, SEMPER_ROLE_TTP) != 0)
    {
      g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_FAILED,
                   _("The server at %s is not a TTP"), ttp_url);
      return NULL;
    }
  return g_strdup (info->fingerprint);
}

static char *
new_tid (GError **error)
{
  guint8 tid[16];

  if (!semper_random_bytes (tid, sizeof tid, error))
    return NULL;
  return semper_protocol_hex (tid, sizeof tid);
}

char *
semper_contract_signing_propose (SemperContractSigning  *self,
                                 const char             *ttp_url,
                                 GBytes                 *responder_cert,
                                 GBytes                 *text,
                                 SemperConsent          *consent,
                                 gint64                  deadline,
                                 GError                **error)
{
  g_autoptr(SemperSignerInfo) responder = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(Exchange) ex = g_new0 (Exchange, 1);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autofree char *ttp = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *text_hash = NULL;
  g_autofree char *doc_b64 = NULL;
  g_autofree char *created = NULL;
  g_autofree char *initial = NULL;

  g_return_val_if_fail (SEMPER_IS_CONTRACT_SIGNING (self), NULL);
  g_return_val_if_fail (ttp_url != NULL && responder_cert != NULL && text != NULL, NULL);

  doc = semper_document_parse (text, error);
  if (doc == NULL)
    return NULL;
  if (!g_str_equal (semper_document_get_kind (doc), "contract"))
    {
      bad_message (error, _("Only a semper document of kind “contract” can be proposed"));
      return NULL;
    }
  if (!semper_trust_check_certificate (self->trust, responder_cert, NULL, &responder, error))
    return NULL;
  ttp = fetch_ttp_fingerprint (self, ttp_url, error);
  if (ttp == NULL)
    return NULL;

  /* The user's first signature: over the text itself, with their consent. */
  document = semper_cms_sign_document (self->crypto, text, consent, error);
  if (document == NULL)
    return NULL;

  ex->id = new_tid (error);
  ex->nonce = semper_protocol_new_nonce (error);
  if (ex->id == NULL || ex->nonce == NULL)
    return NULL;
  ex->role = g_strdup (ROLE_ORIGINATOR);
  ex->ttp_url = g_strdup (ttp_url);
  ex->deadline = deadline;
  ex->last_step = -1;

  commit = semper_protocol_commit (ex->nonce);
  text_hash = semper_sha256_hex (text);
  doc_b64 = encode (document);
  json_object_set_string_member (fields, "text_hash", text_hash);
  json_object_set_string_member (fields, "commit_o", commit);
  json_object_set_int_member (fields, "deadline", deadline);
  json_object_set_string_member (fields, "document", doc_b64);
  m1 = semper_protocol_message_new ("m1", ex->id, self->fingerprint, responder->fingerprint, ttp,
                                    fields);
  ex->m1 = semper_protocol_message_sign (m1, self->crypto, error);
  if (ex->m1 == NULL)
    return NULL;
  ex->m1_msg = g_object_ref (m1);

  initial = exchange_to_json (ex, "new");
  /* The exchange exists only with its first journal entry. */
  if (!semper_archive_begin (self->archive, error))
    return NULL;
  created = semper_archive_exchange_create (self->archive, ex->id, SEMPER_PROTOCOL_ASW,
                                            ROLE_ORIGINATOR, responder->fingerprint, initial,
                                            error);
  if (created == NULL || !journal_entry (self, ex, SEMPER_ASW_M1_SENT, ex->m1, error))
    {
      semper_archive_rollback (self->archive);
      return NULL;
    }
  if (!semper_archive_commit (self->archive, error))
    return NULL;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, ex->id, SEMPER_ASW_M1_SENT);
  if (!deliver (self, ex, error))
    return NULL;
  return g_steal_pointer (&ex->id);
}

/* Calls @func for every message in our mailbox at @ttp_url. */
typedef gboolean (*MailFunc) (SemperContractSigning *self,
                              GBytes                *raw,
                              gpointer               data,
                              GError               **error);

static gboolean
each_mail (SemperContractSigning  *self,
           const char             *ttp_url,
           MailFunc                func,
           gpointer                data,
           GError                **error)
{
  gint64 after = 0;

  for (;;)
    {
      g_autofree char *url = g_strdup_printf ("%s/asw/mailbox?to=%s&after=%" G_GINT64_FORMAT,
                                              ttp_url, self->fingerprint, after);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonNode *messages;
      JsonArray *array;
      guint n;

      body = semper_comm_client_get_sync (self->client, url, NULL, NULL, error);
      if (body == NULL)
        return FALSE;
      root = semper_message_parse (body, SEMPER_COMM_DEFAULT_MAX_BODY, error);
      if (root == NULL)
        return FALSE;
      messages = json_object_get_member (json_node_get_object (root), "messages");
      if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
        return bad_message (error, _("The TTP's mailbox answered nonsense"));
      array = json_node_get_array (messages);
      n = json_array_get_length (array);
      if (n == 0)
        return TRUE;
      for (guint i = 0; i < n; i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          g_autoptr(GBytes) raw = NULL;
          gint64 seq;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            return bad_message (error, _("The TTP's mailbox answered nonsense"));
          seq = json_object_get_int_member_with_default (json_node_get_object (node), "seq", 0);
          raw = member_bytes (json_node_get_object (node), "message", error);
          if (raw == NULL || seq <= after)
            return bad_message (error, _("The TTP's mailbox answered nonsense"));
          after = seq;
          if (!func (self, raw, data, error))
            return FALSE;
        }
    }
}

typedef struct {
  const char *ttp_url;
  const char *ttp;
  GPtrArray  *ids;
} FetchData;

static gboolean
fetch_cb (SemperContractSigning  *self,
          GBytes                 *raw,
          gpointer                user_data,
          GError                **error)
{
  FetchData *data = user_data;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperArchiveExchange) existing = NULL;
  g_autoptr(Exchange) ex = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *initial = NULL;
  g_autofree char *created = NULL;

  m1 = semper_protocol_message_verify (raw, self->trust, &local);
  if (m1 == NULL || !g_str_equal (semper_protocol_message_get_step (m1), "m1")
      || !g_str_equal (semper_protocol_message_get_responder (m1), self->fingerprint)
      || !g_str_equal (semper_protocol_message_get_ttp (m1), data->ttp))
    return TRUE;  /* not a proposal for us through this TTP: not ours to act on */
  existing = semper_archive_exchange_get (self->archive, semper_protocol_message_get_tid (m1),
                                          NULL);
  if (existing != NULL)
    return TRUE;
  if (!semper_asw_check_m1 (m1, self->trust, NULL, &local))
    {
      g_debug ("Ignoring a proposal: %s", local->message);
      return TRUE;
    }

  ex = g_new0 (Exchange, 1);
  ex->id = g_strdup (semper_protocol_message_get_tid (m1));
  ex->role = g_strdup (ROLE_RESPONDER);
  ex->ttp_url = g_strdup (data->ttp_url);
  ex->deadline = semper_protocol_message_get_int (m1, "deadline");
  ex->m1 = g_bytes_ref (raw);
  ex->m1_msg = g_object_ref (m1);
  ex->last_step = -1;
  initial = exchange_to_json (ex, "new");
  if (!semper_archive_begin (self->archive, error))
    return FALSE;
  created = semper_archive_exchange_create (self->archive, ex->id, SEMPER_PROTOCOL_ASW,
                                            ROLE_RESPONDER,
                                            semper_protocol_message_get_originator (m1),
                                            initial, error);
  if (created == NULL || !_semper_journal_archive_in (self->archive, ex->id, raw, error)
      || !journal_entry (self, ex, SEMPER_ASW_M1_RECEIVED, NULL, error))
    {
      semper_archive_rollback (self->archive);
      return FALSE;
    }
  if (!semper_archive_commit (self->archive, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOURNALED], 0, ex->id, SEMPER_ASW_M1_RECEIVED);
  g_ptr_array_add (data->ids, g_strdup (ex->id));
  return TRUE;
}

GPtrArray *
semper_contract_signing_fetch (SemperContractSigning  *self,
                               const char             *ttp_url,
                               GError                **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *ttp = NULL;
  FetchData data = { ttp_url, NULL, ids };

  g_return_val_if_fail (SEMPER_IS_CONTRACT_SIGNING (self), NULL);

  ttp = fetch_ttp_fingerprint (self, ttp_url, error);
  if (ttp == NULL)
    return NULL;
  data.ttp = ttp;
  if (!each_mail (self, ttp_url, fetch_cb, &data, error))
    return NULL;
  return g_steal_pointer (&ids);
}

GBytes *
semper_contract_signing_dup_text (SemperContractSigning  *self,
                                  const char             *id,
                                  GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);
  GBytes *text = NULL;

  if (ex == NULL || !semper_asw_check_m1 (ex->m1_msg, self->trust, &text, error))
    return NULL;
  return text;
}

static gboolean
wrong_state (Exchange    *ex,
             const char  *action,
             GError     **error)
{
  g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_WRONG_STATE,
               _("Cannot %s contract %s: it is %s"), action, ex->id, ex->state);
  return FALSE;
}

static gboolean
is (Exchange   *ex,
    const char *role,
    const char *state)
{
  return !ex->finished && g_str_equal (ex->role, role) && g_str_equal (ex->state, state);
}

static gint64
now_or (gint64 now)
{
  return now > 0 ? now : g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
semper_contract_signing_accept (SemperContractSigning  *self,
                                const char             *id,
                                SemperConsent          *consent,
                                GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autofree char *m1_hash = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *doc_b64 = NULL;

  if (ex == NULL)
    return FALSE;
  if (!is (ex, ROLE_RESPONDER, SEMPER_ASW_M1_RECEIVED))
    return wrong_state (ex, _("accept"), error);
  if (now_or (0) >= ex->deadline)
    {
      g_set_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_EXPIRED,
                   _("The proposal's deadline has passed"));
      return FALSE;
    }
  if (!semper_asw_check_m1 (ex->m1_msg, self->trust, &text, error))
    return FALSE;
  document = semper_cms_sign_document (self->crypto, text, consent, error);
  if (document == NULL)
    return FALSE;

  ex->nonce = semper_protocol_new_nonce (error);
  if (ex->nonce == NULL)
    return FALSE;
  commit = semper_protocol_commit (ex->nonce);
  m1_hash = semper_protocol_message_dup_hash (ex->m1_msg);
  doc_b64 = encode (document);
  json_object_set_string_member (fields, "m1_hash", m1_hash);
  json_object_set_string_member (fields, "commit_r", commit);
  json_object_set_string_member (fields, "document", doc_b64);
  m2 = semper_protocol_message_new_in_session (ex->m1_msg, "m2", fields);
  ex->m2 = semper_protocol_message_sign (m2, self->crypto, error);
  if (ex->m2 == NULL)
    return FALSE;
  ex->m2_msg = g_object_ref (m2);
  if (!journal (self, ex, SEMPER_ASW_M2_SENT, ex->m2, error))
    return FALSE;
  return deliver (self, ex, error);
}

gboolean
semper_contract_signing_decline (SemperContractSigning  *self,
                                 const char             *id,
                                 GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return FALSE;
  if (!is (ex, ROLE_RESPONDER, SEMPER_ASW_M1_RECEIVED))
    return wrong_state (ex, _("decline"), error);
  return finish (self, ex, SEMPER_ASW_DECLINED, error);
}

/* R, after m3: journal m4, send it, and the contract is complete. */
static gboolean
send_m4 (SemperContractSigning  *self,
         Exchange               *ex,
         GError                **error)
{
  if (!deliver (self, ex, error))
    return FALSE;
  return finish (self, ex, SEMPER_ASW_SIGNED, error);
}

static gboolean
receive (SemperContractSigning  *self,
         Exchange               *ex,
         GBytes                 *raw,
         GError                **error)
{
  g_autoptr(SemperProtocolMessage) msg = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *expected;

  if (is (ex, ROLE_ORIGINATOR, SEMPER_ASW_M1_SENT))
    expected = "m2";
  else if (is (ex, ROLE_ORIGINATOR, SEMPER_ASW_M3_SENT))
    expected = "m4";
  else if (is (ex, ROLE_RESPONDER, SEMPER_ASW_M2_SENT))
    expected = "m3";
  else
    return wrong_state (ex, _("receive a message for"), error);

  msg = semper_protocol_message_verify (raw, self->trust, error);
  if (msg == NULL || !semper_protocol_message_check (msg, ex->m1_msg, expected, error))
    return FALSE;

  if (g_str_equal (expected, "m2"))
    {
      g_autoptr(SemperProtocolMessage) m3 = NULL;

      if (!semper_asw_check_m2 (msg, ex->m1_msg, self->trust, error)
          || !_semper_journal_archive_in (self->archive, ex->id, raw, error))
        return FALSE;
      ex->m2 = g_bytes_ref (raw);
      ex->m2_msg = g_object_ref (msg);
      json_object_set_string_member (fields, "nonce_o", ex->nonce);
      json_object_set_string_member (fields, "commit_r",
                                     semper_protocol_message_get_string (msg, "commit_r"));
      m3 = semper_protocol_message_new_in_session (ex->m1_msg, "m3", fields);
      ex->m3 = semper_protocol_message_sign (m3, self->crypto, error);
      if (ex->m3 == NULL || !journal (self, ex, SEMPER_ASW_M3_SENT, ex->m3, error))
        return FALSE;
      return deliver (self, ex, error);
    }
  else if (g_str_equal (expected, "m4"))
    {
      if (!semper_asw_check_m4 (msg, ex->m1_msg, ex->m2_msg, error)
          || !_semper_journal_archive_in (self->archive, ex->id, raw, error))
        return FALSE;
      ex->m4 = g_bytes_ref (raw);
      return finish (self, ex, SEMPER_ASW_SIGNED, error);
    }
  else
    {
      g_autoptr(SemperProtocolMessage) m4 = NULL;

      if (!semper_asw_check_m3 (msg, ex->m1_msg, ex->m2_msg, error)
          || !_semper_journal_archive_in (self->archive, ex->id, raw, error))
        return FALSE;
      ex->m3 = g_bytes_ref (raw);
      json_object_set_string_member (fields, "nonce_r", ex->nonce);
      json_object_set_string_member (fields, "commit_o",
                                     semper_protocol_message_get_string (ex->m1_msg, "commit_o"));
      m4 = semper_protocol_message_new_in_session (ex->m1_msg, "m4", fields);
      ex->m4 = semper_protocol_message_sign (m4, self->crypto, error);
      if (ex->m4 == NULL || !journal (self, ex, SEMPER_ASW_M4_SENT, ex->m4, error))
        return FALSE;
      return send_m4 (self, ex, error);
    }
}

gboolean
semper_contract_signing_receive (SemperContractSigning  *self,
                                 const char             *id,
                                 GBytes                 *raw,
                                 GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  return ex != NULL && receive (self, ex, raw, error);
}

/* Sends the journaled abort or resolve request to the TTP and settles on its
 * answer. Retried (by step or resume) until the TTP answers. */
static gboolean
ask_ttp (SemperContractSigning  *self,
         Exchange               *ex,
         GError                **error)
{
  gboolean is_abort = g_str_equal (ex->state, SEMPER_ASW_ABORTING);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SemperProtocolMessage) token = NULL;

  answer = post (self, ex->ttp_url, is_abort ? "/asw/abort" : "/asw/resolve", ex->outgoing,
                 error);
  if (answer == NULL)
    return FALSE;
  token = check_token (answer, ex->m1_msg, self->trust, error);
  if (token == NULL || !_semper_journal_archive_in (self->archive, ex->id, answer, error))
    return FALSE;
  ex->token = g_bytes_ref (answer);
  return finish (self, ex,
                 g_str_equal (semper_protocol_message_get_step (token), "resolved")
                 ? SEMPER_ASW_SIGNED : SEMPER_ASW_ABORTED, error);
}

static gboolean
start_abort (SemperContractSigning  *self,
             Exchange               *ex,
             GError                **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) ma1 = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *m1_b64 = encode (ex->m1);

  json_object_set_string_member (fields, "m1", m1_b64);
  ma1 = semper_protocol_message_new_in_session (ex->m1_msg, "abort", fields);
  raw = semper_protocol_message_sign (ma1, self->crypto, error);
  if (raw == NULL || !journal (self, ex, SEMPER_ASW_ABORTING, raw, error))
    return FALSE;
  return ask_ttp (self, ex, error);
}

static gboolean
start_resolve (SemperContractSigning  *self,
               Exchange               *ex,
               GError                **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *m1_b64 = encode (ex->m1);
  g_autofree char *m2_b64 = encode (ex->m2);

  json_object_set_string_member (fields, "m1", m1_b64);
  json_object_set_string_member (fields, "m2", m2_b64);
  request = semper_protocol_message_new_in_session (ex->m1_msg, "resolve", fields);
  raw = semper_protocol_message_sign (request, self->crypto, error);
  if (raw == NULL || !journal (self, ex, SEMPER_ASW_RESOLVING, raw, error))
    return FALSE;
  return ask_ttp (self, ex, error);
}

char *
semper_contract_signing_abort (SemperContractSigning  *self,
                               const char             *id,
                               GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  if (is (ex, ROLE_ORIGINATOR, SEMPER_ASW_ABORTING))
    {
      if (!ask_ttp (self, ex, error))
        return NULL;
    }
  else if (!is (ex, ROLE_ORIGINATOR, SEMPER_ASW_M1_SENT))
    {
      wrong_state (ex, _("abort"), error);
      return NULL;
    }
  else if (!start_abort (self, ex, error))
    return NULL;
  return g_strdup (ex->state);
}

char *
semper_contract_signing_resolve (SemperContractSigning  *self,
                                 const char             *id,
                                 GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  if (is (ex, ex->role, SEMPER_ASW_RESOLVING))
    {
      if (!ask_ttp (self, ex, error))
        return NULL;
    }
  else if (!is (ex, ROLE_ORIGINATOR, SEMPER_ASW_M3_SENT)
           && !is (ex, ROLE_RESPONDER, SEMPER_ASW_M2_SENT))
    {
      wrong_state (ex, _("resolve"), error);
      return NULL;
    }
  else if (!start_resolve (self, ex, error))
    return NULL;
  return g_strdup (ex->state);
}

typedef struct {
  Exchange *ex;
  gboolean  done;
} StepData;

static gboolean
step_cb (SemperContractSigning  *self,
         GBytes                 *raw,
         gpointer                user_data,
         GError                **error)
{
  StepData *data = user_data;
  g_autoptr(GError) local = NULL;
  g_autofree char *before = NULL;

  if (data->done)
    return TRUE;
  before = g_strdup (data->ex->state);
  if (receive (self, data->ex, raw, &local))
    {
      data->done = TRUE;
      return TRUE;
    }
  /* A message that changed the state and then failed (e.g. delivery) is an
   * error; one that was refused is ignored: it may belong to another session. */
  if (!g_str_equal (before, data->ex->state))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static gboolean
step (SemperContractSigning  *self,
      Exchange               *ex,
      gint64                  now,
      GError                **error)
{
  StepData data = { ex, FALSE };

  if (ex->finished)
    return TRUE;
  if (g_str_equal (ex->state, SEMPER_ASW_ABORTING) || g_str_equal (ex->state, SEMPER_ASW_RESOLVING))
    return ask_ttp (self, ex, error);
  if (g_str_equal (ex->state, SEMPER_ASW_M4_SENT))
    return send_m4 (self, ex, error);
  if (g_str_equal (ex->state, SEMPER_ASW_M1_RECEIVED))
    return now_or (now) < ex->deadline || finish (self, ex, SEMPER_ASW_DECLINED, error);

  /* m1-sent, m2-sent, m3-sent: the message may not have left; resending is
   * harmless (byte-identical, the mailbox keeps one copy). */
  if (ex->outgoing != NULL && !deliver (self, ex, error))
    return FALSE;
  if (!each_mail (self, ex->ttp_url, step_cb, &data, error))
    return FALSE;
  if (data.done || now_or (now) < ex->deadline)
    return TRUE;

  if (g_str_equal (ex->state, SEMPER_ASW_M1_SENT))
    return start_abort (self, ex, error);
  return start_resolve (self, ex, error);
}

char *
semper_contract_signing_step (SemperContractSigning  *self,
                              const char             *id,
                              gint64                  now,
                              GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL || !step (self, ex, now, error))
    return NULL;
  return g_strdup (ex->state);
}

char *
semper_contract_signing_dup_state (SemperContractSigning  *self,
                                   const char             *id,
                                   GError                **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  return ex != NULL ? g_strdup (ex->state) : NULL;
}

gboolean
semper_contract_signing_resume (SemperContractSigning  *self,
                                GError                **error)
{
  g_autoptr(GPtrArray) list = semper_archive_exchange_list_unfinished (self->archive, error);
  gboolean ok = TRUE;

  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (list, i);
      g_autoptr(Exchange) ex = NULL;
      g_autoptr(GError) local = NULL;

      if (!g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW)
          || semper_exchange_is_suspended (self->profile, row->id))
        continue;
      ex = load (self, row->id, &local);
      if (ex == NULL || !step (self, ex, 0, &local))
        {
          /* Keep going: one unreachable TTP must not block the others. */
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
        }
    }
  return ok;
}

GBytes *
semper_contract_signing_dup_contract (SemperContractSigning  *self,
                                      const char             *id,
                                      GError                 **error)
{
  g_autoptr(Exchange) ex = load (self, id, error);

  if (ex == NULL)
    return NULL;
  if (!ex->finished || (!g_str_equal (ex->state, SEMPER_ASW_SIGNED)
                        && !g_str_equal (ex->state, SEMPER_ASW_ABORTED)))
    {
      wrong_state (ex, _("export"), error);
      return NULL;
    }
  return contract_file (ex);
}
