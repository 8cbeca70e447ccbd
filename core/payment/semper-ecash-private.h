/* semper-ecash-private.h: what the fuzz targets reach of semper-ecash.c
 * without a bank's signature.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-ecash.h"

G_BEGIN_DECLS

/* The strict parser of a denomination's JSON, the content of the bank's
 * SignedData that semper_denomination_new_from_signed() reads once the
 * signature checks out. Returns (transfer full) (nullable). */
SemperDenomination *_semper_denomination_new_from_json (GBytes  *json,
                                                        GError **error);

G_END_DECLS
