# shellcheck shell=bash
# Helpers shared by the start-up and footprint scripts of this directory (sourced, not run).

# shellcheck disable=SC2034  # used by the scripts that source this file
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

log() { echo "$(basename "$0"): $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# The 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg; }

# Waits (polling every 30 s) until the 1-minute load average is below $1, for at most $2 seconds;
# then goes on either way. Other work on the machine skews every figure, so each script records the
# load next to its results.
wait_for_quiet() {
  local max_load=$1 max_wait=$2 waited=0
  while awk -v l="$(load1)" -v m="$max_load" 'BEGIN { exit !(l >= m) }'; do
    if [ "$waited" -ge "$max_wait" ]; then
      log "load $(load1) is still at or above $max_load after ${waited}s; measuring anyway"
      return 0
    fi
    log "load $(load1) is at or above $max_load; waiting (${waited}s of ${max_wait}s)"
    sleep 30
    waited=$((waited + 30))
  done
}

# What the figures depend on: date, machine, JDK, load.
machine_info() {
  local java=${1:-java}
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
    "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "java:    $("$java" -version 2>&1 | sed -n 2p)"
  echo "uptime: $(uptime)"
}

# Sets launcher to the bin/tinyllm of distribution $1, or dies saying how to build it.
require_launcher() {
  launcher="$1/bin/tinyllm"
  [ -x "$launcher" ] || die "no launcher at $launcher (build it: ./mvnw -pl tinyllm-cli -am package -DskipTests)"
}

# The java the launcher runs: JAVA_HOME's, else the one on PATH (as bin/tinyllm chooses).
launcher_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java
  fi
}

# Sample mean, standard deviation, min and max of the numbers on stdin, one per line.
stats() {
  awk '{ x[NR] = $1; s += $1 } END {
    if (NR == 0) exit 1
    m = s / NR; v = 0; lo = x[1]; hi = x[1]
    for (i = 1; i <= NR; i++) { v += (x[i] - m) ^ 2; if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i] }
    sd = NR > 1 ? sqrt(v / (NR - 1)) : 0
    printf "%.1f ± %.1f (min %.1f, max %.1f, n %d)\n", m, sd, lo, hi, NR
  }'
}
