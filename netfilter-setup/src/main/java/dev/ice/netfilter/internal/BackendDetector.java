package dev.ice.netfilter.internal;

import dev.ice.netfilter.Backend;
import dev.ice.netfilter.CommandResult;
import dev.ice.netfilter.CommandRunner;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the backend that already owns the namespace's nat rules.
 *
 * <p>The kernel runs legacy iptables, iptables-nft and native nftables rules side by side, but each tool lists only
 * its own; writing ICE's rules with the tool already in use keeps every nat rule visible to one listing. In order:
 * legacy if {@code iptables-legacy-save} shows nat rules beyond the built-in chains, iptables-nft if
 * {@code iptables-nft-save} does, native nftables if {@code nft} runs, iptables-nft otherwise.
 */
public final class BackendDetector {

    private static final Logger LOG = LoggerFactory.getLogger("ice.netfilter");

    private final CommandRunner runner;

    /**
     * @param runner runs the probing commands, which only read
     */
    public BackendDetector(CommandRunner runner) {
        this.runner = runner;
    }

    /**
     * @return the backend to use here
     */
    public Backend detect() {
        // Limitation: only the IPv4 nat tables are read, because a namespace whose nat rules are IPv6 only is rare
        // enough that ICE_NETFILTER_BACKEND can name the backend there.
        if (hasNatRules("iptables-legacy-save")) {
            return chosen(Backend.IPTABLES_LEGACY, "iptables-legacy-save shows nat rules");
        }
        if (hasNatRules("iptables-nft-save")) {
            return chosen(Backend.IPTABLES_NFT, "iptables-nft-save shows nat rules");
        }
        if (runner.run(List.of("nft", "--version"), "").succeeded()) {
            return chosen(Backend.NFTABLES, "no iptables nat rules, and nft is installed");
        }
        return chosen(Backend.IPTABLES_NFT, "no iptables nat rules, and nft is not installed");
    }

    /**
     * Reads the nat table without naming it: {@code -t nat} would make the legacy tool load an empty nat table
     * into the kernel, and every later iptables-nft call would then warn about legacy tables.
     */
    private boolean hasNatRules(String saveTool) {
        CommandResult result = runner.run(List.of(saveTool), "");
        if (!result.succeeded()) {
            LOG.debug("{} failed, so it shows no nat rules: {}", saveTool, result.stderr().strip());
            return false;
        }
        return SavedNatTable.parse(result.stdout()).hasRulesBeyondDefaults();
    }

    private static Backend chosen(Backend backend, String reason) {
        LOG.info("netfilter backend {}: {}", backend, reason);
        return backend;
    }
}
