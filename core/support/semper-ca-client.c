/* semper-ca-client.c: talking to the marketplace CA.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ca-client.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "semper-ca.h"
#include "semper-comm.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-message.h"
#include "semper-json-private.h"

#define MAX_ANSWER (8 * 1024 * 1024)

/**
 * semper_ca_client_parse_der:
 * @body: a JSON object from the CA
 * @member: the member holding base64 DER
 *
 * Returns: (transfer full): the decoded bytes, or %NULL with
 *   %SEMPER_CA_ERROR_BAD_REQUEST
 */
GBytes *
semper_ca_client_parse_der (GBytes      *body,
                            const char  *member,
                            GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  const char *text;

  root = semper_message_parse (body, MAX_ANSWER, &local);
  if (root == NULL)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                   _("The CA's answer is not acceptable JSON: %s"), local->message);
      return NULL;
    }
  text = semper_json_get_string (json_node_get_object (root), member);
  if (text == NULL)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                   _("The CA's answer has no “%s”"), member);
      return NULL;
    }
  return semper_ca_base64_decode (text, MAX_ANSWER, error);
}

static char *
join (const char *base_url,
      const char *path)
{
  gsize len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int) len, base_url, path);
}

static GBytes *
get_der (SemperCommClient  *client,
         const char        *base_url,
         const char        *path,
         const char        *member,
         GCancellable      *cancellable,
         GError           **error)
{
  g_autofree char *url = join (base_url, path);
  g_autofree char *type = NULL;
  g_autoptr(GBytes) body = NULL;

  body = semper_comm_client_get_sync (client, url, &type, cancellable, error);
  if (body == NULL)
    return NULL;
  return semper_ca_client_parse_der (body, member, error);
}

/**
 * semper_ca_client_fetch_root:
 *
 * Returns: (transfer full): the root certificate (DER); its fingerprint is
 *   for the user to compare before it is pinned
 */
GBytes *
semper_ca_client_fetch_root (SemperCommClient  *client,
                             const char        *base_url,
                             GCancellable      *cancellable,
                             GError           **error)
{
  return get_der (client, base_url, "/ca/root", "certificate", cancellable, error);
}

/**
 * semper_ca_client_fetch_crl:
 *
 * Returns: (transfer full): the CRL (DER), for semper_trust_set_crl()
 */
GBytes *
semper_ca_client_fetch_crl (SemperCommClient  *client,
                            const char        *base_url,
                            GCancellable      *cancellable,
                            GError           **error)
{
  return get_der (client, base_url, "/ca/crl", "crl", cancellable, error);
}

static GBytes *
post_json (SemperCommClient  *client,
           const char        *url,
           JsonBuilder       *b,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *type = NULL;
  gsize len = 0;
  char *text;
  GBytes *answer;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  body = g_bytes_new_take (text, len);
  answer = semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_JSON, body,
                                         &type, cancellable, error);
  /* the body may carry a secret */
  semper_secret_wipe (text, len);
  return answer;
}

/**
 * semper_ca_client_register:
 * @role: (nullable): the role asked for; %NULL for `wallet`
 * @secret: (nullable): the operator's enrolment secret for @role
 *
 * Returns: (transfer full): the issued certificate (DER)
 */
GBytes *
semper_ca_client_register (SemperCommClient  *client,
                           const char        *base_url,
                           GBytes            *csr_der,
                           const char        *role,
                           const char        *secret,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *url = join (base_url, "/ca/register");
  g_autofree char *csr = g_base64_encode (g_bytes_get_data (csr_der, NULL),
                                          g_bytes_get_size (csr_der));
  g_autoptr(GBytes) answer = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "csr");
  json_builder_add_string_value (b, csr);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, role ? role : "wallet");
  if (secret != NULL)
    {
      json_builder_set_member_name (b, "secret");
      json_builder_add_string_value (b, secret);
    }
  json_builder_end_object (b);

  answer = post_json (client, url, b, cancellable, error);
  if (answer == NULL)
    return NULL;
  return semper_ca_client_parse_der (answer, "certificate", error);
}

/**
 * semper_ca_client_revoke:
 * @admin_token: the contents of the CA's STATE/admin-token
 * @fingerprint: SHA-256 (hex) or serial (hex) of the certificate
 * @reason: (nullable): a note for the CA's record
 */
gboolean
semper_ca_client_revoke (SemperCommClient  *client,
                         const char        *base_url,
                         const char        *admin_token,
                         const char        *fingerprint,
                         const char        *reason,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *url = join (base_url, "/ca/admin/revoke");
  g_autoptr(GBytes) answer = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, admin_token);
  json_builder_set_member_name (b, "fingerprint");
  json_builder_add_string_value (b, fingerprint);
  if (reason != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  json_builder_end_object (b);

  answer = post_json (client, url, b, cancellable, error);
  return answer != NULL;
}

char *
semper_ca_normalize_fingerprint (const char *text)
{
  GString *s = g_string_sized_new (64);

  for (const char *p = text; *p; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_c (s, g_ascii_tolower (*p));
    }
  if (s->len != 64)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}
