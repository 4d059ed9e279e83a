#!/usr/bin/env bash
# Installs what Mizani needs (Debian 12, as root), builds it, and runs the furthest stage of
# the audit that exists on the embedded default, writing mizani-report/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target mizani_cli
mkdir -p mizani-report
./build/mizani weat --vectors tests/data/tiny.vec --x daktari,mhandisi --y muuguzi,mpishi \
  --a baba --b mama --name "demo: occupations x gender (synthetic vectors)" --json \
  > mizani-report/results.json
echo "wrote mizani-report/results.json"
