/* semper-dispute.c: dispute claims, the wallet's and the TTP's side
 * (PROTOCOLS.md F, docs/evidence.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-dispute.h"
#include "semper-evidence-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-document.h"
#include "semper-message.h"
#include "semper-protocol-message.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-dispute-error-quark, semper_dispute_error)

#define PROTOCOL        "dispute"
#define MAX_USER_TEXT   (64 * 1024)
#define MAX_ANSWER      (SEMPER_CMS_MAX_SIZE)
#define MAX_REQUEST     (SEMPER_EVIDENCE_MAX_SIZE / 3 * 4 + SEMPER_CMS_MAX_SIZE / 3 * 4 + 64)

static const struct {
  const char *name;
  const char *description;
} claims[] = {
  [SEMPER_DISPUTE_CLAIM_PAID_NOT_RECEIVED]  = { "paid-not-received",
                                                N_("I paid and did not receive the goods") },
  [SEMPER_DISPUTE_CLAIM_GOODS_DO_NOT_MATCH] = { "goods-do-not-match",
                                                N_("The goods do not match their description") },
  [SEMPER_DISPUTE_CLAIM_CHARGED_TWICE]      = { "charged-twice",
                                                N_("I was charged twice") },
  [SEMPER_DISPUTE_CLAIM_NOT_DELIVERED]      = { "not-delivered",
                                                N_("The order was not delivered") },
  [SEMPER_DISPUTE_CLAIM_OTHER]              = { "other", N_("Another claim") },
};

const char *
semper_dispute_claim_to_string (SemperDisputeClaim claim)
{
  g_return_val_if_fail ((guint) claim < G_N_ELEMENTS (claims), NULL);
  return claims[claim].name;
}

gboolean
semper_dispute_claim_from_string (const char         *text,
                                  SemperDisputeClaim *out_claim)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (claims); i++)
    if (g_str_equal (text, claims[i].name))
      {
        if (out_claim != NULL)
          *out_claim = (SemperDisputeClaim) i;
        return TRUE;
      }
  return FALSE;
}

const char *
semper_dispute_claim_describe (SemperDisputeClaim claim)
{
  g_return_val_if_fail ((guint) claim < G_N_ELEMENTS (claims), NULL);
  return _(claims[claim].description);
}

void
semper_dispute_info_free (SemperDisputeInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->exchange_id);
  g_free (info->transaction);
  g_free (info->state);
  g_clear_pointer (&info->document, g_bytes_unref);
  g_clear_pointer (&info->signed_claim, g_bytes_unref);
  g_clear_pointer (&info->bundle, g_bytes_unref);
  g_free (info->ttp_url);
  g_clear_pointer (&info->answer, g_bytes_unref);
  g_free (info->decision);
  g_free (info->reason);
  g_clear_pointer (&info->token, g_bytes_unref);
  g_free (info);
}

/* ---- shared: the claim document, the request and the answer ------------------------ */

typedef struct {
  SemperDisputeClaim  claim;
  char               *exchange_id;
  char               *transaction;  /* (nullable) */
  char               *evidence;     /* hex SHA-256 of the bundle */
} Claim;

static void
claim_clear (Claim *c)
{
  g_clear_pointer (&c->exchange_id, g_free);
  g_clear_pointer (&c->transaction, g_free);
  g_clear_pointer (&c->evidence, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Claim, claim_clear)

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
parse_claim (GBytes  *document,
             Claim   *out,
             GError **error)
{
  g_autoptr(SemperDocument) doc = NULL;
  const char *field;

  doc = semper_document_parse (document, error);
  if (doc == NULL)
    return FALSE;
  if (!g_str_equal (semper_document_get_kind (doc), "dispute")
      || semper_document_get_version (doc) != 1)
    return invalid (error, _("The claim is not a semper document of kind dispute/1"));
  field = semper_document_get_field (doc, "Claim");
  if (!semper_dispute_claim_from_string (field, &out->claim))
    return invalid (error, _("The claim names no known kind of claim"));
  field = semper_document_get_field (doc, "Exchange");
  if (field == NULL || strlen (field) > 128)
    return invalid (error, _("The claim names no transaction"));
  out->exchange_id = g_strdup (field);
  field = semper_document_get_field (doc, "Transaction");
  if (field != NULL && !semper_protocol_is_hex (field, 64))
    return invalid (error, _("The claim’s Transaction is not a SHA-256"));
  out->transaction = g_strdup (field);
  field = semper_document_get_field (doc, "Evidence");
  if (field == NULL || !semper_protocol_is_hex (field, 64))
    return invalid (error, _("The claim names no evidence bundle by its SHA-256"));
  out->evidence = g_strdup (field);
  return TRUE;
}

typedef struct {
  char   *claim;        /* hex SHA-256 of the signed claim */
  char   *exchange_id;
  char   *transaction;  /* (nullable) */
  char   *decision;
  char   *reason;
  GBytes *token;        /* (nullable) */
} Answer;

static void
answer_clear (Answer *a)
{
  g_clear_pointer (&a->claim, g_free);
  g_clear_pointer (&a->exchange_id, g_free);
  g_clear_pointer (&a->transaction, g_free);
  g_clear_pointer (&a->decision, g_free);
  g_clear_pointer (&a->reason, g_free);
  g_clear_pointer (&a->token, g_bytes_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static const char *
member_string (JsonObject *object,
               const char *name,
               gboolean    nullable,
               gsize       max)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    return "";
  value = semper_json_get_string (object, name);
  if (value == NULL || strlen (value) > max)
    return NULL;
  return value;
}

/* The answer's content (already verified as signed by the TTP). */
static gboolean
parse_answer (GBytes  *content,
              Answer  *out,
              GError **error)
{
  static const char * const members[] = {
    "semper-dispute-answer", "claim", "exchange", "transaction", "decision", "reason", "token",
    NULL
  };
  g_autoptr(JsonNode) root = semper_message_parse (content, MAX_ANSWER, error);
  g_autoptr(GList) names = NULL;
  JsonObject *object;
  JsonNode *version;
  const char *s;

  if (root == NULL)
    return FALSE;
  object = json_node_get_object (root);
  names = json_object_get_members (object);
  if (g_list_length (names) != g_strv_length ((char **) members))
    return invalid (error, _("The TTP’s answer has other members"));
  for (guint i = 0; members[i] != NULL; i++)
    if (!json_object_has_member (object, members[i]))
      return invalid (error, _("The TTP’s answer has other members"));
  version = json_object_get_member (object, "semper-dispute-answer");
  if (!JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64
      || json_node_get_int (version) != 1)
    return invalid (error, _("The TTP’s answer is of an unknown version"));
  if ((s = member_string (object, "claim", FALSE, 64)) == NULL || !semper_protocol_is_hex (s, 64))
    return invalid (error, _("The TTP’s answer names no claim"));
  out->claim = g_strdup (s);
  if ((s = member_string (object, "exchange", FALSE, 128)) == NULL)
    return invalid (error, _("The TTP’s answer names no exchange"));
  out->exchange_id = g_strdup (s);
  if ((s = member_string (object, "transaction", TRUE, 64)) == NULL
      || (*s != '\0' && !semper_protocol_is_hex (s, 64)))
    return invalid (error, _("The TTP’s answer has a bad transaction"));
  out->transaction = *s != '\0' ? g_strdup (s) : NULL;
  if ((s = member_string (object, "decision", FALSE, 16)) == NULL
      || (!g_str_equal (s, SEMPER_DISPUTE_DECISION_ABORTED)
          && !g_str_equal (s, SEMPER_DISPUTE_DECISION_RESOLVED)
          && !g_str_equal (s, SEMPER_DISPUTE_DECISION_REFERRED)))
    return invalid (error, _("The TTP’s answer has an unknown decision"));
  out->decision = g_strdup (s);
  if ((s = member_string (object, "reason", FALSE, 4096)) == NULL)
    return invalid (error, _("The TTP’s answer gives no reason"));
  out->reason = g_strdup (s);
  if ((s = member_string (object, "token", TRUE, MAX_ANSWER)) == NULL)
    return invalid (error, _("The TTP’s answer has a bad token"));
  if (*s != '\0' && (out->token = _semper_evidence_decode_b64 (s, MAX_ANSWER, error)) == NULL)
    return FALSE;
  if (g_str_equal (out->decision, SEMPER_DISPUTE_DECISION_REFERRED) != (out->token == NULL))
    return invalid (error, _("The TTP’s decision and its token do not fit together"));
  return TRUE;
}

gboolean
_semper_dispute_parse_answer (GBytes  *content,
                              GError **error)
{
  g_auto(Answer) answer = { 0 };

  return parse_answer (content, &answer, error);
}

/* {"claim": b64, "bundle": b64} */
static GBytes *
make_request (GBytes *signed_claim,
              GBytes *bundle)
{
  g_autofree char *c = g_base64_encode (g_bytes_get_data (signed_claim, NULL),
                                        g_bytes_get_size (signed_claim));
  g_autofree char *b = g_base64_encode (g_bytes_get_data (bundle, NULL),
                                        g_bytes_get_size (bundle));
  char *text = g_strdup_printf ("{\"claim\":\"%s\",\"bundle\":\"%s\"}", c, b);

  return g_bytes_new_take (text, strlen (text));
}

static gboolean
parse_request (GBytes  *request,
               GBytes **out_claim,
               GBytes **out_bundle,
               GError **error)
{
  g_autoptr(JsonNode) root = semper_message_parse (request, MAX_REQUEST, error);
  g_autoptr(GList) names = NULL;
  JsonObject *object;
  const char *s;

  if (root == NULL)
    return FALSE;
  object = json_node_get_object (root);
  names = json_object_get_members (object);
  if (g_list_length (names) != 2)
    return invalid (error, _("A dispute request has exactly “claim” and “bundle”"));
  if ((s = member_string (object, "claim", FALSE, MAX_REQUEST)) == NULL
      || (*out_claim = _semper_evidence_decode_b64 (s, SEMPER_CMS_MAX_SIZE, error)) == NULL)
    return error == NULL || *error != NULL ? FALSE
           : invalid (error, _("A dispute request has no claim"));
  if ((s = member_string (object, "bundle", FALSE, MAX_REQUEST)) == NULL
      || (*out_bundle = _semper_evidence_decode_b64 (s, SEMPER_EVIDENCE_MAX_SIZE, error)) == NULL)
    return error == NULL || *error != NULL ? FALSE
           : invalid (error, _("A dispute request has no bundle"));
  return TRUE;
}

/* ---- the TTP: first arbiter --------------------------------------------------------- */

static gboolean
refused (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_REFUSED, message);
  return FALSE;
}

/**
 * semper_dispute_arbitrate:
 *
 * Verifies the signed claim (now, against @trust and its revocation list),
 * the bundle (offline, at the signing times), that the bundle is the one the
 * claim names and is about the claimed transaction, and that the claimant
 * signed in it. Then decides: a token for the transaction's H(m1) decides
 * (aborted or resolved); otherwise the claim is referred to a human arbiter.
 */
GBytes *
semper_dispute_arbitrate (SemperCrypto            *crypto,
                          SemperTrust             *trust,
                          GBytes                  *request,
                          SemperDisputeLookupFunc  lookup,
                          gpointer                 user_data,
                          GError                 **error)
{
  g_autoptr(GBytes) signed_claim = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(SemperSignerInfo) claimant = NULL;
  g_autoptr(SemperEvidenceInfo) evidence = NULL;
  g_autoptr(SemperProtocolMessage) decided = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(Claim) claim = { 0 };
  g_autofree char *bundle_hash = NULL;
  g_autofree char *claim_hash = NULL;
  g_autofree char *reason = NULL;
  const char *decision;
  gboolean party = FALSE;
  char *text;
  gsize len = 0;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (crypto), NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);
  g_return_val_if_fail (request != NULL, NULL);

  if (!parse_request (request, &signed_claim, &bundle, error))
    return NULL;
  document = semper_cms_verify (signed_claim, trust, &claimant, error);
  if (document == NULL)
    return NULL;
  if (!parse_claim (document, &claim, error))
    return NULL;
  bundle_hash = semper_sha256_hex (bundle);
  if (!g_str_equal (bundle_hash, claim.evidence))
    {
      refused (error, _("The bundle is not the one the claim names"));
      return NULL;
    }
  evidence = semper_evidence_verify (bundle, semper_trust_get_root (trust), NULL, &local);
  if (evidence == NULL)
    {
      g_set_error (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_REFUSED,
                   _("The evidence does not verify: %s"), local->message);
      return NULL;
    }
  if (!g_str_equal (evidence->exchange_id, claim.exchange_id)
      || g_strcmp0 (evidence->transaction, claim.transaction) != 0)
    {
      refused (error, _("The bundle is about another transaction than the claim"));
      return NULL;
    }
  for (guint i = 0; i < evidence->statements->len; i++)
    {
      SemperEvidenceStatement *st = evidence->statements->pdata[i];

      if (g_str_equal (st->signer->fingerprint, claimant->fingerprint)
          && g_strcmp0 (st->signer->role, SEMPER_ROLE_TTP) != 0)
        party = TRUE;
    }
  if (!party)
    {
      refused (error, _("The claimant signed nothing in this transaction: not a party to it"));
      return NULL;
    }

  if (claim.transaction != NULL && lookup != NULL)
    token = lookup (claim.transaction, user_data);
  if (token != NULL)
    decided = semper_protocol_message_verify (token, trust, NULL);
  if (decided != NULL
      && (g_str_equal (semper_protocol_message_get_step (decided), "aborted")
          || g_str_equal (semper_protocol_message_get_step (decided), "revoke")))
    {
      decision = SEMPER_DISPUTE_DECISION_ABORTED;
      reason = g_strdup (g_str_equal (semper_protocol_message_get_step (decided), "aborted")
                         ? "The TTP aborted this exchange: no one is bound and no payment is "
                           "owed. Its abort token is attached."
                         : "The TTP revoked the payment of this exchange: a refund is owed. "
                           "Its revocation is attached.");
    }
  else if (decided != NULL)
    {
      decision = SEMPER_DISPUTE_DECISION_RESOLVED;
      reason = g_strdup ("The TTP resolved this exchange: its token attached is the outcome "
                         "(the replacement contract, or the key and receipt of the goods).");
    }
  else
    {
      g_clear_pointer (&token, g_bytes_unref);
      decision = SEMPER_DISPUTE_DECISION_REFERRED;
      reason = g_strdup_printf ("The TTP made no decision in this exchange, so it cannot "
                                "decide the claim “%s”. It is referred to a human arbiter "
                                "with its evidence, which is valid and shows: %s",
                                semper_dispute_claim_to_string (claim.claim), evidence->summary);
    }

  claim_hash = semper_sha256_hex (signed_claim);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "semper-dispute-answer");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "claim");
  json_builder_add_string_value (b, claim_hash);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, claim.exchange_id);
  json_builder_set_member_name (b, "transaction");
  if (claim.transaction != NULL)
    json_builder_add_string_value (b, claim.transaction);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "decision");
  json_builder_add_string_value (b, decision);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "token");
  if (token != NULL)
    {
      g_autofree char *t = g_base64_encode (g_bytes_get_data (token, NULL),
                                            g_bytes_get_size (token));
      json_builder_add_string_value (b, t);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  content = g_bytes_new_take (text, len);
  return semper_cms_sign_message (crypto, content, error);
}

/* Checks a signed answer against @trust and the claim it answers. */
static gboolean
check_answer (GBytes        *answer_cms,
              SemperTrust   *trust,
              GBytes        *signed_claim,
              Answer        *out,
              GError       **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *claim_hash = NULL;

  content = semper_cms_verify (answer_cms, trust, &signer, error);
  if (content == NULL)
    return FALSE;
  if (g_strcmp0 (signer->role, SEMPER_ROLE_TTP) != 0)
    return refused (error, _("The answer is not signed by a TTP"));
  if (!parse_answer (content, out, error))
    return FALSE;
  claim_hash = semper_sha256_hex (signed_claim);
  if (!g_str_equal (claim_hash, out->claim))
    return refused (error, _("The TTP’s answer is about another claim"));
  if (out->token != NULL)
    {
      g_autoptr(SemperProtocolMessage) token = semper_protocol_message_verify (out->token, trust,
                                                                                error);
      g_autofree char *key = NULL;

      if (token == NULL)
        return FALSE;
      key = g_strdup (semper_protocol_message_get_string (token, "key"));
      if (key == NULL || *key == '\0')
        {
          g_free (key);
          key = g_strdup (semper_protocol_message_get_string (token, "m1_hash"));
        }
      if (out->transaction == NULL || g_strcmp0 (key, out->transaction) != 0)
        return refused (error, _("The TTP’s token is about another transaction"));
    }
  return TRUE;
}

/* ---- the wallet's side ----------------------------------------------------------------- */

struct _SemperDisputes
{
  GObject        parent_instance;

  SemperProfile *profile;
  SemperArchive *archive;   /* (unowned) the profile's */
  GHashTable    *drafts;    /* hex SHA-256 of a bundle -> the bundle */
};

G_DEFINE_FINAL_TYPE (SemperDisputes, semper_disputes, G_TYPE_OBJECT)

static void
semper_disputes_dispose (GObject *object)
{
  SemperDisputes *self = SEMPER_DISPUTES (object);

  g_clear_pointer (&self->drafts, g_hash_table_unref);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (semper_disputes_parent_class)->dispose (object);
}

static void
semper_disputes_class_init (SemperDisputesClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_disputes_dispose;
}

static void
semper_disputes_init (SemperDisputes *self)
{
  self->drafts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
}

SemperDisputes *
semper_disputes_new (SemperProfile  *profile,
                     GError        **error)
{
  SemperDisputes *self;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  if (!semper_profile_has_identity (profile))
    {
      g_set_error_literal (error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_NO_IDENTITY,
                           _("The profile has no identity to sign a claim with"));
      return NULL;
    }
  self = g_object_new (SEMPER_TYPE_DISPUTES, NULL);
  self->profile = g_object_ref (profile);
  self->archive = semper_profile_get_archive (profile);
  return self;
}

static char *
exchange_of (gint64 id)
{
  return g_strdup_printf ("dispute-%" G_GINT64_FORMAT, id);
}

GBytes *
semper_disputes_draft (SemperDisputes      *self,
                       const char          *exchange_id,
                       SemperDisputeClaim   claim,
                       const char          *text,
                       GError             **error)
{
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(SemperEvidenceInfo) evidence = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *hash = NULL;
  GString *s;

  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), NULL);
  g_return_val_if_fail (exchange_id != NULL, NULL);
  g_return_val_if_fail ((guint) claim < G_N_ELEMENTS (claims), NULL);

  if (text != NULL && (strlen (text) > MAX_USER_TEXT || !g_utf8_validate (text, -1, NULL)))
    {
      invalid (error, _("The claim’s text is too long or not UTF-8"));
      return NULL;
    }
  bundle = semper_evidence_export (self->profile, exchange_id, error);
  if (bundle == NULL)
    return NULL;
  root = semper_profile_dup_trust_root (self->profile);
  evidence = semper_evidence_verify (bundle, root, NULL, error);
  if (evidence == NULL)
    return NULL;
  hash = semper_sha256_hex (bundle);

  s = g_string_new ("Semper-Document: dispute/1\n");
  g_string_append_printf (s, "Title: %s\n", semper_dispute_claim_describe (claim));
  g_string_append_printf (s, "Claim: %s\n", claims[claim].name);
  g_string_append_printf (s, "Exchange: %s\n", exchange_id);
  if (evidence->transaction != NULL)
    g_string_append_printf (s, "Transaction: %s\n", evidence->transaction);
  g_string_append_printf (s, "Evidence: %s\n", hash);
  g_string_append_printf (s, "Date: %s\n\n", date);
  g_string_append (s, text != NULL && *text != '\0' ? text
                                                    : semper_dispute_claim_describe (claim));
  if (s->str[s->len - 1] != '\n')
    g_string_append_c (s, '\n');
  document = g_string_free_to_bytes (s);
  doc = semper_document_parse (document, error);
  if (doc == NULL)
    return NULL;
  g_hash_table_replace (self->drafts, g_steal_pointer (&hash), g_steal_pointer (&bundle));
  return g_steal_pointer (&document);
}

gint64
semper_disputes_open (SemperDisputes  *self,
                      GBytes          *document,
                      SemperConsent   *consent,
                      GError         **error)
{
  g_auto(Claim) claim = { 0 };
  g_autoptr(GBytes) signed_claim = NULL;
  g_autofree char *exchange = NULL;
  g_autofree char *created = NULL;
  SemperArchiveDispute row = { 0 };
  GBytes *bundle;
  gint64 id;

  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), 0);
  g_return_val_if_fail (document != NULL, 0);
  g_return_val_if_fail (SEMPER_IS_CONSENT (consent), 0);

  if (!parse_claim (document, &claim, error))
    return 0;
  bundle = g_hash_table_lookup (self->drafts, claim.evidence);
  if (bundle == NULL)
    {
      g_set_error_literal (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_WRONG_STATE,
                           _("This claim was not drafted here: its evidence is unknown"));
      return 0;
    }
  signed_claim = semper_profile_sign_document (self->profile, document, consent, error);
  if (signed_claim == NULL)
    return 0;

  /* The row, its exchange and the signed claim with its bundle, together. */
  if (!semper_archive_begin (self->archive, error))
    return 0;
  row.exchange_id = claim.exchange_id;
  row.claim = (char *) claims[claim.claim].name;
  row.state = (char *) SEMPER_DISPUTE_OPEN;
  id = semper_archive_dispute_insert (self->archive, &row, error);
  if (id == 0)
    goto failed;
  exchange = exchange_of (id);
  created = semper_archive_exchange_create (self->archive, exchange, PROTOCOL, "claimant", NULL,
                                            SEMPER_DISPUTE_OPEN, error);
  if (created == NULL
      || semper_archive_message_store (self->archive, SEMPER_MESSAGE_OUT, exchange,
                                       SEMPER_COMM_CONTENT_TYPE_CMS, signed_claim, error) == 0
      || semper_archive_message_store (self->archive, SEMPER_MESSAGE_OUT, exchange,
                                       SEMPER_EVIDENCE_MEDIA_TYPE, bundle, error) == 0
      || semper_archive_audit_append (self->archive, "dispute-open", exchange, error) == 0)
    goto failed;
  if (!semper_archive_commit (self->archive, error))
    return 0;
  g_hash_table_remove (self->drafts, claim.evidence);
  return id;

failed:
  semper_archive_rollback (self->archive);
  return 0;
}

GPtrArray *
semper_disputes_list (SemperDisputes  *self,
                      const char      *state,
                      GError         **error)
{
  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), NULL);
  return semper_archive_dispute_list (self->archive, state, error);
}

static SemperArchiveDispute *
find_row (SemperDisputes  *self,
          gint64           id,
          GError         **error)
{
  g_autoptr(GPtrArray) rows = semper_archive_dispute_list (self->archive, NULL, error);

  if (rows == NULL)
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    if (((SemperArchiveDispute *) rows->pdata[i])->id == id)
      return g_ptr_array_steal_index (rows, i);
  g_set_error (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_NOT_FOUND,
               _("No dispute %lld"), (long long) id);
  return NULL;
}

SemperDisputeInfo *
semper_disputes_get (SemperDisputes  *self,
                     gint64           id,
                     GError         **error)
{
  g_autoptr(SemperArchiveDispute) row = NULL;
  g_autoptr(SemperDisputeInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(SemperArchiveExchange) exchange = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_auto(Claim) claim = { 0 };
  g_autofree char *name = NULL;

  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), NULL);

  row = find_row (self, id, error);
  if (row == NULL)
    return NULL;
  name = exchange_of (id);
  exchange = semper_archive_exchange_get (self->archive, name, error);
  messages = exchange ? semper_archive_message_list (self->archive, name, NULL, error) : NULL;
  if (messages == NULL)
    return NULL;

  info = g_new0 (SemperDisputeInfo, 1);
  info->id = row->id;
  info->exchange_id = g_strdup (row->exchange_id);
  info->state = g_strdup (row->state);
  info->created = row->created;
  info->updated = row->updated;
  if (exchange->peer != NULL)
    info->ttp_url = g_strdup (exchange->peer);
  for (guint i = 0; i < messages->len; i++)
    {
      SemperArchiveMessage *m = messages->pdata[i];

      if (m->direction == SEMPER_MESSAGE_OUT
          && g_str_equal (m->content_type, SEMPER_COMM_CONTENT_TYPE_CMS)
          && info->signed_claim == NULL)
        info->signed_claim = g_bytes_ref (m->body);
      else if (g_str_equal (m->content_type, SEMPER_EVIDENCE_MEDIA_TYPE) && info->bundle == NULL)
        info->bundle = g_bytes_ref (m->body);
      else if (m->direction == SEMPER_MESSAGE_IN
               && g_str_equal (m->content_type, SEMPER_COMM_CONTENT_TYPE_CMS))
        {
          g_clear_pointer (&info->answer, g_bytes_unref);
          info->answer = g_bytes_ref (m->body);
        }
    }
  if (info->signed_claim == NULL
      || (info->document = semper_cms_verify (info->signed_claim, NULL, NULL, error)) == NULL
      || !parse_claim (info->document, &claim, error))
    {
      g_prefix_error (error, _("Dispute %" PRId64 ": "), id);
      return NULL;
    }
  info->claim = claim.claim;
  info->transaction = g_steal_pointer (&claim.transaction);

  trust = semper_profile_dup_trust (self->profile, NULL);
  if (info->answer != NULL && trust != NULL)
    {
      g_auto(Answer) answer = { 0 };

      /* An answer archived but refused (say, signed by someone else) is
       * kept as received and shown as no answer. */
      if (check_answer (info->answer, trust, info->signed_claim, &answer, NULL))
        {
          info->decision = g_steal_pointer (&answer.decision);
          info->reason = g_steal_pointer (&answer.reason);
          info->token = g_steal_pointer (&answer.token);
        }
      else
        g_clear_pointer (&info->answer, g_bytes_unref);
    }
  return g_steal_pointer (&info);
}

static char *
state_json (const char *state,
            const char *ttp_url)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "ttp_url");
  json_builder_add_string_value (b, ttp_url);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

char *
semper_disputes_send (SemperDisputes  *self,
                      gint64           id,
                      const char      *ttp_url,
                      GError         **error)
{
  g_autoptr(SemperDisputeInfo) info = NULL;
  g_autoptr(SemperArchiveExchange) exchange = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperCommClient) client = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(Answer) parsed = { 0 };
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *final = NULL;
  const char *state;

  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), NULL);

  info = semper_disputes_get (self, id, error);
  if (info == NULL)
    return NULL;
  if (g_str_equal (info->state, SEMPER_DISPUTE_DECIDED)
      || g_str_equal (info->state, SEMPER_DISPUTE_REFERRED))
    {
      g_set_error (error, SEMPER_DISPUTE_ERROR, SEMPER_DISPUTE_ERROR_WRONG_STATE,
                   _("Dispute %" PRId64 " was answered already"), id);
      return NULL;
    }
  if (info->bundle == NULL)
    {
      invalid (error, _("The dispute’s evidence bundle is missing from the archive"));
      return NULL;
    }
  trust = semper_profile_dup_trust (self->profile, error);
  if (trust == NULL)
    return NULL;
  name = exchange_of (id);
  request = make_request (info->signed_claim, info->bundle);

  if (g_str_equal (info->state, SEMPER_DISPUTE_OPEN))
    {
      g_autofree char *json = NULL;

      if (ttp_url == NULL)
        {
          invalid (error, _("Where should the claim go? Name the TTP’s URL"));
          return NULL;
        }
      json = state_json (SEMPER_DISPUTE_SENDING, ttp_url);
      /* DESIGN.md rule 3: journaled (with where it goes) before it leaves. */
      if (!semper_archive_begin (self->archive, error))
        return NULL;
      if (!semper_archive_journal_append (self->archive, name, 0, json, request, error)
          || !semper_archive_dispute_set_state (self->archive, id, SEMPER_DISPUTE_SENDING, error))
        {
          semper_archive_rollback (self->archive);
          return NULL;
        }
      if (!semper_archive_commit (self->archive, error))
        return NULL;
      url = g_strdup (ttp_url);
    }
  else
    {
      g_autoptr(GPtrArray) journal = semper_archive_journal_list (self->archive, name, error);
      g_autoptr(JsonNode) root = NULL;
      SemperArchiveJournalEntry *entry;
      g_autoptr(GBytes) state_bytes = NULL;

      if (journal == NULL || journal->len == 0)
        {
          if (journal != NULL)
            invalid (error, _("The dispute’s journal is empty"));
          return NULL;
        }
      entry = journal->pdata[journal->len - 1];
      state_bytes = g_bytes_new (entry->state, strlen (entry->state));
      root = semper_message_parse (state_bytes, 64 * 1024, error);
      if (root == NULL || entry->outgoing == NULL)
        return NULL;
      url = g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                  "ttp_url", ""));
      g_clear_pointer (&request, g_bytes_unref);
      request = g_bytes_ref (entry->outgoing);  /* byte for byte what was journaled */
    }

  client = semper_comm_client_new ();
  {
    g_autofree char *base = g_strdup (url);
    g_autofree char *endpoint = NULL;
    gsize n = strlen (base);

    while (n > 0 && base[n - 1] == '/')
      base[--n] = '\0';
    endpoint = g_strconcat (base, "/dispute", NULL);
    answer = semper_comm_client_post_sync (client, endpoint, SEMPER_COMM_CONTENT_TYPE_JSON,
                                           request, NULL, NULL, error);
    if (answer == NULL)
      return NULL;
  }
  /* Rule 4: archived as received, then checked. */
  if (semper_archive_message_store (self->archive, SEMPER_MESSAGE_IN, name,
                                    SEMPER_COMM_CONTENT_TYPE_CMS, answer, error) == 0)
    return NULL;
  if (!check_answer (answer, trust, info->signed_claim, &parsed, error))
    return NULL;
  state = g_str_equal (parsed.decision, SEMPER_DISPUTE_DECISION_REFERRED)
          ? SEMPER_DISPUTE_REFERRED : SEMPER_DISPUTE_DECIDED;
  final = state_json (state, url);
  if (!semper_archive_begin (self->archive, error))
    return NULL;
  if (!semper_archive_exchange_finish (self->archive, name, final, error)
      || !semper_archive_dispute_set_state (self->archive, id, state, error)
      || semper_archive_audit_append (self->archive, "dispute-answer", name, error) == 0)
    {
      semper_archive_rollback (self->archive);
      return NULL;
    }
  if (!semper_archive_commit (self->archive, error))
    return NULL;
  return g_strdup (state);
}

GBytes *
semper_disputes_export (SemperDisputes  *self,
                        gint64           id,
                        GError         **error)
{
  g_autoptr(SemperDisputeInfo) info = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (SEMPER_IS_DISPUTES (self), NULL);

  info = semper_disputes_get (self, id, error);
  if (info == NULL)
    return NULL;
  if (info->bundle == NULL)
    {
      invalid (error, _("The dispute’s evidence bundle is missing from the archive"));
      return NULL;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "semper-dispute");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "claim");
  {
    g_autofree char *c = g_base64_encode (g_bytes_get_data (info->signed_claim, NULL),
                                          g_bytes_get_size (info->signed_claim));
    json_builder_add_string_value (b, c);
  }
  json_builder_set_member_name (b, "bundle");
  {
    g_autofree char *c = g_base64_encode (g_bytes_get_data (info->bundle, NULL),
                                          g_bytes_get_size (info->bundle));
    json_builder_add_string_value (b, c);
  }
  json_builder_set_member_name (b, "answer");
  if (info->answer != NULL)
    {
      g_autofree char *c = g_base64_encode (g_bytes_get_data (info->answer, NULL),
                                            g_bytes_get_size (info->answer));
      json_builder_add_string_value (b, c);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

gboolean
semper_dispute_is_file (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return len > 18 && memcmp (data, "{\"semper-dispute\":", 18) == 0;
}

SemperDisputeInfo *
semper_dispute_verify (GBytes              *file,
                       GBytes              *root_der,
                       GBytes              *extra_crl,
                       SemperEvidenceInfo **out_evidence,
                       GError             **error)
{
  static const char * const members[] = { "semper-dispute", "claim", "bundle", "answer", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperDisputeInfo) info = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperEvidenceInfo) evidence = NULL;
  g_autoptr(GList) names = NULL;
  g_auto(Claim) claim = { 0 };
  g_autofree char *hash = NULL;
  JsonObject *object;
  JsonNode *version;
  const char *s;

  g_return_val_if_fail (file != NULL && root_der != NULL, NULL);

  root = semper_message_parse (file, MAX_REQUEST + MAX_ANSWER / 3 * 4, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  names = json_object_get_members (object);
  for (guint i = 0; members[i] != NULL; i++)
    if (!json_object_has_member (object, members[i]))
      {
        invalid (error, _("Not a dispute file: a member is missing"));
        return NULL;
      }
  version = json_object_get_member (object, "semper-dispute");
  if (g_list_length (names) != 4 || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    {
      invalid (error, _("Not a dispute file of version 1"));
      return NULL;
    }
  info = g_new0 (SemperDisputeInfo, 1);
  if ((s = member_string (object, "claim", FALSE, MAX_REQUEST)) == NULL
      || (info->signed_claim = _semper_evidence_decode_b64 (s, SEMPER_CMS_MAX_SIZE, NULL)) == NULL
      || (s = member_string (object, "bundle", FALSE, MAX_REQUEST)) == NULL
      || (info->bundle = _semper_evidence_decode_b64 (s, SEMPER_EVIDENCE_MAX_SIZE, NULL)) == NULL
      || (s = member_string (object, "answer", TRUE, MAX_ANSWER / 3 * 4 + 4)) == NULL
      || (*s != '\0'
          && (info->answer = _semper_evidence_decode_b64 (s, MAX_ANSWER, NULL)) == NULL))
    {
      invalid (error, _("Not a dispute file: a part is not canonical base64"));
      return NULL;
    }

  trust = semper_trust_new (root_der, error);
  if (trust == NULL)
    return NULL;
  semper_trust_set_long_term (trust, TRUE);
  if (extra_crl != NULL && !semper_trust_set_crl (trust, extra_crl, error))
    return NULL;
  info->document = semper_cms_verify (info->signed_claim, trust, NULL, error);
  if (info->document == NULL || !parse_claim (info->document, &claim, error))
    return NULL;
  hash = semper_sha256_hex (info->bundle);
  if (!g_str_equal (hash, claim.evidence))
    {
      refused (error, _("The bundle is not the one the claim names"));
      return NULL;
    }
  evidence = semper_evidence_verify (info->bundle, root_der, extra_crl, error);
  if (evidence == NULL)
    return NULL;
  if (!g_str_equal (evidence->exchange_id, claim.exchange_id)
      || g_strcmp0 (evidence->transaction, claim.transaction) != 0)
    {
      refused (error, _("The bundle is about another transaction than the claim"));
      return NULL;
    }
  info->claim = claim.claim;
  info->exchange_id = g_steal_pointer (&claim.exchange_id);
  info->transaction = g_steal_pointer (&claim.transaction);
  info->state = g_strdup (SEMPER_DISPUTE_OPEN);
  if (info->answer != NULL)
    {
      g_auto(Answer) answer = { 0 };

      if (!check_answer (info->answer, trust, info->signed_claim, &answer, error))
        return NULL;
      info->decision = g_steal_pointer (&answer.decision);
      info->reason = g_steal_pointer (&answer.reason);
      info->token = g_steal_pointer (&answer.token);
      g_free (info->state);
      info->state = g_strdup (g_str_equal (info->decision, SEMPER_DISPUTE_DECISION_REFERRED)
                              ? SEMPER_DISPUTE_REFERRED : SEMPER_DISPUTE_DECIDED);
    }
  if (out_evidence != NULL)
    *out_evidence = g_steal_pointer (&evidence);
  return g_steal_pointer (&info);
}
