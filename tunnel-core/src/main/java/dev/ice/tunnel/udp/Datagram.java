package dev.ice.tunnel.udp;

import java.net.InetSocketAddress;

/**
 * One datagram handed from an event loop to a flow's worker.
 *
 * @param bytes its payload, owned by the receiver from now on
 * @param sender where it came from
 */
record Datagram(byte[] bytes, InetSocketAddress sender) {
}
