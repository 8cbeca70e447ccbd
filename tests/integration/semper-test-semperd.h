/* semper-test-semperd.h: start and stop a real `semperd` for a test, in a
 * test marketplace: a temporary directory with a CA that certifies the
 * parties' profiles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-crypto.h"
#include "semper-profile.h"
#include "semper-purse.h"
#include "semper-trust.h"

G_BEGIN_DECLS

GSubprocess *semper_test_start_semperd (const char   *role,
                                        const char   *listen,
                                        const char   *state,
                                        const char   *password_file,
                                        const char   *config,
                                        char        **url);
void         semper_test_stop_semperd  (GSubprocess **proc);

/* A test's marketplace: everything in @dir, every key under @password. */
typedef struct {
  char         *dir;            /* the test's temporary directory */
  char         *password;       /* every party's password */
  char         *password_file;  /* DIR/password, holding it */
  SemperCrypto *ca;             /* the CA, in DIR/ca (NULL: a semperd CA) */
  GBytes       *root;           /* its root certificate (DER) */
  SemperTrust  *trust;          /* trusting that root */
} SemperTestMarket;

char          *semper_test_password_cb      (gboolean          retry,
                                             gpointer          user_data);
void           semper_test_market_init      (SemperTestMarket *market,
                                             const char       *tmpl,
                                             const char       *password);
void           semper_test_market_init_without_ca (SemperTestMarket *market,
                                                   const char       *tmpl,
                                                   const char       *password);
void           semper_test_market_clear     (SemperTestMarket *market);
SemperProfile *semper_test_make_profile     (SemperTestMarket *market,
                                             const char       *name,
                                             const char       *cn,
                                             const char       *role);
SemperProfile *semper_test_open_profile     (SemperTestMarket *market,
                                             const char       *name);
GBytes        *semper_test_register_profile (SemperTestMarket *market,
                                             const char       *ca_url,
                                             const char       *name,
                                             const char       *cn,
                                             const char       *role,
                                             const char       *secret);
char          *semper_test_certify_server   (SemperTestMarket *market,
                                             const char       *name,
                                             const char       *cn,
                                             const char       *role);
GSubprocess   *semper_test_start_server     (SemperTestMarket *market,
                                             const char       *role,
                                             const char       *listen,
                                             const char       *config_text,
                                             char            **url);
GSubprocess   *semper_test_start_ttp        (SemperTestMarket *market,
                                             const char       *bank_url,
                                             char            **url);
char          *semper_test_fingerprint      (SemperProfile    *profile);

SemperPurse   *semper_test_link_purse       (SemperProfile    *profile,
                                             const char       *bank_url,
                                             const char       *account,
                                             const char       *code);
void           semper_test_link_account     (SemperTestMarket *market,
                                             SemperProfile    *profile,
                                             const char       *bank_url,
                                             const char       *bank_fp,
                                             const char       *account,
                                             const char       *code);
gint64         semper_test_bank_db_int      (SemperTestMarket *market,
                                             const char       *sql,
                                             const char       *arg);
gint64         semper_test_bank_balance     (SemperTestMarket *market,
                                             const char       *account);

int            semper_test_run_purse_helper (SemperTestMarket *market,
                                             const char       *name,
                                             const char       *crash_after,
                                             ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
