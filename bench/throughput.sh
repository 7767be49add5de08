#!/usr/bin/env bash
# Benchmark, not a test: measures iperf3 throughput on loopback through no tunnel, an icetunnel pair, an icetunnel
# pair with the fernet strategy and a stunnel pair (TLS 1.3 PSK, TLS_AES_128_GCM_SHA256), all with the same iperf3
# settings, in one run. Prints a
# Markdown table and writes it to bench/results/throughput-<date>.md; logs and iperf3 JSON go to the folder of
# the same name. See bench/README.md.
#
# Environment:
#   BENCH_DURATION     seconds each iperf3 run measures (default 10)
#   BENCH_OMIT         seconds of warm-up each run leaves out before measuring (default 2)
#   BENCH_REPETITIONS  runs per setup and direction; the table shows the median (default 3)
#   BENCH_REVERSE      1 also measures server-to-client with iperf3 -R, 0 skips it (default 1)
#   BENCH_WARMUP       seconds of an unrecorded first run per setup and direction, 0 for none (default 5)
#   BENCH_MAX_OTHERS   % of all cores other programs may use during a run before it is redone (default 5)
#   BENCH_RETRIES      how often a run is redone at most; the last try counts either way (default 2)
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
icetunnel="$root/bin/icetunnel"

duration="${BENCH_DURATION:-10}"
omit="${BENCH_OMIT:-2}"
repetitions="${BENCH_REPETITIONS:-3}"
reverse="${BENCH_REVERSE:-1}"
warmup="${BENCH_WARMUP:-5}"
max_others="${BENCH_MAX_OTHERS:-5}"
retries="${BENCH_RETRIES:-2}"

host=127.0.0.1
setups=(plain icetunnel fernet stunnel)
declare -A entry_port=()    # setup -> the port iperf3 -c connects to
declare -A started=()       # pid -> what it is, for cleanup and messages
declare -A logs=()          # pid -> its log file
taken_ports=" "

die() {
  echo "throughput: $*" >&2
  exit 1
}

require_count() {
  local name="$1" value="$2" min="$3"
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge "$min" ] \
    || die "$name='$value': must be a whole number >= $min"
}

check_settings() {
  require_count BENCH_DURATION "$duration" 1
  require_count BENCH_OMIT "$omit" 0
  require_count BENCH_REPETITIONS "$repetitions" 1
  require_count BENCH_WARMUP "$warmup" 0
  require_count BENCH_MAX_OTHERS "$max_others" 0
  require_count BENCH_RETRIES "$retries" 0
  [[ "$reverse" == 0 || "$reverse" == 1 ]] || die "BENCH_REVERSE='$reverse': must be 0 or 1"
}

# Installs what is missing when we may (root on Debian); otherwise says what to install.
install_tools() {
  local -A package_of=([iperf3]=iperf3 [stunnel4]=stunnel4 [jq]=jq [openssl]=openssl [ss]=iproute2
    [lscpu]=util-linux [timeout]=coreutils)
  local missing=() tool
  for tool in "${!package_of[@]}"; do
    command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
  done
  [ "${#missing[@]}" -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die "missing packages: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
  fi
  echo "throughput: installing ${missing[*]} ..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# A loopback port nothing listens on and this run has not handed out. Another program may still take it
# before we bind; wait_listening then notices that the listener is not ours.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [[ "$taken_ports" == *" $port "* ]] && continue
    [ -z "$(ss -Htln "sport = :$port")" ] || continue
    taken_ports+="$port "
    echo "$port"
    return
  done
}

# Starts a command in the background with its output in a log; sets last_pid.
start() {
  local name="$1" log="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  last_pid=$!
  started[$last_pid]="$name"
  logs[$last_pid]="$log"
}

log_tail() {
  echo "--- last lines of ${logs[$1]} ---"
  tail -n 15 "${logs[$1]}"
}

# Polls until the process itself listens on the port, so a stranger on that port cannot pass for it.
wait_listening() {
  local pid="$1" port="$2" deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$pid" >&2
      die "${started[$pid]} exited before listening on $host:$port"
    fi
    ss -Htlnp "sport = :$port" | grep -q "pid=$pid," && return
    sleep 0.1
  done
  log_tail "$pid" >&2
  die "${started[$pid]} (pid $pid) is not listening on $host:$port after 60 s"
}

check_all_alive() {
  local pid
  for pid in "${!started[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$pid" >&2
      die "${started[$pid]} (pid $pid) died during the benchmark"
    fi
  done
}

cleanup() {
  local pid waited=0
  for pid in "${!started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${!started[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${secrets:-}" ] && rm -rf "$secrets"
}

# Each setup gets its own iperf3 server, so the setups can take turns run by run. Sets iperf_port.
# Functions that start processes are never run in $(...): that subshell would hide them from cleanup.
start_iperf_server() {
  local setup="$1"
  iperf_port="$(free_port)"
  start "iperf3 server for $setup" "$work/iperf3-server-$setup.log" \
    iperf3 --server --bind "$host" --port "$iperf_port"
  wait_listening "$last_pid" "$iperf_port"
}

start_plain() {
  start_iperf_server plain
  entry_port[plain]="$iperf_port"
}

start_icetunnel() {
  local tls client key="$secrets/icetunnel.key"
  start_iperf_server icetunnel
  tls="$(free_port)"
  client="$(free_port)"
  (umask 077 && "$icetunnel" key generate >"$key")

  start "icetunnel server" "$work/icetunnel-server.log" \
    "$icetunnel" server --listen "$host:$tls" --forward "$host:$iperf_port" --key-file "$key"
  wait_listening "$last_pid" "$tls"
  start "icetunnel client" "$work/icetunnel-client.log" \
    "$icetunnel" client --listen "$host:$client" --connect "$host:$tls" --key-file "$key"
  wait_listening "$last_pid" "$client"
  entry_port[icetunnel]="$client"
}

# The same pair with ICE_CRYPTO_STRATEGY=fernet: Fernet tokens instead of TLS records.
start_fernet() {
  local tokens client key="$secrets/fernet.key"
  start_iperf_server fernet
  tokens="$(free_port)"
  client="$(free_port)"
  (umask 077 && "$icetunnel" key generate >"$key")

  start "icetunnel fernet server" "$work/icetunnel-fernet-server.log" "$icetunnel" server --crypto-strategy fernet \
    --listen "$host:$tokens" --forward "$host:$iperf_port" --key-file "$key"
  wait_listening "$last_pid" "$tokens"
  start "icetunnel fernet client" "$work/icetunnel-fernet-client.log" "$icetunnel" client --crypto-strategy fernet \
    --listen "$host:$client" --connect "$host:$tokens" --key-file "$key"
  wait_listening "$last_pid" "$client"
  entry_port[fernet]="$client"
}

# Both ends share the tuning and the TLS 1.3 PSK settings; see stunnel(8).
write_stunnel_conf() {
  local file="$1" section="$2" accept="$3" connect="$4" client="$5"
  cat >"$file" <<CONF
foreground = yes
syslog = no
pid =
debug = info

[$section]
client = $client
accept = $host:$accept
connect = $host:$connect
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
PSKsecrets = $secrets/stunnel-psk.txt
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
CONF
}

start_stunnel() {
  local tls client
  start_iperf_server stunnel
  tls="$(free_port)"
  client="$(free_port)"

  # stunnel(8), PSKsecrets: one IDENTITY:KEY per line, at least 16 bytes; a hexadecimal key is used as the
  # bytes it spells, so 64 hex digits give a 32-byte key like ICE's. The file must not be world-readable.
  (umask 077 && echo "bench:$(openssl rand -hex 32)" >"$secrets/stunnel-psk.txt")

  write_stunnel_conf "$work/stunnel-server.conf" server "$tls" "$iperf_port" no
  write_stunnel_conf "$work/stunnel-client.conf" client "$client" "$tls" yes
  start "stunnel server" "$work/stunnel-server.log" stunnel4 "$work/stunnel-server.conf"
  wait_listening "$last_pid" "$tls"
  start "stunnel client" "$work/stunnel-client.log" stunnel4 "$work/stunnel-client.conf"
  wait_listening "$last_pid" "$client"
  entry_port[stunnel]="$client"
}

# The numbers only mean something if the tunnels really ran TLS 1.3 with the suite under test.
check_negotiated() {
  case "$1" in
    icetunnel)
      grep -q "TLSv1.3 TLS_AES_128_GCM_SHA256" "$work/icetunnel-server.log" \
        || die "icetunnel did not log TLSv1.3 TLS_AES_128_GCM_SHA256; see $work/icetunnel-server.log" ;;
    fernet)
      grep -q "fernet AES_128_CBC_HMAC_SHA256" "$work/icetunnel-fernet-server.log" \
        || die "icetunnel did not log fernet AES_128_CBC_HMAC_SHA256; see $work/icetunnel-fernet-server.log" ;;
    stunnel)
      grep -q "TLSv1.3 ciphersuite: TLS_AES_128_GCM_SHA256" "$work/stunnel-server.log" \
        || die "stunnel did not log TLSv1.3 ciphersuite TLS_AES_128_GCM_SHA256; see $work/stunnel-server.log" ;;
  esac
}

# One iperf3 run through a setup, its JSON written to a file; dies on failure or a stall.
run_iperf() {
  local setup="$1" direction="$2" seconds="$3" skip="$4" json="$5" what="$6" flags=() status=0 limit
  limit=$((seconds + skip + 30))
  [ "$direction" = download ] && flags+=(--reverse)

  echo "throughput: $setup $direction $what ..." >&2
  timeout "$limit" iperf3 --client "$host" --port "${entry_port[$setup]}" \
    --time "$seconds" --omit "$skip" --connect-timeout 5000 --json "${flags[@]}" >"$json" || status=$?
  if [ "$status" -eq 124 ]; then
    die "iperf3 through $setup ($direction, $what) stalled: no result after $limit s; see $work"
  elif [ "$status" -ne 0 ]; then
    die "iperf3 through $setup ($direction, $what) failed:" \
      "$(jq -r '.error // empty' "$json" 2>/dev/null); see $json"
  fi
  check_all_alive
}

# CPU ticks spent in user and system mode by the whole machine, and all ticks (proc(5), /proc/stat).
machine_ticks() {
  awk '/^cpu / { print $2 + $3 + $4, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# CPU ticks of this script, the children it has waited for (iperf3 clients), and the processes it started.
own_ticks() {
  local pid total=0 fields
  for pid in $$ "${!started[@]}"; do
    # Fields 14-17 of proc(5) /proc/PID/stat, counted after the ')' that ends the command name.
    fields="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f12-15)" || continue
    total=$((total + $(tr ' ' '+' <<<"$fields")))
  done
  echo "$total"
}

# Share of all cores, in %, that programs outside this benchmark used between two samples.
others_share() {
  local busy0="$1" all0="$2" own0="$3" busy1 all1 own1 share
  read -r busy1 all1 < <(machine_ticks)
  own1="$(own_ticks)"
  share=$(( ((busy1 - busy0) - (own1 - own0)) * 100 / (all1 - all0 > 0 ? all1 - all0 : 1) ))
  echo "$((share < 0 ? 0 : share))"
}

# Other agents may be building on this machine: wait (two minutes at most) until three one-second samples
# in a row show them using at most max_others % of the CPU. The benchmark's own processes are idle meanwhile.
wait_for_quiet() {
  local quiet=0 told=0 deadline=$((SECONDS + 120)) busy all own
  while [ "$quiet" -lt 3 ] && [ "$SECONDS" -lt "$deadline" ]; do
    read -r busy all < <(machine_ticks)
    own="$(own_ticks)"
    sleep 1
    if [ "$(others_share "$busy" "$all" "$own")" -le "$max_others" ]; then
      quiet=$((quiet + 1))
    else
      [ "$told" = 1 ] || echo "throughput: waiting for other programs to leave the CPU ..." >&2
      told=1
      quiet=0
    fi
  done
  [ "$quiet" -ge 3 ] || echo "throughput: the machine is still busy after 120 s; measuring anyway" >&2
}

# One measured run, redone while other programs took more than max_others % of the CPU. Appends
# "setup direction run sender_bps receiver_bps others_% tries" to the results.
measure() {
  local setup="$1" direction="$2" run="$3" json busy all own others try=0
  json="$work/$setup-$direction-$run.json"

  while :; do
    try=$((try + 1))
    wait_for_quiet
    read -r busy all < <(machine_ticks)
    own="$(own_ticks)"
    run_iperf "$setup" "$direction" "$duration" "$omit" "$json" "run $run/$repetitions, try $try"
    others="$(others_share "$busy" "$all" "$own")"
    [ "$others" -gt "$max_others" ] && [ "$try" -le "$retries" ] || break
    echo "throughput: other programs used $others% of the CPU during that run; redoing it" >&2
  done

  jq -r --arg s "$setup" --arg d "$direction" --arg r "$run" --arg o "$others" --arg t "$try" \
    '[$s, $d, $r, .end.sum_sent.bits_per_second, .end.sum_received.bits_per_second, $o, $t] | @tsv' \
    "$json" >>"$work/runs.tsv"
}

# An unrecorded run, so the JIT has compiled icetunnel's hot paths before the measured runs.
warm_up() {
  [ "$warmup" -gt 0 ] || return 0
  run_iperf "$1" "$2" "$warmup" 0 "$work/$1-$2-warmup.json" "warm-up"
}

# Median in Gbit/s of one column (4 sender, 5 receiver) of the runs of a setup and direction.
median_gbps() {
  awk -F'\t' -v s="$1" -v d="$2" -v c="$3" '$1 == s && $2 == d { print $c / 1e9 }' "$work/runs.tsv" \
    | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f\n", m }'
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}

each_run_gbps() {
  awk -F'\t' -v s="$1" -v d="$2" '$1 == s && $2 == d { printf "%s%.2f", sep, $5 / 1e9; sep = ", " }' \
    "$work/runs.tsv"
}

each_run_others() {
  awk -F'\t' -v s="$1" -v d="$2" '$1 == s && $2 == d { printf "%s%d%%", sep, $6; sep = ", " }' \
    "$work/runs.tsv"
}

others_summary() {
  cut -f6 "$work/runs.tsv" | sort -n \
    | awk '{ v[NR] = $1 } END { printf "median %d%%, highest %d%%", v[int((NR + 1) / 2)], v[NR] }'
}

redone_runs() {
  awk -F'\t' '{ n += $7 - 1 } END { print n + 0 }' "$work/runs.tsv"
}

load_average() {
  cut -d' ' -f1-3 /proc/loadavg
}

report() {
  local directions=(upload) setup direction column cells
  [ "$reverse" = 1 ] && directions+=(download)

  echo "# ICE throughput benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
  echo "- Load average (1, 5, 15 min): $load_before before, $load_after after (the benchmark's own" \
    "processes count in it)"
  echo "- CPU used by programs outside the benchmark during a run: $(others_summary) of all cores;" \
    "$(redone_runs) run(s) redone because other programs used more than $max_others%"
  echo "- icetunnel $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)," \
    "$("$icetunnel" --version 2>/dev/null | head -n 1)"
  echo "- $(stunnel4 -version 2>&1 | grep -m1 '^stunnel'), $(openssl version | cut -d' ' -f1-2)," \
    "$(iperf3 --version | head -n 1 | cut -d' ' -f1-2)"
  echo "- iperf3: one TCP stream, -t $duration -O $omit, median of $repetitions run(s) per cell" \
    "after a $warmup s warm-up run; upload = iperf3 client to server, download = -R"
  echo
  echo "| Gbit/s | Upload, sender | Upload, receiver | Download, sender | Download, receiver |"
  echo "|---|---:|---:|---:|---:|"
  for setup in "${setups[@]}"; do
    cells=""
    for direction in upload download; do
      for column in 4 5; do
        cells+=" $(median_gbps "$setup" "$direction" "$column") |"
      done
    done
    echo "| $setup |$cells"
  done
  cells=""
  for direction in upload download; do
    for column in 4 5; do
      cells+=" $(ratio "$(median_gbps icetunnel "$direction" "$column")" \
        "$(median_gbps stunnel "$direction" "$column")") |"
    done
  done
  echo "| icetunnel / stunnel |$cells"
  echo
  echo "Each run, receiver Gbit/s (CPU share used by other programs meanwhile):"
  echo
  for setup in "${setups[@]}"; do
    for direction in "${directions[@]}"; do
      echo "- $setup $direction: $(each_run_gbps "$setup" "$direction")" \
        "($(each_run_others "$setup" "$direction"))"
    done
  done
  echo
  echo "icetunnel log lines at WARN or ERROR: $(cat "$work"/icetunnel-*.log | grep -cE ' (WARN|ERROR) ' || true)." \
    "Logs and iperf3 JSON: bench/results/$(basename "$work")/"
}

main() {
  check_settings
  install_tools
  # Build the jar now if needed, not in two tunnel processes at once.
  "$icetunnel" --version >/dev/null || die "$icetunnel --version failed; see the messages above"

  stamp="$(date +%Y-%m-%d-%H%M%S)"
  mkdir -p "$root/bench/results"
  work="$root/bench/results/throughput-$stamp"
  mkdir "$work"
  secrets="$(mktemp -d)"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  load_before="$(load_average)"
  start_plain
  start_icetunnel
  start_fernet
  start_stunnel
  : >"$work/runs.tsv"

  # Setups take turns run by run, so a burst of load from elsewhere does not land on one setup only.
  local run setup direction directions=(upload)
  [ "$reverse" = 1 ] && directions+=(download)
  for setup in "${setups[@]}"; do
    for direction in "${directions[@]}"; do
      warm_up "$setup" "$direction"
    done
  done
  for run in $(seq "$repetitions"); do
    for setup in "${setups[@]}"; do
      for direction in "${directions[@]}"; do
        measure "$setup" "$direction" "$run"
      done
      [ "$run" = 1 ] && check_negotiated "$setup"
    done
  done
  load_after="$(load_average)"

  report | tee "$root/bench/results/throughput-$stamp.md"
}

main "$@"
