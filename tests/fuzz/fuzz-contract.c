/* fuzz-contract.c: the offline verifiers of an exported contract file
 * (semper_contract_verify) and a dispute file (semper_dispute_verify) on
 * arbitrary bytes. The first byte picks the verifier (even: contract, odd:
 * dispute). A CA root is made once per process in a temporary directory;
 * the constant password is for this harness only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "semper-contract-signing.h"
#include "semper-dispute.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SemperTrust *trust;
static GBytes *root;

static char *
fuzz_password_cb (gboolean retry,
                  gpointer user_data)
{
  return retry ? NULL : g_strdup ("fuzz harness only");
}

static void
setup (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-fuzz-contract-XXXXXX", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(SemperCrypto) ca = NULL;

  if (tmp == NULL)
    abort ();
  dir = g_build_filename (tmp, "ca", NULL);
  ca = semper_crypto_open (dir, TRUE, fuzz_password_cb, NULL, NULL, NULL);
  if (ca == NULL || !semper_crypto_generate_key (ca, NULL)
      || !semper_crypto_make_root (ca, "Fuzz CA", 30, NULL))
    abort ();
  root = semper_crypto_dup_certificate (ca);
  trust = semper_trust_new (root, NULL);
  if (trust == NULL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gsize initialised = 0;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GError) error = NULL;

  if (g_once_init_enter (&initialised))
    {
      setup ();
      g_once_init_leave (&initialised, 1);
    }
  if (size == 0)
    return 0;
  input = g_bytes_new (data + 1, size - 1);
  if (data[0] % 2 == 0)
    {
      g_autoptr(SemperContractInfo) info = semper_contract_verify (input, trust, &error);

      g_assert_true ((info == NULL) != (error == NULL));
    }
  else
    {
      g_autoptr(SemperDisputeInfo) info = semper_dispute_verify (input, root, NULL, NULL, &error);

      g_assert_true ((info == NULL) != (error == NULL));
    }
  return 0;
}
