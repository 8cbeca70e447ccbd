/* test-uri.c: semper: URIs (core/commerce/semper-uri.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-uri.h"

static void
test_pay (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperUri) uri = NULL;
  g_autofree char *text = NULL;
  SemperUriItem *item;

  uri = semper_uri_parse ("semper://Shop.Example:8443/pay/otto-mail-order/A000001:2/A000002",
                          &error);
  g_assert_no_error (error);
  g_assert_cmpint (uri->action, ==, SEMPER_URI_PAY);
  g_assert_cmpstr (uri->host, ==, "shop.example");
  g_assert_cmpuint (uri->port, ==, 8443);
  g_assert_cmpstr (uri->merchant_url, ==, "http://shop.example:8443");
  g_assert_cmpstr (uri->service, ==, "otto-mail-order");
  g_assert_cmpuint (uri->items->len, ==, 2);
  item = g_ptr_array_index (uri->items, 0);
  g_assert_cmpstr (item->item, ==, "A000001");
  g_assert_cmpuint (item->quantity, ==, 2);
  item = g_ptr_array_index (uri->items, 1);
  g_assert_cmpstr (item->item, ==, "A000002");
  g_assert_cmpuint (item->quantity, ==, 1);
  text = semper_uri_to_string (uri);
  g_assert_cmpstr (text, ==, "semper://shop.example:8443/pay/otto-mail-order/A000001:2/A000002");
}

static void
test_offer_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperUri) uri = NULL;

  uri = semper_uri_parse ("semper://[::1]:8080/offer/fogra-subscription/annual", &error);
  g_assert_no_error (error);
  g_assert_cmpint (uri->action, ==, SEMPER_URI_OFFER);
  g_assert_cmpstr (uri->host, ==, "::1");
  g_assert_cmpstr (uri->merchant_url, ==, "http://[::1]:8080");
}

static void
test_refused (void)
{
  static const char * const bad[] = {
    "",
    "http://127.0.0.1:80/pay/s/i",
    "semper://127.0.0.1/pay/s/i",                 /* no port */
    "semper://127.0.0.1:0/pay/s/i",
    "semper://127.0.0.1:65536/pay/s/i",
    "semper://127.0.0.1:080/pay/s/i",
    "semper://127.0.0.1:80/buy/s/i",
    "semper://127.0.0.1:80/pay/s",                /* no item */
    "semper://127.0.0.1:80/pay/s/",
    "semper://127.0.0.1:80/pay/s/i//j",
    "semper://127.0.0.1:80/pay/S/i",              /* service ids are lower case */
    "semper://127.0.0.1:80/pay/s/i:0",
    "semper://127.0.0.1:80/pay/s/i:01",
    "semper://127.0.0.1:80/pay/s/i:1000001",
    "semper://127.0.0.1:80/pay/s/i/i",            /* twice */
    "semper://127.0.0.1:80/pay/s/i?amount=1",
    "semper://127.0.0.1:80/pay/s/i#x",
    "semper://127.0.0.1:80/pay/s/%41",
    "semper://user@127.0.0.1:80/pay/s/i",
    "semper://127.0.0.1:80/pay/s/i j",
    "semper://127.0.0.1:80/pay/s/caf\xc3\xa9",
    "semper://-bad.example:80/pay/s/i",
    "semper://[zz::1]:80/pay/s/i",
    "semper://127.0.0.1:80/offer/s/i/j",          /* an offer names one item */
    "semper://127.0.0.1:80/offer/s/i:2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperUri) uri = semper_uri_parse (bad[i], &error);

      if (uri != NULL)
        g_error ("accepted: %s", bad[i]);
      g_assert_error (error, SEMPER_URI_ERROR, SEMPER_URI_ERROR_INVALID);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) s = g_string_new ("semper://127.0.0.1:80/pay/s");
  g_autoptr(SemperUri) ok = NULL;
  g_autoptr(SemperUri) too_many = NULL;

  for (guint i = 0; i < SEMPER_URI_MAX_ITEMS; i++)
    g_string_append_printf (s, "/i%u", i);
  ok = semper_uri_parse (s->str, NULL);
  g_assert_nonnull (ok);
  g_assert_cmpuint (ok->items->len, ==, SEMPER_URI_MAX_ITEMS);
  g_string_append (s, "/extra");
  too_many = semper_uri_parse (s->str, NULL);
  g_assert_null (too_many);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/semper/uri/pay", test_pay);
  g_test_add_func ("/semper/uri/offer-ipv6", test_offer_ipv6);
  g_test_add_func ("/semper/uri/refused", test_refused);
  g_test_add_func ("/semper/uri/limits", test_limits);
  return g_test_run ();
}
