package dev.ice.sidecar;

/**
 * The nginx example with {@code ICE_EXAMPLE_IPV6=1}: the same checks as {@link NginxExampleIT}, with the client
 * and the outsider using the server's 2001:db8:: address, so that the IPv6 listeners and rules carry the traffic.
 */
class NginxIpv6ExampleIT extends NginxScenario {

    @Override
    boolean ipv6() {
        return true;
    }
}
