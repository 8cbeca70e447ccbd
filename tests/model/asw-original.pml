/*
 * asw-original.pml: the protocol before the Shmatikov-Mitchell fix, to show that the model
 * can fail. m3 = N_O and m4 = N_R are bare nonces (not bound to the other side's commitment),
 * and the contract's identity is the tuple (m1, m2): T keys its resolutions by it. A
 * dishonest R presents a second m2; spin must find the counterexample (tests/model/meson.build
 * expects it). Everything else is asw.pml.
 */
#define ASW_ORIGINAL 1
#include "asw.pml"
