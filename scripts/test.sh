#!/usr/bin/env bash
# Installs what Mizani needs (Debian 12, as root), builds with warnings as errors, and runs
# the whole test suite. `--sanitize` does the same in a separate build with
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=build
flags=(-DMZ_WERROR=ON -DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-sanitize
  flags=(-DMZ_WERROR=ON -DMZ_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
fi
cmake -S . -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" || status=$?
# ctest says only "Skipped": name the checks that need ../shared/data and were left out, and why
awk '/^[0-9]+\/[0-9]+ Testing: /{t=$3} /^SKIP /{print t ": " $0}' \
  "$build/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u
exit "$status"
