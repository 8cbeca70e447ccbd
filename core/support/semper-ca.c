/* semper-ca.c: the marketplace certification authority.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-ca.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <cryptohi.h>
#include <secasn1.h>
#include <secder.h>
#include <sqlite3.h>

#include "semper-comm.h"
#include "semper-crypto-private.h"
#include "semper-json-private.h"
#include "semper-message.h"

#define DEFAULT_NAME          "Semper Marketplace CA"
#define DEFAULT_ROOT_DAYS     3650
#define DEFAULT_CERT_DAYS     365
#define DEFAULT_CRL_DAYS      7
#define MAX_CSR               (8 * 1024)
#define MAX_SECRET            256
#define MIN_SECRET            16
#define MAX_REASON            200
#define TOKEN_BYTES           32

G_DEFINE_QUARK (semper-ca-error-quark, semper_ca_error)

/* ---- strict base64 ---------------------------------------------------------- */

/**
 * semper_ca_base64_decode:
 * @text: RFC 4648 base64, canonical: padded, no whitespace, unused bits zero
 * @max_len: the most decoded bytes accepted
 *
 * Returns: (transfer full): the bytes, or %NULL with %SEMPER_CA_ERROR_BAD_REQUEST
 */
GBytes *
semper_ca_base64_decode (const char  *text,
                         gsize        max_len,
                         GError     **error)
{
  g_autofree guchar *data = NULL;
  g_autofree char *again = NULL;
  gsize len = strlen (text);
  gsize out_len = 0;

  if (len == 0 || len % 4 != 0 || len / 4 * 3 > max_len + 2)
    goto bad;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      if (c == '=' && (i == len - 1 || (i == len - 2 && text[len - 1] == '=')))
        continue;
      goto bad;
    }

  data = g_base64_decode (text, &out_len);
  if (out_len == 0 || out_len > max_len)
    goto bad;
  /* canonical: re-encoding gives the same text (no stray unused bits) */
  again = g_base64_encode (data, out_len);
  if (strcmp (again, text) != 0)
    goto bad;
  return g_bytes_new_take (g_steal_pointer (&data), out_len);

bad:
  g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                       _("Expected canonical base64 of an allowed size"));
  return NULL;
}

/* ---- the registration request ---------------------------------------------- */

void
semper_ca_request_free (SemperCaRequest *request)
{
  if (request == NULL)
    return;
  g_clear_pointer (&request->csr, g_bytes_unref);
  g_free (request->role);
  if (request->secret != NULL)
    semper_secret_free (request->secret);
  g_free (request);
}

static const char *
string_member (JsonObject  *object,
               const char  *name,
               gsize        max_len,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                   _("The member “%s” must be a string"), name);
      return NULL;
    }
  value = json_node_get_string (node);
  if (*value == '\0' || strlen (value) > max_len)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                   _("The member “%s” is empty or too long"), name);
      return NULL;
    }
  return value;
}

/**
 * semper_ca_request_parse:
 * @body: a JSON body `{"csr": BASE64, "role": ROLE, "secret": TEXT}`
 *
 * Parses a registration request strictly: an object with exactly these
 * members (role and secret optional), no others, csr canonical base64 of at
 * most 8 KiB, role a SEMPER role. The CSR itself is checked when issuing.
 *
 * Returns: (transfer full): the request, or %NULL with
 *   %SEMPER_CA_ERROR_BAD_REQUEST
 */
SemperCaRequest *
semper_ca_request_parse (GBytes  *body,
                         GError **error)
{
  g_autoptr(SemperCaRequest) request = g_new0 (SemperCaRequest, 1);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  const char *csr, *role, *secret;

  root = semper_message_parse (body, SEMPER_CA_MAX_REQUEST, &local);
  if (root == NULL)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                   _("The registration request is not acceptable JSON: %s"), local->message);
      return NULL;
    }
  object = json_node_get_object (root);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "csr") && !g_str_equal (l->data, "role") &&
        !g_str_equal (l->data, "secret"))
      {
        g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                             _("The registration request has an unknown member"));
        return NULL;
      }

  csr = string_member (object, "csr", MAX_CSR * 2, &local);
  if (local == NULL && csr == NULL)
    g_set_error_literal (&local, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                         _("The registration request has no “csr”"));
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  request->csr = semper_ca_base64_decode (csr, MAX_CSR, error);
  if (request->csr == NULL)
    {
      g_prefix_error (error, "csr: ");
      return NULL;
    }

  role = string_member (object, "role", 32, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (role != NULL && !semper_role_is_valid (role))
    {
      g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                           _("The registration request names an unknown role"));
      return NULL;
    }
  request->role = g_strdup (role ? role : SEMPER_ROLE_WALLET);

  secret = string_member (object, "secret", MAX_SECRET, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  request->secret = g_strdup (secret);

  return g_steal_pointer (&request);
}

/* ---- SemperCa ----------------------------------------------------------------- */

struct _SemperCa
{
  GObject        parent_instance;

  char          *state_dir;
  SemperCrypto  *crypto;
  sqlite3       *db;
  GBytes        *root_der;
  char          *admin_token;

  /* configuration */
  char          *name;
  guint          root_days;
  guint          cert_days;
  guint          crl_days;
  gboolean       open_registration;  /* anyone may get a `wallet` certificate */
  GHashTable    *allowed_roles;      /* role -> itself */
  GHashTable    *key_roles;          /* SPKI SHA-256 hex -> role */
  GHashTable    *secrets;            /* role -> enrolment secret */

  /* the published CRL, remade when a revocation happens or it ages */
  GBytes        *crl;
  gint64         crl_made;           /* unix seconds */
  gint64         crl_revocations;    /* how many revocations it lists */
};

G_DEFINE_FINAL_TYPE (SemperCa, semper_ca, G_TYPE_OBJECT)

static void
wipe_secret_value (gpointer data)
{
  semper_secret_free (data);
}

static void
semper_ca_dispose (GObject *object)
{
  SemperCa *self = SEMPER_CA (object);

  g_clear_object (&self->crypto);
  G_OBJECT_CLASS (semper_ca_parent_class)->dispose (object);
}

static void
semper_ca_finalize (GObject *object)
{
  SemperCa *self = SEMPER_CA (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->root_der, g_bytes_unref);
  g_clear_pointer (&self->crl, g_bytes_unref);
  g_clear_pointer (&self->admin_token, semper_secret_free);
  g_clear_pointer (&self->allowed_roles, g_hash_table_unref);
  g_clear_pointer (&self->key_roles, g_hash_table_unref);
  g_clear_pointer (&self->secrets, g_hash_table_unref);
  g_free (self->state_dir);
  g_free (self->name);

  G_OBJECT_CLASS (semper_ca_parent_class)->finalize (object);
}

static void
semper_ca_class_init (SemperCaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_ca_dispose;
  object_class->finalize = semper_ca_finalize;
}

static void
semper_ca_init (SemperCa *self)
{
  self->name = g_strdup (DEFAULT_NAME);
  self->root_days = DEFAULT_ROOT_DAYS;
  self->cert_days = DEFAULT_CERT_DAYS;
  self->crl_days = DEFAULT_CRL_DAYS;
  self->open_registration = TRUE;
  self->allowed_roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->key_roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_secret_value);
}

/* ---- configuration ------------------------------------------------------------ */

static gboolean
config_days (GKeyFile    *kf,
             const char  *key,
             guint       *out,
             GError     **error)
{
  g_autoptr(GError) local = NULL;
  int value;

  if (!g_key_file_has_key (kf, "ca", key, NULL))
    return TRUE;
  value = g_key_file_get_integer (kf, "ca", key, &local);
  if (local != NULL || value < 1 || value > 36500)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                   _("[ca] %s must be a number of days from 1 to 36500"), key);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static gboolean
is_hex64 (const char *s)
{
  if (strlen (s) != 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isxdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
load_config (SemperCa    *self,
             const char  *path,
             GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_auto(GStrv) roles = NULL;
  g_auto(GStrv) keys = NULL;

  g_hash_table_add (self->allowed_roles, g_strdup (SEMPER_ROLE_WALLET));
  if (path == NULL)
    return TRUE;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (g_key_file_has_key (kf, "ca", "name", NULL))
    {
      g_free (self->name);
      self->name = g_key_file_get_string (kf, "ca", "name", NULL);
      if (self->name == NULL || *self->name == '\0')
        {
          g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                               _("[ca] name must not be empty"));
          return FALSE;
        }
    }
  if (!config_days (kf, "root-validity-days", &self->root_days, error) ||
      !config_days (kf, "certificate-validity-days", &self->cert_days, error) ||
      !config_days (kf, "crl-validity-days", &self->crl_days, error))
    return FALSE;
  if (g_key_file_has_key (kf, "ca", "open-registration", NULL))
    {
      g_autoptr(GError) local = NULL;

      self->open_registration = g_key_file_get_boolean (kf, "ca", "open-registration", &local);
      if (local != NULL)
        {
          g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                               _("[ca] open-registration must be true or false"));
          return FALSE;
        }
    }

  roles = g_key_file_get_string_list (kf, "ca", "roles", NULL, NULL);
  if (roles != NULL)
    {
      g_hash_table_remove_all (self->allowed_roles);
      for (guint i = 0; roles[i] != NULL; i++)
        {
          if (!semper_role_is_valid (roles[i]) || g_str_equal (roles[i], SEMPER_ROLE_CA))
            {
              g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                           _("[ca] roles: “%s” is not a role this CA can issue"), roles[i]);
              return FALSE;
            }
          g_hash_table_add (self->allowed_roles, g_strdup (roles[i]));
        }
    }

  /* [enrolment] ROLE=SECRET: whoever knows the secret may register for ROLE */
  keys = g_key_file_get_keys (kf, "enrolment", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      char *secret = g_key_file_get_string (kf, "enrolment", keys[i], NULL);

      if (!g_hash_table_contains (self->allowed_roles, keys[i]) ||
          g_str_equal (keys[i], SEMPER_ROLE_WALLET) ||
          secret == NULL || strlen (secret) < MIN_SECRET || strlen (secret) > MAX_SECRET)
        {
          g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                       _("[enrolment] %s: the role must be one of [ca] roles other than wallet, "
                         "the secret 16 to 256 characters"), keys[i]);
          if (secret)
            semper_secret_free (secret);
          return FALSE;
        }
      g_hash_table_replace (self->secrets, g_strdup (keys[i]), secret);
    }
  g_clear_pointer (&keys, g_strfreev);

  /* [keys] SPKI-SHA256-HEX=ROLE: a key the operator names for a role */
  keys = g_key_file_get_keys (kf, "keys", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *role = g_key_file_get_string (kf, "keys", keys[i], NULL);

      if (!is_hex64 (keys[i]) || role == NULL ||
          !g_hash_table_contains (self->allowed_roles, role))
        {
          g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                       _("[keys] %s: want the SHA-256 (hex) of a public key = one of [ca] roles"),
                       keys[i]);
          return FALSE;
        }
      g_hash_table_replace (self->key_roles, g_ascii_strdown (keys[i], -1),
                            g_steal_pointer (&role));
    }
  return TRUE;
}

/* ---- storage ------------------------------------------------------------------ */

static const char schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "CREATE TABLE IF NOT EXISTS certificates ("
  "  serial TEXT PRIMARY KEY,"
  "  fingerprint TEXT NOT NULL UNIQUE,"
  "  spki_sha256 TEXT NOT NULL,"
  "  common_name TEXT NOT NULL,"
  "  role TEXT NOT NULL,"
  "  issued_at INTEGER NOT NULL,"
  "  not_after INTEGER NOT NULL,"
  "  der BLOB NOT NULL,"
  "  revoked_at INTEGER,"
  "  revocation_reason TEXT);"
  "CREATE INDEX IF NOT EXISTS certificates_spki ON certificates (spki_sha256);"
  "CREATE TABLE IF NOT EXISTS crl_number (id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  number INTEGER NOT NULL);"
  "INSERT OR IGNORE INTO crl_number VALUES (1, 0);"
  "PRAGMA user_version=1;";

static void
set_db_error (SemperCa    *self,
              GError     **error)
{
  g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_FAILED,
               _("The CA's record failed: %s"), sqlite3_errmsg (self->db));
}

static gboolean
open_db (SemperCa  *self,
         GError   **error)
{
  g_autofree char *path = g_build_filename (self->state_dir, "ca.db", NULL);
  char *msg = NULL;

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                       SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 5000);
  if (sqlite3_exec (self->db, schema, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_FAILED,
                   _("The CA's record failed: %s"), msg);
      sqlite3_free (msg);
      return FALSE;
    }
  g_chmod (path, 0600);
  return TRUE;
}

static gboolean
load_admin_token (SemperCa  *self,
                  GError   **error)
{
  g_autofree char *path = semper_ca_dup_admin_token_path (self);
  char *data = NULL;
  gsize len = 0;

  if (g_file_get_contents (path, &data, &len, NULL))
    {
      while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        data[--len] = '\0';
      if (len < 32)
        {
          semper_secret_free (data);
          g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_CONFIG,
                       _("%s is too short to be an admin token"), path);
          return FALSE;
        }
      self->admin_token = data;
      return TRUE;
    }

  {
    guint8 raw[TOKEN_BYTES];
    GString *hex = g_string_sized_new (2 * TOKEN_BYTES + 1);
    gboolean ok;

    if (!semper_random_bytes (raw, sizeof raw, error))
      {
        g_string_free (hex, TRUE);
        return FALSE;
      }
    for (guint i = 0; i < sizeof raw; i++)
      g_string_append_printf (hex, "%02x", raw[i]);
    semper_secret_wipe (raw, sizeof raw);
    g_string_append_c (hex, '\n');
    ok = g_file_set_contents_full (path, hex->str, hex->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
    hex->str[hex->len - 1] = '\0';
    self->admin_token = g_string_free (hex, FALSE);
    return ok;
  }
}

/**
 * semper_ca_open:
 * @state_dir: the CA's directory; created on first use
 * @config_file: (nullable): the configuration (docs/ca.md); %NULL: wallets only
 * @password_func: asked for the password of the CA's key database
 *
 * Opens the CA in @state_dir, making its key and root certificate on first
 * use. Later opens reuse them (the same root).
 *
 * Returns: (transfer full): the CA, or %NULL with @error set
 */
SemperCa *
semper_ca_open (const char          *state_dir,
                const char          *config_file,
                SemperPasswordFunc   password_func,
                gpointer             password_data,
                GError             **error)
{
  g_autoptr(SemperCa) self = g_object_new (SEMPER_TYPE_CA, NULL);
  g_autoptr(GError) local = NULL;
  g_autofree char *nss_dir = NULL;
  g_autofree char *role = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);

  self->state_dir = g_strdup (state_dir);
  if (!load_config (self, config_file, error))
    return NULL;

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_FAILED,
                   _("Cannot create %s: %s"), state_dir, g_strerror (errno));
      return NULL;
    }
  nss_dir = g_build_filename (state_dir, "nss", NULL);
  self->crypto = semper_crypto_open (nss_dir, FALSE, password_func, password_data, NULL, &local);
  if (self->crypto == NULL &&
      g_error_matches (local, SEMPER_CRYPTO_ERROR, SEMPER_CRYPTO_ERROR_NOT_FOUND))
    {
      g_clear_error (&local);
      self->crypto = semper_crypto_open (nss_dir, TRUE, password_func, password_data, NULL,
                                         &local);
    }
  if (self->crypto == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  if (!semper_crypto_has_key (self->crypto) &&
      !semper_crypto_generate_key (self->crypto, error))
    return NULL;
  self->root_der = semper_crypto_dup_certificate (self->crypto);
  if (self->root_der == NULL)
    {
      if (!semper_crypto_make_root (self->crypto, self->name, self->root_days, error))
        return NULL;
      self->root_der = semper_crypto_dup_certificate (self->crypto);
    }
  role = self->root_der ? semper_certificate_dup_role (self->root_der) : NULL;
  if (g_strcmp0 (role, SEMPER_ROLE_CA) != 0)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_FAILED,
                   _("The key database in %s holds no CA root"), nss_dir);
      return NULL;
    }

  if (!open_db (self, error) || !load_admin_token (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * semper_ca_get_root:
 *
 * Returns: (transfer none): the root certificate (DER)
 */
GBytes *
semper_ca_get_root (SemperCa *self)
{
  g_return_val_if_fail (SEMPER_IS_CA (self), NULL);
  return self->root_der;
}

/**
 * semper_ca_dup_admin_token_path:
 *
 * Returns: (transfer full): STATE/admin-token, readable by the CA's operator only
 */
char *
semper_ca_dup_admin_token_path (SemperCa *self)
{
  g_return_val_if_fail (SEMPER_IS_CA (self), NULL);
  return g_build_filename (self->state_dir, "admin-token", NULL);
}

static gboolean
secret_equal (const char *a,
              const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i % MAX (lb, 1)];
  return diff == 0;
}

static char *
hex_of (const guint8 *data,
        gsize         len)
{
  GString *s = g_string_sized_new (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* SHA-256 (hex) of the request's SubjectPublicKeyInfo (DER). The request's
 * signature is not checked here: semper_crypto_issue_certificate() does. */
static char *
csr_spki_sha256 (GBytes  *csr,
                 GError **error)
{
  PLArenaPool *arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  CERTSignedData sd = { 0 };
  CERTCertificateRequest *req = PORT_ArenaZNew (arena, CERTCertificateRequest);
  SECItem item = { siBuffer, NULL, 0 };
  SECItem *spki;
  char *ret = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (csr, &len);

  _semper_nss_init ();
  item.data = PORT_ArenaAlloc (arena, MAX (len, 1));
  item.len = (unsigned int) len;
  if (len > 0)
    memcpy (item.data, data, len);
  req->arena = arena;
  if (len == 0 ||
      SEC_QuickDERDecodeItem (arena, &sd, SEC_ASN1_GET (CERT_SignedDataTemplate),
                              &item) != SECSuccess ||
      SEC_QuickDERDecodeItem (arena, req, SEC_ASN1_GET (CERT_CertificateRequestTemplate),
                              &sd.data) != SECSuccess ||
      (spki = SEC_ASN1EncodeItem (arena, NULL, &req->subjectPublicKeyInfo,
                                  SEC_ASN1_GET (CERT_SubjectPublicKeyInfoTemplate))) == NULL)
    {
      g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                           _("Not a PKCS#10 certificate request"));
    }
  else
    {
      guint8 digest[32];

      semper_sha256 (spki->data, spki->len, digest);
      ret = hex_of (digest, sizeof digest);
    }
  PORT_FreeArena (arena, PR_FALSE);
  return ret;
}

static gboolean
spki_was_revoked (SemperCa    *self,
                  const char  *spki,
                  gboolean    *revoked,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM certificates WHERE spki_sha256 = ? AND "
                          "revoked_at IS NOT NULL LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, spki, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return FALSE;
    }
  *revoked = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
record_certificate (SemperCa    *self,
                    GBytes      *der,
                    const char  *spki,
                    const char  *role,
                    GError     **error)
{
  CERTCertificate *cert;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *fingerprint = semper_sha256_hex (der);
  g_autofree char *cn = NULL;
  PRTime start = 0, end = 0;
  gboolean ok;

  cert = _semper_cert_decode (g_bytes_get_data (der, NULL), g_bytes_get_size (der), error);
  if (cert == NULL)
    return FALSE;
  serial = hex_of (cert->serialNumber.data, cert->serialNumber.len);
  cn = _semper_cert_common_name (cert);
  CERT_GetCertTimes (cert, &start, &end);
  CERT_DestroyCertificate (cert);

  if (sqlite3_prepare_v2 (self->db, "INSERT INTO certificates (serial, fingerprint, spki_sha256,"
                          " common_name, role, issued_at, not_after, der)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, serial, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, fingerprint, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, spki, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cn ? cn : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, role, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 7, end / PR_USEC_PER_SEC);
  sqlite3_bind_blob (stmt, 8, g_bytes_get_data (der, NULL), (int) g_bytes_get_size (der),
                     SQLITE_STATIC);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  if (!ok)
    set_db_error (self, error);
  sqlite3_finalize (stmt);
  return ok;
}

/* Issues and records; the policy has been applied by the caller. */
static GBytes *
issue (SemperCa    *self,
       GBytes      *csr,
       const char  *spki,
       const char  *role,
       GError     **error)
{
  g_autoptr(GBytes) der = NULL;

  der = semper_crypto_issue_certificate (self->crypto, csr, role, self->cert_days, error);
  if (der == NULL)
    {
      if (error && *error && (*error)->domain == SEMPER_CRYPTO_ERROR &&
          ((*error)->code == SEMPER_CRYPTO_ERROR_BAD_INPUT ||
           (*error)->code == SEMPER_CRYPTO_ERROR_BAD_SIGNATURE))
        {
          GError *e = *error;

          *error = g_error_new_literal (SEMPER_CA_ERROR, SEMPER_CA_ERROR_BAD_REQUEST,
                                        e->message);
          g_error_free (e);
        }
      return NULL;
    }
  /* the certificate leaves only once it is on record, so it can be revoked */
  if (!record_certificate (self, der, spki, role, error))
    return NULL;
  return g_steal_pointer (&der);
}

/**
 * semper_ca_register:
 * @request: a parsed registration request
 *
 * Applies the registration policy (docs/ca.md) and issues:
 * - `ca` is never issued, and no role outside the configured `roles`;
 * - `wallet` to anyone while open registration is on;
 * - any other role only to a key named for it in `[keys]`, or with the
 *   role's `[enrolment]` secret;
 * - never to a key that had a certificate revoked.
 *
 * Returns: (transfer full): the certificate (DER), or %NULL with
 *   %SEMPER_CA_ERROR_REFUSED, _BAD_REQUEST or _FAILED
 */
GBytes *
semper_ca_register (SemperCa               *self,
                    const SemperCaRequest  *request,
                    GError                **error)
{
  g_autofree char *spki = NULL;
  const char *named_role;
  const char *secret;
  gboolean revoked = FALSE;
  gboolean allowed = FALSE;

  g_return_val_if_fail (SEMPER_IS_CA (self), NULL);
  g_return_val_if_fail (request != NULL && request->csr != NULL && request->role != NULL, NULL);

  if (g_str_equal (request->role, SEMPER_ROLE_CA) ||
      !g_hash_table_contains (self->allowed_roles, request->role))
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED,
                   _("This certification authority does not issue the role “%s”"),
                   request->role);
      return NULL;
    }

  spki = csr_spki_sha256 (request->csr, error);
  if (spki == NULL)
    return NULL;

  named_role = g_hash_table_lookup (self->key_roles, spki);
  secret = g_hash_table_lookup (self->secrets, request->role);
  if (g_strcmp0 (named_role, request->role) == 0)
    allowed = TRUE;
  else if (secret != NULL && request->secret != NULL && secret_equal (secret, request->secret))
    allowed = TRUE;
  else if (g_str_equal (request->role, SEMPER_ROLE_WALLET) && self->open_registration)
    allowed = TRUE;

  if (!allowed)
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED,
                   _("The role “%s” is issued only to keys that the CA’s operator named, or "
                     "with the operator’s enrolment secret"), request->role);
      return NULL;
    }

  if (!spki_was_revoked (self, spki, &revoked, error))
    return NULL;
  if (revoked)
    {
      g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED,
                           _("A certificate for this key was revoked; it is not certified again"));
      return NULL;
    }

  return issue (self, request->csr, spki, request->role, error);
}

/**
 * semper_ca_issue:
 * @role: any role in the configured `roles` except `ca`
 *
 * The operator's path: issues without the registration policy (but never
 * `ca`, and never for a key that had a certificate revoked).
 *
 * Returns: (transfer full): the certificate (DER)
 */
GBytes *
semper_ca_issue (SemperCa    *self,
                 GBytes      *csr_der,
                 const char  *role,
                 GError     **error)
{
  g_autofree char *spki = NULL;
  gboolean revoked = FALSE;

  g_return_val_if_fail (SEMPER_IS_CA (self), NULL);

  if (role == NULL || g_str_equal (role, SEMPER_ROLE_CA) ||
      !g_hash_table_contains (self->allowed_roles, role))
    {
      g_set_error (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED,
                   _("This certification authority does not issue the role “%s”"),
                   role ? role : "(none)");
      return NULL;
    }
  spki = csr_spki_sha256 (csr_der, error);
  if (spki == NULL || !spki_was_revoked (self, spki, &revoked, error))
    return NULL;
  if (revoked)
    {
      g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_REFUSED,
                           _("A certificate for this key was revoked; it is not certified again"));
      return NULL;
    }
  return issue (self, csr_der, spki, role, error);
}

/**
 * semper_ca_revoke:
 * @fingerprint: SHA-256 (hex) of the certificate, or its serial number (hex)
 * @reason: (nullable): a note for the record
 *
 * Marks an issued certificate revoked; the next CRL lists it. Revoking a
 * revoked certificate succeeds and keeps the first date.
 */
gboolean
semper_ca_revoke (SemperCa    *self,
                  const char  *fingerprint,
                  const char  *reason,
                  GError     **error)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_CA (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  key = g_ascii_strdown (fingerprint, -1);
  if (sqlite3_prepare_v2 (self->db, "UPDATE certificates SET revoked_at = ?2, "
                          "revocation_reason = ?3 WHERE (fingerprint = ?1 OR serial = ?1) "
                          "AND revoked_at IS NULL", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (reason != NULL)
    sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0 && !semper_ca_is_revoked (self, key))
    {
      g_set_error_literal (error, SEMPER_CA_ERROR, SEMPER_CA_ERROR_NOT_FOUND,
                           _("This CA issued no certificate with that fingerprint or serial"));
      return FALSE;
    }
  g_clear_pointer (&self->crl, g_bytes_unref);
  return TRUE;
}

gboolean
semper_ca_is_revoked (SemperCa   *self,
                      const char *fingerprint)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ret;

  g_return_val_if_fail (SEMPER_IS_CA (self), FALSE);

  key = g_ascii_strdown (fingerprint, -1);
  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM certificates WHERE (fingerprint = ?1 OR "
                          "serial = ?1) AND revoked_at IS NOT NULL", -1, &stmt,
                          NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  ret = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return ret;
}

/* ---- the CRL ------------------------------------------------------------------- */

static gboolean
hex_to_item (PLArenaPool *arena,
             const char  *hex,
             SECItem     *out)
{
  gsize len = strlen (hex);

  if (len == 0 || len % 2 != 0)
    return FALSE;
  out->type = siBuffer;
  out->len = (unsigned int) (len / 2);
  out->data = PORT_ArenaAlloc (arena, out->len);
  for (gsize i = 0; i < out->len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out->data[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* Builds and signs an X.509 v2 CRL (RFC 5280 5.1) listing every revoked
 * certificate: issuer = the root, thisUpdate now, nextUpdate now + crl_days,
 * extensions authorityKeyIdentifier and cRLNumber. */
static GBytes *
make_crl (SemperCa  *self,
          gint64    *out_count,
          GError   **error)
{
  PLArenaPool *arena = NULL;
  CERTCertificate *issuer = NULL;
  SECKEYPrivateKey *key = NULL;
  CERTCrl *crl;
  sqlite3_stmt *stmt = NULL;
  GPtrArray *entries = NULL;
  void *ext = NULL;
  SECItem skid = { siBuffer, NULL, 0 };
  SECItem number_item = { siBuffer, NULL, 0 };
  SECItem *value, *tbs;
  SECItem signed_crl = { siBuffer, NULL, 0 };
  CERTAuthKeyID akid = { 0 };
  SECItem akid_value = { siBuffer, NULL, 0 };
  PRTime now = PR_Now ();
  gint64 number = 0;
  GBytes *ret = NULL;

  issuer = _semper_crypto_find_cert (self->crypto, error);
  if (issuer == NULL)
    return NULL;
  key = _semper_crypto_find_key (self->crypto, error);
  if (key == NULL)
    goto out;

  if (sqlite3_exec (self->db, "UPDATE crl_number SET number = number + 1 WHERE id = 1",
                    NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db, "SELECT number FROM crl_number WHERE id = 1", -1, &stmt,
                          NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error);
      goto out;
    }
  number = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  arena = PORT_NewArena (DER_DEFAULT_CHUNKSIZE);
  crl = PORT_ArenaZNew (arena, CERTCrl);
  crl->arena = arena;
  if (SEC_ASN1EncodeInteger (arena, &crl->version, SEC_CRL_VERSION_2) == NULL ||
      SECOID_SetAlgorithmID (arena, &crl->signatureAlg,
                             SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE, NULL) != SECSuccess ||
      CERT_CopyName (arena, &crl->name, &issuer->subject) != SECSuccess ||
      DER_EncodeTimeChoice (arena, &crl->lastUpdate, now) != SECSuccess ||
      DER_EncodeTimeChoice (arena, &crl->nextUpdate,
                            now + self->crl_days * 86400 * (PRTime) PR_USEC_PER_SEC) != SECSuccess)
    goto nss_failed;

  if (sqlite3_prepare_v2 (self->db, "SELECT serial, revoked_at FROM certificates WHERE "
                          "revoked_at IS NOT NULL ORDER BY revoked_at, serial", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      goto out;
    }
  entries = g_ptr_array_new ();
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CERTCrlEntry *entry = PORT_ArenaZNew (arena, CERTCrlEntry);
      const char *serial = (const char *) sqlite3_column_text (stmt, 0);

      if (serial == NULL || !hex_to_item (arena, serial, &entry->serialNumber) ||
          DER_EncodeTimeChoice (arena, &entry->revocationDate,
                                sqlite3_column_int64 (stmt, 1) * PR_USEC_PER_SEC) != SECSuccess)
        goto nss_failed;
      g_ptr_array_add (entries, entry);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (entries->len > 0)
    {
      crl->entries = PORT_ArenaZNewArray (arena, CERTCrlEntry *, entries->len + 1);
      for (guint i = 0; i < entries->len; i++)
        crl->entries[i] = entries->pdata[i];
    }

  ext = CERT_StartCRLExtensions (crl);
  if (ext == NULL)
    goto nss_failed;
  if (CERT_FindSubjectKeyIDExtension (issuer, &skid) != SECSuccess ||
      SECITEM_CopyItem (arena, &akid.keyID, &skid) != SECSuccess ||
      CERT_EncodeAuthKeyID (arena, &akid, &akid_value) != SECSuccess ||
      CERT_AddExtension (ext, SEC_OID_X509_AUTH_KEY_ID, &akid_value, PR_FALSE,
                         PR_TRUE) != SECSuccess)
    goto nss_failed;
  if (SEC_ASN1EncodeInteger (arena, &number_item, (long) number) == NULL ||
      (value = SEC_ASN1EncodeItem (arena, NULL, &number_item,
                                   SEC_ASN1_GET (SEC_IntegerTemplate))) == NULL ||
      CERT_AddExtension (ext, SEC_OID_X509_CRL_NUMBER, value, PR_FALSE, PR_TRUE) != SECSuccess)
    goto nss_failed;
  if (CERT_FinishExtensions (ext) != SECSuccess)
    {
      ext = NULL;
      goto nss_failed;
    }
  ext = NULL;

  tbs = SEC_ASN1EncodeItem (arena, NULL, crl, SEC_ASN1_GET (CERT_CrlTemplate));
  if (tbs == NULL ||
      SEC_DerSignData (arena, &signed_crl, tbs->data, tbs->len, key,
                       SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE) != SECSuccess)
    goto nss_failed;

  ret = g_bytes_new (signed_crl.data, signed_crl.len);
  *out_count = entries->len;
  goto out;

nss_failed:
  _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, _("Could not make the CRL"));
out:
  if (ext)
    CERT_FinishExtensions (ext);
  if (stmt)
    sqlite3_finalize (stmt);
  if (entries)
    g_ptr_array_unref (entries);
  if (skid.data)
    SECITEM_FreeItem (&skid, PR_FALSE);
  if (arena)
    PORT_FreeArena (arena, PR_FALSE);
  if (key)
    SECKEY_DestroyPrivateKey (key);
  CERT_DestroyCertificate (issuer);
  return ret;
}

static gint64
count_revoked (SemperCa *self)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM certificates WHERE revoked_at IS NOT "
                          "NULL", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/**
 * semper_ca_dup_crl:
 *
 * The current CRL (DER). It is remade when a revocation was recorded (by
 * this process or another one using the same state) and once a day, so it
 * never comes close to its nextUpdate.
 *
 * Returns: (transfer full): the CRL, or %NULL with @error set
 */
GBytes *
semper_ca_dup_crl (SemperCa  *self,
                   GError   **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 revoked;

  g_return_val_if_fail (SEMPER_IS_CA (self), NULL);

  revoked = count_revoked (self);
  if (self->crl == NULL || revoked != self->crl_revocations || now - self->crl_made >= 86400 ||
      now < self->crl_made)
    {
      gint64 count = 0;
      GBytes *crl = make_crl (self, &count, error);

      if (crl == NULL)
        return NULL;
      g_clear_pointer (&self->crl, g_bytes_unref);
      self->crl = crl;
      self->crl_made = now;
      self->crl_revocations = count;
    }
  return g_bytes_ref (self->crl);
}

/* ---- HTTP routes ---------------------------------------------------------------- */

static SemperCommResponse *
json_response (JsonBuilder *b)
{
  g_autoptr(GBytes) body = semper_json_builder_to_bytes (b);

  return semper_comm_response_new (200, SEMPER_COMM_CONTENT_TYPE_JSON, body);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_base64 (JsonBuilder *b,
            const char  *name,
            GBytes      *der)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));

  add_string (b, name, b64);
}

static SemperCommResponse *
error_response (const GError *error)
{
  guint status = 500;
  const char *code = "failed";

  if (error->domain == SEMPER_CA_ERROR)
    switch (error->code)
      {
      case SEMPER_CA_ERROR_BAD_REQUEST: status = 400; code = "bad-request"; break;
      case SEMPER_CA_ERROR_REFUSED: status = 403; code = "refused"; break;
      case SEMPER_CA_ERROR_UNAUTHORIZED: status = 403; code = "unauthorized"; break;
      case SEMPER_CA_ERROR_NOT_FOUND: status = 404; code = "not-found"; break;
      default: break;
      }
  return semper_comm_response_new_error (status, code, error->message);
}

static SemperCommResponse *
root_cb (SemperCommServer  *server,
         SemperCommRequest *request,
         gpointer           user_data)
{
  SemperCa *self = user_data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *fingerprint = semper_sha256_hex (self->root_der);

  json_builder_begin_object (b);
  add_base64 (b, "certificate", self->root_der);
  add_string (b, "fingerprint", fingerprint);
  add_string (b, "name", self->name);
  json_builder_end_object (b);
  return json_response (b);
}

static SemperCommResponse *
register_cb (SemperCommServer  *server,
             SemperCommRequest *request,
             gpointer           user_data)
{
  SemperCa *self = user_data;
  g_autoptr(SemperCaRequest) req = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *fingerprint = NULL;

  if (g_strcmp0 (semper_comm_request_get_content_type (request),
                 SEMPER_COMM_CONTENT_TYPE_JSON) != 0)
    return semper_comm_response_new_error (415, "unsupported-media-type",
                                           "A registration is a JSON body with the CSR in "
                                           "base64 (docs/ca.md)");

  req = semper_ca_request_parse (semper_comm_request_get_body (request), &error);
  if (req != NULL)
    cert = semper_ca_register (self, req, &error);
  if (cert == NULL)
    {
      g_message ("registration refused: %s", error->message);
      return error_response (error);
    }

  fingerprint = semper_sha256_hex (cert);
  g_message ("issued a %s certificate %s", req->role, fingerprint);
  json_builder_begin_object (b);
  add_base64 (b, "certificate", cert);
  add_string (b, "fingerprint", fingerprint);
  add_string (b, "role", req->role);
  json_builder_end_object (b);
  return json_response (b);
}

static SemperCommResponse *
crl_cb (SemperCommServer  *server,
        SemperCommRequest *request,
        gpointer           user_data)
{
  SemperCa *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) crl = semper_ca_dup_crl (self, &error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (crl == NULL)
    return error_response (error);
  json_builder_begin_object (b);
  add_base64 (b, "crl", crl);
  json_builder_end_object (b);
  return json_response (b);
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = host ? g_inet_address_new_from_string (host) : NULL;

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static SemperCommResponse *
revoke_cb (SemperCommServer  *server,
           SemperCommRequest *request,
           gpointer           user_data)
{
  SemperCa *self = user_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *object;
  const char *token, *fingerprint, *reason;

  if (!is_loopback (semper_comm_request_get_remote_host (request)))
    return semper_comm_response_new_error (403, "unauthorized",
                                           "Admin requests are accepted from this machine only");

  root = semper_message_parse (semper_comm_request_get_body (request), SEMPER_CA_MAX_REQUEST,
                               &error);
  if (root == NULL)
    return semper_comm_response_new_error (400, "bad-request", error->message);
  object = json_node_get_object (root);
  token = string_member (object, "token", 256, &error);
  if (error == NULL)
    fingerprint = string_member (object, "fingerprint", 64, &error);
  if (error == NULL)
    reason = string_member (object, "reason", MAX_REASON, &error);
  if (error != NULL)
    return error_response (error);
  if (token == NULL || !secret_equal (token, self->admin_token))
    return semper_comm_response_new_error (403, "unauthorized", "Wrong or missing admin token");
  if (fingerprint == NULL)
    return semper_comm_response_new_error (400, "bad-request", "No fingerprint to revoke");

  if (!semper_ca_revoke (self, fingerprint, reason, &error))
    return error_response (error);
  g_message ("revoked %s", fingerprint);

  json_builder_begin_object (b);
  add_string (b, "revoked", fingerprint);
  json_builder_end_object (b);
  return json_response (b);
}

/**
 * semper_ca_add_routes:
 *
 * GET /ca/root, POST /ca/register, GET /ca/crl, POST /ca/admin/revoke; all
 * JSON, DER in base64 (docs/ca.md).
 */
void
semper_ca_add_routes (SemperCa         *self,
                      SemperCommServer *server)
{
  g_return_if_fail (SEMPER_IS_CA (self));

  semper_comm_server_add_route (server, "GET", "/ca/root", root_cb, g_object_ref (self),
                                g_object_unref);
  semper_comm_server_add_route (server, "POST", "/ca/register", register_cb, g_object_ref (self),
                                g_object_unref);
  semper_comm_server_add_route (server, "GET", "/ca/crl", crl_cb, g_object_ref (self),
                                g_object_unref);
  semper_comm_server_add_route (server, "POST", "/ca/admin/revoke", revoke_cb,
                                g_object_ref (self), g_object_unref);
}

GObject *
semper_ca_role_setup (SemperCommServer         *server,
                      const SemperRoleOptions  *options,
                      GError                  **error)
{
  g_autoptr(SemperCa) ca = NULL;
  g_autofree char *fingerprint = NULL;

  ca = semper_ca_open (options->state_dir, options->config_file, options->password_func,
                       options->password_data, error);
  if (ca == NULL)
    return NULL;
  semper_ca_add_routes (ca, server);

  fingerprint = semper_sha256_hex (ca->root_der);
  g_printerr ("semperd: CA root SHA-256 %s\n", fingerprint);
  return G_OBJECT (g_steal_pointer (&ca));
}
