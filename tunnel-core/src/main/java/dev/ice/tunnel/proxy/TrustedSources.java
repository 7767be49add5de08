package dev.ice.tunnel.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The address ranges whose PROXY protocol headers are believed: the load balancers in front of ICE.
 *
 * <p>A header lets its sender name any client it likes, so a header from anywhere else is refused.
 */
public final class TrustedSources {

    /** No source is trusted. */
    public static final TrustedSources NONE = new TrustedSources(List.of());

    private final List<Range> ranges;

    private TrustedSources(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Reads a comma-separated list of CIDRs or single addresses, e.g. {@code 10.0.0.5,10.1.0.0/16,fd00::/8}.
     *
     * @param text the list; blank means none
     * @param what the option or variable it came from, named in the error
     * @return the ranges
     * @throws ProxyProtocolConfigException naming the entry and the fix
     */
    public static TrustedSources parse(String text, String what) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : (text == null ? "" : text).split(",")) {
            if (!entry.isBlank()) {
                ranges.add(Range.parse(entry.strip(), what));
            }
        }
        return new TrustedSources(ranges);
    }

    /** @return whether no source is trusted */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /**
     * @param peer the address a connection came from
     * @return whether that address lies in one of the ranges
     */
    public boolean contains(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false;
        }
        return ranges.stream().anyMatch(range -> range.contains(inet.getAddress()));
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(",", "[", "]"));
    }

    /** One CIDR: a network address and the number of leading bits that must match. */
    private record Range(InetAddress network, int prefixLength) {

        static Range parse(String entry, String what) {
            int slash = entry.indexOf('/');
            InetAddress address = address(slash < 0 ? entry : entry.substring(0, slash), entry, what);
            int bits = address.getAddress().length * 8;
            int prefix = slash < 0 ? bits : prefixLength(entry.substring(slash + 1), bits, entry, what);
            Range range = new Range(address, prefix);
            if (!range.hostBitsZero()) {
                throw invalid(what, entry, "it has bits set after the first " + prefix + "; write the network "
                    + "address, e.g. 10.1.0.0/16");
            }
            return range;
        }

        boolean contains(InetAddress candidate) {
            byte[] mine = network.getAddress();
            byte[] theirs = candidate.getAddress();
            if (mine.length != theirs.length) {
                return false;
            }
            for (int bit = 0; bit < prefixLength; bit++) {
                if (bitAt(mine, bit) != bitAt(theirs, bit)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefixLength;
        }

        private boolean hostBitsZero() {
            byte[] bytes = network.getAddress();
            for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
                if (bitAt(bytes, bit) != 0) {
                    return false;
                }
            }
            return true;
        }

        private static int bitAt(byte[] bytes, int bit) {
            return (bytes[bit / 8] >> (7 - bit % 8)) & 1;
        }

        // InetAddress.ofLiteral parses address literals only: a host name is refused, never looked up.
        private static InetAddress address(String text, String entry, String what) {
            try {
                return InetAddress.ofLiteral(text);
            } catch (IllegalArgumentException e) {
                throw invalid(what, entry, "not an IPv4 or IPv6 address; write e.g. 10.0.0.5 or 10.1.0.0/16");
            }
        }

        private static int prefixLength(String text, int bits, String entry, String what) {
            if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(Character::isDigit)
                || Integer.parseInt(text) > bits) {
                throw invalid(what, entry, "the prefix length must be 0-" + bits);
            }
            return Integer.parseInt(text);
        }

        private static ProxyProtocolConfigException invalid(String what, String entry, String fix) {
            return new ProxyProtocolConfigException(what + " entry '" + entry + "': " + fix);
        }
    }
}
