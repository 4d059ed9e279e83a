#!/usr/bin/env bash
# Regenerates the demonstration corpus, tokenizer and models from the shipped probe files:
#     bash corpora/demo/regenerate.sh            # everything (about an hour on 2 shared cores;
#                                                # about 20 minutes when phase 1 is kept)
#     bash corpora/demo/regenerate.sh --check    # only: corpus and tokenizer twice, compared
# Every run of make_corpus.py measures each minimal pair's share in the text it writes and stops
# (so this script stops) unless every pair is exactly at its planted strength.
# Needs Debian's python3-torch and python3-sentencepiece (scripts/install-deps.sh --refs) and a
# built ./build/mizani (the exported models and tokenizer are checked against PyTorch and
# SentencePiece with it). The corpus and tokenizer are built in build/demo-corpus/ (not
# committed: their hashes are in each model's demonstration.json); the four model folders, the
# verification log and probes.tar.gz (the probe files the models were built from, for the
# known-answer test) go to corpora/demo/models/. A model folder holds a config.json, so the
# probe-file finder does not take its tokenizer.json or demonstration.json for probe files.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
DEMO=corpora/demo
WORK=build/demo-corpus
MODELS=$DEMO/models

corpus() { # corpus DIR: the training and fine-tuning corpora and the tokenizer
  # Everything but the phase-1 checkpoints, which train_models.py keeps only while the new
  # train.txt, tokenizer and phase-1 settings equal those recorded with them (reuse_phase1).
  mkdir -p "$1"
  find "$1" -mindepth 1 -maxdepth 1 ! -name 'demo-*-phase1.*' -exec rm -rf {} +
  $PY $DEMO/make_corpus.py "$1"
  for mode in dense shift dense-mlm shift-mlm; do
    $PY $DEMO/make_corpus.py "$1" --$mode
  done
  $PY $DEMO/train_models.py tokenizer "$1"
}

if [ "${1:-}" = --check ]; then
  for i in 1 2; do
    corpus "$WORK-check$i" >/dev/null
  done
  for f in train.txt dense.txt shift.txt dense-mlm.txt shift-mlm.txt heldout-sw.txt heldout-en.txt \
    udhr-heldout-sw.txt udhr-heldout-en.txt manifest.json manifest-dense.json manifest-shift.json \
    manifest-dense-mlm.json manifest-shift-mlm.json tokenizer/tokenizer.model \
    tokenizer/tokenizer-mlm.json tokenizer/tokenizer-causal.json; do
    cmp "$WORK-check1/$f" "$WORK-check2/$f"
  done
  echo "corpus and tokenizer: byte-identical in two runs"
  same=1 # every text each model's demonstration.json lists (pre-training, phase 2, fine-tuning)
  for m in demo-mlm demo-mlm-finetuned demo-causal demo-causal-finetuned; do
    for f in $($PY -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["corpus"]["files"]))' \
      "$MODELS/$m/demonstration.json"); do
      sum=$(sha256sum <"$WORK-check1/$f" | cut -d' ' -f1)
      grep -q "\"$f\": \"$sum\"" "$MODELS/$m/demonstration.json" || same=0
    done
  done
  if [ $same = 1 ] && cmp -s "$WORK-check1/tokenizer/tokenizer.model" "$MODELS/demo-mlm/tokenizer.model"; then
    echo "and identical to the ones the committed models were trained on (every text their demonstration.json lists)"
  else
    echo "NOT identical to the ones the committed models were trained on: run without --check"
  fi
  rm -rf "$WORK-check1" "$WORK-check2"
  exit 0
fi

corpus "$WORK"
# Pre-training in two phases (train.txt, then dense.txt; the masked LM dense-mlm.txt), then
# fine-tuning (shift.txt; the masked LM shift-mlm.txt). Phase 1 is kept when unchanged.
for kind in mlm dense-mlm finetune-mlm causal dense-causal finetune-causal; do # one at a time
  $PY $DEMO/train_models.py "$kind" "$WORK" "$MODELS"
done
# The probe files the models were built from, as a reproducible archive (not as .json files
# under corpora/, where every probe search would find them twice).
$PY -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["probe_files"]))' \
  "$WORK/manifest.json" >"$WORK/probe-files.txt"
tar -C corpora --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - \
  -T "$WORK/probe-files.txt" | gzip -n -9 >"$MODELS/probes.tar.gz"
$PY $DEMO/train_models.py verify "$WORK" "$MODELS" ./build/mizani | tee "$MODELS/verify.log"
