/* semper-ecash.c: denominations and coins (see semper-ecash.h, docs/ecash.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ecash.h"
#include "semper-ecash-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secoid.h>

#include "semper-cms.h"
#include "semper-crypto-private.h"
#include "semper-message.h"
#include "semper-money.h"
#include "semper-json-private.h"

#define DENOMINATION_TYPE "semper-ecash-denomination"
#define COIN_TYPE "semper-ecash-coin"
#define MAX_VALUE G_GINT64_CONSTANT (1000000000000)  /* 10^12 minor units */
#define MAX_KEY_DER 4096

G_DEFINE_QUARK (semper-ecash-error-quark, semper_ecash_error)

struct _SemperDenomination
{
  char              *id;          /* hex SHA-256 of the RSA SPKI */
  gint64             value;
  char              *currency;
  GDateTime         *valid_from;
  GDateTime         *withdraw_until;
  GDateTime         *deposit_until;
  SemperBlindRsaKey *key;
  GBytes            *signed_p7m;  /* nullable */
  char              *bank;        /* nullable */
};

struct _SemperCoin
{
  char             *id;           /* hex SHA-256 of public_key: the signed hash */
  char             *denomination_id;
  GBytes           *public_key;   /* P-256 SPKI DER */
  GBytes           *prefix;       /* RFC 9474 message randomizer */
  GBytes           *signature;
  SECKEYPublicKey  *pub;
  SECKEYPrivateKey *priv;         /* nullable */
};

struct _SemperCoinRequest
{
  char               *denomination_id;
  char               *id;         /* hex SHA-256 of public_key */
  SemperBlindRsaKey  *key;
  GBytes             *public_key;
  SECKEYPublicKey    *pub;
  SECKEYPrivateKey   *priv;
  GBytes             *input_msg;  /* prefix || H(public_key) */
  GBytes             *blinded;
  GBytes             *inv;        /* secret, wiped on free */
};

/* ---- small helpers ------------------------------------------------------- */

static char *
format_time (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
set_invalid (GError    **error,
             const char *what)
{
  g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_INVALID,
               _("Malformed e-cash data: %s"), what);
}

static gboolean
only_members (JsonObject         *object,
              const char * const *allowed,
              GError            **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        set_invalid (error, _("unknown member"));
        return FALSE;
      }
  return TRUE;
}

static const char *
get_string (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  const char *value = semper_json_get_string (object, name);

  if (value == NULL)
    set_invalid (error, name);
  return value;
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gint64      *out,
         GError     **error)
{
  if (!semper_json_get_int (object, name, out))
    {
      set_invalid (error, name);
      return FALSE;
    }
  return TRUE;
}

/* Canonical base64 (what g_base64_encode gives back) of min..max bytes. */
static GBytes *
get_base64 (JsonObject  *object,
            const char  *name,
            gsize        min,
            gsize        max,
            GError     **error)
{
  const char *text = get_string (object, name, error);
  g_autofree guint8 *data = NULL;
  g_autofree char *again = NULL;
  gsize len = 0;

  if (text == NULL)
    return NULL;
  if (strlen (text) > 4 * (max / 3 + 1))
    {
      set_invalid (error, name);
      return NULL;
    }
  data = g_base64_decode (text, &len);
  again = g_base64_encode (data, len);
  if (len < min || len > max || strcmp (again, text) != 0)
    {
      if (data != NULL)
        semper_secret_wipe (data, len);
      set_invalid (error, name);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static GDateTime *
get_time (JsonObject  *object,
          const char  *name,
          GError     **error)
{
  const char *text = get_string (object, name, error);
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *again = NULL;

  if (text == NULL)
    return NULL;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt != NULL)
    again = format_time (dt);
  if (dt == NULL || g_strcmp0 (again, text) != 0)
    {
      set_invalid (error, name);
      return NULL;
    }
  return g_steal_pointer (&dt);
}

static void
add_base64 (JsonBuilder *builder,
            const char  *name,
            GBytes      *bytes)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes));

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, b64);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          GDateTime   *dt)
{
  g_autofree char *text = format_time (dt);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
secret_gbytes_free (gpointer p)
{
  GByteArray *array = p;

  semper_secret_wipe (array->data, array->len);
  g_byte_array_unref (array);
}

static GBytes *
secret_bytes_from_string (char *text)
{
  GByteArray *array = g_byte_array_new_take ((guint8 *) text, strlen (text));

  return g_bytes_new_with_free_func (array->data, array->len, secret_gbytes_free, array);
}

/* ---- denominations -------------------------------------------------------- */

static gboolean
check_denomination_fields (gint64       value,
                           const char  *currency,
                           GDateTime   *valid_from,
                           GDateTime   *withdraw_until,
                           GDateTime   *deposit_until,
                           GError     **error)
{
  if (value <= 0 || value > MAX_VALUE)
    {
      set_invalid (error, _("value out of range"));
      return FALSE;
    }
  if (currency == NULL || semper_currency_decimals (currency) < 0)
    {
      set_invalid (error, _("unknown currency"));
      return FALSE;
    }
  if (g_date_time_compare (valid_from, withdraw_until) >= 0
      || g_date_time_compare (withdraw_until, deposit_until) > 0)
    {
      set_invalid (error, _("validity periods out of order"));
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_denomination_new:
 * @key: the denomination's blind-RSA key (with its private half at the bank)
 * @value: in minor units of @currency
 * @valid_from: coins are issued from then on
 * @withdraw_until: and until then
 * @deposit_until: coins are accepted until then (not before @withdraw_until)
 *
 * Returns: (transfer full): an unsigned denomination (bank side)
 */
SemperDenomination *
semper_denomination_new (SemperBlindRsaKey  *key,
                         gint64              value,
                         const char         *currency,
                         GDateTime          *valid_from,
                         GDateTime          *withdraw_until,
                         GDateTime          *deposit_until,
                         GError            **error)
{
  SemperDenomination *self;

  g_return_val_if_fail (SEMPER_IS_BLIND_RSA_KEY (key), NULL);
  g_return_val_if_fail (valid_from && withdraw_until && deposit_until, NULL);

  if (!check_denomination_fields (value, currency, valid_from, withdraw_until, deposit_until,
                                  error))
    return NULL;

  self = g_new0 (SemperDenomination, 1);
  self->id = semper_blind_rsa_key_dup_id (key);
  self->value = value;
  self->currency = g_strdup (currency);
  self->valid_from = g_date_time_to_utc (valid_from);
  self->withdraw_until = g_date_time_to_utc (withdraw_until);
  self->deposit_until = g_date_time_to_utc (deposit_until);
  self->key = g_object_ref (key);
  return self;
}

void
semper_denomination_free (SemperDenomination *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->currency);
  g_clear_pointer (&self->valid_from, g_date_time_unref);
  g_clear_pointer (&self->withdraw_until, g_date_time_unref);
  g_clear_pointer (&self->deposit_until, g_date_time_unref);
  g_clear_object (&self->key);
  g_clear_pointer (&self->signed_p7m, g_bytes_unref);
  g_free (self->bank);
  g_free (self);
}

static GBytes *
denomination_to_json (SemperDenomination *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) spki = semper_blind_rsa_key_dup_spki (self->key);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, DENOMINATION_TYPE);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "value");
  json_builder_add_int_value (builder, self->value);
  json_builder_set_member_name (builder, "currency");
  json_builder_add_string_value (builder, self->currency);
  json_builder_set_member_name (builder, "cipher");
  json_builder_add_string_value (builder,
                                 semper_blind_rsa_variant_to_string (SEMPER_ECASH_VARIANT));
  add_base64 (builder, "public-key", spki);
  add_time (builder, "valid-from", self->valid_from);
  add_time (builder, "withdraw-until", self->withdraw_until);
  add_time (builder, "deposit-until", self->deposit_until);
  json_builder_end_object (builder);
  return semper_json_builder_to_bytes (builder);
}

GBytes *
semper_denomination_sign (SemperDenomination  *self,
                          SemperCrypto        *bank,
                          GError             **error)
{
  g_autoptr(GBytes) json = NULL;
  GBytes *p7m;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (SEMPER_IS_CRYPTO (bank), NULL);

  json = denomination_to_json (self);
  p7m = semper_cms_sign_message (bank, json, error);
  if (p7m == NULL)
    return NULL;
  g_clear_pointer (&self->signed_p7m, g_bytes_unref);
  self->signed_p7m = p7m;
  return p7m;
}

static SemperDenomination *
denomination_from_json (GBytes  *json,
                        GError **error)
{
  static const char * const members[] = {
    "type", "version", "id", "value", "currency", "cipher", "public-key", "valid-from",
    "withdraw-until", "deposit-until", NULL
  };
  g_autoptr(JsonNode) root = semper_message_parse (json, SEMPER_ECASH_MAX_JSON, error);
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(SemperBlindRsaKey) key = NULL;
  g_autoptr(GDateTime) valid_from = NULL;
  g_autoptr(GDateTime) withdraw_until = NULL;
  g_autoptr(GDateTime) deposit_until = NULL;
  g_autofree char *key_id = NULL;
  SemperDenomination *self;
  JsonObject *object;
  const char *type, *id, *currency, *cipher;
  gint64 version, value;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!only_members (object, members, error)
      || (type = get_string (object, "type", error)) == NULL
      || !get_int (object, "version", &version, error)
      || (id = get_string (object, "id", error)) == NULL
      || !get_int (object, "value", &value, error)
      || (currency = get_string (object, "currency", error)) == NULL
      || (cipher = get_string (object, "cipher", error)) == NULL
      || (spki = get_base64 (object, "public-key", 1, MAX_KEY_DER, error)) == NULL
      || (valid_from = get_time (object, "valid-from", error)) == NULL
      || (withdraw_until = get_time (object, "withdraw-until", error)) == NULL
      || (deposit_until = get_time (object, "deposit-until", error)) == NULL)
    return NULL;
  if (strcmp (type, DENOMINATION_TYPE) != 0 || version != 1)
    {
      set_invalid (error, _("not a denomination of version 1"));
      return NULL;
    }
  if (strcmp (cipher, semper_blind_rsa_variant_to_string (SEMPER_ECASH_VARIANT)) != 0)
    {
      set_invalid (error, _("unsupported blind signature variant"));
      return NULL;
    }
  key = semper_blind_rsa_key_new_from_spki (spki, error);
  if (key == NULL)
    return NULL;
  key_id = semper_blind_rsa_key_dup_id (key);
  if (strcmp (key_id, id) != 0)
    {
      set_invalid (error, _("the id is not the hash of the key"));
      return NULL;
    }
  self = semper_denomination_new (key, value, currency, valid_from, withdraw_until,
                                  deposit_until, error);
  return self;
}

SemperDenomination *
semper_denomination_new_from_signed (GBytes       *p7m,
                                     SemperTrust  *trust,
                                     GError      **error)
{
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GError) local = NULL;
  SemperDenomination *self;

  g_return_val_if_fail (p7m != NULL, NULL);
  g_return_val_if_fail (SEMPER_IS_TRUST (trust), NULL);

  json = semper_cms_verify (p7m, trust, &signer, &local);
  if (json == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR,
                   g_error_matches (local, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT)
                   ? SEMPER_ECASH_ERROR_INVALID
                   : g_error_matches (local, SEMPER_CRYPTO_ERROR,
                                      SEMPER_CRYPTO_ERROR_BAD_SIGNATURE)
                   ? SEMPER_ECASH_ERROR_BAD_SIGNATURE : SEMPER_ECASH_ERROR_UNTRUSTED,
                   _("The denomination's signature is not valid: %s"), local->message);
      return NULL;
    }
  if (!signer->trusted || g_strcmp0 (signer->role, SEMPER_ROLE_BANK) != 0)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_UNTRUSTED,
                   _("The denomination is not signed by a bank"));
      return NULL;
    }
  self = denomination_from_json (json, error);
  if (self == NULL)
    return NULL;
  self->signed_p7m = g_bytes_ref (p7m);
  self->bank = g_strdup (signer->fingerprint);
  return self;
}

SemperDenomination *
_semper_denomination_new_from_json (GBytes  *json,
                                    GError **error)
{
  return denomination_from_json (json, error);
}

const char *
semper_denomination_get_id (SemperDenomination *self)
{
  return self->id;
}

gint64
semper_denomination_get_value (SemperDenomination *self)
{
  return self->value;
}

const char *
semper_denomination_get_currency (SemperDenomination *self)
{
  return self->currency;
}

GDateTime *
semper_denomination_get_valid_from (SemperDenomination *self)
{
  return self->valid_from;
}

GDateTime *
semper_denomination_get_withdraw_until (SemperDenomination *self)
{
  return self->withdraw_until;
}

GDateTime *
semper_denomination_get_deposit_until (SemperDenomination *self)
{
  return self->deposit_until;
}

SemperBlindRsaKey *
semper_denomination_get_key (SemperDenomination *self)
{
  return self->key;
}

GBytes *
semper_denomination_get_signed (SemperDenomination *self)
{
  return self->signed_p7m;
}

const char *
semper_denomination_get_bank (SemperDenomination *self)
{
  return self->bank;
}

static gboolean
check_window (SemperDenomination  *self,
              GDateTime           *now,
              GDateTime           *until,
              GError             **error)
{
  if (g_date_time_compare (now, self->valid_from) < 0)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NOT_YET_VALID,
                   _("This denomination is not valid yet"));
      return FALSE;
    }
  if (g_date_time_compare (now, until) > 0)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_EXPIRED,
                   _("This denomination has expired"));
      return FALSE;
    }
  return TRUE;
}

gboolean
semper_denomination_check_withdraw (SemperDenomination  *self,
                                    GDateTime           *now,
                                    GError             **error)
{
  return check_window (self, now, self->withdraw_until, error);
}

gboolean
semper_denomination_check_deposit (SemperDenomination  *self,
                                   GDateTime           *now,
                                   GError             **error)
{
  return check_window (self, now, self->deposit_until, error);
}

GBytes *
semper_denomination_blind_sign (SemperDenomination  *self,
                                GBytes              *blinded,
                                GDateTime           *now,
                                GError             **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!semper_denomination_check_withdraw (self, now, error))
    return NULL;
  return semper_blind_rsa_blind_sign (self->key, blinded, error);
}

/* ---- coin keys ------------------------------------------------------------ */

static gboolean
coin_key_generate (SECKEYPrivateKey **priv,
                   SECKEYPublicKey  **pub,
                   GError           **error)
{
  SECOidData *oid;
  SECItem *params;
  PK11SlotInfo *slot;

  _semper_nss_init ();
  oid = SECOID_FindOIDByTag (SEC_OID_ANSIX962_EC_PRIME256V1);
  params = SECITEM_AllocItem (NULL, NULL, 2 + oid->oid.len);
  params->data[0] = SEC_ASN1_OBJECT_ID;
  params->data[1] = (unsigned char) oid->oid.len;
  memcpy (params->data + 2, oid->oid.data, oid->oid.len);

  slot = PK11_GetInternalSlot ();
  /* Session object, readable: the purse stores the coin secret (PKCS#8). */
  *priv = PK11_GenerateKeyPairWithFlags (slot, CKM_EC_KEY_PAIR_GEN, params, pub,
                                         PK11_ATTR_SESSION | PK11_ATTR_INSENSITIVE
                                         | PK11_ATTR_PUBLIC | PK11_ATTR_EXTRACTABLE, NULL);
  PK11_FreeSlot (slot);
  SECITEM_FreeItem (params, PR_TRUE);
  if (*priv == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_FAILED,
                   _("Could not generate a coin key (NSS error %d)"), PORT_GetError ());
      return FALSE;
    }
  return TRUE;
}

static GBytes *
spki_of (SECKEYPublicKey *pub)
{
  SECItem *der = SECKEY_EncodeDERSubjectPublicKeyInfo (pub);
  GBytes *out;

  if (der == NULL)
    return NULL;
  out = g_bytes_new (der->data, der->len);
  SECITEM_FreeItem (der, PR_TRUE);
  return out;
}

/* A P-256 public key from canonical SPKI DER. */
static SECKEYPublicKey *
coin_public_key_decode (GBytes  *der,
                        GError **error)
{
  CERTSubjectPublicKeyInfo *spki;
  SECKEYPublicKey *pub = NULL;
  g_autoptr(GBytes) again = NULL;
  SECItem item;
  gsize len = 0;

  _semper_nss_init ();
  item.type = siBuffer;
  item.data = (unsigned char *) g_bytes_get_data (der, &len);
  item.len = (unsigned int) len;
  spki = SECKEY_DecodeDERSubjectPublicKeyInfo (&item);
  if (spki != NULL)
    {
      pub = SECKEY_ExtractPublicKey (spki);
      SECKEY_DestroySubjectPublicKeyInfo (spki);
    }
  if (pub != NULL
      && (pub->keyType != ecKey || !_semper_is_p256_params (&pub->u.ec.DEREncodedParams)))
    g_clear_pointer (&pub, SECKEY_DestroyPublicKey);
  if (pub != NULL)
    again = spki_of (pub);
  if (pub == NULL || again == NULL || !g_bytes_equal (again, der))
    {
      g_clear_pointer (&pub, SECKEY_DestroyPublicKey);
      set_invalid (error, _("the coin key is not a P-256 public key in canonical form"));
      return NULL;
    }
  return pub;
}

static GBytes *
ecdsa_sign (SECKEYPrivateKey  *priv,
            GBytes            *data,
            GError           **error)
{
  guint8 digest[32];
  guint8 sig[64];
  SECItem digest_item = { siBuffer, digest, sizeof digest };
  SECItem sig_item = { siBuffer, sig, sizeof sig };
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  semper_sha256 (bytes, len, digest);
  if (PK11_SignatureLen (priv) != (int) sizeof sig
      || PK11_Sign (priv, &sig_item, &digest_item) != SECSuccess)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_FAILED,
                   _("Could not sign with the coin key (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  return g_bytes_new (sig, sig_item.len);
}

static gboolean
ecdsa_verify (SECKEYPublicKey  *pub,
              GBytes           *data,
              GBytes           *signature,
              GError          **error)
{
  guint8 digest[32];
  SECItem digest_item = { siBuffer, digest, sizeof digest };
  SECItem sig_item;
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  semper_sha256 (bytes, len, digest);
  sig_item.type = siBuffer;
  sig_item.data = (unsigned char *) g_bytes_get_data (signature, &len);
  sig_item.len = (unsigned int) len;
  if (len != 64 || PK11_Verify (pub, &sig_item, &digest_item, NULL) != SECSuccess)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE,
                   _("The coin key's signature does not verify"));
      return FALSE;
    }
  return TRUE;
}

/* ---- withdrawal ------------------------------------------------------------- */

SemperCoinRequest *
semper_coin_request_new (SemperDenomination  *denom,
                         GError             **error)
{
  g_autoptr(SemperCoinRequest) self = g_new0 (SemperCoinRequest, 1);
  g_autoptr(GBytes) hash = NULL;

  g_return_val_if_fail (denom != NULL, NULL);

  self->denomination_id = g_strdup (denom->id);
  self->key = g_object_ref (denom->key);
  if (!coin_key_generate (&self->priv, &self->pub, error))
    return NULL;
  self->public_key = spki_of (self->pub);
  if (self->public_key == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_FAILED,
                   _("Could not encode the coin key"));
      return NULL;
    }
  self->id = semper_sha256_hex (self->public_key);
  hash = semper_sha256_bytes (self->public_key);
  self->input_msg = semper_blind_rsa_prepare (SEMPER_ECASH_VARIANT, hash, error);
  if (self->input_msg == NULL)
    return NULL;
  self->blinded = semper_blind_rsa_blind (self->key, SEMPER_ECASH_VARIANT, self->input_msg,
                                          &self->inv, error);
  if (self->blinded == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
semper_coin_request_get_blinded (SemperCoinRequest *self)
{
  return self->blinded;
}

void
semper_coin_request_free (SemperCoinRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->denomination_id);
  g_free (self->id);
  g_clear_object (&self->key);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->pub, SECKEY_DestroyPublicKey);
  g_clear_pointer (&self->priv, SECKEY_DestroyPrivateKey);
  g_clear_pointer (&self->input_msg, g_bytes_unref);
  g_clear_pointer (&self->blinded, g_bytes_unref);
  g_clear_pointer (&self->inv, g_bytes_unref);
  g_free (self);
}

SemperCoin *
semper_coin_request_finish (SemperCoinRequest  *self,
                            GBytes             *blind_sig,
                            GError            **error)
{
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GError) local = NULL;
  SemperCoin *coin;
  gsize len = 0;
  const guint8 *input;

  g_return_val_if_fail (self != NULL && self->priv != NULL, NULL);

  sig = semper_blind_rsa_finalize (self->key, SEMPER_ECASH_VARIANT, self->input_msg, blind_sig,
                                   self->inv, &local);
  if (sig == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE,
                   _("The bank's blind signature is not valid: %s"), local->message);
      return NULL;
    }

  input = g_bytes_get_data (self->input_msg, &len);
  coin = g_new0 (SemperCoin, 1);
  coin->id = semper_sha256_hex (self->public_key);
  coin->denomination_id = g_strdup (self->denomination_id);
  coin->public_key = g_bytes_ref (self->public_key);
  coin->prefix = g_bytes_new (input, SEMPER_BLIND_RSA_PREFIX_LEN);
  coin->signature = g_steal_pointer (&sig);
  coin->pub = g_steal_pointer (&self->pub);
  coin->priv = g_steal_pointer (&self->priv);
  return coin;
}

#define COIN_REQUEST_TYPE "semper-ecash-coin-request"

const char *
semper_coin_request_get_id (SemperCoinRequest *self)
{
  return self->id;
}

static SECKEYPrivateKey *coin_secret_import (GBytes           *pkcs8,
                                             SECKEYPublicKey  *pub,
                                             GError          **error);

GBytes *
semper_coin_request_to_json (SemperCoinRequest  *self,
                             GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  SECItem *der;
  char *b64;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->priv == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NO_SECRET,
                   _("The coin's secret key is not here"));
      return NULL;
    }
  der = PK11_ExportDERPrivateKeyInfo (self->priv, NULL);
  if (der == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_FAILED,
                   _("Could not export the coin key (NSS error %d)"), PORT_GetError ());
      return NULL;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, COIN_REQUEST_TYPE);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "denomination");
  json_builder_add_string_value (builder, self->denomination_id);
  add_base64 (builder, "public-key", self->public_key);
  b64 = g_base64_encode (der->data, der->len);
  SECITEM_ZfreeItem (der, PR_TRUE);
  json_builder_set_member_name (builder, "secret-key");
  json_builder_add_string_value (builder, b64);
  semper_secret_wipe (b64, strlen (b64));
  g_free (b64);
  add_base64 (builder, "input", self->input_msg);
  add_base64 (builder, "blinded", self->blinded);
  add_base64 (builder, "inv", self->inv);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return secret_bytes_from_string (json_generator_to_data (gen, NULL));
}

SemperCoinRequest *
semper_coin_request_new_from_json (GBytes              *json,
                                   SemperDenomination  *denom,
                                   GError             **error)
{
  static const char * const members[] = {
    "type", "version", "denomination", "public-key", "secret-key", "input", "blinded", "inv",
    NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperCoinRequest) self = g_new0 (SemperCoinRequest, 1);
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GBytes) inv = NULL;
  g_autoptr(GBytes) hash = NULL;
  GByteArray *inv_copy;
  JsonObject *object;
  const char *type, *denomination;
  gsize key_len, input_len = 0;
  gint64 version;

  g_return_val_if_fail (json != NULL && denom != NULL, NULL);

  root = semper_message_parse (json, SEMPER_ECASH_MAX_JSON, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  key_len = semper_blind_rsa_key_get_length (denom->key);
  if (!only_members (object, members, error)
      || (type = get_string (object, "type", error)) == NULL
      || !get_int (object, "version", &version, error)
      || (denomination = get_string (object, "denomination", error)) == NULL
      || (self->public_key = get_base64 (object, "public-key", 1, MAX_KEY_DER, error)) == NULL
      || (secret = get_base64 (object, "secret-key", 1, MAX_KEY_DER, error)) == NULL
      || (self->input_msg = get_base64 (object, "input", SEMPER_BLIND_RSA_PREFIX_LEN + 32,
                                        SEMPER_BLIND_RSA_PREFIX_LEN + 32, error)) == NULL
      || (self->blinded = get_base64 (object, "blinded", key_len, key_len, error)) == NULL
      || (inv = get_base64 (object, "inv", 1, key_len, error)) == NULL)
    return NULL;
  /* The blinding inverse is a secret: keep it in bytes that wipe themselves. */
  inv_copy = g_byte_array_new ();
  g_byte_array_append (inv_copy, g_bytes_get_data (inv, NULL), g_bytes_get_size (inv));
  semper_secret_wipe ((gpointer) g_bytes_get_data (inv, NULL), g_bytes_get_size (inv));
  self->inv = g_bytes_new_with_free_func (inv_copy->data, inv_copy->len, secret_gbytes_free,
                                          inv_copy);
  if (strcmp (type, COIN_REQUEST_TYPE) != 0 || version != 1)
    {
      set_invalid (error, _("not a coin request"));
      return NULL;
    }
  if (strcmp (denomination, denom->id) != 0)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_WRONG_DENOMINATION,
                   _("The coin request belongs to another denomination"));
      return NULL;
    }
  self->pub = coin_public_key_decode (self->public_key, error);
  if (self->pub == NULL)
    return NULL;
  self->priv = coin_secret_import (secret, self->pub, error);
  semper_secret_wipe ((gpointer) g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  if (self->priv == NULL)
    return NULL;
  hash = semper_sha256_bytes (self->public_key);
  if (memcmp ((const guint8 *) g_bytes_get_data (self->input_msg, &input_len)
              + SEMPER_BLIND_RSA_PREFIX_LEN, g_bytes_get_data (hash, NULL), 32) != 0)
    {
      set_invalid (error, _("the blinded input is not the coin key's hash"));
      return NULL;
    }
  self->denomination_id = g_strdup (denom->id);
  self->id = semper_sha256_hex (self->public_key);
  self->key = g_object_ref (denom->key);
  return g_steal_pointer (&self);
}

/* ---- coins ------------------------------------------------------------------ */

void
semper_coin_free (SemperCoin *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->denomination_id);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->prefix, g_bytes_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_clear_pointer (&self->pub, SECKEY_DestroyPublicKey);
  g_clear_pointer (&self->priv, SECKEY_DestroyPrivateKey);
  g_free (self);
}

const char *
semper_coin_get_id (SemperCoin *self)
{
  return self->id;
}

const char *
semper_coin_get_denomination_id (SemperCoin *self)
{
  return self->denomination_id;
}

GBytes *
semper_coin_get_public_key (SemperCoin *self)
{
  return self->public_key;
}

gboolean
semper_coin_has_secret (SemperCoin *self)
{
  return self->priv != NULL;
}

gboolean
semper_coin_verify (SemperCoin          *self,
                    SemperDenomination  *denom,
                    GError             **error)
{
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) input_msg = NULL;

  g_return_val_if_fail (self != NULL && denom != NULL, FALSE);

  if (strcmp (self->denomination_id, denom->id) != 0)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_WRONG_DENOMINATION,
                   _("The coin belongs to another denomination"));
      return FALSE;
    }
  hash = semper_sha256_bytes (self->public_key);
  g_byte_array_append (input, g_bytes_get_data (self->prefix, NULL),
                       g_bytes_get_size (self->prefix));
  g_byte_array_append (input, g_bytes_get_data (hash, NULL), g_bytes_get_size (hash));
  input_msg = g_bytes_new (input->data, input->len);
  if (!semper_blind_rsa_verify (denom->key, SEMPER_ECASH_VARIANT, input_msg, self->signature,
                                NULL))
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_BAD_SIGNATURE,
                   _("The coin does not carry a valid signature of the bank"));
      return FALSE;
    }
  return TRUE;
}

GBytes *
semper_coin_sign (SemperCoin  *self,
                  GBytes      *data,
                  GError     **error)
{
  g_return_val_if_fail (self != NULL && data != NULL, NULL);

  if (self->priv == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NO_SECRET,
                   _("The coin's secret key is not here"));
      return NULL;
    }
  return ecdsa_sign (self->priv, data, error);
}

gboolean
semper_coin_verify_signature (SemperCoin  *self,
                              GBytes      *data,
                              GBytes      *signature,
                              GError     **error)
{
  g_return_val_if_fail (self != NULL && data != NULL && signature != NULL, FALSE);
  return ecdsa_verify (self->pub, data, signature, error);
}

GBytes *
semper_coin_to_json (SemperCoin  *self,
                     gboolean     with_secret,
                     GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (with_secret && self->priv == NULL)
    {
      g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_NO_SECRET,
                   _("The coin's secret key is not here"));
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, COIN_TYPE);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "denomination");
  json_builder_add_string_value (builder, self->denomination_id);
  add_base64 (builder, "public-key", self->public_key);
  add_base64 (builder, "prefix", self->prefix);
  add_base64 (builder, "signature", self->signature);
  if (with_secret)
    {
      SECItem *der = PK11_ExportDERPrivateKeyInfo (self->priv, NULL);
      char *b64;

      if (der == NULL)
        {
          g_set_error (error, SEMPER_ECASH_ERROR, SEMPER_ECASH_ERROR_FAILED,
                       _("Could not export the coin key (NSS error %d)"), PORT_GetError ());
          return NULL;
        }
      b64 = g_base64_encode (der->data, der->len);
      SECITEM_ZfreeItem (der, PR_TRUE);
      json_builder_set_member_name (builder, "secret-key");
      json_builder_add_string_value (builder, b64);
      semper_secret_wipe (b64, strlen (b64));
      g_free (b64);
    }
  json_builder_end_object (builder);

  /* The generator's output holds the secret: wipe it with the GBytes. */
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return secret_bytes_from_string (json_generator_to_data (gen, NULL));
}

/* Imports @pkcs8 and proves that it is the private half of @pub. */
static SECKEYPrivateKey *
coin_secret_import (GBytes           *pkcs8,
                    SECKEYPublicKey  *pub,
                    GError          **error)
{
  static const char probe_text[] = "semper coin key check";
  g_autoptr(GBytes) probe = g_bytes_new_static (probe_text, sizeof probe_text - 1);
  g_autoptr(GBytes) sig = NULL;
  SECKEYPrivateKey *priv = NULL;
  PK11SlotInfo *slot = PK11_GetInternalSlot ();
  SECItem item;
  gsize len = 0;

  item.type = siBuffer;
  item.data = (unsigned char *) g_bytes_get_data (pkcs8, &len);
  item.len = (unsigned int) len;
  if (PK11_ImportDERPrivateKeyInfoAndReturnKey (slot, &item, NULL, &pub->u.ec.publicValue,
                                                PR_FALSE, PR_FALSE, KU_ALL, &priv,
                                                NULL) != SECSuccess)
    priv = NULL;
  PK11_FreeSlot (slot);
  if (priv != NULL && priv->keyType == ecKey)
    sig = ecdsa_sign (priv, probe, NULL);
  if (sig == NULL || !ecdsa_verify (pub, probe, sig, NULL))
    {
      g_clear_pointer (&priv, SECKEY_DestroyPrivateKey);
      set_invalid (error, _("the secret key does not match the coin"));
      return NULL;
    }
  return priv;
}

SemperCoin *
semper_coin_new_from_json (GBytes  *json,
                           GError **error)
{
  static const char * const members[] = {
    "type", "version", "denomination", "public-key", "prefix", "signature", "secret-key", NULL
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SemperCoin) coin = g_new0 (SemperCoin, 1);
  g_autoptr(GBytes) secret = NULL;
  JsonObject *object;
  const char *type, *denomination;
  gint64 version;

  g_return_val_if_fail (json != NULL, NULL);

  root = semper_message_parse (json, SEMPER_ECASH_MAX_JSON, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (!only_members (object, members, error)
      || (type = get_string (object, "type", error)) == NULL
      || !get_int (object, "version", &version, error)
      || (denomination = get_string (object, "denomination", error)) == NULL
      || (coin->public_key = get_base64 (object, "public-key", 1, MAX_KEY_DER, error)) == NULL
      || (coin->prefix = get_base64 (object, "prefix", SEMPER_BLIND_RSA_PREFIX_LEN,
                                     SEMPER_BLIND_RSA_PREFIX_LEN, error)) == NULL
      || (coin->signature = get_base64 (object, "signature", SEMPER_BLIND_RSA_MIN_BITS / 8,
                                        SEMPER_BLIND_RSA_MAX_BITS / 8, error)) == NULL)
    return NULL;
  if (strcmp (type, COIN_TYPE) != 0 || version != 1)
    {
      set_invalid (error, _("not a coin of version 1"));
      return NULL;
    }
  if (strlen (denomination) != 64 || strspn (denomination, "0123456789abcdef") != 64)
    {
      set_invalid (error, _("denomination"));
      return NULL;
    }
  coin->denomination_id = g_strdup (denomination);
  coin->pub = coin_public_key_decode (coin->public_key, error);
  if (coin->pub == NULL)
    return NULL;
  coin->id = semper_sha256_hex (coin->public_key);

  if (json_object_has_member (object, "secret-key"))
    {
      secret = get_base64 (object, "secret-key", 1, MAX_KEY_DER, error);
      if (secret == NULL)
        return NULL;
      coin->priv = coin_secret_import (secret, coin->pub, error);
      semper_secret_wipe ((gpointer) g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
      if (coin->priv == NULL)
        return NULL;
    }
  return g_steal_pointer (&coin);
}
