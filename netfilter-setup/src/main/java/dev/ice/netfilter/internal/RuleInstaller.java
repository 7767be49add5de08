package dev.ice.netfilter.internal;

/** One backend's way of writing, deleting and listing ICE's rules. */
public interface RuleInstaller {

    /**
     * Replaces whatever ICE installed before with these rules.
     *
     * @param rules what to intercept
     * @throws dev.ice.netfilter.NetfilterException when a command fails; the caller removes what was written
     */
    void install(InterceptionRules rules);

    /**
     * Deletes everything ICE installed; does nothing when nothing is installed.
     *
     * @throws dev.ice.netfilter.NetfilterException when a command fails
     */
    void remove();

    /**
     * @return ICE's rules as the backend's own listing prints them; empty when nothing is installed
     * @throws dev.ice.netfilter.NetfilterException when a command fails
     */
    String show();
}
