/* semper-trust.h: certificate chains checked against a pinned root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

/**
 * SemperSignerInfo:
 * @common_name: the subject CN of the signer's certificate
 * @role: (nullable): the role its certificate carries (subject OU), or %NULL
 * @fingerprint: lower-case hex SHA-256 of @certificate
 * @certificate: the signer's certificate (DER)
 * @signing_time: (nullable): the signed signing-time attribute, when known
 * @chain: subject names (RFC 4514 strings), leaf first, root last
 * @trusted: %TRUE only when the chain ends at the pinned root
 *
 * Who signed, as established by semper_trust_check_certificate() or
 * semper_cms_verify(). Read-only; reference counted.
 */
struct _SemperSignerInfo
{
  char       *common_name;
  char       *role;
  char       *fingerprint;
  GBytes     *certificate;
  GDateTime  *signing_time;
  GPtrArray  *chain;
  gboolean    trusted;

  /*< private >*/
  gatomicrefcount ref_count;
};

#define SEMPER_TYPE_SIGNER_INFO (semper_signer_info_get_type ())
GType             semper_signer_info_get_type (void) G_GNUC_CONST;
SemperSignerInfo *semper_signer_info_ref      (SemperSignerInfo *info);
void              semper_signer_info_unref    (SemperSignerInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperSignerInfo, semper_signer_info_unref)

#define SEMPER_TYPE_TRUST (semper_trust_get_type ())
G_DECLARE_FINAL_TYPE (SemperTrust, semper_trust, SEMPER, TRUST, GObject)

SemperTrust *semper_trust_new               (GBytes            *root_der,
                                             GError           **error);
GBytes      *semper_trust_get_root          (SemperTrust       *self);
SemperSignerInfo *semper_trust_check_role  (SemperTrust       *self,
                                             GBytes            *cert_der,
                                             const char        *role,
                                             GError           **error);
gboolean     semper_trust_check_certificate (SemperTrust       *self,
                                             GBytes            *cert_der,
                                             GDateTime         *at,
                                             SemperSignerInfo **info,
                                             GError           **error);
gboolean     semper_trust_set_crl           (SemperTrust       *self,
                                             GBytes            *crl_der,
                                             GError           **error);
gboolean     semper_trust_has_crl           (SemperTrust       *self);
void         semper_trust_set_long_term     (SemperTrust       *self,
                                             gboolean           long_term);
GDateTime   *semper_trust_dup_crl_issued    (SemperTrust       *self);

G_END_DECLS
