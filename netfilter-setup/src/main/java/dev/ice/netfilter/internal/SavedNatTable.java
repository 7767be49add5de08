package dev.ice.netfilter.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The nat table as {@code iptables-save} prints it: chain declarations ({@code :NAME POLICY [p:b]}) and rules
 * ({@code -A CHAIN ...}), without the other tables, comments or counters.
 *
 * @param chains the names of the declared chains, built-in ones included
 * @param rules the rule lines, each starting with {@code -A}
 */
public record SavedNatTable(List<String> chains, List<String> rules) {

    /** The chains the kernel's nat table always has. */
    private static final Set<String> BUILT_IN = Set.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");

    /** Copies the lists. */
    public SavedNatTable {
        chains = List.copyOf(chains);
        rules = List.copyOf(rules);
    }

    /**
     * Picks the nat table out of a whole {@code iptables-save} output.
     *
     * @param saveOutput what iptables-save printed; may hold other tables, or none (a legacy table that was never
     *     loaded is not printed at all)
     * @return the nat table, empty when there is none
     */
    public static SavedNatTable parse(String saveOutput) {
        List<String> chains = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        boolean inNat = false;
        for (String line : saveOutput.lines().map(String::strip).toList()) {
            if (line.startsWith("*")) {
                inNat = line.equals("*nat");
            } else if (inNat && line.startsWith(":")) {
                chains.add(line.substring(1).split(" ", 2)[0]);
            } else if (inNat && line.startsWith("-A ")) {
                rules.add(line);
            }
        }
        return new SavedNatTable(chains, rules);
    }

    /**
     * @return whether anything was added to the nat table: a rule, or a chain of someone's own
     */
    public boolean hasRulesBeyondDefaults() {
        return !rules.isEmpty() || chains.stream().anyMatch(chain -> !BUILT_IN.contains(chain));
    }

    /**
     * @param chain a chain name
     * @return whether the chain is declared
     */
    public boolean hasChain(String chain) {
        return chains.contains(chain);
    }

    /**
     * @param chain a chain name
     * @return the rules appended to that chain, in order
     */
    public List<String> rulesOf(String chain) {
        return rules.stream().filter(rule -> rule.startsWith("-A " + chain + " ")).toList();
    }

    /**
     * Finds the rules of other chains that jump to a chain. iptables-save ends a jump to a user chain with
     * {@code -j NAME}, since such a target takes no options.
     *
     * @param chain a chain name
     * @return the jumping rules, in order
     */
    public List<String> jumpsTo(String chain) {
        return rules.stream().filter(rule -> rule.endsWith(" -j " + chain)).toList();
    }
}
