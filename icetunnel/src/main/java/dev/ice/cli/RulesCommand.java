package dev.ice.cli;

import java.util.concurrent.Callable;

import dev.ice.sidecar.Interception;
import dev.ice.sidecar.SidecarSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code icetunnel rules install|remove|show}: the sidecar's interception rules by hand, from the same ICE_*
 * variables, e.g. in an init container so that the sidecar itself can run without NET_ADMIN.
 */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = "Install, remove or show the interception rules that ICE_ROLES calls for.")
final class RulesCommand implements Callable<Integer> {

    /** What to do with the rules. */
    enum Action { install, remove, show }

    @ParentCommand
    IceTunnel parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "install, remove or show")
    Action action;

    @Override
    public Integer call() {
        SidecarSettings settings = SidecarSettings.fromEnvironment(parent.environment(),
            warning -> spec.commandLine().getErr().println("icetunnel: warning: " + warning), false);
        Interception interception = Interception.forSettings(settings);
        try {
            switch (action) {
                case install -> interception.install();
                case remove -> interception.remove();
                case show -> spec.commandLine().getOut().print(interception.show());
            }
        } catch (RuntimeException e) {
            throw new StartupException("rules " + action + " failed: " + e.getMessage(), e);
        }
        return 0;
    }
}
