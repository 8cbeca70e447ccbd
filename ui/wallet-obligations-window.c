/* wallet-obligations-window.c: the upcoming dates from signed documents
 *
 * Deliveries, deadlines, payments due, expiries and ends of contracts and
 * subscriptions, and withdrawal or refund deadlines, taken from the
 * documents of the archive's receipts and contracts
 * (semper_obligations_collect(), read in a worker thread): the ones due
 * within a week (or overdue by up to a week) first, then the later ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-obligations-window.h"

#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-obligations.h"
#include "wallet-obligations.h"

#define SOON_DAYS 7

struct _WalletObligationsWindow
{
  AdwWindow            parent_instance;

  SemperArchive       *archive;
  gint64               now;
  gboolean             loading;
  guint                n_shown;
  GCancellable        *cancellable;

  GtkStack            *stack;
  AdwPreferencesPage  *page;
  AdwPreferencesGroup *soon_group;
  AdwPreferencesGroup *later_group;
  AdwStatusPage       *empty_page;
};

G_DEFINE_FINAL_TYPE (WalletObligationsWindow, wallet_obligations_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
obligation_row_new (const SemperObligation *o,
                    gint64                  now)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (o->when);
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%A %x, %H:%M")
                                       : g_strdup ("");
  g_autofree char *relative = wallet_obligations_format_relative (o->when, now);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *title_markup = NULL;
  GtkWidget *when_label = gtk_label_new (relative);

  /* Translators: a row's title: what is due, and for which receipt or contract */
  title = g_strdup_printf (_("%s · %s"), semper_obligation_kind_describe (o->kind),
                           o->title != NULL ? o->title : o->field);
  title_markup = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_markup);
  /* Translators: a row's subtitle: the merchant or peer, the document's field and the date */
  subtitle = g_strdup_printf (_("%s · %s (%s) · %s"),
                              o->record_kind == SEMPER_ARCHIVE_RECEIPTS ? _("Receipt")
                                                                        : _("Contract"),
                              o->counterparty, o->field, date);
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle, -1);

    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  }
  gtk_widget_add_css_class (when_label, o->when < now ? "error" : "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), when_label);
  return row;
}

static void
show (WalletObligationsWindow *self,
      GPtrArray               *list)
{
  guint n_soon = 0;
  guint n_later = 0;

  for (guint i = 0; i < list->len; i++)
    {
      const SemperObligation *o = g_ptr_array_index (list, i);
      GtkWidget *row = obligation_row_new (o, self->now);

      if (o->when <= self->now + SOON_DAYS * 24 * 60 * 60)
        {
          adw_preferences_group_add (self->soon_group, row);
          n_soon++;
        }
      else
        {
          adw_preferences_group_add (self->later_group, row);
          n_later++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->soon_group), n_soon > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->later_group), n_later > 0);
  self->n_shown = n_soon + n_later;
  gtk_stack_set_visible_child_name (self->stack, self->n_shown > 0 ? "list" : "empty");
}

typedef struct {
  SemperArchive *archive;
  gint64         now;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->archive);
  g_free (job);
}

static void
collect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  GPtrArray *list = semper_obligations_collect (job->archive, job->now, &error);

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
  WalletObligationsWindow *self = WALLET_OBLIGATIONS_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->archive == NULL)
    return;
  if (list == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("The Dates Cannot Be Read"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    show (self, list);
  self->loading = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
wallet_obligations_window_dispose (GObject *object)
{
  WalletObligationsWindow *self = WALLET_OBLIGATIONS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->archive);

  G_OBJECT_CLASS (wallet_obligations_window_parent_class)->dispose (object);
}

static void
wallet_obligations_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  WalletObligationsWindow *self = WALLET_OBLIGATIONS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_obligations_window_class_init (WalletObligationsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wallet_obligations_window_dispose;
  object_class->get_property = wallet_obligations_window_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wallet_obligations_window_init (WalletObligationsWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Upcoming Dates"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 560);

  gtk_box_append (GTK_BOX (box), header);
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_stack_add_named (self->stack, spinner, "loading");

  self->page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  self->soon_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->soon_group, _("This Week"));
  adw_preferences_group_set_description (self->soon_group,
                                         _("Due within seven days, or overdue"));
  adw_preferences_page_add (self->page, self->soon_group);
  self->later_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->later_group, _("Later"));
  adw_preferences_page_add (self->page, self->later_group);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->page), "list");

  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "x-office-calendar-symbolic");
  adw_status_page_set_title (self->empty_page, _("No Upcoming Dates"));
  adw_status_page_set_description (self->empty_page,
                                   _("Deliveries, deadlines, payments due and the ends of "
                                     "contracts and subscriptions appear here once a signed "
                                     "receipt or contract names them."));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_page), "empty");

  adw_window_set_content (ADW_WINDOW (self), box);
}

/**
 * wallet_obligations_window_new:
 * @parent: (nullable): the window to be transient for
 * @archive: the profile's archive
 * @now: unix seconds, or 0 for the current time
 *
 * Returns: (transfer full): a window that reads the dates from @archive
 */
WalletObligationsWindow *
wallet_obligations_window_new (GtkWindow     *parent,
                               SemperArchive *archive,
                               gint64         now)
{
  WalletObligationsWindow *self;
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);

  self = g_object_new (WALLET_TYPE_OBLIGATIONS_WINDOW, "transient-for", parent, NULL);
  self->archive = g_object_ref (archive);
  self->now = now != 0 ? now : g_get_real_time () / G_USEC_PER_SEC;
  self->loading = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "loading");

  job = g_new0 (Job, 1);
  job->archive = g_object_ref (archive);
  job->now = self->now;
  task = g_task_new (self, self->cancellable, collected_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, collect_thread);
  return self;
}

gboolean
wallet_obligations_window_get_loading (WalletObligationsWindow *self)
{
  g_return_val_if_fail (WALLET_IS_OBLIGATIONS_WINDOW (self), FALSE);

  return self->loading;
}

guint
wallet_obligations_window_get_n_shown (WalletObligationsWindow *self)
{
  g_return_val_if_fail (WALLET_IS_OBLIGATIONS_WINDOW (self), 0);

  return self->n_shown;
}
