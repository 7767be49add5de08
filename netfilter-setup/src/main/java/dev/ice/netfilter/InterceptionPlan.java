package dev.ice.netfilter;

import dev.ice.netfilter.internal.Cidr;
import java.util.List;
import java.util.Objects;

/**
 * What ICE's sidecar intercepts: which TCP ports go to which of its listeners, and which traffic is left alone.
 *
 * <p>Server roles: TCP that arrives from other hosts for one of the {@code inboundPorts} is redirected to the
 * sidecar's inbound listener. Client roles: TCP that this host's services open to any address on one of the
 * {@code outboundPorts} is redirected to the sidecar's outbound listener, except from sockets carrying the sidecar's
 * {@code socketMark}, to loopback, or to an excluded network.
 *
 * <p>The constructor checks every value, so a plan that exists can be installed.
 *
 * @param inboundPorts ports of the server roles, 1-65535; may be empty
 * @param outboundPorts ports of the client roles, 1-65535; may be empty, but not both lists
 * @param inboundListenerPort where the sidecar accepts redirected inbound connections, e.g. 15006
 * @param outboundListenerPort where the sidecar accepts redirected outbound connections, e.g. 15001
 * @param socketMark the {@code SO_MARK} value on the sidecar's own sockets (read as unsigned 32 bits), e.g.
 *     {@code 0x1ce}; matched exactly, never 0
 * @param excludedCidrs networks the client roles never intercept, IPv4 or IPv6, e.g. {@code 198.18.0.0/24}; a bare
 *     address means one host
 * @param ipv6 whether to intercept IPv6 too; see {@link Netfilter#ipv6Enabled()}
 * @throws InvalidPlanException naming the field, the value and the fix
 */
public record InterceptionPlan(List<Integer> inboundPorts, List<Integer> outboundPorts, int inboundListenerPort,
        int outboundListenerPort, int socketMark, List<String> excludedCidrs, boolean ipv6) {

    private static final int MAX_PORT = 65_535;

    /** Copies the lists and checks every value. */
    public InterceptionPlan {
        inboundPorts = copy(inboundPorts, "inboundPorts");
        outboundPorts = copy(outboundPorts, "outboundPorts");
        excludedCidrs = copy(excludedCidrs, "excludedCidrs");
        checkPorts(inboundPorts, "inboundPorts");
        checkPorts(outboundPorts, "outboundPorts");
        checkSomethingIsIntercepted(inboundPorts, outboundPorts);
        checkListeners(inboundListenerPort, outboundListenerPort, inboundPorts, outboundPorts);
        checkMark(socketMark);
        excludedCidrs.forEach(InterceptionPlan::checkCidr);
    }

    private static <T> List<T> copy(List<T> values, String field) {
        Objects.requireNonNull(values, () -> "interception plan: " + field + " is null; give an empty list for none");
        if (values.stream().anyMatch(Objects::isNull)) {
            throw invalid(field + " " + values + " holds null; give only values");
        }
        return List.copyOf(values);
    }

    private static void checkPorts(List<Integer> ports, String field) {
        ports.forEach(port -> checkPort(port, field + " entry"));
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > MAX_PORT) {
            throw invalid(what + " " + port + " is out of range; a TCP port must be 1-" + MAX_PORT);
        }
    }

    private static void checkSomethingIsIntercepted(List<Integer> inbound, List<Integer> outbound) {
        if (inbound.isEmpty() && outbound.isEmpty()) {
            throw invalid("inboundPorts and outboundPorts are both empty, so there is nothing to intercept;"
                + " give the ports of at least one role, or do not install rules");
        }
    }

    private static void checkListeners(int inboundListener, int outboundListener, List<Integer> inbound,
            List<Integer> outbound) {
        checkPort(inboundListener, "inboundListenerPort");
        checkPort(outboundListener, "outboundListenerPort");
        if (inboundListener == outboundListener) {
            throw invalid("inboundListenerPort and outboundListenerPort are both " + inboundListener
                + "; the sidecar tells the directions apart by listener, so give them different ports");
        }
        checkListenerIsNotIntercepted("inboundListenerPort", inboundListener, inbound, outbound);
        checkListenerIsNotIntercepted("outboundListenerPort", outboundListener, inbound, outbound);
    }

    private static void checkListenerIsNotIntercepted(String field, int listener, List<Integer> inbound,
            List<Integer> outbound) {
        if (inbound.contains(listener) || outbound.contains(listener)) {
            throw invalid(field + " " + listener + " is also a role port; connections to the sidecar's own"
                + " listener would be intercepted, so choose a listener port that no role uses");
        }
    }

    private static void checkMark(int mark) {
        if (mark == 0) {
            throw invalid("socketMark 0 is the mark of every unmarked socket, so nothing would be intercepted;"
                + " give the non-zero SO_MARK the sidecar sets on its own sockets, e.g. 0x1ce");
        }
    }

    private static void checkCidr(String cidr) {
        try {
            Cidr.parse(cidr);
        } catch (IllegalArgumentException e) {
            throw invalid("excludedCidrs entry '" + cidr + "' " + e.getMessage());
        }
    }

    private static InvalidPlanException invalid(String problem) {
        return new InvalidPlanException("interception plan: " + problem);
    }
}
