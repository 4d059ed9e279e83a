#!/usr/bin/env bash
# The `mizani` command's contract with its users: help, version, usage errors, exit codes.
set -u
mz=$1
. "$(dirname "$0")/expect.sh"
lines() { "$mz" "$@" 2>&1 | wc -l; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect 0 '^  audit ' -- --help
expect 0 '^  tokenize ' -- --help
expect 0 '^mizani 0\.' -- --version
expect 0 'GSL .*ICU .*OpenBLAS' -- --version
expect 2 "^mizani: error: unknown command 'nosuch'" -- nosuch
[ "$(lines nosuch)" -eq 1 ] || { fails=$((fails + 1)); echo "FAIL: 'mizani nosuch' prints more than one line"; }
n=$((n + 1))
expect 2 'Usage: mizani' --
expect 4 "x/config.json: cannot open" -- audit --model x --quiet
expect 0 '^Usage: mizani audit' -- audit --help
expect 0 '^Usage: mizani compare' -- help compare
data=$(dirname "$0")/data
w=(--vectors "$data/tiny.vec" --x daktari,mhandisi --y muuguzi,mpishi --a baba --b mama)
expect 2 "option '--threads' needs a value" -- weat "${w[@]}" --threads
expect 2 "^mizani weat: error: --threads must be a whole number" -- --threads many weat "${w[@]}"
expect 2 "unknown option '--bogus' for 'mizani weat'" -- weat "${w[@]}" --bogus
expect 2 "'mizani weat' needs --x" -- weat --vectors "$data/tiny.vec"
expect 0 "effect size d +\+" -- weat "${w[@]}"
expect 0 '"p": 0\.16' -- --seed 3 weat "${w[@]}" --json
expect 3 "broken.vec:2: 2 numbers, want 3 \(the dimension of the first line\)" -- weat --vectors "$data/broken.vec" --x a,b --y c,d --a e --b f
expect 4 "nothere.vec: cannot open vectors file: No such file or directory" -- weat --vectors nothere.vec --x a,b --y c,d --a e --b f
expect 3 "tiny.vec: none of the 25 tests could be computed; the first, 'weat1-en': target X set 'flowers' lost 25 of 25" -- weat --vectors "$data/tiny.vec" --probes default --quiet
expect 3 "none of the 25 findings could be compared; the first, 'weat1-en'" -- compare --before "$data/tiny.vec" --after "$data/tiny.vec" --quiet
expect 3 "target X set 'X' lost 1 of 2 words" -- weat --vectors "$data/tiny.vec" --x daktari,rubani --y muuguzi,mpishi --a baba --b mama


# probe files
printf '{"schema": "mizani-probes/1", "id": 3}\n' > "$tmp/bad.json"
expect 3 "bad.json:1: at \\$.id: missing or not a non-empty string" -- probes lint "$tmp/bad.json"
expect 3 "1 file, 1 error" -- probes lint "$tmp/bad.json"
expect 0 "weat7-en +association +en +- +gender: " -- probes list
expect 2 "takes list, lint, review, extract-udhr or import-crows-pairs, not 'show'" -- probes show

# the suite: deterministic for a seed, report written whole
demo=(--vectors "$(dirname "$0")/../corpora/demo/synthetic-vectors.vec" --probes default --quiet)
"$mz" weat "${demo[@]}" --seed 5 --json > "$tmp/a.json"; "$mz" --threads 1 weat "${demo[@]}" --seed 5 --json > "$tmp/b.json"
# the run block (id, times, thread count) differs by design; every result must not
norun() { sed '/^  "run": {/,/^  },/d' "$1"; }
n=$((n + 1)); cmp -s <(norun "$tmp/a.json") <(norun "$tmp/b.json") && grep -q '"run": {' "$tmp/a.json" ||
  { fails=$((fails + 1)); echo "FAIL: same seed, different results"; }
expect 0 "^25 of 25 tests computable" -- weat "${demo[@]}" --report "$tmp/rep"
# every metric, bit for bit, whatever the thread count (RIPA's eigenvectors once differed in
# every test; three tests keep this short under the sanitizers)
c=$(dirname "$0")/../corpora
three=(--vectors "$c/demo/synthetic-vectors.vec" --quiet --probes "$c/weat-en/weat7.json,$c/weat-sw/gender-career-terms.json,$c/weat-sw/age.json")
for t in 1 2; do "$mz" --threads $t weat "${three[@]}" --metrics all --bootstrap 200 --permutations 2000 --json > "$tmp/t$t.json"; done
n=$((n + 1)); cmp -s <(norun "$tmp/t1.json") <(norun "$tmp/t2.json") || { fails=$((fails + 1)); echo "FAIL: --threads 1 and 2 differ with --metrics all"; }
n=$((n + 1))
grep -q "6 of them show an association" "$tmp/rep/report.html" && [ -s "$tmp/rep/results.json" ] &&
  [ -z "$(ls "$tmp/rep" | grep tmp)" ] || { fails=$((fails + 1)); echo "FAIL: report folder"; }
expect 2 "--report goes with --probes" -- weat "${w[@]}" --report "$tmp/x"
expect 2 "unknown metric 'wefe' \\(known: weat, rnd" -- weat "${w[@]}" --metrics rnd,wefe
expect 0 "^  rnsb +X\\+Y " -- weat "${w[@]}" --metrics all
expect 0 '"ripa": [{]' -- weat "${demo[@]}" --metrics ripa --json


# tokenize: exact tokens with spans; bad UTF-8, missing and malformed tokenizers
tk=(--tokenizer "$data/../golden/tokenizers/wordpiece-bert.json")
expect 0 "^ +102  haki +\\[13, 17\\)  \"haki\"" -- tokenize "${tk[@]}" --offsets "Kila mtu ana haki"
expect 0 '"special_tokens_mask":[[]1,0,0,1[]]' -- tokenize "${tk[@]}" --json --special "mtu ana"
n=$((n + 1)); printf 'ab\xff' | "$mz" tokenize "${tk[@]}" - >/dev/null 2>"$tmp/err"; code=$?
[ "$code" -eq 3 ] && grep -q "<stdin>: byte 2: invalid UTF-8" "$tmp/err" || { fails=$((fails + 1)); echo "FAIL: bad UTF-8 on stdin"; }
expect 4 "no/such.json: cannot open: No such file or directory" -- tokenize --tokenizer no/such.json "x"
printf '{"model": {"type": "WordPiece",\n "vocab": {"a": 0, "b": 0}}}' > "$tmp/tok.json"
expect 3 "tok.json:2: at \\$.model.vocab: ids must run 0..n-1" -- tokenize --tokenizer "$tmp/tok.json" "x"
printf '{"model": {"type": "Magic", "vocab": {}}}' > "$tmp/tok2.json"
expect 3 "model 'Magic' is not supported yet" -- tokenize --tokenizer "$tmp/tok2.json" "x"


# fairness on the shipped UDHR with a committed tokenizer
: > "$tmp/empty.dic"
expect 0 "premium: the same content costs [0-9.]+x as many tokens in sw as in en \\(95% CI" -- fairness --tokenizer "$data/../golden/sentencepiece/unigram.model" --dictionary "$tmp/empty.dic"
expect 0 '"name": "premium"' -- fairness --tokenizer "$data/../golden/sentencepiece/unigram.model" --json
expect 3 "needs a parallel probe set" -- fairness --tokenizer "$data/../golden/sentencepiece/unigram.model" --parallel "$(dirname "$0")/../corpora/weat-en/weat1.json"


# compare: the same file twice changes nothing (exit 0); town words pushed towards the
# pleasant words makes the town/village bias grow (exit 1)
dv="$(dirname "$0")/../corpora/demo/synthetic-vectors.vec"
awk 'BEGIN { split("jiji mji mjini mtaa ghorofa benki soko kiwanda upole heshima uaminifu afya rafiki kicheko likizo sherehe raha shangwe fanaka mapenzi uzuri ukarimu utulivu ustawi mafanikio pongezi tuzo burudani ushindi nderemo dhahabu asali bustani", w, " "); for (i in w) m[w[i]] = 1 }
     NR > 1 && ($1 in m) { $2 += 12; $3 += 12 } { print }' "$dv" > "$tmp/after.vec"
expect 0 "^urban-rural-sw +static +-0.130 +-0.130 +\\+0.000" -- compare --before "$dv" --after "$dv" --permutations 2000 --bootstrap 200
expect 1 "bias regressed in 1 of 25 findings \\(the first: static/urban-rural-sw" -- compare --before "$dv" --after "$tmp/after.vec" --permutations 20000 --bootstrap 200 --threshold 0.5
expect 2 "'mizani compare' needs two checkpoints or more" -- compare --before "$dv"

# the engine: inspect, run, verify on the tiny BERT whose goldens come from PyTorch
bm="$data/../golden/models/bert"
sum=$(sha256sum "$bm/model.safetensors" | cut -d' ' -f1)
expect 0 "^sha256 +$sum" -- inspect --model "$bm"
expect 0 "^special +\\[CLS\\]=2 \\[SEP\\]=3" -- inspect --model "$bm"
expect 0 '^[{]"input_ids":[[]2,5,6,7,8,23,3[]],"logits":[{]"shape":[[]1,7,96[]]' -- run --model "$bm" --text "Kila mtu ana haki." --dump logits
expect 0 "^logits +max-abs [0-9.e-]+ +nMSE [0-9.e-]+ +ok" -- verify --model "$bm" --reference "$bm/reference"
expect 1 "12 of 12 arrays differ by more than 1e-12" -- verify --model "$bm" --reference "$bm/reference" --tolerance 1e-12
expect 3 "'t5' is not supported; supported: bert, roberta" -- run --model "$data/models/unsupported" --ids 1
expect 2 "unknown intermediate 'nope'" -- run --model "$bm" --ids 1 --dump nope
expect 2 "give one of --text or --ids" -- run --model "$bm"
"$mz" run --model "$bm" --ids 2,5,3 --dump hidden.2,layer.1.attn.probs --out "$tmp/dump" --quiet
n=$((n + 1)); [ -f "$tmp/dump/hidden.2.npy" ] && [ -f "$tmp/dump/layer.1.attn.probs.npy" ] && [ -f "$tmp/dump/input_ids.npy" ] && [ ! -e "$tmp/dump/hidden.2.npy.part" ] || { fails=$((fails + 1)); echo "FAIL: run --out wrote no .npy files"; }

# minimal pairs through the tiny models
tp="$data/pairs-tiny.json"
expect 0 "^all +5 +5 +[0-5] +0\\.[0-9]{3}  \\[0\\.[0-9]{3}, 0\\.[0-9]{3}\\] +4 +[0-9.]+ +too few" -- pairs --model "$bm" --pairs "$tp"
expect 0 '"token_scores_more": \[' -- pairs --model "$bm" --pairs "$tp" --json
# a pair longer than the tiny model's 24 positions: not computable, and nothing else to test
expect 3 "no minimal pair fits the model" -- pairs --model "$bm" --pairs "$data/pairs-long.json"
expect 0 '"method": "causal"' -- pairs --model "$data/../golden/models/gpt2" --tokenizer "$bm" --pairs "$tp" --json
expect 2 "pll needs an encoder with a masked-LM head; gpt2 is a decoder" -- pairs --model "$data/../golden/models/gpt2" --tokenizer "$bm" --pairs "$tp" --method pll
expect 3 "no minimal_pairs probe sets among the files" -- pairs --model "$bm" --pairs "$(dirname "$0")/../corpora/weat-en/weat1.json"

expect 0 "^minimal-pairs-tiny/gender +pairs +\\+0\\.[0-9]{3} +\\+0\\.[0-9]{3} " -- pairs --model "$bm-bf16" --before "$bm" --pairs "$tp"

# SEAT through the tiny BERT: a table, JSON, and bad flags
expect 0 "^assoc-tiny +sw +15/15/9/9 +6 +1\\.0/1\\.0 +[-+][0-9.]+  \\[[-+][0-9.]+, [-+][0-9.]+\\] +[0-9.]+ +[0-9.]+ +[0-9.]+" -- seat --model "$bm" --probes "$data/assoc-tiny.json" --permutations 1000 --bootstrap 100
expect 0 '"pooling": "first"' -- seat --model "$bm" --probes "$data/assoc-tiny.json" --pooling first --layer 1 --permutations 1000 --bootstrap 0 --json
expect 2 "--pooling must be mean, first or last" -- seat --model "$bm" --pooling max
expect 2 "--layer 7: this model has hidden states 0..2" -- seat --model "$bm" --layer 7

# CEAT through the tiny BERT
expect 0 "^assoc-tiny +sw +48 +[-+][0-9.]+ +[0-9.]+ +6 +1\\.0/1\\.0 +[-+][0-9.]+  \\[[-+][0-9.]+, [-+][0-9.]+\\]" -- ceat --model "$bm" --probes "$data/assoc-tiny.json" --samples 100
expect 0 '"samples": 100' -- ceat --model "$bm" --probes "$data/assoc-tiny.json" --samples 100 --json
expect 2 "--samples must be" -- ceat --model "$bm" --samples 1
printf 'Kila mtu ana haki.\nMtu \xff hapa.\n' >"$tmp/bad-utf8.txt"
expect 3 "bad-utf8.txt:2:5: invalid UTF-8" -- ceat --model "$bm" --probes "$data/assoc-tiny.json" --contexts "$tmp/bad-utf8.txt"

# a model's input embeddings as static vectors: weat and compare take model folders
expect 0 "effect size d +[-+][0-9.]+ +95% CI" -- weat --vectors "$bm" --x mtu,mwalimu,daktari --y person,doctor,every --a hapa,haki,ni --b rights,here,has
expect 0 "^No finding's bias grew past its threshold" -- compare --before "$bm" --after "$bm-bf16" --probes "$data/assoc-tiny.json" --permutations 1000 --bootstrap 100

# a model with a tokenizer that is not its own: refused, naming both (an id past the embedding
# matrix once read beyond the weights); inspect says so, and counts NaN weights
wp="$data/../golden/tokenizers/wordpiece-bert.json"
expect 3 "wordpiece-bert.json: 669 token ids, but the model .*/bert embeds only 96 \(ids 0..95\)" -- run --model "$bm" --tokenizer "$wp" --text "x"
expect 0 '^[{]"input_ids":[[]2,5,6,3[]]' -- run --model "$bm" --tokenizer "$bm/tokenizer.json" --text "Kila mtu" --dump hidden.0
expect 0 "^agreement +yes: every token id has a row in the embedding matrix" -- inspect --model "$bm"
expect 0 "^non-finite +none" -- inspect --model "$bm"
mkdir "$tmp/mismatch" && cp "$bm/config.json" "$bm/model.safetensors" "$tmp/mismatch" && cp "$wp" "$tmp/mismatch/tokenizer.json"
expect 0 "^agreement +NO: .*tokenizer.json: 669 token ids" -- inspect --model "$tmp/mismatch"
expect 3 "mismatch/tokenizer.json: 669 token ids, but the model .*mismatch embeds only 96" -- weat --vectors "$tmp/mismatch" --x watu,wote --y haki,sawa --a dignity,country --b bora,bara
# words the model splits into many pieces are named with their token counts
expect 0 "^  daktari 1, watu 4 !, mtu 1" -- weat --vectors "$bm" --x daktari,watu --y mtu,haki --a ni,hapa --b every,here --bootstrap 0

# --help: continuation lines keep the option column, long options get their own line
expect 0 "^ {27}folder or \.gguf, whose input embeddings" -- weat --help
expect 0 "^  --rnd-vectors unit\|as-given$" -- weat --help
expect 2 "--mac must be distance or similarity, not 'cos'" -- weat "${w[@]}" --mac cos
expect 0 "^  rnd \(as given\) +X " -- weat "${w[@]}" --metrics rnd --rnd-vectors as-given
# tokenize: columns by display width (Ġ, ’ are one column, two or three bytes)
expect 0 "^     306  Ġw {18}  \[25, 26\)" -- tokenize --tokenizer "$data/../golden/tokenizers/bpe-byte-level.json" --offsets "Mwalimu yuko darasani’ w Ki"

# masked templates through the tiny BERT
expect 0 "^mean bias \\(a - b\\): [-+][0-9.]+ \\[95% CI [-+][0-9.]+, [-+][0-9.]+\\]; [0-3] of 3 attributes lean to a" -- masked --model "$bm" --probes "$data/masked-tiny.json" --bootstrap 200
expect 0 "^permutation of 4 target words \\(within token-count strata\\): p = too few" -- masked --model "$bm" --probes "$data/masked-tiny.json" --bootstrap 200
expect 2 "masked templates need an encoder with a masked-LM head; gpt2 is a decoder" -- masked --model "$data/../golden/models/gpt2" --tokenizer "$bm" --probes "$data/masked-tiny.json"

echo "cli_contract: $n checks, $fails failed"
[ "$fails" -eq 0 ]
