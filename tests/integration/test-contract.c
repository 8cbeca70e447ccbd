/* test-contract.c: contract signing (PROTOCOLS.md A) between two wallets
 * through a real `semperd --role ttp` on loopback.
 *
 * The test process drives O and R through the core API, each on its own
 * profile with a certificate from a test CA; the TTP is a separate process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "semper-archive.h"
#include "semper-cms.h"
#include "semper-comm-client.h"
#include "semper-contract-signing.h"
#include "semper-headless-consent.h"
#include "semper-profile.h"
#include "semper-protocol-message.h"
#include "semper-test-semperd.h"

#define PASSWORD "ttp test password"
#define RACE_PAIRS 200

static const char contract_text[] =
  "Semper-Document: contract/1\n"
  "Title: Sale of a bicycle\n"
  "Date: 2026-11-24T10:00:00Z\n"
  "\n"
  "Alice sells her bicycle to Bob for 120.00 EUR.\n";

typedef struct {
  SemperTestMarket       market;
  GSubprocess           *ttp_proc;
  char                  *ttp_url;
  SemperProfile         *o_profile;
  SemperProfile         *r_profile;
  SemperContractSigning *o;
  SemperContractSigning *r;
  GBytes                *r_cert;
  GBytes                *text;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  semper_test_market_init (&fx->market, "semper-contract-XXXXXX", PASSWORD);
  g_free (semper_test_certify_server (&fx->market, "ttp", "Test TTP", SEMPER_ROLE_TTP));
  fx->ttp_proc = semper_test_start_server (&fx->market, "ttp", NULL, NULL, &fx->ttp_url);

  fx->o_profile = semper_test_make_profile (&fx->market, "alice", "Alice", SEMPER_ROLE_WALLET);
  fx->r_profile = semper_test_make_profile (&fx->market, "bob", "Bob", SEMPER_ROLE_WALLET);
  fx->o = semper_contract_signing_new (fx->o_profile, &error);
  g_assert_no_error (error);
  fx->r = semper_contract_signing_new (fx->r_profile, &error);
  g_assert_no_error (error);
  fx->r_cert = semper_crypto_dup_certificate (semper_profile_get_crypto (fx->r_profile));
  fx->text = g_bytes_new_static (contract_text, strlen (contract_text));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  semper_test_stop_semperd (&fx->ttp_proc);
  g_clear_object (&fx->o);
  g_clear_object (&fx->r);
  g_clear_object (&fx->o_profile);
  g_clear_object (&fx->r_profile);
  g_clear_pointer (&fx->r_cert, g_bytes_unref);
  g_clear_pointer (&fx->text, g_bytes_unref);
  g_free (fx->ttp_url);
  semper_test_market_clear (&fx->market);
}

static SemperConsent *
consent_for (GBytes *text)
{
  FILE *devnull = fopen ("/dev/null", "w");
  g_autoptr(SemperHeadlessConsent) port = semper_headless_consent_new (devnull,
                                                                       SEMPER_HEADLESS_YES);
  g_autoptr(GError) error = NULL;
  SemperConsent *consent = semper_headless_consent_request (port, text, "contract", &error);

  g_assert_no_error (error);
  g_clear_object (&port);
  fclose (devnull);
  return consent;
}

static gint64
in_an_hour (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + 3600;
}

/* O proposes, R fetches and accepts: both are then in the middle. */
static char *
propose_and_accept (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperConsent) o_consent = consent_for (fx->text);
  g_autoptr(SemperConsent) r_consent = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GBytes) seen = NULL;
  g_autofree char *id = NULL;

  id = semper_contract_signing_propose (fx->o, fx->ttp_url, fx->r_cert, fx->text, o_consent,
                                        in_an_hour (), &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  ids = semper_contract_signing_fetch (fx->r, fx->ttp_url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, id);

  /* R's user sees exactly the text O signed. */
  seen = semper_contract_signing_dup_text (fx->r, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (seen, fx->text));

  r_consent = consent_for (seen);
  g_assert_true (semper_contract_signing_accept (fx->r, id, r_consent, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&id);
}

static char *
step (SemperContractSigning *party,
      const char            *id,
      gint64                 now)
{
  g_autoptr(GError) error = NULL;
  char *state = semper_contract_signing_step (party, id, now, &error);

  g_assert_no_error (error);
  return state;
}

static void
assert_state (SemperContractSigning *party,
              const char            *id,
              const char            *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = semper_contract_signing_dup_state (party, id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, expected);
}

/* Both contract files verify and prove the same thing about the same key. */
static void
assert_outcome (Fixture    *fx,
                const char *id,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperTrust) trust = semper_trust_new (fx->market.root, &error);
  g_autoptr(GBytes) o_file = semper_contract_signing_dup_contract (fx->o, id, &error);
  g_autoptr(GBytes) r_file = NULL;
  g_autoptr(SemperContractInfo) o_info = NULL;
  g_autoptr(SemperContractInfo) r_info = NULL;

  g_assert_no_error (error);
  r_file = semper_contract_signing_dup_contract (fx->r, id, &error);
  g_assert_no_error (error);
  o_info = semper_contract_verify (o_file, trust, &error);
  g_assert_no_error (error);
  r_info = semper_contract_verify (r_file, trust, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o_info->state, ==, expected);
  g_assert_cmpstr (r_info->state, ==, expected);
  g_assert_cmpstr (o_info->key, ==, r_info->key);
  g_assert_true (g_bytes_equal (o_info->text, fx->text));
  g_assert_cmpstr (o_info->originator->common_name, ==, "Alice");
  if (g_str_equal (expected, SEMPER_ASW_SIGNED))
    {
      g_assert_cmpstr (o_info->responder->common_name, ==, "Bob");
      g_assert_cmpstr (r_info->responder->common_name, ==, "Bob");
    }
}

static void
test_optimistic (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperTrust) trust = semper_trust_new (fx->market.root, &error);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(SemperContractInfo) info = NULL;

  s1 = step (fx->o, id, 0);
  g_assert_cmpstr (s1, ==, SEMPER_ASW_M3_SENT);
  s2 = step (fx->r, id, 0);
  g_assert_cmpstr (s2, ==, SEMPER_ASW_SIGNED);
  s3 = step (fx->o, id, 0);
  g_assert_cmpstr (s3, ==, SEMPER_ASW_SIGNED);
  assert_outcome (fx, id, SEMPER_ASW_SIGNED);

  /* The optimistic contract is m1..m4, without any TTP token. */
  file = semper_contract_signing_dup_contract (fx->o, id, &error);
  info = semper_contract_verify (file, trust, &error);
  g_assert_no_error (error);
  g_assert_null (info->ttp);
}

static void
test_abort_before_m3 (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL, *r_state = NULL, *r_after = NULL, *again = NULL;

  state = semper_contract_signing_abort (fx->o, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_ASW_ABORTED);

  /* R waits for m3 in vain; before its deadline it just waits. */
  r_state = step (fx->r, id, 0);
  g_assert_cmpstr (r_state, ==, SEMPER_ASW_M2_SENT);
  /* After the deadline R resolves, and gets the abort token. */
  r_after = step (fx->r, id, in_an_hour () + 10);
  g_assert_cmpstr (r_after, ==, SEMPER_ASW_ABORTED);
  assert_outcome (fx, id, SEMPER_ASW_ABORTED);

  /* Aborting twice is refused: the exchange is over. */
  again = semper_contract_signing_abort (fx->o, id, &error);
  g_assert_error (error, SEMPER_CONTRACT_ERROR, SEMPER_CONTRACT_ERROR_WRONG_STATE);
  g_assert_null (again);
}

static void
test_r_resolves_after_m2 (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *r_state = NULL, *o1 = NULL, *o2 = NULL, *o3 = NULL;

  r_state = semper_contract_signing_resolve (fx->r, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r_state, ==, SEMPER_ASW_SIGNED);

  /* O got m2 and sends m3, but m4 never comes: after its deadline O resolves. */
  o1 = step (fx->o, id, 0);
  g_assert_cmpstr (o1, ==, SEMPER_ASW_M3_SENT);
  o2 = step (fx->o, id, 0);
  g_assert_cmpstr (o2, ==, SEMPER_ASW_M3_SENT);
  o3 = step (fx->o, id, in_an_hour () + 10);
  g_assert_cmpstr (o3, ==, SEMPER_ASW_SIGNED);
  assert_outcome (fx, id, SEMPER_ASW_SIGNED);
}

static void
test_o_resolves_after_m3 (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *o1 = NULL, *o2 = NULL, *r1 = NULL;

  o1 = step (fx->o, id, 0);
  g_assert_cmpstr (o1, ==, SEMPER_ASW_M3_SENT);
  o2 = semper_contract_signing_resolve (fx->o, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (o2, ==, SEMPER_ASW_SIGNED);

  /* R still receives m3 and finishes with m1..m4. */
  r1 = step (fx->r, id, 0);
  g_assert_cmpstr (r1, ==, SEMPER_ASW_SIGNED);
  assert_outcome (fx, id, SEMPER_ASW_SIGNED);
}

typedef struct {
  SemperContractSigning *party;
  const char            *id;
  gboolean               abort;
  char                  *state;
} RaceArg;

static gpointer
race_thread (gpointer data)
{
  RaceArg *arg = data;
  g_autoptr(GError) error = NULL;

  arg->state = arg->abort ? semper_contract_signing_abort (arg->party, arg->id, &error)
                          : semper_contract_signing_resolve (arg->party, arg->id, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
test_abort_races_resolve (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  RaceArg a = { fx->o, id, TRUE, NULL };
  RaceArg b = { fx->r, id, FALSE, NULL };
  GThread *ta = g_thread_new ("abort", race_thread, &a);
  GThread *tb = g_thread_new ("resolve", race_thread, &b);

  g_thread_join (ta);
  g_thread_join (tb);
  g_assert_cmpstr (a.state, ==, b.state);
  assert_outcome (fx, id, a.state);
  g_free (a.state);
  g_free (b.state);
}

static GBytes *
post_to_ttp (Fixture     *fx,
             const char  *path,
             GBytes      *body,
             GError     **error)
{
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autofree char *url = g_strconcat (fx->ttp_url, path, NULL);

  return semper_comm_client_post_sync (client, url, SEMPER_COMM_CONTENT_TYPE_CMS, body, NULL,
                                       NULL, error);
}

/* The journaled message of a state: the exchange's own copy of m1, m2… */
static GBytes *
journaled (SemperProfile *profile,
           const char    *id,
           guint          nth_outgoing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = semper_archive_journal_list (semper_profile_get_archive (profile),
                                                              id, &error);
  guint seen = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      SemperArchiveJournalEntry *entry = g_ptr_array_index (entries, i);

      if (entry->outgoing != NULL && seen++ == nth_outgoing)
        return g_bytes_ref (entry->outgoing);
    }
  g_assert_not_reached ();
}

static SemperProtocolMessage *
session_of (GBytes *m1_raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = semper_cms_verify (m1_raw, NULL, NULL, &error);
  SemperProtocolMessage *m1;

  g_assert_no_error (error);
  m1 = semper_protocol_message_parse_content (content, &error);
  g_assert_no_error (error);
  return m1;
}

static GBytes *
resolve_request (SemperProfile *signer,
                 GBytes        *m1_raw,
                 GBytes        *m2_raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SemperProtocolMessage) m1 = session_of (m1_raw);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperProtocolMessage) request = NULL;
  g_autofree char *b1 = g_base64_encode (g_bytes_get_data (m1_raw, NULL),
                                         g_bytes_get_size (m1_raw));
  g_autofree char *b2 = g_base64_encode (g_bytes_get_data (m2_raw, NULL),
                                         g_bytes_get_size (m2_raw));
  GBytes *raw;

  g_assert_no_error (error);
  json_object_set_string_member (fields, "m1", b1);
  json_object_set_string_member (fields, "m2", b2);
  request = semper_protocol_message_new_in_session (m1, "resolve", fields);
  raw = semper_protocol_message_sign (request, semper_profile_get_crypto (signer), &error);
  g_assert_no_error (error);
  return raw;
}

static void
test_second_m2 (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GBytes) m1_raw = journaled (fx->o_profile, id, 0);
  g_autoptr(GBytes) m2_raw = journaled (fx->r_profile, id, 0);
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) m2 = NULL;
  g_autoptr(SemperProtocolMessage) m2b = NULL;
  g_autoptr(GBytes) m2b_raw = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(SemperTrust) trust = semper_trust_new (fx->market.root, &error);
  g_autoptr(SemperProtocolMessage) token = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *nonce = semper_protocol_new_nonce (NULL);
  g_autofree char *commit = semper_protocol_commit (nonce);

  /* R resolves honestly first: the TTP's replacement holds this m2. */
  state = semper_contract_signing_resolve (fx->r, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, SEMPER_ASW_SIGNED);

  /* A dishonest R makes a second m2 (another nonce) for the same m1. */
  m1 = semper_protocol_message_verify (m1_raw, trust, &error);
  g_assert_no_error (error);
  m2 = semper_protocol_message_verify (m2_raw, trust, &error);
  g_assert_no_error (error);
  json_object_set_string_member (fields, "m1_hash", semper_protocol_message_get_string (m2,
                                                                                      "m1_hash"));
  json_object_set_string_member (fields, "commit_r", commit);
  json_object_set_string_member (fields, "document", semper_protocol_message_get_string (m2,
                                                                                       "document"));
  m2b = semper_protocol_message_new_in_session (m1, "m2", fields);
  m2b_raw = semper_protocol_message_sign (m2b, semper_profile_get_crypto (fx->r_profile), &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (m2_raw, m2b_raw));

  /* The TTP answers from its state: the replacement with the first m2. */
  request = resolve_request (fx->r_profile, m1_raw, m2b_raw);
  answer = post_to_ttp (fx, "/asw/resolve", request, &error);
  g_assert_no_error (error);
  token = semper_protocol_message_verify (answer, trust, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (semper_protocol_message_get_step (token), ==, "resolved");
  {
    g_autoptr(GBytes) in_token = semper_protocol_message_dup_bytes (token, "m2");
    g_assert_true (g_bytes_equal (in_token, m2_raw));
  }

  /* O, already past m2, refuses the second one; the first one completes it. */
  {
    g_autofree char *o1 = step (fx->o, id, 0);
    g_assert_cmpstr (o1, ==, SEMPER_ASW_M3_SENT);
  }
  g_assert_false (semper_contract_signing_receive (fx->o, id, m2b_raw, &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_STEP);
  g_clear_error (&error);
  assert_state (fx->o, id, SEMPER_ASW_M3_SENT);
  {
    g_autofree char *o2 = step (fx->o, id, in_an_hour () + 10);
    g_assert_cmpstr (o2, ==, SEMPER_ASW_SIGNED);
  }
  assert_outcome (fx, id, SEMPER_ASW_SIGNED);
}

static void
test_replay_other_session (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *a = propose_and_accept (fx);
  g_autofree char *b = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m2_a = journaled (fx->r_profile, a, 0);
  g_autoptr(GBytes) m1_b = journaled (fx->o_profile, b, 0);
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;

  g_assert_cmpstr (a, !=, b);

  /* A's m2 replayed into session B: refused, nothing changes. */
  g_assert_false (semper_contract_signing_receive (fx->o, b, m2_a, &error));
  g_assert_error (error, SEMPER_PROTOCOL_ERROR, SEMPER_PROTOCOL_ERROR_WRONG_SESSION);
  g_clear_error (&error);
  assert_state (fx->o, b, SEMPER_ASW_M1_SENT);

  /* Nor does the TTP resolve B with A's m2. */
  request = resolve_request (fx->r_profile, m1_b, m2_a);
  answer = post_to_ttp (fx, "/asw/resolve", request, &error);
  g_assert_error (error, SEMPER_COMM_ERROR, SEMPER_COMM_ERROR_HTTP_STATUS);
  g_assert_null (answer);
  g_clear_error (&error);

  /* Both sessions still complete on their own messages. */
  {
    g_autofree char *s1 = step (fx->o, a, 0);
    g_autofree char *s2 = step (fx->o, b, 0);
    g_autofree char *s3 = step (fx->r, a, 0);
    g_autofree char *s4 = step (fx->r, b, 0);
    g_autofree char *s5 = step (fx->o, a, 0);
    g_autofree char *s6 = step (fx->o, b, 0);

    g_assert_cmpstr (s5, ==, SEMPER_ASW_SIGNED);
    g_assert_cmpstr (s6, ==, SEMPER_ASW_SIGNED);
  }
  assert_outcome (fx, a, SEMPER_ASW_SIGNED);
  assert_outcome (fx, b, SEMPER_ASW_SIGNED);
}

typedef struct {
  GMainLoop *loop;
  guint      pending;
  GPtrArray *answers;
} RaceState;

static void
race_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RaceState *race = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *answer = semper_comm_client_post_finish (SEMPER_COMM_CLIENT (source), result, NULL,
                                                   &error);

  g_assert_no_error (error);
  g_ptr_array_add (race->answers, answer);
  if (--race->pending == 0)
    g_main_loop_quit (race->loop);
}

static void
test_ttp_race (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *id = propose_and_accept (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m1_raw = journaled (fx->o_profile, id, 0);
  g_autoptr(GBytes) m2_raw = journaled (fx->r_profile, id, 0);
  g_autoptr(GBytes) resolve = resolve_request (fx->r_profile, m1_raw, m2_raw);
  g_autoptr(GBytes) abort_req = NULL;
  g_autoptr(SemperProtocolMessage) m1 = NULL;
  g_autoptr(SemperProtocolMessage) ma1 = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(SemperCommClient) client = semper_comm_client_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *abort_url = g_strconcat (fx->ttp_url, "/asw/abort", NULL);
  g_autofree char *resolve_url = g_strconcat (fx->ttp_url, "/asw/resolve", NULL);
  g_autofree char *b1 = g_base64_encode (g_bytes_get_data (m1_raw, NULL),
                                         g_bytes_get_size (m1_raw));
  RaceState race = { 0 };

  m1 = session_of (m1_raw);
  json_object_set_string_member (fields, "m1", b1);
  ma1 = semper_protocol_message_new_in_session (m1, "abort", fields);
  abort_req = semper_protocol_message_sign (ma1, semper_profile_get_crypto (fx->o_profile),
                                            &error);
  g_assert_no_error (error);

  g_main_context_push_thread_default (context);
  race.loop = g_main_loop_new (context, FALSE);
  race.answers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  semper_comm_client_set_timeout (client, 120);
  for (guint i = 0; i < RACE_PAIRS; i++)
    {
      /* Alternate who goes first within each pair. */
      gboolean abort_first = (i % 2) == 0;

      semper_comm_client_post_async (client, abort_first ? abort_url : resolve_url,
                                     SEMPER_COMM_CONTENT_TYPE_CMS,
                                     abort_first ? abort_req : resolve, NULL, race_done_cb, &race);
      semper_comm_client_post_async (client, abort_first ? resolve_url : abort_url,
                                     SEMPER_COMM_CONTENT_TYPE_CMS,
                                     abort_first ? resolve : abort_req, NULL, race_done_cb, &race);
      race.pending += 2;
    }
  g_main_loop_run (race.loop);
  g_main_context_pop_thread_default (context);

  /* Exactly one outcome: every answer is the same signed token. */
  g_assert_cmpuint (race.answers->len, ==, 2 * RACE_PAIRS);
  for (guint i = 1; i < race.answers->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (race.answers, 0),
                                  g_ptr_array_index (race.answers, i)));

  /* And the parties, asking later, get that outcome too. */
  {
    g_autofree char *o = semper_contract_signing_abort (fx->o, id, &error);
    g_autofree char *r = NULL;

    g_assert_no_error (error);
    r = semper_contract_signing_resolve (fx->r, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (o, ==, r);
    assert_outcome (fx, id, o);
  }
  g_ptr_array_unref (race.answers);
  g_main_loop_unref (race.loop);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/semper/contract/optimistic", test_optimistic);
  ADD ("/semper/contract/abort-before-m3", test_abort_before_m3);
  ADD ("/semper/contract/r-resolves-after-m2", test_r_resolves_after_m2);
  ADD ("/semper/contract/o-resolves-after-m3", test_o_resolves_after_m3);
  ADD ("/semper/contract/abort-races-resolve", test_abort_races_resolve);
  ADD ("/semper/contract/second-m2", test_second_m2);
  ADD ("/semper/contract/replay-other-session", test_replay_other_session);
  ADD ("/semper/contract/ttp-race", test_ttp_race);
#undef ADD

  return g_test_run ();
}
