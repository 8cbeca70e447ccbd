/* semper-types.h: forward declarations that keep core's includes acyclic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* support */
typedef struct _SemperArchive        SemperArchive;
typedef struct _SemperChecker        SemperChecker;
typedef struct _SemperCommClient     SemperCommClient;
typedef struct _SemperCommServer     SemperCommServer;
typedef struct _SemperConsent        SemperConsent;
typedef struct _SemperConsentPort    SemperConsentPort;
typedef struct _SemperCrypto         SemperCrypto;
typedef struct _SemperDocument       SemperDocument;
typedef struct _SemperFinding        SemperFinding;
typedef struct _SemperPrefs          SemperPrefs;
typedef struct _SemperProfile        SemperProfile;
typedef struct _SemperSignerInfo     SemperSignerInfo;
typedef struct _SemperTrust          SemperTrust;

/* Money is integers: minor units of an ISO 4217 currency (DESIGN.md rule 6). */
typedef struct {
  gint64 minor;       /* amount in the currency's minor unit */
  char   currency[4]; /* ISO 4217 alphabetic code, NUL-terminated */
} SemperAmount;

/* Asked whenever NSS needs the profile password. Returns a newly allocated
 * password that the caller wipes and frees, or NULL to cancel. @retry is TRUE
 * when the previous answer was wrong. */
typedef char *(*SemperPasswordFunc) (gboolean  retry,
                                     gpointer  user_data);

G_END_DECLS
