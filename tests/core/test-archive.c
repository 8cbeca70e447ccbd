/* test-archive.c: the SQLite archive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "semper-archive.h"

typedef struct {
  char          *dir;
  char          *path;
  SemperArchive *archive;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("semper-archive-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "archive.db", NULL);
  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->archive);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->archive);
  remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* A second, raw connection: what a curious user or an attacker could do. */
static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static char *
raw_exec_error (const char *path,
                const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    result = g_strdup (message);
  sqlite3_free (message);
  sqlite3_close (db);
  return result;
}

static char *
raw_query_text (const char *path,
                const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static gint64
count_rows (SemperArchive *archive,
            const char    *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autofree char *text = raw_query_text (semper_archive_get_path (archive), sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static gint64
add_receipt (SemperArchive *archive,
             const char    *merchant,
             const char    *text,
             const char    *state,
             gint64         time)
{
  g_autoptr(GError) error = NULL;
  SemperArchiveRecord record = {
    .counterparty = (char *) merchant,
    .amount = { .minor = 1234, .currency = "EUR" },
    .payment_system = (char *) "ecash",
    .state = (char *) state,
    .time = time,
    .text = (char *) text,
  };
  gint64 id = semper_archive_record_insert (archive, SEMPER_ARCHIVE_RECEIPTS, &record, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gboolean
ids_contain (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

/* Opening and migrations */

static void
test_open_migrate (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SemperArchiveExchange) exchange = NULL;

  g_assert_cmpint (semper_archive_get_schema_version (fixture->archive), ==,
                   SEMPER_ARCHIVE_SCHEMA_VERSION);
  id = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", "shop", "new",
                                       &error);
  g_assert_no_error (error);

  /* Reopen: no migration runs twice, data is kept. */
  g_clear_object (&fixture->archive);
  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (semper_archive_get_schema_version (fixture->archive), ==,
                   SEMPER_ARCHIVE_SCHEMA_VERSION);
  exchange = semper_archive_exchange_get (fixture->archive, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exchange->state, ==, "new");
  g_assert_cmpint (exchange->last_step, ==, -1);

  version = raw_query_text (fixture->path, "PRAGMA user_version");
  g_assert_cmpint (g_ascii_strtoll (version, NULL, 10), ==, SEMPER_ARCHIVE_SCHEMA_VERSION);
  mode = raw_query_text (fixture->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  semper_archive_check_integrity (fixture->archive, &error);
  g_assert_no_error (error);
}

/* An archive of schema version 1 gets migration 2's indexes on opening,
 * keeping its rows. */
static void
test_open_migrate_indexes (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *version = NULL;
  g_auto(GStrv) states = NULL;
  SemperArchiveRecord r = { 0 };

  r.counterparty = (char *) "Shop";
  r.amount.minor = 100;
  strcpy (r.amount.currency, "EUR");
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = 1735689600;
  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r,
                                                 &error), >, 0);
  g_assert_no_error (error);
  g_clear_object (&fixture->archive);
  raw_exec (fixture->path, "DROP INDEX receipts_system; DROP INDEX receipts_state;"
                           "DROP INDEX contracts_system; DROP INDEX contracts_state;"
                           "ALTER TABLE receipts DROP COLUMN fee;"
                           "ALTER TABLE contracts DROP COLUMN fee;"
                           "PRAGMA user_version = 1");

  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (semper_archive_get_schema_version (fixture->archive), ==,
                   SEMPER_ARCHIVE_SCHEMA_VERSION);
  version = raw_query_text (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "3");
  count = raw_query_text (fixture->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                         "('receipts_system', 'receipts_state', "
                                         "'contracts_system', 'contracts_state')");
  g_assert_cmpstr (count, ==, "4");
  states = semper_archive_record_dup_values (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, "state",
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (states), ==, 1);
  g_assert_cmpstr (states[0], ==, "paid");
}

/* An archive of schema version 2 gets migration 3's fee column: its receipts'
 * fees are unknown; a new receipt's fee is kept, in the amount's currency. */
static void
test_open_migrate_fee (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchiveRecord) old = NULL;
  g_autoptr(SemperArchiveRecord) got = NULL;
  SemperArchiveRecord r = { 0 };
  gint64 old_id, id;

  r.counterparty = (char *) "Shop";
  r.amount.minor = 100;
  strcpy (r.amount.currency, "EUR");
  r.payment_system = (char *) "ecash";
  r.state = (char *) "paid";
  r.time = 1735689600;
  old_id = semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  g_clear_object (&fixture->archive);
  raw_exec (fixture->path, "ALTER TABLE receipts DROP COLUMN fee;"
                           "ALTER TABLE contracts DROP COLUMN fee;"
                           "PRAGMA user_version = 2");

  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (semper_archive_get_schema_version (fixture->archive), ==, 3);
  old = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, old_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old->fee.currency, ==, "");

  r.fee.minor = 0;
  strcpy (r.fee.currency, "EUR");
  id = semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  got = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->fee.currency, ==, "EUR");
  g_assert_cmpint (got->fee.minor, ==, 0);

  r.fee.minor = 25;
  g_clear_pointer (&got, semper_archive_record_free);
  id = semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r, &error);
  g_assert_no_error (error);
  got = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->fee.minor, ==, 25);

  /* A fee in another currency than the amount's is refused. */
  strcpy (r.fee.currency, "USD");
  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r,
                                                 &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
}

/* The change counter grows with a commit through another connection and
 * with a change through this one, and only then. */
static void
test_change_counter (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) other = semper_archive_open (fixture->path, &error);
  SemperArchiveRecord r = { 0 };
  guint64 before, after;

  g_assert_no_error (error);
  before = semper_archive_get_change_counter (fixture->archive);
  g_assert_cmpuint (before, >, 0);
  g_assert_cmpuint (semper_archive_get_change_counter (fixture->archive), ==, before);

  r.counterparty = (char *) "Shop";
  r.amount.minor = 100;
  strcpy (r.amount.currency, "EUR");
  r.state = (char *) "paid";
  r.time = 1735689600;
  g_assert_cmpint (semper_archive_record_insert (other, SEMPER_ARCHIVE_RECEIPTS, &r, &error),
                   >, 0);
  g_assert_no_error (error);
  after = semper_archive_get_change_counter (fixture->archive);
  g_assert_cmpuint (after, >, before);

  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &r,
                                                 &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (semper_archive_get_change_counter (fixture->archive), >, after);
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;

  g_clear_object (&fixture->archive);
  raw_exec (fixture->path, "PRAGMA user_version = 99");
  archive = semper_archive_open (fixture->path, &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_TOO_NEW);
  g_assert_null (archive);
  g_assert_nonnull (strstr (error->message, "99"));

  /* Refusing changed nothing. */
  g_autofree char *version = raw_query_text (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "99");
}

static void
test_open_not_archive (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperArchive) archive = NULL;
  g_autofree char *garbage = g_build_filename (fixture->dir, "garbage.db", NULL);
  g_autofree char *foreign = g_build_filename (fixture->dir, "foreign.db", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "no", "such", "dir.db", NULL);
  g_autofree char *tables = NULL;

  g_file_set_contents (garbage, "this is not an SQLite database, not even close. "
                       "It is long enough to fill a header page. 0123456789abcdef", -1, &error);
  g_assert_no_error (error);
  archive = semper_archive_open (garbage, &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT);
  g_assert_null (archive);
  g_clear_error (&error);

  raw_exec (foreign, "CREATE TABLE people (name TEXT)");
  archive = semper_archive_open (foreign, &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT);
  g_assert_null (archive);
  g_clear_error (&error);
  tables = raw_query_text (foreign, "SELECT group_concat (name) FROM sqlite_schema");
  g_assert_cmpstr (tables, ==, "people");

  archive = semper_archive_open (missing, &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FAILED);
  g_assert_null (archive);
}

/* Exchanges and the journal */

static void
test_journal_atomic (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m0 = g_bytes_new_static ("order\0one", 9);
  g_autoptr(GBytes) m1 = g_bytes_new_static ("payment", 7);
  g_autoptr(GBytes) other = g_bytes_new_static ("a different payment", 19);
  g_autoptr(GPtrArray) journal = NULL;
  g_autoptr(SemperArchiveExchange) exchange = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;

  id = semper_archive_exchange_create (fixture->archive, "tid-1", "fx", "buyer",
                                       "https://shop.example", "new", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "tid-1");
  again = semper_archive_exchange_create (fixture->archive, "tid-1", "fx", "buyer", NULL, "new",
                                          &error);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT);
  g_assert_null (again);
  g_clear_error (&error);

  semper_archive_journal_append (fixture->archive, id, 0, "m1-sent", m0, &error);
  g_assert_no_error (error);
  semper_archive_journal_append (fixture->archive, id, 1, "paying", m1, &error);
  g_assert_no_error (error);

  /* The state update succeeds, the journal insert then fails (step 1 is
   * there already): neither may land. */
  g_assert_false (semper_archive_journal_append (fixture->archive, id, 1, "paid-twice", other,
                                                 &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Same with a failure injected from outside: a trigger that refuses one row. */
  raw_exec (fixture->path,
            "CREATE TRIGGER boom BEFORE INSERT ON journal WHEN new.state = 'boom' BEGIN "
            "SELECT RAISE (ABORT, 'injected failure'); END");
  g_assert_false (semper_archive_journal_append (fixture->archive, id, 2, "boom", other,
                                                 &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  exchange = semper_archive_exchange_get (fixture->archive, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exchange->state, ==, "paying");
  g_assert_cmpint (exchange->last_step, ==, 1);
  journal = semper_archive_journal_list (fixture->archive, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 2);
  {
    SemperArchiveJournalEntry *e0 = g_ptr_array_index (journal, 0);
    SemperArchiveJournalEntry *e1 = g_ptr_array_index (journal, 1);

    g_assert_cmpstr (e0->state, ==, "m1-sent");
    g_assert_true (g_bytes_equal (e0->outgoing, m0));
    g_assert_cmpstr (e1->state, ==, "paying");
    g_assert_true (g_bytes_equal (e1->outgoing, m1));
  }

  /* An unknown exchange: nothing written. */
  g_assert_false (semper_archive_journal_append (fixture->archive, "nope", 0, "x", m0, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (fixture->archive, "journal"), ==, 2);

  g_assert_false (semper_archive_journal_append (fixture->archive, id, -1, "x", NULL, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
}

static void
test_journal_resume (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = g_bytes_new_static ("m3", 2);
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) journal = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  a = semper_archive_exchange_create (fixture->archive, NULL, "asw", "originator", "bob",
                                      "new", &error);
  g_assert_no_error (error);
  b = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", "shop", "new",
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, !=, b);
  semper_archive_journal_append (fixture->archive, a, 0, "m1-sent", msg, &error);
  g_assert_no_error (error);
  semper_archive_journal_append (fixture->archive, b, 0, "m1-sent", msg, &error);
  g_assert_no_error (error);
  semper_archive_exchange_finish (fixture->archive, b, "done", &error);
  g_assert_no_error (error);

  open = semper_archive_exchange_list_unfinished (fixture->archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpstr (((SemperArchiveExchange *) open->pdata[0])->id, ==, a);
  g_assert_cmpint (((SemperArchiveExchange *) open->pdata[0])->last_step, ==, 0);

  /* A finished exchange takes no more steps. */
  g_assert_false (semper_archive_journal_append (fixture->archive, b, 2, "again", msg, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  journal = semper_archive_journal_list (fixture->archive, b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 2);
  g_assert_cmpstr (((SemperArchiveJournalEntry *) journal->pdata[1])->state, ==, "done");
  g_assert_null (((SemperArchiveJournalEntry *) journal->pdata[1])->outgoing);
}

static void
test_transaction_nested (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *gone = NULL;

  semper_archive_begin (fixture->archive, &error);
  g_assert_no_error (error);
  kept = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", NULL, "new",
                                         &error);
  g_assert_no_error (error);
  semper_archive_begin (fixture->archive, &error);
  g_assert_no_error (error);
  dropped = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", NULL, "new",
                                            &error);
  g_assert_no_error (error);
  semper_archive_rollback (fixture->archive);
  semper_archive_commit (fixture->archive, &error);
  g_assert_no_error (error);

  semper_archive_begin (fixture->archive, &error);
  g_assert_no_error (error);
  gone = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", NULL, "new",
                                         &error);
  g_assert_no_error (error);
  semper_archive_rollback (fixture->archive);

  open = semper_archive_exchange_list_unfinished (fixture->archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpstr (((SemperArchiveExchange *) open->pdata[0])->id, ==, kept);
}

/* Raw messages */

static void
test_messages_byte_exact (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GBytes) every_byte = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) big = NULL;
  g_autofree guint8 *random = g_malloc (1 << 20);
  GBytes *inputs[3];
  g_autofree char *exchange = NULL;

  for (guint i = 0; i < 512; i++)
    {
      guint8 b = (guint8) (i * 7 + 3);
      g_byte_array_append (all, &b, 1);
    }
  every_byte = g_bytes_new (all->data, all->len);
  for (gsize i = 0; i < (1 << 20); i++)
    random[i] = (guint8) g_test_rand_int_range (0, 256);
  big = g_bytes_new (random, 1 << 20);
  inputs[0] = every_byte;
  inputs[1] = empty;
  inputs[2] = big;

  exchange = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", NULL, "new",
                                             &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GBytes) back = NULL;
      g_autofree char *type = NULL;
      g_autofree char *sha = NULL;
      g_autofree char *stored_sha = NULL;
      g_autofree char *sql = NULL;
      gint64 id;

      id = semper_archive_message_store (fixture->archive,
                                         i % 2 ? SEMPER_MESSAGE_OUT : SEMPER_MESSAGE_IN,
                                         i == 0 ? exchange : NULL, "application/pkcs7-mime",
                                         inputs[i], &error);
      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
      back = semper_archive_message_get (fixture->archive, id, &type, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (type, ==, "application/pkcs7-mime");
      g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back),
                       g_bytes_get_data (inputs[i], NULL), g_bytes_get_size (inputs[i]));
      sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, inputs[i]);
      sql = g_strdup_printf ("SELECT sha256 FROM messages WHERE id = %" G_GINT64_FORMAT, id);
      stored_sha = raw_query_text (fixture->path, sql);
      g_assert_cmpstr (stored_sha, ==, sha);
    }

  g_assert_null (semper_archive_message_get (fixture->archive, 999, NULL, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (semper_archive_message_store (fixture->archive, SEMPER_MESSAGE_IN,
                                                 "no-such-exchange", "text/plain", empty,
                                                 &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Evidence that changed behind our back is reported, not returned. */
  raw_exec (fixture->path, "UPDATE messages SET body = x'00' WHERE id = 1");
  g_assert_null (semper_archive_message_get (fixture->archive, 1, NULL, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT);
}

/* Receipts, contracts and search */

static void
test_records_list (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(GPtrArray) by_merchant = NULL;
  g_autoptr(GPtrArray) refunded = NULL;
  g_autoptr(SemperArchiveRecord) got = NULL;
  SemperArchiveRecord contract = {
    .counterparty = (char *) "Bob",
    .title = (char *) "Lease of a bicycle",
    .state = (char *) "signed",
    .text = (char *) "Semper-Document: contract/1\nTitle: Lease\n\nThe parties agree.",
  };
  SemperArchiveRecord bad = { .counterparty = (char *) "X", .state = (char *) "paid" };
  gint64 r1, r2, r3, c1;

  r1 = add_receipt (fixture->archive, "Books & Co", "two books", "paid", 1700000000);
  r2 = add_receipt (fixture->archive, "Coffee Corner", "espresso", "paid", 1750000000);
  r3 = add_receipt (fixture->archive, "Books & Co", "a refund", "refunded", 1760000000);
  c1 = semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_CONTRACTS, &contract,
                                     &error);
  g_assert_no_error (error);

  all = semper_archive_record_list (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpint (((SemperArchiveRecord *) all->pdata[0])->id, ==, r3); /* newest first */
  recent = semper_archive_record_list (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, 1750000000,
                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, 2);
  by_merchant = semper_archive_record_list (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, 0,
                                            "Books & Co", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_merchant->len, ==, 2);
  refunded = semper_archive_record_list (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, 0,
                                         "Books & Co", "refunded", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunded->len, ==, 1);
  g_assert_cmpint (((SemperArchiveRecord *) refunded->pdata[0])->id, ==, r3);

  got = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, r2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->counterparty, ==, "Coffee Corner");
  g_assert_cmpint (got->amount.minor, ==, 1234);
  g_assert_cmpstr (got->amount.currency, ==, "EUR");
  g_assert_cmpint (got->time, ==, 1750000000);
  g_clear_pointer (&got, semper_archive_record_free);

  got = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_CONTRACTS, c1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->title, ==, "Lease of a bicycle");
  g_assert_cmpstr (got->amount.currency, ==, "");
  g_clear_pointer (&got, semper_archive_record_free);

  semper_archive_record_set_state (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, r1, "disputed",
                                   &error);
  g_assert_no_error (error);
  got = semper_archive_record_get (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, r1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->state, ==, "disputed");

  g_assert_false (semper_archive_record_set_state (fixture->archive, SEMPER_ARCHIVE_RECEIPTS,
                                                   4242, "x", &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A receipt without an amount, or with a made-up currency, is refused. */
  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &bad,
                                                 &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
  g_clear_error (&error);
  memcpy (bad.amount.currency, "eu", 3);
  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, &bad,
                                                 &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
}

/* Searching @kind for @query (at most @limit results, 0: all) finds @n
 * records, the first of them @first (0: any). */
static void
assert_search (Fixture                 *fixture,
               SemperArchiveRecordKind  kind,
               const char              *query,
               guint                    limit,
               guint                    n,
               gint64                   first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = semper_archive_record_search (fixture->archive, kind, query, limit,
                                                        &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, n);
  if (first != 0)
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, first);
}

static void
test_search_find (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  SemperArchiveRecord contract = {
    .counterparty = (char *) "Alice",
    .title = (char *) "Flat rental",
    .amount = { .minor = 90000, .currency = "EUR" },
    .state = (char *) "signed",
    .text = (char *) "The tenant pays the rent on the first day of each month.",
  };
  gint64 beans, tea, other, c1;

  beans = add_receipt (fixture->archive, "Café Olé", "Ethiopian coffee beans, 1 kg", "paid",
                       1700000000);
  tea = add_receipt (fixture->archive, "Tea House", "green tea; coffee filter", "paid",
                     1700000001);
  other = add_receipt (fixture->archive, "Hardware", "a hammer and nails", "paid", 1700000002);
  c1 = semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_CONTRACTS, &contract,
                                     &error);
  g_assert_no_error (error);

  ids = semper_archive_record_search (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, "coffee", 0,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_true (ids_contain (ids, beans) && ids_contain (ids, tea));
  g_clear_pointer (&ids, g_array_unref);

  /* All words must match; prefixes and diacritics are forgiven. */
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "coff BEANS", 0, 1, beans);
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "cafe ole", 0, 1, beans);

  /* Labels and notes are searchable as soon as they are set. */
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "renovation", 0, 0, 0);
  semper_archive_record_set_labels (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, other,
                                    "renovation, tax", "for the kitchen", &error);
  g_assert_no_error (error);
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "renovation", 0, 1, other);
  semper_archive_record_set_labels (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, other, "", NULL,
                                    &error);
  g_assert_no_error (error);
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "renovation", 0, 0, 0);
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "kitchen", 0, 1, 0);

  /* Contracts have their own index. */
  assert_search (fixture, SEMPER_ARCHIVE_CONTRACTS, "rent tenant", 0, 1, c1);
  assert_search (fixture, SEMPER_ARCHIVE_CONTRACTS, "coffee", 0, 0, 0);

  /* Ranked: the receipt that says "coffee" in more places comes first. */
  semper_archive_record_set_labels (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, tea,
                                    "coffee", "coffee coffee", &error);
  g_assert_no_error (error);
  assert_search (fixture, SEMPER_ARCHIVE_RECEIPTS, "coffee", 1, 1, tea);

  semper_archive_check_integrity (fixture->archive, &error);
  g_assert_no_error (error);
}

static void
test_search_hostile (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const hostile[] = {
    "\"", "\"\"", "'", "*", "coffee*", "\"coffee", "NEAR(", "NEAR(coffee beans, 2)",
    "(", ")", "((coffee", "coffee)", "AND", "OR", "NOT", "coffee AND", "NOT coffee",
    "coffee OR 1=1", "'; DROP TABLE receipts; --", "\"; DROP TABLE receipts; --",
    "merchant:coffee", "{merchant text}: coffee", "^coffee", "coffee + beans", "-coffee",
    "\\", "%", "_", "\t\n\r", "", "   ", "\xff\xfe", "caf\xc3", "\xe2\x80\xae",
    "a\"b\"c", "x' OR '1'='1", "rank", "rowid:1", "*:*", "\"\"\"\"\"\"\"",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  gint64 beans;
  g_autofree char *tables = NULL;

  beans = add_receipt (fixture->archive, "Café", "coffee beans", "paid", 1700000000);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GArray) found = semper_archive_record_search (fixture->archive,
                                                              SEMPER_ARCHIVE_RECEIPTS,
                                                              hostile[i], 10, &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      g_clear_pointer (&found, g_array_unref);
      found = semper_archive_record_search (fixture->archive, SEMPER_ARCHIVE_CONTRACTS,
                                            hostile[i], 10, &error);
      g_assert_no_error (error);
    }
  /* Quotes, stars and parentheses are plain separators: these still find the coffee. */
  ids = semper_archive_record_search (fixture->archive, SEMPER_ARCHIVE_RECEIPTS,
                                      "(\"coffee\" (beans*", 0, &error);
  g_assert_no_error (error);
  g_assert_true (ids_contain (ids, beans));
  g_clear_pointer (&ids, g_array_unref);
  ids = semper_archive_record_search (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, "\"coffee", 0,
                                      &error);
  g_assert_no_error (error);
  g_assert_true (ids_contain (ids, beans));
  g_clear_pointer (&ids, g_array_unref);

  /* Random bytes, too. */
  for (guint i = 0; i < 2000; i++)
    {
      char text[24];
      guint len = g_test_rand_int_range (0, sizeof text);
      g_autoptr(GArray) found = NULL;

      for (guint j = 0; j < len; j++)
        text[j] = (char) g_test_rand_int_range (1, 256);
      text[len] = '\0';
      found = semper_archive_record_search (fixture->archive, SEMPER_ARCHIVE_RECEIPTS, text, 10,
                                            &error);
      g_assert_no_error (error);
    }

  tables = raw_query_text (fixture->path,
                           "SELECT count(*) FROM sqlite_schema WHERE name = 'receipts'");
  g_assert_cmpstr (tables, ==, "1");
  semper_archive_check_integrity (fixture->archive, &error);
  g_assert_no_error (error);
}

/* Credentials, coins, disputes, preferences */

static void
test_other_tables (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("\x30\x82\x01\x00", 4);
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *pref = NULL;
  SemperArchiveCredential cred = {
    .kind = (char *) "x509", .issuer = (char *) "Semper CA", .state = (char *) "valid",
    .body = body,
  };
  SemperArchiveCoin coin = {
    .payment_system = (char *) "ecash", .serial = (char *) "c0ffee",
    .value = { .minor = 200, .currency = "EUR" }, .state = (char *) "fresh", .body = body,
  };
  SemperArchiveDispute dispute = { .claim = (char *) "not-delivered", .state = (char *) "open" };
  gint64 cred_id, coin_id, receipt_id, dispute_id;

  cred_id = semper_archive_credential_insert (fixture->archive, &cred, &error);
  g_assert_no_error (error);
  semper_archive_credential_set_state (fixture->archive, cred_id, "revoked", &error);
  g_assert_no_error (error);
  list = semper_archive_credential_list (fixture->archive, "revoked", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (g_bytes_equal (((SemperArchiveCredential *) list->pdata[0])->body, body));
  g_clear_pointer (&list, g_ptr_array_unref);

  coin_id = semper_archive_coin_insert (fixture->archive, &coin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (semper_archive_coin_insert (fixture->archive, &coin, &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  coin.value.minor = -5;
  coin.serial = (char *) "other";
  g_assert_cmpint (semper_archive_coin_insert (fixture->archive, &coin, &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_INVALID);
  g_clear_error (&error);
  semper_archive_coin_set_state (fixture->archive, coin_id, "spent", &error);
  g_assert_no_error (error);
  list = semper_archive_coin_list (fixture->archive, "ecash", "fresh", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = semper_archive_coin_list (fixture->archive, NULL, "spent", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((SemperArchiveCoin *) list->pdata[0])->value.minor, ==, 200);
  g_clear_pointer (&list, g_ptr_array_unref);

  receipt_id = add_receipt (fixture->archive, "Shop", "goods", "paid", 1700000000);
  dispute.receipt_id = receipt_id;
  dispute_id = semper_archive_dispute_insert (fixture->archive, &dispute, &error);
  g_assert_no_error (error);
  semper_archive_dispute_set_labels (fixture->archive, dispute_id, "urgent", "called them",
                                     &error);
  g_assert_no_error (error);
  semper_archive_dispute_set_state (fixture->archive, dispute_id, "resolved", &error);
  g_assert_no_error (error);
  list = semper_archive_dispute_list (fixture->archive, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((SemperArchiveDispute *) list->pdata[0])->state, ==, "resolved");
  g_assert_cmpstr (((SemperArchiveDispute *) list->pdata[0])->note, ==, "called them");
  g_assert_cmpint (((SemperArchiveDispute *) list->pdata[0])->receipt_id, ==, receipt_id);
  g_assert_false (semper_archive_dispute_set_state (fixture->archive, 999, "x", &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  dispute.receipt_id = 999;
  g_assert_cmpint (semper_archive_dispute_insert (fixture->archive, &dispute, &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_assert_null (semper_archive_pref_get (fixture->archive, "k", &error));
  g_assert_no_error (error);
  semper_archive_pref_set (fixture->archive, "k", "v1", &error);
  g_assert_no_error (error);
  semper_archive_pref_set (fixture->archive, "k", "v2", &error);
  g_assert_no_error (error);
  pref = semper_archive_pref_get (fixture->archive, "k", &error);
  g_assert_cmpstr (pref, ==, "v2");
  semper_archive_pref_set (fixture->archive, "k", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (semper_archive_pref_get (fixture->archive, "k", &error));
  g_assert_no_error (error);
}

/* The audit log */

static void
fill_audit (SemperArchive *archive,
            guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *detail = g_strdup_printf ("event %u", i);

      g_assert_cmpint (semper_archive_audit_append (archive, "test", detail, &error), ==, i + 1);
      g_assert_no_error (error);
    }
}

static void
assert_audit_broken_at (Fixture *fixture,
                        gint64   row)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("row %" G_GINT64_FORMAT, row);
  gint64 bad = 0;

  /* A fresh connection, so nothing cached hides the change. */
  g_clear_object (&fixture->archive);
  fixture->archive = semper_archive_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_false (semper_archive_audit_verify (fixture->archive, &bad, &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_CORRUPT);
  g_assert_cmpint (bad, ==, row);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_audit_verify (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  g_autofree char *refused = NULL;
  gint64 bad = -1;
  gint64 last = 0;

  g_assert_true (semper_archive_audit_verify (fixture->archive, &bad, &error));
  g_assert_no_error (error);
  fill_audit (fixture->archive, 10);
  g_assert_true (semper_archive_audit_verify (fixture->archive, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bad, ==, 0);
  head = semper_archive_audit_dup_head (fixture->archive, &last, &error);
  g_assert_no_error (error);
  g_assert_cmpint (last, ==, 10);
  g_assert_cmpuint (strlen (head), ==, 64);

  /* The triggers refuse edits through SQL. */
  refused = raw_exec_error (fixture->path, "UPDATE audit SET detail = 'x' WHERE id = 3");
  g_assert_nonnull (strstr (refused, "append-only"));
  g_clear_pointer (&refused, g_free);
  refused = raw_exec_error (fixture->path, "DELETE FROM audit WHERE id = 3");
  g_assert_nonnull (strstr (refused, "append-only"));
  g_assert_true (semper_archive_audit_verify (fixture->archive, NULL, &error));
  g_assert_no_error (error);
}

/* An editor who drops the append-only triggers and runs @sql on ten events:
 * verification reports the first broken link at @row. */
typedef struct {
  const char *sql;
  gint64      row;
} AuditTamper;

static const AuditTamper tamper_edit = {
  "UPDATE audit SET detail = 'event 66' WHERE id = 7", 7
};

/* An editor who also fixes the row's own hash breaks the next row's link. */
static const AuditTamper tamper_edit_rehash = {
  "UPDATE audit SET time = time + 1, hash = (SELECT hash FROM audit "
  "WHERE id = 2) WHERE id = 4", 4
};

static const AuditTamper tamper_delete = {
  "DELETE FROM audit WHERE id = 5", 6
};

/* Swap rows 3 and 4 whole, each keeping its hashes. */
static const AuditTamper tamper_reorder = {
  "UPDATE audit SET id = -3 WHERE id = 3;"
  "UPDATE audit SET id = 3 WHERE id = 4;"
  "UPDATE audit SET id = 4 WHERE id = -3;", 3
};

static const AuditTamper tamper_truncate = {
  "DELETE FROM audit WHERE id >= 9", 9
};

static void
test_audit_tamper (Fixture       *fixture,
                   gconstpointer  data)
{
  const AuditTamper *tamper = data;
  g_autofree char *sql = g_strconcat ("DROP TRIGGER audit_no_update; "
                                      "DROP TRIGGER audit_no_delete;", tamper->sql, NULL);

  fill_audit (fixture->archive, 10);
  raw_exec (fixture->path, sql);
  assert_audit_broken_at (fixture, tamper->row);
}

/* Durability */

static const char *
crash_helper_path (void)
{
  const char *env = g_getenv ("SEMPER_ARCHIVE_CRASH_HELPER");
  static char *built = NULL;

  if (env != NULL)
    return env;
  if (built == NULL)
    built = g_test_build_filename (G_TEST_BUILT, "core", "archive-crash-helper", NULL);
  return built;
}

static void
collect_ids (const char *text,
             GArray     *ids)
{
  const char *line = text;
  const char *nl;

  /* Only complete lines: a line without its newline was cut by the kill. */
  while ((nl = strchr (line, '\n')) != NULL)
    {
      g_autofree char *one = g_strndup (line, nl - line);
      gint64 id = 0;
      g_autoptr(GError) error = NULL;

      g_ascii_string_to_signed (one, 10, 1, G_MAXINT64, &id, &error);
      g_assert_no_error (error);
      g_array_append_val (ids, id);
      line = nl + 1;
    }
}

static void
test_crash_kill9 (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GArray) committed = g_array_new (FALSE, FALSE, sizeof (gint64));
  const guint rounds = 5;

  g_clear_object (&fixture->archive);

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GString) rest = g_string_new (NULL);
      g_autoptr(SemperArchive) archive = NULL;
      g_autoptr(GPtrArray) receipts = NULL;
      guint target = g_test_rand_int_range (200, 500);
      guint seen = 0;
      char buffer[4096];
      gssize n;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                crash_helper_path (), fixture->path, NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

      /* Let it commit a few hundred rows, then kill it while it writes. */
      while (seen < target)
        {
          gsize len = 0;
          g_autofree char *line = g_data_input_stream_read_line (out, &len, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (line);
          g_string_append_printf (rest, "%s\n", line);
          seen++;
        }
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

      /* Whatever it printed before it died was committed, too. */
      while ((n = g_input_stream_read (G_INPUT_STREAM (out), buffer, sizeof buffer, NULL,
                                       &error)) > 0)
        g_string_append_len (rest, buffer, n);
      g_assert_no_error (error);
      collect_ids (rest->str, committed);
      g_test_message ("round %u: %u ids committed so far", round, committed->len);

      {
        g_autofree char *check = raw_query_text (fixture->path, "PRAGMA integrity_check");
        g_assert_cmpstr (check, ==, "ok");
      }
      archive = semper_archive_open (fixture->path, &error);
      g_assert_no_error (error);
      semper_archive_check_integrity (archive, &error);
      g_assert_no_error (error);
      semper_archive_audit_verify (archive, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < committed->len; i++)
        {
          g_autoptr(SemperArchiveRecord) r = NULL;

          r = semper_archive_record_get (archive, SEMPER_ARCHIVE_RECEIPTS,
                                         g_array_index (committed, gint64, i), &error);
          g_assert_no_error (error);
          g_assert_nonnull (r);
          g_assert_cmpint (r->message_id, >, 0);
        }
      receipts = semper_archive_record_list (archive, SEMPER_ARCHIVE_RECEIPTS, 0, NULL, NULL,
                                             &error);
      g_assert_no_error (error);
      g_assert_cmpuint (receipts->len, >=, committed->len);
    }
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) small = g_bytes_new_static ("m0", 2);
  g_autoptr(GBytes) big = NULL;
  g_autoptr(SemperArchiveExchange) exchange = NULL;
  g_autofree char *id = NULL;
  g_autofree char *big_text = NULL;
  g_autofree guint8 *blob = g_malloc0 (256 * 1024);
  SemperArchiveRecord record = {
    .counterparty = (char *) "Shop",
    .amount = { .minor = 1, .currency = "EUR" },
    .state = (char *) "paid",
  };
  gint64 journal_rows, messages, receipts;

  big = g_bytes_new (blob, 256 * 1024);
  big_text = g_strnfill (256 * 1024, 'w');
  id = semper_archive_exchange_create (fixture->archive, NULL, "fx", "buyer", NULL, "new",
                                       &error);
  g_assert_no_error (error);
  semper_archive_journal_append (fixture->archive, id, 0, "m1-sent", small, &error);
  g_assert_no_error (error);
  journal_rows = count_rows (fixture->archive, "journal");
  messages = count_rows (fixture->archive, "messages");
  receipts = count_rows (fixture->archive, "receipts");

  /* No room to grow: the database is "full" at its present size. */
  semper_archive_set_size_limit (fixture->archive, 1, &error);
  g_assert_no_error (error);

  g_assert_false (semper_archive_journal_append (fixture->archive, id, 1, "paying", big,
                                                 &error));
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpint (semper_archive_message_store (fixture->archive, SEMPER_MESSAGE_IN, id,
                                                 "application/octet-stream", big, &error),
                   ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FULL);
  g_clear_error (&error);
  record.text = big_text;
  g_assert_cmpint (semper_archive_record_insert (fixture->archive, SEMPER_ARCHIVE_RECEIPTS,
                                                 &record, &error), ==, 0);
  g_assert_error (error, SEMPER_ARCHIVE_ERROR, SEMPER_ARCHIVE_ERROR_FULL);
  g_clear_error (&error);

  /* Nothing half-written. */
  exchange = semper_archive_exchange_get (fixture->archive, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exchange->state, ==, "m1-sent");
  g_assert_cmpint (exchange->last_step, ==, 0);
  g_assert_cmpint (count_rows (fixture->archive, "journal"), ==, journal_rows);
  g_assert_cmpint (count_rows (fixture->archive, "messages"), ==, messages);
  g_assert_cmpint (count_rows (fixture->archive, "receipts"), ==, receipts);
  semper_archive_check_integrity (fixture->archive, &error);
  g_assert_no_error (error);

  /* Room again: the same step goes through. */
  semper_archive_set_size_limit (fixture->archive, G_GUINT64_CONSTANT (1) << 40, &error);
  g_assert_no_error (error);
  semper_archive_journal_append (fixture->archive, id, 1, "paying", big, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/semper/archive/open/migrate", test_open_migrate);
  ADD ("/semper/archive/open/migrate-indexes", test_open_migrate_indexes);
  ADD ("/semper/archive/open/migrate-fee", test_open_migrate_fee);
  ADD ("/semper/archive/open/too-new", test_open_too_new);
  ADD ("/semper/archive/change-counter", test_change_counter);
  ADD ("/semper/archive/open/not-archive", test_open_not_archive);
  ADD ("/semper/archive/journal/atomic", test_journal_atomic);
  ADD ("/semper/archive/journal/resume", test_journal_resume);
  ADD ("/semper/archive/transaction/nested", test_transaction_nested);
  ADD ("/semper/archive/messages/byte-exact", test_messages_byte_exact);
  ADD ("/semper/archive/records/list", test_records_list);
  ADD ("/semper/archive/search/find", test_search_find);
  ADD ("/semper/archive/search/hostile", test_search_hostile);
  ADD ("/semper/archive/tables/other", test_other_tables);
  ADD ("/semper/archive/audit/verify", test_audit_verify);
#define ADD_TAMPER(path, tamper) \
  g_test_add (path, Fixture, &tamper, fixture_set_up, test_audit_tamper, fixture_tear_down)
  ADD_TAMPER ("/semper/archive/audit/tamper-edit", tamper_edit);
  ADD_TAMPER ("/semper/archive/audit/tamper-edit-rehash", tamper_edit_rehash);
  ADD_TAMPER ("/semper/archive/audit/tamper-delete", tamper_delete);
  ADD_TAMPER ("/semper/archive/audit/tamper-reorder", tamper_reorder);
  ADD_TAMPER ("/semper/archive/audit/tamper-truncate", tamper_truncate);
  ADD ("/semper/archive/durability/kill-9", test_crash_kill9);
  ADD ("/semper/archive/durability/disk-full", test_disk_full);

#undef ADD
#undef ADD_TAMPER

  return g_test_run ();
}
