# The checks the command-line test scripts share; source it after setting mz (the mizani binary).
# Each check counts in n, each failure in fails and prints what was wrong.
fails=0 n=0
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
ok() { n=$((n + 1)); "$@" || { fails=$((fails + 1)); echo "FAIL: $*"; }; }
