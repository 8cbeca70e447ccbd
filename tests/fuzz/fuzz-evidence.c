/* fuzz-evidence.c: the evidence bundle's strict parser, and the parser of
 * the TTP's answer to a dispute claim.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "semper-evidence-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(_SemperEvidenceBundle) bundle = NULL;

  bundle = _semper_evidence_parse (bytes, NULL);
  if (bundle != NULL)
    {
      /* What the parser accepts keeps its limits. */
      g_assert_cmpuint (bundle->messages->len, >=, 1);
      g_assert_cmpuint (bundle->messages->len, <=, SEMPER_EVIDENCE_MAX_MESSAGES);
      g_assert_cmpuint (bundle->crls->len, <=, SEMPER_EVIDENCE_MAX_CRLS);
      for (guint i = 0; i < bundle->messages->len; i++)
        g_assert_cmpuint (g_bytes_get_size (((_SemperEvidenceItem *)
                                             bundle->messages->pdata[i])->data), >, 0);
    }
  (void) semper_evidence_is_bundle (bytes);
  (void) _semper_dispute_parse_answer (bytes, NULL);
  return 0;
}
