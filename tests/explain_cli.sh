#!/usr/bin/env bash
# `mizani explain` as a user meets it, on the tiny test models: tables, --json, the report
# folder, and every bad input or flag refused with one line and its exit code.
set -u
mz=$1
. "$(dirname "$0")/expect.sh"
one_line() { # one_line ARGS...: the error is a single line
  n=$((n + 1))
  [ "$("$mz" "$@" 2>&1 >/dev/null | wc -l)" -eq 1 ] || { fails=$((fails + 1)); echo "FAIL: more than one line: $*"; }
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
bert=(--model "$here/golden/models/bert")
gpt2=(--model "$here/golden/models/gpt2" --tokenizer "$here/golden/models/bert")
fast=(--steps 8 --attattr-steps 4 --quiet)
t="Daktari yuko [MASK] hapa."

expect 0 '^Usage: mizani explain' -- explain --help
expect 0 'mizani explain --model ./mbert --text' -- explain --help
expect 0 'explains log P\(mtu\) at \[MASK\]' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu
expect 0 'completeness gap [0-9.]+%' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu
expect 0 '^  ig +[-+]' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu
expect 0 'log P\(mtu\) - log P\(mwalimu\)' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu --contrast mwalimu
expect 0 "the model's top prediction" -- explain "${bert[@]}" "${fast[@]}" --text "$t"
expect 0 'each summed over the word.s pieces' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target kaka --split sum
expect 0 'log P\(next token = hapa\)' -- explain "${gpt2[@]}" "${fast[@]}" --text "Daktari yuko" --target hapa
expect 0 'log-likelihood of "ana haki ." after the text \(3 tokens\)' -- explain "${gpt2[@]}" "${fast[@]}" --text "Kila mtu" --continuation "ana haki ."
expect 0 '^  word +ig +occlusion$' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu --method ig,occlusion
expect 0 'pair t-1 \(gender\): score gap' -- explain "${bert[@]}" "${fast[@]}" --pairs "$here/data/pairs-tiny.json" --method ig
printf '# two texts\n%s\n\n[MASK] ana haki.\n' "$t" > "$tmp/texts.txt"
expect 0 "texts.txt:4: \"\\[MASK\\] ana haki.\"" -- explain "${bert[@]}" "${fast[@]}" --texts "$tmp/texts.txt" --target mtu
expect 0 '"schema": "mizani-results/2"' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu --json
expect 0 '"family": "explain"' -- explain "${bert[@]}" "${fast[@]}" --text "$t" --target mtu --json
expect 0 'wrote .*/why/results.json and .*/why/explain.html' -- explain "${bert[@]}" --steps 8 --attattr-steps 4 --text "$t" --target mtu --out "$tmp/why"
ok [ "$(ls -A "$tmp/why" | tr '\n' ' ')" = "explain.html results.json " ]
ok grep -q '<h2>Explanations</h2>' "$tmp/why/explain.html"
ok grep -q '"kind": "masked"' "$tmp/why/results.json"

# usage errors: exit 2
expect 2 "needs one of --text, --texts or --pairs$" -- explain "${bert[@]}"
expect 2 "needs one of --text, --texts or --pairs, not several" -- explain "${bert[@]}" --text "$t" --pairs x.json
expect 2 "'mizani explain' needs --model" -- explain --text "$t"
expect 2 "--contrast goes with --target" -- explain "${bert[@]}" --text "$t" --contrast mtu
expect 2 "--continuation and --target are two targets" -- explain "${gpt2[@]}" --text "a" --target b --continuation c
expect 2 "--pairs explains each sentence's own score" -- explain "${bert[@]}" --pairs x.json --target mtu
expect 2 "unknown method 'lime' \\(known: ig, saliency" -- explain "${bert[@]}" --text "$t" --method ig,lime
expect 2 "--steps must be a whole number from 1 to 4096, not '0'" -- explain "${bert[@]}" --text "$t" --steps 0
expect 2 "--baseline must be mask, pad or zero, not 'one'" -- explain "${bert[@]}" --text "$t" --baseline one
expect 2 "--split must be refuse or sum, not 'first'" -- explain "${bert[@]}" --text "$t" --split first
one_line explain "${bert[@]}" --text "$t" --method ig,lime

# bad input: exit 3, one line naming the input
expect 3 "--text: the target word 'kaka' is not one token: the tokenizer splits it into 4 \\(k ##a ##k ##a\\); --split sum" -- explain "${bert[@]}" --text "$t" --target kaka
expect 3 "--text: the target word '5' is not in the model's vocabulary \\(the tokenizer maps it to \\[UNK\\]\\)" -- explain "${bert[@]}" --text "$t" --target 5
expect 3 "--text: no \\[MASK\\] in the text; a masked LM \\(bert\\)" -- explain "${bert[@]}" --text "Daktari yuko hapa."
expect 3 "--text: a decoder \\(gpt2\\) has no \\[MASK\\]" -- explain "${gpt2[@]}" --text "$t" --target mtu
long=$(printf 'kila mtu %.0s' {1..12})
expect 3 "--text: 28 tokens, more than the model's 24 positions" -- explain "${bert[@]}" --text "$long[MASK] ." --target mtu
printf '%s\nDaktari yuko hapa.\n' "$t" > "$tmp/bad.txt"
expect 3 "bad.txt:2: no \\[MASK\\] in the text" -- explain "${bert[@]}" --texts "$tmp/bad.txt"
expect 3 "a association probe set, not minimal pairs" -- explain "${bert[@]}" --pairs "$here/../corpora/weat-en/weat6.json"
expect 3 "the mask baseline needs a mask token, and gpt2 has none" -- explain "${gpt2[@]}" --text "Daktari" --baseline mask
one_line explain "${bert[@]}" --text "$t" --target kaka
ok [ ! -e "$tmp/none" ]
expect 3 "no \\[MASK\\]" -- explain "${bert[@]}" --text "Daktari." --out "$tmp/none"
ok [ ! -e "$tmp/none" ]

# I/O: exit 4
expect 4 "nothere.txt: cannot open" -- explain "${bert[@]}" --texts "$tmp/nothere.txt"
expect 4 "no/model" -- explain --model no/model --text "$t"

echo "explain_cli: $n checks, $fails failed"
[ "$fails" -eq 0 ]
