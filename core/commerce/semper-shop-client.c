/* semper-shop-client.c: the wallet's view of one merchant (docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-shop-client.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-flow-cursor.h"
#include "semper-commerce-private.h"
#include "semper-money.h"
#include "semper-shop-client-private.h"
#include "semper-shop-private.h"

G_DEFINE_QUARK (semper-shop-error-quark, semper_shop_error)

#define MAX_SERVICES      64
#define MAX_CATALOG_BODY  (16 * 1024 * 1024)

struct _SemperShopClient {
  GObject           parent_instance;

  SemperProfile    *profile;
  SemperTrust      *trust;
  char             *url;
  SemperCommClient *http;
  GPtrArray        *listings;     /* (nullable) SemperShopListing, after the first list */
  GHashTable       *raw;          /* service id -> GBytes[2] (description, certification) */
  char             *ttp_url;
  GBytes           *ttp_cert;
  GHashTable       *catalogs;     /* service id -> SemperCatalog, verified against the digest */
  GMutex            lock;
};

G_DEFINE_FINAL_TYPE (SemperShopClient, semper_shop_client, G_TYPE_OBJECT)

void
semper_shop_listing_free (SemperShopListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->id);
  g_clear_object (&listing->service);
  g_clear_error (&listing->refusal);
  g_free (listing);
}

SemperArticle *
semper_article_copy (const SemperArticle *article)
{
  SemperArticle *copy = g_new0 (SemperArticle, 1);

  copy->id = g_strdup (article->id);
  copy->title = g_strdup (article->title);
  copy->description = g_strdup (article->description);
  copy->category = g_strdup (article->category);
  copy->price = article->price;
  return copy;
}

void
semper_article_free (SemperArticle *article)
{
  if (article == NULL)
    return;
  g_free (article->id);
  g_free (article->title);
  g_free (article->description);
  g_free (article->category);
  g_free (article);
}

void
semper_shop_page_free (SemperShopPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->articles, g_ptr_array_unref);
  g_free (page);
}

static void
raw_pair_free (gpointer data)
{
  GBytes **pair = data;

  g_clear_pointer (&pair[0], g_bytes_unref);
  g_clear_pointer (&pair[1], g_bytes_unref);
  g_free (pair);
}

static void
semper_shop_client_dispose (GObject *object)
{
  SemperShopClient *self = SEMPER_SHOP_CLIENT (object);

  g_clear_object (&self->http);
  g_clear_object (&self->trust);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (semper_shop_client_parent_class)->dispose (object);
}

static void
semper_shop_client_finalize (GObject *object)
{
  SemperShopClient *self = SEMPER_SHOP_CLIENT (object);

  g_free (self->url);
  g_clear_pointer (&self->listings, g_ptr_array_unref);
  g_clear_pointer (&self->raw, g_hash_table_unref);
  g_free (self->ttp_url);
  g_clear_pointer (&self->ttp_cert, g_bytes_unref);
  g_clear_pointer (&self->catalogs, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (semper_shop_client_parent_class)->finalize (object);
}

static void
semper_shop_client_class_init (SemperShopClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_shop_client_dispose;
  object_class->finalize = semper_shop_client_finalize;
}

static void
semper_shop_client_init (SemperShopClient *self)
{
  g_mutex_init (&self->lock);
  self->raw = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, raw_pair_free);
  self->catalogs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

SemperShopClient *
semper_shop_client_new (SemperProfile *profile,
                        const char    *merchant_url,
                        GError       **error)
{
  g_autoptr(SemperShopClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  gsize len;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (merchant_url != NULL, NULL);

  uri = g_uri_parse (merchant_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_host (uri) == NULL || g_uri_get_query (uri) != NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("“%s” is not a merchant's http:// address"), merchant_url);
      return NULL;
    }
  self = g_object_new (SEMPER_TYPE_SHOP_CLIENT, NULL);
  self->profile = g_object_ref (profile);
  self->trust = semper_profile_dup_trust (profile, error);
  if (self->trust == NULL)
    return NULL;
  self->url = g_strdup (merchant_url);
  len = strlen (self->url);
  while (len > 0 && self->url[len - 1] == '/')
    self->url[--len] = '\0';
  self->http = semper_comm_client_new ();
  return g_steal_pointer (&self);
}

SemperProfile *
semper_shop_client_get_profile (SemperShopClient *self)
{
  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);
  return self->profile;
}

const char *
semper_shop_client_get_url (SemperShopClient *self)
{
  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);
  return self->url;
}

void
semper_shop_client_set_timeout (SemperShopClient *self,
                                guint             seconds)
{
  g_return_if_fail (SEMPER_IS_SHOP_CLIENT (self));
  semper_comm_client_set_timeout (self->http, seconds);
}

SemperTrust *
_semper_shop_client_get_trust (SemperShopClient *self)
{
  return self->trust;
}

SemperCommClient *
_semper_shop_client_get_http (SemperShopClient *self)
{
  return self->http;
}

static gboolean
bad_answer (GError    **error,
            const char *what)
{
  g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_BAD_ANSWER,
               _("The merchant's answer is malformed: %s"), what);
  return FALSE;
}

/* Makes a GError from the merchant's error answer, or passes @error on. */
void
_semper_shop_client_http_error (GError **error)
{
  if (*error != NULL && g_error_matches (*error, SEMPER_COMM_ERROR,
                                         SEMPER_COMM_ERROR_HTTP_STATUS))
    {
      const char *code = semper_comm_error_get_code (*error);
      int shop_code = SEMPER_SHOP_ERROR_FAILED;
      g_autofree char *message = g_strdup ((*error)->message);

      if (g_strcmp0 (code, "not-found") == 0)
        shop_code = SEMPER_SHOP_ERROR_NOT_FOUND;
      else if (g_strcmp0 (code, "not-allowed") == 0 || g_strcmp0 (code, "expired") == 0)
        shop_code = SEMPER_SHOP_ERROR_REFUSED;
      g_clear_error (error);
      g_set_error (error, SEMPER_SHOP_ERROR, shop_code, _("The merchant refused: %s"), message);
    }
}

GBytes *
_semper_shop_client_get (SemperShopClient *self,
                         const char       *path,
                         gsize             max_body,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autofree char *url = g_strconcat (self->url, path, NULL);
  g_autofree char *type = NULL;
  g_autoptr(SemperCommClient) large = NULL;
  SemperCommClient *http = self->http;
  GBytes *body;

  /* The shared client keeps comm's default limit (calls may come from several
   * threads); a larger answer (the whole catalog) gets a client of its own. */
  if (max_body != SEMPER_COMM_DEFAULT_MAX_BODY)
    {
      large = semper_comm_client_new ();
      semper_comm_client_set_timeout (large, semper_comm_client_get_timeout (self->http));
      semper_comm_client_set_max_body (large, max_body);
      http = large;
    }
  body = semper_comm_client_get_sync (http, url, &type, cancellable, error);
  if (body == NULL)
    {
      _semper_shop_client_http_error (error);
      return NULL;
    }
  if (g_strcmp0 (type, SEMPER_COMM_CONTENT_TYPE_JSON) != 0)
    {
      g_bytes_unref (body);
      bad_answer (error, _("not JSON"));
      return NULL;
    }
  return body;
}

GBytes *
_semper_shop_client_post (SemperShopClient *self,
                          const char       *path,
                          const char       *content_type,
                          GBytes           *body,
                          const char       *answer_type,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_autofree char *url = g_strconcat (self->url, path, NULL);
  g_autofree char *type = NULL;
  GBytes *answer;

  answer = semper_comm_client_post_sync (self->http, url, content_type, body, &type,
                                         cancellable, error);
  if (answer == NULL)
    {
      _semper_shop_client_http_error (error);
      return NULL;
    }
  if (g_strcmp0 (type, answer_type) != 0)
    {
      g_bytes_unref (answer);
      bad_answer (error, answer_type);
      return NULL;
    }
  return answer;
}

/* ---- services ---------------------------------------------------------------- */

void
_semper_shop_service_entry_free (SemperShopServiceEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->id);
  g_clear_pointer (&entry->description, g_bytes_unref);
  g_clear_pointer (&entry->certification, g_bytes_unref);
  g_free (entry);
}

GPtrArray *
_semper_shop_parse_services_list (GBytes  *body,
                                  char   **out_ttp_url,
                                  GBytes **out_ttp_cert,
                                  GError **error)
{
  static const char * const members[] = { "format", "version", "ttp", "services", NULL };
  static const char * const ttp_members[] = { "url", "certificate", NULL };
  static const char * const entry_members[] = {
    "id", "description", "certification", NULL
  };
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;
  g_autoptr(JsonObject) o = _semper_shop_parse_object (body, d, c, error);
  g_autoptr(GBytes) ttp_cert = NULL;
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _semper_shop_service_entry_free);
  const char *format = NULL, *ttp_url = NULL, *ttp_b64 = NULL;
  JsonObject *ttp = NULL;
  JsonArray *services = NULL;
  gint64 version = 0;

  if (o == NULL
      || !_semper_json_check_members (o, members, "services", d, c, error)
      || !_semper_json_get_string (o, "format", 64, TRUE, "services", &format, d, c, error)
      || !_semper_json_get_int (o, "version", 1, 1, TRUE, 0, "services", &version, d, c, error)
      || !_semper_json_get_object (o, "ttp", TRUE, "services", &ttp, d, c, error)
      || !_semper_json_check_members (ttp, ttp_members, "ttp", d, c, error)
      || !_semper_json_get_string (ttp, "url", 1024, TRUE, "ttp", &ttp_url, d, c, error)
      || !_semper_json_get_string (ttp, "certificate", 64 * 1024, TRUE, "ttp", &ttp_b64, d, c,
                                   error)
      || !_semper_json_get_array (o, "services", 0, MAX_SERVICES, TRUE, "services", &services,
                                  d, c, error))
    return NULL;
  if (!g_str_equal (format, "semper-merchant-services"))
    return bad_answer (error, "format"), NULL;
  ttp_cert = _semper_shop_unb64 (ttp_b64, 48 * 1024, error);
  if (ttp_cert == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (services); i++)
    {
      JsonNode *node = json_array_get_element (services, i);
      g_autoptr(SemperShopServiceEntry) entry = g_new0 (SemperShopServiceEntry, 1);
      const char *id = NULL, *d_b64 = NULL, *c_b64 = NULL;
      JsonObject *e;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_answer (error, _("a service is not an object")), NULL;
      e = json_node_get_object (node);
      if (!_semper_json_check_members (e, entry_members, "service", d, c, error)
          || !_semper_json_get_string (e, "id", 64, TRUE, "service", &id, d, c, error)
          || !_semper_json_get_string (e, "description", 512 * 1024, TRUE, "service", &d_b64, d,
                                       c, error)
          || !_semper_json_get_string (e, "certification", 32 * 1024, FALSE, "service", &c_b64,
                                       d, c, error))
        return NULL;
      entry->id = g_strdup (id);
      entry->description = _semper_shop_unb64 (d_b64, SEMPER_SERVICE_MAX_SIZE + 16 * 1024,
                                               error);
      if (entry->description == NULL)
        return NULL;
      if (c_b64 != NULL)
        {
          entry->certification = _semper_shop_unb64 (c_b64,
                                                     SEMPER_SERVICE_CERTIFICATION_MAX_SIZE,
                                                     error);
          if (entry->certification == NULL)
            return NULL;
        }
      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }
  if (out_ttp_url != NULL)
    *out_ttp_url = g_strdup (ttp_url);
  if (out_ttp_cert != NULL)
    *out_ttp_cert = g_steal_pointer (&ttp_cert);
  return g_steal_pointer (&entries);
}

static gboolean
parse_services (SemperShopClient *self,
                GBytes           *body,
                GPtrArray        *listings,
                GError          **error)
{
  g_autoptr(GBytes) ttp_cert = NULL;
  g_autoptr(SemperSignerInfo) ttp_info = NULL;
  g_autoptr(GError) ttp_error = NULL;
  g_autofree char *ttp_url = NULL;
  g_autoptr(GPtrArray) entries = _semper_shop_parse_services_list (body, &ttp_url, &ttp_cert,
                                                                   error);

  if (entries == NULL)
    return FALSE;
  /* A TTP that is not certified as one under our root makes every service unusable. */
  ttp_info = semper_trust_check_role (self->trust, ttp_cert, SEMPER_ROLE_TTP, &ttp_error);

  g_clear_pointer (&self->ttp_cert, g_bytes_unref);
  g_clear_pointer (&self->ttp_url, g_free);
  self->ttp_cert = g_bytes_ref (ttp_cert);
  self->ttp_url = g_strdup (ttp_url);

  for (guint i = 0; i < entries->len; i++)
    {
      SemperShopServiceEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SemperShopListing) listing = g_new0 (SemperShopListing, 1);
      GBytes *description = entry->description;
      GBytes *certification = entry->certification;
      const char *id = entry->id;

      listing->id = g_strdup (id);
      if (certification == NULL)
        g_set_error (&listing->refusal, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                     _("The service %s is not certified by an evaluator: the wallet does not "
                       "run uncertified services"), id);
      else
        {
          g_autoptr(GError) local = NULL;

          listing->service = semper_service_verify (description, certification, self->trust,
                                                    NULL, &local);
          if (listing->service == NULL)
            g_set_error (&listing->refusal, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                         _("The service %s is refused: %s"), id, local->message);
          else if (!g_str_equal (semper_service_get_id (listing->service), id))
            {
              g_clear_object (&listing->service);
              g_set_error (&listing->refusal, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                           _("The merchant lists the service %s under another id"), id);
            }
        }
      if (listing->service != NULL && ttp_info == NULL)
        {
          g_clear_object (&listing->service);
          g_set_error (&listing->refusal, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                       _("The service %s names a TTP that is not certified: %s"), id,
                       ttp_error->message);
        }
      if (listing->service != NULL
          && semper_service_get_ttp_fingerprint (listing->service) != NULL
          && !g_str_equal (semper_service_get_ttp_fingerprint (listing->service),
                           ttp_info->fingerprint))
        {
          g_clear_object (&listing->service);
          g_set_error (&listing->refusal, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                       _("The merchant names another TTP than the signed service %s"), id);
        }
      if (listing->service != NULL)
        {
          GBytes **pair = g_new0 (GBytes *, 2);

          pair[0] = g_bytes_ref (description);
          pair[1] = g_bytes_ref (certification);
          g_hash_table_replace (self->raw, g_strdup (id), pair);
        }
      g_ptr_array_add (listings, g_steal_pointer (&listing));
    }
  return TRUE;
}

static SemperShopListing *
listing_copy (const SemperShopListing *l)
{
  SemperShopListing *copy = g_new0 (SemperShopListing, 1);

  copy->id = g_strdup (l->id);
  copy->service = l->service != NULL ? g_object_ref (l->service) : NULL;
  copy->refusal = l->refusal != NULL ? g_error_copy (l->refusal) : NULL;
  return copy;
}

GPtrArray *
semper_shop_client_list_services (SemperShopClient *self,
                                  GCancellable     *cancellable,
                                  GError          **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) listings = NULL;
  GPtrArray *copy;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);

  body = _semper_shop_client_get (self, "/services", SEMPER_COMM_DEFAULT_MAX_BODY, cancellable,
                                  error);
  if (body == NULL)
    return NULL;
  listings = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_shop_listing_free);
  g_mutex_lock (&self->lock);
  if (!parse_services (self, body, listings, error))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  g_clear_pointer (&self->listings, g_ptr_array_unref);
  self->listings = g_ptr_array_ref (listings);
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_shop_listing_free);
  for (guint i = 0; i < listings->len; i++)
    g_ptr_array_add (copy, listing_copy (g_ptr_array_index (listings, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

static void
list_services_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *result = semper_shop_client_list_services (source, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

void
semper_shop_client_list_services_async (SemperShopClient    *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, semper_shop_client_list_services_async);
  g_task_run_in_thread (task, list_services_thread);
}

GPtrArray *
semper_shop_client_list_services_finish (SemperShopClient *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

SemperService *
semper_shop_client_dup_service (SemperShopClient *self,
                                const char       *service_id,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_autoptr(GPtrArray) fresh = NULL;
  SemperService *found = NULL;
  gboolean listed = FALSE;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);

  g_mutex_lock (&self->lock);
  listed = self->listings != NULL;
  g_mutex_unlock (&self->lock);
  if (!listed)
    {
      fresh = semper_shop_client_list_services (self, cancellable, error);
      if (fresh == NULL)
        return NULL;
    }
  listed = FALSE;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->listings->len; i++)
    {
      SemperShopListing *l = g_ptr_array_index (self->listings, i);

      if (!g_str_equal (l->id, service_id))
        continue;
      listed = TRUE;
      if (l->service != NULL)
        found = g_object_ref (l->service);
      else
        g_propagate_error (error, g_error_copy (l->refusal));
      break;
    }
  g_mutex_unlock (&self->lock);
  if (!listed)
    g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                 _("The merchant at %s offers no service “%s”"), self->url, service_id);
  return found;
}

gboolean
_semper_shop_client_dup_raw (SemperShopClient *self,
                             const char       *service_id,
                             GBytes          **out_description,
                             GBytes          **out_certification,
                             char            **out_ttp_url,
                             GBytes          **out_ttp_cert)
{
  GBytes **pair;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  pair = g_hash_table_lookup (self->raw, service_id);
  if (pair != NULL && self->ttp_cert != NULL)
    {
      *out_description = g_bytes_ref (pair[0]);
      *out_certification = g_bytes_ref (pair[1]);
      *out_ttp_url = g_strdup (self->ttp_url);
      *out_ttp_cert = g_bytes_ref (self->ttp_cert);
      ok = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* ---- the catalog --------------------------------------------------------------- */

static SemperArticle *
parse_article (JsonObject  *a,
               const char  *currency,
               GError     **error)
{
  static const char * const members[] = {
    "id", "title", "description", "category", "price", NULL
  };
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;
  const char *id = NULL, *title = NULL, *desc = NULL, *cat = NULL, *price = NULL;
  g_autoptr(SemperCatalog) check = semper_catalog_new ();
  SemperAmount amount;

  if (!_semper_json_check_members (a, members, "article", d, c, error)
      || !_semper_json_get_string (a, "id", 32, TRUE, "article", &id, d, c, error)
      || !_semper_json_get_string (a, "title", 500, TRUE, "article", &title, d, c, error)
      || !_semper_json_get_string (a, "description", 500, TRUE, "article", &desc, d, c, error)
      || !_semper_json_get_string (a, "category", 500, TRUE, "article", &cat, d, c, error)
      || !_semper_json_get_string (a, "price", 64, TRUE, "article", &price, d, c, error))
    return NULL;
  if (!semper_amount_parse (price, &amount, error))
    return NULL;
  if (!g_str_equal (amount.currency, currency))
    {
      bad_answer (error, _("an article priced in another currency than the service's"));
      return NULL;
    }
  /* The catalog's own rules for an article (ids, single lines). */
  if (!semper_catalog_add (check, id, title, desc, cat, &amount, error))
    return NULL;
  return semper_article_copy (semper_catalog_get_article (check, 0));
}

SemperShopPage *
semper_shop_client_search (SemperShopClient *self,
                           const char       *service_id,
                           const char       *query,
                           const char       *category,
                           guint             offset,
                           guint             limit,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(SemperService) service = NULL;
  g_autoptr(GString) path = g_string_new ("/catalog?service=");
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);

  if (limit == 0 || limit > SEMPER_CATALOG_MAX_PAGE)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("A page holds 1 to %u articles"), SEMPER_CATALOG_MAX_PAGE);
      return NULL;
    }
  service = semper_shop_client_dup_service (self, service_id, cancellable, error);
  if (service == NULL)
    return NULL;
  if (semper_service_get_catalog_digest (service) == NULL)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("The service %s has no catalog"), service_id);
      return NULL;
    }
  g_string_append_uri_escaped (path, service_id, NULL, FALSE);
  if (query != NULL && *query != '\0')
    {
      g_string_append (path, "&q=");
      g_string_append_uri_escaped (path, query, NULL, TRUE);
    }
  if (category != NULL && *category != '\0')
    {
      g_string_append (path, "&category=");
      g_string_append_uri_escaped (path, category, NULL, TRUE);
    }
  g_string_append_printf (path, "&offset=%u&limit=%u", offset, limit);
  body = _semper_shop_client_get (self, path->str, SEMPER_COMM_DEFAULT_MAX_BODY, cancellable,
                                  error);
  if (body == NULL)
    return NULL;
  return _semper_shop_parse_catalog_page (body, semper_service_get_currency (service), offset,
                                          limit, error);
}

SemperShopPage *
_semper_shop_parse_catalog_page (GBytes      *body,
                                 const char  *currency,
                                 guint        offset,
                                 guint        limit,
                                 GError     **error)
{
  static const char * const members[] = { "total", "offset", "articles", NULL };
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(SemperShopPage) page = g_new0 (SemperShopPage, 1);
  JsonArray *articles = NULL;
  gint64 total = 0, got_offset = 0;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;

  if (limit == 0 || limit > SEMPER_CATALOG_MAX_PAGE)
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_FAILED,
                   _("A page holds 1 to %u articles"), SEMPER_CATALOG_MAX_PAGE);
      return NULL;
    }
  o = _semper_shop_parse_object (body, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "catalog page", d, c, error)
      || !_semper_json_get_int (o, "total", 0, SEMPER_CATALOG_MAX_ARTICLES, TRUE, 0,
                                "catalog page", &total, d, c, error)
      || !_semper_json_get_int (o, "offset", 0, SEMPER_CATALOG_MAX_ARTICLES, TRUE, 0,
                                "catalog page", &got_offset, d, c, error)
      || !_semper_json_get_array (o, "articles", 0, limit, TRUE, "catalog page", &articles, d,
                                  c, error))
    return NULL;
  if ((guint) got_offset != offset
      || (offset < total && json_array_get_length (articles) != MIN (limit, total - offset))
      || (offset >= total && json_array_get_length (articles) != 0))
    {
      bad_answer (error, _("the page does not hold what was asked for"));
      return NULL;
    }
  page->total = (guint) total;
  page->offset = offset;
  page->articles = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_article_free);
  for (guint i = 0; i < json_array_get_length (articles); i++)
    {
      JsonNode *node = json_array_get_element (articles, i);
      SemperArticle *a;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          bad_answer (error, _("an article is not an object"));
          return NULL;
        }
      a = parse_article (json_node_get_object (node), currency, error);
      if (a == NULL)
        return NULL;
      g_ptr_array_add (page->articles, a);
    }
  return g_steal_pointer (&page);
}

typedef struct {
  char  *service_id;
  char  *query;
  char  *category;
  guint  offset;
  guint  limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *s = data;

  g_free (s->service_id);
  g_free (s->query);
  g_free (s->category);
  g_free (s);
}

static void
search_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *s = task_data;
  GError *error = NULL;
  SemperShopPage *page = semper_shop_client_search (source, s->service_id, s->query,
                                                    s->category, s->offset, s->limit,
                                                    cancellable, &error);

  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify) semper_shop_page_free);
}

void
semper_shop_client_search_async (SemperShopClient    *self,
                                 const char          *service_id,
                                 const char          *query,
                                 const char          *category,
                                 guint                offset,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SearchData *s = g_new0 (SearchData, 1);

  s->service_id = g_strdup (service_id);
  s->query = g_strdup (query);
  s->category = g_strdup (category);
  s->offset = offset;
  s->limit = limit;
  g_task_set_source_tag (task, semper_shop_client_search_async);
  g_task_set_task_data (task, s, search_data_free);
  g_task_run_in_thread (task, search_thread);
}

SemperShopPage *
semper_shop_client_search_finish (SemperShopClient *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

SemperCatalog *
_semper_shop_parse_catalog_export (GBytes  *body,
                                   GError **error)
{
  static const char * const members[] = { "articles", NULL };
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(SemperCatalog) catalog = NULL;
  JsonArray *articles = NULL;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;

  o = _semper_shop_parse_object (body, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "catalog", d, c, error)
      || !_semper_json_get_array (o, "articles", 0, SEMPER_CATALOG_MAX_ARTICLES, TRUE,
                                  "catalog", &articles, d, c, error))
    return NULL;
  catalog = semper_catalog_new ();
  for (guint i = 0; i < json_array_get_length (articles); i++)
    {
      JsonNode *node = json_array_get_element (articles, i);
      JsonArray *a;
      const char *f[5];
      SemperAmount price;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) != 5)
        return bad_answer (error, _("an article of the catalog")), NULL;
      a = json_node_get_array (node);
      for (guint k = 0; k < 5; k++)
        {
          JsonNode *n = json_array_get_element (a, k);

          if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
            return bad_answer (error, _("an article of the catalog")), NULL;
          f[k] = json_node_get_string (n);
        }
      if (!semper_amount_parse (f[4], &price, error)
          || !semper_catalog_add (catalog, f[0], f[1], f[2], f[3], &price, error))
        return NULL;
    }
  return g_steal_pointer (&catalog);
}

/* The whole catalog, checked against the digest the certified service commits
 * to, so that a price can be checked against what the evaluator certified. */
SemperCatalog *
_semper_shop_client_dup_catalog (SemperShopClient *self,
                                 SemperService    *service,
                                 GCancellable     *cancellable,
                                 GError          **error)
{
  const char *id = semper_service_get_id (service);
  g_autofree char *path = g_strdup_printf ("/catalog/export?service=%s", id);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SemperCatalog) catalog = NULL;
  g_autofree char *digest = NULL;
  SemperCatalog *cached;

  g_mutex_lock (&self->lock);
  cached = g_hash_table_lookup (self->catalogs, id);
  if (cached != NULL)
    g_object_ref (cached);
  g_mutex_unlock (&self->lock);
  if (cached != NULL)
    return cached;

  body = _semper_shop_client_get (self, path, MAX_CATALOG_BODY, cancellable, error);
  if (body == NULL)
    return NULL;
  catalog = _semper_shop_parse_catalog_export (body, error);
  if (catalog == NULL)
    return NULL;
  digest = semper_catalog_dup_digest (catalog);
  if (semper_catalog_get_size (catalog) != semper_service_get_catalog_size (service)
      || !g_str_equal (digest, semper_service_get_catalog_digest (service)))
    {
      g_set_error (error, SEMPER_SHOP_ERROR, SEMPER_SHOP_ERROR_REFUSED,
                   _("The merchant's catalog is not the one its certified service commits to"));
      return NULL;
    }
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->catalogs, g_strdup (id), g_object_ref (catalog));
  g_mutex_unlock (&self->lock);
  return g_steal_pointer (&catalog);
}

/* ---- member-only items --------------------------------------------------------------- */

GBytes *
semper_shop_client_read_member_item (SemperShopClient *self,
                                     const char       *service_id,
                                     const char       *item,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  static const char * const members[] = { "session", "message", "goods", NULL };
  SemperArchive *archive = semper_profile_get_archive (self->profile);
  SemperCrypto *crypto = semper_profile_get_crypto (self->profile);
  g_autoptr(SemperService) service = NULL;
  g_autoptr(SemperFlowCursor) cursor = NULL;
  g_autoptr(GPtrArray) credentials = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) chosen = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) signed_item = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *me = NULL, *cred_b64 = NULL;
  const char *session = NULL, *message = NULL, *goods_b64 = NULL, *fx_step = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GBytes *content;
  GQuark d = SEMPER_SHOP_ERROR;
  int c = SEMPER_SHOP_ERROR_BAD_ANSWER;

  g_return_val_if_fail (SEMPER_IS_SHOP_CLIENT (self), NULL);

  service = semper_shop_client_dup_service (self, service_id, cancellable, error);
  if (service == NULL)
    return NULL;
  cert = semper_crypto_dup_certificate (crypto);
  if (cert == NULL)
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_FAILED, _("The profile has no certificate"));
      return NULL;
    }
  me = semper_sha256_hex (cert);
  credentials = semper_archive_credential_list (archive, "valid", error);
  if (credentials == NULL)
    return NULL;
  for (guint i = 0; i < credentials->len && chosen == NULL; i++)
    {
      SemperArchiveCredential *rec = g_ptr_array_index (credentials, i);
      g_autoptr(SemperShopCredential) cred = NULL;

      if (g_strcmp0 (rec->kind, "subscription") != 0)
        continue;
      cred = _semper_shop_credential_verify (rec->body, self->trust, NULL);
      if (cred != NULL && g_str_equal (cred->service, service_id)
          && g_str_equal (cred->issuer, semper_service_get_merchant_signer (service)->fingerprint)
          && g_str_equal (cred->holder, me) && now >= cred->not_before
          && now <= cred->not_after)
        chosen = g_bytes_ref (rec->body);
    }
  if (chosen == NULL)
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_NOT_FOUND,
                   _("No valid subscription to %s in this wallet: buy one first"), service_id);
      return NULL;
    }

  /* A valid subscription stands for the flow up to its fair exchange. */
  for (guint i = 0; i < semper_service_get_n_steps (service); i++)
    {
      const SemperServiceStep *st = semper_service_get_step (service, i);

      if (st->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE
          && g_strcmp0 (st->merchant_gives, "credential") == 0)
        fx_step = st->id;
    }
  if (fx_step == NULL)
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_REFUSED, _("The service %s has no subscriptions"),
                   service_id);
      return NULL;
    }
  cursor = semper_flow_cursor_new_at (service, fx_step, 4, error);
  if (cursor == NULL)
    return NULL;
  if (!semper_flow_cursor_accept (cursor, SEMPER_SERVICE_PARTY_BUYER, "credential", &local))
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_REFUSED,
                   _("The signed service does not let a member present a credential: %s"),
                   local->message);
      return NULL;
    }

  cred_b64 = _semper_shop_b64 (chosen);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "semper-presentation");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, service_id);
  json_builder_set_member_name (b, "credential");
  json_builder_add_string_value (b, cred_b64);
  json_builder_set_member_name (b, "item");
  json_builder_add_string_value (b, item);
  json_builder_end_object (b);
  json = semper_json_builder_to_bytes (b);
  request = semper_cms_sign_message (crypto, json, error);
  if (request == NULL
      || semper_archive_message_store (archive, SEMPER_MESSAGE_OUT, NULL,
                                       SEMPER_COMM_CONTENT_TYPE_CMS, request, error) == 0)
    return NULL;
  answer = _semper_shop_client_post (self, "/present", SEMPER_COMM_CONTENT_TYPE_CMS, request,
                                     SEMPER_COMM_CONTENT_TYPE_JSON, cancellable, error);
  if (answer == NULL)
    return NULL;
  o = _semper_shop_parse_object (answer, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "member item", d, c, error)
      || !_semper_json_get_string (o, "session", 32, TRUE, "member item", &session, d, c, error)
      || !_semper_json_get_string (o, "message", 64, TRUE, "member item", &message, d, c, error)
      || !_semper_json_get_string (o, "goods", 24 * 1024 * 1024, TRUE, "member item",
                                   &goods_b64, d, c, error))
    return NULL;
  if (!semper_flow_cursor_accept (cursor, SEMPER_SERVICE_PARTY_MERCHANT, message, &local))
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_REFUSED,
                   _("The merchant deviates from its signed service: %s"), local->message);
      return NULL;
    }
  signed_item = _semper_shop_unb64 (goods_b64, 18 * 1024 * 1024, error);
  if (signed_item == NULL
      || semper_archive_message_store (archive, SEMPER_MESSAGE_IN, NULL,
                                       SEMPER_COMM_CONTENT_TYPE_CMS, signed_item, error) == 0)
    return NULL;
  content = semper_cms_verify (signed_item, self->trust, &signer, &local);
  if (content == NULL)
    {
      g_set_error (error, d, SEMPER_SHOP_ERROR_REFUSED,
                   _("The member item's signature does not verify: %s"), local->message);
      return NULL;
    }
  if (!g_str_equal (signer->fingerprint,
                    semper_service_get_merchant_signer (service)->fingerprint))
    {
      g_bytes_unref (content);
      g_set_error (error, d, SEMPER_SHOP_ERROR_REFUSED,
                   _("The member item is signed by someone else than the service's merchant"));
      return NULL;
    }
  return content;
}
