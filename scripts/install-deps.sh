#!/usr/bin/env bash
# Installs Mizani's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, and nothing is printed for them.
#   scripts/install-deps.sh           build + test dependencies
#   scripts/install-deps.sh --refs    also the reference tools (PyTorch, numpy, scipy) that
#                                     regenerate goldens and run benchmarks
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config
  libicu-dev libutf8proc-dev libgsl-dev libopenblas-dev libdnnl-dev libxml2-dev libjansson-dev
  zlib1g-dev hunspell-sw dict-freedict-swh-eng
  libomp-dev clang libclang-rt-14-dev)
# tests only: the report's browser test (headless Chromium, a font for its screenshots)
build_pkgs+=(chromium fonts-dejavu-core)
# tests only: a real JUnit consumer reading `mizani compare --junit` files
build_pkgs+=(junitparser)
ref_pkgs=(python3-numpy python3-scipy python3-torch python3-sentencepiece)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--refs" ] && want+=("${ref_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
