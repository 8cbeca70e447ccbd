/* semper-blind-rsa.c: RSA blind signatures (RFC 9474).
 *
 * Who does what: NSS holds the keys (internal token, session objects) and does
 * RSASP1 (raw private operation, CKM_RSA_X_509), RSAVP1 (raw public
 * operation), SHA-384, the final RSASSA-PSS verification (CKM_RSA_PKCS_PSS)
 * and the random bytes. GMP does what NSS has no API for: the blinding
 * (r, r^-1 mod n, r^e, the products mod n) and, for the test vectors only,
 * the CRT parameters of a key given by its primes. EMSA-PSS-ENCODE is written
 * here because the client must blind the encoded message itself, which no
 * NSS call returns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-blind-rsa.h"
#include "semper-blind-rsa-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmp.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secerr.h>
#include <secoid.h>

#include "semper-crypto.h"
#include "semper-crypto-private.h"

#define HASH_LEN 48   /* SHA-384 */
#define MAX_SPKI_SIZE 2048
#define MAX_PKCS8_SIZE 8192

G_DEFINE_QUARK (semper-blind-rsa-error-quark, semper_blind_rsa_error)

struct _SemperBlindRsaKey
{
  GObject           parent_instance;

  SECKEYPrivateKey *priv;   /* nullable */
  SECKEYPublicKey  *pub;
  mpz_t             n;
  mpz_t             e;
  guint             bits;
  gsize             len;
};

G_DEFINE_FINAL_TYPE (SemperBlindRsaKey, semper_blind_rsa_key, G_TYPE_OBJECT)

static const struct {
  const char *name;
  gsize       salt_len;
  gboolean    randomized;
} variants[] = {
  [SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED] = { "RSABSSA-SHA384-PSS-Randomized", HASH_LEN, TRUE },
  [SEMPER_BLIND_RSA_SHA384_PSSZERO_RANDOMIZED] = { "RSABSSA-SHA384-PSSZERO-Randomized", 0, TRUE },
  [SEMPER_BLIND_RSA_SHA384_PSS_DETERMINISTIC] = { "RSABSSA-SHA384-PSS-Deterministic",
                                                  HASH_LEN, FALSE },
  [SEMPER_BLIND_RSA_SHA384_PSSZERO_DETERMINISTIC] = { "RSABSSA-SHA384-PSSZERO-Deterministic",
                                                      0, FALSE },
};

static gboolean
variant_is_valid (SemperBlindRsaVariant variant)
{
  return (guint) variant < G_N_ELEMENTS (variants);
}

const char *
semper_blind_rsa_variant_to_string (SemperBlindRsaVariant variant)
{
  g_return_val_if_fail (variant_is_valid (variant), NULL);
  return variants[variant].name;
}

gboolean
semper_blind_rsa_variant_from_string (const char            *name,
                                      SemperBlindRsaVariant *out)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (variants); i++)
    if (g_strcmp0 (name, variants[i].name) == 0)
      {
        *out = (SemperBlindRsaVariant) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- helpers ------------------------------------------------------------ */

static void
secret_free (gpointer data,
             gsize    len)
{
  if (data == NULL)
    return;
  semper_secret_wipe (data, len);
  g_free (data);
}

typedef struct {
  guint8 *data;
  gsize   len;
} SecretBuf;

static void
secret_buf_free (gpointer p)
{
  SecretBuf *buf = p;

  secret_free (buf->data, buf->len);
  g_free (buf);
}

/* Takes @data (g_malloc'd); the bytes are wiped when the GBytes goes. */
static GBytes *
secret_bytes_take (guint8 *data,
                   gsize   len)
{
  SecretBuf *buf = g_new (SecretBuf, 1);

  buf->data = data;
  buf->len = len;
  return g_bytes_new_with_free_func (data, len, secret_buf_free, buf);
}

static void
mpz_clear_secret (mpz_t z)
{
  size_t n = mpz_size (z);

  if (n > 0)
    semper_secret_wipe (mpz_limbs_modify (z, n), n * sizeof (mp_limb_t));
  mpz_clear (z);
}

static void
mpz_from_bytes (mpz_t        z,
                const guint8 *data,
                gsize        len)
{
  if (len == 0)
    mpz_set_ui (z, 0);
  else
    mpz_import (z, len, 1, 1, 1, 0, data);
}

/* I2OSP: @z into exactly @len big-endian bytes; FALSE when it does not fit. */
static gboolean
mpz_to_bytes (const mpz_t z,
              guint8     *out,
              gsize       len)
{
  gsize need = (mpz_sgn (z) == 0) ? 0 : (mpz_sizeinbase (z, 2) + 7) / 8;
  size_t written = 0;

  if (mpz_sgn (z) < 0 || need > len)
    return FALSE;
  memset (out, 0, len);
  if (need > 0)
    mpz_export (out + (len - need), &written, 1, 1, 1, 0, z);
  return written == need;
}

static gboolean
sha384 (const guint8 *data,
        gsize         len,
        guint8        out[HASH_LEN],
        GError      **error)
{
  _semper_nss_init ();
  if (len > G_MAXINT32
      || PK11_HashBuf (SEC_OID_SHA384, out, data, (PRInt32) len) != SECSuccess)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                   _("Could not compute SHA-384 (NSS error %d)"), PORT_GetError ());
      return FALSE;
    }
  return TRUE;
}

/* MGF1 with SHA-384 (RFC 8017 B.2.1), XORed into @out. */
static gboolean
mgf1_xor (const guint8 *seed,
          gsize         seed_len,
          guint8       *out,
          gsize         out_len,
          GError      **error)
{
  g_autofree guint8 *block = g_malloc (seed_len + 4);
  guint8 digest[HASH_LEN];
  guint32 counter = 0;
  gsize done = 0;

  memcpy (block, seed, seed_len);
  while (done < out_len)
    {
      gsize take;

      block[seed_len] = (counter >> 24) & 0xff;
      block[seed_len + 1] = (counter >> 16) & 0xff;
      block[seed_len + 2] = (counter >> 8) & 0xff;
      block[seed_len + 3] = counter & 0xff;
      if (!sha384 (block, seed_len + 4, digest, error))
        return FALSE;
      take = MIN (HASH_LEN, out_len - done);
      for (gsize i = 0; i < take; i++)
        out[done + i] ^= digest[i];
      done += take;
      counter++;
    }
  return TRUE;
}

/* EMSA-PSS-ENCODE (RFC 8017 9.1.1) with emBits = modBits - 1. Returns the
 * encoded message (emLen bytes). */
static GBytes *
emsa_pss_encode (SemperBlindRsaKey *key,
                 GBytes            *msg,
                 const guint8      *salt,
                 gsize              salt_len,
                 GError           **error)
{
  gsize em_bits = key->bits - 1;
  gsize em_len = (em_bits + 7) / 8;
  gsize db_len = em_len - HASH_LEN - 1;
  g_autofree guint8 *m_prime = NULL;
  g_autofree guint8 *em = NULL;
  guint8 m_hash[HASH_LEN];
  gsize msg_len = 0;
  const guint8 *msg_data = g_bytes_get_data (msg, &msg_len);

  if (em_len < HASH_LEN + salt_len + 2)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("The RSA key is too small for this signature variant"));
      return NULL;
    }
  if (!sha384 (msg_data, msg_len, m_hash, error))
    return NULL;

  /* M' = 0x00 * 8 || mHash || salt; H = Hash (M') */
  m_prime = g_malloc0 (8 + HASH_LEN + salt_len);
  memcpy (m_prime + 8, m_hash, HASH_LEN);
  if (salt_len > 0)
    memcpy (m_prime + 8 + HASH_LEN, salt, salt_len);

  em = g_malloc0 (em_len);
  if (!sha384 (m_prime, 8 + HASH_LEN + salt_len, em + db_len, error))
    return NULL;

  /* DB = PS || 0x01 || salt, masked with MGF1 (H) */
  em[db_len - salt_len - 1] = 0x01;
  if (salt_len > 0)
    memcpy (em + db_len - salt_len, salt, salt_len);
  if (!mgf1_xor (em + db_len, HASH_LEN, em, db_len, error))
    return NULL;
  em[0] &= 0xff >> (8 * em_len - em_bits);
  em[em_len - 1] = 0xbc;

  return g_bytes_new_take (g_steal_pointer (&em), em_len);
}

/* r^-1 mod n in constant time (GMP's mpn_sec_invert; n is odd). */
static gboolean
sec_invert (mpz_t       out,
            const mpz_t a,
            const mpz_t n)
{
  mp_size_t size = mpz_size (n);
  g_autofree mp_limb_t *ap = g_new0 (mp_limb_t, size);
  g_autofree mp_limb_t *scratch = g_new0 (mp_limb_t, mpn_sec_invert_itch (size));
  mp_limb_t *rp;
  mpz_t reduced;
  int ok;

  mpz_init (reduced);
  mpz_mod (reduced, a, n);
  memcpy (ap, mpz_limbs_read (reduced), mpz_size (reduced) * sizeof (mp_limb_t));
  mpz_clear_secret (reduced);

  rp = mpz_limbs_write (out, size);
  ok = mpn_sec_invert (rp, ap, mpz_limbs_read (n), size, 2 * size * GMP_NUMB_BITS, scratch);
  mpz_limbs_finish (out, size);

  semper_secret_wipe (ap, size * sizeof (mp_limb_t));
  semper_secret_wipe (scratch, mpn_sec_invert_itch (size) * sizeof (mp_limb_t));
  return ok != 0 && mpz_sgn (out) != 0;
}

/* A uniform r in [1, n) by rejection. */
static gboolean
random_below (mpz_t       out,
              const mpz_t n,
              guint       bits,
              GError    **error)
{
  gsize len = (bits + 7) / 8;
  g_autofree guint8 *buf = g_malloc (len);

  for (guint tries = 0; tries < 1000; tries++)
    {
      if (!semper_random_bytes (buf, len, error))
        return FALSE;
      if (bits % 8 != 0)
        buf[0] &= 0xff >> (8 - bits % 8);
      mpz_from_bytes (out, buf, len);
      if (mpz_sgn (out) > 0 && mpz_cmp (out, n) < 0)
        {
          semper_secret_wipe (buf, len);
          return TRUE;
        }
    }
  semper_secret_wipe (buf, len);
  g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
               _("Could not draw a random blinding factor"));
  return FALSE;
}

static gboolean
check_length (SemperBlindRsaKey *key,
              GBytes            *bytes,
              const char        *what,
              GError           **error)
{
  if (bytes == NULL || g_bytes_get_size (bytes) != key->len)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT,
                   _("The %s has the wrong length (%zu bytes, the key needs %zu)"),
                   what, bytes == NULL ? (gsize) 0 : g_bytes_get_size (bytes), key->len);
      return FALSE;
    }
  return TRUE;
}

/* ---- keys --------------------------------------------------------------- */

static void
semper_blind_rsa_key_finalize (GObject *object)
{
  SemperBlindRsaKey *self = SEMPER_BLIND_RSA_KEY (object);

  g_clear_pointer (&self->priv, SECKEY_DestroyPrivateKey);
  g_clear_pointer (&self->pub, SECKEY_DestroyPublicKey);
  mpz_clear (self->n);
  mpz_clear (self->e);

  G_OBJECT_CLASS (semper_blind_rsa_key_parent_class)->finalize (object);
}

static void
semper_blind_rsa_key_class_init (SemperBlindRsaKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_blind_rsa_key_finalize;
}

static void
semper_blind_rsa_key_init (SemperBlindRsaKey *self)
{
  mpz_init (self->n);
  mpz_init (self->e);
}

/* Takes @pub and @priv (nullable); checks what we accept. */
static SemperBlindRsaKey *
key_new_take (SECKEYPublicKey  *pub,
              SECKEYPrivateKey *priv,
              GError          **error)
{
  g_autoptr(SemperBlindRsaKey) self = g_object_new (SEMPER_TYPE_BLIND_RSA_KEY, NULL);

  self->pub = pub;
  self->priv = priv;
  if (pub == NULL || pub->keyType != rsaKey)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not an RSA key"));
      return NULL;
    }
  mpz_from_bytes (self->n, pub->u.rsa.modulus.data, pub->u.rsa.modulus.len);
  mpz_from_bytes (self->e, pub->u.rsa.publicExponent.data, pub->u.rsa.publicExponent.len);
  self->bits = mpz_sgn (self->n) > 0 ? mpz_sizeinbase (self->n, 2) : 0;
  self->len = (self->bits + 7) / 8;

  if (self->bits < SEMPER_BLIND_RSA_MIN_BITS || self->bits > SEMPER_BLIND_RSA_MAX_BITS
      || mpz_even_p (self->n))
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("RSA keys for blind signatures must have %d to %d bits (this one has %u)"),
                   SEMPER_BLIND_RSA_MIN_BITS, SEMPER_BLIND_RSA_MAX_BITS, self->bits);
      return NULL;
    }
  if (mpz_cmp_ui (self->e, 3) < 0 || mpz_even_p (self->e) || mpz_cmp (self->e, self->n) >= 0)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("The RSA public exponent is not acceptable"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * semper_blind_rsa_key_generate:
 * @bits: modulus size, %SEMPER_BLIND_RSA_MIN_BITS to %SEMPER_BLIND_RSA_MAX_BITS
 *
 * Returns: (transfer full): a new key pair, e = 65537
 */
SemperBlindRsaKey *
semper_blind_rsa_key_generate (guint    bits,
                               GError **error)
{
  PK11RSAGenParams params = { .keySizeInBits = (int) bits, .pe = 65537 };
  PK11SlotInfo *slot;
  SECKEYPublicKey *pub = NULL;
  SECKEYPrivateKey *priv;

  if (bits < SEMPER_BLIND_RSA_MIN_BITS || bits > SEMPER_BLIND_RSA_MAX_BITS || bits % 8 != 0)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("RSA keys for blind signatures must have %d to %d bits (asked for %u)"),
                   SEMPER_BLIND_RSA_MIN_BITS, SEMPER_BLIND_RSA_MAX_BITS, bits);
      return NULL;
    }
  _semper_nss_init ();
  slot = PK11_GetInternalSlot ();
  /* A session object of the in-process soft token, readable so that the bank
   * can store it (PKCS#8); marking it sensitive would protect nothing here. */
  priv = PK11_GenerateKeyPairWithFlags (slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &params, &pub,
                                        PK11_ATTR_SESSION | PK11_ATTR_INSENSITIVE
                                        | PK11_ATTR_PUBLIC | PK11_ATTR_EXTRACTABLE,
                                        NULL);
  PK11_FreeSlot (slot);
  if (priv == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                   _("Could not generate an RSA key (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  return key_new_take (pub, priv, error);
}

/**
 * semper_blind_rsa_key_new_from_pkcs8:
 * @der: an unencrypted PKCS#8 PrivateKeyInfo holding an RSA key
 *
 * Returns: (transfer full): the key pair, in NSS's internal token
 */
SemperBlindRsaKey *
semper_blind_rsa_key_new_from_pkcs8 (GBytes  *der,
                                     GError **error)
{
  SECItem item;
  PK11SlotInfo *slot;
  SECKEYPrivateKey *priv = NULL;
  SECKEYPublicKey *pub;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (der, &len);
  SECStatus rv;

  if (len == 0 || len > MAX_PKCS8_SIZE)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not a PKCS#8 RSA private key"));
      return NULL;
    }
  _semper_nss_init ();
  item.type = siBuffer;
  item.data = (unsigned char *) data;
  item.len = (unsigned int) len;
  slot = PK11_GetInternalSlot ();
  rv = PK11_ImportDERPrivateKeyInfoAndReturnKey (slot, &item, NULL, NULL, PR_FALSE, PR_FALSE,
                                                 KU_ALL, &priv, NULL);
  PK11_FreeSlot (slot);
  if (rv != SECSuccess || priv == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not a PKCS#8 RSA private key (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  if (priv->keyType != rsaKey)
    {
      SECKEY_DestroyPrivateKey (priv);
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not an RSA key"));
      return NULL;
    }
  pub = SECKEY_ConvertToPublicKey (priv);
  return key_new_take (pub, priv, error);
}

/**
 * semper_blind_rsa_key_new_from_spki:
 * @der: a DER SubjectPublicKeyInfo (rsaEncryption), in canonical form
 *
 * Returns: (transfer full): a public key (no signing)
 */
SemperBlindRsaKey *
semper_blind_rsa_key_new_from_spki (GBytes  *der,
                                    GError **error)
{
  CERTSubjectPublicKeyInfo *spki;
  SECKEYPublicKey *pub;
  g_autoptr(SemperBlindRsaKey) key = NULL;
  g_autoptr(GBytes) again = NULL;
  SECItem item;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (der, &len);

  if (len == 0 || len > MAX_SPKI_SIZE)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not an RSA public key"));
      return NULL;
    }
  _semper_nss_init ();
  item.type = siBuffer;
  item.data = (unsigned char *) data;
  item.len = (unsigned int) len;
  spki = SECKEY_DecodeDERSubjectPublicKeyInfo (&item);
  if (spki == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("Not an RSA public key"));
      return NULL;
    }
  pub = SECKEY_ExtractPublicKey (spki);
  SECKEY_DestroySubjectPublicKeyInfo (spki);
  key = key_new_take (pub, NULL, error);
  if (key == NULL)
    return NULL;

  /* One key, one encoding: the key's id is the hash of these bytes. */
  again = semper_blind_rsa_key_dup_spki (key);
  if (again == NULL || !g_bytes_equal (again, der))
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("The RSA public key is not in canonical DER form"));
      return NULL;
    }
  return g_steal_pointer (&key);
}

GBytes *
semper_blind_rsa_key_export_pkcs8 (SemperBlindRsaKey  *self,
                                   GError            **error)
{
  SECItem *der;
  guint8 *copy;
  gsize len;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (self), NULL);

  if (self->priv == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY,
                   _("This is a public key only"));
      return NULL;
    }
  der = PK11_ExportDERPrivateKeyInfo (self->priv, NULL);
  if (der == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                   _("Could not export the RSA key (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  len = der->len;
  copy = g_memdup2 (der->data, len);
  SECITEM_ZfreeItem (der, PR_TRUE);
  return secret_bytes_take (copy, len);
}

GBytes *
semper_blind_rsa_key_dup_spki (SemperBlindRsaKey *self)
{
  SECItem *der;
  GBytes *out;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (self), NULL);

  der = SECKEY_EncodeDERSubjectPublicKeyInfo (self->pub);
  if (der == NULL)
    return NULL;
  out = g_bytes_new (der->data, der->len);
  SECITEM_FreeItem (der, PR_TRUE);
  return out;
}

char *
semper_blind_rsa_key_dup_id (SemperBlindRsaKey *self)
{
  g_autoptr(GBytes) spki = semper_blind_rsa_key_dup_spki (self);

  return spki != NULL ? semper_sha256_hex (spki) : NULL;
}

gboolean
semper_blind_rsa_key_has_private (SemperBlindRsaKey *self)
{
  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (self), FALSE);
  return self->priv != NULL;
}

guint
semper_blind_rsa_key_get_bits (SemperBlindRsaKey *self)
{
  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (self), 0);
  return self->bits;
}

gsize
semper_blind_rsa_key_get_length (SemperBlindRsaKey *self)
{
  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (self), 0);
  return self->len;
}

/* ---- a key from its primes (test vectors) -------------------------------- */

static void
der_put_len (GByteArray *out,
             gsize       len)
{
  guint8 b[9];
  guint n = 0;

  if (len < 0x80)
    {
      b[0] = (guint8) len;
      g_byte_array_append (out, b, 1);
      return;
    }
  for (gsize l = len; l > 0; l >>= 8)
    n++;
  b[0] = 0x80 | n;
  for (guint i = 0; i < n; i++)
    b[1 + i] = (len >> (8 * (n - 1 - i))) & 0xff;
  g_byte_array_append (out, b, n + 1);
}

static void
der_put (GByteArray   *out,
         guint8        tag,
         const guint8 *data,
         gsize         len)
{
  g_byte_array_append (out, &tag, 1);
  der_put_len (out, len);
  if (len > 0)
    g_byte_array_append (out, data, len);
}

static void
der_put_mpz (GByteArray  *out,
             const mpz_t  z)
{
  gsize len = mpz_sgn (z) == 0 ? 1 : (mpz_sizeinbase (z, 2) + 8) / 8;  /* room for a sign bit */
  g_autofree guint8 *buf = g_malloc0 (len);

  mpz_to_bytes (z, buf, len);
  der_put (out, 0x02, buf, len);
  semper_secret_wipe (buf, len);
}

static void
byte_array_free_secret (GByteArray *a)
{
  semper_secret_wipe (a->data, a->len);
  g_byte_array_unref (a);
}

SemperBlindRsaKey *
_semper_blind_rsa_key_new_from_primes (GBytes  *p_bytes,
                                       GBytes  *q_bytes,
                                       GBytes  *e_bytes,
                                       GError **error)
{
  static const guint8 rsa_alg[] = {  /* AlgorithmIdentifier rsaEncryption, NULL */
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
  };
  static const guint8 zero = 0;
  mpz_t p, q, e, n, d, dp, dq, qinv, p1, q1, phi;
  GByteArray *fields = g_byte_array_new ();
  GByteArray *rsa = g_byte_array_new ();
  GByteArray *info = g_byte_array_new ();
  GByteArray *pkcs8 = g_byte_array_new ();
  g_autoptr(GBytes) der = NULL;
  SemperBlindRsaKey *key = NULL;
  gsize len;
  const guint8 *data;

  mpz_inits (p, q, e, n, d, dp, dq, qinv, p1, q1, phi, NULL);
  data = g_bytes_get_data (p_bytes, &len);
  mpz_from_bytes (p, data, len);
  data = g_bytes_get_data (q_bytes, &len);
  mpz_from_bytes (q, data, len);
  data = g_bytes_get_data (e_bytes, &len);
  mpz_from_bytes (e, data, len);

  mpz_mul (n, p, q);
  mpz_sub_ui (p1, p, 1);
  mpz_sub_ui (q1, q, 1);
  mpz_mul (phi, p1, q1);
  if (mpz_cmp_ui (p, 2) <= 0 || mpz_cmp_ui (q, 2) <= 0
      || !mpz_invert (d, e, phi) || !mpz_invert (qinv, q, p))
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY,
                   _("These numbers do not make an RSA key"));
      goto out;
    }
  mpz_mod (dp, d, p1);
  mpz_mod (dq, d, q1);

  /* RSAPrivateKey (RFC 8017 A.1.2) inside a PrivateKeyInfo (RFC 5208) */
  der_put (fields, 0x02, &zero, 1);
  der_put_mpz (fields, n);
  der_put_mpz (fields, e);
  der_put_mpz (fields, d);
  der_put_mpz (fields, p);
  der_put_mpz (fields, q);
  der_put_mpz (fields, dp);
  der_put_mpz (fields, dq);
  der_put_mpz (fields, qinv);
  der_put (rsa, 0x30, fields->data, fields->len);

  der_put (info, 0x02, &zero, 1);
  g_byte_array_append (info, rsa_alg, sizeof rsa_alg);
  der_put (info, 0x04, rsa->data, rsa->len);
  der_put (pkcs8, 0x30, info->data, info->len);

  der = g_bytes_new_static (pkcs8->data, pkcs8->len);
  key = semper_blind_rsa_key_new_from_pkcs8 (der, error);

out:
  mpz_clear (n);
  mpz_clear (e);
  mpz_clear_secret (p);
  mpz_clear_secret (q);
  mpz_clear_secret (d);
  mpz_clear_secret (dp);
  mpz_clear_secret (dq);
  mpz_clear_secret (qinv);
  mpz_clear_secret (p1);
  mpz_clear_secret (q1);
  mpz_clear_secret (phi);
  byte_array_free_secret (fields);
  byte_array_free_secret (rsa);
  byte_array_free_secret (info);
  byte_array_free_secret (pkcs8);
  return key;
}

/* ---- the protocol --------------------------------------------------------- */

GBytes *
semper_blind_rsa_prepare (SemperBlindRsaVariant   variant,
                          GBytes                 *msg,
                          GError                **error)
{
  guint8 *out;
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (variant_is_valid (variant), NULL);
  g_return_val_if_fail (msg != NULL, NULL);

  if (!variants[variant].randomized)
    return g_bytes_ref (msg);

  data = g_bytes_get_data (msg, &len);
  out = g_malloc (SEMPER_BLIND_RSA_PREFIX_LEN + len);
  if (!semper_random_bytes (out, SEMPER_BLIND_RSA_PREFIX_LEN, error))
    {
      g_free (out);
      return NULL;
    }
  if (len > 0)
    memcpy (out + SEMPER_BLIND_RSA_PREFIX_LEN, data, len);
  return g_bytes_new_take (out, SEMPER_BLIND_RSA_PREFIX_LEN + len);
}

GBytes *
_semper_blind_rsa_encode (SemperBlindRsaKey  *key,
                          GBytes             *input_msg,
                          GBytes             *salt,
                          GError            **error)
{
  gsize salt_len = 0;
  const guint8 *salt_data = g_bytes_get_data (salt, &salt_len);

  return emsa_pss_encode (key, input_msg, salt_data, salt_len, error);
}

/* Blind the encoded @input_msg with r (when @inv_in is NULL, a fresh random
 * one) and return the blinded message; *out_inv gets r^-1 mod n. */
static GBytes *
blind_internal (SemperBlindRsaKey  *key,
                GBytes             *input_msg,
                const guint8       *salt,
                gsize               salt_len,
                GBytes             *inv_in,
                GBytes            **out_inv,
                GError            **error)
{
  g_autoptr(GBytes) encoded = NULL;
  g_autofree guint8 *blinded = NULL;
  guint8 *inv_out = NULL;
  mpz_t m, r, inv, x, z, g;
  gboolean ok = FALSE;
  gsize len;
  const guint8 *data;

  encoded = emsa_pss_encode (key, input_msg, salt, salt_len, error);
  if (encoded == NULL)
    return NULL;

  mpz_inits (m, r, inv, x, z, g, NULL);
  data = g_bytes_get_data (encoded, &len);
  mpz_from_bytes (m, data, len);

  mpz_gcd (g, m, key->n);
  if (mpz_cmp_ui (g, 1) != 0)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT,
                   _("The encoded message is not invertible modulo the key"));
      goto out;
    }

  if (inv_in != NULL)
    {
      if (!check_length (key, inv_in, _("blinding inverse"), error))
        goto out;
      data = g_bytes_get_data (inv_in, &len);
      mpz_from_bytes (inv, data, len);
      if (mpz_sgn (inv) == 0 || mpz_cmp (inv, key->n) >= 0 || !sec_invert (r, inv, key->n))
        {
          g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT,
                       _("The blinding inverse is not invertible modulo the key"));
          goto out;
        }
    }
  else
    {
      if (!random_below (r, key->n, key->bits, error))
        goto out;
      if (!sec_invert (inv, r, key->n))
        {
          g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                       _("The blinding factor is not invertible"));
          goto out;
        }
    }

  /* x = RSAVP1 (pk, r); z = m * x mod n */
  mpz_powm_sec (x, r, key->e, key->n);
  mpz_mul (z, m, x);
  mpz_mod (z, z, key->n);

  blinded = g_malloc (key->len);
  inv_out = g_malloc (key->len);
  if (!mpz_to_bytes (z, blinded, key->len) || !mpz_to_bytes (inv, inv_out, key->len))
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                   _("Could not encode the blinded message"));
      secret_free (inv_out, key->len);
      goto out;
    }
  if (out_inv != NULL)
    *out_inv = secret_bytes_take (inv_out, key->len);
  else
    secret_free (inv_out, key->len);
  ok = TRUE;

out:
  mpz_clear_secret (m);
  mpz_clear_secret (r);
  mpz_clear_secret (inv);
  mpz_clear_secret (x);
  mpz_clear_secret (z);
  mpz_clear (g);
  if (!ok)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&blinded), key->len);
}

GBytes *
_semper_blind_rsa_blind_with (SemperBlindRsaKey  *key,
                              GBytes             *input_msg,
                              GBytes             *salt,
                              GBytes             *inv,
                              GError            **error)
{
  gsize salt_len = 0;
  const guint8 *salt_data = g_bytes_get_data (salt, &salt_len);

  return blind_internal (key, input_msg, salt_data, salt_len, inv, NULL, error);
}

GBytes *
semper_blind_rsa_blind (SemperBlindRsaKey      *key,
                        SemperBlindRsaVariant   variant,
                        GBytes                 *input_msg,
                        GBytes                **out_inv,
                        GError                **error)
{
  guint8 salt[HASH_LEN];
  gsize salt_len;
  GBytes *out;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (key), NULL);
  g_return_val_if_fail (variant_is_valid (variant), NULL);
  g_return_val_if_fail (input_msg != NULL, NULL);
  g_return_val_if_fail (out_inv != NULL && *out_inv == NULL, NULL);

  salt_len = variants[variant].salt_len;
  if (salt_len > 0 && !semper_random_bytes (salt, salt_len, error))
    return NULL;
  out = blind_internal (key, input_msg, salt, salt_len, NULL, out_inv, error);
  semper_secret_wipe (salt, sizeof salt);
  return out;
}

GBytes *
semper_blind_rsa_blind_sign (SemperBlindRsaKey  *key,
                             GBytes             *blinded_msg,
                             GError            **error)
{
  g_autofree guint8 *sig = NULL;
  g_autofree guint8 *check = NULL;
  unsigned out_len = 0;
  const guint8 *data;
  gsize len;
  mpz_t m;
  int cmp;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (key), NULL);

  if (key->priv == NULL)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY,
                   _("This is a public key only"));
      return NULL;
    }
  if (!check_length (key, blinded_msg, _("blinded message"), error))
    return NULL;

  data = g_bytes_get_data (blinded_msg, &len);
  mpz_init (m);
  mpz_from_bytes (m, data, len);
  cmp = mpz_cmp (m, key->n);
  mpz_clear (m);
  if (cmp >= 0)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT,
                   _("The blinded message is out of range for the key"));
      return NULL;
    }

  /* s = RSASP1 (sk, m), then m' = RSAVP1 (pk, s) must equal m (RFC 9474
   * 4.3: a faulty signature would leak the key). */
  sig = g_malloc (key->len);
  check = g_malloc (key->len);
  if (PK11_PrivDecryptRaw (key->priv, sig, &out_len, key->len, data, len) != SECSuccess
      || out_len != key->len
      || PK11_PubEncryptRaw (key->pub, check, sig, key->len, NULL) != SECSuccess
      || memcmp (check, data, len) != 0)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_FAILED,
                   _("RSA signing failed (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&sig), key->len);
}

GBytes *
semper_blind_rsa_finalize (SemperBlindRsaKey      *key,
                           SemperBlindRsaVariant   variant,
                           GBytes                 *input_msg,
                           GBytes                 *blind_sig,
                           GBytes                 *inv,
                           GError                **error)
{
  g_autofree guint8 *sig = NULL;
  g_autoptr(GBytes) sig_bytes = NULL;
  const guint8 *data;
  gsize len;
  mpz_t z, i;
  gboolean ok;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (key), NULL);
  g_return_val_if_fail (variant_is_valid (variant), NULL);

  if (!check_length (key, blind_sig, _("blind signature"), error)
      || !check_length (key, inv, _("blinding inverse"), error))
    return NULL;

  mpz_inits (z, i, NULL);
  data = g_bytes_get_data (blind_sig, &len);
  mpz_from_bytes (z, data, len);
  data = g_bytes_get_data (inv, &len);
  mpz_from_bytes (i, data, len);
  ok = mpz_cmp (z, key->n) < 0 && mpz_cmp (i, key->n) < 0;
  mpz_mul (z, z, i);
  mpz_mod (z, z, key->n);
  sig = g_malloc (key->len);
  ok = ok && mpz_to_bytes (z, sig, key->len);
  mpz_clear_secret (z);
  mpz_clear_secret (i);
  if (!ok)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT,
                   _("The blind signature is out of range for the key"));
      return NULL;
    }

  sig_bytes = g_bytes_new_take (g_steal_pointer (&sig), key->len);
  if (!semper_blind_rsa_verify (key, variant, input_msg, sig_bytes, error))
    return NULL;
  return g_steal_pointer (&sig_bytes);
}

gboolean
semper_blind_rsa_verify (SemperBlindRsaKey      *key,
                         SemperBlindRsaVariant   variant,
                         GBytes                 *input_msg,
                         GBytes                 *sig,
                         GError                **error)
{
  CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA384, CKG_MGF1_SHA384, 0 };
  SECItem param_item = { siBuffer, (unsigned char *) &pss, sizeof pss };
  SECItem sig_item, hash_item;
  guint8 hash[HASH_LEN];
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (key), FALSE);
  g_return_val_if_fail (variant_is_valid (variant), FALSE);
  g_return_val_if_fail (input_msg != NULL, FALSE);

  if (!check_length (key, sig, _("signature"), error))
    return FALSE;
  data = g_bytes_get_data (input_msg, &len);
  if (!sha384 (data, len, hash, error))
    return FALSE;

  pss.sLen = variants[variant].salt_len;
  hash_item.type = siBuffer;
  hash_item.data = hash;
  hash_item.len = HASH_LEN;
  data = g_bytes_get_data (sig, &len);
  sig_item.type = siBuffer;
  sig_item.data = (unsigned char *) data;
  sig_item.len = (unsigned int) len;
  if (PK11_VerifyWithMechanism (key->pub, CKM_RSA_PKCS_PSS, &param_item, &sig_item, &hash_item,
                                NULL) != SECSuccess)
    {
      g_set_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE,
                   _("The blind RSA signature does not verify"));
      return FALSE;
    }
  return TRUE;
}
