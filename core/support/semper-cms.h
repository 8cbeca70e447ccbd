/* semper-cms.h: CMS SignedData and EnvelopedData (RFC 5652, DER).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"
#include "semper-consent.h"
#include "semper-crypto.h"
#include "semper-trust.h"

G_BEGIN_DECLS

/* Largest CMS object semper_cms_verify() and semper_cms_decrypt() accept. */
#define SEMPER_CMS_MAX_SIZE (16 * 1024 * 1024)

GBytes *semper_cms_sign_message  (SemperCrypto      *self,
                                  GBytes            *content,
                                  GError           **error);
GBytes *semper_cms_sign_document (SemperCrypto      *self,
                                  GBytes            *content,
                                  SemperConsent     *consent,
                                  GError           **error);
GBytes *semper_cms_verify        (GBytes            *p7m,
                                  SemperTrust       *trust,
                                  SemperSignerInfo **signer,
                                  GError           **error);
GBytes *semper_cms_encrypt       (GBytes            *content,
                                  GBytes            *recipient_cert_der,
                                  GError           **error);
GBytes *semper_cms_decrypt       (SemperCrypto      *self,
                                  GBytes            *enveloped,
                                  GError           **error);

G_END_DECLS
