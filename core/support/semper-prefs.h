/* semper-prefs.h: payment preferences, stored in the profile's archive.
 *
 * The ordered list of payment systems to try, a spending limit per system,
 * whether the wallet asks or picks, and the amount above which the trusted
 * display makes the user type the amount. (UI preferences live in GSettings.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_PREFS_ERROR (semper_prefs_error_quark ())

typedef enum {
  SEMPER_PREFS_ERROR_INVALID,  /* a value the caller passed is not acceptable */
  SEMPER_PREFS_ERROR_CORRUPT,  /* a stored value cannot be read */
} SemperPrefsError;

GQuark semper_prefs_error_quark (void);

typedef enum {
  SEMPER_PAYMENT_POLICY_ASK,   /* show the choice of payment system every time */
  SEMPER_PAYMENT_POLICY_PICK,  /* take the first acceptable system in the user's order */
} SemperPaymentPolicy;

/* Longest list of payment systems, and the largest limit, that prefs accept. */
#define SEMPER_PREFS_MAX_SYSTEMS 16
#define SEMPER_PREFS_MAX_MINOR G_GINT64_CONSTANT (1000000000000000)

#define SEMPER_TYPE_PREFS (semper_prefs_get_type ())
G_DECLARE_FINAL_TYPE (SemperPrefs, semper_prefs, SEMPER, PREFS, GObject)

/* (transfer full): reads and checks every stored payment preference. */
SemperPrefs        *semper_prefs_new                      (SemperArchive        *archive,
                                                           GError              **error);

/* (transfer none): NULL-terminated, in order of preference. */
const char * const *semper_prefs_get_payment_order        (SemperPrefs          *self);
gboolean            semper_prefs_set_payment_order        (SemperPrefs          *self,
                                                           const char * const   *systems,
                                                           GError              **error);
/* @list: comma separated, as `semper prefs payment --order ecash,account` takes it. */
gboolean            semper_prefs_set_payment_order_from_string (SemperPrefs     *self,
                                                                const char      *list,
                                                                GError         **error);

/* Returns FALSE when @system has no limit. (out): @limit */
gboolean            semper_prefs_get_limit                (SemperPrefs          *self,
                                                           const char           *system,
                                                           SemperAmount         *limit);
/* @limit: (nullable): NULL removes the limit. */
gboolean            semper_prefs_set_limit                (SemperPrefs          *self,
                                                           const char           *system,
                                                           const SemperAmount   *limit,
                                                           GError              **error);

SemperPaymentPolicy semper_prefs_get_policy               (SemperPrefs          *self);
gboolean            semper_prefs_set_policy               (SemperPrefs          *self,
                                                           SemperPaymentPolicy   policy,
                                                           GError              **error);

/* Default 100.00 EUR. (out): @threshold */
void                semper_prefs_get_display_threshold    (SemperPrefs          *self,
                                                           SemperAmount         *threshold);
gboolean            semper_prefs_set_display_threshold    (SemperPrefs          *self,
                                                           const SemperAmount   *threshold,
                                                           GError              **error);

/* "ask" or "pick" */
const char         *semper_payment_policy_to_string       (SemperPaymentPolicy   policy);
gboolean            semper_payment_policy_from_string     (const char           *text,
                                                           SemperPaymentPolicy  *out_policy,
                                                           GError              **error);
gboolean            semper_prefs_check_system_name        (const char           *name,
                                                           GError              **error);

G_END_DECLS
