package dev.ice.netfilter.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A network written as address and prefix length, e.g. {@code 198.18.0.0/24} or {@code 2001:db8::/32}.
 *
 * <p>The address is the network's first address: a CIDR with host bits set is refused rather than silently masked,
 * because an operator who wrote {@code 198.18.0.7/24} may have meant {@code /32}.
 *
 * @param network the network's first address
 * @param prefixLength how many leading bits are fixed, 0 to the family's address length
 */
public record Cidr(InetAddress network, int prefixLength) {

    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** IPv4's loopback network: traffic to it never leaves the host, so it is never intercepted. */
    public static final Cidr IPV4_LOOPBACK = parse("127.0.0.0/8");

    /** IPv6's loopback address. */
    public static final Cidr IPV6_LOOPBACK = parse("::1/128");

    /**
     * Reads a CIDR; a bare address means that one host ({@code /32} or {@code /128}).
     *
     * @param text e.g. {@code 198.18.0.0/24}, {@code 198.18.0.7}, {@code 2001:db8::/32}
     * @return the network
     * @throws IllegalArgumentException saying what is wrong with the text, and the fix, without repeating it
     */
    public static Cidr parse(String text) {
        String value = text == null ? "" : text.strip();
        int slash = value.indexOf('/');
        InetAddress address = parseAddress(slash < 0 ? value : value.substring(0, slash));
        IpFamily family = familyOf(address);
        int prefix = slash < 0 ? family.addressBits() : parsePrefix(value.substring(slash + 1), family);
        InetAddress network = mask(address, prefix);
        if (!network.equals(address)) {
            throw new IllegalArgumentException("has host bits set; write its network, "
                + new Cidr(network, prefix) + ", or the single host as " + textOf(address));
        }
        return new Cidr(network, prefix);
    }

    /**
     * @return whether this is an IPv4 or an IPv6 network
     */
    public IpFamily family() {
        return familyOf(network);
    }

    /**
     * @return the network as iptables and nft read it, IPv6 in its short form (RFC 5952), e.g. {@code 2001:db8::/32}
     */
    @Override
    public String toString() {
        return textOf(network) + "/" + prefixLength;
    }

    private static InetAddress parseAddress(String literal) {
        // Java also reads IPv4's legacy forms ("198.18" as 198.0.0.18); an operator writing one likely erred.
        boolean dottedQuad = DOTTED_QUAD.matcher(literal).matches();
        try {
            // ofLiteral never asks DNS: a name here would be resolved once, silently, and go stale.
            InetAddress address = InetAddress.ofLiteral(literal);
            if (address instanceof Inet4Address && !dottedQuad) {
                throw new IllegalArgumentException("not four decimal parts");
            }
            return address;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not an IPv4 or IPv6 address with an optional /prefix;"
                + " write e.g. 198.18.0.0/24 or 2001:db8::/32");
        }
    }

    private static int parsePrefix(String digits, IpFamily family) {
        int bits = family.addressBits();
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)
                || Integer.parseInt(digits) > bits) {
            throw new IllegalArgumentException("has prefix '/" + digits + "'; an " + family
                + " prefix must be 0-" + bits);
        }
        return Integer.parseInt(digits);
    }

    private static IpFamily familyOf(InetAddress address) {
        return address instanceof Inet4Address ? IpFamily.IPV4 : IpFamily.IPV6;
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }

    private static String textOf(InetAddress address) {
        return address instanceof Inet4Address ? address.getHostAddress() : Ipv6Text.shortForm(address.getAddress());
    }
}
