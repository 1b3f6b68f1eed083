#!/usr/bin/env bash
# Heap and memory of `tinyllm demo` after a demo workload.
#
# Starts bin/tinyllm demo (its default rate and time scale) on a loopback port, waits for /metrics,
# lets the workload run for --seconds, scrapes /metrics once (series and bytes), then asks the JVM
# for a full collection (`jcmd PID GC.run`) and reads, from the JVM's GC log, the heap in use after
# it: what the demo retains. Also the heap's committed size, metaspace, loaded classes, threads,
# and the resident set size (VmRSS after the collection, VmHWM the peak) from /proc. Runs --runs
# times, one demo each; prints one line per run and the mean ± standard deviation.
#
# Usage: footprint.sh [options]
#   --dist DIR       the CLI distribution (default: tinyllm-cli/target/tinyllm)
#   --seconds N      how long the workload runs before the measurement (default: 60)
#   --runs N         demos to measure (default: 3)
#   --port PORT      the demo's metrics port (default: 19478)
#   --label TEXT     name of the series in the output (default: demo)
# Environment: JAVA_HOME (also where jcmd and jstat are taken from, else PATH), TINYLLM_JAVA_OPTS and
# TINYLLM_CDS_ARCHIVE reach bin/tinyllm unchanged. The GC log goes through JDK_JAVA_OPTIONS.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

dist="$repo/tinyllm-cli/target/tinyllm"
seconds=60
runs=3
port=19478
label=demo
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
require_launcher "$dist"
jdk_bin=$(dirname "$(launcher_java)")
jcmd="$jdk_bin/jcmd"
jstat="$jdk_bin/jstat"
[ -x "$jcmd" ] || jcmd=$(command -v jcmd) || die "no jcmd (a JDK's bin/jcmd is needed)"
[ -x "$jstat" ] || jstat=$(command -v jstat) || die "no jstat (a JDK's bin/jstat is needed)"
command -v curl >/dev/null || die "no curl"

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

url="http://127.0.0.1:$port/metrics"

# KiB of the heap after GC number $1 in the log $2: the generations' "->used(" figures (Serial,
# Parallel), else the summary line's "->usedM(" (any collector).
heap_after_kib() {
  awk -v id="GC($1)" '
    index($0, " " id " ") && /\[gc,heap/ && /: [0-9]+K\([0-9]+K\)->[0-9]+K/ && !/Eden:|From:/ {
      s = $0; sub(/^.*->/, "", s); sub(/K.*$/, "", s); kib += s; gens++
    }
    index($0, " " id " ") && /\[gc *\]/ && /Pause Full/ {
      m = $0; sub(/^.*->/, "", m); sub(/M.*$/, "", m); summary = m * 1024
    }
    END { print (gens > 0 ? kib : summary) }' "$2"
}

# KiB of metaspace in use after GC number $1 in the log $2.
metaspace_after_kib() {
  awk -v id="GC($1)" 'index($0, " " id " ") && /Metaspace:/ {
    s = $0; sub(/^.*Metaspace: [0-9]+K\([0-9]+K\)->/, "", s); sub(/K.*$/, "", s); print s }' "$2"
}

# A column of `jstat -OPTION PID`, by its header name.
jstat_column() {
  "$jstat" "-$1" "$pid" | awk -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i } NR == 2 { print $n }'
}

proc_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

one_run() {
  local gclog="$work/gc.log" deadline
  rm -f "$gclog"
  JDK_JAVA_OPTIONS="-Xlog:gc*:file=$gclog ${JDK_JAVA_OPTIONS:-}" \
    "$launcher" demo --port "$port" --duration "$((seconds + 300))s" >"$work/demo.out" 2>"$work/demo.err" &
  pid=$!
  deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/demo.err" >&2; die "the demo ended early"; }
    [ "$SECONDS" -lt "$deadline" ] || die "/metrics did not answer within 60s"
    sleep 0.2
  done
  sleep "$seconds"
  curl -fsS -o "$work/metrics" "$url"
  local series bytes
  series=$(grep -vc '^#' "$work/metrics")
  bytes=$(wc -c <"$work/metrics")
  "$jcmd" "$pid" GC.run >/dev/null
  local id=
  for _ in $(seq 50); do
    id=$(grep 'Pause Full (Diagnostic Command) [0-9]' "$gclog" | tail -n 1 | grep -o 'GC([0-9]*)' | tr -dc '0-9') || :
    [ -n "$id" ] && break
    sleep 0.1
  done
  [ -n "$id" ] || die "no full collection in the GC log after jcmd GC.run"
  local heap meta committed classes threads rss hwm calls
  heap=$(heap_after_kib "$id" "$gclog")
  meta=$(metaspace_after_kib "$id" "$gclog")
  rss=$(proc_kib "$pid" VmRSS)
  hwm=$(proc_kib "$pid" VmHWM)
  threads=$(proc_kib "$pid" Threads)
  committed=$(jstat_column gccapacity NGC)+$(jstat_column gccapacity OGC)
  committed=$(awk "BEGIN { print $committed }")
  classes=$(jstat_column class Loaded)
  calls=$(grep -o 'calls [0-9]* done' "$work/demo.out" | tail -n 1 | tr -dc '0-9') || calls=
  [ -n "$calls" ] || calls=unknown
  kill "$pid"
  wait "$pid" || :
  pid=
  result=$(awk -v h="$heap" -v c="$committed" -v m="$meta" -v r="$rss" -v w="$hwm" \
    'BEGIN { printf "%.1f %.1f %.1f %.1f %.1f", h / 1024, c / 1024, m / 1024, r / 1024, w / 1024 }')
  result="$result $classes $threads $series $bytes $calls"
}

echo "$label: after ${seconds}s of demo workload; heap, committed, metaspace, RSS, peak RSS in MiB"
printf '%s\n' "run heap_after_gc heap_committed metaspace rss rss_peak classes threads series metrics_bytes calls"
: >"$work/results"
result=
for ((i = 1; i <= runs; i++)); do
  one_run
  echo "$i $result"
  echo "$result" >>"$work/results"
done
for col in 1:heap_after_gc 2:heap_committed 3:metaspace 4:rss 5:rss_peak 6:classes 8:series; do
  echo "$label: ${col#*:}: $(cut -d' ' -f"${col%%:*}" "$work/results" | stats)"
done
