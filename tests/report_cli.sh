#!/usr/bin/env bash
# `mizani report` and the report folders of `mizani weat --report` as a user meets them: exit
# codes, one-line errors, atomic folders, temporaries of killed runs cleaned, a vectors path
# that is not UTF-8, and a report drawn again from results.json with the same run id.
set -u
mz=$1
. "$(dirname "$0")/expect.sh"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
probes="$here/../corpora/weat-en/weat6.json"

# a vectors file whose name is not UTF-8: the report is written, the name shown with U+FFFD
bad=$(printf "$tmp/v\xffecs.vec")
cp "$here/../corpora/demo/synthetic-vectors.vec" "$bad"
expect 0 "wrote .*/rep/results.json" -- weat --vectors "$bad" --probes "$probes" --report "$tmp/rep" --bootstrap 200
ok grep -q 'v\\ufffdecs.vec\|v�ecs.vec' "$tmp/rep/results.json"
ok grep -q 'not valid UTF-8' "$tmp/rep/results.json"
ok [ "$(ls -A "$tmp/rep" | tr '\n' ' ')" = "report.html results.json " ]
id=$(grep -oE '"id": "[0-9TZ]+-[0-9a-f]+"' "$tmp/rep/results.json" | head -1 | cut -d'"' -f4)
ok grep -q "content=\"$id\"" "$tmp/rep/report.html"

# drawn again from results.json alone: same run id, same page
expect 0 "wrote .*/again/report.html" -- report "$tmp/rep/results.json" --out "$tmp/again"
ok cmp -s "$tmp/rep/report.html" "$tmp/again/report.html"
ok cmp -s "$tmp/rep/results.json" "$tmp/again/results.json"

# a long run id read back is kept whole in the page
long=$(printf 'r%.0s' $(seq 300))
sed "s/\"id\": \"$id\"/\"id\": \"$long\"/" "$tmp/rep/results.json" > "$tmp/long.json"
expect 0 "wrote" -- report "$tmp/long.json" --out "$tmp/long"
ok grep -q "content=\"$long\"" "$tmp/long/report.html"

# temporaries left by a killed run are removed; the folder holds the two files only
mkdir "$tmp/.rep.mizani-tmp-2147483646" && touch "$tmp/.rep.mizani-tmp-2147483646/results.json"
expect 0 "wrote" -- report "$tmp/rep/results.json" --out "$tmp/rep"
ok [ ! -e "$tmp/.rep.mizani-tmp-2147483646" ]

# refusals: one line, the documented exit code, nothing created
expect 2 "needs 1 argument|argument" -- report
expect 4 "nothere.json: cannot open" -- report "$tmp/nothere.json" --out "$tmp/x1"
expect 3 "weat6.json:2: at \\$.schema: not a Mizani results file" -- report "$probes" --out "$tmp/x2"
printf '{"schema": "mizani-results/9", "run": {"id": "a"}}' > "$tmp/future.json"
expect 3 "future.json:1: at \\$.schema: .*newer Mizani" -- report "$tmp/future.json" --out "$tmp/x3"
printf '{"schema": "mizani-results/2", "run": {"id": "a"}, "sections": {"seat": {"title": "S", "findings": [{"id": 1}]}}}' > "$tmp/broken.json"
expect 3 "broken.json:1: at \\$.sections.seat.findings\\[0\\].id: missing or of the wrong type" -- report "$tmp/broken.json" --out "$tmp/x4"
expect 4 "cannot create the report folder" -- report "$tmp/rep/results.json" --out "$tmp/no/such/dir"
ok [ ! -e "$tmp/x1" ] && ok [ ! -e "$tmp/x2" ] && ok [ ! -e "$tmp/x3" ] && ok [ ! -e "$tmp/x4" ] && ok [ ! -e "$tmp/no" ]
ok [ -z "$(ls -A "$tmp" | grep mizani-tmp)" ]
echo "report_cli: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
