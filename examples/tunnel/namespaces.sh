# The tunnel example in network namespaces, sourced by examples/run.sh after examples/lib.sh.
# shellcheck shell=bash disable=SC2034 # the EXAMPLE_* settings are read by run.sh
#
# What it shows: a proxy that is not part of ICE sits between two ICE members and relays their traffic. socat in
# `client` sends a message every 2 s to haproxy's address; the client's sidecar intercepts it and opens TLS 1.3 PSK
# to haproxy, which relays the bytes to the socat echo server in `server`, whose sidecar takes the TLS. Because
# TLS-PSK runs end to end, haproxy only ever sees ciphertext, and its health checks (`check`) reach the server's
# sidecar as probes. `outsider` has no sidecar and no key.
#
# With ICE_EXAMPLE_PROXY_PROTOCOL=1, haproxy names the real client in a PROXY v2 header (send-proxy-v2), the server
# sidecar requires that header from haproxy alone and sends a new one on to the service, and the service is nginx
# with `listen ... proxy_protocol`, whose access log then shows the client's address instead of haproxy's.

# role:octet, in the order the hosts are built; each role gets namespace ice-tunnel-<role> at 198.18.0.<octet>.
EXAMPLE_HOSTS=(server:31 haproxy:32 client:33 outsider:34)

# The ICE_ROLES of each role that has a sidecar. haproxy has none: it is not an ICE member.
declare -gA EXAMPLE_SIDECAR_ROLES=([server]=server:tcp:9001 [client]=client:tcp:9001)

# What runs in the namespaces other than the service's, for the summary that `up` prints.
declare -gA EXAMPLE_RUNS=([haproxy]="haproxy (mode tcp), " [client]="socat every 2 s, ")

EXAMPLE_SERVICE_ROLE=server
EXAMPLE_SERVICE_PORT=9001

# Text in every message (and in nginx's page): a capture that shows it saw plaintext.
EXAMPLE_MARKER=ICE-PLAINTEXT-MARKER-TUNNEL

# The PROXY variant's big.bin: a download long enough to span many TLS records, for tests.
EXAMPLE_BIG_FILE_BYTES=$((16 * 1024 * 1024))

# The variant and haproxy's check interval; a running example's own values come back from its state file.
EXAMPLE_PROXY_PROTOCOL=${ICE_EXAMPLE_PROXY_PROTOCOL:-0}
EXAMPLE_CHECK_INTER=${ICE_EXAMPLE_HAPROXY_CHECK_INTER:-2s}

if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
  EXAMPLE_SERVICE_NAME=nginx
else
  EXAMPLE_SERVICE_NAME=socat
fi

example_install_packages() {
  ice_require_commands haproxy:haproxy socat:socat tcpdump:tcpdump
  if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
    ice_require_commands nginx:nginx
  fi
}

# Kept in the run dir's state file, so that `env` describes the example as `up` built it.
example_state() {
  echo "EXAMPLE_PROXY_PROTOCOL=$EXAMPLE_PROXY_PROTOCOL"
  echo "EXAMPLE_CHECK_INTER=$EXAMPLE_CHECK_INTER"
}

# Extra variables for a role's sidecar: in the PROXY variant, the server's sidecar believes headers from haproxy
# alone, refuses streams without one, and names the client to nginx.
example_sidecar_env() {
  local trusted
  [ "$1" = server ] && [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ] || return 0
  trusted="$(address_of haproxy)/32"
  if [ "$ICE_IPV6" = 1 ]; then
    trusted+=",$(address6_of haproxy)/128"
  fi
  echo "ICE_PROXY_PROTOCOL=require ICE_PROXY_TRUSTED_CIDRS=$trusted ICE_PROXY_PROTOCOL_TO_SERVICE=True"
}

# host:port as socat and haproxy write it, for a role's address of the family the clients use.
example_host_port() {
  if [ "$ICE_IPV6" = 1 ]; then
    echo "[$(address6_of "$1")]:$EXAMPLE_SERVICE_PORT"
  else
    echo "$(address_of "$1"):$EXAMPLE_SERVICE_PORT"
  fi
}

example_start_services() {
  if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
    example_start_nginx
  else
    example_start_echo_server
  fi
  example_start_haproxy
}

# An echo server: every byte a client sends comes back. -t 30: after a client's end of stream, up to 30 s to send
# the rest of the echo back (socat's default is half a second). -b 4096: socat moves a block only once its
# destination can take it, and no more than a pipe page; with its default of 8192 bytes a write into its own full
# pipe can block the one process that would empty it, and a large echo stalls for good.
example_start_echo_server() {
  local listen="TCP4-LISTEN:$EXAMPLE_SERVICE_PORT"
  if [ "$ICE_IPV6" = 1 ]; then
    listen="TCP6-LISTEN:$EXAMPLE_SERVICE_PORT,ipv6only=0"
  fi
  ice_start socat "$(namespace_of server)" socat -d -d -t 30 -b 4096 "$listen,reuseaddr,fork,backlog=128" PIPE
}

# haproxy reads examples/tunnel/haproxy.cfg as it is; the environment fills in the addresses. -db keeps it in the
# foreground, so its pid is the one run.sh recorded.
example_start_haproxy() {
  local namespace variables
  namespace=$(namespace_of haproxy)
  variables=(ICE_HAPROXY_PORT="$EXAMPLE_SERVICE_PORT" ICE_HAPROXY_SERVER="$(example_host_port server)"
    ICE_HAPROXY_CHECK_INTER="$EXAMPLE_CHECK_INTER")
  if [ "$ICE_IPV6" = 1 ]; then
    variables+=(ICE_HAPROXY_IPV6=1)
  fi
  if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
    variables+=(ICE_HAPROXY_SEND_PROXY=1)
  fi
  ice_start haproxy "$namespace" env "${variables[@]}" haproxy -db -f "$ICE_EXAMPLES_DIR/tunnel/haproxy.cfg"
  ice_wait_for "$ready_timeout" "haproxy to listen on port $EXAMPLE_SERVICE_PORT in $namespace" \
    example_haproxy_listening "$namespace"
}

# haproxy exiting ends the wait at once (status 2), with the end of its log.
example_haproxy_listening() {
  if ! ice_running_pid haproxy >/dev/null; then
    ice_say "haproxy exited; the end of $ICE_RUN_DIR/haproxy.log:"
    tail -n 20 "$ICE_RUN_DIR/haproxy.log" | sed 's/^/    /' >&2
    return 2
  fi
  ice_listening "$1" "$EXAMPLE_SERVICE_PORT"
}

# nginx behind the PROXY protocol: it takes the header that the server's sidecar sends (or haproxy's, when the
# example runs without sidecars) and logs the client it names. All paths are in the run dir.
example_start_nginx() {
  mkdir -p "$ICE_RUN_DIR/www" "$ICE_RUN_DIR/nginx-runtime"
  printf '<p>%s: this page crossed haproxy inside TLS 1.3 PSK.</p>\n' "$EXAMPLE_MARKER" >"$ICE_RUN_DIR/www/index.html"
  head -c "$EXAMPLE_BIG_FILE_BYTES" /dev/urandom >"$ICE_RUN_DIR/www/big.bin"
  example_write_nginx_config
  ice_start nginx "$(namespace_of server)" \
    nginx -c "$ICE_RUN_DIR/nginx.conf" -e "$ICE_RUN_DIR/nginx-error.log"
}

example_write_nginx_config() {
  local listen6="" trust6=""
  if [ "$ICE_IPV6" = 1 ]; then
    listen6="listen [::]:$EXAMPLE_SERVICE_PORT proxy_protocol;"
    trust6="set_real_ip_from ::1; set_real_ip_from $(address6_of server); set_real_ip_from $(address6_of haproxy);"
  fi

  cat >"$ICE_RUN_DIR/nginx.conf" <<EOF
# Generated by examples/run.sh for the ICE tunnel example (PROXY protocol variant); rewritten on every \`up\`.
daemon off;
worker_processes 1;
pid $ICE_RUN_DIR/nginx-runtime/nginx.pid;
error_log $ICE_RUN_DIR/nginx-error.log notice;

events {
    worker_connections 256;
}

http {
    # \$remote_addr is the client that the PROXY header names; \$realip_remote_addr made the connection.
    log_format proxied 'client \$remote_addr (PROXY header \$proxy_protocol_addr:\$proxy_protocol_port, '
                       'connection from \$realip_remote_addr) "\$request" \$status \$body_bytes_sent';
    access_log $ICE_RUN_DIR/nginx-access.log proxied;
    client_body_temp_path $ICE_RUN_DIR/nginx-runtime/body;
    proxy_temp_path $ICE_RUN_DIR/nginx-runtime/proxy;
    fastcgi_temp_path $ICE_RUN_DIR/nginx-runtime/fastcgi;
    uwsgi_temp_path $ICE_RUN_DIR/nginx-runtime/uwsgi;
    scgi_temp_path $ICE_RUN_DIR/nginx-runtime/scgi;

    server {
        listen $EXAMPLE_SERVICE_PORT proxy_protocol;
        $listen6
        # Headers are believed from the server's own sidecar (this namespace) and, without sidecars, haproxy.
        set_real_ip_from 127.0.0.1;
        set_real_ip_from $(address_of server);
        set_real_ip_from $(address_of haproxy);
        $trust6
        real_ip_header proxy_protocol;
        root $ICE_RUN_DIR/www;
        index index.html;
    }
}
EOF
}

# The seed's client, interactive mode only: every 2 s, one message (or, in the PROXY variant, one HTTP request)
# to haproxy's address, printing what came back.
example_start_clients() {
  local target namespace count=0
  target=$(example_host_port haproxy)
  namespace=$(namespace_of client)

  while true; do
    count=$((count + 1))
    if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
      example_get_once "$namespace" "$target"
    else
      example_send_once "$namespace" "$target" "message $count at $(date +%T) $EXAMPLE_MARKER"
    fi
    sleep 2
  done &
}

example_send_once() {
  local namespace=$1 target=$2 message=$3 reply status=0
  reply=$(echo "$message" | ip netns exec "$namespace" socat -t 5 -T 5 - "TCP:$target") || status=$?

  if [ "$status" -eq 0 ] && [ -n "$reply" ]; then
    printf '[client] sent to %s: %s\n[client] echoed back:  %s\n' "$target" "$message" "$reply"
  else
    printf '[client] %s sending to %s failed, socat exit %s\n' "$(date +%T)" "$target" "$status"
  fi
}

example_get_once() {
  local namespace=$1 target=$2 reply status=0
  reply=$(printf 'GET / HTTP/1.0\r\nHost: tunnel\r\n\r\n' |
    ip netns exec "$namespace" socat -t 5 -T 5 - "TCP:$target" | head -n 1 | tr -d '\r') || status=$?

  if [ "$status" -eq 0 ] && [ -n "$reply" ]; then
    printf '[client] %s GET / via haproxy %s -> %s\n' "$(date +%T)" "$target" "$reply"
  else
    printf '[client] %s GET / via haproxy %s failed, socat exit %s\n' "$(date +%T)" "$target" "$status"
  fi
}

example_env() {
  echo "ICE_PROXY_PROTOCOL=$EXAMPLE_PROXY_PROTOCOL"
  echo "ICE_HAPROXY_CHECK_INTER=$EXAMPLE_CHECK_INTER"
  echo "ICE_HAPROXY_LOG=$ICE_RUN_DIR/haproxy.log"
  echo "ICE_TARGET=$(address_of haproxy):$EXAMPLE_SERVICE_PORT"
  if [ "$ICE_IPV6" = 1 ]; then
    echo "ICE_TARGET6=[$(address6_of haproxy)]:$EXAMPLE_SERVICE_PORT"
  fi
  if [ "$EXAMPLE_PROXY_PROTOCOL" = 1 ]; then
    echo "ICE_SERVICE_LOG=$ICE_RUN_DIR/nginx.log"
    echo "ICE_SERVICE_ACCESS_LOG=$ICE_RUN_DIR/nginx-access.log"
    echo "ICE_BIG_FILE=$ICE_RUN_DIR/www/big.bin"
  else
    echo "ICE_SERVICE_LOG=$ICE_RUN_DIR/socat.log"
  fi
}
