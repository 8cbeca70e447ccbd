/* fuzz-cms.c: semper_cms_verify() and semper_cms_decrypt() on arbitrary bytes.
 *
 * A CA root and one certified profile are made once per process in a
 * temporary directory. The constant password is for this harness only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "semper-cms.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SemperTrust *trust;
static SemperCrypto *user;

static char *
fuzz_password_cb (gboolean retry,
                  gpointer user_data)
{
  return retry ? NULL : g_strdup ("fuzz harness only");
}

static SemperCrypto *
make_profile (const char *tmp,
              const char *name)
{
  g_autofree char *dir = g_build_filename (tmp, name, NULL);
  SemperCrypto *crypto = semper_crypto_open (dir, TRUE, fuzz_password_cb, NULL, NULL, NULL);

  if (crypto == NULL || !semper_crypto_generate_key (crypto, NULL))
    abort ();
  return crypto;
}

static void
setup (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-fuzz-cms-XXXXXX", NULL);
  g_autoptr(SemperCrypto) ca = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;

  if (tmp == NULL)
    abort ();
  ca = make_profile (tmp, "ca");
  if (!semper_crypto_make_root (ca, "Fuzz CA", 30, NULL))
    abort ();
  root = semper_crypto_dup_certificate (ca);
  trust = semper_trust_new (root, NULL);

  user = make_profile (tmp, "user");
  csr = semper_crypto_create_csr (user, "Fuzz User", SEMPER_ROLE_WALLET, NULL);
  cert = csr ? semper_crypto_issue_certificate (ca, csr, NULL, 30, NULL) : NULL;
  if (trust == NULL || cert == NULL || !semper_crypto_import_certificate (user, cert, NULL))
    abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gsize initialised = 0;
  g_autoptr(GBytes) input = g_bytes_new (data, size);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;

  if (g_once_init_enter (&initialised))
    {
      setup ();
      g_once_init_leave (&initialised, 1);
    }

  content = semper_cms_verify (input, trust, &signer, NULL);
  g_clear_pointer (&content, g_bytes_unref);
  content = semper_cms_verify (input, NULL, NULL, NULL);
  plain = semper_cms_decrypt (user, input, NULL);
  return 0;
}
