package dev.ice.tunnel.tls;

import java.io.IOException;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsClientProtocol;

/** BouncyCastle's non-blocking client protocol, with close_notify closing one direction only. */
final class IceClientProtocol extends TlsClientProtocol implements HalfClosingTls {

    private final HandshakeObserver observer;
    private boolean inputClosed;

    IceClientProtocol(HandshakeObserver observer) {
        this.observer = observer;
    }

    @Override
    protected void handleAlertWarningMessage(short alertDescription) throws IOException {
        if (alertDescription == AlertDescription.close_notify && observer.isComplete()) {
            inputClosed = true;
            return;
        }
        super.handleAlertWarningMessage(alertDescription);
    }

    @Override
    public void closeOutput() throws IOException {
        raiseAlertWarning(AlertDescription.close_notify, "write half closed");
    }

    @Override
    public boolean isInputClosed() {
        return inputClosed;
    }
}
