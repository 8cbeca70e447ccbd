/* semper-archive.h: the profile's one durable store (SQLite).
 *
 * DESIGN.md §6 and rule 3: exchanges and their journal, every raw message,
 * receipts, contracts, credentials, coins, disputes, preferences and a
 * hash-chained audit log. See docs/archive.md for the schema and the
 * durability choices. Times are unix seconds, UTC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_ARCHIVE_ERROR (semper_archive_error_quark ())

typedef enum {
  SEMPER_ARCHIVE_ERROR_FAILED,     /* any other SQLite or I/O failure */
  SEMPER_ARCHIVE_ERROR_CORRUPT,    /* not a Semper archive, damaged, or the audit chain broke */
  SEMPER_ARCHIVE_ERROR_TOO_NEW,    /* written by a newer program: refuse rather than guess */
  SEMPER_ARCHIVE_ERROR_NOT_FOUND,  /* no row with that id */
  SEMPER_ARCHIVE_ERROR_CONSTRAINT, /* duplicate, missing reference or invalid value */
  SEMPER_ARCHIVE_ERROR_FULL,       /* disk (or size limit) full; the transaction was rolled back */
  SEMPER_ARCHIVE_ERROR_BUSY,       /* another connection holds the lock past the busy timeout */
  SEMPER_ARCHIVE_ERROR_INVALID,    /* bad argument value from the caller */
} SemperArchiveError;

GQuark semper_archive_error_quark (void);

/* The schema version this build creates and understands. */
#define SEMPER_ARCHIVE_SCHEMA_VERSION 3

typedef enum {
  SEMPER_MESSAGE_IN,   /* received from a peer */
  SEMPER_MESSAGE_OUT,  /* sent to a peer */
} SemperMessageDirection;

#define SEMPER_TYPE_ARCHIVE (semper_archive_get_type ())
G_DECLARE_FINAL_TYPE (SemperArchive, semper_archive, SEMPER, ARCHIVE, GObject)

/* Returns: (transfer full) (nullable): the archive, or NULL with @error set. */
SemperArchive *semper_archive_open               (const char     *path,
                                                  GError        **error);
const char    *semper_archive_get_path           (SemperArchive  *self);
int            semper_archive_get_schema_version (SemperArchive  *self);
guint64        semper_archive_get_change_counter (SemperArchive  *self);
gboolean       semper_archive_check_integrity    (SemperArchive  *self,
                                                  GError        **error);
gboolean       semper_archive_set_size_limit     (SemperArchive  *self,
                                                  guint64         max_bytes,
                                                  GError        **error);

/* Transactions. Nested calls become savepoints. */
typedef gboolean (*SemperArchiveTxFunc) (SemperArchive  *archive,
                                         gpointer        user_data,
                                         GError        **error);

gboolean       semper_archive_begin              (SemperArchive  *self,
                                                  GError        **error);
gboolean       semper_archive_commit             (SemperArchive  *self,
                                                  GError        **error);
void           semper_archive_rollback           (SemperArchive  *self);
gboolean       semper_archive_run_in_transaction (SemperArchive        *self,
                                                  SemperArchiveTxFunc   func,
                                                  gpointer              user_data,
                                                  GError              **error);

/* Exchanges and the protocol journal (DESIGN.md rule 3).
 * exchange_create: @id and @peer (nullable); returns (transfer full) the id.
 * exchange_get: (transfer full). journal_append: @outgoing (nullable); state and message in
 * one transaction. journal_list, exchange_list_unfinished: (transfer full) (element-type
 * SemperArchiveJournalEntry / SemperArchiveExchange). */
typedef struct {
  char   *id;
  char   *protocol;
  char   *role;
  char   *peer;       /* (nullable) */
  char   *state;
  gboolean finished;
  gint64  created;
  gint64  updated;
  gint64  last_step;  /* -1 when nothing was journaled yet */
} SemperArchiveExchange;

typedef struct {
  gint64  id;
  char   *exchange_id;
  gint64  step;
  char   *state;
  GBytes *outgoing;   /* (nullable): the message that was about to be sent */
  gint64  time;
} SemperArchiveJournalEntry;

void semper_archive_exchange_free      (SemperArchiveExchange     *exchange);
void semper_archive_journal_entry_free (SemperArchiveJournalEntry *entry);

char      *semper_archive_exchange_create       (SemperArchive  *self,
                                                 const char     *id,
                                                 const char     *protocol,
                                                 const char     *role,
                                                 const char     *peer,
                                                 const char     *state,
                                                 GError        **error);
SemperArchiveExchange *semper_archive_exchange_get (SemperArchive  *self,
                                                    const char     *id,
                                                    GError        **error);
gboolean   semper_archive_journal_append        (SemperArchive  *self,
                                                 const char     *exchange_id,
                                                 gint64          step,
                                                 const char     *new_state,
                                                 GBytes         *outgoing,
                                                 GError        **error);
gboolean   semper_archive_exchange_finish       (SemperArchive  *self,
                                                 const char     *exchange_id,
                                                 const char     *final_state,
                                                 GError        **error);
GPtrArray *semper_archive_journal_list          (SemperArchive  *self,
                                                 const char     *exchange_id,
                                                 GError        **error);
GPtrArray *semper_archive_exchange_list_unfinished (SemperArchive  *self,
                                                    GError        **error);

/* Raw messages: every message sent and received, bytes unchanged (rule 4).
 * message_store: @exchange_id (nullable); returns the row id, 0 on error.
 * message_get: (transfer full); @out_content_type (out) (optional) (transfer full). */
gint64     semper_archive_message_store         (SemperArchive          *self,
                                                 SemperMessageDirection  direction,
                                                 const char             *exchange_id,
                                                 const char             *content_type,
                                                 GBytes                 *raw,
                                                 GError                **error);
GBytes    *semper_archive_message_get           (SemperArchive  *self,
                                                 gint64          id,
                                                 char          **out_content_type,
                                                 GError        **error);

/* message_list: the raw messages of one exchange (@exchange_id; NULL: those
 * of no exchange), optionally of one @content_type, oldest first, each
 * checked against its SHA-256. (transfer full) (element-type SemperArchiveMessage) */
typedef struct {
  gint64                  id;
  char                   *exchange_id;   /* (nullable) */
  SemperMessageDirection  direction;
  char                   *content_type;
  GBytes                 *body;
  gint64                  time;          /* when it was archived */
} SemperArchiveMessage;

void       semper_archive_message_free          (SemperArchiveMessage   *message);
GPtrArray *semper_archive_message_list          (SemperArchive          *self,
                                                 const char             *exchange_id,
                                                 const char             *content_type,
                                                 GError                **error);

/* Receipts and contracts share one record shape. For a receipt, @counterparty is
 * the merchant and @payment_system is set; for a contract it is the peer and
 * @amount may be absent (amount.currency[0] == '\0'). */
typedef struct {
  gint64        id;
  char         *exchange_id;     /* (nullable) */
  char         *counterparty;
  char         *title;           /* (nullable) */
  SemperAmount  amount;
  char         *payment_system;  /* (nullable) */
  char         *state;
  gint64        time;
  char         *text;            /* searchable text, e.g. the document body */
  char         *labels;          /* (nullable) user labels, space or comma separated */
  char         *note;            /* (nullable) user note */
  gint64        message_id;      /* 0 when none: the raw signed message */
  SemperAmount  fee;             /* the payment system's fee, in @amount's currency;
                                  * fee.currency[0] == '\0' when not known */
} SemperArchiveRecord;

typedef enum {
  SEMPER_ARCHIVE_RECEIPTS,
  SEMPER_ARCHIVE_CONTRACTS,
} SemperArchiveRecordKind;

void semper_archive_record_free (SemperArchiveRecord *record);

/* record_insert returns the row id, 0 on error. record_get, record_list: (transfer full).
 * record_list: @counterparty, @state (nullable), @since unix seconds (0: all), newest first.
 * record_search: (transfer full) GArray of gint64 ids, best first; any @text is safe.
 * set_labels: @labels, @note (nullable: keep). fts_query_from_text: (transfer full). */

gint64     semper_archive_record_insert         (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 const SemperArchiveRecord *record,
                                                 GError                   **error);
SemperArchiveRecord *semper_archive_record_get  (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 gint64                     id,
                                                 GError                   **error);
GPtrArray *semper_archive_record_list           (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 gint64                     since,
                                                 const char                *counterparty,
                                                 const char                *state,
                                                 GError                   **error);
GArray    *semper_archive_record_search         (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 const char                *text,
                                                 guint                      limit,
                                                 GError                   **error);
gboolean   semper_archive_record_set_state      (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 gint64                     id,
                                                 const char                *state,
                                                 GError                   **error);
gboolean   semper_archive_record_set_labels     (SemperArchive             *self,
                                                 SemperArchiveRecordKind    kind,
                                                 gint64                     id,
                                                 const char                *labels,
                                                 const char                *note,
                                                 GError                   **error);
char      *semper_archive_fts_query_from_text   (const char                *text);

/* A filtered, sorted listing of record ids, for browsers over large archives
 * (only ids: rows are read when shown). Every field is optional: NULL text
 * fields, 0 times and FALSE has_* flags do not filter. */
typedef enum {
  SEMPER_ARCHIVE_SORT_NEWEST,
  SEMPER_ARCHIVE_SORT_OLDEST,
  SEMPER_ARCHIVE_SORT_AMOUNT_HIGH,
  SEMPER_ARCHIVE_SORT_AMOUNT_LOW,
  SEMPER_ARCHIVE_SORT_COUNTERPARTY,
  SEMPER_ARCHIVE_SORT_RELEVANCE,     /* BM25 with @text; newest first without */
} SemperArchiveSort;

typedef struct {
  const char        *text;            /* free text, as record_search takes it */
  const char        *counterparty;
  const char        *payment_system;
  const char        *state;
  const char        *currency;        /* with the amount bounds: ISO 4217 */
  gint64             since;           /* unix seconds, inclusive; 0: open */
  gint64             until;           /* unix seconds, inclusive; 0: open */
  gboolean           has_min_amount;
  gint64             min_amount;      /* minor units, inclusive */
  gboolean           has_max_amount;
  gint64             max_amount;      /* minor units, inclusive */
  SemperArchiveSort  sort;
} SemperArchiveRecordQuery;

/* record_query: (transfer full) GArray of gint64 ids in @query->sort order.
 * record_dup_values: (transfer full) the distinct values of @field
 * ("counterparty", "payment_system", "state" or "currency"), sorted. */
GArray    *semper_archive_record_query          (SemperArchive                  *self,
                                                 SemperArchiveRecordKind         kind,
                                                 const SemperArchiveRecordQuery *query,
                                                 GError                        **error);
GStrv      semper_archive_record_dup_values     (SemperArchive                  *self,
                                                 SemperArchiveRecordKind         kind,
                                                 const char                     *field,
                                                 GError                        **error);

/* Credentials, coins and disputes. Inserts return the row id (0 on error); lists are
 * (transfer full) (element-type …) and take (nullable) filters. */
typedef struct {
  gint64  id;
  char   *kind;
  char   *issuer;
  char   *state;
  GBytes *body;      /* credential bytes as issued */
  gint64  created;
  gint64  updated;
} SemperArchiveCredential;

typedef struct {
  gint64        id;
  char         *payment_system;
  char         *serial;  /* unique per payment system */
  SemperAmount  value;
  char         *state;   /* e.g. "fresh", "reserved", "spent" */
  GBytes       *body;    /* coin data; may hold the coin secret (see docs/archive.md) */
  gint64        created;
  gint64        updated;
} SemperArchiveCoin;

typedef struct {
  gint64  id;
  char   *exchange_id;  /* (nullable) */
  gint64  receipt_id;   /* 0 when none */
  char   *claim;
  char   *state;
  char   *labels;       /* (nullable) */
  char   *note;         /* (nullable) */
  gint64  created;
  gint64  updated;
} SemperArchiveDispute;

void semper_archive_credential_free (SemperArchiveCredential *credential);
void semper_archive_coin_free       (SemperArchiveCoin       *coin);
void semper_archive_dispute_free    (SemperArchiveDispute    *dispute);

gint64     semper_archive_credential_insert       (SemperArchive                 *self,
                                                   const SemperArchiveCredential *credential,
                                                   GError                       **error);
GPtrArray *semper_archive_credential_list         (SemperArchive  *self,
                                                   const char     *state,
                                                   GError        **error);
gboolean   semper_archive_credential_set_state    (SemperArchive  *self,
                                                   gint64          id,
                                                   const char     *state,
                                                   GError        **error);
gint64     semper_archive_coin_insert             (SemperArchive           *self,
                                                   const SemperArchiveCoin *coin,
                                                   GError                 **error);
GPtrArray *semper_archive_coin_list               (SemperArchive  *self,
                                                   const char     *payment_system,
                                                   const char     *state,
                                                   GError        **error);
gboolean   semper_archive_coin_set_state          (SemperArchive  *self,
                                                   gint64          id,
                                                   const char     *state,
                                                   GError        **error);
gint64     semper_archive_dispute_insert          (SemperArchive              *self,
                                                   const SemperArchiveDispute *dispute,
                                                   GError                    **error);
GPtrArray *semper_archive_dispute_list            (SemperArchive  *self,
                                                   const char     *state,
                                                   GError        **error);
gboolean   semper_archive_dispute_set_state       (SemperArchive  *self,
                                                   gint64          id,
                                                   const char     *state,
                                                   GError        **error);
gboolean   semper_archive_dispute_set_labels      (SemperArchive  *self,
                                                   gint64          id,
                                                   const char     *labels,
                                                   const char     *note,
                                                   GError        **error);

/* Preferences: a small key/value table; SemperPrefs gives it meaning.
 * pref_get: (transfer full) (nullable), NULL without error when unset.
 * pref_set: @value (nullable): NULL removes the key. */
char       *semper_archive_pref_get               (SemperArchive  *self,
                                                   const char     *key,
                                                   GError        **error);
gboolean    semper_archive_pref_set               (SemperArchive  *self,
                                                   const char     *key,
                                                   const char     *value,
                                                   GError        **error);

/* The append-only, hash-chained audit log (docs/archive.md).
 * audit_append: @detail (nullable); returns the row id, 0 on error.
 * audit_verify: @out_bad_row (out) (optional): the first row that breaks the chain.
 * audit_dup_head: (transfer full) hex SHA-256 of the last row; @out_last_row (optional). */
gint64      semper_archive_audit_append           (SemperArchive  *self,
                                                   const char     *kind,
                                                   const char     *detail,
                                                   GError        **error);
gboolean    semper_archive_audit_verify           (SemperArchive  *self,
                                                   gint64         *out_bad_row,
                                                   GError        **error);
char       *semper_archive_audit_dup_head         (SemperArchive  *self,
                                                   gint64         *out_last_row,
                                                   GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveExchange, semper_archive_exchange_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveJournalEntry, semper_archive_journal_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveRecord, semper_archive_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveMessage, semper_archive_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveCredential, semper_archive_credential_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveCoin, semper_archive_coin_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperArchiveDispute, semper_archive_dispute_free)

G_END_DECLS
