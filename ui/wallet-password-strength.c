/* wallet-password-strength.c: a simple estimate of a new password's strength
 *
 * Not a cracking model: an upper bound of the entropy from the character
 * classes used, where a character that repeats or continues a run of the
 * previous one (aaaa, 1234, dcba) counts one bit, and a handful of the most
 * common passwords count nothing. It errs on the generous side for
 * dictionary words, so the feedback also says that several unrelated words
 * are best. docs/decisions.md says why no library is used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-password-strength.h"

#include <glib/gi18n.h>

/* log2 without libm: whole bits by halving, the rest linearly (within
 * 0.09 bit, plenty for an estimate). */
static double
approx_log2 (double x)
{
  double bits = 0;

  while (x >= 2)
    {
      x /= 2;
      bits += 1;
    }
  return bits + (x - 1);
}

static const char * const common[] = {
  "password", "passwort", "motdepasse", "123456", "12345678", "123456789", "1234567890",
  "qwerty", "qwertz", "azerty", "letmein", "iloveyou", "admin", "welcome", "monkey",
  "dragon", "football", "baseball", "sunshine", "princess", "trustno1", "semper",
  "semperwallet", "wallet", "secret", "abc123", "000000", "111111", NULL
};

/**
 * wallet_password_estimate:
 * @password: the candidate, UTF-8
 * @out_bits: (out) (optional): the estimated entropy in bits
 *
 * Returns: the strength class; anything under %WALLET_PASSWORD_MIN_LENGTH
 *   characters is at most %WALLET_PASSWORD_WEAK.
 */
WalletPasswordStrength
wallet_password_estimate (const char *password,
                          double     *out_bits)
{
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, symbol = FALSE, other = FALSE;
  g_autofree char *folded = NULL;
  gunichar previous = 0;
  double pool = 0, bits = 0, per_char;
  glong length;
  WalletPasswordStrength strength;

  if (password == NULL || !g_utf8_validate (password, -1, NULL))
    password = "";

  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && g_ascii_islower (c))
        lower = TRUE;
      else if (c < 0x80 && g_ascii_isupper (c))
        upper = TRUE;
      else if (c < 0x80 && g_ascii_isdigit (c))
        digit = TRUE;
      else if (c < 0x80)
        symbol = TRUE;
      else
        other = TRUE;
    }
  pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0) +
         (other ? 100 : 0);
  per_char = pool > 1 ? approx_log2 (pool) : 0;

  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (previous != 0 && (c == previous || c == previous + 1 || c + 1 == previous))
        bits += 1;
      else
        bits += per_char;
      previous = c;
    }

  folded = g_utf8_casefold (password, -1);
  for (guint i = 0; common[i] != NULL; i++)
    if (g_str_equal (folded, common[i]))
      bits = 0;

  if (bits < 28)
    strength = WALLET_PASSWORD_VERY_WEAK;
  else if (bits < 36)
    strength = WALLET_PASSWORD_WEAK;
  else if (bits < 60)
    strength = WALLET_PASSWORD_FAIR;
  else if (bits < 80)
    strength = WALLET_PASSWORD_STRONG;
  else
    strength = WALLET_PASSWORD_VERY_STRONG;

  length = g_utf8_strlen (password, -1);
  if (length < WALLET_PASSWORD_MIN_LENGTH && strength > WALLET_PASSWORD_WEAK)
    strength = WALLET_PASSWORD_WEAK;

  if (out_bits != NULL)
    *out_bits = bits;
  return strength;
}

const char *
wallet_password_strength_label (WalletPasswordStrength strength)
{
  switch (strength)
    {
    case WALLET_PASSWORD_VERY_WEAK:
      return _("Very weak");
    case WALLET_PASSWORD_WEAK:
      return _("Weak");
    case WALLET_PASSWORD_FAIR:
      return _("Fair");
    case WALLET_PASSWORD_STRONG:
      return _("Strong");
    case WALLET_PASSWORD_VERY_STRONG:
    default:
      return _("Very strong");
    }
}
