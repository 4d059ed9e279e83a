#!/usr/bin/env bash
# `mizani audit` as a user meets it, on random-weight models that the probe sets fit
# (audit_models): its configuration file under the command line, --lang, --layer and --tokenizer,
# usage errors (exit 2), bad
# input (exit 3, one line naming it), no computable test (exit 3), non-finite scores from the
# model (exit 5), and Ctrl-C (exit 130); none of these leaves a report folder or a temporary.
# Usage: audit_cli.sh MIZANI AUDIT_MODELS (run from tests/)
set -u
mz=$1 models=$2
. "$(dirname "$0")/expect.sh"
no_folder() { # no_folder DIR: neither the folder nor a temporary of it
  n=$((n + 1))
  if [ -e "$1" ] || ls -a "$(dirname "$1")" | grep -q "^\.$(basename "$1")\.mizani-tmp-"; then
    fails=$((fails + 1))
    echo "FAIL: $1 or a temporary of it was left behind"
  fi
}
json() { # json FILE PYTHON-FREE-PATTERN: a line of the (indented) results matching PATTERN
  n=$((n + 1))
  grep -qE -- "$2" "$1" || { fails=$((fails + 1)); echo "FAIL: $1 has no line matching $2"; }
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/m" "$tmp/short" "$tmp/nan"
"$models" "$tmp/m" 32 2 4 7 >/dev/null || { echo "FAIL: cannot write the test models"; exit 1; }
"$models" "$tmp/short" 32 2 4 7 4 >/dev/null # 4 positions: no sentence fits
"$models" "$tmp/nan" 32 2 4 7 128 nan >/dev/null
bert=$tmp/m/bert
fast=(--quiet --permutations 200 --bootstrap 20 --samples 10 --explain-top 0)

# The configuration file sets options; the command line wins over it.
cat >"$tmp/audit.json" <<EOF
{"model": "$bert", "tests": ["pairs", "masked"], "seed": 5, "explain-top": 0,
 "threshold-rate": 0.2, "quiet": true}
EOF
expect 0 'findings with clear evidence' -- audit --config "$tmp/audit.json" --out "$tmp/c1"
json "$tmp/c1/results.json" '^ *"seed": 5,'
json "$tmp/c1/results.json" '"stage": "seat",$'
json "$tmp/c1/results.json" '"status": "not requested"'
json "$tmp/c1/results.json" '"rate": 0\.2'
json "$tmp/c1/results.json" '"config_file": \{'
expect 0 'findings with clear evidence' -- audit --config "$tmp/audit.json" --seed 9 --out "$tmp/c2"
json "$tmp/c2/results.json" '^ *"seed": 9,'
ok test -s "$tmp/c2/report.md"

# Usage errors and bad configurations: one line, nothing written.
expect 2 "unknown test 'bogus'" -- audit --model "$bert" --tests pairs,bogus --out "$tmp/u1"
# (a corpora folder without the demonstration models: the shipped one has them)
MIZANI_CORPORA=$tmp/no-corpora expect 2 "no --model given and no demonstration model installed" -- \
  audit --quiet --out "$tmp/u2"
expect 2 "unknown option '--bogus'" -- audit --model "$bert" --bogus --out "$tmp/u3"
echo '{"bogus": 1}' >"$tmp/bad1.json"
expect 3 "bad1.json: at \\\$\\.bogus: 'bogus' is not an option of 'mizani audit'" -- audit --config "$tmp/bad1.json" --out "$tmp/u4"
echo '{"model": ' >"$tmp/bad2.json"
expect 3 "bad2.json:2:" -- audit --config "$tmp/bad2.json" --out "$tmp/u5"
echo '{"tests": {"pairs": true}}' >"$tmp/bad3.json"
expect 3 "bad3.json: at \\\$\\.tests: --tests takes LIST" -- audit --config "$tmp/bad3.json" --model "$bert" --out "$tmp/u6"
for d in u1 u2 u3 u4 u5 u6; do no_folder "$tmp/$d"; done

# --lang keeps one language's probe sets; --layer is the hidden state SEAT pools (recorded, and
# its numbers are not the last layer's); --tokenizer from another path gives the same audit.
estimates() { grep -E '^ *"estimate":' "$1/results.json"; }
expect 0 'findings with clear evidence' -- audit --model "$bert" --tests seat,pairs --lang sw "${fast[@]}" --out "$tmp/l1"
json "$tmp/l1/results.json" '"language": "sw",$'
ok test "$(grep -cE '"language": "en",$' "$tmp/l1/results.json")" -eq 0
expect 0 'findings with clear evidence' -- audit --model "$bert" --tests seat --lang sw "${fast[@]}" --out "$tmp/l2"
expect 0 'findings with clear evidence' -- audit --model "$bert" --tests seat --lang sw --layer 1 "${fast[@]}" --out "$tmp/l3"
json "$tmp/l3/results.json" '^ *"layer": 1,$'
ok test "$(estimates "$tmp/l2")" != "$(estimates "$tmp/l3")"
cp "$bert/tokenizer.json" "$tmp/tokenizer-copy.json"
expect 0 'findings with clear evidence' -- audit --model "$bert" --tokenizer "$tmp/tokenizer-copy.json" --tests seat --lang sw "${fast[@]}" --out "$tmp/l4"
ok test "$(estimates "$tmp/l2")" = "$(estimates "$tmp/l4")"
json "$tmp/l4/results.json" 'tokenizer-copy\.json'

# A model too short for any sentence: the tests that need it are skipped, none is left: exit 3.
expect 3 "no test could be computed on this model; the first: seat: weat1-en: .* the model takes 1 to 4" -- \
  audit --model "$tmp/short/bert" --tests seat,pairs "${fast[@]}" --out "$tmp/s1"
no_folder "$tmp/s1"
# Non-finite scores from the model: exit 5, never a report of numbers.
expect 5 "not finite|non-finite|NaN" -- audit --model "$tmp/nan/bert" --tests pairs "${fast[@]}" --out "$tmp/n1"
no_folder "$tmp/n1"

# Ctrl-C: the audit stops at its next item, exit 130, nothing at the final path.
"$mz" audit --model "$bert" --out "$tmp/i1" --explain-steps 400 --explain-top 3 \
  >"$tmp/i1.out" 2>"$tmp/i1.err" &
pid=$!
for _ in $(seq 1 1200); do # until the model runs (the SEAT stage has started); a loaded
  # machine can take far longer than 10 s, and a signal sent before the handler is set is
  # ignored (a script's background job starts with SIGINT ignored): the audit would run on
  grep -q "audit: static done" "$tmp/i1.err" 2>/dev/null && break
  sleep 0.1
done
grep -q "audit: static done" "$tmp/i1.err" || echo "note: the static stage had not ended after 120 s"
kill -INT "$pid"
wait "$pid"
code=$?
n=$((n + 1))
[ "$code" -eq 130 ] || { fails=$((fails + 1)); echo "FAIL: Ctrl-C gave exit $code, want 130: $(cat "$tmp/i1.err")"; }
ok grep -q "interrupted: nothing was written" "$tmp/i1.err"
no_folder "$tmp/i1"

echo "audit_cli: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
