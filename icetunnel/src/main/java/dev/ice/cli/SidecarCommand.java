package dev.ice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.sidecar.Banner;
import dev.ice.sidecar.Interception;
import dev.ice.sidecar.Sidecar;
import dev.ice.sidecar.SidecarSettings;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.LinuxSockets;
import dev.ice.tunnel.relay.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code icetunnel sidecar}: the transparent sidecar, configured by ICE_* variables only.
 *
 * <p>It fails closed: if the listeners or the interception rules for any role cannot be set up, it removes what it
 * installed and exits 1 without ever logging {@code ready}.
 */
@Command(name = "sidecar", mixinStandardHelpOptions = true,
    description = "Intercept the roles in ICE_ROLES with netfilter and carry them over TLS-PSK.")
final class SidecarCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger("ice.sidecar");

    @ParentCommand
    IceTunnel parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        SidecarSettings settings = SidecarSettings.fromEnvironment(parent.environment(), LOG::warn, true);
        CountDownLatch stop = Signals.trapTermination();
        Banner.print(spec.commandLine().getOut(), Version.number(), settings);
        warnIfPlaintext(settings);
        Interception interception = Interception.forSettings(settings);
        interception.checkPlan();
        boolean keepRules = SidecarSettings.keepRulesOnExit(parent.environment());

        try {
            LinuxSockets.requireMarkPermitted(settings.socketMark());
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        Transport transport = Transport.start(0);
        Sidecar sidecar = startListeners(settings, interception.ipv6(), transport);
        try {
            interception.install();
        } catch (RuntimeException e) {
            sidecar.close();
            transport.close();
            throw new StartupException("interception could not be installed, so the sidecar does not start "
                + "(fail closed): " + e.getMessage(), e);
        }
        KeyReloading.start(settings.keys());
        LOG.info("ready: roles {} intercepted with {} ({}), listening on {}", settings.roles(),
            interception.backendName(), interception.ipv6() ? "IPv4 and IPv6" : "IPv4", sidecar.describe());

        // A signal that came while starting up is handled here, after the rules are complete, so they are removed.
        stop.await();
        LOG.info("stopping: closing listeners{}", keepRules ? "" : ", then removing the interception rules");
        if (settings.keys() != null) {
            settings.keys().close();
        }
        sidecar.close();
        if (keepRules) {
            LOG.info("ICE_KEEP_RULES_ON_EXIT=True: the interception rules stay, so the service's traffic on its roles "
                + "is refused, never sent in clear, until a sidecar starts again or 'icetunnel rules remove' runs");
        } else {
            interception.remove();
        }
        transport.close();
        return 0;
    }

    private static Sidecar startListeners(SidecarSettings settings, boolean ipv6, Transport transport) {
        try {
            return Sidecar.start(settings, ipv6, ConnectionListener.NONE, transport);
        } catch (Exception e) {
            transport.close();
            throw new StartupException("cannot listen on the sidecar's ports " + settings.inboundPort() + "/"
                + settings.outboundPort() + ": " + e.getMessage(), e);
        }
    }

    private void warnIfPlaintext(SidecarSettings settings) {
        if (settings.encryptionEnabled()) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        String warning = "ICE_ENCRYPTION_ENABLED=False: traffic on " + settings.roles()
            + " is intercepted but crosses the network in PLAINTEXT. Use this only for development.";
        err.println("!!! " + warning);
        LOG.warn("ENCRYPTION IS OFF. {}", warning);
    }
}
