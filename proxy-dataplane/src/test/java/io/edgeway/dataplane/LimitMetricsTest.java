package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits on the metrics page (issue 18), with exact counts after real requests: 429s and 413s per route
 * (the proxy's own only: a target's 429 is not a rate limit of ours), the rate limit table's keys and
 * evictions, and the connections each listener refused, by limit.
 */
class LimitMetricsTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path dir2;
    static TestControlPlane cp;
    static HttpServer target;
    static DataPlane dp;
    static DataPlane guarded;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        target.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/busy") ? 429 : 200, -1);
            ex.close();
        });
        target.start();
        // the smallest table (16 slots), so a few dozen keys reach its bound
        dp = DataPlane.start(Settings.forTest(cp.port(), dir).withLimits(LimitSettings.DEFAULTS.withRateLimitKeys(16)));
        guarded = DataPlane.start(Settings.forTest(cp.port(), dir2).withLimits(LimitSettings.DEFAULTS.withConnections(3, 2)));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(
                        Target.newBuilder().setHost("127.0.0.1").setPort(target.getAddress().getPort()).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("limited").addHosts("limited.test").setUpstream("t")
                        .setRateLimit(hourly(3, "route")))
                .addRoutes(Route.newBuilder().setName("keys").addHosts("keys.test").setUpstream("t")
                        .setRateLimit(hourly(1, "header:X-Key")))
                .addRoutes(Route.newBuilder().setName("small").addHosts("small.test").setUpstream("t").setMaxBodyBytes(10))
                .addRoutes(Route.newBuilder().setName("open").addHosts("open.test").setUpstream("t"))
                .build());
        await().until(() -> dp.appliedVersion() == 1 && guarded.appliedVersion() == 1);
    }

    /** {@code n} per hour, burst {@code n}: nothing refills while the test runs, so counts are exact. */
    static RouteRateLimit hourly(int n, String by) {
        return RouteRateLimit.newBuilder().setRequests(n).setPerMs(3_600_000).setBurst(n).setBy(by).build();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, guarded, cp);
        if (target != null) {
            target.stop(0);
        }
    }

    static int send(String host, String path, String header, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(20));
        if (header != null) {
            b.header("X-Key", header);
        }
        b.method("POST", body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static String page(DataPlane p) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.statusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void refusalsAreCountedPerRouteAndATargetsOwn429IsNot() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(send("limited.test", "/", null, null));
        }
        assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
        assertThat(send("open.test", "/busy", null, null)).as("the target's own 429").isEqualTo(429);
        assertThat(send("small.test", "/", null, "0123456789")).isEqualTo(200);
        assertThat(send("small.test", "/", null, "0123456789a")).isEqualTo(413);
        // a chunked body (no Content-Length) that outgrows the limit is refused too
        assertThat(RawHttp.send(dp.proxyPort(), "POST / HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n").status()).isEqualTo(413);

        String page = page(dp);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_rate_limited_total{route=\"limited\"}")).isEqualTo(2);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_rate_limited_total{route=\"open\"}")).as("not ours").isEqualTo(-1);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_request_body_too_large_total{route=\"small\"}")).isEqualTo(2);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_request_body_too_large_total{route=\"limited\"}")).isEqualTo(-1);
    }

    @Test
    void theTableCountsItsKeysAndEvictionsAtItsBound() throws Exception {
        long keysBefore = dp.rateLimits().keys();
        long evictionsBefore = dp.rateLimits().evictions();
        for (int i = 0; i < 40; i++) {
            assertThat(send("keys.test", "/", "client-" + i, null)).isEqualTo(200); // each key's first request
        }
        String page = page(dp);
        double keys = ProxyMetricsTest.sample(page, "edgeway_rate_limit_keys");
        double evictions = ProxyMetricsTest.sample(page, "edgeway_rate_limit_evictions_total");
        assertThat(ProxyMetricsTest.sample(page, "edgeway_rate_limit_capacity")).isEqualTo(16);
        assertThat(keys).isLessThanOrEqualTo(16);
        // nothing refills within an hour, so each new key either filled an empty slot or evicted a busy bucket
        assertThat(keys - keysBefore + evictions - evictionsBefore).isEqualTo(40);
        assertThat(evictions - evictionsBefore).isGreaterThanOrEqualTo(40 - 16);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_rate_limit_fleet_share")).isEqualTo(1);
    }

    @Test
    void refusedConnectionsAreCountedPerListenerAndLimit() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            held.add(answered(open("127.0.0.2")));
            held.add(answered(open("127.0.0.2")));
            assertThat(closedUnanswered(open("127.0.0.2"))).as("third from one address").isTrue();
            assertThat(closedUnanswered(open("127.0.0.2"))).as("and a fourth").isTrue();
            held.add(answered(open("127.0.0.3")));
            assertThat(closedUnanswered(open("127.0.0.4"))).as("fourth on the listener").isTrue();
            String page = page(guarded);
            assertThat(ProxyMetricsTest.sample(page,
                    "edgeway_connections_refused_total{limit=\"client_ip\",listener=\"http\"}")).isEqualTo(2);
            assertThat(ProxyMetricsTest.sample(page,
                    "edgeway_connections_refused_total{limit=\"listener\",listener=\"http\"}")).isEqualTo(1);
            assertThat(ProxyMetricsTest.sample(page,
                    "edgeway_connections_refused_total{limit=\"listener\",listener=\"https\"}")).isEqualTo(0);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    static Socket open(String fromIp) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
        s.connect(new InetSocketAddress("127.0.0.1", guarded.proxyPort()));
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: open.test\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return s;
    }

    /** Reads the answer's head (so the proxy has counted the connection before the next one opens); kept open. */
    static Socket answered(Socket s) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = s.getInputStream().read();
            assertThat(b).as("answered, not closed").isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        return s;
    }

    /** The proxy closed the connection without a byte of answer. */
    static boolean closedUnanswered(Socket s) throws Exception {
        try (s) {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
