package dev.ice.netfilter.internal;

/** An IP version: iptables keeps one ruleset per family, nftables' inet tables hold both. */
public enum IpFamily {

    /** IPv4, 32-bit addresses. */
    IPV4(32, "IPv4"),

    /** IPv6, 128-bit addresses. */
    IPV6(128, "IPv6");

    private final int addressBits;
    private final String text;

    IpFamily(int addressBits, String text) {
        this.addressBits = addressBits;
        this.text = text;
    }

    /**
     * @return how many bits an address of this family has: the longest prefix
     */
    public int addressBits() {
        return addressBits;
    }

    @Override
    public String toString() {
        return text;
    }
}
