/* semper-fair-exchange-private.h: internals shared by the fair exchange's
 * buyer, merchant and the TTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-fair-exchange.h"

G_BEGIN_DECLS

char    *_semper_fx_b64         (GBytes                 *bytes);
GBytes  *_semper_fx_offer_to_json (SemperFxOffer        *offer);
GBytes  *_semper_fx_make_order  (SemperFxOffer          *offer,
                                 const char             *tid,
                                 const char             *commit,
                                 const char             *system,
                                 GError                **error);
gboolean _semper_fx_check_m3    (SemperProtocolMessage  *m3,
                                 SemperProtocolMessage  *m1,
                                 SemperProtocolMessage  *m2,
                                 GError                **error);
GBytes  *_semper_fx_ttp_open    (SemperCrypto           *ttp,
                                 SemperProtocolMessage  *m1,
                                 SemperProtocolMessage  *m2,
                                 SemperFxOffer          *offer,
                                 GError                **error);

G_END_DECLS
