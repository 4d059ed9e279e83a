#!/usr/bin/env bash
# Installs what Mizani needs (Debian 12, as root), builds it, and runs the furthest stage of
# the audit that exists on the embedded default: every shipped association probe set
# (English WEAT 1-10 and the Swahili tests) against the bundled synthetic vectors, whose
# planted associations the report must find. Writes mizani-report/report.html and results.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target mizani_cli
./build/mizani weat --vectors corpora/demo/synthetic-vectors.vec --probes default \
  --report mizani-report
echo "open mizani-report/report.html in a browser"
