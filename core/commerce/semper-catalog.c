/* semper-catalog.c: a merchant's catalog of articles, with search and paging.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-catalog.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-commerce-private.h"
#include "semper-crypto.h"
#include "semper-money.h"

G_DEFINE_QUARK (semper-catalog-error-quark, semper_catalog_error)

#define MAX_TEXT 500
#define MAX_ID   32

struct _SemperCatalog
{
  GObject     parent_instance;

  GPtrArray  *articles;  /* of SemperArticle; sorted by id unless @dirty */
  GHashTable *by_id;     /* id → SemperArticle (borrowed) */
  GHashTable *index;     /* folded word → GArray of guint positions, ascending */
  gboolean    dirty;
};

G_DEFINE_FINAL_TYPE (SemperCatalog, semper_catalog, G_TYPE_OBJECT)

static void
article_free (SemperArticle *article)
{
  g_free (article->id);
  g_free (article->title);
  g_free (article->description);
  g_free (article->category);
  g_free (article);
}

static void
semper_catalog_finalize (GObject *object)
{
  SemperCatalog *self = SEMPER_CATALOG (object);

  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->articles, g_ptr_array_unref);

  G_OBJECT_CLASS (semper_catalog_parent_class)->finalize (object);
}

static void
semper_catalog_class_init (SemperCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_catalog_finalize;
}

static void
semper_catalog_init (SemperCatalog *self)
{
  self->articles = g_ptr_array_new_with_free_func ((GDestroyNotify) article_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

SemperCatalog *
semper_catalog_new (void)
{
  return g_object_new (SEMPER_TYPE_CATALOG, NULL);
}

static gboolean
is_article_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > MAX_ID)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_line (const char *text)
{
  gsize len = text ? strlen (text) : 0;

  return len > 0 && len <= MAX_TEXT && _semper_commerce_is_plain_text (text) &&
         !g_ascii_isspace (text[0]) && !g_ascii_isspace (text[len - 1]);
}

/**
 * semper_catalog_add:
 *
 * Adds one article; the id must be new, the texts single lines of at most
 * 500 bytes without control characters, the price not negative.
 */
gboolean
semper_catalog_add (SemperCatalog       *self,
                    const char          *id,
                    const char          *title,
                    const char          *description,
                    const char          *category,
                    const SemperAmount  *price,
                    GError             **error)
{
  SemperArticle *article;

  g_return_val_if_fail (SEMPER_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (price != NULL, FALSE);

  if (id == NULL || !is_article_id (id))
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID,
                   _("An article id is 1 to %d ASCII letters, digits or “-”"), MAX_ID);
      return FALSE;
    }
  if (!is_line (title) || !is_line (description) || !is_line (category))
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID,
                   _("Article %s: title, description and category must be single lines of "
                     "1 to %d bytes"), id, MAX_TEXT);
      return FALSE;
    }
  if (price->minor < 0 || semper_currency_decimals (price->currency) < 0)
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID,
                   _("Article %s: the price is not a valid amount"), id);
      return FALSE;
    }
  if (g_hash_table_contains (self->by_id, id))
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_DUPLICATE,
                   _("Article %s is already in the catalog"), id);
      return FALSE;
    }
  if (self->articles->len >= SEMPER_CATALOG_MAX_ARTICLES)
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_FULL,
                   _("The catalog holds at most %d articles"), SEMPER_CATALOG_MAX_ARTICLES);
      return FALSE;
    }
  article = g_new0 (SemperArticle, 1);
  article->id = g_strdup (id);
  article->title = g_strdup (title);
  article->description = g_strdup (description);
  article->category = g_strdup (category);
  article->price = *price;
  g_ptr_array_add (self->articles, article);
  g_hash_table_insert (self->by_id, article->id, article);
  self->dirty = TRUE;
  return TRUE;
}

static int
compare_articles (gconstpointer a,
                  gconstpointer b)
{
  const SemperArticle *x = *(SemperArticle * const *) a;
  const SemperArticle *y = *(SemperArticle * const *) b;

  return strcmp (x->id, y->id);
}

/* Folded words of @text: lower case (Unicode casefold, NFKC), split at
 * anything that is not a letter, mark or digit. */
static GPtrArray *
words_of (const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  g_autofree char *normal = g_utf8_normalize (folded, -1, G_NORMALIZE_NFKC);
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GString *word = g_string_new (NULL);

  for (const char *p = normal; p != NULL; p = *p ? g_utf8_next_char (p) : NULL)
    {
      gunichar c = *p ? g_utf8_get_char (p) : 0;

      if (c != 0 && (g_unichar_isalnum (c) || g_unichar_ismark (c)))
        g_string_append_unichar (word, c);
      else if (word->len > 0)
        {
          g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }
    }
  g_string_free (word, TRUE);
  return words;
}

static void
index_text (GHashTable *index,
            const char *text,
            guint       position)
{
  g_autoptr(GPtrArray) words = words_of (text);

  for (guint i = 0; i < words->len; i++)
    {
      GArray *postings = g_hash_table_lookup (index, words->pdata[i]);

      if (postings == NULL)
        {
          postings = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (index, g_strdup (words->pdata[i]), postings);
        }
      if (postings->len == 0 || g_array_index (postings, guint, postings->len - 1) != position)
        g_array_append_val (postings, position);
    }
}

static void
ensure_index (SemperCatalog *self)
{
  if (!self->dirty && self->index != NULL)
    return;
  g_ptr_array_sort (self->articles, compare_articles);
  g_clear_pointer (&self->index, g_hash_table_unref);
  self->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < self->articles->len; i++)
    {
      SemperArticle *article = g_ptr_array_index (self->articles, i);

      index_text (self->index, article->id, i);
      index_text (self->index, article->title, i);
      index_text (self->index, article->description, i);
      index_text (self->index, article->category, i);
    }
  self->dirty = FALSE;
}

guint
semper_catalog_get_size (SemperCatalog *self)
{
  g_return_val_if_fail (SEMPER_IS_CATALOG (self), 0);
  return self->articles->len;
}

/**
 * semper_catalog_get_article:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperArticle *
semper_catalog_get_article (SemperCatalog *self,
                            guint          index)
{
  g_return_val_if_fail (SEMPER_IS_CATALOG (self), NULL);
  ensure_index (self);
  return index < self->articles->len ? g_ptr_array_index (self->articles, index) : NULL;
}

/**
 * semper_catalog_find:
 *
 * Returns: (transfer none) (nullable)
 */
const SemperArticle *
semper_catalog_find (SemperCatalog *self,
                     const char    *id)
{
  g_return_val_if_fail (SEMPER_IS_CATALOG (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
}

GStrv
semper_catalog_dup_categories (SemperCatalog *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SEMPER_IS_CATALOG (self), NULL);
  for (guint i = 0; i < self->articles->len; i++)
    {
      SemperArticle *article = g_ptr_array_index (self->articles, i);

      if (g_hash_table_add (seen, article->category))
        g_ptr_array_add (list, article->category);
    }
  g_ptr_array_sort (list, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < list->len; i++)
    {
      const char *name = *(const char **) &list->pdata[i];

      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

/**
 * semper_catalog_search:
 *
 * See the header. A query of more than SEMPER_CATALOG_MAX_QUERY bytes, or a
 * @limit of 0 or over SEMPER_CATALOG_MAX_PAGE, is refused.
 */
GPtrArray *
semper_catalog_search (SemperCatalog *self,
                       const char    *query,
                       const char    *category,
                       guint          offset,
                       guint          limit,
                       guint         *total,
                       GError       **error)
{
  g_autoptr(GPtrArray) words = NULL;
  g_autofree guint8 *match = NULL;
  GPtrArray *page;
  guint n, count = 0;

  g_return_val_if_fail (SEMPER_IS_CATALOG (self), NULL);

  if (total)
    *total = 0;
  if (limit == 0 || limit > SEMPER_CATALOG_MAX_PAGE)
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID,
                   _("A page holds 1 to %d articles"), SEMPER_CATALOG_MAX_PAGE);
      return NULL;
    }
  if (query != NULL && (strlen (query) > SEMPER_CATALOG_MAX_QUERY ||
                        !g_utf8_validate (query, -1, NULL)))
    {
      g_set_error (error, SEMPER_CATALOG_ERROR, SEMPER_CATALOG_ERROR_INVALID,
                   _("A search is at most %d bytes of UTF-8"), SEMPER_CATALOG_MAX_QUERY);
      return NULL;
    }
  ensure_index (self);
  n = self->articles->len;
  match = g_malloc (MAX (n, 1));
  memset (match, 1, n);

  words = words_of (query != NULL ? query : "");
  for (guint w = 0; w < words->len; w++)
    {
      g_autofree guint8 *hit = g_malloc0 (MAX (n, 1));
      const char *word = words->pdata[w];
      gsize len = strlen (word);
      GHashTableIter iter;
      gpointer key, value;

      /* A word matches every indexed word that it begins. */
      g_hash_table_iter_init (&iter, self->index);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (strncmp (key, word, len) == 0)
          {
            GArray *postings = value;

            for (guint i = 0; i < postings->len; i++)
              hit[g_array_index (postings, guint, i)] = 1;
          }
      for (guint i = 0; i < n; i++)
        match[i] &= hit[i];
    }

  page = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      SemperArticle *article = g_ptr_array_index (self->articles, i);

      if (!match[i] || (category != NULL && g_strcmp0 (category, article->category) != 0))
        continue;
      if (count >= offset && count - offset < limit)
        g_ptr_array_add (page, article);
      count++;
    }
  if (total)
    *total = count;
  return page;
}

char *
semper_catalog_dup_digest (SemperCatalog *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (SEMPER_IS_CATALOG (self), NULL);
  ensure_index (self);
  for (guint i = 0; i < self->articles->len; i++)
    {
      SemperArticle *article = g_ptr_array_index (self->articles, i);
      g_autofree char *price = semper_amount_format (&article->price);

      g_string_append_printf (text, "%s\t%s\t%s\t%s\t%s\n", article->id, article->title,
                              article->description, article->category, price);
    }
  bytes = g_string_free_to_bytes (g_steal_pointer (&text));
  return semper_sha256_hex (bytes);
}

/* The demo generator: splitmix64, so that the catalog is the same on every
 * machine and GLib version. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

#define PICK(state, list) ((list)[next_random (state) % G_N_ELEMENTS (list)])

typedef struct {
  const char *name;
  const char *nouns[8];
  guint       min_price;   /* whole units */
  guint       max_price;
} DemoCategory;

static const DemoCategory demo_categories[] = {
  { "Women's fashion", { "blouse", "dress", "skirt", "cardigan", "coat", "jeans", "scarf",
                         "jacket" }, 15, 180 },
  { "Men's fashion", { "shirt", "trousers", "pullover", "jacket", "suit", "polo shirt",
                       "chinos", "raincoat" }, 15, 250 },
  { "Children", { "romper", "hoodie", "leggings", "pyjamas", "rain jacket", "dungarees",
                  "sweatshirt", "cap" }, 8, 70 },
  { "Shoes", { "sneakers", "boots", "sandals", "loafers", "slippers", "pumps", "hiking boots",
               "ankle boots" }, 20, 160 },
  { "Household", { "towel set", "bed linen", "duvet", "pillow", "curtain", "bath mat",
                   "blanket", "tablecloth" }, 10, 120 },
  { "Kitchen", { "saucepan", "frying pan", "knife block", "kettle", "toaster", "coffee maker",
                 "mixing bowl", "dinner set" }, 9, 200 },
  { "Furniture", { "bookcase", "armchair", "sofa", "coffee table", "wardrobe", "desk",
                   "dining chair", "bedside table" }, 40, 900 },
  { "Electronics", { "radio", "headphones", "television", "tablet", "camera", "speaker",
                     "e-reader", "printer" }, 25, 800 },
  { "Garden", { "garden chair", "parasol", "hose reel", "planter", "lawn mower", "hedge trimmer",
                "barbecue", "bird house" }, 12, 450 },
  { "Sports", { "running shoes", "yoga mat", "bicycle helmet", "dumbbell set", "tennis racket",
                "backpack", "sleeping bag", "tent" }, 10, 300 },
  { "Toys", { "building blocks", "doll", "puzzle", "board game", "toy car", "teddy bear",
              "kite", "train set" }, 5, 90 },
  { "Books and stationery", { "notebook", "fountain pen", "atlas", "cookbook", "diary",
                              "photo album", "pencil set", "wall calendar" }, 4, 60 },
};

static const char * const demo_brands[] = {
  "Alster", "Brenner", "Castell", "Dorn", "Elbtal", "Falke", "Granit", "Hansa", "Isar",
  "Jasper", "Kranich", "Lindgren", "Marlow", "Nordlicht", "Oberland", "Pirol",
};
static const char * const demo_styles[] = {
  "classic", "modern", "compact", "deluxe", "essential", "premium", "comfort", "outdoor",
  "vintage", "urban", "eco", "family",
};
static const char * const demo_colours[] = {
  "black", "white", "navy", "red", "green", "grey", "beige", "blue", "brown", "yellow",
  "burgundy", "olive",
};
static const char * const demo_materials[] = {
  "cotton", "wool", "linen", "stainless steel", "oak", "beech", "recycled plastic",
  "leather", "bamboo", "glass", "ceramic", "aluminium",
};
static const char * const demo_features[] = {
  "easy care", "machine washable", "two-year warranty", "made in Europe", "gift boxed",
  "space saving", "energy efficient", "water resistant", "extra durable", "lightweight",
};

/**
 * semper_catalog_new_demo:
 * @n_articles: how many (the mail-order trial uses SEMPER_CATALOG_DEMO_SIZE)
 * @currency: the prices' currency, one with 2 decimals (e.g. "EUR")
 *
 * A realistic mail-order catalog: twelve categories, brands, styles,
 * colours and materials, prices ending in .95 or .99 within each category's
 * range. Ids are "A" and six digits, in order. The same arguments always
 * give the same catalog (and digest).
 *
 * Returns: (transfer full)
 */
SemperCatalog *
semper_catalog_new_demo (guint       n_articles,
                         const char *currency)
{
  SemperCatalog *self = semper_catalog_new ();
  guint64 state = G_GUINT64_CONSTANT (0x5e3b3e4d0c1a7a11);

  g_return_val_if_fail (semper_currency_decimals (currency) == 2, self);
  g_return_val_if_fail (n_articles <= 999999, self);

  for (guint i = 0; i < n_articles; i++)
    {
      const DemoCategory *cat = &demo_categories[next_random (&state)
                                                 % G_N_ELEMENTS (demo_categories)];
      const char *noun = cat->nouns[next_random (&state) % G_N_ELEMENTS (cat->nouns)];
      const char *brand = PICK (&state, demo_brands);
      const char *style = PICK (&state, demo_styles);
      const char *colour = PICK (&state, demo_colours);
      const char *material = PICK (&state, demo_materials);
      const char *feature = PICK (&state, demo_features);
      guint units = cat->min_price + next_random (&state) % (cat->max_price - cat->min_price + 1);
      gint64 minor = (gint64) units * 100 + ((next_random (&state) & 1) ? 99 : 95);
      g_autofree char *id = g_strdup_printf ("A%06u", i + 1);
      g_autofree char *title = g_strdup_printf ("%s %s %s, %s", brand, style, noun, colour);
      g_autofree char *description = g_strdup_printf ("%s %s of %s in %s; %s.",
                                                      style, noun, material, colour, feature);
      SemperAmount price;

      description[0] = g_ascii_toupper (description[0]);
      semper_amount_init (&price, minor, currency, NULL);
      semper_catalog_add (self, id, title, description, cat->name, &price, NULL);
    }
  return self;
}
