/* semper-consent.h: the user's consent to sign one exact byte string.
 *
 * DESIGN.md rules 1 and 2: core signs a user document only when handed a
 * SemperConsent made for the SHA-256 of those exact bytes. Consents are made
 * only by an implementation of SemperConsentPort: the trusted display in ui/,
 * or the headless `--yes` path of `semper`, both after showing the whole
 * document. The constructor is in semper-consent-private.h on purpose, and
 * it makes a consent only for the provider that the process registered once,
 * at start-up, with semper_consent_register_provider(): the trusted display
 * in semper-wallet, the headless port in semper. A consent that anything else
 * made cannot sign (docs/trusted-display.md, "One provider per process").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_CONSENT_ERROR (semper_consent_error_quark ())

typedef enum {
  SEMPER_CONSENT_ERROR_CANCELLED,   /* the user said no, or closed the display */
  SEMPER_CONSENT_ERROR_REFUSED,     /* the document may not be signed at all */
  SEMPER_CONSENT_ERROR_MISMATCH,    /* consent was made for other bytes */
  SEMPER_CONSENT_ERROR_USED,        /* a consent signs once */
  SEMPER_CONSENT_ERROR_NO_PROVIDER, /* not made by the provider registered at start-up */
  SEMPER_CONSENT_ERROR_ALREADY_REGISTERED, /* a second provider registration */
} SemperConsentError;

GQuark semper_consent_error_quark (void);

#define SEMPER_TYPE_CONSENT (semper_consent_get_type ())
G_DECLARE_FINAL_TYPE (SemperConsent, semper_consent, SEMPER, CONSENT, GObject)

const guint8 *semper_consent_get_digest   (SemperConsent *self,
                                           gsize         *len);
const char   *semper_consent_get_origin   (SemperConsent *self);
GDateTime    *semper_consent_get_time     (SemperConsent *self);
gboolean      semper_consent_is_used      (SemperConsent *self);
gboolean      semper_consent_consume      (SemperConsent *self,
                                           GBytes        *content,
                                           GError       **error);

/* The port through which core asks for a consent. */
#define SEMPER_TYPE_CONSENT_PORT (semper_consent_port_get_type ())
G_DECLARE_INTERFACE (SemperConsentPort, semper_consent_port, SEMPER, CONSENT_PORT, GObject)

/**
 * SemperConsentPortInterface:
 * @request_async: show @document (a semper document's exact bytes) with
 *   @purpose ("order", "contract", …) and let the user decide.
 */
struct _SemperConsentPortInterface
{
  GTypeInterface parent_iface;

  void           (*request_async)  (SemperConsentPort   *self,
                                    GBytes              *document,
                                    const char          *purpose,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
  SemperConsent *(*request_finish) (SemperConsentPort   *self,
                                    GAsyncResult        *result,
                                    GError             **error);
};

void           semper_consent_port_request_async  (SemperConsentPort   *self,
                                                   GBytes              *document,
                                                   const char          *purpose,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
SemperConsent *semper_consent_port_request_finish (SemperConsentPort   *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* The one consent provider of the process, registered once at start-up. */
gboolean           semper_consent_register_provider (SemperConsentPort    *provider,
                                                     const char           *origin,
                                                     GError              **error);
SemperConsentPort *semper_consent_dup_provider      (void);
const char        *semper_consent_get_provider_origin (void);
void               semper_consent_request_async     (GBytes               *document,
                                                     const char           *purpose,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
SemperConsent     *semper_consent_request_finish    (GAsyncResult         *result,
                                                     GError              **error);
SemperConsent     *semper_consent_request           (GBytes               *document,
                                                     const char           *purpose,
                                                     GCancellable         *cancellable,
                                                     GError              **error);

G_END_DECLS
