/* semper-blind-rsa-private.h: the deterministic inner steps, for the RFC 9474
 * test vectors (tests/core/test-blind-rsa.c) and nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-blind-rsa.h"

G_BEGIN_DECLS

/* A key pair from its primes and public exponent (big-endian bytes); the rest
 * of the CRT key is computed with GMP and imported into NSS as PKCS#8. */
SemperBlindRsaKey *_semper_blind_rsa_key_new_from_primes (GBytes                 *p,
                                                          GBytes                 *q,
                                                          GBytes                 *e,
                                                          GError                **error);
/* EMSA-PSS-ENCODE with SHA-384 and the given salt (its length is sLen). */
GBytes            *_semper_blind_rsa_encode              (SemperBlindRsaKey      *key,
                                                          GBytes                 *input_msg,
                                                          GBytes                 *salt,
                                                          GError                **error);
/* blind() with a given salt and a given inverse (r = inv^-1 mod n). */
GBytes            *_semper_blind_rsa_blind_with          (SemperBlindRsaKey      *key,
                                                          GBytes                 *input_msg,
                                                          GBytes                 *salt,
                                                          GBytes                 *inv,
                                                          GError                **error);

G_END_DECLS
