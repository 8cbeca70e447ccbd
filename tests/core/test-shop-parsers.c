/* test-shop-parsers.c: the wallet's strict parsers of a merchant's answers
 * (the services list, a catalog page, the catalog export) on good and bad
 * input, and every seed of the shop-client fuzz target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-shop-client-private.h"

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

#define SERVICES(entries) \
  "{\"format\":\"semper-merchant-services\",\"version\":1," \
  "\"ttp\":{\"url\":\"http://127.0.0.1:1\",\"certificate\":\"MIIBAA==\"}," \
  "\"services\":[" entries "]}"

static void
assert_services_refused (const char *json)
{
  g_autoptr(GBytes) body = text (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = _semper_shop_parse_services_list (body, NULL, NULL, &error);

  g_assert_null (entries);
  g_assert_nonnull (error);
}

static void
test_services (void)
{
  g_autoptr(GBytes) body = text (SERVICES ("{\"id\":\"a\",\"description\":\"e30=\","
                                           "\"certification\":\"e30=\"},"
                                           "{\"id\":\"b\",\"description\":\"e30=\"}"));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GPtrArray) entries = _semper_shop_parse_services_list (body, &url, &cert, &error);
  SemperShopServiceEntry *e;

  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1");
  g_assert_cmpuint (g_bytes_get_size (cert), ==, 4);
  g_assert_cmpuint (entries->len, ==, 2);
  e = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (e->id, ==, "a");
  g_assert_cmpmem (g_bytes_get_data (e->description, NULL), 2, "{}", 2);
  g_assert_nonnull (e->certification);
  g_assert_null (((SemperShopServiceEntry *) g_ptr_array_index (entries, 1))->certification);

  /* not JSON, duplicate or unknown members, wrong format or version, bad base64 */
  assert_services_refused ("");
  assert_services_refused ("[]");
  assert_services_refused (SERVICES ("{\"id\":\"a\",\"id\":\"b\",\"description\":\"e30=\"}"));
  assert_services_refused (SERVICES ("{\"id\":\"a\",\"description\":\"e30=\",\"x\":1}"));
  assert_services_refused (SERVICES ("{\"id\":\"a\",\"description\":\"not base64!\"}"));
  assert_services_refused (SERVICES ("{\"id\":\"a\"}"));
  assert_services_refused (SERVICES ("\"a\""));
  assert_services_refused ("{\"format\":\"other\",\"version\":1,\"ttp\":{\"url\":\"u\","
                           "\"certificate\":\"e30=\"},\"services\":[]}");
  assert_services_refused ("{\"format\":\"semper-merchant-services\",\"version\":2,"
                           "\"ttp\":{\"url\":\"u\",\"certificate\":\"e30=\"},\"services\":[]}");
}

#define ARTICLE(id, price) \
  "{\"id\":\"" id "\",\"title\":\"T\",\"description\":\"D\",\"category\":\"C\"," \
  "\"price\":\"" price "\"}"

static void
assert_page_refused (const char *json,
                     guint       offset,
                     guint       limit)
{
  g_autoptr(GBytes) body = text (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperShopPage) page = _semper_shop_parse_catalog_page (body, "EUR", offset, limit,
                                                                    &error);

  g_assert_null (page);
  g_assert_nonnull (error);
}

static void
test_page (void)
{
  g_autoptr(GBytes) body = text ("{\"total\":5,\"offset\":3,\"articles\":["
                                 ARTICLE ("A4", "1.00 EUR") "," ARTICLE ("A5", "2.50 EUR")
                                 "]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperShopPage) page = _semper_shop_parse_catalog_page (body, "EUR", 3, 2, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->total, ==, 5);
  g_assert_cmpuint (page->articles->len, ==, 2);
  g_assert_cmpstr (((SemperArticle *) g_ptr_array_index (page->articles, 1))->id, ==, "A5");
  g_assert_cmpint (((SemperArticle *) g_ptr_array_index (page->articles, 1))->price.minor, ==,
                   250);

  /* the last page is short; past the end is empty */
  assert_page_refused ("{\"total\":5,\"offset\":4,\"articles\":[]}", 4, 2);
  {
    g_autoptr(GBytes) past = text ("{\"total\":5,\"offset\":6,\"articles\":[]}");
    g_autoptr(SemperShopPage) empty = _semper_shop_parse_catalog_page (past, "EUR", 6, 2, NULL);

    g_assert_nonnull (empty);
    g_assert_cmpuint (empty->articles->len, ==, 0);
  }
  /* another offset, fewer or more articles than asked for */
  assert_page_refused ("{\"total\":5,\"offset\":2,\"articles\":[" ARTICLE ("A4", "1.00 EUR") ","
                       ARTICLE ("A5", "1.00 EUR") "]}", 3, 2);
  assert_page_refused ("{\"total\":5,\"offset\":3,\"articles\":[" ARTICLE ("A4", "1.00 EUR")
                       "]}", 3, 2);
  assert_page_refused ("{\"total\":5,\"offset\":0,\"articles\":[" ARTICLE ("A1", "1.00 EUR") ","
                       ARTICLE ("A2", "1.00 EUR") "," ARTICLE ("A3", "1.00 EUR") "]}", 0, 2);
  /* another currency, a malformed price, a two-line title, an unknown member */
  assert_page_refused ("{\"total\":1,\"offset\":0,\"articles\":[" ARTICLE ("A1", "1.00 CHF")
                       "]}", 0, 2);
  assert_page_refused ("{\"total\":1,\"offset\":0,\"articles\":[" ARTICLE ("A1", "1.0 EUR")
                       "]}", 0, 2);
  assert_page_refused ("{\"total\":1,\"offset\":0,\"articles\":[{\"id\":\"A1\",\"title\":"
                       "\"two\\nlines\",\"description\":\"D\",\"category\":\"C\","
                       "\"price\":\"1.00 EUR\"}]}", 0, 2);
  assert_page_refused ("{\"total\":0,\"offset\":0,\"articles\":[],\"more\":true}", 0, 2);
  assert_page_refused ("{\"total\":-1,\"offset\":0,\"articles\":[]}", 0, 2);
  /* a page of 0 or more than 500 is never asked for */
  assert_page_refused ("{\"total\":0,\"offset\":0,\"articles\":[]}", 0, 0);
  assert_page_refused ("{\"total\":0,\"offset\":0,\"articles\":[]}", 0, 501);
}

static void
test_export (void)
{
  g_autoptr(GBytes) good = text ("{\"articles\":[[\"A1\",\"T\",\"D\",\"C\",\"1.00 EUR\"],"
                                 "[\"A2\",\"T\",\"D\",\"C\",\"2.00 EUR\"]]}");
  g_autoptr(SemperCatalog) catalog = _semper_shop_parse_catalog_export (good, NULL);
  static const char * const bad[] = {
    "{\"articles\":[[\"A1\",\"T\",\"D\",\"C\"]]}",
    "{\"articles\":[[\"A1\",\"T\",\"D\",\"C\",1]]}",
    "{\"articles\":[[\"A 1\",\"T\",\"D\",\"C\",\"1.00 EUR\"]]}",
    "{\"articles\":[[\"A1\",\"T\",\"D\",\"C\",\"1.00 EUR\"]],\"x\":0}",
    "{\"articles\":{}}",
  };

  g_assert_nonnull (catalog);
  g_assert_cmpuint (semper_catalog_get_size (catalog), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = text (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperCatalog) refused = _semper_shop_parse_catalog_export (body, &error);

      g_assert_null (refused);
      g_assert_nonnull (error);
    }
}

/* The fuzz target's seeds parse as what they are. */
static void
test_seeds (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "fuzz", "corpus",
                                           "shop-client", NULL);
  static const char * const names[] = { "services", "page", "export" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      body = g_bytes_new (data, len);
      if (i == 0)
        {
          g_autoptr(GPtrArray) entries = _semper_shop_parse_services_list (body, NULL, NULL,
                                                                           &error);

          g_assert_no_error (error);
          g_assert_cmpuint (entries->len, ==, 2);
        }
      else if (i == 1)
        {
          g_autoptr(SemperShopPage) page = _semper_shop_parse_catalog_page (body, "EUR", 0, 2,
                                                                            &error);

          g_assert_no_error (error);
          g_assert_cmpuint (page->total, ==, 6000);
        }
      else
        {
          g_autoptr(SemperCatalog) catalog = _semper_shop_parse_catalog_export (body, &error);

          g_assert_no_error (error);
          g_assert_cmpuint (semper_catalog_get_size (catalog), ==, 2);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/semper/shop-parsers/services", test_services);
  g_test_add_func ("/semper/shop-parsers/page", test_page);
  g_test_add_func ("/semper/shop-parsers/export", test_export);
  g_test_add_func ("/semper/shop-parsers/seeds", test_seeds);
  return g_test_run ();
}
