/* wallet-trusted-display.h: the window that shows exactly what the user's key signs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-consent.h"
#include "semper-money.h"
#include "semper-trust.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_TRUSTED_DISPLAY_PENDING,    /* the user has not decided yet */
  WALLET_TRUSTED_DISPLAY_SIGNED,     /* the user pressed Sign: a consent was made */
  WALLET_TRUSTED_DISPLAY_CANCELLED,  /* Cancel, the close button, or the caller cancelled */
} WalletTrustedDisplayOutcome;

#define WALLET_TYPE_TRUSTED_DISPLAY (wallet_trusted_display_get_type ())

G_DECLARE_FINAL_TYPE (WalletTrustedDisplay, wallet_trusted_display,
                      WALLET, TRUSTED_DISPLAY, AdwWindow)

WalletTrustedDisplay       *wallet_trusted_display_new          (GBytes               *document,
                                                                 const char           *purpose,
                                                                 SemperSignerInfo     *counterparty,
                                                                 const SemperAmount   *threshold,
                                                                 GError              **error);
GBytes                      *wallet_trusted_display_get_document (WalletTrustedDisplay *self);
GPtrArray                   *wallet_trusted_display_get_findings (WalletTrustedDisplay *self);
gboolean                     wallet_trusted_display_is_refused   (WalletTrustedDisplay *self);
gboolean                     wallet_trusted_display_get_can_sign (WalletTrustedDisplay *self);
WalletTrustedDisplayOutcome  wallet_trusted_display_get_outcome  (WalletTrustedDisplay *self);
SemperConsent               *wallet_trusted_display_dup_consent  (WalletTrustedDisplay *self);
void                         wallet_trusted_display_cancel       (WalletTrustedDisplay *self);

G_END_DECLS
