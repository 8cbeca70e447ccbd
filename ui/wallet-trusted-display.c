/* wallet-trusted-display.c: the window that shows exactly what the user's key signs
 *
 * DESIGN.md rules 1 and 2. The window holds the document's bytes once, puts
 * them into a GtkTextBuffer verbatim (characters a reader could not see are
 * kept, made invisible, and preceded by a labelled marker that is not part of
 * the document), and on Sign reads the document back out of that buffer,
 * without the markers, to make the consent. What is hashed is therefore the
 * text that was shown. docs/trusted-display.md describes the defences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-trusted-display-private.h"

#include <glib/gi18n.h>
#include <unicode/uchar.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "semper-checker.h"
#include "semper-consent-private.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-headless-consent.h"

#define DEFAULT_DELAY_MS   1000
#define MAX_FINDING_ROWS   200
#define SHORT_HASH_CHARS   16
#define MIN_FINDINGS_HEIGHT 120  /* px: about two rows of findings */

struct _WalletTrustedDisplay
{
  AdwWindow                    parent_instance;

  GBytes                      *document;
  SemperDocument              *parsed;
  GPtrArray                   *findings;
  char                        *purpose;
  SemperSignerInfo            *counterparty;
  SemperAmount                 threshold;
  SemperAmount                 total;
  gboolean                     has_total;
  gboolean                     needs_amount;
  gboolean                     refused;
  char                        *sha256_hex;

  guint                        delay_ms;
  guint                        delay_source;
  gboolean                     armed;
  gboolean                     seen_end;
  gboolean                     pointer_stale;
  gboolean                     pointer_down;
  GHashTable                  *stale_keys;
  GHashTable                  *down_keys;
  GdkSurface                  *surface;
  WalletTrustedDisplayOutcome  outcome;
  SemperConsent               *consent;

  GtkTextTag                  *marker_tag;

  /* template children */
  AdwWindowTitle              *window_title;
  GtkLabel                    *x11_label;
  GtkGrid                     *summary_grid;
  GtkBox                      *findings_box;
  GtkLabel                    *findings_title;
  GtkListBox                  *findings_list;
  GtkScrolledWindow           *scroller;
  GtkTextView                 *text_view;
  GtkCheckButton              *ack_check;
  GtkBox                      *amount_box;
  GtkLabel                    *amount_label;
  GtkEntry                    *amount_entry;
  GtkLabel                    *status_label;
  GtkButton                   *cancel_button;
  GtkButton                   *sign_button;

  GtkLabel                    *hash_label;
  GtkToggleButton             *hash_toggle;
};

G_DEFINE_FINAL_TYPE (WalletTrustedDisplay, wallet_trusted_display, ADW_TYPE_WINDOW)

enum {
  SIGNAL_DECIDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_sign_state (WalletTrustedDisplay *self);

/* The purposes callers pass. Some pass the word untranslated ("order" from
 * the Shop page): the window shows it through gettext, which leaves an
 * already translated or an unknown purpose as it is. */
static const char * const known_purposes[] G_GNUC_UNUSED = {
  N_("order"), N_("contract"), N_("payment authorisation"), N_("dispute"), N_("document"),
  N_("delivery receipt"),
};

/* ---- what the user sees ------------------------------------------------- */

/* Characters that a reader would not see, or that would change how the
 * text around them is laid out: shown as a marker, kept hidden. */
static gboolean
must_mark (gunichar c)
{
  if (c == '\n' || c == '\t')
    return FALSE;

  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_UNASSIGNED:
      return TRUE;
    default:
      return u_hasBinaryProperty ((UChar32) c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
    }
}

/* A digit other than 0-9 (fullwidth, Arabic-Indic, …) looks like another
 * number or like nothing the font can draw: labelled, but kept visible. */
static gboolean
must_label (gunichar c)
{
  return c > 0x7f && g_unichar_type (c) == G_UNICODE_DECIMAL_NUMBER;
}

static char *
marker_text (gunichar c)
{
  char name[128] = "";
  UErrorCode status = U_ZERO_ERROR;

  /* Controls have no name, only an alias ("ALERT" for U+0007). */
  u_charName ((UChar32) c, U_UNICODE_CHAR_NAME, name, sizeof name, &status);
  if (U_FAILURE (status) || name[0] == '\0')
    {
      status = U_ZERO_ERROR;
      u_charName ((UChar32) c, U_CHAR_NAME_ALIAS, name, sizeof name, &status);
    }
  if (U_FAILURE (status) || name[0] == '\0')
    return g_strdup_printf ("⟨U+%04X⟩", c);

  return g_strdup_printf ("⟨U+%04X %s⟩", c, name);
}

typedef struct
{
  gsize doc_offset;   /* byte offset of the hidden character */
  int   chars;        /* characters of marker text inserted before it */
} Marker;

/* Buffer character offset of the document's byte @offset; @inclusive counts
 * a marker that stands right at @offset (a highlight starting there covers it). */
static int
buffer_offset_for (const char *data,
                   GArray     *markers,
                   gsize       offset,
                   gboolean    inclusive)
{
  int chars = (int) g_utf8_pointer_to_offset (data, data + offset);

  for (guint i = 0; i < markers->len; i++)
    {
      const Marker *m = &g_array_index (markers, Marker, i);

      if (m->doc_offset < offset || (inclusive && m->doc_offset == offset))
        chars += m->chars;
      else
        break;
    }
  return chars;
}

static void
fill_buffer (WalletTrustedDisplay *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autoptr(GArray) markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  GtkTextTag *hidden;
  GtkTextTag *warn;
  GtkTextTag *refuse;
  GtkTextTag *no_hyphens;
  GtkTextIter from_all, end;
  gsize size = 0;
  const char *data = g_bytes_get_data (self->document, &size);
  const char *p = data;
  const char *run = data;
  const char *stop = data + size;

  /* Fixed colours: the document looks the same in every style, and nothing
   * in it can change how it looks. */
  self->marker_tag = gtk_text_buffer_create_tag (buffer, "semper-marker",
                                                 "background", "#a4001d",
                                                 "foreground", "#ffffff",
                                                 "weight", PANGO_WEIGHT_BOLD,
                                                 NULL);
  hidden = gtk_text_buffer_create_tag (buffer, "semper-hidden", "invisible", TRUE, NULL);
  no_hyphens = gtk_text_buffer_create_tag (buffer, "semper-no-hyphens", "insert-hyphens", FALSE,
                                           NULL);
  warn = gtk_text_buffer_create_tag (buffer, "semper-warn",
                                     "background", "#ffe07a",
                                     "underline", PANGO_UNDERLINE_ERROR,
                                     NULL);
  refuse = gtk_text_buffer_create_tag (buffer, "semper-refuse",
                                       "background", "#ffb3b3",
                                       "underline", PANGO_UNDERLINE_ERROR,
                                       NULL);

  gtk_text_buffer_get_end_iter (buffer, &end);
  while (p < stop)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (must_mark (c) || must_label (c))
        {
          g_autofree char *label = marker_text (c);
          Marker m = { p - data, (int) g_utf8_strlen (label, -1) };

          if (p > run)
            gtk_text_buffer_insert (buffer, &end, run, p - run);
          gtk_text_buffer_insert_with_tags (buffer, &end, label, -1, self->marker_tag, NULL);
          if (must_mark (c))
            gtk_text_buffer_insert_with_tags (buffer, &end, p, next - p, hidden, NULL);
          else
            gtk_text_buffer_insert (buffer, &end, p, next - p);
          g_array_append_val (markers, m);
          run = next;
        }
      p = next;
    }
  if (stop > run)
    gtk_text_buffer_insert (buffer, &end, run, stop - run);

  for (guint i = 0; i < self->findings->len; i++)
    {
      const SemperFinding *f = g_ptr_array_index (self->findings, i);
      GtkTextIter from, to;
      gsize f_end = MIN (f->offset + MAX (f->length, 1), size);

      if (f->offset >= size)
        continue;
      gtk_text_buffer_get_iter_at_offset (buffer, &from,
                                          buffer_offset_for (data, markers, f->offset, TRUE));
      gtk_text_buffer_get_iter_at_offset (buffer, &to,
                                          buffer_offset_for (data, markers, f_end, FALSE));
      gtk_text_buffer_apply_tag (buffer,
                                 f->severity == SEMPER_FINDING_REFUSE ? refuse : warn,
                                 &from, &to);
    }
  /* Pango would draw a hyphen where it wraps inside a word: a character
   * that is not in the document. */
  gtk_text_buffer_get_bounds (buffer, &from_all, &end);
  gtk_text_buffer_apply_tag (buffer, no_hyphens, &from_all, &end);

  /* Markers stay readable on top of any highlight. */
  gtk_text_tag_set_priority (self->marker_tag, gtk_text_tag_table_get_size (
                               gtk_text_buffer_get_tag_table (buffer)) - 1);
}

/**
 * _wallet_trusted_display_dup_shown_bytes:
 *
 * Reads the document back out of the text buffer that is on screen: every
 * character of the buffer (hidden ones too) except the markers.
 *
 * Returns: (transfer full): the bytes shown
 */
GBytes *
_wallet_trusted_display_dup_shown_bytes (WalletTrustedDisplay *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GString *out = g_string_new (NULL);
  GtkTextIter iter, end;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  gtk_text_buffer_get_end_iter (buffer, &end);

  while (!gtk_text_iter_equal (&iter, &end))
    {
      GtkTextIter next = iter;
      gboolean in_marker = gtk_text_iter_has_tag (&iter, self->marker_tag);

      if (!gtk_text_iter_forward_to_tag_toggle (&next, self->marker_tag))
        next = end;
      if (!in_marker)
        {
          g_autofree char *slice = gtk_text_buffer_get_slice (buffer, &iter, &next, TRUE);

          g_string_append (out, slice);
        }
      iter = next;
    }

  return g_string_free_to_bytes (out);
}

static char *
group_hex (const char *hex,
           gsize       chars)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < chars && hex[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (s, ' ');
      g_string_append_c (s, hex[i]);
    }
  return g_string_free (s, FALSE);
}

static void
hash_toggled_cb (WalletTrustedDisplay *self)
{
  gboolean full = gtk_toggle_button_get_active (self->hash_toggle);
  g_autofree char *first = group_hex (self->sha256_hex, full ? 32 : SHORT_HASH_CHARS);
  g_autofree char *second = group_hex (self->sha256_hex + 32, 32);
  g_autofree char *text = full ? g_strconcat (first, "\n", second, NULL) :
                                 g_strconcat (first, " …", NULL);

  gtk_label_set_text (self->hash_label, text);
  gtk_button_set_label (GTK_BUTTON (self->hash_toggle), full ? _("Shorten") : _("Show All"));
}

static GtkWidget *
summary_value (const char *text)
{
  g_autofree char *safe = semper_headless_escape (text, -1);
  GtkWidget *label = gtk_label_new (safe);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  return label;
}

static void
add_summary_row (WalletTrustedDisplay *self,
                 int                   row,
                 const char           *key,
                 GtkWidget            *value)
{
  GtkWidget *label = gtk_label_new (key);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (value, GTK_ALIGN_BASELINE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (self->summary_grid, label, 0, row, 1, 1);
  gtk_grid_attach (self->summary_grid, value, 1, row, 1, 1);
}

static void
fill_summary (WalletTrustedDisplay *self)
{
  g_autofree char *kind = g_strdup_printf ("%s/%u", semper_document_get_kind (self->parsed),
                                           semper_document_get_version (self->parsed));
  g_autofree char *size = g_strdup_printf (ngettext ("%s, %zu byte", "%s, %zu bytes",
                                                     g_bytes_get_size (self->document)),
                                           kind, g_bytes_get_size (self->document));
  GtkWidget *hash_box;
  int row = 0;

  add_summary_row (self, row++, _("Purpose"), summary_value (self->purpose));
  add_summary_row (self, row++, _("Document"), summary_value (size));

  if (self->counterparty != NULL)
    {
      const char *role = self->counterparty->role ? self->counterparty->role : _("no role");
      g_autofree char *who = NULL;

      if (self->counterparty->trusted)
        who = g_strdup_printf (_("%s (%s), certified by your marketplace CA"),
                               self->counterparty->common_name, role);
      else
        who = g_strdup_printf (_("%s (%s): NOT certified by your marketplace CA"),
                               self->counterparty->common_name, role);
      add_summary_row (self, row++, _("Counterparty"), summary_value (who));
    }
  else
    {
      add_summary_row (self, row++, _("Counterparty"),
                       summary_value (_("no certificate: any name below is only what the "
                                        "document says")));
    }

  if (self->has_total)
    {
      g_autofree char *amount = semper_amount_format (&self->total);

      add_summary_row (self, row++, _("Amount"), summary_value (amount));
    }

  hash_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->hash_label = GTK_LABEL (summary_value (""));
  gtk_widget_set_hexpand (GTK_WIDGET (self->hash_label), FALSE);
  gtk_label_set_wrap (self->hash_label, FALSE);
  gtk_label_set_selectable (self->hash_label, TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self->hash_label), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->hash_label), "monospace");
  self->hash_toggle = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->hash_toggle), "flat");
  gtk_widget_set_valign (GTK_WIDGET (self->hash_toggle), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (hash_box), GTK_WIDGET (self->hash_label));
  gtk_box_append (GTK_BOX (hash_box), GTK_WIDGET (self->hash_toggle));
  g_signal_connect_swapped (self->hash_toggle, "toggled", G_CALLBACK (hash_toggled_cb), self);
  add_summary_row (self, row++, _("SHA-256"), hash_box);
  hash_toggled_cb (self);
}

static GtkWidget *
finding_row (const SemperFinding *f)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *icon;
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *reason;
  GtkWidget *where;
  g_autofree char *safe_reason = semper_headless_escape (f->reason, -1);
  g_autofree char *position = NULL;

  if (f->codepoint != 0)
    position = g_strdup_printf (_("%s · line %u, column %u · U+%04X"),
                                semper_finding_kind_to_string (f->kind),
                                f->line, f->column, f->codepoint);
  else
    position = g_strdup_printf (_("%s · line %u, column %u"),
                                semper_finding_kind_to_string (f->kind), f->line, f->column);

  icon = gtk_image_new_from_icon_name (f->severity == SEMPER_FINDING_REFUSE ?
                                       "dialog-error-symbolic" : "dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, f->severity == SEMPER_FINDING_REFUSE ? "error" : "warning");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);

  reason = gtk_label_new (safe_reason);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (reason), PANGO_WRAP_WORD_CHAR);
  where = gtk_label_new (position);
  gtk_label_set_xalign (GTK_LABEL (where), 0);
  gtk_widget_add_css_class (where, "dim-label");
  gtk_widget_add_css_class (where, "caption");

  gtk_box_append (GTK_BOX (texts), reason);
  gtk_box_append (GTK_BOX (texts), where);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_margin_start (box, 10);
  gtk_widget_set_margin_end (box, 10);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}

static void
fill_findings (WalletTrustedDisplay *self)
{
  g_autofree char *title = NULL;
  guint n = self->findings->len;

  if (n == 0)
    return;

  if (self->refused)
    title = g_strdup_printf (ngettext ("This document cannot be signed. The checker found %u "
                                       "problem:",
                                       "This document cannot be signed. The checker found %u "
                                       "problems:", n), n);
  else
    title = g_strdup_printf (ngettext ("The checker found %u problem. Read it before you sign:",
                                       "The checker found %u problems. Read them before you "
                                       "sign:", n), n);
  gtk_label_set_text (self->findings_title, title);
  gtk_widget_add_css_class (GTK_WIDGET (self->findings_title),
                            self->refused ? "error" : "warning");

  for (guint i = 0; i < n && i < MAX_FINDING_ROWS; i++)
    gtk_list_box_append (self->findings_list, finding_row (g_ptr_array_index (self->findings, i)));
  if (n > MAX_FINDING_ROWS)
    {
      g_autofree char *more = g_strdup_printf (_("… and %u more, marked in the text"),
                                               n - MAX_FINDING_ROWS);

      gtk_list_box_append (self->findings_list, gtk_label_new (more));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->findings_box), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->ack_check), !self->refused);

  /* The list scrolls beyond its maximum height; below it, it is not squeezed
   * so far that its second row is cut in half. */
  if (n >= 2)
    gtk_scrolled_window_set_min_content_height (
      GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self->findings_list),
                                                    GTK_TYPE_SCROLLED_WINDOW)),
      MIN_FINDINGS_HEIGHT);
}

static void
load_css (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;

  if (g_object_get_data (G_OBJECT (display), "wallet-trusted-display-css") != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider,
                                       "/org/semper/Wallet/wallet-trusted-display.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "wallet-trusted-display-css",
                          g_steal_pointer (&provider), g_object_unref);
}

/* ---- when Sign may be pressed ------------------------------------------- */

static gboolean
amount_confirmed (WalletTrustedDisplay *self)
{
  g_autofree char *text = NULL;
  SemperAmount typed;

  if (!self->needs_amount)
    return TRUE;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->amount_entry))));
  if (strchr (text, ' ') == NULL)
    {
      char *with_currency = g_strconcat (text, " ", self->total.currency, NULL);

      g_free (text);
      text = with_currency;
    }

  return semper_amount_parse (text, &typed, NULL) && semper_amount_equal (&typed, &self->total);
}

static gboolean
can_sign (WalletTrustedDisplay *self)
{
  if (self->outcome != WALLET_TRUSTED_DISPLAY_PENDING || self->refused)
    return FALSE;
  if (!self->seen_end || !self->armed)
    return FALSE;
  if (self->findings->len > 0 && !gtk_check_button_get_active (self->ack_check))
    return FALSE;
  return amount_confirmed (self);
}

static const char *
status_text (WalletTrustedDisplay *self)
{
  switch (self->outcome)
    {
    case WALLET_TRUSTED_DISPLAY_SIGNED:
      return _("Signed.");
    case WALLET_TRUSTED_DISPLAY_CANCELLED:
      return _("Cancelled: nothing was signed.");
    case WALLET_TRUSTED_DISPLAY_PENDING:
    default:
      break;
    }

  if (self->refused)
    return _("This document cannot be signed: see the problems above.");
  if (!self->seen_end)
    return _("Scroll to the end of the document to be able to sign it.");
  if (!self->armed)
    return _("Sign becomes available once this window has been in front for a moment.");
  if (self->findings->len > 0 && !gtk_check_button_get_active (self->ack_check))
    return _("Tick “I have read the warnings” to be able to sign.");
  if (!amount_confirmed (self))
    return _("Type the amount to confirm it.");
  return _("Read the text once more, then press Sign.");
}

static void
update_sign_state (WalletTrustedDisplay *self)
{
  if (self->sign_button == NULL)  /* disposed */
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_button), can_sign (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button),
                            self->outcome == WALLET_TRUSTED_DISPLAY_PENDING);
  gtk_label_set_text (self->status_label, status_text (self));
}

static gboolean
is_attentive (WalletTrustedDisplay *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  if (!gtk_window_is_active (GTK_WINDOW (self)))
    return FALSE;
  if (self->surface != NULL && GDK_IS_TOPLEVEL (self->surface) &&
      (gdk_toplevel_get_state (GDK_TOPLEVEL (self->surface)) & GDK_TOPLEVEL_STATE_MINIMIZED))
    return FALSE;
  return TRUE;
}

static void
delay_done (WalletTrustedDisplay *self)
{
  self->delay_source = 0;
  self->armed = is_attentive (self);
  update_sign_state (self);
}

static gboolean
delay_done_cb (gpointer data)
{
  delay_done (WALLET_TRUSTED_DISPLAY (data));
  return G_SOURCE_REMOVE;
}

/* Input in progress when Sign is disarmed began before the next arming: a
 * button held down, keys held down. Their release or auto-repeat must not
 * sign once the window is armed again. */
static void
make_input_stale (WalletTrustedDisplay *self)
{
  GHashTableIter iter;
  gpointer key;

  if (self->pointer_down)
    self->pointer_stale = TRUE;
  g_hash_table_iter_init (&iter, self->down_keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (self->stale_keys, key);
}

/* The delay runs while the window is mapped, focused and not minimised; any
 * loss of that disarms Sign and starts the delay again from zero. */
static void
update_attention (WalletTrustedDisplay *self)
{
  if (!is_attentive (self))
    {
      g_clear_handle_id (&self->delay_source, g_source_remove);
      if (self->armed)
        make_input_stale (self);
      self->armed = FALSE;
    }
  else if (!self->armed && self->delay_source == 0 &&
           self->outcome == WALLET_TRUSTED_DISPLAY_PENDING)
    {
      self->delay_source = g_timeout_add (self->delay_ms, delay_done_cb, self);
    }
  update_sign_state (self);
}

static void
check_seen_end (WalletTrustedDisplay *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GdkRectangle visible;
  GtkTextIter end;
  int y = 0;
  int height = 0;

  if (self->seen_end || !gtk_widget_get_mapped (GTK_WIDGET (self->text_view)))
    return;

  gtk_text_view_get_visible_rect (self->text_view, &visible);
  if (visible.height <= 0)
    return;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_get_line_yrange (self->text_view, &end, &y, &height);
  if (y + height <= visible.y + visible.height)
    {
      self->seen_end = TRUE;
      update_sign_state (self);
    }
}

/* ---- input -------------------------------------------------------------- */

static gboolean
is_enter (guint keyval)
{
  return keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter;
}

/**
 * _wallet_trusted_display_input:
 *
 * Every pointer and key event of the window passes here first.
 *
 * Returns: %TRUE to swallow the event
 */
gboolean
_wallet_trusted_display_input (WalletTrustedDisplay *self,
                               WalletInputKind       kind,
                               guint                 keyval)
{
  GtkWidget *focus;

  switch (kind)
    {
    case WALLET_INPUT_POINTER_PRESS:
      /* A click counts only if its press came after Sign was armed. */
      self->pointer_stale = !self->armed;
      self->pointer_down = TRUE;
      return FALSE;

    case WALLET_INPUT_POINTER_RELEASE:
      self->pointer_down = FALSE;
      return FALSE;

    case WALLET_INPUT_KEY_PRESS:
      g_hash_table_add (self->down_keys, GUINT_TO_POINTER (keyval));
      focus = gtk_root_get_focus (GTK_ROOT (self));
      if (is_enter (keyval) && focus != NULL &&
          (focus == GTK_WIDGET (self->sign_button) ||
           gtk_widget_is_ancestor (focus, GTK_WIDGET (self->sign_button))))
        return TRUE;  /* Enter never signs */
      if (!self->armed)
        {
          g_hash_table_add (self->stale_keys, GUINT_TO_POINTER (keyval));
          return FALSE;
        }
      if (g_hash_table_contains (self->stale_keys, GUINT_TO_POINTER (keyval)))
        return TRUE;  /* a key held down since before Sign was armed (auto-repeat) */
      self->pointer_stale = FALSE;
      return FALSE;

    case WALLET_INPUT_KEY_RELEASE:
      g_hash_table_remove (self->down_keys, GUINT_TO_POINTER (keyval));
      g_hash_table_remove (self->stale_keys, GUINT_TO_POINTER (keyval));
      return FALSE;

    default:
      return FALSE;
    }
}

static gboolean
legacy_event_cb (WalletTrustedDisplay *self,
                 GdkEvent             *event)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      return _wallet_trusted_display_input (self, WALLET_INPUT_POINTER_PRESS, 0);
    case GDK_BUTTON_RELEASE:
    case GDK_TOUCH_END:
      return _wallet_trusted_display_input (self, WALLET_INPUT_POINTER_RELEASE, 0);
    case GDK_KEY_PRESS:
      return _wallet_trusted_display_input (self, WALLET_INPUT_KEY_PRESS,
                                            gdk_key_event_get_keyval (event));
    case GDK_KEY_RELEASE:
      return _wallet_trusted_display_input (self, WALLET_INPUT_KEY_RELEASE,
                                            gdk_key_event_get_keyval (event));
    default:
      return FALSE;
    }
}

/* ---- deciding ----------------------------------------------------------- */

static void
decide (WalletTrustedDisplay        *self,
        WalletTrustedDisplayOutcome  outcome)
{
  if (self->outcome != WALLET_TRUSTED_DISPLAY_PENDING)
    return;

  self->outcome = outcome;
  g_clear_handle_id (&self->delay_source, g_source_remove);
  self->armed = FALSE;
  update_sign_state (self);
  g_signal_emit (self, signals[SIGNAL_DECIDED], 0);
}

static void
sign_clicked_cb (WalletTrustedDisplay *self)
{
  g_autoptr(WalletTrustedDisplay) ref = NULL;
  g_autoptr(GBytes) shown = NULL;
  g_autoptr(GError) error = NULL;

  if (self->pointer_stale)
    {
      g_debug ("Sign ignored: the click began before Sign was armed");
      return;
    }
  if (!can_sign (self))
    {
      g_debug ("Sign ignored: %s", status_text (self));
      return;
    }

  /* Hash what is on screen, and only if it is the document we were given. */
  shown = _wallet_trusted_display_dup_shown_bytes (self);
  if (!g_bytes_equal (shown, self->document))
    {
      g_warning ("The trusted display's buffer differs from the document; refusing to sign");
      self->refused = TRUE;
      update_sign_state (self);
      return;
    }

  ref = g_object_ref (self);
  self->consent = _semper_consent_new (shown, "trusted-display", &error);
  if (self->consent == NULL)
    {
      /* The process's consent provider is not the trusted display. */
      g_message ("The trusted display may not make a consent: %s", error->message);
      self->refused = TRUE;
      update_sign_state (self);
      return;
    }
  decide (self, WALLET_TRUSTED_DISPLAY_SIGNED);
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * wallet_trusted_display_cancel:
 *
 * Cancels (if the user has not decided yet) and closes the window.
 */
void
wallet_trusted_display_cancel (WalletTrustedDisplay *self)
{
  g_autoptr(WalletTrustedDisplay) ref = NULL;

  g_return_if_fail (WALLET_IS_TRUSTED_DISPLAY (self));

  ref = g_object_ref (self);
  decide (self, WALLET_TRUSTED_DISPLAY_CANCELLED);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cancel_clicked_cb (WalletTrustedDisplay *self)
{
  wallet_trusted_display_cancel (self);
}

static gboolean
wallet_trusted_display_close_request (GtkWindow *window)
{
  /* Closing the window is a Cancel. */
  decide (WALLET_TRUSTED_DISPLAY (window), WALLET_TRUSTED_DISPLAY_CANCELLED);

  return GTK_WINDOW_CLASS (wallet_trusted_display_parent_class)->close_request (window);
}

/* ---- GObject ------------------------------------------------------------ */

static void
surface_state_cb (WalletTrustedDisplay *self)
{
  update_attention (self);
}

static void
wallet_trusted_display_map (GtkWidget *widget)
{
  WalletTrustedDisplay *self = WALLET_TRUSTED_DISPLAY (widget);

  GTK_WIDGET_CLASS (wallet_trusted_display_parent_class)->map (widget);

  /* Keyboard focus starts on Cancel: a stray key press never lands near Sign. */
  if (gtk_root_get_focus (GTK_ROOT (widget)) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));

  g_set_object (&self->surface, gtk_native_get_surface (GTK_NATIVE (widget)));
  if (self->surface != NULL)
    g_signal_connect_object (self->surface, "notify::state",
                             G_CALLBACK (surface_state_cb), self, G_CONNECT_SWAPPED);
  update_attention (self);
}

static void
wallet_trusted_display_unmap (GtkWidget *widget)
{
  WalletTrustedDisplay *self = WALLET_TRUSTED_DISPLAY (widget);

  if (self->surface != NULL)
    g_signal_handlers_disconnect_by_func (self->surface, surface_state_cb, self);
  g_clear_object (&self->surface);

  GTK_WIDGET_CLASS (wallet_trusted_display_parent_class)->unmap (widget);
  update_attention (self);
}

/* gtk_window_destroy() unrealizes without asking close-request. */
static void
wallet_trusted_display_unrealize (GtkWidget *widget)
{
  decide (WALLET_TRUSTED_DISPLAY (widget), WALLET_TRUSTED_DISPLAY_CANCELLED);

  GTK_WIDGET_CLASS (wallet_trusted_display_parent_class)->unrealize (widget);
}

static void
wallet_trusted_display_dispose (GObject *object)
{
  WalletTrustedDisplay *self = WALLET_TRUSTED_DISPLAY (object);

  /* Destroyed without a decision (say, the application quits): a Cancel. */
  decide (self, WALLET_TRUSTED_DISPLAY_CANCELLED);

  g_clear_handle_id (&self->delay_source, g_source_remove);
  if (self->surface != NULL)
    g_signal_handlers_disconnect_by_func (self->surface, surface_state_cb, self);
  g_clear_object (&self->surface);
  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_TRUSTED_DISPLAY);
  g_clear_object (&self->consent);
  g_clear_object (&self->parsed);

  G_OBJECT_CLASS (wallet_trusted_display_parent_class)->dispose (object);
}

static void
wallet_trusted_display_finalize (GObject *object)
{
  WalletTrustedDisplay *self = WALLET_TRUSTED_DISPLAY (object);

  g_clear_pointer (&self->document, g_bytes_unref);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->purpose, g_free);
  g_clear_pointer (&self->counterparty, semper_signer_info_unref);
  g_clear_pointer (&self->sha256_hex, g_free);
  g_clear_pointer (&self->stale_keys, g_hash_table_unref);
  g_clear_pointer (&self->down_keys, g_hash_table_unref);

  G_OBJECT_CLASS (wallet_trusted_display_parent_class)->finalize (object);
}

static void
wallet_trusted_display_class_init (WalletTrustedDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wallet_trusted_display_dispose;
  object_class->finalize = wallet_trusted_display_finalize;
  widget_class->map = wallet_trusted_display_map;
  widget_class->unmap = wallet_trusted_display_unmap;
  widget_class->unrealize = wallet_trusted_display_unrealize;
  window_class->close_request = wallet_trusted_display_close_request;

  /**
   * WalletTrustedDisplay::decided:
   *
   * The user signed or cancelled (see wallet_trusted_display_get_outcome()).
   * Emitted once.
   */
  signals[SIGNAL_DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-trusted-display.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, window_title);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, x11_label);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, summary_grid);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, findings_box);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, findings_title);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, findings_list);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, scroller);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, text_view);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, ack_check);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, amount_box);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, amount_label);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, amount_entry);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, status_label);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, WalletTrustedDisplay, sign_button);
}

static void
wallet_trusted_display_init (WalletTrustedDisplay *self)
{
  GtkEventController *controller;
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  load_css (GTK_WIDGET (self));

  self->delay_ms = DEFAULT_DELAY_MS;
  self->stale_keys = g_hash_table_new (NULL, NULL);
  self->down_keys = g_hash_table_new (NULL, NULL);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "event", G_CALLBACK (legacy_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect_swapped (self, "notify::is-active", G_CALLBACK (update_attention), self);
  /* _object: a button may outlive the window (someone holds a reference). */
  g_signal_connect_object (self->sign_button, "clicked", G_CALLBACK (sign_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ack_check, "toggled", G_CALLBACK (update_sign_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->amount_entry, "changed", G_CALLBACK (update_sign_state), self,
                           G_CONNECT_SWAPPED);

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (check_seen_end), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (vadjustment, "changed", G_CALLBACK (check_seen_end), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->text_view, "map", G_CALLBACK (check_seen_end), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (self))))
    gtk_widget_set_visible (GTK_WIDGET (self->x11_label), TRUE);
#endif
}

/**
 * wallet_trusted_display_new:
 * @document: the exact bytes of a semper document
 * @purpose: what signing it means ("order", "contract", …), shown to the user
 * @counterparty: (nullable): who the document is for, from its certificate
 * @threshold: (nullable): above this amount the user types the amount;
 *   %NULL for 100.00 EUR
 *
 * Checks @document and builds the window for it (not yet shown). A document
 * that the checker refuses is shown with Sign disabled for good.
 *
 * Returns: (transfer full) (nullable): the window, or %NULL with
 *   %SEMPER_CONSENT_ERROR_REFUSED if @document is not a well-formed semper document
 */
WalletTrustedDisplay *
wallet_trusted_display_new (GBytes              *document,
                            const char          *purpose,
                            SemperSignerInfo    *counterparty,
                            const SemperAmount  *threshold,
                            GError             **error)
{
  g_autoptr(WalletTrustedDisplay) self = NULL;
  g_autoptr(SemperDocument) parsed = NULL;
  g_autoptr(SemperChecker) checker = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (document != NULL, NULL);
  g_return_val_if_fail (purpose != NULL, NULL);

  parsed = semper_document_parse (document, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("Not a well-formed semper document: %s"), local_error->message);
      return NULL;
    }
  checker = semper_checker_new (error);
  if (checker == NULL)
    return NULL;

  self = g_object_ref_sink (g_object_new (WALLET_TYPE_TRUSTED_DISPLAY, NULL));
  self->document = g_bytes_ref (semper_document_get_bytes (parsed));
  self->parsed = g_steal_pointer (&parsed);
  self->findings = semper_checker_check (checker, self->parsed);
  self->refused = semper_checker_findings_refuse (self->findings);
  self->purpose = g_strdup (_(purpose));
  self->counterparty = counterparty ? semper_signer_info_ref (counterparty) : NULL;
  self->sha256_hex = semper_sha256_hex (self->document);

  if (threshold != NULL)
    self->threshold = *threshold;
  else
    g_assert (semper_amount_parse ("100.00 EUR", &self->threshold, NULL));

  self->has_total =
    semper_document_get_amount (self->parsed, "Total", &self->total, NULL) ||
    semper_document_get_amount (self->parsed, "Amount", &self->total, NULL);
  /* An amount in another currency than the limit cannot be compared: ask. */
  self->needs_amount = self->has_total &&
    (g_strcmp0 (self->total.currency, self->threshold.currency) != 0 ||
     self->total.minor > self->threshold.minor);

  /* Translators: the subtitle of the trusted display, e.g. "Sign this order" */
  subtitle = g_strdup_printf (_("Sign this %s"), self->purpose);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  fill_summary (self);
  fill_findings (self);
  fill_buffer (self);

  if (self->needs_amount)
    {
      g_autofree char *amount = semper_amount_format (&self->total);
      g_autofree char *limit = semper_amount_format (&self->threshold);
      g_autofree char *text = g_strdup_printf (_("This is more than your limit of %s. Type the "
                                                 "amount, %s, to confirm it:"), limit, amount);

      gtk_label_set_text (self->amount_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->amount_box), !self->refused);
    }

  update_sign_state (self);
  return g_steal_pointer (&self);
}

/**
 * wallet_trusted_display_get_document:
 *
 * Returns: (transfer none): the exact bytes shown
 */
GBytes *
wallet_trusted_display_get_document (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), NULL);
  return self->document;
}

/**
 * wallet_trusted_display_get_findings:
 *
 * Returns: (transfer none) (element-type SemperFinding): the checker's findings
 */
GPtrArray *
wallet_trusted_display_get_findings (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), NULL);
  return self->findings;
}

gboolean
wallet_trusted_display_is_refused (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), FALSE);
  return self->refused;
}

gboolean
wallet_trusted_display_get_can_sign (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), FALSE);
  return can_sign (self);
}

WalletTrustedDisplayOutcome
wallet_trusted_display_get_outcome (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), WALLET_TRUSTED_DISPLAY_CANCELLED);
  return self->outcome;
}

/**
 * wallet_trusted_display_dup_consent:
 *
 * Returns: (transfer full) (nullable): the consent, once the user signed
 */
SemperConsent *
wallet_trusted_display_dup_consent (WalletTrustedDisplay *self)
{
  g_return_val_if_fail (WALLET_IS_TRUSTED_DISPLAY (self), NULL);
  return self->consent ? g_object_ref (self->consent) : NULL;
}

/* ---- test hooks (wallet-trusted-display-private.h) ---------------------- */

void
_wallet_trusted_display_set_delay (WalletTrustedDisplay *self,
                                   guint                 delay_ms)
{
  self->delay_ms = delay_ms;
}

gboolean
_wallet_trusted_display_delay_pending (WalletTrustedDisplay *self)
{
  return self->delay_source != 0;
}

/* Ends a running delay now, as if it had elapsed. FALSE if none runs. */
gboolean
_wallet_trusted_display_fire_delay (WalletTrustedDisplay *self)
{
  if (self->delay_source == 0)
    return FALSE;

  g_clear_handle_id (&self->delay_source, g_source_remove);
  delay_done (self);
  return TRUE;
}

gboolean
_wallet_trusted_display_is_armed (WalletTrustedDisplay *self)
{
  return self->armed;
}

gboolean
_wallet_trusted_display_seen_end (WalletTrustedDisplay *self)
{
  return self->seen_end;
}

/**
 * _wallet_trusted_display_get_widget:
 * @name: "sign", "cancel", "ack", "amount", "text", "scroller", "status",
 *   "findings", "x11", "summary"
 *
 * Returns: (transfer none): that widget
 */
GtkWidget *
_wallet_trusted_display_get_widget (WalletTrustedDisplay *self,
                                    const char           *name)
{
  const struct { const char *name; gpointer widget; } widgets[] = {
    { "sign", self->sign_button },
    { "cancel", self->cancel_button },
    { "ack", self->ack_check },
    { "amount", self->amount_entry },
    { "text", self->text_view },
    { "scroller", self->scroller },
    { "status", self->status_label },
    { "findings", self->findings_list },
    { "x11", self->x11_label },
    { "summary", self->summary_grid },
  };

  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    if (g_str_equal (name, widgets[i].name))
      return GTK_WIDGET (widgets[i].widget);
  g_return_val_if_reached (NULL);
}
