/* semper-backup.c: an encrypted backup of a whole wallet profile in one file.
 *
 * Layout (all integers big-endian; docs/backup.md says why):
 *   header (48 bytes, clear, the GCM additional data):
 *     "SEMPERBK"  u16 version = 1  u16 kdf = 1 (PBKDF2-HMAC-SHA256)
 *     u16 cipher = 1 (AES-256-GCM)  u16 reserved = 0  u32 iterations
 *     salt[16]  nonce[12]
 *   AES-256-GCM (payload) || tag[16]
 * payload:
 *   "SBKP"  u64 created (unix seconds)  u32 n_files
 *   n_files × { u16 path_len  path  u64 size  data }
 * and nothing after the last file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-backup.h"
#include "semper-backup-private.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "semper-crypto-private.h"
#include "semper-profile.h"

G_DEFINE_QUARK (semper-backup-error-quark, semper_backup_error)

#define KDF_PBKDF2_SHA256  1
#define CIPHER_AES256_GCM  1
#define FORMAT_VERSION     1
#define PAYLOAD_MAGIC      "SBKP"
#define MAX_DEPTH          4
#define DB_BUSY_MS         10000
/* The largest payload: the files plus their names and sizes. */
#define SEMPER_BACKUP_MAX_PAYLOAD \
  (SEMPER_BACKUP_MAX_BYTES + 16 + SEMPER_BACKUP_MAX_FILES * (2 + SEMPER_BACKUP_MAX_PATH + 8))

/* What a restore cannot do without. */
static const char * const required_files[] = { "archive.db", "nss/cert9.db", "nss/key4.db" };

/* An entry's bytes are its own copy (entry_new's callers copy), and they hold
 * the coins' secrets: they are wiped before they are freed. */
void
_semper_backup_entry_free (SemperBackupEntry *entry)
{
  gsize len = 0;
  gpointer data;

  if (entry == NULL)
    return;
  data = entry->data != NULL ? (gpointer) g_bytes_get_data (entry->data, &len) : NULL;
  if (data != NULL && len > 0)
    semper_secret_wipe (data, len);
  g_free (entry->path);
  g_clear_pointer (&entry->data, g_bytes_unref);
  g_free (entry);
}

static SemperBackupEntry *
entry_new (const char *path,
           GBytes     *data)
{
  SemperBackupEntry *entry = g_new0 (SemperBackupEntry, 1);

  entry->path = g_strdup (path);
  entry->data = g_bytes_ref (data);
  return entry;
}

/* ---- big-endian helpers -------------------------------------------------------- */

static void
put_u16 (GByteArray *out,
         guint16     v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (out, b, 4);
}

static void
put_u64 (GByteArray *out,
         guint64     v)
{
  put_u32 (out, v >> 32);
  put_u32 (out, v & 0xffffffff);
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint64
get_u64 (const guint8 *p)
{
  return ((guint64) get_u32 (p) << 32) | get_u32 (p + 4);
}

static gboolean
format_error (GError     **error,
              const char  *why)
{
  g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FORMAT,
               _("This is not a usable wallet backup: %s"), why);
  return FALSE;
}

/* ---- parsing ------------------------------------------------------------------- */

gboolean
_semper_backup_parse_header (const guint8       *data,
                             gsize               len,
                             SemperBackupHeader *out,
                             GError            **error)
{
  guint16 kdf, cipher, reserved;

  if (len < SEMPER_BACKUP_HEADER_SIZE + SEMPER_BACKUP_TAG_SIZE)
    return format_error (error, _("the file is too short"));
  if (memcmp (data, SEMPER_BACKUP_MAGIC, 8) != 0)
    return format_error (error, _("the file does not start like one"));
  out->version = get_u16 (data + 8);
  kdf = get_u16 (data + 10);
  cipher = get_u16 (data + 12);
  reserved = get_u16 (data + 14);
  out->iterations = get_u32 (data + 16);
  memcpy (out->salt, data + 20, SEMPER_BACKUP_SALT_SIZE);
  memcpy (out->nonce, data + 20 + SEMPER_BACKUP_SALT_SIZE, SEMPER_BACKUP_NONCE_SIZE);

  if (out->version != FORMAT_VERSION)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_VERSION,
                   _("The backup has format version %u; this wallet reads version %u"),
                   out->version, FORMAT_VERSION);
      return FALSE;
    }
  if (kdf != KDF_PBKDF2_SHA256 || cipher != CIPHER_AES256_GCM || reserved != 0)
    return format_error (error, _("unknown key derivation or cipher"));
  if (out->iterations < SEMPER_BACKUP_MIN_ITERATIONS
      || out->iterations > SEMPER_BACKUP_MAX_ITERATIONS)
    return format_error (error, _("the iteration count is out of range"));
  if (len - SEMPER_BACKUP_HEADER_SIZE - SEMPER_BACKUP_TAG_SIZE > SEMPER_BACKUP_MAX_PAYLOAD)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                   _("The backup is larger than a wallet backup can be"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
path_char_ok (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

gboolean
_semper_backup_check_path (const char  *path,
                           gsize        len,
                           GError     **error)
{
  guint depth = 1;
  gboolean at_start = TRUE;

  if (len == 0 || len > SEMPER_BACKUP_MAX_PATH)
    return format_error (error, _("a file name is empty or too long"));
  for (gsize i = 0; i < len; i++)
    {
      char c = path[i];

      if (c == '/')
        {
          if (at_start)
            return format_error (error, _("a file name has an empty part"));
          if (++depth > MAX_DEPTH)
            return format_error (error, _("a file name is nested too deeply"));
          at_start = TRUE;
          continue;
        }
      /* No ".", "..", hidden names, or anything outside a small set. */
      if (at_start && c == '.')
        return format_error (error, _("a file name starts with a dot"));
      if (!path_char_ok (c))
        return format_error (error, _("a file name has a character that is not allowed"));
      at_start = FALSE;
    }
  if (at_start)
    return format_error (error, _("a file name ends with a slash"));
  return TRUE;
}

GPtrArray *
_semper_backup_parse_payload (const guint8      *data,
                              gsize              len,
                              SemperBackupInfo  *out_info,
                              GError           **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _semper_backup_entry_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  SemperBackupInfo info = { 0 };
  gsize pos = 0;
  guint32 n_files;

  if (len < 16 || memcmp (data, PAYLOAD_MAGIC, 4) != 0)
    {
      format_error (error, _("the contents do not start like a backup’s"));
      return NULL;
    }
  info.created = (gint64) get_u64 (data + 4);
  n_files = get_u32 (data + 12);
  pos = 16;
  if (info.created < 0 || n_files > SEMPER_BACKUP_MAX_FILES)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                   _("The backup names more files than a wallet profile has"));
      return NULL;
    }

  for (guint32 i = 0; i < n_files; i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint16 path_len;
      guint64 size;

      if (len - pos < 2)
        {
          format_error (error, _("the contents end early"));
          return NULL;
        }
      path_len = get_u16 (data + pos);
      pos += 2;
      if (len - pos < (gsize) path_len + 8)
        {
          format_error (error, _("the contents end early"));
          return NULL;
        }
      if (!_semper_backup_check_path ((const char *) data + pos, path_len, error))
        return NULL;
      path = g_strndup ((const char *) data + pos, path_len);
      pos += path_len;
      size = get_u64 (data + pos);
      pos += 8;
      if (size > len - pos)
        {
          format_error (error, _("the contents end early"));
          return NULL;
        }
      info.n_bytes += size;
      if (info.n_bytes > SEMPER_BACKUP_MAX_BYTES)
        {
          g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                       _("The backup holds more than %u MiB"),
                       (guint) (SEMPER_BACKUP_MAX_BYTES >> 20));
          return NULL;
        }
      if (g_hash_table_contains (seen, path))
        {
          format_error (error, _("a file appears twice"));
          return NULL;
        }
      bytes = g_bytes_new (data + pos, size);
      pos += size;
      g_ptr_array_add (entries, entry_new (path, bytes));
      g_hash_table_add (seen, ((SemperBackupEntry *) g_ptr_array_index (entries, i))->path);
    }
  if (pos != len)
    {
      format_error (error, _("there are bytes after the last file"));
      return NULL;
    }

  /* A name must not be both a file and a folder. */
  for (guint i = 0; i < entries->len; i++)
    {
      const char *path = ((SemperBackupEntry *) g_ptr_array_index (entries, i))->path;

      for (const char *slash = strchr (path, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
        {
          g_autofree char *prefix = g_strndup (path, slash - path);

          if (g_hash_table_contains (seen, prefix))
            {
              format_error (error, _("a name is both a file and a folder"));
              return NULL;
            }
        }
    }

  info.n_files = n_files;
  if (out_info != NULL)
    *out_info = info;
  return g_steal_pointer (&entries);
}

/* ---- reading the profile --------------------------------------------------------- */

static gboolean
sqlite_fail (GError     **error,
             sqlite3     *db,
             const char  *path)
{
  g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
               _("Cannot copy the database %s: %s"), path,
               db != NULL ? sqlite3_errmsg (db) : _("out of memory"));
  return FALSE;
}

/* A consistent copy of the SQLite database at @path, even while another
 * connection writes it: the online backup API copies a snapshot. */
static GBytes *
copy_database (const char  *path,
               GError     **error)
{
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  sqlite3_backup *backup;
  unsigned char *image;
  sqlite3_int64 size = 0;
  GBytes *result = NULL;
  int rc;

  if (sqlite3_open_v2 (path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite_fail (error, src, path);
      goto out;
    }
  sqlite3_busy_timeout (src, DB_BUSY_MS);
  if (sqlite3_open_v2 (":memory:", &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      sqlite_fail (error, dst, path);
      goto out;
    }
  backup = sqlite3_backup_init (dst, "main", src, "main");
  if (backup == NULL)
    {
      sqlite_fail (error, dst, path);
      goto out;
    }
  do
    {
      rc = sqlite3_backup_step (backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (50);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                   _("Cannot copy the database %s: %s"), path, sqlite3_errstr (rc));
      goto out;
    }
  image = sqlite3_serialize (dst, "main", &size, 0);
  if (image == NULL)
    {
      sqlite_fail (error, dst, path);
      goto out;
    }
  result = g_bytes_new (image, size);
  sqlite3_free (image);

out:
  sqlite3_close (dst);
  sqlite3_close (src);
  return result;
}

static gboolean
skip_name (const char *name)
{
  return g_str_equal (name, "lock")
         || g_str_equal (name, "pkcs11.txt")          /* NSS writes it again, with paths */
         || g_str_has_suffix (name, "-wal")
         || g_str_has_suffix (name, "-shm")
         || g_str_has_suffix (name, "-journal")
         || name[0] == '.';
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
collect (const char  *root,
         const char  *rel,
         guint        depth,
         GPtrArray   *entries,
         guint64     *total,
         GError     **error)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (dir_path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!skip_name (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *child_rel = rel ? g_strconcat (rel, "/", n, NULL) : g_strdup (n);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      g_autoptr(GBytes) data = NULL;
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;                     /* vanished meanwhile: a temporary file */
      if (S_ISDIR (st.st_mode))
        {
          if (depth + 1 >= MAX_DEPTH)
            continue;
          if (!collect (root, child_rel, depth + 1, entries, total, error))
            return FALSE;
          continue;
        }
      if (!S_ISREG (st.st_mode))
        continue;
      if (!_semper_backup_check_path (child_rel, strlen (child_rel), NULL))
        {
          g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                       _("The profile holds a file whose name cannot be backed up: %s"),
                       child_rel);
          return FALSE;
        }

      if (g_str_has_suffix (n, ".db"))
        data = copy_database (child, error);
      else
        {
          char *contents = NULL;
          gsize len = 0;

          if (g_file_get_contents (child, &contents, &len, error))
            data = g_bytes_new_take (contents, len);
        }
      if (data == NULL)
        return FALSE;

      *total += g_bytes_get_size (data);
      if (*total > SEMPER_BACKUP_MAX_BYTES || entries->len >= SEMPER_BACKUP_MAX_FILES)
        {
          g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                       _("The profile is larger than a backup can hold (%u MiB, %u files)"),
                       (guint) (SEMPER_BACKUP_MAX_BYTES >> 20), SEMPER_BACKUP_MAX_FILES);
          return FALSE;
        }
      g_ptr_array_add (entries, entry_new (child_rel, data));
    }
  return TRUE;
}

/* ---- encryption --------------------------------------------------------------------- */

static PK11SymKey *
derive_key (const char    *password,
            const guint8  *salt,
            guint32        iterations,
            CK_ATTRIBUTE_TYPE operation,
            GError       **error)
{
  PK11SlotInfo *slot = NULL;
  SECAlgorithmID *alg = NULL;
  PK11SymKey *pbe = NULL;
  PK11SymKey *key = NULL;
  SECItem salt_item = { siBuffer, (unsigned char *) salt, SEMPER_BACKUP_SALT_SIZE };
  SECItem pw = { siBuffer, (unsigned char *) password, strlen (password) };
  SECItem *raw;

  _semper_nss_init ();
  slot = PK11_GetInternalSlot ();
  alg = PK11_CreatePBEV2AlgorithmID (SEC_OID_PKCS5_PBKDF2, SEC_OID_HMAC_SHA256,
                                     SEC_OID_HMAC_SHA256, 32, iterations, &salt_item);
  if (slot == NULL || alg == NULL)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, "PBKDF2");
      goto out;
    }
  pbe = PK11_PBEKeyGen (slot, alg, &pw, PR_FALSE, NULL);
  if (pbe == NULL || PK11_ExtractKeyValue (pbe) != SECSuccess
      || (raw = PK11_GetKeyData (pbe)) == NULL || raw->len != 32)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, "PBKDF2");
      goto out;
    }
  key = PK11_ImportSymKey (slot, CKM_AES_GCM, PK11_OriginUnwrap, operation, raw, NULL);
  if (key == NULL)
    _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, "AES key");

out:
  if (pbe != NULL)
    PK11_FreeSymKey (pbe);
  if (alg != NULL)
    SECOID_DestroyAlgorithmID (alg, PR_TRUE);
  if (slot != NULL)
    PK11_FreeSlot (slot);
  return key;
}

static void
gcm_params (CK_GCM_PARAMS *gcm,
            SECItem       *item,
            const guint8  *header)
{
  memset (gcm, 0, sizeof *gcm);
  gcm->pIv = (CK_BYTE_PTR) header + 20 + SEMPER_BACKUP_SALT_SIZE;
  gcm->ulIvLen = SEMPER_BACKUP_NONCE_SIZE;
  gcm->ulIvBits = SEMPER_BACKUP_NONCE_SIZE * 8;
  gcm->pAAD = (CK_BYTE_PTR) header;
  gcm->ulAADLen = SEMPER_BACKUP_HEADER_SIZE;
  gcm->ulTagBits = SEMPER_BACKUP_TAG_SIZE * 8;
  item->type = siBuffer;
  item->data = (unsigned char *) gcm;
  item->len = sizeof *gcm;
}

static GBytes *
encrypt_payload (GByteArray  *payload,
                 const char  *password,
                 GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 salt[SEMPER_BACKUP_SALT_SIZE];
  guint8 nonce[SEMPER_BACKUP_NONCE_SIZE];
  PK11SymKey *key;
  CK_GCM_PARAMS gcm;
  SECItem param;
  unsigned int out_len = 0;
  SECStatus rv;

  if (payload->len > G_MAXUINT - 1024)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                   _("The profile is too large for one backup"));
      return NULL;
    }
  if (!semper_random_bytes (salt, sizeof salt, error)
      || !semper_random_bytes (nonce, sizeof nonce, error))
    return NULL;

  g_byte_array_append (out, (const guint8 *) SEMPER_BACKUP_MAGIC, 8);
  put_u16 (out, FORMAT_VERSION);
  put_u16 (out, KDF_PBKDF2_SHA256);
  put_u16 (out, CIPHER_AES256_GCM);
  put_u16 (out, 0);
  put_u32 (out, SEMPER_BACKUP_ITERATIONS);
  g_byte_array_append (out, salt, sizeof salt);
  g_byte_array_append (out, nonce, sizeof nonce);
  g_assert (out->len == SEMPER_BACKUP_HEADER_SIZE);

  key = derive_key (password, salt, SEMPER_BACKUP_ITERATIONS, CKA_ENCRYPT, error);
  if (key == NULL)
    return NULL;

  g_byte_array_set_size (out, SEMPER_BACKUP_HEADER_SIZE + payload->len + SEMPER_BACKUP_TAG_SIZE);
  gcm_params (&gcm, &param, out->data);
  rv = PK11_Encrypt (key, CKM_AES_GCM, &param, out->data + SEMPER_BACKUP_HEADER_SIZE, &out_len,
                     payload->len + SEMPER_BACKUP_TAG_SIZE, payload->data, payload->len);
  PK11_FreeSymKey (key);
  if (rv != SECSuccess || out_len != payload->len + SEMPER_BACKUP_TAG_SIZE)
    {
      _semper_set_nss_error (error, SEMPER_CRYPTO_ERROR_FAILED, "AES-GCM");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Returns the payload in memory that the caller wipes and frees. */
static guint8 *
decrypt_backup (GBytes      *backup,
                const char  *password,
                gsize       *out_len,
                GError     **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (backup, &len);
  SemperBackupHeader header;
  PK11SymKey *key;
  CK_GCM_PARAMS gcm;
  SECItem param;
  guint8 *plain;
  unsigned int plain_len = 0;
  gsize cipher_len;
  SECStatus rv;

  if (!_semper_backup_parse_header (data, len, &header, error))
    return NULL;
  cipher_len = len - SEMPER_BACKUP_HEADER_SIZE;
  if (cipher_len > G_MAXUINT)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                   _("The backup is larger than a wallet backup can be"));
      return NULL;
    }
  key = derive_key (password, header.salt, header.iterations, CKA_DECRYPT, error);
  if (key == NULL)
    return NULL;
  plain = g_malloc (cipher_len);
  gcm_params (&gcm, &param, data);
  rv = PK11_Decrypt (key, CKM_AES_GCM, &param, plain, &plain_len, cipher_len,
                     data + SEMPER_BACKUP_HEADER_SIZE, cipher_len);
  PK11_FreeSymKey (key);
  if (rv != SECSuccess)
    {
      semper_secret_wipe (plain, cipher_len);
      g_free (plain);
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_BAD_PASSWORD,
                   _("The backup cannot be opened: the password is wrong, or the file was "
                     "changed or damaged"));
      return NULL;
    }
  *out_len = plain_len;
  return plain;
}

/* ---- public API ------------------------------------------------------------------ */

GBytes *
semper_backup_create_bytes (SemperProfile  *profile,
                            const char     *password,
                            GError        **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _semper_backup_entry_free);
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  guint64 total = 0;
  GBytes *result;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (*password == '\0')
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                   _("A backup needs a password"));
      return NULL;
    }
  if (!collect (semper_profile_get_dir (profile), NULL, 0, entries, &total, error))
    return NULL;

  g_byte_array_append (payload, (const guint8 *) PAYLOAD_MAGIC, 4);
  put_u64 (payload, (guint64) (g_get_real_time () / G_USEC_PER_SEC));
  put_u32 (payload, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBackupEntry *e = g_ptr_array_index (entries, i);
      gsize size;
      const guint8 *bytes = g_bytes_get_data (e->data, &size);

      put_u16 (payload, strlen (e->path));
      g_byte_array_append (payload, (const guint8 *) e->path, strlen (e->path));
      put_u64 (payload, size);
      if (size > 0)
        g_byte_array_append (payload, bytes, size);
    }

  result = encrypt_payload (payload, password, error);
  /* The payload holds the archive's coin secrets in the clear. */
  semper_secret_wipe (payload->data, payload->len);
  return result;
}

gboolean
semper_backup_create (SemperProfile     *profile,
                      const char        *password,
                      const char        *path,
                      SemperBackupInfo  *out_info,
                      GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (path != NULL, FALSE);

  bytes = semper_backup_create_bytes (profile, password, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents_full (path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;

  if (out_info != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      gsize plain_len = 0;
      guint8 *plain = decrypt_backup (bytes, password, &plain_len, &local);

      /* Reading the file back proves it opens; the info comes from there. */
      if (plain == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      entries = _semper_backup_parse_payload (plain, plain_len, out_info, &local);
      semper_secret_wipe (plain, plain_len);
      g_free (plain);
      if (entries == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

static gboolean
check_archive (const char  *path,
               GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (!ok)
    format_error (error, _("the archive in it is damaged"));
  return ok;
}

static gboolean
write_entries (const char  *root,
               GPtrArray   *entries,
               GError     **error)
{
  for (guint i = 0; i < entries->len; i++)
    {
      SemperBackupEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *path = g_build_filename (root, e->path, NULL);
      g_autofree char *parent = g_path_get_dirname (path);
      gsize len;
      const char *data = g_bytes_get_data (e->data, &len);

      if (g_mkdir_with_parents (parent, 0700) != 0)
        {
          int saved = errno;

          g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                       _("Cannot create %s: %s"), parent, g_strerror (saved));
          return FALSE;
        }
      if (!g_file_set_contents_full (path, data ? data : "", len,
                                     G_FILE_SET_CONTENTS_CONSISTENT
                                     | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
semper_backup_restore_bytes (GBytes            *backup,
                             const char        *password,
                             const char        *dir,
                             SemperBackupInfo  *out_info,
                             GError           **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *archive = NULL;
  SemperBackupInfo info;
  guint8 *plain;
  gsize plain_len = 0;
  gboolean existed;

  g_return_val_if_fail (backup != NULL && password != NULL && dir != NULL, FALSE);

  existed = g_file_test (dir, G_FILE_TEST_EXISTS);
  if (existed && (!g_file_test (dir, G_FILE_TEST_IS_DIR) || !dir_is_empty (dir)))
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_EXISTS,
                   _("%s exists and is not an empty folder: restore into a new one"), dir);
      return FALSE;
    }

  plain = decrypt_backup (backup, password, &plain_len, error);
  if (plain == NULL)
    return FALSE;
  entries = _semper_backup_parse_payload (plain, plain_len, &info, error);
  semper_secret_wipe (plain, plain_len);
  g_free (plain);
  if (entries == NULL)
    return FALSE;
  for (guint r = 0; r < G_N_ELEMENTS (required_files); r++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < entries->len && !found; i++)
        found = g_str_equal (((SemperBackupEntry *) g_ptr_array_index (entries, i))->path,
                             required_files[r]);
      if (!found)
        return format_error (error, _("it lacks the archive or the key database"));
    }

  /* Written beside the target and renamed, so that a failure leaves nothing. */
  parent = g_path_get_dirname (dir);
  base = g_path_get_basename (dir);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                   _("Cannot create %s: %s"), parent, g_strerror (saved));
      return FALSE;
    }
  tmp = g_strdup_printf ("%s/.%s.restore-XXXXXX", parent, base);
  if (g_mkdtemp_full (tmp, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                   _("Cannot create a folder beside %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  archive = g_build_filename (tmp, "archive.db", NULL);
  if (!write_entries (tmp, entries, error) || !check_archive (archive, error))
    {
      remove_tree (tmp);
      return FALSE;
    }
  if ((existed && g_rmdir (dir) != 0) || g_rename (tmp, dir) != 0)
    {
      int saved = errno;

      remove_tree (tmp);
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_FAILED,
                   _("Cannot move the restored profile to %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (out_info != NULL)
    *out_info = info;
  return TRUE;
}

gboolean
semper_backup_restore (const char        *path,
                       const char        *password,
                       const char        *dir,
                       SemperBackupInfo  *out_info,
                       GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            error);
  if (info == NULL)
    return FALSE;
  if ((guint64) g_file_info_get_size (info) > SEMPER_BACKUP_MAX_BYTES * 2)
    {
      g_set_error (error, SEMPER_BACKUP_ERROR, SEMPER_BACKUP_ERROR_TOO_LARGE,
                   _("%s is larger than a wallet backup can be"), path);
      return FALSE;
    }
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return FALSE;
  return semper_backup_restore_bytes (bytes, password, dir, out_info, error);
}
