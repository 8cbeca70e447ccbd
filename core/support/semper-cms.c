/* semper-cms.c: CMS SignedData (NSS libsmime3) and EnvelopedData (ECDH).
 *
 * SignedData is made and parsed by NSS's CMS code; the signer's chain is
 * checked by SemperTrust, not by NSS's global trust store.
 *
 * NSS 3.87's CMS has no ECDH key agreement, so EnvelopedData with a
 * KeyAgreeRecipientInfo (RFC 5753: dhSinglePass-stdDH-sha256kdf-scheme,
 * id-aes256-wrap, AES-256-CBC) is encoded and parsed here with a small
 * strict DER reader; every cryptographic step is an NSS PKCS#11 call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-cms.h"
#include "semper-crypto-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <cms.h>
#include <secder.h>
#include <secerr.h>
#include <sechash.h>
#include <secoid.h>

#define MAX_CERTS 16

static const char document_magic[] = "Semper-Document:";

/* OIDs, DER content bytes */
static const guint8 oid_signed_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const guint8 oid_enveloped_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
static const guint8 oid_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const guint8 oid_ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const guint8 oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

typedef struct
{
  guint8             oid[12];
  gsize              oid_len;
  CK_EC_KDF_TYPE     kdf;
} KdfScheme;

static const KdfScheme kdf_schemes[] = {
  /* dhSinglePass-stdDH-sha1kdf-scheme (OpenSSL's default) */
  { { 0x2b, 0x81, 0x05, 0x10, 0x86, 0x48, 0x3f, 0x00, 0x02 }, 9, CKD_SHA1_KDF },
  /* dhSinglePass-stdDH-sha{224,256,384,512}kdf-scheme */
  { { 0x2b, 0x81, 0x04, 0x01, 0x0b, 0x00 }, 6, CKD_SHA224_KDF },
  { { 0x2b, 0x81, 0x04, 0x01, 0x0b, 0x01 }, 6, CKD_SHA256_KDF },
  { { 0x2b, 0x81, 0x04, 0x01, 0x0b, 0x02 }, 6, CKD_SHA384_KDF },
  { { 0x2b, 0x81, 0x04, 0x01, 0x0b, 0x03 }, 6, CKD_SHA512_KDF },
};

/* 2.16.840.1.101.3.4.1.<last>: AES wrap and AES-CBC for 128/192/256 bits */
static const guint8 oid_aes_prefix[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01 };
#define AES128_CBC 0x02
#define AES128_WRAP 0x05
#define AES192_CBC 0x16
#define AES192_WRAP 0x19
#define AES256_CBC 0x2a
#define AES256_WRAP 0x2d

/* ---- a strict DER reader ---------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  const guint8 *end;
} Der;

typedef struct
{
  guint8        tag;
  const guint8 *tlv;      /* start of the whole element */
  gsize         tlv_len;
  const guint8 *val;
  gsize         len;
} DerItem;

static gboolean
der_next (Der     *d,
          DerItem *item)
{
  const guint8 *p = d->p;
  gsize avail = d->end - p;
  gsize len;

  if (avail < 2)
    return FALSE;
  item->tag = p[0];
  if ((item->tag & 0x1f) == 0x1f)
    return FALSE;  /* multi-byte tags never occur here */
  len = p[1];
  p += 2;
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      /* definite, minimal, at most 4 length bytes */
      if (n == 0 || n > 4 || (gsize) (d->end - p) < n || p[0] == 0)
        return FALSE;
      len = 0;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | p[i];
      if (len < 0x80)
        return FALSE;
      p += n;
    }
  if ((gsize) (d->end - p) < len)
    return FALSE;
  item->tlv = d->p;
  item->val = p;
  item->len = len;
  item->tlv_len = (p + len) - d->p;
  d->p = p + len;
  return TRUE;
}

static gboolean
der_expect (Der     *d,
            guint8   tag,
            DerItem *item)
{
  return der_next (d, item) && item->tag == tag;
}

static Der
der_inside (const DerItem *item)
{
  Der d = { item->val, item->val + item->len };
  return d;
}

static gboolean
der_done (const Der *d)
{
  return d->p == d->end;
}

static gboolean
item_is (const DerItem *item,
         const guint8  *bytes,
         gsize          len)
{
  return item->len == len && memcmp (item->val, bytes, len) == 0;
}

static gboolean
der_peek_tag (const Der *d,
              guint8     tag)
{
  return d->p < d->end && d->p[0] == tag;
}

/* ---- a DER writer ---------------------------------------------------------------- */

static void
der_put_header (GByteArray *out,
                guint8      tag,
                gsize       len)
{
  guint8 buf[6];
  guint n = 0;

  buf[n++] = tag;
  if (len < 0x80)
    buf[n++] = (guint8) len;
  else
    {
      guint bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;

      buf[n++] = 0x80 | bytes;
      for (guint i = bytes; i > 0; i--)
        buf[n++] = (guint8) (len >> (8 * (i - 1)));
    }
  g_byte_array_append (out, buf, n);
}

static void
der_put (GByteArray   *out,
         guint8        tag,
         const guint8 *val,
         gsize         len)
{
  der_put_header (out, tag, len);
  g_byte_array_append (out, val, (guint) len);
}

/* Appends @inner as the content of a constructed @tag, and frees @inner. */
static void
der_put_wrapped (GByteArray *out,
                 guint8      tag,
                 GByteArray *inner)
{
  der_put (out, tag, inner->data, inner->len);
  g_byte_array_unref (inner);
}

/* Re-encodes one BER element at *@p as DER into @out: definite lengths, and
 * constructed OCTET STRINGs joined into one primitive. Only for NSS's own
 * encoder output, whose other parts are already DER. */
static gboolean
ber_to_der (const guint8 **p,
            const guint8  *end,
            GByteArray    *out,
            guint          depth)
{
  const guint8 *q = *p;
  guint8 tag;
  gboolean indefinite = FALSE;
  gsize len = 0;
  const guint8 *content_end;

  if (depth > 32 || end - q < 2)
    return FALSE;
  tag = *q++;
  if ((tag & 0x1f) == 0x1f)
    return FALSE;
  if (*q == 0x80)
    {
      indefinite = TRUE;
      q++;
    }
  else if (*q & 0x80)
    {
      guint n = *q++ & 0x7f;

      if (n == 0 || n > 4 || (gsize) (end - q) < n)
        return FALSE;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | *q++;
    }
  else
    len = *q++;

  if (!(tag & 0x20))
    {
      if (indefinite || (gsize) (end - q) < len)
        return FALSE;
      der_put (out, tag, q, len);
      *p = q + len;
      return TRUE;
    }

  if (!indefinite && (gsize) (end - q) < len)
    return FALSE;
  content_end = indefinite ? end : q + len;
  {
    GByteArray *inner = g_byte_array_new ();

    while (TRUE)
      {
        if (indefinite && content_end - q >= 2 && q[0] == 0 && q[1] == 0)
          {
            q += 2;
            break;
          }
        if (!indefinite && q == content_end)
          break;
        if (!ber_to_der (&q, content_end, inner, depth + 1))
          {
            g_byte_array_unref (inner);
            return FALSE;
          }
      }

    if (tag == 0x24)
      {
        /* constructed OCTET STRING: join the (now DER) primitive chunks */
        GByteArray *joined = g_byte_array_new ();
        Der d = { inner->data, inner->data + inner->len };
        DerItem chunk;

        while (!der_done (&d))
          {
            if (!der_expect (&d, 0x04, &chunk))
              {
                g_byte_array_unref (joined);
                g_byte_array_unref (inner);
                return FALSE;
              }
            g_byte_array_append (joined, chunk.val, (guint) chunk.len);
          }
        g_byte_array_unref (inner);
        der_put_wrapped (out, 0x04, joined);
      }
    else
      der_put_wrapped (out, tag, inner);
  }
  *p = q;
  return TRUE;
}

/* ---- SignedData: signing ------------------------------------------------------- */

static gboolean
is_semper_document (GBytes *content)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (content, &len);

  return len >= strlen (document_magic) &&
         memcmp (data, document_magic, strlen (document_magic)) == 0;
}

static GBytes *
sign_content (SemperCrypto  *self,
              GBytes        *content,
              GError       **error)
{
  CERTCertificate *cert;
  NSSCMSMessage *cmsg = NULL;
  NSSCMSSignedData *sigd;
  NSSCMSContentInfo *cinfo;
  NSSCMSSignerInfo *signer;
  NSSCMSEncoderContext *ecx;
  PLArenaPool *arena = NULL;
  SECItem out = { 0 };
  gsize len = 0;
  const char *data = g_bytes_get_data (content, &len);
  GBytes *ret = NULL;

  if (len == 0 || len > SEMPER_CMS_MAX_SIZE / 2)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The content to sign is empty or too large"));
      return NULL;
    }
  cert = _semper_crypto_find_cert (self, error);
  if (cert == NULL)
    return NULL;

  cmsg = NSS_CMSMessage_Create (NULL);
  sigd = cmsg ? NSS_CMSSignedData_Create (cmsg) : NULL;
  if (sigd == NULL)
    goto failed;
  cinfo = NSS_CMSMessage_GetContentInfo (cmsg);
  if (NSS_CMSContentInfo_SetContent_SignedData (cmsg, cinfo, sigd) != SECSuccess)
    goto failed;
  cinfo = NSS_CMSSignedData_GetContentInfo (sigd);
  /* attached content (detached = FALSE) */
  if (NSS_CMSContentInfo_SetContent_Data (cmsg, cinfo, NULL, PR_FALSE) != SECSuccess)
    goto failed;

  signer = NSS_CMSSignerInfo_Create (cmsg, cert, SEC_OID_SHA256);
  if (signer == NULL ||
      NSS_CMSSignerInfo_IncludeCerts (signer, NSSCMSCM_CertChain,
                                      certUsageEmailSigner) != SECSuccess ||
      NSS_CMSSignerInfo_AddSigningTime (signer, PR_Now ()) != SECSuccess ||
      NSS_CMSSignedData_AddSignerInfo (sigd, signer) != SECSuccess)
    goto failed;

  arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  ecx = NSS_CMSEncoder_Start (cmsg, NULL, NULL, &out, arena, NULL, self,
                              NULL, NULL, NULL, NULL);
  if (ecx == NULL)
    goto failed;
  if (NSS_CMSEncoder_Update (ecx, data, (unsigned long) len) != SECSuccess)
    {
      NSS_CMSEncoder_Cancel (ecx);
      goto failed;
    }
  if (NSS_CMSEncoder_Finish (ecx) != SECSuccess)
    goto failed;

  /* NSS's encoder streams (indefinite lengths, chunked OCTET STRING); the
   * wire format is DER. The signature covers the content octets and the
   * DER signed attributes, so re-encoding the envelope keeps it valid. */
  {
    GByteArray *der = g_byte_array_sized_new (out.len);
    const guint8 *p = out.data;

    if (!ber_to_der (&p, out.data + out.len, der, 0) || p != out.data + out.len)
      {
        g_byte_array_unref (der);
        g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_FAILED,
                             _("Could not encode the signed message as DER"));
        goto done;
      }
    ret = g_byte_array_free_to_bytes (der);
  }
  goto done;

failed:
  _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, _("Could not sign"));
done:
  if (cmsg)
    NSS_CMSMessage_Destroy (cmsg);
  if (arena)
    PORT_FreeArena (arena, PR_FALSE);
  CERT_DestroyCertificate (cert);
  return ret;
}

/**
 * semper_cms_sign_message:
 * @content: machine-to-machine content (JSON), never a semper document
 *
 * Signs @content with the profile key: CMS SignedData, DER, content
 * attached, SHA-256, signing-time attribute, signer certificate included.
 *
 * Returns: (transfer full): the DER, or %NULL. Content that starts with
 *   "Semper-Document:" is refused with %SEMPER_CONSENT_ERROR_REFUSED: user
 *   documents are signed only with semper_cms_sign_document().
 */
GBytes *
semper_cms_sign_message (SemperCrypto  *self,
                         GBytes        *content,
                         GError       **error)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);
  g_return_val_if_fail (content != NULL, NULL);

  if (is_semper_document (content))
    {
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                           _("A semper document is signed only with the user's consent"));
      return NULL;
    }
  return sign_content (self, content, error);
}

/**
 * semper_cms_sign_document:
 * @content: the exact bytes the user saw
 * @consent: the consent the trusted display made for those bytes; it is
 *   consumed (a consent signs once)
 *
 * Like semper_cms_sign_message() for a user document (DESIGN.md rule 2).
 *
 * Returns: (transfer full): the DER, or %NULL with a SEMPER_CONSENT_ERROR
 *   when the consent does not cover @content.
 */
GBytes *
semper_cms_sign_document (SemperCrypto   *self,
                          GBytes         *content,
                          SemperConsent  *consent,
                          GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);
  g_return_val_if_fail (content != NULL, NULL);

  if (consent == NULL)
    {
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                           _("A document is signed only with the user's consent"));
      return NULL;
    }
  if (!semper_consent_consume (consent, content, error))
    return NULL;
  return sign_content (self, content, error);
}

/* ---- SignedData: verifying ---------------------------------------------------- */

static gboolean
check_outer (GBytes        *input,
             const guint8  *oid,
             gsize          oid_len,
             const char    *what,
             GError       **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (input, &len);
  Der d = { data, data + len };
  DerItem item, type;
  Der inner;

  if (len == 0 || len > SEMPER_CMS_MAX_SIZE)
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("The %s is empty or larger than %d bytes"), what, SEMPER_CMS_MAX_SIZE);
      return FALSE;
    }
  if (!der_expect (&d, 0x30, &item) || !der_done (&d))
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("The %s is not one DER object (or has trailing bytes)"), what);
      return FALSE;
    }
  inner = der_inside (&item);
  if (!der_expect (&inner, 0x06, &type) || !item_is (&type, oid, oid_len))
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("The %s is not of the expected CMS type"), what);
      return FALSE;
    }
  return TRUE;
}

/* Walks SignedData down to its encapsulated content before NSS sees it: we
 * accept only attached id-data content, and NSS's decoder leaks on some
 * malformed inner content types (found by the cms fuzz target), so such
 * input never reaches it. */
static gboolean
check_signed_data_shape (GBytes  *input,
                         GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (input, &len);
  Der d = { data, data + len };
  Der ci, wrapper, sd, encap, econtent;
  DerItem item, field;

  if (!der_expect (&d, 0x30, &item))
    goto bad;
  ci = der_inside (&item);
  if (!der_expect (&ci, 0x06, &field) || !der_expect (&ci, 0xa0, &item) || !der_done (&ci))
    goto bad;
  wrapper = der_inside (&item);
  if (!der_expect (&wrapper, 0x30, &item) || !der_done (&wrapper))
    goto bad;
  sd = der_inside (&item);
  if (!der_expect (&sd, 0x02, &field) ||      /* version */
      !der_expect (&sd, 0x31, &field) ||      /* digestAlgorithms */
      !der_expect (&sd, 0x30, &item))         /* encapContentInfo */
    goto bad;
  encap = der_inside (&item);
  if (!der_expect (&encap, 0x06, &field) || !item_is (&field, oid_data, sizeof oid_data))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The signed content is not plain data"));
      return FALSE;
    }
  if (der_done (&encap))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Detached signatures are not accepted: no content inside"));
      return FALSE;
    }
  if (!der_expect (&encap, 0xa0, &item) || !der_done (&encap))
    goto bad;
  econtent = der_inside (&item);
  if (!der_expect (&econtent, 0x04, &field) || !der_done (&econtent))
    goto bad;

  return TRUE;

bad:
  g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                       _("Not a valid CMS signed message"));
  return FALSE;
}

static gboolean
signer_matches (NSSCMSSignerInfo *si,
                CERTCertificate  *cert)
{
  NSSCMSSignerIdentifier *sid = &si->signerIdentifier;

  if (sid->identifierType == NSSCMSSignerID_IssuerSN)
    return sid->id.issuerAndSN != NULL &&
           SECITEM_CompareItem (&sid->id.issuerAndSN->derIssuer, &cert->derIssuer) == SECEqual &&
           SECITEM_CompareItem (&sid->id.issuerAndSN->serialNumber,
                                &cert->serialNumber) == SECEqual;
  if (sid->identifierType == NSSCMSSignerID_SubjectKeyID)
    {
      SECItem skid = { 0 };
      gboolean same;

      if (sid->id.subjectKeyID == NULL ||
          CERT_FindSubjectKeyIDExtension (cert, &skid) != SECSuccess)
        return FALSE;
      same = SECITEM_CompareItem (&skid, sid->id.subjectKeyID) == SECEqual;
      SECITEM_FreeItem (&skid, PR_FALSE);
      return same;
    }
  return FALSE;
}

/**
 * semper_cms_verify:
 * @p7m: a CMS SignedData in DER
 * @trust: (nullable): the pinned root. With %NULL the signature is checked
 *   against the included certificate only and the signer is reported with
 *   trusted=%FALSE (for `semper verify` on a file from an unknown CA).
 * @signer: (out) (optional) (transfer full): who signed, and when
 *
 * Checks, in order: size (SEMPER_CMS_MAX_SIZE), one DER object without
 * trailing bytes, SignedData with attached id-data content, exactly one
 * signer, a signing-time attribute, the signer certificate among the
 * included ones, the signature over the content, signing time inside the
 * certificate's validity, keyUsage, and (with @trust) the chain to the
 * pinned root, valid now, with a SEMPER role.
 *
 * Returns: (transfer full): the signed content, or %NULL with
 *   %SEMPER_CRYPTO_ERROR_BAD_INPUT, _BAD_SIGNATURE, _UNTRUSTED or _EXPIRED.
 */
GBytes *
semper_cms_verify (GBytes            *p7m,
                   SemperTrust       *trust,
                   SemperSignerInfo **signer,
                   GError           **error)
{
  NSSCMSMessage *cmsg = NULL;
  NSSCMSContentInfo *cinfo, *inner;
  NSSCMSSignedData *sigd;
  NSSCMSSignerInfo *si;
  SECItem item;
  SECItem *content;
  SECItem **raw;
  SECItem digest;
  SECOidTag digest_alg;
  CERTCertificate *certs[MAX_CERTS];
  CERTCertificate *leaf = NULL;
  guint n_certs = 0;
  guint8 digest_buf[HASH_LENGTH_MAX];
  PRTime signing_time;
  g_autoptr(SemperSignerInfo) info = NULL;
  GBytes *ret = NULL;

  g_return_val_if_fail (p7m != NULL, NULL);
  g_return_val_if_fail (trust == NULL || SEMPER_IS_TRUST (trust), NULL);

  if (!check_outer (p7m, oid_signed_data, sizeof oid_signed_data, _("signed message"), error) ||
      !check_signed_data_shape (p7m, error))
    return NULL;
  _semper_nss_init ();

  item.type = siBuffer;
  item.data = (unsigned char *) g_bytes_get_data (p7m, NULL);
  item.len = (unsigned int) g_bytes_get_size (p7m);
  cmsg = NSS_CMSMessage_CreateFromDER (&item, NULL, NULL, NULL, NULL, NULL, NULL);
  if (cmsg == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("Not a valid CMS signed message"));
      return NULL;
    }

  cinfo = NSS_CMSMessage_ContentLevel (cmsg, 0);
  if (cinfo == NULL ||
      NSS_CMSContentInfo_GetContentTypeTag (cinfo) != SEC_OID_PKCS7_SIGNED_DATA ||
      (sigd = NSS_CMSContentInfo_GetContent (cinfo)) == NULL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Not a CMS SignedData"));
      goto out;
    }
  inner = NSS_CMSSignedData_GetContentInfo (sigd);
  if (inner == NULL || NSS_CMSContentInfo_GetContentTypeTag (inner) != SEC_OID_PKCS7_DATA)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The signed content is not plain data"));
      goto out;
    }
  content = NSS_CMSMessage_GetContent (cmsg);
  if (content == NULL || content->data == NULL || content->len == 0)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Detached signatures are not accepted: no content inside"));
      goto out;
    }
  if (NSS_CMSSignedData_SignerInfoCount (sigd) != 1)
    {
      g_set_error (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                   _("Expected exactly one signer, found %d"),
                   NSS_CMSSignedData_SignerInfoCount (sigd));
      goto out;
    }
  si = NSS_CMSSignedData_GetSignerInfo (sigd, 0);
  if (si == NULL || NSS_CMSSignerInfo_GetSigningTime (si, &signing_time) != SECSuccess)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The signature has no signing time"));
      goto out;
    }

  raw = sigd->rawCerts;
  for (guint i = 0; raw != NULL && raw[i] != NULL; i++)
    {
      CERTCertificate *cert;

      if (n_certs == MAX_CERTS)
        {
          g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                               _("Too many certificates in the message"));
          goto out;
        }
      cert = _semper_cert_decode (raw[i]->data, raw[i]->len, error);
      if (cert == NULL)
        goto out;
      certs[n_certs++] = cert;
      if (leaf == NULL && signer_matches (si, cert))
        leaf = cert;
    }
  if (leaf == NULL)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The signer's certificate is not included"));
      goto out;
    }

  digest_alg = SECOID_GetAlgorithmTag (&si->digestAlg);
  if (digest_alg != SEC_OID_SHA256 && digest_alg != SEC_OID_SHA384 &&
      digest_alg != SEC_OID_SHA512)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("Unsupported digest algorithm (SHA-256, -384 or -512 needed)"));
      goto out;
    }
  digest.type = siBuffer;
  digest.data = digest_buf;
  digest.len = HASH_ResultLenByOidTag (digest_alg);
  if (PK11_HashBuf (digest_alg, digest_buf, content->data, content->len) != SECSuccess)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, _("Could not hash"));
      goto out;
    }

  /* NSS_CMSSignerInfo_Verify() takes the certificate from si->cert; the
   * message owns that reference from here on. The same message verified
   * before in this process needs no second verification of its signature
   * (semper-crypto.c); everything below still runs. */
  if (si->cert == NULL)
    si->cert = CERT_DupCertificate (leaf);
  if (_semper_verified_lookup ("cms", item.data, item.len, leaf->derCert.data,
                               leaf->derCert.len))
    ;
  else if (NSS_CMSSignerInfo_Verify (si, &digest, &inner->contentTypeTag->oid) == SECSuccess)
    _semper_verified_remember ("cms", item.data, item.len, leaf->derCert.data,
                               leaf->derCert.len);
  else
    {
      NSSCMSVerificationStatus status = NSS_CMSSignerInfo_GetVerificationStatus (si);

      if (status == NSSCMSVS_SignatureAlgorithmUnknown ||
          status == NSSCMSVS_SignatureAlgorithmUnsupported ||
          status == NSSCMSVS_ProcessingError)
        g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                             _("The signature algorithm is not supported"));
      else
        g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_SIGNATURE,
                             _("The signature does not match the content"));
      goto out;
    }

  if (CERT_CheckCertValidTimes (leaf, signing_time, PR_FALSE) != secCertTimeValid)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_EXPIRED,
                           _("The signing time is outside the certificate's validity"));
      goto out;
    }
  if (leaf->keyUsagePresent &&
      !(leaf->keyUsage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                           _("The certificate may not be used for signing"));
      goto out;
    }

  if (trust != NULL)
    {
      if (!_semper_trust_check (trust, leaf, certs, n_certs,
                                _semper_trust_check_time (trust, signing_time), &info, error))
        goto out;
    }
  else
    info = _semper_signer_info_new (leaf);

  info->signing_time = _semper_date_time_from_prtime (signing_time);
  if (signer)
    *signer = g_steal_pointer (&info);
  ret = g_bytes_new (content->data, content->len);

out:
  for (guint i = 0; i < n_certs; i++)
    CERT_DestroyCertificate (certs[i]);
  NSS_CMSMessage_Destroy (cmsg);
  return ret;
}

/* ---- EnvelopedData ---------------------------------------------------------------- */

static guint8 *
aes_oid (guint8 last,
         gsize *len)
{
  guint8 *oid = g_malloc (sizeof oid_aes_prefix + 1);

  memcpy (oid, oid_aes_prefix, sizeof oid_aes_prefix);
  oid[sizeof oid_aes_prefix] = last;
  *len = sizeof oid_aes_prefix + 1;
  return oid;
}

/* AES OID last arc, or 0 */
static guint8
aes_arc (const DerItem *oid)
{
  if (oid->tag != 0x06 || oid->len != sizeof oid_aes_prefix + 1 ||
      memcmp (oid->val, oid_aes_prefix, sizeof oid_aes_prefix) != 0)
    return 0;
  return oid->val[sizeof oid_aes_prefix];
}

/* ECC-CMS-SharedInfo (RFC 5753 7.2) for the X9.63 KDF */
static GByteArray *
shared_info (const guint8 *wrap_alg_tlv,
             gsize         wrap_alg_len,
             const DerItem *ukm,
             guint          kek_bits)
{
  GByteArray *seq = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  guint8 bits[4] = { kek_bits >> 24, kek_bits >> 16, kek_bits >> 8, kek_bits };

  g_byte_array_append (seq, wrap_alg_tlv, (guint) wrap_alg_len);
  if (ukm != NULL)
    {
      GByteArray *u = g_byte_array_new ();
      der_put (u, 0x04, ukm->val, ukm->len);
      der_put_wrapped (seq, 0xa0, u);
    }
  {
    GByteArray *s = g_byte_array_new ();
    der_put (s, 0x04, bits, sizeof bits);
    der_put_wrapped (seq, 0xa2, s);
  }
  der_put_wrapped (out, 0x30, seq);
  return out;
}

static PK11SymKey *
derive_kek (SECKEYPrivateKey *priv,
            SECKEYPublicKey  *pub,
            gboolean          sender,
            CK_EC_KDF_TYPE    kdf,
            GByteArray       *info,
            guint             kek_len,
            void             *wincx)
{
  SECItem shared = { siBuffer, info->data, info->len };

  return PK11_PubDeriveWithKDF (priv, pub, sender, NULL, NULL, CKM_ECDH1_DERIVE,
                                CKM_NSS_AES_KEY_WRAP, sender ? CKA_WRAP : CKA_UNWRAP,
                                (int) kek_len, kdf, &shared, wincx);
}

/**
 * semper_cms_encrypt:
 * @recipient_cert_der: an ECDSA/ECDH P-256 certificate
 *
 * Encrypts @content to the holder of @recipient_cert_der: CMS EnvelopedData
 * with one KeyAgreeRecipientInfo (ephemeral-static ECDH P-256,
 * dhSinglePass-stdDH-sha256kdf-scheme, id-aes256-wrap) and AES-256-CBC.
 * The certificate is not checked here; check it with SemperTrust first.
 *
 * Returns: (transfer full): the DER.
 */
GBytes *
semper_cms_encrypt (GBytes  *content,
                    GBytes  *recipient_cert_der,
                    GError **error)
{
  CERTCertificate *cert;
  SECKEYPublicKey *recipient = NULL;
  SECKEYPublicKey *eph_pub = NULL;
  SECKEYPrivateKey *eph_priv = NULL;
  PK11SlotInfo *slot = NULL;
  PK11SymKey *kek = NULL, *cek = NULL;
  SECItem *params = NULL;
  GByteArray *info = NULL;
  GByteArray *wrap_alg = g_byte_array_new ();
  g_autofree guint8 *wrap_oid = NULL, *cbc_oid = NULL;
  gsize wrap_oid_len, cbc_oid_len;
  guint8 wrapped_buf[40];
  SECItem wrapped = { siBuffer, wrapped_buf, sizeof wrapped_buf };
  guint8 iv[16];
  SECItem iv_item = { siBuffer, iv, sizeof iv };
  guint8 *cipher = NULL;
  unsigned int cipher_len = 0;
  gsize len = 0;
  const guint8 *data;
  GBytes *ret = NULL;

  g_return_val_if_fail (content != NULL, NULL);
  g_return_val_if_fail (recipient_cert_der != NULL, NULL);

  data = g_bytes_get_data (content, &len);
  if (len > SEMPER_CMS_MAX_SIZE / 2)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The content to encrypt is too large"));
      g_byte_array_unref (wrap_alg);
      return NULL;
    }
  cert = _semper_cert_decode (g_bytes_get_data (recipient_cert_der, NULL),
                              g_bytes_get_size (recipient_cert_der), error);
  if (cert == NULL)
    {
      g_byte_array_unref (wrap_alg);
      return NULL;
    }
  recipient = CERT_ExtractPublicKey (cert);
  if (recipient == NULL || recipient->keyType != ecKey ||
      !_semper_is_p256_params (&recipient->u.ec.DEREncodedParams) ||
      (cert->keyUsagePresent && !(cert->keyUsage & KU_KEY_AGREEMENT)))
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                           _("The recipient certificate has no P-256 key-agreement key"));
      goto out;
    }

  if (!semper_random_bytes (iv, sizeof iv, error))
    goto out;

  wrap_oid = aes_oid (AES256_WRAP, &wrap_oid_len);
  cbc_oid = aes_oid (AES256_CBC, &cbc_oid_len);
  {
    GByteArray *a = g_byte_array_new ();
    der_put (a, 0x06, wrap_oid, wrap_oid_len);
    der_put_wrapped (wrap_alg, 0x30, a);
  }
  info = shared_info (wrap_alg->data, wrap_alg->len, NULL, 256);

  slot = PK11_GetInternalSlot ();
  params = SECITEM_DupItem (&recipient->u.ec.DEREncodedParams);
  eph_priv = PK11_GenerateKeyPair (slot, CKM_EC_KEY_PAIR_GEN, params, &eph_pub,
                                   PR_FALSE, PR_FALSE, NULL);
  if (eph_priv == NULL)
    goto nss_failed;
  kek = derive_kek (eph_priv, recipient, TRUE, CKD_SHA256_KDF, info, 32, NULL);
  cek = PK11_KeyGen (slot, CKM_AES_CBC_PAD, NULL, 32, NULL);
  if (kek == NULL || cek == NULL ||
      PK11_WrapSymKey (CKM_NSS_AES_KEY_WRAP, NULL, kek, cek, &wrapped) != SECSuccess)
    goto nss_failed;

  cipher = g_malloc (len + 16);
  if (PK11_Encrypt (cek, CKM_AES_CBC_PAD, &iv_item, cipher, &cipher_len,
                    (unsigned int) len + 16, data, (unsigned int) len) != SECSuccess)
    goto nss_failed;

  {
    GByteArray *kari = g_byte_array_new ();
    GByteArray *t;
    GByteArray *ed = g_byte_array_new ();
    GByteArray *ci = g_byte_array_new ();
    GByteArray *out = g_byte_array_new ();
    guint8 version3 = 3, version2 = 2;
    SECItem *point = &eph_pub->u.ec.publicValue;

    der_put (kari, 0x02, &version3, 1);
    /* originator [0] { originatorKey [1] { alg, publicKey } } */
    {
      GByteArray *opk = g_byte_array_new ();
      GByteArray *alg = g_byte_array_new ();
      GByteArray *orig = g_byte_array_new ();
      g_autofree guint8 *bits = g_malloc (point->len + 1);

      der_put (alg, 0x06, oid_ec_public_key, sizeof oid_ec_public_key);
      der_put_wrapped (opk, 0x30, alg);
      bits[0] = 0;
      memcpy (bits + 1, point->data, point->len);
      der_put (opk, 0x03, bits, point->len + 1);
      der_put_wrapped (orig, 0xa1, opk);
      der_put_wrapped (kari, 0xa0, orig);
    }
    /* keyEncryptionAlgorithm { kdf scheme, wrap alg } */
    t = g_byte_array_new ();
    der_put (t, 0x06, kdf_schemes[2].oid, kdf_schemes[2].oid_len);
    g_byte_array_append (t, wrap_alg->data, wrap_alg->len);
    der_put_wrapped (kari, 0x30, t);
    /* recipientEncryptedKeys { { issuerAndSerialNumber, encryptedKey } } */
    {
      GByteArray *ias = g_byte_array_new ();
      GByteArray *rek = g_byte_array_new ();
      GByteArray *reks = g_byte_array_new ();

      g_byte_array_append (ias, cert->derIssuer.data, cert->derIssuer.len);
      der_put (ias, 0x02, cert->serialNumber.data, cert->serialNumber.len);
      der_put_wrapped (rek, 0x30, ias);
      der_put (rek, 0x04, wrapped.data, wrapped.len);
      der_put_wrapped (reks, 0x30, rek);
      der_put_wrapped (kari, 0x30, reks);
    }

    der_put (ed, 0x02, &version2, 1);
    t = g_byte_array_new ();
    der_put_wrapped (t, 0xa1, kari);
    der_put_wrapped (ed, 0x31, t);
    /* encryptedContentInfo */
    {
      GByteArray *eci = g_byte_array_new ();
      GByteArray *alg = g_byte_array_new ();

      der_put (eci, 0x06, oid_data, sizeof oid_data);
      der_put (alg, 0x06, cbc_oid, cbc_oid_len);
      der_put (alg, 0x04, iv, sizeof iv);
      der_put_wrapped (eci, 0x30, alg);
      der_put (eci, 0x80, cipher, cipher_len);
      der_put_wrapped (ed, 0x30, eci);
    }

    der_put (ci, 0x06, oid_enveloped_data, sizeof oid_enveloped_data);
    t = g_byte_array_new ();
    der_put_wrapped (t, 0x30, ed);
    der_put_wrapped (ci, 0xa0, t);
    der_put_wrapped (out, 0x30, ci);
    ret = g_byte_array_free_to_bytes (out);
  }
  goto out;

nss_failed:
  _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, _("Could not encrypt"));
out:
  g_free (cipher);
  semper_secret_wipe (wrapped_buf, sizeof wrapped_buf);
  if (info)
    g_byte_array_unref (info);
  g_byte_array_unref (wrap_alg);
  if (params)
    SECITEM_FreeItem (params, PR_TRUE);
  if (kek)
    PK11_FreeSymKey (kek);
  if (cek)
    PK11_FreeSymKey (cek);
  if (eph_priv)
    SECKEY_DestroyPrivateKey (eph_priv);
  if (eph_pub)
    SECKEY_DestroyPublicKey (eph_pub);
  if (slot)
    PK11_FreeSlot (slot);
  if (recipient)
    SECKEY_DestroyPublicKey (recipient);
  CERT_DestroyCertificate (cert);
  return ret;
}

/* P-256 public key from an uncompressed point */
static SECKEYPublicKey *
p256_public_key (const guint8 *point,
                 gsize         len)
{
  GByteArray *spki = g_byte_array_new ();
  GByteArray *body = g_byte_array_new ();
  GByteArray *alg = g_byte_array_new ();
  g_autofree guint8 *bits = NULL;
  CERTSubjectPublicKeyInfo *info;
  SECKEYPublicKey *pub = NULL;
  SECItem item;

  if (len != 65 || point[0] != 0x04)
    {
      g_byte_array_unref (spki);
      g_byte_array_unref (body);
      g_byte_array_unref (alg);
      return NULL;
    }
  bits = g_malloc (len + 1);
  bits[0] = 0;
  memcpy (bits + 1, point, len);
  der_put (alg, 0x06, oid_ec_public_key, sizeof oid_ec_public_key);
  der_put (alg, 0x06, oid_p256, sizeof oid_p256);
  der_put_wrapped (body, 0x30, alg);
  der_put (body, 0x03, bits, len + 1);
  der_put_wrapped (spki, 0x30, body);

  item.type = siBuffer;
  item.data = spki->data;
  item.len = spki->len;
  info = SECKEY_DecodeDERSubjectPublicKeyInfo (&item);
  if (info != NULL)
    {
      pub = SECKEY_ExtractPublicKey (info);
      SECKEY_DestroySubjectPublicKeyInfo (info);
    }
  g_byte_array_unref (spki);
  return pub;
}

typedef struct
{
  DerItem         point;      /* originator's public point */
  gboolean        has_ukm;
  DerItem         ukm;        /* its OCTET STRING */
  const KdfScheme *scheme;
  DerItem         wrap_alg;   /* whole AlgorithmIdentifier TLV */
  guint           kek_len;
  DerItem         enc_key;
} Kari;

/* Parses one KeyAgreeRecipientInfo; TRUE if it is for @cert. */
static gboolean
parse_kari (const DerItem   *ri,
            CERTCertificate *cert,
            Kari            *k)
{
  Der d = der_inside (ri), sub, sub2;
  DerItem it, alg, oid;
  guint8 arc;

  if (!der_expect (&d, 0x02, &it))                     /* version */
    return FALSE;
  if (!der_expect (&d, 0xa0, &it))                     /* originator */
    return FALSE;
  sub = der_inside (&it);
  if (!der_expect (&sub, 0xa1, &it) || !der_done (&sub))  /* originatorKey */
    return FALSE;
  sub = der_inside (&it);
  if (!der_expect (&sub, 0x30, &alg) || !der_expect (&sub, 0x03, &k->point) ||
      !der_done (&sub) || k->point.len < 2 || k->point.val[0] != 0)
    return FALSE;
  sub2 = der_inside (&alg);
  if (!der_expect (&sub2, 0x06, &oid) ||
      !item_is (&oid, oid_ec_public_key, sizeof oid_ec_public_key))
    return FALSE;
  k->point.val++;
  k->point.len--;

  k->has_ukm = FALSE;
  if (der_peek_tag (&d, 0xa1))
    {
      if (!der_next (&d, &it))
        return FALSE;
      sub = der_inside (&it);
      if (!der_expect (&sub, 0x04, &k->ukm) || !der_done (&sub))
        return FALSE;
      k->has_ukm = TRUE;
    }

  if (!der_expect (&d, 0x30, &alg))                    /* keyEncryptionAlgorithm */
    return FALSE;
  sub = der_inside (&alg);
  if (!der_expect (&sub, 0x06, &oid) || !der_expect (&sub, 0x30, &k->wrap_alg) ||
      !der_done (&sub))
    return FALSE;
  k->scheme = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (kdf_schemes); i++)
    if (item_is (&oid, kdf_schemes[i].oid, kdf_schemes[i].oid_len))
      k->scheme = &kdf_schemes[i];
  if (k->scheme == NULL)
    return FALSE;
  sub2 = der_inside (&k->wrap_alg);
  if (!der_expect (&sub2, 0x06, &oid))
    return FALSE;
  arc = aes_arc (&oid);
  k->kek_len = arc == AES128_WRAP ? 16 : arc == AES192_WRAP ? 24 : arc == AES256_WRAP ? 32 : 0;
  if (k->kek_len == 0)
    return FALSE;

  if (!der_expect (&d, 0x30, &it) || !der_done (&d))  /* recipientEncryptedKeys */
    return FALSE;
  sub = der_inside (&it);
  while (!der_done (&sub))
    {
      DerItem rek, rid, issuer, serial;
      Der r, ias;

      if (!der_expect (&sub, 0x30, &rek))
        return FALSE;
      r = der_inside (&rek);
      if (!der_next (&r, &rid) || !der_expect (&r, 0x04, &k->enc_key) || !der_done (&r))
        return FALSE;
      if (rid.tag != 0x30)
        continue;  /* rKeyId: not ours */
      ias = der_inside (&rid);
      if (!der_expect (&ias, 0x30, &issuer) || !der_expect (&ias, 0x02, &serial) ||
          !der_done (&ias))
        return FALSE;
      if (issuer.tlv_len == cert->derIssuer.len &&
          memcmp (issuer.tlv, cert->derIssuer.data, issuer.tlv_len) == 0 &&
          serial.len == cert->serialNumber.len &&
          memcmp (serial.val, cert->serialNumber.data, serial.len) == 0)
        return TRUE;
    }
  return FALSE;
}

/**
 * semper_cms_decrypt:
 * @enveloped: a CMS EnvelopedData (DER) with an ECDH KeyAgreeRecipientInfo
 *   for this profile's certificate
 *
 * Returns: (transfer full): the content, or %NULL with
 *   %SEMPER_CRYPTO_ERROR_NO_KEY (not addressed to this profile) or _BAD_INPUT.
 */
GBytes *
semper_cms_decrypt (SemperCrypto  *self,
                    GBytes        *enveloped,
                    GError       **error)
{
  CERTCertificate *cert = NULL;
  SECKEYPrivateKey *priv = NULL;
  SECKEYPublicKey *orig = NULL;
  PK11SymKey *kek = NULL, *cek = NULL;
  GByteArray *info = NULL;
  gsize len = 0;
  const guint8 *data;
  Der d, sub, eci;
  DerItem it, ris, ri, ct_type, alg, iv, ct;
  Kari kari = { 0 };
  gboolean found = FALSE;
  guint cek_len;
  guint8 arc;
  guint8 *plain = NULL;
  unsigned int plain_len = 0;
  GBytes *ret = NULL;

  g_return_val_if_fail (SEMPER_IS_CRYPTO (self), NULL);
  g_return_val_if_fail (enveloped != NULL, NULL);

  if (!check_outer (enveloped, oid_enveloped_data, sizeof oid_enveloped_data,
                    _("encrypted message"), error))
    return NULL;

  data = g_bytes_get_data (enveloped, &len);
  d.p = data;
  d.end = data + len;
  der_expect (&d, 0x30, &it);  /* checked by check_outer */
  sub = der_inside (&it);
  der_expect (&sub, 0x06, &it);
  if (!der_expect (&sub, 0xa0, &it) || !der_done (&sub))
    goto malformed;
  sub = der_inside (&it);
  if (!der_expect (&sub, 0x30, &it) || !der_done (&sub))
    goto malformed;
  d = der_inside (&it);                       /* EnvelopedData */
  if (!der_expect (&d, 0x02, &it))
    goto malformed;
  if (der_peek_tag (&d, 0xa0) && !der_next (&d, &it))  /* originatorInfo: ignored */
    goto malformed;
  if (!der_expect (&d, 0x31, &ris) || !der_expect (&d, 0x30, &it))
    goto malformed;
  eci = der_inside (&it);
  if (!der_done (&d) && !(der_peek_tag (&d, 0xa1) && der_next (&d, &it) && der_done (&d)))
    goto malformed;

  cert = _semper_crypto_find_cert (self, error);
  if (cert == NULL)
    goto out;

  sub = der_inside (&ris);
  while (!found && !der_done (&sub))
    {
      if (!der_next (&sub, &ri))
        goto malformed;
      if (ri.tag == 0xa1)
        found = parse_kari (&ri, cert, &kari);
    }
  if (!found)
    {
      g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NO_KEY,
                           _("The message is not encrypted for this profile"));
      goto out;
    }

  /* encryptedContentInfo */
  if (!der_expect (&eci, 0x06, &ct_type) || !item_is (&ct_type, oid_data, sizeof oid_data) ||
      !der_expect (&eci, 0x30, &alg) || !der_expect (&eci, 0x80, &ct) || !der_done (&eci))
    goto malformed;
  sub = der_inside (&alg);
  if (!der_expect (&sub, 0x06, &it) || !der_expect (&sub, 0x04, &iv) || !der_done (&sub) ||
      iv.len != 16)
    goto malformed;
  arc = aes_arc (&it);
  cek_len = arc == AES128_CBC ? 16 : arc == AES192_CBC ? 24 : arc == AES256_CBC ? 32 : 0;
  if (cek_len == 0 || ct.len == 0 || ct.len % 16 != 0)
    goto malformed;

  priv = _semper_crypto_find_key (self, error);
  if (priv == NULL)
    goto out;
  orig = p256_public_key (kari.point.val, kari.point.len);
  if (orig == NULL)
    goto malformed;
  info = shared_info (kari.wrap_alg.tlv, kari.wrap_alg.tlv_len,
                      kari.has_ukm ? &kari.ukm : NULL, kari.kek_len * 8);
  kek = derive_kek (priv, orig, FALSE, kari.scheme->kdf, info, kari.kek_len, self);
  if (kek == NULL)
    goto malformed;
  {
    SECItem wrapped = { siBuffer, (unsigned char *) kari.enc_key.val,
                        (unsigned int) kari.enc_key.len };
    SECItem iv_item = { siBuffer, (unsigned char *) iv.val, (unsigned int) iv.len };

    cek = PK11_UnwrapSymKey (kek, CKM_NSS_AES_KEY_WRAP, NULL, &wrapped, CKM_AES_CBC_PAD,
                             CKA_DECRYPT, (int) cek_len);
    if (cek == NULL)
      goto malformed;
    plain = g_malloc (ct.len);
    if (PK11_Decrypt (cek, CKM_AES_CBC_PAD, &iv_item, plain, &plain_len,
                      (unsigned int) ct.len, ct.val, (unsigned int) ct.len) != SECSuccess)
      goto malformed;
  }
  ret = g_bytes_new (plain, plain_len);
  goto out;

malformed:
  g_clear_error (error);
  g_set_error_literal (error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_BAD_INPUT,
                       _("The encrypted message is malformed or cannot be decrypted"));
out:
  if (plain)
    {
      semper_secret_wipe (plain, ct.len);
      g_free (plain);
    }
  if (info)
    g_byte_array_unref (info);
  if (kek)
    PK11_FreeSymKey (kek);
  if (cek)
    PK11_FreeSymKey (cek);
  if (orig)
    SECKEY_DestroyPublicKey (orig);
  if (priv)
    SECKEY_DestroyPrivateKey (priv);
  if (cert)
    CERT_DestroyCertificate (cert);
  return ret;
}
