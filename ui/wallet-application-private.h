/* wallet-application-private.h: a hook for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wallet-application.h"

G_BEGIN_DECLS

/* Show the main window without opening a profile first (tests of the
 * windows themselves: tests/ui/test-window.c). */
void _wallet_application_set_skip_profile (WalletApplication *self,
                                           gboolean           skip);

/* Use @profile as if the password prompt had opened it (tests of the pages
 * that need a profile: tests/ui/test-shop.c). */
void _wallet_application_set_profile      (WalletApplication *self,
                                           SemperProfile     *profile);

G_END_DECLS
