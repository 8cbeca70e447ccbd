/* wallet-password-prompt.c: the trusted display's password window
 *
 * The profile password is asked only here (DESIGN.md section 4): a separate
 * top-level window of the wallet, never a field inside the main window or in
 * anything a merchant controls. semper_profile_open() runs in a worker thread
 * (NSS's key derivation must not freeze the UI); its SemperPasswordFunc
 * blocks that thread and asks this window on the main thread. A wrong answer
 * shows a clear message and locks the entry for a delay that doubles with
 * every failure (1 s, 2 s, 4 s … 30 s). Cancel, Escape, the close button and
 * the caller's GCancellable all cancel. docs/trusted-display.md says which
 * copies of the password are wiped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-password-prompt-private.h"

#include <glib/gi18n.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "semper-crypto.h"

#define FIRST_DELAY_MS 1000
#define MAX_DELAY_MS   30000

/* What the worker thread and the window share: one per run of
 * semper_profile_open(). The thread waits on @cond for an answer. */
typedef struct
{
  gatomicrefcount  ref;
  GMutex           mutex;
  GCond            cond;
  GMainContext    *context;
  GWeakRef         prompt;
  char            *dir;
  char            *answer;     /* a secret: wiped when not taken */
  gboolean         answered;
  gboolean         closed;     /* cancelled, or the profile is open: ask nothing more */
} Exchange;

struct _WalletPasswordPrompt
{
  AdwWindow     parent_instance;

  GtkLabel     *intro_label;
  GtkLabel     *dir_label;
  GtkLabel     *x11_label;
  GtkLabel     *message_label;
  GtkWidget    *entry;
  GtkWidget    *unlock_button;
  GtkWidget    *cancel_button;

  char         *profile_dir;
  GTask        *task;
  GCancellable *cancellable;
  gulong        cancelled_id;
  Exchange     *exchange;
  gboolean      asking;      /* the thread waits for an answer */
  gboolean      checking;    /* an answer was handed over, its outcome unknown */
  gboolean      cancelled;
  guint         failures;
  guint         delay_ms;
  guint         delay_source;
};

G_DEFINE_FINAL_TYPE (WalletPasswordPrompt, wallet_password_prompt, ADW_TYPE_WINDOW)

/* ---- the exchange between the threads ---------------------------------- */

static Exchange *
exchange_new (WalletPasswordPrompt *prompt)
{
  Exchange *ex = g_new0 (Exchange, 1);

  g_atomic_ref_count_init (&ex->ref);
  g_mutex_init (&ex->mutex);
  g_cond_init (&ex->cond);
  ex->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&ex->prompt, prompt);
  ex->dir = g_strdup (prompt->profile_dir);
  return ex;
}

static Exchange *
exchange_ref (Exchange *ex)
{
  g_atomic_ref_count_inc (&ex->ref);
  return ex;
}

static void
exchange_unref (Exchange *ex)
{
  if (!g_atomic_ref_count_dec (&ex->ref))
    return;

  if (ex->answer != NULL)
    semper_secret_free (ex->answer);
  g_weak_ref_clear (&ex->prompt);
  g_main_context_unref (ex->context);
  g_cond_clear (&ex->cond);
  g_mutex_clear (&ex->mutex);
  g_free (ex->dir);
  g_free (ex);
}

/* Hands @answer (or NULL: cancel) to the waiting thread, which owns it then. */
static void
exchange_answer (Exchange *ex,
                 char     *answer)
{
  g_mutex_lock (&ex->mutex);
  if (ex->answer != NULL)
    semper_secret_free (ex->answer);
  ex->answer = answer;
  ex->answered = TRUE;
  if (answer == NULL)
    ex->closed = TRUE;
  g_cond_broadcast (&ex->cond);
  g_mutex_unlock (&ex->mutex);
}

static void
exchange_close (Exchange *ex)
{
  g_mutex_lock (&ex->mutex);
  ex->closed = TRUE;
  g_cond_broadcast (&ex->cond);
  g_mutex_unlock (&ex->mutex);
}

static void prompt_ask (WalletPasswordPrompt *self);

static gboolean
ask_on_main_cb (gpointer data)
{
  Exchange *ex = data;
  g_autoptr(WalletPasswordPrompt) prompt = g_weak_ref_get (&ex->prompt);

  if (prompt == NULL || prompt->exchange != ex)
    exchange_answer (ex, NULL);
  else
    prompt_ask (prompt);
  return G_SOURCE_REMOVE;
}

/* The SemperPasswordFunc, called by NSS in the worker thread. After the
 * profile is open it answers NULL at once: a later request (NSS keeps the
 * slot logged in, so none is expected) must never block the main thread. */
static char *
password_func (gboolean retry,
               gpointer user_data)
{
  Exchange *ex = user_data;
  GSource *source;
  char *answer;

  g_mutex_lock (&ex->mutex);
  if (ex->closed)
    {
      g_mutex_unlock (&ex->mutex);
      return NULL;
    }
  ex->answered = FALSE;
  g_mutex_unlock (&ex->mutex);

  /* An idle source, not g_main_context_invoke(): that would run the callback
   * in this thread whenever the main thread does not hold the context. */
  source = g_idle_source_new ();
  g_source_set_callback (source, ask_on_main_cb, exchange_ref (ex),
                         (GDestroyNotify) exchange_unref);
  g_source_attach (source, ex->context);
  g_source_unref (source);

  g_mutex_lock (&ex->mutex);
  while (!ex->answered && !ex->closed)
    g_cond_wait (&ex->cond, &ex->mutex);
  answer = g_steal_pointer (&ex->answer);
  g_mutex_unlock (&ex->mutex);
  return answer;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Exchange *ex = task_data;
  GError *error = NULL;
  SemperProfile *profile;

  profile = semper_profile_open (ex->dir, SEMPER_PROFILE_OPEN_DEFAULT, password_func, ex, &error);
  if (profile == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The profile's key store keeps password_func and @ex: keep @ex alive as
   * long as the profile, closed so that it never asks again. */
  exchange_close (ex);
  g_object_set_data_full (G_OBJECT (profile), "wallet-password-exchange", exchange_ref (ex),
                          (GDestroyNotify) exchange_unref);
  g_task_return_pointer (task, profile, g_object_unref);
}

/* ---- the window --------------------------------------------------------- */

/**
 * wallet_password_prompt_delay_for_failures:
 * @failures: wrong passwords so far
 *
 * Returns: how long (ms) the entry stays locked after @failures wrong
 *   passwords: 0, then 1 s doubling up to 30 s.
 */
guint
wallet_password_prompt_delay_for_failures (guint failures)
{
  if (failures == 0)
    return 0;
  if (failures > 6)
    return MAX_DELAY_MS;
  return MIN ((guint) FIRST_DELAY_MS << (failures - 1), MAX_DELAY_MS);
}

static void
set_message (WalletPasswordPrompt *self,
             const char           *message)
{
  if (self->message_label == NULL)  /* disposed */
    return;
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
update_state (WalletPasswordPrompt *self)
{
  gboolean ready = self->asking && self->delay_source == 0;
  GtkWidget *focus;
  gboolean had_focus;

  if (self->entry == NULL)  /* disposed */
    return;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  had_focus = focus != NULL &&
              (focus == self->entry || gtk_widget_is_ancestor (focus, self->entry));

  /* Move the focus away before the entry turns insensitive: GtkText warns
   * when it loses the focus without a focus-out. */
  if (!ready && had_focus)
    gtk_widget_grab_focus (self->cancel_button);
  gtk_widget_set_sensitive (self->entry, ready);
  gtk_widget_set_sensitive (self->unlock_button, ready);
  if (ready && !had_focus)
    gtk_widget_grab_focus (self->entry);
}

static gboolean
delay_done_cb (gpointer data)
{
  WalletPasswordPrompt *self = data;

  self->delay_source = 0;
  self->delay_ms = 0;
  set_message (self, _("Wrong password. Try again."));
  update_state (self);
  return G_SOURCE_REMOVE;
}

static void
record_failure (WalletPasswordPrompt *self)
{
  g_autofree char *message = NULL;
  guint seconds;

  self->failures++;
  self->delay_ms = wallet_password_prompt_delay_for_failures (self->failures);
  seconds = (self->delay_ms + 999) / 1000;
  g_clear_handle_id (&self->delay_source, g_source_remove);
  self->delay_source = g_timeout_add (self->delay_ms, delay_done_cb, self);
  message = g_strdup_printf (ngettext ("Wrong password. You can try again in %u second.",
                                       "Wrong password. You can try again in %u seconds.",
                                       seconds),
                             seconds);
  set_message (self, message);
  update_state (self);
}

static void
prompt_ask (WalletPasswordPrompt *self)
{
  /* NSS asks again only when the last answer was wrong. */
  if (self->checking)
    {
      self->checking = FALSE;
      record_failure (self);
    }
  self->asking = TRUE;
  update_state (self);
  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (self));
}

static void
unlock_cb (WalletPasswordPrompt *self)
{
  const char *text;
  char *answer;

  if (!self->asking || self->delay_source != 0)
    return;
  /* Like Sign in the trusted display: only a window that the user sees and
   * types into can take the password. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || !gtk_window_is_active (GTK_WINDOW (self)))
    return;

  text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  if (text == NULL || *text == '\0')
    {
      set_message (self, _("Type the profile password first."));
      return;
    }

  answer = g_strdup (text);
  /* GtkPasswordEntry keeps its text in GTK's secure memory and clears it. */
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  self->asking = FALSE;
  self->checking = TRUE;
  set_message (self, NULL);
  update_state (self);
  exchange_answer (self->exchange, answer);
}

static void
cancel (WalletPasswordPrompt *self)
{
  if (self->task == NULL || self->cancelled)
    return;

  self->cancelled = TRUE;
  self->asking = FALSE;
  update_state (self);
  if (self->exchange != NULL)
    exchange_answer (self->exchange, NULL);
}

static void
cancel_clicked_cb (WalletPasswordPrompt *self)
{
  cancel (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancellable_cancelled_cb (GCancellable         *cancellable,
                          WalletPasswordPrompt *self)
{
  cancel (self);
}

static void
finish (WalletPasswordPrompt *self,
        SemperProfile        *profile,
        GError               *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->delay_source, g_source_remove);
  self->delay_ms = 0;
  self->asking = FALSE;
  self->checking = FALSE;
  g_clear_pointer (&self->exchange, exchange_unref);
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->cancellable);

  if (profile != NULL)
    g_task_return_pointer (task, profile, g_object_unref);
  else
    g_task_return_error (task, error);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void start_thread (WalletPasswordPrompt *self);

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WalletPasswordPrompt *self = WALLET_PASSWORD_PROMPT (source);
  GError *error = NULL;
  SemperProfile *profile = g_task_propagate_pointer (G_TASK (result), &error);

  if (profile != NULL)
    {
      finish (self, profile, NULL);
      return;
    }
  if (self->cancelled)
    {
      g_clear_error (&error);
      finish (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("Opening the wallet was cancelled")));
      return;
    }
  /* Core gives up after three wrong answers; the window does not, it only
   * makes the user wait longer. The lock is released in between. */
  if (self->checking && g_error_matches (error, SEMPER_CRYPTO_ERROR,
                                         SEMPER_CRYPTO_ERROR_BAD_PASSWORD))
    {
      g_clear_error (&error);
      self->checking = FALSE;
      record_failure (self);
      start_thread (self);
      return;
    }
  finish (self, NULL, error);
}

static void
start_thread (WalletPasswordPrompt *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, open_done_cb, NULL);

  g_clear_pointer (&self->exchange, exchange_unref);
  self->exchange = exchange_new (self);
  g_task_set_source_tag (task, start_thread);
  g_task_set_task_data (task, exchange_ref (self->exchange), (GDestroyNotify) exchange_unref);
  g_task_run_in_thread (task, open_thread);
}

/**
 * wallet_password_prompt_open_profile_async:
 * @self: a prompt that has not been used yet
 *
 * Opens the prompt's profile. The window is presented when the password is
 * first needed (not at all if the profile is missing or in use), and
 * destroyed when this finishes.
 */
void
wallet_password_prompt_open_profile_async (WalletPasswordPrompt *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_return_if_fail (WALLET_IS_PASSWORD_PROMPT (self));
  g_return_if_fail (self->task == NULL && !self->cancelled);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, wallet_password_prompt_open_profile_async);
  start_thread (self);
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (cancellable_cancelled_cb),
                                                  self, NULL);
    }
}

/**
 * wallet_password_prompt_open_profile_finish:
 *
 * Returns: (transfer full): the open, locked profile, or %NULL with
 *   %G_IO_ERROR_CANCELLED, %SEMPER_PROFILE_ERROR_BUSY (another process holds
 *   it), %SEMPER_PROFILE_ERROR_NOT_FOUND or another error of core.
 */
SemperProfile *
wallet_password_prompt_open_profile_finish (WalletPasswordPrompt  *self,
                                            GAsyncResult          *result,
                                            GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
close_request_cb (GtkWindow *window)
{
  cancel (WALLET_PASSWORD_PROMPT (window));
  return FALSE;
}

static void
escape_cb (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  cancel_clicked_cb (WALLET_PASSWORD_PROMPT (widget));
}

static void
wallet_password_prompt_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (wallet_password_prompt_parent_class)->realize (widget);

#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (gtk_widget_get_display (widget)))
    gtk_widget_set_visible (GTK_WIDGET (WALLET_PASSWORD_PROMPT (widget)->x11_label), TRUE);
#endif
}

static void
wallet_password_prompt_dispose (GObject *object)
{
  WalletPasswordPrompt *self = WALLET_PASSWORD_PROMPT (object);

  cancel (self);
  g_clear_handle_id (&self->delay_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_PASSWORD_PROMPT);

  G_OBJECT_CLASS (wallet_password_prompt_parent_class)->dispose (object);
}

static void
wallet_password_prompt_finalize (GObject *object)
{
  WalletPasswordPrompt *self = WALLET_PASSWORD_PROMPT (object);

  g_clear_pointer (&self->exchange, exchange_unref);
  g_clear_pointer (&self->profile_dir, g_free);

  G_OBJECT_CLASS (wallet_password_prompt_parent_class)->finalize (object);
}

static void
wallet_password_prompt_class_init (WalletPasswordPromptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = wallet_password_prompt_dispose;
  object_class->finalize = wallet_password_prompt_finalize;
  widget_class->realize = wallet_password_prompt_realize;
  window_class->close_request = close_request_cb;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/semper/Wallet/wallet-password-prompt.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, intro_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, dir_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, x11_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, message_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, entry);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, WalletPasswordPrompt, cancel_button);

  gtk_widget_class_install_action (widget_class, "prompt.cancel", NULL, escape_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "prompt.cancel", NULL);
}

static void
wallet_password_prompt_init (WalletPasswordPrompt *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->unlock_button, "clicked", G_CALLBACK (unlock_cb), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (unlock_cb), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb),
                            self);
  update_state (self);
}

/**
 * wallet_password_prompt_new:
 * @application: (nullable): the application the window belongs to
 * @profile_dir: the profile to open
 */
WalletPasswordPrompt *
wallet_password_prompt_new (GtkApplication *application,
                            const char     *profile_dir)
{
  WalletPasswordPrompt *self;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (profile_dir != NULL, NULL);

  self = g_object_new (WALLET_TYPE_PASSWORD_PROMPT, "application", application, NULL);
  self->profile_dir = g_strdup (profile_dir);
  gtk_label_set_label (self->intro_label,
                       _("Type the password of your wallet profile. The wallet asks for it "
                         "only in this window, never in a shop’s page or form."));
  dir = g_strdup_printf (_("Profile: %s"), profile_dir);
  gtk_label_set_label (self->dir_label, dir);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dir_label), profile_dir);
  return self;
}

/* ---- test hooks ------------------------------------------------------- */

guint
_wallet_password_prompt_get_failures (WalletPasswordPrompt *self)
{
  return self->failures;
}

guint
_wallet_password_prompt_get_delay (WalletPasswordPrompt *self)
{
  return self->delay_source != 0 ? self->delay_ms : 0;
}

gboolean
_wallet_password_prompt_fire_delay (WalletPasswordPrompt *self)
{
  if (self->delay_source == 0)
    return FALSE;
  g_clear_handle_id (&self->delay_source, g_source_remove);
  delay_done_cb (self);
  return TRUE;
}

gboolean
_wallet_password_prompt_is_asking (WalletPasswordPrompt *self)
{
  return self->asking;
}

GtkWidget *
_wallet_password_prompt_get_widget (WalletPasswordPrompt *self,
                                    const char           *name)
{
  if (g_str_equal (name, "entry"))
    return self->entry;
  if (g_str_equal (name, "unlock"))
    return self->unlock_button;
  if (g_str_equal (name, "cancel"))
    return self->cancel_button;
  if (g_str_equal (name, "message"))
    return GTK_WIDGET (self->message_label);
  if (g_str_equal (name, "x11"))
    return GTK_WIDGET (self->x11_label);
  return NULL;
}
