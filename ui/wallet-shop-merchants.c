/* wallet-shop-merchants.c: the merchants that the wallet knows, kept in the profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "wallet-shop-merchants.h"

#include <glib/gi18n.h>

#define PREF_KEY "shop.merchants"

G_DEFINE_QUARK (wallet-shop-merchants-error-quark, wallet_shop_merchants_error)

char *
wallet_shop_merchants_normalize (const char  *text,
                                 GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;
  g_autofree char *host = NULL;
  int port;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0' || strlen (trimmed) > 1024 || !g_utf8_validate (trimmed, -1, NULL))
    goto invalid;
  if (strstr (trimmed, "://") == NULL)
    with_scheme = g_strconcat ("http://", trimmed, NULL);
  else
    with_scheme = g_strdup (trimmed);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    goto invalid;
  scheme = g_uri_get_scheme (uri);
  path = g_uri_get_path (uri);
  host = g_uri_get_host (uri) != NULL ? g_ascii_strdown (g_uri_get_host (uri), -1) : NULL;
  port = g_uri_get_port (uri);
  if ((g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || host == NULL || *host == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL
      || (path != NULL && *path != '\0' && strcmp (path, "/") != 0))
    goto invalid;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != ':')
      goto invalid;

  if (strchr (host, ':') != NULL)
    return port > 0 ? g_strdup_printf ("%s://[%s]:%d", scheme, host, port)
                    : g_strdup_printf ("%s://[%s]", scheme, host);
  return port > 0 ? g_strdup_printf ("%s://%s:%d", scheme, host, port)
                  : g_strdup_printf ("%s://%s", scheme, host);

invalid:
  g_set_error (error, WALLET_SHOP_MERCHANTS_ERROR, WALLET_SHOP_MERCHANTS_ERROR_INVALID,
               _("“%s” is not a merchant address. Type it as http://host:port."), text);
  return NULL;
}

GStrv
wallet_shop_merchants_load (SemperArchive  *archive,
                            GError        **error)
{
  g_autofree char *value = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), NULL);

  value = semper_archive_pref_get (archive, PREF_KEY, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (value != NULL)
    {
      lines = g_strsplit (value, "\n", WALLET_SHOP_MERCHANTS_MAX + 1);
      for (guint i = 0; lines[i] != NULL && i < WALLET_SHOP_MERCHANTS_MAX; i++)
        {
          /* A line that no longer normalizes (written by hand?) is skipped. */
          g_autofree char *url = wallet_shop_merchants_normalize (lines[i], NULL);

          if (url != NULL && g_strcmp0 (url, lines[i]) == 0)
            g_strv_builder_add (builder, url);
        }
    }
  return g_strv_builder_end (builder);
}

static gboolean
store (SemperArchive *archive,
       GStrv          urls,
       GError       **error)
{
  g_autofree char *value = NULL;

  if (urls[0] != NULL)
    value = g_strjoinv ("\n", urls);
  return semper_archive_pref_set (archive, PREF_KEY, value, error);
}

gboolean
wallet_shop_merchants_add (SemperArchive  *archive,
                           const char     *url,
                           char          **out_url,
                           GError        **error)
{
  g_autofree char *normalized = NULL;
  g_auto(GStrv) urls = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), FALSE);

  normalized = wallet_shop_merchants_normalize (url, error);
  if (normalized == NULL)
    return FALSE;
  urls = wallet_shop_merchants_load (archive, error);
  if (urls == NULL)
    return FALSE;
  if (!g_strv_contains ((const char * const *) urls, normalized))
    {
      if (g_strv_length (urls) >= WALLET_SHOP_MERCHANTS_MAX)
        {
          g_set_error (error, WALLET_SHOP_MERCHANTS_ERROR, WALLET_SHOP_MERCHANTS_ERROR_FULL,
                       _("The wallet already knows %d merchants. Remove one first."),
                       WALLET_SHOP_MERCHANTS_MAX);
          return FALSE;
        }
      builder = g_strv_builder_new ();
      g_strv_builder_addv (builder, (const char **) urls);
      g_strv_builder_add (builder, normalized);
      updated = g_strv_builder_end (builder);
      if (!store (archive, updated, error))
        return FALSE;
    }
  if (out_url != NULL)
    *out_url = g_steal_pointer (&normalized);
  return TRUE;
}

gboolean
wallet_shop_merchants_remove (SemperArchive  *archive,
                              const char     *url,
                              GError        **error)
{
  g_auto(GStrv) urls = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  g_return_val_if_fail (SEMPER_IS_ARCHIVE (archive), FALSE);

  urls = wallet_shop_merchants_load (archive, error);
  if (urls == NULL)
    return FALSE;
  for (guint i = 0; urls[i] != NULL; i++)
    if (g_strcmp0 (urls[i], url) != 0)
      g_strv_builder_add (builder, urls[i]);
  updated = g_strv_builder_end (builder);
  return store (archive, updated, error);
}
