/* semper-comm-private.h: internals shared by the comm client and server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-comm.h"

G_BEGIN_DECLS

struct _SemperCommResponse
{
  guint       status;
  char       *content_type;  /* nullable: no body */
  GBytes     *body;          /* never NULL, maybe empty */
  GPtrArray  *headers;       /* name, value, name, value, … */
};

GError *_semper_comm_error_new_status (guint        status,
                                       const char  *reason,
                                       const char  *code,
                                       const char  *message);

G_END_DECLS
