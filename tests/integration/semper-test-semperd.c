/* semper-test-semperd.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-test-semperd.h"

#include <signal.h>
#include <sys/prctl.h>

/* A failed assertion aborts the test before its tear-down: the servers
 * must not outlive it (they hold the test's output pipe open). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * semper_test_start_semperd:
 * @role: ca, ttp, bank, …
 * @listen: HOST:PORT (port 0: any free one)
 * @config: (nullable): the role's --config
 * @url: (out): where semperd said it listens ("http://127.0.0.1:PORT")
 *
 * Starts `semperd` from the build tree and waits until it accepts
 * connections. Fails the test if it does not.
 *
 * Returns: (transfer full): the running process.
 */
GSubprocess *
semper_test_start_semperd (const char  *role,
                           const char  *listen,
                           const char  *state,
                           const char  *password_file,
                           const char  *config,
                           char       **url)
{
  g_autofree char *semperd = g_build_filename (g_getenv ("SEMPER_BUILD_ROOT"), "app", "semperd",
                                               NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (config != NULL)
    proc = g_subprocess_launcher_spawn (launcher, &error, semperd, "--role", role, "--listen",
                                        listen, "--state", state, "--password-file",
                                        password_file, "--config", config, NULL);
  else
    proc = g_subprocess_launcher_spawn (launcher, &error, semperd, "--role", role, "--listen",
                                        listen, "--state", state, "--password-file",
                                        password_file, NULL);
  g_assert_no_error (error);

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  *url = g_strdup (line + strlen ("listening on "));

  return proc;
}

/* Stops it the way an operator does (SIGTERM) and waits for it. */
void
semper_test_stop_semperd (GSubprocess **proc)
{
  if (*proc == NULL)
    return;
  g_subprocess_send_signal (*proc, SIGTERM);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}
