package dev.ice.tunnel.tls;

import org.bouncycastle.tls.DTLSRequest;

/**
 * A ClientHello that came back with a valid cookie (RFC 6347 §4.2.1): its sender can receive at the address it
 * claims, so a server may now spend state and a handshake on it.
 */
public final class DtlsHello {

    private final DTLSRequest request;

    DtlsHello(DTLSRequest request) {
        this.request = request;
    }

    DTLSRequest request() {
        return request;
    }
}
