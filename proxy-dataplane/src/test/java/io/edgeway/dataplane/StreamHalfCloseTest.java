package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A half-closed TCP connection through a stream route, in the shape that lost bytes under Netty 4.2.18's epoll
 * transport (issue 18): the side that sent its FIN then reads a large reply slowly, so the proxy's socket to it
 * fills, drains and fills again. Each fill needs EPOLLOUT on a channel whose input is shut; Netty had removed
 * that fd from epoll once it had no interest left and then failed the EPOLLOUT with ENOENT, discarding the
 * queued bytes before a clean FIN. The pauses below only make the socket buffers fill; nothing is timed.
 */
class StreamHalfCloseTest {
    static final long REPLY_BYTES = 48L << 20;
    static final int CHUNK = 64 * 1024;

    @TempDir
    static Path dataDir;
    static StreamHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new StreamHarness(dataDir, StreamHarness.settings());
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aSlowReaderThatSentItsFinGetsEveryByteOfALargeReply() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> targetSent = CompletableFuture.supplyAsync(() -> replyAfterFin(target));
            int port = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("after-fin", target.getLocalPort()))
                    .addStreamRoutes(tcp("after-fin", port, "after-fin")));
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(16 * 1024); // a small window, so the proxy's writes to us stall often
                s.setSoTimeout(20_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                s.getOutputStream().write("send it all\n".getBytes());
                s.shutdownOutput(); // our FIN first: from here on the proxy's client channel has its input shut
                InputStream in = s.getInputStream();
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
                assertThat(targetSent.join()).isEqualTo(REPLY_BYTES);
                assertThat(received).isEqualTo(REPLY_BYTES);
                assertThat(crc.getValue()).isEqualTo(expectedCrc());
            }
        }
    }

    /** The target: reads the request to its EOF (our FIN, relayed), then sends the reply and closes. */
    private static long replyAfterFin(ServerSocket target) {
        try (Socket c = target.accept()) {
            c.getInputStream().readAllBytes();
            OutputStream out = c.getOutputStream();
            byte[] chunk = new byte[CHUNK];
            long sent = 0;
            for (int i = 0; sent < REPLY_BYTES; i++) {
                fill(chunk, i);
                out.write(chunk);
                sent += chunk.length;
            }
            return sent;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
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
