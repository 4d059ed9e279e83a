#!/usr/bin/env bash
# Prints which version of the probe files (a SHA-256 over corpora/*/*.json, as make_corpus.py
# computes it) the demonstration models were built from, and whether corpora/ still holds it.
# Exit 0: unchanged; 1: the probe files changed since (regenerate: bash corpora/demo/regenerate.sh).
#     bash corpora/demo/probe_version.sh [MODELS_DIR]    (default: corpora/demo/models)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
models=${1:-$root/corpora/demo/models}
built=$(sed -n 's/^ "probe_sha256": "\([0-9a-f]*\)",$/\1/p' "$models/demo-mlm/demonstration.json")
now=$(cd "$root/corpora" && ls -- */*.json | grep -v '^demo/' | LC_ALL=C sort | xargs sha256sum |
  sha256sum | cut -d' ' -f1)
if [ "$now" = "$built" ]; then
  echo "probe files: version ${built:0:12}, the one the demonstration models were built from"
  exit 0
fi
echo "probe files: the demonstration models were built from version ${built:0:12}; corpora/ now" \
  "holds ${now:0:12} (the known-answer checks use that version, kept in" \
  "corpora/demo/models/probes.tar.gz; bash corpora/demo/regenerate.sh rebuilds the models)"
exit 1
