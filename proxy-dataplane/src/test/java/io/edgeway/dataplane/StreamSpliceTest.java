package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP stream routes on epoll are spliced (socket → pipe → socket in the kernel, io.netty.channel.epoll.EpollSplice):
 * every byte arrives, in order, both ways, under backpressure (readers that pause), each side's FIN only after
 * its last byte, the byte counters exact, and the idle clock fed by spliced bytes. The idle timeout here is 1 s,
 * so the pauses (150 ms) and the trickle (a byte every 250 ms) stay well inside it; nothing is timed.
 */
class StreamSpliceTest {
    static final int CHUNK = 64 * 1024;

    @TempDir
    static Path dataDir;
    static StreamHarness h;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Epoll.isAvailable()).as("splice needs the native epoll transport").isTrue();
        h = new StreamHarness(dataDir, StreamHarness.settings().withIdleTimeout(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void splicesMegabytesBothWaysWithSlowReadersAndCountsEveryByte() throws Exception {
        long up = 24L << 20;
        long down = 40L << 20;
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("spliced", target.getLocalPort()))
                    .addStreamRoutes(tcp("spliced", port, "spliced")));
            long pipesBefore = pipes();
            CompletableFuture<long[]> targetSide = CompletableFuture.supplyAsync(() -> {
                try (Socket c = target.accept()) {
                    c.setReceiveBufferSize(32 * 1024); // small windows: the proxy's writes stall and resume
                    CompletableFuture<Void> reply = CompletableFuture.runAsync(() -> send(c, down, 7, true));
                    long[] got = receive(c, true); // to the client's FIN, relayed
                    reply.join();
                    return got;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(32 * 1024);
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                CompletableFuture<Void> request = CompletableFuture.runAsync(() -> send(s, up, 3, true));
                InputStream in = s.getInputStream();
                byte[] first = in.readNBytes(CHUNK); // the reply flows: both directions are set up by now
                // two pipes (four fds) while both directions splice: the proxy does not copy through buffers
                await().atMost(Duration.ofSeconds(10)).until(() -> pipes() - pipesBefore >= 4);
                CRC32 crc = new CRC32();
                crc.update(first);
                long[] got = receive(s, true, crc);
                request.join();
                assertThat(got[0] + first.length).as("bytes down").isEqualTo(down);
                assertThat(got[1]).as("CRC down").isEqualTo(expectedCrc(down, 7));
                long[] atTarget = targetSide.join();
                assertThat(atTarget[0]).as("bytes up").isEqualTo(up);
                assertThat(atTarget[1]).as("CRC up").isEqualTo(expectedCrc(up, 3));
            }
            await().untilAsserted(() -> {
                assertThat(h.metric("edgeway_stream_bytes_total{direction=\"in\",route=\"spliced\"}")).isEqualTo((double) up);
                assertThat(h.metric("edgeway_stream_bytes_total{direction=\"out\",route=\"spliced\"}")).isEqualTo((double) down);
            });
        }
    }

    @Test
    void aTargetsFinBehindAFullPipeArrivesAfterItsLastByte() throws Exception {
        // The target writes 32 MB and closes at once; the client reads slowly, so the proxy's pipe and the
        // target's socket are both full when the FIN comes: the bytes still in that socket must go first.
        long down = 32L << 20;
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("fin", target.getLocalPort()))
                    .addStreamRoutes(tcp("fin", port, "fin")));
            CompletableFuture<Void> targetSide = CompletableFuture.runAsync(() -> {
                try (Socket c = target.accept()) {
                    c.setSendBufferSize(4 << 20); // much of the reply waits in the target's socket, not in ours
                    send(c, down, 11, false);
                    c.shutdownOutput();
                    c.getInputStream().readAllBytes(); // to the client's FIN
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(16 * 1024);
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                long[] got = receive(s, true);
                assertThat(got[0]).as("bytes before the FIN").isEqualTo(down);
                assertThat(got[1]).isEqualTo(expectedCrc(down, 11));
                s.shutdownOutput();
                targetSide.join();
            }
        }
    }

    @Test
    void smallMessagesStayOnBuffers() throws Exception {
        // Echo-sized messages: a splice would cost three system calls where a buffer costs two, so no pipe.
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("small", target.getLocalPort()))
                    .addStreamRoutes(tcp("small", port, "small")));
            long pipesBefore = pipes();
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket c = target.accept()) {
                    c.getInputStream().transferTo(c.getOutputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                for (int i = 0; i < 200; i++) {
                    byte[] msg = ("message " + i + "\n").getBytes();
                    s.getOutputStream().write(msg);
                    assertThat(s.getInputStream().readNBytes(msg.length)).isEqualTo(msg);
                }
                assertThat(pipes()).as("pipe fds after 200 small round trips").isLessThanOrEqualTo(pipesBefore);
                s.shutdownOutput();
                echo.join();
            }
        }
    }

    @Test
    void splicedBytesKeepAConnectionFromIdlingOutAndSilenceEndsIt() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = freePort();
            h.apply(Snapshot.newBuilder().addUpstreams(upstream("trickle", target.getLocalPort()))
                    .addStreamRoutes(tcp("trickle", port, "trickle")));
            long pipesBefore = pipes();
            CompletableFuture<Long> targetSide = CompletableFuture.supplyAsync(() -> {
                try (Socket c = target.accept()) {
                    return (long) c.getInputStream().readAllBytes().length; // until the proxy closes
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket()) {
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                OutputStream out = s.getOutputStream();
                out.write(new byte[1 << 20]); // a bulk start: full reads switch the relay to splicing
                await().atMost(Duration.ofSeconds(10)).until(() -> pipes() - pipesBefore >= 2);
                for (int i = 0; i < 16; i++) { // 4 s of a byte every 250 ms: four idle timeouts, never idle
                    out.write('x');
                    Thread.sleep(250);
                }
                assertThat(targetSide.isDone()).as("closed while bytes were flowing").isFalse();
                // then silence: the idle timer closes both sides
                assertThat(s.getInputStream().read()).isEqualTo(-1);
                assertThat(targetSide.join()).isEqualTo((1L << 20) + 16);
            }
        }
    }

    /** Sends {@code total} bytes of chunks that all differ ({@code seed}), then a FIN if {@code fin}. */
    static void send(Socket s, long total, int seed, boolean fin) {
        try {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; (long) i * CHUNK < total; i++) {
                fill(chunk, i, seed);
                out.write(chunk);
            }
            if (fin) {
                s.shutdownOutput();
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Reads to the FIN: {bytes, CRC32}; pauses now and then if {@code slow}, so the sender's path fills up. */
    static long[] receive(Socket s, boolean slow) throws IOException {
        return receive(s, slow, new CRC32());
    }

    /** As above, continuing {@code crc} (bytes read before); the count is of the bytes read here. */
    static long[] receive(Socket s, boolean slow, CRC32 crc) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[CHUNK];
        long n = 0;
        long nextPause = 4L << 20;
        for (int r; (r = in.read(buf)) >= 0; ) {
            crc.update(buf, 0, r);
            n += r;
            if (slow && n >= nextPause) {
                nextPause += 4L << 20;
                sleep(150);
            }
        }
        return new long[] {n, crc.getValue()};
    }

    static long expectedCrc(long total, int seed) {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; (long) i * CHUNK < total; i++) {
            fill(chunk, i, seed);
            crc.update(chunk);
        }
        return crc.getValue();
    }

    static void fill(byte[] chunk, int i, int seed) {
        for (int j = 0; j < chunk.length; j++) {
            chunk[j] = (byte) (i * 31 + j * seed);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This JVM's open pipe fds: the proxy runs in it. */
    private static long pipes() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("pipe:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }
}
