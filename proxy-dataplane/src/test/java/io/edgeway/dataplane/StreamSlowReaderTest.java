package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.Snapshot;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream idle timeout (1 s here) against readers: one that reads slowly but steadily moves bytes and is never
 * idled out, even once the other direction has finished and nothing is read by the proxy for seconds (it waits for
 * the reader to drain the socket buffer); one that stops reading is. The reader's pace (64 KiB every 300 ms) stays
 * well inside the timeout; nothing is timed.
 */
class StreamSlowReaderTest {
    static final long REPLY_BYTES = 16L << 20; // more than the socket buffers on the way hold
    static final int CHUNK = 64 * 1024;

    @TempDir
    static Path dataDir;
    static StreamHarness h;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Epoll.isAvailable()).as("the kernel's view of a slow reader needs the epoll transport").isTrue();
        h = new StreamHarness(dataDir, StreamHarness.settings().withIdleTimeout(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aSlowSteadyReaderAfterItsFinIsNeverIdledOut() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = route("steady", target);
            CompletableFuture<Void> targetSide = CompletableFuture.runAsync(() -> {
                try (Socket c = target.accept()) {
                    StreamSpliceTest.send(c, REPLY_BYTES, 13, true);
                    c.getInputStream().readAllBytes(); // the client's FIN, relayed
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                s.getOutputStream().write("send it\n".getBytes());
                s.shutdownOutput(); // the up direction is done: from here on only the reply moves
                long[] got = readSlowlyThenAll(s.getInputStream());
                assertThat(got[0]).as("bytes down").isEqualTo(REPLY_BYTES);
                assertThat(got[1]).as("CRC down").isEqualTo(StreamSpliceTest.expectedCrc(REPLY_BYTES, 13));
                targetSide.join();
            }
        }
    }

    @Test
    void aSlowSteadyTargetIsNeverIdledOutOnceTheClientIsDone() throws Exception {
        // the other way round: the client sends it all and its FIN, the target reads slowly and sends nothing
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = route("steady-up", target);
            CompletableFuture<long[]> targetSide = CompletableFuture.supplyAsync(() -> {
                try (Socket c = target.accept()) {
                    return readSlowlyThenAll(c.getInputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                StreamSpliceTest.send(s, REPLY_BYTES, 19, true);
                long[] got = targetSide.get(60, TimeUnit.SECONDS);
                assertThat(got[0]).as("bytes up").isEqualTo(REPLY_BYTES);
                assertThat(got[1]).as("CRC up").isEqualTo(StreamSpliceTest.expectedCrc(REPLY_BYTES, 19));
            }
        }
    }

    @Test
    void aReaderThatStopsIsIdledOut() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = route("stopped", target);
            CompletableFuture<Void> targetSide = CompletableFuture.runAsync(() -> {
                try (Socket c = target.accept()) {
                    // the reply fills every buffer on the way and stalls; the input ends when the proxy closes
                    CompletableFuture.runAsync(() -> StreamSpliceTest.send(c, REPLY_BYTES, 17, false));
                    c.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // a reset is an end too: the proxy closed with the reply unread
                }
            });
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                s.getOutputStream().write("send it\n".getBytes()); // and then neither reads nor sends
                targetSide.get(20, TimeUnit.SECONDS); // closed by the idle timer, not by anything we did
            }
        }
    }

    /**
     * Reads 64 KiB every 300 ms for 6 s (six idle timeouts, bytes moving all along), then the rest at once to the
     * FIN: {bytes, CRC32}.
     */
    private static long[] readSlowlyThenAll(InputStream in) throws Exception {
        byte[] buf = new byte[CHUNK];
        CRC32 crc = new CRC32();
        long received = 0;
        for (int i = 0; i < 20; i++) {
            int n = in.readNBytes(buf, 0, CHUNK);
            crc.update(buf, 0, n);
            received += n;
            Thread.sleep(300);
        }
        for (int n; (n = in.read(buf)) >= 0; ) {
            crc.update(buf, 0, n);
            received += n;
        }
        return new long[] {received, crc.getValue()};
    }

    private static int route(String name, ServerSocket target) throws Exception {
        int port = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream(name, target.getLocalPort()))
                .addStreamRoutes(tcp(name, port, name)));
        return port;
    }
}
