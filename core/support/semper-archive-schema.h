/* semper-archive-schema.h: the archive's migrations, one per schema version.
 *
 * Migration N takes a database from user_version N-1 to N. Each runs in one
 * transaction together with the user_version bump. Never edit a migration
 * that has shipped: add the next one. Times are unix seconds (UTC), amounts
 * integer minor units with an ISO 4217 code. See docs/archive.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

static const char * const semper_archive_migrations[] = {
  /* 1: the initial schema */
  "CREATE TABLE exchanges ("
  "  id        TEXT PRIMARY KEY NOT NULL CHECK (length (id) BETWEEN 1 AND 128),"
  "  protocol  TEXT NOT NULL,"
  "  role      TEXT NOT NULL,"
  "  peer      TEXT,"
  "  state     TEXT NOT NULL,"
  "  finished  INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),"
  "  created   INTEGER NOT NULL,"
  "  updated   INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX exchanges_unfinished ON exchanges (finished, updated);"

  "CREATE TABLE journal ("
  "  id          INTEGER PRIMARY KEY,"
  "  exchange_id TEXT NOT NULL REFERENCES exchanges (id),"
  "  step        INTEGER NOT NULL CHECK (step >= 0),"
  "  state       TEXT NOT NULL,"
  "  outgoing    BLOB,"
  "  time        INTEGER NOT NULL,"
  "  UNIQUE (exchange_id, step)"
  ") STRICT;"

  "CREATE TABLE messages ("
  "  id           INTEGER PRIMARY KEY,"
  "  exchange_id  TEXT REFERENCES exchanges (id),"
  "  direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
  "  content_type TEXT NOT NULL,"
  "  sha256       TEXT NOT NULL CHECK (length (sha256) = 64),"
  "  size         INTEGER NOT NULL,"
  "  body         BLOB NOT NULL,"
  "  time         INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX messages_exchange ON messages (exchange_id);"
  "CREATE INDEX messages_sha256 ON messages (sha256);"

  "CREATE TABLE receipts ("
  "  id             INTEGER PRIMARY KEY,"
  "  exchange_id    TEXT REFERENCES exchanges (id),"
  "  merchant       TEXT NOT NULL,"
  "  title          TEXT,"
  "  amount         INTEGER NOT NULL,"
  "  currency       TEXT NOT NULL CHECK (length (currency) = 3),"
  "  payment_system TEXT,"
  "  state          TEXT NOT NULL,"
  "  time           INTEGER NOT NULL,"
  "  text           TEXT NOT NULL DEFAULT '',"
  "  labels         TEXT NOT NULL DEFAULT '',"
  "  note           TEXT NOT NULL DEFAULT '',"
  "  message_id     INTEGER REFERENCES messages (id)"
  ") STRICT;"
  "CREATE INDEX receipts_time ON receipts (time);"
  "CREATE INDEX receipts_merchant ON receipts (merchant, time);"

  "CREATE TABLE contracts ("
  "  id             INTEGER PRIMARY KEY,"
  "  exchange_id    TEXT REFERENCES exchanges (id),"
  "  peer           TEXT NOT NULL,"
  "  title          TEXT,"
  "  amount         INTEGER,"
  "  currency       TEXT CHECK (currency IS NULL OR length (currency) = 3),"
  "  payment_system TEXT,"
  "  state          TEXT NOT NULL,"
  "  time           INTEGER NOT NULL,"
  "  text           TEXT NOT NULL DEFAULT '',"
  "  labels         TEXT NOT NULL DEFAULT '',"
  "  note           TEXT NOT NULL DEFAULT '',"
  "  message_id     INTEGER REFERENCES messages (id),"
  "  CHECK ((amount IS NULL) = (currency IS NULL))"
  ") STRICT;"
  "CREATE INDEX contracts_time ON contracts (time);"
  "CREATE INDEX contracts_peer ON contracts (peer, time);"

  /* External-content FTS5 indexes, kept in step by triggers. */
  "CREATE VIRTUAL TABLE receipts_fts USING fts5 ("
  "  merchant, title, text, labels, note,"
  "  content = 'receipts', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE TRIGGER receipts_fts_ai AFTER INSERT ON receipts BEGIN"
  "  INSERT INTO receipts_fts (rowid, merchant, title, text, labels, note)"
  "  VALUES (new.id, new.merchant, new.title, new.text, new.labels, new.note);"
  "END;"
  "CREATE TRIGGER receipts_fts_ad AFTER DELETE ON receipts BEGIN"
  "  INSERT INTO receipts_fts (receipts_fts, rowid, merchant, title, text, labels, note)"
  "  VALUES ('delete', old.id, old.merchant, old.title, old.text, old.labels, old.note);"
  "END;"
  "CREATE TRIGGER receipts_fts_au AFTER UPDATE ON receipts BEGIN"
  "  INSERT INTO receipts_fts (receipts_fts, rowid, merchant, title, text, labels, note)"
  "  VALUES ('delete', old.id, old.merchant, old.title, old.text, old.labels, old.note);"
  "  INSERT INTO receipts_fts (rowid, merchant, title, text, labels, note)"
  "  VALUES (new.id, new.merchant, new.title, new.text, new.labels, new.note);"
  "END;"

  "CREATE VIRTUAL TABLE contracts_fts USING fts5 ("
  "  peer, title, text, labels, note,"
  "  content = 'contracts', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE TRIGGER contracts_fts_ai AFTER INSERT ON contracts BEGIN"
  "  INSERT INTO contracts_fts (rowid, peer, title, text, labels, note)"
  "  VALUES (new.id, new.peer, new.title, new.text, new.labels, new.note);"
  "END;"
  "CREATE TRIGGER contracts_fts_ad AFTER DELETE ON contracts BEGIN"
  "  INSERT INTO contracts_fts (contracts_fts, rowid, peer, title, text, labels, note)"
  "  VALUES ('delete', old.id, old.peer, old.title, old.text, old.labels, old.note);"
  "END;"
  "CREATE TRIGGER contracts_fts_au AFTER UPDATE ON contracts BEGIN"
  "  INSERT INTO contracts_fts (contracts_fts, rowid, peer, title, text, labels, note)"
  "  VALUES ('delete', old.id, old.peer, old.title, old.text, old.labels, old.note);"
  "  INSERT INTO contracts_fts (rowid, peer, title, text, labels, note)"
  "  VALUES (new.id, new.peer, new.title, new.text, new.labels, new.note);"
  "END;"

  "CREATE TABLE credentials ("
  "  id       INTEGER PRIMARY KEY,"
  "  kind     TEXT NOT NULL,"
  "  issuer   TEXT NOT NULL,"
  "  state    TEXT NOT NULL,"
  "  body     BLOB NOT NULL,"
  "  created  INTEGER NOT NULL,"
  "  updated  INTEGER NOT NULL"
  ") STRICT;"

  "CREATE TABLE coins ("
  "  id             INTEGER PRIMARY KEY,"
  "  payment_system TEXT NOT NULL,"
  "  serial         TEXT NOT NULL,"
  "  amount         INTEGER NOT NULL CHECK (amount > 0),"
  "  currency       TEXT NOT NULL CHECK (length (currency) = 3),"
  "  state          TEXT NOT NULL,"
  "  body           BLOB NOT NULL,"
  "  created        INTEGER NOT NULL,"
  "  updated        INTEGER NOT NULL,"
  "  UNIQUE (payment_system, serial)"
  ") STRICT;"
  "CREATE INDEX coins_state ON coins (payment_system, state);"

  "CREATE TABLE disputes ("
  "  id          INTEGER PRIMARY KEY,"
  "  exchange_id TEXT REFERENCES exchanges (id),"
  "  receipt_id  INTEGER REFERENCES receipts (id),"
  "  claim       TEXT NOT NULL,"
  "  state       TEXT NOT NULL,"
  "  labels      TEXT NOT NULL DEFAULT '',"
  "  note        TEXT NOT NULL DEFAULT '',"
  "  created     INTEGER NOT NULL,"
  "  updated     INTEGER NOT NULL"
  ") STRICT;"

  "CREATE TABLE preferences ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") STRICT;"

  /* The audit log: append-only, each row chained to the one before it. */
  "CREATE TABLE audit ("
  "  id        INTEGER PRIMARY KEY,"
  "  time      INTEGER NOT NULL,"
  "  kind      TEXT NOT NULL,"
  "  detail    TEXT NOT NULL,"
  "  prev_hash TEXT NOT NULL CHECK (length (prev_hash) = 64),"
  "  hash      TEXT NOT NULL CHECK (length (hash) = 64)"
  ") STRICT;"
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
  "  SELECT RAISE (ABORT, 'the audit log is append-only');"
  "END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
  "  SELECT RAISE (ABORT, 'the audit log is append-only');"
  "END;"
  /* The head: the last row and its hash, written with every append, so that
   * cutting rows off the end is noticed too. */
  "CREATE TABLE audit_head ("
  "  one     INTEGER PRIMARY KEY CHECK (one = 1),"
  "  last_id INTEGER NOT NULL,"
  "  hash    TEXT NOT NULL"
  ") STRICT;",

  /* 2: indexes for the browsers' filter choices, so that the distinct
   * payment systems and states of 100 000 receipts are a few index lookups
   * (semper_archive_record_dup_values), not a scan of every row */
  "CREATE INDEX receipts_system ON receipts (payment_system);"
  "CREATE INDEX receipts_state ON receipts (state);"
  "CREATE INDEX contracts_system ON contracts (payment_system);"
  "CREATE INDEX contracts_state ON contracts (state);",

  /* 3: the fee the payment system reported for a receipt's payment (minor
   * units of the record's currency); NULL when not known (receipts from
   * before this migration, contracts) */
  "ALTER TABLE receipts ADD COLUMN fee INTEGER CHECK (fee IS NULL OR fee >= 0);"
  "ALTER TABLE contracts ADD COLUMN fee INTEGER CHECK (fee IS NULL OR fee >= 0);",
};
