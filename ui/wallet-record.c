/* wallet-record.c: one receipt or contract as an item of WalletRecordModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-record.h"

#include <glib/gi18n.h>

#include "semper-money.h"

struct _WalletRecord
{
  GObject              parent_instance;

  gint64               id;
  SemperArchiveRecord *record;   /* (nullable): NULL when the row could not be read */
};

G_DEFINE_FINAL_TYPE (WalletRecord, wallet_record, G_TYPE_OBJECT)

static void
wallet_record_finalize (GObject *object)
{
  WalletRecord *self = WALLET_RECORD (object);

  g_clear_pointer (&self->record, semper_archive_record_free);

  G_OBJECT_CLASS (wallet_record_parent_class)->finalize (object);
}

static void
wallet_record_class_init (WalletRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_record_finalize;
}

static void
wallet_record_init (WalletRecord *self)
{
}

/**
 * wallet_record_new:
 * @record: (transfer full) (nullable): the row, or %NULL if it could not be read
 */
WalletRecord *
wallet_record_new (gint64               id,
                   SemperArchiveRecord *record)
{
  WalletRecord *self = g_object_new (WALLET_TYPE_RECORD, NULL);

  self->id = id;
  self->record = record;
  return self;
}

gint64
wallet_record_get_id (WalletRecord *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD (self), 0);
  return self->id;
}

/* Returns: (transfer none) (nullable) */
const SemperArchiveRecord *
wallet_record_get_record (WalletRecord *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD (self), NULL);
  return self->record;
}

/* Returns: (transfer full): "12.50 EUR", or "" without an amount */
char *
wallet_record_dup_amount (WalletRecord *self)
{
  g_return_val_if_fail (WALLET_IS_RECORD (self), NULL);

  if (self->record == NULL || self->record->amount.currency[0] == '\0'
      || semper_currency_decimals (self->record->amount.currency) < 0)
    return g_strdup ("");
  return semper_amount_format (&self->record->amount);
}

/* Returns: (transfer full): the local date and time of the record */
char *
wallet_record_dup_date (WalletRecord *self)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (WALLET_IS_RECORD (self), NULL);

  if (self->record == NULL)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (self->record->time);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The archive keeps states and payment systems as codes (exports and the
 * CLI show them as they are); the window says them in the user's language.
 * An unknown code is shown as it is. Returns: (transfer none) */
const char *
wallet_record_state_label (const char *state)
{
  static const struct { const char *code; const char *label; } states[] = {
    { "paid", NC_("record state", "Paid") },
    { "delivered", NC_("record state", "Delivered") },
    { "refunded", NC_("record state", "Refunded") },
    { "valid", NC_("record state", "Valid") },
    { "signed", NC_("record state", "Signed") },
    { "aborted", NC_("record state", "Aborted") },
  };

  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (states); i++)
    if (g_str_equal (state, states[i].code))
      return g_dpgettext2 (GETTEXT_PACKAGE, "record state", states[i].label);
  return state;
}

/* Returns: (transfer none) */
const char *
wallet_record_system_label (const char *system)
{
  if (g_strcmp0 (system, "ecash") == 0)
    return C_("payment system", "E-cash");
  if (g_strcmp0 (system, "account") == 0)
    return C_("payment system", "Account");
  return system;
}
