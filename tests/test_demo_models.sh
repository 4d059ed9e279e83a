#!/usr/bin/env bash
# Known-answer test of the calibrated audit on the demonstration models (corpora/demo/models/,
# MODEL_CARD.md there): each model's demonstration.json lists, for every probe set (every
# category of a minimal-pair file), the strength its words were generated with: above 0.5
# planted, exactly 0.5 a control. On the probe files the models were built from (probes.tar.gz):
# - minimal pairs (causal LM and its fine-tuned checkpoint, at that one's own strengths; the
#   masked LM's pseudo-log-likelihood on the Swahili pairs),
#   masked templates (masked LM), SEAT, CEAT and WEAT on the input embeddings (masked LM): no
#   control is flagged; the plants in FOUND below (measured: MODEL_CARD.md) are flagged (Holm
#   p < 0.05, planted direction); a plant not in FOUND is listed as a documented miss, and
#   fails the test only if it is flagged the wrong way round; one whose design cannot reach
#   p < 0.05 ('too few' target clusters or words) is listed;
# - fine-tuned vs original, as the regression gate compares them (mizani compare, pairs
#   --before): a shifted plant in FOUND moves its way significantly (in the masked templates
#   the strengthened Swahili occupation plant grows, the removed English one shrinks), none
#   moves against its shift;
# - the masked templates' Swahili-English test flags the fine-tuned model's stronger Swahili
#   plant (equal plants are reported);
# - the attribution of planted minimal pairs (explain --pairs, Integrated Gradients) is complete
#   and puts the largest difference between the two sentences on the target word more often
#   than chance, with the zero and the padding baseline; with the padding baseline in most pairs;
# - mizani audit without --model audits the demonstration masked LM, and its report opens with
#   the model's notice (what it is, what was planted).
set -u
export LC_ALL=C
mz=$1
root=$(cd "$(dirname "$0")/.." && pwd)
M=${MZ_DEMO_MODELS:-$root/corpora/demo/models} # another folder: a regenerated set, before committing it
# The plants each test is measured to find (test:probe-set[:category]), asserted as found.
FOUND=${MZ_DEMO_FOUND-"causal-finetuned:minimal-pairs-sw:gender causal-finetuned:minimal-pairs-sw:religion
  causal-finetuned:minimal-pairs-sw:ethnicity-nationality masked:occupations-gender-sw
  masked:occupations-gender-en ft-masked:occupations-gender-sw ft-masked:occupations-gender-en
  ft-causal:minimal-pairs-sw:gender"}
FOUND=$(echo $FOUND)
fails=0
n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/probes
mkdir -p "$P"
if ! tar -xzf "$M/probes.tar.gz" -C "$P"; then
  echo "FAIL: cannot unpack $M/probes.tar.gz"
  exit 1
fi
version=$(sed -n 's/^ "probe_sha256": "\([0-9a-f]*\)",$/\1/p' "$M/demo-mlm/demonstration.json")
echo "demonstration models built from probe-set version ${version:0:12} (corpora/demo/models/probes.tar.gz)"
bash "$root/corpora/demo/probe_version.sh" "$M" # a note only: the checks below use that version

strengths() { # strengths MODEL: "probe-set[ category]<TAB>strength" lines of its demonstration.json
  awk '/^ "probe_sets": \{/ { on = 1; next } on && /^ \}/ { exit }
    on { line = $0; sub(/^ *"/, "", line); v = line; sub(/": .*/, "", line)
      sub(/.*": /, "", v); sub(/,$/, "", v); print line "\t" v }' "$M/$1/demonstration.json"
}
strengths demo-mlm >"$tmp/strength"
strengths demo-mlm-finetuned >"$tmp/strength-ft"
if [ ! -s "$tmp/strength" ]; then
  echo "FAIL: no probe_sets in $M/demo-mlm/demonstration.json"
  exit 1
fi
strengths demo-causal >"$tmp/strength-causal"
strengths demo-causal-finetuned >"$tmp/strength-causal-ft"

run() { # run NAME ARGS...: the command's text output in $tmp/NAME, its exit code in $tmp/NAME.rc
  local name=$1
  shift # one thread: on models this small, more threads only wait for each other
  "$mz" --threads 1 "$@" --quiet >"$tmp/$name" 2>&1
  local rc=$?
  echo $rc >"$tmp/$name.rc"
  if [ $rc -gt 1 ]; then # 1 is a gate's verdict; anything above is an error
    n=$((n + 1)) fails=$((fails + 1))
    printf 'FAIL: mizani %s exited %s:\n%s\n' "$*" "$rc" "$(cat "$tmp/$name")"
  fi
}
plant() { # plant KEY FLAGGED WRONG-WAY DESCRIPTION: a planted set, asserted found if in FOUND
  if [[ " $FOUND " == *" $1 "* ]]; then
    verdict "$2" "plant flagged: $4"
  elif [ "$3" = 1 ]; then
    verdict 0 "plant flagged the wrong way round: $4"
  else
    echo "plant $([ "$2" = 1 ] && echo "flagged (not in FOUND)" || echo "not found (documented miss)"): $4"
  fi
}
judge() { # judge KEY STRENGTH HOLM-P|too-few EFFECT DESCRIPTION (EFFECT > 0: planted direction)
  local sig right wrong
  read -r sig right wrong <<<"$(awk -v p="$3" -v e="$4" 'BEGIN { g = (p != "too-few" && p < 0.05)
    print g, (g && e > 0), (g && e < 0) }')"
  if [ "$3" = too-few ]; then
    echo "not testable: $5 (the design cannot reach p < 0.05)"
  elif [ "$2" = 0.5 ]; then
    verdict "$((1 - sig))" "control not flagged: $5"
  else
    plant "$1" "$right" "$wrong" "$5"
  fi
}
verdict() { # verdict OK DESCRIPTION: count and print one check
  n=$((n + 1))
  if [ "$1" = 1 ]; then
    echo "ok: $2"
  else
    fails=$((fails + 1))
    echo "FAIL: $2"
  fi
}

# The checks below read the masked LMs' strengths for the causal LMs too: one corpus, asserted.
verdict "$(cmp -s "$tmp/strength" "$tmp/strength-causal" && cmp -s "$tmp/strength-ft" "$tmp/strength-causal-ft" &&
  echo 1)" "the causal LMs were built at the masked LMs' strengths (their demonstration.json)"

A="$P/weat-en,$P/weat-sw"
run pairs pairs --model "$M/demo-causal" --pairs "$P/minimal-pairs"
run pll pairs --model "$M/demo-mlm" --pairs "$P/minimal-pairs/pairs-sw.json"
run masked masked --model "$M/demo-mlm" --probes "$P/masked"
run seat seat --model "$M/demo-mlm" --probes "$A" --templates "$P/templates" --permutations 2000 \
  --bootstrap 200
run ceat ceat --model "$M/demo-mlm" --probes "$A" --templates "$P/templates" --samples 100
run weat weat --vectors "$M/demo-mlm" --probes "$A" --bootstrap 1000
run pairs-finetuned pairs --model "$M/demo-causal-finetuned" --pairs "$P/minimal-pairs"
run pairs-ft pairs --model "$M/demo-causal-finetuned" --before "$M/demo-causal" --pairs "$P/minimal-pairs"
run compare-ft compare --before "$M/demo-mlm" --after "$M/demo-mlm-finetuned" --probes "$A" --tests static \
  --bootstrap 1000 --permutations 2000
run compare-masked compare --before "$M/demo-mlm" --after "$M/demo-mlm-finetuned" --probes "$P/masked" \
  --tests masked --permutations 2000

# mizani audit without --model audits the demonstration masked LM (found under the corpora
# folder: here the probe files the models were built from, beside these models) and its report
# says at the top, in the model's own words, what it is; a broken demonstration.json is bad
# input (exit 3, one line naming the file, no report).
mkdir -p "$P/demo" && ln -s "$M" "$P/demo/models"
MIZANI_CORPORA=$P run audit-default audit --tests masked --lang en --out "$tmp/audit"
notice=$(sed -n 's/^ "notice": "\(.*\)",$/\1/p' "$M/demo-mlm/demonstration.json")
verdict "$(grep -q '"path": "[^"]*/demo/models/demo-mlm"' "$tmp/audit/results.json" && echo 1)" \
  "mizani audit without --model audits demo/models/demo-mlm"
verdict "$(sed -n 3p "$tmp/audit/report.md" | grep -q '^> This is a demonstration model, not a real one' &&
  grep -q 'Planted: .*sw religion at 0.85' "$tmp/audit/report.md" && echo 1)" \
  "report.md says at its top that the model is a demonstration one, with its plants"
verdict "$(awk -v n="<p class=\"note\">${notice:0:60}" 'index($0, n) && !s { ok = 1 }
  /id="summary"/ { s = 1 } END { print ok + 0 }' "$tmp/audit/report.html")" \
  "report.html gives the notice before its summary"
mkdir "$tmp/broken"
ln -s "$M/demo-mlm/"{config.json,model.safetensors,tokenizer.json} "$tmp/broken/"
echo '{"notice": 1}' >"$tmp/broken/demonstration.json"
"$mz" audit --model "$tmp/broken" --tests masked --lang en --out "$tmp/audit-broken" --quiet \
  >"$tmp/broken.out" 2>&1
rc=$?
verdict "$([ $rc = 3 ] && [ "$(wc -l <"$tmp/broken.out")" = 1 ] && grep -q 'broken/demonstration.json' "$tmp/broken.out" &&
  [ ! -e "$tmp/audit-broken" ] && echo 1)" "a demonstration.json without a notice: exit $rc, $(cat "$tmp/broken.out")"

# Minimal pairs, one line a category: "set category strength rate p-holm|too-few clusters"
# (pair_rows OUTPUT STRENGTHS).
pair_rows() {
  awk -v S="$2" 'BEGIN { while ((getline l < S) > 0) { split(l, f, "\t"); s[f[1]] = f[2] } }
    /^minimal-pairs-[a-z]+ \(/ { set = $1; on = 1; next } on && /^$/ { on = 0 }
    on && $1 != "category" && $1 != "all" && NF >= 10 {
      key = ""; for (k in s) if (index(k, set " " $1) == 1) key = k
      if (key == "") next
      printf "%s %s %s %s %s %s\n", set, $1, s[key], $5, ($10 == "too" ? "too-few" : $11), $8 }' "$1"
}
pair_rows "$tmp/pairs" "$tmp/strength" >"$tmp/pairs.rows"
pair_rows "$tmp/pll" "$tmp/strength" >"$tmp/pll.rows"
# The fine-tuned causal LM too, at its own text's strengths; a plant the fine-tuning removed
# (strength back to 0.5) is no control (the model learned it first), so it is only listed.
pair_rows "$tmp/pairs-finetuned" "$tmp/strength-ft" >"$tmp/pairs-finetuned.rows"
for t in causal pll causal-finetuned; do
  rows=$tmp/pairs.rows
  [ $t = pll ] && rows=$tmp/pll.rows
  [ $t = causal-finetuned ] && rows=$tmp/pairs-finetuned.rows
  while read -r set cat s rate holm clusters; do
    was=$(awk -F'\t' -v k="$set $cat" 'index($1, k) == 1 { print $2 }' "$tmp/strength")
    if [ $t = causal-finetuned ] && [ "$s" = 0.5 ] && [ "${was:-0.5}" != 0.5 ]; then
      echo "removed plant (listed): pairs ($t) $set $cat (strength $was -> $s): rate $rate, Holm p $holm"
      continue
    fi
    judge "$t:$set:$cat" "$s" "$holm" "$(awk -v r="$rate" 'BEGIN { print r - 0.5 }')" \
      "pairs ($t) $set $cat (strength $s): rate $rate, Holm p $holm, $clusters clusters"
    # A design limit, stated: the sign flip over k clusters cannot give p below 2^(1-k), and
    # Holm multiplies the p of a plant by at least the number of the set's rows (its categories
    # and 'all') less its other plants.
    [ "$s" = 0.5 ] || awk -v k="$clusters" -v set="$set" -v c="$cat" -v t=$t -F' ' '
      { rows[$1]++; if ($3 != 0.5) plants[$1]++ }
      END { least = 2 ^ (1 - k) * (rows[set] + 1 - plants[set] + 1); if (least > 1) least = 1
        if (least > 0.05) printf "design limit: pairs (%s) %s %s has %d target clusters: its Holm p cannot go below %.3f\n", t, set, c, k, least }' "$rows"
  done <"$rows"
done

# Masked templates: "set bias p", Holm across the sets with a p-value; the planted direction
# is the second target group (the men) favoured: bias (first - second) < 0.
awk '/^[a-z0-9-]+ \((sw|en)\): [0-9]+ attributes/ { set = $1 }
  /^mean bias/ { b = $0; sub(/^mean bias \([^)]*\): /, "", b); split(b, x, " "); bias[set] = x[1] + 0 }
  /^permutation of/ { p = $0; sub(/.*: p = /, "", p); sub(/;.*/, "", p); pv[set] = p
    order[++m] = set }
  END { k = 0; for (i = 1; i <= m; i++) if (pv[order[i]] != "too few") q[++k] = order[i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (pv[q[j]] + 0 < pv[q[i]] + 0) {
      t = q[i]; q[i] = q[j]; q[j] = t }
    run = 0; for (i = 1; i <= k; i++) { h = (k - i + 1) * pv[q[i]]; if (h > 1) h = 1
      if (h < run) h = run; run = h; holm[q[i]] = h }
    for (i = 1; i <= m; i++) { s = order[i]
      printf "%s %+.3f %s\n", s, bias[s], (s in holm ? sprintf("%.4f", holm[s]) : "too-few") } }' \
  "$tmp/masked" >"$tmp/masked.rows"
while read -r set bias holm; do
  s=$(awk -F'\t' -v k="$set" '$1 == k { print $2 }' "$tmp/strength")
  judge "masked:$set" "${s:-?}" "$holm" "$(awk -v b="$bias" 'BEGIN { print -b }')" \
    "masked templates $set (strength ${s:-?}): bias $bias, Holm p $holm"
done <"$tmp/masked.rows"

# Swahili against English in the masked templates (parallel occupation sets, planted towards the
# men): a plant stronger in Swahili must be flagged, with Swahili's bias the more negative (the
# fine-tuned masked LM strengthened the Swahili one). Equal strengths in the text are reported,
# not asserted: a model may learn one language's plant more strongly than the other's (a set
# regenerated from a rebalanced corpus did: -0.47, Holm p 0.0035), and the test would be right
# to say so. The original has one strength in both.
run masked-ft masked --model "$M/demo-mlm-finetuned" --probes "$P/masked"
language_row() { # language_row OUTPUT: "difference holm-p" of the Swahili-minus-English line
  awk '/^sw minus en \(occupations-gender-sw / { d = $0; sub(/.*mean bias /, "", d); split(d, x, " ")
      diff = x[1] }
    /^paired target words/ && diff != "" { h = $0; sub(/.*Holm p = /, "", h); sub(/;.*/, "", h)
      print diff, h; exit }' "$1"
}
for v in "masked strength" "masked-ft strength-ft"; do
  read -r out st <<<"$v"
  sw=$(awk -F'\t' '$1 == "occupations-gender-sw" { print $2 }' "$tmp/$st")
  en=$(awk -F'\t' '$1 == "occupations-gender-en" { print $2 }' "$tmp/$st")
  read -r d h <<<"$(language_row "$tmp/$out")"
  if [ "$sw" = "$en" ]; then
    echo "reported: masked sw vs en ($out), equal strengths $sw and $en in the text: difference $d, Holm p $h"
  else
    verdict "$(awk -v p="$h" -v d="$d" -v s="$sw" -v e="$en" 'BEGIN { print (p != "" && p < 0.05 && (s > e ? d < 0 : d > 0)) }')" \
      "plant flagged: masked sw vs en ($out), strengths $sw and $en: difference $d, Holm p $h"
  fi
done

# Association families, one line a test: "family test strength d holm|too-few".
for f in seat ceat weat; do
  awk -v f=$f -v S="$tmp/strength" 'BEGIN { while ((getline l < S) > 0) { split(l, x, "\t"); s[x[1]] = x[2] } }
    ($2 == "sw" || $2 == "en") && ($1 in s) { if ($NF == "*") NF-- # WEAT marks a finding
      d = (f == "weat" ? $(NF - 4) : $(NF - 5))
      if ($NF == "few") d = (f == "weat" ? $(NF - 6) : $(NF - 7))
      printf "%s %s %s %s %s\n", f, $1, s[$1], d, ($NF == "few" ? "too-few" : $NF) }' "$tmp/$f"
done >"$tmp/assoc.rows"
while read -r f t s d holm; do
  judge "$f:$t" "$s" "$holm" "$d" "$f $t (strength $s): d $d, Holm p $holm"
done <"$tmp/assoc.rows"

# Fine-tuned against original: a removed plant (strength back to 0.5) shrinks, a strengthened one
# grows, as the regression gate tests a change (paired over target clusters, words or
# attributes, Holm across its comparisons, p < 0.05): minimal pairs (causal LM, pairs --before),
# the association sets on the input embeddings and the masked templates (masked LM, compare
# --tests static, --tests masked).
# Asserted for the changes in FOUND (ft-causal:..., ft-embeddings:..., ft-masked:...); a
# significant change against the shift fails the test; the rest are listed.
join -t "$(printf '\t')" <(sort "$tmp/strength") <(sort "$tmp/strength-ft") |
  awk -F'\t' '$2 != $3' >"$tmp/shifted"
while IFS=$'\t' read -r key a b; do
  up=$(awk -v a="$a" -v b="$b" 'BEGIN { print (b > a) }')
  case $key in
  minimal-pairs-*) # set/category (cut to its column) pairs before after change [CI] p-holm outcome
    full=${key%% *}/${key#* }
    row=$(awk -v f="$full" '$2 == "pairs" && index(f, $1) == 1 { print; exit }' "$tmp/pairs-ft")
    what="pairs --before (causal LM) $key, strength $a -> $b: ${row:-(missing)}"
    read -r right wrong <<<"$(awk -v up="$up" '{ g = ($(NF - 1) < 0.05); m = (up ? $5 > 0 : $5 < 0)
      print g && m, g && !m }' <<<"${row:-x x 0 0 0 [0, 0] 1 x}")"
    plant "ft-causal:${key%% *}:${key#* }" "$right" "$wrong" "$([ "$up" = 1 ] && echo grew || echo shrank): $what"
    ;;
  *) # test family before after change [CI] p-holm outcome
    row=$(awk -v t="$key" '$2 == "static" && ($1 == t || (length($1) >= 28 && index(t, $1) == 1))' "$tmp/compare-ft")
    if [ -z "$row" ]; then # a masked-template set: planted towards the men, a negative bias
      row=$(awk -v t="$key" '$2 == "masked" && ($1 == t || (length($1) >= 28 && index(t, $1) == 1))' \
        "$tmp/compare-masked")
      what="compare (masked templates) $key, strength $a -> $b: ${row:-(missing)}"
      read -r right wrong <<<"$(awk -v up="$up" '{ g = ($(NF - 1) ~ /^[0-9.]+$/ && $(NF - 1) < 0.05)
        m = (up ? $5 < 0 : $5 > 0); print g && m, g && !m }' <<<"${row:-x x 0 0 0 [0, 0] 1 x}")"
      plant "ft-masked:$key" "$right" "$wrong" "$([ "$up" = 1 ] && echo grew || echo shrank): $what"
      continue
    fi
    what="compare (input embeddings) $key, strength $a -> $b: $row"
    read -r right wrong <<<"$(awk -v up="$up" '{ g = ($(NF - 1) < 0.05); m = (up ? $5 > 0 : $5 < 0)
      print g && m, g && !m }' <<<"$row")"
    plant "ft-embeddings:$key" "$right" "$wrong" "$([ "$up" = 1 ] && echo grew || echo shrank): $what"
    ;;
  esac
done <"$tmp/shifted"

# Attribution of planted minimal pairs: every pair of each planted category the causal LM flags
# (where it flags none, the fine-tuned one; else of the first testable one), Integrated
# Gradients on that causal LM with two baselines,
# the decoders' default (zero vectors) and the padding token. Asserted for each: every sentence
# explained, complete (gap under 5%); the word whose IG differs most between the two sentences
# (aligned word by word) is a word in which they differ (the target) more often than chance:
# were that word drawn at random, a pair would hit its target with probability (differing
# words) / (words); the count is tested against that Poisson-binomial distribution (one-sided,
# p < 0.05). With the padding baseline the target also carries the largest difference in most
# pairs (asserted). With zero vectors it need not (reported): IG attributes f(x) - f(baseline),
# about 57 nats against zero vectors, and a pair's gap (about half a nat) can come out spread
# over the words after the target (measured: Swahili gender on an earlier causal LM, 38 of 77
# pairs with zero vectors, 58 with padding; the shipped fine-tuned one's three Swahili plants,
# 87 and 120 of 163).
xm=demo-causal rows=$tmp/pairs.rows # the fine-tuned causal LM where the original flags no plant
if ! awk '$3 != 0.5 && $5 != "too-few" && $5 < 0.05 { f = 1 } END { exit !f }' "$rows"; then
  xm=demo-causal-finetuned rows=$tmp/pairs-finetuned.rows
fi
awk '$3 != 0.5 && $5 != "too-few" { print ($5 < 0.05 ? 0 : 1), $1, $2 }' "$rows" | sort -s -k1,1n |
  awk 'NR == 1 || $1 == 0 { print $2, $3 } $1 == 1 { exit }' >"$tmp/explain.sets"
k=0
while read -r set cat; do # each category's pairs in a file of their own: explain-pairs-K.json
  k=$((k + 1))
  awk -v c="\"category\": \"$cat\"," '
    /^ "pairs": \[/ { print; inp = 1; next }
    !inp { print; next }
    /^  \{/ { obj = $0 "\n"; keep = 0; next }
    /^  \}/ { if (keep) { printf "%s%s", (k ? ",\n" : ""), obj "  }"; k++ } obj = ""; next }
    obj != "" { obj = obj $0 "\n"; if (index($0, c)) keep = 1; next }
    /^ \]/ { print "\n ]\n}"; exit }' "$P/minimal-pairs/pairs-${set#minimal-pairs-}.json" >"$tmp/explain-pairs-$k.json"
done <"$tmp/explain.sets"
explain_rows() { # explain_rows BASELINE: $tmp/explain-BASELINE.rows, one row a pair: id,
  # target|other, position, words, differing (a failed run's message stays on stdout)
  : >"$tmp/explain-$1"
  for f in "$tmp"/explain-pairs-*.json; do
    run explain explain --model "$M/$xm" --pairs "$f" --method ig --baseline "$1" --no-faithfulness
    cat "$tmp/explain" >>"$tmp/explain-$1"
  done
  awk '/: pair [^ ]+ \((more|less)\): / { side = ($0 ~ /\(more\)/) ? "m" : "l"; id = $0
      sub(/.*: pair /, "", id); sub(/ .*/, "", id); k = 0; on = 0; next }
    /^  word +ig$/ { on = 1; next }
    on && NF == 2 && $2 ~ /^[-+][0-9]/ { k++; w[id, side, k] = $1; v[id, side, k] = $2; len[id] = k
      if (!(id in seen)) { seen[id] = 1; ids[++m] = id }; next }
    on { on = 0 }
    END { for (i = 1; i <= m; i++) { id = ids[i]; best = 0; at = 0; diff = ""; nd = 0
        for (j = 1; j <= len[id]; j++) { g = v[id, "m", j] - v[id, "l", j]; if (g < 0) g = -g
          if (g > best) { best = g; at = j }
          if (w[id, "m", j] != w[id, "l", j]) { diff = diff " " j; nd++ } }
        printf "%s %s %d %s %s %d %d |%s\n", id, (index(diff " ", " " at " ") ? "target" : "other"), at,
          w[id, "m", at], w[id, "l", at], len[id], nd, diff } }' "$tmp/explain-$1" >"$tmp/explain-$1.rows"
}
what="$xm: $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$tmp/explain.sets")"
for base in zero pad; do
  explain_rows $base
  while read -r id where at wm wl _ _ diff; do
    [ "$where" = target ] && continue
    echo "explain --pairs --baseline $base $id: largest IG difference on word $at ($wm / $wl), not a target word; the pair differs at${diff#|}"
  done <"$tmp/explain-$base.rows"
  gaps=$(grep -c 'completeness gap' "$tmp/explain-$base")
  bad=$(awk '/completeness gap/ { g = $NF; sub(/%.*/, "", g); if (g + 0 >= 5) n++ } END { print n + 0 }' "$tmp/explain-$base")
  n_ex=$(wc -l <"$tmp/explain-$base.rows")
  verdict "$([ "$n_ex" -ge 1 ] && [ "$gaps" = $((2 * n_ex)) ] && [ "$bad" = 0 ] && echo 1)" \
    "explain --pairs --baseline $base: $n_ex planted pairs ($what) explained, $gaps sentences, $bad with a completeness gap over 5%"
  # Poisson-binomial upper tail P(X >= hits), by dynamic programming over the pairs.
  read -r hits expect ptail <<<"$(awk '{ p = ($6 > 0 ? $7 / $6 : 0); n++; hit += ($2 == "target"); e += p
      for (k = n; k >= 1; k--) f[k] = f[k] * (1 - p) + f[k - 1] * p; f[0] *= (1 - p) }
    BEGIN { f[0] = 1 }
    END { t = 0; for (k = hit; k <= n; k++) t += f[k]; printf "%d %.1f %.3g\n", hit, e, t }' "$tmp/explain-$base.rows")"
  claim="the largest IG difference on a target word in $hits of $n_ex planted pairs ($expect expected by chance, one-sided p $ptail)"
  verdict "$(awk -v n="$n_ex" -v p="$ptail" 'BEGIN { if (n > 0 && p < 0.05) print 1 }')" \
    "explain --pairs --baseline $base: $claim"
  [ $base = pad ] && verdict "$([ $((2 * hits)) -gt "$n_ex" ] && echo 1)" \
    "explain --pairs --baseline pad: in most pairs ($hits of $n_ex) the target carries the largest IG difference"
done

echo
echo "What each test says (strength > 0.5: planted; 0.5: control):"
sed 's/^/  /' "$tmp/pairs.rows" "$tmp/pll.rows" "$tmp/pairs-finetuned.rows" "$tmp/masked.rows" \
  "$tmp/assoc.rows"
echo "  compare (input embeddings, original -> fine-tuned), exit $(cat "$tmp/compare-ft.rc")"
echo "  compare (masked templates, original -> fine-tuned), exit $(cat "$tmp/compare-masked.rc")"
echo "  pairs --before (causal LM, original -> fine-tuned), exit $(cat "$tmp/pairs-ft.rc")"
echo
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
