package dev.ice.netfilter.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders ICE's rules as input for {@code iptables-restore --noflush} (man iptables-restore): one transaction on the
 * nat table that touches only ICE's chains and the two jumps into them.
 *
 * <p>Declaring a chain ({@code :ICE_OUTPUT - [0:0]}) creates it, or empties it if it exists, in both the nft and the
 * legacy variant; that is what makes a second install replace the first instead of adding to it.
 */
public final class IptablesScript {

    /** The chain holding the server roles' rules. */
    public static final String INBOUND_CHAIN = "ICE_INBOUND";

    /** The chain holding the client roles' rules. */
    public static final String OUTBOUND_CHAIN = "ICE_OUTPUT";

    private static final List<Direction> DIRECTIONS = List.of(Direction.INBOUND, Direction.OUTBOUND);

    private IptablesScript() {
    }

    /**
     * Renders an install: ICE's chains filled anew, and exactly one jump to each from its built-in chain.
     *
     * @param rules what to intercept
     * @param family the family of the restore tool the batch is for
     * @param saved the nat table as it is now, to find jumps left by an earlier install
     * @return the batch
     */
    public static String install(InterceptionRules rules, IpFamily family, SavedNatTable saved) {
        List<String> lines = new ArrayList<>();
        lines.add("*nat");
        DIRECTIONS.forEach(direction -> lines.add(":" + chainOf(direction) + " - [0:0]"));
        for (Direction direction : DIRECTIONS) {
            rules.rules(direction).stream()
                .filter(rule -> rule.appliesTo(family))
                .forEach(rule -> lines.addAll(render(chainOf(direction), rule)));
        }
        DIRECTIONS.forEach(direction -> lines.addAll(jumpFixes(direction, saved)));
        lines.add("COMMIT");
        return String.join("\n", lines) + "\n";
    }

    /**
     * Renders a removal of everything ICE put in the nat table.
     *
     * @param saved the nat table as it is now
     * @return the batch, or an empty string when ICE has nothing there
     */
    public static String remove(SavedNatTable saved) {
        // Limitation: the nat table and its built-in chains stay, empty, after removal, because iptables cannot
        // delete built-in chains and the table may be shared with other rules; they change no packet.
        List<String> lines = new ArrayList<>();
        for (Direction direction : DIRECTIONS) {
            saved.jumpsTo(chainOf(direction)).forEach(jump -> lines.add(deletion(jump)));
        }
        for (Direction direction : DIRECTIONS) {
            String chain = chainOf(direction);
            if (saved.hasChain(chain)) {
                lines.add("-F " + chain);
                lines.add("-X " + chain);
            }
        }
        if (lines.isEmpty()) {
            return "";
        }
        return "*nat\n" + String.join("\n", lines) + "\nCOMMIT\n";
    }

    /**
     * Picks ICE's part out of the nat table, in iptables-save's own format.
     *
     * @param saved the nat table
     * @return ICE's chain declarations, their rules and the jumps into them; empty when ICE has nothing there
     */
    public static String show(SavedNatTable saved) {
        List<String> lines = new ArrayList<>();
        for (Direction direction : DIRECTIONS) {
            String chain = chainOf(direction);
            if (saved.hasChain(chain)) {
                lines.add(":" + chain + " - [0:0]");
            }
        }
        DIRECTIONS.forEach(direction -> lines.addAll(saved.jumpsTo(chainOf(direction))));
        DIRECTIONS.forEach(direction -> lines.addAll(saved.rulesOf(chainOf(direction))));
        if (lines.isEmpty()) {
            return "";
        }
        return "*nat\n" + String.join("\n", lines) + "\nCOMMIT\n";
    }

    /**
     * @param direction a direction
     * @return the name of ICE's chain for it
     */
    public static String chainOf(Direction direction) {
        return direction == Direction.INBOUND ? INBOUND_CHAIN : OUTBOUND_CHAIN;
    }

    private static String hookOf(Direction direction) {
        return direction == Direction.INBOUND ? "PREROUTING" : "OUTPUT";
    }

    private static String jumpOf(Direction direction) {
        return "-A " + hookOf(direction) + " -j " + chainOf(direction);
    }

    /**
     * Keeps a single correct jump as it is; otherwise deletes every jump found (a duplicate left by a crash, or an
     * older form) and inserts one in first place, so that ICE sees connections before other nat rules rewrite them.
     */
    private static List<String> jumpFixes(Direction direction, SavedNatTable saved) {
        List<String> jumps = saved.jumpsTo(chainOf(direction));
        if (jumps.equals(List.of(jumpOf(direction)))) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(jumps.stream().map(IptablesScript::deletion).toList());
        lines.add("-I " + hookOf(direction) + " 1 -j " + chainOf(direction));
        return lines;
    }

    /** Turns a saved rule ({@code -A CHAIN spec}) into the command deleting it ({@code -D CHAIN spec}). */
    private static String deletion(String savedRule) {
        return "-D " + savedRule.substring("-A ".length());
    }

    private static List<String> render(String chain, Rule rule) {
        return switch (rule) {
            case Rule.SkipMark skip -> List.of("-A " + chain + " -m mark --mark 0x"
                + Integer.toHexString(skip.mark()) + " -j RETURN");
            case Rule.SkipNetwork skip -> List.of("-A " + chain + " -d " + skip.network() + " -j RETURN");
            case Rule.Redirect redirect -> redirect.ports().stream()
                .map(port -> "-A " + chain + " -p tcp -m tcp --dport " + port
                    + " -j REDIRECT --to-ports " + redirect.listenerPort())
                .toList();
        };
    }
}
