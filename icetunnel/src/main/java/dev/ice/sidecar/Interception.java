package dev.ice.sidecar;

import java.util.List;

import dev.ice.netfilter.CommandRunner;
import dev.ice.netfilter.InterceptionPlan;
import dev.ice.netfilter.Netfilter;

/**
 * The netfilter rules that send the roles' traffic to the sidecar, built from the sidecar's settings.
 *
 * <p>Which backend (iptables-nft, iptables-legacy, nftables) is chosen when the rules are first touched, from
 * {@code ICE_NETFILTER_BACKEND} or by detection.
 */
public final class Interception {

    private final SidecarSettings settings;
    private final boolean ipv6;
    private Netfilter netfilter;

    private Interception(SidecarSettings settings, boolean ipv6) {
        this.settings = settings;
        this.ipv6 = ipv6;
    }

    /**
     * @param settings the sidecar's settings
     * @return the interception they call for; IPv6 is included when the namespace has IPv6 and ICE_IPV6 is not off
     */
    public static Interception forSettings(SidecarSettings settings) {
        return new Interception(settings, !settings.ipv6().equals("off") && Netfilter.ipv6Enabled());
    }

    /** @return whether IPv6 traffic is intercepted as well as IPv4 */
    public boolean ipv6() {
        return ipv6;
    }

    /** @return the backend's name, e.g. "iptables-nft" */
    public String backendName() {
        return netfilter().backend().settingName();
    }

    /**
     * Checks the settings the rules are built from, such as ICE_EXCLUDE_CIDRS, before anything is started.
     *
     * @throws IllegalArgumentException naming the value and the fix
     */
    public void checkPlan() {
        try {
            plan();
        } catch (IllegalArgumentException e) {
            throw new SidecarConfigException("ICE_EXCLUDE_CIDRS or the sidecar's ports: " + e.getMessage());
        }
    }

    /** Installs the rules, replacing any that a crashed sidecar left behind. */
    public void install() {
        netfilter().install(plan());
    }

    /** Removes every rule ICE installed; succeeds when there are none. */
    public void remove() {
        netfilter().remove();
    }

    /** @return the installed rules as the backend lists them */
    public String show() {
        return netfilter().show();
    }

    private InterceptionPlan plan() {
        return new InterceptionPlan(List.copyOf(settings.serverPorts()), List.copyOf(settings.clientPorts()),
            settings.inboundPort(), settings.outboundPort(), settings.socketMark(), settings.excludedCidrs(), ipv6);
    }

    private Netfilter netfilter() {
        if (netfilter == null) {
            netfilter = Netfilter.detect(CommandRunner.local(), settings.backend());
        }
        return netfilter;
    }
}
