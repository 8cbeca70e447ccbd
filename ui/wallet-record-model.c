/* wallet-record-model.c: a GListModel of receipts or contracts
 *
 * The model holds the ids that semper_archive_record_query() returned and
 * reads a row only when a view asks for that item, so a list of 100 000
 * receipts costs 800 KB of ids and the rows on screen. Rows read are kept
 * in a bounded cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-record-model.h"

/* Rows kept in memory; past this the cache starts over. A screen shows
 * dozens, so this only bounds what scrolling through everything leaves. */
#define CACHE_MAX 2048

struct _WalletRecordModel
{
  GObject                  parent_instance;

  SemperArchive           *archive;
  SemperArchiveRecordKind  kind;
  GArray                  *ids;     /* gint64 */
  GHashTable              *cache;   /* gint64 id -> WalletRecord */
  guint                    n_read;  /* rows read since the last query */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WalletRecordModel, wallet_record_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
wallet_record_model_get_item_type (GListModel *model)
{
  return WALLET_TYPE_RECORD;
}

static guint
wallet_record_model_get_n_items (GListModel *model)
{
  return WALLET_RECORD_MODEL (model)->ids->len;
}

static gpointer
wallet_record_model_get_item (GListModel *model,
                              guint       position)
{
  WalletRecordModel *self = WALLET_RECORD_MODEL (model);
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord *record;
  WalletRecord *item;
  gint64 id;

  if (position >= self->ids->len)
    return NULL;
  id = g_array_index (self->ids, gint64, position);
  item = g_hash_table_lookup (self->cache, &id);
  if (item != NULL)
    return g_object_ref (item);

  self->n_read++;
  record = semper_archive_record_get (self->archive, self->kind, id, &error);
  if (record == NULL)
    /* Deleted since the query, or unreadable: an item without a row, which
     * the views show as such, rather than a hole in the model. */
    g_debug ("Cannot read record %" G_GINT64_FORMAT ": %s", id, error->message);

  if (g_hash_table_size (self->cache) >= CACHE_MAX)
    g_hash_table_remove_all (self->cache);
  item = wallet_record_new (id, record);
  g_hash_table_insert (self->cache, g_memdup2 (&id, sizeof id), g_object_ref (item));
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = wallet_record_model_get_item_type;
  iface->get_n_items = wallet_record_model_get_n_items;
  iface->get_item = wallet_record_model_get_item;
}

static void
wallet_record_model_dispose (GObject *object)
{
  WalletRecordModel *self = WALLET_RECORD_MODEL (object);

  g_clear_object (&self->archive);
  g_hash_table_remove_all (self->cache);

  G_OBJECT_CLASS (wallet_record_model_parent_class)->dispose (object);
}

static void
wallet_record_model_finalize (GObject *object)
{
  WalletRecordModel *self = WALLET_RECORD_MODEL (object);

  g_array_unref (self->ids);
  g_hash_table_unref (self->cache);

  G_OBJECT_CLASS (wallet_record_model_parent_class)->finalize (object);
}

static void
wallet_record_model_class_init (WalletRecordModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_record_model_dispose;
  object_class->finalize = wallet_record_model_finalize;
}

static void
wallet_record_model_init (WalletRecordModel *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

/**
 * wallet_record_model_new:
 *
 * An empty model; wallet_record_model_set_query() fills it.
 *
 * Returns: (transfer full)
 */
WalletRecordModel *
wallet_record_model_new (SemperArchive           *archive,
                         SemperArchiveRecordKind  kind)
{
  WalletRecordModel *self;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);

  self = g_object_new (WALLET_TYPE_RECORD_MODEL, NULL);
  self->archive = g_object_ref (archive);
  self->kind = kind;
  return self;
}

/* Returns: (transfer none) */
SemperArchive *
wallet_record_model_get_archive (WalletRecordModel *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), NULL);
  return self->archive;
}

SemperArchiveRecordKind
wallet_record_model_get_kind (WalletRecordModel *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), SEMPER_ARCHIVE_RECEIPTS);
  return self->kind;
}

/**
 * wallet_record_model_set_query:
 *
 * Replaces the contents with the records that pass @query, in its order.
 * On error the model keeps what it had.
 */
gboolean
wallet_record_model_set_query (WalletRecordModel              *self,
                               const SemperArchiveRecordQuery *query,
                               GError                        **error)
{
  g_autoptr(GArray) ids = NULL;
  guint removed;

  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);

  ids = semper_archive_record_query (self->archive, self->kind, query, error);
  if (ids == NULL)
    return FALSE;

  removed = self->ids->len;
  g_array_unref (self->ids);
  self->ids = g_steal_pointer (&ids);
  /* Rows may have changed since they were read (labels, state). */
  g_hash_table_remove_all (self->cache);
  self->n_read = 0;
  if (removed > 0 || self->ids->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->ids->len);
  return TRUE;
}

/* Returns: the id at @position, 0 past the end */
gint64
wallet_record_model_get_id (WalletRecordModel *self,
                            guint              position)
{
  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), 0);

  if (position >= self->ids->len)
    return 0;
  return g_array_index (self->ids, gint64, position);
}

gboolean
wallet_record_model_find (WalletRecordModel *self,
                          gint64             id,
                          guint             *position)
{
  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), FALSE);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_array_index (self->ids, gint64, i) == id)
      {
        if (position != NULL)
          *position = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * wallet_record_model_reload:
 *
 * Reads the row @id again (after its labels, note or state changed) and
 * tells the views.
 */
void
wallet_record_model_reload (WalletRecordModel *self,
                            gint64             id)
{
  guint position;

  g_return_if_fail (WALLET_IS_RECORD_MODEL (self));

  g_hash_table_remove (self->cache, &id);
  if (wallet_record_model_find (self, id, &position))
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
}

/* How many rows were read from the archive since the last query: what a
 * view costs (it should read what it shows, not the whole list). */
guint
wallet_record_model_get_n_read (WalletRecordModel *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_MODEL (self), 0);
  return self->n_read;
}
