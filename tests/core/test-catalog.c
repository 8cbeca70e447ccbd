/* test-catalog.c: the mail-order trial's 6000-article catalog pages and
 * searches correctly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-catalog.h"
#include "semper-money.h"

/* The digest that data/demo/services/mail-order.json commits to. */
#define DEMO_DIGEST "f3b49afe87468e8e8eacb3aee7182708cc2852d0d4c032ace04eda06e556e437"

static SemperCatalog *catalog;

static void
test_demo_deterministic (void)
{
  g_autoptr(SemperCatalog) again = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");
  g_autofree char *digest = semper_catalog_dup_digest (catalog);
  g_autofree char *digest2 = semper_catalog_dup_digest (again);
  g_auto(GStrv) categories = semper_catalog_dup_categories (catalog);

  g_assert_cmpuint (semper_catalog_get_size (catalog), ==, 6000);
  g_assert_cmpstr (digest, ==, digest2);
  g_assert_cmpstr (digest, ==, DEMO_DIGEST);
  g_assert_cmpuint (g_strv_length (categories), ==, 12);
  g_assert_cmpstr (semper_catalog_get_article (catalog, 0)->id, ==, "A000001");
  g_assert_cmpstr (semper_catalog_get_article (catalog, 5999)->id, ==, "A006000");
  g_assert_null (semper_catalog_get_article (catalog, 6000));
  g_assert_true (semper_catalog_find (catalog, "A003141") ==
                 semper_catalog_get_article (catalog, 3140));
  for (guint i = 0; i < 6000; i++)
    {
      const SemperArticle *a = semper_catalog_get_article (catalog, i);

      g_assert_cmpstr (a->price.currency, ==, "EUR");
      g_assert_cmpint (a->price.minor, >, 0);
      g_assert_true (a->price.minor % 100 == 95 || a->price.minor % 100 == 99);
    }
}

static void
test_paging (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *last = "";
  guint pages = 0;

  /* Pages of 50 cover every article once, in the stable order. */
  for (guint offset = 0;; offset += 50)
    {
      g_autoptr(GError) error = NULL;
      guint total = 0;
      g_autoptr(GPtrArray) page = semper_catalog_search (catalog, NULL, NULL, offset, 50, &total,
                                                         &error);

      g_assert_no_error (error);
      g_assert_cmpuint (total, ==, 6000);
      if (page->len == 0)
        break;
      g_assert_cmpuint (page->len, ==, 50);
      pages++;
      for (guint i = 0; i < page->len; i++)
        {
          const SemperArticle *a = page->pdata[i];

          g_assert_cmpint (strcmp (last, a->id), <, 0);
          last = a->id;
          g_assert_true (g_hash_table_add (seen, a->id));
        }
    }
  g_assert_cmpuint (pages, ==, 120);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6000);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) page = semper_catalog_search (catalog, NULL, NULL, 5990, 50, NULL,
                                                       &error);

    g_assert_cmpuint (page->len, ==, 10);
    g_assert_null (semper_catalog_search (catalog, NULL, NULL, 0, 0, NULL, &error));
    g_assert_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID);
  }
}

/* Whether @word (lower case) begins a word of @text, without case. */
static gboolean
has_word_prefix (const char *text,
                 const char *word)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  gsize len = strlen (word);

  for (const char *p = lower; (p = strstr (p, word)) != NULL; p++)
    if (p == lower || !g_ascii_isalnum (p[-1]))
      return TRUE;
  (void) len;
  return FALSE;
}

static gboolean
article_matches (const SemperArticle *a,
                 const char          *word)
{
  return has_word_prefix (a->id, word) || has_word_prefix (a->title, word) ||
         has_word_prefix (a->description, word) || has_word_prefix (a->category, word);
}

static void
check_search (const char *query,
              const char *const *words,
              const char *category)
{
  g_autoptr(GError) error = NULL;
  guint total = 0, expected = 0;
  g_autoptr(GPtrArray) all = semper_catalog_search (catalog, query, category, 0,
                                                    SEMPER_CATALOG_MAX_PAGE, &total, &error);

  g_assert_no_error (error);
  /* Against a plain scan of every article. */
  for (guint i = 0; i < semper_catalog_get_size (catalog); i++)
    {
      const SemperArticle *a = semper_catalog_get_article (catalog, i);
      gboolean ok = category == NULL || g_strcmp0 (a->category, category) == 0;

      for (guint w = 0; ok && words[w] != NULL; w++)
        ok = article_matches (a, words[w]);
      if (ok)
        expected++;
    }
  g_assert_cmpuint (total, ==, expected);
  g_assert_cmpuint (all->len, ==, MIN (expected, SEMPER_CATALOG_MAX_PAGE));
  for (guint i = 0; i < all->len; i++)
    for (guint w = 0; words[w] != NULL; w++)
      g_assert_true (article_matches (all->pdata[i], words[w]));
}

static void
test_search (void)
{
  g_autoptr(GError) error = NULL;
  guint total = 0;
  g_autoptr(GPtrArray) page = NULL;

  check_search ("boots", (const char *const[]) { "boots", NULL }, NULL);
  check_search ("Hansa navy", (const char *const[]) { "hansa", "navy", NULL }, NULL);
  check_search ("  OAK,  desk ", (const char *const[]) { "oak", "desk", NULL }, NULL);
  check_search ("wat", (const char *const[]) { "wat", NULL }, NULL);
  check_search ("green", (const char *const[]) { "green", NULL }, "Garden");
  check_search ("kranich tent red", (const char *const[]) { "kranich", "tent", "red", NULL },
                NULL);

  /* Id search finds exactly that article. */
  page = semper_catalog_search (catalog, "a004711", NULL, 0, 10, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (((SemperArticle *) page->pdata[0])->id, ==, "A004711");
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Nothing matches a word that is in no article. */
  page = semper_catalog_search (catalog, "boots zeppelin", NULL, 0, 10, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Pages of a search are stable and disjoint. */
  {
    g_autoptr(GPtrArray) one = semper_catalog_search (catalog, "shoes", NULL, 0, 20, &total,
                                                      &error);
    g_autoptr(GPtrArray) two = semper_catalog_search (catalog, "shoes", NULL, 20, 20, NULL,
                                                      &error);
    g_autoptr(GPtrArray) both = semper_catalog_search (catalog, "shoes", NULL, 0, 40, NULL,
                                                       &error);

    g_assert_cmpuint (total, >, 40);
    for (guint i = 0; i < 20; i++)
      {
        g_assert_true (one->pdata[i] == both->pdata[i]);
        g_assert_true (two->pdata[i] == both->pdata[20 + i]);
      }
  }

  {
    g_autofree char *long_query = g_strnfill (SEMPER_CATALOG_MAX_QUERY + 1, 'a');

    page = semper_catalog_search (catalog, long_query, NULL, 0, 10, NULL, &error);
    g_assert_null (page);
    g_assert_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID);
  }
}

static void
test_add (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCatalog) c = semper_catalog_new ();
  SemperAmount price;
  g_autoptr(GPtrArray) page = NULL;

  g_assert_true (semper_amount_parse ("9.99 EUR", &price, NULL));
  g_assert_true (semper_catalog_add (c, "B2", "Zebra mug", "A mug.", "Kitchen", &price, &error));
  g_assert_true (semper_catalog_add (c, "B1", "Ärmel-Schoner", "Für Schreiber.", "Büro", &price,
                                     &error));
  g_assert_no_error (error);
  g_assert_false (semper_catalog_add (c, "B1", "Again", "Again.", "Kitchen", &price, &error));
  g_assert_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_false (semper_catalog_add (c, "B 3", "Bad id", "x", "Kitchen", &price, &error));
  g_assert_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (semper_catalog_add (c, "B3", "Two\nlines", "x", "Kitchen", &price, &error));
  g_assert_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID);
  g_clear_error (&error);

  /* Sorted by id whatever the order of adding; words fold case (ä, Ä). */
  g_assert_cmpstr (semper_catalog_get_article (c, 0)->id, ==, "B1");
  page = semper_catalog_search (c, "ärmel", NULL, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((SemperArticle *) page->pdata[0])->id, ==, "B1");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  catalog = semper_catalog_new_demo (SEMPER_CATALOG_DEMO_SIZE, "EUR");

  g_test_add_func ("/semper/catalog/demo", test_demo_deterministic);
  g_test_add_func ("/semper/catalog/paging", test_paging);
  g_test_add_func ("/semper/catalog/search", test_search);
  g_test_add_func ("/semper/catalog/add", test_add);

  ret = g_test_run ();
  g_clear_object (&catalog);
  return ret;
}
