#!/usr/bin/env bash
# Times `tinyllm demo` from its launch to the first successful GET /metrics, over several runs.
#
# Each run starts bin/tinyllm demo on a fixed loopback port and polls the port every 10 ms (at most
# --timeout seconds) from this shell itself: a connection attempt over bash's /dev/tcp costs no
# process, so the poller takes no CPU from the JVM it is timing on a small machine. Once the port
# accepts, one HTTP/1.0 GET /metrics is sent on that connection; the time is taken when the answer
# (status 200, body read to its end) is complete. The demo is then stopped (SIGTERM) and awaited.
# Also reported: the CPU time (user + system, from /proc, 10 ms resolution) and the resident set
# size of the JVM at that moment.
#
# With --archive FILE, every run is made twice, without an AppCDS archive (TINYLLM_CDS_ARCHIVE
# empty) and with FILE, the order alternating from run to run, so that a change of load on the
# machine during the measurement weighs on both alike.
#
# Usage: demo-until-metrics.sh [options]
#   --dist DIR       the CLI distribution (default: tinyllm-cli/target/tinyllm)
#   --runs N         measured runs (default: 10)
#   --warmup N       runs before them, not counted (default: 2)
#   --port PORT      the demo's metrics port (default: 19478)
#   --timeout SECS   give up on a run after this long (default: 30)
#   --label TEXT     name of the series in the output (default: demo)
#   --archive FILE   compare plain runs with runs from this AppCDS archive (see above)
# Environment: JAVA_HOME, TINYLLM_JAVA_OPTS and (without --archive) TINYLLM_CDS_ARCHIVE reach
# bin/tinyllm unchanged.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

dist="$repo/tinyllm-cli/target/tinyllm"
runs=10
warmup=2
port=19478
timeout=30
label=demo
archive=
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
require_launcher "$dist"
[ -z "$archive" ] || [ -f "$archive" ] || die "no archive at $archive (make one with bin/tinyllm-cds)"
if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  exec 3<&-
  die "port $port is in use; pick another with --port"
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || :
    wait "$pid" 2>/dev/null || :
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A file descriptor to wait on with `read -t`: a sleep of 10 ms without starting a process.
mkfifo "$work/never"
exec 4<>"$work/never"
pause() { read -r -t "$1" -u 4 _ || :; }

# One GET /metrics over a connection already open on fd 3; 0 when it answered 200.
get_metrics() {
  local status
  printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$port" >&3
  IFS= read -r -t 10 -u 3 status || return 1
  cat <&3 >"$work/body" # the body, to the end of the connection (HTTP/1.0)
  [[ $status == HTTP/1.?\ 200* ]] && [ -s "$work/body" ]
}

# The JVM's CPU time in ms (utime + stime, fields 14 and 15 of /proc/PID/stat) and RSS in KiB.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# One run; with an argument, TINYLLM_CDS_ARCHIVE is set to it ("" for none).
one_run() {
  local start end deadline
  start=$EPOCHREALTIME
  if [ $# -gt 0 ]; then
    TINYLLM_CDS_ARCHIVE=$1 "$launcher" demo --port "$port" --duration 120s \
      >"$work/demo.out" 2>"$work/demo.err" &
  else
    "$launcher" demo --port "$port" --duration 120s >"$work/demo.out" 2>"$work/demo.err" &
  fi
  pid=$!
  deadline=$(awk -v s="$start" -v t="$timeout" 'BEGIN { printf "%d", s + t }')
  while :; do
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      if get_metrics; then
        end=$EPOCHREALTIME
        exec 3<&-
        break
      fi
      exec 3<&-
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$work/demo.err" >&2
      die "the demo ended before /metrics answered"
    fi
    if [ "${EPOCHREALTIME%.*}" -ge "$deadline" ]; then
      die "/metrics did not answer within ${timeout}s"
    fi
    pause 0.01
  done
  local cpu rss
  cpu=$(cpu_ms "$pid")
  rss=$(rss_kib "$pid")
  kill "$pid"
  wait "$pid" || :
  pid=
  grep -q '^tinyllm_' "$work/body" || die "the answer of /metrics holds no tinyllm_ sample"
  result=$(awk -v s="$start" -v e="$end" -v c="$cpu" -v r="$rss" \
    'BEGIN { printf "%.1f %.0f %.1f\n", (e - s) * 1000, c, r / 1024 }')
}

# one_run sets result (not run in a subshell, so that the EXIT trap can stop its demo)
result=
if [ -z "$archive" ]; then
  variants=("$label")
else
  variants=(plain AppCDS)
fi
# run VARIANT: one run of it, its result appended to its file
run() {
  case "$1" in
    plain) one_run "" ;;
    AppCDS) one_run "$archive" ;;
    *) one_run ;;
  esac
}
for ((i = 0; i < warmup; i++)); do
  for v in "${variants[@]}"; do
    run "$v"
  done
done
for v in "${variants[@]}"; do
  : >"$work/results.$v"
done
for ((i = 1; i <= runs; i++)); do
  order=("${variants[@]}")
  if [ ${#variants[@]} -eq 2 ] && [ $((i % 2)) -eq 0 ]; then
    order=("${variants[1]}" "${variants[0]}")
  fi
  for v in "${order[@]}"; do
    run "$v"
    echo "$result" >>"$work/results.$v"
    read -r ms cpu rss <<<"$result"
    log "$v run $i: ${ms} ms to the first /metrics answer, CPU ${cpu} ms, RSS ${rss} MiB"
  done
done
for v in "${variants[@]}"; do
  echo "$v: time to first /metrics answer, ms: $(cut -d' ' -f1 "$work/results.$v" | stats)"
  echo "$v: CPU (user + system) until then, ms: $(cut -d' ' -f2 "$work/results.$v" | stats)"
  echo "$v: RSS then, MiB: $(cut -d' ' -f3 "$work/results.$v" | stats)"
done
