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

#include <errno.h>
#include <glib/gi18n.h>

#include "semper-cms.h"
#include "semper-contract-signing.h"
#include "semper-crypto.h"
#include "semper-evidence.h"
#include "semper-fair-exchange.h"
#include "semper-fx-buyer.h"
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
  GtkButton               *open_button;
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
  if (record->fee.currency[0] != '\0' && semper_currency_decimals (record->fee.currency) >= 0)
    {
      g_autofree char *fee = semper_amount_format (&record->fee);

      add_fact (self->facts_grid, _("Fee"), fee);
    }
  if (record->payment_system != NULL)
    add_fact (self->facts_grid, _("Paid with"),
              wallet_record_system_label (record->payment_system));
  add_fact (self->facts_grid, _("State"), wallet_record_state_label (record->state));
  add_fact (self->facts_grid, _("Archived"), time);
  if (record->exchange_id != NULL)
    add_fact (self->facts_grid, _("Exchange"), record->exchange_id);


  /* The goods of a purchase: the fair exchange's, kept in the archive. */
  {
    g_autoptr(SemperArchiveExchange) ex = NULL;

    if (receipt && record->exchange_id != NULL && self->trust != NULL)
      ex = semper_archive_exchange_get (self->archive, record->exchange_id, NULL);
    gtk_widget_set_sensitive (GTK_WIDGET (self->open_button),
                              ex != NULL && g_str_equal (ex->protocol, SEMPER_PROTOCOL_FX)
                              && ex->finished);
  }
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

/* Goods are written under the name of what was bought: the receipt's title
 * without its service ("Courseware: Module 1" -> "Module 1"), else the
 * merchant's offer id. Both come from the peer: no '/', '\\', control
 * characters or leading dot, at most 80 bytes; the extension is that of what
 * the bytes look like. */
static char *
goods_file_name (const char *title,
                 const char *offer_id,
                 GBytes     *goods)
{
  static const struct { const char *type; const char *ext; } exts[] = {
    { "text/plain", ".txt" }, { "application/pdf", ".pdf" }, { "text/html", ".html" },
    { "image/png", ".png" }, { "image/jpeg", ".jpg" }, { "application/zip", ".zip" },
    { "application/epub+zip", ".epub" }, { "audio/mpeg", ".mp3" },
  };
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *type = NULL;
  g_autofree char *mime = NULL;
  const char *from = title != NULL && g_utf8_validate (title, -1, NULL) ? title : offer_id;
  const char *colon;
  gsize size = 0;
  const guchar *data = g_bytes_get_data (goods, &size);

  if (from != NULL && from == title && (colon = strstr (from, ": ")) != NULL)
    from = colon + 2;
  for (const char *p = from != NULL ? from : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char buf[6];
      int n;

      if (c == '/' || c == '\\' || g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT
          || (c == '.' && name->len == 0))
        c = name->len == 0 ? 0 : '-';
      if (c == 0)
        continue;
      n = g_unichar_to_utf8 (c, buf);
      if (name->len + n > 80)
        break;
      g_string_append_len (name, buf, n);
    }
  if (name->len == 0)
    g_string_append (name, "goods");
  type = g_content_type_guess (NULL, data, size, NULL);
  mime = type != NULL ? g_content_type_get_mime_type (type) : NULL;
  for (guint i = 0; mime != NULL && i < G_N_ELEMENTS (exts); i++)
    if (g_str_equal (mime, exts[i].type) && !g_str_has_suffix (name->str, exts[i].ext))
      g_string_append (name, exts[i].ext);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static GtkWindow *
confirmation_viewer (WalletRecordDetail *self,
                     GBytes             *content,
                     SemperSignerInfo   *signer)
{
  /* An order confirmation names the order it confirms; other signed goods
   * (a subscription's credential) are shown as what they are. */
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *node = json_parser_load_from_data (parser, g_bytes_get_data (content, NULL),
                                               (gssize) g_bytes_get_size (content), NULL)
                   ? json_parser_get_root (parser) : NULL;
  gboolean confirmation = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                          && json_object_has_member (json_node_get_object (node),
                                                     "order_sha256");
  const char *heading = confirmation ? _("Order Confirmation") : _("Signed by the Merchant");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  g_autofree char *who = semper_headless_escape (signer->common_name != NULL
                                                 ? signer->common_name : "", -1);
  GtkWidget *title = adw_window_title_new (heading, who);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  g_autofree char *pretty = NULL;
  g_autofree char *text = NULL;

  /* The verified JSON, indented to be read; escaped as the trusted display
   * escapes peer text. */
  if (node != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();

      json_generator_set_root (generator, node);
      json_generator_set_pretty (generator, TRUE);
      pretty = json_generator_to_data (generator, NULL);
    }
  text = pretty != NULL ? semper_headless_escape (pretty, -1)
                        : semper_headless_escape (g_bytes_get_data (content, NULL),
                                                  (gssize) g_bytes_get_size (content));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  heading, -1);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 480);
  gtk_window_set_title (GTK_WINDOW (window), heading);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  g_object_set_data (G_OBJECT (window), "text-view", view);
  return GTK_WINDOW (window);
}

/**
 * wallet_record_detail_open_goods:
 * @out_file: (out) (optional): the file the digital goods were written to
 * @out_viewer: (out) (optional): the window that shows the confirmation
 *
 * What the shown receipt's purchase delivered, read from the archive alone:
 * a signed order confirmation (verified against the pinned root, signed by
 * the merchant) is shown, read-only, in a viewer window (not yet presented);
 * digital goods (decrypted again and checked against the signed offer's
 * hash) are written, mode 0600, to the user's cache directory under the
 * name of what was bought. The Open button then presents the viewer or launches the
 * file's default application.
 *
 * Returns: %FALSE with @error set when there is nothing to open
 */
gboolean
wallet_record_detail_open_goods (WalletRecordDetail  *self,
                                 GFile              **out_file,
                                 GtkWindow          **out_viewer,
                                 GError             **error)
{
  g_autoptr(SemperArchiveRecord) record = NULL;
  g_autoptr(GBytes) goods = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(SemperSignerInfo) signer = NULL;
  g_autofree char *offer_id = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), FALSE);

  if (self->id == 0 || self->archive == NULL || self->kind != SEMPER_ARCHIVE_RECEIPTS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No receipt is shown"));
      return FALSE;
    }
  record = semper_archive_record_get (self->archive, self->kind, self->id, error);
  if (record == NULL)
    return FALSE;
  if (record->exchange_id == NULL || self->trust == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("This receipt has no purchase whose goods the archive keeps"));
      return FALSE;
    }
  goods = semper_fx_buyer_open_archived_goods (self->archive, self->trust, record->exchange_id,
                                               &offer_id, error);
  if (goods == NULL)
    return FALSE;

  /* A statement signed by the merchant: the order confirmation. */
  content = semper_cms_verify (goods, self->trust, &signer, NULL);
  if (content != NULL)
    {
      if (!signer->trusted)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       _("The order confirmation’s signer is not certified by your "
                         "certification authority"));
          return FALSE;
        }
      if (out_viewer != NULL)
        *out_viewer = confirmation_viewer (self, content, signer);
      return TRUE;
    }

  dir = g_build_filename (g_get_user_cache_dir (), "semper-wallet", "goods", record->exchange_id,
                          NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  name = goods_file_name (record->title, offer_id, goods);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (goods, NULL), g_bytes_get_size (goods),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  if (out_file != NULL)
    *out_file = g_file_new_for_path (path);
  return TRUE;
}

static void
open_clicked_cb (WalletRecordDetail *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWindow *viewer = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!wallet_record_detail_open_goods (self, &file, &viewer, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not open: %s"), error->message);
      toast (self, text);
      return;
    }
  if (viewer != NULL)
    {
      gtk_window_present (viewer);
      return;
    }
  {
    g_autofree char *uri = g_file_get_uri (file);

    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  }
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
_wallet_record_detail_get_open_button (WalletRecordDetail *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD_DETAIL (self), NULL);
  return GTK_WIDGET (self->open_button);
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
  gtk_widget_class_bind_template_child (widget_class, WalletRecordDetail, open_button);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
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
