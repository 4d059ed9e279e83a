#!/usr/bin/env bash
# The `mizani` command's contract with its users: help, version, usage errors, exit codes.
set -u
mz=$1
fails=0; n=0
expect() { # expect CODE PATTERN -- ARGS...: exit code and a line matching PATTERN on stdout+stderr
  local want=$1 pat=$2; shift 3
  n=$((n + 1))
  out=$("$mz" "$@" 2>&1); code=$?
  if [ "$code" -ne "$want" ] || ! grep -qE -- "$pat" <<<"$out"; then
    fails=$((fails + 1))
    printf 'FAIL: mizani %s -> exit %s (want %s), output:\n%s\n(want a line matching %s)\n' \
      "$*" "$code" "$want" "$out" "$pat"
  fi
}
lines() { "$mz" "$@" 2>&1 | wc -l; }

expect 0 '^  audit ' -- --help
expect 0 '^  tokenize ' -- --help
expect 0 '^mizani 0\.' -- --version
expect 0 'GSL .*ICU .*OpenBLAS' -- --version
expect 2 "^mizani: error: unknown command 'nosuch'" -- nosuch
[ "$(lines nosuch)" -eq 1 ] || { fails=$((fails + 1)); echo "FAIL: 'mizani nosuch' prints more than one line"; }
n=$((n + 1))
expect 2 'Usage: mizani' --
expect 2 'not built yet' -- audit --model x
expect 0 '^Usage: mizani audit' -- audit --help
expect 0 '^Usage: mizani compare' -- help compare
expect 2 "needs a value" -- compare a b --threads
expect 2 "must be a whole number" -- --threads many compare a b

echo "cli_contract: $n checks, $fails failed"
[ "$fails" -eq 0 ]
