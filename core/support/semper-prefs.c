/* semper-prefs.c: payment preferences, stored in the profile's archive.
 *
 * Stored as rows of the archive's preferences table:
 *   payment.order            "ecash,account"
 *   payment.limit.<system>   "<minor units> <ISO 4217>", e.g. "5000 EUR"
 *   payment.policy           "ask" | "pick"
 *   display.threshold        "<minor units> <ISO 4217>"
 * Every change is written together with an audit log row, in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-prefs.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-archive.h"

#define KEY_ORDER "payment.order"
#define KEY_LIMIT_PREFIX "payment.limit."
#define KEY_POLICY "payment.policy"
#define KEY_THRESHOLD "display.threshold"
#define MAX_SYSTEM_NAME 32

struct _SemperPrefs
{
  GObject              parent_instance;

  SemperArchive       *archive;
  GStrv                order;
  GHashTable          *limits;     /* system -> SemperAmount* */
  SemperPaymentPolicy  policy;
  SemperAmount         threshold;
};

G_DEFINE_TYPE (SemperPrefs, semper_prefs, G_TYPE_OBJECT)

G_DEFINE_QUARK (semper-prefs-error-quark, semper_prefs_error)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
semper_prefs_dispose (GObject *object)
{
  SemperPrefs *self = SEMPER_PREFS (object);

  g_clear_object (&self->archive);

  G_OBJECT_CLASS (semper_prefs_parent_class)->dispose (object);
}

static void
semper_prefs_finalize (GObject *object)
{
  SemperPrefs *self = SEMPER_PREFS (object);

  g_clear_pointer (&self->order, g_strfreev);
  g_clear_pointer (&self->limits, g_hash_table_unref);

  G_OBJECT_CLASS (semper_prefs_parent_class)->finalize (object);
}

static void
semper_prefs_class_init (SemperPrefsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = semper_prefs_dispose;
  object_class->finalize = semper_prefs_finalize;

  /**
   * SemperPrefs::changed:
   * @key: the preference that changed ("payment.order", "payment.limit.ecash", …)
   *
   * Emitted after a change was stored. The detail is the key.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
semper_prefs_init (SemperPrefs *self)
{
  static const char * const default_order[] = { "ecash", "account", NULL };

  self->order = g_strdupv ((char **) default_order);
  self->limits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->policy = SEMPER_PAYMENT_POLICY_ASK;
  self->threshold.minor = 10000;
  memcpy (self->threshold.currency, "EUR", 4);
}

/* Validation */

/**
 * semper_prefs_check_system_name:
 *
 * A payment system name is 1 to 32 characters: a lowercase ASCII letter,
 * then lowercase letters, digits and '-'.
 */
gboolean
semper_prefs_check_system_name (const char  *name,
                                GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > MAX_SYSTEM_NAME || !g_ascii_islower (name[0]))
    goto bad;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-')
      goto bad;
  return TRUE;

bad:
  if (name != NULL && g_utf8_validate (name, -1, NULL))
    g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                 _("“%s” is not a payment system name (lowercase letters, digits and “-”)"),
                 name);
  else
    g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                 _("A payment system name is missing or not valid text"));
  return FALSE;
}

static gboolean
check_amount (const SemperAmount  *amount,
              const char          *what,
              GError             **error)
{
  const char *c = amount->currency;

  if (!(g_ascii_isupper (c[0]) && g_ascii_isupper (c[1]) && g_ascii_isupper (c[2])
        && c[3] == '\0'))
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("The %s needs an ISO 4217 currency code such as EUR"), what);
      return FALSE;
    }
  if (amount->minor < 0 || amount->minor > SEMPER_PREFS_MAX_MINOR)
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("The %s must be between zero and %" PRId64 " minor units"),
                   what, SEMPER_PREFS_MAX_MINOR);
      return FALSE;
    }
  return TRUE;
}

static char *
amount_to_string (const SemperAmount *amount)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s", amount->minor, amount->currency);
}

static gboolean
amount_from_string (const char    *text,
                    SemperAmount  *out)
{
  const char *space = strchr (text, ' ');
  g_autofree char *number = NULL;
  guint64 minor = 0;

  if (space == NULL || strlen (space + 1) != 3)
    return FALSE;
  number = g_strndup (text, space - text);
  if (!g_ascii_string_to_unsigned (number, 10, 0, SEMPER_PREFS_MAX_MINOR, &minor, NULL)
      || number[0] == '+')
    return FALSE;
  out->minor = (gint64) minor;
  memcpy (out->currency, space + 1, 4);
  return check_amount (out, "amount", NULL);
}

static gboolean
parse_order (const char   *text,
             GStrv        *out,
             GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("The list of payment systems is empty"));
      return FALSE;
    }
  parts = g_strsplit (text, ",", -1);
  n = g_strv_length (parts);
  if (n > SEMPER_PREFS_MAX_SYSTEMS)
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("At most %d payment systems can be listed"), SEMPER_PREFS_MAX_SYSTEMS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *name = g_strstrip (parts[i]);

      if (!semper_prefs_check_system_name (name, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (parts[j], name))
          {
            g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                         _("The payment system “%s” is listed twice"), name);
            return FALSE;
          }
      g_strv_builder_add (builder, name);
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Loading */

static gboolean
corrupt (const char  *key,
         GError     **error)
{
  g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_CORRUPT,
               _("The stored payment preference “%s” cannot be read"), key);
  return FALSE;
}

static gboolean
load_limit (SemperPrefs  *self,
            const char   *system,
            GError      **error)
{
  g_autofree char *key = g_strconcat (KEY_LIMIT_PREFIX, system, NULL);
  g_autofree char *value = NULL;
  g_autoptr(GError) local_error = NULL;
  SemperAmount amount = { 0, };

  value = semper_archive_pref_get (self->archive, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (value == NULL)
    return TRUE;
  if (!amount_from_string (value, &amount))
    return corrupt (key, error);
  g_hash_table_insert (self->limits, g_strdup (system), g_memdup2 (&amount, sizeof amount));
  return TRUE;
}

static gboolean
load (SemperPrefs  *self,
      GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *order = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *threshold = NULL;

  order = semper_archive_pref_get (self->archive, KEY_ORDER, &local_error);
  if (local_error == NULL)
    policy = semper_archive_pref_get (self->archive, KEY_POLICY, &local_error);
  if (local_error == NULL)
    threshold = semper_archive_pref_get (self->archive, KEY_THRESHOLD, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (order != NULL)
    {
      GStrv parsed = NULL;

      if (!parse_order (order, &parsed, NULL))
        return corrupt (KEY_ORDER, error);
      g_strfreev (self->order);
      self->order = parsed;
    }
  if (policy != NULL && !semper_payment_policy_from_string (policy, &self->policy, NULL))
    return corrupt (KEY_POLICY, error);
  if (threshold != NULL && !amount_from_string (threshold, &self->threshold))
    return corrupt (KEY_THRESHOLD, error);

  /* Limits are read for the listed systems; others load when asked for. */
  for (guint i = 0; self->order[i] != NULL; i++)
    if (!load_limit (self, self->order[i], error))
      return FALSE;
  return TRUE;
}

/**
 * semper_prefs_new:
 * @archive: the profile's archive
 *
 * Returns: (transfer full): the preferences, or %NULL with @error set when
 *   the archive cannot be read or holds a value that makes no sense
 */
SemperPrefs *
semper_prefs_new (SemperArchive  *archive,
                  GError        **error)
{
  g_autoptr(SemperPrefs) self = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);

  self = g_object_new (SEMPER_TYPE_PREFS, NULL);
  self->archive = g_object_ref (archive);
  if (!load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Storing: the value and an audit row in one transaction. */
static gboolean
store (SemperPrefs  *self,
       const char   *key,
       const char   *value,
       GError      **error)
{
  g_autofree char *detail = g_strdup_printf ("%s = %s", key, value != NULL ? value : "(unset)");

  if (!semper_archive_begin (self->archive, error))
    return FALSE;
  if (!semper_archive_pref_set (self->archive, key, value, error)
      || semper_archive_audit_append (self->archive, "prefs", detail, error) == 0)
    {
      semper_archive_rollback (self->archive);
      return FALSE;
    }
  return semper_archive_commit (self->archive, error);
}

static void
emit_changed (SemperPrefs *self,
              const char  *key)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], g_quark_from_string (key), key);
}

const char * const *
semper_prefs_get_payment_order (SemperPrefs *self)
{
  g_return_val_if_fail (SEMPER_IS_PREFS (self), NULL);
  return (const char * const *) self->order;
}

/**
 * semper_prefs_set_payment_order:
 * @systems: 1 to 16 distinct payment system names, most preferred first
 */
gboolean
semper_prefs_set_payment_order (SemperPrefs         *self,
                                const char * const  *systems,
                                GError             **error)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);

  /* Names may not hold ',', so joining and reparsing validates them all. */
  for (guint i = 0; systems != NULL && systems[i] != NULL; i++)
    if (!semper_prefs_check_system_name (systems[i], error))
      return FALSE;
  joined = systems != NULL ? g_strjoinv (",", (char **) systems) : NULL;
  return semper_prefs_set_payment_order_from_string (self, joined, error);
}

gboolean
semper_prefs_set_payment_order_from_string (SemperPrefs  *self,
                                            const char   *list,
                                            GError      **error)
{
  g_auto(GStrv) parsed = NULL;
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);

  if (!parse_order (list, &parsed, error))
    return FALSE;
  canonical = g_strjoinv (",", parsed);
  if (!store (self, KEY_ORDER, canonical, error))
    return FALSE;
  g_strfreev (self->order);
  self->order = g_steal_pointer (&parsed);
  for (guint i = 0; self->order[i] != NULL; i++)
    if (!g_hash_table_contains (self->limits, self->order[i]))
      load_limit (self, self->order[i], NULL);
  emit_changed (self, KEY_ORDER);
  return TRUE;
}

gboolean
semper_prefs_get_limit (SemperPrefs  *self,
                        const char   *system,
                        SemperAmount *limit)
{
  const SemperAmount *found;

  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);
  g_return_val_if_fail (limit != NULL, FALSE);

  if (system == NULL || !semper_prefs_check_system_name (system, NULL))
    return FALSE;
  if (!g_hash_table_contains (self->limits, system))
    load_limit (self, system, NULL);
  found = g_hash_table_lookup (self->limits, system);
  if (found == NULL)
    return FALSE;
  *limit = *found;
  return TRUE;
}

gboolean
semper_prefs_set_limit (SemperPrefs         *self,
                        const char          *system,
                        const SemperAmount  *limit,
                        GError             **error)
{
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);

  if (!semper_prefs_check_system_name (system, error))
    return FALSE;
  if (limit != NULL && !check_amount (limit, _("limit"), error))
    return FALSE;
  key = g_strconcat (KEY_LIMIT_PREFIX, system, NULL);
  value = limit != NULL ? amount_to_string (limit) : NULL;
  if (!store (self, key, value, error))
    return FALSE;
  if (limit != NULL)
    g_hash_table_insert (self->limits, g_strdup (system), g_memdup2 (limit, sizeof *limit));
  else
    g_hash_table_remove (self->limits, system);
  emit_changed (self, key);
  return TRUE;
}

SemperPaymentPolicy
semper_prefs_get_policy (SemperPrefs *self)
{
  g_return_val_if_fail (SEMPER_IS_PREFS (self), SEMPER_PAYMENT_POLICY_ASK);
  return self->policy;
}

gboolean
semper_prefs_set_policy (SemperPrefs          *self,
                         SemperPaymentPolicy   policy,
                         GError              **error)
{
  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);

  if (semper_payment_policy_to_string (policy) == NULL)
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("Unknown payment policy %d"), (int) policy);
      return FALSE;
    }
  if (!store (self, KEY_POLICY, semper_payment_policy_to_string (policy), error))
    return FALSE;
  self->policy = policy;
  emit_changed (self, KEY_POLICY);
  return TRUE;
}

void
semper_prefs_get_display_threshold (SemperPrefs  *self,
                                    SemperAmount *threshold)
{
  g_return_if_fail (SEMPER_IS_PREFS (self));
  g_return_if_fail (threshold != NULL);
  *threshold = self->threshold;
}

/**
 * semper_prefs_set_display_threshold:
 * @threshold: above this amount the trusted display makes the user type the
 *   amount; zero means always
 */
gboolean
semper_prefs_set_display_threshold (SemperPrefs         *self,
                                    const SemperAmount  *threshold,
                                    GError             **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (SEMPER_IS_PREFS (self), FALSE);
  g_return_val_if_fail (threshold != NULL, FALSE);

  if (!check_amount (threshold, _("display threshold"), error))
    return FALSE;
  value = amount_to_string (threshold);
  if (!store (self, KEY_THRESHOLD, value, error))
    return FALSE;
  self->threshold = *threshold;
  emit_changed (self, KEY_THRESHOLD);
  return TRUE;
}

/**
 * semper_payment_policy_to_string:
 *
 * Returns: (nullable): "ask" or "pick", or %NULL for an unknown value
 */
const char *
semper_payment_policy_to_string (SemperPaymentPolicy policy)
{
  switch (policy)
    {
    case SEMPER_PAYMENT_POLICY_ASK:
      return "ask";
    case SEMPER_PAYMENT_POLICY_PICK:
      return "pick";
    default:
      return NULL;
    }
}

gboolean
semper_payment_policy_from_string (const char           *text,
                                   SemperPaymentPolicy  *out_policy,
                                   GError              **error)
{
  g_return_val_if_fail (out_policy != NULL, FALSE);

  if (g_strcmp0 (text, "ask") == 0)
    *out_policy = SEMPER_PAYMENT_POLICY_ASK;
  else if (g_strcmp0 (text, "pick") == 0)
    *out_policy = SEMPER_PAYMENT_POLICY_PICK;
  else
    {
      g_set_error (error, SEMPER_PREFS_ERROR, SEMPER_PREFS_ERROR_INVALID,
                   _("The payment policy must be “ask” or “pick”"));
      return FALSE;
    }
  return TRUE;
}
