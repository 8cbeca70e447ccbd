/* semper-role.h: how a counterparty role plugs into `semperd`.
 *
 * A role (ca, ttp, bank, merchant) is assembled from core's services. It
 * adds its routes to the comm server that semperd made, keeps its state
 * under @state_dir, and lives as long as the returned object. Routes are
 * added before the server listens; the role learns its own address later
 * from semper_comm_server_dup_uri().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-comm-server.h"
#include "semper-types.h"

G_BEGIN_DECLS

typedef struct {
  const char         *state_dir;      /* the role's own directory (created 0700) */
  const char         *config_file;    /* --config FILE, or NULL */
  SemperPasswordFunc  password_func;  /* for the role's NSS database */
  gpointer            password_data;
} SemperRoleOptions;

/* Sets the role up on @server (routes added before it listens). Returns the
 * object that holds the role's state, or NULL with @error set. */
typedef GObject *(*SemperRoleSetupFunc) (SemperCommServer         *server,
                                         const SemperRoleOptions  *options,
                                         GError                  **error);

typedef struct {
  const char          *name;
  SemperRoleSetupFunc  setup;
  const char          *summary;
} SemperRole;

G_END_DECLS
