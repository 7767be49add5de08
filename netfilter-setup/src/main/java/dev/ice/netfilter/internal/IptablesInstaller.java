package dev.ice.netfilter.internal;

import dev.ice.netfilter.Backend;
import dev.ice.netfilter.CommandResult;
import dev.ice.netfilter.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes ICE's rules with one iptables variant: per family, one {@code save} to read the nat table, then one
 * {@code restore --noflush} batch.
 *
 * <p>The variant's tools are {@code iptables-VARIANT-save}, {@code iptables-VARIANT-restore} and their
 * {@code ip6tables-} twins; Debian installs both variants with the iptables package.
 */
public final class IptablesInstaller implements RuleInstaller {

    private static final Logger LOG = LoggerFactory.getLogger("ice.netfilter");

    /**
     * The legacy tools share one lock file ({@code /run/xtables.lock}) with every iptables user on the machine, in
     * every namespace; waiting a little beats failing while Docker or kube-proxy holds it. The nft variant takes the
     * option and ignores it.
     */
    private static final String WAIT_FOR_LOCK = "--wait=5";

    private final String variant;
    private final BackendCommands commands;

    /**
     * @param backend {@link Backend#IPTABLES_NFT} or {@link Backend#IPTABLES_LEGACY}
     * @param runner runs the tools
     */
    public IptablesInstaller(Backend backend, CommandRunner runner) {
        this.variant = backend == Backend.IPTABLES_LEGACY ? "legacy" : "nft";
        this.commands = new BackendCommands(backend, runner);
    }

    @Override
    public void install(InterceptionRules rules) {
        for (IpFamily family : IpFamily.values()) {
            if (rules.intercepts(family)) {
                SavedNatTable saved = SavedNatTable.parse(commands.run(List.of(saveTool(family)), ""));
                restore(family, IptablesScript.install(rules, family, saved));
            } else {
                // A plan without IPv6 replaces one with it: ICE's IPv6 rules from before must go.
                removeIfReadable(family);
            }
        }
    }

    @Override
    public void remove() {
        for (IpFamily family : IpFamily.values()) {
            removeIfReadable(family);
        }
    }

    @Override
    public String show() {
        List<String> parts = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            read(family)
                .map(IptablesScript::show)
                .filter(text -> !text.isEmpty())
                .ifPresent(text -> parts.add("# " + saveTool(family) + ": ICE's chains and jumps\n" + text));
        }
        return String.join("", parts);
    }

    private void removeIfReadable(IpFamily family) {
        read(family).ifPresent(saved -> restore(family, IptablesScript.remove(saved)));
    }

    /**
     * Reads a family's nat table: IPv4's or else fails loudly. IPv6's may be unreadable on a kernel without IPv6;
     * such a kernel cannot hold ICE's IPv6 rules either, so there is nothing to remove or show.
     */
    private Optional<SavedNatTable> read(IpFamily family) {
        if (family == IpFamily.IPV4) {
            return Optional.of(SavedNatTable.parse(commands.run(List.of(saveTool(family)), "")));
        }
        CommandResult result = commands.attempt(List.of(saveTool(family)), "");
        if (!result.succeeded()) {
            LOG.debug("{} failed, so it holds no ICE rules: {}", saveTool(family), result.stderr().strip());
            return Optional.empty();
        }
        return Optional.of(SavedNatTable.parse(result.stdout()));
    }

    private void restore(IpFamily family, String batch) {
        if (!batch.isEmpty()) {
            commands.run(List.of(restoreTool(family), "--noflush", WAIT_FOR_LOCK), batch);
        }
    }

    private String saveTool(IpFamily family) {
        return tools(family) + "-save";
    }

    private String restoreTool(IpFamily family) {
        return tools(family) + "-restore";
    }

    private String tools(IpFamily family) {
        return (family == IpFamily.IPV4 ? "iptables-" : "ip6tables-") + variant;
    }
}
