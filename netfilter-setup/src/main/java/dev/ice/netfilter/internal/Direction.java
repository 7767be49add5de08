package dev.ice.netfilter.internal;

/** Which way intercepted traffic flows, and so where in netfilter its chain is hooked. */
public enum Direction {

    /** Server roles: connections arriving from other hosts, seen at nat PREROUTING. */
    INBOUND,

    /** Client roles: connections this host's services open, seen at nat OUTPUT. */
    OUTBOUND
}
