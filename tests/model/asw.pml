/*
 * asw.pml: PROTOCOLS.md section A, ASW contract signing with the Shmatikov-Mitchell fix.
 *
 *   1. O -> R  m1 = Sig_O("asw/m1", O, R, T, tid, H(text), h(N_O), deadline)
 *   2. R -> O  m2 = Sig_R("asw/m2", H(m1), h(N_R))
 *   3. O -> R  m3 = Sig_O("asw/m3", N_O, h(N_R))
 *   4. R -> O  m4 = Sig_R("asw/m4", N_R, h(N_O))
 *   abort (O, before m3):  ma1 = Sig_O("asw/abort", m1) to T
 *   resolve (O after m3, R after m2): (m1, m2) to T
 *   T: one durable outcome per H(m1), every answer read from it.
 *
 * See docs/model.md for what is modelled and abstracted and how it maps to the code.
 * asw-original.pml includes this file with ASW_ORIGINAL set: the protocol before the fix
 * (bare nonces in m3/m4, T keyed by the tuple (m1, m2)).
 *
 * Knowledge, not messages: the network between O and R is the adversary. Everything O and R
 * send to each other goes into the adversary's knowledge (k_*), and a party "receives" a
 * message whenever the adversary knows it, any number of times, or never: that is loss,
 * delay, reordering, duplication and replay in one. A dishonest party is the adversary: its
 * key signs whatever the protocol lets it build from what it knows, in any order. Signatures
 * are unforgeable, so a message signed by an honest party exists only once that party sent it.
 * Every knowledge bit only ever goes from false to true, which bounds the state space.
 */

#ifndef ASW_ORIGINAL
#define ASW_ORIGINAL 0
#endif

/* Which properties are asserted (all by default; the tests select one to name a failure). */
#ifndef CHECK_T
#define CHECK_T 1
#endif
#ifndef CHECK_FAIR
#define CHECK_FAIR 1
#endif
#ifndef CHECK_ONE
#define CHECK_ONE 1
#endif
/* Mutants: deliberate mistakes an implementation could make; the checker must catch each.
 *   1  T without the lock per key (two workers, read and write in separate steps)
 *   2  R sends m4 after T answered its resolve (R's journal ignored on a late m3)
 *   3  O answers a late m2 with m3 after T answered its abort
 *   4  the channel to T loses a request and nobody retries it */
#ifndef MUTANT
#define MUTANT 0
#endif

mtype = { ABORT, RESOLVE, ABORTED, RESOLVED };

#define T_NONE      0
#define T_ABORTED   1
#define T_RESOLVED  2

#define FROM_O      1
#define FROM_R      2
#define FROM_ADV    3  /* the dishonest party */

/* Which side is honest; chosen once in init (at least one side is). */
bool o_honest;
bool r_honest;

/* The adversary's knowledge (index k = 1, 2: R's nonces N_R1, N_R2; a second m2 uses N_R2). */
bool k_m1;
bool k_m2[3];        /* Sig_R(H(m1), h(N_Rk)) */
#if ASW_ORIGINAL
bool k_no;           /* m3 = N_O, bare */
#else
bool k_m3[3];        /* Sig_O(N_O, h(N_Rk)) */
#endif
bool k_m4[3];        /* fixed: Sig_R(N_Rk, h(N_O)); original: N_Rk, bare */
bool k_rep[3];       /* T's replacement contract Sig_T(m1, m2_k), handed to the adversary */
bool k_abt;          /* T's abort token, handed to the adversary */

/* What the honest parties hold at the end. */
byte o_k;            /* index of the m2 that O accepted (0: none) */
bool o_m4;           /* O received the m4 that matches its m2 */
byte o_rep;          /* O got T's replacement for m2_k (0: none) */
bool o_abt;          /* O got T's abort token */
bool o_final;        /* O has finished (or O is dishonest) */
bool r_committed;    /* R sent m2 */
bool r_m3;           /* R received an m3 that completes its contract (and then sent m4) */
byte r_rep;
bool r_abt;
bool r_final;

/* T's durable state: one record per H(m1). There is one m1 in the model. */
#if ASW_ORIGINAL
bool t_res[3];       /* the original: resolutions keyed by the tuple (m1, m2_k) */
bool t_ab;
#else
byte t_state = T_NONE;
byte t_k;            /* the m2 of a RESOLVED record */
#endif
/* Ghost: the first answer T gave for H(m1), and everything it ever issued. */
bool t_answered;
mtype t_first_ans;
byte t_first_k;
bool t_rep[3];
bool t_abt;

chan to_t = [6] of { mtype, byte, byte };   /* reliable: requests are retried until answered */
chan t_to_o = [1] of { mtype, byte };
chan t_to_r = [1] of { mtype, byte };

/* A contract (m1, m2_k, m3, m4) can be assembled from what exists, or T issued one for m2_k. */
#if ASW_ORIGINAL
#define full(k)   (k_m2[k] && k_no && k_m4[k])
#else
#define full(k)   (k_m2[k] && k_m3[k] && k_m4[k])
#endif
#define valid(k)  (full(k) || t_rep[k])
#define contract_exists  (valid(1) || valid(2))

#define o_has_contract  ((o_k != 0 && o_m4) || o_rep != 0)
#define r_has_contract  (r_m3 || r_rep != 0)

/* Fairness, checked in every reachable state by the monitor and as LTL. */
#define fair_o  (!o_honest || !o_final || \
                 ((o_has_contract || o_abt) && !(o_abt && contract_exists)))
#define fair_r  (!r_honest || !r_final || !r_committed || \
                 ((r_has_contract || r_abt) && !(r_abt && contract_exists)))
/* R never signed anything: nothing binds it. */
#define unbound_r  (!r_honest || r_committed || !contract_exists)
/* An honest O's m3 completes one m2 only: no two different full contracts for its m1. */
#define one_full  (!o_honest || !(full(1) && full(2)))

proctype Originator ()
{
  mtype ans;
  byte k;

  /* step 1: journal "m1", then send m1 */
  k_m1 = true;

  /* wait for m2, or the local deadline passes */
  if
  :: k_m2[1] -> o_k = 1
  :: k_m2[2] -> o_k = 2
  :: goto abort
  fi;

  /* step 3: journal "m2 received, m3", then send m3 bound to that m2's h(N_R) */
#if ASW_ORIGINAL
  k_no = true;
#else
  k_m3[o_k] = true;
#endif

  /* wait for the m4 that opens h(N_R) of our m2 (any other m4 is refused), or time out */
  if
  :: k_m4[o_k] -> o_m4 = true; goto done
  :: goto resolve
  fi;

resolve:
  /* journal "resolve requested", then (m1, m2) to T */
  to_t ! RESOLVE, FROM_O, o_k;
  t_to_o ? ans, k;
  if
  :: ans == RESOLVED -> o_rep = k
  :: else -> o_abt = true
  fi;
  goto done;

abort:
  /* journal "abort requested", then ma1 to T; from now on O never sends m3 */
  to_t ! ABORT, FROM_O, 0;
  t_to_o ? ans, k;
  if
  :: ans == RESOLVED -> o_rep = k
  :: else -> o_abt = true
  fi;
#if MUTANT == 3
  if
#if ASW_ORIGINAL
  :: k_m2[1] -> k_no = true
#else
  :: k_m2[1] -> k_m3[1] = true
#endif
  :: skip
  fi;
#endif

done:
  o_final = true
}

proctype Responder ()
{
  mtype ans;
  byte k;

  /* wait for m1; R may never get it, or the user declines: then R signs nothing */
  if
  :: k_m1 -> skip
  :: goto done
  fi;

  /* step 2: the user consents, journal "m2", then send m2 */
  r_committed = true;
  k_m2[1] = true;

  /* wait for an m3 that opens h(N_O) of m1 (and, fixed, names our h(N_R1)), or time out */
  if
#if ASW_ORIGINAL
  :: k_no -> skip
#else
  :: k_m3[1] -> skip
#endif
  :: goto resolve
  fi;

  /* step 4: journal "m3 received, m4", then send m4; R holds (m1, m2, m3, m4) */
  atomic { r_m3 = true; k_m4[1] = true };
  goto done;

resolve:
  to_t ! RESOLVE, FROM_R, 1;
  t_to_r ? ans, k;
  if
  :: ans == RESOLVED -> r_rep = k
  :: else -> r_abt = true
  fi;
#if MUTANT == 2
  if
#if ASW_ORIGINAL
  :: k_no -> k_m4[1] = true
#else
  :: k_m3[1] -> k_m4[1] = true
#endif
  :: skip
  fi;
#endif

done:
  r_final = true
}

/* The dishonest party (with the network). Each request to T is sent at most once: T answers
 * from its state, so a repeat teaches nothing new, and the bound keeps the model finite. */
proctype Adversary ()
{
  bool sent_abort;
  bool sent_res1;
  bool sent_res2;

end:
  do
  /* a dishonest O: m1, m3 for whatever m2 it likes, abort, resolve, in any order */
  :: !o_honest && !k_m1 -> k_m1 = true
#if ASW_ORIGINAL
  :: !o_honest && k_m1 && !k_no -> k_no = true
#else
  :: !o_honest && k_m2[1] && !k_m3[1] -> k_m3[1] = true
  :: !o_honest && k_m2[2] && !k_m3[2] -> k_m3[2] = true
#endif
  :: !o_honest && k_m1 && !sent_abort -> sent_abort = true; to_t ! ABORT, FROM_ADV, 0
  /* a dishonest R: a first and a second m2, withhold or send m4, resolve with either m2 */
  :: !r_honest && k_m1 && !k_m2[1] -> k_m2[1] = true
  :: !r_honest && k_m1 && !k_m2[2] -> k_m2[2] = true
  :: !r_honest && k_m2[1] && !k_m4[1] -> k_m4[1] = true
  :: !r_honest && k_m2[2] && !k_m4[2] -> k_m4[2] = true
  /* anyone who has seen m1 and an m2 may take them to T (resolve is not signed by the
   * requester): a dishonest side, or the network when both sides are honest */
  :: k_m2[1] && !sent_res1 -> sent_res1 = true; to_t ! RESOLVE, FROM_ADV, 1
  :: k_m2[2] && !sent_res2 -> sent_res2 = true; to_t ! RESOLVE, FROM_ADV, 2
  od
}

proctype Ttp ()
{
  mtype kind;
  byte who;
  byte k;
  mtype ans;
  byte ak;
#if !ASW_ORIGINAL
  byte st;
  byte sk;
#endif

end:
  do
  :: to_t ? kind, who, k ->
#if MUTANT == 4
    if
    :: skip
    :: goto end
    fi;
#endif
#if !ASW_ORIGINAL && MUTANT == 1
    /* mutant: no lock, the read is a step of its own and another worker may run between */
    st = t_state;
    sk = t_k;
#endif
    atomic {
      /* the lock per key: the read, the decision and the write are one step */
#if ASW_ORIGINAL
      if
      :: kind == ABORT ->
        if
        :: t_res[1] -> ans = RESOLVED; ak = 1
        :: !t_res[1] && t_res[2] -> ans = RESOLVED; ak = 2
        :: else -> t_ab = true; ans = ABORTED; ak = 0
        fi
      :: else ->
        if
        :: t_ab -> ans = ABORTED; ak = 0
        :: else -> t_res[k] = true; ans = RESOLVED; ak = k
        fi
      fi;
#else
#if MUTANT != 1
      st = t_state;
      sk = t_k;
#endif
      if
      :: st == T_NONE && kind == ABORT -> st = T_ABORTED
      :: st == T_NONE && kind == RESOLVE -> st = T_RESOLVED; sk = k
      :: else -> skip
      fi;
      t_state = st;
      t_k = sk;
      if
      :: st == T_ABORTED -> ans = ABORTED; ak = 0
      :: else -> ans = RESOLVED; ak = sk
      fi;
#endif
#if CHECK_T
      /* T never gives two outcomes for one H(m1) */
      assert (!t_answered || (ans == t_first_ans && ak == t_first_k));
#endif
      t_answered = true;
      t_first_ans = ans;
      t_first_k = ak;
      if
      :: ans == RESOLVED -> t_rep[ak] = true
      :: else -> t_abt = true
      fi;
      if
      :: who == FROM_O -> t_to_o ! ans, ak
      :: who == FROM_R -> t_to_r ! ans, ak
      :: else ->
        if
        :: ans == RESOLVED -> k_rep[ak] = true
        :: else -> k_abt = true
        fi
      fi
    }
  od
}

/* Runs once, at any point of any interleaving: so the invariants hold in every state. */
active proctype Monitor ()
{
#if CHECK_FAIR
  assert (fair_o);
  assert (fair_r);
  assert (unbound_r);
#endif
#if CHECK_ONE
  assert (one_full);
#endif
  skip
}

init
{
  atomic {
    if
    :: o_honest = true; r_honest = true
    :: o_honest = false; r_honest = true
    :: o_honest = true; r_honest = false
    fi;
    if
    :: o_honest -> run Originator ()
    :: else -> o_final = true
    fi;
    if
    :: r_honest -> run Responder ()
    :: else -> r_final = true
    fi;
    run Ttp ();
#if MUTANT == 1
    run Ttp ();
#endif
    run Adversary ()
  }
}

/* Liveness (run with pan -a -f): every honest party finishes. */
ltl terminates { <> (o_final && r_final) }
/* Once an honest party holds an abort token, no valid contract ever exists. */
ltl abort_final { [] (((o_honest && o_abt) || (r_honest && r_abt)) -> [] !contract_exists) }
/* Once an honest party has finished, fairness holds from then on. */
ltl fair { [] (fair_o && fair_r) }
