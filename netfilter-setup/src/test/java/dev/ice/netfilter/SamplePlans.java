package dev.ice.netfilter;

import java.util.List;

/** Plans the tests share. */
public final class SamplePlans {

    /** The sidecar's mark in the samples. */
    public static final int MARK = 0x1ce;

    private SamplePlans() {
    }

    /**
     * @return both roles, an IPv4 and an IPv6 exclusion, IPv6 on
     */
    public static InterceptionPlan bothRolesWithIpv6() {
        return new InterceptionPlan(List.of(8080, 9090), List.of(80, 443), 15006, 15001, MARK,
            List.of("198.18.0.64/26", "2001:db8:ff::/48"), true);
    }

    /**
     * @return the same plan, IPv4 only
     */
    public static InterceptionPlan bothRolesIpv4Only() {
        InterceptionPlan plan = bothRolesWithIpv6();
        return new InterceptionPlan(plan.inboundPorts(), plan.outboundPorts(), plan.inboundListenerPort(),
            plan.outboundListenerPort(), plan.socketMark(), plan.excludedCidrs(), false);
    }
}
