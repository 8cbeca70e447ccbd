/* semper-uri.c: the strict parser of semper: URIs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-uri.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (semper-uri-error-quark, semper_uri_error)

#define MAX_HOST     253
#define MAX_ITEM     32
#define MAX_QUANTITY 1000000

static gboolean
fail (GError    **error,
      const char *what)
{
  g_set_error (error, SEMPER_URI_ERROR, SEMPER_URI_ERROR_INVALID,
               _("Not a semper: URI that the wallet accepts: %s"), what);
  return FALSE;
}

static void
uri_item_free (gpointer data)
{
  SemperUriItem *item = data;

  g_free (item->item);
  g_free (item);
}

void
semper_uri_free (SemperUri *uri)
{
  if (uri == NULL)
    return;
  g_free (uri->host);
  g_free (uri->merchant_url);
  g_free (uri->service);
  g_clear_pointer (&uri->items, g_ptr_array_unref);
  g_free (uri);
}

/* A DNS name: LDH labels of 1…63, not beginning or ending with '-'. An IPv4
 * address passes as such a name, which is all we need: we only connect. */
static gboolean
is_dns_name (const char *s,
             gsize       len)
{
  gsize label = 0;

  if (len == 0 || len > MAX_HOST)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];

      if (c == '.')
        {
          if (label == 0 || s[i - 1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (c) && c != '-')
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      if (++label > 63)
        return FALSE;
    }
  return label > 0 && s[len - 1] != '-';
}

static gboolean
is_ipv6 (const char *s,
         gsize       len)
{
  g_autofree char *copy = NULL;

  if (len == 0 || len > 45)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) && s[i] != ':' && s[i] != '.')
      return FALSE;
  copy = g_strndup (s, len);
  return g_hostname_is_ip_address (copy) && strchr (copy, ':') != NULL;
}

static gboolean
is_service_id (const char *s,
               gsize       len)
{
  if (len == 0 || len > 64 || !g_ascii_islower (s[0]) || s[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_item_id (const char *s,
            gsize       len)
{
  if (len == 0 || len > MAX_ITEM)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-')
      return FALSE;
  return TRUE;
}

/* Decimal, 1…MAX_QUANTITY, no leading zero. */
static gboolean
parse_quantity (const char *s,
                gsize       len,
                guint      *out)
{
  guint64 v = 0;

  if (len == 0 || len > 7 || s[0] == '0')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  if (v < 1 || v > MAX_QUANTITY)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_item (const char *s,
            gsize       len,
            SemperUri  *uri,
            GError    **error)
{
  const char *colon = memchr (s, ':', len);
  gsize id_len = colon != NULL ? (gsize) (colon - s) : len;
  guint quantity = 1;
  SemperUriItem *item;

  if (!is_item_id (s, id_len))
    return fail (error, _("an item must be letters, digits and '-', at most 32"));
  if (colon != NULL && !parse_quantity (colon + 1, len - id_len - 1, &quantity))
    return fail (error, _("a quantity must be 1 to 1000000, without a leading zero"));
  for (guint i = 0; i < uri->items->len; i++)
    {
      SemperUriItem *other = g_ptr_array_index (uri->items, i);

      if (strlen (other->item) == id_len && memcmp (other->item, s, id_len) == 0)
        return fail (error, _("an item is named twice"));
    }
  item = g_new0 (SemperUriItem, 1);
  item->item = g_strndup (s, id_len);
  item->quantity = quantity;
  g_ptr_array_add (uri->items, item);
  return TRUE;
}

SemperUri *
semper_uri_parse (const char *text,
                  GError    **error)
{
  static const char scheme[] = "semper://";
  g_autoptr(SemperUri) uri = NULL;
  const char *p, *host_end, *path, *end;
  gsize host_len;
  guint64 port = 0;
  gsize len;

  if (text == NULL)
    return fail (error, _("no text")), NULL;
  len = strlen (text);
  if (len > SEMPER_URI_MAX_LENGTH)
    return fail (error, _("longer than 4096 bytes")), NULL;
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] <= 0x20 || (guchar) text[i] >= 0x7f)
      return fail (error, _("only visible ASCII characters are allowed")), NULL;
  if (g_ascii_strncasecmp (text, scheme, strlen (scheme)) != 0)
    return fail (error, _("it must begin with semper://")), NULL;
  if (strpbrk (text, "?#%@\\") != NULL)
    return fail (error, _("no query, fragment, percent-encoding or user info")), NULL;

  uri = g_new0 (SemperUri, 1);
  uri->items = g_ptr_array_new_with_free_func (uri_item_free);
  end = text + len;
  p = text + strlen (scheme);

  /* host */
  if (*p == '[')
    {
      const char *close = strchr (p, ']');

      if (close == NULL || !is_ipv6 (p + 1, (gsize) (close - p - 1)))
        return fail (error, _("a bracketed host must be an IPv6 address")), NULL;
      uri->host = g_strndup (p + 1, (gsize) (close - p - 1));
      host_end = close + 1;
    }
  else
    {
      host_end = p;
      while (host_end < end && *host_end != ':' && *host_end != '/')
        host_end++;
      host_len = (gsize) (host_end - p);
      if (!is_dns_name (p, host_len))
        return fail (error, _("the host must be a DNS name or an IP address")), NULL;
      uri->host = g_ascii_strdown (p, (gssize) host_len);
    }

  /* port: required */
  if (*host_end != ':')
    return fail (error, _("the port is missing")), NULL;
  p = host_end + 1;
  if (!g_ascii_isdigit (*p) || *p == '0')
    return fail (error, _("the port must be 1 to 65535")), NULL;
  while (g_ascii_isdigit (*p))
    {
      port = port * 10 + (guint64) (*p - '0');
      if (port > 65535)
        return fail (error, _("the port must be 1 to 65535")), NULL;
      p++;
    }
  uri->port = (guint) port;
  if (*p != '/')
    return fail (error, _("a path must follow the port")), NULL;
  path = p + 1;

  /* action */
  if (strncmp (path, "offer/", 6) == 0)
    {
      uri->action = SEMPER_URI_OFFER;
      p = path + 6;
    }
  else if (strncmp (path, "pay/", 4) == 0)
    {
      uri->action = SEMPER_URI_PAY;
      p = path + 4;
    }
  else
    return fail (error, _("the path must begin with /offer/ or /pay/")), NULL;

  /* service */
  {
    const char *slash = strchr (p, '/');

    if (slash == NULL || !is_service_id (p, (gsize) (slash - p)))
      return fail (error, _("a service id and an item must follow")), NULL;
    uri->service = g_strndup (p, (gsize) (slash - p));
    p = slash + 1;
  }

  /* items, '/'-separated, no empty segment */
  while (TRUE)
    {
      const char *slash = strchr (p, '/');
      gsize seg = slash != NULL ? (gsize) (slash - p) : (gsize) (end - p);

      if (uri->items->len == SEMPER_URI_MAX_ITEMS)
        return fail (error, _("more than 100 items")), NULL;
      if (!parse_item (p, seg, uri, error))
        return NULL;
      if (slash == NULL)
        break;
      p = slash + 1;
    }
  if (uri->action == SEMPER_URI_OFFER)
    {
      SemperUriItem *item = g_ptr_array_index (uri->items, 0);

      if (uri->items->len != 1 || item->quantity != 1)
        return fail (error, _("an offer URI names exactly one item, without a quantity")), NULL;
    }

  if (strchr (uri->host, ':') != NULL)
    uri->merchant_url = g_strdup_printf ("http://[%s]:%u", uri->host, uri->port);
  else
    uri->merchant_url = g_strdup_printf ("http://%s:%u", uri->host, uri->port);
  return g_steal_pointer (&uri);
}

char *
semper_uri_to_string (const SemperUri *uri)
{
  GString *s = g_string_new ("semper://");

  if (strchr (uri->host, ':') != NULL)
    g_string_append_printf (s, "[%s]:%u", uri->host, uri->port);
  else
    g_string_append_printf (s, "%s:%u", uri->host, uri->port);
  g_string_append_printf (s, "/%s/%s", uri->action == SEMPER_URI_PAY ? "pay" : "offer",
                          uri->service);
  for (guint i = 0; i < uri->items->len; i++)
    {
      SemperUriItem *item = g_ptr_array_index (uri->items, i);

      g_string_append_printf (s, "/%s", item->item);
      if (item->quantity != 1)
        g_string_append_printf (s, ":%u", item->quantity);
    }
  return g_string_free (s, FALSE);
}
