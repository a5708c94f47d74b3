package io.edgeway.dataplane;

import static io.edgeway.dataplane.OneRouteProxy.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A half-closed WebSocket tunnel ({@code relay/Tunnel}) in the shape that lost bytes under Netty 4.2.18's epoll
 * transport (issue 18, see {@code io.netty.channel.epoll.HalfClosedEpoll}): after the 101 the client sends a few
 * bytes and its FIN, then reads a large reply slowly through a small receive buffer, so the proxy's socket to
 * it fills, drains and fills again while that channel's input is shut. The target is a raw socket: the tunnel
 * relays bytes, not frames, so the reply need not be framed. The pauses only make buffers fill; nothing is timed.
 */
class WebSocketHalfCloseTest {
    static final long REPLY_BYTES = 48L << 20;
    static final int CHUNK = 64 * 1024;
    static final byte[] REQUEST_BYTES = "send it all\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aSlowClientThatSentItsFinGetsEveryByteOfALargeReplyThroughTheTunnel(@TempDir Path dataDir) throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
                OneRouteProxy proxy = OneRouteProxy.start(dataDir, "ws.test",
                        Upstream.newBuilder().setName("ws").addTargets(loopback(target.getLocalPort())))) {
            CompletableFuture<byte[]> targetGot = CompletableFuture.supplyAsync(() -> upgradeThenReplyAfterFin(target));
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(16 * 1024); // a small window, so the proxy's writes to us stall often
                s.setSoTimeout(20_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
                OutputStream out = s.getOutputStream();
                out.write(("GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(readHead(in)).startsWith("HTTP/1.1 101");
                out.write(REQUEST_BYTES);
                s.shutdownOutput(); // our FIN: from here on the proxy's client channel has its input shut

                byte[] buf = new byte[CHUNK];
                CRC32 crc = new CRC32();
                long received = 0;
                long nextPause = 4L << 20;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    crc.update(buf, 0, n);
                    received += n;
                    if (received >= nextPause) { // stop reading for a moment: the proxy's socket to us fills up
                        nextPause += 4L << 20;
                        Thread.sleep(150);
                    }
                }
                assertThat(received).as("bytes that came through the tunnel").isEqualTo(REPLY_BYTES);
                assertThat(crc.getValue()).isEqualTo(expectedCrc());
                assertThat(targetGot.join()).as("what the target read before our FIN reached it")
                        .isEqualTo(REQUEST_BYTES);
            }
        }
    }

    /**
     * The target: answers the handshake with a 101, reads the tunnel's bytes to their EOF (the client's FIN,
     * relayed), then sends the reply and closes. Returns the bytes it read after the handshake.
     */
    private static byte[] upgradeThenReplyAfterFin(ServerSocket target) {
        try (Socket c = target.accept()) {
            InputStream in = c.getInputStream();
            readHead(in);
            OutputStream out = c.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] got = in.readAllBytes();
            byte[] chunk = new byte[CHUNK];
            long sent = 0;
            for (int i = 0; sent < REPLY_BYTES; i++) {
                fill(chunk, i);
                out.write(chunk);
                sent += chunk.length;
            }
            return got;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Reads an HTTP head byte by byte up to its blank line, so no tunnel byte is consumed with it. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Chunk {@code i}'s bytes differ from every other chunk's, so a lost or repeated chunk changes the CRC. */
    private static void fill(byte[] chunk, int i) {
        for (int j = 0; j < chunk.length; j++) {
            chunk[j] = (byte) (i * 31 + j);
        }
    }

    private static long expectedCrc() {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; (long) i * CHUNK < REPLY_BYTES; i++) {
            fill(chunk, i);
            crc.update(chunk);
        }
        return crc.getValue();
    }
}
