/* semper-cmd-shop.c: semper shop URL · buy URL ITEM[:QTY]… · pay URI · service sign|certify
 *
 * The wallet's side of commerce (docs/merchant.md): a merchant's certified
 * services and catalog, a purchase through the service's signed flow with
 * the headless consent (--yes), semper: URIs, and the two signatures a
 * service needs before a wallet runs it (the merchant's and an evaluator's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "semper-cli.h"
#include "semper-crypto.h"
#include "semper-headless-consent.h"
#include "semper-money.h"
#include "semper-profile.h"
#include "semper-purchase.h"
#include "semper-service.h"
#include "semper-shop-client.h"
#include "semper-uri.h"

#define PAGE_SIZE 20

static int
status_for (const GError *error)
{
  if (error->domain == SEMPER_SHOP_ERROR
      && (error->code == SEMPER_SHOP_ERROR_REFUSED || error->code == SEMPER_SHOP_ERROR_DECLINED
          || error->code == SEMPER_SHOP_ERROR_EXPIRED || error->code == SEMPER_SHOP_ERROR_BALANCE
          || error->code == SEMPER_SHOP_ERROR_LIMIT
          || error->code == SEMPER_SHOP_ERROR_NO_SYSTEM))
    return EXIT_REFUSED;
  if (error->domain == SEMPER_URI_ERROR)
    return EXIT_USAGE;
  return cli_status_for_error (error);
}

/* A payment that cannot go ahead (issue 8): why, that nothing was paid, and
 * what to do, in one message. Other errors fail as they are. */
static int
purchase_fail (const GError *error)
{
  const char *todo = NULL;
  g_autoptr(GError) told = NULL;

  if (error->domain == SEMPER_SHOP_ERROR)
    switch (error->code)
      {
      case SEMPER_SHOP_ERROR_BALANCE:
        todo = _("Nothing was paid. Withdraw coins (semper withdraw AMOUNT), or pay another way "
                 "(--pay ecash or --pay account).");
        break;
      case SEMPER_SHOP_ERROR_LIMIT:
        todo = _("Nothing was paid. Raise your limit (semper prefs payment --limit "
                 "SYSTEM=AMOUNT), or pay another way (--pay ecash or --pay account).");
        break;
      case SEMPER_SHOP_ERROR_NO_SYSTEM:
        todo = _("Nothing was paid. Set up a payment system this merchant accepts (semper bank "
                 "link for account payments, semper withdraw for e-cash), or pay another way.");
        break;
      case SEMPER_SHOP_ERROR_EXPIRED:
        todo = _("Nothing was paid or signed. Run the same command again for a new offer.");
        break;
      default:
        break;
      }
  if (todo == NULL)
    return cli_fail (error, status_for (error));
  told = g_error_new (error->domain, error->code, "%s. %s", error->message, todo);
  return cli_fail (told, status_for (error));
}

static SemperProfile *
open_profile (GError **error)
{
  g_autofree char *dir = cli_profile_dir ();

  return semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, cli_password_cb, NULL, error);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static char *
safe (const char *text)
{
  return semper_headless_escape (text, -1);
}

/* ---- semper shop ----------------------------------------------------------------- */

static void
json_service (JsonBuilder       *b,
              SemperShopListing *l)
{
  SemperService *s = l->service;

  json_builder_begin_object (b);
  add_string (b, "id", l->id);
  json_builder_set_member_name (b, "verified");
  json_builder_add_boolean_value (b, s != NULL);
  if (s == NULL)
    {
      add_string (b, "refusal", l->refusal->message);
      json_builder_end_object (b);
      return;
    }
  add_string (b, "title", semper_service_get_title (s));
  add_string (b, "merchant", semper_service_get_merchant (s));
  add_string (b, "evaluator", semper_service_get_evaluator_signer (s)->common_name);
  {
    g_autofree char *until = g_date_time_format_iso8601 (semper_service_get_certified_until (s));

    add_string (b, "certified_until", until);
  }
  add_string (b, "currency", semper_service_get_currency (s));
  json_builder_set_member_name (b, "terms");
  json_builder_begin_array (b);
  for (const char * const *t = semper_service_get_terms (s); *t; t++)
    json_builder_add_string_value (b, *t);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "payment_systems");
  json_builder_begin_array (b);
  for (const char * const *t = semper_service_get_payment_systems (s); *t; t++)
    json_builder_add_string_value (b, *t);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "offers");
  json_builder_begin_array (b);
  for (guint i = 0; i < semper_service_get_n_offers (s); i++)
    {
      const SemperServiceOffer *o = semper_service_get_offer (s, i);
      g_autofree char *price = semper_amount_format (&o->price);

      json_builder_begin_object (b);
      add_string (b, "id", o->id);
      add_string (b, "title", o->title);
      add_string (b, "kind", o->kind);
      add_string (b, "price", price);
      if (o->validity_days > 0)
        {
          json_builder_set_member_name (b, "validity_days");
          json_builder_add_int_value (b, o->validity_days);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "catalog_articles");
  json_builder_add_int_value (b, semper_service_get_catalog_size (s));
  json_builder_end_object (b);
}

static void
print_service (SemperShopListing *l)
{
  SemperService *s = l->service;
  g_autofree char *id = safe (l->id);

  if (s == NULL)
    {
      g_autofree char *why = safe (l->refusal->message);

      g_print (_("✗ %s — REFUSED: %s\n\n"), id, why);
      return;
    }
  {
    g_autofree char *title = safe (semper_service_get_title (s));
    g_autofree char *merchant = safe (semper_service_get_merchant (s));
    g_autofree char *evaluator = safe (semper_service_get_evaluator_signer (s)->common_name);
    g_autofree char *until = g_date_time_format (semper_service_get_certified_until (s),
                                                 "%Y-%m-%d");
    g_autofree char *systems = g_strjoinv (", ",
                                           (char **) semper_service_get_payment_systems (s));

    g_print (_("✓ %s — %s\n  by %s, certified by %s until %s\n  pays with: %s\n"), id, title,
             merchant, evaluator, until, systems);
  }
  g_print ("%s", _("  Terms:\n"));
  for (const char * const *t = semper_service_get_terms (s); *t; t++)
    {
      g_autofree char *term = safe (*t);

      g_print ("    - %s\n", term);
    }
  for (guint i = 0; i < semper_service_get_n_offers (s); i++)
    {
      const SemperServiceOffer *o = semper_service_get_offer (s, i);
      g_autofree char *price = semper_amount_format (&o->price);
      g_autofree char *title = safe (o->title);

      g_print ("  %-20s %12s  %s (%s)\n", o->id, price, title, o->kind);
    }
  if (semper_service_get_catalog_size (s) > 0)
    g_print (_("  Catalog: %u articles (semper shop URL --service %s --search WORDS)\n"),
             semper_service_get_catalog_size (s), semper_service_get_id (s));
  g_print ("\n");
}

static void
json_page (JsonBuilder    *b,
           const char     *service,
           SemperShopPage *page)
{
  json_builder_begin_object (b);
  add_string (b, "service", service);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, page->total);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, page->offset);
  json_builder_set_member_name (b, "articles");
  json_builder_begin_array (b);
  for (guint i = 0; i < page->articles->len; i++)
    {
      SemperArticle *a = g_ptr_array_index (page->articles, i);
      g_autofree char *price = semper_amount_format (&a->price);

      json_builder_begin_object (b);
      add_string (b, "id", a->id);
      add_string (b, "title", a->title);
      add_string (b, "description", a->description);
      add_string (b, "category", a->category);
      add_string (b, "price", price);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
print_page (SemperShopPage *page,
            guint           page_number)
{
  guint pages = (page->total + PAGE_SIZE - 1) / PAGE_SIZE;

  g_print (_("Articles %u–%u of %u (page %u of %u):\n"),
           page->articles->len > 0 ? page->offset + 1 : 0,
           page->offset + page->articles->len, page->total, page_number, MAX (pages, 1));
  for (guint i = 0; i < page->articles->len; i++)
    {
      SemperArticle *a = g_ptr_array_index (page->articles, i);
      g_autofree char *price = semper_amount_format (&a->price);
      g_autofree char *title = safe (a->title);

      g_print ("  %-8s %12s  %s\n", a->id, price, title);
    }
}

static int
read_member_item (SemperShopClient *client,
                  GPtrArray        *listings,
                  const char       *service,
                  const char       *item,
                  const char       *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *hash = NULL;
  gsize len = 0;
  const char *data;

  /* Without --service: the verified service that sells subscriptions. */
  for (guint i = 0; service == NULL && i < listings->len; i++)
    {
      SemperShopListing *l = g_ptr_array_index (listings, i);

      for (guint k = 0; l->service != NULL && k < semper_service_get_n_offers (l->service); k++)
        if (g_str_equal (semper_service_get_offer (l->service, k)->kind, "subscription"))
          service = l->id;
    }
  if (service == NULL)
    {
      g_printerr ("%s", _("semper: no verified service of this merchant has subscriptions\n"));
      return EXIT_ERROR;
    }
  content = semper_shop_client_read_member_item (client, service, item, NULL, &error);
  if (content == NULL)
    return cli_fail (error, status_for (error));
  data = g_bytes_get_data (content, &len);
  if (out != NULL && !g_file_set_contents_full (out, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                                0600, &error))
    return cli_fail (error, EXIT_ERROR);
  hash = semper_sha256_hex (content);
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "service", service);
      add_string (b, "item", item);
      add_string (b, "sha256", hash);
      if (g_utf8_validate (data, (gssize) len, NULL) && memchr (data, '\0', len) == NULL)
        {
          g_autofree char *text = g_strndup (data, len);

          add_string (b, "content", text);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (out != NULL)
    g_print (_("Wrote the member item %s (%zu bytes) to %s\n"), item, len, out);
  else if (g_utf8_validate (data, (gssize) len, NULL))
    {
      g_autofree char *text = g_strndup (data, len);
      g_autofree char *shown = safe (text);

      g_print ("%s\n", shown);
    }
  else
    g_print (_("The member item %s is binary (%zu bytes): use --out FILE\n"),
             item, len);
  return EXIT_OK;
}

int
cmd_shop (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("URL — a merchant's certified services and catalog"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperShopClient) client = NULL;
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(SemperShopPage) page = NULL;
  g_autofree char *search = NULL;
  g_autofree char *service = NULL;
  g_autofree char *category = NULL;
  g_autofree char *member_item = NULL;
  g_autofree char *out = NULL;
  int page_number = 0;
  guint verified = 0;
  GOptionEntry entries[] = {
    { "search", 's', 0, G_OPTION_ARG_STRING, &search, N_("Search the catalog for WORDS"),
      N_("WORDS") },
    { "page", 'p', 0, G_OPTION_ARG_INT, &page_number, N_("Show page N of the catalog"),
      N_("N") },
    { "service", 0, 0, G_OPTION_ARG_STRING, &service, N_("The service whose catalog to show"),
      N_("ID") },
    { "category", 0, 0, G_OPTION_ARG_STRING, &category, N_("Only articles of CATEGORY"),
      N_("CATEGORY") },
    { "member-item", 0, 0, G_OPTION_ARG_STRING, &member_item,
      N_("Read the member-only ITEM with the wallet's subscription"), N_("ITEM") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("With --member-item: write it to FILE"),
      N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("shop takes one merchant URL")))
    return EXIT_USAGE;
  if (page_number < 0 || page_number > 1000000)
    return cli_usage (context, _("--page must be 1 or more"));

  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  client = semper_shop_client_new (profile, argv[1], &error);
  if (client == NULL)
    return cli_fail (error, EXIT_ERROR);
  listings = semper_shop_client_list_services (client, NULL, &error);
  if (listings == NULL)
    return cli_fail (error, status_for (error));
  if (member_item != NULL)
    return read_member_item (client, listings, service, member_item, out);

  /* The catalog: of --service, or of the only verified service that has one. */
  if (service == NULL)
    for (guint i = 0; i < listings->len; i++)
      {
        SemperShopListing *l = g_ptr_array_index (listings, i);

        if (l->service != NULL && semper_service_get_catalog_size (l->service) > 0)
          {
            g_free (service);
            service = g_strdup (l->id);
          }
      }
  if (service != NULL && (search != NULL || page_number > 0 || category != NULL))
    {
      guint n = page_number > 0 ? (guint) page_number : 1;

      page = semper_shop_client_search (client, service, search, category, (n - 1) * PAGE_SIZE,
                                        PAGE_SIZE, NULL, &error);
      if (page == NULL)
        return cli_fail (error, status_for (error));
    }
  else if (search != NULL || page_number > 0)
    return cli_usage (context, _("None of the merchant's verified services has a catalog"));

  for (guint i = 0; i < listings->len; i++)
    if (((SemperShopListing *) g_ptr_array_index (listings, i))->service != NULL)
      verified++;

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < listings->len; i++)
        json_service (b, g_ptr_array_index (listings, i));
      json_builder_end_array (b);
      if (page != NULL)
        {
          json_builder_set_member_name (b, "catalog");
          json_page (b, service, page);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      for (guint i = 0; i < listings->len; i++)
        print_service (g_ptr_array_index (listings, i));
      if (page != NULL)
        print_page (page, page_number > 0 ? (guint) page_number : 1);
    }
  return listings->len > 0 && verified == 0 ? EXIT_REFUSED : EXIT_OK;
}

/* ---- semper buy / pay -------------------------------------------------------------- */

static gboolean
parse_item_arg (const char *arg,
                char      **out_item,
                guint      *out_quantity)
{
  const char *colon = strrchr (arg, ':');
  guint64 q = 1;

  if (colon != NULL)
    {
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 1000000, &q, NULL))
        return FALSE;
      *out_item = g_strndup (arg, (gsize) (colon - arg));
    }
  else
    *out_item = g_strdup (arg);
  *out_quantity = (guint) q;
  return **out_item != '\0';
}

/* NAME=VALUE, with "\n" in VALUE meaning a new line (address fields). */
static gboolean
parse_answer (const char *arg,
              char      **out_name,
              char      **out_value)
{
  const char *eq = strchr (arg, '=');
  g_autoptr(GString) value = NULL;

  if (eq == NULL || eq == arg)
    return FALSE;
  value = g_string_new (NULL);
  for (const char *p = eq + 1; *p; p++)
    {
      if (p[0] == '\\' && p[1] == 'n')
        {
          g_string_append_c (value, '\n');
          p++;
        }
      else
        g_string_append_c (value, *p);
    }
  *out_name = g_strndup (arg, (gsize) (eq - arg));
  *out_value = g_string_free (g_steal_pointer (&value), FALSE);
  return TRUE;
}

/* The service to buy from: --service, or the verified one that sells the first item. */
static char *
pick_service (SemperShopClient *client,
              const char       *first_item,
              GError          **error)
{
  g_autoptr(GPtrArray) listings = semper_shop_client_list_services (client, NULL, error);
  const char *with_catalog = NULL;
  guint verified = 0;

  if (listings == NULL)
    return NULL;
  for (guint i = 0; i < listings->len; i++)
    {
      SemperShopListing *l = g_ptr_array_index (listings, i);

      if (l->service == NULL)
        continue;
      verified++;
      if (semper_service_find_offer (l->service, first_item) != NULL)
        return g_strdup (l->id);
      if (semper_service_get_catalog_size (l->service) > 0)
        with_catalog = l->id;
    }
  if (with_catalog != NULL)
    return g_strdup (with_catalog);
  for (guint i = 0; i < listings->len; i++)
    {
      SemperShopListing *l = g_ptr_array_index (listings, i);

      /* Say why, when the only candidate is refused. */
      if (l->service == NULL && verified == 0)
        {
          g_propagate_error (error, g_error_copy (l->refusal));
          return NULL;
        }
    }
  g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
               _("No verified service of this merchant sells “%s”"), first_item);
  return NULL;
}

/* The second consent of an account payment: the same headless port as the order's. */
static SemperConsent *
consent_cb (SemperPurchase  *purchase,
            GBytes          *document,
            const char      *purpose,
            gpointer         user_data,
            GError         **error)
{
  return semper_headless_consent_request (SEMPER_HEADLESS_CONSENT (user_data), document, purpose,
                                          error);
}

#ifdef SEMPER_TEST_HOOKS
/* SEMPER_TEST_CRASH_AFTER=<fx state>: SIGKILL right after the purchase's fair
 * exchange journaled that state (the test of `semper resume`; compiled only
 * with -Dtest_hooks=true, read by the CLI only). */
static void
purchase_crash_after_cb (SemperFxBuyer *buyer,
                         const char    *id,
                         const char    *state,
                         gpointer       user_data)
{
  const char *point = g_getenv ("SEMPER_TEST_CRASH_AFTER");

  if (point != NULL && g_str_equal (point, state))
    raise (SIGKILL);
}
#endif

static int
run_purchase (const char        *url,
              const char        *service_id,
              GPtrArray         *items,        /* SemperUriItem */
              char             **answers,
              const char        *pay,
              gboolean           yes,
              gboolean           accept_warnings,
              const char        *goods_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperShopClient) client = NULL;
  g_autoptr(SemperPurchase) purchase = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GBytes) goods = NULL;
  g_autofree char *service = NULL;
  g_autofree char *total = NULL;
  SemperHeadlessMode mode;
  gint64 receipt = 0;

  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  client = semper_shop_client_new (profile, url, &error);
  if (client == NULL)
    return cli_fail (error, EXIT_ERROR);
  service = service_id != NULL
    ? g_strdup (service_id)
    : pick_service (client, ((SemperUriItem *) g_ptr_array_index (items, 0))->item, &error);
  if (service == NULL)
    return cli_fail (error, status_for (error));
  purchase = semper_purchase_new (client, service, NULL, &error);
  if (purchase == NULL)
    return cli_fail (error, status_for (error));
  for (guint i = 0; i < items->len; i++)
    {
      SemperUriItem *it = g_ptr_array_index (items, i);

      if (!semper_purchase_add_item (purchase, it->item, it->quantity, &error))
        return cli_fail (error, EXIT_USAGE);
    }
  for (guint i = 0; answers != NULL && answers[i] != NULL; i++)
    {
      g_autofree char *name = NULL, *value = NULL;

      if (!parse_answer (answers[i], &name, &value))
        {
          g_printerr (_("semper: --answer takes NAME=VALUE, not “%s”\n"), answers[i]);
          return EXIT_USAGE;
        }
      semper_purchase_set_answer (purchase, name, value);
    }
  if (pay != NULL && !g_str_equal (pay, "auto"))
    semper_purchase_set_payment_system (purchase, pay);

  document = semper_purchase_prepare (purchase, NULL, &error);
  if (document == NULL && error != NULL)
    return purchase_fail (error);

  if (document != NULL)
    {
      if (yes)
        mode = accept_warnings ? SEMPER_HEADLESS_YES_ACCEPT_WARNINGS : SEMPER_HEADLESS_YES;
      else if (isatty (STDIN_FILENO) && !cli.json)
        mode = SEMPER_HEADLESS_ASK_TERMINAL;
      else
        mode = SEMPER_HEADLESS_NEVER;
      port = semper_headless_consent_new (cli.json ? stderr : stdout, mode);
      semper_headless_consent_set_archive (port, semper_profile_get_archive (profile));
      consent = semper_headless_consent_request (port, document, _("order"), &error);
      if (consent == NULL)
        return cli_fail (error, cli_status_for_error (error));
      semper_purchase_set_consent_func (purchase, consent_cb, g_object_ref (port),
                                        g_object_unref);
#ifdef SEMPER_TEST_HOOKS
      if (semper_purchase_get_fx_buyer (purchase) != NULL)
        g_signal_connect (semper_purchase_get_fx_buyer (purchase), "journaled",
                          G_CALLBACK (purchase_crash_after_cb), NULL);
#endif
      receipt = semper_purchase_complete (purchase, consent, NULL, &error);
      if (receipt == 0)
        return purchase_fail (error);
    }

  goods = semper_purchase_dup_goods (purchase);
  if (goods != NULL && goods_out != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (goods, &len);

      if (!g_file_set_contents_full (goods_out, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                     0600, &error))
        return cli_fail (error, EXIT_ERROR);
    }
  if (semper_purchase_get_total (purchase) != NULL)
    total = semper_amount_format (semper_purchase_get_total (purchase));

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "service", service);
      add_string (b, "state", semper_purchase_state_to_string (
                                semper_purchase_get_state (purchase)));
      json_builder_set_member_name (b, "receipt");
      json_builder_add_int_value (b, receipt);
      add_string (b, "exchange", semper_purchase_get_exchange_id (purchase));
      add_string (b, "total", total);
      add_string (b, "payment_system", semper_purchase_get_payment_system (purchase));
      if (goods != NULL)
        {
          g_autofree char *hash = semper_sha256_hex (goods);

          add_string (b, "goods_sha256", hash);
          json_builder_set_member_name (b, "goods_size");
          json_builder_add_int_value (b, (gint64) g_bytes_get_size (goods));
        }
      if (document != NULL)
        {
          g_autofree char *text = g_strndup (g_bytes_get_data (document, NULL),
                                             g_bytes_get_size (document));

          add_string (b, "document", text);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (receipt == 0)
    g_print (_("Registered with %s; the membership credential is in the archive.\n"), service);
  else
    {
      g_print (_("Bought from %s for %s, paid with %s.\n"), service, total,
               semper_purchase_get_payment_system (purchase));
      g_print (_("Receipt %" PRId64 " is archived (semper receipt show %" PRId64 ").\n"),
               receipt, receipt);
      if (goods != NULL && goods_out != NULL)
        g_print (_("Goods written to %s.\n"), goods_out);
    }
  return EXIT_OK;
}

static void
uri_item_free (gpointer data)
{
  SemperUriItem *it = data;

  g_free (it->item);
  g_free (it);
}

int
cmd_buy (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("URL ITEM[:QTY]… — buy from a merchant's certified service"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (uri_item_free);
  g_autofree char *service = NULL;
  g_autofree char *pay = NULL;
  g_autofree char *goods_out = NULL;
  g_auto(GStrv) answers = NULL;
  gboolean yes = FALSE, accept_warnings = FALSE;
  GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &service, N_("Buy from service ID"), N_("ID") },
    { "pay", 0, 0, G_OPTION_ARG_STRING, &pay, N_("Payment system: auto, ecash or account"),
      N_("SYSTEM") },
    { "answer", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &answers,
      N_("Answer the order form's field NAME (\\n starts a new line)"), N_("NAME=VALUE") },
    { "goods-out", 0, 0, G_OPTION_ARG_FILENAME, &goods_out, N_("Write the goods to FILE"),
      N_("FILE") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the order printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes: sign although the checker warned (never when it refuses)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc < 3)
    return cli_usage (context, _("buy takes a merchant URL and at least one ITEM"));
  if (pay != NULL && !g_str_equal (pay, "auto") && !g_str_equal (pay, "ecash")
      && !g_str_equal (pay, "account"))
    return cli_usage (context, _("--pay is auto, ecash or account"));
  if (accept_warnings && !yes)
    return cli_usage (context, _("--accept-warnings goes with --yes"));
  for (int i = 2; i < argc; i++)
    {
      SemperUriItem *it = g_new0 (SemperUriItem, 1);

      g_ptr_array_add (items, it);
      if (!parse_item_arg (argv[i], &it->item, &it->quantity))
        return cli_usage (context, _("An ITEM is ID or ID:QUANTITY (1 to 1000000)"));
    }
  return run_purchase (argv[1], service, items, answers, pay, yes, accept_warnings, goods_out);
}

int
cmd_pay (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("URI — complete a semper: payment URI"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperUri) uri = NULL;
  g_autofree char *pay = NULL;
  g_autofree char *goods_out = NULL;
  g_auto(GStrv) answers = NULL;
  gboolean yes = FALSE, accept_warnings = FALSE;
  GOptionEntry entries[] = {
    { "pay", 0, 0, G_OPTION_ARG_STRING, &pay, N_("Payment system: auto, ecash or account"),
      N_("SYSTEM") },
    { "answer", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &answers,
      N_("Answer the order form's field NAME (\\n starts a new line)"), N_("NAME=VALUE") },
    { "goods-out", 0, 0, G_OPTION_ARG_FILENAME, &goods_out, N_("Write the goods to FILE"),
      N_("FILE") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the order printed (headless)"), NULL },
    { "accept-warnings", 0, 0, G_OPTION_ARG_NONE, &accept_warnings,
      N_("With --yes: sign although the checker warned (never when it refuses)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("pay takes one semper: URI")))
    return EXIT_USAGE;
  if (accept_warnings && !yes)
    return cli_usage (context, _("--accept-warnings goes with --yes"));
  uri = semper_uri_parse (argv[1], &error);
  if (uri == NULL)
    return cli_fail (error, EXIT_USAGE);
  if (uri->action == SEMPER_URI_OFFER)
    {
      /* An offer link shows the item; `semper pay` on a …/pay/… link buys it. */
      g_autoptr(SemperProfile) profile = open_profile (&error);
      g_autoptr(SemperShopClient) client = NULL;
      g_autoptr(SemperService) service = NULL;
      SemperUriItem *it = g_ptr_array_index (uri->items, 0);
      const SemperServiceOffer *offer;

      if (profile == NULL)
        return cli_fail (error, EXIT_ERROR);
      client = semper_shop_client_new (profile, uri->merchant_url, &error);
      if (client == NULL)
        return cli_fail (error, EXIT_ERROR);
      service = semper_shop_client_dup_service (client, uri->service, NULL, &error);
      if (service == NULL)
        return cli_fail (error, status_for (error));
      offer = semper_service_find_offer (service, it->item);
      if (cli.json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          add_string (b, "merchant", uri->merchant_url);
          add_string (b, "service", uri->service);
          add_string (b, "item", it->item);
          if (offer != NULL)
            {
              g_autofree char *price = semper_amount_format (&offer->price);

              add_string (b, "title", offer->title);
              add_string (b, "price", price);
            }
          json_builder_end_object (b);
          cli_print_json (b);
        }
      else
        {
          g_autofree char *title = safe (offer != NULL ? offer->title : it->item);
          g_autofree char *price = offer != NULL ? semper_amount_format (&offer->price) : NULL;

          g_print (_("%s offers %s%s%s. Buy it with: semper buy %s %s --service %s\n"),
                   semper_service_get_merchant (service), title, price != NULL ? " for " : "",
                   price != NULL ? price : "", uri->merchant_url, it->item, uri->service);
        }
      return EXIT_OK;
    }
  return run_purchase (uri->merchant_url, uri->service, uri->items, answers, pay, yes,
                       accept_warnings, goods_out);
}

/* ---- semper service sign | certify ------------------------------------------------ */

static int
write_out (const char *out,
           GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents_full (out, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return cli_fail (error, EXIT_ERROR);
  return EXIT_OK;
}

static int
service_sign (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("DESCRIPTION.json --out D.p7m — sign a service as its merchant"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(SemperService) service = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(GBytes) signed_description = NULL;
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the signed description to OUT"),
      N_("OUT") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc != 2 || out == NULL)
    return cli_usage (context, _("service sign takes DESCRIPTION.json and --out OUT"));
  json = cli_read_file (argv[1], &error);
  if (json == NULL)
    return cli_fail (error, EXIT_ERROR);
  service = semper_service_parse (json, &error);
  if (service == NULL)
    return cli_fail (error, EXIT_ERROR);
  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  signed_description = semper_service_sign (service, semper_profile_get_crypto (profile),
                                            &error);
  if (signed_description == NULL)
    return cli_fail (error, EXIT_ERROR);
  if (write_out (out, signed_description) != EXIT_OK)
    return EXIT_ERROR;
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "service", semper_service_get_id (service));
      add_string (b, "out", out);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Signed the service %s: %s\n"), semper_service_get_id (service), out);
  return EXIT_OK;
}

static int
service_certify (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("D.p7m --out C.p7m — certify a signed service as an evaluator"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signed_description = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(GBytes) certification = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *out = NULL;
  int days = 365;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the certification to OUT"),
      N_("OUT") },
    { "days", 0, 0, G_OPTION_ARG_INT, &days, N_("Valid for DAYS (default 365)"), N_("DAYS") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc != 2 || out == NULL)
    return cli_usage (context, _("service certify takes D.p7m and --out OUT"));
  if (days < 1 || days > 3660)
    return cli_usage (context, _("--days must be 1 to 3660"));
  signed_description = cli_read_file (argv[1], &error);
  if (signed_description == NULL)
    return cli_fail (error, EXIT_ERROR);
  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  trust = semper_profile_dup_trust (profile, &error);
  if (trust == NULL)
    return cli_fail (error, EXIT_ERROR);
  not_before = g_date_time_add_minutes (now, -10);
  not_after = g_date_time_add_days (now, days);
  certification = semper_service_certify (semper_profile_get_crypto (profile), trust,
                                          signed_description, not_before, not_after, &error);
  if (certification == NULL)
    return cli_fail (error, EXIT_REFUSED);
  if (write_out (out, certification) != EXIT_OK)
    return EXIT_ERROR;
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "out", out);
      json_builder_set_member_name (b, "days");
      json_builder_add_int_value (b, days);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Certified for %d days: %s\n"), days, out);
  return EXIT_OK;
}

int
cmd_service (int    argc,
             char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "sign"))
    return service_sign (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "certify"))
    return service_certify (argc - 1, argv + 1);

  g_printerr ("%s", _("usage: semper service sign DESCRIPTION.json --out D.p7m\n"
                      "       semper service certify D.p7m --out C.p7m [--days N]\n"));
  return EXIT_USAGE;
}

/* ---- semper delivery URL RECEIPT ------------------------------------------------------ */

int
cmd_delivery (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("URL RECEIPT — sign that a mail order arrived"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProfile) profile = NULL;
  g_autoptr(SemperShopClient) client = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  gboolean yes = FALSE;
  guint64 receipt = 0;
  SemperHeadlessMode mode;
  GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Consent to sign the delivery receipt printed (headless)"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file,
      N_("Read the profile password from FILE"), N_("FILE") },
    { NULL }
  };

  if (!cli_parse_options (context, entries, &argc, &argv, -1, NULL))
    return EXIT_USAGE;
  if (argc != 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &receipt, NULL))
    return cli_usage (context, _("delivery takes the merchant's URL and a receipt id"));

  profile = open_profile (&error);
  if (profile == NULL)
    return cli_fail (error, EXIT_ERROR);
  client = semper_shop_client_new (profile, argv[1], &error);
  if (client == NULL)
    return cli_fail (error, EXIT_ERROR);
  document = semper_shop_client_prepare_delivery_receipt (client, (gint64) receipt, &error);
  if (document == NULL)
    return cli_fail (error, status_for (error));
  if (yes)
    mode = SEMPER_HEADLESS_YES;
  else if (isatty (STDIN_FILENO) && !cli.json)
    mode = SEMPER_HEADLESS_ASK_TERMINAL;
  else
    mode = SEMPER_HEADLESS_NEVER;
  port = semper_headless_consent_new (cli.json ? stderr : stdout, mode);
  semper_headless_consent_set_archive (port, semper_profile_get_archive (profile));
  consent = semper_headless_consent_request (port, document, _("delivery receipt"), &error);
  if (consent == NULL)
    return cli_fail (error, cli_status_for_error (error));
  if (!semper_shop_client_send_delivery_receipt (client, (gint64) receipt, document, consent,
                                                 NULL, &error))
    return cli_fail (error, status_for (error));
  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "receipt");
      json_builder_add_int_value (b, (gint64) receipt);
      add_string (b, "state", "delivered");
      {
        g_autofree char *text = g_strndup (g_bytes_get_data (document, NULL),
                                           g_bytes_get_size (document));

        add_string (b, "document", text);
      }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    g_print (_("Receipt %" PRIu64 ": delivery confirmed to the merchant.\n"), receipt);
  return EXIT_OK;
}
