/* wallet-shop-article.c: one row of a merchant's catalog in the Shop page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-shop-article.h"

#include "semper-money.h"

struct _WalletShopArticle
{
  GObject        parent_instance;

  guint          position;
  gboolean       loaded;
  SemperArticle  article;
};

G_DEFINE_FINAL_TYPE (WalletShopArticle, wallet_shop_article, G_TYPE_OBJECT)

static void
wallet_shop_article_finalize (GObject *object)
{
  WalletShopArticle *self = WALLET_SHOP_ARTICLE (object);

  g_free (self->article.id);
  g_free (self->article.title);
  g_free (self->article.description);
  g_free (self->article.category);

  G_OBJECT_CLASS (wallet_shop_article_parent_class)->finalize (object);
}

static void
wallet_shop_article_class_init (WalletShopArticleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_shop_article_finalize;
}

static void
wallet_shop_article_init (WalletShopArticle *self)
{
}

WalletShopArticle *
wallet_shop_article_new_placeholder (guint position)
{
  WalletShopArticle *self = g_object_new (WALLET_TYPE_SHOP_ARTICLE, NULL);

  self->position = position;
  return self;
}

WalletShopArticle *
wallet_shop_article_new (const SemperArticle *article,
                         guint                position)
{
  WalletShopArticle *self;

  g_return_val_if_fail (article != NULL, NULL);

  self = wallet_shop_article_new_placeholder (position);
  self->loaded = TRUE;
  self->article.id = g_strdup (article->id);
  self->article.title = g_strdup (article->title);
  self->article.description = g_strdup (article->description);
  self->article.category = g_strdup (article->category);
  self->article.price = article->price;
  return self;
}

gboolean
wallet_shop_article_is_loaded (WalletShopArticle *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_ARTICLE (self), FALSE);

  return self->loaded;
}

guint
wallet_shop_article_get_position (WalletShopArticle *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_ARTICLE (self), 0);

  return self->position;
}

const SemperArticle *
wallet_shop_article_get_article (WalletShopArticle *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_ARTICLE (self), NULL);

  return self->loaded ? &self->article : NULL;
}

char *
wallet_shop_article_dup_price (WalletShopArticle *self)
{
  g_return_val_if_fail (WALLET_IS_SHOP_ARTICLE (self), NULL);

  if (!self->loaded)
    return g_strdup ("");
  return semper_amount_format (&self->article.price);
}
