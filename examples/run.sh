#!/usr/bin/env bash
# Runs ICE's examples on one machine, with network namespaces standing in for containers and a bridge for their
# network: no Docker needed. examples/README.md says what each example shows and what to look for.
set -Eeuo pipefail

# set -e stops silently; this names the command that stopped run.sh. A function that fails with `return` has
# already said why.
report_failed_command() {
  local status=$? line=$1
  if [[ $BASH_COMMAND != return* ]]; then
    echo "run.sh: stopped: \`$BASH_COMMAND\` failed with status $status (line $line)" >&2
  fi
}
trap 'report_failed_command "$LINENO"' ERR

usage() {
  cat <<'EOF'
usage: examples/run.sh nginx|mqtt|tunnel         run the example and stream what its clients print; Ctrl-C removes it
       examples/run.sh up nginx|mqtt|tunnel      build it, start services and sidecars, return once all are ready
       examples/run.sh down nginx|mqtt|tunnel    remove it: processes, namespaces, veth pairs, the bridge if unused
       examples/run.sh env nginx|mqtt|tunnel     print its namespaces, addresses, run dir and logs as KEY=VALUE

environment:
  ICE_EXAMPLE_IPV6=1                 also give each namespace an address in 2001:db8::/64; clients use it
  ICE_PRESHARED_KEY                  the sidecars' key; unset, each run makes a fresh one
  ICE_PRESHARED_KEY_FILE             a file with the sidecars' key; wins over ICE_PRESHARED_KEY
  ICE_CRYPTO_STRATEGY=ice|fernet     the sidecars' crypto strategy (default ice: TLS 1.3 PSK)
  ICE_EXAMPLE_READY_TIMEOUT=SECONDS  how long `up` waits for services and sidecars (default 60)
  ICE_EXAMPLE_UNSAFE_NO_SIDECARS=1   start no sidecars, so traffic crosses the bridge in plaintext
  ICE_EXAMPLE_PROXY_PROTOCOL=1       tunnel: haproxy sends PROXY v2 headers, the service is nginx (proxy_protocol)
  ICE_EXAMPLE_HAPROXY_CHECK_INTER=T  tunnel: haproxy's health-check interval, e.g. 10ms (default 2s)
EOF
}

ICE_EXAMPLES_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ICE_REPO=$(dirname "$ICE_EXAMPLES_DIR")
# shellcheck source=examples/lib.sh
source "$ICE_EXAMPLES_DIR/lib.sh"

# ip, ss and the daemons live in sbin, which a non-login root shell may lack.
PATH=$PATH:/usr/sbin:/sbin
# nginx's workers run as an unprivileged user and must be able to read the site in the run dir.
umask 022

# The key is taken out of run.sh's own environment at once: nginx, mosquitto and the clients inherit that
# environment and have no use for the key. Only the sidecars get it back.
caller_key=${ICE_PRESHARED_KEY:-}
caller_key_file=${ICE_PRESHARED_KEY_FILE:-}
unset ICE_PRESHARED_KEY ICE_PRESHARED_KEY_FILE

ready_timeout=${ICE_EXAMPLE_READY_TIMEOUT:-60}
crypto_strategy=${ICE_CRYPTO_STRATEGY:-ice}

# The interactive mode's client loops, stopped before everything else.
client_jobs=()

usage_error() {
  usage >&2
  exit 2
}

# --- The example's hosts ----------------------------------------------------------------------------------------

# Sets ICE_EXAMPLE, ICE_RUN_DIR and ICE_IPV6, and defines the example's EXAMPLE_* settings and example_* steps.
load_example() {
  case "$1" in
    nginx | mqtt | tunnel) ;;
    *) usage_error ;;
  esac
  ICE_EXAMPLE=$1
  ICE_RUN_DIR=$ICE_RUN_ROOT/$ICE_EXAMPLE
  # Optional in an example: what runs in its namespaces besides the service, for the summary.
  declare -gA EXAMPLE_RUNS=()
  # shellcheck source=/dev/null
  source "$ICE_EXAMPLES_DIR/$ICE_EXAMPLE/namespaces.sh"

  ICE_IPV6=${ICE_EXAMPLE_IPV6:-0}
  ICE_SIDECARS=on
  if [ "${ICE_EXAMPLE_UNSAFE_NO_SIDECARS:-0}" = 1 ]; then
    ICE_SIDECARS=off
  fi
}

# A running example answers `env` with how `up` built it, not with how the caller's environment would build it.
load_state_of_running_example() {
  if [ -f "$ICE_RUN_DIR/state" ]; then
    # shellcheck source=/dev/null
    source "$ICE_RUN_DIR/state"
  fi
}

roles() {
  local host
  for host in "${EXAMPLE_HOSTS[@]}"; do
    echo "${host%%:*}"
  done
}

# Roles with a sidecar, in the order of EXAMPLE_HOSTS (the associative array has no order of its own).
sidecar_roles() {
  local role
  for role in $(roles); do
    if [ -n "${EXAMPLE_SIDECAR_ROLES[$role]:-}" ]; then
      echo "$role"
    fi
  done
}

octet_of() {
  local host
  for host in "${EXAMPLE_HOSTS[@]}"; do
    if [ "${host%%:*}" = "$1" ]; then
      echo "${host#*:}"
      return 0
    fi
  done
  ice_die "the $ICE_EXAMPLE example has no role '$1'"
}

namespace_of() {
  echo "ice-$ICE_EXAMPLE-$1"
}

# The veth end on the bridge, e.g. nginx-server: it names the example and role within IFNAMSIZ's 15 characters.
bridge_port_of() {
  echo "$ICE_EXAMPLE-$1"
}

address_of() {
  echo "$ICE_NET4_PREFIX$(octet_of "$1")"
}

address6_of() {
  echo "$ICE_NET6_PREFIX$(octet_of "$1")"
}

upper() {
  echo "$1" | tr '[:lower:]' '[:upper:]'
}

# --- up -------------------------------------------------------------------------------------------------------

bring_up() {
  ice_require_root
  ice_require_commands ip:iproute2 ss:iproute2

  # `up` always starts from nothing, so that what runs matches this call's key and settings.
  tear_down
  example_install_packages

  rm -rf "$ICE_RUN_DIR"
  mkdir -p "$ICE_RUN_DIR/pids"
  printf 'ICE_IPV6=%s\nICE_SIDECARS=%s\n' "$ICE_IPV6" "$ICE_SIDECARS" >"$ICE_RUN_DIR/state"
  if declare -F example_state >/dev/null; then
    example_state >>"$ICE_RUN_DIR/state"
  fi

  build_topology
  start_services
  if [ "$ICE_SIDECARS" = on ]; then
    start_sidecars
  else
    ice_say "ICE_EXAMPLE_UNSAFE_NO_SIDECARS=1: no sidecars, traffic crosses $ICE_BRIDGE in plaintext"
  fi
}

build_topology() {
  local role
  ice_create_bridge
  for role in $(roles); do
    ice_add_host "$(namespace_of "$role")" "$(bridge_port_of "$role")" "$(octet_of "$role")" "$ICE_IPV6"
  done
}

start_services() {
  local namespace
  namespace=$(namespace_of "$EXAMPLE_SERVICE_ROLE")
  example_start_services
  ice_wait_for "$ready_timeout" "$EXAMPLE_SERVICE_NAME to listen on port $EXAMPLE_SERVICE_PORT in $namespace" \
    service_listening "$namespace"
}

# A service that exited ends the wait at once (status 2), with the end of its log.
service_listening() {
  if ! ice_running_pid "$EXAMPLE_SERVICE_NAME" >/dev/null; then
    ice_say "$EXAMPLE_SERVICE_NAME exited; the end of $ICE_RUN_DIR/$EXAMPLE_SERVICE_NAME.log:"
    tail -n 20 "$ICE_RUN_DIR/$EXAMPLE_SERVICE_NAME.log" | sed 's/^/    /' >&2
    return 2
  fi
  ice_listening "$1" "$EXAMPLE_SERVICE_PORT"
}

start_sidecars() {
  local role key=$caller_key
  if [ -z "$key" ] && [ -z "$caller_key_file" ]; then
    key=$(ice_generate_key)
  fi

  # bin/icetunnel builds the jar on its first run: build it once here, not in every sidecar at the same time.
  "$ICE_REPO/bin/icetunnel" --version >/dev/null

  for role in $(sidecar_roles); do
    start_sidecar "$role" "$key"
  done
  for role in $(sidecar_roles); do
    ice_wait_for "$ready_timeout" "sidecar-$role to log 'ready' in $ICE_RUN_DIR/sidecar-$role.log" \
      ice_logged_ready "sidecar-$role"
  done
}

# The key reaches the sidecar through its environment only, never its command line, which `ps` shows to all.
# An example may give a role's sidecar more ICE_* variables (example_sidecar_env), none of them secret.
start_sidecar() {
  local role=$1 key=$2 sidecar extra=()
  if declare -F example_sidecar_env >/dev/null; then
    read -r -a extra <<<"$(example_sidecar_env "$role")"
  fi
  sidecar=(env "ICE_ROLES=${EXAMPLE_SIDECAR_ROLES[$role]}" "ICE_CRYPTO_STRATEGY=$crypto_strategy"
    ICE_ENCRYPTION_ENABLED=True "${extra[@]}" "$ICE_REPO/bin/icetunnel" sidecar)

  if [ -n "$caller_key_file" ]; then
    ICE_PRESHARED_KEY_FILE=$caller_key_file ice_start "sidecar-$role" "$(namespace_of "$role")" "${sidecar[@]}"
  else
    ICE_PRESHARED_KEY=$key ice_start "sidecar-$role" "$(namespace_of "$role")" "${sidecar[@]}"
  fi
}

describe_example() {
  local role what addresses
  ice_say "the $ICE_EXAMPLE example is up on bridge $ICE_BRIDGE (logs in $ICE_RUN_DIR):"
  for role in $(roles); do
    what=""
    if [ "$role" = "$EXAMPLE_SERVICE_ROLE" ]; then
      what="$EXAMPLE_SERVICE_NAME, "
    elif [ -n "${EXAMPLE_RUNS[$role]:-}" ]; then
      what="${EXAMPLE_RUNS[$role]}"
    fi
    if [ "$ICE_SIDECARS" = on ] && [ -n "${EXAMPLE_SIDECAR_ROLES[$role]:-}" ]; then
      what+="sidecar ${EXAMPLE_SIDECAR_ROLES[$role]}"
    else
      what+="no sidecar"
    fi
    addresses=$(address_of "$role")
    if [ "$ICE_IPV6" = 1 ]; then
      addresses+=" $(address6_of "$role")"
    fi
    ice_say "  $(printf '%-22s %-30s' "$(namespace_of "$role")" "$addresses") $what"
  done
}

cmd_up() {
  ice_require_root
  trap 'remove_failed_up $?' EXIT
  bring_up
  describe_example
}

# On failure, `up` removes what it built but keeps the logs, which say why.
remove_failed_up() {
  [ "$1" -eq 0 ] && return 0
  ice_say "up failed; removing what it built (the logs stay in $ICE_RUN_DIR)"
  tear_down
}

# --- interactive ----------------------------------------------------------------------------------------------

run_interactive() {
  ice_require_root
  trap stop_interactive EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP

  bring_up
  describe_example
  ice_say "watch the wire:  tcpdump -i $ICE_BRIDGE -A port $EXAMPLE_SERVICE_PORT"
  ice_say "Ctrl-C stops the example and removes everything it built"

  # Services and sidecars are background jobs of run.sh too; only the clients' jobs are stopped by pid, so that
  # the sidecars get exactly one SIGTERM, from tear_down.
  local earlier_jobs pid
  earlier_jobs=$(jobs -p)
  example_start_clients
  for pid in $(jobs -p); do
    grep -qxF "$pid" <<<"$earlier_jobs" || client_jobs+=("$pid")
  done
  wait
}

stop_interactive() {
  # A second Ctrl-C must not cut the cleanup short.
  trap '' INT TERM HUP
  trap - EXIT

  if [ ${#client_jobs[@]} -gt 0 ]; then
    kill "${client_jobs[@]}" 2>/dev/null || true
  fi
  echo >&2
  ice_say "removing the $ICE_EXAMPLE example"
  tear_down
}

# --- down -----------------------------------------------------------------------------------------------------

cmd_down() {
  ice_require_root
  tear_down
}

# Idempotent: removes whatever part of the example exists, and says nothing when nothing does.
tear_down() {
  local role namespaces=() pids=()
  for role in $(roles); do
    namespaces+=("$(namespace_of "$role")")
  done

  # What run.sh started, and anything else still inside the namespaces. All get SIGTERM at once: the sidecars
  # remove their netfilter rules on it.
  mapfile -t pids < <({ recorded_pids; ice_pids_in_namespaces "${namespaces[@]}"; } | sort -un)
  ice_stop_processes "${pids[@]}"

  for role in $(roles); do
    ice_remove_host "$(namespace_of "$role")" "$(bridge_port_of "$role")"
  done
  ice_delete_bridge_if_unused

  # The logs stay for a look after the run; `up` clears them.
  if [ -d "$ICE_RUN_DIR" ]; then
    find "$ICE_RUN_DIR" -mindepth 1 -depth ! -name '*.log' -delete
  fi
}

# The pids in the run dir whose processes still run.
recorded_pids() {
  local pid_file
  for pid_file in "$ICE_RUN_DIR"/pids/*.pid; do
    [ -e "$pid_file" ] || continue
    ice_running_pid "$(basename "$pid_file" .pid)" || true
  done
}

# --- env ------------------------------------------------------------------------------------------------------

# KEY=VALUE lines with no quoting or spaces, for `eval`, `source <(...)` or a line split at the first '='.
cmd_env() {
  local role key_role namespaces up=1
  load_state_of_running_example
  namespaces=$(for role in $(roles); do namespace_of "$role"; done | paste -sd,)
  for role in $(roles); do
    ice_namespace_exists "$(namespace_of "$role")" || up=0
  done

  echo "ICE_EXAMPLE=$ICE_EXAMPLE"
  echo "ICE_UP=$up"
  echo "ICE_BRIDGE=$ICE_BRIDGE"
  echo "ICE_RUN_DIR=$ICE_RUN_DIR"
  echo "ICE_IPV6=$ICE_IPV6"
  echo "ICE_SIDECARS=$ICE_SIDECARS"
  echo "ICE_NAMESPACES=$namespaces"
  echo "ICE_PORT=$EXAMPLE_SERVICE_PORT"
  echo "ICE_MARKER=$EXAMPLE_MARKER"
  for role in $(roles); do
    key_role=$(upper "$role")
    echo "ICE_NS_$key_role=$(namespace_of "$role")"
    echo "ICE_ADDR_$key_role=$(address_of "$role")"
    if [ "$ICE_IPV6" = 1 ]; then
      echo "ICE_ADDR6_$key_role=$(address6_of "$role")"
    fi
    echo "ICE_BRIDGE_PORT_$key_role=$(bridge_port_of "$role")"
  done
  for role in $(sidecar_roles); do
    key_role=$(upper "$role")
    echo "ICE_ROLES_$key_role=${EXAMPLE_SIDECAR_ROLES[$role]}"
    echo "ICE_SIDECAR_LOG_$key_role=$ICE_RUN_DIR/sidecar-$role.log"
  done
  example_env
}

main() {
  case "${1:-}" in
    nginx | mqtt | tunnel)
      [ $# -eq 1 ] || usage_error
      load_example "$1"
      run_interactive
      ;;
    up | down | env)
      [ $# -eq 2 ] || usage_error
      load_example "$2"
      "cmd_$1"
      ;;
    -h | --help | help) usage ;;
    *) usage_error ;;
  esac
}

main "$@"
