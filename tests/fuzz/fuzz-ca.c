/* fuzz-ca.c: what the CA and its clients parse from the network.
 *
 * The registration request (semper_ca_request_parse, then the CA's policy
 * and CSR checks), a DER member of a CA answer (semper_ca_client_parse_der)
 * and a revocation list (semper_trust_set_crl). One CA is made per process
 * in a temporary directory; the constant password is for this harness only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "semper-ca.h"
#include "semper-ca-client.h"
#include "semper-crypto.h"
#include "semper-trust.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SemperCa *ca;
static SemperTrust *trust;

static char *
fuzz_password_cb (gboolean retry,
                  gpointer user_data)
{
  return retry ? NULL : g_strdup ("fuzz harness only");
}

static void
setup (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("semper-fuzz-ca-XXXXXX", NULL);
  g_autofree char *state = NULL;

  if (tmp == NULL)
    abort ();
  state = g_build_filename (tmp, "ca", NULL);
  ca = semper_ca_open (state, NULL, fuzz_password_cb, NULL, NULL);
  if (ca == NULL)
    abort ();
  trust = semper_trust_new (semper_ca_get_root (ca), NULL);
  if (trust == NULL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gsize initialised = 0;
  g_autoptr(GBytes) input = g_bytes_new (data, size);
  g_autoptr(SemperCaRequest) request = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) cert = NULL;

  if (g_once_init_enter (&initialised))
    {
      setup ();
      g_once_init_leave (&initialised, 1);
    }

  request = semper_ca_request_parse (input, NULL);
  if (request != NULL)
    {
      g_assert_nonnull (request->csr);
      g_assert_true (semper_role_is_valid (request->role));
      cert = semper_ca_register (ca, request, NULL);
    }

  der = semper_ca_client_parse_der (input, "certificate", NULL);
  semper_trust_set_crl (trust, input, NULL);
  return 0;
}
