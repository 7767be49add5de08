package dev.ice.netfilter.internal;

import dev.ice.netfilter.InterceptionPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules a plan asks for, per direction, before any backend's syntax: the model every backend renders.
 *
 * @param inbound the rules of the chain hooked at nat PREROUTING
 * @param outbound the rules of the chain hooked at nat OUTPUT
 * @param families the IP families to intercept: IPv4, and IPv6 when the plan says so
 */
public record InterceptionRules(List<Rule> inbound, List<Rule> outbound, Set<IpFamily> families) {

    /** Copies the lists. */
    public InterceptionRules {
        inbound = List.copyOf(inbound);
        outbound = List.copyOf(outbound);
        families = Set.copyOf(families);
    }

    /**
     * Decides what to intercept.
     *
     * @param plan a valid plan
     * @return the rules; a role without ports gets an empty chain
     */
    public static InterceptionRules from(InterceptionPlan plan) {
        // Limitation: only TCP is intercepted, because REDIRECT hands the sidecar the original destination
        // (SO_ORIGINAL_DST) for TCP connections only; UDP, for DTLS, would need TPROXY rules.
        Set<IpFamily> families = plan.ipv6() ? Set.of(IpFamily.IPV4, IpFamily.IPV6) : Set.of(IpFamily.IPV4);
        return new InterceptionRules(inboundRules(plan), outboundRules(plan, families), families);
    }

    /**
     * @param direction a direction
     * @return the rules of that direction's chain
     */
    public List<Rule> rules(Direction direction) {
        return direction == Direction.INBOUND ? inbound : outbound;
    }

    /**
     * @param family an IP family
     * @return whether that family is intercepted
     */
    public boolean intercepts(IpFamily family) {
        return families.contains(family);
    }

    private static List<Rule> inboundRules(InterceptionPlan plan) {
        if (plan.inboundPorts().isEmpty()) {
            return List.of();
        }
        // Limitation: inbound rules match the port only, so in a namespace that routes for others, forwarded TCP to
        // an inbound port is redirected too, because a sidecar's namespace (a pod's, a container's) forwards nothing.
        return List.of(new Rule.Redirect(distinct(plan.inboundPorts()), plan.inboundListenerPort()));
    }

    private static List<Rule> outboundRules(InterceptionPlan plan, Set<IpFamily> families) {
        if (plan.outboundPorts().isEmpty()) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        // The sidecar's own sockets come first: its connections to the real destination must never loop back.
        rules.add(new Rule.SkipMark(plan.socketMark()));
        rules.add(new Rule.SkipNetwork(Cidr.IPV4_LOOPBACK));
        rules.add(new Rule.SkipNetwork(Cidr.IPV6_LOOPBACK));
        plan.excludedCidrs().stream().map(Cidr::parse).distinct().map(Rule.SkipNetwork::new).forEach(rules::add);
        rules.add(new Rule.Redirect(distinct(plan.outboundPorts()), plan.outboundListenerPort()));
        return rules.stream().filter(rule -> families.stream().anyMatch(rule::appliesTo)).toList();
    }

    private static List<Integer> distinct(List<Integer> ports) {
        return ports.stream().distinct().toList();
    }
}
