package dev.ice.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connection that socat makes from inside an example's namespace, driven by the test through socat's standard
 * input and output: what the test writes goes out, what comes back can be read.
 */
final class SocatStream implements AutoCloseable {

    private final Process socat;

    private SocatStream(Process socat) {
        this.socat = socat;
    }

    /**
     * @param example the running example
     * @param role whose namespace to connect from, e.g. CLIENT
     * @param target host:port, e.g. haproxy's
     */
    static SocatStream open(TunnelExample example, String role, String target) throws IOException {
        // -t 60: after our end of stream, wait up to 60 s for the rest of the reply; -T 60: give up after 60 s idle.
        // -b 4096: socat is one thread, and a larger block can block it in a write to the connection while the
        // echo it should be reading backs up behind it.
        Process socat = example.inside(role, "socat", "-b", "4096", "-t", "60", "-T", "60", "-", "TCP:" + target)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new SocatStream(socat);
    }

    /** @return what goes out on the connection; closing it ends the stream's upward direction */
    OutputStream out() {
        return socat.getOutputStream();
    }

    /** @return what comes back */
    InputStream in() {
        return socat.getInputStream();
    }

    @Override
    public void close() throws InterruptedException {
        if (!socat.waitFor(5, TimeUnit.SECONDS)) {
            socat.destroyForcibly();
            socat.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
