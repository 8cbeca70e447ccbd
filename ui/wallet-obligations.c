/* wallet-obligations.c: reminders of upcoming dates, and app.obligations
 *
 * The dates come from semper_obligations_collect() (the documents of the
 * archive's receipts and contracts). When the profile opens, the archive is
 * read in a worker thread and every date due within
 * WALLET_OBLIGATIONS_REMIND_DAYS gets a GNotification; its id names the
 * record, the field and the date, so a second start replaces rather than
 * repeats it. The archive is read again every six hours while the wallet runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-obligations.h"

#include <glib/gi18n.h>

#include "semper-profile.h"
#include "wallet-application.h"
#include "wallet-obligations-window.h"

#define DAY (24 * 60 * 60)
/* While the wallet runs, the dates are read again this often. */
#define RECHECK_SECONDS (6 * 60 * 60)

char *
wallet_obligations_format_relative (gint64 when,
                                    gint64 now)
{
  g_autoptr(GDateTime) w = g_date_time_new_from_unix_local (when);
  g_autoptr(GDateTime) n = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) wd = NULL;
  g_autoptr(GDateTime) nd = NULL;
  GTimeSpan diff;
  gint64 days;

  if (w == NULL || n == NULL)
    return g_strdup ("");
  /* Calendar days, in the user's time zone. */
  wd = g_date_time_new_local (g_date_time_get_year (w), g_date_time_get_month (w),
                              g_date_time_get_day_of_month (w), 0, 0, 0);
  nd = g_date_time_new_local (g_date_time_get_year (n), g_date_time_get_month (n),
                              g_date_time_get_day_of_month (n), 0, 0, 0);
  /* Between two midnights: whole days, give or take a summer-time hour. */
  diff = g_date_time_difference (wd, nd);
  days = diff >= 0 ? (diff + G_TIME_SPAN_HOUR * 12) / G_TIME_SPAN_DAY
                   : -((-diff + G_TIME_SPAN_HOUR * 12) / G_TIME_SPAN_DAY);
  if (days == 0)
    return g_strdup (_("today"));
  if (days == 1)
    return g_strdup (_("tomorrow"));
  if (days == -1)
    return g_strdup (_("yesterday"));
  if (days > 0)
    return g_strdup_printf (ngettext ("in %d day", "in %d days", (gulong) days), (int) days);
  return g_strdup_printf (ngettext ("%d day ago", "%d days ago", (gulong) -days), (int) -days);
}

void
wallet_obligation_reminder_text (const SemperObligation  *obligation,
                                 gint64                   now,
                                 char                   **out_title,
                                 char                   **out_body)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (obligation->when);
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%x %H:%M") : g_strdup ("");
  g_autofree char *relative = wallet_obligations_format_relative (obligation->when, now);

  /* Translators: a reminder's title: "Delivery tomorrow", "Refund deadline in 2 days" */
  *out_title = g_strdup_printf (C_("reminder", "%s %s"),
                                semper_obligation_kind_describe (obligation->kind), relative);
  /* Translators: a reminder's text: what (a receipt's title), with whom, and the date */
  *out_body = g_strdup_printf (_("%s, with %s, on %s"),
                               obligation->title != NULL ? obligation->title : obligation->field,
                               obligation->counterparty, date);
}

GNotification *
wallet_obligation_notification_new (const SemperObligation *obligation,
                                    gint64                  now)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GNotification *notification;

  wallet_obligation_reminder_text (obligation, now, &title, &body);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action (notification, "app.obligations");
  return notification;
}

GPtrArray *
wallet_obligations_due_soon (GPtrArray *obligations,
                             gint64     now)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < obligations->len && out->len < WALLET_OBLIGATIONS_MAX_REMINDERS; i++)
    {
      SemperObligation *o = g_ptr_array_index (obligations, i);

      if (semper_obligation_is_due_soon (o, now, WALLET_OBLIGATIONS_REMIND_DAYS))
        g_ptr_array_add (out, o);
    }
  return out;
}

/* ---- the application's side ------------------------------------------------------ */

static void
collect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = semper_obligations_collect (task_data, g_get_real_time () / G_USEC_PER_SEC,
                                                &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
collected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GApplication *app = G_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) due = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (list == NULL)
    {
      g_debug ("No reminders: %s", error->message);
      return;
    }
  due = wallet_obligations_due_soon (list, now);
  for (guint i = 0; i < due->len; i++)
    {
      const SemperObligation *o = g_ptr_array_index (due, i);
      g_autoptr(GNotification) notification = wallet_obligation_notification_new (o, now);
      g_autofree char *id = semper_obligation_dup_id (o);

      if (g_application_get_is_registered (app))
        g_application_send_notification (app, id, notification);
    }
}

static void
profile_changed_cb (GtkApplication *app,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  SemperProfile *profile = wallet_application_get_profile (WALLET_APPLICATION (app));
  g_autoptr(GTask) task = NULL;

  if (profile == NULL)
    return;
  task = g_task_new (app, NULL, collected_cb, NULL);
  g_task_set_task_data (task, g_object_ref (semper_profile_get_archive (profile)),
                        g_object_unref);
  g_task_run_in_thread (task, collect_thread);
}

static gboolean
recheck_cb (gpointer user_data)
{
  profile_changed_cb (GTK_APPLICATION (user_data), NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static void
show_obligations_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  SemperProfile *profile = wallet_application_get_profile (WALLET_APPLICATION (app));
  WalletObligationsWindow *window;

  if (profile == NULL)
    return;
  window = wallet_obligations_window_new (gtk_application_get_active_window (app),
                                          semper_profile_get_archive (profile), 0);
  gtk_window_set_application (GTK_WINDOW (window), app);
  gtk_window_present (GTK_WINDOW (window));
}

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

void
wallet_obligations_attach (GtkApplication *app)
{
  guint id;
  const GActionEntry entries[] = {
    { .name = "obligations", .activate = show_obligations_cb },
  };

  g_return_if_fail (WALLET_IS_APPLICATION (app));

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  g_signal_connect (app, "notify::profile", G_CALLBACK (profile_changed_cb), NULL);
  /* A date that comes within reach while the wallet runs gets its reminder too; the
   * timer goes with the application. */
  id = g_timeout_add_seconds_full (G_PRIORITY_LOW, RECHECK_SECONDS, recheck_cb, app, NULL);
  g_object_set_data_full (G_OBJECT (app), "wallet-obligations-recheck", GUINT_TO_POINTER (id),
                          remove_source);
}
