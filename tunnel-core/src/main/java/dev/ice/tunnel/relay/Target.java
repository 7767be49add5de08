package dev.ice.tunnel.relay;

import java.util.Set;

import dev.ice.tunnel.Endpoint;

/** Where a tunnel sends each accepted connection. */
public sealed interface Target {

    /**
     * Always the same place, as an explicit tunnel's {@code --connect} or {@code --forward}.
     *
     * @param endpoint the host and port
     */
    record Fixed(Endpoint endpoint) implements Target {
        @Override
        public String toString() {
            return endpoint.toString();
        }
    }

    /**
     * Where the connection was going before a netfilter REDIRECT sent it to the sidecar (SO_ORIGINAL_DST).
     *
     * @param ports the only destination ports accepted: the roles' ports; others are refused
     * @param loopbackFallback if the original address refuses the connection, try the same port on loopback, which
     *     reaches a local service bound only to 127.0.0.1 (or ::1)
     */
    record OriginalDestination(Set<Integer> ports, boolean loopbackFallback) implements Target {
        /** Copies the ports. */
        public OriginalDestination {
            ports = Set.copyOf(ports);
        }

        @Override
        public String toString() {
            return "original destination on ports " + new java.util.TreeSet<>(ports);
        }
    }
}
