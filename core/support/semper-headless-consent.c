/* semper-headless-consent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-headless-consent-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <unicode/uchar.h>

#include "semper-archive.h"

#include "semper-checker.h"
#include "semper-consent-private.h"
#include "semper-crypto.h"
#include "semper-document.h"
#include "semper-money.h"
#include "semper-prefs.h"

struct _SemperHeadlessConsent
{
  GObject             parent_instance;

  FILE               *out;
  SemperHeadlessMode  mode;
  SemperChecker      *checker;
  SemperArchive      *archive;  /* (nullable): where decisions are recorded */
  FILE               *tty_in;   /* (nullable): a test's terminal instead of /dev/tty */
  FILE               *tty_out;
};

static void consent_port_iface_init (SemperConsentPortInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SemperHeadlessConsent, semper_headless_consent, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SEMPER_TYPE_CONSENT_PORT,
                                                      consent_port_iface_init))

static void
semper_headless_consent_dispose (GObject *object)
{
  SemperHeadlessConsent *self = SEMPER_HEADLESS_CONSENT (object);

  g_clear_object (&self->checker);
  g_clear_object (&self->archive);

  G_OBJECT_CLASS (semper_headless_consent_parent_class)->dispose (object);
}

static void
semper_headless_consent_class_init (SemperHeadlessConsentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = semper_headless_consent_dispose;
}

static void
semper_headless_consent_init (SemperHeadlessConsent *self)
{
}

/**
 * semper_headless_consent_new:
 * @out: where the document and the findings are printed (usually stdout)
 *
 * Returns: (transfer full): a consent port for a terminal.
 */
SemperHeadlessConsent *
semper_headless_consent_new (FILE               *out,
                             SemperHeadlessMode  mode)
{
  SemperHeadlessConsent *self;

  g_return_val_if_fail (out != NULL, NULL);

  self = g_object_new (SEMPER_TYPE_HEADLESS_CONSENT, NULL);
  self->out = out;
  self->mode = mode;

  return self;
}

/**
 * semper_headless_consent_set_archive:
 * @archive: (nullable): the profile's archive
 *
 * From now on every decision (`consent-given`, `consent-cancelled`,
 * `consent-refused`, with the purpose, the document's SHA-256 and the origin
 * `headless-yes`) is written to @archive's audit log; a consent whose record
 * cannot be written is not handed out.
 */
void
semper_headless_consent_set_archive (SemperHeadlessConsent *self,
                                     SemperArchive         *archive)
{
  g_return_if_fail (SEMPER_IS_HEADLESS_CONSENT (self));

  g_set_object (&self->archive, archive);
}

static gboolean
record (SemperHeadlessConsent  *self,
        const char             *kind,
        GBytes                 *document,
        const char             *purpose,
        GError                **error)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *detail = NULL;

  if (self->archive == NULL)
    return TRUE;

  hex = semper_sha256_hex (document);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "purpose");
  json_builder_add_string_value (b, purpose != NULL ? purpose : "document");
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, hex);
  json_builder_set_member_name (b, "origin");
  json_builder_add_string_value (b, "headless-yes");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  detail = json_generator_to_data (gen, NULL);
  return semper_archive_audit_append (self->archive, kind, detail, error) != 0;
}

/* Records a refusal or a cancel; @error says which and why. */
static SemperConsent *
declined (SemperHeadlessConsent  *self,
          GBytes                 *document,
          const char             *purpose,
          GError                **error)
{
  g_autoptr(GError) local = NULL;
  gboolean cancelled = error != NULL && *error != NULL &&
    g_error_matches (*error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED);

  if (!record (self, cancelled ? "consent-cancelled" : "consent-refused", document, purpose,
               &local))
    g_warning ("Could not record the declined signature: %s", local->message);
  return NULL;
}

static gboolean
must_escape (gunichar c)
{
  if (c == '\n' || c == '\t')
    return FALSE;

  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_UNASSIGNED:
      return TRUE;
    default:
      return u_hasBinaryProperty ((UChar32) c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
    }
}

/**
 * semper_headless_escape:
 * @text: valid UTF-8
 * @len: its length, or -1 if NUL-terminated
 *
 * Makes every character visible that a terminal would hide, interpret or
 * reorder (controls, escape sequences, bidirectional controls, zero-width and
 * other default-ignorable characters): each becomes `<U+XXXX>`. Invalid
 * UTF-8 bytes become `<0xXX>`.
 *
 * Returns: (transfer full): text that is safe to print to a terminal.
 */
char *
semper_headless_escape (const char *text,
                        gssize      len)
{
  GString *s;
  const char *p;
  const char *end;

  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = strlen (text);

  s = g_string_sized_new (len + 16);
  p = text;
  end = text + len;

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (s, "<0x%02X>", (guint) (guchar) *p);
          p++;
          continue;
        }

      if (c == 0 || must_escape (c))
        g_string_append_printf (s, "<U+%04X>", c);
      else
        g_string_append_len (s, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  return g_string_free (s, FALSE);
}

/**
 * semper_headless_frame:
 * @document: a document's exact bytes
 *
 * Returns: (transfer full): @document escaped with semper_headless_escape()
 *   between BEGIN and END lines, ready to print.
 */
char *
semper_headless_frame (GBytes *document)
{
  g_autofree char *text = NULL;
  gsize size = 0;
  const char *data;

  g_return_val_if_fail (document != NULL, NULL);

  data = g_bytes_get_data (document, &size);
  text = semper_headless_escape (data, size);
  return g_strdup_printf ("----- BEGIN DOCUMENT -----\n%s%s----- END DOCUMENT -----\n",
                          text, (size > 0 && data[size - 1] != '\n') ? "\n" : "");
}

static void
print_document (SemperHeadlessConsent *self,
                GBytes                *document,
                const char            *purpose,
                GPtrArray             *findings)
{
  g_autofree char *hex = semper_sha256_hex (document);
  g_autofree char *framed = semper_headless_frame (document);

  fprintf (self->out, _("You are asked to sign this %s. These are the exact bytes that will be "
                        "signed;\ncharacters a terminal would hide are shown as <U+XXXX>.\n"),
           purpose ? purpose : _("document"));
  fputs (framed, self->out);
  fprintf (self->out, "SHA-256: %s\n", hex);

  if (findings == NULL || findings->len == 0)
    {
      fprintf (self->out, "%s\n", _("The document checker found nothing to warn about."));
      return;
    }

  fprintf (self->out, ngettext ("The document checker found %u problem:\n",
                                "The document checker found %u problems:\n",
                                findings->len),
           findings->len);

  for (guint i = 0; i < findings->len; i++)
    {
      const SemperFinding *f = g_ptr_array_index (findings, i);
      g_autofree char *reason = semper_headless_escape (f->reason, -1);

      fprintf (self->out, "  %s line %u, column %u",
               f->severity == SEMPER_FINDING_REFUSE ? _("REFUSED") : _("WARNING"),
               f->line, f->column);
      if (f->codepoint != 0)
        fprintf (self->out, ", U+%04X", f->codepoint);
      fprintf (self->out, " [%s]: %s\n", semper_finding_kind_to_string (f->kind), reason);
    }
}

/**
 * _semper_headless_consent_set_terminal:
 *
 * For tests: read the answer from @in and ask on @out instead of /dev/tty.
 */
void
_semper_headless_consent_set_terminal (SemperHeadlessConsent *self,
                                       FILE                  *in,
                                       FILE                  *out)
{
  self->tty_in = in;
  self->tty_out = out;
}

/* The amount the user must type, as in the trusted display: the document's
 * Total (or Amount) when it is above the user's limit (the profile's
 * preference when the port has the archive, else 100.00 EUR) or in another
 * currency than the limit. */
static gboolean
amount_to_type (SemperHeadlessConsent *self,
                SemperDocument        *doc,
                SemperAmount          *amount)
{
  SemperAmount limit;

  if (!semper_document_get_amount (doc, "Total", amount, NULL)
      && !semper_document_get_amount (doc, "Amount", amount, NULL))
    return FALSE;
  g_assert (semper_amount_parse ("100.00 EUR", &limit, NULL));
  if (self->archive != NULL)
    {
      g_autoptr(SemperPrefs) prefs = semper_prefs_new (self->archive, NULL);

      if (prefs != NULL)
        semper_prefs_get_display_threshold (prefs, &limit);
    }
  return g_strcmp0 (amount->currency, limit.currency) != 0 || amount->minor > limit.minor;
}

/* "150.00" or "150.00 EUR", compared as an amount. */
static gboolean
typed_amount_matches (const char         *answer,
                      const SemperAmount *amount)
{
  g_autofree char *text = g_strstrip (g_strdup (answer));
  SemperAmount typed;

  if (strchr (text, ' ') == NULL)
    {
      char *with_currency = g_strconcat (text, " ", amount->currency, NULL);

      g_free (text);
      text = with_currency;
    }
  return semper_amount_parse (text, &typed, NULL) && semper_amount_equal (&typed, amount);
}

static gboolean
ask_terminal (SemperHeadlessConsent *self,
              const SemperAmount    *amount)
{
  FILE *tty = self->tty_in != NULL ? NULL : fopen ("/dev/tty", "r+e");
  FILE *in = self->tty_in != NULL ? self->tty_in : tty;
  FILE *out = self->tty_out != NULL ? self->tty_out : tty;
  char answer[64] = "";
  gboolean yes = FALSE;

  if (in == NULL || out == NULL)
    return FALSE;

  if (amount != NULL)
    {
      g_autofree char *formatted = semper_amount_format (amount);

      /* Above the user's limit the amount is typed, as in the trusted display. */
      fprintf (out, _("This is more than your limit. Type the amount, %s, to sign, anything "
                      "else to cancel: "), formatted);
    }
  else
    fputs (_("Type “yes” to sign, anything else to cancel: "), out);
  fflush (out);
  if (fgets (answer, sizeof answer, in) != NULL)
    {
      g_strchomp (answer);
      yes = amount != NULL ? typed_amount_matches (answer, amount) : g_str_equal (answer, "yes");
    }
  if (tty != NULL)
    fclose (tty);

  return yes;
}

/**
 * semper_headless_consent_request:
 * @document: the exact bytes of a semper document
 * @purpose: (nullable): what the document is for, e.g. "order"
 *
 * Prints @document and its findings, then decides as the mode says.
 *
 * Returns: (transfer full): a consent for @document, or %NULL with
 *   %SEMPER_CONSENT_ERROR_REFUSED (the trusted display would refuse it, or
 *   warnings were not accepted) or %SEMPER_CONSENT_ERROR_CANCELLED.
 */
SemperConsent *
semper_headless_consent_request (SemperHeadlessConsent  *self,
                                 GBytes                 *document,
                                 const char             *purpose,
                                 GError                **error)
{
  g_autoptr(SemperDocument) doc = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SemperConsent) consent = NULL;

  g_return_val_if_fail (SEMPER_IS_HEADLESS_CONSENT (self), NULL);
  g_return_val_if_fail (document != NULL, NULL);

  doc = semper_document_parse (document, &local_error);
  if (doc == NULL)
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("Not a well-formed semper document: %s"), local_error->message);
      return declined (self, document, purpose, error);
    }

  if (self->checker == NULL)
    {
      self->checker = semper_checker_new (error);
      if (self->checker == NULL)
        return NULL;
    }

  findings = semper_checker_check (self->checker, doc);
  print_document (self, document, purpose, findings);
  fflush (self->out);

  if (semper_checker_findings_refuse (findings))
    {
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                           _("This document may not be signed: the trusted display refuses it"));
      return declined (self, document, purpose, error);
    }

  switch (self->mode)
    {
    case SEMPER_HEADLESS_YES_ACCEPT_WARNINGS:
      break;

    case SEMPER_HEADLESS_YES:
      if (findings->len > 0)
        {
          g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                               _("The document checker found problems; read them, and sign "
                                 "only with --accept-warnings"));
          return declined (self, document, purpose, error);
        }
      break;

    case SEMPER_HEADLESS_ASK_TERMINAL:
      {
        SemperAmount amount;

        if (ask_terminal (self, amount_to_type (self, doc, &amount) ? &amount : NULL))
          break;
      }
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
                           _("Signing cancelled"));
      return declined (self, document, purpose, error);

    case SEMPER_HEADLESS_NEVER:
    default:
      g_set_error_literal (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_CANCELLED,
                           _("Not signed: give --yes to consent to the document shown above"));
      return declined (self, document, purpose, error);
    }

  /* The headless port is the provider of a process that registered none
   * (semper registers it in main(); tests that sign headlessly rely on this).
   * A process whose provider is the trusted display gets no consent here. */
  if (semper_consent_get_provider_origin () == NULL
      && !semper_consent_register_provider (SEMPER_CONSENT_PORT (self), "headless-yes", NULL))
    g_debug ("Another consent provider was registered meanwhile");
  consent = _semper_consent_new (document, "headless-yes", error);
  if (consent == NULL)
    return NULL;
  if (!record (self, "consent-given", document, purpose, &local_error))
    {
      g_set_error (error, SEMPER_CONSENT_ERROR, SEMPER_CONSENT_ERROR_REFUSED,
                   _("Could not record the consent, so nothing is signed: %s"),
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&consent);
}

static void
headless_request_async (SemperConsentPort   *port,
                        GBytes              *document,
                        const char          *purpose,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  SemperHeadlessConsent *self = SEMPER_HEADLESS_CONSENT (port);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  SemperConsent *consent;

  g_task_set_source_tag (task, headless_request_async);

  consent = semper_headless_consent_request (self, document, purpose, &error);
  if (consent == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, consent, g_object_unref);
}

static SemperConsent *
headless_request_finish (SemperConsentPort  *port,
                         GAsyncResult       *result,
                         GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, port), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
consent_port_iface_init (SemperConsentPortInterface *iface)
{
  iface->request_async = headless_request_async;
  iface->request_finish = headless_request_finish;
}
