/* semper-merchant.c: the merchant role (docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-merchant.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "semper-catalog.h"
#include "semper-cms.h"
#include "semper-commerce-private.h"
#include "semper-fair-exchange.h"
#include "semper-flow-cursor.h"
#include "semper-merchant-payment.h"
#include "semper-merchant-private.h"
#include "semper-merchant-contracts.h"
#include "semper-message.h"
#include "semper-order-form.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-service.h"
#include "semper-shop-private.h"

G_DEFINE_QUARK (semper-merchant-error-quark, semper_merchant_error)

#define OFFER_LIFETIME   (30 * 60)       /* seconds an offer stays valid */
#define MAX_SESSIONS     10000
#define MAX_GOODS        (16 * 1024 * 1024)
#define RECOVER_INTERVAL_SECONDS 30      /* default: asks the TTP for exchanges resolved since */

typedef struct {
  SemperService *service;
  GBytes        *signed_description;
  GBytes        *certification;     /* (nullable): served as configured */
  SemperCatalog *catalog;           /* (nullable) */
  GBytes        *catalog_export;    /* (nullable): JSON of every article */
  GHashTable    *goods;             /* offer id -> GBytes */
  GHashTable    *member_items;      /* item id -> GBytes */
  GHashTable    *contracts;         /* consultancy offer id -> GBytes (template) */
} MerchantService;

typedef struct {
  char             *id;
  MerchantService  *svc;            /* borrowed */
  SemperFlowCursor *cursor;
  char             *buyer;          /* fingerprint the buyer named */
  gint64            created;
  char             *order_hash;     /* H(order-form document) of the last offer */
  SemperAmount      total;          /* its price */
} Session;

struct _SemperMerchant {
  GObject           parent_instance;

  SemperProfile    *profile;
  SemperCrypto     *crypto;         /* borrowed from profile */
  SemperTrust      *trust;
  char             *fingerprint;
  char             *name;
  GBytes           *ttp_cert;
  char             *ttp_url;
  char             *bank_url;
  char             *bank_account;
  gint64            offer_lifetime;  /* seconds an offer stays valid (config) */
  gint64            recover_interval; /* seconds between recoveries, 0: none (config) */
  SemperFxMerchant *fx;
  GStrv             systems;        /* the payment systems the merchant can collect */
  GPtrArray        *services;       /* MerchantService */
  GBytes           *services_answer;
  GHashTable       *sessions;       /* id -> Session */
  GHashTable       *offer_sessions; /* offer hash -> session id */
  GHashTable       *tid_sessions;   /* fx tid -> session id */
  char             *deviate;        /* test hook: SEMPER_TEST_MERCHANT_DEVIATE */
  char             *state_dir;
  SemperMerchantPayment *payment;
  GHashTable       *m1_sessions;    /* H(m1) -> session id */
  SemperMerchantContracts *contracts; /* (nullable): when the config lists templates */
  GThreadPool      *recover_pool;   /* one thread: recoveries run one after another */
  guint             recover_timer;
  gboolean          recover_queued; /* a timer recovery waits in the pool (recover_lock) */
  GMutex            recover_lock;
};

G_DEFINE_FINAL_TYPE (SemperMerchant, semper_merchant, G_TYPE_OBJECT)

static void
merchant_service_free (gpointer data)
{
  MerchantService *s = data;

  g_clear_object (&s->service);
  g_clear_pointer (&s->signed_description, g_bytes_unref);
  g_clear_pointer (&s->certification, g_bytes_unref);
  g_clear_object (&s->catalog);
  g_clear_pointer (&s->catalog_export, g_bytes_unref);
  g_clear_pointer (&s->goods, g_hash_table_unref);
  g_clear_pointer (&s->member_items, g_hash_table_unref);
  g_clear_pointer (&s->contracts, g_hash_table_unref);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MerchantService, merchant_service_free)

static void
session_free (gpointer data)
{
  Session *s = data;

  g_free (s->id);
  g_clear_object (&s->cursor);
  g_free (s->buyer);
  g_free (s->order_hash);
  g_free (s);
}

static void
pool_free_wait (GThreadPool *pool)
{
  g_thread_pool_free (pool, FALSE, TRUE);
}

static void
semper_merchant_dispose (GObject *object)
{
  SemperMerchant *self = SEMPER_MERCHANT (object);

  g_clear_pointer (&self->contracts, _semper_merchant_contracts_free);
  if (self->recover_timer != 0)
    g_clear_handle_id (&self->recover_timer, g_source_remove);
  /* Waits for a running recovery: it uses fx. */
  if (self->recover_pool != NULL)
    g_clear_pointer (&self->recover_pool, pool_free_wait);
  /* The fair exchange holds the payment systems' calls: it goes first. */
  g_clear_object (&self->fx);
  g_clear_pointer (&self->payment, _semper_merchant_payment_free);
  g_clear_object (&self->trust);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (semper_merchant_parent_class)->dispose (object);
}

static void
semper_merchant_finalize (GObject *object)
{
  SemperMerchant *self = SEMPER_MERCHANT (object);

  g_free (self->fingerprint);
  g_free (self->name);
  g_clear_pointer (&self->ttp_cert, g_bytes_unref);
  g_free (self->ttp_url);
  g_free (self->bank_url);
  g_free (self->bank_account);
  g_strfreev (self->systems);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->services_answer, g_bytes_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->offer_sessions, g_hash_table_unref);
  g_clear_pointer (&self->tid_sessions, g_hash_table_unref);
  g_clear_pointer (&self->m1_sessions, g_hash_table_unref);
  g_free (self->deviate);
  g_free (self->state_dir);
  g_mutex_clear (&self->recover_lock);
  G_OBJECT_CLASS (semper_merchant_parent_class)->finalize (object);
}

static void
semper_merchant_class_init (SemperMerchantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_merchant_dispose;
  object_class->finalize = semper_merchant_finalize;
}

static void
semper_merchant_init (SemperMerchant *self)
{
  g_mutex_init (&self->recover_lock);
  self->services = g_ptr_array_new_with_free_func (merchant_service_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, session_free);
  self->offer_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tid_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->m1_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* ---- configuration ------------------------------------------------------------ */

static gboolean
config_error (GError    **error,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
config_error (GError    **error,
              const char *format,
              ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG,
               _("Merchant configuration: %s"), text);
  return FALSE;
}

static GBytes *
read_relative (const char *base_dir,
               const char *path,
               gsize       max,
               GError    **error)
{
  g_autofree char *full = g_path_is_absolute (path) ? g_strdup (path)
                                                    : g_build_filename (base_dir, path, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (full, &data, &len, error))
    return NULL;
  if (len > max)
    {
      config_error (error, _("%s is larger than %zu bytes"), full, max);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static GBytes *
read_certificate (const char *base_dir,
                  const char *path,
                  GError    **error)
{
  g_autoptr(GBytes) data = read_relative (base_dir, path, 64 * 1024, error);
  gsize len = 0;
  const char *text;

  if (data == NULL)
    return NULL;
  text = g_bytes_get_data (data, &len);
  if (len > 10 && memcmp (text, "-----BEGIN", 10) == 0)
    {
      g_autofree char *pem = g_strndup (text, len);

      return semper_certificate_from_pem (pem, error);
    }
  return g_steal_pointer (&data);
}

/* {"id": "path", …} -> id -> GBytes */
static GHashTable *
read_file_map (JsonObject *object,
               const char *member,
               const char *base_dir,
               GError    **error)
{
  g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) g_bytes_unref);
  JsonObject *files = NULL;
  g_autoptr(GList) names = NULL;

  if (!_semper_json_get_object (object, member, FALSE, member, &files, SEMPER_MERCHANT_ERROR,
                                SEMPER_MERCHANT_ERROR_CONFIG, error))
    return NULL;
  if (files == NULL)
    return g_steal_pointer (&map);
  names = json_object_get_members (files);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *path = NULL;
      GBytes *bytes;

      if (!_semper_json_get_string (files, l->data, 4096, TRUE, member, &path,
                                    SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG, error))
        return NULL;
      bytes = read_relative (base_dir, path, MAX_GOODS, error);
      if (bytes == NULL)
        return NULL;
      g_hash_table_insert (map, g_strdup (l->data), bytes);
    }
  return g_steal_pointer (&map);
}

static GBytes *
catalog_export (SemperCatalog *catalog)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n = semper_catalog_get_size (catalog);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "articles");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const SemperArticle *a = semper_catalog_get_article (catalog, i);
      g_autofree char *price = semper_amount_format (&a->price);

      json_builder_begin_array (b);
      json_builder_add_string_value (b, a->id);
      json_builder_add_string_value (b, a->title);
      json_builder_add_string_value (b, a->description);
      json_builder_add_string_value (b, a->category);
      json_builder_add_string_value (b, price);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

static gboolean
load_service (SemperMerchant *self,
              JsonObject     *entry,
              const char     *base_dir,
              GError        **error)
{
  static const char * const members[] = {
    "description", "certification", "goods", "member_items", "contracts", NULL
  };
  g_autoptr(MerchantService) svc = g_new0 (MerchantService, 1);
  g_autoptr(GBytes) description = NULL;
  g_autoptr(SemperService) verified = NULL;
  g_autoptr(GError) local = NULL;
  const char *path = NULL, *cert_path = NULL;
  const char *id;

  if (!_semper_json_check_members (entry, members, "service", SEMPER_MERCHANT_ERROR,
                                   SEMPER_MERCHANT_ERROR_CONFIG, error)
      || !_semper_json_get_string (entry, "description", 4096, TRUE, "service", &path,
                                   SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG, error)
      || !_semper_json_get_string (entry, "certification", 4096, FALSE, "service", &cert_path,
                                   SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG, error))
    return FALSE;
  description = read_relative (base_dir, path, SEMPER_SERVICE_MAX_SIZE, error);
  if (description == NULL)
    return FALSE;
  svc->service = semper_service_parse (description, error);
  if (svc->service == NULL)
    return FALSE;
  id = semper_service_get_id (svc->service);
  if (!g_str_equal (semper_service_get_merchant (svc->service), self->name))
    return config_error (error, _("service %s names the merchant “%s”, but this merchant's "
                                  "certificate is for “%s”"),
                         id, semper_service_get_merchant (svc->service), self->name);
  for (guint i = 0; i < self->services->len; i++)
    {
      MerchantService *other = g_ptr_array_index (self->services, i);

      if (g_str_equal (semper_service_get_id (other->service), id))
        return config_error (error, _("service %s is configured twice"), id);
    }
  if (semper_service_get_ttp_fingerprint (svc->service) != NULL)
    {
      g_autofree char *ttp_fp = semper_sha256_hex (self->ttp_cert);

      if (!g_str_equal (semper_service_get_ttp_fingerprint (svc->service), ttp_fp))
        return config_error (error, _("service %s names a TTP other than the configured one"),
                             id);
    }
  svc->signed_description = semper_service_sign (svc->service, self->crypto, error);
  if (svc->signed_description == NULL)
    return FALSE;
  if (cert_path != NULL)
    {
      svc->certification = read_relative (base_dir, cert_path,
                                          SEMPER_SERVICE_CERTIFICATION_MAX_SIZE, error);
      if (svc->certification == NULL)
        return FALSE;
      verified = semper_service_verify (svc->signed_description, svc->certification,
                                        self->trust, NULL, &local);
      /* Served anyway: the wallet decides, and refuses (docs/merchant.md). */
      if (verified == NULL)
        g_message ("Service %s: its certification does not verify here: %s", id,
                   local->message);
    }
  else
    g_message ("Service %s has no certification: wallets will refuse it", id);

  if (semper_service_get_catalog_digest (svc->service) != NULL)
    {
      g_autofree char *digest = NULL;

      svc->catalog = semper_catalog_new_demo (semper_service_get_catalog_size (svc->service),
                                              semper_service_get_currency (svc->service));
      digest = semper_catalog_dup_digest (svc->catalog);
      if (!g_str_equal (digest, semper_service_get_catalog_digest (svc->service)))
        return config_error (error, _("service %s commits to a catalog that this merchant "
                                      "does not have (digest %s)"), id, digest);
      svc->catalog_export = catalog_export (svc->catalog);
    }
  svc->goods = read_file_map (entry, "goods", base_dir, error);
  if (svc->goods == NULL)
    return FALSE;
  svc->member_items = read_file_map (entry, "member_items", base_dir, error);
  if (svc->member_items == NULL)
    return FALSE;
  svc->contracts = read_file_map (entry, "contracts", base_dir, error);
  if (svc->contracts == NULL)
    return FALSE;
  for (guint i = 0; i < semper_service_get_n_offers (svc->service); i++)
    {
      const SemperServiceOffer *offer = semper_service_get_offer (svc->service, i);

      if (g_str_equal (offer->kind, "digital-goods")
          && !g_hash_table_contains (svc->goods, offer->id))
        return config_error (error, _("service %s: no goods file for the digital offer %s"),
                             id, offer->id);
    }
  /* A contract template is the operator's consent for one consultancy offer. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, svc->contracts);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        const SemperServiceOffer *offer = NULL;

        for (guint i = 0; i < semper_service_get_n_offers (svc->service); i++)
          if (g_str_equal (semper_service_get_offer (svc->service, i)->id, key))
            offer = semper_service_get_offer (svc->service, i);
        if (offer == NULL || !g_str_equal (offer->kind, "consultancy"))
          return config_error (error, _("service %s: the contract %s is no consultancy offer "
                                        "of the service"), id, (const char *) key);
      }
  }
  g_ptr_array_add (self->services, g_steal_pointer (&svc));
  return TRUE;
}

static gboolean
load_config (SemperMerchant *self,
             const char     *config_file,
             GError        **error)
{
  static const char * const members[] = {
    "format", "version", "bank", "bank_account", "ttp", "services", "offer_lifetime",
    "recover_interval", NULL
  };
  static const char * const ttp_members[] = { "url", "certificate", NULL };
  g_autofree char *base_dir = g_path_get_dirname (config_file);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) config = NULL;
  JsonObject *ttp = NULL;
  JsonArray *services = NULL;
  const char *format = NULL, *bank = NULL, *account = NULL, *ttp_url = NULL, *ttp_cert = NULL;
  gint64 version = 0;
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_CONFIG;

  bytes = read_relative (".", config_file, SEMPER_MERCHANT_CONFIG_MAX_SIZE, error);
  if (bytes == NULL)
    return FALSE;
  config = _semper_shop_parse_object (bytes, d, c, error);
  if (config == NULL
      || !_semper_json_check_members (config, members, "configuration", d, c, error)
      || !_semper_json_get_string (config, "format", 64, TRUE, "configuration", &format, d, c,
                                   error)
      || !_semper_json_get_int (config, "version", 1, 1, TRUE, 0, "configuration", &version, d,
                                c, error)
      || !_semper_json_get_string (config, "bank", 1024, FALSE, "configuration", &bank, d, c,
                                   error)
      || !_semper_json_get_string (config, "bank_account", 64, FALSE, "configuration",
                                   &account, d, c, error)
      || !_semper_json_get_int (config, "offer_lifetime", 0, 24 * 60 * 60, FALSE, OFFER_LIFETIME,
                                "configuration", &self->offer_lifetime, d, c, error)
      || !_semper_json_get_int (config, "recover_interval", 0, 24 * 60 * 60, FALSE,
                                RECOVER_INTERVAL_SECONDS, "configuration",
                                &self->recover_interval, d, c, error)
      || !_semper_json_get_object (config, "ttp", TRUE, "configuration", &ttp, d, c, error)
      || !_semper_json_check_members (ttp, ttp_members, "ttp", d, c, error)
      || !_semper_json_get_string (ttp, "url", 1024, TRUE, "ttp", &ttp_url, d, c, error)
      || !_semper_json_get_string (ttp, "certificate", 4096, TRUE, "ttp", &ttp_cert, d, c,
                                   error)
      || !_semper_json_get_array (config, "services", 1, 64, TRUE, "configuration", &services,
                                  d, c, error))
    return FALSE;
  if (!g_str_equal (format, "semper-merchant-config"))
    return config_error (error, _("“format” must be “semper-merchant-config”"));
  if ((bank == NULL) != (account == NULL))
    return config_error (error, _("“bank” and “bank_account” go together"));
  self->bank_url = g_strdup (bank);
  self->bank_account = g_strdup (account);
  self->ttp_url = g_strdup (ttp_url);
  self->ttp_cert = read_certificate (base_dir, ttp_cert, error);
  if (self->ttp_cert == NULL)
    return FALSE;
  {
    g_autoptr(SemperSignerInfo) info = semper_trust_check_role (self->trust, self->ttp_cert,
                                                                SEMPER_ROLE_TTP, error);
    if (info == NULL)
      return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (services); i++)
    {
      JsonNode *node = json_array_get_element (services, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return config_error (error, _("each service must be an object"));
      if (!load_service (self, json_node_get_object (node), base_dir, error))
        return FALSE;
    }
  return TRUE;
}

static GBytes *
make_services_answer (SemperMerchant *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *ttp = _semper_shop_b64 (self->ttp_cert);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "semper-merchant-services");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "ttp");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, self->ttp_url);
  json_builder_set_member_name (b, "certificate");
  json_builder_add_string_value (b, ttp);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "services");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->services->len; i++)
    {
      MerchantService *svc = g_ptr_array_index (self->services, i);
      g_autofree char *d = _semper_shop_b64 (svc->signed_description);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, semper_service_get_id (svc->service));
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, d);
      if (svc->certification != NULL)
        {
          g_autofree char *c = _semper_shop_b64 (svc->certification);

          json_builder_set_member_name (b, "certification");
          json_builder_add_string_value (b, c);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return semper_json_builder_to_bytes (b);
}

/* ---- helpers for the handlers ---------------------------------------------------- */

static SemperCommResponse *
error_response (const GError *error)
{
  guint status = 400;
  const char *code = "invalid";

  if (error->domain == SEMPER_MERCHANT_ERROR)
    switch ((SemperMerchantError) error->code)
      {
      case SEMPER_MERCHANT_ERROR_NOT_FOUND:
        status = 404, code = "not-found";
        break;
      case SEMPER_MERCHANT_ERROR_NOT_ALLOWED:
        status = 409, code = "not-allowed";
        break;
      case SEMPER_MERCHANT_ERROR_CONFIG:
        status = 500, code = "failed";
        break;
      case SEMPER_MERCHANT_ERROR_REQUEST:
        break;
      }
  else if (error->domain == SEMPER_SERVICE_ERROR
           && error->code == SEMPER_SERVICE_ERROR_NOT_ALLOWED)
    status = 409, code = "not-allowed";
  else if (error->domain == SEMPER_FX_ERROR && error->code == SEMPER_FX_ERROR_PAYMENT)
    status = 402, code = "payment";
  else if (error->domain == SEMPER_FX_ERROR && error->code == SEMPER_FX_ERROR_NOT_FOUND)
    status = 404, code = "not-found";
  return semper_comm_response_new_error (status, code, error->message);
}

static SemperCommResponse *
json_response (JsonBuilder *b)
{
  g_autoptr(GBytes) body = semper_json_builder_to_bytes (b);

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static MerchantService *
find_service (SemperMerchant *self,
              const char     *id,
              GError        **error)
{
  for (guint i = 0; id != NULL && i < self->services->len; i++)
    {
      MerchantService *svc = g_ptr_array_index (self->services, i);

      if (g_str_equal (semper_service_get_id (svc->service), id))
        return svc;
    }
  g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_FOUND,
               _("No service “%s” here"), id != NULL ? id : "");
  return NULL;
}

static Session *
session_new (SemperMerchant  *self,
             MerchantService *svc,
             GError         **error)
{
  Session *s;
  guint8 raw[16];

  if (g_hash_table_size (self->sessions) >= MAX_SESSIONS)
    {
      /* Forget the oldest half: a buyer whose session was forgotten starts again. */
      GHashTableIter iter;
      gpointer value;
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((Session *) value)->created > OFFER_LIFETIME)
          g_hash_table_iter_remove (&iter);
      if (g_hash_table_size (self->sessions) >= MAX_SESSIONS)
        {
          g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_ALLOWED,
                       _("Too many open sessions; try again later"));
          return NULL;
        }
    }
  if (!semper_random_bytes (raw, sizeof raw, error))
    return NULL;
  s = g_new0 (Session, 1);
  s->id = semper_protocol_hex (raw, sizeof raw);
  s->svc = svc;
  s->cursor = semper_flow_cursor_new (svc->service);
  s->created = g_get_real_time () / G_USEC_PER_SEC;
  g_hash_table_insert (self->sessions, s->id, s);
  return s;
}

static Session *
find_session (SemperMerchant *self,
              const char     *id,
              GError        **error)
{
  Session *s = id != NULL ? g_hash_table_lookup (self->sessions, id) : NULL;

  if (s == NULL)
    g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_FOUND,
                 _("No such session here (it may have expired): start again"));
  return s;
}

static char *
query_param (SemperCommRequest *request,
             const char        *name)
{
  const char *query = semper_comm_request_get_query (request);
  g_autoptr(GHashTable) params = NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

static gboolean
require_type (SemperCommRequest *request,
              const char        *type,
              GError           **error)
{
  if (g_strcmp0 (semper_comm_request_get_content_type (request), type) != 0)
    {
      g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_REQUEST,
                   _("Send %s"), type);
      return FALSE;
    }
  return TRUE;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* ---- GET /services, GET /catalog, GET /catalog/export ----------------------------- */

static SemperCommResponse *
services_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  SemperMerchant *self = user_data;

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, self->services_answer);
}

static gboolean
parse_uint_param (const char *text,
                  guint       fallback,
                  guint       max,
                  guint      *out,
                  GError    **error)
{
  guint64 v = 0;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &v, NULL))
    {
      g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_REQUEST,
                   _("“%s” is not a number from 0 to %u"), text, max);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static SemperCommResponse *
catalog_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *service = query_param (request, "service");
  g_autofree char *q = query_param (request, "q");
  g_autofree char *category = query_param (request, "category");
  g_autofree char *offset_text = query_param (request, "offset");
  g_autofree char *limit_text = query_param (request, "limit");
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  MerchantService *svc;
  guint offset = 0, limit = 0, total = 0;

  svc = find_service (self, service, &error);
  if (svc == NULL)
    return error_response (error);
  if (svc->catalog == NULL)
    return semper_comm_response_new_error (404, "not-found", _("This service has no catalog"));
  if (!parse_uint_param (offset_text, 0, SEMPER_CATALOG_MAX_ARTICLES, &offset, &error)
      || !parse_uint_param (limit_text, 20, SEMPER_CATALOG_MAX_PAGE, &limit, &error))
    return error_response (error);
  if (limit == 0)
    return semper_comm_response_new_error (400, "invalid", _("“limit” must be 1 to 500"));
  page = semper_catalog_search (svc->catalog, q, category, offset, limit, &total, &error);
  if (page == NULL)
    return semper_comm_response_new_error (400, "invalid", error->message);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, offset);
  json_builder_set_member_name (b, "articles");
  json_builder_begin_array (b);
  for (guint i = 0; i < page->len; i++)
    {
      const SemperArticle *a = g_ptr_array_index (page, i);
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
  return json_response (b);
}

static SemperCommResponse *
catalog_export_cb (SemperCommServer  *server,
                   SemperCommRequest *request,
                   gpointer           user_data)
{
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *service = query_param (request, "service");
  MerchantService *svc = find_service (self, service, &error);

  if (svc == NULL)
    return error_response (error);
  if (svc->catalog_export == NULL)
    return semper_comm_response_new_error (404, "not-found", _("This service has no catalog"));
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, svc->catalog_export);
}

/* ---- POST /offer --------------------------------------------------------------- */

static gboolean
bad_request (GError    **error,
             const char *message)
{
  g_set_error_literal (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_REQUEST, message);
  return FALSE;
}

static gboolean
is_fingerprint (const char *s)
{
  return s != NULL && semper_protocol_is_hex (s, 64);
}

static void
shop_item_clear (gpointer data)
{
  g_free (((SemperShopItem *) data)->item);
}

/* {"service":ID,"session":ID?,"buyer":HEX64,"items":[{"item":ID,"quantity":N}],
 *  "answers":{NAME:TEXT}} */
gboolean
_semper_merchant_parse_offer_request (GBytes      *body,
                                      char       **out_service,
                                      char       **out_session,
                                      char       **out_buyer,
                                      GArray     **out_items,
                                      GHashTable **out_answers,
                                      GError     **error)
{
  static const char * const members[] = {
    "service", "session", "buyer", "items", "answers", NULL
  };
  static const char * const item_members[] = { "item", "quantity", NULL };
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_REQUEST;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (SemperShopItem));
  g_autoptr(GHashTable) answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         g_free);
  const char *service = NULL, *session = NULL, *buyer = NULL;
  JsonArray *list = NULL;
  JsonObject *ans = NULL;

  g_array_set_clear_func (items, shop_item_clear);
  if (g_bytes_get_size (body) > SEMPER_SHOP_MAX_REQUEST)
    return bad_request (error, _("The request is too large"));
  o = _semper_shop_parse_object (body, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "offer request", d, c, error)
      || !_semper_json_get_string (o, "service", 64, TRUE, "offer request", &service, d, c,
                                   error)
      || !_semper_json_get_string (o, "session", 32, FALSE, "offer request", &session, d, c,
                                   error)
      || !_semper_json_get_string (o, "buyer", 64, TRUE, "offer request", &buyer, d, c, error)
      || !_semper_json_get_array (o, "items", 1, SEMPER_ORDER_FORM_MAX_ITEMS, TRUE,
                                  "offer request", &list, d, c, error)
      || !_semper_json_get_object (o, "answers", FALSE, "offer request", &ans, d, c, error))
    return FALSE;
  if (!is_fingerprint (buyer))
    return bad_request (error, _("“buyer” must be a certificate fingerprint"));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *io;
      const char *id = NULL;
      gint64 qty = 0;
      SemperShopItem item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_request (error, _("Each item must be an object"));
      io = json_node_get_object (node);
      if (!_semper_json_check_members (io, item_members, "item", d, c, error)
          || !_semper_json_get_string (io, "item", 32, TRUE, "item", &id, d, c, error)
          || !_semper_json_get_int (io, "quantity", 1, 1000000, TRUE, 0, "item", &qty, d, c,
                                    error))
        return FALSE;
      item.item = g_strdup (id);
      item.quantity = (guint) qty;
      g_array_append_val (items, item);
    }
  if (ans != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (ans);

      if (g_list_length (names) > SEMPER_ORDER_FORM_MAX_FIELDS)
        return bad_request (error, _("Too many answers"));
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (ans, l->data);

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            return bad_request (error, _("Each answer must be a string"));
          g_hash_table_insert (answers, g_strdup (l->data),
                               g_strdup (json_node_get_string (node)));
        }
    }
  *out_service = g_strdup (service);
  *out_session = g_strdup (session);
  *out_buyer = g_strdup (buyer);
  *out_items = g_steal_pointer (&items);
  *out_answers = g_steal_pointer (&answers);
  return TRUE;
}

static char *
iso_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* The goods that the fair exchange delivers for this order. */
static GBytes *
make_goods (SemperMerchant           *self,
            Session                  *session,
            const SemperServiceOffer *single,
            GArray                   *items,
            GBytes                   *order,
            GHashTable               *answers,
            GError                  **error)
{
  const SemperServiceStep *step = NULL;
  const char *gives;

  /* The fair exchange that follows the offer in the signed flow decides what we give. */
  for (guint i = 0; i < semper_service_get_n_steps (session->svc->service); i++)
    {
      const SemperServiceStep *s = semper_service_get_step (session->svc->service, i);

      if (s->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE)
        {
          step = s;
          break;
        }
    }
  if (step == NULL)
    {
      g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_ALLOWED,
                   _("This service sells nothing by fair exchange"));
      return NULL;
    }
  gives = step->merchant_gives;
  if (g_str_equal (gives, "goods"))
    {
      SemperShopItem *it = &g_array_index (items, SemperShopItem, 0);
      GBytes *goods;

      if (items->len != 1 || it->quantity != 1)
        return bad_request (error, _("Digital goods are bought one item at a time")), NULL;
      goods = g_hash_table_lookup (session->svc->goods, it->item);
      if (goods == NULL)
        {
          g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_FOUND,
                       _("“%s” is not sold as digital goods here"), it->item);
          return NULL;
        }
      return g_bytes_ref (goods);
    }
  if (g_str_equal (gives, "credential"))
    {
      SemperShopCredential c = { 0 };
      guint8 serial[16];
      g_autofree char *serial_hex = NULL;
      const char *start = g_hash_table_lookup (answers, "start");
      gint64 from = g_get_real_time () / G_USEC_PER_SEC;

      if (single == NULL || !g_str_equal (single->kind, "subscription"))
        return bad_request (error, _("Order one subscription")), NULL;
      if (start != NULL)
        {
          g_autoptr(GDateTime) dt = semper_document_parse_date (start, NULL);
          g_autofree char *iso = NULL;

          if (dt == NULL)
            {
              iso = g_strdup_printf ("%sT00:00:00Z", start);
              g_clear_pointer (&dt, g_date_time_unref);
              dt = semper_document_parse_date (iso, NULL);
            }
          if (dt != NULL)
            from = g_date_time_to_unix (dt);
        }
      if (!semper_random_bytes (serial, sizeof serial, error))
        return NULL;
      serial_hex = semper_protocol_hex (serial, sizeof serial);
      c.service = (char *) semper_service_get_id (session->svc->service);
      c.kind = (char *) "subscription";
      c.offer = single->id;
      c.title = single->title;
      c.holder = session->buyer;
      c.serial = serial_hex;
      c.not_before = from;
      c.not_after = from + (gint64) single->validity_days * 24 * 3600;
      return _semper_shop_credential_make (self->crypto, &c, error);
    }
  if (g_str_equal (gives, "statement/confirmation"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(GBytes) json = NULL;
      g_autofree char *hash = semper_sha256_hex (order);
      g_autoptr(SemperDocument) doc = semper_document_parse (order, error);
      g_autofree char *now = iso_date (g_get_real_time () / G_USEC_PER_SEC);

      if (doc == NULL)
        return NULL;
      json_builder_begin_object (b);
      add_string (b, "type", "semper-order-confirmation");
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, 1);
      add_string (b, "service", semper_service_get_id (session->svc->service));
      add_string (b, "order_sha256", hash);
      add_string (b, "total", semper_document_get_field (doc, "Total"));
      add_string (b, "date", now);
      add_string (b, "delivery", _("We deliver the order within 10 working days."));
      /* It repeats what it confirms: the items, the shipping, the delivery address. */
      {
        g_auto(GStrv) fields = _semper_shop_order_fields (order);

        json_builder_set_member_name (b, "order");
        json_builder_begin_array (b);
        for (guint i = 0; fields != NULL && fields[i] != NULL; i += 2)
          {
            json_builder_begin_array (b);
            json_builder_add_string_value (b, fields[i]);
            json_builder_add_string_value (b, fields[i + 1]);
            json_builder_end_array (b);
          }
        json_builder_end_array (b);
      }
      json_builder_end_object (b);
      json = semper_json_builder_to_bytes (b);
      return semper_cms_sign_message (self->crypto, json, error);
    }
  g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_ALLOWED,
               _("This merchant cannot give “%s” by fair exchange"), gives);
  return NULL;
}

static SemperCommResponse *
offer_cb (SemperCommServer  *server,
          SemperCommRequest *request,
          gpointer           user_data)
{
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *service = NULL, *session_id = NULL, *buyer = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GHashTable) answers = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) order = NULL;
  g_autoptr(GBytes) goods = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *summary = NULL, *offer_id = NULL, *offer_b64 = NULL, *hash = NULL;
  const SemperServiceOffer *single = NULL;
  const char *message = "statement/offer";
  MerchantService *svc;
  Session *session;
  SemperAmount total;

  if (!require_type (request, SEMPER_COMM_CONTENT_TYPE_JSON, &error)
      || !_semper_merchant_parse_offer_request (semper_comm_request_get_body (request),
                                                &service, &session_id, &buyer, &items,
                                                &answers, &error))
    return error_response (error);
  svc = find_service (self, service, &error);
  if (svc == NULL)
    return error_response (error);
  if (session_id != NULL)
    {
      session = find_session (self, session_id, &error);
      if (session == NULL)
        return error_response (error);
      if (session->svc != svc || g_strcmp0 (session->buyer, buyer) != 0)
        return semper_comm_response_new_error (409, "not-allowed",
                                               _("The session belongs to another service or "
                                                 "buyer"));
    }
  else
    {
      session = session_new (self, svc, &error);
      if (session == NULL)
        return error_response (error);
      session->buyer = g_strdup (buyer);
    }
  /* The merchant checks its own messages against the signed flow too. */
  if (!semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT,
                                 "statement/offer", &error))
    return error_response (error);

  order = _semper_shop_build_order (svc->service, svc->catalog,
                                    (const SemperShopItem *) (void *) items->data, items->len,
                                    answers, now, &single, &error);
  if (order == NULL)
    return error_response (error);
  if (single != NULL && g_str_equal (single->kind, "consultancy"))
    return semper_comm_response_new_error (409, "not-allowed",
                                           _("Consultancy is agreed by contract signing, not "
                                             "sold by offer"));
  {
    g_autoptr(SemperDocument) doc = semper_document_parse (order, &error);

    if (doc == NULL || !semper_document_get_amount (doc, "Total", &total, &error))
      return error_response (error);
  }
  goods = make_goods (self, session, single, items, order, answers, &error);
  if (goods == NULL)
    return error_response (error);
  summary = _semper_shop_order_summary (order);
  offer_id = g_strdup_printf ("%s-%.16s", semper_service_get_id (svc->service), session->id);
  if (g_strcmp0 (self->deviate, "price") == 0)
    total.minor += 1;   /* test hook: a price that differs from the signed service */
  if (g_strcmp0 (self->deviate, "message") == 0)
    message = "credential";   /* test hook: a message the flow does not allow here */
  {
    g_autofree char *unique = g_strdup_printf ("%s-%" G_GINT64_FORMAT, offer_id,
                                               g_get_real_time ());
    g_autoptr(GPtrArray) systems = g_ptr_array_new ();

    /* What both the signed service and this merchant's configuration accept. */
    for (guint i = 0; self->systems[i] != NULL; i++)
      if (semper_service_accepts_payment_system (svc->service, self->systems[i]))
        g_ptr_array_add (systems, self->systems[i]);
    g_ptr_array_add (systems, NULL);
    if (systems->len == 1)
      return semper_comm_response_new_error (409, "not-allowed",
                                             _("This merchant cannot take any payment system "
                                               "that the service accepts"));
    g_auto(GStrv) fields = _semper_shop_order_fields (order);

    if (g_strcmp0 (self->deviate, "order") == 0 && fields != NULL && fields[1] != NULL)
      {
        /* test hook: the offer's order lines name another merchant than the order */
        char *other = g_strconcat (fields[1], " Outlet", NULL);

        g_free (fields[1]);
        fields[1] = other;
      }

    /* The offer carries the order's lines, so the user signs every one of them. */
    offer = semper_fx_merchant_offer_with_order (self->fx, unique, summary,
                                                 (const char * const *) fields, goods, &total,
                                                 g_get_real_time () / G_USEC_PER_SEC
                                                 + self->offer_lifetime,
                                                 (const char * const *) systems->pdata, &error);
  }
  if (offer == NULL)
    return error_response (error);
  if (!semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT,
                                  "statement/offer", &error))
    return error_response (error);
  hash = semper_sha256_hex (offer);
  g_hash_table_replace (self->offer_sessions, g_steal_pointer (&hash), g_strdup (session->id));
  g_free (session->order_hash);
  session->order_hash = semper_sha256_hex (order);
  session->total = total;

  offer_b64 = _semper_shop_b64 (offer);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "session", session->id);
  add_string (b, "message", message);
  add_string (b, "offer", offer_b64);
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (order, NULL), g_bytes_get_size (order));

    add_string (b, "order", text);
  }
  json_builder_end_object (b);
  return json_response (b);
}

/* ---- POST /fx/m1, POST /fx/m3 ---------------------------------------------------- */

static SemperCommResponse *
fx_step (SemperMerchant    *self,
         SemperCommRequest *request,
         gboolean           first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProtocolMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *session_id = query_param (request, "session");
  const char *in = first ? "fx/m1" : "fx/m3";
  const char *out = first ? "fx/m2" : "fx/m4";
  GBytes *body = semper_comm_request_get_body (request);
  Session *session;

  if (!require_type (request, SEMPER_COMM_CONTENT_TYPE_CMS, &error))
    return error_response (error);
  msg = semper_protocol_message_verify (body, self->trust, &error);
  if (msg == NULL)
    return error_response (error);
  if (g_strcmp0 (semper_protocol_message_get_protocol (msg), SEMPER_PROTOCOL_FX) != 0
      || g_strcmp0 (semper_protocol_message_get_step (msg), first ? "m1" : "m3") != 0)
    return semper_comm_response_new_error (400, "invalid",
                                           first ? _("Expected an order (fx/m1)")
                                                 : _("Expected a payment (fx/m3)"));
  /* The session: named by the offer (m1) or by the transaction (m3); a
   * ?session= parameter, when given, must agree. */
  {
    const char *owner;

    if (first)
      {
        const char *offer_hash = semper_protocol_message_get_string (msg, "offer_hash");

        owner = offer_hash != NULL ? g_hash_table_lookup (self->offer_sessions, offer_hash)
                                   : NULL;
      }
    else
      owner = g_hash_table_lookup (self->tid_sessions, semper_protocol_message_get_tid (msg));
    if (owner == NULL || (session_id != NULL && !g_str_equal (owner, session_id)))
      return semper_comm_response_new_error (404, "not-found",
                                             _("No session of this merchant knows this "
                                               "exchange (it may have expired): start again"));
    session = find_session (self, owner, &error);
    if (session == NULL)
      return error_response (error);
    /* The offer was made for a buyer (a subscription credential names it). */
    if (g_strcmp0 (semper_protocol_message_get_originator (msg), session->buyer) != 0)
      return semper_comm_response_new_error (409, "not-allowed",
                                             _("The order is signed by someone else than the "
                                               "buyer the offer was made for"));
    if (first)
      g_hash_table_replace (self->tid_sessions,
                            g_strdup (semper_protocol_message_get_tid (msg)),
                            g_strdup (session->id));
  }
  /* A repeated request (the buyer resending after a lost answer) gets the stored
   * answer from the fair exchange; the flow has moved on already then. */
  if (semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_BUYER, in, NULL))
    {
      if (!semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_BUYER, in, &error))
        return error_response (error);
      if (!semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT, out,
                                     &error))
        return error_response (error);
      answer = first ? semper_fx_merchant_handle_m1 (self->fx, body, &error)
                     : semper_fx_merchant_handle_m3 (self->fx, body, &error);
      if (answer == NULL)
        {
          /* Back to where the flow was, so that the buyer may retry or resolve. */
          g_autoptr(SemperFlowCursor) back = NULL;

          back = semper_flow_cursor_new_at (session->svc->service,
                                            semper_flow_cursor_get_step (session->cursor),
                                            semper_flow_cursor_get_done (session->cursor) - 1,
                                            NULL);
          if (back != NULL)
            g_set_object (&session->cursor, back);
          return error_response (error);
        }
      if (!semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT, out,
                                      &error))
        return error_response (error);
      if (first)
        g_hash_table_replace (self->m1_sessions, semper_sha256_hex (body),
                              g_strdup (session->id));
    }
  else
    {
      const char *step = semper_flow_cursor_get_step (session->cursor);
      const SemperServiceStep *st = NULL;

      if (step != NULL)
        st = semper_service_find_step (session->svc->service, step);
      /* Only a resend of a message this fair exchange has already answered. */
      if (st == NULL || st->kind != SEMPER_SERVICE_STEP_FAIR_EXCHANGE
          || semper_flow_cursor_get_done (session->cursor) < (first ? 2u : 4u))
        {
          semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_BUYER, in, &error);
          return error_response (error);
        }
      answer = first ? semper_fx_merchant_handle_m1 (self->fx, body, &error)
                     : semper_fx_merchant_handle_m3 (self->fx, body, &error);
      if (answer == NULL)
        return error_response (error);
    }
  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_CMS, answer);
}

static SemperCommResponse *
fx_m1_cb (SemperCommServer  *server,
          SemperCommRequest *request,
          gpointer           user_data)
{
  return fx_step (SEMPER_MERCHANT (user_data), request, TRUE);
}

static SemperCommResponse *
fx_m3_cb (SemperCommServer  *server,
          SemperCommRequest *request,
          gpointer           user_data)
{
  return fx_step (SEMPER_MERCHANT (user_data), request, FALSE);
}

/* ---- POST /invoice: an account payment's invoice for an exchange -------------------- */

static SemperCommResponse *
invoice_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  static const char * const members[] = { "exchange", NULL };
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) invoice = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *b64 = NULL;
  const char *exchange = NULL, *owner;
  Session *session;
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_REQUEST;

  if (!require_type (request, SEMPER_COMM_CONTENT_TYPE_JSON, &error))
    return error_response (error);
  if (g_bytes_get_size (semper_comm_request_get_body (request)) > SEMPER_SHOP_MAX_REQUEST)
    return semper_comm_response_new_error (400, "invalid", _("The request is too large"));
  o = _semper_shop_parse_object (semper_comm_request_get_body (request), d, c, &error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "invoice request", d, c, &error)
      || !_semper_json_get_string (o, "exchange", 64, TRUE, "invoice request", &exchange, d, c,
                                   &error))
    return error_response (error);
  /* Only for an order (m1) this merchant has answered, at the order's price. */
  owner = g_hash_table_lookup (self->m1_sessions, exchange);
  session = owner != NULL ? g_hash_table_lookup (self->sessions, owner) : NULL;
  if (session == NULL || session->order_hash == NULL)
    return semper_comm_response_new_error (404, "not-found",
                                           _("No order of this merchant has that exchange"));
  invoice = _semper_merchant_payment_invoice (self->payment, exchange, &session->total,
                                              session->order_hash, &error);
  if (invoice == NULL)
    return error_response (error);
  b64 = _semper_shop_b64 (invoice);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "invoice", b64);
  json_builder_end_object (b);
  return json_response (b);
}

/* ---- POST /delivery: the buyer's signed delivery receipt (mail order) -------------- */

static SemperCommResponse *
delivery_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  static const char * const members[] = { "exchange", "receipt", NULL };
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) signed_doc = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  const char *exchange = NULL, *receipt = NULL, *owner;
  Session *session;
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_REQUEST;

  if (!require_type (request, SEMPER_COMM_CONTENT_TYPE_JSON, &error))
    return error_response (error);
  if (g_bytes_get_size (semper_comm_request_get_body (request)) > SEMPER_SHOP_MAX_REQUEST)
    return semper_comm_response_new_error (400, "invalid", _("The request is too large"));
  o = _semper_shop_parse_object (semper_comm_request_get_body (request), d, c, &error);
  if (o == NULL
      || !_semper_json_check_members (o, members, "delivery", d, c, &error)
      || !_semper_json_get_string (o, "exchange", 64, TRUE, "delivery", &exchange, d, c, &error)
      || !_semper_json_get_string (o, "receipt", 48 * 1024, TRUE, "delivery", &receipt, d, c,
                                   &error))
    return error_response (error);
  owner = g_hash_table_lookup (self->m1_sessions, exchange);
  session = owner != NULL ? g_hash_table_lookup (self->sessions, owner) : NULL;
  if (session == NULL)
    return semper_comm_response_new_error (404, "not-found",
                                           _("No order of this merchant has that exchange"));
  signed_doc = _semper_shop_unb64 (receipt, 32 * 1024, &error);
  if (signed_doc == NULL)
    return error_response (error);
  text = semper_cms_verify (signed_doc, self->trust, &signer, &error);
  if (text == NULL)
    return error_response (error);
  doc = semper_document_parse (text, &error);
  if (doc == NULL)
    return error_response (error);
  if (!g_str_equal (signer->fingerprint, session->buyer)
      || !g_str_equal (semper_document_get_kind (doc), "receipt")
      || g_strcmp0 (semper_document_get_field (doc, "Transaction"), exchange) != 0)
    return semper_comm_response_new_error (400, "invalid",
                                           _("Not the buyer's delivery receipt for this order"));
  if (!semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_BUYER,
                                  "statement/delivery-receipt", &error))
    return error_response (error);
  /* Kept as evidence that the order was delivered. */
  dir = g_build_filename (self->state_dir, "deliveries", NULL);
  path = g_strdup_printf ("%s/%s.p7m", dir, exchange);
  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_file_set_contents_full (path, g_bytes_get_data (signed_doc, NULL),
                                    (gssize) g_bytes_get_size (signed_doc),
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    return semper_comm_response_new_error (500, "failed", _("Could not store the receipt"));
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accepted");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  return json_response (b);
}

/* ---- POST /register, POST /present ------------------------------------------------ */

/* Verifies a buyer's signed request and parses its JSON; @type is its "type". */
static JsonObject *
buyer_request (SemperMerchant     *self,
               SemperCommRequest  *request,
               const char         *type,
               const char * const *members,
               SemperSignerInfo  **out_signer,
               GError            **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(JsonObject) o = NULL;
  const char *t = NULL;
  gint64 version = 0;
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_REQUEST;

  if (!require_type (request, SEMPER_COMM_CONTENT_TYPE_CMS, error))
    return NULL;
  content = semper_cms_verify (semper_comm_request_get_body (request), self->trust, out_signer,
                               error);
  if (content == NULL)
    return NULL;
  o = _semper_shop_parse_object (content, d, c, error);
  if (o == NULL
      || !_semper_json_check_members (o, members, type, d, c, error)
      || !_semper_json_get_string (o, "type", 64, TRUE, type, &t, d, c, error)
      || !_semper_json_get_int (o, "version", 1, 1, TRUE, 0, type, &version, d, c, error))
    return NULL;
  if (!g_str_equal (t, type))
    {
      g_set_error (error, d, c, _("Expected a %s"), type);
      return NULL;
    }
  return g_steal_pointer (&o);
}

static SemperCommResponse *
register_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  static const char * const members[] = { "type", "version", "service", "name", NULL };
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) credential = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *serial_hex = NULL, *b64 = NULL;
  SemperShopCredential c = { 0 };
  const SemperServiceOffer *offer = NULL;
  const char *service = NULL, *name = NULL;
  MerchantService *svc;
  Session *session;
  guint8 serial[16];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  o = buyer_request (self, request, "semper-registration", members, &signer, &error);
  if (o == NULL
      || !_semper_json_get_string (o, "service", 64, TRUE, "registration", &service,
                                   SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_REQUEST, &error)
      || !_semper_json_get_string (o, "name", 200, TRUE, "registration", &name,
                                   SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_REQUEST, &error))
    return error_response (error);
  svc = find_service (self, service, &error);
  if (svc == NULL)
    return error_response (error);
  for (guint i = 0; i < semper_service_get_n_offers (svc->service); i++)
    if (g_str_equal (semper_service_get_offer (svc->service, i)->kind, "registration"))
      offer = semper_service_get_offer (svc->service, i);
  session = session_new (self, svc, &error);
  if (session == NULL)
    return error_response (error);
  session->buyer = g_strdup (signer->fingerprint);
  if (offer == NULL
      || !semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_BUYER,
                                     "statement/registration", &error)
      || !semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT,
                                    "credential", &error))
    {
      g_hash_table_remove (self->sessions, session->id);
      if (error == NULL)
        g_set_error (&error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_NOT_ALLOWED,
                     _("This service has no registration"));
      return error_response (error);
    }
  if (!semper_random_bytes (serial, sizeof serial, &error))
    return error_response (error);
  serial_hex = semper_protocol_hex (serial, sizeof serial);
  c.service = (char *) service;
  c.kind = (char *) "membership";
  c.offer = offer->id;
  c.title = offer->title;
  c.holder = signer->fingerprint;
  c.serial = serial_hex;
  c.not_before = now;
  c.not_after = now + (gint64) 3650 * 24 * 3600;
  credential = _semper_shop_credential_make (self->crypto, &c, &error);
  if (credential == NULL
      || !semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT,
                                     "credential", &error))
    return error_response (error);
  b64 = _semper_shop_b64 (credential);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "session", session->id);
  add_string (b, "message", "credential");
  add_string (b, "credential", b64);
  json_builder_end_object (b);
  return json_response (b);
}

static SemperCommResponse *
present_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  static const char * const members[] = {
    "type", "version", "service", "credential", "item", "session", NULL
  };
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GBytes) cred_bytes = NULL;
  g_autoptr(SemperShopCredential) cred = NULL;
  g_autoptr(GBytes) signed_item = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *b64 = NULL;
  const char *service = NULL, *cred_text = NULL, *item = NULL, *session_id = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  MerchantService *svc;
  Session *session;
  GBytes *content;
  GQuark d = SEMPER_MERCHANT_ERROR;
  int c = SEMPER_MERCHANT_ERROR_REQUEST;

  o = buyer_request (self, request, "semper-presentation", members, &signer, &error);
  if (o == NULL
      || !_semper_json_get_string (o, "service", 64, TRUE, "presentation", &service, d, c,
                                   &error)
      || !_semper_json_get_string (o, "credential", 64 * 1024, TRUE, "presentation",
                                   &cred_text, d, c, &error)
      || !_semper_json_get_string (o, "item", 64, TRUE, "presentation", &item, d, c, &error)
      || !_semper_json_get_string (o, "session", 32, FALSE, "presentation", &session_id, d, c,
                                   &error))
    return error_response (error);
  svc = find_service (self, service, &error);
  if (svc == NULL)
    return error_response (error);
  cred_bytes = _semper_shop_unb64 (cred_text, 48 * 1024, &error);
  if (cred_bytes == NULL)
    return error_response (error);
  cred = _semper_shop_credential_verify (cred_bytes, self->trust, &error);
  if (cred == NULL)
    return error_response (error);
  if (!g_str_equal (cred->issuer, self->fingerprint) || !g_str_equal (cred->service, service)
      || !g_str_equal (cred->kind, "subscription"))
    return semper_comm_response_new_error (403, "not-allowed",
                                           _("This credential is not a subscription of this "
                                             "service"));
  if (!g_str_equal (cred->holder, signer->fingerprint))
    return semper_comm_response_new_error (403, "not-allowed",
                                           _("The credential belongs to someone else"));
  if (now < cred->not_before || now > cred->not_after)
    return semper_comm_response_new_error (403, "expired",
                                           _("The subscription is not valid now"));
  content = g_hash_table_lookup (svc->member_items, item);
  if (content == NULL)
    return semper_comm_response_new_error (404, "not-found", _("No such member item"));

  if (session_id != NULL)
    {
      session = find_session (self, session_id, &error);
      if (session == NULL)
        return error_response (error);
      if (session->svc != svc || g_strcmp0 (session->buyer, signer->fingerprint) != 0)
        return semper_comm_response_new_error (409, "not-allowed",
                                               _("The session belongs to another buyer"));
    }
  else
    {
      g_autoptr(SemperFlowCursor) cursor = NULL;
      const char *fx_step = NULL;

      /* A valid subscription proves the flow up to its fair exchange. */
      for (guint i = 0; i < semper_service_get_n_steps (svc->service); i++)
        {
          const SemperServiceStep *st = semper_service_get_step (svc->service, i);

          if (st->kind == SEMPER_SERVICE_STEP_FAIR_EXCHANGE
              && g_strcmp0 (st->merchant_gives, "credential") == 0)
            fx_step = st->id;
        }
      if (fx_step == NULL)
        return semper_comm_response_new_error (409, "not-allowed",
                                               _("This service issues no subscriptions"));
      cursor = semper_flow_cursor_new_at (svc->service, fx_step, 4, &error);
      if (cursor == NULL)
        return error_response (error);
      session = session_new (self, svc, &error);
      if (session == NULL)
        return error_response (error);
      session->buyer = g_strdup (signer->fingerprint);
      g_set_object (&session->cursor, cursor);
    }
  if (!semper_flow_cursor_check (session->cursor, SEMPER_SERVICE_PARTY_BUYER, "credential",
                                 &error))
    return error_response (error);
  signed_item = semper_cms_sign_message (self->crypto, content, &error);
  if (signed_item == NULL
      || !semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_BUYER, "credential",
                                     &error)
      || !semper_flow_cursor_accept (session->cursor, SEMPER_SERVICE_PARTY_MERCHANT, "goods",
                                     &error))
    return error_response (error);
  b64 = _semper_shop_b64 (signed_item);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "session", session->id);
  add_string (b, "message", "goods");
  add_string (b, "goods", b64);
  json_builder_end_object (b);
  return json_response (b);
}

/* ---- recovery: fair exchanges the TTP resolved while the merchant was away -------- */

typedef struct {
  SemperCommRequest *request;  /* (nullable): the POST /fx/recover that asked */
} RecoverJob;

/* Collects every exchange that sent m2, got no m3 and was resolved by the
 * buyer at the TTP (semper_fx_merchant_recover): at start, every
 * RECOVER_INTERVAL_SECONDS, and on POST /fx/recover (tests, operators). */
static void
recover_run (gpointer data,
             gpointer user_data)
{
  RecoverJob *job = data;
  SemperMerchant *self = user_data;
  g_autoptr(GError) error = NULL;
  int paid;

  if (job->request == NULL)
    {
      g_mutex_lock (&self->recover_lock);
      self->recover_queued = FALSE;
      g_mutex_unlock (&self->recover_lock);
    }
  paid = semper_fx_merchant_recover (self->fx, self->ttp_url, &error);
  if (paid > 0)
    g_message ("Collected %d fair exchange(s) the TTP resolved", paid);
  if (job->request != NULL)
    {
      SemperCommResponse *response;

      if (paid < 0)
        response = semper_comm_response_new_error (502, "unreachable", error->message);
      else
        {
          char *text = g_strdup_printf ("{\"paid\":%d}", paid);
          g_autoptr(GBytes) body = g_bytes_new_take (text, strlen (text));

          response = semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
        }
      semper_comm_request_respond (job->request, response);
      semper_comm_request_unref (job->request);
    }
  else if (paid < 0)
    g_message ("Recovering fair exchanges: %s", error->message);
  g_free (job);
}

static void
recover_queue (SemperMerchant *self)
{
  gboolean queue;

  g_mutex_lock (&self->recover_lock);
  queue = !self->recover_queued;
  self->recover_queued = TRUE;
  g_mutex_unlock (&self->recover_lock);
  if (queue)
    g_thread_pool_push (self->recover_pool, g_new0 (RecoverJob, 1), NULL);
}

static gboolean
recover_timer_cb (gpointer user_data)
{
  recover_queue (user_data);
  return G_SOURCE_CONTINUE;
}

static SemperCommResponse *
recover_cb (SemperCommServer  *server,
            SemperCommRequest *request,
            gpointer           user_data)
{
  SemperMerchant *self = user_data;
  RecoverJob *job = g_new0 (RecoverJob, 1);

  job->request = semper_comm_request_ref (request);
  g_thread_pool_push (self->recover_pool, job, NULL);
  return NULL;   /* answered from the worker */
}

/* ---- the role -------------------------------------------------------------------- */

GObject *
semper_merchant_role_setup (SemperCommServer         *server,
                            const SemperRoleOptions  *options,
                            GError                  **error)
{
  g_autoptr(SemperMerchant) self = g_object_new (SEMPER_TYPE_MERCHANT, NULL);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(GPtrArray) systems = g_ptr_array_new ();
  const char *deviate = g_getenv ("SEMPER_TEST_MERCHANT_DEVIATE");

  if (options->config_file == NULL)
    {
      g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG,
                   _("The merchant needs --config FILE (docs/merchant.md)"));
      return NULL;
    }
  self->profile = semper_profile_open (options->state_dir, SEMPER_PROFILE_OPEN_DEFAULT,
                                       options->password_func, options->password_data, error);
  if (self->profile == NULL)
    return NULL;
  self->crypto = semper_profile_get_crypto (self->profile);
  self->trust = semper_profile_dup_trust (self->profile, error);
  if (self->trust == NULL)
    return NULL;
  cert = semper_crypto_dup_certificate (self->crypto);
  if (cert == NULL)
    {
      g_set_error (error, SEMPER_MERCHANT_ERROR, SEMPER_MERCHANT_ERROR_CONFIG,
                   _("The merchant's state %s has no certificate"), options->state_dir);
      return NULL;
    }
  info = semper_trust_check_role (self->trust, cert, SEMPER_ROLE_MERCHANT, error);
  if (info == NULL)
    return NULL;
  self->fingerprint = g_strdup (info->fingerprint);
  self->name = g_strdup (info->common_name);
  self->state_dir = g_strdup (options->state_dir);
  if (deviate != NULL && *deviate != '\0')
    self->deviate = g_strdup (deviate);

  if (!load_config (self, options->config_file, error))
    return NULL;
  db_path = g_build_filename (options->state_dir, "fx.db", NULL);
  self->fx = semper_fx_merchant_new (self->crypto, self->trust, self->ttp_cert, db_path, error);
  if (self->fx == NULL)
    return NULL;
  self->payment = _semper_merchant_payment_new (self->fx, self->crypto, self->trust,
                                                self->bank_url, db_path, systems, error);
  if (self->payment == NULL)
    return NULL;
  g_ptr_array_add (systems, NULL);
  self->systems = g_strdupv ((char **) systems->pdata);
  self->services_answer = make_services_answer (self);

  semper_comm_server_add_route (server, "GET", "/services", services_cb, self, NULL);
  semper_comm_server_add_route (server, "GET", "/catalog", catalog_cb, self, NULL);
  semper_comm_server_add_route (server, "GET", "/catalog/export", catalog_export_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/offer", offer_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/fx/m1", fx_m1_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/fx/m3", fx_m3_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/invoice", invoice_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/delivery", delivery_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/register", register_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/present", present_cb, self, NULL);
  semper_comm_server_add_route (server, "POST", "/fx/recover", recover_cb, self, NULL);
  self->recover_pool = g_thread_pool_new (recover_run, self, 1, FALSE, error);
  if (self->recover_pool == NULL)
    return NULL;
  /* At start: the exchanges interrupted by a crash or stop, resolved at the TTP meanwhile. */
  recover_queue (self);
  if (self->recover_interval > 0)
    self->recover_timer = g_timeout_add_seconds ((guint) self->recover_interval,
                                                 recover_timer_cb, self);
  {
    g_autoptr(GPtrArray) templates =
      g_ptr_array_new_with_free_func ((GDestroyNotify) semper_contract_template_free);

    for (guint i = 0; i < self->services->len; i++)
      {
        MerchantService *svc = g_ptr_array_index (self->services, i);
        GHashTableIter iter;
        gpointer key, value;

        g_hash_table_iter_init (&iter, svc->contracts);
        while (g_hash_table_iter_next (&iter, &key, &value))
          {
            SemperContractTemplate *t = g_new0 (SemperContractTemplate, 1);

            t->name = g_strdup_printf ("%s/%s", semper_service_get_id (svc->service),
                                       (const char *) key);
            t->text = g_bytes_ref (value);
            g_ptr_array_add (templates, t);
          }
      }
    /* The merchant signs contracts only with its operator's consent, written
     * down as the templates of its configuration (docs/decisions.md). */
    if (templates->len > 0)
      {
        self->contracts = _semper_merchant_contracts_new (server, self->profile, self->ttp_url,
                                                          templates, self->state_dir, error);
        if (self->contracts == NULL)
          return NULL;
      }
  }
  return G_OBJECT (g_steal_pointer (&self));
}
