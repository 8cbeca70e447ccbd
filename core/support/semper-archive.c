/* semper-archive.c: the profile's one durable store (SQLite).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-archive.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-archive-schema.h"

/* 'SEMP': marks the file as ours, so that we never migrate someone else's database. */
#define ARCHIVE_APPLICATION_ID 0x53454d50
#define ARCHIVE_BUSY_TIMEOUT_MS 5000
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define FTS_MAX_TERMS 16
#define FTS_MAX_TERM_BYTES 64

struct _SemperArchive
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *stmts;          /* SQL text -> prepared statement, reused */
  int         schema_version;
  guint       tx_depth;
};

G_DEFINE_TYPE (SemperArchive, semper_archive, G_TYPE_OBJECT)

G_DEFINE_QUARK (semper-archive-error-quark, semper_archive_error)

/* A cached statement is reset, not finalized, when it goes out of scope. */
typedef sqlite3_stmt CachedStmt;

static void
cached_stmt_release (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_release)

static const struct {
  const char *table;
  const char *counterparty;
  const char *fts;
} record_tables[] = {
  [SEMPER_ARCHIVE_RECEIPTS] = { "receipts", "merchant", "receipts_fts" },
  [SEMPER_ARCHIVE_CONTRACTS] = { "contracts", "peer", "contracts_fts" },
};

static void
semper_archive_finalize (GObject *object)
{
  SemperArchive *self = SEMPER_ARCHIVE (object);

  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  self->db = NULL;
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (semper_archive_parent_class)->finalize (object);
}

static void
semper_archive_class_init (SemperArchiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = semper_archive_finalize;
}

static void
semper_archive_init (SemperArchive *self)
{
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) sqlite3_finalize);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Maps an SQLite result code onto our error domain. */
static void
set_db_error (SemperArchive  *self,
              int             rc,
              const char     *what,
              GError        **error)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FULL,
                   _("The archive’s disk is full; %s was not saved"), what);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_BUSY,
                   _("The archive is in use by another program (%s)"), what);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
                   _("The archive is damaged (%s): %s"), what, detail);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT,
                   _("The archive refused %s: %s"), what, detail);
      break;
    default:
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FAILED,
                   _("Archive error (%s): %s"), what, detail);
      break;
    }
}

static gboolean
exec_sql (SemperArchive  *self,
          const char     *sql,
          GError        **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, sql, error);
      return FALSE;
    }
  return TRUE;
}

/* Returns a cached statement, borrowed; hold it with g_autoptr (CachedStmt). */
static CachedStmt *
prepare (SemperArchive  *self,
         const char     *sql,
         GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, "prepare", error);
      return NULL;
    }
  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            GBytes       *bytes)
{
  gsize len = 0;
  const void *data;

  if (bytes == NULL)
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  /* A zero-length blob, not NULL: "" was sent, and that is what we keep. */
  sqlite3_bind_blob64 (stmt, index, len > 0 ? data : "", len, SQLITE_TRANSIENT);
}

static char *
column_dup_text (sqlite3_stmt *stmt,
                 int           index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

static GBytes *
column_dup_bytes (sqlite3_stmt *stmt,
                  int           index)
{
  const void *data;
  int len;

  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;
  data = sqlite3_column_blob (stmt, index);
  len = sqlite3_column_bytes (stmt, index);
  return g_bytes_new (data, len);
}

static void
column_amount (sqlite3_stmt *stmt,
               int           amount_index,
               int           currency_index,
               SemperAmount *out)
{
  memset (out, 0, sizeof *out);
  if (sqlite3_column_type (stmt, currency_index) == SQLITE_NULL)
    return;
  out->minor = sqlite3_column_int64 (stmt, amount_index);
  g_strlcpy (out->currency, (const char *) sqlite3_column_text (stmt, currency_index),
             sizeof out->currency);
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (SemperArchive  *self,
           sqlite3_stmt   *stmt,
           const char     *what,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* Steps an INSERT; returns the new row id, or 0 with @error set. */
static gint64
step_insert (SemperArchive  *self,
             sqlite3_stmt   *stmt,
             const char     *what,
             GError        **error)
{
  if (!step_done (self, stmt, what, error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

/* Makes the item of one row of a list; NULL with @error when the row is
 * refused. */
typedef gpointer (*RowReader) (sqlite3_stmt  *stmt,
                               GError       **error);

/* Steps @stmt to its end, one item a row: the list, or NULL with @error set
 * (@what failed). */
static GPtrArray *
read_rows (SemperArchive  *self,
           sqlite3_stmt   *stmt,
           RowReader       read_row,
           GDestroyNotify  free_item,
           const char     *what,
           GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_item);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gpointer item = read_row (stmt, error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (list, item);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
query_int (SemperArchive  *self,
           const char     *sql,
           gint64         *out,
           GError        **error)
{
  g_autoptr(CachedStmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql, error);
      return FALSE;
    }
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
check_text (const char  *value,
            const char  *name,
            gboolean     required,
            GError     **error)
{
  if (value == NULL || *value == '\0')
    {
      if (!required)
        return TRUE;
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("The %s is missing"), name);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("The %s is not valid UTF-8"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_amount (const SemperAmount  *amount,
              gboolean             required,
              GError             **error)
{
  const char *c = amount->currency;

  if (c[0] == '\0' && !required)
    return TRUE;
  if (!(g_ascii_isupper (c[0]) && g_ascii_isupper (c[1]) && g_ascii_isupper (c[2])
        && c[3] == '\0'))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("“%.4s” is not an ISO 4217 currency code"), c);
      return FALSE;
    }
  return TRUE;
}

static gboolean
not_found (gint64       id,
           const char  *what,
           GError     **error)
{
  g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND,
               _("No %s with id %" PRId64 " in the archive"), what, id);
  return FALSE;
}

/* Transactions */

/**
 * semper_archive_begin:
 *
 * Starts a write transaction (BEGIN IMMEDIATE, so that a conflicting writer
 * is noticed now and not at COMMIT), or a savepoint when one is open already.
 */
gboolean
semper_archive_begin (SemperArchive  *self,
                      GError        **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (self->tx_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT sp%u", self->tx_depth);
  if (!exec_sql (self, sql, error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

/**
 * semper_archive_commit:
 *
 * Commits the innermost transaction. When COMMIT fails (disk full, I/O
 * error), the whole transaction is rolled back and nothing of it is kept.
 */
gboolean
semper_archive_commit (SemperArchive  *self,
                       GError        **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  self->tx_depth--;
  if (sqlite3_get_autocommit (self->db))
    {
      /* SQLite already rolled everything back after an earlier error. */
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FAILED,
                   _("The archive transaction was rolled back after an error"));
      return FALSE;
    }
  if (self->tx_depth == 0)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE sp%u", self->tx_depth);
  if (!exec_sql (self, sql, error))
    {
      if (self->tx_depth == 0 && !sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      else if (self->tx_depth > 0)
        {
          self->tx_depth++;
          semper_archive_rollback (self);
        }
      return FALSE;
    }
  return TRUE;
}

void
semper_archive_rollback (SemperArchive *self)
{
  g_return_if_fail (SEMPER_IS_ARCHIVE (self));
  g_return_if_fail (self->tx_depth > 0);

  self->tx_depth--;
  if (sqlite3_get_autocommit (self->db))
    return;
  if (self->tx_depth == 0)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  else
    {
      g_autofree char *sql = g_strdup_printf ("ROLLBACK TO sp%u; RELEASE sp%u",
                                              self->tx_depth, self->tx_depth);
      sqlite3_exec (self->db, sql, NULL, NULL, NULL);
    }
}

/**
 * semper_archive_run_in_transaction:
 * @func: called inside the transaction; returning %FALSE rolls it back
 *
 * Runs @func in one transaction: either everything it wrote is committed, or
 * nothing is.
 */
gboolean
semper_archive_run_in_transaction (SemperArchive        *self,
                                   SemperArchiveTxFunc   func,
                                   gpointer              user_data,
                                   GError              **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!semper_archive_begin (self, error))
    return FALSE;
  if (!func (self, user_data, error))
    {
      semper_archive_rollback (self);
      return FALSE;
    }
  return semper_archive_commit (self, error);
}

/* Opening and migrations */

static gboolean
migrate (SemperArchive  *self,
         GError        **error)
{
  const int latest = G_N_ELEMENTS (semper_archive_migrations);
  gint64 version = 0;
  gint64 app_id = 0;
  gint64 objects = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (semper_archive_migrations) == SEMPER_ARCHIVE_SCHEMA_VERSION);

  /* Read the version inside the write lock, so two processes never both migrate. */
  if (!semper_archive_begin (self, error))
    return FALSE;
  if (!query_int (self, "PRAGMA user_version", &version, error)
      || !query_int (self, "PRAGMA application_id", &app_id, error)
      || !query_int (self, "SELECT count(*) FROM sqlite_schema", &objects, error))
    goto fail;

  if (version > latest)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_TOO_NEW,
                   _("The archive %s was written by a newer Semper Wallet (schema %d; this "
                     "version understands up to %d). Update Semper Wallet to open it."),
                   self->path, (int) version, latest);
      goto fail;
    }
  if ((app_id != 0 && app_id != ARCHIVE_APPLICATION_ID) || (version == 0 && objects > 0))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
                   _("%s is an SQLite database, but not a Semper archive"), self->path);
      goto fail;
    }

  for (int v = (int) version + 1; v <= latest; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d;"
                                               "PRAGMA application_id = %d;",
                                               v, ARCHIVE_APPLICATION_ID);

      if (!exec_sql (self, semper_archive_migrations[v - 1], error)
          || !exec_sql (self, bump, error))
        {
          g_prefix_error (error, _("Could not upgrade the archive to schema %d: "), v);
          goto fail;
        }
    }
  if (!semper_archive_commit (self, error))
    return FALSE;
  self->schema_version = latest;
  return TRUE;

fail:
  semper_archive_rollback (self);
  return FALSE;
}

/**
 * semper_archive_open:
 * @path: the database file (created if missing), or ":memory:" for a scratch store
 *
 * Opens the archive in WAL mode with synchronous=FULL and foreign keys on,
 * creating or migrating the schema as needed. Refuses a database written by
 * a newer schema (%SEMPER_ARCHIVE_ERROR_TOO_NEW) and files that are not
 * Semper archives (%SEMPER_ARCHIVE_ERROR_CORRUPT).
 *
 * Returns: (transfer full): the archive, or %NULL with @error set
 */
SemperArchive *
semper_archive_open (const char  *path,
                     GError     **error)
{
  g_autoptr(SemperArchive) self = NULL;
  g_autofree char *mode = NULL;
  gboolean in_memory;
  gint64 fk = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  in_memory = g_str_equal (path, ":memory:");
  self = g_object_new (SEMPER_TYPE_ARCHIVE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR,
                   (rc & 0xff) == SQLITE_NOTADB ? SEMPER_ARCHIVE_ERROR_CORRUPT
                                                : SEMPER_ARCHIVE_ERROR_FAILED,
                   _("Cannot open the archive %s: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, ARCHIVE_BUSY_TIMEOUT_MS);

  /* journal_mode is the first statement that reads the file: a file that is
   * not a database fails here with SQLITE_NOTADB. */
  {
    g_autoptr(CachedStmt) stmt = prepare (self, "PRAGMA journal_mode = WAL", NULL);

    rc = stmt != NULL ? sqlite3_step (stmt) : sqlite3_errcode (self->db);
    if (rc != SQLITE_ROW)
      {
        set_db_error (self, rc, path, error);
        g_prefix_error (error, _("Cannot open the archive: "));
        return NULL;
      }
    mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  if (!g_str_equal (mode, in_memory ? "memory" : "wal"))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FAILED,
                   _("The archive %s cannot use write-ahead logging (journal mode “%s”)"),
                   path, mode);
      return NULL;
    }
  /* FULL: a commit that returned is on disk, even after a power cut.
   * secure_delete: deleted rows (spent coins) are overwritten, not left in free pages. */
  if (!exec_sql (self,
                 "PRAGMA synchronous = FULL;"
                 "PRAGMA foreign_keys = ON;"
                 "PRAGMA secure_delete = ON;",
                 error))
    return NULL;
  if (!query_int (self, "PRAGMA foreign_keys", &fk, error))
    return NULL;
  if (fk != 1)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FAILED,
                   _("This SQLite library cannot enforce foreign keys"));
      return NULL;
    }
  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
semper_archive_get_path (SemperArchive *self)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);
  return self->path;
}

/**
 * semper_archive_get_change_counter:
 *
 * A number that grows whenever the database changes: a commit by another
 * connection or process (SQLite's data_version) or a row changed through
 * this one. A view compares it with the number it last read at, to read
 * again only what changed. 0 when it cannot be read.
 */
guint64
semper_archive_get_change_counter (SemperArchive *self)
{
  gint64 version = 0;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);

  if (!query_int (self, "PRAGMA data_version", &version, NULL))
    return 0;
  return (guint64) version + (guint64) sqlite3_total_changes64 (self->db);
}

int
semper_archive_get_schema_version (SemperArchive *self)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  return self->schema_version;
}

/**
 * semper_archive_check_integrity:
 *
 * Runs SQLite's integrity check, the foreign key check and both FTS indexes'
 * own checks. Returns %FALSE with %SEMPER_ARCHIVE_ERROR_CORRUPT naming the
 * first problem.
 */
gboolean
semper_archive_check_integrity (SemperArchive  *self,
                                GError        **error)
{
  g_autofree char *first = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  {
    g_autoptr(CachedStmt) stmt = prepare (self, "PRAGMA integrity_check", error);

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        set_db_error (self, rc, "integrity check", error);
        return FALSE;
      }
    if (!g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "ok"))
      first = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  if (first == NULL)
    {
      g_autoptr(CachedStmt) stmt = prepare (self, "PRAGMA foreign_key_check", error);

      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        first = g_strdup_printf ("row %" G_GINT64_FORMAT " of %s has a dangling reference "
                                 "to %s", (gint64) sqlite3_column_int64 (stmt, 1),
                                 sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 2));
      else if (rc != SQLITE_DONE)
        {
          set_db_error (self, rc, "foreign key check", error);
          return FALSE;
        }
    }
  for (guint i = 0; first == NULL && i < G_N_ELEMENTS (record_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO %s (%s) VALUES ('integrity-check')",
                                              record_tables[i].fts, record_tables[i].fts);

      rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
      if ((rc & 0xff) == SQLITE_CORRUPT)
        first = g_strdup_printf ("the search index %s is out of step", record_tables[i].fts);
      else if (rc != SQLITE_OK)
        {
          set_db_error (self, rc, "search index check", error);
          return FALSE;
        }
    }
  if (first != NULL)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
                   _("The archive %s is damaged: %s"), self->path, first);
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_archive_set_size_limit:
 * @max_bytes: the largest size the database file may grow to
 *
 * Caps the database (a quota; tests use it to simulate a full disk). Writes
 * past it fail with %SEMPER_ARCHIVE_ERROR_FULL and are rolled back.
 */
gboolean
semper_archive_set_size_limit (SemperArchive  *self,
                               guint64         max_bytes,
                               GError        **error)
{
  g_autofree char *sql = NULL;
  gint64 page_size = 0;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!query_int (self, "PRAGMA page_size", &page_size, error))
    return FALSE;
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT,
                         MAX (max_bytes / (guint64) page_size, 1));
  return exec_sql (self, sql, error);
}

/* Exchanges and journal */

void
semper_archive_exchange_free (SemperArchiveExchange *exchange)
{
  if (exchange == NULL)
    return;
  g_free (exchange->id);
  g_free (exchange->protocol);
  g_free (exchange->role);
  g_free (exchange->peer);
  g_free (exchange->state);
  g_free (exchange);
}

void
semper_archive_journal_entry_free (SemperArchiveJournalEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->exchange_id);
  g_free (entry->state);
  g_clear_pointer (&entry->outgoing, g_bytes_unref);
  g_free (entry);
}

/**
 * semper_archive_exchange_create:
 * @id: (nullable): the exchange id, or %NULL to make a random UUID
 * @peer: (nullable): who the exchange is with
 *
 * Returns: (transfer full): the exchange id, or %NULL with @error set
 */
char *
semper_archive_exchange_create (SemperArchive  *self,
                                const char     *id,
                                const char     *protocol,
                                const char     *role,
                                const char     *peer,
                                const char     *state,
                                GError        **error)
{
  g_autofree char *new_id = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 now = now_seconds ();

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  if ((id != NULL && !check_text (id, "exchange id", TRUE, error))
      || !check_text (protocol, "protocol", TRUE, error)
      || !check_text (role, "role", TRUE, error)
      || !check_text (peer, "peer", FALSE, error)
      || !check_text (state, "state", TRUE, error))
    return NULL;
  new_id = id != NULL ? g_strdup (id) : g_uuid_string_random ();

  stmt = prepare (self,
                  "INSERT INTO exchanges (id, protocol, role, peer, state, created, updated) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, new_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, protocol, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, peer);
  sqlite3_bind_text (stmt, 5, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_int64 (stmt, 7, now);
  if (!step_done (self, stmt, _("the new exchange"), error))
    return NULL;
  return g_steal_pointer (&new_id);
}

#define EXCHANGE_COLUMNS \
  "e.id, e.protocol, e.role, e.peer, e.state, e.finished, e.created, e.updated, " \
  "(SELECT coalesce (max (j.step), -1) FROM journal j WHERE j.exchange_id = e.id)"

static gpointer
exchange_from_row (sqlite3_stmt  *stmt,
                   GError       **error G_GNUC_UNUSED)
{
  SemperArchiveExchange *e = g_new0 (SemperArchiveExchange, 1);

  e->id = column_dup_text (stmt, 0);
  e->protocol = column_dup_text (stmt, 1);
  e->role = column_dup_text (stmt, 2);
  e->peer = column_dup_text (stmt, 3);
  e->state = column_dup_text (stmt, 4);
  e->finished = sqlite3_column_int (stmt, 5) != 0;
  e->created = sqlite3_column_int64 (stmt, 6);
  e->updated = sqlite3_column_int64 (stmt, 7);
  e->last_step = sqlite3_column_int64 (stmt, 8);
  return e;
}

/**
 * semper_archive_exchange_get:
 *
 * Returns: (transfer full): the exchange, or %NULL with @error set
 *   (%SEMPER_ARCHIVE_ERROR_NOT_FOUND when there is none)
 */
SemperArchiveExchange *
semper_archive_exchange_get (SemperArchive  *self,
                             const char     *id,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  stmt = prepare (self, "SELECT " EXCHANGE_COLUMNS " FROM exchanges e WHERE e.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND,
                   _("No exchange “%s” in the archive"), id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc, _("reading an exchange"), error);
      return NULL;
    }
  return exchange_from_row (stmt, NULL);
}

/* Moves an open exchange to @state; NOT_FOUND if it is missing or finished. */
static gboolean
exchange_set_state (SemperArchive  *self,
                    const char     *exchange_id,
                    const char     *state,
                    gboolean        finish,
                    GError        **error)
{
  g_autoptr(CachedStmt) stmt = prepare (self,
                                        "UPDATE exchanges SET state = ?, updated = ?, "
                                        "finished = ? WHERE id = ? AND finished = 0", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  sqlite3_bind_int (stmt, 3, finish ? 1 : 0);
  sqlite3_bind_text (stmt, 4, exchange_id, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, _("the exchange state"), error))
    return FALSE;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND,
                   _("No open exchange “%s” in the archive"), exchange_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
journal_insert (SemperArchive  *self,
                const char     *exchange_id,
                gint64          step,
                const char     *state,
                GBytes         *outgoing,
                GError        **error)
{
  g_autoptr(CachedStmt) stmt = prepare (self,
                                        "INSERT INTO journal (exchange_id, step, state, "
                                        "outgoing, time) VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, exchange_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, step);
  sqlite3_bind_text (stmt, 3, state, -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 4, outgoing);
  sqlite3_bind_int64 (stmt, 5, now_seconds ());
  return step_done (self, stmt, _("the journal entry"), error);
}

/**
 * semper_archive_journal_append:
 * @step: the protocol step number; each step is journaled once per exchange
 * @outgoing: (nullable): the message about to be sent, exactly as it will be sent
 *
 * Records that exchange @exchange_id reached @new_state at @step, together
 * with the message it is about to send, in one transaction (DESIGN.md rule 3):
 * either both the state and the message are stored, or neither. Call it before
 * the message leaves. Journaling a step twice fails with
 * %SEMPER_ARCHIVE_ERROR_CONSTRAINT and changes nothing.
 */
gboolean
semper_archive_journal_append (SemperArchive  *self,
                               const char     *exchange_id,
                               gint64          step,
                               const char     *new_state,
                               GBytes         *outgoing,
                               GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_text (exchange_id, "exchange id", TRUE, error)
      || !check_text (new_state, "state", TRUE, error))
    return FALSE;
  if (step < 0)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("A journal step cannot be negative"));
      return FALSE;
    }

  if (!semper_archive_begin (self, error))
    return FALSE;
  if (!exchange_set_state (self, exchange_id, new_state, FALSE, error)
      || !journal_insert (self, exchange_id, step, new_state, outgoing, error))
    {
      semper_archive_rollback (self);
      return FALSE;
    }
  return semper_archive_commit (self, error);
}

/**
 * semper_archive_exchange_finish:
 *
 * Marks the exchange finished in @final_state (journaled as one more step),
 * so that it no longer appears among the unfinished ones.
 */
gboolean
semper_archive_exchange_finish (SemperArchive  *self,
                                const char     *exchange_id,
                                const char     *final_state,
                                GError        **error)
{
  g_autoptr(SemperArchiveExchange) exchange = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_text (exchange_id, "exchange id", TRUE, error)
      || !check_text (final_state, "state", TRUE, error))
    return FALSE;
  if (!semper_archive_begin (self, error))
    return FALSE;
  exchange = semper_archive_exchange_get (self, exchange_id, error);
  if (exchange == NULL
      || !exchange_set_state (self, exchange_id, final_state, TRUE, error)
      || !journal_insert (self, exchange_id, exchange->last_step + 1, final_state, NULL, error))
    {
      semper_archive_rollback (self);
      return FALSE;
    }
  return semper_archive_commit (self, error);
}

static gpointer
journal_entry_from_row (sqlite3_stmt  *stmt,
                        GError       **error G_GNUC_UNUSED)
{
  SemperArchiveJournalEntry *entry = g_new0 (SemperArchiveJournalEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->exchange_id = column_dup_text (stmt, 1);
  entry->step = sqlite3_column_int64 (stmt, 2);
  entry->state = column_dup_text (stmt, 3);
  entry->outgoing = column_dup_bytes (stmt, 4);
  entry->time = sqlite3_column_int64 (stmt, 5);
  return entry;
}

/**
 * semper_archive_journal_list:
 *
 * Returns: (transfer full) (element-type SemperArchiveJournalEntry): the
 *   exchange's journal in step order, or %NULL with @error set
 */
GPtrArray *
semper_archive_journal_list (SemperArchive  *self,
                             const char     *exchange_id,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (exchange_id != NULL, NULL);

  stmt = prepare (self,
                  "SELECT id, exchange_id, step, state, outgoing, time FROM journal "
                  "WHERE exchange_id = ? ORDER BY step", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, exchange_id, -1, SQLITE_TRANSIENT);
  return read_rows (self, stmt, journal_entry_from_row,
                    (GDestroyNotify) semper_archive_journal_entry_free,
                    _("reading the journal"), error);
}

/**
 * semper_archive_exchange_list_unfinished:
 *
 * The exchanges that `semper resume` must finish or resolve, oldest first.
 *
 * Returns: (transfer full) (element-type SemperArchiveExchange): the list,
 *   or %NULL with @error set
 */
GPtrArray *
semper_archive_exchange_list_unfinished (SemperArchive  *self,
                                         GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self,
                  "SELECT " EXCHANGE_COLUMNS " FROM exchanges e WHERE e.finished = 0 "
                  "ORDER BY e.created, e.id", error);
  if (stmt == NULL)
    return NULL;
  return read_rows (self, stmt, exchange_from_row, (GDestroyNotify) semper_archive_exchange_free,
                    _("reading the exchanges"), error);
}

/* Raw messages */

/**
 * semper_archive_message_store:
 * @exchange_id: (nullable): the exchange the message belongs to
 * @raw: the message, exactly as sent or received
 *
 * Returns: the new row id (> 0), or 0 with @error set
 */
gint64
semper_archive_message_store (SemperArchive          *self,
                              SemperMessageDirection  direction,
                              const char             *exchange_id,
                              const char             *content_type,
                              GBytes                 *raw,
                              GError                **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  g_return_val_if_fail (raw != NULL, 0);

  if (direction != SEMPER_MESSAGE_IN && direction != SEMPER_MESSAGE_OUT)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("A message is either received or sent"));
      return 0;
    }
  if (!check_text (exchange_id, "exchange id", FALSE, error)
      || !check_text (content_type, "content type", TRUE, error))
    return 0;
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);

  stmt = prepare (self,
                  "INSERT INTO messages (exchange_id, direction, content_type, sha256, size, "
                  "body, time) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  bind_text_or_null (stmt, 1, exchange_id);
  sqlite3_bind_text (stmt, 2, direction == SEMPER_MESSAGE_IN ? "in" : "out", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, content_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_bytes_get_size (raw));
  bind_bytes (stmt, 6, raw);
  sqlite3_bind_int64 (stmt, 7, now_seconds ());
  return step_insert (self, stmt, _("the message"), error);
}

/**
 * semper_archive_message_get:
 * @out_content_type: (out) (optional) (transfer full): the content type
 *
 * Returns the stored bytes after checking them against their SHA-256.
 *
 * Returns: (transfer full): the raw message, or %NULL with @error set
 */
GBytes *
semper_archive_message_get (SemperArchive  *self,
                            gint64          id,
                            char          **out_content_type,
                            GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *sha256 = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self, "SELECT content_type, sha256, body FROM messages WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      not_found (id, _("message"), error);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc, _("reading a message"), error);
      return NULL;
    }
  body = column_dup_bytes (stmt, 2);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  if (!g_str_equal (sha256, (const char *) sqlite3_column_text (stmt, 1)))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
                   _("Message %" PRId64 " no longer matches its SHA-256"), id);
      return NULL;
    }
  if (out_content_type != NULL)
    *out_content_type = column_dup_text (stmt, 0);
  return g_steal_pointer (&body);
}

void
semper_archive_message_free (SemperArchiveMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->exchange_id);
  g_free (message->content_type);
  g_clear_pointer (&message->body, g_bytes_unref);
  g_free (message);
}

/* A message whose body no longer hashes to its stored SHA-256 is refused. */
static gpointer
message_from_row (sqlite3_stmt  *stmt,
                  GError       **error)
{
  g_autoptr(SemperArchiveMessage) m = g_new0 (SemperArchiveMessage, 1);
  g_autofree char *sha256 = NULL;

  m->id = sqlite3_column_int64 (stmt, 0);
  m->exchange_id = column_dup_text (stmt, 1);
  m->direction = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "in") == 0
                 ? SEMPER_MESSAGE_IN : SEMPER_MESSAGE_OUT;
  m->content_type = column_dup_text (stmt, 3);
  m->body = column_dup_bytes (stmt, 5);
  m->time = sqlite3_column_int64 (stmt, 6);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, m->body);
  if (!g_str_equal (sha256, (const char *) sqlite3_column_text (stmt, 4)))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
                   _("Message %" PRId64 " no longer matches its SHA-256"), m->id);
      return NULL;
    }
  return g_steal_pointer (&m);
}

/**
 * semper_archive_message_list:
 * @exchange_id: (nullable): the exchange; %NULL lists messages of no exchange
 * @content_type: (nullable): only messages of this type
 *
 * Returns: (transfer full) (element-type SemperArchiveMessage): oldest first
 */
GPtrArray *
semper_archive_message_list (SemperArchive  *self,
                             const char     *exchange_id,
                             const char     *content_type,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self,
                  "SELECT id, exchange_id, direction, content_type, sha256, body, time "
                  "FROM messages WHERE exchange_id IS ?1 AND (?2 IS NULL OR content_type = ?2) "
                  "ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, exchange_id);
  bind_text_or_null (stmt, 2, content_type);
  return read_rows (self, stmt, message_from_row, (GDestroyNotify) semper_archive_message_free,
                    _("listing messages"), error);
}

/* Receipts and contracts */

void
semper_archive_record_free (SemperArchiveRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->exchange_id);
  g_free (record->counterparty);
  g_free (record->title);
  g_free (record->payment_system);
  g_free (record->state);
  g_free (record->text);
  g_free (record->labels);
  g_free (record->note);
  g_free (record);
}

static gboolean
check_kind (SemperArchiveRecordKind   kind,
            GError                  **error)
{
  if (kind != SEMPER_ARCHIVE_RECEIPTS && kind != SEMPER_ARCHIVE_CONTRACTS)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("Unknown kind of record %d"), (int) kind);
      return FALSE;
    }
  return TRUE;
}

/**
 * semper_archive_record_insert:
 *
 * Stores a receipt or a contract. A receipt needs an amount; a contract may
 * leave amount.currency empty. Text, title, labels, note and counterparty
 * become searchable.
 *
 * Returns: the new row id (> 0), or 0 with @error set
 */
gint64
semper_archive_record_insert (SemperArchive             *self,
                              SemperArchiveRecordKind    kind,
                              const SemperArchiveRecord *record,
                              GError                   **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  g_return_val_if_fail (record != NULL, 0);

  if (!check_kind (kind, error)
      || !check_text (record->counterparty,
                      kind == SEMPER_ARCHIVE_RECEIPTS ? "merchant" : "peer", TRUE, error)
      || !check_text (record->exchange_id, "exchange id", FALSE, error)
      || !check_text (record->title, "title", FALSE, error)
      || !check_text (record->payment_system, "payment system", FALSE, error)
      || !check_text (record->state, "state", TRUE, error)
      || !check_text (record->text, "text", FALSE, error)
      || !check_text (record->labels, "labels", FALSE, error)
      || !check_text (record->note, "note", FALSE, error)
      || !check_amount (&record->amount, kind == SEMPER_ARCHIVE_RECEIPTS, error))
    return 0;
  if (record->fee.currency[0] != '\0'
      && (record->fee.minor < 0 || memcmp (record->fee.currency, record->amount.currency, 3) != 0))
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("The fee must be zero or more, in the amount's currency"));
      return 0;
    }

  sql = g_strdup_printf ("INSERT INTO %s (exchange_id, %s, title, amount, currency, "
                         "payment_system, state, time, text, labels, note, message_id, fee) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         record_tables[kind].table, record_tables[kind].counterparty);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return 0;
  bind_text_or_null (stmt, 1, record->exchange_id);
  sqlite3_bind_text (stmt, 2, record->counterparty, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, record->title);
  if (record->amount.currency[0] != '\0')
    {
      sqlite3_bind_int64 (stmt, 4, record->amount.minor);
      sqlite3_bind_text (stmt, 5, record->amount.currency, 3, SQLITE_TRANSIENT);
    }
  bind_text_or_null (stmt, 6, record->payment_system);
  sqlite3_bind_text (stmt, 7, record->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, record->time != 0 ? record->time : now_seconds ());
  sqlite3_bind_text (stmt, 9, record->text != NULL ? record->text : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, record->labels != NULL ? record->labels : "", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, record->note != NULL ? record->note : "", -1, SQLITE_TRANSIENT);
  if (record->message_id > 0)
    sqlite3_bind_int64 (stmt, 12, record->message_id);
  if (record->fee.currency[0] != '\0')
    sqlite3_bind_int64 (stmt, 13, record->fee.minor);
  return step_insert (self, stmt,
                      kind == SEMPER_ARCHIVE_RECEIPTS ? _("the receipt") : _("the contract"),
                      error);
}

static gpointer
record_from_row (sqlite3_stmt  *stmt,
                 GError       **error G_GNUC_UNUSED)
{
  SemperArchiveRecord *r = g_new0 (SemperArchiveRecord, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->exchange_id = column_dup_text (stmt, 1);
  r->counterparty = column_dup_text (stmt, 2);
  r->title = column_dup_text (stmt, 3);
  column_amount (stmt, 4, 5, &r->amount);
  r->payment_system = column_dup_text (stmt, 6);
  r->state = column_dup_text (stmt, 7);
  r->time = sqlite3_column_int64 (stmt, 8);
  r->text = column_dup_text (stmt, 9);
  r->labels = column_dup_text (stmt, 10);
  r->note = column_dup_text (stmt, 11);
  r->message_id = sqlite3_column_int64 (stmt, 12);
  if (sqlite3_column_type (stmt, 13) != SQLITE_NULL && r->amount.currency[0] != '\0')
    {
      r->fee = r->amount;
      r->fee.minor = sqlite3_column_int64 (stmt, 13);
    }
  return r;
}

#define RECORD_COLUMNS "id, exchange_id, %s, title, amount, currency, payment_system, state, " \
                       "time, text, labels, note, message_id, fee"

/**
 * semper_archive_record_get:
 *
 * Returns: (transfer full): the receipt or contract, or %NULL with @error set
 */
SemperArchiveRecord *
semper_archive_record_get (SemperArchive            *self,
                           SemperArchiveRecordKind   kind,
                           gint64                    id,
                           GError                  **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  if (!check_kind (kind, error))
    return NULL;
  sql = g_strdup_printf ("SELECT " RECORD_COLUMNS " FROM %s WHERE id = ?",
                         record_tables[kind].counterparty, record_tables[kind].table);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      not_found (id, kind == SEMPER_ARCHIVE_RECEIPTS ? _("receipt") : _("contract"), error);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc, _("reading a record"), error);
      return NULL;
    }
  return record_from_row (stmt, NULL);
}

/**
 * semper_archive_record_list:
 * @since: only records at or after this time (unix seconds); 0 for all
 * @counterparty: (nullable): only this merchant or peer
 * @state: (nullable): only records in this state
 *
 * Returns: (transfer full) (element-type SemperArchiveRecord): newest first,
 *   or %NULL with @error set
 */
GPtrArray *
semper_archive_record_list (SemperArchive            *self,
                            SemperArchiveRecordKind   kind,
                            gint64                    since,
                            const char               *counterparty,
                            const char               *state,
                            GError                  **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  if (!check_kind (kind, error))
    return NULL;
  sql = g_strdup_printf ("SELECT " RECORD_COLUMNS " FROM %s WHERE time >= ?1 "
                         "AND (?2 IS NULL OR %s = ?2) AND (?3 IS NULL OR state = ?3) "
                         "ORDER BY time DESC, id DESC",
                         record_tables[kind].counterparty, record_tables[kind].table,
                         record_tables[kind].counterparty);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  bind_text_or_null (stmt, 2, counterparty);
  bind_text_or_null (stmt, 3, state);
  return read_rows (self, stmt, record_from_row, (GDestroyNotify) semper_archive_record_free,
                    _("listing records"), error);
}

/**
 * semper_archive_fts_query_from_text:
 * @text: what the user typed
 *
 * Turns free text into a safe FTS5 query: the words (letters, digits and
 * marks) become quoted prefix terms, all of which must match. Operators,
 * quotes, parentheses and column filters in @text are only separators, so no
 * input can make a syntax error. At most 16 words of 64 bytes are kept.
 *
 * Returns: (transfer full): the query; empty when @text has no words
 */
char *
semper_archive_fts_query_from_text (const char *text)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);
  guint terms = 0;
  const char *p;

  if (text == NULL)
    return g_strdup ("");

  for (p = text; terms < FTS_MAX_TERMS; )
    {
      gunichar c = *p != '\0' ? g_utf8_get_char_validated (p, -1) : 0;
      gboolean in_word = c != 0 && c < 0x110000 && (g_unichar_isalnum (c)
                                                   || g_unichar_ismark (c));

      if (in_word)
        {
          if (word->len + 6 <= FTS_MAX_TERM_BYTES)
            g_string_append_unichar (word, c);
        }
      else if (word->len > 0)
        {
          /* Only letters, digits and marks: no '"' to escape. */
          g_string_append_printf (query, "%s\"%s\"*", query->len > 0 ? " " : "", word->str);
          g_string_truncate (word, 0);
          terms++;
        }
      if (c == 0)
        break;
      if (c >= 0x110000)
        p++; /* invalid UTF-8: a separator, one byte at a time */
      else
        p = g_utf8_next_char (p);
    }
  return g_string_free (g_steal_pointer (&query), FALSE);
}

/**
 * semper_archive_record_search:
 * @text: free text as the user typed it (see semper_archive_fts_query_from_text())
 * @limit: the most ids to return, 0 for no limit
 *
 * Returns: (transfer full) (element-type gint64): matching ids, best match
 *   first (BM25), or %NULL with @error set
 */
GArray *
semper_archive_record_search (SemperArchive            *self,
                              SemperArchiveRecordKind   kind,
                              const char               *text,
                              guint                     limit,
                              GError                  **error)
{
  g_autofree char *query = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GArray) ids = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  if (!check_kind (kind, error))
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  query = semper_archive_fts_query_from_text (text);
  if (*query == '\0')
    return g_steal_pointer (&ids);

  sql = g_strdup_printf ("SELECT rowid FROM %s WHERE %s MATCH ? ORDER BY rank LIMIT ?",
                         record_tables[kind].fts, record_tables[kind].fts);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, _("searching"), error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static const char *
sort_clause (SemperArchiveSort sort,
             gboolean          with_text)
{
  switch (sort)
    {
    case SEMPER_ARCHIVE_SORT_OLDEST:
      return "r.time ASC, r.id ASC";
    case SEMPER_ARCHIVE_SORT_AMOUNT_HIGH:
      return "r.amount IS NULL, r.amount DESC, r.time DESC, r.id DESC";
    case SEMPER_ARCHIVE_SORT_AMOUNT_LOW:
      return "r.amount IS NULL, r.amount ASC, r.time DESC, r.id DESC";
    case SEMPER_ARCHIVE_SORT_COUNTERPARTY:
      return "r.cp COLLATE NOCASE ASC, r.time DESC, r.id DESC";
    case SEMPER_ARCHIVE_SORT_RELEVANCE:
      return with_text ? "f.rank, r.time DESC, r.id DESC" : "r.time DESC, r.id DESC";
    case SEMPER_ARCHIVE_SORT_NEWEST:
    default:
      return "r.time DESC, r.id DESC";
    }
}

/**
 * semper_archive_record_query:
 * @query: the filters and the order; any @query->text is safe (see
 *   semper_archive_fts_query_from_text())
 *
 * Lists the ids of the receipts or contracts that pass every filter of
 * @query, in its order. Reads only ids, so a browser can list a large
 * archive and read the rows it shows.
 *
 * Returns: (transfer full) (element-type gint64): the ids, or %NULL with
 *   @error set
 */
GArray *
semper_archive_record_query (SemperArchive                  *self,
                             SemperArchiveRecordKind         kind,
                             const SemperArchiveRecordQuery *query,
                             GError                        **error)
{
  g_autofree char *fts = NULL;
  g_autofree char *join = NULL;
  g_autofree char *match = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GArray) ids = NULL;
  gboolean with_text;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!check_kind (kind, error))
    return NULL;
  if ((guint) query->sort > SEMPER_ARCHIVE_SORT_RELEVANCE)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("Unknown sort order %d"), (int) query->sort);
      return NULL;
    }

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  fts = semper_archive_fts_query_from_text (query->text);
  with_text = *fts != '\0';
  if (with_text)
    {
      join = g_strdup_printf (" JOIN %s AS f ON f.rowid = r.id", record_tables[kind].fts);
      match = g_strdup_printf ("AND f.%s MATCH ?9", record_tables[kind].fts);
    }

  /* The counterparty column is aliased to "cp" so one text serves both
   * tables; unset filters are NULL parameters, so each kind and order has
   * one cached statement. */
  sql = g_strdup_printf ("SELECT r.id FROM (SELECT id, %s AS cp, amount, currency, "
                         "payment_system, state, time FROM %s) AS r%s "
                         "WHERE (?1 IS NULL OR r.cp = ?1) "
                         "AND (?2 IS NULL OR r.payment_system = ?2) "
                         "AND (?3 IS NULL OR r.state = ?3) "
                         "AND (?4 IS NULL OR r.currency = ?4) "
                         "AND (?5 IS NULL OR r.time >= ?5) "
                         "AND (?6 IS NULL OR r.time <= ?6) "
                         "AND (?7 IS NULL OR r.amount >= ?7) "
                         "AND (?8 IS NULL OR r.amount <= ?8) "
                         "%s ORDER BY %s",
                         record_tables[kind].counterparty, record_tables[kind].table,
                         join != NULL ? join : "", match != NULL ? match : "",
                         sort_clause (query->sort, with_text));
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, query->counterparty);
  bind_text_or_null (stmt, 2, query->payment_system);
  bind_text_or_null (stmt, 3, query->state);
  bind_text_or_null (stmt, 4, query->currency);
  if (query->since != 0)
    sqlite3_bind_int64 (stmt, 5, query->since);
  if (query->until != 0)
    sqlite3_bind_int64 (stmt, 6, query->until);
  if (query->has_min_amount)
    sqlite3_bind_int64 (stmt, 7, query->min_amount);
  if (query->has_max_amount)
    sqlite3_bind_int64 (stmt, 8, query->max_amount);
  if (with_text)
    sqlite3_bind_text (stmt, 9, fts, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, _("listing records"), error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/**
 * semper_archive_record_dup_values:
 * @field: "counterparty", "payment_system", "state" or "currency"
 *
 * The distinct values of @field among the receipts or contracts, for the
 * choices of a filter. NULL values are left out.
 *
 * Returns: (transfer full): the values, sorted, or %NULL with @error set
 */
GStrv
semper_archive_record_dup_values (SemperArchive            *self,
                                  SemperArchiveRecordKind   kind,
                                  const char               *field,
                                  GError                  **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GStrvBuilder) values = NULL;
  const char *column;
  const char *table;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  if (!check_kind (kind, error))
    return NULL;
  table = record_tables[kind].table;
  if (g_strcmp0 (field, "counterparty") == 0)
    column = record_tables[kind].counterparty;
  else if (g_strcmp0 (field, "payment_system") == 0 || g_strcmp0 (field, "state") == 0
           || g_strcmp0 (field, "currency") == 0)
    column = field;
  else
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("Unknown record field “%s”"), field != NULL ? field : "(null)");
      return NULL;
    }

  if (g_str_equal (column, "currency"))
    sql = g_strdup_printf ("SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s",
                           column, table, column, column);
  else
    /* An indexed column (migration 2): from one value to the next through the
     * index, a few lookups per distinct value however many rows there are. */
    sql = g_strdup_printf ("WITH RECURSIVE v (x) AS ("
                           "  SELECT min (%s) FROM %s"
                           "  UNION ALL"
                           "  SELECT (SELECT min (%s) FROM %s WHERE %s > v.x) FROM v"
                           "  WHERE v.x IS NOT NULL) "
                           "SELECT x FROM v WHERE x IS NOT NULL",
                           column, table, column, table, column);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  values = g_strv_builder_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (values, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, _("listing records"), error);
      return NULL;
    }
  return g_strv_builder_end (values);
}

static gboolean
update_one (SemperArchive  *self,
            const char     *sql,
            gint64          id,
            const char     *a,
            const char     *b,
            const char     *what,
            GError        **error)
{
  g_autoptr(CachedStmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text_or_null (stmt, 1, a);
  bind_text_or_null (stmt, 2, b);
  sqlite3_bind_int64 (stmt, 3, id);
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    sqlite3_bind_int64 (stmt, 4, now_seconds ());
  if (!step_done (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) != 1)
    return not_found (id, what, error);
  return TRUE;
}

gboolean
semper_archive_record_set_state (SemperArchive            *self,
                                 SemperArchiveRecordKind   kind,
                                 gint64                    id,
                                 const char               *state,
                                 GError                  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_kind (kind, error) || !check_text (state, "state", TRUE, error))
    return FALSE;
  sql = g_strdup_printf ("UPDATE %s SET state = ?1 WHERE id = ?3",
                         record_tables[kind].table);
  return update_one (self, sql, id, state, NULL,
                     kind == SEMPER_ARCHIVE_RECEIPTS ? _("receipt") : _("contract"), error);
}

/**
 * semper_archive_record_set_labels:
 * @labels: (nullable): the new labels, or %NULL to keep them
 * @note: (nullable): the new note, or %NULL to keep it
 */
gboolean
semper_archive_record_set_labels (SemperArchive            *self,
                                  SemperArchiveRecordKind   kind,
                                  gint64                    id,
                                  const char               *labels,
                                  const char               *note,
                                  GError                  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_kind (kind, error)
      || !check_text (labels, "labels", FALSE, error)
      || !check_text (note, "note", FALSE, error))
    return FALSE;
  sql = g_strdup_printf ("UPDATE %s SET labels = coalesce (?1, labels), "
                         "note = coalesce (?2, note) WHERE id = ?3", record_tables[kind].table);
  return update_one (self, sql, id, labels, note,
                     kind == SEMPER_ARCHIVE_RECEIPTS ? _("receipt") : _("contract"), error);
}

/* Credentials, coins, disputes */

/* The state of row @id of @table, which keeps the time of its last update. */
static gboolean
set_state (SemperArchive  *self,
           const char     *table,
           gint64          id,
           const char     *state,
           const char     *what,
           GError        **error)
{
  g_autofree char *sql = NULL;

  if (!check_text (state, "state", TRUE, error))
    return FALSE;
  sql = g_strdup_printf ("UPDATE %s SET state = ?1, updated = ?4 WHERE id = ?3", table);
  return update_one (self, sql, id, state, NULL, what, error);
}

void
semper_archive_credential_free (SemperArchiveCredential *credential)
{
  if (credential == NULL)
    return;
  g_free (credential->kind);
  g_free (credential->issuer);
  g_free (credential->state);
  g_clear_pointer (&credential->body, g_bytes_unref);
  g_free (credential);
}

void
semper_archive_coin_free (SemperArchiveCoin *coin)
{
  if (coin == NULL)
    return;
  g_free (coin->payment_system);
  g_free (coin->serial);
  g_free (coin->state);
  g_clear_pointer (&coin->body, g_bytes_unref);
  g_free (coin);
}

void
semper_archive_dispute_free (SemperArchiveDispute *dispute)
{
  if (dispute == NULL)
    return;
  g_free (dispute->exchange_id);
  g_free (dispute->claim);
  g_free (dispute->state);
  g_free (dispute->labels);
  g_free (dispute->note);
  g_free (dispute);
}

/**
 * semper_archive_credential_insert:
 *
 * Returns: the new row id (> 0), or 0 with @error set
 */
gint64
semper_archive_credential_insert (SemperArchive                 *self,
                                  const SemperArchiveCredential *credential,
                                  GError                       **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 now = now_seconds ();

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  g_return_val_if_fail (credential != NULL, 0);

  if (!check_text (credential->kind, "credential kind", TRUE, error)
      || !check_text (credential->issuer, "issuer", TRUE, error)
      || !check_text (credential->state, "state", TRUE, error))
    return 0;
  if (credential->body == NULL)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("The credential has no content"));
      return 0;
    }
  stmt = prepare (self,
                  "INSERT INTO credentials (kind, issuer, state, body, created, updated) "
                  "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, credential->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, credential->issuer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, credential->state, -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 4, credential->body);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, now);
  return step_insert (self, stmt, _("the credential"), error);
}

static gpointer
credential_from_row (sqlite3_stmt  *stmt,
                     GError       **error G_GNUC_UNUSED)
{
  SemperArchiveCredential *c = g_new0 (SemperArchiveCredential, 1);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->kind = column_dup_text (stmt, 1);
  c->issuer = column_dup_text (stmt, 2);
  c->state = column_dup_text (stmt, 3);
  c->body = column_dup_bytes (stmt, 4);
  c->created = sqlite3_column_int64 (stmt, 5);
  c->updated = sqlite3_column_int64 (stmt, 6);
  return c;
}

/**
 * semper_archive_credential_list:
 * @state: (nullable): only credentials in this state
 *
 * Returns: (transfer full) (element-type SemperArchiveCredential): oldest
 *   first, or %NULL with @error set
 */
GPtrArray *
semper_archive_credential_list (SemperArchive  *self,
                                const char     *state,
                                GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self,
                  "SELECT id, kind, issuer, state, body, created, updated FROM credentials "
                  "WHERE ?1 IS NULL OR state = ?1 ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, state);
  return read_rows (self, stmt, credential_from_row,
                    (GDestroyNotify) semper_archive_credential_free, _("listing credentials"),
                    error);
}

gboolean
semper_archive_credential_set_state (SemperArchive  *self,
                                     gint64          id,
                                     const char     *state,
                                     GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  return set_state (self, "credentials", id, state, _("credential"), error);
}

/**
 * semper_archive_coin_insert:
 *
 * Returns: the new row id (> 0), or 0 with @error set
 *   (%SEMPER_ARCHIVE_ERROR_CONSTRAINT for a serial stored already)
 */
gint64
semper_archive_coin_insert (SemperArchive           *self,
                            const SemperArchiveCoin *coin,
                            GError                 **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 now = now_seconds ();

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  g_return_val_if_fail (coin != NULL, 0);

  if (!check_text (coin->payment_system, "payment system", TRUE, error)
      || !check_text (coin->serial, "coin serial", TRUE, error)
      || !check_text (coin->state, "state", TRUE, error)
      || !check_amount (&coin->value, TRUE, error))
    return 0;
  if (coin->value.minor <= 0 || coin->body == NULL)
    {
      g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID,
                   _("A coin needs a positive value and its content"));
      return 0;
    }
  stmt = prepare (self,
                  "INSERT INTO coins (payment_system, serial, amount, currency, state, body, "
                  "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, coin->payment_system, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, coin->serial, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, coin->value.minor);
  sqlite3_bind_text (stmt, 4, coin->value.currency, 3, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, coin->state, -1, SQLITE_TRANSIENT);
  bind_bytes (stmt, 6, coin->body);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_int64 (stmt, 8, now);
  return step_insert (self, stmt, _("the coin"), error);
}

static gpointer
coin_from_row (sqlite3_stmt  *stmt,
               GError       **error G_GNUC_UNUSED)
{
  SemperArchiveCoin *c = g_new0 (SemperArchiveCoin, 1);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->payment_system = column_dup_text (stmt, 1);
  c->serial = column_dup_text (stmt, 2);
  column_amount (stmt, 3, 4, &c->value);
  c->state = column_dup_text (stmt, 5);
  c->body = column_dup_bytes (stmt, 6);
  c->created = sqlite3_column_int64 (stmt, 7);
  c->updated = sqlite3_column_int64 (stmt, 8);
  return c;
}

/**
 * semper_archive_coin_list:
 * @payment_system: (nullable): only coins of this payment system
 * @state: (nullable): only coins in this state
 *
 * Returns: (transfer full) (element-type SemperArchiveCoin): oldest first,
 *   or %NULL with @error set
 */
GPtrArray *
semper_archive_coin_list (SemperArchive  *self,
                          const char     *payment_system,
                          const char     *state,
                          GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self,
                  "SELECT id, payment_system, serial, amount, currency, state, body, created, "
                  "updated FROM coins WHERE (?1 IS NULL OR payment_system = ?1) "
                  "AND (?2 IS NULL OR state = ?2) ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, payment_system);
  bind_text_or_null (stmt, 2, state);
  return read_rows (self, stmt, coin_from_row, (GDestroyNotify) semper_archive_coin_free,
                    _("listing coins"), error);
}

gboolean
semper_archive_coin_set_state (SemperArchive  *self,
                               gint64          id,
                               const char     *state,
                               GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  return set_state (self, "coins", id, state, _("coin"), error);
}

/**
 * semper_archive_dispute_insert:
 *
 * Returns: the new row id (> 0), or 0 with @error set
 */
gint64
semper_archive_dispute_insert (SemperArchive              *self,
                               const SemperArchiveDispute *dispute,
                               GError                    **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 now = now_seconds ();

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);
  g_return_val_if_fail (dispute != NULL, 0);

  if (!check_text (dispute->exchange_id, "exchange id", FALSE, error)
      || !check_text (dispute->claim, "claim", TRUE, error)
      || !check_text (dispute->state, "state", TRUE, error)
      || !check_text (dispute->labels, "labels", FALSE, error)
      || !check_text (dispute->note, "note", FALSE, error))
    return 0;
  stmt = prepare (self,
                  "INSERT INTO disputes (exchange_id, receipt_id, claim, state, labels, note, "
                  "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  bind_text_or_null (stmt, 1, dispute->exchange_id);
  if (dispute->receipt_id > 0)
    sqlite3_bind_int64 (stmt, 2, dispute->receipt_id);
  sqlite3_bind_text (stmt, 3, dispute->claim, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, dispute->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, dispute->labels != NULL ? dispute->labels : "", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, dispute->note != NULL ? dispute->note : "", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_int64 (stmt, 8, now);
  return step_insert (self, stmt, _("the dispute"), error);
}

static gpointer
dispute_from_row (sqlite3_stmt  *stmt,
                  GError       **error G_GNUC_UNUSED)
{
  SemperArchiveDispute *d = g_new0 (SemperArchiveDispute, 1);

  d->id = sqlite3_column_int64 (stmt, 0);
  d->exchange_id = column_dup_text (stmt, 1);
  d->receipt_id = sqlite3_column_int64 (stmt, 2);
  d->claim = column_dup_text (stmt, 3);
  d->state = column_dup_text (stmt, 4);
  d->labels = column_dup_text (stmt, 5);
  d->note = column_dup_text (stmt, 6);
  d->created = sqlite3_column_int64 (stmt, 7);
  d->updated = sqlite3_column_int64 (stmt, 8);
  return d;
}

/**
 * semper_archive_dispute_list:
 * @state: (nullable): only disputes in this state
 *
 * Returns: (transfer full) (element-type SemperArchiveDispute): newest
 *   first, or %NULL with @error set
 */
GPtrArray *
semper_archive_dispute_list (SemperArchive  *self,
                             const char     *state,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self,
                  "SELECT id, exchange_id, receipt_id, claim, state, labels, note, created, "
                  "updated FROM disputes WHERE ?1 IS NULL OR state = ?1 "
                  "ORDER BY created DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  bind_text_or_null (stmt, 1, state);
  return read_rows (self, stmt, dispute_from_row, (GDestroyNotify) semper_archive_dispute_free,
                    _("listing disputes"), error);
}

gboolean
semper_archive_dispute_set_state (SemperArchive  *self,
                                  gint64          id,
                                  const char     *state,
                                  GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  return set_state (self, "disputes", id, state, _("dispute"), error);
}

/**
 * semper_archive_dispute_set_labels:
 * @labels: (nullable): the new labels, or %NULL to keep them
 * @note: (nullable): the new note, or %NULL to keep it
 */
gboolean
semper_archive_dispute_set_labels (SemperArchive  *self,
                                   gint64          id,
                                   const char     *labels,
                                   const char     *note,
                                   GError        **error)
{
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_text (labels, "labels", FALSE, error) || !check_text (note, "note", FALSE, error))
    return FALSE;
  return update_one (self, "UPDATE disputes SET labels = coalesce (?1, labels), "
                     "note = coalesce (?2, note), updated = ?4 WHERE id = ?3",
                     id, labels, note, _("dispute"), error);
}

/* Preferences */

/**
 * semper_archive_pref_get:
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when unset (with
 *   @error left alone) or on failure (with @error set)
 */
char *
semper_archive_pref_get (SemperArchive  *self,
                         const char     *key,
                         GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = prepare (self, "SELECT value FROM preferences WHERE key = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup_text (stmt, 0);
  if (rc != SQLITE_DONE)
    set_db_error (self, rc, _("reading a preference"), error);
  return NULL;
}

/**
 * semper_archive_pref_set:
 * @value: (nullable): the new value, or %NULL to remove the key
 */
gboolean
semper_archive_pref_set (SemperArchive  *self,
                         const char     *key,
                         const char     *value,
                         GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (!check_text (key, "preference name", TRUE, error)
      || !check_text (value, "preference value", FALSE, error))
    return FALSE;
  if (value != NULL)
    stmt = prepare (self, "INSERT INTO preferences (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = ?2", error);
  else
    stmt = prepare (self, "DELETE FROM preferences WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, _("the preference"), error);
}

/* The audit log */

static void
audit_field (GChecksum  *checksum,
             const char *value)
{
  g_autofree char *prefix = g_strdup_printf ("%zu:", strlen (value));

  g_checksum_update (checksum, (const guchar *) prefix, -1);
  g_checksum_update (checksum, (const guchar *) value, strlen (value));
  g_checksum_update (checksum, (const guchar *) "\n", 1);
}

/* SHA-256 over the canonical encoding of one row, its prev_hash included:
 * "semper-audit/1\n" then each field as "<byte length>:<bytes>\n". */
static char *
audit_row_hash (gint64      id,
                gint64      time,
                const char *kind,
                const char *detail,
                const char *prev_hash)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  char id_text[32];
  char time_text[32];

  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, id);
  g_snprintf (time_text, sizeof time_text, "%" G_GINT64_FORMAT, time);
  g_checksum_update (checksum, (const guchar *) "semper-audit/1\n", -1);
  audit_field (checksum, id_text);
  audit_field (checksum, time_text);
  audit_field (checksum, kind);
  audit_field (checksum, detail);
  audit_field (checksum, prev_hash);
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
audit_append_in_tx (SemperArchive  *self,
                    const char     *kind,
                    const char     *detail,
                    gint64         *out_id,
                    GError        **error)
{
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  gint64 last_id = 0;
  gint64 id;
  gint64 now = now_seconds ();

  {
    g_autoptr(CachedStmt) stmt = prepare (self, "SELECT id, hash FROM audit "
                                          "ORDER BY id DESC LIMIT 1", error);
    int rc;

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        last_id = sqlite3_column_int64 (stmt, 0);
        prev = column_dup_text (stmt, 1);
      }
    else if (rc != SQLITE_DONE)
      {
        set_db_error (self, rc, _("reading the audit log"), error);
        return FALSE;
      }
  }
  if (prev == NULL)
    prev = g_strdup (AUDIT_GENESIS);
  id = last_id + 1;
  hash = audit_row_hash (id, now, kind, detail, prev);

  {
    g_autoptr(CachedStmt) stmt = prepare (self, "INSERT INTO audit (id, time, kind, detail, "
                                          "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 4, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 6, hash, -1, SQLITE_TRANSIENT);
    if (!step_done (self, stmt, _("the audit entry"), error))
      return FALSE;
  }
  {
    g_autoptr(CachedStmt) stmt = prepare (self, "INSERT INTO audit_head (one, last_id, hash) "
                                          "VALUES (1, ?1, ?2) ON CONFLICT (one) DO UPDATE "
                                          "SET last_id = ?1, hash = ?2", error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
    if (!step_done (self, stmt, _("the audit entry"), error))
      return FALSE;
  }
  *out_id = id;
  return TRUE;
}

/**
 * semper_archive_audit_append:
 * @kind: what happened, e.g. "payment", "contract-signed", "prefs"
 * @detail: (nullable): free text
 *
 * Appends a row chained to the previous one (see docs/archive.md).
 *
 * Returns: the new row id (> 0), or 0 with @error set
 */
gint64
semper_archive_audit_append (SemperArchive  *self,
                             const char     *kind,
                             const char     *detail,
                             GError        **error)
{
  gint64 id = 0;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), 0);

  if (!check_text (kind, "audit kind", TRUE, error)
      || !check_text (detail, "audit detail", FALSE, error))
    return 0;
  if (!semper_archive_begin (self, error))
    return 0;
  if (!audit_append_in_tx (self, kind, detail != NULL ? detail : "", &id, error))
    {
      semper_archive_rollback (self);
      return 0;
    }
  if (!semper_archive_commit (self, error))
    return 0;
  return id;
}

static gboolean
audit_broken (gint64       row,
              gint64      *out_bad_row,
              GError     **error)
{
  if (out_bad_row != NULL)
    *out_bad_row = row;
  g_set_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT,
               _("The audit log was altered at row %" PRId64), row);
  return FALSE;
}

/**
 * semper_archive_audit_verify:
 * @out_bad_row: (out) (optional): the first row that does not fit the chain
 *
 * Walks the audit log from its first row, recomputing every hash. Any edit,
 * deletion, insertion or reordering of rows, or rows cut off the end, fails
 * with %SEMPER_ARCHIVE_ERROR_CORRUPT naming the first bad row.
 */
gboolean
semper_archive_audit_verify (SemperArchive  *self,
                             gint64         *out_bad_row,
                             GError        **error)
{
  g_autofree char *expected_prev = g_strdup (AUDIT_GENESIS);
  gint64 expected_id = 1;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), FALSE);

  if (out_bad_row != NULL)
    *out_bad_row = 0;

  {
    g_autoptr(CachedStmt) stmt = prepare (self, "SELECT id, time, kind, detail, prev_hash, hash "
                                          "FROM audit ORDER BY id", error);

    if (stmt == NULL)
      return FALSE;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        const char *kind = (const char *) sqlite3_column_text (stmt, 2);
        const char *detail = (const char *) sqlite3_column_text (stmt, 3);
        const char *prev = (const char *) sqlite3_column_text (stmt, 4);
        const char *stored = (const char *) sqlite3_column_text (stmt, 5);
        g_autofree char *hash = NULL;

        if (id != expected_id || kind == NULL || detail == NULL || prev == NULL
            || stored == NULL || !g_str_equal (prev, expected_prev))
          return audit_broken (id, out_bad_row, error);
        hash = audit_row_hash (id, sqlite3_column_int64 (stmt, 1), kind, detail, prev);
        if (!g_str_equal (hash, stored))
          return audit_broken (id, out_bad_row, error);
        g_free (expected_prev);
        expected_prev = g_steal_pointer (&hash);
        expected_id = id + 1;
      }
    if (rc != SQLITE_DONE)
      {
        set_db_error (self, rc, _("reading the audit log"), error);
        return FALSE;
      }
  }
  {
    g_autoptr(CachedStmt) stmt = prepare (self, "SELECT last_id, hash FROM audit_head", error);
    gint64 last = expected_id - 1;

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        gint64 head_id = sqlite3_column_int64 (stmt, 0);

        if (head_id > last)
          return audit_broken (last + 1, out_bad_row, error); /* rows cut off the end */
        if (head_id < last
            || !g_str_equal ((const char *) sqlite3_column_text (stmt, 1), expected_prev))
          return audit_broken (last, out_bad_row, error);
      }
    else if (rc == SQLITE_DONE)
      {
        if (last != 0)
          return audit_broken (last, out_bad_row, error);
      }
    else
      {
        set_db_error (self, rc, _("reading the audit log"), error);
        return FALSE;
      }
  }
  return TRUE;
}

/**
 * semper_archive_audit_dup_head:
 * @out_last_row: (out) (optional): the last row's id, 0 when the log is empty
 *
 * The hash of the last row: keep or sign it elsewhere to pin the log's
 * present state.
 *
 * Returns: (transfer full): 64 hex digits, or %NULL with @error set
 */
char *
semper_archive_audit_dup_head (SemperArchive  *self,
                               gint64         *out_last_row,
                               GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (self), NULL);

  stmt = prepare (self, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      if (out_last_row != NULL)
        *out_last_row = 0;
      return g_strdup (AUDIT_GENESIS);
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc, _("reading the audit log"), error);
      return NULL;
    }
  if (out_last_row != NULL)
    *out_last_row = sqlite3_column_int64 (stmt, 0);
  return column_dup_text (stmt, 1);
}
