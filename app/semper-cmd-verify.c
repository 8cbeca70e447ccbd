/* semper-cmd-verify.c: semper verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "semper-cli.h"
#include "semper-cms.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-dispute.h"
#include "semper-document.h"
#include "semper-evidence.h"
#include "semper-headless-consent.h"
#include "semper-trust.h"

/* An exported contract file is JSON ({"semper-contract":1, …}); every
 * other signed file is one CMS SignedData (DER, which starts with 0x30), so
 * a file that starts with "{" can only be meant as a contract. */
static gboolean
is_contract_file (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize i = 0;

  while (i < len && g_ascii_isspace (data[i]))
    i++;
  return i < len && data[i] == '{';
}

static void
signer_json (JsonBuilder      *b,
             const char       *member,
             SemperSignerInfo *signer)
{
  g_autofree char *when = NULL;

  json_builder_set_member_name (b, member);
  if (signer == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  if (signer->signing_time != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (signer->signing_time);
      when = g_date_time_format_iso8601 (utc);
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, signer->common_name);
  json_builder_set_member_name (b, "role");
  if (signer->role != NULL)
    json_builder_add_string_value (b, signer->role);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "fingerprint");
  json_builder_add_string_value (b, signer->fingerprint);
  json_builder_set_member_name (b, "signing_time");
  if (when != NULL)
    json_builder_add_string_value (b, when);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "trusted");
  json_builder_add_boolean_value (b, signer->trusted);
  json_builder_end_object (b);
}

static void
signer_print (const char       *label,
              SemperSignerInfo *signer)
{
  g_autofree char *name = NULL;
  g_autofree char *when = NULL;

  if (signer == NULL)
    return;
  name = semper_headless_escape (signer->common_name, -1);
  if (signer->signing_time != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (signer->signing_time);
      when = g_date_time_format_iso8601 (utc);
    }
  /* TRANSLATORS: "Originator: NAME (ROLE), signed at TIME, certificate SHA-256 HEX" */
  g_print (_("%s: %s (%s), signed at %s, certificate SHA-256 %s\n"), label, name,
           signer->role != NULL ? signer->role : "?", when != NULL ? when : "?",
           signer->fingerprint);
}

/* semper verify CONTRACT-FILE: every part offline against the pinned root. */
static int
verify_contract (const char  *path,
                 GBytes      *file,
                 SemperTrust *trust)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperContractInfo) info = NULL;
  gboolean signed_ = FALSE;

  if (trust == NULL)
    {
      g_set_error (&error, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_UNTRUSTED,
                   _("%s: a contract is verified against a root: give --ca FILE or use a "
                     "profile"), path);
      return cli_fail (error, EXIT_ERROR);
    }
  info = semper_contract_verify (file, trust, &error);
  if (info == NULL)
    {
      g_prefix_error (&error, "%s: ", path);
      if (error->domain == SEMPER_CRYPTO_ERROR
          && (error->code == SEMPER_CRYPTO_ERROR_UNTRUSTED
              || error->code == SEMPER_CRYPTO_ERROR_EXPIRED
              || error->code == SEMPER_CRYPTO_ERROR_REVOKED))
        return cli_fail (error, EXIT_REFUSED);
      return cli_fail (error, EXIT_ERROR);
    }
  signed_ = g_str_equal (info->state, SEMPER_ASW_SIGNED);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *text = g_strndup (g_bytes_get_data (info->text, NULL),
                                         g_bytes_get_size (info->text));
      g_autofree char *hex = semper_sha256_hex (info->text);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, path);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, "contract");
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, info->state);
      json_builder_set_member_name (b, "contract_id");
      json_builder_add_string_value (b, info->key);
      signer_json (b, "originator", info->originator);
      signer_json (b, "responder", info->responder);
      signer_json (b, "ttp", info->ttp);
      json_builder_set_member_name (b, "content_sha256");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "content");
      json_builder_add_string_value (b, text);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *framed = semper_headless_frame (info->text);

      if (signed_)
        g_print (_("%s: a valid contract, signed by both parties%s\n"), path,
                 info->ttp != NULL ? _(" (the TTP’s replacement)") : "");
      else
        g_print (_("%s: a valid proof that the contract was ABORTED: it binds no one\n"), path);
      g_print (_("Contract id (SHA-256 of m1): %s\n"), info->key);
      signer_print (_("Originator"), info->originator);
      signer_print (_("Responder"), info->responder);
      signer_print (_("TTP"), info->ttp);
      g_print ("%s", framed);
    }
  return EXIT_OK;
}

int
cmd_verify (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — verify a signed file"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) p7m = NULL;
  g_autoptr(GBytes) root = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *when = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *root_path = NULL;
  g_autofree char *crl = NULL;
  GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
      N_("Trust the root certificate in FILE (PEM or DER) instead of the profile’s"), N_("FILE") },
    { "crl", 0, 0, G_OPTION_ARG_FILENAME, &crl,
      N_("Refuse certificates on this revocation list (DER) of the root"), N_("FILE") },
    { NULL }
  };
  gsize len = 0;
  const char *data;

  if (!cli_parse_options (context, entries, &argc, &argv, 1, _("verify takes one FILE")))
    return EXIT_USAGE;

  p7m = cli_read_file (argv[1], &error);
  if (p7m == NULL)
    return cli_fail (error, EXIT_ERROR);

  /* The pinned root: --ca, else the profile's, read without unlocking the
   * profile (verification needs no password). */
  if (ca != NULL)
    root = cli_read_certificate (ca, &error);
  else
    {
      dir = cli_profile_dir ();
      root_path = g_build_filename (dir, "trust-root.der", NULL);
      if (g_file_test (root_path, G_FILE_TEST_EXISTS))
        root = cli_read_certificate (root_path, &error);
    }
  if (error != NULL)
    return cli_fail (error, EXIT_ERROR);

  if (root != NULL)
    {
      trust = semper_trust_new (root, &error);
      if (trust == NULL)
        return cli_fail (error, EXIT_ERROR);

      /* The revocation list: --crl, else the one `semper ca update-crl`
       * (or init --ca) kept in the profile for the profile's own root. */
      if (crl == NULL && ca == NULL)
        {
          crl = g_build_filename (dir, "crl.der", NULL);
          if (!g_file_test (crl, G_FILE_TEST_EXISTS))
            g_clear_pointer (&crl, g_free);
        }
      if (crl != NULL)
        {
          g_autoptr(GBytes) crl_der = cli_read_file (crl, &error);

          if (crl_der == NULL || !semper_trust_set_crl (trust, crl_der, &error))
            {
              g_prefix_error (&error, "%s: ", crl);
              return cli_fail (error, EXIT_ERROR);
            }
        }
    }

  if (semper_evidence_is_bundle (p7m) || semper_dispute_is_file (p7m))
    return cli_verify_evidence (argv[1], p7m, root, crl);
  if (is_contract_file (p7m))
    return verify_contract (argv[1], p7m, trust);

  content = semper_cms_verify (p7m, trust, &signer, &error);
  if (content == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      if (error->domain == SEMPER_CRYPTO_ERROR &&
          (error->code == SEMPER_CRYPTO_ERROR_UNTRUSTED ||
           error->code == SEMPER_CRYPTO_ERROR_EXPIRED ||
           error->code == SEMPER_CRYPTO_ERROR_REVOKED))
        return cli_fail (error, EXIT_REFUSED);
      return cli_fail (error, EXIT_ERROR);
    }

  doc = semper_document_parse (content, NULL);
  hex = semper_sha256_hex (content);
  local = g_date_time_to_utc (signer->signing_time);
  when = g_date_time_format_iso8601 (local);
  data = g_bytes_get_data (content, &len);

  if (cli.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "trusted");
      json_builder_add_boolean_value (b, signer->trusted);
      json_builder_set_member_name (b, "signer");
      json_builder_add_string_value (b, signer->common_name);
      json_builder_set_member_name (b, "role");
      if (signer->role)
        json_builder_add_string_value (b, signer->role);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, signer->fingerprint);
      json_builder_set_member_name (b, "signing_time");
      json_builder_add_string_value (b, when);
      json_builder_set_member_name (b, "chain");
      json_builder_begin_array (b);
      for (guint i = 0; signer->chain && i < signer->chain->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (signer->chain, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "content_sha256");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "document_kind");
      if (doc)
        json_builder_add_string_value (b, semper_document_get_kind (doc));
      else
        json_builder_add_null_value (b);
      if (g_utf8_validate (data, len, NULL) && memchr (data, '\0', len) == NULL)
        {
          g_autofree char *text = g_strndup (data, len);
          json_builder_set_member_name (b, "content");
          json_builder_add_string_value (b, text);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_autofree char *name = semper_headless_escape (signer->common_name, -1);

      g_print (_("%s: valid signature\n"), argv[1]);
      g_print (_("Signed by: %s%s%s%s\n"), name,
               signer->role ? " (" : "", signer->role ? signer->role : "", signer->role ? ")" : "");
      g_print (_("Signed at: %s\n"), when);
      g_print (_("Certificate SHA-256: %s\n"), signer->fingerprint);
      if (signer->chain != NULL)
        for (guint i = 0; i < signer->chain->len; i++)
          {
            const char *subject = g_ptr_array_index (signer->chain, i);
            g_autofree char *link = semper_headless_escape (subject, -1);
            g_print (_("Chain %u: %s\n"), i, link);
          }
      g_print (_("Trusted: %s\n"), signer->trusted ? _("yes, the chain ends at your pinned root")
                                                   : _("NO, the signer is not certified by a root "
                                                       "you trust"));
      if (doc != NULL)
        {
          g_autofree char *framed = semper_headless_frame (content);

          g_print (_("Content: semper document %s/%u, SHA-256 %s\n"),
                   semper_document_get_kind (doc), semper_document_get_version (doc), hex);
          g_print ("%s", framed);
        }
      else
        {
          g_print (_("Content: %zu bytes, SHA-256 %s\n"), len, hex);
        }
    }

  return signer->trusted ? EXIT_OK : EXIT_REFUSED;
}
