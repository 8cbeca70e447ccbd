/* semper-fx-ttp.c: the TTP's payment side of the fair exchange; see
 * semper-fx-ttp.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-fx-ttp.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "semper-comm.h"
#include "semper-fair-exchange.h"
#include "semper-fx-account.h"
#include "semper-fx-ecash.h"
#include "semper-json-private.h"
#include "semper-message.h"
#include "semper-ttp.h"

static gboolean
config_error (GError    **error,
              const char *message)
{
  g_set_error (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_BAD_MESSAGE,
               _("The TTP’s configuration is not valid: %s"), message);
  return FALSE;
}

gboolean
semper_fx_ttp_config_parse (GBytes  *json,
                            char   **out_bank_url,
                            GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GUri) uri = NULL;
  JsonObject *object;
  const char *format, *bank;
  gint64 version = 0;
  guint members = 3;

  g_return_val_if_fail (json != NULL && out_bank_url != NULL, FALSE);

  *out_bank_url = NULL;
  root = semper_message_parse (json, SEMPER_FX_TTP_CONFIG_MAX, error);
  if (root == NULL)
    return FALSE;
  object = json_node_get_object (root);
  format = semper_json_get_string (object, "format");
  bank = semper_json_get_string (object, "bank");
  if (bank == NULL)
    members--;
  if (g_strcmp0 (format, "semper-ttp-config") != 0)
    return config_error (error, _("“format” must be “semper-ttp-config”"));
  if (!semper_json_get_int (object, "version", &version) || version != 1)
    return config_error (error, _("“version” must be 1"));
  if (json_object_get_size (object) != members)
    return config_error (error, _("it has members other than “format”, “version” and "
                                  "“bank”"));
  if (bank == NULL)
    return TRUE;
  if (strlen (bank) > 1024)
    return config_error (error, _("“bank” is too long"));
  uri = g_uri_parse (bank, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL
      || g_uri_get_userinfo (uri) != NULL)
    return config_error (error, _("“bank” must be an http or https URL without user, query "
                                  "or fragment"));
  *out_bank_url = g_strdup (bank);
  return TRUE;
}

gboolean
semper_fx_ttp_no_bank (GError **error)
{
  g_set_error_literal (error, SEMPER_FX_ERROR, SEMPER_FX_ERROR_PAYMENT,
                       _("This TTP knows no bank (its configuration names none), so it "
                         "cannot collect the payment before it gives out the goods’ key"));
  return FALSE;
}

void
semper_fx_ttp_settle_error (GError  **error,
                            GError   *local,
                            gboolean  refused)
{
  int code = SEMPER_FX_ERROR_PAYMENT;

  if (refused)
    code = SEMPER_FX_ERROR_REFUSED;
  else if (local->domain == SEMPER_COMM_ERROR
           && local->code != SEMPER_COMM_ERROR_HTTP_STATUS)
    code = SEMPER_FX_ERROR_UNREACHABLE;
  g_set_error (error, SEMPER_FX_ERROR, code, _("The bank did not pay the merchant: %s"),
               local->message);
  g_error_free (local);
}

GObject *
semper_fx_ttp_role_setup (SemperCommServer         *server,
                          const SemperRoleOptions  *options,
                          GError                  **error)
{
  g_autoptr(GObject) ttp = NULL;
  g_autofree char *bank_url = NULL;
  SemperTtp *self;
  SemperFxEcash *ecash;
  SemperFxAccountChecker *account;
  SemperFxPaymentSystem system;

  if (options->config_file != NULL)
    {
      g_autofree char *text = NULL;
      g_autoptr(GBytes) config = NULL;
      gsize len = 0;

      if (!g_file_get_contents (options->config_file, &text, &len, error))
        return NULL;
      config = g_bytes_new_take (g_steal_pointer (&text), len);
      if (!semper_fx_ttp_config_parse (config, &bank_url, error))
        return NULL;
    }
  ttp = semper_ttp_role_setup (server, options, error);
  if (ttp == NULL)
    return NULL;
  self = SEMPER_TTP (ttp);
  ecash = semper_fx_ecash_new_ttp (semper_ttp_get_crypto (self), semper_ttp_get_trust (self),
                                   bank_url);
  semper_fx_ecash_get_system (ecash, &system);
  semper_ttp_add_fx_payment_system (self, &system);
  g_object_set_data_full (ttp, "semper-fx-ecash", ecash, g_object_unref);
  account = semper_fx_account_checker_new (semper_ttp_get_crypto (self),
                                           semper_ttp_get_trust (self), bank_url);
  semper_fx_account_checker_get_system (account, &system);
  semper_ttp_add_fx_payment_system (self, &system);
  g_object_set_data_full (ttp, "semper-fx-account", account,
                          (GDestroyNotify) semper_fx_account_checker_free);
  return g_steal_pointer (&ttp);
}
