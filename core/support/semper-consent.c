/* semper-consent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-consent-private.h"

#include <string.h>

G_DEFINE_QUARK (semper-consent-error-quark, semper_consent_error)

/* The process's one consent provider (semper_consent_register_provider()).
 * Registered once and kept to the end of the process. */
static GMutex             provider_lock;
static SemperConsentPort *provider;
static char              *provider_origin;
static GMainContext      *provider_context;
static GThread           *provider_thread;

struct _SemperConsent
{
  GObject    parent_instance;

  guint8     digest[32];
  char      *origin;
  GDateTime *time;
  gboolean   used;
};

G_DEFINE_FINAL_TYPE (SemperConsent, semper_consent, G_TYPE_OBJECT)

static void
semper_consent_finalize (GObject *object)
{
  SemperConsent *self = SEMPER_CONSENT (object);

  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->time, g_date_time_unref);

  G_OBJECT_CLASS (semper_consent_parent_class)->finalize (object);
}

static void
semper_consent_class_init (SemperConsentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_consent_finalize;
}

static void
semper_consent_init (SemperConsent *self)
{
}

static void
digest_bytes (GBytes *bytes,
              guint8  out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_checksum_update (sum, data, size);
  g_checksum_get_digest (sum, out, &len);
}

static gboolean
origin_is_registered (const char  *origin,
                      GError     **error)
{
  gboolean ok;

  g_mutex_lock (&provider_lock);
  ok = provider_origin != NULL && g_str_equal (provider_origin, origin);
  g_mutex_unlock (&provider_lock);

  if (!ok)
    g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER,
                 "Only the consent provider registered at start-up makes consents; "
                 "“%s” is not it", origin);
  return ok;
}

SemperConsent *
_semper_consent_new (GBytes      *document,
                     const char  *origin,
                     GError     **error)
{
  SemperConsent *self;

  g_return_val_if_fail (document != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);

  if (!origin_is_registered (origin, error))
    return NULL;

  self = g_object_new (SEMPER_TYPE_CONSENT, NULL);
  digest_bytes (document, self->digest);
  self->origin = g_strdup (origin);
  self->time = g_date_time_new_now_utc ();

  return self;
}

/**
 * semper_consent_get_digest:
 *
 * Returns: (transfer none): the SHA-256 of the bytes the user agreed to sign.
 */
const guint8 *
semper_consent_get_digest (SemperConsent *self,
                           gsize         *len)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT (self), NULL);

  if (len)
    *len = sizeof self->digest;
  return self->digest;
}

const char *
semper_consent_get_origin (SemperConsent *self)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT (self), NULL);
  return self->origin;
}

/**
 * semper_consent_get_time:
 *
 * Returns: (transfer none): when the user agreed.
 */
GDateTime *
semper_consent_get_time (SemperConsent *self)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT (self), NULL);
  return self->time;
}

gboolean
semper_consent_is_used (SemperConsent *self)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT (self), FALSE);
  return self->used;
}

/**
 * semper_consent_consume:
 * @content: the exact bytes about to be signed
 *
 * Checks that this consent was made for @content and has not signed anything
 * yet, and marks it used. The signer calls this immediately before signing.
 *
 * Returns: %TRUE if @content may be signed now.
 */
gboolean
semper_consent_consume (SemperConsent  *self,
                        GBytes         *content,
                        GError        **error)
{
  guint8 digest[32];
  guint diff = 0;

  g_return_val_if_fail (SEMPER_IS_CONSENT (self), FALSE);
  g_return_val_if_fail (content != NULL, FALSE);

  /* Consents are only made for the registered provider's origin, and that
   * never changes; checked again where the key is about to be used. */
  if (!origin_is_registered (self->origin, error))
    return FALSE;

  if (self->used)
    {
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_USED,
                           "This consent has already been used to sign");
      return FALSE;
    }

  digest_bytes (content, digest);
  for (guint i = 0; i < sizeof digest; i++)
    diff |= digest[i] ^ self->digest[i];

  if (diff != 0)
    {
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_MISMATCH,
                           "The document to sign differs from the one the user agreed to");
      return FALSE;
    }

  self->used = TRUE;
  return TRUE;
}

G_DEFINE_INTERFACE (SemperConsentPort, semper_consent_port, G_TYPE_OBJECT)

static void
semper_consent_port_default_init (SemperConsentPortInterface *iface)
{
}

void
semper_consent_port_request_async (SemperConsentPort   *self,
                                   GBytes              *document,
                                   const char          *purpose,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SEMPER_IS_CONSENT_PORT (self));
  g_return_if_fail (document != NULL);

  SEMPER_CONSENT_PORT_GET_IFACE (self)->request_async (self, document, purpose,
                                                       cancellable, callback, user_data);
}

/**
 * semper_consent_port_request_finish:
 *
 * Returns: (transfer full): the consent, or %NULL with @error set
 *   (%SEMPER_CONSENT_ERROR_CANCELLED when the user declined).
 */
SemperConsent *
semper_consent_port_request_finish (SemperConsentPort  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT_PORT (self), NULL);

  return SEMPER_CONSENT_PORT_GET_IFACE (self)->request_finish (self, result, error);
}

/**
 * semper_consent_register_provider:
 * @provider: the consent port of this process
 * @origin: the origin its consents carry ("trusted-display", "headless-yes")
 *
 * Registers the process's one consent provider, at start-up, from the thread
 * whose main context the provider runs in. From then on consents are made
 * only with @origin, and semper_consent_request() asks @provider. A second
 * registration fails with %SEMPER_CONSENT_ERROR_ALREADY_REGISTERED, so that
 * nothing loaded later can put another way of consenting in its place.
 *
 * Returns: %TRUE if @provider is now the provider
 */
gboolean
semper_consent_register_provider (SemperConsentPort  *port,
                                  const char         *origin,
                                  GError            **error)
{
  g_return_val_if_fail (SEMPER_IS_CONSENT_PORT (port), FALSE);
  g_return_val_if_fail (origin != NULL && *origin != '\0', FALSE);

  g_mutex_lock (&provider_lock);
  if (provider != NULL)
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_ALREADY_REGISTERED,
                   "A consent provider (%s) is already registered; a process has only one",
                   provider_origin);
      g_mutex_unlock (&provider_lock);
      return FALSE;
    }
  provider = g_object_ref (port);
  provider_origin = g_strdup (origin);
  provider_context = g_main_context_ref_thread_default ();
  provider_thread = g_thread_self ();
  g_mutex_unlock (&provider_lock);

  return TRUE;
}

/**
 * semper_consent_dup_provider:
 *
 * Returns: (transfer full) (nullable): the registered provider
 */
SemperConsentPort *
semper_consent_dup_provider (void)
{
  SemperConsentPort *port;

  g_mutex_lock (&provider_lock);
  port = provider != NULL ? g_object_ref (provider) : NULL;
  g_mutex_unlock (&provider_lock);
  return port;
}

/**
 * semper_consent_get_provider_origin:
 *
 * Returns: (nullable): the registered provider's origin; it never changes
 *   once set, so the string lives as long as the process
 */
const char *
semper_consent_get_provider_origin (void)
{
  const char *origin;

  g_mutex_lock (&provider_lock);
  origin = provider_origin;
  g_mutex_unlock (&provider_lock);
  return origin;
}

typedef struct {
  SemperConsentPort *port;
  GTask             *task;
  GBytes            *document;
  char              *purpose;
} Start;

static void
start_free (Start *start)
{
  g_clear_object (&start->port);
  g_clear_object (&start->task);
  g_clear_pointer (&start->document, g_bytes_unref);
  g_free (start->purpose);
  g_free (start);
}

static void
provider_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GBytes *document = g_task_get_task_data (task);
  GError *error = NULL;
  SemperConsent *consent;
  guint8 digest[32];

  consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  if (consent == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  digest_bytes (document, digest);
  if (memcmp (digest, consent->digest, sizeof digest) != 0)
    {
      g_object_unref (consent);
      g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_MISMATCH,
                               "The consent provider answered for other bytes");
      return;
    }
  g_task_return_pointer (task, consent, g_object_unref);
}

/* Runs in the provider's main context. */
static gboolean
start_cb (gpointer user_data)
{
  Start *start = user_data;
  GCancellable *cancellable = g_task_get_cancellable (start->task);

  semper_consent_port_request_async (start->port, start->document, start->purpose,
                                     cancellable, provider_done_cb,
                                     g_steal_pointer (&start->task));
  return G_SOURCE_REMOVE;
}

/**
 * semper_consent_request_async:
 * @document: the exact bytes of a semper document
 * @purpose: what signing means ("order", "contract", …)
 *
 * Asks the registered provider (in its own main context, whichever thread
 * this is called from) to show @document and let the user decide. Fails with
 * %SEMPER_CONSENT_ERROR_NO_PROVIDER when none is registered.
 */
void
semper_consent_request_async (GBytes              *document,
                              const char          *purpose,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GMainContext) context = NULL;
  Start *start;

  g_return_if_fail (document != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, semper_consent_request_async);
  g_task_set_task_data (task, g_bytes_ref (document), (GDestroyNotify) g_bytes_unref);

  start = g_new0 (Start, 1);
  start->port = semper_consent_dup_provider ();
  if (start->port == NULL)
    {
      start_free (start);
      g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER,
                               "No consent provider is registered, so nothing can be signed");
      return;
    }
  start->task = g_steal_pointer (&task);
  start->document = g_bytes_ref (document);
  start->purpose = g_strdup (purpose);

  g_mutex_lock (&provider_lock);
  context = g_main_context_ref (provider_context);
  g_mutex_unlock (&provider_lock);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, start_cb, start,
                              (GDestroyNotify) start_free);
}

/**
 * semper_consent_request_finish:
 *
 * Returns: (transfer full): the consent for exactly the document asked for,
 *   or %NULL with @error set
 */
SemperConsent *
semper_consent_request_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  gboolean       done;
  SemperConsent *consent;
  GError        *error;
} SyncRequest;

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncRequest *sync = user_data;

  sync->consent = semper_consent_request_finish (result, &sync->error);
  sync->done = TRUE;
}

/**
 * semper_consent_request:
 * @cancellable: (nullable): cancel from the provider's thread
 *
 * The blocking form of semper_consent_request_async(), for a worker thread
 * that needs the user's consent in the middle of its work: the provider runs
 * in its own main context (the GUI's main thread), this thread waits. Called
 * from the provider's own thread, it iterates that main context until the
 * user has decided. The provider's thread must not be blocked waiting for
 * the caller meanwhile.
 *
 * Returns: (transfer full): the consent, or %NULL with @error set
 */
SemperConsent *
semper_consent_request (GBytes        *document,
                        const char    *purpose,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SyncRequest sync = { FALSE, NULL, NULL };
  g_autoptr(GMainContext) context = NULL;
  gboolean same_thread;

  g_return_val_if_fail (document != NULL, NULL);

  g_mutex_lock (&provider_lock);
  same_thread = provider != NULL && provider_thread == g_thread_self ();
  g_mutex_unlock (&provider_lock);

  /* Our answer comes back in this context: the provider's own when we are
   * its thread, otherwise a private one that only this call iterates. */
  context = same_thread ? g_main_context_ref_thread_default () : g_main_context_new ();
  g_main_context_push_thread_default (context);
  semper_consent_request_async (document, purpose, cancellable, sync_done_cb, &sync);
  while (!sync.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  if (sync.consent == NULL)
    g_propagate_error (error, sync.error);
  return sync.consent;
}
