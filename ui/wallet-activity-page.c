/* wallet-activity-page.c: exchanges in progress and recently finished
 *
 * One page type for two places: the Activity page (every exchange; on start
 * it resumes the interrupted ones, visibly) and the top of the Contracts page
 * (contract signings only, with Propose). Each exchange is a row with its
 * state in words and the actions its state allows: accept or decline a
 * proposal (in the trusted display), retry, abort (after saying what that
 * means), resolve with the TTP. The work runs in WalletExchanges' worker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-activity-page.h"

#include <glib/gi18n.h>

#include <string.h>

#include "semper-crypto.h"
#include "semper-protocol-message.h"

struct _WalletActivityPage
{
  AdwBin            parent_instance;

  gboolean          contracts_only;
  WalletExchanges  *exchanges;

  AdwToastOverlay  *toasts;
  GtkStack         *stack;
  GtkWidget        *progress_box;
  GtkSpinner       *spinner;
  GtkLabel         *progress;
  GtkLabel         *resumed;
  GtkWidget        *propose_button;
  GtkWidget        *fetch_button;
  GtkWidget        *resume_button;
  AdwPreferencesGroup *running_group;
  AdwPreferencesGroup *finished_group;
  GPtrArray        *rows;          /* the rows in the two groups */
  GHashTable       *widgets;       /* "id/action" -> widget (borrowed) */

  /* the propose window */
  AdwWindow        *propose_window;
  GFile            *contract_file;
  GFile            *cert_file;
  AdwActionRow     *contract_row;
  AdwActionRow     *cert_row;
  AdwEntryRow      *ttp_entry;
  GtkSpinButton    *days;
  GtkWidget        *propose_confirm;
};

G_DEFINE_FINAL_TYPE (WalletActivityPage, wallet_activity_page, ADW_TYPE_BIN)

static void rebuild (WalletActivityPage *self);

static void
toast (WalletActivityPage *self,
       const char         *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toasts, t);
}

static WalletExchangeItem *
find_item (WalletActivityPage *self,
           const char         *id)
{
  GPtrArray *items = self->exchanges != NULL ? wallet_exchanges_get_items (self->exchanges)
                                             : NULL;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      WalletExchangeItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->id, id))
        return item;
    }
  return NULL;
}

typedef struct {
  WalletActivityPage *page;
  WalletExchangesOp   op;
  char               *id;
} Pending;

static void
pending_free (Pending *p)
{
  g_object_unref (p->page);
  g_free (p->id);
  g_free (p);
}

static void
op_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *p = user_data;
  WalletActivityPage *self = p->page;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = wallet_exchanges_run_finish (WALLET_EXCHANGES (source), result,
                                                          &error);
  g_autofree char *text = NULL;

  if (error != NULL)
    {
      if (g_error_matches (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED))
        text = g_strdup (_("Not signed: you cancelled in the trusted display"));
      else
        text = g_strdup_printf (_("Could not finish: %s"), error->message);
      toast (self, text);
      pending_free (p);
      return;
    }

  switch (p->op)
    {
    case WALLET_EXCHANGES_RESUME_ALL:
      {
        guint n = summary != NULL ? (guint) g_ascii_strtoull (summary, NULL, 10) : 0;

        if (n > 0)
          {
            text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Resumed %u interrupted exchange; its state "
                                                 "is below.",
                                                 "Resumed %u interrupted exchanges; their "
                                                 "states are below.", n), n);
            gtk_label_set_text (self->resumed, text);
            gtk_widget_set_visible (GTK_WIDGET (self->resumed), TRUE);
            toast (self, text);
          }
        break;
      }
    case WALLET_EXCHANGES_FETCH:
      {
        guint n = summary != NULL ? (guint) g_ascii_strtoull (summary, NULL, 10) : 0;

        text = n == 0 ? g_strdup (_("No new proposals"))
                      : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new proposal",
                                                      "%u new proposals", n), n);
        toast (self, text);
        break;
      }
    case WALLET_EXCHANGES_PROPOSE:
      toast (self, _("Contract signed and proposed"));
      break;
    case WALLET_EXCHANGES_ACCEPT:
      toast (self, _("Contract signed and accepted"));
      break;
    case WALLET_EXCHANGES_DECLINE:
      toast (self, _("Proposal declined"));
      break;
    case WALLET_EXCHANGES_SUSPEND:
      toast (self, _("Suspended: it is not retried until you resume it"));
      break;
    case WALLET_EXCHANGES_ABORT:
    case WALLET_EXCHANGES_RESOLVE:
    case WALLET_EXCHANGES_STEP:
    case WALLET_EXCHANGES_RESUME:
      {
        WalletExchangeItem *item = p->id != NULL ? find_item (self, p->id) : NULL;

        if (item != NULL)
          {
            /* Translators: "Purchase: Done" after an action on an exchange */
            text = g_strdup_printf (_("%s: %s"), wallet_exchange_item_kind (item),
                                    wallet_exchange_status_to_string (item->status));
            toast (self, text);
          }
        break;
      }
    case WALLET_EXCHANGES_REFRESH:
    default:
      break;
    }
  pending_free (p);
}

static Pending *
pending_new (WalletActivityPage *self,
             WalletExchangesOp   op,
             const char         *id)
{
  Pending *p = g_new0 (Pending, 1);

  p->page = g_object_ref (self);
  p->op = op;
  p->id = g_strdup (id);
  return p;
}

static void
run (WalletActivityPage *self,
     WalletExchangesOp   op,
     const char         *id)
{
  if (self->exchanges == NULL)
    return;
  wallet_exchanges_run_async (self->exchanges, op, id, NULL, op_done_cb,
                              pending_new (self, op, id));
}

static void
abort_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  WalletActivityPage *self = WALLET_ACTIVITY_PAGE (user_data);
  const char *id = g_object_get_data (G_OBJECT (dialog), "exchange-id");

  if (g_str_equal (response, "abort"))
    run (self, WALLET_EXCHANGES_ABORT, id);
}

/* Says what aborting means for the money, before it happens. */
static void
confirm_abort (WalletActivityPage *self,
               const char         *id)
{
  WalletExchangeItem *item = find_item (self, id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  if (item == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Abort This Exchange?"),
                                                       wallet_exchange_item_abort_means (item)));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Waiting"),
                                    "abort", _("_Abort"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "abort", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "exchange-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (abort_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
row_action_cb (GtkButton          *button,
               WalletActivityPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "exchange-id");
  const char *action = g_object_get_data (G_OBJECT (button), "action");

  if (g_str_equal (action, "accept"))
    run (self, WALLET_EXCHANGES_ACCEPT, id);
  else if (g_str_equal (action, "decline"))
    run (self, WALLET_EXCHANGES_DECLINE, id);
  else if (g_str_equal (action, "retry"))
    run (self, WALLET_EXCHANGES_STEP, id);
  else if (g_str_equal (action, "resolve"))
    run (self, WALLET_EXCHANGES_RESOLVE, id);
  else if (g_str_equal (action, "abort"))
    confirm_abort (self, id);
  else if (g_str_equal (action, "suspend"))
    run (self, WALLET_EXCHANGES_SUSPEND, id);
  else if (g_str_equal (action, "resume"))
    run (self, WALLET_EXCHANGES_RESUME, id);
  else if (g_str_equal (action, "dispute"))
    {
      /* The window opens its Disputes page with the transaction filled in. */
      if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.open-dispute", "s", id))
        toast (self, _("Open the Disputes page to dispute it"));
    }
}

static void
add_button (WalletActivityPage *self,
            AdwActionRow       *row,
            const char         *id,
            const char         *action,
            const char         *label,
            const char         *tooltip,
            const char         *style)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  gtk_widget_set_sensitive (button, !wallet_exchanges_is_busy (self->exchanges));
  g_object_set_data_full (G_OBJECT (button), "exchange-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (button), "action", (gpointer) action);
  g_signal_connect (button, "clicked", G_CALLBACK (row_action_cb), self);
  adw_action_row_add_suffix (row, button);
  g_hash_table_replace (self->widgets, g_strdup_printf ("%s/%s", id, action), button);
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%x %H:%M") : g_strdup ("?");
}

static GtkWidget *
make_row (WalletActivityPage *self,
          WalletExchangeItem *item)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  g_autofree char *what = wallet_exchange_item_describe (item);
  g_autofree char *when = format_time (item->updated);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  GtkWidget *status = gtk_label_new (wallet_exchange_status_to_string (item->status));
  const char *kind = wallet_exchange_item_kind (item);
  gboolean busy = g_strcmp0 (wallet_exchanges_get_busy_id (self->exchanges), item->id) == 0;

  title = item->title != NULL ? g_strdup_printf ("%s: %s", kind, item->title) : g_strdup (kind);
  if (item->last_error != NULL)
    subtitle = g_strdup_printf (_("%s Updated %s.\nLast attempt failed: %s"), what, when,
                                item->last_error);
  else
    subtitle = g_strdup_printf (_("%s Updated %s."), what, when);
  /* Titles and errors come from documents and peers: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  adw_action_row_set_subtitle_lines (row, 4);

  gtk_widget_add_css_class (status, "caption-heading");
  switch (item->status)
    {
    case WALLET_EXCHANGE_DONE:
      gtk_widget_add_css_class (status, "success");
      break;
    case WALLET_EXCHANGE_FAILED:
    case WALLET_EXCHANGE_ABORTED:
      gtk_widget_add_css_class (status, "error");
      break;
    case WALLET_EXCHANGE_NEEDS_YOU:
    case WALLET_EXCHANGE_RESOLVING:
    case WALLET_EXCHANGE_SUSPENDED:
      gtk_widget_add_css_class (status, "warning");
      break;
    default:
      gtk_widget_add_css_class (status, "dim-label");
    }
  adw_action_row_add_prefix (row, status);
  g_hash_table_replace (self->widgets, g_strdup_printf ("%s/status", item->id), status);

  if (busy)
    {
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_spinner_start (GTK_SPINNER (spinner));
      adw_action_row_add_suffix (row, spinner);
    }
  if (wallet_exchange_item_can_accept (item))
    {
      add_button (self, row, item->id, "decline", _("_Decline"),
                  _("Say no: nothing is signed"), NULL);
      add_button (self, row, item->id, "accept", _("_Review and Sign…"),
                  _("Read the contract in the trusted display, and sign it there"),
                  "suggested-action");
    }
  if (wallet_exchange_item_can_retry (item))
    add_button (self, row, item->id, "retry", _("_Retry"),
                _("Send what is due again and look for the answer"), NULL);
  if (wallet_exchange_item_can_resolve (item))
    add_button (self, row, item->id, "resolve", _("Re_solve"),
                _("Ask the TTP to finish the exchange"), NULL);
  if (wallet_exchange_item_can_resume (item))
    add_button (self, row, item->id, "resume", _("Res_ume"),
                _("Lift the suspension and go on with it now"), "suggested-action");
  if (wallet_exchange_item_can_suspend (item))
    add_button (self, row, item->id, "suspend", _("Sus_pend"),
                _("Stop retrying it, also after a restart, until you resume it"), NULL);
  if (wallet_exchange_item_can_abort (item))
    add_button (self, row, item->id, "abort", _("_Abort…"),
                _("Ask the TTP to abort; you are told first what it means"),
                "destructive-action");
  if (wallet_exchange_item_can_dispute (item) && !self->contracts_only)
    add_button (self, row, item->id, "dispute", _("_Dispute…"),
                _("Open a claim on it with the TTP, with the evidence of your archive"), NULL);
  return GTK_WIDGET (row);
}

static void
rebuild (WalletActivityPage *self)
{
  GPtrArray *items = self->exchanges != NULL ? wallet_exchanges_get_items (self->exchanges)
                                             : NULL;
  const char *activity = self->exchanges != NULL
                         ? wallet_exchanges_get_activity (self->exchanges) : NULL;
  guint running = 0;
  guint finished = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_hash_table_remove_all (self->widgets);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      WalletExchangeItem *item = g_ptr_array_index (items, i);
      GtkWidget *row;

      if (self->contracts_only && !g_str_equal (item->protocol, SEMPER_PROTOCOL_ASW))
        continue;
      row = make_row (self, item);
      g_ptr_array_add (self->rows, row);
      if (item->finished)
        {
          adw_preferences_group_add (self->finished_group, row);
          finished++;
        }
      else
        {
          adw_preferences_group_add (self->running_group, row);
          running++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->running_group), running > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->finished_group), finished > 0);
  gtk_stack_set_visible_child_name (self->stack, running + finished > 0 ? "list" : "empty");
  /* Above the Contracts browser, which has its own empty state, nothing shows
   * while no contract is under way. */
  gtk_widget_set_visible (GTK_WIDGET (self->stack),
                          !self->contracts_only || running + finished > 0);

  gtk_widget_set_visible (self->progress_box, activity != NULL);
  gtk_label_set_text (self->progress, activity != NULL ? activity : "");
  if (activity != NULL)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_widget_set_sensitive (self->propose_button, self->exchanges != NULL && activity == NULL);
  gtk_widget_set_sensitive (self->fetch_button, self->exchanges != NULL && activity == NULL);
  gtk_widget_set_sensitive (self->resume_button, self->exchanges != NULL && activity == NULL);
}

static void
fetch_clicked_cb (WalletActivityPage *self)
{
  if (self->exchanges == NULL)
    return;
  wallet_exchanges_fetch_async (self->exchanges, NULL, NULL, op_done_cb,
                                pending_new (self, WALLET_EXCHANGES_FETCH, NULL));
}

static void
resume_clicked_cb (WalletActivityPage *self)
{
  run (self, WALLET_EXCHANGES_RESUME_ALL, NULL);
}

/* ---- the propose window ---- */

static void
update_propose (WalletActivityPage *self)
{
  g_autofree char *contract = self->contract_file != NULL
                              ? g_file_get_basename (self->contract_file) : NULL;
  g_autofree char *cert = self->cert_file != NULL ? g_file_get_basename (self->cert_file)
                                                  : NULL;
  const char *ttp = gtk_editable_get_text (GTK_EDITABLE (self->ttp_entry));

  adw_action_row_set_subtitle (self->contract_row,
                               contract != NULL ? contract : _("No file chosen"));
  adw_action_row_set_subtitle (self->cert_row, cert != NULL ? cert : _("No file chosen"));
  gtk_widget_set_sensitive (self->propose_confirm,
                            contract != NULL && cert != NULL && *ttp != '\0');
}

typedef struct {
  WalletActivityPage *page;
  gboolean            certificate;
} Choose;

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  Choose *c = user_data;
  WalletActivityPage *self = c->page;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (c->certificate)
        g_set_object (&self->cert_file, file);
      else
        g_set_object (&self->contract_file, file);
      g_clear_object (&file);
      update_propose (self);
    }
  g_object_unref (self);
  g_free (c);
  g_object_unref (chooser);
}

static void
choose_file (WalletActivityPage *self,
             gboolean            certificate)
{
  GtkFileChooserNative *chooser;
  Choose *c = g_new0 (Choose, 1);

  /* GtkFileDialog is GTK 4.10; this is 4.8. */
  chooser = gtk_file_chooser_native_new (certificate ? _("Their Certificate")
                                                     : _("Contract Text"),
                                         GTK_WINDOW (self->propose_window),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                         _("_Cancel"));
  c->page = g_object_ref (self);
  c->certificate = certificate;
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), c);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_contract_cb (WalletActivityPage *self)
{
  choose_file (self, FALSE);
}

static void
choose_cert_cb (WalletActivityPage *self)
{
  choose_file (self, TRUE);
}

static GBytes *
load_certificate (GFile   *file,
                  GError **error)
{
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, error);
  const char *data;
  gsize len = 0;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (len > 10 && memcmp (data, "-----BEGIN", 10) == 0)
    {
      g_autofree char *pem = g_strndup (data, len);

      return semper_certificate_from_pem (pem, error);
    }
  return g_steal_pointer (&bytes);
}

static void
propose_confirm_cb (WalletActivityPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *ttp = NULL;
  gint64 deadline;

  if (self->exchanges == NULL || self->contract_file == NULL || self->cert_file == NULL)
    return;
  text = g_file_load_bytes (self->contract_file, NULL, NULL, &error);
  if (text != NULL)
    cert = load_certificate (self->cert_file, &error);
  if (cert == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not read the file: %s"), error->message);

      toast (self, msg);
      return;
    }
  ttp = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ttp_entry))));
  deadline = g_get_real_time () / G_USEC_PER_SEC
             + (gint64) gtk_spin_button_get_value_as_int (self->days) * 24 * 3600;
  gtk_window_close (GTK_WINDOW (self->propose_window));
  wallet_exchanges_propose_async (self->exchanges, text, cert, ttp, deadline, NULL, op_done_cb,
                                  pending_new (self, WALLET_EXCHANGES_PROPOSE, NULL));
}

static GtkWidget *
file_row (AdwActionRow **out,
          const char    *title,
          GCallback      callback,
          gpointer       data)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Choose…"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (button, "clicked", callback, data);
  adw_action_row_add_suffix (row, button);
  adw_action_row_set_activatable_widget (row, button);
  *out = row;
  return GTK_WIDGET (row);
}

static void
propose_window_destroy_cb (WalletActivityPage *self)
{
  self->propose_window = NULL;
}

static void
ensure_propose_window (WalletActivityPage *self)
{
  GtkWidget *box, *group, *header, *days_row, *buttons, *cancel, *note;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *ttp = NULL;

  if (self->propose_window != NULL)
    return;
  self->propose_window = ADW_WINDOW (adw_window_new ());
  gtk_window_set_title (GTK_WINDOW (self->propose_window), _("Propose a Contract"));
  gtk_window_set_modal (GTK_WINDOW (self->propose_window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self->propose_window), 480, -1);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self->propose_window), GTK_WINDOW (root));
  g_signal_connect_swapped (self->propose_window, "destroy",
                            G_CALLBACK (propose_window_destroy_cb), self);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  group = adw_preferences_group_new ();
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
    _("You sign the text in the trusted display first; then it goes to the other side "
      "through the TTP, who can settle it if either of you stops halfway."));
  gtk_widget_set_margin_start (group, 12);
  gtk_widget_set_margin_end (group, 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             file_row (&self->contract_row, _("Contract text"),
                                       G_CALLBACK (choose_contract_cb), self));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             file_row (&self->cert_row, _("Their certificate"),
                                       G_CALLBACK (choose_cert_cb), self));
  self->ttp_entry = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->ttp_entry),
                                 _("Trusted third party (TTP) address"));
  ttp = self->exchanges != NULL ? wallet_exchanges_dup_ttp_url (self->exchanges) : NULL;
  gtk_editable_set_text (GTK_EDITABLE (self->ttp_entry), ttp != NULL ? ttp : "");
  g_signal_connect_swapped (self->ttp_entry, "changed", G_CALLBACK (update_propose), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->ttp_entry));
  days_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (days_row), _("Days they have to answer"));
  self->days = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 365, 1));
  gtk_spin_button_set_value (self->days, 1);
  gtk_widget_set_valign (GTK_WIDGET (self->days), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->days), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Days they have to answer"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (days_row), GTK_WIDGET (self->days));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), days_row);
  gtk_box_append (GTK_BOX (box), group);

  note = gtk_label_new (_("Only a semper document of kind “contract” can be proposed."));
  gtk_widget_add_css_class (note, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_box_append (GTK_BOX (box), note);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_margin_end (buttons, 12);
  gtk_widget_set_margin_bottom (buttons, 12);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close),
                            self->propose_window);
  self->propose_confirm = gtk_button_new_with_mnemonic (_("_Review and Sign…"));
  gtk_widget_add_css_class (self->propose_confirm, "suggested-action");
  g_signal_connect_swapped (self->propose_confirm, "clicked", G_CALLBACK (propose_confirm_cb),
                            self);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), self->propose_confirm);
  gtk_box_append (GTK_BOX (box), buttons);
  adw_window_set_content (self->propose_window, box);
  update_propose (self);
}

static void
propose_clicked_cb (WalletActivityPage *self)
{
  g_clear_object (&self->contract_file);
  g_clear_object (&self->cert_file);
  if (self->propose_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->propose_window));
  ensure_propose_window (self);
  gtk_window_present (GTK_WINDOW (self->propose_window));
}

/* ---- the page ---- */

static void
exchanges_changed_cb (WalletActivityPage *self)
{
  rebuild (self);
}

/**
 * wallet_activity_page_set_exchanges:
 * @exchanges: (nullable): the open profile's exchanges
 * @resume_now: resume the interrupted exchanges now (the Activity page, on start)
 */
void
wallet_activity_page_set_exchanges (WalletActivityPage *self,
                                    WalletExchanges    *exchanges,
                                    gboolean            resume_now)
{
  g_return_if_fail (WALLET_IS_ACTIVITY_PAGE (self));

  if (self->exchanges != NULL)
    g_signal_handlers_disconnect_by_func (self->exchanges, exchanges_changed_cb, self);
  g_set_object (&self->exchanges, exchanges);
  if (exchanges != NULL)
    g_signal_connect_object (exchanges, "changed", G_CALLBACK (exchanges_changed_cb), self,
                             G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->resumed), FALSE);
  rebuild (self);
  /* A refresh is not needed while another page's job runs (its end emits
   * ::changed, which rebuilds this page too), and would be refused: the
   * Contracts page is given the exchanges just after the Activity page
   * started resuming them. */
  if (exchanges != NULL && (resume_now || !wallet_exchanges_is_busy (exchanges)))
    run (self, resume_now ? WALLET_EXCHANGES_RESUME_ALL : WALLET_EXCHANGES_REFRESH, NULL);
}

WalletExchanges *
wallet_activity_page_get_exchanges (WalletActivityPage *self)
{
  g_return_val_if_fail (WALLET_IS_ACTIVITY_PAGE (self), NULL);
  return self->exchanges;
}

static GtkWidget *
toolbar_button (const char *label,
                const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
wallet_activity_page_constructed (GObject *object)
{
  WalletActivityPage *self = WALLET_ACTIVITY_PAGE (object);
  GtkWidget *box, *toolbar, *scroller, *clamp, *list, *empty;

  G_OBJECT_CLASS (wallet_activity_page_parent_class)->constructed (object);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  adw_toast_overlay_set_child (self->toasts, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->toasts));

  toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_top (toolbar, 6);
  gtk_widget_set_margin_start (toolbar, 12);
  gtk_widget_set_margin_end (toolbar, 12);
  self->propose_button = toolbar_button (_("_Propose Contract…"),
                                         _("Sign a contract text and send it to someone"));
  gtk_widget_add_css_class (self->propose_button, "suggested-action");
  self->fetch_button = toolbar_button (_("_Check for Proposals"),
                                       _("Fetch contracts proposed to you from the TTP"));
  self->resume_button = toolbar_button (_("Resume _All"),
                                        _("Finish or resolve every interrupted exchange"));
  g_signal_connect_swapped (self->propose_button, "clicked", G_CALLBACK (propose_clicked_cb),
                            self);
  g_signal_connect_swapped (self->fetch_button, "clicked", G_CALLBACK (fetch_clicked_cb), self);
  g_signal_connect_swapped (self->resume_button, "clicked", G_CALLBACK (resume_clicked_cb),
                            self);
  gtk_box_append (GTK_BOX (toolbar), self->propose_button);
  gtk_box_append (GTK_BOX (toolbar), self->fetch_button);
  gtk_box_append (GTK_BOX (toolbar), self->resume_button);

  self->progress_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  self->progress = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->progress, 0);
  gtk_box_append (GTK_BOX (self->progress_box), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (self->progress_box), GTK_WIDGET (self->progress));
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress), TRUE);
  gtk_box_append (GTK_BOX (toolbar), self->progress_box);
  gtk_box_append (GTK_BOX (box), toolbar);

  self->resumed = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->resumed, TRUE);
  gtk_label_set_xalign (self->resumed, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (self->resumed), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self->resumed), "accent");
  gtk_widget_set_visible (GTK_WIDGET (self->resumed), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->resumed));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "document-open-recent-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Activity"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
    _("Contracts you sign and purchases you make show here while they run, with what "
      "you can do about each."));
  gtk_stack_add_named (self->stack, empty, "empty");

  list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (list, 12);
  gtk_widget_set_margin_bottom (list, 12);
  self->running_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->running_group, _("In Progress"));
  self->finished_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->finished_group, _("Recently Finished"));
  gtk_box_append (GTK_BOX (list), GTK_WIDGET (self->running_group));
  gtk_box_append (GTK_BOX (list), GTK_WIDGET (self->finished_group));
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), list);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (self->stack, scroller, "list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  gtk_widget_set_visible (self->propose_button, TRUE);
  gtk_widget_set_visible (self->fetch_button, TRUE);
  rebuild (self);
}

static void
wallet_activity_page_dispose (GObject *object)
{
  WalletActivityPage *self = WALLET_ACTIVITY_PAGE (object);

  if (self->propose_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->propose_window));
  if (self->exchanges != NULL)
    g_signal_handlers_disconnect_by_func (self->exchanges, exchanges_changed_cb, self);
  g_clear_object (&self->exchanges);
  g_clear_object (&self->contract_file);
  g_clear_object (&self->cert_file);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->widgets, g_hash_table_unref);

  G_OBJECT_CLASS (wallet_activity_page_parent_class)->dispose (object);
}

static void
wallet_activity_page_class_init (WalletActivityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = wallet_activity_page_constructed;
  object_class->dispose = wallet_activity_page_dispose;
}

static void
wallet_activity_page_init (WalletActivityPage *self)
{
  self->rows = g_ptr_array_new ();
  self->widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

WalletActivityPage *
wallet_activity_page_new (gboolean contracts_only)
{
  WalletActivityPage *self = g_object_new (WALLET_TYPE_ACTIVITY_PAGE, NULL);

  self->contracts_only = contracts_only;
  rebuild (self);
  return self;
}

GtkWidget *
_wallet_activity_page_get_widget (WalletActivityPage *self,
                                  const char         *id,
                                  const char         *action)
{
  g_return_val_if_fail (WALLET_IS_ACTIVITY_PAGE (self), NULL);

  if (id != NULL)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", id, action);

      return g_hash_table_lookup (self->widgets, key);
    }
  if (g_str_equal (action, "propose"))
    return self->propose_button;
  if (g_str_equal (action, "fetch"))
    return self->fetch_button;
  if (g_str_equal (action, "resume"))
    return self->resume_button;
  if (g_str_equal (action, "progress"))
    return GTK_WIDGET (self->progress);
  if (g_str_equal (action, "resumed"))
    return GTK_WIDGET (self->resumed);
  if (g_str_equal (action, "propose-window"))
    return GTK_WIDGET (self->propose_window);
  if (g_str_equal (action, "propose-button"))
    return self->propose_confirm;
  if (g_str_equal (action, "ttp-entry"))
    return GTK_WIDGET (self->ttp_entry);
  return NULL;
}

/* What the file choosers would give. */
void
_wallet_activity_page_set_proposal (WalletActivityPage *self,
                                    GFile              *contract,
                                    GFile              *certificate)
{
  g_return_if_fail (WALLET_IS_ACTIVITY_PAGE (self));

  ensure_propose_window (self);
  g_set_object (&self->contract_file, contract);
  g_set_object (&self->cert_file, certificate);
  update_propose (self);
}
