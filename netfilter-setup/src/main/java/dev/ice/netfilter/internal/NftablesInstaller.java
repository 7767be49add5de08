package dev.ice.netfilter.internal;

import dev.ice.netfilter.Backend;
import dev.ice.netfilter.CommandRunner;
import java.util.List;

/** Writes ICE's rules natively with {@code nft}: one script per install or removal, applied atomically. */
public final class NftablesInstaller implements RuleInstaller {

    private static final List<String> APPLY_SCRIPT = List.of("nft", "-f", "-");

    private static final List<String> LIST_TABLE =
        List.of("nft", "list", "table", NftablesScript.TABLE_FAMILY, NftablesScript.TABLE_NAME);

    private final BackendCommands commands;

    /**
     * @param runner runs {@code nft}
     */
    public NftablesInstaller(CommandRunner runner) {
        this.commands = new BackendCommands(Backend.NFTABLES, runner);
    }

    @Override
    public void install(InterceptionRules rules) {
        commands.run(APPLY_SCRIPT, NftablesScript.install(rules));
    }

    @Override
    public void remove() {
        commands.run(APPLY_SCRIPT, NftablesScript.remove());
    }

    @Override
    public String show() {
        // Listing a missing table is an error, so look at the table names first.
        String tables = commands.run(List.of("nft", "list", "tables"), "");
        if (!tables.lines().map(String::strip).toList().contains("table " + NftablesScript.TABLE)) {
            return "";
        }
        return commands.run(LIST_TABLE, "");
    }
}
