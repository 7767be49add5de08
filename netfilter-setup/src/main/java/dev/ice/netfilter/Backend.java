package dev.ice.netfilter;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tool that writes ICE's interception rules into the kernel.
 *
 * <p>A container's namespace can hold rules written by several tools at once, and the kernel runs them all. ICE
 * writes its rules with the tool that already owns the namespace's nat rules, so that an operator reading them with
 * that tool sees ICE's rules beside the others; see {@link Netfilter#detect}.
 */
public enum Backend {

    /** iptables over nf_tables ({@code iptables-nft-restore}, {@code ip6tables-nft-restore}): Debian's default. */
    IPTABLES_NFT("iptables-nft"),

    /** iptables over the legacy x_tables interface ({@code iptables-legacy-restore}), as older Docker hosts use. */
    IPTABLES_LEGACY("iptables-legacy"),

    /** Native nftables ({@code nft -f -}): one {@code inet} table for IPv4 and IPv6. */
    NFTABLES("nftables");

    /** The name that asks {@link Netfilter#detect} to choose. */
    public static final String AUTO = "auto";

    private final String settingName;

    Backend(String settingName) {
        this.settingName = settingName;
    }

    /**
     * @return the name a user writes in {@code ICE_NETFILTER_BACKEND}, e.g. {@code iptables-nft}
     */
    public String settingName() {
        return settingName;
    }

    /**
     * Reads a backend name as a user writes it in {@code ICE_NETFILTER_BACKEND}.
     *
     * @param name {@code iptables-nft}, {@code iptables-legacy}, {@code nftables} or {@code auto}, in any case;
     *     null or blank means {@code auto}
     * @return the backend, or empty for {@code auto}
     * @throws UnknownBackendException naming the value and the accepted names
     */
    public static Optional<Backend> parse(String name) {
        String value = name == null ? "" : name.strip();
        if (value.isEmpty() || value.equalsIgnoreCase(AUTO)) {
            return Optional.empty();
        }
        return Arrays.stream(values())
            .filter(backend -> backend.settingName.equalsIgnoreCase(value))
            .findFirst()
            .or(() -> {
                throw new UnknownBackendException("ICE_NETFILTER_BACKEND '" + name + "' is not a netfilter backend;"
                    + " use one of " + acceptedNames());
            });
    }

    private static String acceptedNames() {
        return Arrays.stream(values()).map(Backend::settingName).collect(Collectors.joining(", ")) + ", " + AUTO;
    }

    @Override
    public String toString() {
        return settingName;
    }
}
