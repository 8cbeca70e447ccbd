/* semper-payment-manager.c: installed payment systems, preferences and the
 * negotiation of PROTOCOLS.md E (rules in the header and docs/payments.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-payment-manager.h"

#include <glib/gi18n-lib.h>

#include "semper-money.h"

struct _SemperPaymentManager
{
  GObject      parent_instance;

  SemperPrefs *prefs;
  GPtrArray   *systems;   /* SemperPaymentSystem, in installation order */
};

G_DEFINE_FINAL_TYPE (SemperPaymentManager, semper_payment_manager, G_TYPE_OBJECT)

static void
semper_payment_manager_dispose (GObject *object)
{
  SemperPaymentManager *self = SEMPER_PAYMENT_MANAGER (object);

  g_clear_object (&self->prefs);
  g_clear_pointer (&self->systems, g_ptr_array_unref);

  G_OBJECT_CLASS (semper_payment_manager_parent_class)->dispose (object);
}

static void
semper_payment_manager_class_init (SemperPaymentManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_payment_manager_dispose;
}

static void
semper_payment_manager_init (SemperPaymentManager *self)
{
  self->systems = g_ptr_array_new_with_free_func (g_object_unref);
}

void
semper_payment_candidate_free (SemperPaymentCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->system);
  g_free (candidate->reason);
  g_free (candidate);
}

SemperPaymentManager *
semper_payment_manager_new (SemperPrefs *prefs)
{
  SemperPaymentManager *self;

  g_return_val_if_fail (SEMPER_IS_PREFS (prefs), NULL);
  self = g_object_new (SEMPER_TYPE_PAYMENT_MANAGER, NULL);
  self->prefs = g_object_ref (prefs);
  return self;
}

SemperPrefs *
semper_payment_manager_get_prefs (SemperPaymentManager *self)
{
  g_return_val_if_fail (SEMPER_IS_PAYMENT_MANAGER (self), NULL);
  return self->prefs;
}

static int
find_system (SemperPaymentManager *self,
             const char           *id)
{
  for (guint i = 0; i < self->systems->len; i++)
    if (g_strcmp0 (semper_payment_system_get_id (self->systems->pdata[i]), id) == 0)
      return (int) i;
  return -1;
}

void
semper_payment_manager_add_system (SemperPaymentManager *self,
                                   SemperPaymentSystem  *system)
{
  int index;

  g_return_if_fail (SEMPER_IS_PAYMENT_MANAGER (self));
  g_return_if_fail (SEMPER_IS_PAYMENT_SYSTEM (system));

  index = find_system (self, semper_payment_system_get_id (system));
  if (index >= 0)
    {
      g_object_unref (self->systems->pdata[index]);
      self->systems->pdata[index] = g_object_ref (system);
    }
  else
    g_ptr_array_add (self->systems, g_object_ref (system));
}

SemperPaymentSystem *
semper_payment_manager_get_system (SemperPaymentManager *self,
                                   const char           *id)
{
  int index;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_MANAGER (self), NULL);
  index = id != NULL ? find_system (self, id) : -1;
  return index >= 0 ? self->systems->pdata[index] : NULL;
}

static gboolean
is_listed (SemperPaymentManager *self,
           const char           *id)
{
  const char * const *order = semper_prefs_get_payment_order (self->prefs);

  return order != NULL && g_strv_contains (order, id);
}

GPtrArray *
semper_payment_manager_list_systems (SemperPaymentManager *self)
{
  const char * const *order;
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (SEMPER_IS_PAYMENT_MANAGER (self), list);
  order = semper_prefs_get_payment_order (self->prefs);
  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    {
      SemperPaymentSystem *system = semper_payment_manager_get_system (self, order[i]);

      if (system != NULL)
        g_ptr_array_add (list, g_object_ref (system));
    }
  for (guint i = 0; i < self->systems->len; i++)
    if (!is_listed (self, semper_payment_system_get_id (self->systems->pdata[i])))
      g_ptr_array_add (list, g_object_ref (self->systems->pdata[i]));
  return list;
}

static const SemperPaymentOffer *
find_offer (const SemperPaymentOffer *offers,
            guint                     n_offers,
            const char               *id)
{
  for (guint i = 0; i < n_offers; i++)
    if (g_strcmp0 (offers[i].system, id) == 0)
      return &offers[i];
  return NULL;
}

static SemperPaymentCandidate *
make_candidate (SemperPaymentManager     *self,
                SemperPaymentSystem      *system,
                const SemperAmount       *price,
                const SemperPaymentOffer *offer)
{
  g_autoptr(SemperPaymentCandidate) c = g_new0 (SemperPaymentCandidate, 1);
  g_autoptr(GError) error = NULL;
  SemperAmount fee = offer->fee, limit;

  c->system = g_strdup (semper_payment_system_get_id (system));
  c->listed = is_listed (self, c->system);
  c->total = *price;
  if (fee.currency[0] == '\0')
    (void) semper_amount_init (&fee, 0, price->currency, NULL);
  if (fee.minor < 0 || !semper_amount_add (price, &fee, &c->total, &error))
    {
      c->reason = g_strdup (_("The merchant's fee for this payment system is not valid"));
      return g_steal_pointer (&c);
    }
  if (semper_prefs_get_limit (self->prefs, c->system, &limit)
      && (!g_str_equal (limit.currency, c->total.currency) || c->total.minor > limit.minor))
    {
      g_autofree char *total = semper_amount_format (&c->total);
      g_autofree char *max = semper_amount_format (&limit);

      c->reason = g_strdup_printf (_("%s is over your limit of %s for %s"), total, max,
                                   c->system);
      c->over_limit = TRUE;
      return g_steal_pointer (&c);
    }
  if (!semper_payment_system_can_pay (system, &c->total, &error))
    {
      c->reason = g_strdup (error->message);
      return g_steal_pointer (&c);
    }
  c->usable = TRUE;
  return g_steal_pointer (&c);
}

GPtrArray *
semper_payment_manager_candidates (SemperPaymentManager     *self,
                                   const SemperAmount       *price,
                                   const SemperPaymentOffer *offers,
                                   guint                     n_offers)
{
  g_autoptr(GPtrArray) systems = NULL;
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_payment_candidate_free);

  g_return_val_if_fail (SEMPER_IS_PAYMENT_MANAGER (self), list);
  g_return_val_if_fail (price != NULL, list);

  /* The user's order first; unlisted systems follow in the merchant's order. */
  systems = semper_payment_manager_list_systems (self);
  for (guint i = 0; i < systems->len; i++)
    {
      SemperPaymentSystem *system = systems->pdata[i];
      const SemperPaymentOffer *offer;

      if (!is_listed (self, semper_payment_system_get_id (system)))
        continue;
      offer = find_offer (offers, n_offers, semper_payment_system_get_id (system));
      if (offer != NULL)
        g_ptr_array_add (list, make_candidate (self, system, price, offer));
    }
  for (guint i = 0; i < n_offers; i++)
    {
      SemperPaymentSystem *system = semper_payment_manager_get_system (self, offers[i].system);

      if (system == NULL || is_listed (self, offers[i].system))
        continue;
      if (find_offer (offers, i, offers[i].system) != NULL)
        continue;
      g_ptr_array_add (list, make_candidate (self, system, price, &offers[i]));
    }
  return list;
}

static SemperPaymentCandidate *
candidate_named (GPtrArray  *candidates,
                 const char *id)
{
  for (guint i = 0; i < candidates->len; i++)
    {
      SemperPaymentCandidate *c = candidates->pdata[i];

      if (g_str_equal (c->system, id))
        return c;
    }
  return NULL;
}

static char *
reasons (GPtrArray *candidates)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      SemperPaymentCandidate *c = candidates->pdata[i];

      if (c->reason == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, c->reason);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

SemperPaymentSystem *
semper_payment_manager_negotiate (SemperPaymentManager      *self,
                                  const SemperAmount        *price,
                                  const SemperPaymentOffer  *offers,
                                  guint                      n_offers,
                                  const char                *forced,
                                  SemperPaymentAskFunc       ask,
                                  gpointer                   ask_data,
                                  GError                   **error)
{
  g_autoptr(GPtrArray) candidates = NULL;
  g_autofree char *chosen = NULL;
  SemperPaymentCandidate *c;
  guint n_usable = 0;

  g_return_val_if_fail (SEMPER_IS_PAYMENT_MANAGER (self), NULL);
  g_return_val_if_fail (price != NULL, NULL);

  candidates = semper_payment_manager_candidates (self, price, offers, n_offers);
  for (guint i = 0; i < candidates->len; i++)
    n_usable += ((SemperPaymentCandidate *) candidates->pdata[i])->usable;

  if (forced != NULL && !g_str_equal (forced, "auto"))
    {
      c = candidate_named (candidates, forced);
      if (c == NULL)
        {
          g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE,
                       find_offer (offers, n_offers, forced) == NULL
                       ? _("The merchant does not accept “%s”")
                       : _("The payment system “%s” is not set up in this wallet"), forced);
          return NULL;
        }
      if (!c->usable)
        {
          g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANNOT_PAY,
                               c->reason);
          return NULL;
        }
      return semper_payment_manager_get_system (self, c->system);
    }

  if (n_usable == 0)
    {
      g_autofree char *why = reasons (candidates);

      if (candidates->len == 0)
        g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE,
                             _("The merchant accepts none of this wallet's payment systems"));
      else
        g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE,
                     _("No payment system can pay this: %s"), why);
      return NULL;
    }

  if (semper_prefs_get_policy (self->prefs) == SEMPER_PAYMENT_POLICY_PICK)
    for (guint i = 0; i < candidates->len; i++)
      {
        c = candidates->pdata[i];
        if (c->usable && c->listed)
          return semper_payment_manager_get_system (self, c->system);
      }

  /* Policy ask, or no rule decided. */
  if (ask == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE,
                           _("Choose a payment system (the policy is to ask; with the command "
                             "line, give --pay)"));
      return NULL;
    }
  chosen = ask (price, candidates, ask_data);
  if (chosen == NULL)
    {
      g_set_error_literal (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_CANCELLED,
                           _("No payment system was chosen"));
      return NULL;
    }
  c = candidate_named (candidates, chosen);
  if (c == NULL || !c->usable)
    {
      g_set_error (error, SEMPER_PAYMENT_ERROR, SEMPER_PAYMENT_ERROR_NO_CHOICE,
                   _("The payment system “%s” cannot pay this"), chosen);
      return NULL;
    }
  return semper_payment_manager_get_system (self, c->system);
}
