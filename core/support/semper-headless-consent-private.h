/* semper-headless-consent-private.h: a test hook of the headless consent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-headless-consent.h"

G_BEGIN_DECLS

void _semper_headless_consent_set_terminal (SemperHeadlessConsent *self,
                                            FILE                  *in,
                                            FILE                  *out);

G_END_DECLS
