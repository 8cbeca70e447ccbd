/* semper-evidence.c: evidence bundles (docs/evidence.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-evidence.h"
#include "semper-evidence-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-cms.h"
#include "semper-comm.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-message.h"
#include "semper-protocol-message.h"
#include "semper-json-private.h"

G_DEFINE_QUARK (semper-evidence-error-quark, semper_evidence_error)

#define FORMAT_VERSION 1
#define MAX_ITEM       (SEMPER_CMS_MAX_SIZE)
#define MAX_CERT       (64 * 1024)
#define MAX_CERTS      64
#define MAX_TEXT_ID    128
/* Signing times come from each signer's clock: a reply may seem to be
 * signed a little before the message it answers. */
#define CLOCK_SKEW     (10 * 60)

/* ---- freeing --------------------------------------------------------------- */

void
semper_evidence_statement_free (SemperEvidenceStatement *statement)
{
  if (statement == NULL)
    return;
  g_free (statement->step);
  g_free (statement->direction);
  g_clear_pointer (&statement->archived, g_date_time_unref);
  g_clear_pointer (&statement->signer, semper_signer_info_unref);
  g_free (statement->sha256);
  g_free (statement);
}

void
semper_evidence_info_free (SemperEvidenceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->protocol);
  g_free (info->exchange_id);
  g_free (info->transaction);
  g_free (info->state);
  g_free (info->summary);
  g_clear_pointer (&info->findings, g_ptr_array_unref);
  g_clear_pointer (&info->statements, g_ptr_array_unref);
  g_clear_pointer (&info->text, g_bytes_unref);
  g_clear_pointer (&info->crl_issued, g_date_time_unref);
  g_free (info->root);
  g_free (info);
}

static void
item_free (_SemperEvidenceItem *item)
{
  if (item == NULL)
    return;
  g_free (item->content_type);
  g_clear_pointer (&item->data, g_bytes_unref);
  g_free (item);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (_SemperEvidenceItem, item_free)

void
_semper_evidence_bundle_free (_SemperEvidenceBundle *bundle)
{
  if (bundle == NULL)
    return;
  g_free (bundle->exchange_id);
  g_free (bundle->protocol);
  g_clear_pointer (&bundle->root, g_bytes_unref);
  g_clear_pointer (&bundle->messages, g_ptr_array_unref);
  g_clear_pointer (&bundle->crls, g_ptr_array_unref);
  g_clear_pointer (&bundle->certificates, g_ptr_array_unref);
  g_free (bundle);
}

/* ---- the strict parser ------------------------------------------------------ */

static gboolean
fail (GError     **error,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError     **error,
      const char  *format,
      ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_INVALID,
               _("Not a valid evidence bundle: %s"), text);
  return FALSE;
}

GBytes *
_semper_evidence_decode_b64 (const char  *text,
                             gsize        max,
                             GError     **error)
{
  gsize len = strlen (text);
  gsize out_len = 0;
  g_autofree guchar *data = NULL;
  g_autofree char *again = NULL;

  if (len == 0 || len % 4 != 0 || len / 4 * 3 > max + 2)
    {
      fail (error, _("a base64 value is empty or too long"));
      return NULL;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
      {
        fail (error, _("a base64 value holds other characters"));
        return NULL;
      }
  data = g_base64_decode (text, &out_len);
  again = g_base64_encode (data, out_len);
  if (out_len == 0 || out_len > max || !g_str_equal (again, text))
    {
      fail (error, _("a base64 value is not canonical"));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), out_len);
}

static gboolean
check_members (JsonObject          *object,
               const char * const  *names,
               const char          *what,
               GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (names, l->data))
      return fail (error, _("unknown member “%s” in %s"), (const char *) l->data, what);
  for (guint i = 0; names[i] != NULL; i++)
    if (!json_object_has_member (object, names[i]))
      return fail (error, _("%s has no “%s”"), what, names[i]);
  return TRUE;
}

static const char *
get_string (JsonObject  *object,
            const char  *name,
            gsize        max,
            GError     **error)
{
  const char *value = semper_json_get_string (object, name);

  if (value == NULL)
    {
      fail (error, _("“%s” is not a string"), name);
      return NULL;
    }
  if (strlen (value) > max)
    {
      fail (error, _("“%s” is too long"), name);
      return NULL;
    }
  return value;
}

static gboolean
get_time (JsonObject  *object,
          const char  *name,
          gint64      *out,
          GError     **error)
{
  if (!semper_json_get_int (object, name, out))
    return fail (error, _("“%s” is not an integer"), name);
  /* unix seconds between 1970 and the year 9999 */
  if (*out < 0 || *out > G_GINT64_CONSTANT (253402300799))
    return fail (error, _("“%s” is out of range"), name);
  return TRUE;
}

static JsonArray *
get_array (JsonObject  *object,
           const char  *name,
           guint        max,
           GError     **error)
{
  JsonArray *array = semper_json_get_array (object, name);

  if (array == NULL)
    {
      fail (error, _("“%s” is not an array"), name);
      return NULL;
    }
  if (json_array_get_length (array) > max)
    {
      fail (error, _("“%s” has more than %u entries"), name, max);
      return NULL;
    }
  return array;
}

static gboolean
is_identifier (const char *text,
               gboolean    allow_upper)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_'
        && !(allow_upper && g_ascii_isupper (*p)))
      return FALSE;
  return TRUE;
}

static _SemperEvidenceItem *
parse_item (JsonNode  *node,
            gboolean   is_crl,
            GError   **error)
{
  static const char * const message_members[] = { "direction", "archived", "type", "data", NULL };
  static const char * const crl_members[] = { "archived", "data", NULL };
  g_autoptr(_SemperEvidenceItem) item = NULL;
  JsonObject *object;
  const char *text;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, _("an entry is not an object"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!check_members (object, is_crl ? crl_members : message_members,
                      is_crl ? "a revocation list" : "a message", error))
    return NULL;

  item = g_new0 (_SemperEvidenceItem, 1);
  if (!get_time (object, "archived", &item->archived, error))
    return NULL;
  if (!is_crl)
    {
      if ((text = get_string (object, "direction", 3, error)) == NULL)
        return NULL;
      if (g_str_equal (text, "in"))
        item->direction = SEMPER_MESSAGE_IN;
      else if (g_str_equal (text, "out"))
        item->direction = SEMPER_MESSAGE_OUT;
      else
        {
          fail (error, _("a message's direction is neither “in” nor “out”"));
          return NULL;
        }
      if ((text = get_string (object, "type", 64, error)) == NULL)
        return NULL;
      if (!g_str_equal (text, SEMPER_COMM_CONTENT_TYPE_CMS)
          && !g_str_equal (text, SEMPER_COMM_CONTENT_TYPE_JSON))
        {
          fail (error, _("a message has the unknown type “%s”"), text);
          return NULL;
        }
      item->content_type = g_strdup (text);
    }
  if ((text = get_string (object, "data", MAX_ITEM / 3 * 4 + 4, error)) == NULL)
    return NULL;
  item->data = _semper_evidence_decode_b64 (text, MAX_ITEM, error);
  if (item->data == NULL)
    return NULL;
  return g_steal_pointer (&item);
}

/**
 * _semper_evidence_parse:
 *
 * The bundle format (docs/evidence.md): exactly these members, no
 * duplicates, canonical base64, every limit checked. Nothing is verified.
 */
_SemperEvidenceBundle *
_semper_evidence_parse (GBytes  *bytes,
                        GError **error)
{
  static const char * const members[] = {
    "semper-evidence", "exchange", "protocol", "created", "root", "certificates",
    "messages", "crls", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(_SemperEvidenceBundle) bundle = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;
  JsonNode *version;
  JsonArray *array;
  const char *text;

  root = semper_message_parse (bytes, SEMPER_EVIDENCE_MAX_SIZE, &local);
  if (root == NULL)
    {
      fail (error, "%s", local->message);
      return NULL;
    }
  object = json_node_get_object (root);
  if (!check_members (object, members, _("the bundle"), error))
    return NULL;
  version = json_object_get_member (object, "semper-evidence");
  if (!JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64
      || json_node_get_int (version) != FORMAT_VERSION)
    {
      fail (error, _("only version %d is understood"), FORMAT_VERSION);
      return NULL;
    }

  bundle = g_new0 (_SemperEvidenceBundle, 1);
  if ((text = get_string (object, "exchange", MAX_TEXT_ID, error)) == NULL)
    return NULL;
  if (!is_identifier (text, TRUE))
    {
      fail (error, _("the exchange id holds other characters"));
      return NULL;
    }
  bundle->exchange_id = g_strdup (text);
  if ((text = get_string (object, "protocol", 32, error)) == NULL)
    return NULL;
  if (!is_identifier (text, FALSE))
    {
      fail (error, _("the protocol name holds other characters"));
      return NULL;
    }
  bundle->protocol = g_strdup (text);
  if (!get_time (object, "created", &bundle->created, error))
    return NULL;
  if ((text = get_string (object, "root", MAX_CERT / 3 * 4 + 4, error)) == NULL)
    return NULL;
  if ((bundle->root = _semper_evidence_decode_b64 (text, MAX_CERT, error)) == NULL)
    return NULL;

  bundle->certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if ((array = get_array (object, "certificates", MAX_CERTS, error)) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      GBytes *cert;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          fail (error, _("a certificate is not a string"));
          return NULL;
        }
      cert = _semper_evidence_decode_b64 (json_node_get_string (node), MAX_CERT, error);
      if (cert == NULL)
        return NULL;
      g_ptr_array_add (bundle->certificates, cert);
    }

  bundle->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  if ((array = get_array (object, "messages", SEMPER_EVIDENCE_MAX_MESSAGES, error)) == NULL)
    return NULL;
  if (json_array_get_length (array) == 0)
    {
      fail (error, _("it holds no message"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      _SemperEvidenceItem *item = parse_item (json_array_get_element (array, i), FALSE, error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (bundle->messages, item);
    }

  bundle->crls = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  if ((array = get_array (object, "crls", SEMPER_EVIDENCE_MAX_CRLS, error)) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      _SemperEvidenceItem *item = parse_item (json_array_get_element (array, i), TRUE, error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (bundle->crls, item);
    }
  return g_steal_pointer (&bundle);
}

gboolean
semper_evidence_is_bundle (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize i = 0;

  while (i < len && g_ascii_isspace (data[i]))
    i++;
  /* The exporter writes "semper-evidence" first; the parser does not care. */
  return len - i > 20 && memcmp (data + i, "{\"semper-evidence\":", 19) == 0;
}

/* ---- verifying ---------------------------------------------------------------- */

static gboolean
refuse (GError     **error,
        const char  *format,
        ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError     **error,
        const char  *format,
        ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_REFUSED, text);
  return FALSE;
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return g_strdup ("?");
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The long-term trust: @root with the newest valid revocation list of
 * @crls (GBytes). A list that is not the root's own is refused: a bundle
 * carrying one was tampered with. */
static SemperTrust *
long_term_trust (GBytes      *root,
                 GPtrArray   *crls,
                 GDateTime  **out_issued,
                 GError     **error)
{
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GDateTime) best_time = NULL;
  GBytes *best = NULL;

  trust = semper_trust_new (root, error);
  if (trust == NULL)
    return NULL;
  semper_trust_set_long_term (trust, TRUE);

  for (guint i = 0; i < crls->len; i++)
    {
      g_autoptr(SemperTrust) probe = semper_trust_new (root, NULL);
      g_autoptr(GDateTime) issued = NULL;
      g_autoptr(GError) local = NULL;

      if (!semper_trust_set_crl (probe, crls->pdata[i], &local))
        {
          refuse (error, _("Revocation list %u is not the CA’s: %s"), i + 1, local->message);
          return NULL;
        }
      issued = semper_trust_dup_crl_issued (probe);
      if (best == NULL || (issued != NULL && g_date_time_compare (issued, best_time) > 0))
        {
          best = crls->pdata[i];
          g_clear_pointer (&best_time, g_date_time_unref);
          best_time = g_steal_pointer (&issued);
        }
    }
  if (best != NULL && !semper_trust_set_crl (trust, best, error))
    return NULL;
  if (out_issued != NULL)
    *out_issued = g_steal_pointer (&best_time);
  return g_steal_pointer (&trust);
}

/* Order of the steps within one exchange: a message may not claim to be
 * signed before a message it follows from. 0: no place in the order. */
static int
step_rank (const char *step)
{
  static const struct { const char *step; int rank; } ranks[] = {
    { "m1", 1 }, { "m2", 2 }, { "abort", 2 }, { "m3", 3 }, { "resolve", 3 }, { "m4", 4 },
    { "aborted", 5 }, { "resolved", 5 }, { "receipt", 5 }, { "revoke", 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    if (g_strcmp0 (step, ranks[i].step) == 0)
      return ranks[i].rank;
  return 0;
}

typedef struct {
  SemperEvidenceStatement *statement;  /* owned by the list */
  SemperProtocolMessage   *message;    /* (nullable) */
  SemperDocument          *document;   /* (nullable) */
} Checked;

static void
checked_free (Checked *c)
{
  g_clear_object (&c->message);
  g_clear_object (&c->document);
  g_free (c);
}

/* One signed message: its signature and certificate at its signing time,
 * and, for a protocol message, that its signer is the step's sender. */
static Checked *
check_message (SemperTrust          *trust,
               _SemperEvidenceItem  *item,
               guint                 index,
               GError              **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperProtocolMessage) pm = NULL;
  SemperEvidenceStatement *st;
  Checked *c;

  content = semper_cms_verify (item->data, trust, &signer, &local);
  if (content == NULL)
    {
      refuse (error, _("Message %u: %s"), index + 1, local->message);
      return NULL;
    }
  pm = semper_protocol_message_parse_content (content, NULL);
  if (pm != NULL)
    {
      g_clear_object (&pm);
      pm = semper_protocol_message_verify (item->data, trust, &local);
      if (pm == NULL)
        {
          refuse (error, _("Message %u: %s"), index + 1, local->message);
          return NULL;
        }
    }

  c = g_new0 (Checked, 1);
  st = c->statement = g_new0 (SemperEvidenceStatement, 1);
  c->message = g_steal_pointer (&pm);
  if (c->message == NULL)
    c->document = semper_document_parse (content, NULL);
  if (c->message != NULL)
    st->step = g_strdup (semper_protocol_message_get_step (c->message));
  else if (c->document != NULL)
    st->step = g_strdup (semper_document_get_kind (c->document));
  else
    st->step = g_strdup ("signed-data");
  st->direction = g_strdup (item->direction == SEMPER_MESSAGE_IN ? "in" : "out");
  st->archived = g_date_time_new_from_unix_utc (item->archived);
  st->signer = g_steal_pointer (&signer);
  st->sha256 = semper_sha256_hex (item->data);
  return c;
}

static SemperSignerInfo *
signer_of (GPtrArray  *checked,
           const char *step)
{
  for (guint i = 0; i < checked->len; i++)
    {
      Checked *c = checked->pdata[i];

      if (c->message != NULL && g_str_equal (c->statement->step, step))
        return c->statement->signer;
    }
  return NULL;
}

static Checked *
find_step (GPtrArray  *checked,
           const char *step)
{
  for (guint i = 0; i < checked->len; i++)
    {
      Checked *c = checked->pdata[i];

      if (c->message != NULL && g_str_equal (c->statement->step, step))
        return c;
    }
  return NULL;
}

static char *
who (SemperSignerInfo *signer)
{
  if (signer == NULL)
    return g_strdup ("?");
  return g_strdup_printf ("%s (%s)", signer->common_name, signer->role ? signer->role : "?");
}

/* What a contract signing proves: the contract file is the outcome. */
static gboolean
explain_asw (SemperEvidenceInfo  *info,
             GPtrArray           *checked,
             GBytes              *contract_file,
             SemperTrust         *trust,
             GError             **error)
{
  g_autoptr(SemperContractInfo) contract = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *o = NULL;
  g_autofree char *r = NULL;
  g_autofree char *t = NULL;
  g_autofree char *when = NULL;

  if (contract_file == NULL)
    {
      info->state = g_strdup ("unfinished");
      info->summary = g_strdup (_("An unfinished contract signing: these messages alone bind "
                                  "no one to the contract"));
      return TRUE;
    }
  contract = semper_contract_verify (contract_file, trust, &local);
  if (contract == NULL)
    return refuse (error, _("The contract file: %s"), local->message);
  if (info->transaction != NULL && !g_str_equal (info->transaction, contract->key))
    return refuse (error, _("The contract file is of another contract (%s)"), contract->key);
  g_free (info->transaction);
  info->transaction = g_strdup (contract->key);
  info->text = g_bytes_ref (contract->text);
  info->state = g_strdup (contract->state);
  o = who (contract->originator);
  r = who (contract->responder);
  if (g_str_equal (contract->state, SEMPER_ASW_SIGNED) && contract->ttp == NULL)
    {
      SemperSignerInfo *last = contract->responder;

      when = format_time (last != NULL ? last->signing_time : NULL);
      info->summary = g_strdup_printf (_("A contract signed by %s and %s, complete at %s"),
                                       o, r, when);
    }
  else if (g_str_equal (contract->state, SEMPER_ASW_SIGNED))
    {
      t = who (contract->ttp);
      when = format_time (contract->ttp->signing_time);
      info->summary = g_strdup_printf (_("A contract signed by %s and %s; the TTP %s resolved "
                                         "it at %s and its replacement is the contract"),
                                       o, r, t, when);
    }
  else
    {
      t = who (contract->ttp);
      when = format_time (contract->ttp != NULL ? contract->ttp->signing_time : NULL);
      info->summary = g_strdup_printf (_("The TTP %s aborted this contract signing at %s: the "
                                         "contract binds no one"), t, when);
    }
  return TRUE;
}

/* What a fair exchange of payment for goods proves, from its steps. */
static void
explain_fx (SemperEvidenceInfo *info,
            GPtrArray          *checked)
{
  g_autofree char *buyer = who (signer_of (checked, "m1"));
  g_autofree char *merchant = who (signer_of (checked, "m2"));
  Checked *token;

  if ((token = find_step (checked, "revoke")) != NULL)
    {
      g_autofree char *when = format_time (token->statement->signer->signing_time);
      info->state = g_strdup ("revoked");
      info->summary = g_strdup_printf (_("The TTP revoked the payment of %s to %s at %s: the "
                                         "goods did not match, a refund is owed"),
                                       buyer, merchant, when);
    }
  else if ((token = find_step (checked, "aborted")) != NULL)
    {
      g_autofree char *when = format_time (token->statement->signer->signing_time);
      info->state = g_strdup ("aborted");
      info->summary = g_strdup_printf (_("The TTP aborted this purchase at %s: no payment is "
                                         "owed and no goods are due"), when);
    }
  else if ((token = find_step (checked, "receipt")) != NULL)
    {
      g_autofree char *when = format_time (token->statement->signer->signing_time);
      info->state = g_strdup ("resolved");
      info->summary = g_strdup_printf (_("Paid by %s to %s; the TTP resolved it at %s and "
                                         "released the goods’ key"), buyer, merchant, when);
    }
  else if ((token = find_step (checked, "m4")) != NULL)
    {
      g_autofree char *when = format_time (token->statement->signer->signing_time);
      info->state = g_strdup ("paid");
      info->summary = g_strdup_printf (_("Paid by %s and received: %s signed the receipt and "
                                         "sent the goods’ key at %s"), buyer, merchant, when);
    }
  else
    {
      info->state = g_strdup ("unfinished");
      info->summary = g_strdup_printf (_("An unfinished purchase by %s from %s: no receipt and "
                                         "no TTP decision"), buyer, merchant);
    }
}

static void
explain_messages (SemperEvidenceInfo *info,
                  GPtrArray          *checked)
{
  for (guint i = 0; i < checked->len; i++)
    {
      Checked *c = checked->pdata[i];

      if (c->document != NULL && g_str_equal (c->statement->step, "receipt"))
        {
          g_autofree char *m = who (c->statement->signer);
          g_autofree char *when = format_time (c->statement->signer->signing_time);

          info->state = g_strdup ("receipt");
          info->summary = g_strdup_printf (_("A receipt signed by %s at %s"), m, when);
          info->text = g_bytes_ref (semper_document_get_bytes (c->document));
          return;
        }
    }
  info->state = g_strdup ("messages");
  info->summary = g_strdup_printf (ngettext ("%u signed message, valid when it was signed",
                                             "%u signed messages, each valid when it was signed",
                                             checked->len), checked->len);
}

/* Signers whose certificate the CA revoked after they signed: still valid,
 * but worth saying. */
static void
note_revocations (SemperEvidenceInfo *info,
                  GPtrArray          *checked,
                  GBytes             *root,
                  GBytes             *crl)
{
  g_autoptr(SemperTrust) plain = semper_trust_new (root, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (plain == NULL || crl == NULL || !semper_trust_set_crl (plain, crl, NULL))
    return;
  for (guint i = 0; i < checked->len; i++)
    {
      SemperSignerInfo *signer = ((Checked *) checked->pdata[i])->statement->signer;
      g_autoptr(GError) local = NULL;

      if (!g_hash_table_add (seen, signer->fingerprint))
        continue;
      if (!semper_trust_check_certificate (plain, signer->certificate, signer->signing_time,
                                           NULL, &local)
          && g_error_matches (local, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_REVOKED))
        g_ptr_array_add (info->findings,
                         g_strdup_printf (_("The certificate of %s was revoked after it signed "
                                            "here; its signatures made before stay valid"),
                                          signer->common_name));
    }
}

/**
 * semper_evidence_verify:
 *
 * See the header. Every message of the bundle must verify; a bundle with
 * one altered byte is refused.
 */
SemperEvidenceInfo *
semper_evidence_verify (GBytes  *bytes,
                        GBytes  *root_der,
                        GBytes  *extra_crl,
                        GError **error)
{
  g_autoptr(_SemperEvidenceBundle) bundle = NULL;
  g_autoptr(SemperEvidenceInfo) info = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GPtrArray) crls = g_ptr_array_new ();
  g_autoptr(GPtrArray) checked = g_ptr_array_new_with_free_func ((GDestroyNotify) checked_free);
  g_autoptr(GHashTable) certs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) cert_hexes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) last_signed = NULL;
  GBytes *contract_file = NULL;
  const char *tid = NULL;
  GBytes *used_crl = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (root_der != NULL, NULL);

  bundle = _semper_evidence_parse (bytes, error);
  if (bundle == NULL)
    return NULL;
  if (!g_bytes_equal (bundle->root, root_der))
    {
      g_autofree char *theirs = semper_sha256_hex (bundle->root);
      refuse (error, _("The bundle was made under another root certificate (SHA-256 %s), not "
                       "the one you trust"), theirs);
      return NULL;
    }

  for (guint i = 0; i < bundle->crls->len; i++)
    g_ptr_array_add (crls, ((_SemperEvidenceItem *) bundle->crls->pdata[i])->data);
  if (extra_crl != NULL)
    g_ptr_array_add (crls, extra_crl);
  info = g_new0 (SemperEvidenceInfo, 1);
  trust = long_term_trust (root_der, crls, &info->crl_issued, error);
  if (trust == NULL)
    return NULL;

  info->protocol = g_strdup (bundle->protocol);
  info->exchange_id = g_strdup (bundle->exchange_id);
  info->root = semper_sha256_hex (root_der);
  info->findings = g_ptr_array_new_with_free_func (g_free);
  info->statements = g_ptr_array_new_with_free_func (
    (GDestroyNotify) semper_evidence_statement_free);

  for (guint i = 0; i < bundle->messages->len; i++)
    {
      _SemperEvidenceItem *item = bundle->messages->pdata[i];
      Checked *c;

      if (g_str_equal (item->content_type, SEMPER_COMM_CONTENT_TYPE_JSON))
        {
          /* The only JSON a bundle carries is the exchange's contract file,
           * whose every part is signed and checked below. */
          if (contract_file != NULL)
            {
              refuse (error, _("The bundle holds two contract files"));
              return NULL;
            }
          contract_file = item->data;
          continue;
        }
      c = check_message (trust, item, i, error);
      if (c == NULL)
        return NULL;
      g_ptr_array_add (checked, c);
      g_ptr_array_add (info->statements, c->statement);
      if (c->message != NULL)
        {
          const char *its = semper_protocol_message_get_tid (c->message);

          if (tid == NULL)
            tid = its;
          if (!g_str_equal (tid, its)
              || !g_str_equal (semper_protocol_message_get_protocol (c->message),
                               bundle->protocol))
            {
              refuse (error, _("Message %u belongs to another exchange"), i + 1);
              return NULL;
            }
        }
      if (!g_hash_table_contains (certs, c->statement->signer->fingerprint))
        g_hash_table_add (certs, c->statement->signer->fingerprint);
      if (last_signed == NULL
          || g_date_time_compare (c->statement->signer->signing_time, last_signed) > 0)
        {
          g_clear_pointer (&last_signed, g_date_time_unref);
          last_signed = g_date_time_ref (c->statement->signer->signing_time);
        }
    }
  if (checked->len == 0)
    {
      refuse (error, _("The bundle holds no signed message"));
      return NULL;
    }

  /* The certificates listed are exactly those of the signers. */
  for (guint i = 0; i < bundle->certificates->len; i++)
    {
      char *hex = semper_sha256_hex (bundle->certificates->pdata[i]);

      g_ptr_array_add (cert_hexes, hex);
      if (!g_hash_table_contains (certs, hex))
        {
          refuse (error, _("Certificate %u of the bundle signed none of its messages"), i + 1);
          return NULL;
        }
    }
  if (g_hash_table_size (certs) != bundle->certificates->len)
    {
      refuse (error, _("The bundle does not list every signer’s certificate"));
      return NULL;
    }

  /* Signing times follow the protocol's order (within the clock skew). */
  for (guint i = 0; i < checked->len; i++)
    for (guint j = 0; j < checked->len; j++)
      {
        Checked *a = checked->pdata[i];
        Checked *b = checked->pdata[j];
        int ra = a->message ? step_rank (a->statement->step) : 0;
        int rb = b->message ? step_rank (b->statement->step) : 0;

        if (ra > 0 && rb > 0 && ra < rb
            && g_date_time_difference (a->statement->signer->signing_time,
                                       b->statement->signer->signing_time)
               > (GTimeSpan) CLOCK_SKEW * G_TIME_SPAN_SECOND)
          {
            refuse (error, _("%s claims to be signed after %s, which answers it: a signing "
                             "time is false"), a->statement->step, b->statement->step);
            return NULL;
          }
      }

  if (find_step (checked, "m1") != NULL)
    info->transaction = semper_protocol_message_dup_hash (find_step (checked, "m1")->message);
  if (g_str_equal (bundle->protocol, SEMPER_PROTOCOL_ASW))
    {
      if (!explain_asw (info, checked, contract_file, trust, error))
        return NULL;
    }
  else if (g_str_equal (bundle->protocol, "fx"))
    explain_fx (info, checked);
  else
    explain_messages (info, checked);

  /* Which revocation list decided, and whether it speaks for the time of
   * the last signature. */
  for (guint i = 0; i < crls->len && info->crl_issued != NULL; i++)
    {
      g_autoptr(SemperTrust) probe = semper_trust_new (root_der, NULL);
      g_autoptr(GDateTime) issued = NULL;

      if (probe != NULL && semper_trust_set_crl (probe, crls->pdata[i], NULL)
          && (issued = semper_trust_dup_crl_issued (probe)) != NULL
          && g_date_time_equal (issued, info->crl_issued))
        used_crl = crls->pdata[i];
    }
  if (info->crl_issued == NULL)
    g_ptr_array_add (info->findings,
                     g_strdup (_("No revocation list: no certificate was checked for "
                                 "revocation")));
  else
    {
      g_autofree char *when = format_time (info->crl_issued);

      info->crl_covers = g_date_time_compare (info->crl_issued, last_signed) >= 0;
      g_ptr_array_add (info->findings,
                       info->crl_covers
                       ? g_strdup_printf (_("Revocation checked against the CA’s list of %s, "
                                            "issued after the last signature"), when)
                       : g_strdup_printf (_("Revocation checked against the CA’s list of %s, "
                                            "issued BEFORE the last signature: a later "
                                            "revocation would not show"), when));
      note_revocations (info, checked, root_der, used_crl);
    }

  /* The statements now belong to info->statements. */
  for (guint i = 0; i < checked->len; i++)
    ((Checked *) checked->pdata[i])->statement = NULL;
  return g_steal_pointer (&info);
}

/* ---- exporting --------------------------------------------------------------- */

gboolean
semper_evidence_keep_crl (SemperArchive  *archive,
                          GBytes         *crl,
                          GError        **error)
{
  g_autoptr(GPtrArray) kept = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), FALSE);
  g_return_val_if_fail (crl != NULL, FALSE);

  kept = semper_archive_message_list (archive, NULL, SEMPER_EVIDENCE_CRL_TYPE, error);
  if (kept == NULL)
    return FALSE;
  for (guint i = 0; i < kept->len; i++)
    if (g_bytes_equal (((SemperArchiveMessage *) kept->pdata[i])->body, crl))
      return TRUE;
  return semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL, SEMPER_EVIDENCE_CRL_TYPE,
                                       crl, error) != 0;
}

/**
 * semper_evidence_archive_crl:
 *
 * Returns: %TRUE (also when the profile has no revocation list yet)
 */
gboolean
semper_evidence_archive_crl (SemperProfile  *profile,
                             GError        **error)
{
  g_autofree char *path = g_build_filename (semper_profile_get_dir (profile), "crl.der", NULL);
  g_autoptr(GBytes) crl = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return TRUE;
  crl = g_bytes_new_take (data, len);
  return semper_evidence_keep_crl (semper_profile_get_archive (profile), crl, error);
}

static void
add_b64 (JsonBuilder *b,
         GBytes      *bytes)
{
  g_autofree char *text = g_base64_encode (g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes));
  json_builder_add_string_value (b, text);
}

GBytes *
semper_evidence_export (SemperProfile  *profile,
                        const char     *exchange_id,
                        GError        **error)
{
  g_autoptr(GBytes) root = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (exchange_id != NULL, NULL);

  if (!semper_evidence_archive_crl (profile, error))
    return NULL;
  root = semper_profile_dup_trust_root (profile);
  if (root == NULL)
    {
      g_set_error_literal (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_INVALID,
                           _("The profile has no pinned root"));
      return NULL;
    }
  return semper_evidence_export_archive (semper_profile_get_archive (profile), root,
                                         exchange_id, error);
}

GBytes *
semper_evidence_export_archive (SemperArchive  *archive,
                                GBytes         *root,
                                const char     *exchange_id,
                                GError        **error)
{
  g_autoptr(SemperArchiveExchange) exchange = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) crls = NULL;
  g_autoptr(GPtrArray) crl_bytes = g_ptr_array_new ();
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GHashTable) cert_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           NULL);
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *session = NULL;
  GBytes *contract_file = NULL;
  char *text;
  gsize len = 0;
  guint first_crl;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (exchange_id != NULL, NULL);

  exchange = semper_archive_exchange_get (archive, exchange_id, &local);
  if (exchange == NULL)
    {
      if (g_error_matches (local, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND))
        g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_NOT_FOUND,
                     _("No transaction “%s” in the archive"), exchange_id);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!is_identifier (exchange->protocol, FALSE) || strlen (exchange->protocol) > 32
      || !is_identifier (exchange_id, TRUE) || strlen (exchange_id) > MAX_TEXT_ID)
    {
      g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_INVALID,
                   _("Transaction “%s” cannot be put in a bundle"), exchange_id);
      return NULL;
    }
  messages = semper_archive_message_list (archive, exchange_id, NULL, error);
  crls = messages ? semper_archive_message_list (archive, NULL, SEMPER_EVIDENCE_CRL_TYPE, error)
                  : NULL;
  if (crls == NULL)
    return NULL;
  first_crl = crls->len > SEMPER_EVIDENCE_MAX_CRLS ? crls->len - SEMPER_EVIDENCE_MAX_CRLS : 0;
  for (guint i = first_crl; i < crls->len; i++)
    g_ptr_array_add (crl_bytes, ((SemperArchiveMessage *) crls->pdata[i])->body);
  /* The lists kept must be the CA's: a damaged one would spoil the bundle. */
  trust = long_term_trust (root, crl_bytes, NULL, error);
  if (trust == NULL)
    return NULL;

  /* The session's tid: a protocol exchange's id is its tid. Keep every
   * signed message of the session, also one whose signer turns out to be
   * revoked (verify says so); leave out what is no evidence at all: bytes
   * that are not a signed message, or a message of another session that a
   * dishonest peer sent and the wallet archived as received. */
  session = g_strdup (exchange_id);
  for (guint i = 0; i < messages->len; i++)
    {
      SemperArchiveMessage *m = messages->pdata[i];
      g_autoptr(SemperSignerInfo) signer = NULL;
      g_autoptr(GBytes) content = NULL;
      g_autoptr(SemperProtocolMessage) pm = NULL;
      gboolean twice = FALSE;

      for (guint k = 0; k < kept->len; k++)
        if (g_bytes_equal (((SemperArchiveMessage *) kept->pdata[k])->body, m->body))
          twice = TRUE;
      if (twice || kept->len >= SEMPER_EVIDENCE_MAX_MESSAGES)
        continue;
      if (g_str_equal (m->content_type, SEMPER_COMM_CONTENT_TYPE_JSON))
        {
          gsize size = 0;
          const char *data = g_bytes_get_data (m->body, &size);

          if (g_str_equal (exchange->protocol, SEMPER_PROTOCOL_ASW) && contract_file == NULL
              && size > 18 && memcmp (data, "{\"semper-contract\"", 18) == 0)
            {
              contract_file = m->body;
              g_ptr_array_add (kept, m);
            }
          continue;
        }
      if (!g_str_equal (m->content_type, SEMPER_COMM_CONTENT_TYPE_CMS))
        continue;
      content = semper_cms_verify (m->body, NULL, &signer, NULL);
      if (content == NULL)
        continue;
      pm = semper_protocol_message_parse_content (content, NULL);
      if (pm != NULL
          && (!g_str_equal (semper_protocol_message_get_tid (pm), session)
              || !g_str_equal (semper_protocol_message_get_protocol (pm), exchange->protocol)))
        continue;
      g_ptr_array_add (kept, m);
      if (g_hash_table_add (cert_seen, g_strdup (signer->fingerprint)))
        g_ptr_array_add (certs, g_bytes_ref (signer->certificate));
    }
  if (certs->len == 0)
    {
      g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_EMPTY,
                   _("The archive holds no valid signed message of “%s”"), exchange_id);
      return NULL;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "semper-evidence");
  json_builder_add_int_value (b, FORMAT_VERSION);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, exchange_id);
  json_builder_set_member_name (b, "protocol");
  json_builder_add_string_value (b, exchange->protocol);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "root");
  add_b64 (b, root);
  json_builder_set_member_name (b, "certificates");
  json_builder_begin_array (b);
  for (guint i = 0; i < certs->len; i++)
    add_b64 (b, certs->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  for (guint i = 0; i < kept->len; i++)
    {
      SemperArchiveMessage *m = kept->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, m->direction == SEMPER_MESSAGE_IN ? "in" : "out");
      json_builder_set_member_name (b, "archived");
      json_builder_add_int_value (b, m->time);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, m->content_type);
      json_builder_set_member_name (b, "data");
      add_b64 (b, m->body);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "crls");
  json_builder_begin_array (b);
  for (guint i = first_crl; i < crls->len; i++)
    {
      SemperArchiveMessage *m = crls->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "archived");
      json_builder_add_int_value (b, m->time);
      json_builder_set_member_name (b, "data");
      add_b64 (b, m->body);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  if (len > SEMPER_EVIDENCE_MAX_SIZE)
    {
      g_free (text);
      g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_INVALID,
                   _("The evidence of “%s” is larger than a bundle may be"), exchange_id);
      return NULL;
    }
  return g_bytes_new_take (text, len);
}

GBytes *
semper_evidence_export_record (SemperProfile            *profile,
                               SemperArchiveRecordKind   kind,
                               gint64                    id,
                               GError                  **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  record = semper_archive_record_get (semper_profile_get_archive (profile), kind, id, error);
  if (record == NULL)
    return NULL;
  if (record->exchange_id == NULL)
    {
      g_set_error (error, SEMPER_EVIDENCE_ERROR, SEMPER_EVIDENCE_ERROR_EMPTY,
                   _("Record %lld belongs to no archived exchange"),
                   (long long) id);
      return NULL;
    }
  return semper_evidence_export (profile, record->exchange_id, error);
}
