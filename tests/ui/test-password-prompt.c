/* test-password-prompt.c: the trusted display's password window, under Xvfb
 *
 * A real profile (NSS database, archive, lock) in a temporary directory,
 * opened through the window as the wallet does. The back-off delay is ended
 * with a hook, never by sleeping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "semper-crypto.h"
#include "semper-profile.h"
#include "ui-test-util.h"
#include "wallet-password-prompt-private.h"

/* The password of the profiles that ui_test_make_profile() makes. */
#define PASSWORD UI_TEST_PASSWORD

static char *test_dir;

typedef struct
{
  gboolean       done;
  SemperProfile *profile;
  GError        *error;
} Outcome;

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->profile = wallet_password_prompt_open_profile_finish (WALLET_PASSWORD_PROMPT (source),
                                                                 result, &outcome->error);
  outcome->done = TRUE;
  /* In the log, so that a wait that never ends says how the prompt ended. */
  g_test_message ("the prompt finished: %s",
                  outcome->error != NULL ? outcome->error->message : "profile open");
}

static gboolean
outcome_done (gpointer data)
{
  return ((Outcome *) data)->done;
}

/* @data: the address of a weak pointer to the prompt: a prompt that closed
 * while the test waits for it to ask fails the test instead of hanging it. */
static gboolean
prompt_asking (gpointer data)
{
  WalletPasswordPrompt **prompt = data;

  if (*prompt == NULL)
    g_error ("The password prompt closed while the test waited for it to ask");
  return _wallet_password_prompt_is_asking (*prompt);
}

static void
type_and_unlock (WalletPasswordPrompt *prompt,
                 const char           *password)
{
  GtkWidget *entry = _wallet_password_prompt_get_widget (prompt, "entry");

  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  g_signal_emit_by_name (_wallet_password_prompt_get_widget (prompt, "unlock"), "clicked");
}

static const char *
message_of (WalletPasswordPrompt *prompt)
{
  GtkWidget *label = _wallet_password_prompt_get_widget (prompt, "message");

  return gtk_widget_get_visible (label) ? gtk_label_get_label (GTK_LABEL (label)) : "";
}

/* One wrong answer: waits until the window asks again (after the worker has
 * checked it), then checks the message and the delay. */
static void
answer_wrong (WalletPasswordPrompt *prompt,
              guint                 expected_failures,
              guint                 expected_delay)
{
  type_and_unlock (prompt, "not the password");
  /* The entry is emptied at once, and nothing more can be typed in. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_wallet_password_prompt_get_widget (
    prompt, "entry"))), ==, "");
  g_assert_false (_wallet_password_prompt_is_asking (prompt));
  g_object_add_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);
  ui_test_spin_until (prompt_asking, &prompt);
  g_object_remove_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);

  g_assert_cmpuint (_wallet_password_prompt_get_failures (prompt), ==, expected_failures);
  g_assert_cmpuint (_wallet_password_prompt_get_delay (prompt), ==, expected_delay);
  g_assert_nonnull (strstr (message_of (prompt), "Wrong password"));
  g_assert_false (gtk_widget_get_sensitive (_wallet_password_prompt_get_widget (prompt,
                                                                                "unlock")));
  g_assert_false (gtk_widget_get_sensitive (_wallet_password_prompt_get_widget (prompt,
                                                                                "entry")));
}

static void
test_delays (void)
{
  static const guint expected[] = { 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (wallet_password_prompt_delay_for_failures (i), ==, expected[i]);
  g_assert_cmpuint (wallet_password_prompt_delay_for_failures (G_MAXUINT), ==, 30000);
}

static void
test_wrong_then_right (void)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, "wrong-then-right");
  WalletPasswordPrompt *prompt = wallet_password_prompt_new (NULL, dir);
  g_autoptr(SemperProfile) profile = NULL;
  Outcome outcome = { 0 };
  GtkWidget *entry = _wallet_password_prompt_get_widget (prompt, "entry");

  g_object_add_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);
  wallet_password_prompt_open_profile_async (prompt, NULL, opened_cb, &outcome);

  /* Shown when NSS asks, focused on the entry, with the X11 warning (Xvfb). */
  ui_test_spin_until (prompt_asking, &prompt);
  ui_test_wait_mapped_active (GTK_WINDOW (prompt));
  ui_test_wait_until_painted (GTK_WIDGET (prompt));
  g_assert_true (gtk_widget_is_focus (entry) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (prompt)), entry));
  g_assert_true (gtk_widget_get_visible (_wallet_password_prompt_get_widget (prompt, "x11")));
  g_assert_cmpstr (message_of (prompt), ==, "");
  ui_test_save_screenshot (GTK_WIDGET (prompt), "password-prompt");

  /* An empty answer is not sent. */
  type_and_unlock (prompt, "");
  g_assert_true (_wallet_password_prompt_is_asking (prompt));
  g_assert_cmpuint (_wallet_password_prompt_get_failures (prompt), ==, 0);
  g_assert_nonnull (strstr (message_of (prompt), "Type the profile password"));

  answer_wrong (prompt, 1, 1000);
  ui_test_save_screenshot (GTK_WIDGET (prompt), "password-prompt-wrong");

  /* During the delay, Unlock does nothing, even by program. */
  type_and_unlock (prompt, PASSWORD);
  g_assert_true (_wallet_password_prompt_is_asking (prompt));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");

  g_assert_true (_wallet_password_prompt_fire_delay (prompt));
  g_assert_false (_wallet_password_prompt_fire_delay (prompt));
  g_assert_cmpuint (_wallet_password_prompt_get_delay (prompt), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (_wallet_password_prompt_get_widget (prompt,
                                                                               "unlock")));
  g_assert_cmpstr (message_of (prompt), ==, "Wrong password. Try again.");

  answer_wrong (prompt, 2, 2000);
  g_assert_true (_wallet_password_prompt_fire_delay (prompt));
  /* Core gives up after three answers; the window starts it again and goes
   * on counting. */
  answer_wrong (prompt, 3, 4000);
  g_assert_true (_wallet_password_prompt_fire_delay (prompt));
  answer_wrong (prompt, 4, 8000);
  g_assert_true (_wallet_password_prompt_fire_delay (prompt));
  g_assert_cmpuint (_wallet_password_prompt_get_failures (prompt), ==, 4);

  type_and_unlock (prompt, PASSWORD);
  ui_test_spin_until (outcome_done, &outcome);
  g_assert_no_error (outcome.error);
  profile = outcome.profile;
  g_assert_true (SEMPER_IS_PROFILE (profile));
  g_assert_true (semper_profile_has_identity (profile));

  /* The window is gone once the profile is open. */
  while (prompt != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
run_cancel (gboolean by_cancellable)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, by_cancellable ? "cancellable" : "cancel");
  WalletPasswordPrompt *prompt = wallet_password_prompt_new (NULL, dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SemperProfile) again = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };

  g_object_add_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);
  wallet_password_prompt_open_profile_async (prompt, cancellable, opened_cb, &outcome);
  ui_test_spin_until (prompt_asking, &prompt);
  ui_test_wait_mapped_active (GTK_WINDOW (prompt));
  answer_wrong (prompt, 1, 1000);

  /* Cancel works during the delay too. */
  if (by_cancellable)
    g_cancellable_cancel (cancellable);
  else
    g_signal_emit_by_name (_wallet_password_prompt_get_widget (prompt, "cancel"), "clicked");
  ui_test_spin_until (outcome_done, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.profile);
  g_clear_error (&outcome.error);
  while (prompt != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The lock was released. */
  again = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, ui_test_password_cb, NULL,
                               &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static void
test_cancel (void)
{
  run_cancel (FALSE);
}

static void
test_cancellable (void)
{
  run_cancel (TRUE);
}

static void
test_close_cancels (void)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, "close");
  WalletPasswordPrompt *prompt = wallet_password_prompt_new (NULL, dir);
  Outcome outcome = { 0 };

  g_object_add_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);
  wallet_password_prompt_open_profile_async (prompt, NULL, opened_cb, &outcome);
  ui_test_spin_until (prompt_asking, &prompt);
  g_object_remove_weak_pointer (G_OBJECT (prompt), (gpointer *) &prompt);
  gtk_window_close (GTK_WINDOW (prompt));
  ui_test_spin_until (outcome_done, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&outcome.error);
}

static void
map_cb (GtkWidget *widget,
        guint     *n_mapped)
{
  (*n_mapped)++;
}

static void
test_busy (void)
{
  g_autofree char *dir = ui_test_make_profile (test_dir, "busy");
  g_autoptr(SemperProfile) holder = NULL;
  g_autoptr(GError) error = NULL;
  WalletPasswordPrompt *prompt = NULL;
  Outcome outcome = { 0 };
  guint n_mapped = 0;

  holder = semper_profile_open (dir, SEMPER_PROFILE_OPEN_DEFAULT, ui_test_password_cb, NULL,
                                &error);
  g_assert_no_error (error);

  /* The lock is checked before any password is asked: no window at all. */
  prompt = wallet_password_prompt_new (NULL, dir);
  g_signal_connect (prompt, "map", G_CALLBACK (map_cb), &n_mapped);
  wallet_password_prompt_open_profile_async (prompt, NULL, opened_cb, &outcome);
  ui_test_spin_until (outcome_done, &outcome);
  g_assert_error (outcome.error, SEMPER_PROFILE_ERROR, SEMPER_PROFILE_ERROR_BUSY);
  g_assert_nonnull (strstr (outcome.error->message, "in use by another process"));
  g_assert_cmpuint (n_mapped, ==, 0);
  g_clear_error (&outcome.error);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_dir = ui_test_setup_dirs ("semper-password-test-XXXXXX");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/semper/ui/password/delays", test_delays);
  g_test_add_func ("/semper/ui/password/wrong-then-right", test_wrong_then_right);
  g_test_add_func ("/semper/ui/password/cancel", test_cancel);
  g_test_add_func ("/semper/ui/password/cancellable", test_cancellable);
  g_test_add_func ("/semper/ui/password/close", test_close_cancels);
  g_test_add_func ("/semper/ui/password/busy", test_busy);

  status = g_test_run ();
  ui_test_remove_recursively (test_dir);
  g_free (test_dir);
  return status;
}
