/* semper-suspend.c: exchanges the user suspended
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-suspend.h"

#include <string.h>

#include "semper-profile.h"

#define SUSPENDED_FILE "suspended"
#define MAX_ID_LENGTH  256

static char *
suspended_path (SemperProfile *profile)
{
  return g_build_filename (semper_profile_get_dir (profile), SUSPENDED_FILE, NULL);
}

GStrv
semper_exchange_dup_suspended (SemperProfile *profile)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), NULL);

  path = suspended_path (profile);
  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_strstrip (lines[i]);
          /* A line that is not an id (a hand-edited file) is ignored. */
          if (*lines[i] != '\0' && strlen (lines[i]) <= MAX_ID_LENGTH
              && g_utf8_validate (lines[i], -1, NULL))
            g_strv_builder_add (out, lines[i]);
        }
    }
  return g_strv_builder_end (out);
}

gboolean
semper_exchange_is_suspended (SemperProfile *profile,
                              const char    *id)
{
  g_auto(GStrv) ids = NULL;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), FALSE);

  if (id == NULL)
    return FALSE;
  ids = semper_exchange_dup_suspended (profile);
  return g_strv_contains ((const char * const *) ids, id);
}

gboolean
semper_exchange_set_suspended (SemperProfile  *profile,
                               const char     *id,
                               gboolean        suspended,
                               GError        **error)
{
  g_auto(GStrv) ids = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SEMPER_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (id != NULL && *id != '\0' && strchr (id, '\n') == NULL, FALSE);

  suspended = !!suspended;
  ids = semper_exchange_dup_suspended (profile);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (g_str_equal (ids[i], id))
        {
          found = TRUE;
          if (!suspended)
            continue;
        }
      g_string_append_printf (text, "%s\n", ids[i]);
    }
  if (found == suspended)
    return TRUE;
  if (suspended)
    g_string_append_printf (text, "%s\n", id);
  path = suspended_path (profile);
  return g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}
