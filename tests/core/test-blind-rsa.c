/* test-blind-rsa.c: RFC 9474 RSA blind signatures.
 *
 * The vectors are RFC 9474 Appendix A (tests/data/rfc9474-vectors.json, see
 * tests/data/README.md for their source): every step of every variant must
 * reproduce the published bytes. Then round trips with a fresh key (made once
 * per run: RSA key generation is slow) and the ways a signature can be bad.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "semper-blind-rsa.h"
#include "semper-blind-rsa-private.h"

static SemperBlindRsaKey *fresh_key;   /* 2048 bits, made once */

static SemperBlindRsaKey *
get_fresh_key (void)
{
  if (fresh_key == NULL)
    {
      g_autoptr(GError) error = NULL;

      fresh_key = semper_blind_rsa_key_generate (2048, &error);
      g_assert_no_error (error);
    }
  return fresh_key;
}

/* Hex (optionally 0x-prefixed, odd length allowed) to bytes, left-padded with
 * zeros to @pad bytes when @pad is larger. */
static GBytes *
hex_bytes (const char *hex,
           gsize       pad)
{
  g_autofree char *even = NULL;
  gsize n, len, off;
  guint8 *out;

  if (g_str_has_prefix (hex, "0x"))
    hex += 2;
  n = strlen (hex);
  even = (n % 2) ? g_strconcat ("0", hex, NULL) : g_strdup (hex);
  len = strlen (even) / 2;
  off = pad > len ? pad - len : 0;
  out = g_malloc0 (len + off);
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (even[2 * i]);
      int lo = g_ascii_xdigit_value (even[2 * i + 1]);

      g_assert_true (hi >= 0 && lo >= 0);
      out[off + i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (out, len + off);
}

static GBytes *
member_bytes (JsonObject *v,
              const char *name,
              gsize       pad)
{
  return hex_bytes (json_object_get_string_member (v, name), pad);
}

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a),
                   g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static GBytes *
flip_bit (GBytes *in,
          gsize   at)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (in, &len);
  guint8 *copy = g_memdup2 (data, len);

  g_assert_cmpuint (at, <, len);
  copy[at] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
test_vectors (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "rfc9474-vectors.json",
                                                 NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *vectors;
  guint seen = 0;
  gboolean variant_seen[4] = { FALSE, };

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (vectors), ==, 4);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      const char *name = json_object_get_string_member (v, "name");
      SemperBlindRsaVariant variant;
      g_autoptr(SemperBlindRsaKey) key = NULL;
      g_autoptr(SemperBlindRsaKey) pub = NULL;
      g_autoptr(GBytes) p = member_bytes (v, "p", 0);
      g_autoptr(GBytes) q = member_bytes (v, "q", 0);
      g_autoptr(GBytes) e = member_bytes (v, "e", 0);
      g_autoptr(GBytes) n = member_bytes (v, "n", 0);
      g_autoptr(GBytes) msg = member_bytes (v, "msg", 0);
      g_autoptr(GBytes) prefix = member_bytes (v, "msg_prefix", 0);
      g_autoptr(GBytes) input_msg = member_bytes (v, "input_msg", 0);
      g_autoptr(GBytes) salt = member_bytes (v, "salt", 0);
      g_autoptr(GBytes) inv = NULL;
      g_autoptr(GBytes) want_blinded = NULL;
      g_autoptr(GBytes) want_blind_sig = NULL;
      g_autoptr(GBytes) want_sig = NULL;
      g_autoptr(GBytes) joined = NULL;
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GBytes) blinded = NULL;
      g_autoptr(GBytes) blind_sig = NULL;
      g_autoptr(GBytes) sig = NULL;
      g_autoptr(GBytes) spki = NULL;
      g_autoptr(GBytes) bad_sig = NULL;
      g_autoptr(GBytes) bad_msg = NULL;
      g_autoptr(GByteArray) concat = g_byte_array_new ();
      gsize len;

      g_test_message ("vector %s", name);
      g_assert_true (semper_blind_rsa_variant_from_string (name, &variant));
      variant_seen[variant] = TRUE;

      key = _semper_blind_rsa_key_new_from_primes (p, q, e, &error);
      g_assert_no_error (error);
      g_assert_nonnull (key);
      len = semper_blind_rsa_key_get_length (key);
      g_assert_cmpuint (len, ==, g_bytes_get_size (n));
      g_assert_cmpuint (semper_blind_rsa_key_get_bits (key), ==, 4096);
      inv = member_bytes (v, "inv", len);
      want_blinded = member_bytes (v, "blinded_msg", len);
      want_blind_sig = member_bytes (v, "blind_sig", len);
      want_sig = member_bytes (v, "sig", len);

      /* Prepare: the randomized variants put the 32-byte prefix in front. */
      g_byte_array_append (concat, g_bytes_get_data (prefix, NULL), g_bytes_get_size (prefix));
      g_byte_array_append (concat, g_bytes_get_data (msg, NULL), g_bytes_get_size (msg));
      joined = g_bytes_new (concat->data, concat->len);
      assert_bytes_equal (joined, input_msg);
      g_assert_cmpuint (g_bytes_get_size (prefix), ==,
                        strstr (name, "Randomized") ? SEMPER_BLIND_RSA_PREFIX_LEN : 0);
      g_assert_cmpuint (g_bytes_get_size (salt), ==, strstr (name, "PSSZERO") ? 0 : 48);

      /* EMSA-PSS-ENCODE, where the vector gives it */
      encoded = _semper_blind_rsa_encode (key, input_msg, salt, &error);
      g_assert_no_error (error);
      if (json_object_has_member (v, "encoded_msg"))
        {
          g_autoptr(GBytes) want = member_bytes (v, "encoded_msg", 0);

          assert_bytes_equal (encoded, want);
        }

      blinded = _semper_blind_rsa_blind_with (key, input_msg, salt, inv, &error);
      g_assert_no_error (error);
      assert_bytes_equal (blinded, want_blinded);

      blind_sig = semper_blind_rsa_blind_sign (key, blinded, &error);
      g_assert_no_error (error);
      assert_bytes_equal (blind_sig, want_blind_sig);

      sig = semper_blind_rsa_finalize (key, variant, input_msg, blind_sig, inv, &error);
      g_assert_no_error (error);
      assert_bytes_equal (sig, want_sig);

      g_assert_true (semper_blind_rsa_verify (key, variant, input_msg, sig, &error));
      g_assert_no_error (error);

      /* Anyone with the public key alone verifies it. */
      spki = semper_blind_rsa_key_dup_spki (key);
      pub = semper_blind_rsa_key_new_from_spki (spki, &error);
      g_assert_no_error (error);
      g_assert_false (semper_blind_rsa_key_has_private (pub));
      g_assert_true (semper_blind_rsa_verify (pub, variant, input_msg, sig, &error));
      g_assert_no_error (error);

      /* and refuses a changed signature or message */
      bad_sig = flip_bit (sig, len - 1);
      g_assert_false (semper_blind_rsa_verify (pub, variant, input_msg, bad_sig, &error));
      g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
      bad_msg = flip_bit (input_msg, 0);
      g_assert_false (semper_blind_rsa_verify (pub, variant, bad_msg, sig, &error));
      g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
      seen++;
    }
  g_assert_cmpuint (seen, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (variant_seen); i++)
    g_assert_true (variant_seen[i]);
}

static void
test_round_trip (void)
{
  SemperBlindRsaKey *key = get_fresh_key ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) spki = semper_blind_rsa_key_dup_spki (key);
  g_autoptr(SemperBlindRsaKey) pub = semper_blind_rsa_key_new_from_spki (spki, &error);
  g_autoptr(GBytes) msg = g_bytes_new_static ("coin public key hash", 20);

  g_assert_no_error (error);
  g_assert_cmpuint (semper_blind_rsa_key_get_bits (key), ==, 2048);
  g_assert_cmpuint (semper_blind_rsa_key_get_length (key), ==, 256);

  for (guint v = 0; v < 4; v++)
    {
      SemperBlindRsaVariant variant = v;
      g_autoptr(GBytes) input1 = semper_blind_rsa_prepare (variant, msg, &error);
      g_autoptr(GBytes) input2 = semper_blind_rsa_prepare (variant, msg, &error);
      g_autoptr(GBytes) inv1 = NULL;
      g_autoptr(GBytes) inv2 = NULL;
      g_autoptr(GBytes) blinded1 = NULL;
      g_autoptr(GBytes) blinded2 = NULL;
      g_autoptr(GBytes) bsig1 = NULL;
      g_autoptr(GBytes) bsig2 = NULL;
      g_autoptr(GBytes) sig1 = NULL;
      g_autoptr(GBytes) sig2 = NULL;
      SemperBlindRsaVariant back;

      g_assert_no_error (error);
      g_assert_true (semper_blind_rsa_variant_from_string (
                       semper_blind_rsa_variant_to_string (variant), &back));
      g_assert_cmpint (back, ==, variant);

      /* A client blinds the same message twice: the signer sees unrelated numbers. */
      blinded1 = semper_blind_rsa_blind (pub, variant, input1, &inv1, &error);
      g_assert_no_error (error);
      blinded2 = semper_blind_rsa_blind (pub, variant, input2, &inv2, &error);
      g_assert_no_error (error);
      g_assert_false (g_bytes_equal (blinded1, blinded2));

      bsig1 = semper_blind_rsa_blind_sign (key, blinded1, &error);
      g_assert_no_error (error);
      bsig2 = semper_blind_rsa_blind_sign (key, blinded2, &error);
      g_assert_no_error (error);

      sig1 = semper_blind_rsa_finalize (pub, variant, input1, bsig1, inv1, &error);
      g_assert_no_error (error);
      sig2 = semper_blind_rsa_finalize (pub, variant, input2, bsig2, inv2, &error);
      g_assert_no_error (error);
      g_assert_true (semper_blind_rsa_verify (pub, variant, input1, sig1, &error));
      g_assert_true (semper_blind_rsa_verify (pub, variant, input2, sig2, &error));
      g_assert_no_error (error);

      /* Only the deterministic zero-salt variant gives the same signature twice. */
      if (variant == SEMPER_BLIND_RSA_SHA384_PSSZERO_DETERMINISTIC)
        g_assert_true (g_bytes_equal (sig1, sig2));
      else
        g_assert_false (g_bytes_equal (sig1, sig2));

      /* The randomized variants refuse the message without its prefix. */
      if (variant == SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED
          || variant == SEMPER_BLIND_RSA_SHA384_PSSZERO_RANDOMIZED)
        {
          g_assert_false (semper_blind_rsa_verify (pub, variant, msg, sig1, &error));
          g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
          g_clear_error (&error);
        }
    }
}

static void
test_export_import (void)
{
  SemperBlindRsaKey *key = get_fresh_key ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pkcs8 = semper_blind_rsa_key_export_pkcs8 (key, &error);
  g_autoptr(SemperBlindRsaKey) again = NULL;
  g_autoptr(GBytes) spki1 = semper_blind_rsa_key_dup_spki (key);
  g_autoptr(GBytes) spki2 = NULL;
  g_autoptr(GBytes) msg = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) inv = NULL;
  g_autoptr(GBytes) blinded = NULL;
  g_autoptr(GBytes) bsig = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autofree char *id1 = semper_blind_rsa_key_dup_id (key);
  g_autofree char *id2 = NULL;

  g_assert_no_error (error);
  again = semper_blind_rsa_key_new_from_pkcs8 (pkcs8, &error);
  g_assert_no_error (error);
  spki2 = semper_blind_rsa_key_dup_spki (again);
  g_assert_true (g_bytes_equal (spki1, spki2));
  id2 = semper_blind_rsa_key_dup_id (again);
  g_assert_cmpstr (id1, ==, id2);
  g_assert_cmpuint (strlen (id1), ==, 64);

  /* The re-imported key signs what the original's public key verifies. */
  input = semper_blind_rsa_prepare (SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, msg, &error);
  blinded = semper_blind_rsa_blind (key, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, input, &inv,
                                    &error);
  g_assert_no_error (error);
  bsig = semper_blind_rsa_blind_sign (again, blinded, &error);
  g_assert_no_error (error);
  sig = semper_blind_rsa_finalize (key, SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED, input, bsig, inv,
                                   &error);
  g_assert_no_error (error);
  g_assert_nonnull (sig);
}

static void
test_tamper (void)
{
  SemperBlindRsaKey *key = get_fresh_key ();
  const SemperBlindRsaVariant variant = SEMPER_BLIND_RSA_SHA384_PSS_RANDOMIZED;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) spki = semper_blind_rsa_key_dup_spki (key);
  g_autoptr(SemperBlindRsaKey) pub = semper_blind_rsa_key_new_from_spki (spki, &error);
  g_autoptr(GBytes) msg = g_bytes_new_static ("pay 5 EUR", 9);
  g_autoptr(GBytes) input = semper_blind_rsa_prepare (variant, msg, &error);
  g_autoptr(GBytes) inv = NULL;
  g_autoptr(GBytes) other_inv = NULL;
  g_autoptr(GBytes) blinded = NULL;
  g_autoptr(GBytes) other_blinded = NULL;
  g_autoptr(GBytes) bsig = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) short_msg = g_bytes_new_static ("short", 5);
  g_autoptr(GBytes) all_ff = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GByteArray) trailing = g_byte_array_new ();
  g_autoptr(GBytes) trailing_spki = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x03\x02\x01\x00", 5);
  g_autoptr(SemperBlindRsaKey) none = NULL;
  guint8 *ff;

  g_assert_no_error (error);
  blinded = semper_blind_rsa_blind (pub, variant, input, &inv, &error);
  g_assert_no_error (error);
  bsig = semper_blind_rsa_blind_sign (key, blinded, &error);
  g_assert_no_error (error);

  /* An altered blind signature does not finalize. */
  bad = flip_bit (bsig, 100);
  out = semper_blind_rsa_finalize (pub, variant, input, bad, inv, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Nor with the inverse of another blinding. */
  other_blinded = semper_blind_rsa_blind (pub, variant, input, &other_inv, &error);
  g_assert_no_error (error);
  out = semper_blind_rsa_finalize (pub, variant, input, bsig, other_inv, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Nor for another message. */
  out = semper_blind_rsa_finalize (pub, variant, msg, bsig, inv, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* A good signature does not verify under another variant (salt length). */
  sig = semper_blind_rsa_finalize (pub, variant, input, bsig, inv, &error);
  g_assert_no_error (error);
  g_assert_false (semper_blind_rsa_verify (pub, SEMPER_BLIND_RSA_SHA384_PSSZERO_RANDOMIZED,
                                           input, sig, &error));
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* The signer refuses a wrong length, a number >= n and a public key. */
  out = semper_blind_rsa_blind_sign (key, short_msg, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT);
  g_clear_error (&error);
  ff = g_malloc (256);
  memset (ff, 0xff, 256);
  all_ff = g_bytes_new_take (ff, 256);
  out = semper_blind_rsa_blind_sign (key, all_ff, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT);
  g_clear_error (&error);
  out = semper_blind_rsa_blind_sign (pub, blinded, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY);
  g_clear_error (&error);
  out = semper_blind_rsa_finalize (pub, variant, input, all_ff, inv, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_INPUT);
  g_clear_error (&error);

  /* Keys: too small, not DER, not canonical. */
  none = semper_blind_rsa_key_generate (1024, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY);
  g_clear_error (&error);
  none = semper_blind_rsa_key_new_from_spki (garbage, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY);
  g_clear_error (&error);
  g_byte_array_append (trailing, g_bytes_get_data (spki, NULL), g_bytes_get_size (spki));
  g_byte_array_append (trailing, (const guint8 *) "\0", 1);
  trailing_spki = g_bytes_new (trailing->data, trailing->len);
  none = semper_blind_rsa_key_new_from_spki (trailing_spki, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY);
  g_clear_error (&error);
  none = semper_blind_rsa_key_new_from_pkcs8 (garbage, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_BAD_KEY);
  g_clear_error (&error);
  out = semper_blind_rsa_key_export_pkcs8 (pub, &error);
  g_assert_null (out);
  g_assert_error (error, SEMPER_BLIND_RSA_ERROR, SEMPER_BLIND_RSA_ERROR_NO_PRIVATE_KEY);
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/blind-rsa/vectors", test_vectors);
  g_test_add_func ("/semper/blind-rsa/round-trip", test_round_trip);
  g_test_add_func ("/semper/blind-rsa/export-import", test_export_import);
  g_test_add_func ("/semper/blind-rsa/tamper", test_tamper);

  ret = g_test_run ();
  g_clear_object (&fresh_key);
  return ret;
}
