package dev.ice.netfilter.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders ICE's rules as an {@code nft -f -} script (man nft): ICE's own {@code inet} table, holding one nat chain
 * per direction, replaced as a whole in one transaction.
 *
 * <p>A script first declares the table (creating it if absent) and then deletes it, so that the table defined next
 * starts empty whether or not an earlier install left one; nft applies the whole script atomically or not at all.
 */
public final class NftablesScript {

    /** The family of ICE's table: inet chains see IPv4 and IPv6 alike. */
    public static final String TABLE_FAMILY = "inet";

    /** The name of ICE's table. */
    public static final String TABLE_NAME = "ice";

    /** The family and name of ICE's table, as nft commands take them. */
    public static final String TABLE = TABLE_FAMILY + " " + TABLE_NAME;

    private NftablesScript() {
    }

    /**
     * Renders an install.
     *
     * @param rules what to intercept
     * @return the script replacing ICE's table
     */
    public static String install(InterceptionRules rules) {
        List<String> lines = new ArrayList<>(List.of("table " + TABLE, "delete table " + TABLE));
        lines.add("table " + TABLE + " {");
        lines.addAll(chain(Direction.INBOUND, rules));
        lines.add("");
        lines.addAll(chain(Direction.OUTBOUND, rules));
        lines.add("}");
        return String.join("\n", lines) + "\n";
    }

    /**
     * @return the script deleting ICE's table, which succeeds when there is none
     */
    public static String remove() {
        return "table " + TABLE + "\ndelete table " + TABLE + "\n";
    }

    /**
     * @param direction a direction
     * @return the name of ICE's chain for it within ICE's table
     */
    public static String chainOf(Direction direction) {
        return direction == Direction.INBOUND ? "inbound" : "output";
    }

    private static List<String> chain(Direction direction, InterceptionRules rules) {
        List<String> lines = new ArrayList<>();
        lines.add("\tchain " + chainOf(direction) + " {");
        lines.add("\t\ttype nat hook " + hookOf(direction) + "; policy accept;");
        if (!rules.intercepts(IpFamily.IPV6)) {
            lines.add("\t\tmeta nfproto ipv6 return");
        }
        rules.rules(direction).forEach(rule -> lines.add("\t\t" + render(rule)));
        lines.add("\t}");
        return lines;
    }

    /**
     * The hook and priority of a direction's chain: -100 is where nat rewrites destinations (iptables' nat table
     * uses it too). nft 1.0.6 accepts the name {@code dstnat} at prerouting only, hence the number at output.
     */
    private static String hookOf(Direction direction) {
        return direction == Direction.INBOUND ? "prerouting priority dstnat" : "output priority -100";
    }

    private static String render(Rule rule) {
        return switch (rule) {
            case Rule.SkipMark skip -> "meta mark " + String.format("0x%08x", skip.mark()) + " return";
            case Rule.SkipNetwork skip -> addressMatch(skip.network()) + " return";
            case Rule.Redirect redirect -> "tcp dport " + portSet(redirect.ports())
                + " redirect to :" + redirect.listenerPort();
        };
    }

    private static String addressMatch(Cidr network) {
        return (network.family() == IpFamily.IPV4 ? "ip" : "ip6") + " daddr " + network;
    }

    private static String portSet(List<Integer> ports) {
        if (ports.size() == 1) {
            return ports.getFirst().toString();
        }
        return ports.stream().map(String::valueOf).collect(Collectors.joining(", ", "{ ", " }"));
    }
}
