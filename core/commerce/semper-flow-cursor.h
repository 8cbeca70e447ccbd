/* semper-flow-cursor.h: where one run of a commerce service's signed flow is.
 *
 * A cursor starts before the flow's start step. semper_flow_cursor_accept()
 * takes an incoming (or outgoing) message by its flow name ("statement/offer",
 * "fx/m2", "asw/m1", …) and its sender, refuses it with
 * SEMPER_SERVICE_ERROR_NOT_ALLOWED unless the signed flow allows exactly that
 * message from that party now, and otherwise moves on. A cursor can be
 * re-created at a journaled position (semper_flow_cursor_new_at).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "semper-service.h"

G_BEGIN_DECLS

#define SEMPER_TYPE_FLOW_CURSOR (semper_flow_cursor_get_type ())
G_DECLARE_FINAL_TYPE (SemperFlowCursor, semper_flow_cursor, SEMPER, FLOW_CURSOR, GObject)

SemperFlowCursor *semper_flow_cursor_new          (SemperService      *service);
/* At step @step after its first @done messages. Returns: (transfer full) (nullable) */
SemperFlowCursor *semper_flow_cursor_new_at       (SemperService      *service,
                                                   const char         *step,
                                                   guint               done,
                                                   GError            **error);
gboolean          semper_flow_cursor_check        (SemperFlowCursor   *self,
                                                   SemperServiceParty  sender,
                                                   const char         *message,
                                                   GError            **error);
gboolean          semper_flow_cursor_accept       (SemperFlowCursor   *self,
                                                   SemperServiceParty  sender,
                                                   const char         *message,
                                                   GError            **error);
/* (nullable): the current step, NULL before the start */
const char       *semper_flow_cursor_get_step     (SemperFlowCursor   *self);
guint             semper_flow_cursor_get_done     (SemperFlowCursor   *self);
/* Whether the flow may end here (the current step is complete and final). */
gboolean          semper_flow_cursor_can_finish   (SemperFlowCursor   *self);
/* The messages allowed now, as "party:message". Returns: (transfer full) */
GStrv             semper_flow_cursor_dup_expected (SemperFlowCursor   *self);

G_END_DECLS
