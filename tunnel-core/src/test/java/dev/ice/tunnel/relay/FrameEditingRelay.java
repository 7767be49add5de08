package dev.ice.tunnel.relay;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A man in the middle of a fernet connection, for tests: it relays one connection between a fernet client tunnel
 * and a fernet server tunnel, cuts each direction into its frames, and lets the test edit, drop, repeat, reorder
 * or inject them.
 *
 * <p>Frames are numbered per direction from 0: client to server, 0 is the hello, 1 the READY token, then data and
 * END; server to client, 0 is the hello, then data and END. Each frame is passed with its 4-byte length prefix.
 */
final class FrameEditingRelay implements AutoCloseable {

    /** What to send on in place of one frame: nothing, the frame itself, or other frames. */
    @FunctionalInterface
    interface Editor {
        List<byte[]> edit(int index, byte[] frame);
    }

    /** Passes every frame on unchanged. */
    static final Editor UNCHANGED = (index, frame) -> List.of(frame);

    private static final int PREAMBLE_BYTES = 8;

    private final ServerSocket listener;

    FrameEditingRelay(InetSocketAddress server, Editor up, Editor down) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("frame-relay").start(() -> relayOne(server, up, down));
    }

    /** @return where the client tunnel should connect */
    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private void relayOne(InetSocketAddress server, Editor up, Editor down) {
        try (Socket client = listener.accept(); Socket upstream = new Socket(server.getAddress(), server.getPort())) {
            Thread back = Thread.ofVirtual().start(() -> pump(upstream, client, down, false));
            pump(client, upstream, up, true);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The test asserts on what the tunnels and the service saw.
        }
    }

    private static void pump(Socket from, Socket to, Editor editor, boolean fromClient) {
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            out.write(in.readNBytes(PREAMBLE_BYTES));
            if (fromClient) {
                int identityLength = in.readUnsignedByte();
                out.write(identityLength);
                out.write(in.readNBytes(identityLength));
            }
            for (int index = 0; ; index++) {
                for (byte[] edited : editor.edit(index, readFrame(in))) {
                    out.write(edited);
                }
                out.flush();
            }
        } catch (EOFException end) {
            shutdownOutput(to);
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        return ByteBuffer.allocate(4 + length).putInt(length).put(in.readNBytes(length)).array();
    }

    private static void shutdownOutput(Socket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
