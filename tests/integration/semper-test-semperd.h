/* semper-test-semperd.h: start and stop a real `semperd` for a test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSubprocess *semper_test_start_semperd (const char   *role,
                                        const char   *listen,
                                        const char   *state,
                                        const char   *password_file,
                                        const char   *config,
                                        char        **url);
void         semper_test_stop_semperd  (GSubprocess **proc);

G_END_DECLS
