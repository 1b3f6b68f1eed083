#!/usr/bin/env bash
# Builds the container images the integration tests run, from programs already on this machine,
# with no registry and no Docker builder (BuildKit or legacy): each image is one root file system,
# assembled here and handed to `docker import`.
#
#   tinyllm/pushgateway:<version>  Debian's prometheus-pushgateway binary + the libc it links
#   tinyllm/prometheus:<version>   Debian's prometheus binary + libc, a default config, /prometheus
#   tinyllm/cli:<project version>  a jlink'd JRE + the tinyllm CLI distribution (bin/ and lib/)
#
# An image whose content has not changed is not rebuilt: each carries the SHA-256 of its root file
# system and settings in the label io.tinyllm.content-hash, compared before importing.
#
# Usage: build-images.sh [options] [pushgateway] [prometheus] [cli]     (default: all three)
#   --cli-dist DIR          the CLI distribution (default: tinyllm-cli/target/tinyllm)
#   --cli-version VERSION   tag of tinyllm/cli (default: the jar version found in DIR/lib)
#   --work-dir DIR          where root file systems are staged (default: tinyllm-it/target/images)
#   --require-external B    false: a missing prerequisite (Docker, a Debian binary, the CLI
#                           distribution) skips that image with the reason printed; true (the
#                           default): it is an error
# Environment: PUSHGATEWAY_BIN, PROMETHEUS_BIN (default /usr/bin/prometheus-pushgateway,
# /usr/bin/prometheus), JAVA_HOME (a JDK 17+ with jmods, default: the java on PATH).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
module=$(dirname "$here")

cli_dist="$module/../tinyllm-cli/target/tinyllm"
cli_version=""
work_dir="$module/target/images"
require_external=true
wanted=()

while [ $# -gt 0 ]; do
  case "$1" in
    --cli-dist) cli_dist=$2; shift 2 ;;
    --cli-version) cli_version=$2; shift 2 ;;
    --work-dir) work_dir=$2; shift 2 ;;
    --require-external) require_external=$2; shift 2 ;;
    pushgateway | prometheus | cli) wanted+=("$1"); shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-images: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(pushgateway prometheus cli)

# the Java modules of the CLI image's JRE: what `jdeps --print-module-deps` reports for the
# distribution, plus those its plug-ins reach at run time (HTTP client, TLS, JDBC types in YAML)
JRE_MODULES=java.base,java.compiler,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.net,jdk.unsupported
# bump to rebuild every image after a change to how they are assembled
FORMAT=1
CONTENT_LABEL=io.tinyllm.content-hash
NOBODY=65534

log() { echo "build-images: $*" >&2; }

# A missing prerequisite: skipped (with the reason) or fatal, per --require-external.
missing() {
  if [ "$require_external" = true ]; then
    log "ERROR: $*"
    exit 1
  fi
  log "SKIPPED: $*"
}

docker_ok() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

# Copies the ELF interpreter and every system shared library `ldd` lists for the given files into
# rootfs, at the paths ldd reports, so the dynamic loader finds them as it does here. Libraries
# staged under the work directory (the JRE's own) are already in place.
copy_libraries() {
  local rootfs=$1
  shift
  local lib
  for lib in $(ldd "$@" 2>/dev/null | grep -o '/[^ :]*\.so[^ :]*' | grep -v "^$work_dir/" | sort -u); do
    [ -e "$lib" ] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# The files every image here has: users for USER 65534, name lookup through /etc/hosts then DNS
# (Docker's embedded DNS resolves network aliases), and a /tmp anyone may write.
base_rootfs() {
  local rootfs=$1
  rm -rf "$rootfs"
  mkdir -p "$rootfs/etc" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:%s:%s:nobody:/nonexistent:/sbin/nologin\n' \
    "$NOBODY" "$NOBODY" >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:%s:\n' "$NOBODY" >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
}

# Imports rootfs as image $1 with the Dockerfile instructions that follow, unless an image of
# that name already holds the same content.
import_image() {
  local image=$1 rootfs=$2
  shift 2
  local tarball="$rootfs.tar"
  # a reproducible tarball: the same files give the same bytes, so the same hash
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$tarball" .
  local hash
  hash=$({ echo "format $FORMAT"; printf '%s\n' "$@"; sha256sum <"$tarball"; } | sha256sum | cut -c1-64)
  local current
  current=$(docker image inspect --format "{{ index .Config.Labels \"$CONTENT_LABEL\" }}" "$image" 2>/dev/null || true)
  if [ "$current" = "$hash" ]; then
    log "$image is up to date"
    rm -f "$tarball"
    return
  fi
  local previous changes=() change
  previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  for change in "$@" "LABEL $CONTENT_LABEL=$hash"; do
    changes+=(--change "$change")
  done
  docker import "${changes[@]}" --message "built by tinyllm-it/images/build-images.sh" \
    "$tarball" "$image" >/dev/null
  rm -f "$tarball"
  # the image this replaced, once left with no tag, is dropped unless a container still uses it
  if [ -n "$previous" ] && [ "$(docker image inspect --format '{{len .RepoTags}}' "$previous" 2>/dev/null)" = 0 ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
  log "built $image ($(du -sh "$rootfs" | cut -f1) uncompressed)"
}

# "pushgateway, version 1.5.1 (branch..." or "prometheus, version 2.42.0+ds (..." -> 1.5.1 / 2.42.0
upstream_version() {
  local version
  version=$("$1" --version 2>&1 | head -n1 | sed -nE 's/^[^,]*, version ([0-9][0-9A-Za-z.]*).*/\1/p')
  if [ -z "$version" ]; then
    log "ERROR: cannot read the version of $1 from '$1 --version'"
    exit 1
  fi
  echo "$version"
}

build_pushgateway() {
  local bin=${PUSHGATEWAY_BIN:-/usr/bin/prometheus-pushgateway}
  if [ ! -x "$bin" ]; then
    missing "tinyllm/pushgateway: '$bin' not found (Debian package prometheus-pushgateway)"
    return
  fi
  local version rootfs="$work_dir/pushgateway"
  version=$(upstream_version "$bin")
  base_rootfs "$rootfs"
  mkdir -p "$rootfs/bin"
  cp -L "$bin" "$rootfs/bin/pushgateway"
  copy_libraries "$rootfs" "$bin"
  # the layout and user of prom/pushgateway, so tests run unchanged against either
  import_image "tinyllm/pushgateway:$version" "$rootfs" \
    "USER $NOBODY" \
    "EXPOSE 9091" \
    'ENTRYPOINT ["/bin/pushgateway"]'
}

build_prometheus() {
  local bin=${PROMETHEUS_BIN:-/usr/bin/prometheus}
  if [ ! -x "$bin" ]; then
    missing "tinyllm/prometheus: '$bin' not found (Debian package prometheus)"
    return
  fi
  local version rootfs="$work_dir/prometheus"
  version=$(upstream_version "$bin")
  base_rootfs "$rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/etc/prometheus" "$rootfs/prometheus"
  # TSDB storage, written by user nobody
  chmod 1777 "$rootfs/prometheus"
  cp -L "$bin" "$rootfs/bin/prometheus"
  copy_libraries "$rootfs" "$bin"
  cat >"$rootfs/etc/prometheus/prometheus.yml" <<'EOF'
# Default configuration: Prometheus scrapes itself. Tests copy their own over this file.
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
EOF
  # the layout, user and default command of prom/prometheus
  import_image "tinyllm/prometheus:$version" "$rootfs" \
    "USER $NOBODY" \
    "EXPOSE 9090" \
    "WORKDIR /prometheus" \
    'ENTRYPOINT ["/bin/prometheus"]' \
    'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
}

build_cli() {
  if [ ! -d "$cli_dist/lib" ]; then
    missing "tinyllm/cli: no CLI distribution at '$cli_dist' (build it: ./mvnw -pl tinyllm-cli -am package -DskipTests)"
    return
  fi
  local java_home=${JAVA_HOME:-}
  if [ -z "$java_home" ]; then
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  if [ ! -d "$java_home/jmods" ] || [ ! -x "$java_home/bin/jlink" ]; then
    missing "tinyllm/cli: '$java_home' is not a JDK with jmods and jlink (Debian package openjdk-17-jdk)"
    return
  fi
  if [ -z "$cli_version" ]; then
    local jar
    jar=$(find "$cli_dist/lib" -maxdepth 1 -name 'tinyllm-cli-*.jar' | head -n1)
    cli_version=$(basename "${jar:-tinyllm-cli-unknown.jar}" .jar)
    cli_version=${cli_version#tinyllm-cli-}
  fi

  # the JRE depends only on the JDK and the module list, so it is cut once and kept
  local jre_key jre
  jre_key=$({ cat "$java_home/release"; echo "$JRE_MODULES"; } | sha256sum | cut -c1-16)
  jre="$work_dir/jre-$jre_key"
  if [ ! -x "$jre/bin/java" ]; then
    log "cutting a JRE with jlink from $java_home"
    rm -rf "$work_dir"/jre-*
    "$java_home/bin/jlink" --add-modules "$JRE_MODULES" --no-header-files --no-man-pages \
      --strip-debug --compress=2 --output "$jre"
  fi

  local rootfs="$work_dir/cli"
  base_rootfs "$rootfs"
  mkdir -p "$rootfs/opt"
  cp -a "$jre" "$rootfs/opt/java"
  cp -a "$cli_dist" "$rootfs/opt/tinyllm"
  copy_libraries "$rootfs" "$jre/bin/java" "$jre"/lib/*.so "$jre/lib/server/libjvm.so"
  # The image has no shell, so the entry point runs java itself (the JVM expands lib/*), as
  # bin/tinyllm does; JVM options go in JAVA_TOOL_OPTIONS. Arguments are the tinyllm command.
  import_image "tinyllm/cli:$cli_version" "$rootfs" \
    "ENV JAVA_HOME=/opt/java" \
    "ENV PATH=/opt/java/bin" \
    "USER $NOBODY" \
    "WORKDIR /tmp" \
    "EXPOSE 9478 11434" \
    'ENTRYPOINT ["/opt/java/bin/java", "-XX:+UseSerialGC", "-Dsun.net.httpserver.nodelay=true", "-cp", "/opt/tinyllm/lib/*", "io.tinyllm.cli.Main"]' \
    'CMD ["--help"]'
}

if ! docker_ok; then
  missing "Docker is not reachable ('docker info' failed; is dockerd running? DOCKER_API_VERSION=${DOCKER_API_VERSION:-unset})"
  exit 0
fi
mkdir -p "$work_dir"
work_dir=$(cd "$work_dir" && pwd -P)
for name in "${wanted[@]}"; do
  "build_$name"
done
