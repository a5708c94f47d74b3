package io.edgeway.dataplane;

import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.StreamProtocol;
import io.edgeway.proto.v1.StreamRoute;
import io.edgeway.proto.v1.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A proxy with stream routes, fed by a test control plane: push a snapshot, wait for its answer. */
final class StreamHarness implements AutoCloseable {
    final TestControlPlane cp;
    final DataPlane dp;
    private final AtomicLong version = new AtomicLong();

    StreamHarness(Path dataDir, StreamSettings streams) throws IOException {
        cp = new TestControlPlane(0);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir), streams);
    }

    static StreamSettings settings() {
        return new StreamSettings(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(30), 10_000, Duration.ofSeconds(1));
    }

    /** Pushes {@code s} (its version set here) and waits for the Ack; returns the version. */
    long apply(Snapshot.Builder s) {
        long v = push(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.answered(v, true) || cp.answered(v, false));
        if (!cp.answered(v, true)) {
            throw new AssertionError("nacked: " + cp.nack(v));
        }
        return v;
    }

    long push(Snapshot.Builder s) {
        long v = version.incrementAndGet();
        cp.push(s.setVersion(v).build());
        return v;
    }

    static Upstream.Builder upstream(String name, int... ports) {
        Upstream.Builder u = Upstream.newBuilder().setName(name);
        for (int p : ports) {
            u.addTargets(OneRouteProxy.loopback(p));
        }
        return u;
    }

    static StreamRoute tcp(String name, int port, String upstream, String... snis) {
        return StreamRoute.newBuilder().setName(name).setListenPort(port).setProtocol(StreamProtocol.TCP)
                .addAllSnis(java.util.List.of(snis)).setUpstream(upstream).build();
    }

    static StreamRoute udp(String name, int port, String upstream) {
        return StreamRoute.newBuilder().setName(name).setListenPort(port).setProtocol(StreamProtocol.UDP)
                .setUpstream(upstream).build();
    }

    /** A port free right now, never handed out before in this JVM (see {@link FreePorts}). */
    static int freePort() throws IOException {
        return FreePorts.next();
    }

    String metrics() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** The value of one sample line, e.g. {@code edgeway_stream_active{route="dns"}}; 0 when absent. */
    double metric(String series) throws Exception {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws Exception {
        dp.close();
        cp.close();
    }
}
