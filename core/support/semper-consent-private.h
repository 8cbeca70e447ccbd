/* semper-consent-private.h: only consent ports include this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-consent.h"

G_BEGIN_DECLS

/* @origin names who asked the user: "trusted-display" or "headless-yes".
 * Fails with SEMPER_CONSENT_ERROR_NO_PROVIDER unless the provider registered
 * at start-up has that origin: in a process whose provider is the trusted
 * display, the headless path cannot make a consent, and the other way round. */
SemperConsent *_semper_consent_new (GBytes      *document,
                                    const char  *origin,
                                    GError     **error);

G_END_DECLS
