package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Timeouts;
import io.edgeway.proto.v1.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DataPlane on loopback, a test control plane and real backends. Each test gets its own of all of
 * them (and its own data directory, so no disk cache carries a config over): tests run alone and in any order.
 * Most start with {@link #running(long)}; the readiness test starts from no config at all.
 */
class DataPlaneIntegrationTest {
    @TempDir
    Path dataDir;
    TestControlPlane cp;
    TestBackend a;
    TestBackend b;
    TestBackend slow;
    TestBackend guarded;
    DataPlane dp;
    int deadPort;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        a = new TestBackend("a");
        b = new TestBackend("b");
        slow = new TestBackend("slow");
        guarded = new TestBackend("guarded");
        deadPort = FreePorts.refused();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
    }

    @AfterEach
    void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        OneRouteProxy.closeAll(a, b, slow, guarded, cp);
    }

    /** Pushes {@link #snapshot} at {@code version} and waits for its Ack. */
    void running(long version) {
        cp.push(snapshot(version));
        await().until(() -> cp.answered(version, true));
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    Snapshot snapshot(long version) {
        return Snapshot.newBuilder().setVersion(version).setNonce("nonce-" + version)
                .addUpstreams(Upstream.newBuilder().setName("pair").addTargets(target(a.port()))
                        .addTargets(target(b.port())))
                .addUpstreams(Upstream.newBuilder().setName("dead").addTargets(target(deadPort)))
                .addUpstreams(Upstream.newBuilder().setName("slow").addTargets(target(slow.port())))
                .addUpstreams(Upstream.newBuilder().setName("guarded").addTargets(target(guarded.port())))
                .addRoutes(Route.newBuilder().setName("app").addHosts("app.test").setUpstream("pair"))
                .addRoutes(Route.newBuilder().setName("dead").addHosts("dead.test").setUpstream("dead")
                        .setTimeouts(Timeouts.newBuilder().setConnectMs(2_000)))
                .addRoutes(Route.newBuilder().setName("slow").addHosts("*.slow.test").setUpstream("slow")
                        .setTimeouts(Timeouts.newBuilder().setFirstByteMs(300)))
                .addRoutes(Route.newBuilder().setName("stall").addHosts("stall.test").setUpstream("slow")
                        .setTimeouts(Timeouts.newBuilder().setIdleMs(300)))
                .addRoutes(Route.newBuilder().setName("guarded").addHosts("guarded.test").setUpstream("guarded"))
                .build();
    }

    HttpResponse<String> get(String host, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    int status(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.statusPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void readyOnlyOnceAConfigIsAppliedEvenAnEmptyOne() throws Exception {
        await().until(() -> !cp.hellos.isEmpty());
        assertThat(cp.hellos.get(0).getAppliedVersion()).isZero();
        assertThat(cp.hellos.get(0).getNodeId()).isEqualTo(dp.nodeId());
        assertThat(status("/healthz")).isEqualTo(200);
        assertThat(status("/readyz")).isEqualTo(503);
        assertThat(get("app.test", "/").statusCode()).isEqualTo(503);

        // What an empty control plane sends: no routes, but a config, so a new fleet passes its health checks.
        cp.push(Snapshot.newBuilder().setVersion(0).setNonce("nonce-0").build());
        await().until(() -> cp.answered(0, true));
        assertThat(status("/readyz")).isEqualTo(200);
        assertThat(get("app.test", "/").statusCode()).isEqualTo(404);

        cp.push(snapshot(2));
        await().until(() -> cp.answered(2, true));
        assertThat(dp.appliedVersion()).isEqualTo(2);
        assertThat(status("/readyz")).isEqualTo(200);
        assertThat(cp.answers.stream().filter(m -> m.hasAck() && m.getAck().getVersion() == 2).findFirst()
                .orElseThrow().getAck().getNonce()).isEqualTo("nonce-2");
    }

    @Test
    void roundRobinsAcrossBackendsOverKeptAliveConnections() throws Exception {
        running(2);
        int before = a.requests.get() + b.requests.get();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> res = get("APP.test:" + dp.proxyPort(), "/hello?i=" + i);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-secret")).isEmpty(); // named in Connection: hop-by-hop
            bodies.add(res.body());
        }
        assertThat(bodies).filteredOn("a"::equals).hasSize(5);
        assertThat(bodies).filteredOn("b"::equals).hasSize(5);
        assertThat(a.requests.get() + b.requests.get() - before).isEqualTo(10);
        assertThat(a.connections.size() + b.connections.size()).isLessThan(10);
        assertThat(a.lastHeaders.get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(a.lastHeaders.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(a.lastHeaders.get("x-forwarded-host")).isEqualTo("APP.test:" + dp.proxyPort());
    }

    @Test
    void forwardedHeadersFromAnUntrustedPeerAreOverwritten() throws Exception {
        running(2);
        int before = a.requests.get() + b.requests.get();
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/h"))
                .header("Host", "app.test").header("X-Forwarded-For", "10.0.0.1")
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "evil")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(before + 1);
        TestBackend last = a.lastHeaders.get("x-forwarded-host").equals("app.test") ? a : b;
        assertThat(last.lastHeaders.get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(last.lastHeaders.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(last.lastHeaders.get("x-forwarded-host")).isEqualTo("app.test");
    }

    @Test
    void streamsLargeBodiesBothWays() throws Exception {
        running(2);
        byte[] body = new byte[20 * 1024 * 1024];
        new Random(42).nextBytes(body);
        HttpResponse<InputStream> res = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/echo"))
                        .header("Host", "app.test").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = res.body()) {
            byte[] buf = new byte[64 * 1024];
            int r;
            while ((r = in.read(buf)) >= 0) {
                got.update(buf, 0, r);
                n += r;
            }
        }
        assertThat(n).isEqualTo(body.length);
        assertThat(got.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(body));
    }

    @Test
    void unknownHostIs404() throws Exception {
        running(2);
        HttpResponse<String> res = get("nobody.test", "/");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).contains("\"status\":404");
    }

    @Test
    void hungTargetsDoNotHoldUpOtherRoutes() throws Exception {
        running(2);
        // Twenty requests held by a silent target share the proxy's event loops with a hundred to another
        // route: those are all served, and the held ones end as 504 (outcomes, not durations, are asserted).
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/hang"))
                    .header("Host", "held.slow.test").timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(get("app.test", "/").statusCode()).isEqualTo(200);
        }
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        }
    }

    @Test
    void deadTargetIs502() throws Exception {
        running(2);
        assertThat(get("dead.test", "/").statusCode()).isEqualTo(502);
    }

    @Test
    void silentTargetIs504AfterFirstByteTimeout() throws Exception {
        running(2);
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET /hang HTTP/1.1\r\nHost: x.slow.test\r\n\r\n");
            RawClient.Response timedOut = c.read(false);
            assertThat(timedOut.status()).isEqualTo(504);
            // The client did nothing wrong: its connection stays open and serves the next request.
            assertThat(timedOut.headers().getOrDefault("connection", "")).doesNotContainIgnoringCase("close");
            c.send("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(200);
        }
    }

    /**
     * The first-byte timer is a deadline checked by one task per connection; after a request on a route
     * with the default (long) timeout, a request on the same connection with a 300 ms one must still get
     * its 504 from that 300 ms, not from the pending check of the long one.
     */
    @Test
    void shorterFirstByteTimeoutOnAReusedConnectionStillApplies() throws Exception {
        running(2);
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(200);
            c.send("GET /hang HTTP/1.1\r\nHost: x.slow.test\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(504); // RawClient gives up after 20 s
            c.send("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(200);
        }
    }

    @Test
    void targetThatStallsMidResponseIsCutOffAfterTheIdleTimeout() throws Exception {
        running(2);
        HttpResponse<InputStream> res = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/stall"))
                        .header("Host", "stall.test").timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        try (InputStream in = res.body()) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    @Test
    void malformedRequestsNeverReachTheBackend() throws Exception {
        running(2);
        String[] bad = {
            "POST / HTTP/1.1\r\nHost: guarded.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: guarded.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST / HTTP/1.1\r\nHost: guarded.test\r\nContent-Length: abc\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: guarded.test\r\nTransfer-Encoding: gzip\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: guarded.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: guarded.test\r\nHost: other.test\r\n\r\n",
            "GET /\u0001 HTTP/1.1\r\nHost: guarded.test\r\n\r\n",
            "GET / HTTP/1.1\r\nHost guarded.test\r\n\r\n",
        };
        for (String req : bad) {
            RawHttp.Answer answer = RawHttp.send(dp.proxyPort(), req);
            assertThat(answer.status()).as(req).isEqualTo(400);
            assertThat(answer.head().toLowerCase()).as(req).contains("connection: close");
            assertThat(answer.closed()).as(req).isTrue();
        }
        RawHttp.Answer ok = RawHttp.send(dp.proxyPort(),
                "GET / HTTP/1.1\r\nHost: guarded.test\r\nConnection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(guarded.requests.get()).isEqualTo(1);
    }

    @Test
    void badEntitiesAreQuarantinedNamedInTheAckAndTheirRouteAnswers503InsteadOfFallingThrough() throws Exception {
        running(2);
        Snapshot bad = snapshot(3).toBuilder()
                .addRoutes(Route.newBuilder().setName("broken").addHosts("broken.test").setUpstream("missing"))
                .addRoutes(Route.newBuilder().setName("orphan").addHosts("orphan.test").setUpstream("badport"))
                .addRoutes(Route.newBuilder().setName("catch-all").setUpstream("guarded")) // any host, any path
                .addUpstreams(Upstream.newBuilder().setName("badport")
                        .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(70000)))
                .build();
        cp.push(bad);
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        List<ResourceError> quarantined = cp.ack(3).getAck().getQuarantinedList();
        assertThat(quarantined).extracting(e -> e.getKind() + " " + e.getName())
                .containsExactlyInAnyOrder("route broken", "route orphan", "upstream badport");
        assertThat(cp.ack(3).getAck().getNonce()).isEqualTo("nonce-3");
        assertThat(dp.appliedVersion()).isEqualTo(3);
        assertThat(get("app.test", "/").statusCode()).isEqualTo(200);
        int before = guarded.requests.get();
        assertThat(get("else.test", "/").statusCode()).isEqualTo(200); // the new catch-all applied
        // the quarantined routes keep their hosts: 503 there, never the catch-all's target
        assertThat(get("broken.test", "/").statusCode()).isEqualTo(503);
        assertThat(get("orphan.test", "/x").statusCode()).isEqualTo(503);
        assertThat(guarded.requests.get()).isEqualTo(before + 1);

        cp.push(snapshot(1)); // older than what runs: refused, never applied
        await().until(() -> cp.answered(1, false));
        assertThat(dp.appliedVersion()).isEqualTo(3);
    }

    @Test
    void reconnectsWhenTheControlPlaneRestarts() throws Exception {
        running(2);
        int port = cp.port();
        cp.close();
        cp = new TestControlPlane(port);
        await().atMost(Duration.ofSeconds(30)).until(() -> !cp.hellos.isEmpty());
        assertThat(cp.hellos.get(0).getAppliedVersion()).isEqualTo(2);
        cp.push(snapshot(4));
        await().until(() -> cp.answered(4, true));
        assertThat(dp.appliedVersion()).isEqualTo(4);
        assertThat(get("app.test", "/").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsCountResponsesAndShowTheVersion() throws Exception {
        running(4);
        assertThat(get("app.test", "/").statusCode()).isEqualTo(200);
        assertThat(get("dead.test", "/").statusCode()).isEqualTo(502);
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.body()).contains("edgeway_config_version 4")
                .containsPattern("edgeway_requests_total\\{method=\"GET\",route=\"app\",status_class=\"2xx\",upstream=\"pair\"\\} 1\\b")
                .containsPattern("edgeway_requests_total\\{method=\"GET\",route=\"dead\",status_class=\"5xx\",upstream=\"dead\"\\} 1\\b")
                .containsPattern("edgeway_upstream_connections_opened_total [1-9]");
    }
}
