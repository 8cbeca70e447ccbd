/* fuzz-bank-config.c: the bank's configuration (docs/bank.md), read by
 * semper_bank_new() at every start: a bank in memory (SQLite ":memory:")
 * with a certificate of role bank made once, given the input as its config.
 * Every denomination a config asks for costs an RSA key, so inputs that parse
 * run slowly; the parser itself is what the target is for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-bank.h"
#include "semper-crypto.h"
#include "semper-trust.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static SemperCrypto *bank;
static SemperTrust *trust;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("fuzz");
}

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fuzz-bank-config-XXXXXX", &error);
  g_autofree char *ca_dir = NULL;
  g_autofree char *bank_dir = NULL;
  g_autoptr(SemperCrypto) ca = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_assert_no_error (error);
  ca_dir = g_build_filename (dir, "ca", NULL);
  bank_dir = g_build_filename (dir, "bank", NULL);
  ca = semper_crypto_open (ca_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (ca, &error));
  g_assert_true (semper_crypto_make_root (ca, "Fuzz CA", 30, &error));
  root = semper_crypto_dup_certificate (ca);
  trust = semper_trust_new (root, &error);
  g_assert_no_error (error);
  bank = semper_crypto_open (bank_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (bank, &error));
  csr = semper_crypto_create_csr (bank, "bank", SEMPER_ROLE_BANK, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, SEMPER_ROLE_BANK, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (bank, cert, &error));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) config = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperBank) self = NULL;

  if (bank == NULL)
    set_up ();
  self = semper_bank_new (bank, trust, ":memory:", config, &error);
  g_assert_true ((self == NULL) != (error == NULL));
  if (self != NULL)
    {
      /* What it accepted, it publishes signed and parseable. */
      g_autoptr(GBytes) denominations = semper_bank_dup_denominations (self);

      g_assert_nonnull (denominations);
    }
  return 0;
}
