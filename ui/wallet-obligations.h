/* wallet-obligations.h: reminders of upcoming dates, and the app.obligations
 * action that shows them (WalletObligationsWindow).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "semper-obligations.h"

G_BEGIN_DECLS

/* A date within this many days (or a day past) gets a reminder. */
#define WALLET_OBLIGATIONS_REMIND_DAYS 3
/* At most this many reminders at a time. */
#define WALLET_OBLIGATIONS_MAX_REMINDERS 3

/* Installs app.obligations on @app (a WalletApplication) and, each time its
 * profile is set, reads the archive off the main thread and sends a
 * GNotification for every date due soon. */
void           wallet_obligations_attach           (GtkApplication         *app);
/* "today", "tomorrow", "in 3 days", "2 days ago" (transfer full) */
char          *wallet_obligations_format_relative  (gint64                  when,
                                                    gint64                  now);
/* The reminder's title and text. (out) (transfer full) both */
void           wallet_obligation_reminder_text     (const SemperObligation *obligation,
                                                    gint64                  now,
                                                    char                  **out_title,
                                                    char                  **out_body);
/* (transfer full): the reminder for @obligation. */
GNotification *wallet_obligation_notification_new (const SemperObligation *obligation,
                                                    gint64                  now);
/* Returns (transfer container) (element-type SemperObligation): those of
 * @obligations that get a reminder at @now, at most
 * WALLET_OBLIGATIONS_MAX_REMINDERS, soonest first. */
GPtrArray     *wallet_obligations_due_soon         (GPtrArray              *obligations,
                                                    gint64                  now);

G_END_DECLS
