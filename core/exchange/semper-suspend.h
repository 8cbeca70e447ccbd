/* semper-suspend.h: exchanges the user suspended (docs/activity.md)
 *
 * A suspended exchange is not retried or resumed automatically (on start,
 * by `semper resume`, by Resume All) until the user resumes it by name
 * (`semper resume --id ID`, Resume in the Activity page). The list lives in
 * the profile (the file "suspended", one exchange id a line), so it survives
 * a restart and the window and `semper` share it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-types.h"

G_BEGIN_DECLS

gboolean semper_exchange_is_suspended  (SemperProfile  *profile,
                                        const char     *id);
/* Adds or removes @id; written atomically. */
gboolean semper_exchange_set_suspended (SemperProfile  *profile,
                                        const char     *id,
                                        gboolean        suspended,
                                        GError        **error);
/* Returns: (transfer full): the suspended ids, in the order suspended */
GStrv    semper_exchange_dup_suspended (SemperProfile  *profile);

G_END_DECLS
