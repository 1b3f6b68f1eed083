#!/usr/bin/env bash
# Start-up of the tinyllm distribution, plain and with an AppCDS archive made by bin/tinyllm-cds:
#
#   1. hyperfine: `tinyllm --version` and `tinyllm graph validate routed.yaml`, whole process (JVM
#      start included), each plain and with the archive;
#   2. demo-until-metrics.sh: `tinyllm demo` from launch to the first answer of GET /metrics, plain
#      and with the archive, the two alternating;
#   3. with --footprint N: footprint.sh, heap and RSS after N seconds of demo workload, plain and
#      with the archive.
#
# Before each step it waits (up to --max-wait seconds) for the 1-minute load average to fall below
# --max-load, and it prints the load next to the figures. The archive is made in the work
# directory (TINYLLM_CDS_ARCHIVE), never in the distribution's lib/.
#
# Usage: startup.sh [options]
#   --dist DIR        the CLI distribution (default: tinyllm-cli/target/tinyllm)
#   --runs N          measured runs of each command (default: 10)
#   --warmup N        runs before them, not counted (default: 2)
#   --work-dir DIR    where the archive and the hyperfine exports go (default: a new temp dir)
#   --max-load L      wait for a 1-minute load average below L (default: 1.0)
#   --max-wait SECS   but no longer than this per step (default: 900)
#   --footprint SECS  also measure the footprint after SECS seconds of demo (default: off)
#   --port PORT       the demo's metrics port (default: 19478)
# Needs hyperfine (Debian package hyperfine) and, for --footprint, curl and a JDK's jcmd/jstat.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

dist="$repo/tinyllm-cli/target/tinyllm"
runs=10
warmup=2
work=
max_load=1.0
max_wait=900
footprint=
port=19478
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    --max-load) max_load=$2; shift 2 ;;
    --max-wait) max_wait=$2; shift 2 ;;
    --footprint) footprint=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
command -v hyperfine >/dev/null || die "no hyperfine (Debian package hyperfine)"
dist=$(cd "$dist" && pwd -P) || die "no distribution at $dist"
launcher="$dist/bin/tinyllm"
if [ ! -x "$launcher" ] || [ ! -x "$dist/bin/tinyllm-cds" ]; then
  die "no launcher in $dist/bin (build it: ./mvnw -pl tinyllm-cli -am package -DskipTests)"
fi
if [ -z "$work" ]; then
  work=$(mktemp -d)
fi
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
archive="$work/tinyllm.jsa"
graph="$repo/tinyllm-executor/src/main/resources/io/tinyllm/executor/graphs/routed.yaml"

machine_info "$(launcher_java)"
echo "distribution: $dist"
echo "launcher options: ${TINYLLM_JAVA_OPTS:-defaults of bin/tinyllm}"

echo
echo "== AppCDS archive"
TINYLLM_CDS_ARCHIVE=$archive "$dist/bin/tinyllm-cds"
echo "archive: $archive, $(wc -c <"$archive") bytes"

echo
echo "== --version and graph validate (hyperfine)"
wait_for_quiet "$max_load" "$max_wait"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
plain="env TINYLLM_CDS_ARCHIVE= '$launcher'"
cds="env 'TINYLLM_CDS_ARCHIVE=$archive' '$launcher'"
hyperfine -N --warmup "$warmup" --runs "$runs" \
  --export-markdown "$work/hyperfine.md" --export-json "$work/hyperfine.json" \
  -n 'plain: tinyllm --version' "$plain --version" \
  -n 'AppCDS: tinyllm --version' "$cds --version" \
  -n 'plain: tinyllm graph validate routed.yaml' "$plain graph validate '$graph'" \
  -n 'AppCDS: tinyllm graph validate routed.yaml' "$cds graph validate '$graph'"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== demo until /metrics answers (plain and AppCDS runs alternating)"
wait_for_quiet "$max_load" "$max_wait"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$here/demo-until-metrics.sh" --dist "$dist" --runs "$runs" --warmup "$warmup" --port "$port" \
  --archive "$archive"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "$footprint" ]; then
  echo
  echo "== footprint after ${footprint}s of demo workload"
  for variant in plain AppCDS; do
    wait_for_quiet "$max_load" "$max_wait"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ "$variant" = plain ]; then value=; else value=$archive; fi
    TINYLLM_CDS_ARCHIVE=$value "$here/footprint.sh" --dist "$dist" --seconds "$footprint" \
      --port "$port" --label "$variant"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

echo
echo "hyperfine exports: $work/hyperfine.md, $work/hyperfine.json"
echo "done: $(uptime)"
