/* semper-obligations.h: the dates that matter, taken from the documents of
 * the archive's receipts and contracts (docs/obligations.md).
 *
 * A record's text holds the semper documents its exchange signed (the order
 * and the fair-exchange document of a purchase, the contract of a contract
 * signing), verified when the exchange archived them. Their date fields say
 * what is due when: Delivery-Date, Deadline, Due-Date, Expires, Valid-Until,
 * and any field named *-Deadline or *-Until (a withdrawal or refund
 * deadline).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"

G_BEGIN_DECLS

typedef enum {
  SEMPER_OBLIGATION_DELIVERY,    /* Delivery-Date */
  SEMPER_OBLIGATION_DEADLINE,    /* Deadline, other *-Deadline / *-Until */
  SEMPER_OBLIGATION_PAYMENT_DUE, /* Due-Date */
  SEMPER_OBLIGATION_EXPIRES,     /* Expires */
  SEMPER_OBLIGATION_ENDS,        /* Valid-Until: a subscription or contract ends */
  SEMPER_OBLIGATION_WITHDRAWAL,  /* *-Until / *-Deadline naming a withdrawal */
  SEMPER_OBLIGATION_REFUND,      /* *-Until / *-Deadline naming a refund or return */
} SemperObligationKind;

typedef struct {
  SemperArchiveRecordKind  record_kind;
  gint64                   record_id;
  char                    *counterparty;
  char                    *title;         /* (nullable) the record's or the document's title */
  char                    *field;         /* the header field it came from */
  SemperObligationKind     kind;
  gint64                   when;          /* unix seconds, UTC */
} SemperObligation;

void        semper_obligation_free           (SemperObligation     *obligation);
/* (transfer none): a short, translated name: "Delivery", "Refund deadline", … */
const char *semper_obligation_kind_describe  (SemperObligationKind  kind);
/* A stable id for one obligation (for a notification, say). (transfer full) */
char       *semper_obligation_dup_id         (const SemperObligation *obligation);

/* How far back a date still shows (as overdue), and how many of the newest
 * records of each kind are read. */
#define SEMPER_OBLIGATIONS_OVERDUE_DAYS 7
#define SEMPER_OBLIGATIONS_MAX_RECORDS  5000

/* Returns (transfer full) (element-type SemperObligation): every date at or
 * after @now minus SEMPER_OBLIGATIONS_OVERDUE_DAYS, soonest first, from the
 * records that are not aborted. Reads the archive: may take a while with a
 * large one, call it from a worker thread in a GUI. */
GPtrArray  *semper_obligations_collect       (SemperArchive        *archive,
                                              gint64                now,
                                              GError              **error);
/* TRUE when @obligation is due within @days of @now and not more than a
 * day past. */
gboolean    semper_obligation_is_due_soon    (const SemperObligation *obligation,
                                              gint64                  now,
                                              guint                   days);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperObligation, semper_obligation_free)

G_END_DECLS
