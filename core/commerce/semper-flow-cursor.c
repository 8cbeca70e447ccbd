/* semper-flow-cursor.c: where one run of a commerce service's signed flow is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-flow-cursor.h"

#include <glib/gi18n-lib.h>

struct _SemperFlowCursor
{
  GObject                  parent_instance;

  SemperService           *service;
  const SemperServiceStep *step;   /* NULL before the start */
  guint                    done;   /* messages of @step seen */
};

G_DEFINE_FINAL_TYPE (SemperFlowCursor, semper_flow_cursor, G_TYPE_OBJECT)

static void
semper_flow_cursor_dispose (GObject *object)
{
  SemperFlowCursor *self = SEMPER_FLOW_CURSOR (object);

  self->step = NULL;
  g_clear_object (&self->service);

  G_OBJECT_CLASS (semper_flow_cursor_parent_class)->dispose (object);
}

static void
semper_flow_cursor_class_init (SemperFlowCursorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_flow_cursor_dispose;
}

static void
semper_flow_cursor_init (SemperFlowCursor *self)
{
}

/**
 * semper_flow_cursor_new:
 * @service: a (verified) service
 *
 * Returns: (transfer full): a cursor before the flow's start step
 */
SemperFlowCursor *
semper_flow_cursor_new (SemperService *service)
{
  SemperFlowCursor *self;

  g_return_val_if_fail (SEMPER_IS_SERVICE (service), NULL);
  self = g_object_new (SEMPER_TYPE_FLOW_CURSOR, NULL);
  self->service = g_object_ref (service);
  return self;
}

/**
 * semper_flow_cursor_new_at:
 * @step: a step of @service
 * @done: how many of its messages were exchanged (1 … its number of messages)
 *
 * Returns: (transfer full) (nullable)
 */
SemperFlowCursor *
semper_flow_cursor_new_at (SemperService  *service,
                           const char     *step,
                           guint           done,
                           GError        **error)
{
  const SemperServiceStep *s;
  g_autoptr(SemperFlowCursor) self = NULL;

  g_return_val_if_fail (SEMPER_IS_SERVICE (service), NULL);
  s = semper_service_find_step (service, step);
  if (s == NULL || done < 1 || done > semper_service_step_n_messages (s))
    {
      g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_INVALID,
                   _("The service “%s” has no position “%s” after %u messages"),
                   semper_service_get_id (service), step, done);
      return NULL;
    }
  self = semper_flow_cursor_new (service);
  self->step = s;
  self->done = done;
  return g_steal_pointer (&self);
}

static const char *
party_name (SemperServiceParty party)
{
  return party == SEMPER_SERVICE_PARTY_BUYER ? "buyer" : "merchant";
}

/* Finds the step and index that @message from @sender would be now. */
static gboolean
find_next (SemperFlowCursor         *self,
           SemperServiceParty        sender,
           const char               *message,
           const SemperServiceStep **out_step,
           guint                    *out_index)
{
  const char *start_only[] = { semper_service_get_start (self->service), NULL };
  const char * const *candidates;
  SemperServiceParty who;

  if (self->step != NULL && self->done < semper_service_step_n_messages (self->step))
    {
      const char *expected = semper_service_step_message (self->step, self->done, &who);

      if (who == sender && g_strcmp0 (expected, message) == 0)
        {
          *out_step = self->step;
          *out_index = self->done;
          return TRUE;
        }
      return FALSE;
    }
  candidates = self->step == NULL ? start_only : (const char * const *) self->step->next;
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      const SemperServiceStep *step = semper_service_find_step (self->service, candidates[i]);
      const char *first = semper_service_step_message (step, 0, &who);

      if (who == sender && g_strcmp0 (first, message) == 0)
        {
          *out_step = step;
          *out_index = 0;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * semper_flow_cursor_check:
 * @sender: who sent @message
 * @message: its flow name ("statement/offer", "fx/m2", "asw/m1", …)
 *
 * Returns: %TRUE if the signed flow allows @message from @sender now;
 *   otherwise %FALSE with %SEMPER_SERVICE_ERROR_NOT_ALLOWED naming what the
 *   flow expects.
 */
gboolean
semper_flow_cursor_check (SemperFlowCursor    *self,
                          SemperServiceParty   sender,
                          const char          *message,
                          GError             **error)
{
  const SemperServiceStep *step;
  guint index;
  g_auto(GStrv) expected = NULL;
  g_autofree char *list = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (SEMPER_IS_FLOW_CURSOR (self), FALSE);

  if (message != NULL && find_next (self, sender, message, &step, &index))
    return TRUE;
  expected = semper_flow_cursor_dup_expected (self);
  list = expected[0] != NULL ? g_strjoinv (", ", expected) : g_strdup (_("nothing more"));
  shown = message != NULL ? g_strescape (message, NULL) : g_strdup ("");
  g_set_error (error, SEMPER_SERVICE_ERROR, SEMPER_SERVICE_ERROR_NOT_ALLOWED,
               _("The signed flow of the service “%s” does not allow “%.64s” from the %s "
                 "%s%s; it expects %s"),
               semper_service_get_id (self->service), shown, party_name (sender),
               self->step ? _("after step ") : _("at the start"),
               self->step ? self->step->id : "", list);
  return FALSE;
}

/**
 * semper_flow_cursor_accept:
 *
 * As semper_flow_cursor_check(), and on success moves past @message.
 */
gboolean
semper_flow_cursor_accept (SemperFlowCursor    *self,
                           SemperServiceParty   sender,
                           const char          *message,
                           GError             **error)
{
  const SemperServiceStep *step;
  guint index;

  if (!semper_flow_cursor_check (self, sender, message, error))
    return FALSE;
  find_next (self, sender, message, &step, &index);
  self->step = step;
  self->done = index + 1;
  return TRUE;
}

const char *
semper_flow_cursor_get_step (SemperFlowCursor *self)
{
  g_return_val_if_fail (SEMPER_IS_FLOW_CURSOR (self), NULL);
  return self->step ? self->step->id : NULL;
}

guint
semper_flow_cursor_get_done (SemperFlowCursor *self)
{
  g_return_val_if_fail (SEMPER_IS_FLOW_CURSOR (self), 0);
  return self->done;
}

gboolean
semper_flow_cursor_can_finish (SemperFlowCursor *self)
{
  g_return_val_if_fail (SEMPER_IS_FLOW_CURSOR (self), FALSE);
  return self->step != NULL && self->step->final &&
         self->done == semper_service_step_n_messages (self->step);
}

static void
add_expected (GStrvBuilder       *builder,
              SemperServiceParty  who,
              const char         *message)
{
  g_autofree char *text = g_strdup_printf ("%s:%s", party_name (who), message);

  g_strv_builder_add (builder, text);
}

/**
 * semper_flow_cursor_dup_expected:
 *
 * Returns: (transfer full): "party:message" for each message allowed now
 */
GStrv
semper_flow_cursor_dup_expected (SemperFlowCursor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *start_only[] = { NULL, NULL };
  const char * const *candidates;
  SemperServiceParty who;

  g_return_val_if_fail (SEMPER_IS_FLOW_CURSOR (self), NULL);

  if (self->step != NULL && self->done < semper_service_step_n_messages (self->step))
    {
      const char *m = semper_service_step_message (self->step, self->done, &who);

      add_expected (builder, who, m);
      return g_strv_builder_end (builder);
    }
  start_only[0] = semper_service_get_start (self->service);
  candidates = self->step == NULL ? start_only : (const char * const *) self->step->next;
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      const SemperServiceStep *step = semper_service_find_step (self->service, candidates[i]);
      const char *m = semper_service_step_message (step, 0, &who);

      add_expected (builder, who, m);
    }
  return g_strv_builder_end (builder);
}
