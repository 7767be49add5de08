package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real connections between two namespaces joined by a veth pair, with each backend's rules installed in the first
 * ("app", the sidecar's namespace). Listeners show where each connection landed:
 *
 * <pre>
 * app  198.18.0.1, 2001:db8::1     listeners: 15001 (outbound), 15006 (inbound), 80 (the app itself), 7000
 * peer 198.18.0.99, 2001:db8::99,  listeners: 80, 7000
 *      198.18.0.100, 2001:db8::100 (excluded)
 * </pre>
 */
@Tag("namespace")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass
@EnumSource(Backend.class)
class RedirectScenarioTest {

    private static final int MARK = 0x1ce;

    private static final InterceptionPlan PLAN = new InterceptionPlan(List.of(8080), List.of(80, 443), 15006, 15001,
        MARK, List.of("198.18.0.100/32", "2001:db8::100/128"), true);

    private final Backend backend;

    private NetworkNamespace app;
    private NetworkNamespace peer;
    private Netfilter netfilter;
    private Listener outboundListener;
    private Listener inboundListener;
    private Listener appService;
    private Listener peerService;
    private Listener peerOtherPort;

    RedirectScenarioTest(Backend backend) {
        this.backend = backend;
    }

    @BeforeEach
    void connectTwoNamespacesAndInstall() {
        app = NetworkNamespace.create();
        peer = NetworkNamespace.create();
        NetworkNamespace.connect(app, peer);
        app.address("198.18.0.1/24", "2001:db8::1/64");
        peer.address("198.18.0.99/24", "198.18.0.100/24", "2001:db8::99/64", "2001:db8::100/64");
        outboundListener = Listener.onAllAddresses(app, 15001);
        inboundListener = Listener.onAllAddresses(app, 15006);
        appService = Listener.onAllAddresses(app, 80);
        Listener.onAllAddresses(app, 7000);
        peerService = Listener.onAllAddresses(peer, 80);
        peerOtherPort = Listener.onAllAddresses(peer, 7000);
        netfilter = Netfilter.using(backend, app.runner());
        netfilter.install(PLAN);
    }

    @AfterEach
    void deleteNamespaces() {
        try {
            app.close();
        } finally {
            if (peer != null) {
                peer.close();
            }
        }
    }

    @Test
    void aClientRoleConnectionToAnyAddressLandsOnTheOutboundListener() throws InterruptedException {
        // Proves: nat OUTPUT redirects the app's TCP to an outbound port, IPv4 and IPv6, to the sidecar.
        send(app, "to peer 80 over IPv4", "TCP4:198.18.0.99:80");
        send(app, "to peer 443 over IPv6", "TCP6:[2001:db8::99]:443");

        outboundListener.awaitReceived("to peer 80 over IPv4");
        outboundListener.awaitReceived("to peer 443 over IPv6");
        assertEquals("", peerService.received());
    }

    @Test
    void loopbackIsNeverIntercepted() throws InterruptedException {
        // Proves: the app's connections to 127.0.0.1 and ::1 on a role port reach the app itself.
        send(app, "to 127.0.0.1", "TCP4:127.0.0.1:80");
        send(app, "to ::1", "TCP6:[::1]:80");

        appService.awaitReceived("to 127.0.0.1");
        appService.awaitReceived("to ::1");
        assertEquals("", outboundListener.received());
    }

    @Test
    void theSidecarsMarkedSocketsAreNeverInterceptedAndOtherMarksAre() throws InterruptedException {
        // Proves: the mark is matched exactly: the sidecar's own mark passes, a mark one bit off is intercepted.
        send(app, "with the sidecar's mark", "TCP4:198.18.0.99:80," + markOption(MARK));
        send(app, "with the sidecar's mark over IPv6", "TCP6:[2001:db8::99]:80," + markOption(MARK));
        send(app, "with another mark", "TCP4:198.18.0.99:80," + markOption(MARK | 0x1000));

        peerService.awaitReceived("with the sidecar's mark");
        peerService.awaitReceived("with the sidecar's mark over IPv6");
        outboundListener.awaitReceived("with another mark");
    }

    @Test
    void excludedNetworksAreNeverIntercepted() throws InterruptedException {
        // Proves: an excluded IPv4 and an excluded IPv6 destination are reached directly.
        send(app, "to the excluded IPv4 host", "TCP4:198.18.0.100:80");
        send(app, "to the excluded IPv6 host", "TCP6:[2001:db8::100]:80");

        peerService.awaitReceived("to the excluded IPv4 host");
        peerService.awaitReceived("to the excluded IPv6 host");
        assertEquals("", outboundListener.received());
    }

    @Test
    void portsOfNoRoleAreNeverIntercepted() throws InterruptedException {
        // Proves: only role ports are redirected, outbound and inbound.
        send(app, "to peer 7000", "TCP4:198.18.0.99:7000");
        send(peer, "to app 80 from outside", "TCP4:198.18.0.1:80");

        peerOtherPort.awaitReceived("to peer 7000");
        appService.awaitReceived("to app 80 from outside");
        assertEquals("", outboundListener.received() + inboundListener.received());
    }

    @Test
    void aServerRoleConnectionFromAnotherHostLandsOnTheInboundListener() throws InterruptedException {
        // Proves: nat PREROUTING redirects TCP arriving for an inbound port, IPv4 and IPv6, to the sidecar.
        send(peer, "from peer over IPv4", "TCP4:198.18.0.1:8080");
        send(peer, "from peer over IPv6", "TCP6:[2001:db8::1]:8080");

        inboundListener.awaitReceived("from peer over IPv4");
        inboundListener.awaitReceived("from peer over IPv6");
    }

    @Test
    void afterRemovalConnectionsGoWhereTheyWereSent() throws InterruptedException {
        // Proves: remove really takes interception out of the data path.
        netfilter.remove();

        send(app, "after removal", "TCP4:198.18.0.99:80");

        peerService.awaitReceived("after removal");
        assertEquals("", outboundListener.received());
    }

    private static void send(NetworkNamespace from, String message, String socatAddress) {
        from.runWith(message + "\n", "socat", "-u", "-", socatAddress + ",connect-timeout=3");
    }

    /**
     * socat 1.7.4 has no so-mark option, and applies setsockopt-int only after connect(), when the SYN is already
     * gone; setsockopt-listen is applied before bind, so it marks the SYN. Its value is raw bytes: an int in the
     * machine's (little-endian) order.
     */
    private static String markOption(int mark) {
        byte[] bytes = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(mark).array();
        return "setsockopt-listen=1:36:x" + HexFormat.of().formatHex(bytes);
    }
}
