#!/usr/bin/env bash
# `mizani compare` as a CI pipeline runs it: exit codes, compare.json and compare.html, the JUnit
# file read by a real consumer (Debian's junitparser), three checkpoints with their trajectory,
# and bad inputs answered with one line and exit 3 (2 for usage), nothing written.
set -u
mz=$1
. "$(dirname "$0")/expect.sh"
check() { # check WHAT COMMAND...: the command must succeed
  local what=$1; shift
  n=$((n + 1))
  "$@" >/dev/null 2>&1 || { fails=$((fails + 1)); echo "FAIL: $what"; }
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
dv="$here/../corpora/demo/synthetic-vectors.vec"

# the demonstration vectors with the town words pushed towards the pleasant words: the
# town/village test's bias grows
awk 'BEGIN { split("jiji mji mjini mtaa ghorofa benki soko kiwanda upole heshima uaminifu afya rafiki kicheko likizo sherehe raha shangwe fanaka mapenzi uzuri ukarimu utulivu ustawi mafanikio pongezi tuzo burudani ushindi nderemo dhahabu asali bustani", w, " "); for (i in w) m[w[i]] = 1 }
     NR > 1 && ($1 in m) { $2 += 12; $3 += 12 } { print }' "$dv" > "$tmp/after.vec"
"$mz" weat --vectors "$dv" --probes default --report "$tmp/base" --permutations 2000 --bootstrap 0 --quiet
base="$tmp/base/results.json"

# the gate: a regression fails (exit 1) and writes everything; the same vectors pass
expect 1 "bias regressed in 1 of 25 findings \(the first: static/urban-rural-sw" -- compare "$base" "$tmp/after.vec" --out "$tmp/fail" --junit "$tmp/fail.xml"
expect 0 "^No finding's bias grew past its threshold" -- compare "$tmp/base" "$dv" --junit "$tmp/pass.xml" --quiet
n=$((n + 1)); [ -s "$tmp/fail/compare.json" ] && [ -s "$tmp/fail/compare.html" ] && [ -s "$tmp/fail.xml" ] ||
  { fails=$((fails + 1)); echo "FAIL: compare --out/--junit wrote nothing"; }
n=$((n + 1)); grep -q '"job": "compare"' "$tmp/fail/compare.json" && grep -q '"decision": "fail"' "$tmp/fail/compare.json" ||
  { fails=$((fails + 1)); echo "FAIL: compare.json lacks the job or the gate's decision"; }
n=$((n + 1)); grep -q "The gate fails: 1 finding regressed" "$tmp/fail/compare.html" ||
  { fails=$((fails + 1)); echo "FAIL: compare.html does not say the gate fails"; }

# a real JUnit consumer: junitparser's verify fails on the regression and passes otherwise;
# merge reads both files back
n=$((n + 1)); junitparser verify "$tmp/fail.xml" >/dev/null 2>&1 && { fails=$((fails + 1)); echo "FAIL: junitparser found no failure in fail.xml"; }
check "junitparser verify pass.xml" junitparser verify "$tmp/pass.xml"
check "junitparser merge" junitparser merge "$tmp/pass.xml" "$tmp/fail.xml" "$tmp/merged.xml"
n=$((n + 1)); grep -q 'tests="50"' "$tmp/merged.xml" && grep -q 'failures="1"' "$tmp/merged.xml" ||
  { fails=$((fails + 1)); echo "FAIL: junitparser merged $(head -c 300 "$tmp/merged.xml")"; }

# the page drawn again from compare.json alone, byte for byte
check "mizani report compare.json" "$mz" report "$tmp/fail/compare.json" --out "$tmp/again" --quiet
check "compare.html drawn again from compare.json" cmp "$tmp/fail/compare.html" "$tmp/again/compare.html"

# three checkpoints in training order: each consecutive pair, and the trajectory (three probe
# sets: Holm over 6 comparisons leaves the town/village regression visible)
c="$here/../corpora/weat-sw"
three="$c/urban-rural.json,$c/age.json,$c/health-stigma.json"
"$mz" weat --vectors "$dv" --probes "$three" --report "$tmp/base3" --permutations 2000 --bootstrap 0 --quiet
expect 1 "bias regressed" -- compare "$tmp/base3" "$tmp/after.vec" "$dv" --probes "$three" --out "$tmp/traj" --quiet
# a vector file beside a results file is audited with the probe sets that file records
expect 1 "bias regressed in 1 of 3 findings" -- compare "$tmp/base3" "$tmp/after.vec" --quiet
n=$((n + 1)); grep -q "Trajectory across the checkpoints" "$tmp/traj/compare.html" && grep -q '"id": "static/urban-rural-sw@3"' "$tmp/traj/compare.json" ||
  { fails=$((fails + 1)); echo "FAIL: three checkpoints: no trajectory"; }
expect 0 '"schema": "mizani-results/2"' -- compare "$base" "$base" --json --quiet

# thresholds and tests per family, on the command line and in a config file
expect 0 "^No finding's bias grew" -- compare "$base" "$tmp/after.vec" --threshold static=3 --quiet
expect 3 "the audits share no finding of a family compare pairs" -- compare "$base" "$tmp/after.vec" --tests pairs,masked --quiet
expect 0 "^No finding's bias grew" -- compare "$base" "$tmp/after.vec" --alpha 0.01 --quiet
printf '{"thresholds": {"association": 3}, "permutations": 5000}\n' > "$tmp/cfg.json"
expect 0 "^No finding's bias grew" -- compare "$base" "$tmp/after.vec" --config "$tmp/cfg.json" --quiet
expect 1 "bias regressed" -- compare "$base" "$tmp/after.vec" --config "$tmp/cfg.json" --threshold 0.2 --quiet
expect 2 "unknown family 'wefe'" -- compare "$base" "$base" --threshold wefe=0.1
expect 2 "takes X or FAMILY=X" -- compare "$base" "$base" --threshold big
expect 2 "--tests: unknown family 'explain'" -- compare "$base" "$base" --tests explain
printf '{"tresholds": {"static": 0.3}}\n' > "$tmp/typo.json"
expect 3 "typo.json: at \\\$.tresholds: unknown option" -- compare "$base" "$base" --config "$tmp/typo.json"

# bad input: one line naming the file, exit 3, nothing written
head -c 700 "$base" > "$tmp/truncated.json"
expect 3 "truncated.json:[0-9]+" -- compare "$tmp/truncated.json" "$base" --out "$tmp/no1"
sed 's|"mizani-results/2"|"mizani-results/9"|' "$base" > "$tmp/future.json"
expect 3 "future.json.*schema 'mizani-results/9'.*written by a newer Mizani" -- compare "$base" "$tmp/future.json" --out "$tmp/no2"
probe_sha=$(sed -n 's/.*"sha256": "\([0-9a-f]\{64\}\)".*/\1/p' "$base" | sed -n 2p)
sed "s/$probe_sha/0000000000000000000000000000000000000000000000000000000000000000/" "$base" > "$tmp/other-probes.json"
expect 3 "differs: SHA-256 [0-9a-f]{12}… in .*base/results.json, 000000000000… in .*other-probes.json" -- compare "$base" "$tmp/other-probes.json" --out "$tmp/no3"
expect 0 "note: probe set '.*' differs.*compared on the items both audits share" -- compare "$base" "$tmp/other-probes.json" --allow-probe-change
# a word the later audit lacks: paired on the others, and the count dropped said
awk 'NR == 1 || $1 != "jiji"' "$dv" | awk 'NR == 1 { $1 = $1 - 1 } { print }' > "$tmp/lost.vec"
expect 0 "note: items in one audit only, dropped: 1 \(1 only in the earlier checkpoint of a pair, 0 only in the later\)" -- compare "$base" "$tmp/lost.vec" --quiet
expect 2 "needs two checkpoints or more" -- compare "$base"
expect 4 "nothere.json: cannot open" -- compare "$base" "$tmp/nothere.json"
n=$((n + 1)); [ ! -e "$tmp/no1" ] && [ ! -e "$tmp/no2" ] && [ ! -e "$tmp/no3" ] ||
  { fails=$((fails + 1)); echo "FAIL: a refused comparison wrote files"; }
n=$((n + 1)); [ "$("$mz" compare "$tmp/truncated.json" "$base" 2>&1 | wc -l)" -eq 1 ] ||
  { fails=$((fails + 1)); echo "FAIL: a truncated file gives more than one line"; }

echo "compare_cli: $n checks, $fails failed"
[ "$fails" -eq 0 ]
