/* wallet-record-detail.c: the detail pane of a receipt or contract
 *
 * Every time a record is shown, its stored signed message (the bytes as
 * received, DESIGN.md rule 4) is verified again against the pinned root:
 * the pane shows what the signature proves (signer, role, signing time,
 * chain) and the signed content, escaped as the trusted display escapes
 * it, never the archive's copy of the text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-record-detail.h"

#include <glib/gi18n.h>

#include "semper-cms.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-evidence.h"
#include "semper-headless-consent.h"
#include "semper-money.h"
#include "semper-record-export.h"
#include "wallet-record.h"

struct _WalletRecordDetail
{
  GtkWidget                parent_instance;

  SemperArchive           *archive;
  SemperArchiveRecordKind  kind;
  SemperTrust             *trust;

  gint64                   id;
  WalletVerdict            verdict;
  SemperSignerInfo        *signer;
  char                    *verdict_text;
  char                    *content_text;

  /* template children */
  GtkStack                *stack;
  GtkLabel                *title_label;
  GtkGrid                 *facts_grid;
  GtkWidget               *verify_box;
  GtkImage                *verify_icon;
  GtkLabel                *verify_label;
  GtkGrid                 *signer_grid;
  GtkLabel                *content_heading;
  GtkLabel                *document_label;
  GtkEntry                *labels_entry;
  GtkEntry                *note_entry;
  GtkButton               *export_button;
  GtkButton               *dispute_button;
  char                    *exchange_id;
  GtkButton               *evidence_button;
  GtkButton               *save_button;
};

G_DEFINE_FINAL_TYPE (WalletRecordDetail, wallet_record_detail, GTK_TYPE_WIDGET)

enum {
  SIGNAL_RECORD_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (WalletRecordDetail *self,
       const char         *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

/* Peer text (names, titles) is escaped as the trusted display escapes it:
 * invisible and direction-changing characters become visible. */
static void
add_fact (GtkGrid    *grid,
          const char *key,
          const char *value)
{
  g_autofree char *safe = semper_headless_escape (value != NULL ? value : "", -1);
  GtkWidget *k = gtk_label_new (key);
  GtkWidget *v = gtk_label_new (safe);
  int row = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (grid)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    row++;
  row /= 2;

  gtk_label_set_xalign (GTK_LABEL (k), 1);
  gtk_label_set_yalign (GTK_LABEL (k), 0);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_label_set_wrap (GTK_LABEL (v), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (v), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (v), GTK_ACCESSIBLE_RELATION_LABELLED_BY, k,
                                  NULL, -1);
  gtk_grid_attach (grid, k, 0, row, 1, 1);
  gtk_grid_attach (grid, v, 1, row, 1, 1);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *l = NULL;
  g_autofree char *u = NULL;

  if (time == NULL)
    return g_strdup (_("unknown"));
  local = g_date_time_to_local (time);
  utc = g_date_time_to_utc (time);
  l = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  u = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  return g_strdup_printf ("%s (%s)", l, u);
}

static void
add_signer (WalletRecordDetail *self,
            const char         *who,
            SemperSignerInfo   *info)
{
  g_autofree char *time = NULL;
  g_autofree char *name = NULL;

  if (info == NULL)
    return;
  time = format_time (info->signing_time);
  name = who != NULL ? g_strdup_printf ("%s: %s", who, info->common_name)
                     : g_strdup (info->common_name);
  add_fact (self->signer_grid, _("Signer"), name);
  add_fact (self->signer_grid, _("Role"), info->role != NULL ? info->role : _("none stated"));
  add_fact (self->signer_grid, _("Signed at"), time);
  add_fact (self->signer_grid, _("Certificate"), info->fingerprint);
  for (guint i = 0; info->chain != NULL && i < info->chain->len; i++)
    add_fact (self->signer_grid, i == 0 ? _("Chain") : "", g_ptr_array_index (info->chain, i));
}

static void
set_verdict (WalletRecordDetail *self,
             WalletVerdict       verdict,
             const char         *text)
{
  static const char * const icons[] = {
    [WALLET_VERDICT_NONE] = "dialog-information-symbolic",
    [WALLET_VERDICT_VALID] = "emblem-ok-symbolic",
    [WALLET_VERDICT_UNTRUSTED] = "dialog-warning-symbolic",
    [WALLET_VERDICT_INVALID] = "dialog-error-symbolic",
  };

  self->verdict = verdict;
  g_free (self->verdict_text);
  self->verdict_text = g_strdup (text);
  gtk_image_set_from_icon_name (self->verify_icon, icons[verdict]);
  gtk_label_set_text (self->verify_label, text);
  gtk_widget_remove_css_class (self->verify_box, "success");
  gtk_widget_remove_css_class (self->verify_box, "warning");
  gtk_widget_remove_css_class (self->verify_box, "error");
  if (verdict == WALLET_VERDICT_VALID)
    gtk_widget_add_css_class (self->verify_box, "success");
  else if (verdict == WALLET_VERDICT_UNTRUSTED)
    gtk_widget_add_css_class (self->verify_box, "warning");
  else if (verdict == WALLET_VERDICT_INVALID)
    gtk_widget_add_css_class (self->verify_box, "error");
}

static void
set_content (WalletRecordDetail *self,
             GBytes             *content)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (content, &len);

  g_free (self->content_text);
  if (g_utf8_validate (data, len, NULL) && memchr (data, '\0', len) == NULL)
    self->content_text = semper_headless_escape (data, len);
  else
    {
      g_autofree char *hex = semper_sha256_hex (content);
      self->content_text = g_strdup_printf (_("%zu bytes that are not text, "
                                              "SHA-256 %s"), len, hex);
    }
  gtk_label_set_text (self->document_label, self->content_text);
}

static gboolean
is_untrusted_error (const GError *error)
{
  return error->domain == SEMPER_CRYPTO_ERROR
         && (error->code == SEMPER_CRYPTO_ERROR_UNTRUSTED
             || error->code == SEMPER_CRYPTO_ERROR_EXPIRED
             || error->code == SEMPER_CRYPTO_ERROR_REVOKED);
}

/* A contract's stored message is the exported contract file (JSON holding
 * m1…m4 or the TTP's token); everything else is one CMS SignedData. */
static void
verify_contract (WalletRecordDetail *self,
                 GBytes             *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperContractInfo) info = NULL;
  g_autofree char *text = NULL;

  if (self->trust == NULL)
    {
      set_verdict (self, WALLET_VERDICT_UNTRUSTED,
                   _("Not verified: this wallet has no pinned root certificate yet."));
      return;
    }
  info = semper_contract_verify (raw, self->trust, &error);
  if (info == NULL)
    {
      g_autofree char *safe = semper_headless_escape (error->message, -1);
      text = g_strdup_printf (_("The stored contract does NOT verify: %s"), safe);
      set_verdict (self, is_untrusted_error (error) ? WALLET_VERDICT_UNTRUSTED
                                                    : WALLET_VERDICT_INVALID, text);
      return;
    }

  if (g_str_equal (info->state, SEMPER_ASW_SIGNED))
    set_verdict (self, WALLET_VERDICT_VALID,
                 info->ttp != NULL ? _("Valid contract, signed by both parties (the TTP’s "
                                       "replacement). Checked just now against your pinned "
                                       "root.")
                                   : _("Valid contract, signed by both parties. Checked just "
                                       "now against your pinned root."));
  else
    set_verdict (self, WALLET_VERDICT_VALID,
                 _("Valid proof that this contract was aborted: it binds no one. Checked just "
                   "now against your pinned root."));
  g_clear_pointer (&self->signer, semper_signer_info_unref);
  if (info->originator != NULL)
    self->signer = semper_signer_info_ref (info->originator);
  add_signer (self, _("Originator"), info->originator);
  add_signer (self, _("Responder"), info->responder);
  add_signer (self, _("TTP"), info->ttp);
  set_content (self, info->text);
}

static void
verify_message (WalletRecordDetail *self,
                GBytes             *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;

  content = semper_cms_verify (raw, self->trust, &signer, &error);
  if (content == NULL)
    {
      g_autofree char *safe = semper_headless_escape (error->message, -1);
      g_autofree char *text = g_strdup_printf (_("The stored signature does NOT verify: %s"),
                                               safe);
      set_verdict (self, is_untrusted_error (error) ? WALLET_VERDICT_UNTRUSTED
                                                    : WALLET_VERDICT_INVALID, text);
      return;
    }

  if (signer->trusted)
    set_verdict (self, WALLET_VERDICT_VALID,
                 _("Valid signature, certified by your pinned root. Checked just now."));
  else
    set_verdict (self, WALLET_VERDICT_UNTRUSTED,
                 _("The signature is intact, but the signer is not certified by a root you "
                   "trust."));
  add_signer (self, NULL, signer);
  self->signer = g_steal_pointer (&signer);
  set_content (self, content);
}

/**
 * wallet_record_detail_show:
 * @id: the record, or 0 to show nothing
 *
 * Shows a record and verifies its stored signed message. A signature that
 * does not verify is shown as such (not an error); @error is for a record
 * that cannot be read at all.
 */
gboolean
wallet_record_detail_show (WalletRecordDetail  *self,
                           gint64               id,
                           GError             **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *time = NULL;
  gboolean receipt = self->kind == SEMPER_ARCHIVE_RECEIPTS;

  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), FALSE);

  self->id = 0;
  self->verdict = WALLET_VERDICT_NONE;
  g_clear_pointer (&self->signer, semper_signer_info_unref);
  g_clear_pointer (&self->verdict_text, g_free);
  g_clear_pointer (&self->content_text, g_free);
  clear_grid (self->facts_grid);
  clear_grid (self->signer_grid);
  /* Content is shown only once its signature verified (or, without a
   * signed message, as the archive's own copy, said so). */
  gtk_label_set_text (self->document_label, _("(not shown: nothing verified)"));
  gtk_label_set_text (self->content_heading, _("Signed Content"));

  if (id == 0 || self->archive == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return TRUE;
    }

  record = semper_archive_record_get (self->archive, self->kind, id, error);
  if (record == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return FALSE;
    }
  self->id = id;
  g_free (self->exchange_id);
  self->exchange_id = g_strdup (record->exchange_id);
  /* A receipt's transaction can be disputed (a contract's through Activity). */
  gtk_widget_set_visible (GTK_WIDGET (self->dispute_button),
                          receipt && record->exchange_id != NULL);

  {
    g_autofree char *title = semper_headless_escape (record->title != NULL ? record->title
                                                     : record->counterparty, -1);
    gtk_label_set_text (self->title_label, title);
  }
  if (record->amount.currency[0] != '\0' && semper_currency_decimals (record->amount.currency) >= 0)
    amount = semper_amount_format (&record->amount);
  time = semper_record_format_time (record->time);
  add_fact (self->facts_grid, receipt ? _("Merchant") : _("With"), record->counterparty);
  if (amount != NULL)
    add_fact (self->facts_grid, _("Amount"), amount);
  if (record->payment_system != NULL)
    add_fact (self->facts_grid, _("Paid with"),
              wallet_record_system_label (record->payment_system));
  add_fact (self->facts_grid, _("State"), wallet_record_state_label (record->state));
  add_fact (self->facts_grid, _("Archived"), time);
  if (record->exchange_id != NULL)
    add_fact (self->facts_grid, _("Exchange"), record->exchange_id);

  /* The whole transaction needs its exchange, and the root to check it. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->evidence_button),
                            record->exchange_id != NULL && self->trust != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->labels_entry),
                         record->labels != NULL ? record->labels : "");
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), record->note != NULL ? record->note : "");

  if (record->message_id <= 0)
    {
      g_autoptr(GBytes) text = g_bytes_new (record->text != NULL ? record->text : "",
                                            record->text != NULL ? strlen (record->text) : 0);
      set_verdict (self, WALLET_VERDICT_NONE,
                   _("No signed message is stored for this entry: there is nothing to verify. "
                     "The text below is the archive’s own copy."));
      set_content (self, text);
      /* Nothing signed it: do not call it signed. */
      gtk_label_set_text (self->content_heading, _("Archived Text"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), FALSE);
    }
  else
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) raw = semper_archive_message_get (self->archive, record->message_id, NULL,
                                                          &local);

      gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), raw != NULL);
      if (raw == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("The stored message cannot be read: %s"),
                                                   local->message);
          set_verdict (self, WALLET_VERDICT_INVALID, text);
          gtk_label_set_text (self->document_label, "");
        }
      else
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (raw, &len);

          if (!receipt && len > 0 && data[0] == '{')
            verify_contract (self, raw);
          else
            verify_message (self, raw);
        }
    }

  gtk_stack_set_visible_child_name (self->stack, "record");
  return TRUE;
}

gint64
wallet_record_detail_get_id (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), 0);
  return self->id;
}

WalletVerdict
wallet_record_detail_get_verdict (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), WALLET_VERDICT_NONE);
  return self->verdict;
}

/* Returns: (transfer none) (nullable): who signed (a contract's originator) */
SemperSignerInfo *
wallet_record_detail_get_signer (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return self->signer;
}

/* Returns: (transfer none) (nullable) */
const char *
wallet_record_detail_get_verdict_text (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return self->verdict_text;
}

/* Returns: (transfer none) (nullable): the signed content as shown (escaped) */
const char *
wallet_record_detail_get_content_text (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return self->content_text;
}

/**
 * wallet_record_detail_save_labels:
 *
 * Stores the labels and note of the shown record (both searchable) and
 * emits ::record-changed.
 */
gboolean
wallet_record_detail_save_labels (WalletRecordDetail  *self,
                                  const char          *labels,
                                  const char          *note,
                                  GError             **error)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), FALSE);

  if (self->id == 0 || self->archive == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Nothing is selected"));
      return FALSE;
    }
  if (!semper_archive_record_set_labels (self->archive, self->kind, self->id, labels, note, error))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->labels_entry), labels != NULL ? labels : "");
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), note != NULL ? note : "");
  g_signal_emit (self, signals[SIGNAL_RECORD_CHANGED], 0, self->id);
  return TRUE;
}

/**
 * wallet_record_detail_export:
 *
 * Writes the stored signed message of the shown record to @file, bytes
 * unchanged: a receipt as CMS SignedData (.p7m, which `openssl cms -verify`
 * and `semper verify` accept), a contract as its contract file.
 */
gboolean
wallet_record_detail_export (WalletRecordDetail  *self,
                             GFile               *file,
                             GError             **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GBytes) raw = NULL;

  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->id == 0 || self->archive == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Nothing is selected"));
      return FALSE;
    }
  record = semper_archive_record_get (self->archive, self->kind, self->id, error);
  if (record == NULL)
    return FALSE;
  if (record->message_id <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("No signed message is stored for this entry"));
      return FALSE;
    }
  raw = semper_archive_message_get (self->archive, record->message_id, NULL, error);
  if (raw == NULL)
    return FALSE;
  return g_file_replace_contents (file, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                                  NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL,
                                  error);
}

/**
 * wallet_record_detail_export_evidence:
 *
 * Writes the evidence bundle of the shown record's whole transaction to
 * @file: every signed message of its exchange with the certificates and
 * revocation lists that check it, offline and years later
 * (semper_evidence_export_archive(), docs/evidence.md).
 */
gboolean
wallet_record_detail_export_evidence (WalletRecordDetail  *self,
                                      GFile               *file,
                                      GError             **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GBytes) bundle = NULL;

  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->id == 0 || self->archive == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Nothing is selected"));
      return FALSE;
    }
  record = semper_archive_record_get (self->archive, self->kind, self->id, error);
  if (record == NULL)
    return FALSE;
  if (record->exchange_id == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("This entry belongs to no archived transaction"));
      return FALSE;
    }
  if (self->trust == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("This wallet has no pinned root certificate yet, so the "
                             "evidence cannot be checked"));
      return FALSE;
    }
  bundle = semper_evidence_export_archive (self->archive, semper_trust_get_root (self->trust),
                                           record->exchange_id, error);
  if (bundle == NULL)
    return FALSE;
  return g_file_replace_contents (file, g_bytes_get_data (bundle, NULL),
                                  g_bytes_get_size (bundle), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
save_clicked_cb (WalletRecordDetail *self)
{
  g_autoptr(GError) error = NULL;
  const char *labels = gtk_editable_get_text (GTK_EDITABLE (self->labels_entry));
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));

  if (!wallet_record_detail_save_labels (self, labels, note, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save: %s"), error->message);
      toast (self, text);
      return;
    }
  toast (self, _("Labels and note saved"));
}

static void
export_response_cb (GtkNativeDialog    *dialog,
                    int                 response,
                    WalletRecordDetail *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gboolean evidence = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "evidence"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (!(evidence ? wallet_record_detail_export_evidence (self, file, &error)
                     : wallet_record_detail_export (self, file, &error)))
        {
          g_autofree char *text = g_strdup_printf (_("Could not export: %s"), error->message);
          toast (self, text);
        }
      else
        toast (self, evidence ? _("Evidence exported") : _("Exported"));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_file (WalletRecordDetail *self,
             gboolean            evidence)
{
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = NULL;
  const char *title;

  if (self->id == 0)
    return;
  if (evidence)
    title = _("Export the Transaction’s Evidence");
  else
    title = self->kind == SEMPER_ARCHIVE_RECEIPTS ? _("Export Receipt") : _("Export Contract");
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  if (evidence)
    name = g_strdup_printf ("%s-%" G_GINT64_FORMAT "-evidence.json",
                            self->kind == SEMPER_ARCHIVE_RECEIPTS ? "receipt" : "contract",
                            self->id);
  else if (self->kind == SEMPER_ARCHIVE_RECEIPTS)
    name = g_strdup_printf ("receipt-%" G_GINT64_FORMAT ".p7m", self->id);
  else
    name = g_strdup_printf ("contract-%" G_GINT64_FORMAT ".json", self->id);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "evidence", GINT_TO_POINTER (evidence));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_clicked_cb (WalletRecordDetail *self)
{
  choose_file (self, FALSE);
}

static void
evidence_clicked_cb (WalletRecordDetail *self)
{
  choose_file (self, TRUE);
}

/**
 * wallet_record_detail_set_source:
 * @archive: (nullable): where the records are
 * @trust: (nullable): the profile's pinned root; without it nothing is trusted
 */
void
wallet_record_detail_set_source (WalletRecordDetail      *self,
                                 SemperArchive           *archive,
                                 SemperArchiveRecordKind  kind,
                                 SemperTrust             *trust)
{
  g_return_if_fail (WALLET_IS_RECORD_DETAIL (self));

  g_set_object (&self->archive, archive);
  g_set_object (&self->trust, trust);
  self->kind = kind;
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->stack,
                                                                               "none")),
                                 kind == SEMPER_ARCHIVE_RECEIPTS ? "semper-receipt-symbolic"
                                                                 : "document-edit-symbolic");
  wallet_record_detail_show (self, 0, NULL);
}

/* The window's Disputes page, with this receipt's transaction and its TTP. */
static void
dispute_clicked_cb (WalletRecordDetail *self)
{
  if (self->exchange_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-dispute", "s", self->exchange_id);
}

/* Returns: (nullable): the shown record's transaction */
const char *
wallet_record_detail_get_exchange_id (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return self->id != 0 ? self->exchange_id : NULL;
}

GtkWidget *
_wallet_record_detail_get_dispute_button (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return GTK_WIDGET (self->dispute_button);
}

static void
wallet_record_detail_dispose (GObject *object)
{
  WalletRecordDetail *self = WALLET_RECORD_DETAIL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_RECORD_DETAIL);
  g_clear_object (&self->archive);
  g_clear_object (&self->trust);
  g_clear_pointer (&self->signer, semper_signer_info_unref);

  G_OBJECT_CLASS (wallet_record_detail_parent_class)->dispose (object);
}

static void
wallet_record_detail_finalize (GObject *object)
{
  WalletRecordDetail *self = WALLET_RECORD_DETAIL (object);

  g_free (self->verdict_text);
  g_free (self->content_text);
  g_free (self->exchange_id);

  G_OBJECT_CLASS (wallet_record_detail_parent_class)->finalize (object);
}

static void
wallet_record_detail_class_init (WalletRecordDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = wallet_record_detail_dispose;
  object_class->finalize = wallet_record_detail_finalize;

  /**
   * WalletRecordDetail::record-changed:
   * @id: the record whose labels or note changed
   */
  signals[SIGNAL_RECORD_CHANGED] =
    g_signal_new ("record-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-record-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, facts_grid);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, verify_box);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, verify_label);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, signer_grid);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, content_heading);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, document_label);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, labels_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, note_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, export_button);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, evidence_button);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, save_button);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, dispute_button);
  gtk_widget_class_bind_template_callback (widget_class, dispute_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, evidence_clicked_cb);
}

static void
wallet_record_detail_init (WalletRecordDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

WalletRecordDetail *
wallet_record_detail_new (void)
{
  return g_object_new (WALLET_TYPE_RECORD_DETAIL, NULL);
}
