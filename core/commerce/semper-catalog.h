/* semper-catalog.h: a merchant's catalog of articles, with search and paging.
 *
 * An in-memory catalog (docs/commerce.md says why not FTS5): articles in a
 * stable order (by id), an inverted index of folded words, searches that
 * AND the query's words (each a word prefix), and pages of N. The mail-order
 * trial's 6000+ articles come from a deterministic generator, so every
 * merchant, wallet and test sees the same catalog and the same digest
 * (which a service description can commit to).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_CATALOG_MAX_ARTICLES 1000000
#define SEMPER_CATALOG_MAX_PAGE     500
#define SEMPER_CATALOG_MAX_QUERY    256   /* bytes */
#define SEMPER_CATALOG_DEMO_SIZE    6000

#define SEMPER_CATALOG_ERROR (semper_catalog_error_quark ())

typedef enum {
  SEMPER_CATALOG_ERROR_INVALID,    /* a malformed article or query */
  SEMPER_CATALOG_ERROR_DUPLICATE,  /* an article id twice */
  SEMPER_CATALOG_ERROR_FULL,       /* SEMPER_CATALOG_MAX_ARTICLES reached */
} SemperCatalogError;

GQuark semper_catalog_error_quark (void);

/**
 * SemperArticle:
 * @id: unique, ASCII letters, digits and '-'
 * @title: one line
 * @description: one line
 * @category: one line
 * @price: the price of one
 *
 * Owned by the catalog, read-only.
 */
typedef struct {
  char         *id;
  char         *title;
  char         *description;
  char         *category;
  SemperAmount  price;
} SemperArticle;

#define SEMPER_TYPE_CATALOG (semper_catalog_get_type ())
G_DECLARE_FINAL_TYPE (SemperCatalog, semper_catalog, SEMPER, CATALOG, GObject)

SemperCatalog       *semper_catalog_new          (void);
/* The mail-order trial's catalog: @n_articles, deterministic, prices in @currency. */
SemperCatalog       *semper_catalog_new_demo     (guint                n_articles,
                                                  const char          *currency);
gboolean             semper_catalog_add          (SemperCatalog       *self,
                                                  const char          *id,
                                                  const char          *title,
                                                  const char          *description,
                                                  const char          *category,
                                                  const SemperAmount  *price,
                                                  GError             **error);
guint                semper_catalog_get_size     (SemperCatalog       *self);
/* Article @index in the stable order (by id). Returns: (transfer none) (nullable) */
const SemperArticle *semper_catalog_get_article  (SemperCatalog       *self,
                                                  guint                index);
/* Returns: (transfer none) (nullable) */
const SemperArticle *semper_catalog_find         (SemperCatalog       *self,
                                                  const char          *id);
/* The categories, sorted. Returns: (transfer full) */
GStrv                semper_catalog_dup_categories (SemperCatalog     *self);
/* @query: (nullable): words that must all occur (as word prefixes, without
 * case) in the id, title, description or category; %NULL or "" for all.
 * @category: (nullable): only this category.
 * @total: (out) (optional): how many articles match in all.
 * Returns: (transfer container) (element-type SemperArticle) (nullable):
 *   the matches @offset … @offset + @limit - 1 in the stable order. */
GPtrArray           *semper_catalog_search       (SemperCatalog       *self,
                                                  const char          *query,
                                                  const char          *category,
                                                  guint                offset,
                                                  guint                limit,
                                                  guint               *total,
                                                  GError             **error);
/* Lower-case hex SHA-256 over the articles in order, one line each:
 * id TAB title TAB description TAB category TAB price LF.
 * Returns: (transfer full) */
char                *semper_catalog_dup_digest   (SemperCatalog       *self);

G_END_DECLS
