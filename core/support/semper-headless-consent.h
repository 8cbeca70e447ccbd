/* semper-headless-consent.h: the consent port of the headless `semper`.
 *
 * The twin of the trusted display for a terminal: it prints the whole
 * document (dangerous characters made visible), its SHA-256 and the
 * checker's findings, and creates a consent only when told to (`--yes`) or
 * when the user types "yes" at the terminal. It refuses exactly what the
 * trusted display refuses, whatever it is told. Given an archive, it records
 * every decision in the audit log, as the trusted display's port does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include "semper-consent.h"
#include "semper-types.h"

G_BEGIN_DECLS

typedef enum {
  SEMPER_HEADLESS_NEVER,          /* print, then decline: consent needs --yes */
  SEMPER_HEADLESS_ASK_TERMINAL,   /* print, then ask at the controlling terminal */
  SEMPER_HEADLESS_YES,            /* --yes: consent unless the checker found anything */
  SEMPER_HEADLESS_YES_ACCEPT_WARNINGS, /* --yes --accept-warnings: only REFUSE findings stop it */
} SemperHeadlessMode;

#define SEMPER_TYPE_HEADLESS_CONSENT (semper_headless_consent_get_type ())
G_DECLARE_FINAL_TYPE (SemperHeadlessConsent, semper_headless_consent,
                      SEMPER, HEADLESS_CONSENT, GObject)

SemperHeadlessConsent *semper_headless_consent_new     (FILE               *out,
                                                        SemperHeadlessMode  mode);
void                   semper_headless_consent_set_archive (SemperHeadlessConsent *self,
                                                            SemperArchive         *archive);
SemperConsent         *semper_headless_consent_request (SemperHeadlessConsent  *self,
                                                        GBytes                 *document,
                                                        const char             *purpose,
                                                        GError                **error);
char                  *semper_headless_escape          (const char             *text,
                                                        gssize                  len);
char                  *semper_headless_frame           (GBytes                 *document);

G_END_DECLS
