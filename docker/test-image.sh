#!/usr/bin/env bash
# Proves that ICE's image works as a sidecar in real containers: it builds docker/Dockerfile with podman, offline,
# and runs the nginx example as containers on a podman network. nginx and curl each share the network namespace of
# an ICE sidecar. It checks that a 10 MiB file arrives intact, that only ciphertext crosses the network's bridge,
# that the banner shows in `podman logs`, that a client with a wrong key is refused and the server's sidecar says
# why, and that every container stops cleanly and in time. Then it removes the containers, the network and the
# firewall chains netavark added, and leaves the image tagged localhost/ice:test.
#
# Run as root on Debian 12, from anywhere: docker/test-image.sh. It installs what it lacks with apt-get. It exits 0
# only when every check passed, and prints one PASS or FAIL line per check at the end.
set -Eeuo pipefail

DOCKER_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(dirname "$DOCKER_DIR")

IMAGE=localhost/ice:test
BUILD_BASE=localhost/ice-build-base:bookworm
RUNTIME_BASE=localhost/ice-runtime-base:bookworm
SERVICES_IMAGE=localhost/ice-test-services:bookworm

NETWORK=ice-test-net
# RFC 2544's benchmarking range, which ICE's tests use; netavark's bridge takes the first address.
SUBNET=198.18.0.0/24
# Every container this script makes starts with this, so that a rerun can remove what an earlier run left.
PREFIX=ice-test-
SERVER_SIDECAR=${PREFIX}server-sidecar
NGINX=${PREFIX}nginx
CLIENT_SIDECAR=${PREFIX}client-sidecar
CURL=${PREFIX}curl
INTRUDER_SIDECAR=${PREFIX}intruder-sidecar
INTRUDER_CURL=${PREFIX}intruder-curl
OUTSIDER=${PREFIX}outsider

# nobody:nogroup, the client's sidecar's user.
UNPRIVILEGED_USER=65534:65534
MARKER=ICE-PLAINTEXT-MARKER-PAGE
BIG_FILE_BYTES=$((10 * 1024 * 1024))
READY_TIMEOUT=60
# How long a container may take to exit after SIGTERM. ICE closes open connections at once on SIGTERM and has no
# drain yet, so a sidecar needs well under a second; podman kills whatever still runs after this.
STOP_TIMEOUT=10

DEBIAN_MIRROR=${ICE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
JDK=${ICE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
MAVEN_REPO=${ICE_MAVEN_REPO:-$HOME/.m2/repository}
DEB_CACHE=/var/cache/ice-docker/debs

WORK=""
checks=()
failures=0

say() {
  echo "test-image: $*" >&2
}

die() {
  say "$*"
  exit 1
}

# --- checks -------------------------------------------------------------------------------------------------------

pass() {
  checks+=("PASS  $1")
  say "PASS  $1"
}

fail() {
  checks+=("FAIL  $1${2:+: $2}")
  failures=$((failures + 1))
  say "FAIL  $1${2:+: $2}"
}

# The last line has the plain "N passed, N failed" form that CI reads.
print_summary() {
  local line
  echo
  echo "docker/test-image.sh summary:"
  for line in "${checks[@]}"; do
    echo "  $line"
  done
  echo "test-image: $((${#checks[@]} - failures)) passed, $failures failed"
}

# --- the machine --------------------------------------------------------------------------------------------------

install_missing_packages() {
  local missing=() pair
  for pair in podman:podman runc:runc /usr/lib/podman/netavark:netavark /usr/lib/podman/aardvark-dns:aardvark-dns \
    debootstrap:debootstrap tcpdump:tcpdump iptables:iptables nft:nftables mvn:maven; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  [ -x "$JDK/bin/java" ] || die "no JDK 25 at $JDK: set ICE_JDK to one (Temurin 25 is expected there)"
}

# podman reads this file instead of /etc/containers/containers.conf, so the machine's own settings stay untouched.
# runc: Debian's crun 1.8 rejects this kind of host's hybrid cgroups. cgroupfs: no systemd manages cgroups here.
# default_ulimits: root lacks CAP_SYS_RESOURCE here, so podman may not raise nofile above the hard limit it has.
write_containers_conf() {
  local nofile
  nofile=$(ulimit -Hn)
  cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"

[network]
network_backend = "netavark"
EOF
  export CONTAINERS_CONF=$WORK/containers.conf
}

# The host's netfilter ruleset and forwarding switch before netavark touches them, to put them back afterwards.
record_host_network_state() {
  nft list ruleset >"$WORK/ruleset-before.nft"
  sysctl -n net.ipv4.ip_forward >"$WORK/ip-forward-before"
}

# --- base images --------------------------------------------------------------------------------------------------

# An image is rebuilt only when its recipe changes: the recipe's hash is kept in the image's label.
image_is_current() {
  local image=$1 recipe=$2
  [ "$(podman image inspect --format '{{index .Labels "dev.ice.recipe"}}' "$image" 2>/dev/null)" = "$recipe" ]
}

recipe_of() {
  echo "$*" | sha256sum | cut -c1-16
}

# A Debian 12 root file system from Debian's packages: debootstrap's minbase plus the packages named.
debootstrap_rootfs() {
  local rootfs=$1 packages=$2
  mkdir -p "$DEB_CACHE"
  say "debootstrap bookworm with $packages (log: $WORK/debootstrap.log)"
  debootstrap --variant=minbase --include="$packages" --cache-dir="$DEB_CACHE" \
    bookworm "$rootfs" "$DEBIAN_MIRROR" >>"$WORK/debootstrap.log" 2>&1 ||
    die "debootstrap failed; the end of $WORK/debootstrap.log: $(tail -n 5 "$WORK/debootstrap.log")"
}

# As Debian's slim images do: no documentation, manuals or translations, now or from later installs; no apt lists.
slim_rootfs() {
  local rootfs=$1
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/ice-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*
}

import_rootfs() {
  local rootfs=$1 image=$2 recipe=$3
  shift 3
  tar -C "$rootfs" -c . | podman import --quiet --change "LABEL dev.ice.recipe=$recipe" "$@" - "$image" >/dev/null
  rm -rf "$rootfs"
  say "imported $image"
}

# The runtime base: a slim Debian that already has the netfilter tools, since the build has no network for apt.
prepare_runtime_base() {
  local packages=iptables,nftables,iproute2 recipe rootfs=$WORK/rootfs-runtime
  recipe=$(recipe_of runtime-v1 "$packages" "$DEBIAN_MIRROR")
  image_is_current "$RUNTIME_BASE" "$recipe" && return 0
  debootstrap_rootfs "$rootfs" "$packages"
  slim_rootfs "$rootfs"
  import_rootfs "$rootfs" "$RUNTIME_BASE" "$recipe" --change 'CMD ["/bin/bash"]'
}

# The build base: Debian's Maven, and Temurin 25 copied from this machine, since Debian 12 packages no JDK 25.
# Debian's maven package also brings OpenJDK 17, which JAVA_HOME and PATH leave unused.
prepare_build_base() {
  local recipe rootfs=$WORK/rootfs-build
  recipe=$(recipe_of build-v1 maven "$DEBIAN_MIRROR" "$(cat "$JDK/release")")
  image_is_current "$BUILD_BASE" "$recipe" && return 0
  debootstrap_rootfs "$rootfs" maven
  slim_rootfs "$rootfs"
  cp -a "$JDK" "$rootfs/opt/jdk-25"
  import_rootfs "$rootfs" "$BUILD_BASE" "$recipe" \
    --change 'ENV JAVA_HOME=/opt/jdk-25' \
    --change 'ENV PATH=/opt/jdk-25/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow' \
    --change 'CMD ["/bin/bash"]'
}

# nginx and curl for the example, since no registry offers their official images here.
prepare_services_image() {
  local packages=nginx,curl recipe rootfs=$WORK/rootfs-services
  recipe=$(recipe_of services-v1 "$packages" "$DEBIAN_MIRROR")
  image_is_current "$SERVICES_IMAGE" "$recipe" && return 0
  debootstrap_rootfs "$rootfs" "$packages"
  slim_rootfs "$rootfs"
  import_rootfs "$rootfs" "$SERVICES_IMAGE" "$recipe" --change 'CMD ["/bin/bash"]'
}

# --- the ICE image ------------------------------------------------------------------------------------------------

# The build inside the image runs offline, from the local Maven repository that a build here fills. It is mounted
# as an overlay, so the image build cannot change it.
fill_maven_repository() {
  say "filling $MAVEN_REPO with what the build needs (mvn package here; log: $WORK/maven.log)"
  (cd "$REPO" && JAVA_HOME=$JDK MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow" \
    mvn -B -q -Dmaven.repo.local="$MAVEN_REPO" -DskipTests package) >"$WORK/maven.log" 2>&1 ||
    die "mvn package failed here; the end of $WORK/maven.log: $(tail -n 20 "$WORK/maven.log")"
}

build_image() {
  local started=$SECONDS
  say "building $IMAGE (log: $WORK/build.log)"
  if podman build --network none --layers=false \
    --volume "$MAVEN_REPO:/root/.m2/repository:O" \
    --build-arg BUILD_BASE="$BUILD_BASE" --build-arg RUNTIME_BASE="$RUNTIME_BASE" \
    --build-arg MAVEN_ARGS=--offline \
    -f "$DOCKER_DIR/Dockerfile" -t "$IMAGE" "$REPO" >"$WORK/build.log" 2>&1; then
    pass "image $IMAGE builds offline ($((SECONDS - started)) s; $(grep -m1 '^jlink modules:' "$WORK/build.log"))"
  else
    fail "image $IMAGE builds offline" "see $WORK/build.log"
    tail -n 20 "$WORK/build.log" | sed 's/^/    /' >&2
    return 1
  fi
  # An earlier $IMAGE that this build untagged.
  podman image prune -f --filter label=dev.ice.image=ice >/dev/null
}

report_image_size() {
  local bytes
  bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
  pass "image size $(awk -v bytes="$bytes" 'BEGIN { printf "%.1f", bytes / 1e6 }') MB ($bytes bytes, uncompressed)"
}

# --- the example --------------------------------------------------------------------------------------------------

# $1 is "keep-logs" in the final cleanup: each container's log is saved to the work dir first.
remove_containers() {
  local names name
  names=$(podman ps -a --format '{{.Names}}' | grep "^$PREFIX" || true)
  if [ "${1:-}" = keep-logs ]; then
    for name in $names; do
      save_log "$name" >/dev/null
    done
  fi
  if [ -n "$names" ]; then
    # shellcheck disable=SC2086 # one name a word
    podman rm -f -t 0 $names >/dev/null
  fi
}

remove_network() {
  if podman network exists "$NETWORK"; then
    podman network rm -f "$NETWORK" >/dev/null
  fi
}

create_network() {
  podman network create --subnet "$SUBNET" "$NETWORK" >/dev/null
  BRIDGE=$(podman network inspect --format '{{.NetworkInterface}}' "$NETWORK")
  say "network $NETWORK: $SUBNET on bridge $BRIDGE"
}

# The site nginx serves: the example's page, which holds the marker, and 10 MiB of random bytes.
write_site() {
  mkdir -p "$WORK/www"
  cp "$REPO/examples/nginx/html/index.html" "$WORK/www/index.html"
  head -c "$BIG_FILE_BYTES" /dev/urandom >"$WORK/www/big.bin"
  chmod -R a+rX "$WORK/www"
  cat >"$WORK/nginx.conf" <<'EOF'
# docker/test-image.sh's nginx: the example's site on port 80, in the foreground, logging to the container's output.
daemon off;
worker_processes 1;
error_log /dev/stderr notice;
events {
    worker_connections 64;
}
http {
    access_log /dev/stdout;
    types {
        text/html html;
        application/octet-stream bin;
    }
    server {
        listen 80;
        root /srv/www;
    }
}
EOF
}

# A key reaches podman through its environment only (-e NAME without a value), never a command line. With no key,
# the further arguments, which go to podman run before the image, must name a key file.
start_sidecar() {
  local name=$1 roles=$2 key=$3 key_variable=()
  shift 3
  if [ -n "$key" ]; then
    key_variable=(-e ICE_PRESHARED_KEY)
  fi
  ICE_PRESHARED_KEY=$key podman run -d --name "$name" --network "$NETWORK" --cap-add NET_ADMIN "$@" \
    -e ICE_ROLES="$roles" -e ICE_CRYPTO_STRATEGY=ice -e ICE_ENCRYPTION_ENABLED=True "${key_variable[@]}" \
    "$IMAGE" >/dev/null
}

# The key as a file for the server's sidecar, as a Kubernetes Secret would mount it.
write_key_file() {
  mkdir -m 700 "$WORK/psk"
  (umask 077 && echo "$1" >"$WORK/psk/key")
}

# Writes what `podman logs` shows for a container to the work dir, and prints the file's name. Reading a file, not
# a pipe, matters: with pipefail, a grep -q that stops reading early would fail the pipe that feeds it.
save_log() {
  local file=$WORK/logs/$1.log
  mkdir -p "$WORK/logs"
  podman logs "$1" >"$file" 2>&1 || true
  echo "$file"
}

# Waits until a sidecar logs "ready"; a sidecar that exits ends the wait at once.
await_ready() {
  local name=$1 deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if grep -q 'sidecar ready' "$(save_log "$name")"; then
      return 0
    fi
    if [ "$(podman inspect --format '{{.State.Running}}' "$name")" != true ]; then
      say "$name exited; its log:"
      tail -n 20 "$(save_log "$name")" | sed 's/^/    /' >&2
      return 1
    fi
    sleep 0.5
  done
  say "$name did not log 'sidecar ready' within $READY_TIMEOUT s"
  return 1
}

# nginx listens in its sidecar's namespace; the ICE image has ss, nginx's has none.
await_nginx() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    podman exec "$SERVER_SIDECAR" ss -Hltn 'sport = :80' | grep -q . && return 0
    sleep 0.5
  done
  say "nginx did not listen on port 80 within $READY_TIMEOUT s; its log:"
  tail -n 20 "$(save_log "$NGINX")" | sed 's/^/    /' >&2
  return 1
}

start_nginx() {
  podman run -d --name "$NGINX" --network "container:$SERVER_SIDECAR" \
    -v "$WORK/www:/srv/www:ro" -v "$WORK/nginx.conf:/etc/nginx/ice-test.conf:ro" \
    "$SERVICES_IMAGE" nginx -c /etc/nginx/ice-test.conf >/dev/null
}

# A shell that waits for SIGTERM and exits 0 on it (as the first process, it would otherwise ignore the signal).
start_curl() {
  local name=$1 sidecar=$2
  podman run -d --name "$name" --network "container:$sidecar" "$SERVICES_IMAGE" \
    sh -c 'trap "exit 0" TERM; sleep infinity & wait' >/dev/null
}

# The server's sidecar runs as examples/nginx/k8s/nginx.yaml runs it: root with NET_ADMIN as its only capability, no
# privilege escalation, a read-only root file system with a writable /tmp, and its key from a file.
start_example() {
  local key=$1
  write_key_file "$key"
  start_sidecar "$SERVER_SIDECAR" server:tcp:80 "" --cap-drop all --security-opt no-new-privileges \
    --read-only --read-only-tmpfs=false --tmpfs /tmp \
    -v "$WORK/psk:/etc/ice:ro" -e ICE_PRESHARED_KEY_FILE=/etc/ice/key
  await_ready "$SERVER_SIDECAR" || return 1
  start_nginx
  await_nginx || return 1

  # The client's sidecar must be ready before curl runs, or curl's first requests would leave in plaintext. It runs
  # with the least it needs: no root, and NET_ADMIN as its only capability.
  start_sidecar "$CLIENT_SIDECAR" client:tcp:80 "$key" --user "$UNPRIVILEGED_USER" --cap-drop all
  await_ready "$CLIENT_SIDECAR" || return 1
  start_curl "$CURL" "$CLIENT_SIDECAR"
}

start_capture() {
  # A 64 MiB buffer: with the default, the kernel drops packets of a fast 10 MiB transfer, unseen by the checks.
  tcpdump -i "$BRIDGE" -B 65536 -U -w "$WORK/wire.pcap" tcp port 80 >"$WORK/tcpdump.log" 2>&1 &
  CAPTURE_PID=$!
  # tcpdump says "listening on" once it captures.
  local deadline=$((SECONDS + 10))
  until grep -q 'listening on' "$WORK/tcpdump.log"; do
    [ $SECONDS -lt $deadline ] || die "tcpdump did not start on $BRIDGE: $(cat "$WORK/tcpdump.log")"
    sleep 0.2
  done
}

stop_capture() {
  sleep 1
  kill "$CAPTURE_PID"
  wait "$CAPTURE_PID" || true
}

# --- the checks on the running example ----------------------------------------------------------------------------

# The sidecars' first processes, as the kernel sees them. CapEff 0x1000 is NET_ADMIN (bit 12, capabilities(7))
# alone. The client's runs as nobody: podman hands capabilities added with --cap-add to a non-root user as ambient
# ones, so Java and the nft it runs have NET_ADMIN without root.
check_least_privilege() {
  check_runs_as "$SERVER_SIDECAR" 0
  check_runs_as "$CLIENT_SIDECAR" "${UNPRIVILEGED_USER%%:*}"
  if [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$SERVER_SIDECAR")" = true ]; then
    pass "$SERVER_SIDECAR runs on a read-only root file system, with its key from a file"
  else
    fail "$SERVER_SIDECAR runs on a read-only root file system" "its root file system is writable"
  fi
}

check_runs_as() {
  local name=$1 uid=$2 status
  status=$(podman exec "$name" cat /proc/1/status)
  if grep -qE "^Uid:\s+$uid\s" <<<"$status" && grep -qE '^CapEff:\s+0+1000$' <<<"$status"; then
    pass "$name runs as uid $uid with NET_ADMIN as its only capability"
  else
    fail "$name runs as uid $uid with NET_ADMIN as its only capability" \
      "$(grep -E '^(Uid|CapEff):' <<<"$status" | paste -sd' ')"
  fi
}

check_banners() {
  local name
  for name in "$SERVER_SIDECAR" "$CLIENT_SIDECAR"; do
    if grep -q 'Ironclad Container Encryption' "$(save_log "$name")"; then
      pass "banner shows in podman logs $name"
    else
      fail "banner shows in podman logs $name" "not found in its log"
    fi
  done
}

check_page() {
  local page
  page=$(podman exec "$CURL" curl -sS --max-time 10 "http://$SERVER_SIDECAR/" 2>&1) || true
  if grep -q "$MARKER" <<<"$page"; then
    pass "curl gets nginx's page, marker and all, through both sidecars"
  else
    fail "curl gets nginx's page, marker and all, through both sidecars" "got: ${page:0:200}"
  fi
}

check_big_file() {
  local expected actual
  expected=$(sha256sum "$WORK/www/big.bin" | cut -d' ' -f1)
  actual=$(podman exec "$CURL" sh -c \
    "curl -sS --fail --max-time 60 -o /tmp/big.bin http://$SERVER_SIDECAR/big.bin && sha256sum /tmp/big.bin" \
    2>&1) || true
  if [ "${actual%% *}" = "$expected" ]; then
    pass "10 MiB file arrives intact (SHA-256 ${expected:0:16}...)"
  else
    fail "10 MiB file arrives intact" "expected SHA-256 $expected, got: ${actual:0:200}"
  fi
}

# A client without a sidecar speaks plaintext HTTP to nginx's port: the server's sidecar refuses it. Its request
# also shows that the capture would see plaintext if any crossed the bridge.
check_outsider() {
  if podman run --rm --name "$OUTSIDER" --network "$NETWORK" "$SERVICES_IMAGE" \
    curl -sS --max-time 5 -o /dev/null "http://$SERVER_SIDECAR/" >"$WORK/outsider.log" 2>&1; then
    fail "a plaintext client without a sidecar is refused" "it got a page"
  else
    pass "a plaintext client without a sidecar is refused ($(head -c 120 "$WORK/outsider.log"))"
  fi
}

# The whole transfer crossed the bridge, the capture saw the outsider's plaintext request, and no byte of the page.
check_wire() {
  local payload_bytes dropped
  tcpdump -r "$WORK/wire.pcap" -A 2>/dev/null >"$WORK/wire.txt"
  payload_bytes=$(tcpdump -r "$WORK/wire.pcap" -nn -q 2>/dev/null | awk '{ sum += $NF } END { print sum + 0 }')

  dropped=$(awk '/dropped by kernel/ { print $1 }' "$WORK/tcpdump.log")
  if [ "$payload_bytes" -ge "$BIG_FILE_BYTES" ] && [ "$dropped" = 0 ]; then
    pass "capture on $BRIDGE holds the whole transfer ($payload_bytes bytes of TCP payload on port 80, none dropped)"
  else
    fail "capture on $BRIDGE holds the whole transfer" \
      "$payload_bytes bytes of TCP payload on port 80, ${dropped:-an unknown number of} packets dropped by the kernel"
  fi
  if grep -q 'GET / HTTP/1.1' "$WORK/wire.txt"; then
    pass "capture shows plaintext when it crosses (the outsider's request is readable)"
  else
    fail "capture shows plaintext when it crosses" "the outsider's request is not in it"
  fi
  if grep -q "$MARKER" "$WORK/wire.txt"; then
    fail "traffic between the sidecars is ciphertext" "the marker $MARKER is on the wire"
  else
    pass "traffic between the sidecars is ciphertext (marker $MARKER nowhere on the wire)"
  fi
}

# A client whose sidecar has another key: the fetch fails, and both sidecars log why.
check_wrong_key() {
  local wrong_key
  wrong_key=$(generate_key)
  start_sidecar "$INTRUDER_SIDECAR" client:tcp:80 "$wrong_key"
  await_ready "$INTRUDER_SIDECAR" || { fail "wrong key refused" "its sidecar did not start"; return 0; }
  start_curl "$INTRUDER_CURL" "$INTRUDER_SIDECAR"

  if podman exec "$INTRUDER_CURL" curl -sS --max-time 10 -o /dev/null "http://$SERVER_SIDECAR/" \
    >"$WORK/intruder.log" 2>&1; then
    fail "a fetch with a wrong key fails" "it got a page"
  else
    pass "a fetch with a wrong key fails ($(head -c 120 "$WORK/intruder.log"))"
  fi

  check_logged_why "$SERVER_SIDECAR" 'wrong key'
  check_logged_why "$INTRUDER_SIDECAR" 'key rejected by peer'
}

check_logged_why() {
  local name=$1 reason=$2 line
  line=$(await_log_line "$name" "$reason") || true
  if [ -n "$line" ]; then
    pass "$name logs why: ${line:0:160}"
  else
    fail "$name logs why" "no '$reason' line in podman logs $name"
  fi
}

# The first line of a container's log matching a pattern, waiting up to 5 s for it.
await_log_line() {
  local name=$1 pattern=$2 deadline=$((SECONDS + 5)) line
  while [ $SECONDS -lt $deadline ]; do
    line=$(grep -m1 "$pattern" "$(save_log "$name")") && { echo "$line"; return 0; }
    sleep 0.5
  done
  return 1
}

generate_key() {
  podman run --rm --network none "$IMAGE" key generate
}

# Services first, then their sidecars, as Compose stops them: a sidecar owns the namespace its service uses.
check_clean_stop() {
  local name started elapsed_ms code
  for name in "$CURL" "$INTRUDER_CURL" "$NGINX" "$CLIENT_SIDECAR" "$INTRUDER_SIDECAR" "$SERVER_SIDECAR"; do
    started=$(date +%s%N)
    podman stop -t "$STOP_TIMEOUT" "$name" >/dev/null
    elapsed_ms=$((($(date +%s%N) - started) / 1000000))
    code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
    if [ "$code" = 0 ] && [ "$elapsed_ms" -lt $((STOP_TIMEOUT * 1000)) ]; then
      pass "$name stops cleanly: exit 0 after $elapsed_ms ms"
    else
      fail "$name stops cleanly within $STOP_TIMEOUT s" "exit $code after $elapsed_ms ms"
    fi
  done
}

# --- cleanup ------------------------------------------------------------------------------------------------------

# netavark leaves its chains (all named NETAVARK...) and the jumps to them in the host's iptables after the last
# network goes. Only those are removed; a table is deleted only when it did not exist before and is empty now.
# netavark's chains that were there before this script ran serve other podman networks, and stay.
remove_netavark_chains() {
  local cmd table chain number
  if grep -q NETAVARK "$WORK/ruleset-before.nft"; then
    say "netavark's chains were in the host's firewall before this run; they stay"
    return 0
  fi
  for cmd in iptables ip6tables; do
    for table in nat filter; do
      for chain in PREROUTING INPUT FORWARD OUTPUT POSTROUTING; do
        # Highest number first, so that deleting one does not renumber the next.
        for number in $(netavark_jump_numbers "$cmd" "$table" "$chain"); do
          "$cmd" -w 5 -t "$table" -D "$chain" "$number"
        done
      done
      for chain in $("$cmd" -w 5 -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        "$cmd" -w 5 -t "$table" -F "$chain"
      done
      for chain in $("$cmd" -w 5 -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        "$cmd" -w 5 -t "$table" -X "$chain"
      done
    done
  done
  remove_tables_netavark_created
}

# The numbers of the rules in a built-in chain that jump to a netavark chain, highest first.
netavark_jump_numbers() {
  local cmd=$1 table=$2 chain=$3
  "$cmd" -w 5 -t "$table" -L "$chain" -n --line-numbers 2>/dev/null |
    awk '$2 ~ /^NETAVARK/ { print $1 }' | sort -rn
}

remove_tables_netavark_created() {
  local family table
  for family in ip ip6; do
    for table in nat filter; do
      grep -q "^table $family $table " "$WORK/ruleset-before.nft" && continue
      nft list table "$family" "$table" >/dev/null 2>&1 || continue
      # Still holding a rule (a line with a verdict or match after the chain headers): not ours to delete.
      if nft list table "$family" "$table" | grep -vE '^\s*(#|table|chain|type|policy|\}|$)' | grep -q .; then
        continue
      fi
      nft delete table "$family" "$table"
    done
  done
}

restore_ip_forward() {
  local before
  before=$(cat "$WORK/ip-forward-before")
  [ "$(sysctl -n net.ipv4.ip_forward)" = "$before" ] || sysctl -q -w "net.ipv4.ip_forward=$before"
}

check_host_restored() {
  if diff -u "$WORK/ruleset-before.nft" <(nft list ruleset) >"$WORK/ruleset.diff"; then
    pass "the host's netfilter ruleset is as before"
  else
    fail "the host's netfilter ruleset is as before" "diff: $(head -c 400 "$WORK/ruleset.diff")"
  fi
}

cleanup() {
  local status=$?
  trap - EXIT
  set +e
  if [ -n "${CAPTURE_PID:-}" ]; then
    kill "$CAPTURE_PID" 2>/dev/null
  fi
  if [ -n "$WORK" ] && [ -f "$WORK/ruleset-before.nft" ]; then
    remove_containers keep-logs
    remove_network
    remove_netavark_chains
    restore_ip_forward
    check_host_restored
  fi
  # A run that stopped early has failed even if no check did.
  if [ "$status" -ne 0 ] && [ "$failures" -eq 0 ]; then
    fail "the test runs to its end" "it stopped early with exit $status; the lines above say why"
  fi
  if [ "$failures" -gt 0 ]; then
    status=1
  fi
  print_summary
  # A failed run keeps its logs and capture for a look.
  if [ -n "$WORK" ] && [ "$status" -eq 0 ] && [ "${ICE_TEST_KEEP_WORK:-0}" != 1 ]; then
    rm -rf "$WORK"
  elif [ -n "$WORK" ]; then
    say "logs and capture kept in $WORK"
  fi
  exit "$status"
}

main() {
  [ "$(id -u)" = 0 ] || die "run me as root: podman, netavark and tcpdump need it"
  local started=$SECONDS key
  WORK=$(mktemp -d /tmp/ice-test-image.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  install_missing_packages
  write_containers_conf
  record_host_network_state
  remove_containers
  remove_network

  prepare_runtime_base
  prepare_build_base
  prepare_services_image
  fill_maven_repository
  build_image
  report_image_size

  create_network
  write_site
  key=$(generate_key)
  start_example "$key" || die "the example did not start"
  check_banners
  check_least_privilege
  start_capture
  check_page
  check_big_file
  check_outsider
  stop_capture
  check_wire
  check_wrong_key
  check_clean_stop
  say "done in $((SECONDS - started)) s"
}

main "$@"
