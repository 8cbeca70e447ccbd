/* wallet-shop-catalog-model.c: a GListModel over a merchant's catalog that
 * fetches pages lazily
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-shop-catalog-model.h"

typedef struct {
  guint      total;
  GPtrArray *articles;  /* WalletShopArticle, positions offset … */
} Page;

static void
page_free (Page *page)
{
  g_clear_pointer (&page->articles, g_ptr_array_unref);
  g_free (page);
}

struct _WalletShopCatalogModel
{
  GObject                     parent_instance;

  WalletShopCatalogFetchFunc  fetch;
  gpointer                    source;
  GDestroyNotify              source_free;

  char                       *query;
  guint                       n_items;
  GPtrArray                  *items;       /* WalletShopArticle or NULL, n_items slots */
  GHashTable                 *requested;   /* page index → TRUE while fetching or fetched */
  GCancellable               *cancellable; /* of this query's fetches */
  guint                       n_running;
  guint                       n_fetched;
  GError                     *error;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WalletShopCatalogModel, wallet_shop_catalog_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_N_ITEMS,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
wallet_shop_catalog_return_page (GTask     *task,
                                 guint      total,
                                 GPtrArray *articles)
{
  Page *page = g_new0 (Page, 1);
  guint offset = GPOINTER_TO_UINT (g_task_get_task_data (task));

  page->total = total;
  page->articles = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; articles != NULL && i < articles->len; i++)
    g_ptr_array_add (page->articles, wallet_shop_article_new (g_ptr_array_index (articles, i),
                                                              offset + i));
  g_task_return_pointer (task, page, (GDestroyNotify) page_free);
}

/* Slots of rows never asked for are NULL; GPtrArray frees those too. */
static void
unref_slot (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
set_running (WalletShopCatalogModel *self,
             int                     delta)
{
  gboolean was = self->n_running > 0;

  self->n_running += delta;
  if (was != (self->n_running > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (WalletShopCatalogModel *self,
           const GError           *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void fetch_page (WalletShopCatalogModel *self, guint page_index);

static void
fetched_cb (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  WalletShopCatalogModel *self = WALLET_SHOP_CATALOG_MODEL (source_object);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  guint offset = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
  g_autoptr(GError) error = NULL;
  Page *page;
  guint n_changed;

  page = g_task_propagate_pointer (G_TASK (result), &error);
  set_running (self, -1);
  if (cancellable != self->cancellable)
    {
      /* A page of an earlier query. */
      g_clear_pointer (&page, page_free);
      return;
    }
  if (page == NULL)
    {
      g_hash_table_remove (self->requested, GUINT_TO_POINTER (offset / WALLET_SHOP_CATALOG_PAGE));
      set_error (self, error);
      return;
    }
  set_error (self, NULL);
  self->n_fetched++;

  if (self->n_items == 0 && offset == 0)
    {
      /* The first page tells the size of the result. */
      self->n_items = page->total;
      g_ptr_array_set_size (self->items, self->n_items);
      for (guint i = 0; i < page->articles->len && i < self->n_items; i++)
        self->items->pdata[i] = g_object_ref (page->articles->pdata[i]);
      page_free (page);
      if (self->n_items > 0)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->n_items);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
        }
      return;
    }

  n_changed = 0;
  for (guint i = 0; i < page->articles->len && offset + i < self->n_items; i++)
    {
      g_clear_object (&self->items->pdata[offset + i]);
      self->items->pdata[offset + i] = g_object_ref (page->articles->pdata[i]);
      n_changed++;
    }
  page_free (page);
  if (n_changed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), offset, n_changed, n_changed);
}

static void
fetch_page (WalletShopCatalogModel *self,
            guint                   page_index)
{
  g_autoptr(GTask) task = NULL;
  guint offset = page_index * WALLET_SHOP_CATALOG_PAGE;

  if (g_hash_table_contains (self->requested, GUINT_TO_POINTER (page_index)))
    return;
  g_hash_table_add (self->requested, GUINT_TO_POINTER (page_index));

  task = g_task_new (self, self->cancellable, fetched_cb, NULL);
  g_task_set_source_tag (task, fetch_page);
  g_task_set_task_data (task, GUINT_TO_POINTER (offset), NULL);
  set_running (self, +1);
  self->fetch (self->source, self->query, offset, WALLET_SHOP_CATALOG_PAGE, task);
}

static GType
get_item_type (GListModel *model)
{
  return WALLET_TYPE_SHOP_ARTICLE;
}

static guint
get_n_items (GListModel *model)
{
  return WALLET_SHOP_CATALOG_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  WalletShopCatalogModel *self = WALLET_SHOP_CATALOG_MODEL (model);
  WalletShopArticle *article;

  if (position >= self->n_items)
    return NULL;
  article = self->items->pdata[position];
  if (article == NULL)
    {
      article = wallet_shop_article_new_placeholder (position);
      self->items->pdata[position] = article;
    }
  if (!wallet_shop_article_is_loaded (article))
    fetch_page (self, position / WALLET_SHOP_CATALOG_PAGE);
  return g_object_ref (article);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

void
wallet_shop_catalog_model_set_query (WalletShopCatalogModel *self,
                                     const char             *query)
{
  guint removed;

  g_return_if_fail (WALLET_IS_SHOP_CATALOG_MODEL (self));

  if (query != NULL && *query == '\0')
    query = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_free (self->query);
  self->query = g_strdup (query);
  g_hash_table_remove_all (self->requested);
  self->n_fetched = 0;

  removed = self->n_items;
  self->n_items = 0;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  fetch_page (self, 0);
}

const char *
wallet_shop_catalog_model_get_query (WalletShopCatalogModel *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_CATALOG_MODEL (self), NULL);

  return self->query;
}

gboolean
wallet_shop_catalog_model_get_loading (WalletShopCatalogModel *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_CATALOG_MODEL (self), FALSE);

  return self->n_running > 0;
}

const GError *
wallet_shop_catalog_model_get_error (WalletShopCatalogModel *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_CATALOG_MODEL (self), NULL);

  return self->error;
}

guint
wallet_shop_catalog_model_get_n_fetched (WalletShopCatalogModel *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_CATALOG_MODEL (self), 0);

  return self->n_fetched;
}

static void
wallet_shop_catalog_model_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  WalletShopCatalogModel *self = WALLET_SHOP_CATALOG_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->n_running > 0);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_shop_catalog_model_dispose (GObject *object)
{
  WalletShopCatalogModel *self = WALLET_SHOP_CATALOG_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->source_free != NULL)
    g_clear_pointer (&self->source, self->source_free);

  G_OBJECT_CLASS (wallet_shop_catalog_model_parent_class)->dispose (object);
}

static void
wallet_shop_catalog_model_finalize (GObject *object)
{
  WalletShopCatalogModel *self = WALLET_SHOP_CATALOG_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->requested, g_hash_table_unref);
  g_clear_pointer (&self->query, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (wallet_shop_catalog_model_parent_class)->finalize (object);
}

static void
wallet_shop_catalog_model_class_init (WalletShopCatalogModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wallet_shop_catalog_model_get_property;
  object_class->dispose = wallet_shop_catalog_model_dispose;
  object_class->finalize = wallet_shop_catalog_model_finalize;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wallet_shop_catalog_model_init (WalletShopCatalogModel *self)
{
  self->items = g_ptr_array_new_with_free_func (unref_slot);
  self->requested = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
}

WalletShopCatalogModel *
wallet_shop_catalog_model_new (WalletShopCatalogFetchFunc fetch,
                               gpointer                   source,
                               GDestroyNotify             source_free)
{
  WalletShopCatalogModel *self;

  g_return_val_if_fail (fetch != NULL, NULL);

  self = g_object_new (WALLET_TYPE_SHOP_CATALOG_MODEL, NULL);
  self->fetch = fetch;
  self->source = source;
  self->source_free = source_free;
  return self;
}

/* A local catalog answers at once, but still through the main loop, so
 * that the model behaves the same as over the network. */
static gboolean
catalog_answer_cb (gpointer data)
{
  GTask *task = data;
  SemperCatalog *catalog = g_object_get_data (G_OBJECT (task), "catalog");
  const char *query = g_object_get_data (G_OBJECT (task), "query");
  guint offset = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(GPtrArray) articles = NULL;
  g_autoptr(GError) error = NULL;
  guint total = 0;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  articles = semper_catalog_search (catalog, query, NULL, offset, WALLET_SHOP_CATALOG_PAGE,
                                    &total, &error);
  if (articles == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    wallet_shop_catalog_return_page (task, total, articles);
  return G_SOURCE_REMOVE;
}

static void
catalog_fetch (gpointer    source,
               const char *query,
               guint       offset,
               guint       limit,
               GTask      *task)
{
  g_object_set_data_full (G_OBJECT (task), "catalog", g_object_ref (source), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "query", g_strdup (query), g_free);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, catalog_answer_cb, g_object_ref (task),
                   g_object_unref);
}

WalletShopCatalogModel *
wallet_shop_catalog_model_new_for_catalog (SemperCatalog *catalog)
{
  g_return_val_if_fail (SEMPER_IS_CATALOG (catalog), NULL);

  return wallet_shop_catalog_model_new (catalog_fetch, g_object_ref (catalog), g_object_unref);
}
