package dev.ice.netfilter.internal;

import java.util.List;

/**
 * One rule of an ICE chain, as data. Each backend renders the same rules in its own syntax, so what is intercepted
 * is decided once, in {@link InterceptionRules#from}, and never per backend.
 *
 * <p>Rules are evaluated in order; the first that matches decides.
 */
public sealed interface Rule {

    /**
     * @param family an IP family
     * @return whether this rule means anything for that family's packets
     */
    default boolean appliesTo(IpFamily family) {
        return true;
    }

    /**
     * Packets from sockets carrying exactly this mark are left alone: they are the sidecar's own connections.
     *
     * @param mark the {@code SO_MARK} value, read as unsigned 32 bits
     */
    record SkipMark(int mark) implements Rule {
    }

    /**
     * Packets to this network are left alone.
     *
     * @param network loopback or a network the operator excluded
     */
    record SkipNetwork(Cidr network) implements Rule {

        @Override
        public boolean appliesTo(IpFamily family) {
            return network.family() == family;
        }
    }

    /**
     * TCP packets to one of these ports are redirected to the sidecar's listener on this host.
     *
     * @param ports the roles' destination ports, without repeats
     * @param listenerPort the sidecar's listener
     */
    record Redirect(List<Integer> ports, int listenerPort) implements Rule {

        /** Copies the ports. */
        public Redirect {
            ports = List.copyOf(ports);
        }
    }
}
