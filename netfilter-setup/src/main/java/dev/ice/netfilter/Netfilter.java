package dev.ice.netfilter;

import dev.ice.netfilter.internal.BackendDetector;
import dev.ice.netfilter.internal.IptablesInstaller;
import dev.ice.netfilter.internal.NftablesInstaller;
import dev.ice.netfilter.internal.InterceptionRules;
import dev.ice.netfilter.internal.RuleInstaller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, removes and lists the NAT REDIRECT rules that send a container's traffic through ICE's sidecar.
 *
 * <p>Every change goes to the kernel as one batch per IP family ({@code iptables-restore --noflush}) or one script
 * ({@code nft -f -}), touching only ICE's own chains and table. Installing replaces what ICE installed before, so
 * installing twice leaves one set of rules. When an install fails, everything ICE installed is removed before the
 * exception is thrown: traffic then flows unintercepted, so the sidecar must not report itself ready.
 *
 * <p>Known issues (see the {@code Limitation} notes where they apply): only TCP is intercepted; {@link #remove()}
 * removes only what this instance's backend can see.
 */
public final class Netfilter {

    private static final Logger LOG = LoggerFactory.getLogger("ice.netfilter");

    private static final Path PROC = Path.of("/proc");

    private final Backend backend;
    private final RuleInstaller installer;

    private Netfilter(Backend backend, RuleInstaller installer) {
        this.backend = backend;
        this.installer = installer;
    }

    /**
     * Chooses a backend: the one named, or with {@code auto} the tool that already owns the namespace's nat rules
     * (legacy iptables, then iptables-nft, then native nftables if {@code nft} is installed, else iptables-nft).
     *
     * @param runner runs every netfilter command, e.g. {@link CommandRunner#local()}
     * @param override the value of {@code ICE_NETFILTER_BACKEND}: {@code iptables-nft}, {@code iptables-legacy},
     *     {@code nftables} or {@code auto}; null or blank means {@code auto}
     * @return a Netfilter writing with the chosen backend
     * @throws UnknownBackendException naming the value and the accepted names
     */
    public static Netfilter detect(CommandRunner runner, String override) {
        Backend backend = Backend.parse(override).orElseGet(() -> new BackendDetector(runner).detect());
        return using(backend, runner);
    }

    /**
     * @param backend the backend to write with
     * @param runner runs every netfilter command
     * @return a Netfilter writing with that backend
     */
    public static Netfilter using(Backend backend, CommandRunner runner) {
        RuleInstaller installer = switch (backend) {
            case IPTABLES_NFT, IPTABLES_LEGACY -> new IptablesInstaller(backend, runner);
            case NFTABLES -> new NftablesInstaller(runner);
        };
        return new Netfilter(backend, installer);
    }

    /**
     * @return the backend this instance writes with
     */
    public Backend backend() {
        return backend;
    }

    /**
     * Installs the plan's rules, replacing any that ICE installed before.
     *
     * @param plan what to intercept
     * @throws NetfilterException naming the backend, the failed command and its error output; ICE's rules are
     *     removed by then
     */
    public void install(InterceptionPlan plan) {
        try {
            installer.install(InterceptionRules.from(plan));
        } catch (NetfilterException e) {
            rollBack(e);
            throw e;
        }
        LOG.info("{}: installed interception: inbound ports {} to :{}, outbound ports {} to :{} (mark 0x{},"
            + " excluded {}), {}", backend, plan.inboundPorts(), plan.inboundListenerPort(), plan.outboundPorts(),
            plan.outboundListenerPort(), Integer.toHexString(plan.socketMark()), plan.excludedCidrs(),
            plan.ipv6() ? "IPv4 and IPv6" : "IPv4 only");
    }

    /**
     * Deletes every chain, jump and table ICE installed with this backend; succeeds when there is none.
     *
     * @throws NetfilterException naming the backend, the failed command and its error output
     */
    public void remove() {
        // Limitation: only this backend's rules are removed, because each tool sees only its own; rules written
        // with another backend (after ICE_NETFILTER_BACKEND changed) stay until removed with that backend.
        installer.remove();
        LOG.info("{}: removed interception", backend);
    }

    /**
     * @return ICE's installed rules as the backend lists them (iptables-save lines of ICE's chains and jumps, or
     *     {@code nft list table inet ice}); empty when nothing is installed
     * @throws NetfilterException naming the backend, the failed command and its error output
     */
    public String show() {
        return installer.show();
    }

    /**
     * Tells whether this JVM's network namespace has IPv6: enabled by sysctl, and with the kernel's IPv6 support
     * present. The answer is about the namespace the JVM runs in, not about a runner's prefix.
     *
     * @return whether {@code /proc/sys/net/ipv6/conf/all/disable_ipv6} reads 0 and {@code /proc/net/if_inet6} exists
     */
    public static boolean ipv6Enabled() {
        // Limitation: this answers for the JVM's own namespace, because /proc shows the reader's; a caller that
        // installs into another namespace through a prefixed runner must check that namespace itself.
        return ipv6Enabled(PROC);
    }

    /**
     * @param proc where procfs is mounted; tests pass a directory of their own
     * @return see {@link #ipv6Enabled()}
     */
    static boolean ipv6Enabled(Path proc) {
        Path disabled = proc.resolve("sys/net/ipv6/conf/all/disable_ipv6");
        try {
            return Files.readString(disabled).strip().equals("0") && Files.exists(proc.resolve("net/if_inet6"));
        } catch (IOException e) {
            // The sysctl is missing when the kernel has no IPv6 at all (ipv6.disable=1).
            return false;
        }
    }

    private void rollBack(NetfilterException failure) {
        LOG.warn("{}: install failed, removing ICE's rules: {}", backend, failure.getMessage());
        try {
            installer.remove();
        } catch (NetfilterException e) {
            failure.addSuppressed(e);
        }
    }
}
