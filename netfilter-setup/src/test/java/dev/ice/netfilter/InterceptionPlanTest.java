package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterceptionPlanTest {

    private static InterceptionPlan plan(List<Integer> inbound, List<Integer> outbound, int inboundListener,
            int outboundListener, int mark, List<String> excluded) {
        return new InterceptionPlan(inbound, outbound, inboundListener, outboundListener, mark, excluded, false);
    }

    private static String refusal(List<Integer> inbound, List<Integer> outbound, int inboundListener,
            int outboundListener, int mark, List<String> excluded) {
        return assertThrows(InvalidPlanException.class,
            () -> plan(inbound, outbound, inboundListener, outboundListener, mark, excluded)).getMessage();
    }

    @Test
    void aPlanKeepsWhatItWasGivenAndCannotBeChangedAfterwards() {
        List<Integer> ports = new ArrayList<>(List.of(80));
        InterceptionPlan plan = plan(List.of(8080), ports, 15006, 15001, 0x1ce, List.of("198.18.0.0/24"));
        ports.add(443);

        assertEquals(List.of(80), plan.outboundPorts());
        assertThrows(UnsupportedOperationException.class, () -> plan.inboundPorts().add(1));
    }

    @Test
    void aPortOutOfRangeIsNamedWithItsFieldAndTheRange() {
        assertEquals("interception plan: inboundPorts entry 70000 is out of range; a TCP port must be 1-65535",
            refusal(List.of(70000), List.of(), 15006, 15001, 1, List.of()));
        assertEquals("interception plan: outboundPorts entry 0 is out of range; a TCP port must be 1-65535",
            refusal(List.of(), List.of(0), 15006, 15001, 1, List.of()));
        assertEquals("interception plan: outboundListenerPort 65536 is out of range; a TCP port must be 1-65535",
            refusal(List.of(80), List.of(), 15006, 65536, 1, List.of()));
    }

    @Test
    void aListenerPortThatARoleAlsoUsesIsRefused() {
        assertEquals("interception plan: outboundListenerPort 15001 is also a role port; connections to the"
            + " sidecar's own listener would be intercepted, so choose a listener port that no role uses",
            refusal(List.of(15001), List.of(80), 15006, 15001, 1, List.of()));
        assertThrows(InvalidPlanException.class, () -> plan(List.of(80), List.of(15006), 15006, 15001, 1, List.of()));
    }

    @Test
    void oneListenerPortForBothDirectionsIsRefused() {
        assertEquals("interception plan: inboundListenerPort and outboundListenerPort are both 15001; the sidecar"
            + " tells the directions apart by listener, so give them different ports",
            refusal(List.of(80), List.of(443), 15001, 15001, 1, List.of()));
    }

    @Test
    void aPlanWithoutPortsIsRefusedBecauseItWouldInterceptNothing() {
        assertEquals("interception plan: inboundPorts and outboundPorts are both empty, so there is nothing to"
            + " intercept; give the ports of at least one role, or do not install rules",
            refusal(List.of(), List.of(), 15006, 15001, 1, List.of()));
    }

    @Test
    void markZeroIsRefusedBecauseEveryUnmarkedSocketCarriesIt() {
        assertEquals("interception plan: socketMark 0 is the mark of every unmarked socket, so nothing would be"
            + " intercepted; give the non-zero SO_MARK the sidecar sets on its own sockets, e.g. 0x1ce",
            refusal(List.of(), List.of(80), 15006, 15001, 0, List.of()));
    }

    @Test
    void aMarkAboveTwoToTheThirtyOneIsAcceptedAsUnsigned() {
        assertEquals(0xffff_fffe, plan(List.of(), List.of(80), 15006, 15001, 0xffff_fffe, List.of()).socketMark());
    }

    @Test
    void aCidrWithHostBitsSetNamesTheNetworkAndTheHost() {
        assertEquals("interception plan: excludedCidrs entry '198.18.0.7/24' has host bits set; write its network,"
            + " 198.18.0.0/24, or the single host as 198.18.0.7",
            refusal(List.of(), List.of(80), 15006, 15001, 1, List.of("198.18.0.7/24")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "198.18.0", "example.com", "198.18.0.0/", "198.18.0.0/33", "2001:db8::/129",
        "198.18.0.0/-1", "198.18.0.0/24/8", "198.18.0.0/ 24"})
    void anUnreadableCidrIsNamedInTheMessage(String cidr) {
        String message = refusal(List.of(), List.of(80), 15006, 15001, 1, List.of(cidr));

        assertEquals("interception plan: excludedCidrs entry '" + cidr + "' ", message.substring(0,
            "interception plan: excludedCidrs entry '".length() + cidr.length() + 2));
    }

    @Test
    void aMissingListIsRefusedWithTheFieldName() {
        NullPointerException e = assertThrows(NullPointerException.class,
            () -> plan(List.of(), List.of(80), 15006, 15001, 1, null));

        assertEquals("interception plan: excludedCidrs is null; give an empty list for none", e.getMessage());
    }
}
