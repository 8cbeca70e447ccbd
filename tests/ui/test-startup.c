/* test-startup.c: the wallet opens its profile at start-up, or sets one up
 *
 * The real application, run as `semper-wallet --profile DIR`, with real
 * profiles (NSS, SQLite, the lock) in temporary directories; the CA case
 * registers against a real `semperd --role ca` on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "semper-archive.h"
#include "semper-ca-client.h"
#include "semper-comm-client.h"
#include "semper-crypto.h"
#include "semper-profile.h"
#include "ui-test-util.h"
#include "wallet-application.h"
#include "wallet-consent-port.h"
#include "wallet-password-prompt-private.h"
#include "wallet-password-strength.h"
#include "wallet-setup-window-private.h"
#include "wallet-trusted-display.h"
#include "wallet-window.h"

/* The password of the profiles that ui_test_make_profile() makes. */
#define PASSWORD UI_TEST_PASSWORD

static char *test_dir;

static WalletApplication *
new_app (void)
{
  WalletApplication *app = wallet_application_new ();
  GApplicationFlags flags = g_application_get_flags (G_APPLICATION (app));

  /* Tests run one application after the other in one process. */
  g_application_set_flags (G_APPLICATION (app), flags | G_APPLICATION_NON_UNIQUE);
  return app;
}

static int
run_app (WalletApplication *app,
         const char        *dir)
{
  char *argv[] = { (char *) "semper-wallet", (char *) "--profile", (char *) dir, NULL };

  return g_application_run (G_APPLICATION (app), 3, argv);
}

static void
quit_app (WalletApplication *app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
}

/* ---- unlock -------------------------------------------------------------- */

typedef struct
{
  WalletApplication *app;
  guint              n_prompts;
  guint              n_main;
  guint              n_other;
  gint64             audit_rows_before;
  gint64             audit_rows_after;
  gboolean           checked;
} Unlock;

static gboolean
prompt_asking (gpointer data)
{
  return _wallet_password_prompt_is_asking (data);
}

static void
consent_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperConsent) consent = NULL;

  consent = semper_consent_port_request_finish (SEMPER_CONSENT_PORT (source), result, &error);
  g_assert_null (consent);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);
  *(gboolean *) user_data = TRUE;
}

static gboolean
drive_prompt_idle (gpointer data)
{
  WalletPasswordPrompt *prompt = data;
  GtkWidget *entry = _wallet_password_prompt_get_widget (prompt, "entry");

  ui_test_spin_until (prompt_asking, prompt);
  ui_test_wait_mapped_active (GTK_WINDOW (prompt));
  gtk_editable_set_text (GTK_EDITABLE (entry), PASSWORD);
  g_signal_emit_by_name (_wallet_password_prompt_get_widget (prompt, "unlock"), "clicked");
  return G_SOURCE_REMOVE;
}

static gboolean
check_main_idle (gpointer data)
{
  Unlock *u = data;
  SemperProfile *profile = wallet_application_get_profile (u->app);
  WalletConsentPort *port = wallet_application_get_consent_port (u->app);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) document = NULL;
  g_autofree char *head = NULL;
  gboolean done = FALSE;

  g_assert_true (SEMPER_IS_PROFILE (profile));
  g_assert_true (semper_profile_has_identity (profile));
  head = semper_archive_audit_dup_head (semper_profile_get_archive (profile),
                                       &u->audit_rows_before, NULL);

  /* The consent port records its decisions in the profile's archive. */
  document = g_bytes_new_static ("Semper-Document: contract/1\nTitle: Test\n"
                                 "Date: 2026-11-24T10:00:00Z\n\nThe parties agree.\n", 80);
  wallet_consent_port_request_full_async (port, document, "contract", NULL, cancellable,
                                          consent_done_cb, &done);
  while (wallet_consent_port_get_display (port) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&head, g_free);
  head = semper_archive_audit_dup_head (semper_profile_get_archive (profile),
                                       &u->audit_rows_after, NULL);
  u->checked = TRUE;
  quit_app (u->app);
  return G_SOURCE_REMOVE;
}

static void
unlock_window_added_cb (GtkApplication *app,
                        GtkWindow      *window,
                        Unlock         *u)
{
  if (WALLET_IS_PASSWORD_PROMPT (window))
    {
      u->n_prompts++;
      g_idle_add (drive_prompt_idle, window);
    }
  else if (WALLET_IS_WINDOW (window))
    {
      u->n_main++;
      g_idle_add (check_main_idle, u);
    }
  else if (!WALLET_IS_TRUSTED_DISPLAY (window))
    u->n_other++;
}

static void
test_unlock (void)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, "unlock");
  g_autoptr(WalletApplication) app = new_app ();
  Unlock u = { .app = app };

  g_signal_connect (app, "window-added", G_CALLBACK (unlock_window_added_cb), &u);
  g_assert_cmpint (run_app (app, dir), ==, 0);

  g_assert_true (u.checked);
  g_assert_cmpuint (u.n_prompts, ==, 1);
  g_assert_cmpuint (u.n_main, ==, 1);
  g_assert_cmpuint (u.n_other, ==, 0);
  g_assert_cmpint (u.audit_rows_after, ==, u.audit_rows_before + 1);
}

/* ---- busy ---------------------------------------------------------------- */

typedef struct
{
  guint  n_dialogs;
  guint  n_prompts_mapped;
  guint  n_other;
  char  *heading;
  char  *body;
} Busy;

static gboolean
close_dialog_idle (gpointer data)
{
  AdwMessageDialog *dialog = data;

  ui_test_wait_until_painted (GTK_WIDGET (dialog));
  ui_test_save_screenshot (GTK_WIDGET (dialog), "wallet-already-open");
  adw_message_dialog_response (dialog, "close");
  return G_SOURCE_REMOVE;
}

static void
count_map_cb (guint *n_mapped)
{
  (*n_mapped)++;
}

static void
busy_window_added_cb (GtkApplication *app,
                      GtkWindow      *window,
                      Busy           *b)
{
  if (ADW_IS_MESSAGE_DIALOG (window))
    {
      b->n_dialogs++;
      b->heading = g_strdup (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)));
      b->body = g_strdup (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (window)));
      g_idle_add (close_dialog_idle, window);
    }
  else if (WALLET_IS_PASSWORD_PROMPT (window))
    g_signal_connect_swapped (window, "map", G_CALLBACK (count_map_cb), &b->n_prompts_mapped);
  else
    b->n_other++;
}

static void
test_busy (void)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, "busy");
  g_autoptr(WalletApplication) app = new_app ();
  g_autoptr(SemperProfile) holder = NULL;
  g_autoptr(GError) error = NULL;
  Busy b = { 0 };

  holder = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, ui_test_password_cb, NULL,
                                &error);
  g_assert_no_error (error);

  g_signal_connect (app, "window-added", G_CALLBACK (busy_window_added_cb), &b);
  g_assert_cmpint (run_app (app, dir), ==, 0);

  /* A clear message, no password asked, no main window. */
  g_assert_cmpuint (b.n_dialogs, ==, 1);
  g_assert_cmpuint (b.n_prompts_mapped, ==, 0);
  g_assert_cmpuint (b.n_other, ==, 0);
  g_assert_cmpstr (b.heading, ==, "Your Wallet Is Already Open");
  g_assert_nonnull (strstr (b.body, dir));
  g_assert_nonnull (strstr (b.body, "Only one program at a time"));
  g_assert_nonnull (strstr (b.body, "in use by another process"));
  g_assert_null (wallet_application_get_profile (app));
  g_free (b.heading);
  g_free (b.body);
}

/* ---- first run ----------------------------------------------------------- */

typedef struct
{
  WalletApplication *app;
  char              *ca_url;   /* NULL: the self-signed path */
  guint              n_setup;
  guint              n_main;
  gboolean           finished;
  char              *ca_fingerprint;
} Setup;

static gboolean
not_busy (gpointer data)
{
  return !_wallet_setup_window_is_busy (data);
}

static GtkWidget *
w (WalletSetupWindow *setup,
   const char        *name)
{
  GtkWidget *widget = _wallet_setup_window_get_widget (setup, name);

  g_assert_nonnull (widget);
  return widget;
}

static void
click_next (WalletSetupWindow *setup)
{
  g_assert_true (gtk_widget_get_sensitive (w (setup, "next")));
  g_signal_emit_by_name (w (setup, "next"), "clicked");
}

static void
screenshot (WalletSetupWindow *setup,
            const char        *name)
{
  g_autofree char *file = g_strdup_printf ("setup-%s", name);

  /* Let the page transition end first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ui_test_save_screenshot (GTK_WIDGET (setup), file);
}

/* Whether a drawable label under @widget shows @text. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget)
      && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static void
drive_setup (Setup             *s,
             WalletSetupWindow *setup)
{
  GtkWidget *next = w (setup, "next");
  GtkEditable *password = GTK_EDITABLE (w (setup, "password"));
  GtkEditable *repeat = GTK_EDITABLE (w (setup, "repeat"));
  GtkLabel *strength = GTK_LABEL (w (setup, "strength"));

  gtk_stack_set_transition_type (GTK_STACK (gtk_widget_get_ancestor (w (setup, "name"),
                                                                     GTK_TYPE_STACK)),
                                 GTK_STACK_TRANSITION_TYPE_NONE);
  ui_test_show_and_wait (GTK_WINDOW (setup));
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (w (setup, "back")));
  /* The first page explains the trusted display and why it is a window of its own. */
  g_assert_true (shows_text (GTK_WIDGET (setup), "a separate window titled “Trusted Display”"));
  g_assert_true (shows_text (GTK_WIDGET (setup), "It is a window of its own so that"));
  if (s->ca_url == NULL)
    screenshot (setup, "1-welcome");
  click_next (setup);

  /* Name: required, at most 64 characters. */
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "name");
  g_assert_false (gtk_widget_get_sensitive (next));
  gtk_editable_set_text (GTK_EDITABLE (w (setup, "name")), "   ");
  g_assert_false (gtk_widget_get_sensitive (next));
  gtk_editable_set_text (GTK_EDITABLE (w (setup, "name")), "Alice Example");
  g_assert_true (gtk_widget_get_sensitive (next));
  if (s->ca_url == NULL)
    screenshot (setup, "2-name");
  click_next (setup);

  /* Password: strength feedback; weak or mismatched ones cannot go on. */
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "password");
  /* Xvfb is X11: the keystroke warning of the trusted display is here too. */
  g_assert_true (gtk_widget_get_visible (w (setup, "x11")));
  gtk_editable_set_text (password, "password");
  gtk_editable_set_text (repeat, "password");
  g_assert_false (gtk_widget_get_sensitive (next));
  g_assert_nonnull (strstr (gtk_label_get_label (strength), "Very weak"));
  gtk_editable_set_text (password, "abc12");
  g_assert_nonnull (strstr (gtk_label_get_label (strength), "at least 8"));
  gtk_editable_set_text (password, PASSWORD);
  gtk_editable_set_text (repeat, "correct horse");
  g_assert_false (gtk_widget_get_sensitive (next));
  g_assert_nonnull (strstr (gtk_label_get_label (strength), "do not match"));
  if (s->ca_url == NULL)
    screenshot (setup, "3-password-mismatch");
  gtk_editable_set_text (repeat, PASSWORD);
  g_assert_true (gtk_widget_get_sensitive (next));
  g_assert_nonnull (strstr (gtk_label_get_label (strength), "Strength: Very strong"));
  if (s->ca_url == NULL)
    screenshot (setup, "3-password");
  click_next (setup);
  /* The repeat field has served and is cleared. */
  g_assert_cmpstr (gtk_editable_get_text (repeat), ==, "");

  /* Registration: the demo CA by default; nothing goes on before its root
   * has been fetched and its fingerprint confirmed. */
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "register");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (w (setup, "ca-url"))), ==,
                   WALLET_DEMO_CA_URL);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (w (setup, "ca"))));
  g_assert_false (gtk_widget_get_sensitive (next));
  if (s->ca_url == NULL)
    {
      screenshot (setup, "4-register");
      gtk_check_button_set_active (GTK_CHECK_BUTTON (w (setup, "later")), TRUE);
    }
  else
    {
      const char *subtitle;

      gtk_editable_set_text (GTK_EDITABLE (w (setup, "ca-url")), s->ca_url);
      g_signal_emit_by_name (w (setup, "fetch"), "clicked");
      ui_test_spin_until (not_busy, setup);
      g_assert_false (gtk_widget_get_visible (w (setup, "error")));
      g_assert_true (gtk_widget_get_visible (w (setup, "root")));
      /* Shown in groups of four hex digits, to be compared by eye. */
      subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (w (setup, "root")));
      {
        g_autoptr(GString) digits = g_string_new (NULL);

        for (const char *p = strchr (subtitle, '\n'); p != NULL && *p != '\0'; p++)
          if (g_ascii_isxdigit (*p))
            g_string_append_c (digits, *p);
        g_assert_cmpstr (digits->str, ==, s->ca_fingerprint);
      }
      g_assert_false (gtk_widget_get_sensitive (next));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (w (setup, "confirm")), TRUE);
      screenshot (setup, "4-register-ca");
    }
  click_next (setup);

  /* The key is made in a worker thread, behind a spinner. */
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "creating");
  g_assert_true (_wallet_setup_window_is_busy (setup));
  if (s->ca_url == NULL)
    screenshot (setup, "5-creating");
  ui_test_spin_until (not_busy, setup);
  g_assert_false (gtk_widget_get_visible (w (setup, "error")));
  g_assert_cmpstr (_wallet_setup_window_get_page (setup), ==, "done");
  screenshot (setup, s->ca_url == NULL ? "6-done" : "6-done-ca");
}

static gboolean
drive_setup_idle (gpointer data)
{
  Setup *s = data;
  GtkApplication *app = GTK_APPLICATION (s->app);

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (WALLET_IS_SETUP_WINDOW (l->data))
      {
        drive_setup (s, l->data);
        click_next (l->data);
        break;
      }
  return G_SOURCE_REMOVE;
}

static gboolean
check_setup_main_idle (gpointer data)
{
  Setup *s = data;
  SemperProfile *profile = wallet_application_get_profile (s->app);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) root = NULL;

  g_assert_true (SEMPER_IS_PROFILE (profile));
  g_assert_true (semper_profile_has_identity (profile));
  cert = semper_crypto_dup_certificate (semper_profile_get_crypto (profile));
  root = semper_profile_dup_trust_root (profile);
  g_assert_cmpstr (semper_certificate_dup_role (cert), ==, "wallet");
  if (s->ca_url == NULL)
    g_assert_true (g_bytes_equal (cert, root));   /* self-signed: its own root */
  else
    {
      g_autofree char *root_fp = semper_sha256_hex (root);

      g_assert_false (g_bytes_equal (cert, root));
      g_assert_cmpstr (root_fp, ==, s->ca_fingerprint);
    }
  s->finished = TRUE;
  quit_app (s->app);
  return G_SOURCE_REMOVE;
}

static void
setup_window_added_cb (GtkApplication *app,
                       GtkWindow      *window,
                       Setup          *s)
{
  if (WALLET_IS_SETUP_WINDOW (window))
    {
      s->n_setup++;
      g_idle_add (drive_setup_idle, s);
    }
  else if (WALLET_IS_WINDOW (window))
    {
      s->n_main++;
      g_idle_add (check_setup_main_idle, s);
    }
}

static void
run_setup (Setup      *s,
           const char *name)
{
  g_autofree char *dir = g_build_filename (test_dir, name, NULL);
  g_autoptr(WalletApplication) app = new_app ();
  g_autoptr(SemperProfile) again = NULL;
  g_autoptr(GError) error = NULL;

  s->app = app;
  g_signal_connect (app, "window-added", G_CALLBACK (setup_window_added_cb), s);
  g_assert_cmpint (run_app (app, dir), ==, 0);
  g_assert_cmpuint (s->n_setup, ==, 1);
  g_assert_cmpuint (s->n_main, ==, 1);
  g_assert_true (s->finished);
  g_clear_object (&app);

  /* The new profile opens with the chosen password. */
  again = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, ui_test_password_cb, NULL,
                               &error);
  g_assert_no_error (error);
  g_assert_true (semper_profile_has_identity (again));
}

static void
test_setup_self_signed (void)
{
  Setup s = { 0 };

  run_setup (&s, "setup-self-signed");
}

static char *
write_file (const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (test_dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_chmod (path, 0600);
  return path;
}

static void
test_setup_ca (void)
{
  g_autofree char *semperd = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semperd",
                                               NULL);
  g_autofree char *state = g_build_filename (test_dir, "ca-state", NULL);
  g_autofree char *password = write_file ("ca-password", "ca secret passphrase\n");
  g_autoptr(GSubprocess) ca = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Setup s = { 0 };

  if (!g_file_test (semperd, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("semperd is not built");
      return;
    }
  ca = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, semperd, "--role", "ca",
                         "--listen", "127.0.0.1:0", "--state", state, "--password-file",
                         password, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (ca));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  s.ca_url = g_strdup (line + strlen ("listening on "));

  /* The fingerprint the window must show: the CA's own root, fetched the
   * way any client would (the test trusts the CA process it started). */
  {
    g_autoptr(SemperCommClient) client = semper_comm_client_new ();
    g_autoptr(GBytes) root = semper_ca_client_fetch_root (client, s.ca_url, NULL, &error);

    g_assert_no_error (error);
    s.ca_fingerprint = semper_sha256_hex (root);
  }

  run_setup (&s, "setup-ca");
  g_free (s.ca_fingerprint);
  g_free (s.ca_url);

  g_subprocess_send_signal (ca, SIGTERM);
  g_subprocess_wait (ca, NULL, &error);
  g_assert_no_error (error);
}

static void
test_strength (void)
{
  g_assert_cmpint (wallet_password_estimate ("", NULL), ==, WALLET_PASSWORD_VERY_WEAK);
  g_assert_cmpint (wallet_password_estimate ("Password", NULL), ==, WALLET_PASSWORD_VERY_WEAK);
  g_assert_cmpint (wallet_password_estimate ("aaaaaaaaaaaaaaaaaaaa", NULL), ==,
                   WALLET_PASSWORD_VERY_WEAK);
  g_assert_cmpint (wallet_password_estimate ("abcdefghijklmnop", NULL), ==,
                   WALLET_PASSWORD_VERY_WEAK);
  /* Short ones are weak at best, whatever they contain. */
  g_assert_cmpint (wallet_password_estimate ("x7#Qp!", NULL), <=, WALLET_PASSWORD_WEAK);
  g_assert_cmpint (wallet_password_estimate ("tulip7river", NULL), >=, WALLET_PASSWORD_FAIR);
  g_assert_cmpint (wallet_password_estimate (PASSWORD, NULL), ==, WALLET_PASSWORD_VERY_STRONG);
  g_assert_cmpint (wallet_password_estimate ("\xff\xfe", NULL), ==, WALLET_PASSWORD_VERY_WEAK);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_dir = ui_test_setup_dirs ("semper-startup-test-XXXXXX");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/semper/ui/setup/strength", test_strength);
  g_test_add_func ("/semper/ui/startup/unlock", test_unlock);
  g_test_add_func ("/semper/ui/startup/busy", test_busy);
  g_test_add_func ("/semper/ui/setup/self-signed", test_setup_self_signed);
  g_test_add_func ("/semper/ui/setup/ca", test_setup_ca);

  status = g_test_run ();
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
