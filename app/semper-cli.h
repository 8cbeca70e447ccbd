/* semper-cli.h: shared by the commands of `semper` (one file per command
 * group: semper-cmd-*.c; the table of commands is in semper.c).
 *
 * Exit status: 0 ok · 1 error · 2 usage · 3 refused or flagged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "semper-types.h"

G_BEGIN_DECLS

enum {
  EXIT_OK = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_REFUSED = 3,
};

/* Largest file a command reads: a semper document is at most 256 KiB and a
 * signed message a few MiB; anything larger is refused before it is read. */
#define MAX_INPUT_SIZE (16 * 1024 * 1024)

typedef struct {
  char     *profile_dir;
  char     *password_file;
  gboolean  json;
  gboolean  creating;     /* init: ask for the new password twice */
} Cli;

/* The options every command accepts, and their values. */
extern Cli          cli;
extern GOptionEntry semper_cli_global_entries[];

void     cli_print_json       (JsonBuilder     *builder);
void     cli_print_json_strings (const char    *name,
                               ...) G_GNUC_NULL_TERMINATED;
int      cli_fail             (const GError    *error,
                               int              status);
int      cli_usage            (GOptionContext  *context,
                               const char      *message);
gboolean cli_parse_options    (GOptionContext      *context,
                               const GOptionEntry  *entries,
                               int                 *argc,
                               char              ***argv,
                               int                  n_args,
                               const char          *usage);
GBytes  *cli_read_file        (const char      *path,
                               GError         **error);
GBytes  *cli_read_certificate (const char      *path,
                               GError         **error);
SemperArchive *cli_open_archive (GError       **error);
char    *cli_password_cb      (gboolean         retry,
                               gpointer         user_data);
char    *cli_profile_dir      (void);
int      cli_status_for_error (const GError    *error);

/* The commands. */
int      cmd_init             (int              argc,
                               char           **argv);
int      cmd_document         (int              argc,
                               char           **argv);
int      cmd_verify           (int              argc,
                               char           **argv);
int      cmd_ca               (int              argc,
                               char           **argv);
int      cmd_balance          (int              argc,
                               char           **argv);
int      cmd_withdraw         (int              argc,
                               char           **argv);
int      cmd_bank             (int              argc,
                               char           **argv);
int      cmd_prefs            (int              argc,
                               char           **argv);
int      cmd_contract         (int              argc,
                               char           **argv);
int      cmd_receipts         (int              argc,
                               char           **argv);
int      cmd_receipt          (int              argc,
                               char           **argv);
int      cmd_resume           (int              argc,
                               char           **argv);
int      cmd_suspend          (int              argc,
                               char           **argv);
int      cmd_dispute          (int              argc,
                               char           **argv);
int      cmd_evidence         (int              argc,
                               char           **argv);
/* semper-cmd-dispute.c: `semper verify` of a bundle or dispute file; the
 * bundle of an exchange (@exchange_id) or of a record (@kind, @record_id). */
int      cli_verify_evidence  (const char      *path,
                               GBytes          *file,
                               GBytes          *root,
                               const char      *crl_path);
gboolean cli_export_bundle    (SemperArchive   *archive,
                               const char      *exchange_id,
                               const char      *out,
                               GError         **error);
int      cmd_backup           (int              argc,
                               char           **argv);
int      cmd_restore          (int              argc,
                               char           **argv);
int      cmd_demo             (int              argc,
                               char           **argv);
/* semper-cmd-shop.c */
int      cmd_shop             (int              argc,
                               char           **argv);
int      cmd_buy              (int              argc,
                               char           **argv);
int      cmd_pay              (int              argc,
                               char           **argv);
int      cmd_service          (int              argc,
                               char           **argv);
int      cmd_delivery         (int              argc,
                               char           **argv);

G_END_DECLS
