/* wallet-preferences-payment.c: Preferences → Payment Methods
 *
 * The user's instruments (the linked bank account with its balance, the
 * e-cash purse with its balance and coins by denomination, and a withdrawal
 * from the account into the purse), the ordered list of payment systems
 * (drag a row, or use its up and down buttons), a limit per system, whether
 * the wallet asks or picks, and the amount above which the trusted display
 * makes the user type the amount. Everything is stored in the profile's
 * payment preferences (core/support/semper-prefs.h), which the payment
 * manager's negotiation reads. Bank calls run in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wallet-preferences-payment.h"
#include "wallet-preferences-payment-private.h"

#include <glib/gi18n.h>

#include "semper-archive.h"
#include "semper-crypto.h"
#include "semper-money.h"
#include "semper-prefs.h"
#include "semper-profile.h"
#include "semper-purse.h"

/* The systems this wallet has, whether listed in the order or not. */
static const char * const known_systems[] = { "ecash", "account" };

struct _WalletPreferencesPayment
{
  AdwPreferencesPage  parent_instance;

  SemperProfile      *profile;
  SemperPrefs        *prefs;
  SemperPurse        *purse;
  gboolean            busy;

  GArray             *account_balances;  /* (element-type SemperAmount) (nullable) */
  char               *bank_error;

  AdwActionRow       *account_row;
  AdwExpanderRow     *purse_row;
  GPtrArray          *coin_rows;
  AdwEntryRow        *withdraw_row;
  AdwExpanderRow     *link_row;
  AdwEntryRow        *link_url_row;
  AdwEntryRow        *link_account_row;
  AdwEntryRow        *link_code_row;
  GtkButton          *link_button;
  GtkButton          *withdraw_button;
  GtkListBox         *order_list;
  GPtrArray          *order;             /* (element-type utf8) the systems as shown */
  AdwPreferencesGroup *limits_group;
  GPtrArray          *limit_rows;
  AdwComboRow        *policy_row;
  AdwEntryRow        *threshold_row;
};

G_DEFINE_FINAL_TYPE (WalletPreferencesPayment, wallet_preferences_payment,
                     ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
system_title (const char *id)
{
  if (g_str_equal (id, "ecash"))
    return _("E-Cash Purse");
  if (g_str_equal (id, "account"))
    return _("Bank Account");
  return id;
}

static void
toast (WalletPreferencesPayment *self,
       const char               *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_debug ("toast: %s", text);
  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (text));
}

static void
set_busy (WalletPreferencesPayment *self,
          gboolean                  busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->withdraw_button),
                            !busy && self->purse != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->link_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Text like "3.00" means euros; "3.00 USD" names its currency. */
static gboolean
parse_amount (const char    *text,
              SemperAmount  *out,
              GError       **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *full = NULL;

  if (strchr (trimmed, ' ') == NULL)
    full = g_strconcat (trimmed, " EUR", NULL);
  else
    full = g_strdup (trimmed);
  return semper_amount_parse (full, out, error);
}

/* ---- instruments ----------------------------------------------------------------- */

typedef struct {
  gint64  minor;
  char    currency[4];
  guint   count;
} Denomination;

static int
compare_denominations (gconstpointer a,
                       gconstpointer b)
{
  const Denomination *da = a;
  const Denomination *db = b;
  int c = strcmp (da->currency, db->currency);

  if (c != 0)
    return c;
  return da->minor < db->minor ? 1 : da->minor > db->minor ? -1 : 0;
}

static void
update_purse (WalletPreferencesPayment *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) coins = NULL;
  g_autoptr(GArray) denoms = g_array_new (FALSE, TRUE, sizeof (Denomination));
  g_autoptr(GString) balance = g_string_new (NULL);

  for (guint i = 0; i < self->coin_rows->len; i++)
    adw_expander_row_remove (self->purse_row, g_ptr_array_index (self->coin_rows, i));
  g_ptr_array_set_size (self->coin_rows, 0);

  coins = semper_archive_coin_list (semper_profile_get_archive (self->profile),
                                    SEMPER_PURSE_SYSTEM, "fresh", &error);
  if (coins == NULL)
    {
      adw_expander_row_set_subtitle (self->purse_row, error->message);
      return;
    }
  for (guint i = 0; i < coins->len; i++)
    {
      SemperArchiveCoin *coin = g_ptr_array_index (coins, i);
      gboolean found = FALSE;

      for (guint k = 0; k < denoms->len && !found; k++)
        {
          Denomination *d = &g_array_index (denoms, Denomination, k);

          if (d->minor == coin->value.minor && g_str_equal (d->currency, coin->value.currency))
            {
              d->count++;
              found = TRUE;
            }
        }
      if (!found)
        {
          Denomination d = { coin->value.minor, "", 1 };

          g_strlcpy (d.currency, coin->value.currency, sizeof d.currency);
          g_array_append_val (denoms, d);
        }
    }
  g_array_sort (denoms, compare_denominations);

  /* The balance per currency, from the same coins. */
  for (guint k = 0; k < denoms->len; k++)
    {
      Denomination *d = &g_array_index (denoms, Denomination, k);
      g_autofree char *value = NULL;
      g_autofree char *title = NULL;
      SemperAmount a;
      GtkWidget *row;

      semper_amount_init (&a, d->minor, d->currency, NULL);
      value = semper_amount_format (&a);
      /* Translators: a number of coins of one value, e.g. "3 × 1.00 EUR" */
      title = g_strdup_printf (ngettext ("%u coin of %s", "%u coins of %s", d->count), d->count,
                               value);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_add_row (self->purse_row, row);
      g_ptr_array_add (self->coin_rows, row);
    }
  {
    g_autoptr(GPtrArray) currencies = g_ptr_array_new ();

    for (guint k = 0; k < denoms->len; k++)
      {
        Denomination *d = &g_array_index (denoms, Denomination, k);

        if (!g_ptr_array_find_with_equal_func (currencies, d->currency, g_str_equal, NULL))
          g_ptr_array_add (currencies, d->currency);
      }
    for (guint c = 0; c < currencies->len; c++)
      {
        const char *currency = g_ptr_array_index (currencies, c);
        g_autofree char *text = NULL;
        SemperAmount sum;

        semper_amount_init (&sum, 0, currency, NULL);
        for (guint k = 0; k < denoms->len; k++)
          {
            Denomination *d = &g_array_index (denoms, Denomination, k);

            if (g_str_equal (d->currency, currency))
              sum.minor += d->minor * d->count;
          }
        text = semper_amount_format (&sum);
        if (balance->len > 0)
          g_string_append (balance, ", ");
        g_string_append (balance, text);
      }
  }

  if (coins->len == 0)
    adw_expander_row_set_subtitle (self->purse_row,
                                   _("Empty: withdraw coins from the linked bank account"));
  else
    {
      g_autofree char *subtitle = g_strdup_printf (ngettext ("Balance %s in %u coin",
                                                             "Balance %s in %u coins",
                                                             coins->len),
                                                   balance->str, coins->len);
      adw_expander_row_set_subtitle (self->purse_row, subtitle);
    }
  adw_expander_row_set_enable_expansion (self->purse_row, coins->len > 0);
}

static void
update_account (WalletPreferencesPayment *self)
{
  g_autofree char *account = NULL;
  g_autofree char *bank = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (self->purse != NULL)
    {
      account = semper_purse_dup_account (self->purse);
      bank = semper_purse_dup_bank_url (self->purse);
    }
  if (account == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), _("Bank Account"));
      adw_action_row_set_subtitle (self->account_row,
                                   _("No bank account is linked to this wallet yet. Link one "
                                     "below with the link code from your bank."));
      gtk_widget_set_sensitive (GTK_WIDGET (self->withdraw_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->link_row), self->purse != NULL);
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->withdraw_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->link_row), FALSE);

  /* Translators: the title of the linked bank account's row; %s is its id */
  title = g_strdup_printf (_("Bank Account “%s”"), account);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), title);
  if (self->busy && self->account_balances == NULL)
    g_string_append (subtitle, _("Asking the bank for the balance…"));
  else if (self->bank_error != NULL)
    g_string_append_printf (subtitle, _("The bank could not be reached: %s"), self->bank_error);
  else if (self->account_balances != NULL)
    {
      g_string_append (subtitle, _("Balance "));
      for (guint i = 0; i < self->account_balances->len; i++)
        {
          g_autofree char *text =
            semper_amount_format (&g_array_index (self->account_balances, SemperAmount, i));

          if (i > 0)
            g_string_append (subtitle, ", ");
          g_string_append (subtitle, text);
        }
      if (self->account_balances->len == 0)
        g_string_append (subtitle, "0");
    }
  g_string_append_printf (subtitle, subtitle->len > 0 ? " · %s" : "%s", bank);
  adw_action_row_set_subtitle (self->account_row, subtitle->str);
}

/* The worker thread's half: withdraw (when @amount is set) and the balance. */
typedef struct {
  SemperPurse   *purse;
  char          *link_url;      /* (nullable) link first */
  char          *link_account;
  char          *link_code;
  GError        *link_error;
  gboolean       withdraw;
  SemperAmount   amount;
  SemperAmount   fee;
  GArray        *balances;
  GError        *withdraw_error;
  GError        *balance_error;
} BankJob;

static void
bank_job_free (BankJob *job)
{
  g_clear_object (&job->purse);
  g_free (job->link_url);
  g_free (job->link_account);
  if (job->link_code != NULL)
    semper_secret_free (job->link_code);
  g_clear_error (&job->link_error);
  g_clear_pointer (&job->balances, g_array_unref);
  g_clear_error (&job->withdraw_error);
  g_clear_error (&job->balance_error);
  g_free (job);
}

static void
bank_job_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  BankJob *job = task_data;

  if (job->link_url != NULL
      && !semper_purse_link (job->purse, job->link_url, job->link_account, job->link_code,
                             &job->link_error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (job->withdraw)
    semper_purse_withdraw (job->purse, &job->amount, &job->fee, &job->withdraw_error);
  job->balances = semper_purse_dup_account_balances (job->purse, &job->balance_error);
  g_task_return_boolean (task, TRUE);
}

static void
bank_job_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WalletPreferencesPayment *self = WALLET_PREFERENCES_PAYMENT (source);
  BankJob *job = g_task_get_task_data (G_TASK (result));

  /* The window closed meanwhile. */
  if (self->profile == NULL)
    return;

  if (job->link_url != NULL)
    {
      g_autofree char *message = NULL;

      if (job->link_error != NULL)
        message = g_strdup_printf (_("The account was not linked: %s"),
                                   job->link_error->message);
      else
        {
          message = g_strdup_printf (_("Linked the account “%s”"), job->link_account);
          gtk_editable_set_text (GTK_EDITABLE (self->link_code_row), "");
        }
      toast (self, message);
      if (job->link_error != NULL)
        {
          set_busy (self, FALSE);
          update_account (self);
          return;
        }
    }

  g_clear_pointer (&self->account_balances, g_array_unref);
  g_clear_pointer (&self->bank_error, g_free);
  if (job->balances != NULL)
    self->account_balances = g_array_ref (job->balances);
  else
    self->bank_error = g_strdup (job->balance_error->message);

  if (job->withdraw)
    {
      g_autofree char *amount = semper_amount_format (&job->amount);
      g_autofree char *message = NULL;

      if (job->withdraw_error == NULL)
        {
          g_autofree char *fee = semper_amount_format (&job->fee);

          message = job->fee.minor > 0
                    ? g_strdup_printf (_("Withdrew %s into the purse (fee %s)"), amount, fee)
                    : g_strdup_printf (_("Withdrew %s into the purse"), amount);
          gtk_editable_set_text (GTK_EDITABLE (self->withdraw_row), "");
        }
      else
        message = g_strdup_printf (_("Could not withdraw %s: %s"), amount,
                                   job->withdraw_error->message);
      toast (self, message);
    }

  set_busy (self, FALSE);
  update_account (self);
  update_purse (self);
}

static void
start_bank_job (WalletPreferencesPayment *self,
                const SemperAmount       *withdraw,
                BankJob                  *link)
{
  g_autoptr(GTask) task = NULL;
  BankJob *job;
  g_autofree char *account = NULL;

  if (self->purse == NULL || self->busy)
    return;
  account = semper_purse_dup_account (self->purse);
  if (account == NULL && link == NULL)
    return;

  job = link != NULL ? link : g_new0 (BankJob, 1);
  job->purse = g_object_ref (self->purse);
  if (withdraw != NULL)
    {
      job->withdraw = TRUE;
      job->amount = *withdraw;
    }
  task = g_task_new (self, NULL, bank_job_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) bank_job_free);
  set_busy (self, TRUE);
  update_account (self);
  g_task_run_in_thread (task, bank_job_thread);
}

void
wallet_preferences_payment_refresh (WalletPreferencesPayment *self)
{
  g_return_if_fail (WALLET_IS_PREFERENCES_PAYMENT (self));

  update_purse (self);
  update_account (self);
  start_bank_job (self, NULL, NULL);
}

static void
withdraw_cb (WalletPreferencesPayment *self)
{
  g_autoptr(GError) error = NULL;
  SemperAmount amount;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->withdraw_row));

  if (self->busy)
    return;
  if (!parse_amount (text, &amount, &error) || amount.minor <= 0)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not an amount to withdraw, "
                                                    "like 20.00"), text);

      gtk_widget_add_css_class (GTK_WIDGET (self->withdraw_row), "error");
      toast (self, message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->withdraw_row), "error");
  start_bank_job (self, &amount, NULL);
}

static void
link_cb (WalletPreferencesPayment *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->link_url_row))));
  g_autofree char *account = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->link_account_row))));
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->link_code_row));
  BankJob *job;

  if (self->busy || self->purse == NULL)
    return;
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->link_url_row), "error");
      toast (self, _("The bank’s address starts with http:// or https://"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->link_url_row), "error");
  if (*account == '\0' || *code == '\0')
    {
      toast (self, _("Type the account and the link code your bank gave you"));
      return;
    }
  job = g_new0 (BankJob, 1);
  job->link_url = g_steal_pointer (&url);
  job->link_account = g_steal_pointer (&account);
  job->link_code = g_strdup (code);
  start_bank_job (self, NULL, job);
}

/* ---- the order of preference --------------------------------------------------- */

static void rebuild_order (WalletPreferencesPayment *self);

static void
load_order (WalletPreferencesPayment *self)
{
  const char * const *order = semper_prefs_get_payment_order (self->prefs);

  g_ptr_array_set_size (self->order, 0);
  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    g_ptr_array_add (self->order, g_strdup (order[i]));
  for (guint i = 0; i < G_N_ELEMENTS (known_systems); i++)
    if (!g_ptr_array_find_with_equal_func (self->order, known_systems[i], g_str_equal, NULL))
      g_ptr_array_add (self->order, g_strdup (known_systems[i]));
}

gboolean
wallet_preferences_payment_move (WalletPreferencesPayment *self,
                                 guint                     from,
                                 guint                     to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) strv = NULL;
  char *moved;

  g_return_val_if_fail (WALLET_IS_PREFERENCES_PAYMENT (self), FALSE);

  if (from >= self->order->len || to >= self->order->len)
    return FALSE;
  if (from == to)
    return TRUE;

  moved = g_ptr_array_steal_index (self->order, from);
  g_ptr_array_insert (self->order, to, moved);

  strv = g_ptr_array_new ();
  for (guint i = 0; i < self->order->len; i++)
    g_ptr_array_add (strv, g_ptr_array_index (self->order, i));
  g_ptr_array_add (strv, NULL);
  if (!semper_prefs_set_payment_order (self->prefs, (const char * const *) strv->pdata, &error))
    {
      toast (self, error->message);
      load_order (self);
      rebuild_order (self);
      return FALSE;
    }
  rebuild_order (self);
  return TRUE;
}

static guint
row_position (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW);

  return row != NULL ? (guint) gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) : 0;
}

static void
focus_button (WalletPreferencesPayment *self,
              guint                     position,
              const char               *name)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->order_list, position);
  GtkWidget *button;

  if (row == NULL)
    return;
  button = g_object_get_data (G_OBJECT (row), name);
  if (button != NULL && gtk_widget_get_sensitive (button))
    gtk_widget_grab_focus (button);
  else
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
move_up_cb (GtkButton                *button,
            WalletPreferencesPayment *self)
{
  guint position = row_position (GTK_WIDGET (button));

  if (position > 0 && wallet_preferences_payment_move (self, position, position - 1))
    focus_button (self, position - 1, "up");
}

static void
move_down_cb (GtkButton                *button,
              WalletPreferencesPayment *self)
{
  guint position = row_position (GTK_WIDGET (button));

  if (wallet_preferences_payment_move (self, position, position + 1))
    focus_button (self, position + 1, "down");
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkWidget     *row)
{
  GValue value = G_VALUE_INIT;
  GdkContentProvider *provider;

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, (guint) gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
  provider = gdk_content_provider_new_for_value (&value);
  g_value_unset (&value);
  return provider;
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GtkWidget     *row)
{
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, 0, 0);
}

static gboolean
drop_cb (GtkDropTarget            *target,
         const GValue             *value,
         double                    x,
         double                    y,
         WalletPreferencesPayment *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));

  if (!G_VALUE_HOLDS_UINT (value))
    return FALSE;
  return wallet_preferences_payment_move (self, g_value_get_uint (value),
                                          (guint) gtk_list_box_row_get_index (
                                            GTK_LIST_BOX_ROW (row)));
}

static GtkWidget *
order_row_new (WalletPreferencesPayment *self,
               const char               *id,
               guint                     position)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
  GtkWidget *up = gtk_button_new_from_icon_name ("go-up-symbolic");
  GtkWidget *down = gtk_button_new_from_icon_name ("go-down-symbolic");
  GtkDragSource *source = gtk_drag_source_new ();
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_UINT, GDK_ACTION_MOVE);
  g_autofree char *subtitle = NULL;
  g_autofree char *up_label = NULL;
  g_autofree char *down_label = NULL;
  SemperAmount limit;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), system_title (id));
  if (semper_prefs_get_limit (self->prefs, id, &limit))
    {
      g_autofree char *text = semper_amount_format (&limit);

      /* Translators: %d is the place in the list, %s a limit such as 20.00 EUR */
      subtitle = g_strdup_printf (_("Choice %u · at most %s per payment"), position + 1, text);
    }
  else
    subtitle = g_strdup_printf (_("Choice %u · no limit"), position + 1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), handle);

  /* Translators: the accessible name of a button that moves a payment system up the list */
  up_label = g_strdup_printf (_("Move %s Up"), system_title (id));
  down_label = g_strdup_printf (_("Move %s Down"), system_title (id));
  gtk_widget_set_tooltip_text (up, up_label);
  gtk_widget_set_tooltip_text (down, down_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (up), GTK_ACCESSIBLE_PROPERTY_LABEL, up_label,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  down_label, -1);
  for (GtkWidget *b = up; b != NULL; b = b == up ? down : NULL)
    {
      gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (b, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
    }
  gtk_widget_set_sensitive (up, position > 0);
  gtk_widget_set_sensitive (down, position + 1 < self->order->len);
  g_signal_connect (up, "clicked", G_CALLBACK (move_up_cb), self);
  g_signal_connect (down, "clicked", G_CALLBACK (move_down_cb), self);
  g_object_set_data (G_OBJECT (row), "up", up);
  g_object_set_data (G_OBJECT (row), "down", down);
  g_object_set_data_full (G_OBJECT (row), "system", g_strdup (id), g_free);

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), row);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  g_object_set_data (G_OBJECT (row), "drop-target", target);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (target));
  return row;
}

static void
rebuild_order (WalletPreferencesPayment *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->order_list))) != NULL)
    gtk_list_box_remove (self->order_list, child);
  for (guint i = 0; i < self->order->len; i++)
    gtk_list_box_append (self->order_list,
                         order_row_new (self, g_ptr_array_index (self->order, i), i));
}

/* ---- limits, policy, threshold --------------------------------------------------- */

static void
limit_apply_cb (AdwEntryRow              *row,
                WalletPreferencesPayment *self)
{
  g_autoptr(GError) error = NULL;
  const char *id = g_object_get_data (G_OBJECT (row), "system");
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  SemperAmount limit;
  gboolean ok;

  if (*trimmed == '\0')
    ok = semper_prefs_set_limit (self->prefs, id, NULL, &error);
  else
    ok = parse_amount (trimmed, &limit, &error)
         && semper_prefs_set_limit (self->prefs, id, &limit, &error);
  if (!ok)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      toast (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  rebuild_order (self);
  toast (self, *trimmed == '\0' ? _("Limit removed") : _("Limit saved"));
}

static void
build_limits (WalletPreferencesPayment *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_systems); i++)
    {
      GtkWidget *row = adw_entry_row_new ();
      g_autofree char *title = NULL;
      SemperAmount limit;

      /* Translators: %s is a payment system, such as E-Cash Purse */
      title = g_strdup_printf (_("Limit per Payment, %s"), system_title (known_systems[i]));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      adw_entry_row_set_input_hints (ADW_ENTRY_ROW (row), GTK_INPUT_HINT_NO_SPELLCHECK);
      if (semper_prefs_get_limit (self->prefs, known_systems[i], &limit))
        {
          g_autofree char *text = semper_amount_format (&limit);

          gtk_editable_set_text (GTK_EDITABLE (row), text);
        }
      g_object_set_data (G_OBJECT (row), "system", (gpointer) known_systems[i]);
      g_signal_connect (row, "apply", G_CALLBACK (limit_apply_cb), self);
      g_signal_connect (row, "entry-activated", G_CALLBACK (limit_apply_cb), self);
      adw_preferences_group_add (self->limits_group, row);
      g_ptr_array_add (self->limit_rows, row);
    }
}

static void
policy_changed_cb (AdwComboRow              *row,
                   GParamSpec               *pspec,
                   WalletPreferencesPayment *self)
{
  g_autoptr(GError) error = NULL;
  SemperPaymentPolicy policy = adw_combo_row_get_selected (row) == 1
                               ? SEMPER_PAYMENT_POLICY_PICK : SEMPER_PAYMENT_POLICY_ASK;

  if (policy == semper_prefs_get_policy (self->prefs))
    return;
  if (!semper_prefs_set_policy (self->prefs, policy, &error))
    toast (self, error->message);
}

static void
threshold_apply_cb (AdwEntryRow              *row,
                    WalletPreferencesPayment *self)
{
  g_autoptr(GError) error = NULL;
  SemperAmount threshold;

  if (!parse_amount (gtk_editable_get_text (GTK_EDITABLE (row)), &threshold, &error)
      || !semper_prefs_set_display_threshold (self->prefs, &threshold, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      toast (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  toast (self, _("Amount to type saved"));
}

/* ---- construction ----------------------------------------------------------------- */

static GtkWidget *
group_new (WalletPreferencesPayment *self,
           const char               *title,
           const char               *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), ADW_PREFERENCES_GROUP (group));
  return group;
}

static void
build (WalletPreferencesPayment *self)
{
  GtkWidget *group;
  GtkStringList *choices;
  g_autofree char *threshold_text = NULL;
  SemperAmount threshold;

  group = group_new (self, _("Instruments"), NULL);
  self->account_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_action_row_set_subtitle_lines (self->account_row, 3);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->account_row));

  self->link_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->link_row),
                                 _("_Link a Bank Account"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->link_row), TRUE);
  adw_expander_row_set_subtitle (self->link_row,
                                 _("With the address, account and link code from your bank"));
  self->link_url_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->link_url_row), _("Bank Address"));
  adw_entry_row_set_input_purpose (self->link_url_row, GTK_INPUT_PURPOSE_URL);
  adw_expander_row_add_row (self->link_row, GTK_WIDGET (self->link_url_row));
  self->link_account_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->link_account_row), _("Account"));
  adw_expander_row_add_row (self->link_row, GTK_WIDGET (self->link_account_row));
  self->link_code_row = ADW_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->link_code_row), _("Link Code"));
  self->link_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("Lin_k")));
  gtk_widget_set_valign (GTK_WIDGET (self->link_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->link_button), "suggested-action");
  adw_entry_row_add_suffix (self->link_code_row, GTK_WIDGET (self->link_button));
  g_signal_connect_swapped (self->link_button, "clicked", G_CALLBACK (link_cb), self);
  g_signal_connect_swapped (self->link_code_row, "entry-activated", G_CALLBACK (link_cb), self);
  adw_expander_row_add_row (self->link_row, GTK_WIDGET (self->link_code_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->link_row));

  self->purse_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->purse_row), _("E-Cash Purse"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->purse_row));

  self->withdraw_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->withdraw_row),
                                 _("_Withdraw from the Account (amount)"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->withdraw_row), TRUE);
  adw_entry_row_set_input_purpose (self->withdraw_row, GTK_INPUT_PURPOSE_NUMBER);
  self->withdraw_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("With_draw")));
  gtk_widget_set_valign (GTK_WIDGET (self->withdraw_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->withdraw_button), "suggested-action");
  adw_entry_row_add_suffix (self->withdraw_row, GTK_WIDGET (self->withdraw_button));
  g_signal_connect_swapped (self->withdraw_button, "clicked", G_CALLBACK (withdraw_cb), self);
  g_signal_connect_swapped (self->withdraw_row, "entry-activated", G_CALLBACK (withdraw_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->withdraw_row));

  group = group_new (self, _("Order of Preference"),
                     _("The wallet tries the systems a merchant accepts in this order. Drag a "
                       "row, or use its arrows, to change it."));
  self->order_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->order_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->order_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->order_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Order of Preference"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->order_list));

  group = group_new (self, _("Choosing"), NULL);
  self->policy_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->policy_row), _("When _Paying"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->policy_row), TRUE);
  choices = gtk_string_list_new ((const char * const []) {
    _("Ask Every Time"), _("Pick the First That Can Pay"), NULL });
  adw_combo_row_set_model (self->policy_row, G_LIST_MODEL (choices));
  g_object_unref (choices);
  adw_combo_row_set_selected (self->policy_row,
                              semper_prefs_get_policy (self->prefs) == SEMPER_PAYMENT_POLICY_PICK);
  g_signal_connect (self->policy_row, "notify::selected", G_CALLBACK (policy_changed_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->policy_row));

  self->threshold_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->threshold_row),
                                 _("Type the Amount Above"));
  adw_entry_row_set_show_apply_button (self->threshold_row, TRUE);
  semper_prefs_get_display_threshold (self->prefs, &threshold);
  threshold_text = semper_amount_format (&threshold);
  gtk_editable_set_text (GTK_EDITABLE (self->threshold_row), threshold_text);
  g_signal_connect (self->threshold_row, "apply", G_CALLBACK (threshold_apply_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->threshold_row));

  self->limits_group = ADW_PREFERENCES_GROUP (
    group_new (self, _("Limits"),
               _("A payment above a system's limit is not made with it. Leave empty for no "
                 "limit.")));
  build_limits (self);
}

static void
wallet_preferences_payment_dispose (GObject *object)
{
  WalletPreferencesPayment *self = WALLET_PREFERENCES_PAYMENT (object);

  g_clear_object (&self->purse);
  g_clear_object (&self->prefs);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (wallet_preferences_payment_parent_class)->dispose (object);
}

static void
wallet_preferences_payment_finalize (GObject *object)
{
  WalletPreferencesPayment *self = WALLET_PREFERENCES_PAYMENT (object);

  g_clear_pointer (&self->account_balances, g_array_unref);
  g_clear_pointer (&self->coin_rows, g_ptr_array_unref);
  g_clear_pointer (&self->limit_rows, g_ptr_array_unref);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_free (self->bank_error);

  G_OBJECT_CLASS (wallet_preferences_payment_parent_class)->finalize (object);
}

static void
wallet_preferences_payment_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  WalletPreferencesPayment *self = WALLET_PREFERENCES_PAYMENT (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_preferences_payment_class_init (WalletPreferencesPaymentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wallet_preferences_payment_dispose;
  object_class->finalize = wallet_preferences_payment_finalize;
  object_class->get_property = wallet_preferences_payment_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wallet_preferences_payment_init (WalletPreferencesPayment *self)
{
  self->coin_rows = g_ptr_array_new ();
  self->limit_rows = g_ptr_array_new ();
  self->order = g_ptr_array_new_with_free_func (g_free);
}

/**
 * wallet_preferences_payment_new:
 * @profile: the open profile
 *
 * Returns: (transfer full): the Payment Methods page for @profile, or %NULL
 *   with @error when its payment preferences cannot be read
 */
WalletPreferencesPayment *
wallet_preferences_payment_new (SemperProfile  *profile,
                                GError        **error)
{
  g_autoptr(WalletPreferencesPayment) self = NULL;
  g_autoptr(GError) purse_error = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  self = g_object_ref_sink (g_object_new (WALLET_TYPE_PREFERENCES_PAYMENT,
                                          "title", _("Payment Methods"),
                                          "icon-name", "auth-smartcard-symbolic",
                                          "name", "payment",
                                          NULL));
  self->profile = g_object_ref (profile);
  self->prefs = semper_prefs_new (semper_profile_get_archive (profile), error);
  if (self->prefs == NULL)
    return NULL;
  /* Without an identity there is no purse: the instruments say so. */
  self->purse = semper_purse_new (profile, &purse_error);
  if (self->purse == NULL)
    g_debug ("No purse: %s", purse_error->message);

  build (self);
  load_order (self);
  rebuild_order (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->withdraw_button), self->purse != NULL);
  wallet_preferences_payment_refresh (self);
  return g_steal_pointer (&self);
}

gboolean
wallet_preferences_payment_get_busy (WalletPreferencesPayment *self)
{
  g_return_val_if_fail (WALLET_IS_PREFERENCES_PAYMENT (self), FALSE);

  return self->busy;
}

AdwActionRow *
_wallet_preferences_payment_get_account_row (WalletPreferencesPayment *self)
{
  return self->account_row;
}

AdwExpanderRow *
_wallet_preferences_payment_get_purse_row (WalletPreferencesPayment *self)
{
  return self->purse_row;
}

AdwEntryRow *
_wallet_preferences_payment_get_withdraw_row (WalletPreferencesPayment *self)
{
  return self->withdraw_row;
}

GtkButton *
_wallet_preferences_payment_get_withdraw_button (WalletPreferencesPayment *self)
{
  return self->withdraw_button;
}

GtkListBox *
_wallet_preferences_payment_get_order_list (WalletPreferencesPayment *self)
{
  return self->order_list;
}

AdwEntryRow *
_wallet_preferences_payment_get_limit_row (WalletPreferencesPayment *self,
                                           const char               *system)
{
  for (guint i = 0; i < self->limit_rows->len; i++)
    {
      AdwEntryRow *row = g_ptr_array_index (self->limit_rows, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "system"), system) == 0)
        return row;
    }
  return NULL;
}

AdwComboRow *
_wallet_preferences_payment_get_policy_row (WalletPreferencesPayment *self)
{
  return self->policy_row;
}

AdwEntryRow *
_wallet_preferences_payment_get_threshold_row (WalletPreferencesPayment *self)
{
  return self->threshold_row;
}

AdwExpanderRow *
_wallet_preferences_payment_get_link_row (WalletPreferencesPayment *self,
                                          AdwEntryRow             **url,
                                          AdwEntryRow             **account,
                                          AdwEntryRow             **code,
                                          GtkButton               **button)
{
  *url = self->link_url_row;
  *account = self->link_account_row;
  *code = self->link_code_row;
  *button = self->link_button;
  return self->link_row;
}
