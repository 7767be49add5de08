/**
 * Netfilter rules for ICE's transparent sidecar: NAT REDIRECT of a container's TCP to the sidecar's listeners, as
 * Istio's sidecar does. This package knows nothing of TLS; it only decides where connections go.
 *
 * <h2>What is intercepted</h2>
 * <ul>
 *   <li>Server roles: TCP arriving from other hosts (nat PREROUTING) for an inbound port is redirected to the
 *       sidecar's inbound listener.</li>
 *   <li>Client roles: TCP that the host's services open (nat OUTPUT) to any address on an outbound port is
 *       redirected to the sidecar's outbound listener, except from sockets with the sidecar's {@code SO_MARK}
 *       (matched exactly), to loopback ({@code 127.0.0.0/8}, {@code ::1}), or to an excluded network.</li>
 *   <li>IPv4 always, IPv6 when the plan says so.</li>
 * </ul>
 *
 * <h2>Where the rules live</h2>
 * With iptables (nft or legacy variant): chains {@code ICE_INBOUND} and {@code ICE_OUTPUT} in the nat table, each
 * entered by one jump inserted first in PREROUTING or OUTPUT. With nftables: the table {@code inet ice}, with nat
 * chains {@code inbound} (hook prerouting) and {@code output} (hook output), both at priority -100.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link dev.ice.netfilter.InterceptionPlan}: ports, listener ports, mark, exclusions, IPv6; checked when
 *       built, throwing {@link dev.ice.netfilter.InvalidPlanException}.</li>
 *   <li>{@link dev.ice.netfilter.Backend}: {@code iptables-nft}, {@code iptables-legacy}, {@code nftables};
 *       {@link dev.ice.netfilter.Backend#parse} reads {@code ICE_NETFILTER_BACKEND}.</li>
 *   <li>{@link dev.ice.netfilter.Netfilter}: {@code detect} or {@code using} a backend, then {@code install},
 *       {@code remove} and {@code show}; {@code ipv6Enabled} tells whether to ask for IPv6.</li>
 *   <li>{@link dev.ice.netfilter.CommandRunner}: runs the tools; prefix it with {@code ip netns exec NAME} to work
 *       in another namespace.</li>
 *   <li>{@link dev.ice.netfilter.NetfilterException}: a tool is missing or a batch failed, naming the backend,
 *       the command and the tool's error output.</li>
 * </ul>
 *
 * <p>Rules are built as data ({@code internal.InterceptionRules}), rendered per backend, and applied as one batch
 * per family, never one process per rule.
 */
package dev.ice.netfilter;
