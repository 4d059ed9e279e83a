#!/usr/bin/env bash
# The hostile-input suite (cases.txt): every broken input must end with its exit status (3 or
# 4), exactly one line on stderr naming the file, nothing on stdout, no file written, no
# signal and no sanitizer report, within 10 seconds.   usage: run.sh MIZANI
set -u
mz=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/fifo" "$tmp/fifo.gguf"
mkdir "$tmp/st-fifo" && cp "$here/cases/st-overlap/config.json" "$tmp/st-fifo/" &&
  mkfifo "$tmp/st-fifo/model.safetensors"
{ printf 'mama 1 2\n'; head -c 5000000 /dev/zero | tr '\0' x; printf ' 1 2\n'; } > "$tmp/long.vec"

fails=0 n=0 slowest=0
while IFS='|' read -r name want named args; do
  name=$(echo $name)
  case "$name" in '' | '#'*) continue ;; esac
  want=$(echo $want) named=$(echo $named)
  args=${args//@C/$here/cases}
  args=${args//@T/$here/..}
  args=${args//@W/$tmp/work}
  args=${args//@FIFOGGUF/$tmp/fifo.gguf}
  args=${args//@FIFO/$tmp/fifo}
  args=${args//@STFIFO/$tmp/st-fifo}
  args=${args//@LONG/$tmp/long.vec}
  eval "argv=($args)"
  rm -rf "$tmp/work" && mkdir "$tmp/work"
  n=$((n + 1))
  start=$(date +%s%N)
  (cd "$tmp/work" && exec timeout -s KILL 10 "$mz" "${argv[@]}" --quiet) >"$tmp/out" 2>"$tmp/err" </dev/null
  code=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  [ "$ms" -gt "$slowest" ] && slowest=$ms
  why=""
  if [ "$code" -eq 137 ]; then why="killed after 10 s (a hang)"
  elif [ "$code" -ge 128 ]; then why="ended by signal $((code - 128))"
  elif [ "$code" -ne "$want" ]; then why="exit $code, want $want"
  elif [ "$(wc -l < "$tmp/err")" -ne 1 ]; then why="$(wc -l < "$tmp/err") lines on stderr, want 1"
  elif ! grep -qF -- "$named" "$tmp/err"; then why="the message does not name '$named'"
  elif [ -s "$tmp/out" ]; then why="output on stdout"
  elif [ -n "$(ls -A "$tmp/work")" ]; then why="left files behind: $(ls -A "$tmp/work")"
  fi
  if [ -n "$why" ]; then
    fails=$((fails + 1))
    printf 'FAIL %s: %s\n  mizani %s\n' "$name" "$why" "$args"
    sed 's/^/  | /' "$tmp/err" | head -20
    sed 's/^/  > /' "$tmp/out" | head -5
  fi
done < "$here/cases.txt"
echo "hostile inputs: $n cases, $fails failed (slowest ${slowest} ms)"
[ "$fails" -eq 0 ] && [ "$n" -gt 0 ]
