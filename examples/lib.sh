# shellcheck shell=bash
# Shared pieces of examples/run.sh: a bridge in the root namespace, one network namespace per "container",
# processes started and stopped inside them, and the Debian packages the examples need.
#
# Sourced, not run. Every name it defines starts with ice_ or ICE_, so an example file can't clash with it.
# Callers set ICE_EXAMPLE and ICE_RUN_DIR first (run.sh does).

# The bridge that stands in for Docker's network. It has no address: the root namespace takes no part in the
# traffic, it only carries frames between the namespaces' veth ports, which is where tcpdump watches them.
ICE_BRIDGE=ice-br0

# Only these ranges are used: 198.18.0.0/24 (RFC 2544 benchmarking) and 2001:db8::/64 (RFC 3849 documentation).
ICE_NET4_PREFIX=198.18.0.
ICE_NET6_PREFIX=2001:db8::

# Where each example keeps its pids, configs and logs, so that `down` finds them from another shell.
# shellcheck disable=SC2034 # used by run.sh
ICE_RUN_ROOT=/tmp/ice-examples

# How long a stopped process gets to exit after SIGTERM before it is killed: a sidecar removes its netfilter
# rules on SIGTERM, so it is given time to do so.
ICE_STOP_GRACE_SECONDS=10

ice_say() {
  echo "run.sh: $*" >&2
}

ice_die() {
  ice_say "$*"
  exit 1
}

ice_require_root() {
  [ "$(id -u)" -eq 0 ] || ice_die "must run as root: it creates network namespaces, a bridge and veth pairs"
}

# --- Debian packages ------------------------------------------------------------------------------------------

# Installs Debian packages with apt-get. Their maintainer scripts would start nginx or mosquitto in the root
# namespace; a policy-rc.d that answers 101 ("action forbidden", invoke-rc.d(8)) stops that. An existing
# policy-rc.d is the administrator's and is left alone.
ice_apt_install() {
  local guard=/usr/sbin/policy-rc.d placed_guard=0 status=0
  if [ ! -e "$guard" ]; then
    printf '#!/bin/sh\n# Placed by ICE examples/run.sh for one apt-get run: start no services.\nexit 101\n' >"$guard"
    chmod 755 "$guard"
    placed_guard=1
  fi

  ice_say "installing Debian packages: $*"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }; then
    status=1
  fi

  if [ "$placed_guard" -eq 1 ]; then
    rm -f "$guard"
  fi
  return "$status"
}

# Makes sure each COMMAND:PACKAGE pair's command exists, installing the packages of those that don't.
ice_require_commands() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  ice_apt_install "${missing[@]}" || ice_die "apt-get could not install: ${missing[*]}"
}

# --- Topology -------------------------------------------------------------------------------------------------

ice_namespace_exists() {
  [ -e "/run/netns/$1" ]
}

ice_link_exists() {
  ip link show dev "$1" >/dev/null 2>&1
}

ice_create_bridge() {
  if ! ice_link_exists "$ICE_BRIDGE"; then
    # Another example may create it at the same moment; losing that race is fine.
    ip link add "$ICE_BRIDGE" type bridge 2>/dev/null || ice_link_exists "$ICE_BRIDGE"
  fi

  # No IPv6 link-local address either: the root namespace stays silent on the bridge.
  echo 1 >"/proc/sys/net/ipv6/conf/$ICE_BRIDGE/disable_ipv6"
  ip link set "$ICE_BRIDGE" up
}

# Removes the bridge once no example has a port on it any more.
ice_delete_bridge_if_unused() {
  ice_link_exists "$ICE_BRIDGE" || return 0
  if [ -z "$(ls -A "/sys/class/net/$ICE_BRIDGE/brif" 2>/dev/null)" ]; then
    ip link del "$ICE_BRIDGE" 2>/dev/null || true
  fi
}

# ice_add_host NAMESPACE BRIDGE_PORT OCTET IPV6
# Creates a namespace whose eth0 is a veth pair's end, plugged into the bridge by its other end BRIDGE_PORT
# (at most 15 characters, the kernel's IFNAMSIZ), with 198.18.0.OCTET/24 and, if IPV6 is 1, 2001:db8::OCTET/64.
# No default route: every peer is on the same link.
ice_add_host() {
  local namespace=$1 bridge_port=$2 octet=$3 ipv6=$4

  ip netns add "$namespace"
  ip link add "$bridge_port" type veth peer name eth0 netns "$namespace"
  echo 1 >"/proc/sys/net/ipv6/conf/$bridge_port/disable_ipv6"
  ip link set "$bridge_port" master "$ICE_BRIDGE" up

  ip -n "$namespace" link set lo up
  ip -n "$namespace" addr add "$ICE_NET4_PREFIX$octet/24" dev eth0
  if [ "$ipv6" = 1 ]; then
    # nodad: the address is usable at once instead of after duplicate address detection (about a second).
    ip -n "$namespace" addr add "$ICE_NET6_PREFIX$octet/64" dev eth0 nodad
  else
    # Without IPv6 the link carries no router solicitations or MLD reports, which keeps tcpdump's view clean.
    ip netns exec "$namespace" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6'
  fi
  ip -n "$namespace" link set eth0 up
}

# ice_remove_host NAMESPACE BRIDGE_PORT
# The veth pair goes first, at once: the kernel destroys a deleted namespace's devices later, in the background,
# and until then the bridge would still count the port.
ice_remove_host() {
  local namespace=$1 bridge_port=$2
  if ice_link_exists "$bridge_port"; then
    ip link del "$bridge_port" 2>/dev/null || true
  fi
  if ice_namespace_exists "$namespace"; then
    ip netns del "$namespace"
  fi
}

# --- Processes ------------------------------------------------------------------------------------------------

# The kernel's start time of a process (field 22 of /proc/PID/stat), which tells a pid apart from a later
# process that reuses it. Empty if the process is gone.
ice_process_start_time() {
  ice_process_stat_field "$1" 22
}

# ice_process_stat_field PID N: field N of /proc/PID/stat (proc(5)). The command name in field 2 may hold
# spaces, so fields are counted after its closing parenthesis.
ice_process_stat_field() {
  awk -v n="$2" '{ sub(/.*\) /, ""); print $(n - 2) }' "/proc/$1/stat" 2>/dev/null || true
}

# True while the process runs. A zombie has finished: nothing reaps it when its parent was run.sh, now gone,
# so it must not count as running.
ice_process_running() {
  local state
  state=$(ice_process_stat_field "$1" 3)
  [ -n "$state" ] && [ "$state" != Z ]
}

# ice_start NAME NAMESPACE COMMAND...
# Starts COMMAND inside NAMESPACE in the background, in a session of its own so that a Ctrl-C in the caller's
# terminal does not reach it (run.sh stops it with SIGTERM instead). Its output goes to $ICE_RUN_DIR/NAME.log and
# its stdin is /dev/null, so that a caller reading run.sh's output sees it end when run.sh does.
# `ip netns exec` and `setsid` both exec, so the pid recorded is COMMAND's own.
ice_start() {
  local name=$1 namespace=$2 pid
  shift 2

  setsid ip netns exec "$namespace" "$@" </dev/null >>"$ICE_RUN_DIR/$name.log" 2>&1 &
  pid=$!
  echo "$pid $(ice_process_start_time "$pid")" >"$ICE_RUN_DIR/pids/$name.pid"
}

# The pid recorded for NAME, if that very process still runs.
ice_running_pid() {
  local pid start_time pid_file="$ICE_RUN_DIR/pids/$1.pid"
  [ -f "$pid_file" ] || return 1
  read -r pid start_time <"$pid_file"
  ice_process_running "$pid" && [ "$(ice_process_start_time "$pid")" = "$start_time" ] && echo "$pid"
}

# ice_stop_processes PID...
# SIGTERM, up to ICE_STOP_GRACE_SECONDS to exit, then SIGKILL for what is left.
ice_stop_processes() {
  local pid remaining tenths=0
  [ $# -eq 0 ] && return 0
  kill -TERM "$@" 2>/dev/null || true

  while [ "$tenths" -lt $((ICE_STOP_GRACE_SECONDS * 10)) ]; do
    remaining=()
    for pid in "$@"; do
      ice_process_running "$pid" && remaining+=("$pid")
    done
    [ ${#remaining[@]} -eq 0 ] && return 0
    sleep 0.1
    tenths=$((tenths + 1))
  done

  ice_say "still running ${ICE_STOP_GRACE_SECONDS}s after SIGTERM, killed: ${remaining[*]}"
  kill -KILL "${remaining[@]}" 2>/dev/null || true
}

# Every process inside the namespaces, not only those run.sh started: a test's tcpdump or curl that is still
# inside would otherwise keep the namespace alive after `ip netns del`.
ice_pids_in_namespaces() {
  local namespace
  for namespace in "$@"; do
    ice_namespace_exists "$namespace" && ip netns pids "$namespace" 2>/dev/null
  done
  return 0
}

# --- Waiting --------------------------------------------------------------------------------------------------

# ice_wait_for SECONDS WHAT COMMAND...
# Polls COMMAND every 0.2 s until it succeeds; after SECONDS, fails naming WHAT.
# A COMMAND that fails with status 2 or more means waiting longer is pointless, and ends the wait at once.
ice_wait_for() {
  local seconds=$1 what=$2 polls=0 status
  shift 2
  while true; do
    status=0
    "$@" || status=$?
    [ "$status" -eq 0 ] && return 0
    [ "$status" -ge 2 ] && return 1
    polls=$((polls + 1))
    if [ "$polls" -ge $((seconds * 5)) ]; then
      ice_say "gave up after ${seconds}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# ice_listening NAMESPACE PORT: something in NAMESPACE listens on TCP PORT.
ice_listening() {
  [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]
}

# ice_logged_ready NAME: the process NAME still runs, and its log has a line with the word "ready".
# A process that died stops the wait at once instead of letting it run into its timeout.
ice_logged_ready() {
  local log="$ICE_RUN_DIR/$1.log"
  if ! ice_running_pid "$1" >/dev/null; then
    ice_say "$1 exited before it was ready; the end of $log:"
    tail -n 20 "$log" | sed 's/^/    /' >&2
    return 2
  fi
  grep -qw ready "$log"
}

# --- Keys -----------------------------------------------------------------------------------------------------

# A fresh 32-byte key in the form ICE_PRESHARED_KEY takes. It lives only in shell variables and in the sidecars'
# environment: never in a file, never on a command line.
ice_generate_key() {
  echo "hex:$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
}
