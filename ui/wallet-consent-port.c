/* wallet-consent-port.c: the GUI's SemperConsentPort, backed by the trusted display
 *
 * Every request opens one WalletTrustedDisplay (one at a time: a second
 * request while one is open fails with G_IO_ERROR_BUSY, so that windows
 * asking for signatures never stack up). The user's decision, including
 * Cancel, is written to the archive's audit log when the port has an
 * archive; a consent whose record cannot be written is not handed out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-consent-port.h"

#include <glib/gi18n.h>

#include "semper-crypto.h"
#include "semper-prefs.h"

struct _WalletConsentPort
{
  GObject               parent_instance;

  GtkApplication       *application;   /* weak */
  SemperArchive        *archive;
  WalletTrustedDisplay *display;
  GTask                *task;
};

static void consent_port_iface_init (SemperConsentPortInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WalletConsentPort, wallet_consent_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_CONSENT_PORT,
                                                      consent_port_iface_init))

enum {
  SIGNAL_DISPLAY_OPENED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
record (WalletConsentPort  *self,
        const char         *kind,
        GBytes             *document,
        const char         *purpose,
        GError            **error)
{
  g_autofree char *hex = NULL;
  g_autofree char *detail = NULL;

  if (self->archive == NULL)
    return TRUE;

  hex = semper_sha256_hex (document);
  detail = g_strdup_printf ("{\"purpose\":\"%s\",\"sha256\":\"%s\",\"origin\":\"trusted-display\"}",
                            purpose, hex);
  return semper_archive_audit_append (self->archive, kind, detail, error) != 0;
}

static void
display_decided_cb (WalletConsentPort    *self,
                    WalletTrustedDisplay *display)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  /* Keeps @display alive to the end even if this was its last reference. */
  g_autoptr(WalletTrustedDisplay) owned = g_steal_pointer (&self->display);
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *document = wallet_trusted_display_get_document (display);
  const char *purpose = g_task_get_task_data (task);

  g_signal_handlers_disconnect_by_func (display, display_decided_cb, self);

  if (wallet_trusted_display_get_outcome (display) == WALLET_TRUSTED_DISPLAY_SIGNED)
    {
      consent = wallet_trusted_display_dup_consent (display);
      if (!record (self, "consent-given", document, purpose, &error))
        {
          g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                                   _("Could not record the consent, so nothing is signed: %s"),
                                   error->message);
          return;
        }
      g_task_return_pointer (task, g_steal_pointer (&consent), g_object_unref);
      return;
    }

  if (!record (self, wallet_trusted_display_is_refused (display) ?
               "consent-refused" : "consent-cancelled", document, purpose, &error))
    g_warning ("Could not record the cancelled signature: %s", error->message);

  if (wallet_trusted_display_is_refused (display))
    g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                             _("This document may not be signed: the trusted display "
                               "refuses it"));
  else
    g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
                             _("Signing cancelled"));
}

static void
cancelled_cb (WalletConsentPort *self)
{
  if (self->display != NULL)
    wallet_trusted_display_cancel (self->display);
}

/**
 * wallet_consent_port_request_full_async:
 * @document: the exact bytes of a semper document
 * @purpose: what signing means ("order", "contract", …)
 * @counterparty: (nullable): whom the document goes to, from its certificate
 *
 * Opens the trusted display for @document. Finish with
 * semper_consent_port_request_finish().
 */
void
wallet_consent_port_request_full_async (WalletConsentPort   *self,
                                        GBytes              *document,
                                        const char          *purpose,
                                        SemperSignerInfo    *counterparty,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPrefs) prefs = NULL;
  SemperAmount threshold;
  const SemperAmount *limit = NULL;
  WalletTrustedDisplay *display;

  g_return_if_fail (WALLET_IS_CONSENT_PORT (self));
  g_return_if_fail (document != NULL);

  if (purpose == NULL)
    purpose = "document";

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wallet_consent_port_request_full_async);
  g_task_set_task_data (task, g_strdup (purpose), g_free);
  /* A cancelled request ends as SEMPER_CONSENT_ERROR_CANCELLED, once recorded. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
                               _("Signing cancelled"));
      return;
    }

  if (self->display != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("The trusted display is already asking for another "
                                 "signature"));
      return;
    }

  if (self->archive != NULL)
    {
      prefs = semper_prefs_new (self->archive, &error);
      if (prefs == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      semper_prefs_get_display_threshold (prefs, &threshold);
      limit = &threshold;
    }

  display = wallet_trusted_display_new (document, purpose, counterparty, limit, &error);
  if (display == NULL)
    {
      record (self, "consent-refused", document, purpose, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->display = display;
  self->task = g_steal_pointer (&task);
  if (self->application != NULL)
    gtk_window_set_application (GTK_WINDOW (display), self->application);
  g_signal_connect_swapped (display, "decided", G_CALLBACK (display_decided_cb), self);
  /* Not g_cancellable_connect(): its handler may not disconnect itself, and
   * the decision it causes ends the request. */
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (cancelled_cb), self,
                             G_CONNECT_SWAPPED);

  g_signal_emit (self, signals[SIGNAL_DISPLAY_OPENED], 0, display);
  gtk_window_present (GTK_WINDOW (display));
}

/**
 * wallet_consent_port_get_display:
 *
 * Returns: (transfer none) (nullable): the trusted display asking now
 */
WalletTrustedDisplay *
wallet_consent_port_get_display (WalletConsentPort *self)
{
  g_return_val_if_fail (WALLET_IS_CONSENT_PORT (self), NULL);
  return self->display;
}

static void
port_request_async (SemperConsentPort   *port,
                    GBytes              *document,
                    const char          *purpose,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  wallet_consent_port_request_full_async (WALLET_CONSENT_PORT (port), document, purpose, NULL,
                                          cancellable, callback, user_data);
}

static SemperConsent *
port_request_finish (SemperConsentPort  *port,
                     GAsyncResult       *result,
                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, port), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
consent_port_iface_init (SemperConsentPortInterface *iface)
{
  iface->request_async = port_request_async;
  iface->request_finish = port_request_finish;
}

static void
wallet_consent_port_dispose (GObject *object)
{
  WalletConsentPort *self = WALLET_CONSENT_PORT (object);

  if (self->display != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->display, display_decided_cb, self);
      wallet_trusted_display_cancel (self->display);
      g_clear_object (&self->display);
    }
  if (self->task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_task_return_new_error (task, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
                               _("Signing cancelled"));
    }
  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->archive);

  G_OBJECT_CLASS (wallet_consent_port_parent_class)->dispose (object);
}

static void
wallet_consent_port_class_init (WalletConsentPortClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wallet_consent_port_dispose;

  /**
   * WalletConsentPort::display-opened:
   * @display: the trusted display, about to be presented
   */
  signals[SIGNAL_DISPLAY_OPENED] =
    g_signal_new ("display-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, WALLET_TYPE_TRUSTED_DISPLAY);
}

static void
wallet_consent_port_init (WalletConsentPort *self)
{
}

/**
 * wallet_consent_port_new:
 * @application: (nullable): the application the displays belong to
 * @archive: (nullable): where decisions are recorded and the amount limit is read
 *
 * Returns: (transfer full): a consent port
 */
WalletConsentPort *
wallet_consent_port_new (GtkApplication *application,
                         SemperArchive  *archive)
{
  WalletConsentPort *self = g_object_new (WALLET_TYPE_CONSENT_PORT, NULL);

  g_set_weak_pointer (&self->application, application);
  self->archive = archive ? g_object_ref (archive) : NULL;
  return self;
}

/**
 * wallet_consent_port_set_archive:
 * @archive: (nullable): where decisions are recorded from now on
 *
 * The port is made (and registered as the process's consent provider) at
 * start-up, before the profile is open; the archive comes later.
 */
void
wallet_consent_port_set_archive (WalletConsentPort *self,
                                 SemperArchive     *archive)
{
  g_return_if_fail (WALLET_IS_CONSENT_PORT (self));

  g_set_object (&self->archive, archive);
}
