#!/usr/bin/env bash
# check-model.sh SRCDIR MODEL EXPECT MODE [SPIN_DEFINES...]
#
# Generates the verifier of a Promela model with spin, compiles it with cc and runs it.
#   EXPECT  pass          the search is exhaustive and finds no error
#           fail:REGEX    the search finds an error whose report matches REGEX (grep -E); the
#                         counterexample is replayed with spin -t and printed
#   MODE    safety        assertions and invalid end states (-DSAFETY, no never claim)
#           ltl:NAME      the model's ltl claim NAME, with acceptance cycles and weak fairness
# Exit 0 as expected, 1 otherwise, 77 (skip) only if spin is not installed.
set -euo pipefail

if [ $# -lt 4 ]; then
  echo "usage: $0 SRCDIR MODEL EXPECT MODE [SPIN_DEFINES...]" >&2
  exit 2
fi
srcdir=$1 model=$2 expect=$3 mode=$4
shift 4
defines=("$@")

if ! command -v spin >/dev/null 2>&1; then
  echo "spin is not installed (Debian package spin): skipping"
  exit 77
fi
cc=${CC:-cc}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$srcdir"/*.pml "$work"/
cd "$work"

echo "# spin ${defines[*]} -a $model  ($mode, expect $expect)"
spin "${defines[@]}" -a "$model" >spin.out 2>&1 || { cat spin.out; exit 1; }

# an expected counterexample is made the shortest one (-DREACH -i), to read it in the log
shortest_cc=() shortest=()
if [ "${expect%%:*}" = fail ]; then
  shortest_cc=(-DREACH) shortest=(-i)
fi

case $mode in
  safety)
    "$cc" -O2 -w -DSAFETY -DNOCLAIM "${shortest_cc[@]}" -o pan pan.c
    pan_args=(-m200000 "${shortest[@]}")
    ;;
  ltl:*)
    # NFAIR: weak fairness over all the model's processes
    "$cc" -O2 -w -DNFAIR=4 -o pan pan.c
    pan_args=(-m200000 -a -f -N "${mode#ltl:}")
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac

set +e
./pan "${pan_args[@]}" >pan.out 2>&1
set -e
grep -v '^	[a-z_-]*\.pml:[0-9]*, state' pan.out | sed -n '1,40p'

if grep -q 'max search depth too small' pan.out; then
  echo "FAIL: the search was cut off by its depth bound, so it is not exhaustive"
  exit 1
fi
errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out | head -n 1)
if [ -z "$errors" ]; then
  echo "FAIL: pan did not report a result"
  exit 1
fi

case $expect in
  pass)
    if [ "$errors" -ne 0 ]; then
      echo "FAIL: expected no error, pan found $errors; counterexample:"
      spin "${defines[@]}" -t -p "$model" | tail -n 80 || true
      exit 1
    fi
    echo "ok: exhaustive search, no error"
    ;;
  fail:*)
    regex=${expect#fail:}
    if [ "$errors" -eq 0 ]; then
      echo "FAIL: expected a counterexample matching /$regex/, pan found none"
      exit 1
    fi
    if ! grep -Eq -- "$regex" pan.out; then
      echo "FAIL: pan found an error, but not the expected /$regex/"
      exit 1
    fi
    echo "ok: counterexample found as expected; its steps:"
    spin "${defines[@]}" -t -p "$model" \
      | grep -E '^ *[0-9]+:[[:space:]]+proc|Error|acceptance|cycle' \
      | sed -E 's/ \(state [0-9]+\)//' | tail -n 80 || true
    ;;
  *)
    echo "unknown expectation $expect" >&2
    exit 2
    ;;
esac
