/* wallet-exchanges.c: the exchanges of the open profile, for the Activity and Contracts pages
 *
 * Every core call that talks to a peer or writes the profile runs in a GTask
 * worker thread, one at a time (wallet_exchanges_worker_lock()), because the
 * archive and the contract-signing object are not thread-safe. The user's
 * consent is asked on the main thread, through the trusted display, between
 * two worker steps: nothing is signed while a display is open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-exchanges.h"

#include <glib/gi18n.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-fx-buyer.h"
#include "semper-fx-ecash.h"
#include "semper-message.h"
#include "semper-purchase.h"
#include "semper-suspend.h"
#include "semper-trust.h"

#define TTP_URL_FILE "ttp-url"   /* shared with `semper contract` */

static GMutex worker_mutex;

void
wallet_exchanges_worker_lock (void)
{
  g_mutex_lock (&worker_mutex);
}

void
wallet_exchanges_worker_unlock (void)
{
  g_mutex_unlock (&worker_mutex);
}

void
wallet_exchange_item_free (WalletExchangeItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->protocol);
  g_free (item->role);
  g_free (item->state);
  g_free (item->title);
  g_free (item->peer);
  g_free (item->last_error);
  g_free (item->ttp_url);
  g_free (item->system);
  g_free (item);
}

const char *
wallet_exchange_status_to_string (WalletExchangeStatus status)
{
  switch (status)
    {
    case WALLET_EXCHANGE_NEGOTIATING:
      return _("Negotiating");
    case WALLET_EXCHANGE_NEEDS_YOU:
      return _("Waiting for you");
    case WALLET_EXCHANGE_WAITING:
      return _("Waiting for the other party");
    case WALLET_EXCHANGE_RESOLVING:
      return _("Resolving with the TTP");
    case WALLET_EXCHANGE_DONE:
      return _("Done");
    case WALLET_EXCHANGE_ABORTED:
      return _("Aborted");
    case WALLET_EXCHANGE_SUSPENDED:
      return _("Suspended");
    case WALLET_EXCHANGE_FAILED:
    default:
      return _("Failed");
    }
}

static gboolean
is_asw (const WalletExchangeItem *item)
{
  return g_str_equal (item->protocol, SEMPER_PROTOCOL_ASW);
}

static gboolean
is_fx (const WalletExchangeItem *item)
{
  return g_str_equal (item->protocol, SEMPER_PROTOCOL_FX);
}

static gboolean
fx_state_is (const WalletExchangeItem *item,
             const char               *state)
{
  return is_fx (item) && g_strcmp0 (item->state, state) == 0;
}

static gboolean
is_account (const WalletExchangeItem *item)
{
  return g_strcmp0 (item->system, "account") == 0;
}

/* What kind of exchange a row is, as its title says. */
const char *
wallet_exchange_item_kind (const WalletExchangeItem *item)
{
  if (is_asw (item))
    return _("Contract");
  if (is_fx (item) && is_account (item))
    return _("Account payment");
  if (is_fx (item))
    return _("Purchase");
  return _("Exchange");
}

static gboolean
is_originator (const WalletExchangeItem *item)
{
  return g_str_has_prefix (item->role, "o") || g_str_equal (item->role, "buyer");
}

static WalletExchangeStatus
status_for (const char *protocol,
            const char *state,
            gboolean    finished)
{
  static const struct {
    const char           *protocol;
    const char           *state;
    WalletExchangeStatus  status;
  } map[] = {
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_M1_SENT, WALLET_EXCHANGE_WAITING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_M1_RECEIVED, WALLET_EXCHANGE_NEEDS_YOU },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_M2_SENT, WALLET_EXCHANGE_WAITING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_M3_SENT, WALLET_EXCHANGE_WAITING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_M4_SENT, WALLET_EXCHANGE_WAITING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_ABORTING, WALLET_EXCHANGE_RESOLVING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_RESOLVING, WALLET_EXCHANGE_RESOLVING },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_SIGNED, WALLET_EXCHANGE_DONE },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_ABORTED, WALLET_EXCHANGE_ABORTED },
    { SEMPER_PROTOCOL_ASW, SEMPER_ASW_DECLINED, WALLET_EXCHANGE_ABORTED },
    /* PROTOCOLS.md B, the buyer's states (semper-fair-exchange.h) */
    { "fx", "prepared", WALLET_EXCHANGE_NEGOTIATING },
    { "fx", "m1-sent", WALLET_EXCHANGE_WAITING },
    { "fx", "m3-sent", WALLET_EXCHANGE_WAITING },
    { "fx", "aborting", WALLET_EXCHANGE_RESOLVING },
    { "fx", "resolving", WALLET_EXCHANGE_RESOLVING },
    { "fx", "refunding", WALLET_EXCHANGE_RESOLVING },
    { "fx", "done", WALLET_EXCHANGE_DONE },
    { "fx", "aborted", WALLET_EXCHANGE_ABORTED },
    { "fx", "revoked", WALLET_EXCHANGE_ABORTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (map[i].protocol, protocol) && g_strcmp0 (map[i].state, state) == 0)
      return map[i].status;
  /* A finished exchange in a state we do not know ended some other way. */
  return finished ? WALLET_EXCHANGE_FAILED : WALLET_EXCHANGE_NEGOTIATING;
}

/**
 * wallet_exchange_item_describe:
 *
 * Returns: (transfer full): one sentence that says where the exchange stands
 *   and what happens next
 */
char *
wallet_exchange_item_describe (const WalletExchangeItem *item)
{
  const char *peer = item->peer != NULL ? item->peer : _("the other party");
  g_autofree char *where = NULL;

  if (item->suspended && !item->finished)
    {
      WalletExchangeItem copy = *item;

      copy.suspended = FALSE;
      where = wallet_exchange_item_describe (&copy);
      return g_strdup_printf (_("Suspended by you: it is not retried or resumed until you "
                                "press Resume. %s"), where);
    }
  if (is_fx (item))
    {
      const char *s = item->state;

      if (g_strcmp0 (s, SEMPER_FX_PREPARED) == 0)
        return g_strdup (_("The order was made but never sent. Nothing was paid."));
      if (g_strcmp0 (s, SEMPER_FX_M1_SENT) == 0)
        return g_strdup_printf (_("Your signed order went to %s. Waiting for the goods, locked, "
                                  "before you pay: nothing was paid yet."), peer);
      if (g_strcmp0 (s, SEMPER_FX_M3_SENT) == 0)
        return g_strdup_printf (_("You paid. Waiting for %s to unlock the goods; if it does "
                                  "not, the TTP can finish the exchange."), peer);
      if (g_strcmp0 (s, SEMPER_FX_ABORTING) == 0)
        return g_strdup (_("Asking the TTP to abort it. Nothing was paid."));
      if (g_strcmp0 (s, SEMPER_FX_RESOLVING) == 0)
        return g_strdup (_("Asking the TTP to finish it: you get the goods, or the payment "
                           "is revoked and refunded."));
      if (g_strcmp0 (s, SEMPER_FX_REFUNDING) == 0)
        return g_strdup (_("The TTP revoked the payment; the refund is on its way to you."));
      if (g_strcmp0 (s, SEMPER_FX_DONE) == 0 && item->by_ttp)
        return g_strdup_printf (_("The TTP finished it for you: %s did not, so the TTP gave "
                                  "you the key to the goods and signed the receipt."), peer);
      if (g_strcmp0 (s, SEMPER_FX_DONE) == 0)
        return g_strdup (_("Paid and delivered. The goods and the receipt are yours."));
      if (g_strcmp0 (s, SEMPER_FX_ABORTED) == 0)
        return g_strdup (_("Aborted through the TTP before anything was paid."));
      if (g_strcmp0 (s, SEMPER_FX_REVOKED) == 0)
        return g_strdup (_("The TTP revoked the payment: the money came back to you."));
    }
  if (is_asw (item))
    {
      const char *s = item->state;

      if (g_strcmp0 (s, SEMPER_ASW_M1_SENT) == 0)
        return g_strdup_printf (_("You signed and proposed it. Waiting for %s to sign."), peer);
      if (g_strcmp0 (s, SEMPER_ASW_M1_RECEIVED) == 0)
        return g_strdup_printf (_("%s proposed it. Review it and accept or decline."), peer);
      if (g_strcmp0 (s, SEMPER_ASW_M2_SENT) == 0)
        return g_strdup_printf (_("You signed. Waiting for %s to confirm."), peer);
      if (g_strcmp0 (s, SEMPER_ASW_M3_SENT) == 0)
        return g_strdup_printf (_("Both signed. Waiting for %s's last confirmation."), peer);
      if (g_strcmp0 (s, SEMPER_ASW_M4_SENT) == 0)
        return g_strdup (_("Both signed. Your last confirmation is on its way."));
      if (g_strcmp0 (s, SEMPER_ASW_ABORTING) == 0)
        return g_strdup (_("Asking the TTP to abort it."));
      if (g_strcmp0 (s, SEMPER_ASW_RESOLVING) == 0)
        return g_strdup (_("Asking the TTP to finish it."));
      if (g_strcmp0 (s, SEMPER_ASW_SIGNED) == 0)
        return g_strdup_printf (_("Signed by you and %s. It is in Contracts."), peer);
      if (g_strcmp0 (s, SEMPER_ASW_ABORTED) == 0)
        return g_strdup (_("Aborted through the TTP. It binds neither side."));
      if (g_strcmp0 (s, SEMPER_ASW_DECLINED) == 0)
        return g_strdup (_("You declined it. Nothing was signed."));
    }
  return g_strdup_printf (_("%s (state “%s”)."), wallet_exchange_status_to_string (item->status),
                          item->state);
}

/* Suspended, or waiting for the user's decision: nothing runs by itself. */
static gboolean
runs_by_itself (const WalletExchangeItem *item)
{
  return !item->finished && !item->suspended && item->status != WALLET_EXCHANGE_NEEDS_YOU;
}

gboolean
wallet_exchange_item_can_suspend (const WalletExchangeItem *item)
{
  return (is_asw (item) || is_fx (item)) && runs_by_itself (item);
}

gboolean
wallet_exchange_item_can_resume (const WalletExchangeItem *item)
{
  return !item->finished && item->suspended;
}

/* A finished exchange (done, aborted, failed) can be disputed before the TTP
 * it named. */
gboolean
wallet_exchange_item_can_dispute (const WalletExchangeItem *item)
{
  return item->finished && item->ttp_url != NULL;
}

gboolean
wallet_exchange_item_can_accept (const WalletExchangeItem *item)
{
  return is_asw (item) && !item->finished
         && g_strcmp0 (item->state, SEMPER_ASW_M1_RECEIVED) == 0;
}

/* O may abort until it has sent m3 (PROTOCOLS.md A). */
gboolean
wallet_exchange_item_can_abort (const WalletExchangeItem *item)
{
  /* A purchase, until it is paid (PROTOCOLS.md B). */
  if (is_fx (item))
    return !item->finished && (fx_state_is (item, SEMPER_FX_PREPARED)
                               || fx_state_is (item, SEMPER_FX_M1_SENT));
  return is_asw (item) && !item->finished && is_originator (item)
         && g_strcmp0 (item->state, SEMPER_ASW_M1_SENT) == 0;
}

/* O after m3 without m4, R after m2 without m3. */
gboolean
wallet_exchange_item_can_resolve (const WalletExchangeItem *item)
{
  /* Paid without the goods' key. */
  if (is_fx (item))
    return !item->finished && (fx_state_is (item, SEMPER_FX_M3_SENT)
                               || fx_state_is (item, SEMPER_FX_RESOLVING));
  return is_asw (item) && !item->finished
         && (g_strcmp0 (item->state, SEMPER_ASW_M3_SENT) == 0
             || g_strcmp0 (item->state, SEMPER_ASW_M2_SENT) == 0);
}

gboolean
wallet_exchange_item_can_retry (const WalletExchangeItem *item)
{
  if (is_fx (item))
    return runs_by_itself (item) && !fx_state_is (item, SEMPER_FX_PREPARED);
  return is_asw (item) && runs_by_itself (item);
}

/* What aborting means, said before it happens. */
const char *
wallet_exchange_item_abort_means (const WalletExchangeItem *item)
{
  if (is_asw (item))
    return _("The TTP records the contract as aborted, and it binds neither of you. If the "
             "other side has already signed and asked the TTP to finish it, you get the signed "
             "contract instead. A contract signing moves no money: nothing is paid or refunded.");
  if (is_fx (item) && is_account (item))
    return _("The TTP records the purchase as aborted before anything was paid: your account "
             "is not charged, and no payment authorisation is sent. You do not get the goods.");
  if (is_fx (item))
    return _("The TTP records the purchase as aborted before anything was paid: no money "
             "leaves your wallet, coins set aside for it return to your purse, and you do not "
             "get the goods.");
  return _("The TTP records the exchange as aborted before anything was paid: no money leaves "
           "your wallet, and coins set aside for it return to your purse.");
}

struct _WalletExchanges
{
  GObject                 parent_instance;

  SemperProfile          *profile;
  WalletConsentPort      *port;
  SemperContractSigning  *signing;     /* worker threads only, under the lock */
  SemperFxBuyer          *buyer;       /* worker threads only, under the lock; made when needed */
  GPtrArray              *items;       /* main thread */
  GHashTable             *seen;        /* ids listed this session (main thread) */
  GHashTable             *errors;      /* id -> last error (main thread) */
  char                   *activity;    /* what runs now, or NULL */
  char                   *busy_id;
};

G_DEFINE_FINAL_TYPE (WalletExchanges, wallet_exchanges, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One run of the worker. */
typedef struct {
  WalletExchangesOp  op;
  char              *id;
  char              *ttp_url;
  GBytes            *text;
  GBytes            *cert;
  gint64             deadline;
  SemperConsent     *consent;
  char             **known;     /* ids seen before, to list once they finished */
  /* results */
  GPtrArray         *items;
  char              *summary;
  GBytes            *accept_text;
  SemperSignerInfo  *counterparty;
  GHashTable        *item_errors;   /* id -> why resuming it failed */
} Job;

static void
job_free (Job *job)
{
  g_free (job->id);
  g_free (job->ttp_url);
  g_clear_pointer (&job->text, g_bytes_unref);
  g_clear_pointer (&job->cert, g_bytes_unref);
  g_clear_object (&job->consent);
  g_strfreev (job->known);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_free (job->summary);
  g_clear_pointer (&job->accept_text, g_bytes_unref);
  g_clear_pointer (&job->counterparty, semper_signer_info_unref);
  g_clear_pointer (&job->item_errors, g_hash_table_unref);
  g_free (job);
}

static char *
read_ttp_url (SemperProfile *profile)
{
  g_autofree char *path = g_build_filename (semper_profile_get_dir (profile), TTP_URL_FILE, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static gboolean
remember_ttp_url (SemperProfile  *profile,
                  const char     *url,
                  GError        **error)
{
  g_autofree char *path = g_build_filename (semper_profile_get_dir (profile), TTP_URL_FILE, NULL);
  g_autofree char *line = g_strdup_printf ("%s\n", url);

  return g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* The certified name of whoever signed the base64 CMS @member of the
 * exchange's state, or NULL. Worker thread. */
static SemperSignerInfo *
signer_info (JsonObject  *state,
             const char  *member,
             SemperTrust *trust)
{
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  const char *text;
  guchar *data;
  gsize len = 0;

  if (trust == NULL || !json_object_has_member (state, member))
    return NULL;
  text = json_object_get_string_member_with_default (state, member, NULL);
  if (text == NULL)
    return NULL;
  data = g_base64_decode (text, &len);
  p7m = g_bytes_new_take (data, len);
  content = semper_cms_verify (p7m, trust, &signer, NULL);
  return content != NULL ? g_steal_pointer (&signer) : NULL;
}

static char *
signer_name (JsonObject  *state,
             const char  *member,
             SemperTrust *trust)
{
  g_autoptr(SemperSignerInfo) signer = signer_info (state, member, trust);

  return signer != NULL ? g_strdup (signer->common_name) : NULL;
}

/* The originator of exchange @id, from its signature on m1. Worker thread. */
static SemperSignerInfo *
originator_of (WalletExchanges *self,
               const char      *id)
{
  g_autoptr(SemperArchiveExchange) row =
    semper_archive_exchange_get (semper_profile_get_archive (self->profile), id, NULL);
  g_autoptr(SemperTrust) trust = semper_profile_dup_trust (self->profile, NULL);
  g_autoptr(GBytes) state_bytes = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (row == NULL)
    return NULL;
  state_bytes = g_bytes_new (row->state, strlen (row->state));
  root = semper_message_parse (state_bytes, 16 * 1024 * 1024, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return signer_info (json_node_get_object (root), "m1", trust);
}

/* "1a2b 3c4d …": a fingerprint a person can compare, when no name is known. */
static char *
short_fingerprint (const char *hex)
{
  if (hex == NULL || strlen (hex) < 16)
    return g_strdup (hex);
  return g_strdup_printf (_("the holder of certificate %.4s %.4s %.4s %.4s…"), hex, hex + 4,
                          hex + 8, hex + 12);
}

/* Worker thread, under the lock. */
static WalletExchangeItem *
item_from_row (WalletExchanges       *self,
               SemperArchiveExchange *row,
               GHashTable            *peer_names,
               SemperTrust           *trust)
{
  WalletExchangeItem *item = g_new0 (WalletExchangeItem, 1);
  const char *name;

  item->id = g_strdup (row->id);
  item->protocol = g_strdup (row->protocol);
  item->role = g_strdup (row->role);
  item->finished = row->finished;
  item->updated = row->updated;
  name = row->peer != NULL ? g_hash_table_lookup (peer_names, row->peer) : NULL;
  if (name == NULL)
    name = g_hash_table_lookup (peer_names, row->id);
  item->peer = name != NULL ? g_strdup (name) : short_fingerprint (row->peer);

  if (g_str_equal (row->protocol, SEMPER_PROTOCOL_ASW))
    {
      g_autoptr(GBytes) text = NULL;
      g_autoptr(GBytes) state_bytes = g_bytes_new (row->state, strlen (row->state));
      g_autoptr(JsonNode) root = semper_message_parse (state_bytes, 16 * 1024 * 1024, NULL);

      item->state = semper_contract_signing_dup_state (self->signing, row->id, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);

          item->deadline = json_object_get_int_member_with_default (object, "deadline", 0);
          /* The other side's name from its signature: m1 is the originator's,
           * m2 the responder's. */
          if (name == NULL)
            {
              g_autofree char *signer =
                signer_name (object, g_str_equal (row->role, "responder") ? "m1" : "m2",
                             trust);

              if (signer != NULL)
                {
                  g_free (item->peer);
                  item->peer = g_steal_pointer (&signer);
                }
            }
        }
      text = semper_contract_signing_dup_text (self->signing, row->id, NULL);
      if (text != NULL)
        {
          g_autoptr(SemperDocument) doc = semper_document_parse (text, NULL);

          if (doc != NULL && semper_document_get_field (doc, "Title") != NULL)
            item->title = g_strdup (semper_document_get_field (doc, "Title"));
        }
    }
  else if (g_str_equal (row->protocol, SEMPER_PROTOCOL_FX) && row->state != NULL)
    {
      g_autoptr(GBytes) state_bytes = g_bytes_new (row->state, strlen (row->state));
      g_autoptr(JsonNode) root = semper_message_parse (state_bytes, 16 * 1024 * 1024, NULL);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);
          const char *b64 = json_object_get_string_member_with_default (object, "document",
                                                                        NULL);

          item->state = g_strdup (json_object_get_string_member_with_default (object, "state",
                                                                              NULL));
          item->system = g_strdup (json_object_get_string_member_with_default (object, "system",
                                                                               NULL));
          item->by_ttp = !json_object_has_member (object, "m4");
          /* The merchant's certified name from its signed offer. */
          if (name == NULL)
            {
              g_autofree char *signer = signer_name (object, "offer", trust);

              if (signer != NULL)
                {
                  g_free (item->peer);
                  item->peer = g_steal_pointer (&signer);
                }
            }
          /* The title from the order the user signed. */
          if (b64 != NULL)
            {
              gsize len = 0;
              guchar *data = g_base64_decode (b64, &len);
              g_autoptr(GBytes) text = g_bytes_new_take (data, len);
              g_autoptr(SemperDocument) doc = semper_document_parse (text, NULL);
              const char *fields[] = { "Title", "Description", "Item", "Merchant" };

              for (guint i = 0; doc != NULL && item->title == NULL && i < G_N_ELEMENTS (fields);
                   i++)
                item->title = g_strdup (semper_document_get_field (doc, fields[i]));
            }
        }
    }
  if (row->state != NULL && row->state[0] == '{')
    {
      g_autoptr(GBytes) state_bytes = g_bytes_new (row->state, strlen (row->state));
      g_autoptr(JsonNode) root = semper_message_parse (state_bytes, 16 * 1024 * 1024, NULL);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        item->ttp_url = g_strdup (json_object_get_string_member_with_default (
                                    json_node_get_object (root), "ttp_url", NULL));
    }
  item->suspended = !row->finished && semper_exchange_is_suspended (self->profile, row->id);
  if (item->state == NULL)
    item->state = g_strdup (row->state != NULL && row->state[0] != '{' ? row->state : "?");
  item->status = item->suspended ? WALLET_EXCHANGE_SUSPENDED
                                  : status_for (item->protocol, item->state, item->finished);
  return item;
}

static gint
compare_items (gconstpointer a,
               gconstpointer b)
{
  const WalletExchangeItem *x = *(WalletExchangeItem * const *) a;
  const WalletExchangeItem *y = *(WalletExchangeItem * const *) b;

  if (x->finished != y->finished)
    return x->finished ? 1 : -1;
  return (x->updated < y->updated) - (x->updated > y->updated);
}

/* The unfinished exchanges, those this session saw, and the recent contracts.
 * Worker thread, under the lock. */
static GPtrArray *
gather (WalletExchanges  *self,
        char            **known,
        GError          **error)
{
  SemperArchive *archive = semper_profile_get_archive (self->profile);
  g_autoptr(GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) wallet_exchange_item_free);
  g_autoptr(GPtrArray) unfinished = semper_archive_exchange_list_unfinished (archive, error);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SemperTrust) trust = semper_profile_dup_trust (self->profile, NULL);

  if (unfinished == NULL)
    return NULL;
  records = semper_archive_record_list (archive, SEMPER_ARCHIVE_CONTRACTS, 0, NULL, NULL, error);
  if (records == NULL)
    return NULL;

  for (guint i = 0; i < records->len; i++)
    {
      SemperArchiveRecord *record = g_ptr_array_index (records, i);

      if (record->exchange_id != NULL && record->counterparty != NULL)
        g_hash_table_replace (names, g_strdup (record->exchange_id),
                              g_strdup (record->counterparty));
    }
  for (guint i = 0; i < unfinished->len; i++)
    {
      SemperArchiveExchange *row = g_ptr_array_index (unfinished, i);

      if (g_hash_table_add (ids, g_strdup (row->id)))
        g_ptr_array_add (items, item_from_row (self, row, names, trust));
    }
  for (guint i = 0; known != NULL && known[i] != NULL; i++)
    g_ptr_array_add (wanted, g_strdup (known[i]));
  /* The twenty most recent contracts: recently finished ones show too. */
  for (guint i = 0; i < records->len && i < 20; i++)
    {
      SemperArchiveRecord *record = g_ptr_array_index (records, i);

      if (record->exchange_id != NULL)
        g_ptr_array_add (wanted, g_strdup (record->exchange_id));
    }
  for (guint i = 0; i < wanted->len; i++)
    {
      const char *id = g_ptr_array_index (wanted, i);
      g_autoptr(SemperArchiveExchange) row = NULL;

      if (g_hash_table_contains (ids, id))
        continue;
      row = semper_archive_exchange_get (archive, id, NULL);
      if (row != NULL && g_hash_table_add (ids, g_strdup (row->id)))
        g_ptr_array_add (items, item_from_row (self, row, names, trust));
    }
  g_ptr_array_sort (items, compare_items);
  return g_steal_pointer (&items);
}

static gboolean
ensure_signing (WalletExchanges  *self,
                GError          **error)
{
  if (self->signing == NULL)
    self->signing = semper_contract_signing_new (self->profile, error);
  return self->signing != NULL;
}

/* Worker thread: the one core call of the job, under the lock. */
static gboolean
run_job (WalletExchanges  *self,
         Job              *job,
         GError          **error)
{
  g_autofree char *state = NULL;

  switch (job->op)
    {
    case WALLET_EXCHANGES_REFRESH:
      return TRUE;

    case WALLET_EXCHANGES_RESUME_ALL:
      {
        g_autoptr(GPtrArray) before =
          semper_archive_exchange_list_unfinished (semper_profile_get_archive (self->profile),
                                                   error);
        g_autoptr(GPtrArray) fx = NULL;
        guint n = 0;

        if (before == NULL)
          return FALSE;
        for (guint i = 0; i < before->len; i++)
          n += g_str_equal (((SemperArchiveExchange *) before->pdata[i])->protocol,
                            SEMPER_PROTOCOL_ASW);
        if (!semper_contract_signing_resume (self->signing, error))
          return FALSE;
        /* Purchases too, as `semper resume` does, receipts and credentials
         * recorded (docs/fair-exchange.md). */
        fx = semper_purchase_resume_all (self->profile, error);
        if (fx == NULL)
          return FALSE;
        for (guint i = 0; i < fx->len; i++)
          {
            SemperFxResumed *r = g_ptr_array_index (fx, i);

            if (r->error != NULL)
              g_hash_table_replace (job->item_errors, g_strdup (r->id), g_strdup (r->error));
          }
        job->summary = g_strdup_printf ("%u", n + fx->len);
        return TRUE;
      }

    case WALLET_EXCHANGES_FETCH:
      {
        g_autoptr(GPtrArray) fresh = semper_contract_signing_fetch (self->signing, job->ttp_url,
                                                                    error);

        if (fresh == NULL || !remember_ttp_url (self->profile, job->ttp_url, error))
          return FALSE;
        job->summary = g_strdup_printf ("%u", fresh->len);
        return TRUE;
      }

    case WALLET_EXCHANGES_SUSPEND:
      if (!semper_exchange_set_suspended (self->profile, job->id, TRUE, error))
        return FALSE;
      job->summary = g_strdup ("suspended");
      return TRUE;

    case WALLET_EXCHANGES_RESUME:
      if (!semper_exchange_set_suspended (self->profile, job->id, FALSE, error))
        return FALSE;
      G_GNUC_FALLTHROUGH;
    case WALLET_EXCHANGES_STEP:
    case WALLET_EXCHANGES_ABORT:
    case WALLET_EXCHANGES_RESOLVE:
      {
        g_autoptr(SemperArchiveExchange) row =
          semper_archive_exchange_get (semper_profile_get_archive (self->profile), job->id,
                                       error);

        if (row == NULL)
          return FALSE;
        if (g_str_equal (row->protocol, SEMPER_PROTOCOL_FX))
          {
            if (self->buyer == NULL)
              self->buyer = semper_fx_ecash_new_wallet_buyer (self->profile, error);
            if (self->buyer == NULL)
              return FALSE;
            if (job->op == WALLET_EXCHANGES_ABORT)
              state = semper_fx_buyer_abort (self->buyer, job->id, error);
            else if (job->op == WALLET_EXCHANGES_RESOLVE)
              {
                /* Resolved to done, it is recorded as a resumed purchase is. */
                state = semper_fx_buyer_resolve (self->buyer, job->id, error);
                if (state != NULL
                    && semper_purchase_archive_resumed (self->profile, self->buyer, job->id,
                                                        error) < 0)
                  g_clear_pointer (&state, g_free);
              }
            else
              state = semper_purchase_resume (self->profile, self->buyer, job->id, error);
          }
        else if (job->op == WALLET_EXCHANGES_ABORT)
          state = semper_contract_signing_abort (self->signing, job->id, error);
        else if (job->op == WALLET_EXCHANGES_RESOLVE)
          state = semper_contract_signing_resolve (self->signing, job->id, error);
        else
          state = semper_contract_signing_step (self->signing, job->id, 0, error);
        /* A suspension ends with the exchange: the list keeps unfinished ones only. */
        if (state != NULL)
          {
            g_autoptr(SemperArchiveExchange) after =
              semper_archive_exchange_get (semper_profile_get_archive (self->profile), job->id,
                                           NULL);

            if (after != NULL && after->finished)
              semper_exchange_set_suspended (self->profile, job->id, FALSE, NULL);
          }
        break;
      }

    case WALLET_EXCHANGES_DECLINE:
      if (!semper_contract_signing_decline (self->signing, job->id, error))
        return FALSE;
      state = g_strdup (SEMPER_ASW_DECLINED);
      break;

    case WALLET_EXCHANGES_ACCEPT:
      if (job->consent == NULL)
        {
          /* First half: the text to show in the trusted display. */
          job->accept_text = semper_contract_signing_dup_text (self->signing, job->id, error);
          job->counterparty = originator_of (self, job->id);
          return job->accept_text != NULL;
        }
      if (!semper_contract_signing_accept (self->signing, job->id,
                                           g_steal_pointer (&job->consent), error))
        return FALSE;
      state = semper_contract_signing_dup_state (self->signing, job->id, error);
      break;

    case WALLET_EXCHANGES_PROPOSE:
      {
        g_autofree char *id =
          semper_contract_signing_propose (self->signing, job->ttp_url, job->cert, job->text,
                                           g_steal_pointer (&job->consent), job->deadline,
                                           error);

        if (id == NULL || !remember_ttp_url (self->profile, job->ttp_url, error))
          return FALSE;
        job->summary = g_steal_pointer (&id);
        return TRUE;
      }
    }
  if (state == NULL)
    return FALSE;
  job->summary = g_steal_pointer (&state);
  return TRUE;
}

static void
worker_cb (GTask        *task,
           gpointer      source,
           gpointer      task_data,
           GCancellable *cancellable)
{
  WalletExchanges *self = source;
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) gather_error = NULL;
  gboolean ok;

  wallet_exchanges_worker_lock ();
  ok = ensure_signing (self, &error) && run_job (self, job, &error);
  /* The list after the step, also when it failed: the state may have moved. */
  if (job->op != WALLET_EXCHANGES_ACCEPT || job->accept_text == NULL)
    job->items = gather (self, job->known, &gather_error);
  wallet_exchanges_worker_unlock ();

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (job->items == NULL && gather_error != NULL)
    g_task_return_error (task, g_steal_pointer (&gather_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_busy (WalletExchanges *self,
          const char      *activity,
          const char      *id)
{
  gboolean was = self->activity != NULL;

  g_free (self->activity);
  self->activity = g_strdup (activity);
  g_free (self->busy_id);
  self->busy_id = g_strdup (id);
  if (was != (activity != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static const char *
activity_for (WalletExchangesOp op)
{
  switch (op)
    {
    case WALLET_EXCHANGES_REFRESH:
      return _("Reading the archive…");
    case WALLET_EXCHANGES_RESUME_ALL:
      return _("Resuming interrupted exchanges…");
    case WALLET_EXCHANGES_FETCH:
      return _("Checking the TTP for proposals…");
    case WALLET_EXCHANGES_STEP:
      return _("Retrying…");
    case WALLET_EXCHANGES_ABORT:
      return _("Asking the TTP to abort…");
    case WALLET_EXCHANGES_RESOLVE:
      return _("Asking the TTP to finish the exchange…");
    case WALLET_EXCHANGES_DECLINE:
      return _("Declining…");
    case WALLET_EXCHANGES_ACCEPT:
      return _("Signing and sending your acceptance…");
    case WALLET_EXCHANGES_SUSPEND:
      return _("Suspending…");
    case WALLET_EXCHANGES_RESUME:
      return _("Resuming…");
    case WALLET_EXCHANGES_PROPOSE:
    default:
      return _("Sending the proposal…");
    }
}

static void start_job (WalletExchanges *self, GTask *task);

static void
accept_consent_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WalletExchanges *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  job->consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result,
                                                     &error);
  if (job->consent == NULL)
    {
      g_hash_table_replace (self->errors, g_strdup (job->id), g_strdup (error->message));
      set_busy (self, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&job->accept_text, g_bytes_unref);
  start_job (self, g_steal_pointer (&task));
}

static void
apply_items (WalletExchanges *self,
             Job             *job)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, job->item_errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (self->errors, g_strdup (key), g_strdup (value));
  if (job->items == NULL)
    return;
  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = g_steal_pointer (&job->items);
  for (guint i = 0; i < self->items->len; i++)
    {
      WalletExchangeItem *item = g_ptr_array_index (self->items, i);
      const char *error = g_hash_table_lookup (self->errors, item->id);

      g_hash_table_add (self->seen, g_strdup (item->id));
      item->last_error = g_strdup (error);
    }
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  WalletExchanges *self = WALLET_EXCHANGES (source);
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (job->id != NULL)
        g_hash_table_replace (self->errors, g_strdup (job->id), g_strdup (error->message));
      apply_items (self, job);
      set_busy (self, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->id != NULL)
    g_hash_table_remove (self->errors, job->id);
  if (job->op == WALLET_EXCHANGES_PROPOSE && job->summary != NULL)
    g_hash_table_add (self->seen, g_strdup (job->summary));

  /* Accept, first half: show the text in the trusted display. */
  if (job->op == WALLET_EXCHANGES_ACCEPT && job->accept_text != NULL)
    {
      set_busy (self, _("Waiting for your decision in the trusted display…"), job->id);
      wallet_consent_port_request_full_async (self->port, job->accept_text, _("contract"),
                                              job->counterparty, g_task_get_cancellable (task),
                                              accept_consent_cb, g_object_ref (task));
      return;
    }

  apply_items (self, job);
  set_busy (self, NULL, NULL);
  g_task_return_pointer (task, g_steal_pointer (&job->summary), g_free);
}

/* Runs the job of @task (the caller's task) in a worker thread. */
static void
start_job (WalletExchanges *self,
           GTask           *task)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(GTask) worker = g_task_new (self, g_task_get_cancellable (task), job_done_cb, task);
  g_autoptr(GPtrArray) known = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (known, g_strdup (key));
  g_ptr_array_add (known, NULL);
  g_strfreev (job->known);
  job->known = (char **) g_ptr_array_steal (known, NULL);

  set_busy (self, activity_for (job->op), job->id);
  g_task_set_task_data (worker, job, NULL);
  g_task_run_in_thread (worker, worker_cb);
}

static GTask *
new_task (WalletExchanges     *self,
          WalletExchangesOp    op,
          const char          *id,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->op = op;
  job->id = g_strdup (id);
  job->item_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_task_set_source_tag (task, wallet_exchanges_run_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  return task;
}

static gboolean
refuse_if_busy (WalletExchanges *self,
                GTask           *task)
{
  if (self->activity == NULL)
    return FALSE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Another action is still running: %s"), self->activity);
  return TRUE;
}

/**
 * wallet_exchanges_run_async:
 * @op: what to do (not FETCH or PROPOSE, which have their own calls)
 * @id: (nullable): the exchange, for the ops on one exchange
 *
 * Runs @op in a worker thread, then reads the list again (the "changed"
 * signal). ACCEPT shows the contract in the trusted display between fetching
 * its text and signing it. One action runs at a time; another fails with
 * %G_IO_ERROR_BUSY. Finish with wallet_exchanges_run_finish().
 */
void
wallet_exchanges_run_async (WalletExchanges     *self,
                            WalletExchangesOp    op,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WALLET_IS_EXCHANGES (self));
  g_return_if_fail (op != WALLET_EXCHANGES_FETCH && op != WALLET_EXCHANGES_PROPOSE);

  task = new_task (self, op, id, cancellable, callback, user_data);
  if (refuse_if_busy (self, task))
    return;
  start_job (self, g_steal_pointer (&task));
}

/**
 * wallet_exchanges_fetch_async:
 * @ttp_url: (nullable): the TTP whose mailbox to read; %NULL: the one used last
 */
void
wallet_exchanges_fetch_async (WalletExchanges     *self,
                              const char          *ttp_url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (WALLET_IS_EXCHANGES (self));

  task = new_task (self, WALLET_EXCHANGES_FETCH, NULL, cancellable, callback, user_data);
  job = g_task_get_task_data (task);
  job->ttp_url = ttp_url != NULL ? g_strdup (ttp_url) : read_ttp_url (self->profile);
  if (job->ttp_url == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("No TTP is known yet. Propose a contract or give the TTP’s "
                                 "address first."));
      return;
    }
  if (refuse_if_busy (self, task))
    return;
  start_job (self, g_steal_pointer (&task));
}

static void
propose_consent_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WalletExchanges *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  job->consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result,
                                                     &error);
  if (job->consent == NULL)
    {
      set_busy (self, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  start_job (self, g_steal_pointer (&task));
}

/**
 * wallet_exchanges_propose_async:
 * @text: a semper document of kind contract
 * @responder_cert: the responder's certificate (DER)
 * @ttp_url: the TTP's address
 * @deadline: unix seconds until when the responder may answer
 *
 * Shows @text in the trusted display (with the responder's certified name),
 * and after the user signed there, proposes it in a worker thread. The
 * result is the new exchange's id.
 */
void
wallet_exchanges_propose_async (WalletExchanges     *self,
                                GBytes              *text,
                                GBytes              *responder_cert,
                                const char          *ttp_url,
                                gint64               deadline,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  g_return_if_fail (WALLET_IS_EXCHANGES (self));
  g_return_if_fail (text != NULL && responder_cert != NULL && ttp_url != NULL);

  task = new_task (self, WALLET_EXCHANGES_PROPOSE, NULL, cancellable, callback, user_data);
  job = g_task_get_task_data (task);
  job->text = g_bytes_ref (text);
  job->cert = g_bytes_ref (responder_cert);
  job->ttp_url = g_strdup (ttp_url);
  job->deadline = deadline;
  if (refuse_if_busy (self, task))
    return;

  doc = semper_document_parse (text, &error);
  if (doc == NULL)
    {
      g_task_return_new_error (task, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_BAD_MESSAGE,
                               _("The file is not a semper document: %s"), error->message);
      return;
    }
  if (!g_str_equal (semper_document_get_kind (doc), "contract"))
    {
      g_task_return_new_error (task, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_BAD_MESSAGE,
                               _("Only a semper document of kind “contract” can be proposed"));
      return;
    }
  if (!g_str_has_prefix (ttp_url, "http://") && !g_str_has_prefix (ttp_url, "https://"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The TTP’s address must be an http:// or https:// URL"));
      return;
    }
  /* Whom it goes to, as the trusted display shows it: checked against the
   * profile's root and revocation list. An uncertified peer is shown as such. */
  trust = semper_profile_dup_trust (self->profile, NULL);
  if (trust != NULL)
    semper_trust_check_certificate (trust, responder_cert, NULL, &info, NULL);

  set_busy (self, _("Waiting for your decision in the trusted display…"), NULL);
  wallet_consent_port_request_full_async (self->port, text, _("contract"), info, cancellable,
                                          propose_consent_cb, g_steal_pointer (&task));
}

/**
 * wallet_exchanges_run_finish:
 *
 * Returns: (transfer full) (nullable): what the action produced: the state
 *   after a step, abort, resolve, decline or accept; the new id after a
 *   proposal; the number of exchanges resumed or of proposals fetched; %NULL
 *   after a refresh, or with @error set
 */
char *
wallet_exchanges_run_finish (WalletExchanges  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

SemperProfile *
wallet_exchanges_get_profile (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), NULL);
  return self->profile;
}

/**
 * wallet_exchanges_get_items:
 *
 * Returns: (transfer none) (element-type WalletExchangeItem): the list as last
 *   read: unfinished first, then finished, each newest first
 */
GPtrArray *
wallet_exchanges_get_items (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), NULL);
  return self->items;
}

gboolean
wallet_exchanges_is_busy (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), FALSE);
  return self->activity != NULL;
}

/* Returns: (nullable): what runs now, for the progress line */
const char *
wallet_exchanges_get_activity (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), NULL);
  return self->activity;
}

/* Returns: (nullable): the exchange the running action is about */
const char *
wallet_exchanges_get_busy_id (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), NULL);
  return self->busy_id;
}

/* Returns: (transfer full) (nullable): the TTP used last */
char *
wallet_exchanges_dup_ttp_url (WalletExchanges *self)
{
  g_return_val_if_fail (WALLET_IS_EXCHANGES (self), NULL);
  return read_ttp_url (self->profile);
}

static void
wallet_exchanges_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WalletExchanges *self = WALLET_EXCHANGES (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->activity != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_exchanges_dispose (GObject *object)
{
  WalletExchanges *self = WALLET_EXCHANGES (object);

  /* A worker holds a reference to us while it runs, so none is running. */
  g_clear_object (&self->signing);
  g_clear_object (&self->buyer);
  g_clear_object (&self->port);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (wallet_exchanges_parent_class)->dispose (object);
}

static void
wallet_exchanges_finalize (GObject *object)
{
  WalletExchanges *self = WALLET_EXCHANGES (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->errors, g_hash_table_unref);
  g_free (self->activity);
  g_free (self->busy_id);

  G_OBJECT_CLASS (wallet_exchanges_parent_class)->finalize (object);
}

static void
wallet_exchanges_class_init (WalletExchangesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wallet_exchanges_get_property;
  object_class->dispose = wallet_exchanges_dispose;
  object_class->finalize = wallet_exchanges_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The list, or what is running, changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
wallet_exchanges_init (WalletExchanges *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) wallet_exchange_item_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * wallet_exchanges_new:
 * @profile: the open profile; its archive is used only by the worker from now on
 * @port: the trusted display's port, for the signatures
 */
WalletExchanges *
wallet_exchanges_new (SemperProfile     *profile,
                      WalletConsentPort *port)
{
  WalletExchanges *self;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (WALLET_IS_CONSENT_PORT (port), NULL);

  self = g_object_new (WALLET_TYPE_EXCHANGES, NULL);
  self->profile = g_object_ref (profile);
  self->port = g_object_ref (port);
  return self;
}
