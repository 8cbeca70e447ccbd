/* wallet-disputes-page.c: the Disputes page
 *
 * A claim (PROTOCOLS.md F) names a transaction of the archive and a claim
 * kind; core drafts the `dispute` document with its evidence bundle, the
 * trusted display shows it and makes the consent, core signs and keeps it.
 * The evidence is verified here before the user claims anything, so they
 * see what it proves. A claim is sent to the TTP in a worker thread (it
 * blocks on the network) or exported for a human arbiter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-disputes-page.h"

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>

#include "semper-archive.h"
#include "semper-dispute.h"
#include "semper-evidence.h"
#include "wallet-application.h"

static const SemperDisputeClaim claims[] = {
  SEMPER_DISPUTE_CLAIM_PAID_NOT_RECEIVED,
  SEMPER_DISPUTE_CLAIM_GOODS_DO_NOT_MATCH,
  SEMPER_DISPUTE_CLAIM_CHARGED_TWICE,
  SEMPER_DISPUTE_CLAIM_NOT_DELIVERED,
  SEMPER_DISPUTE_CLAIM_OTHER,
};

struct _WalletDisputesPage
{
  AdwBin               parent_instance;

  SemperProfile       *profile;
  SemperDisputes      *disputes;
  GPtrArray           *listed;        /* SemperArchiveDispute */
  GPtrArray           *rows;
  GBytes              *draft;
  GCancellable        *cancellable;
  guint                busy;

  GtkStack            *stack;
  AdwEntryRow         *exchange_row;
  AdwComboRow         *claim_row;
  AdwEntryRow         *text_row;
  GtkLabel            *evidence_label;
  GtkLabel            *form_error;
  GtkButton           *open_button;
  AdwEntryRow         *ttp_row;
  AdwPreferencesGroup *list_group;
  AdwActionRow        *empty_row;
  GtkSearchEntry      *search_entry;
};

G_DEFINE_FINAL_TYPE (WalletDisputesPage, wallet_disputes_page, ADW_TYPE_BIN)

static void
toast (WalletDisputesPage *self,
       const char         *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
show_form_error (WalletDisputesPage *self,
                 const char         *text)
{
  gtk_label_set_text (self->form_error, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), text != NULL);
}

static const char *
state_text (const char *state)
{
  if (g_strcmp0 (state, "open") == 0)
    return _("signed and kept, not sent yet");
  if (g_strcmp0 (state, "sending") == 0)
    return _("being sent to the TTP");
  if (g_strcmp0 (state, "decided") == 0)
    return _("decided by the TTP");
  if (g_strcmp0 (state, "referred") == 0)
    return _("referred to a human arbiter");
  return state;
}

static void send_clicked_cb (GtkButton *button, WalletDisputesPage *self);
static void export_clicked_cb (GtkButton *button, WalletDisputesPage *self);
static void labels_clicked_cb (GtkButton *button, WalletDisputesPage *self);

/* Whether every word of @search is in the dispute's claim, transaction,
 * labels or note (case and accents folded as the archive's search folds
 * them: not quite, but a user's own few disputes need no index). */
static gboolean
dispute_matches (SemperArchiveDispute *d,
                 const char           *search)
{
  g_auto(GStrv) words = NULL;
  g_autofree char *hay = NULL;
  g_autofree char *folded = NULL;
  SemperDisputeClaim claim = SEMPER_DISPUTE_CLAIM_OTHER;

  if (search == NULL || *search == '\0')
    return TRUE;
  semper_dispute_claim_from_string (d->claim, &claim);
  hay = g_strjoin (" ", semper_dispute_claim_describe (claim), d->claim,
                   d->exchange_id ? d->exchange_id : "", d->labels ? d->labels : "",
                   d->note ? d->note : "", NULL);
  folded = g_utf8_casefold (hay, -1);
  words = g_str_tokenize_and_fold (search, NULL, NULL);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (folded, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static void
reload (WalletDisputesPage *self)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->list_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  if (self->disputes == NULL)
    return;
  self->listed = semper_disputes_list (self->disputes, NULL, &error);
  if (self->listed == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read your disputes: %s"),
                                               error->message);
      toast (self, text);
      return;
    }
  for (guint i = 0; i < self->listed->len; i++)
    {
      SemperArchiveDispute *d = self->listed->pdata[i];
      SemperDisputeClaim claim = SEMPER_DISPUTE_CLAIM_OTHER;
      GtkWidget *labels;
      g_autoptr(SemperDisputeInfo) info = semper_disputes_get (self->disputes, d->id, NULL);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *send = gtk_button_new_with_mnemonic (_("_Send to the TTP"));
      GtkWidget *export = gtk_button_new_with_mnemonic (_("_Export…"));
      g_autofree char *name = g_strdup_printf ("dispute-%" G_GINT64_FORMAT, d->id);
      g_autofree char *subtitle = NULL;

      if (!dispute_matches (d, gtk_editable_get_text (GTK_EDITABLE (self->search_entry))))
        continue;
      semper_dispute_claim_from_string (d->claim, &claim);
      if (info != NULL && info->reason != NULL)
        subtitle = g_strdup_printf (_("%s · transaction %.12s… · %s"),
                                    state_text (d->state), d->exchange_id ? d->exchange_id : "",
                                    info->reason);
      else
        subtitle = g_strdup_printf (_("%s · transaction %.12s…"), state_text (d->state),
                                    d->exchange_id ? d->exchange_id : "");
      /* The user's own labels and note, after what the dispute is. */
      if ((d->labels != NULL && *d->labels != '\0') || (d->note != NULL && *d->note != '\0'))
        {
          g_autofree char *base = g_steal_pointer (&subtitle);

          subtitle = g_strdup_printf (_("%s\nLabels: %s · Note: %s"), base,
                                      d->labels != NULL ? d->labels : "",
                                      d->note != NULL ? d->note : "");
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     semper_dispute_claim_describe (claim));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_name (row, name);

      gtk_widget_set_valign (send, GTK_ALIGN_CENTER);
      gtk_widget_set_name (send, "send");
      gtk_widget_set_sensitive (send, g_strcmp0 (d->state, "open") == 0
                                      || g_strcmp0 (d->state, "sending") == 0);
      g_object_set_data (G_OBJECT (send), "dispute-id", GINT_TO_POINTER ((int) d->id));
      g_signal_connect (send, "clicked", G_CALLBACK (send_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), send);
      gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
      gtk_widget_set_name (export, "export");
      gtk_widget_set_tooltip_text (export, _("Save the signed claim with its evidence, for an "
                                             "arbiter"));
      g_object_set_data (G_OBJECT (export), "dispute-id", GINT_TO_POINTER ((int) d->id));
      g_signal_connect (export, "clicked", G_CALLBACK (export_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), export);
      labels = gtk_button_new_from_icon_name ("document-edit-symbolic");
      gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
      gtk_widget_set_name (labels, "labels");
      gtk_widget_set_tooltip_text (labels, _("Labels and Note"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (labels), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Labels and Note"), -1);
      g_object_set_data (G_OBJECT (labels), "dispute-id", GINT_TO_POINTER ((int) d->id));
      g_signal_connect (labels, "clicked", G_CALLBACK (labels_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), labels);

      adw_preferences_group_add (self->list_group, row);
      g_ptr_array_add (self->rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->empty_row), self->listed->len == 0);
}

/**
 * wallet_disputes_page_save_labels:
 * @labels: (nullable): the new labels, or %NULL to keep them
 * @note: (nullable): the new note, or %NULL to keep it
 *
 * Stores the user's labels and note of dispute @id (they are searched,
 * listed, exported by `semper dispute list --json` and kept in backups).
 */
gboolean
wallet_disputes_page_save_labels (WalletDisputesPage  *self,
                                  gint64               id,
                                  const char          *labels,
                                  const char          *note,
                                  GError             **error)
{
  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), FALSE);

  if (self->profile == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("No profile is open"));
      return FALSE;
    }
  if (!semper_archive_dispute_set_labels (semper_profile_get_archive (self->profile), id,
                                          labels, note, error))
    return FALSE;
  reload (self);
  return TRUE;
}

/**
 * wallet_disputes_page_set_search:
 *
 * Lists only the disputes with every word of @text in their claim,
 * transaction, labels or note (the search entry's text).
 */
void
wallet_disputes_page_set_search (WalletDisputesPage *self,
                                 const char         *text)
{
  g_return_if_fail (WALLET_IS_DISPUTES_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  reload (self);
}

/* Returns: (transfer none) (nullable): the row of dispute @id, if listed */
GtkWidget *
wallet_disputes_page_get_row (WalletDisputesPage *self,
                              gint64              id)
{
  g_autofree char *name = g_strdup_printf ("dispute-%" G_GINT64_FORMAT, id);

  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    if (g_str_equal (gtk_widget_get_name (self->rows->pdata[i]), name))
      return self->rows->pdata[i];
  return NULL;
}

static void
labels_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    WalletDisputesPage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "dispute-id"));
  GtkEditable *labels = g_object_get_data (G_OBJECT (dialog), "labels");
  GtkEditable *note = g_object_get_data (G_OBJECT (dialog), "note");

  if (!g_str_equal (response, "save"))
    return;
  if (!wallet_disputes_page_save_labels (self, id, gtk_editable_get_text (labels),
                                         gtk_editable_get_text (note), &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save: %s"), error->message);
      toast (self, text);
      return;
    }
  toast (self, _("Labels and note saved"));
}

static void
labels_clicked_cb (GtkButton          *button,
                   WalletDisputesPage *self)
{
  gint64 id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "dispute-id"));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *labels = gtk_entry_new ();
  GtkWidget *note = gtk_entry_new ();
  SemperArchiveDispute *d = NULL;

  for (guint i = 0; self->listed != NULL && i < self->listed->len; i++)
    if (((SemperArchiveDispute *) self->listed->pdata[i])->id == id)
      d = self->listed->pdata[i];
  if (d == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Labels and Note"),
                                   _("For yourself: they are searched and kept in exports "
                                     "and backups, never sent to the TTP."));
  gtk_entry_set_placeholder_text (GTK_ENTRY (labels), _("Labels, separated by spaces"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (labels), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Labels"), -1);
  gtk_editable_set_text (GTK_EDITABLE (labels), d->labels != NULL ? d->labels : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("A note for yourself"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (note), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Note"), -1);
  gtk_editable_set_text (GTK_EDITABLE (note), d->note != NULL ? d->note : "");
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), note);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "save", _("_Save Labels"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  g_object_set_data (G_OBJECT (dialog), "dispute-id", GINT_TO_POINTER ((int) id));
  g_object_set_data (G_OBJECT (dialog), "labels", labels);
  g_object_set_data (G_OBJECT (dialog), "note", note);
  g_signal_connect (dialog, "response", G_CALLBACK (labels_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_changed_cb (WalletDisputesPage *self)
{
  reload (self);
}

void
wallet_disputes_page_set_profile (WalletDisputesPage *self,
                                  SemperProfile      *profile)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WALLET_IS_DISPUTES_PAGE (self));

  if (!g_set_object (&self->profile, profile))
    return;
  g_clear_object (&self->disputes);
  if (profile != NULL)
    {
      self->disputes = semper_disputes_new (profile, &error);
      if (self->disputes == NULL)
        g_debug ("No disputes: %s", error->message);
    }
  gtk_stack_set_visible_child_name (self->stack, self->disputes != NULL ? "disputes" : "closed");
  reload (self);
}

/* The TTP that exchange @id named in its journal (fair exchange and contract
 * signing both keep "ttp_url"), or NULL. */
static char *
dup_exchange_ttp (SemperProfile *profile,
                  const char    *id)
{
  g_autoptr(SemperArchiveExchange) row = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (profile == NULL || id == NULL || *id == '\0')
    return NULL;
  row = semper_archive_exchange_get (semper_profile_get_archive (profile), id, NULL);
  if (row == NULL || row->state == NULL || row->state[0] != '{'
      || !json_parser_load_from_data (parser, row->state, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "ttp_url", NULL));
}

/**
 * wallet_disputes_page_set_exchange:
 * @exchange_id: (nullable): the transaction
 *
 * Prefills the claim form with the transaction, and the address of the TTP
 * that decides with the one the exchange named (never typed by hand).
 */
void
wallet_disputes_page_set_exchange (WalletDisputesPage *self,
                                   const char         *exchange_id)
{
  g_autofree char *ttp = NULL;

  g_return_if_fail (WALLET_IS_DISPUTES_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->exchange_row), exchange_id ? exchange_id : "");
  gtk_widget_set_visible (GTK_WIDGET (self->evidence_label), FALSE);
  show_form_error (self, NULL);
  ttp = dup_exchange_ttp (self->profile, exchange_id);
  if (ttp != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->ttp_row), ttp);
}

const char *
wallet_disputes_page_get_ttp_url (WalletDisputesPage *self)
{
  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->ttp_row));
}

const char *
wallet_disputes_page_get_exchange (WalletDisputesPage *self)
{
  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->exchange_row));
}

gboolean
wallet_disputes_page_show_evidence (WalletDisputesPage *self,
                                    GError            **error)
{
  const char *exchange = gtk_editable_get_text (GTK_EDITABLE (self->exchange_row));
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) root = NULL;
  SemperEvidenceInfo *info;
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), FALSE);

  if (self->profile == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("Open your wallet first."));
      return FALSE;
    }
  root = semper_profile_dup_trust_root (self->profile);
  bundle = semper_evidence_export (self->profile, exchange, error);
  if (bundle == NULL)
    return FALSE;
  info = semper_evidence_verify (bundle, root, NULL, error);
  if (info == NULL)
    return FALSE;
  g_string_append (text, info->summary);
  for (guint i = 0; info->findings != NULL && i < info->findings->len; i++)
    g_string_append_printf (text, "\n%s", (const char *) info->findings->pdata[i]);
  for (guint i = 0; info->statements != NULL && i < info->statements->len; i++)
    {
      SemperEvidenceStatement *s = info->statements->pdata[i];

      g_string_append_printf (text, _("\n• %s (%s), signed by %s (%s)"), s->step,
                              g_strcmp0 (s->direction, "in") == 0 ? _("received") : _("sent"),
                              s->signer != NULL ? s->signer->common_name : "?",
                              s->signer != NULL && s->signer->role != NULL ? s->signer->role
                                                                           : _("no role"));
    }
  gtk_label_set_text (self->evidence_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->evidence_label), TRUE);
  semper_evidence_info_free (info);
  return TRUE;
}

static void
evidence_clicked_cb (WalletDisputesPage *self)
{
  g_autoptr(GError) error = NULL;

  show_form_error (self, NULL);
  if (!wallet_disputes_page_show_evidence (self, &error))
    show_form_error (self, error->message);
}

static void
consented_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WalletDisputesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  gint64 id;

  consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), TRUE);
  if (consent == NULL)
    {
      show_form_error (self, g_error_matches (error, SEMPER_CONSENT_ERROR,
                                              SEMPER_CONSENT_ERROR_CANCELLED)
                             ? _("You did not sign: no claim was opened.") : error->message);
      return;
    }
  if (self->disputes == NULL || self->draft == NULL)
    return;
  id = semper_disputes_open (self->disputes, self->draft, consent, &error);
  g_clear_pointer (&self->draft, g_bytes_unref);
  if (id == 0)
    {
      show_form_error (self, error->message);
      return;
    }
  toast (self, _("Claim signed and kept. Send it to the TTP or export it."));
  reload (self);
}

static void
open_clicked_cb (WalletDisputesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;
  WalletConsentPort *port = WALLET_IS_APPLICATION (app)
                            ? wallet_application_get_consent_port (WALLET_APPLICATION (app))
                            : NULL;
  guint index = adw_combo_row_get_selected (self->claim_row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->text_row));
  g_autoptr(GError) error = NULL;

  show_form_error (self, NULL);
  if (self->disputes == NULL || port == NULL || index >= G_N_ELEMENTS (claims))
    return;
  g_clear_pointer (&self->draft, g_bytes_unref);
  self->draft = semper_disputes_draft (self->disputes,
                                       gtk_editable_get_text (GTK_EDITABLE (self->exchange_row)),
                                       claims[index], *text != '\0' ? text : NULL, &error);
  if (self->draft == NULL)
    {
      show_form_error (self, error->message);
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), FALSE);
  wallet_consent_port_request_full_async (port, self->draft, "dispute", NULL, self->cancellable,
                                          consented_cb, g_object_ref (self));
}

typedef struct {
  SemperProfile *profile;
  gint64         id;
  char          *ttp_url;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *send = data;

  g_object_unref (send->profile);
  g_free (send->ttp_url);
  g_free (send);
}

static void
send_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendData *send = task_data;
  g_autoptr(SemperDisputes) disputes = NULL;
  GError *error = NULL;
  char *state;

  disputes = semper_disputes_new (send->profile, &error);
  state = disputes != NULL ? semper_disputes_send (disputes, send->id, send->ttp_url, &error)
                           : NULL;
  if (state == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, state, g_free);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  WalletDisputesPage *self = WALLET_DISPUTES_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  self->busy--;
  if (state == NULL)
    text = g_strdup_printf (_("The claim was not sent: %s"), error->message);
  else
    text = g_strdup_printf (_("The TTP answered: %s"), state_text (state));
  toast (self, text);
  reload (self);
}

static void
send_clicked_cb (GtkButton          *button,
                 WalletDisputesPage *self)
{
  g_autoptr(GTask) task = NULL;
  SendData *send;
  const char *ttp = gtk_editable_get_text (GTK_EDITABLE (self->ttp_row));

  if (self->profile == NULL)
    return;
  if (!g_str_has_prefix (ttp, "http://") && !g_str_has_prefix (ttp, "https://"))
    {
      toast (self, _("Type the TTP’s address (http://host:port) first."));
      gtk_widget_grab_focus (GTK_WIDGET (self->ttp_row));
      return;
    }
  send = g_new0 (SendData, 1);
  send->profile = g_object_ref (self->profile);
  send->id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "dispute-id"));
  send->ttp_url = g_strdup (ttp);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  self->busy++;
  task = g_task_new (self, NULL, sent_cb, NULL);
  g_task_set_task_data (task, send, send_data_free);
  g_task_run_in_thread (task, send_thread);
}

gboolean
wallet_disputes_page_export (WalletDisputesPage *self,
                             gint64              id,
                             GFile              *file,
                             GError            **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), FALSE);

  if (self->disputes == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("Open your wallet first."));
      return FALSE;
    }
  bytes = semper_disputes_export (self->disputes, id, error);
  return bytes != NULL
         && g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, error);
}

static void
export_response_cb (GtkNativeDialog    *dialog,
                    int                 response,
                    WalletDisputesPage *self)
{
  gint64 id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "dispute-id"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (wallet_disputes_page_export (self, id, file, &error))
        toast (self, _("Dispute exported"));
      else
        {
          g_autofree char *text = g_strdup_printf (_("Could not export: %s"), error->message);

          toast (self, text);
        }
    }
  g_object_unref (dialog);
}

static void
export_clicked_cb (GtkButton          *button,
                   WalletDisputesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  gint64 id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "dispute-id"));
  g_autofree char *name = g_strdup_printf ("dispute-%" G_GINT64_FORMAT ".semper-dispute", id);

  dialog = gtk_file_chooser_native_new (_("Export Dispute"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data (G_OBJECT (dialog), "dispute-id", GINT_TO_POINTER ((int) id));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GArray *
wallet_disputes_page_dup_ids (WalletDisputesPage *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), ids);

  for (guint i = 0; self->listed != NULL && i < self->listed->len; i++)
    g_array_append_val (ids, ((SemperArchiveDispute *) self->listed->pdata[i])->id);
  return ids;
}

const char *
wallet_disputes_page_get_state (WalletDisputesPage *self,
                                gint64              id)
{
  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), NULL);

  for (guint i = 0; self->listed != NULL && i < self->listed->len; i++)
    if (((SemperArchiveDispute *) self->listed->pdata[i])->id == id)
      return ((SemperArchiveDispute *) self->listed->pdata[i])->state;
  return NULL;
}

gboolean
wallet_disputes_page_get_busy (WalletDisputesPage *self)
{
  g_return_val_if_fail (WALLET_IS_DISPUTES_PAGE (self), FALSE);

  return self->busy > 0;
}

static void
wallet_disputes_page_dispose (GObject *object)
{
  WalletDisputesPage *self = WALLET_DISPUTES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->disputes);
  g_clear_object (&self->profile);
  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (wallet_disputes_page_parent_class)->dispose (object);
}

static void
wallet_disputes_page_finalize (GObject *object)
{
  WalletDisputesPage *self = WALLET_DISPUTES_PAGE (object);

  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->draft, g_bytes_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (wallet_disputes_page_parent_class)->finalize (object);
}

static void
wallet_disputes_page_class_init (WalletDisputesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_disputes_page_dispose;
  object_class->finalize = wallet_disputes_page_finalize;
}

static GtkWidget *
named_button (const char *mnemonic,
              const char *name)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  return button;
}

static void
wallet_disputes_page_init (WalletDisputesPage *self)
{
  GtkWidget *closed = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *group;
  GtkWidget *buttons;
  GtkWidget *button;
  GtkStringList *kinds = gtk_string_list_new (NULL);

  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->stack = GTK_STACK (gtk_stack_new ());
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (closed), "semper-dispute-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (closed), _("No Disputes"));
  adw_status_page_set_description (ADW_STATUS_PAGE (closed),
                                   _("If a deal goes wrong, open a dispute from its receipt; "
                                     "the evidence comes from your archive."));
  gtk_stack_add_named (self->stack, closed, "closed");

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Open a Claim"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("The claim names a transaction of your archive; its "
                                           "signed messages go with it as evidence. You sign the "
                                           "claim in the trusted display."));
  self->exchange_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->exchange_row),
                                 _("Transaction (its exchange id, from the receipt)"));
  gtk_widget_set_name (GTK_WIDGET (self->exchange_row), "exchange");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->exchange_row));
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    gtk_string_list_append (kinds, semper_dispute_claim_describe (claims[i]));
  self->claim_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->claim_row), _("Claim"));
  adw_combo_row_set_model (self->claim_row, G_LIST_MODEL (kinds));
  g_object_unref (kinds);
  gtk_widget_set_name (GTK_WIDGET (self->claim_row), "claim");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->claim_row));
  self->text_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->text_row),
                                 _("What happened, in your words (optional)"));
  gtk_widget_set_name (GTK_WIDGET (self->text_row), "text");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->text_row));
  gtk_box_append (GTK_BOX (box), group);

  self->evidence_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->evidence_label, TRUE);
  gtk_label_set_xalign (self->evidence_label, 0);
  gtk_label_set_selectable (self->evidence_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->evidence_label), "card");
  gtk_widget_set_visible (GTK_WIDGET (self->evidence_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->evidence_label));
  self->form_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->form_error, TRUE);
  gtk_label_set_xalign (self->form_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->form_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->form_error));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  button = named_button (_("Show the _Evidence"), "evidence");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (evidence_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), button);
  self->open_button = GTK_BUTTON (named_button (_("_Sign and Open the Claim…"), "open"));
  gtk_widget_add_css_class (GTK_WIDGET (self->open_button), "suggested-action");
  g_signal_connect_swapped (self->open_button, "clicked", G_CALLBACK (open_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->open_button));
  gtk_box_append (GTK_BOX (box), buttons);

  self->list_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->list_group, _("Your Disputes"));
  self->ttp_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->ttp_row),
                                 _("Address of the TTP that decides"));
  gtk_widget_set_name (GTK_WIDGET (self->ttp_row), "ttp");
  adw_preferences_group_add (self->list_group, GTK_WIDGET (self->ttp_row));
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text",
                _("Search claims, transactions, labels and notes"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search"), -1);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->search_entry), 6);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                            self);
  adw_preferences_group_set_header_suffix (self->list_group, GTK_WIDGET (self->search_entry));
  self->empty_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No disputes yet"));
  adw_action_row_set_subtitle (self->empty_row,
                               _("A claim you open appears here with its state."));
  adw_preferences_group_add (self->list_group, GTK_WIDGET (self->empty_row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list_group));

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->stack, scrolled, "disputes");
  gtk_stack_set_visible_child_name (self->stack, "closed");
}
