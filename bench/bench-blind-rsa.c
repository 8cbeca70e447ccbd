/* bench-blind-rsa.c: RFC 9474 blind signatures, next to plain NSS RSA.
 *
 * Usage: bench-blind-rsa [BITS]   (default 2048)
 * Prints operations per second of blind, blind-sign, finalize and verify
 * (RSABSSA-SHA384-PSS-Randomized), of a whole coin withdrawal (coin key,
 * blind, sign, finalize, check), and of NSS's own RSA-PSS-SHA384 sign and
 * verify with a key of the same size, measured in the same run: blind-sign
 * is bounded by the raw private operation, finalize and verify by the public
 * one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <keyhi.h>
#include <pk11pub.h>

#include "semper-blind-rsa.h"
#include "semper-crypto-private.h"
#include "semper-ecash.h"

#define SECONDS 1.0

typedef gboolean (*OpFunc) (gpointer data);

static double
rate (const char *name,
      OpFunc      op,
      gpointer    data)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (SECONDS * G_USEC_PER_SEC);
  guint n = 0;
  double per_second;

  while (g_get_monotonic_time () < end)
    {
      if (!op (data))
        g_error ("%s failed", name);
      n++;
    }
  per_second = n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_print ("%-28s %10.1f ops/s\n", name, per_second);
  return per_second;
}

typedef struct
{
  SemperBlindRsaKey  *key;
  GBytes             *msg;
  GBytes             *input;
  GBytes             *blinded;
  GBytes             *inv;
  GBytes             *blind_sig;
  GBytes             *sig;
  SECKEYPrivateKey   *nss_priv;
  SECKEYPublicKey    *nss_pub;
  guint8              hash[48];
  guint8              nss_sig[1024];
  guint               nss_sig_len;
  SemperDenomination *denom;
  GDateTime          *now;
} Bench;

static gboolean
op_blind (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) input = semper_blind_rsa_prepare (SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED,
                                                      b->msg, NULL);
  g_autoptr(GBytes) inv = NULL;
  g_autoptr(GBytes) blinded = semper_blind_rsa_blind (b->key,
                                                      SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED,
                                                      input, &inv, NULL);

  return blinded != NULL;
}

static gboolean
op_blind_sign (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) sig = semper_blind_rsa_blind_sign (b->key, b->blinded, NULL);

  return sig != NULL;
}

static gboolean
op_finalize (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) sig = semper_blind_rsa_finalize (b->key,
                                                     SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED,
                                                     b->input, b->blind_sig, b->inv, NULL);

  return sig != NULL;
}

static gboolean
op_verify (gpointer data)
{
  Bench *b = data;

  return semper_blind_rsa_verify (b->key, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b->input,
                                  b->sig, NULL);
}

static gboolean
op_withdraw (gpointer data)
{
  Bench *b = data;
  g_autoptr(SemperCoinRequest) req = semper_coin_request_new (b->denom, NULL);
  g_autoptr(GBytes) blind_sig = NULL;
  g_autoptr(SemperCoin) coin = NULL;

  if (req == NULL)
    return FALSE;
  blind_sig = semper_denomination_blind_sign (b->denom, semper_coin_request_get_blinded (req),
                                              b->now, NULL);
  if (blind_sig == NULL)
    return FALSE;
  coin = semper_coin_request_finish (req, blind_sig, NULL);
  return coin != NULL && semper_coin_verify (coin, b->denom, NULL);
}

static CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA384, CKG_MGF1_SHA384, 48 };

static gboolean
op_nss_sign (gpointer data)
{
  Bench *b = data;
  SECItem param = { siBuffer, (unsigned char *) &pss, sizeof pss };
  SECItem hash = { siBuffer, b->hash, sizeof b->hash };
  SECItem sig = { siBuffer, b->nss_sig, sizeof b->nss_sig };

  if (PK11_SignWithMechanism (b->nss_priv, CKM_RSA_PKCS_PSS, &param, &sig, &hash) != SECSuccess)
    return FALSE;
  b->nss_sig_len = sig.len;
  return TRUE;
}

static gboolean
op_nss_verify (gpointer data)
{
  Bench *b = data;
  SECItem param = { siBuffer, (unsigned char *) &pss, sizeof pss };
  SECItem hash = { siBuffer, b->hash, sizeof b->hash };
  SECItem sig = { siBuffer, b->nss_sig, b->nss_sig_len };

  return PK11_VerifyWithMechanism (b->nss_pub, CKM_RSA_PKCS_PSS, &param, &sig, &hash,
                                   NULL) == SECSuccess;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint bits = argc > 1 ? (guint) atoi (argv[1]) : 2048;
  PK11RSAGenParams params = { .keySizeInBits = (int) bits, .pe = 65537 };
  PK11SlotInfo *slot;
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) until = NULL;
  Bench b = { 0, };
  double blind_sign, nss_sign, verify, nss_verify, withdraw;

  b.key = semper_blind_rsa_key_generate (bits, &error);
  if (b.key == NULL)
    g_error ("%s", error->message);
  b.msg = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  b.input = semper_blind_rsa_prepare (SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b.msg, &error);
  b.blinded = semper_blind_rsa_blind (b.key, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b.input,
                                      &b.inv, &error);
  b.blind_sig = semper_blind_rsa_blind_sign (b.key, b.blinded, &error);
  b.sig = semper_blind_rsa_finalize (b.key, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, b.input,
                                     b.blind_sig, b.inv, &error);
  if (b.sig == NULL)
    g_error ("%s", error->message);

  _semper_nss_init ();
  slot = PK11_GetInternalSlot ();
  b.nss_priv = PK11_GenerateKeyPair (slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &params, &b.nss_pub,
                                     PR_FALSE, PR_FALSE, NULL);
  PK11_FreeSlot (slot);
  if (b.nss_priv == NULL)
    g_error ("NSS key generation failed");
  PK11_HashBuf (SEC_OID_SHA384, b.hash, g_bytes_get_data (b.msg, NULL), 32);

  b.now = g_date_time_new_now_utc ();
  from = g_date_time_add_hours (b.now, -1);
  until = g_date_time_add_days (b.now, 1);
  b.denom = semper_denomination_new (b.key, 500, "EUR", from, until, until, &error);
  if (b.denom == NULL)
    g_error ("%s", error->message);

  g_print ("RSA %u bits, RSABSSA-SHA384-PSS-Randomized, %.0f s per figure\n", bits, SECONDS);
  rate ("blind (client)", op_blind, &b);
  blind_sign = rate ("blind-sign (bank)", op_blind_sign, &b);
  rate ("finalize (client)", op_finalize, &b);
  verify = rate ("verify (anyone)", op_verify, &b);
  withdraw = rate ("coin withdrawal, end to end", op_withdraw, &b);
  nss_sign = rate ("NSS RSA-PSS sign (raw bound)", op_nss_sign, &b);
  nss_verify = rate ("NSS RSA-PSS verify", op_nss_verify, &b);
  g_print ("blind-sign / NSS sign        %10.2f\n", blind_sign / nss_sign);
  g_print ("verify / NSS verify          %10.2f\n", verify / nss_verify);
  g_print ("withdrawal / NSS sign        %10.2f\n", withdraw / nss_sign);

  semper_denomination_free (b.denom);
  g_date_time_unref (b.now);
  SECKEY_DestroyPrivateKey (b.nss_priv);
  SECKEY_DestroyPublicKey (b.nss_pub);
  g_bytes_unref (b.msg);
  g_bytes_unref (b.input);
  g_bytes_unref (b.blinded);
  g_bytes_unref (b.inv);
  g_bytes_unref (b.blind_sig);
  g_bytes_unref (b.sig);
  g_object_unref (b.key);
  return 0;
}
