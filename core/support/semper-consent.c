/* semper-consent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-consent-private.h"

G_DEFINE_QUARK (semper-consent-error-quark, semper_consent_error)

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

SemperConsent *
_semper_consent_new (GBytes     *document,
                     const char *origin)
{
  SemperConsent *self;

  g_return_val_if_fail (document != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);

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
