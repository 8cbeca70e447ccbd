/* wallet-password-strength.h: a simple estimate of a new password's strength
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  WALLET_PASSWORD_VERY_WEAK,
  WALLET_PASSWORD_WEAK,
  WALLET_PASSWORD_FAIR,
  WALLET_PASSWORD_STRONG,
  WALLET_PASSWORD_VERY_STRONG,
} WalletPasswordStrength;

#define WALLET_PASSWORD_MIN_LENGTH 8

WalletPasswordStrength wallet_password_estimate       (const char             *password,
                                                       double                 *out_bits);
const char            *wallet_password_strength_label (WalletPasswordStrength  strength);

G_END_DECLS
