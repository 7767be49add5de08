package dev.ice.tunnel.udp;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * A listener's open flows, by flow key and (server side) by RFC 9146 connection ID, bounded in number.
 *
 * <p>Flows are added and re-keyed on the listener's event loop, and removed from it; the maps are concurrent so that
 * workers can issue connection IDs and tests can count flows from other threads.
 */
final class FlowTable {

    // tls12_cid (RFC 9146 §4): the content type of a record that carries a connection ID after its sequence number.
    private static final int TLS12_CID = 25;
    private static final int CONNECTION_ID_OFFSET = 11;

    private final int maxFlows;
    private final ConcurrentMap<Object, Flow> byKey = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Flow> byConnectionId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    FlowTable(int maxFlows) {
        this.maxFlows = maxFlows;
    }

    /** @return the most flows the table holds */
    int maxFlows() {
        return maxFlows;
    }

    /** @return the flow for a key, or null */
    Flow find(Object key) {
        return byKey.get(key);
    }

    /** @return whether another flow would pass the bound */
    boolean isFull() {
        return byKey.size() >= maxFlows;
    }

    void add(Object key, Flow flow) {
        byKey.put(key, flow);
    }

    /** Removes a flow's entries, unless the key has meanwhile gone to a newer flow. */
    void remove(Object key, Flow flow) {
        byKey.remove(key, flow);
        byConnectionId.values().remove(flow);
    }

    /** Files a flow under its peer's new key after the peer's address changed. */
    void rekey(Object from, Object to, Flow flow) {
        if (byKey.remove(from, flow)) {
            byKey.put(to, flow);
        }
    }

    /** @return the number of flows open or handshaking */
    int size() {
        return byKey.size();
    }

    /** Runs an action for each flow, without copying the table. */
    void forEach(Consumer<Flow> action) {
        byKey.values().forEach(action);
    }

    /** @return a snapshot of the flows */
    List<Flow> all() {
        return List.copyOf(byKey.values());
    }

    /** @return a fresh random connection ID of {@value DatagramLimits#CONNECTION_ID} bytes, filed for the flow */
    byte[] issueConnectionId(Flow flow) {
        while (true) {
            int id = random.nextInt();
            if (byConnectionId.putIfAbsent(id, flow) == null) {
                return new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
            }
        }
    }

    /** @return the flow whose connection ID the datagram's first record carries, or null */
    Flow findByConnectionId(byte[] datagram) {
        if (datagram.length < CONNECTION_ID_OFFSET + DatagramLimits.CONNECTION_ID || datagram[0] != TLS12_CID) {
            return null;
        }
        int id = (datagram[CONNECTION_ID_OFFSET] & 0xFF) << 24 | (datagram[CONNECTION_ID_OFFSET + 1] & 0xFF) << 16
            | (datagram[CONNECTION_ID_OFFSET + 2] & 0xFF) << 8 | datagram[CONNECTION_ID_OFFSET + 3] & 0xFF;
        return byConnectionId.get(id);
    }
}
