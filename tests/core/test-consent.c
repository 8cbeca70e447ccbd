/* test-consent.c: consents sign exactly what was shown, once; the headless
 * port refuses what the trusted display refuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "semper-archive.h"
#include "semper-consent-private.h"
#include "semper-crypto.h"
#include "semper-headless-consent-private.h"

static const char clean_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

/* A zero-width space in the body: a warning, not a refusal. */
static const char warn_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Test agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties\xe2\x80\x8b agree.\n";

/* A right-to-left override in a header field: refused outright. */
static const char refuse_doc[] =
  "Semper-Document: contract/1\n"
  "Title: Test \xe2\x80\xae" "agreement\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "The parties agree.\n";

static FILE *provider_out;

/* The headless port, told --yes, as this process's provider (once). */
static void
register_provider (void)
{
  g_autoptr(SemperHeadlessConsent) port = NULL;
  g_autoptr(GError) error = NULL;

  if (semper_consent_get_provider_origin () != NULL)
    return;
  provider_out = fopen ("/dev/null", "w");
  g_assert_nonnull (provider_out);
  port = semper_headless_consent_new (provider_out, SEMPER_HEADLESS_YES);
  g_assert_true (semper_consent_register_provider (SEMPER_CONSENT_PORT (port), "headless-yes",
                                                   &error));
  g_assert_no_error (error);
}

/* No consent before a provider is registered; one registration only; only
 * the registered provider's origin makes consents; the request goes to it. */
static void
test_provider (void)
{
  g_autoptr(GBytes) doc = g_bytes_new_static (clean_doc, sizeof clean_doc - 1);
  g_autoptr(GBytes) refused = g_bytes_new_static (refuse_doc, sizeof refuse_doc - 1);
  g_autoptr(SemperConsent) none = NULL;
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(SemperHeadlessConsent) second = NULL;
  g_autoptr(SemperConsentPort) provider = NULL;
  g_autoptr(GError) error = NULL;

  if (semper_consent_get_provider_origin () != NULL)
    {
      g_test_skip ("a provider was registered by an earlier test of this process");
      return;
    }

  none = _semper_consent_new (doc, "headless-yes", &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER);
  g_clear_error (&error);
  none = semper_consent_request (doc, "contract", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER);
  g_clear_error (&error);
  g_assert_null (semper_consent_dup_provider ());

  register_provider ();
  g_assert_cmpstr (semper_consent_get_provider_origin (), ==, "headless-yes");
  provider = semper_consent_dup_provider ();
  g_assert_true (SEMPER_IS_HEADLESS_CONSENT (provider));

  /* A second provider, even of the same kind, is refused. */
  second = semper_headless_consent_new (stderr, SEMPER_HEADLESS_YES_ACCEPT_WARNINGS);
  g_assert_false (semper_consent_register_provider (SEMPER_CONSENT_PORT (second),
                                                    "trusted-display", &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);
  g_assert_true (semper_consent_dup_provider () == provider);
  g_object_unref (provider);

  /* Another origin cannot make one. */
  none = _semper_consent_new (doc, "trusted-display", &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_NO_PROVIDER);
  g_clear_error (&error);

  /* Asking goes to the registered port, which refuses what it must. */
  none = semper_consent_request (refused, "contract", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
  g_clear_error (&error);
  consent = semper_consent_request (doc, "contract", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_consent_get_origin (consent), ==, "headless-yes");
  g_assert_true (semper_consent_consume (consent, doc, &error));
  g_assert_no_error (error);
}

static int thread_done;

static gpointer
request_in_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  SemperConsent *consent = semper_consent_request (data, "contract", NULL, &error);

  g_assert_no_error (error);
  g_atomic_int_set (&thread_done, 1);
  g_main_context_wakeup (NULL);
  return consent;
}

/* A worker thread asks; the provider answers in its own thread's context. */
static void
test_provider_thread (void)
{
  g_autoptr(GBytes) doc = g_bytes_new_static (clean_doc, sizeof clean_doc - 1);
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  register_provider ();
  thread = g_thread_new ("consent-request", request_in_thread, doc);
  /* The provider's context is this thread's: run it until the worker is done. */
  while (!g_atomic_int_get (&thread_done))
    g_main_context_iteration (NULL, TRUE);
  consent = g_thread_join (thread);
  g_assert_nonnull (consent);
  g_assert_true (semper_consent_consume (consent, doc, &error));
  g_assert_no_error (error);
}

static void
test_consume (void)
{
  g_autoptr(GBytes) doc = g_bytes_new_static (clean_doc, sizeof clean_doc - 1);
  g_autoptr(GBytes) other = g_bytes_new_static (clean_doc, sizeof clean_doc - 2);
  g_autoptr(SemperConsent) consent = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  register_provider ();
  consent = semper_consent_request (doc, "contract", NULL, &error);
  g_assert_no_error (error);

  g_assert_nonnull (semper_consent_get_digest (consent, &len));
  g_assert_cmpuint (len, ==, 32);
  g_assert_cmpstr (semper_consent_get_origin (consent), ==, "headless-yes");

  /* Other bytes (one byte shorter) do not match, and do not use it up. */
  g_assert_false (semper_consent_consume (consent, other, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_MISMATCH);
  g_clear_error (&error);
  g_assert_false (semper_consent_is_used (consent));

  g_assert_true (semper_consent_consume (consent, doc, &error));
  g_assert_no_error (error);
  g_assert_true (semper_consent_is_used (consent));

  /* A consent signs once. */
  g_assert_false (semper_consent_consume (consent, doc, &error));
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_USED);
}

static SemperConsent *
ask (const char          *text,
     SemperHeadlessMode   mode,
     char               **printed,
     GError             **error)
{
  g_autoptr(GBytes) doc = g_bytes_new (text, strlen (text));
  g_autoptr(SemperHeadlessConsent) port = NULL;
  SemperConsent *consent;
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);

  g_assert_nonnull (out);
  port = semper_headless_consent_new (out, mode);
  consent = semper_headless_consent_request (port, doc, "contract", error);
  fclose (out);
  *printed = buf;

  return consent;
}

static void
test_headless_modes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL;
  g_autoptr(SemperConsent) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL, c5 = NULL;

  /* Without --yes: printed in full, then declined. */
  c1 = ask (clean_doc, SEMPER_HEADLESS_NEVER, &p1, &error);
  g_assert_null (c1);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);
  g_assert_nonnull (strstr (p1, clean_doc));
  g_clear_error (&error);

  /* --yes on a clean document: a consent for exactly those bytes. */
  c2 = ask (clean_doc, SEMPER_HEADLESS_YES, &p2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c2);
  g_assert_nonnull (strstr (p2, clean_doc));
  {
    g_autoptr(GBytes) doc = g_bytes_new_static (clean_doc, sizeof clean_doc - 1);
    g_assert_true (semper_consent_consume (c2, doc, &error));
  }

  /* --yes over a warning is not enough… */
  c3 = ask (warn_doc, SEMPER_HEADLESS_YES, &p3, &error);
  g_assert_null (c3);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (p3, "parties<U+200B> agree"));
  g_clear_error (&error);

  /* …--yes --accept-warnings is. */
  c4 = ask (warn_doc, SEMPER_HEADLESS_YES_ACCEPT_WARNINGS, &p4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c4);

  /* What the trusted display refuses, no flag signs. */
  c5 = ask (refuse_doc, SEMPER_HEADLESS_YES_ACCEPT_WARNINGS, &p5, &error);
  g_assert_null (c5);
  g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (p5, "Title: Test <U+202E>agreement"));
  g_assert_null (strstr (p5, "\xe2\x80\xae"));
}

/* Given the profile's archive, the headless port records every decision in
 * its audit log, as the trusted display's port does. */
static void
test_headless_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("semper-consent-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "archive.db", NULL);
  g_autoptr(SemperArchive) archive = NULL;
  g_autoptr(GBytes) clean = g_bytes_new_static (clean_doc, sizeof clean_doc - 1);
  g_autoptr(GBytes) refused = g_bytes_new_static (refuse_doc, sizeof refuse_doc - 1);
  g_autofree char *clean_hex = semper_sha256_hex (clean);
  g_autofree char *refused_hex = semper_sha256_hex (refused);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  const SemperHeadlessMode modes[] = { SEMPER_HEADLESS_YES, SEMPER_HEADLESS_NEVER,
                                       SEMPER_HEADLESS_YES_ACCEPT_WARNINGS };
  const char *kinds[] = { "consent-given", "consent-cancelled", "consent-refused" };
  FILE *devnull = fopen ("/dev/null", "w");
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  archive = semper_archive_open (db, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(SemperHeadlessConsent) port = semper_headless_consent_new (devnull, modes[i]);
      g_autoptr(SemperConsent) consent = NULL;
      g_autoptr(GError) local = NULL;

      semper_headless_consent_set_archive (port, archive);
      consent = semper_headless_consent_request (port, i == 2 ? refused : clean, "contract",
                                                 &local);
      g_assert_true ((consent != NULL) == (i == 0));
      g_string_append_printf (expected, "%s {\"purpose\":\"contract\",\"sha256\":\"%s\","
                              "\"origin\":\"headless-yes\"}\n", kinds[i],
                              i == 2 ? refused_hex : clean_hex);
    }
  fclose (devnull);
  g_assert_true (semper_archive_audit_verify (archive, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT kind, detail FROM audit WHERE kind LIKE "
                                       "'consent-%' ORDER BY id", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (got, "%s %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  g_assert_cmpstr (got->str, ==, expected->str);

  g_clear_object (&archive);
  for (const char *suffix = ""; suffix != NULL;
       suffix = g_str_equal (suffix, "") ? "-wal" : g_str_equal (suffix, "-wal") ? "-shm" : NULL)
    {
      g_autofree char *path = g_strconcat (db, suffix, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* At the terminal (no --yes), above the limit the user types the amount,
 * as in the trusted display; below it, "yes". */
static void
test_headless_terminal (void)
{
  static const char big[] = "Semper-Document: order/1\nMerchant: Bicycle Shop\n"
                            "Item: 1 x Bicycle @ 150.00 EUR\nTotal: 150.00 EUR\n\nOne bicycle.\n";
  static const char small[] = "Semper-Document: order/1\nMerchant: Bicycle Shop\n"
                              "Item: 1 x Bell @ 20.00 EUR\nTotal: 20.00 EUR\n\nOne bell.\n";
  const struct {
    const char *doc;
    const char *answer;
    gboolean    signs;
  } cases[] = {
    { big, "yes\n", FALSE },
    { big, "15.00\n", FALSE },
    { big, "150.00 USD\n", FALSE },
    { big, "150.00\n", TRUE },
    { big, "150.00 EUR\n", TRUE },
    { small, "yes\n", TRUE },
    { small, "20.00\n", FALSE },
  };
  FILE *devnull = fopen ("/dev/null", "w");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SemperHeadlessConsent) port =
        semper_headless_consent_new (devnull, SEMPER_HEADLESS_ASK_TERMINAL);
      g_autoptr(GBytes) doc = g_bytes_new_static (cases[i].doc, strlen (cases[i].doc));
      g_autoptr(SemperConsent) consent = NULL;
      g_autoptr(GError) error = NULL;
      FILE *in = fmemopen ((void *) cases[i].answer, strlen (cases[i].answer), "r");
      char *asked = NULL;
      size_t size = 0;
      FILE *out = open_memstream (&asked, &size);

      _semper_headless_consent_set_terminal (port, in, out);
      consent = semper_headless_consent_request (port, doc, "order", &error);
      fclose (in);
      fclose (out);
      g_assert_true ((consent != NULL) == cases[i].signs);
      if (consent == NULL)
        g_assert_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);
      if (cases[i].doc == big)
        g_assert_nonnull (strstr (asked, "Type the amount, 150.00 EUR, to sign"));
      else
        g_assert_nonnull (strstr (asked, "Type “yes” to sign"));
      free (asked);
    }
  fclose (devnull);
}

static void
test_escape (void)
{
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain text\n", "plain text\n" },
    { "caf\xc3\xa9", "caf\xc3\xa9" },                      /* é stays */
    { "\x1b[31mred", "<U+001B>[31mred" },                 /* terminal escape */
    { "a\xe2\x80\x8b" "b", "a<U+200B>b" },                /* zero-width space */
    { "x\xe2\x81\xa7y", "x<U+2067>y" },                   /* right-to-left isolate */
    { "soft\xc2\xad" "hyphen", "soft<U+00AD>hyphen" },    /* default-ignorable */
    { "bad\xff", "bad<0xFF>" },                           /* not UTF-8 */
    { "tab\there", "tab\there" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = semper_headless_escape (cases[i].in, -1);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/semper/consent/provider", test_provider);
  g_test_add_func ("/semper/consent/provider-thread", test_provider_thread);
  g_test_add_func ("/semper/consent/consume", test_consume);
  g_test_add_func ("/semper/consent/headless/modes", test_headless_modes);
  g_test_add_func ("/semper/consent/headless/escape", test_escape);
  g_test_add_func ("/semper/consent/headless/record", test_headless_record);
  g_test_add_func ("/semper/consent/headless/terminal", test_headless_terminal);

  return g_test_run ();
}
