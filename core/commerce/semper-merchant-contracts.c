/* semper-merchant-contracts.c: the merchant's side of contract signing and the
 * operator's consent (semper-merchant-contracts.h, docs/merchant.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-merchant-contracts.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "semper-checker.h"
#include "semper-consent-private.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-json-private.h"

#define PLACEHOLDER_MAX 200       /* bytes of one filled-in placeholder */
#define SYNC_INTERVAL_SECONDS 2

void
semper_contract_template_free (SemperContractTemplate *t)
{
  if (t == NULL)
    return;
  g_free (t->name);
  g_clear_pointer (&t->text, g_bytes_unref);
  g_free (t);
}

/* ---- the operator's consent ---------------------------------------------------- */

typedef struct {
  char   *name;
  GRegex *pattern;
} Template;

struct _SemperOperatorConsent {
  GObject    parent_instance;

  GPtrArray *templates;   /* Template */
  char      *log_path;
  GMutex     lock;        /* the log */
};

static void semper_operator_consent_port_init (SemperConsentPortInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SemperOperatorConsent, semper_operator_consent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_CONSENT_PORT,
                                                      semper_operator_consent_port_init))

static void
template_free (gpointer data)
{
  Template *t = data;

  g_free (t->name);
  g_clear_pointer (&t->pattern, g_regex_unref);
  g_free (t);
}

static void
semper_operator_consent_finalize (GObject *object)
{
  SemperOperatorConsent *self = SEMPER_OPERATOR_CONSENT (object);

  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_free (self->log_path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (semper_operator_consent_parent_class)->finalize (object);
}

static void
semper_operator_consent_class_init (SemperOperatorConsentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_operator_consent_finalize;
}

static void
semper_operator_consent_init (SemperOperatorConsent *self)
{
  self->templates = g_ptr_array_new_with_free_func (template_free);
  g_mutex_init (&self->lock);
}

/* The template as an anchored pattern: its text literally, each {{name}} one
 * line of plain text (no control characters, 1…PLACEHOLDER_MAX bytes). */
static GRegex *
template_pattern (GBytes *text)
{
  g_autoptr(GString) re = g_string_new ("\\A");
  gsize len = 0;
  const char *data = g_bytes_get_data (text, &len);
  g_autofree char *copy = g_strndup (data, len);
  const char *p = copy;

  while (*p != '\0')
    {
      const char *open = strstr (p, "{{");
      const char *close = open != NULL ? strstr (open + 2, "}}") : NULL;
      g_autofree char *literal = NULL;

      if (open == NULL || close == NULL)
        {
          literal = g_regex_escape_string (p, -1);
          g_string_append (re, literal);
          break;
        }
      literal = g_regex_escape_string (p, (gint) (open - p));
      g_string_append (re, literal);
      g_string_append_printf (re, "[^\\x00-\\x1f\\x7f]{1,%d}", PLACEHOLDER_MAX);
      p = close + 2;
    }
  g_string_append (re, "\\z");
  return g_regex_new (re->str, G_REGEX_OPTIMIZE, 0, NULL);
}

SemperOperatorConsent *
semper_operator_consent_new (GPtrArray  *templates,
                             const char *log_path)
{
  SemperOperatorConsent *self = g_object_new (SEMPER_TYPE_OPERATOR_CONSENT, NULL);

  for (guint i = 0; templates != NULL && i < templates->len; i++)
    {
      SemperContractTemplate *src = g_ptr_array_index (templates, i);
      Template *t = g_new0 (Template, 1);

      t->name = g_strdup (src->name);
      t->pattern = template_pattern (src->text);
      if (t->pattern == NULL)
        {
          template_free (t);
          continue;
        }
      g_ptr_array_add (self->templates, t);
    }
  self->log_path = g_strdup (log_path);
  return self;
}

const char *
semper_operator_consent_match (SemperOperatorConsent  *self,
                               GBytes                 *text,
                               GError                **error)
{
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(SemperChecker) checker = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *copy = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (text, &len);

  g_return_val_if_fail (SEMPER_IS_OPERATOR_CONSENT (self), NULL);

  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize) len, NULL))
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("The contract is not UTF-8 text"));
      return NULL;
    }
  doc = semper_document_parse (text, error);
  if (doc == NULL)
    return NULL;
  if (!g_str_equal (semper_document_get_kind (doc), "contract"))
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("The merchant's operator consents to contracts only"));
      return NULL;
    }
  /* What the trusted display would refuse, the operator refuses too. */
  checker = semper_checker_new (error);
  if (checker == NULL)
    return NULL;
  findings = semper_checker_check (checker, doc);
  if (semper_checker_findings_refuse (findings))
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("The document checker refuses the contract"));
      return NULL;
    }
  copy = g_strndup (data, len);
  for (guint i = 0; i < self->templates->len; i++)
    {
      Template *t = g_ptr_array_index (self->templates, i);

      if (g_regex_match (t->pattern, copy, 0, NULL))
        return t->name;
    }
  g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
               _("The contract is none of the templates the merchant's operator signs"));
  return NULL;
}

/* Appends one decision to the log, synced, before the answer leaves. */
static gboolean
record (SemperOperatorConsent  *self,
        GBytes                 *document,
        const char             *purpose,
        const char             *template_name,
        const GError           *refusal,
        GError                **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *hash = semper_sha256_hex (document);
  g_autofree char *line = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  FILE *f;
  gboolean ok;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "purpose");
  json_builder_add_string_value (b, purpose != NULL ? purpose : "");
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, hash);
  json_builder_set_member_name (b, "decision");
  json_builder_add_string_value (b, template_name != NULL ? "consent" : "refused");
  json_builder_set_member_name (b, template_name != NULL ? "template" : "reason");
  json_builder_add_string_value (b, template_name != NULL ? template_name : refusal->message);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  line = json_generator_to_data (gen, NULL);

  f = g_fopen (self->log_path, "ae");
  if (f == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not record the consent in %s: %s"), self->log_path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = fprintf (f, "%s\n", line) > 0 && fflush (f) == 0 && fsync (fileno (f)) == 0;
  ok = fclose (f) == 0 && ok;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("Could not record the consent in %s"), self->log_path);
  return ok;
}

static void
operator_request_async (SemperConsentPort   *port,
                        GBytes              *document,
                        const char          *purpose,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  SemperOperatorConsent *self = SEMPER_OPERATOR_CONSENT (port);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) refusal = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = semper_operator_consent_match (self, document, &refusal);
  SemperConsent *consent;

  if (!record (self, document, purpose, name, refusal, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (name == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&refusal));
      return;
    }
  consent = _semper_consent_new (document, SEMPER_OPERATOR_CONSENT_ORIGIN, &error);
  if (consent == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, consent, g_object_unref);
}

static SemperConsent *
operator_request_finish (SemperConsentPort  *port,
                         GAsyncResult       *result,
                         GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
semper_operator_consent_port_init (SemperConsentPortInterface *iface)
{
  iface->request_async = operator_request_async;
  iface->request_finish = operator_request_finish;
}

/* ---- the responder ------------------------------------------------------------- */

struct _SemperMerchantContracts {
  SemperContractSigning *signing;
  SemperOperatorConsent *consent;
  char                  *ttp_url;
  GThreadPool           *pool;      /* one thread: syncs run one after another */
  guint                  timer;
  GMutex                 lock;
  gboolean               queued;    /* a timer sync is waiting in the pool */
};

typedef struct {
  SemperCommRequest *request;  /* (nullable): the /contracts/sync that asked */
} Job;

/* Fetches new proposals, decides each through the registered provider, and
 * steps every unfinished exchange. Returns the exchanges' states. */
static JsonBuilder *
sync_once (SemperMerchantContracts  *self,
           GError                  **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GError) step_error = NULL;

  fresh = semper_contract_signing_fetch (self->signing, self->ttp_url, error);
  if (fresh == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "proposals");
  json_builder_begin_array (b);
  for (guint i = 0; i < fresh->len; i++)
    {
      const char *id = g_ptr_array_index (fresh, i);
      g_autoptr(GBytes) text = semper_contract_signing_dup_text (self->signing, id, NULL);
      g_autoptr(SemperConsent) consent = NULL;
      g_autoptr(GError) refusal = NULL;
      g_autofree char *state = NULL;

      if (text == NULL)
        continue;
      consent = semper_consent_request (text, "contract", NULL, &refusal);
      if (consent != NULL)
        {
          if (!semper_contract_signing_accept (self->signing, id, g_steal_pointer (&consent),
                                               &refusal))
            g_message ("Contract %s: could not accept: %s", id, refusal->message);
        }
      else
        {
          g_message ("Contract %s declined: %s", id, refusal->message);
          semper_contract_signing_decline (self->signing, id, NULL);
        }
      state = semper_contract_signing_dup_state (self->signing, id, NULL);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, state != NULL ? state : "");
      if (consent == NULL && refusal != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, refusal->message);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* m3 in the mailbox -> m4; a passed deadline -> resolve at the TTP. */
  if (!semper_contract_signing_resume (self->signing, &step_error))
    g_message ("Contracts: %s", step_error->message);
  json_builder_end_object (b);
  return g_steal_pointer (&b);
}

static void
job_run (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  SemperMerchantContracts *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = NULL;

  if (job->request == NULL)
    {
      g_mutex_lock (&self->lock);
      self->queued = FALSE;
      g_mutex_unlock (&self->lock);
    }
  b = sync_once (self, &error);
  if (job->request != NULL)
    {
      SemperCommResponse *response;

      if (b == NULL)
        response = semper_comm_response_new_error (502, "unreachable", error->message);
      else
        {
          g_autoptr(GBytes) body = semper_json_builder_to_bytes (b);

          response = semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
        }
      semper_comm_request_respond (job->request, response);
      semper_comm_request_unref (job->request);
    }
  else if (b == NULL)
    g_debug ("Contracts: %s", error->message);
  g_free (job);
}

static gboolean
timer_cb (gpointer user_data)
{
  SemperMerchantContracts *self = user_data;
  gboolean queue;

  g_mutex_lock (&self->lock);
  queue = !self->queued;
  self->queued = TRUE;
  g_mutex_unlock (&self->lock);
  if (queue)
    g_thread_pool_push (self->pool, g_new0 (Job, 1), NULL);
  return G_SOURCE_CONTINUE;
}

static SemperCommResponse *
sync_cb (SemperCommServer  *server,
         SemperCommRequest *request,
         gpointer           user_data)
{
  SemperMerchantContracts *self = user_data;
  Job *job = g_new0 (Job, 1);

  job->request = semper_comm_request_ref (request);
  g_thread_pool_push (self->pool, job, NULL);
  return NULL;   /* answered from the worker */
}

SemperMerchantContracts *
_semper_merchant_contracts_new (SemperCommServer  *server,
                                SemperProfile     *profile,
                                const char        *ttp_url,
                                GPtrArray         *templates,
                                const char        *state_dir,
                                GError           **error)
{
  SemperMerchantContracts *self = g_new0 (SemperMerchantContracts, 1);
  g_autofree char *log_path = g_build_filename (state_dir, "contract-consents.jsonl", NULL);

  g_mutex_init (&self->lock);
  self->consent = semper_operator_consent_new (templates, log_path);
  if (!semper_consent_register_provider (SEMPER_CONSENT_PORT (self->consent),
                                         SEMPER_OPERATOR_CONSENT_ORIGIN, error))
    {
      _semper_merchant_contracts_free (self);
      return NULL;
    }
  self->signing = semper_contract_signing_new (profile, error);
  if (self->signing == NULL)
    {
      _semper_merchant_contracts_free (self);
      return NULL;
    }
  self->ttp_url = g_strdup (ttp_url);
  self->pool = g_thread_pool_new (job_run, self, 1, FALSE, error);
  if (self->pool == NULL)
    {
      _semper_merchant_contracts_free (self);
      return NULL;
    }
  self->timer = g_timeout_add_seconds (SYNC_INTERVAL_SECONDS, timer_cb, self);
  semper_comm_server_add_route (server, "POST", "/contracts/sync", sync_cb, self, NULL);
  return self;
}

void
_semper_merchant_contracts_free (SemperMerchantContracts *self)
{
  if (self == NULL)
    return;
  if (self->timer != 0)
    g_source_remove (self->timer);
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->signing);
  g_clear_object (&self->consent);
  g_free (self->ttp_url);
  g_mutex_clear (&self->lock);
  g_free (self);
}
