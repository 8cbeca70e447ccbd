/* semper-profile.h: one user's wallet profile on disk.
 *
 * A profile is a directory (mode 0700) holding the NSS database with the
 * user's key and certificate (nss/), the archive (archive.db), the pinned
 * root certificate (trust-root.der) and a lock file. Only one process writes a
 * profile at a time: semper_profile_open() takes an exclusive lock and fails
 * with SEMPER_PROFILE_ERROR_BUSY while another process holds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_PROFILE_ERROR (semper_profile_error_quark ())

typedef enum {
  SEMPER_PROFILE_ERROR_FAILED,
  SEMPER_PROFILE_ERROR_BUSY,          /* another process holds the profile */
  SEMPER_PROFILE_ERROR_NOT_FOUND,     /* no profile in that directory */
  SEMPER_PROFILE_ERROR_EXISTS,        /* init on a profile that has an identity */
  SEMPER_PROFILE_ERROR_NO_IDENTITY,   /* the profile has no key or certificate yet */
  SEMPER_PROFILE_ERROR_NOT_REGISTERED, /* the CA refused, or answered with an unacceptable
                                        * certificate */
} SemperProfileError;

GQuark semper_profile_error_quark (void);

typedef enum {
  SEMPER_PROFILE_OPEN_DEFAULT = 0,
  SEMPER_PROFILE_OPEN_CREATE  = 1 << 0,
} SemperProfileOpenFlags;

#define SEMPER_TYPE_PROFILE (semper_profile_get_type ())
G_DECLARE_FINAL_TYPE (SemperProfile, semper_profile, SEMPER, PROFILE, GObject)

char          *semper_profile_default_dir     (void);
gboolean       semper_profile_exists          (const char              *dir);
SemperProfile *semper_profile_open            (const char              *dir,
                                               SemperProfileOpenFlags   flags,
                                               SemperPasswordFunc       password_func,
                                               gpointer                 password_data,
                                               GError                 **error);
const char    *semper_profile_get_dir         (SemperProfile           *self);
SemperCrypto  *semper_profile_get_crypto      (SemperProfile           *self);
SemperArchive *semper_profile_get_archive     (SemperProfile           *self);
gboolean       semper_profile_has_identity    (SemperProfile           *self);
gboolean       semper_profile_create_identity (SemperProfile           *self,
                                               const char              *name,
                                               GError                 **error);
GBytes        *semper_profile_dup_trust_root  (SemperProfile           *self);
SemperTrust   *semper_profile_dup_trust       (SemperProfile           *self,
                                               GError                 **error);
gboolean       semper_profile_set_trust_root  (SemperProfile           *self,
                                               GBytes                  *root_der,
                                               GError                 **error);
gboolean       semper_profile_register        (SemperProfile           *self,
                                               const char              *ca_url,
                                               GBytes                  *root_der,
                                               const char              *name,
                                               GCancellable            *cancellable,
                                               SemperSignerInfo       **out_info,
                                               GError                 **error);
GBytes        *semper_profile_sign_document   (SemperProfile           *self,
                                               GBytes                  *document,
                                               SemperConsent           *consent,
                                               GError                 **error);

G_END_DECLS
