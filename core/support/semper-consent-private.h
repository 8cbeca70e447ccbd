/* semper-consent-private.h: only consent ports include this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-consent.h"

G_BEGIN_DECLS

/* @origin names who asked the user: "trusted-display" or "headless-yes". */
SemperConsent *_semper_consent_new (GBytes     *document,
                                    const char *origin);

G_END_DECLS
