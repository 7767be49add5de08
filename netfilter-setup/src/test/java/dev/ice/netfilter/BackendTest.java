package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendTest {

    @Test
    void eachBackendIsNamedAsUsersWriteIt() {
        assertEquals(Optional.of(Backend.IPTABLES_NFT), Backend.parse("iptables-nft"));
        assertEquals(Optional.of(Backend.IPTABLES_LEGACY), Backend.parse(" iptables-legacy "));
        assertEquals(Optional.of(Backend.NFTABLES), Backend.parse("NFTables"));
    }

    @Test
    void autoBlankAndUnsetAllMeanDetect() {
        assertEquals(Optional.empty(), Backend.parse("auto"));
        assertEquals(Optional.empty(), Backend.parse(""));
        assertEquals(Optional.empty(), Backend.parse(null));
    }

    @Test
    void anUnknownNameIsNamedWithTheAcceptedOnes() {
        UnknownBackendException e = assertThrows(UnknownBackendException.class, () -> Backend.parse("ipfw"));

        assertEquals("ICE_NETFILTER_BACKEND 'ipfw' is not a netfilter backend; use one of iptables-nft,"
            + " iptables-legacy, nftables, auto", e.getMessage());
    }
}
