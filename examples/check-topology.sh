#!/usr/bin/env bash
# Checks the stage that examples/run.sh builds for ICE's sidecars, with no sidecars on it: plain traffic flows
# between the namespaces, a capture on the bridge shows it, and `up` and `down` are safe to repeat and leave
# nothing behind. A failure here is a fault of the topology, not of ICE.
#
# As root, from anywhere; about a minute. Ends with the line "N passed, N failed" and exits 1 if any failed.
set -euo pipefail

examples_dir=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
run_sh=$examples_dir/run.sh
[ "$(id -u)" -eq 0 ] || { echo "check-topology.sh: must run as root" >&2; exit 2; }

export ICE_EXAMPLE_UNSAFE_NO_SIDECARS=1
unset ICE_EXAMPLE_IPV6

passed=0
failed=0
work=$(mktemp -d)
trap 'capture_stop; "$run_sh" down nginx; "$run_sh" down mqtt; rm -rf "$work"' EXIT

# --- Helpers --------------------------------------------------------------------------------------------------

scenario() {
  echo
  echo "Scenario: $*"
}

# check DESCRIPTION COMMAND...: one verdict line per check.
check() {
  local description=$1
  shift
  if "$@"; then
    echo "  ok    $description"
    passed=$((passed + 1))
  else
    echo "  FAIL  $description"
    failed=$((failed + 1))
  fi
}

up() {
  "$run_sh" up "$1" 2>"$work/up.err" || { cat "$work/up.err" >&2; return 1; }
  eval "$("$run_sh" env "$1")"
}

contains() {
  grep -q -- "$2" <<<"$1"
}

fetch() {
  ip netns exec "$1" curl -sg --max-time 10 "$2"
}

# Starts tcpdump on the bridge and returns once it listens, so that nothing sent afterwards is missed.
# --immediate-mode hands each packet over at once; by default libpcap batches them for up to a second, and a
# capture stopped within that second loses them.
capture_start() {
  tcpdump -i ice-br0 --immediate-mode -n -A -l "$1" >"$work/capture.txt" 2>"$work/capture.err" &
  capture_pid=$!
  local polls=0
  until grep -qs 'listening on' "$work/capture.err"; do
    polls=$((polls + 1))
    [ "$polls" -lt 50 ] || return 1
    sleep 0.1
  done
}

# SIGINT makes tcpdump flush what it captured before it exits. The pause lets the last packets of a
# connection that just closed reach it.
capture_stop() {
  if [ -n "${capture_pid:-}" ]; then
    sleep 0.3
    kill -INT "$capture_pid" 2>/dev/null || true
    wait "$capture_pid" 2>/dev/null || true
    capture_pid=""
  fi
}

captured() {
  grep -q -- "$1" "$work/capture.txt"
}

# The pids in an example's namespaces, to check after `down` that none of them runs any more.
pids_in() {
  local namespace
  for namespace in ${1//,/ }; do
    ip netns pids "$namespace" 2>/dev/null || true
  done
}

# A zombie has exited and only waits to be reaped, so it does not count as running.
none_running() {
  local pid state
  for pid in "$@"; do
    state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null || true)
    if [ -n "$state" ] && [ "$state" != Z ]; then
      return 1
    fi
  done
}

no_namespace_named() {
  ! ip netns list | grep -q "^ice-$1-"
}

no_link() {
  ! ip link show dev "$1" >/dev/null 2>&1
}

bridge_exists() {
  ip link show dev ice-br0 >/dev/null 2>&1
}

# --- nginx ----------------------------------------------------------------------------------------------------

scenario "without sidecars, curl in the client namespace gets nginx's page and all of big.bin from the server"
check "up nginx succeeds" up nginx
check "the page holds the marker" contains "$(fetch "$ICE_NS_CLIENT" "$ICE_URL")" "$ICE_MARKER"
fetch "$ICE_NS_CLIENT" "$ICE_URL$ICE_BIG_FILE" >"$work/big.bin" || true
check "big.bin arrives whole ($ICE_BIG_FILE_BYTES bytes)" cmp -s "$work/big.bin" "$ICE_RUN_DIR/www/$ICE_BIG_FILE"

scenario "without sidecars, the outsider reaches nginx too (only a sidecar can refuse it)"
check "the outsider gets the page" contains "$(fetch "$ICE_NS_OUTSIDER" "$ICE_URL")" "$ICE_MARKER"

scenario "without sidecars, a capture on the bridge shows the page in plaintext (what the sidecars must hide)"
check "tcpdump listens on ice-br0" capture_start "tcp port $ICE_PORT"
fetch "$ICE_NS_CLIENT" "$ICE_URL" >/dev/null || true
capture_stop
check "the capture holds the marker" captured "$ICE_MARKER"

scenario "a second up replaces the first: one nginx, still serving"
check "up nginx again succeeds" up nginx
check "one nginx master in the server namespace" \
  test "$(ip netns exec "$ICE_NS_SERVER" pgrep -c -f 'nginx: master')" = 1
check "the page still arrives" contains "$(fetch "$ICE_NS_CLIENT" "$ICE_URL")" "$ICE_MARKER"

scenario "down removes processes, namespaces, veth pairs and the bridge, and is safe to repeat"
mapfile -t nginx_pids < <(pids_in "$ICE_NAMESPACES")
check "down nginx succeeds" "$run_sh" down nginx
check "down nginx again succeeds" "$run_sh" down nginx
check "no process of the example runs" none_running "${nginx_pids[@]}"
check "no ice-nginx-* namespace" no_namespace_named nginx
check "no veth end on the host" no_link "$ICE_BRIDGE_PORT_SERVER"
check "no bridge ice-br0" no_link ice-br0
check "env says it is down" contains "$("$run_sh" env nginx)" "ICE_UP=0"

# --- mqtt -----------------------------------------------------------------------------------------------------

scenario "without sidecars, a message published in one namespace reaches a subscriber in another via the broker"
check "up mqtt succeeds" up mqtt
ip netns exec "$ICE_NS_SUBSCRIBER" mosquitto_sub -h "$ICE_BROKER" -t "$ICE_TOPIC" -C 2 -W 10 \
  >"$work/received.txt" 2>&1 &
subscriber_pid=$!
check "tcpdump listens on ice-br0" capture_start "tcp port $ICE_PORT"
# The subscription must be in place before anything is published: the broker keeps no messages here.
sleep 1
ip netns exec "$ICE_NS_PUBLISHER" mosquitto_pub -h "$ICE_BROKER" -t "$ICE_TOPIC" -m "from publisher $ICE_MARKER"
ip netns exec "$ICE_NS_OUTSIDER" mosquitto_pub -h "$ICE_BROKER" -t "$ICE_TOPIC" -m "from outsider"
wait "$subscriber_pid" || true
capture_stop
check "the subscriber got the publisher's message" grep -q "from publisher $ICE_MARKER" "$work/received.txt"
check "the subscriber got the outsider's message (no sidecar refuses it)" \
  grep -q "from outsider" "$work/received.txt"
check "the capture holds the marker" captured "$ICE_MARKER"

scenario "the two examples share the bridge: down of one keeps it for the other"
check "up nginx succeeds next to mqtt" up nginx
check "down nginx succeeds" "$run_sh" down nginx
check "the bridge stays for mqtt" bridge_exists
eval "$("$run_sh" env mqtt)"
mapfile -t mqtt_pids < <(pids_in "$ICE_NAMESPACES")
check "down mqtt succeeds" "$run_sh" down mqtt
check "no process of the example runs" none_running "${mqtt_pids[@]}"
check "no ice-mqtt-* namespace" no_namespace_named mqtt
check "no bridge ice-br0" no_link ice-br0

# --- IPv6 -----------------------------------------------------------------------------------------------------

scenario "with ICE_EXAMPLE_IPV6=1, nginx answers on 2001:db8:: addresses and on IPv4 alike"
export ICE_EXAMPLE_IPV6=1
check "up nginx with IPv6 succeeds" up nginx
check "the page arrives over IPv6" contains "$(fetch "$ICE_NS_CLIENT" "$ICE_URL6")" "$ICE_MARKER"
check "the page arrives over IPv4" contains "$(fetch "$ICE_NS_CLIENT" "$ICE_URL")" "$ICE_MARKER"
check "down nginx succeeds" "$run_sh" down nginx

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
