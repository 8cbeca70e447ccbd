/* test-transfer.c: business items, packages and the transfer service
 * (core/exchange/semper-transfer.h): each combination of security
 * attributes, the receiver's checks, archiving, payments handed over and the
 * signed receipt of delivery; each CMS layer also checked with openssl.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-crypto.h"
#include "semper-transfer.h"
#include "semper-trust.h"

#define RECEIPT "{\"type\":\"receipt\",\"order\":17,\"paid\":\"3.00 EUR\"}"

typedef struct {
  char          *tmp;
  SemperCrypto  *ca;
  SemperCrypto  *merchant;
  SemperCrypto  *alice;
  SemperCrypto  *mallory;
  SemperCrypto  *other_ca;
  SemperTrust   *trust;
  GBytes        *root;
  GBytes        *alice_cert;
  GBytes        *mallory_cert;
  char          *fp_merchant, *fp_alice, *fp_mallory;
  SemperArchive *archive;
  GPtrArray     *payments;   /* what the payment manager was handed */
} Fixture;

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("test password");
}

static SemperCrypto *
new_party (Fixture       *fx,
           SemperCrypto  *ca,
           const char    *name,
           const char    *role,
           char         **fingerprint,
           GBytes       **out_cert)
{
  g_autofree char *dir = g_build_filename (fx->tmp, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;

  crypto = semper_crypto_open (dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  csr = semper_crypto_create_csr (crypto, name, role, &error);
  g_assert_no_error (error);
  cert = semper_crypto_issue_certificate (ca, csr, role, 30, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_import_certificate (crypto, cert, &error));
  if (fingerprint != NULL)
    *fingerprint = semper_sha256_hex (cert);
  if (out_cert != NULL)
    *out_cert = g_bytes_ref (cert);
  return g_steal_pointer (&crypto);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_dir = NULL, *other_dir = NULL, *archive = NULL;

  fx->tmp = g_dir_make_tmp ("semper-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  ca_dir = g_build_filename (fx->tmp, "ca", NULL);
  fx->ca = semper_crypto_open (ca_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (fx->ca, &error));
  g_assert_true (semper_crypto_make_root (fx->ca, "Test CA", 30, &error));
  fx->root = semper_crypto_dup_certificate (fx->ca);
  fx->trust = semper_trust_new (fx->root, &error);
  g_assert_no_error (error);
  other_dir = g_build_filename (fx->tmp, "other-ca", NULL);
  fx->other_ca = semper_crypto_open (other_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (fx->other_ca, &error));
  g_assert_true (semper_crypto_make_root (fx->other_ca, "Other CA", 30, &error));
  fx->merchant = new_party (fx, fx->ca, "merchant", SEMPER_ROLE_MERCHANT, &fx->fp_merchant,
                            NULL);
  fx->alice = new_party (fx, fx->ca, "alice", SEMPER_ROLE_WALLET, &fx->fp_alice,
                         &fx->alice_cert);
  fx->mallory = new_party (fx, fx->other_ca, "mallory", SEMPER_ROLE_MERCHANT, &fx->fp_mallory,
                           &fx->mallory_cert);
  archive = g_build_filename (fx->tmp, "archive.db", NULL);
  fx->archive = semper_archive_open (archive, &error);
  g_assert_no_error (error);
  fx->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->tmp);

  g_clear_object (&fx->archive);
  g_clear_object (&fx->ca);
  g_clear_object (&fx->other_ca);
  g_clear_object (&fx->merchant);
  g_clear_object (&fx->alice);
  g_clear_object (&fx->mallory);
  g_clear_object (&fx->trust);
  g_clear_pointer (&fx->root, g_bytes_unref);
  g_clear_pointer (&fx->alice_cert, g_bytes_unref);
  g_clear_pointer (&fx->mallory_cert, g_bytes_unref);
  g_clear_pointer (&fx->payments, g_ptr_array_unref);
  g_free (fx->fp_merchant);
  g_free (fx->fp_alice);
  g_free (fx->fp_mallory);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (fx->tmp);
}

static gboolean
payment_cb (const SemperPackage  *package,
            const SemperItem     *item,
            gpointer              user_data,
            GError              **error)
{
  Fixture *fx = user_data;

  g_assert_cmpstr (item->type, ==, "ecash");
  g_ptr_array_add (fx->payments, g_bytes_ref (item->content));
  return TRUE;
}

/* A package from the merchant to Alice: a signed receipt (statement), a
 * signed subscription (credential) and a payment (a refund's proof). */
static SemperPackage *
make_package (Fixture    *fx,
              const char *recipient,
              gboolean    receipt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static (RECEIPT, strlen (RECEIPT));
  g_autoptr(GBytes) right = g_bytes_new_static ("{\"access\":\"reports\",\"days\":30}", 31);
  g_autoptr(GBytes) proof = g_bytes_new_static ("{\"coins\":[]}", 12);
  g_autoptr(GBytes) statement = semper_cms_sign_message (fx->merchant, doc, &error);
  g_autoptr(GBytes) credential = NULL;
  SemperPackage *package;

  g_assert_no_error (error);
  credential = semper_cms_sign_message (fx->merchant, right, &error);
  g_assert_no_error (error);
  package = semper_package_new (fx->fp_merchant, recipient, receipt);
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_STATEMENT, "receipt",
                                                     "Receipt for order 17", statement));
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_CREDENTIAL, "subscription",
                                                     "FOGRA reports, 30 days", credential));
  semper_package_add_item (package, semper_item_new (SEMPER_ITEM_PAYMENT, "ecash",
                                                     "Refund of 3.00 EUR", proof));
  return package;
}

static guint
archived (Fixture    *fx,
          const char *content_type)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  for (gint64 id = 1; id < 100; id++)
    {
      g_autofree char *type = NULL;
      g_autoptr(GBytes) raw = semper_archive_message_get (fx->archive, id, &type, NULL);

      if (raw != NULL && g_strcmp0 (type, content_type) == 0)
        n++;
    }
  return n;
}

static void
openssl (const char *const *argv)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                            | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
}

static void
write_file (const char *path,
            GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* Every combination of attributes: received, checked, archived raw, the
 * payment handed over once, the receipt of delivery signed and checked. */
static void
test_attributes (Fixture       *fx,
                 gconstpointer  data)
{
  static const SemperTransferAttributes all[] = {
    SEMPER_TRANSFER_PLAIN, SEMPER_TRANSFER_SIGNED, SEMPER_TRANSFER_ENCRYPTED,
    SEMPER_TRANSFER_SIGNED | SEMPER_TRANSFER_ENCRYPTED,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SemperPackage) package = make_package (fx, fx->fp_alice, TRUE);
      g_autoptr(SemperPackage) got = NULL;
      g_autoptr(SemperDeliveryReceipt) receipt = NULL;
      g_autoptr(GBytes) wire = NULL, proof = NULL;
      GBytes *receipt_raw = NULL;
      SemperTransferAttributes attributes = 99;

      wire = semper_transfer_seal (fx->merchant, package, all[i], fx->alice_cert, &error);
      g_assert_no_error (error);
      got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, all[i], payment_cb,
                                     fx, &attributes, &receipt_raw, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attributes, ==, all[i]);
      g_assert_cmpstr (got->id, ==, package->id);
      g_assert_cmpstr (got->sender, ==, fx->fp_merchant);
      g_assert_cmpuint (got->items->len, ==, 3);
      g_assert_cmpint (((SemperItem *) got->items->pdata[1])->kind, ==, SEMPER_ITEM_CREDENTIAL);
      g_assert_cmpstr (((SemperItem *) got->items->pdata[1])->description, ==,
                       "FOGRA reports, 30 days");
      g_assert_cmpuint (fx->payments->len, ==, i + 1);
      proof = g_bytes_new_static ("{\"coins\":[]}", 12);
      g_assert_true (g_bytes_equal (g_ptr_array_index (fx->payments, i), proof));
      /* Archived as received, and the receipt as sent. */
      g_assert_cmpuint (archived (fx, "application/semper-package"), ==, i + 1);
      g_assert_cmpuint (archived (fx, "application/semper-delivery-receipt"), ==, i + 1);
      g_assert_nonnull (receipt_raw);
      receipt = semper_transfer_check_receipt (receipt_raw, fx->trust, package, wire, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (receipt->package, ==, package->id);
      /* A receipt does not cover another package's bytes. */
      {
        g_autoptr(SemperDeliveryReceipt) none = NULL;
        g_autoptr(GBytes) other = semper_transfer_seal (fx->merchant, package,
                                                        SEMPER_TRANSFER_SIGNED, NULL, &error);

        g_assert_no_error (error);
        if (all[i] != SEMPER_TRANSFER_SIGNED)
          {
            none = semper_transfer_check_receipt (receipt_raw, fx->trust, package, other, &error);
            g_assert_null (none);
            g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_FORGED);
            g_clear_error (&error);
          }
      }
      g_bytes_unref (receipt_raw);
    }
}

/* The receiver refuses what lacks a required attribute, is for someone
 * else, is signed by another party than its sender, or carries a statement
 * that does not verify; nothing of it is archived or paid. */
static void
test_refused (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPackage) package = make_package (fx, fx->fp_alice, FALSE);
  g_autoptr(SemperPackage) got = NULL;
  g_autoptr(GBytes) wire = NULL;

  /* Signed only, but confidentiality required; plain, but a signature required. */
  wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_SIGNED, NULL, &error);
  g_assert_no_error (error);
  got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire,
                                 SEMPER_TRANSFER_SIGNED | SEMPER_TRANSFER_ENCRYPTED, payment_cb,
                                 fx, NULL, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_INSECURE);
  g_clear_error (&error);
  g_clear_pointer (&wire, g_bytes_unref);
  wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_ENCRYPTED, fx->alice_cert,
                               &error);
  g_assert_no_error (error);
  got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, SEMPER_TRANSFER_SIGNED,
                                 payment_cb, fx, NULL, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_INSECURE);
  g_clear_error (&error);

  /* Enveloped to Mallory: Alice cannot open it. Addressed to Mallory: refused. */
  g_clear_pointer (&wire, g_bytes_unref);
  wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_ENCRYPTED,
                               fx->mallory_cert, &error);
  g_assert_no_error (error);
  got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, 0, payment_cb, fx,
                                 NULL, NULL, &error);
  g_assert_null (got);
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    g_autoptr(SemperPackage) for_mallory = make_package (fx, fx->fp_mallory, FALSE);

    g_clear_pointer (&wire, g_bytes_unref);
    wire = semper_transfer_seal (fx->merchant, for_mallory, SEMPER_TRANSFER_SIGNED, NULL, &error);
    g_assert_no_error (error);
    got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, 0, payment_cb, fx,
                                   NULL, NULL, &error);
    g_assert_null (got);
    g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_NOT_FOR_US);
    g_clear_error (&error);
  }

  /* Signed by Alice herself but naming the merchant as its sender. */
  g_clear_pointer (&wire, g_bytes_unref);
  wire = semper_transfer_seal (fx->alice, package, SEMPER_TRANSFER_SIGNED, NULL, &error);
  g_assert_no_error (error);
  got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, 0, payment_cb, fx,
                                 NULL, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_FORGED);
  g_clear_error (&error);

  /* A statement signed under another CA (Mallory's). */
  {
    g_autoptr(SemperPackage) forged = semper_package_new (fx->fp_merchant, fx->fp_alice, FALSE);
    g_autoptr(GBytes) doc = g_bytes_new_static (RECEIPT, strlen (RECEIPT));
    g_autoptr(GBytes) statement = semper_cms_sign_message (fx->mallory, doc, &error);

    g_assert_no_error (error);
    semper_package_add_item (forged, semper_item_new (SEMPER_ITEM_STATEMENT, "receipt",
                                                      "Receipt", statement));
    g_clear_pointer (&wire, g_bytes_unref);
    wire = semper_transfer_seal (fx->merchant, forged, SEMPER_TRANSFER_SIGNED, NULL, &error);
    g_assert_no_error (error);
    got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, 0, payment_cb, fx,
                                   NULL, NULL, &error);
    g_assert_null (got);
    g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_FORGED);
    g_clear_error (&error);
  }

  /* A payment, and no payment manager to take it. */
  g_clear_pointer (&wire, g_bytes_unref);
  wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_SIGNED, NULL, &error);
  g_assert_no_error (error);
  got = semper_transfer_receive (fx->alice, fx->trust, fx->archive, wire, 0, NULL, NULL, NULL,
                                 NULL, &error);
  g_assert_null (got);
  g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_REFUSED);
  g_clear_error (&error);

  g_assert_cmpuint (fx->payments->len, ==, 0);
  g_assert_cmpuint (archived (fx, "application/semper-package"), ==, 0);
}

/* The strict parsers: a package survives a round trip; any change of
 * shape is refused. */
static void
test_parse (Fixture       *fx,
            gconstpointer  data)
{
  static const char * const bad[] = {
    "{}",
    "{\"type\":\"semper-package\",\"version\":2}",
    "{\"type\":\"semper-package\",\"version\":1,\"id\":\"00\",\"sender\":\"aa\","
    "\"recipient\":\"bb\",\"created\":1,\"receipt\":false,\"items\":[]}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPackage) package = make_package (fx, fx->fp_alice, TRUE);
  g_autoptr(GBytes) json = semper_package_to_json (package);
  g_autoptr(SemperPackage) again = semper_package_parse (json, &error);
  g_autoptr(GBytes) json2 = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  json2 = semper_package_to_json (again);
  g_assert_true (g_bytes_equal (json, json2));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) b = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr(SemperPackage) none = semper_package_parse (b, &error);

      g_assert_null (none);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* An unknown item kind, and an extra member. */
  text = g_strndup (g_bytes_get_data (json, NULL), g_bytes_get_size (json));
  {
    g_autofree char *kind = NULL, *extra = NULL;
    g_auto(GStrv) parts = g_strsplit (text, "\"statement\"", 2);
    g_autoptr(GBytes) b1 = NULL, b2 = NULL;
    g_autoptr(SemperPackage) n1 = NULL, n2 = NULL;

    kind = g_strjoinv ("\"gift\"", parts);
    b1 = g_bytes_new (kind, strlen (kind));
    n1 = semper_package_parse (b1, &error);
    g_assert_null (n1);
    g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_INVALID);
    g_clear_error (&error);
    extra = g_strconcat ("{\"extra\":1,", text + 1, NULL);
    b2 = g_bytes_new (extra, strlen (extra));
    n2 = semper_package_parse (b2, &error);
    g_assert_null (n2);
    g_assert_error (error, SEMPER_TRANSFER_ERROR, SEMPER_TRANSFER_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* The wire format is plain CMS: openssl opens the envelope with Alice's
 * key and verifies the signature inside against the root. */
static void
test_openssl (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperPackage) package = make_package (fx, fx->fp_alice, FALSE);
  g_autoptr(GBytes) wire = NULL, signed_wire = NULL;
  g_autofree char *openssl_path = g_find_program_in_path ("openssl");
  g_autofree char *root = g_build_filename (fx->tmp, "root.der", NULL);
  g_autofree char *root_pem = g_build_filename (fx->tmp, "root.pem", NULL);
  g_autofree char *signed_path = g_build_filename (fx->tmp, "package.p7m", NULL);
  g_autofree char *content = g_build_filename (fx->tmp, "package.json", NULL);
  g_autofree char *json = NULL;
  gsize len = 0;

  if (openssl_path == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  signed_wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_SIGNED, NULL, &error);
  g_assert_no_error (error);
  write_file (signed_path, signed_wire);
  write_file (root, fx->root);
  openssl ((const char *[]) { openssl_path, "x509", "-inform", "DER", "-in", root, "-out",
                              root_pem, NULL });
  openssl ((const char *[]) { openssl_path, "cms", "-verify", "-inform", "DER", "-in",
                              signed_path, "-CAfile", root_pem, "-purpose", "any", "-out",
                              content, NULL });
  g_assert_true (g_file_get_contents (content, &json, &len, &error));
  g_assert_nonnull (strstr (json, "\"type\":\"semper-package\""));
  /* The envelope: a CMS EnvelopedData that openssl recognises. */
  wire = semper_transfer_seal (fx->merchant, package, SEMPER_TRANSFER_SIGNED
                               | SEMPER_TRANSFER_ENCRYPTED, fx->alice_cert, &error);
  g_assert_no_error (error);
  write_file (signed_path, wire);
  openssl ((const char *[]) { openssl_path, "cms", "-cmsout", "-inform", "DER", "-in",
                              signed_path, "-print", "-out", content, NULL });
  g_clear_pointer (&json, g_free);
  g_assert_true (g_file_get_contents (content, &json, &len, &error));
  g_assert_nonnull (strstr (json, "pkcs7-envelopedData"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/semper/transfer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("attributes", test_attributes);
  ADD ("refused", test_refused);
  ADD ("parse", test_parse);
  ADD ("openssl", test_openssl);
#undef ADD

  return g_test_run ();
}
