/* test-contract-recovery.c: crash recovery of contract signing.
 *
 * For every journal point of PROTOCOLS.md A (docs/contract-signing.md), the
 * party's `semper` process is killed with SIGKILL right after that journal
 * entry committed (the CLI's test hook SEMPER_TEST_CRASH_AFTER, built with
 * -Dtest_hooks=true); then `semper resume` runs: the exchange completes or
 * is resolved, both sides end in the same state, and no message was signed
 * twice with different content (both archives and the TTP's mailbox hold
 * one version of each step; what one side sent is what the other received).
 * Deadlines pass through the hook SEMPER_TEST_NOW, without sleeping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "contract-cli-fixture.h"

static gint64
after_deadline (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + 2 * 3600;
}

/* Runs `semper resume` with a crash hook; it must die at that point. */
static void
resume_crashing (Fixture    *fx,
                 const char *profile,
                 const char *point,
                 gint64      now)
{
  g_assert_cmpint (semper_run (fx, profile, point, now, NULL, "resume", "--password-file",
                               fx->password, NULL), ==, 128 + SIGKILL);
}

/* The optimistic rest, from both sides having resumed once more. */
static void
finish_optimistic (Fixture    *fx,
                   const char *id)
{
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  assert_resume (fx, fx->bob, id, 0, "signed");
  assert_resume (fx, fx->alice, id, 0, "signed");
  assert_signed_once (fx, id, "m1 m2 m3 m4");
}

static void
both_verify (Fixture    *fx,
             const char *id,
             const char *state)
{
  g_autoptr(JsonObject) a = export_and_verify (fx, fx->alice, id, "alice.json");
  g_autoptr(JsonObject) b = export_and_verify (fx, fx->bob, id, "bob.json");

  g_assert_cmpstr (json_object_get_string_member (a, "state"), ==, state);
  g_assert_cmpstr (json_object_get_string_member (b, "state"), ==, state);
  g_assert_cmpstr (json_object_get_string_member (a, "contract_id"), ==,
                   json_object_get_string_member (b, "contract_id"));
}

static char *
id_of_only (Fixture    *fx,
            const char *profile)
{
  g_autoptr(JsonObject) out = NULL;
  JsonArray *items;

  g_assert_cmpint (SEMPER (fx, profile, &out, "contract", "list", "--offline",
                           "--password-file", fx->password), ==, 0);
  items = json_object_get_array_member (out, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (items, 0),
                                                  "id"));
}

/* O, m1-sent: killed before m1 left. */
static void
test_o_m1_sent (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *bob_id = NULL;

  propose (fx, "m1-sent");
  id = id_of_only (fx, fx->alice);
  assert_state (fx, fx->alice, id, "m1-sent");
  assert_resume (fx, fx->alice, id, 0, "m1-sent");
  bob_id = bob_fetch (fx, NULL);
  g_assert_cmpstr (bob_id, ==, id);
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  finish_optimistic (fx, id);
  both_verify (fx, id, "signed");
}

/* R, m1-received: killed after filing the proposal. */
static void
test_r_m1_received (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = NULL;

  bob_fetch (fx, "m1-received");
  bob_id = bob_fetch (fx, NULL);
  g_assert_cmpstr (bob_id, ==, id);
  assert_state (fx, fx->bob, id, "m1-received");
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  finish_optimistic (fx, id);
  both_verify (fx, id, "signed");
}

/* R, m2-sent: killed before m2 left. */
static void
test_r_m2_sent (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);

  g_assert_cmpint (bob_accept (fx, id, "m2-sent"), ==, 128 + SIGKILL);
  assert_state (fx, fx->bob, id, "m2-sent");
  assert_resume (fx, fx->alice, id, 0, "m1-sent");   /* m2 never left */
  assert_resume (fx, fx->bob, id, 0, "m2-sent");     /* now it has */
  finish_optimistic (fx, id);
  both_verify (fx, id, "signed");
}

/* O, m3-sent: killed before m3 left. */
static void
test_o_m3_sent (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);

  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  resume_crashing (fx, fx->alice, "m3-sent", 0);
  assert_state (fx, fx->alice, id, "m3-sent");
  assert_resume (fx, fx->bob, id, 0, "m2-sent");     /* m3 never left */
  finish_optimistic (fx, id);
  both_verify (fx, id, "signed");
}

/* R, m4-sent: killed before m4 left. */
static void
test_r_m4_sent (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);

  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  resume_crashing (fx, fx->bob, "m4-sent", 0);
  assert_state (fx, fx->bob, id, "m4-sent");
  assert_resume (fx, fx->alice, id, 0, "m3-sent");   /* m4 never left */
  assert_resume (fx, fx->bob, id, 0, "signed");
  assert_resume (fx, fx->alice, id, 0, "signed");
  assert_signed_once (fx, id, "m1 m2 m3 m4");
  both_verify (fx, id, "signed");
}

/* O, aborting: the deadline passed without m2; killed before asking the TTP.
 * Bob accepts late (his clock is earlier) and is told it was aborted. */
static void
test_o_aborting (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = NULL;
  gint64 later = after_deadline ();

  resume_crashing (fx, fx->alice, "aborting", later);
  assert_state (fx, fx->alice, id, "aborting");
  assert_resume (fx, fx->alice, id, later, "aborted");
  bob_id = bob_fetch (fx, NULL);
  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  assert_resume (fx, fx->bob, id, later, "aborted");
  assert_signed_once (fx, id, "m1 m2 abort resolve aborted");
  both_verify (fx, id, "aborted");
}

/* O, resolving: m3 sent, no m4 by the deadline; killed before asking the TTP. */
static void
test_o_resolving (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);
  gint64 later = after_deadline ();

  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  resume_crashing (fx, fx->alice, "resolving", later);
  assert_state (fx, fx->alice, id, "resolving");
  assert_resume (fx, fx->alice, id, later, "signed");
  assert_resume (fx, fx->bob, id, 0, "signed");
  assert_signed_once (fx, id, "m1 m2 m3 m4 resolve resolved");
  both_verify (fx, id, "signed");
}

/* R, resolving: m2 sent, no m3 by the deadline; killed before asking the TTP. */
static void
test_r_resolving (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *id = propose (fx, NULL);
  g_autofree char *bob_id = bob_fetch (fx, NULL);
  gint64 later = after_deadline ();

  g_assert_cmpint (bob_accept (fx, id, NULL), ==, 0);
  resume_crashing (fx, fx->bob, "resolving", later);
  assert_state (fx, fx->bob, id, "resolving");
  assert_resume (fx, fx->bob, id, later, "signed");
  assert_resume (fx, fx->alice, id, 0, "m3-sent");
  assert_resume (fx, fx->alice, id, later, "signed");
  assert_signed_once (fx, id, "m1 m2 m3 resolve resolved");
  both_verify (fx, id, "signed");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/semper/contract-recovery/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)
  ADD ("originator/m1-sent", test_o_m1_sent);
  ADD ("responder/m1-received", test_r_m1_received);
  ADD ("responder/m2-sent", test_r_m2_sent);
  ADD ("originator/m3-sent", test_o_m3_sent);
  ADD ("responder/m4-sent", test_r_m4_sent);
  ADD ("originator/aborting", test_o_aborting);
  ADD ("originator/resolving", test_o_resolving);
  ADD ("responder/resolving", test_r_resolving);
#undef ADD
  return g_test_run ();
}
