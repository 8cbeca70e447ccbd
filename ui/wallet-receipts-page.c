/* wallet-receipts-page.c: the archive browser of receipts or contracts
 *
 * A GtkColumnView over a WalletRecordModel (ids only; rows read when
 * shown), so 100 000 receipts cost what is on screen. Every change of the
 * search text (GtkSearchEntry's own delay debounces typing), a filter or
 * the order runs one query in SQLite (FTS5 for the text, indexes for the
 * rest) and replaces the model's ids. Sorting happens in SQL, not in a
 * GtkSortListModel, which would read every row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-receipts-page.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "semper-headless-consent.h"
#include "semper-money.h"
#include "semper-record-export.h"
#include "semper-trust.h"

struct _WalletReceiptsPage
{
  GtkWidget                parent_instance;

  SemperArchiveRecordKind  kind;
  SemperArchive           *archive;
  SemperTrust             *trust;
  WalletRecordModel       *model;
  GtkSingleSelection      *selection;
  guint64                  loaded_changes;  /* the archive's change counter when read */

  /* template children */
  GtkStack                *stack;
  AdwStatusPage           *empty_page;
  GtkSearchEntry          *search_entry;
  GtkDropDown             *sort_dropdown;
  GtkColumnView           *column_view;
  GtkLabel                *count_label;
  WalletRecordDetail      *detail;
  GtkLabel                *counterparty_label;
  GtkDropDown             *counterparty_dropdown;
  GtkLabel                *system_label;
  GtkDropDown             *system_dropdown;
  GtkDropDown             *state_dropdown;
  GtkEntry                *since_entry;
  GtkEntry                *until_entry;
  GtkEntry                *min_entry;
  GtkEntry                *max_entry;
  GtkWidget               *filter_button;
};

G_DEFINE_FINAL_TYPE (WalletReceiptsPage, wallet_receipts_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum {
  COLUMN_DATE,
  COLUMN_COUNTERPARTY,
  COLUMN_TITLE,
  COLUMN_AMOUNT,
  COLUMN_SYSTEM,
  COLUMN_STATE,
  COLUMN_LABELS,
} Column;

static void
toast (WalletReceiptsPage *self,
       const char         *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* ---- columns ----------------------------------------------------------- */

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_AMOUNT ? 1 : 0);
  if (column == COLUMN_AMOUNT)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  WalletRecord *record = gtk_list_item_get_item (item);
  const SemperArchiveRecord *r = wallet_record_get_record (record);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *owned = NULL;
  const char *text = NULL;

  if (r == NULL)
    {
      gtk_label_set_text (label, column == COLUMN_TITLE ? _("(cannot be read)") : "");
      return;
    }
  switch (column)
    {
    case COLUMN_DATE:
      owned = wallet_record_dup_date (record);
      break;
    case COLUMN_COUNTERPARTY:
      text = r->counterparty;
      break;
    case COLUMN_TITLE:
      text = r->title;
      break;
    case COLUMN_AMOUNT:
      owned = wallet_record_dup_amount (record);
      break;
    case COLUMN_SYSTEM:
      text = wallet_record_system_label (r->payment_system);
      break;
    case COLUMN_STATE:
      text = wallet_record_state_label (r->state);
      break;
    case COLUMN_LABELS:
      text = r->labels;
      break;
    default:
      g_assert_not_reached ();
    }
  /* Names and titles come from peers: show hidden characters, as the
   * trusted display does. */
  if (owned == NULL)
    owned = semper_headless_escape (text != NULL ? text : "", -1);
  gtk_label_set_text (label, owned);
}

static void
add_column (WalletReceiptsPage *self,
            Column              column,
            const char         *title,
            gboolean            expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_expand (col, expand);
  /* Dates and amounts are read whole; the title takes what is left. */
  if (column == COLUMN_DATE)
    gtk_column_view_column_set_fixed_width (col, 135);
  else if (column == COLUMN_AMOUNT)
    gtk_column_view_column_set_fixed_width (col, 100);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
}

/* ---- filters ----------------------------------------------------------- */

static void selection_changed_cb (WalletReceiptsPage *self);

/* The value chosen in a filter: its code, not the label shown. */
static const char *
dropdown_value (GtkDropDown *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char * const *codes = g_object_get_data (G_OBJECT (dropdown), "codes");

  /* Item 0 is "any". */
  if (codes == NULL || selected == 0 || selected == GTK_INVALID_LIST_POSITION
      || selected > g_strv_length ((char **) codes))
    return NULL;
  return codes[selected - 1];
}

static void
mark_entry (GtkEntry *entry,
            gboolean  valid)
{
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
}

/* "YYYY-MM-DD" (local day) -> unix seconds of its start, or of its end. */
static gboolean
parse_day (GtkEntry *entry,
           gboolean  end_of_day,
           gint64   *out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GDateTime) day = NULL;
  int y, m, d;
  char rest;

  *out = 0;
  if (*text == '\0')
    {
      mark_entry (entry, TRUE);
      return TRUE;
    }
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3
      || (day = g_date_time_new_local (y, m, d, 0, 0, 0)) == NULL)
    {
      mark_entry (entry, FALSE);
      return FALSE;
    }
  mark_entry (entry, TRUE);
  *out = g_date_time_to_unix (day) + (end_of_day ? 24 * 60 * 60 - 1 : 0);
  return TRUE;
}

static gboolean
parse_amount (GtkEntry     *entry,
              SemperAmount *out,
              gboolean     *has)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  *has = FALSE;
  if (*stripped == '\0')
    {
      mark_entry (entry, TRUE);
      return TRUE;
    }
  if (!semper_amount_parse (stripped, out, NULL))
    {
      mark_entry (entry, FALSE);
      return FALSE;
    }
  mark_entry (entry, TRUE);
  *has = TRUE;
  return TRUE;
}

static void
update_count (WalletReceiptsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *text = NULL;

  if (self->kind == SEMPER_ARCHIVE_RECEIPTS)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u receipt", "%u receipts", n), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u contract", "%u contracts", n), n);
  gtk_label_set_text (self->count_label, text);
}

/* Runs the query that the search text, the filters and the order make. An
 * invalid filter entry is marked and left out, not half applied. */
static gboolean
apply_query (WalletReceiptsPage  *self,
             GError             **error)
{
  SemperArchiveRecordQuery q = { 0 };
  SemperAmount min = { 0 }, max = { 0 };
  gint64 previous;
  guint position;
  gboolean ok;
  gint64 start;

  if (self->model == NULL)
    return TRUE;

  q.text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  q.counterparty = dropdown_value (self->counterparty_dropdown);
  q.payment_system = dropdown_value (self->system_dropdown);
  q.state = dropdown_value (self->state_dropdown);
  parse_day (self->since_entry, FALSE, &q.since);
  parse_day (self->until_entry, TRUE, &q.until);
  if (parse_amount (self->min_entry, &min, &q.has_min_amount) && q.has_min_amount)
    {
      q.min_amount = min.minor;
      q.currency = min.currency;
    }
  if (parse_amount (self->max_entry, &max, &q.has_max_amount) && q.has_max_amount)
    {
      if (q.currency != NULL && !g_str_equal (q.currency, max.currency))
        {
          mark_entry (self->max_entry, FALSE);
          q.has_max_amount = FALSE;
        }
      else
        {
          q.max_amount = max.minor;
          q.currency = max.currency;
        }
    }
  q.sort = (SemperArchiveSort) gtk_drop_down_get_selected (self->sort_dropdown);
  if (q.sort > SEMPER_ARCHIVE_SORT_RELEVANCE)
    q.sort = SEMPER_ARCHIVE_SORT_NEWEST;

  /* GTK 4.8 reads every new item when a shown model changes all at once
   * (the column view looks for widgets to reuse, the selection for its
   * selected item): 100 000 rows read per keystroke. So the view lets go
   * of the model and nothing is selected while the ids are replaced; the
   * view then starts afresh and reads what it shows. The detail pane keeps
   * the shown record while it is still in the list. */
  previous = wallet_record_detail_get_id (self->detail);
  g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->column_view, NULL);
  start = g_get_monotonic_time ();
  ok = wallet_record_model_set_query (self->model, &q, error);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_debug ("query: %u rows in %" G_GINT64_FORMAT " ms",
           g_list_model_get_n_items (G_LIST_MODEL (self->model)),
           (g_get_monotonic_time () - start) / 1000);
  if (previous != 0 && wallet_record_model_find (self->model, previous, &position))
    gtk_single_selection_set_selected (self->selection, position);
  else
    previous = 0;
  g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);
  if (previous == 0)
    wallet_record_detail_show (self->detail, 0, NULL);
  update_count (self);
  return ok;
}

static void
apply_query_or_toast (WalletReceiptsPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!apply_query (self, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not search the archive: %s"),
                                               error->message);
      toast (self, text);
    }
}

static void
search_changed_cb (WalletReceiptsPage *self)
{
  apply_query_or_toast (self);
}

static void
filters_changed_cb (WalletReceiptsPage *self)
{
  apply_query_or_toast (self);
}

static void
clear_filters_cb (WalletReceiptsPage *self)
{
  gtk_drop_down_set_selected (self->counterparty_dropdown, 0);
  gtk_drop_down_set_selected (self->system_dropdown, 0);
  gtk_drop_down_set_selected (self->state_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->since_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->until_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->min_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->max_entry), "");
  apply_query_or_toast (self);
}

/* Refills a filter's choices, keeping the chosen value if it still exists. */
static gboolean
fill_dropdown (WalletReceiptsPage  *self,
               GtkDropDown         *dropdown,
               const char          *field,
               const char          *any,
               GError             **error)
{
  g_auto(GStrv) values = NULL;
  g_autofree char *chosen = g_strdup (dropdown_value (dropdown));
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint selected = 0;

  values = semper_archive_record_dup_values (self->archive, self->kind, field, error);
  if (values == NULL)
    return FALSE;
  gtk_string_list_append (list, any);
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (g_str_equal (field, "state"))
        gtk_string_list_append (list, wallet_record_state_label (values[i]));
      else if (g_str_equal (field, "payment_system"))
        gtk_string_list_append (list, wallet_record_system_label (values[i]));
      else
        gtk_string_list_append (list, values[i]);
      if (g_strcmp0 (chosen, values[i]) == 0)
        selected = i + 1;
    }
  g_signal_handlers_block_by_func (dropdown, filters_changed_cb, self);
  g_object_set_data_full (G_OBJECT (dropdown), "codes", g_steal_pointer (&values),
                          (GDestroyNotify) g_strfreev);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, selected);
  g_signal_handlers_unblock_by_func (dropdown, filters_changed_cb, self);
  return TRUE;
}

/**
 * wallet_receipts_page_reload:
 *
 * Reads the archive again: the filters' choices, the list, and whether
 * there is anything at all (else the empty state shows).
 */
gboolean
wallet_receipts_page_reload (WalletReceiptsPage  *self,
                             GError             **error)
{
  const char * const *states;
  gboolean receipts = self->kind == SEMPER_ARCHIVE_RECEIPTS;
  guint64 changes;

  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), FALSE);

  if (self->archive == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return TRUE;
    }
  changes = semper_archive_get_change_counter (self->archive);
  if (!fill_dropdown (self, self->counterparty_dropdown, "counterparty",
                      receipts ? _("All merchants") : _("Anyone"), error)
      || !fill_dropdown (self, self->system_dropdown, "payment_system",
                         _("Any payment system"), error)
      || !fill_dropdown (self, self->state_dropdown, "state", _("Any state"), error))
    return FALSE;
  /* Every record has a state: none means an empty archive. */
  states = g_object_get_data (G_OBJECT (self->state_dropdown), "codes");
  if (!apply_query (self, error))
    return FALSE;
  gtk_stack_set_visible_child_name (self->stack,
                                    states != NULL && states[0] != NULL ? "list" : "empty");
  self->loaded_changes = changes;
  return TRUE;
}

/* ---- selection, detail ------------------------------------------------- */

static void
selection_changed_cb (WalletReceiptsPage *self)
{
  g_autoptr(GError) error = NULL;
  guint position = gtk_single_selection_get_selected (self->selection);
  gint64 id = wallet_record_model_get_id (self->model, position);

  if (id == wallet_record_detail_get_id (self->detail) && id != 0)
    return;
  if (!wallet_record_detail_show (self->detail, id, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the entry: %s"),
                                               error->message);
      toast (self, text);
    }
}

static void
record_changed_cb (WalletReceiptsPage *self,
                   gint64              id)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  if (self->model == NULL)
    return;
  /* The row is replaced by a fresh item; the selection stays on it. */
  g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
  wallet_record_model_reload (self->model, id);
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);
}

gboolean
wallet_receipts_page_select (WalletReceiptsPage *self,
                             guint               position)
{
  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), FALSE);

  if (self->selection == NULL
      || position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  return wallet_record_detail_get_id (self->detail) == wallet_record_model_get_id (self->model,
                                                                                   position);
}

/* ---- export ------------------------------------------------------------ */

/**
 * wallet_receipts_page_export:
 *
 * Writes the list as it is shown (search, filters and order applied) to
 * @file, as CSV or as JSON ({"items": [...]}, as `semper receipts --json`).
 */
gboolean
wallet_receipts_page_export (WalletReceiptsPage  *self,
                             GFile               *file,
                             WalletExportFormat   format,
                             GError             **error)
{
  g_autoptr(GString) csv = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  guint n;

  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->model == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("No archive is open"));
      return FALSE;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  if (format == WALLET_EXPORT_CSV)
    {
      csv = g_string_new (NULL);
      semper_record_append_csv_header (csv, self->kind);
    }
  else
    {
      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
    }

  /* Straight from the archive, not through the model's cache. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SemperArchiveRecord) r =
        semper_archive_record_get (self->archive, self->kind,
                                   wallet_record_model_get_id (self->model, i), error);
      if (r == NULL)
        return FALSE;
      if (csv != NULL)
        semper_record_append_csv (csv, r);
      else
        semper_record_add_json (b, self->kind, r);
    }

  if (csv != NULL)
    {
      len = csv->len;
      data = g_string_free (g_steal_pointer (&csv), FALSE);
    }
  else
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      data = json_generator_to_data (gen, &len);
    }
  return g_file_replace_contents (file, data, len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

typedef struct {
  WalletReceiptsPage *page;
  WalletExportFormat  format;
} ExportRequest;

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    ExportRequest   *req)
{
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (!wallet_receipts_page_export (req->page, file, req->format, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Could not export: %s"), error->message);
          toast (req->page, text);
        }
      else
        toast (req->page, _("List exported"));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (req->page);
  g_free (req);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  WalletReceiptsPage *self = WALLET_RECEIPTS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  ExportRequest *req = g_new0 (ExportRequest, 1);
  GtkFileChooserNative *chooser;
  gboolean csv = g_str_equal (action_name, "records.export-csv");
  const char *base = self->kind == SEMPER_ARCHIVE_RECEIPTS ? "receipts" : "contracts";
  g_autofree char *name = g_strconcat (base, csv ? ".csv" : ".json", NULL);

  req->page = g_object_ref (self);
  req->format = csv ? WALLET_EXPORT_CSV : WALLET_EXPORT_JSON;
  chooser = gtk_file_chooser_native_new (_("Export the List"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), req);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- set-up ------------------------------------------------------------ */

/**
 * wallet_receipts_page_set_archive:
 * @archive: (nullable): the profile's archive; %NULL shows the empty state
 * @trust_root: (nullable): the profile's pinned root (DER); without it no
 *   signature is shown as trusted
 */
gboolean
wallet_receipts_page_set_archive (WalletReceiptsPage  *self,
                                  SemperArchive       *archive,
                                  GBytes              *trust_root,
                                  GError             **error)
{
  g_autoptr(SemperTrust) trust = NULL;

  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), FALSE);

  if (trust_root != NULL)
    {
      trust = semper_trust_new (trust_root, error);
      if (trust == NULL)
        return FALSE;
    }
  return wallet_receipts_page_set_archive_with_trust (self, archive, trust, error);
}

/**
 * wallet_receipts_page_set_archive_with_trust:
 * @archive: (nullable): the profile's archive; %NULL shows the empty state
 * @trust: (nullable): the profile's trust with its revocation list
 *   (semper_profile_dup_trust()), so that a revoked signer shows as such
 */
gboolean
wallet_receipts_page_set_archive_with_trust (WalletReceiptsPage  *self,
                                             SemperArchive       *archive,
                                             SemperTrust         *trust,
                                             GError             **error)
{
  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), FALSE);
  g_return_val_if_fail (archive == NULL || SEMPER_IS_ARCHIVE (archive), FALSE);

  g_set_object (&self->archive, archive);
  g_set_object (&self->trust, trust);
  g_clear_object (&self->model);
  wallet_record_detail_set_source (self->detail, archive, self->kind, trust);
  if (archive != NULL)
    self->model = wallet_record_model_new (archive, self->kind);
  gtk_single_selection_set_model (self->selection,
                                  self->model != NULL ? G_LIST_MODEL (self->model) : NULL);
  return wallet_receipts_page_reload (self, error);
}

SemperArchiveRecordKind
wallet_receipts_page_get_kind (WalletReceiptsPage *self)
{
  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), SEMPER_ARCHIVE_RECEIPTS);
  return self->kind;
}

/* Returns: (transfer none) (nullable) */
WalletRecordModel *
wallet_receipts_page_get_model (WalletReceiptsPage *self)
{
  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), NULL);
  return self->model;
}

/* Returns: (transfer none) */
WalletRecordDetail *
wallet_receipts_page_get_detail (WalletReceiptsPage *self)
{
  g_return_val_if_fail (WALLET_IS_RECEIPTS_PAGE (self), NULL);
  return self->detail;
}

static void
map_cb (WalletReceiptsPage *self)
{
  g_autoptr(GError) error = NULL;

  /* New receipts may have arrived while another page was shown; when the
   * archive has not changed since the last reading (the window opening on
   * this page), what is shown is current. */
  if (self->archive == NULL
      || semper_archive_get_change_counter (self->archive) == self->loaded_changes)
    return;
  if (!wallet_receipts_page_reload (self, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the archive: %s"),
                                               error->message);
      toast (self, text);
    }
}

static void
wallet_receipts_page_constructed (GObject *object)
{
  WalletReceiptsPage *self = WALLET_RECEIPTS_PAGE (object);
  gboolean receipts = self->kind == SEMPER_ARCHIVE_RECEIPTS;

  G_OBJECT_CLASS (wallet_receipts_page_parent_class)->constructed (object);

  if (receipts)
    {
      adw_status_page_set_icon_name (self->empty_page, "semper-receipt-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Receipts Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Receipts of your purchases are archived here and can "
                                         "be verified at any time."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "document-edit-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Contracts Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Contracts you propose, review and sign are kept here "
                                         "together with every signature."));
      gtk_label_set_text_with_mnemonic (self->counterparty_label, _("_With"));
      gtk_widget_set_visible (GTK_WIDGET (self->system_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->system_dropdown), FALSE);
      g_object_set (self->search_entry, "placeholder-text",
                    _("Search contracts, parties, labels and notes"), NULL);
    }

  add_column (self, COLUMN_DATE, _("Date"), FALSE);
  add_column (self, COLUMN_COUNTERPARTY, receipts ? _("Merchant") : _("With"), FALSE);
  add_column (self, COLUMN_TITLE, _("Title"), TRUE);
  add_column (self, COLUMN_AMOUNT, _("Amount"), FALSE);
  if (receipts)
    add_column (self, COLUMN_SYSTEM, _("Paid with"), FALSE);
  add_column (self, COLUMN_STATE, _("State"), FALSE);
  add_column (self, COLUMN_LABELS, _("Labels"), FALSE);
  wallet_record_detail_set_source (self->detail, NULL, self->kind, NULL);
  wallet_receipts_page_reload (self, NULL);
}

static void
wallet_receipts_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WalletReceiptsPage *self = WALLET_RECEIPTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_receipts_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WalletReceiptsPage *self = WALLET_RECEIPTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_receipts_page_dispose (GObject *object)
{
  WalletReceiptsPage *self = WALLET_RECEIPTS_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_RECEIPTS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->trust);
  g_clear_object (&self->archive);

  G_OBJECT_CLASS (wallet_receipts_page_parent_class)->dispose (object);
}

static void
wallet_receipts_page_class_init (WalletReceiptsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = wallet_receipts_page_constructed;
  object_class->dispose = wallet_receipts_page_dispose;
  object_class->get_property = wallet_receipts_page_get_property;
  object_class->set_property = wallet_receipts_page_set_property;

  /* 0: receipts (SEMPER_ARCHIVE_RECEIPTS), 1: contracts */
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, SEMPER_ARCHIVE_RECEIPTS, SEMPER_ARCHIVE_CONTRACTS,
                      SEMPER_ARCHIVE_RECEIPTS,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WALLET_TYPE_RECORD_DETAIL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-receipts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, detail);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, counterparty_label);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, counterparty_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, system_label);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, system_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, since_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, until_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, min_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletReceiptsPage, max_entry);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filters_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_filters_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_changed_cb);

  gtk_widget_class_install_action (widget_class, "records.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "records.export-json", NULL, export_action);
}

static void
wallet_receipts_page_init (WalletReceiptsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
}

WalletReceiptsPage *
wallet_receipts_page_new (SemperArchiveRecordKind kind)
{
  return g_object_new (WALLET_TYPE_RECEIPTS_PAGE, "kind", (int) kind, NULL);
}
