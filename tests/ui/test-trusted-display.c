/* test-trusted-display.c: the trusted display and the GUI consent port, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include <sqlite3.h>

#include "semper-archive.h"
#include "semper-ca.h"
#include "semper-checker.h"
#include "semper-cms.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-prefs.h"
#include "semper-role.h"
#include "semper-trust.h"
#include "wallet-consent-port.h"
#include "semper-headless-consent.h"
#include "wallet-trusted-display-private.h"

/* See test-window.c for why not G_TEST_OPTION_ISOLATE_DIRS. */
static char *test_dir;

/* The delay never ends by itself in these tests: they end it with
 * _wallet_trusted_display_fire_delay(), so nothing depends on timing. */
#define NEVER_MS (24u * 3600u * 1000u)

static GBytes *
load_document (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "documents", name, NULL);
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* A contract far longer than the window. */
static GBytes *
long_document (void)
{
  GString *s = g_string_new ("Semper-Document: contract/1\nTitle: Long lease\n"
                             "Date: 2026-11-24T10:00:00Z\n\n");

  for (guint i = 1; i <= 120; i++)
    g_string_append_printf (s, "Clause %u. The tenant keeps the garden tidy.\n", i);
  g_string_append (s, "Signed at the end.\n");
  return g_string_free_to_bytes (s);
}

static WalletTrustedDisplay *
new_display (GBytes             *document,
             const SemperAmount *threshold)
{
  g_autoptr(GError) error = NULL;
  WalletTrustedDisplay *display;

  display = wallet_trusted_display_new (document, "order", NULL, threshold, &error);
  g_assert_no_error (error);
  g_assert_nonnull (display);
  _wallet_trusted_display_set_delay (display, NEVER_MS);
  return display;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Waits (the meson timeout is the limit) until @window is mapped, active
 * and painted. */
static void
wait_until_painted (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gulong handler;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted || gtk_widget_get_width (widget) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static void
show_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) || !gtk_window_is_active (window))
    g_main_context_iteration (NULL, TRUE);
  wait_until_painted (GTK_WIDGET (window));
}

static void
scroll_to_end (WalletTrustedDisplay *display)
{
  GtkScrolledWindow *scroller =
    GTK_SCROLLED_WINDOW (_wallet_trusted_display_get_widget (display, "scroller"));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);

  while (!_wallet_trusted_display_seen_end (display))
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                     gtk_adjustment_get_page_size (adj));
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Steals the focus by showing another window; returns it. */
static GtkWindow *
steal_focus (WalletTrustedDisplay *display)
{
  GtkWindow *other = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_title (other, "Somebody else");
  gtk_window_present (other);
  while (gtk_window_is_active (GTK_WINDOW (display)) || !gtk_window_is_active (other))
    g_main_context_iteration (NULL, TRUE);
  return other;
}

static void
destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The widget paintable has nothing to give while a redraw of the window is
 * pending; then the next frame is waited for. */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  for (;;)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL)
        break;
      wait_until_painted (widget);
    }
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                      node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT") ?: ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("trusted-display-%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GStatBuf st;

  wait_until_painted (widget);
  texture = render_widget (widget);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 8 * 1024);
  g_test_message ("screenshot: %s", path);
}

static char *
buffer_text (WalletTrustedDisplay *display)
{
  GtkTextBuffer *buffer =
    gtk_text_view_get_buffer (GTK_TEXT_VIEW (_wallet_trusted_display_get_widget (display,
                                                                                 "text")));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

static gboolean
has_kind (GPtrArray         *findings,
          SemperFindingKind  kind)
{
  for (guint i = 0; i < findings->len; i++)
    if (((SemperFinding *) g_ptr_array_index (findings, i))->kind == kind)
      return TRUE;
  return FALSE;
}

static GtkTextBuffer *
buffer_of (WalletTrustedDisplay *display)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (_wallet_trusted_display_get_widget (display,
                                                                                      "text")));
}

/* Pango would insert a hyphen where it wraps inside a word (a character
 * that is not in the document): the whole buffer carries a tag that says
 * not to; and a wrapped line's continuation is indented (hanging indent), so
 * that only a real line of the document starts at the left edge. */
static void
assert_plain_wrapping (WalletTrustedDisplay *display)
{
  GtkTextBuffer *buffer = buffer_of (display);
  GtkTextView *view = GTK_TEXT_VIEW (_wallet_trusted_display_get_widget (display, "text"));
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                               "semper-no-hyphens");
  GtkTextIter start, end, toggle;
  gboolean hyphens = TRUE;

  g_assert_nonnull (tag);
  g_object_get (tag, "insert-hyphens", &hyphens, NULL);
  g_assert_false (hyphens);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_assert_true (gtk_text_iter_has_tag (&start, tag));
  toggle = start;
  g_assert_false (gtk_text_iter_forward_to_tag_toggle (&toggle, tag) &&
                  !gtk_text_iter_equal (&toggle, &end));
  /* A negative indent is a hanging one: continuation lines move right. */
  g_assert_cmpint (gtk_text_view_get_indent (view), <, 0);
}

/* Each finding's place in the text carries the warning or refusal colour. */
static void
assert_findings_marked (WalletTrustedDisplay *display,
                        GPtrArray            *findings)
{
  GtkTextBuffer *buffer = buffer_of (display);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *warn = gtk_text_tag_table_lookup (table, "semper-warn");
  GtkTextTag *refuse = gtk_text_tag_table_lookup (table, "semper-refuse");
  guint warned = 0, refused = 0;
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  do
    {
      warned += gtk_text_iter_has_tag (&iter, warn);
      refused += gtk_text_iter_has_tag (&iter, refuse);
    }
  while (gtk_text_iter_forward_char (&iter));

  for (guint i = 0; i < findings->len; i++)
    {
      const SemperFinding *f = g_ptr_array_index (findings, i);

      if (f->severity == SEMPER_FINDING_REFUSE)
        g_assert_cmpuint (refused, >, 0);
      else
        g_assert_cmpuint (warned, >, 0);
    }
  if (findings->len == 0)
    g_assert_cmpuint (warned + refused, ==, 0);
}

typedef struct
{
  const char        *file;
  const char        *name;
  int                kind;      /* -1: no findings */
  gboolean           refused;
  const char        *marker;    /* a marker the text must show, or NULL */
} RenderCase;

static const RenderCase render_cases[] = {
  { "clean-order.txt", "clean-order", -1, FALSE, NULL },
  { "clean-contract.txt", "clean-contract", -1, FALSE, NULL },
  { "bidi.txt", "bidi", SEMPER_FINDING_BIDI_CONTROL, TRUE, "⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩" },
  { "zero-width.txt", "zero-width", SEMPER_FINDING_INVISIBLE, FALSE,
    "⟨U+200B ZERO WIDTH SPACE⟩" },
  { "confusable.txt", "confusable", SEMPER_FINDING_CONFUSABLE, FALSE, NULL },
  { "control.txt", "control", SEMPER_FINDING_CONTROL, FALSE, "⟨U+0007" },
  { "fullwidth-digits.txt", "fullwidth-digits", SEMPER_FINDING_NON_ASCII_DIGIT, FALSE,
    "⟨U+FF13 FULLWIDTH DIGIT THREE⟩３" },
  { "long-line.txt", "long-line", SEMPER_FINDING_LONG_LINE, FALSE, NULL },
  { "bad-totals.txt", "bad-totals", SEMPER_FINDING_TOTALS_MISMATCH, TRUE, NULL },
};

/* Each sample is shown with its findings listed and marked, the text
 * buffer holds the document's exact bytes plus markers, and a PNG is saved. */
static void
test_render (gconstpointer data)
{
  const RenderCase *rc = data;
  g_autoptr(GBytes) document = load_document (rc->file);
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);
  g_autoptr(GBytes) shown = NULL;
  g_autofree char *text = NULL;
  GPtrArray *findings = wallet_trusted_display_get_findings (display);
  GtkWidget *list = _wallet_trusted_display_get_widget (display, "findings");

  show_and_wait (GTK_WINDOW (display));

  if (rc->kind < 0)
    {
      g_assert_cmpuint (findings->len, ==, 0);
      g_assert_false (gtk_widget_get_visible (_wallet_trusted_display_get_widget (display,
                                                                                  "ack")));
    }
  else
    {
      g_assert_true (has_kind (findings, rc->kind));
      g_assert_cmpuint (count_rows (list), ==, MIN (findings->len, 200));
      g_assert_true (gtk_widget_is_drawable (list));
      /* A refused document does not even offer the acknowledgement. */
      g_assert_true (gtk_widget_get_visible (_wallet_trusted_display_get_widget (display,
                                                                                 "ack")) ==
                     !rc->refused);
    }
  g_assert_true (wallet_trusted_display_is_refused (display) == rc->refused);

  text = buffer_text (display);
  if (rc->marker != NULL)
    g_assert_nonnull (strstr (text, rc->marker));
  else
    g_assert_null (strstr (text, "⟨U+"));

  /* The buffer on screen, without its markers, is the document. */
  shown = _wallet_trusted_display_dup_shown_bytes (display);
  g_assert_true (g_bytes_equal (shown, document));

  assert_plain_wrapping (display);
  assert_findings_marked (display, findings);

#ifdef GDK_WINDOWING_X11
  /* Xvfb is an X11 server: the keystroke warning must be there. */
  g_assert_true (gtk_widget_get_visible (_wallet_trusted_display_get_widget (display, "x11")));
#endif

  save_screenshot (GTK_WIDGET (display), rc->name);
  destroy_window (GTK_WINDOW (display));
}

static int decided_count;

static void
decided_cb (WalletTrustedDisplay *display)
{
  decided_count++;
}

static void
count_cb (GtkButton *button,
          guint     *count)
{
  (*count)++;
}

/* Presses @button both ways a program could, whatever its sensitivity, and
 * waits until GTK has delivered the click. */
static void
press (GtkWidget *button)
{
  g_autoptr(GtkWidget) ref = g_object_ref (button);  /* the first click may close the window */
  guint clicks = 0;
  gulong handler = g_signal_connect (button, "clicked", G_CALLBACK (count_cb), &clicks);

  /* An activation (what Space does) clicks after a short animation, if
   * the button is realized. */
  if (gtk_widget_activate (button) && gtk_widget_get_realized (button))
    while (clicks == 0)
      g_main_context_iteration (NULL, TRUE);
  g_signal_emit_by_name (button, "clicked");
  g_signal_handler_disconnect (button, handler);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
click_sign (WalletTrustedDisplay *display)
{
  press (_wallet_trusted_display_get_widget (display, "sign"));
}

static void
assert_no_consent (WalletTrustedDisplay *display)
{
  g_autoptr(SemperConsent) consent = wallet_trusted_display_dup_consent (display);

  g_assert_null (consent);
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_PENDING);
  g_assert_cmpint (decided_count, ==, 0);
}

static char *
password_cb (gboolean retry,
             gpointer user_data)
{
  return retry ? NULL : g_strdup ("correct horse");
}

/* Sign before the delay, before scrolling, after a focus loss, with a click
 * that began too early: no consent. Then one consent, for exactly the bytes
 * shown, which signs those bytes and nothing else. */
static void
test_state_machine (void)
{
  g_autoptr(GBytes) document = long_document ();
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(SemperConsent) consent2 = NULL;
  g_autoptr(GBytes) shown = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GBytes) other = NULL;
  g_autoptr(GBytes) signed_data = NULL;
  g_autoptr(SemperCrypto) crypto = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nss_dir = NULL;
  GtkWidget *sign = _wallet_trusted_display_get_widget (display, "sign");
  GtkWindow *other_window;
  const guint8 *consent_digest;
  gsize len = 0;

  decided_count = 0;
  g_signal_connect (display, "decided", G_CALLBACK (decided_cb), NULL);

  /* Not even shown yet. */
  g_assert_false (_wallet_trusted_display_delay_pending (display));
  click_sign (display);
  assert_no_consent (display);

  /* Shown and focused: the delay runs, Sign is not armed. */
  show_and_wait (GTK_WINDOW (display));
  g_assert_true (_wallet_trusted_display_delay_pending (display));
  g_assert_false (_wallet_trusted_display_is_armed (display));
  g_assert_false (gtk_widget_get_sensitive (sign));
  click_sign (display);
  assert_no_consent (display);

  /* Delay over, but the end of the document has not been in view. */
  g_assert_false (_wallet_trusted_display_seen_end (display));
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (_wallet_trusted_display_is_armed (display));
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  click_sign (display);
  assert_no_consent (display);

  scroll_to_end (display);
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  g_assert_true (gtk_widget_get_sensitive (sign));

  /* Focus lost: disarmed, no delay runs while another window has the focus. */
  other_window = steal_focus (display);
  g_assert_false (_wallet_trusted_display_is_armed (display));
  g_assert_false (_wallet_trusted_display_delay_pending (display));
  g_assert_false (_wallet_trusted_display_fire_delay (display));
  g_assert_false (gtk_widget_get_sensitive (sign));
  click_sign (display);
  assert_no_consent (display);

  /* A press that begins now, before Sign is armed again ... */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  /* ... and a key held down from now on. */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS, GDK_KEY_space));

  /* Back in front: the delay starts again from zero. */
  destroy_window (other_window);
  show_and_wait (GTK_WINDOW (display));
  g_assert_true (_wallet_trusted_display_delay_pending (display));
  g_assert_false (_wallet_trusted_display_is_armed (display));
  click_sign (display);
  assert_no_consent (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));

  /* The click whose press began before arming is ignored ... */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click_sign (display);
  assert_no_consent (display);
  /* ... and so is the auto-repeat of the key held since then, until released. */
  g_assert_true (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS, GDK_KEY_space));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_RELEASE,
                                                 GDK_KEY_space));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS,
                                                 GDK_KEY_space));

  /* Enter never reaches Sign. */
  gtk_widget_grab_focus (sign);
  g_assert_true (gtk_widget_has_focus (sign));
  g_assert_true (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS, GDK_KEY_Return));
  g_assert_true (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS,
                                                GDK_KEY_KP_Enter));

  save_screenshot (GTK_WIDGET (display), "ready");

  /* A fresh press after arming: one consent. */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click_sign (display);
  g_assert_cmpint (decided_count, ==, 1);
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_SIGNED);
  consent = wallet_trusted_display_dup_consent (display);
  g_assert_nonnull (consent);
  g_assert_cmpstr (semper_consent_get_origin (consent), ==, "trusted-display");

  /* The bytes shown, hashed and signed are one buffer. */
  shown = _wallet_trusted_display_dup_shown_bytes (display);
  g_assert_true (g_bytes_equal (shown, document));
  digest = semper_sha256_bytes (shown);
  consent_digest = semper_consent_get_digest (consent, &len);
  g_assert_cmpmem (consent_digest, len, g_bytes_get_data (digest, NULL),
                   g_bytes_get_size (digest));

  nss_dir = g_build_filename (test_dir, "nss-state-machine", NULL);
  crypto = semper_crypto_open (nss_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (crypto, &error));
  g_assert_no_error (error);
  g_assert_true (semper_crypto_make_self_signed (crypto, "Alice Example", &error));
  g_assert_no_error (error);

  /* One byte more than was shown: refused, and the consent is not spent. */
  other = g_bytes_new_take (g_strconcat (g_bytes_get_data (document, NULL), " ", NULL),
                            g_bytes_get_size (document) + 1);
  signed_data = semper_cms_sign_document (crypto, other, consent, &error);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_MISMATCH);
  g_assert_null (signed_data);
  g_clear_error (&error);

  signed_data = semper_cms_sign_document (crypto, shown, consent, &error);
  g_assert_no_error (error);
  g_assert_nonnull (signed_data);
  g_clear_pointer (&signed_data, g_bytes_unref);

  /* A consent signs once. */
  signed_data = semper_cms_sign_document (crypto, shown, consent, &error);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_USED);
  g_assert_null (signed_data);
  g_clear_error (&error);

  /* Signing closed the window; pressing again decides nothing new. */
  click_sign (display);
  g_assert_cmpint (decided_count, ==, 1);
  consent2 = wallet_trusted_display_dup_consent (display);
  g_assert_true (consent2 == consent);
}

/* A press (or a key) that was down while Sign was armed, and still down when
 * the window lost the focus, began before the next arming: its release
 * after the delay signs nothing. */
static void
test_stale_on_disarm (void)
{
  g_autoptr(GBytes) document = load_document ("clean-order.txt");
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);
  GtkWindow *other_window;

  decided_count = 0;
  g_signal_connect (display, "decided", G_CALLBACK (decided_cb), NULL);
  show_and_wait (GTK_WINDOW (display));
  scroll_to_end (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));

  /* Pressed while armed ... */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS, GDK_KEY_space));
  /* ... held while another window takes the focus and gives it back ... */
  other_window = steal_focus (display);
  g_assert_false (_wallet_trusted_display_is_armed (display));
  destroy_window (other_window);
  show_and_wait (GTK_WINDOW (display));
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  /* ... then released onto Sign: nothing; the held key's auto-repeat: swallowed. */
  g_assert_true (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_PRESS, GDK_KEY_space));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click_sign (display);
  assert_no_consent (display);
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_KEY_RELEASE,
                                                 GDK_KEY_space));

  /* A new press after arming signs. */
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_PRESS, 0));
  g_assert_false (_wallet_trusted_display_input (display, WALLET_INPUT_POINTER_RELEASE, 0));
  click_sign (display);
  g_assert_cmpint (decided_count, ==, 1);
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_SIGNED);
}

/* Hidden (unmapped): disarmed, no delay runs, Sign does nothing; shown again,
 * the delay starts from zero. */
static void
test_hidden (void)
{
  g_autoptr(GBytes) document = load_document ("clean-order.txt");
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);

  decided_count = 0;
  g_signal_connect (display, "decided", G_CALLBACK (decided_cb), NULL);
  show_and_wait (GTK_WINDOW (display));
  scroll_to_end (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));

  gtk_widget_set_visible (GTK_WIDGET (display), FALSE);
  while (gtk_widget_get_mapped (GTK_WIDGET (display)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (_wallet_trusted_display_is_armed (display));
  g_assert_false (_wallet_trusted_display_delay_pending (display));
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  click_sign (display);
  assert_no_consent (display);

  show_and_wait (GTK_WINDOW (display));
  g_assert_true (_wallet_trusted_display_delay_pending (display));
  g_assert_false (_wallet_trusted_display_is_armed (display));
  click_sign (display);
  assert_no_consent (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  destroy_window (GTK_WINDOW (display));
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_CANCELLED);
}

/* A header value longer than the window is wide wraps; its continuation is
 * indented, so it cannot pass for a header field of its own. */
static void
test_wrapped_header (void)
{
  static const char text[] =
    "Semper-Document: order/1\n"
    "Merchant: Bicycle Shop Limited, Workshop and Showroom at the Old Harbour, Quay Street 12, "
    "Second Floor, Room 4  Total: 1.00 EUR\n"
    "Item: 1 x Bicycle @ 150.00 EUR\n"
    "Total: 150.00 EUR\n\nOne bicycle.\n";
  g_autoptr(GBytes) document = g_bytes_new_static (text, strlen (text));
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);
  GtkTextView *view = GTK_TEXT_VIEW (_wallet_trusted_display_get_widget (display, "text"));
  GtkTextIter line_start, continuation;
  GdkRectangle first, second;

  g_assert_cmpuint (wallet_trusted_display_get_findings (display)->len, ==, 0);
  gtk_window_set_default_size (GTK_WINDOW (display), 770, 770);
  show_and_wait (GTK_WINDOW (display));

  gtk_text_buffer_get_iter_at_line (buffer_of (display), &line_start, 1);
  continuation = line_start;
  g_assert_true (gtk_text_view_forward_display_line (view, &continuation));
  /* The Merchant line wraps: the next display line is still buffer line 1. */
  g_assert_cmpint (gtk_text_iter_get_line (&continuation), ==, 1);
  gtk_text_view_get_iter_location (view, &line_start, &first);
  gtk_text_view_get_iter_location (view, &continuation, &second);
  g_assert_cmpint (second.y, >, first.y);
  g_assert_cmpint (second.x, >=, first.x + 16);
  save_screenshot (GTK_WIDGET (display), "wrapped-header");
  destroy_window (GTK_WINDOW (display));
}

static char *
ca_password_cb (gboolean retry,
                gpointer user_data)
{
  return retry ? NULL : g_strdup ("ca password");
}

static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

/* The counterparty is shown with its certified name and role, from the
 * certificate that the marketplace CA issued to it, not from the document. */
static void
test_counterparty (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_dir = g_build_filename (test_dir, "counterparty-ca", NULL);
  g_autofree char *ca_conf = g_build_filename (test_dir, "counterparty-ca.conf", NULL);
  g_autofree char *nss_dir = g_build_filename (test_dir, "counterparty-merchant", NULL);
  g_autoptr(SemperCa) ca = NULL;
  g_autoptr(SemperCrypto) merchant = NULL;
  g_autoptr(SemperTrust) trust = NULL;
  g_autoptr(SemperSignerInfo) info = NULL;
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) document = load_document ("clean-order.txt");
  g_autoptr(WalletTrustedDisplay) display = NULL;
  g_autoptr(GString) labels = g_string_new (NULL);

  g_assert_true (g_file_set_contents (ca_conf, "[ca]\nname=Test Marketplace CA\n"
                                      "roles=wallet;merchant\n", -1, &error));
  g_assert_no_error (error);
  ca = semper_ca_open (ca_dir, ca_conf, ca_password_cb, NULL, &error);
  g_assert_no_error (error);
  merchant = semper_crypto_open (nss_dir, TRUE, password_cb, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (semper_crypto_generate_key (merchant, &error));
  g_assert_no_error (error);
  csr = semper_crypto_create_csr (merchant, "Bookshop of Alexandria", SEMPER_ROLE_MERCHANT,
                                  &error);
  g_assert_no_error (error);
  cert = semper_ca_issue (ca, csr, SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  trust = semper_trust_new (semper_ca_get_root (ca), &error);
  g_assert_no_error (error);
  info = semper_trust_check_role (trust, cert, SEMPER_ROLE_MERCHANT, &error);
  g_assert_no_error (error);
  g_assert_true (info->trusted);

  display = wallet_trusted_display_new (document, "order", info, NULL, &error);
  g_assert_no_error (error);
  _wallet_trusted_display_set_delay (display, NEVER_MS);
  show_and_wait (GTK_WINDOW (display));
  collect_labels (_wallet_trusted_display_get_widget (display, "summary"), labels);
  g_assert_nonnull (strstr (labels->str, "Counterparty\n"));
  g_assert_nonnull (strstr (labels->str, "Bookshop of Alexandria (merchant), certified by your "
                                         "marketplace CA\n"));
  /* The amount with its ISO code, and the short fingerprint. */
  g_assert_nonnull (strstr (labels->str, "40.40 EUR\n"));
  g_assert_null (strstr (labels->str, "no certificate"));

  /* The SHA-256 of the bytes: 16 hex digits, all 64 on demand. */
  {
    g_autofree char *hex = semper_sha256_hex (document);
    g_autofree char *short_form = g_strdup_printf ("%.4s %.4s %.4s %.4s …\n", hex, hex + 4,
                                                   hex + 8, hex + 12);
    g_autoptr(GString) full = g_string_new (NULL);
    g_autoptr(GString) after = g_string_new (NULL);
    GtkWidget *toggle = NULL;

    for (guint i = 0; i < 64; i += 4)
      g_string_append_printf (full, "%.4s%s", hex + i, i == 60 ? "\n" : i == 28 ? "\n" : " ");
    g_assert_nonnull (strstr (labels->str, short_form));
    g_assert_null (strstr (labels->str, full->str));
    for (GtkWidget *w = gtk_widget_get_first_child (_wallet_trusted_display_get_widget (display,
                                                                                      "summary"));
         w != NULL && toggle == NULL; w = gtk_widget_get_next_sibling (w))
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL;
           c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_TOGGLE_BUTTON (c))
          toggle = c;
    g_assert_nonnull (toggle);
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
    collect_labels (_wallet_trusted_display_get_widget (display, "summary"), after);
    g_assert_nonnull (strstr (after->str, full->str));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), FALSE);
  }
  save_screenshot (GTK_WIDGET (display), "counterparty");
  destroy_window (GTK_WINDOW (display));
}

/* Warnings must be acknowledged; refused documents can never be signed. */
static void
test_warnings (void)
{
  g_autoptr(GBytes) zero_width = load_document ("zero-width.txt");
  g_autoptr(GBytes) bidi = load_document ("bidi.txt");
  g_autoptr(WalletTrustedDisplay) display = new_display (zero_width, NULL);
  g_autoptr(WalletTrustedDisplay) refused = NULL;
  GtkCheckButton *ack = GTK_CHECK_BUTTON (_wallet_trusted_display_get_widget (display, "ack"));

  show_and_wait (GTK_WINDOW (display));
  scroll_to_end (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  gtk_check_button_set_active (ack, TRUE);
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  gtk_check_button_set_active (ack, FALSE);
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  destroy_window (GTK_WINDOW (display));

  refused = new_display (bidi, NULL);
  show_and_wait (GTK_WINDOW (refused));
  scroll_to_end (refused);
  g_assert_true (_wallet_trusted_display_fire_delay (refused));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (_wallet_trusted_display_get_widget (refused,
                                                                                     "ack")),
                               TRUE);
  g_assert_false (wallet_trusted_display_get_can_sign (refused));
  decided_count = 0;
  g_signal_connect (refused, "decided", G_CALLBACK (decided_cb), NULL);
  click_sign (refused);
  assert_no_consent (refused);
  destroy_window (GTK_WINDOW (refused));
  g_assert_cmpint (wallet_trusted_display_get_outcome (refused), ==,
                   WALLET_TRUSTED_DISPLAY_CANCELLED);
}

static GBytes *
order_of (const char *total)
{
  char *text = g_strdup_printf ("Semper-Document: order/1\nMerchant: Bicycle Shop\n"
                                "Item: 1 x Bicycle @ %s\nTotal: %s\n\nOne bicycle.\n",
                                total, total);

  return g_bytes_new_take (text, strlen (text));
}

static gboolean
amount_asked (WalletTrustedDisplay *display)
{
  GtkWidget *entry = _wallet_trusted_display_get_widget (display, "amount");

  return gtk_widget_get_visible (entry) && gtk_widget_get_visible (gtk_widget_get_parent (entry));
}

/* Above the user's limit, the amount must be typed. */
static void
test_amount (void)
{
  g_autoptr(GBytes) big = order_of ("150.00 EUR");
  g_autoptr(GBytes) small = order_of ("99.00 EUR");
  g_autoptr(GBytes) dollars = order_of ("20.00 USD");
  g_autoptr(WalletTrustedDisplay) display = new_display (big, NULL);
  g_autoptr(WalletTrustedDisplay) higher = NULL;
  g_autoptr(WalletTrustedDisplay) below = NULL;
  g_autoptr(WalletTrustedDisplay) foreign = NULL;
  GtkEditable *entry = GTK_EDITABLE (_wallet_trusted_display_get_widget (display, "amount"));
  SemperAmount limit;

  show_and_wait (GTK_WINDOW (display));
  scroll_to_end (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (entry)));
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  gtk_editable_set_text (entry, "15.00");
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  gtk_editable_set_text (entry, "150.00 USD");
  g_assert_false (wallet_trusted_display_get_can_sign (display));
  gtk_editable_set_text (entry, "150.00");
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  gtk_editable_set_text (entry, "150.00 EUR");
  g_assert_true (wallet_trusted_display_get_can_sign (display));
  save_screenshot (GTK_WIDGET (display), "amount");
  destroy_window (GTK_WINDOW (display));

  /* A user's limit of 200 EUR lets 150 EUR pass without typing. */
  g_assert_true (semper_amount_parse ("200.00 EUR", &limit, NULL));
  higher = new_display (big, &limit);
  g_assert_false (amount_asked (higher));
  destroy_window (GTK_WINDOW (higher));

  below = new_display (small, NULL);
  g_assert_false (amount_asked (below));
  destroy_window (GTK_WINDOW (below));

  /* Another currency cannot be compared with the limit: typed. */
  foreign = new_display (dollars, NULL);
  g_assert_true (amount_asked (foreign));
  destroy_window (GTK_WINDOW (foreign));
}

/* Cancel and closing the window both cancel, once. */
static void
test_cancel (void)
{
  g_autoptr(GBytes) document = load_document ("clean-order.txt");
  g_autoptr(WalletTrustedDisplay) display = new_display (document, NULL);
  g_autoptr(WalletTrustedDisplay) closed = new_display (document, NULL);
  g_autoptr(SemperConsent) consent = NULL;

  show_and_wait (GTK_WINDOW (display));
  decided_count = 0;
  g_signal_connect (display, "decided", G_CALLBACK (decided_cb), NULL);
  press (_wallet_trusted_display_get_widget (display, "cancel"));
  g_assert_cmpint (decided_count, ==, 1);
  g_assert_cmpint (wallet_trusted_display_get_outcome (display), ==,
                   WALLET_TRUSTED_DISPLAY_CANCELLED);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (display)));
  consent = wallet_trusted_display_dup_consent (display);
  g_assert_null (consent);

  show_and_wait (GTK_WINDOW (closed));
  decided_count = 0;
  g_signal_connect (closed, "decided", G_CALLBACK (decided_cb), NULL);
  gtk_window_close (GTK_WINDOW (closed));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (decided_count, ==, 1);
  g_assert_cmpint (wallet_trusted_display_get_outcome (closed), ==,
                   WALLET_TRUSTED_DISPLAY_CANCELLED);
}

typedef struct
{
  SemperConsent *consent;
  GError        *error;
  gboolean       done;
} PortResult;

static void
port_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  PortResult *r = data;

  r->consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result,
                                                   &r->error);
  r->done = TRUE;
}

static void
display_opened_cb (WalletConsentPort    *port,
                   WalletTrustedDisplay *display)
{
  _wallet_trusted_display_set_delay (display, NEVER_MS);
}

static guint
count_audit_rows (SemperArchive *archive)
{
  gint64 last = 0;
  g_autofree char *head = semper_archive_audit_dup_head (archive, &last, NULL);

  return (guint) last;
}

/* The kinds and details of the audit rows after @after, read with SQLite
 * itself: "kind detail" lines. */
static char *
audit_rows_after (const char *db,
                  guint       after)
{
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT kind, detail FROM audit WHERE id > ? "
                                       "ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, after);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  return g_string_free (out, FALSE);
}

/* The port: a consent through the window, a cancel, a refusal, a cancelled
 * request; each decision recorded in the archive's audit log, and the
 * amount limit read from the user's preferences. */
static void
test_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (test_dir, "port-archive.db", NULL);
  g_autoptr(SemperArchive) archive = semper_archive_open (db, &error);
  g_autoptr(SemperPrefs) prefs = NULL;
  g_autoptr(WalletConsentPort) port = NULL;
  g_autoptr(GBytes) document = order_of ("150.00 EUR");
  g_autoptr(GBytes) bidi = load_document ("bidi.txt");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  PortResult r = { 0 };
  PortResult busy = { 0 };
  WalletTrustedDisplay *display;
  SemperAmount limit;
  guint rows;

  g_assert_no_error (error);
  prefs = semper_prefs_new (archive, &error);
  g_assert_no_error (error);
  g_assert_true (semper_amount_parse ("500.00 EUR", &limit, NULL));
  g_assert_true (semper_prefs_set_display_threshold (prefs, &limit, &error));
  g_assert_no_error (error);
  rows = count_audit_rows (archive);

  port = wallet_consent_port_new (NULL, archive);
  g_signal_connect (port, "display-opened", G_CALLBACK (display_opened_cb), NULL);

  /* Signed through the window. */
  semper_consent_port_request_async (SEMPER_CONSENT_PORT (port), document, "order", NULL,
                                     port_done_cb, &r);
  display = wallet_consent_port_get_display (port);
  g_assert_nonnull (display);
  /* 150 EUR is below the user's 500 EUR: nothing to type. */
  g_assert_false (amount_asked (display));

  /* A second request while the display asks: refused, not stacked. */
  semper_consent_port_request_async (SEMPER_CONSENT_PORT (port), document, "order", NULL,
                                     port_done_cb, &busy);
  while (!busy.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (busy.error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&busy.error);

  show_and_wait (GTK_WINDOW (display));
  scroll_to_end (display);
  g_assert_true (_wallet_trusted_display_fire_delay (display));
  click_sign (display);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.consent);
  g_assert_true (semper_consent_consume (r.consent, document, &error));
  g_assert_no_error (error);
  g_clear_object (&r.consent);
  g_assert_null (wallet_consent_port_get_display (port));
  g_assert_cmpuint (count_audit_rows (archive), ==, rows + 1);

  /* Cancelled by the user. */
  r = (PortResult) { 0 };
  semper_consent_port_request_async (SEMPER_CONSENT_PORT (port), document, "order", NULL,
                                     port_done_cb, &r);
  display = wallet_consent_port_get_display (port);
  show_and_wait (GTK_WINDOW (display));
  press (_wallet_trusted_display_get_widget (display, "cancel"));
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_cmpuint (count_audit_rows (archive), ==, rows + 2);

  /* Refused: shown, closed, reported as refused. */
  r = (PortResult) { 0 };
  semper_consent_port_request_async (SEMPER_CONSENT_PORT (port), bidi, "order", NULL,
                                     port_done_cb, &r);
  display = wallet_consent_port_get_display (port);
  show_and_wait (GTK_WINDOW (display));
  gtk_window_close (GTK_WINDOW (display));
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
  g_clear_error (&r.error);
  g_assert_cmpuint (count_audit_rows (archive), ==, rows + 3);

  /* Cancelled by the program that asked. */
  r = (PortResult) { 0 };
  semper_consent_port_request_async (SEMPER_CONSENT_PORT (port), document, "order",
                                     cancellable, port_done_cb, &r);
  display = wallet_consent_port_get_display (port);
  show_and_wait (GTK_WINDOW (display));
  g_cancellable_cancel (cancellable);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_cmpuint (count_audit_rows (archive), ==, rows + 4);

  g_assert_true (semper_archive_audit_verify (archive, NULL, &error));
  g_assert_no_error (error);

  /* What was recorded: each decision, what for, and the bytes' SHA-256. */
  {
    g_autofree char *hex = semper_sha256_hex (document);
    g_autofree char *bidi_hex = semper_sha256_hex (bidi);
    g_autofree char *expected = NULL;
    g_autofree char *got = audit_rows_after (db, rows);
    const char *fmt = "%s {\"purpose\":\"order\",\"sha256\":\"%s\","
                      "\"origin\":\"trusted-display\"}\n";
    g_autofree char *given = g_strdup_printf (fmt, "consent-given", hex);
    g_autofree char *cancelled = g_strdup_printf (fmt, "consent-cancelled", hex);
    g_autofree char *refused = g_strdup_printf (fmt, "consent-refused", bidi_hex);

    expected = g_strconcat (given, cancelled, refused, cancelled, NULL);
    g_assert_cmpstr (got, ==, expected);
  }

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
remove_recursively (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_recursively (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* In a process whose provider is the trusted display, the headless path
 * (even told --yes) makes no consent, and no second provider can be put in
 * the display's place. */
static void
test_only_provider (void)
{
  g_autoptr(GBytes) document = load_document ("clean-contract.txt");
  g_autoptr(SemperHeadlessConsent) headless = NULL;
  g_autoptr(SemperConsentPort) provider = semper_consent_dup_provider ();
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  FILE *devnull = fopen ("/dev/null", "w");

  g_assert_true (WALLET_IS_CONSENT_PORT (provider));
  g_assert_cmpstr (semper_consent_get_provider_origin (), ==, "trusted-display");

  headless = semper_headless_consent_new (devnull, SEMPER_HEADLESS_YES_ACCEPT_WARNINGS);
  consent = semper_headless_consent_request (headless, document, "order", &error);
  g_assert_null (consent);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER);
  g_clear_error (&error);

  g_assert_false (semper_consent_register_provider (SEMPER_CONSENT_PORT (headless),
                                                    "headless-yes", &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_ALREADY_REGISTERED);
  g_clear_object (&headless);
  fclose (devnull);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  static const struct { const char *variable; const char *name; } dirs[] = {
    { "HOME", "home" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" },
  };
  g_autoptr(WalletConsentPort) provider = NULL;
  int status;

  test_dir = g_dir_make_tmp ("semper-td-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (test_dir, dirs[i].name, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  /* As in semper-wallet: the trusted display is the process's one consent
   * provider, registered before anything can ask for a signature. */
  provider = wallet_consent_port_new (NULL, NULL);
  semper_consent_register_provider (SEMPER_CONSENT_PORT (provider), "trusted-display", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (render_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/semper/ui/trusted-display/render/%s",
                                               render_cases[i].name);

      g_test_add_data_func (path, &render_cases[i], test_render);
    }
  g_test_add_func ("/semper/ui/trusted-display/state-machine", test_state_machine);
  g_test_add_func ("/semper/ui/trusted-display/stale-on-disarm", test_stale_on_disarm);
  g_test_add_func ("/semper/ui/trusted-display/hidden", test_hidden);
  g_test_add_func ("/semper/ui/trusted-display/wrapped-header", test_wrapped_header);
  g_test_add_func ("/semper/ui/trusted-display/counterparty", test_counterparty);
  g_test_add_func ("/semper/ui/trusted-display/warnings", test_warnings);
  g_test_add_func ("/semper/ui/trusted-display/amount", test_amount);
  g_test_add_func ("/semper/ui/trusted-display/cancel", test_cancel);
  g_test_add_func ("/semper/ui/trusted-display/port", test_port);
  g_test_add_func ("/semper/ui/trusted-display/only-provider", test_only_provider);

  status = g_test_run ();

  remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
