/* semper-checker.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "semper-checker.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include "semper-document.h"
#include "semper-money.h"

G_DEFINE_QUARK (semper-checker-error-quark, semper_checker_error)

/* ---- SemperFinding ---- */

SemperFinding *
semper_finding_copy (const SemperFinding *finding)
{
  SemperFinding *copy;

  g_return_val_if_fail (finding != NULL, NULL);

  copy = g_memdup2 (finding, sizeof *finding);
  copy->field = g_strdup (finding->field);
  copy->reason = g_strdup (finding->reason);
  return copy;
}

void
semper_finding_free (SemperFinding *finding)
{
  if (finding == NULL)
    return;

  g_free (finding->field);
  g_free (finding->reason);
  g_free (finding);
}

G_DEFINE_BOXED_TYPE (SemperFinding, semper_finding, semper_finding_copy, semper_finding_free)

/**
 * semper_finding_kind_to_string:
 *
 * Returns: the stable name used in JSON output, e.g. "bidi-control".
 */
const char *
semper_finding_kind_to_string (SemperFindingKind kind)
{
  switch (kind)
    {
    case SEMPER_FINDING_BIDI_CONTROL:    return "bidi-control";
    case SEMPER_FINDING_INVISIBLE:       return "invisible";
    case SEMPER_FINDING_CONTROL:         return "control";
    case SEMPER_FINDING_MIXED_SCRIPT:    return "mixed-script";
    case SEMPER_FINDING_CONFUSABLE:      return "confusable";
    case SEMPER_FINDING_NON_ASCII_DIGIT: return "non-ascii-digit";
    case SEMPER_FINDING_LONG_LINE:       return "long-line";
    case SEMPER_FINDING_TOTALS_MISMATCH: return "totals-mismatch";
    case SEMPER_FINDING_NON_NFC:         return "non-nfc";
    default:                             return "unknown";
    }
}

/**
 * semper_finding_severity_to_string:
 *
 * Returns: "warn" or "refuse".
 */
const char *
semper_finding_severity_to_string (SemperFindingSeverity severity)
{
  return severity == SEMPER_FINDING_REFUSE ? "refuse" : "warn";
}

/* ---- SemperChecker ---- */

struct _SemperChecker
{
  GObject        parent_instance;

  USpoofChecker *spoof;
};

G_DEFINE_FINAL_TYPE (SemperChecker, semper_checker, G_TYPE_OBJECT)

static void
semper_checker_finalize (GObject *object)
{
  SemperChecker *self = SEMPER_CHECKER (object);

  g_clear_pointer (&self->spoof, uspoof_close);

  G_OBJECT_CLASS (semper_checker_parent_class)->finalize (object);
}

static void
semper_checker_class_init (SemperCheckerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = semper_checker_finalize;
}

static void
semper_checker_init (SemperChecker *self)
{
}

/**
 * semper_checker_new:
 *
 * Opens ICU's spoof checker once; the checker can then check many documents
 * (from one thread at a time).
 *
 * Returns: (transfer full): a checker, or NULL if ICU's data is missing.
 */
SemperChecker *
semper_checker_new (GError **error)
{
  g_autoptr(SemperChecker) self = g_object_new (SEMPER_TYPE_CHECKER, NULL);
  UErrorCode status = U_ZERO_ERROR;

  self->spoof = uspoof_open (&status);
  if (U_SUCCESS (status))
    {
      /* Latin may mix with one other recommended script, never with Cyrillic
       * or Greek (TR39 §5.2, "Moderately Restrictive"). */
      uspoof_setRestrictionLevel (self->spoof, USPOOF_MODERATELY_RESTRICTIVE);
      uspoof_setChecks (self->spoof, USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS, &status);
    }
  if (U_FAILURE (status))
    {
      g_set_error (error, SEMPER_CHECKER_ERROR, SEMPER_CHECKER_ERROR_ICU,
                   _("cannot open ICU’s spoof checker: %s"), u_errorName (status));
      return NULL;
    }

  return g_steal_pointer (&self);
}

typedef struct {
  SemperChecker *checker;
  GPtrArray     *findings;
  const char    *data;
  guint          line;
  const char    *line_start;
  const char    *field;     /* NULL in the body */
} Walk;

static void
add_finding (Walk                  *walk,
             SemperFindingKind      kind,
             SemperFindingSeverity  severity,
             const char            *at,
             gsize                  length,
             gunichar               codepoint,
             char                  *reason)  /* (transfer full) */
{
  SemperFinding *finding;

  if (walk->findings->len >= SEMPER_CHECKER_MAX_FINDINGS)
    {
      g_free (reason);
      return;
    }

  finding = g_new0 (SemperFinding, 1);
  finding->line = walk->line;
  finding->column = (guint) g_utf8_strlen (walk->line_start, at - walk->line_start) + 1;
  finding->offset = (gsize) (at - walk->data);
  finding->length = length;
  finding->codepoint = codepoint;
  finding->kind = kind;
  finding->severity = severity;
  finding->field = g_strdup (walk->field);
  finding->reason = reason;
  g_ptr_array_add (walk->findings, finding);
}

/* "U+202E RIGHT-TO-LEFT OVERRIDE" */
static char *
describe (gunichar c)
{
  char name[256];
  UErrorCode status = U_ZERO_ERROR;
  int32_t n;

  n = u_charName ((UChar32) c, U_UNICODE_CHAR_NAME, name, sizeof name, &status);
  if (U_FAILURE (status) || n <= 0 || n >= (int32_t) sizeof name)
    {
      status = U_ZERO_ERROR;
      n = u_charName ((UChar32) c, U_EXTENDED_CHAR_NAME, name, sizeof name, &status);
    }
  if (U_FAILURE (status) || n <= 0 || n >= (int32_t) sizeof name)
    return g_strdup_printf ("U+%04X", c);

  return g_strdup_printf ("U+%04X %s", c, name);
}

static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
         || c == 0x200E || c == 0x200F || c == 0x061C;
}

static void
check_char (Walk       *walk,
            const char *p,
            gsize       len,
            gunichar    c)
{
  gboolean header = walk->field != NULL;
  SemperFindingSeverity hidden = header ? SEMPER_FINDING_REFUSE : SEMPER_FINDING_WARN;
  g_autofree char *what = NULL;

  if (c < 0x80 && c >= 0x20 && c != 0x7F)
    return;
  if (c == '\t' && !header)
    return;  /* tabs are allowed in the body (the parser refuses them in the header) */

  what = describe (c);

  if (is_bidi_control (c))
    {
      const char *fmt;
      SemperFindingSeverity severity = SEMPER_FINDING_REFUSE;

      if (c == 0x202E)
        fmt = _("%s reverses the text that follows");
      else if (c == 0x202D)
        fmt = _("%s forces the text that follows to run left to right");
      else if (c == 0x202A || c == 0x202B)
        fmt = _("%s changes the direction of the text that follows");
      else if (c >= 0x2066 && c <= 0x2068)
        fmt = _("%s reorders the text that follows");
      else if (c == 0x202C || c == 0x2069)
        fmt = _("%s ends a change of text direction");
      else
        {
          /* The marks are legitimate in right-to-left prose, not in fields. */
          fmt = _("%s changes the direction of the characters around it");
          severity = hidden;
        }
      add_finding (walk, SEMPER_FINDING_BIDI_CONTROL, severity, p, len, c,
                   g_strdup_printf (fmt, what));
    }
  else if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
    {
      add_finding (walk, SEMPER_FINDING_CONTROL, hidden, p, len, c,
                   g_strdup_printf (_("%s is a control character that the display may hide "
                                      "or act on"), what));
    }
  else if (c == 0x2028 || c == 0x2029)
    {
      add_finding (walk, SEMPER_FINDING_CONTROL, hidden, p, len, c,
                   g_strdup_printf (_("%s may break the line where the document has no line "
                                      "break"), what));
    }
  else if (u_hasBinaryProperty ((UChar32) c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)
           || u_charType ((UChar32) c) == U_FORMAT_CHAR)
    {
      add_finding (walk, SEMPER_FINDING_INVISIBLE, hidden, p, len, c,
                   g_strdup_printf (_("%s is invisible"), what));
    }
  else if (u_charType ((UChar32) c) == U_DECIMAL_DIGIT_NUMBER)
    {
      add_finding (walk, SEMPER_FINDING_NON_ASCII_DIGIT, SEMPER_FINDING_WARN, p, len, c,
                   g_strdup_printf (_("%s is a digit other than 0–9; it means %d"), what,
                                    (int) u_charDigitValue ((UChar32) c)));
    }
}

static gboolean
is_word_char (gunichar c)
{
  int8_t type = u_charType ((UChar32) c);

  return u_isalpha ((UChar32) c) || type == U_DECIMAL_DIGIT_NUMBER
         || type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK
         || type == U_ENCLOSING_MARK;
}

static UScriptCode
script_of (gunichar c)
{
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript ((UChar32) c, &status);

  if (U_FAILURE (status) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED)
    return USCRIPT_INVALID_CODE;
  return script;
}

#define MAX_SCRIPTS 8

static void
check_word (Walk       *walk,
            const char *start,
            const char *end)
{
  UScriptCode scripts[MAX_SCRIPTS];
  guint counts[MAX_SCRIPTS] = { 0 };
  guint n_scripts = 0;
  guint majority = 0;
  gboolean ascii = TRUE;
  gboolean alpha = FALSE;
  int32_t len = (int32_t) (end - start);
  g_autofree char *word = g_strndup (start, (gsize) (end - start));

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      UScriptCode script = script_of (c);
      guint i;

      if (c >= 0x80)
        ascii = FALSE;
      if (u_isalpha ((UChar32) c))
        alpha = TRUE;
      if (script == USCRIPT_INVALID_CODE)
        continue;
      for (i = 0; i < n_scripts && scripts[i] != script; i++)
        ;
      if (i == n_scripts)
        {
          if (n_scripts == MAX_SCRIPTS)
            continue;
          scripts[n_scripts++] = script;
        }
      counts[i]++;
    }

  if (ascii || n_scripts == 0)
    return;

  if (n_scripts > 1)
    {
      UErrorCode status = U_ZERO_ERROR;
      int32_t result = uspoof_check2UTF8 (walk->checker->spoof, word, len, NULL, &status);

      if (U_FAILURE (status) || (result & (USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS)) == 0)
        return;

      /* Name the characters that do not belong: those outside the word's main
       * script (on a tie, Latin is the main one). */
      for (guint i = 1; i < n_scripts; i++)
        {
          if (counts[i] > counts[majority]
              || (counts[i] == counts[majority] && scripts[i] == USCRIPT_LATIN))
            majority = i;
        }

      for (const char *p = start; p < end; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          UScriptCode script = script_of (c);
          g_autofree char *what = NULL;

          if (script == USCRIPT_INVALID_CODE || script == scripts[majority])
            continue;

          what = describe (c);
          add_finding (walk, SEMPER_FINDING_MIXED_SCRIPT, SEMPER_FINDING_WARN, p,
                       (gsize) (g_utf8_next_char (p) - p), c,
                       g_strdup_printf (_("%s is %s inside the %s word “%s”: the word mixes "
                                          "scripts and may imitate another"),
                                        what, uscript_getName (script),
                                        uscript_getName (scripts[majority]), word));
        }
    }
  else if (scripts[0] != USCRIPT_LATIN && alpha)
    {
      /* A whole word in one non-Latin script whose TR39 skeleton is plain
       * ASCII reads as a Latin word: Cyrillic "раураl" for "paypal". */
      UErrorCode status = U_ZERO_ERROR;
      int32_t needed = uspoof_getSkeletonUTF8 (walk->checker->spoof, 0, word, len, NULL, 0,
                                               &status);
      g_autofree char *skeleton = NULL;
      gboolean letter = FALSE;

      if (status != U_BUFFER_OVERFLOW_ERROR || needed <= 0)
        return;

      status = U_ZERO_ERROR;
      skeleton = g_malloc ((gsize) needed + 1);
      uspoof_getSkeletonUTF8 (walk->checker->spoof, 0, word, len, skeleton, needed + 1,
                              &status);
      if (U_FAILURE (status))
        return;

      for (const char *s = skeleton; *s; s++)
        {
          if ((guchar) *s >= 0x80)
            return;
          if (g_ascii_isalpha (*s))
            letter = TRUE;
        }
      if (!letter)
        return;

      add_finding (walk, SEMPER_FINDING_CONFUSABLE, SEMPER_FINDING_WARN, start,
                   (gsize) (end - start), g_utf8_get_char (start),
                   g_strdup_printf (_("the %s word “%s” looks like the Latin “%s”"),
                                    uscript_getName (scripts[0]), word, skeleton));
    }
}

static void
check_nfc (Walk       *walk,
           const char *start,
           const char *end)
{
  g_autofree char *nfc = g_utf8_normalize (start, end - start, G_NORMALIZE_NFC);
  const char *p = start;
  const char *q = nfc;
  const char *at;

  if (nfc == NULL)
    return;

  while (p < end && *q && *p == *q)
    {
      p++;
      q++;
    }
  if (p == end && *q == '\0')
    return;

  /* Point at the character in which the normalized text starts to differ. */
  at = p < end ? g_utf8_find_prev_char (start, p + 1) : g_utf8_find_prev_char (start, end);
  if (at == NULL)
    at = start;

  add_finding (walk, SEMPER_FINDING_NON_NFC, SEMPER_FINDING_WARN, at,
               (gsize) (g_utf8_next_char (at) - at), g_utf8_get_char (at),
               g_strdup (_("this text is not in Unicode normal form C: the same letters "
                           "could also be written with other code points")));
}

static void
check_line (Walk       *walk,
            const char *start,
            const char *end)
{
  const char *word = NULL;
  guint column = 0;
  gboolean ascii = TRUE;

  walk->line_start = start;

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize len = (gsize) (g_utf8_next_char (p) - p);

      column++;
      if (c >= 0x80)
        ascii = FALSE;

      if (column == SEMPER_CHECKER_MAX_LINE + 1)
        {
          add_finding (walk, SEMPER_FINDING_LONG_LINE, SEMPER_FINDING_WARN, p,
                       (gsize) (end - p), 0,
                       g_strdup_printf (_("the line is %u characters long: the display may "
                                          "hide or wrap the text from here on"),
                                        (guint) g_utf8_strlen (start, end - start)));
        }

      check_char (walk, p, len, c);

      if (is_word_char (c))
        {
          if (word == NULL)
            word = p;
        }
      else if (word != NULL)
        {
          check_word (walk, word, p);
          word = NULL;
        }
    }

  if (word != NULL)
    check_word (walk, word, end);

  if (!ascii)
    check_nfc (walk, start, end);
}

/* ---- totals ---- */

typedef struct {
  const char *name;
  const char *value;
  guint       line;
  gsize       offset;
} Located;

static void
add_totals_finding (Walk                  *walk,
                    const Located         *at,
                    SemperFindingSeverity  severity,
                    char                  *reason)
{
  const char *line_start = walk->data + at->offset - strlen (at->name) - 2;

  walk->line = at->line;
  walk->line_start = line_start;
  walk->field = at->name;
  add_finding (walk, SEMPER_FINDING_TOTALS_MISMATCH, severity, walk->data + at->offset,
               strlen (at->value), 0, reason);
}

static gboolean
accumulate (Walk               *walk,
            SemperAmount       *sum,
            gboolean           *have_sum,
            const SemperAmount *amount,
            gboolean            subtract,
            const Located      *at)
{
  g_autoptr(GError) error = NULL;

  if (!*have_sum)
    {
      *sum = *amount;
      if (subtract)
        sum->minor = -sum->minor;
      *have_sum = TRUE;
      return TRUE;
    }

  if (subtract ? semper_amount_subtract (sum, amount, sum, &error)
               : semper_amount_add (sum, amount, sum, &error))
    return TRUE;

  add_totals_finding (walk, at, SEMPER_FINDING_REFUSE,
                      g_strdup_printf (_("%s cannot be added up: %s"), at->name, error->message));
  return FALSE;
}

static void
check_totals (Walk           *walk,
              SemperDocument *document)
{
  Located total = { 0 }, subtotal = { 0 }, first = { 0 };
  Located extras[3] = { { "Shipping" }, { "Tax" }, { "Discount" } };
  SemperAmount items_sum = { 0 }, sum = { 0 }, amount;
  gboolean have_items = FALSE, have_sum = FALSE;
  const char *target_name = "Total";
  g_autofree char *expected = NULL;
  g_autofree char *stated = NULL;

  for (guint i = 0; i < semper_document_get_n_fields (document); i++)
    {
      Located at = { 0 };

      semper_document_get_field_at (document, i, &at.name, &at.value, &at.line, &at.offset);

      if (g_ascii_strcasecmp (at.name, "Item") == 0)
        {
          guint quantity;
          SemperAmount price;

          if (!semper_document_parse_item (at.value, &quantity, NULL, &price, NULL))
            continue;  /* the parser has refused it already */
          if (first.name == NULL)
            first = at;
          if (!semper_amount_multiply (&price, quantity, &price, NULL))
            {
              add_totals_finding (walk, &at, SEMPER_FINDING_REFUSE,
                                  g_strdup (_("the item’s price is too large to add up")));
              return;
            }
          if (!accumulate (walk, &items_sum, &have_items, &price, FALSE, &at))
            return;
        }
      else if (g_ascii_strcasecmp (at.name, "Subtotal") == 0)
        subtotal = at;
      else if (g_ascii_strcasecmp (at.name, "Total") == 0)
        total = at;
      else if (g_ascii_strcasecmp (at.name, "Amount") == 0 && total.name == NULL)
        {
          total = at;
          target_name = "Amount";
        }
      else
        {
          for (guint j = 0; j < G_N_ELEMENTS (extras); j++)
            if (g_ascii_strcasecmp (at.name, extras[j].name) == 0)
              extras[j] = at;
        }
    }
  if (total.name != NULL && g_ascii_strcasecmp (total.name, "Total") == 0)
    target_name = "Total";

  if (subtotal.name != NULL)
    {
      SemperAmount stated_subtotal;

      if (!semper_amount_parse (subtotal.value, &stated_subtotal, NULL))
        return;
      if (first.name == NULL)
        first = subtotal;
      if (have_items && !semper_amount_equal (&items_sum, &stated_subtotal))
        {
          g_autofree char *items = semper_amount_format (&items_sum);

          add_totals_finding (walk, &subtotal, SEMPER_FINDING_REFUSE,
                              g_strdup_printf (_("Subtotal is %s, but the items add up to %s"),
                                               subtotal.value, items));
          return;
        }
      sum = stated_subtotal;
      have_sum = TRUE;
    }
  else if (have_items)
    {
      sum = items_sum;
      have_sum = TRUE;
    }
  else
    return;  /* nothing to add up */

  for (guint j = 0; j < G_N_ELEMENTS (extras); j++)
    {
      if (extras[j].value == NULL || !semper_amount_parse (extras[j].value, &amount, NULL))
        continue;
      if (!accumulate (walk, &sum, &have_sum, &amount, j == 2, &extras[j]))
        return;
    }

  if (total.name == NULL)
    {
      add_totals_finding (walk, &first, SEMPER_FINDING_WARN,
                          g_strdup (_("the document lists amounts but no Total to check them "
                                      "against")));
      return;
    }

  if (!semper_amount_parse (total.value, &amount, NULL))
    return;

  expected = semper_amount_format (&sum);
  if (strcmp (amount.currency, sum.currency) != 0)
    {
      add_totals_finding (walk, &total, SEMPER_FINDING_REFUSE,
                          g_strdup_printf (_("%s is in %s, but the items are in %s"),
                                           target_name, amount.currency, sum.currency));
      return;
    }
  if (amount.minor != sum.minor)
    {
      stated = semper_amount_format (&amount);
      add_totals_finding (walk, &total, SEMPER_FINDING_REFUSE,
                          g_strdup_printf (_("%s is %s, but the items, shipping, tax and "
                                             "discount add up to %s"),
                                           target_name, stated, expected));
    }
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b)
{
  const SemperFinding *fa = *(SemperFinding * const *) a;
  const SemperFinding *fb = *(SemperFinding * const *) b;

  if (fa->offset != fb->offset)
    return fa->offset < fb->offset ? -1 : 1;
  return (int) fa->kind - (int) fb->kind;
}

/**
 * semper_checker_check:
 * @document: a parsed document (or one being written: its canonical bytes are checked)
 *
 * Returns: (transfer container) (element-type SemperFinding): every finding,
 *   in document order; empty for a clean document.
 */
GPtrArray *
semper_checker_check (SemperChecker  *self,
                      SemperDocument *document)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SemperDocument) parsed = NULL;
  Walk walk = { 0 };
  gsize size = 0;
  const char *end;
  const char *p;
  guint header_lines;

  g_return_val_if_fail (SEMPER_IS_CHECKER (self), NULL);
  g_return_val_if_fail (SEMPER_IS_DOCUMENT (document), NULL);

  if (semper_document_get_bytes (document) == NULL)
    {
      /* Check exactly what would be signed. */
      bytes = semper_document_to_bytes (document, NULL);
      g_return_val_if_fail (bytes != NULL, NULL);
      parsed = semper_document_parse (bytes, NULL);
      g_return_val_if_fail (parsed != NULL, NULL);
      document = parsed;
    }
  else
    bytes = g_bytes_ref (semper_document_get_bytes (document));

  walk.checker = self;
  walk.findings = g_ptr_array_new_with_free_func ((GDestroyNotify) semper_finding_free);
  walk.data = g_bytes_get_data (bytes, &size);
  end = walk.data + size;
  header_lines = semper_document_get_n_fields (document);

  /* Totals first, so that the cap on findings never hides them. */
  check_totals (&walk, document);

  for (p = walk.data, walk.line = 1; p < end; walk.line++)
    {
      const char *lf = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = lf ? lf : end;

      walk.field = NULL;
      if (walk.line <= header_lines)
        semper_document_get_field_at (document, walk.line - 1, &walk.field, NULL, NULL, NULL);

      check_line (&walk, p, line_end);

      if (lf == NULL)
        break;
      p = lf + 1;
    }

  g_ptr_array_sort (walk.findings, compare_findings);
  return walk.findings;
}

/**
 * semper_checker_findings_refuse:
 * @findings: (element-type SemperFinding): from semper_checker_check()
 *
 * Returns: TRUE if any finding forbids signing.
 */
gboolean
semper_checker_findings_refuse (GPtrArray *findings)
{
  g_return_val_if_fail (findings != NULL, FALSE);

  for (guint i = 0; i < findings->len; i++)
    {
      SemperFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity == SEMPER_FINDING_REFUSE)
        return TRUE;
    }
  return FALSE;
}
