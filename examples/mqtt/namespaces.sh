# The mqtt example in network namespaces, sourced by examples/run.sh after examples/lib.sh.
# shellcheck shell=bash disable=SC2034 # the EXAMPLE_* settings are read by run.sh
#
# What it shows: mosquitto_pub in `publisher` sends a message every 2 s to the broker in `broker`, and
# mosquitto_sub in `subscriber` prints each one. All three have ICE sidecars, so MQTT crosses the bridge inside
# TLS 1.3 PSK, including the subscriber's long-lived connection. `outsider` has no sidecar and no key: its MQTT
# connection to the broker's port meets the broker's sidecar, which refuses it.

# role:octet, in the order the hosts are built; each role gets namespace ice-mqtt-<role> at 198.18.0.<octet>.
EXAMPLE_HOSTS=(broker:21 subscriber:22 publisher:23 outsider:24)

# The ICE_ROLES of each role that has a sidecar.
declare -gA EXAMPLE_SIDECAR_ROLES=(
  [broker]=server:tcp:1883
  [subscriber]=client:tcp:1883
  [publisher]=client:tcp:1883
)

EXAMPLE_SERVICE_NAME=mosquitto
EXAMPLE_SERVICE_ROLE=broker
EXAMPLE_SERVICE_PORT=1883

EXAMPLE_TOPIC=test/topic

# Text in every published message: a capture on the bridge that shows it saw plaintext.
EXAMPLE_MARKER=ICE-PLAINTEXT-MARKER-MQTT

example_install_packages() {
  ice_require_commands mosquitto:mosquitto mosquitto_sub:mosquitto-clients mosquitto_pub:mosquitto-clients \
    tcpdump:tcpdump
}

# The broker address the clients use: the IPv6 one when the example runs with IPv6, to show that path.
example_broker_host() {
  if [ "$ICE_IPV6" = 1 ]; then
    address6_of broker
  else
    address_of broker
  fi
}

example_start_services() {
  cp "$ICE_EXAMPLES_DIR/mqtt/mosquitto.conf" "$ICE_RUN_DIR/mosquitto.conf"

  # Started as root, mosquitto drops to the `mosquitto` user that the Debian package created.
  ice_start mosquitto "$(namespace_of broker)" mosquitto -c "$ICE_RUN_DIR/mosquitto.conf"
}

# The seed's clients, interactive mode only: a subscriber that prints what arrives, a publisher every 2 s.
example_start_clients() {
  local broker
  broker=$(example_broker_host)

  ip netns exec "$(namespace_of subscriber)" mosquitto_sub -h "$broker" -t "$EXAMPLE_TOPIC" -v 2>&1 |
    sed -u 's/^/[subscriber] received: /' &

  # Give the subscription a moment, so that the first message is not published before anyone listens.
  sleep 1
  example_publish_every_2s "$(namespace_of publisher)" "$broker" &
}

example_publish_every_2s() {
  local namespace=$1 broker=$2 count=0 message
  while true; do
    count=$((count + 1))
    message="message $count at $(date +%T) $EXAMPLE_MARKER"
    if ip netns exec "$namespace" mosquitto_pub -h "$broker" -t "$EXAMPLE_TOPIC" -m "$message"; then
      printf '[publisher] sent: %s %s\n' "$EXAMPLE_TOPIC" "$message"
    else
      printf '[publisher] failed to publish message %s to %s\n' "$count" "$broker"
    fi
    sleep 2
  done
}

example_env() {
  echo "ICE_SERVICE_LOG=$ICE_RUN_DIR/mosquitto.log"
  echo "ICE_BROKER=$(address_of broker)"
  if [ "$ICE_IPV6" = 1 ]; then
    echo "ICE_BROKER6=$(address6_of broker)"
  fi
  echo "ICE_TOPIC=$EXAMPLE_TOPIC"
}
