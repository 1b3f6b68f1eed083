#!/usr/bin/env bash
# Start-up of the commands that make one or two HTTP calls, against `tinyllm --version`, in paired
# runs: each round runs --version and then every command once, so load drifting on the machine
# touches both sides alike. Prints the median (and min … max) wall time of each, and its ratio to
# --version's median. Ollama is the built-in simulator, started here on a free port.
#
#   benchmarks/startup/commands.sh [--dist DIR] [--runs N] [--archive FILE]
#
# Every command's stdin is the line "/bye", which ends `chat` at its first prompt.
# --archive FILE starts every command from that AppCDS archive (made by the distribution's
# bin/tinyllm-cds FILE); without it no archive is used. Wall time is from launch to exit; CPU is
# the process's user + system time (GNU time), which the machine's other load inflates less.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

dist=$repo/tinyllm-cli/target/tinyllm
runs=21
archive=
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    *) die "unknown argument $1 (expected --dist DIR, --runs N, --archive FILE)" ;;
  esac
done
require_launcher "$dist"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for the CPU times"
[ -z "$archive" ] || [ -f "$archive" ] || die "no archive at $archive (make it: $dist/bin/tinyllm-cds $archive)"
# empty: no AppCDS archive, the launcher as a user first runs it
export TINYLLM_CDS_ARCHIVE=$archive

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$launcher" ollama-sim --port "$port" --time-scale 0 --duration 10m >/dev/null 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || :' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
export OLLAMA_HOST=127.0.0.1:$port

# chat reads "/bye" from stdin (below): its time is its start (the model's check) and its exit
commands=("--version" "version" "models list" "models ps" "models show qwen2.5:0.5b" "list" "health"
  "chat -m qwen2.5:0.5b")
machine_info "$(launcher_java)"
log "dist $dist, archive '${archive:-none}', $runs rounds after 2 warm-up rounds, Ollama simulator on port $port"

work=$(mktemp -d)
trap 'kill "$sim" 2>/dev/null || :; rm -rf "$work"' EXIT
echo /bye >"$work/stdin"
for round in $(seq -1 "$runs"); do
  for i in "${!commands[@]}"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086  # a command is words
    # a command that fails fast would look fast: stop instead
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$launcher" ${commands[$i]} <"$work/stdin" >/dev/null 2>"$work/err" ||
      die "tinyllm ${commands[$i]} failed: $(head -c 500 "$work/err")"
    end=$(date +%s%N)
    if [ "$round" -ge 1 ]; then
      echo $(((end - start) / 1000)) >>"$work/$i"
      awk '{ printf "%d\n", ($1 + $2) * 1000000 }' "$work/cpu" >>"$work/$i.cpu"
    fi
  done
done

median() { sort -n | awk '{ x[NR] = $1 } END { m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
base=$(median <"$work/0")
echo
base_cpu=$(median <"$work/0.cpu")
echo "| command | wall, median | min … max | median / \`--version\` | CPU, median | CPU / \`--version\` |"
echo "|---|---|---|---|---|---|"
for i in "${!commands[@]}"; do
  m=$(median <"$work/$i")
  range=$(sort -n "$work/$i" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f … %.1f", lo / 1000, hi / 1000 }')
  ratio=$(awk -v m="$m" -v b="$base" 'BEGIN { printf "%.2f", m / b }')
  cpu=$(median <"$work/$i.cpu")
  cpu_ratio=$(awk -v m="$cpu" -v b="$base_cpu" 'BEGIN { printf "%.2f", m / b }')
  echo "| \`tinyllm ${commands[$i]}\` | $m ms | $range | $ratio | $cpu ms | $cpu_ratio |"
done
echo
echo "uptime: $(uptime)"
