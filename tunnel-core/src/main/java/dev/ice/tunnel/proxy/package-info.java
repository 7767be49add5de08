/**
 * The PROXY protocol (haproxy's, versions 1 and 2) on server tunnels: a load balancer in front of ICE names the
 * real client in a header before the TLS stream, and ICE may name it again to the plaintext service.
 *
 * <p>Headers are parsed by Netty's {@code netty-codec-haproxy}; this package decides when a header is expected,
 * whom to believe, and what a refusal is called in {@link dev.ice.tunnel.ConnectionOutcome}.
 */
package dev.ice.tunnel.proxy;
