/* wallet-trusted-display-private.h: hooks for the tests of the trusted display.
 *
 * Only tests/ui/test-trusted-display.c includes this. The hooks let a test
 * drive the attention delay without sleeping and reach the widgets; none of
 * them can make Sign succeed unless every condition really holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wallet-trusted-display.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_INPUT_POINTER_PRESS,
  WALLET_INPUT_POINTER_RELEASE,
  WALLET_INPUT_KEY_PRESS,
  WALLET_INPUT_KEY_RELEASE,
} WalletInputKind;

void       _wallet_trusted_display_set_delay         (WalletTrustedDisplay *self,
                                                      guint                 delay_ms);
gboolean   _wallet_trusted_display_delay_pending     (WalletTrustedDisplay *self);
gboolean   _wallet_trusted_display_fire_delay        (WalletTrustedDisplay *self);
gboolean   _wallet_trusted_display_is_armed          (WalletTrustedDisplay *self);
gboolean   _wallet_trusted_display_seen_end          (WalletTrustedDisplay *self);
gboolean   _wallet_trusted_display_input             (WalletTrustedDisplay *self,
                                                      WalletInputKind       kind,
                                                      guint                 keyval);
GBytes    *_wallet_trusted_display_dup_shown_bytes   (WalletTrustedDisplay *self);
GtkWidget *_wallet_trusted_display_get_widget        (WalletTrustedDisplay *self,
                                                      const char           *name);

G_END_DECLS
