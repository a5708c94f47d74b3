package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteAccessLog;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log of a real proxy, written to a file: one line per request with the right values, and drops. */
class AccessLogTest {
    static final ObjectMapper json = new ObjectMapper();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    Path dir;
    TestControlPlane cp;
    TestBackend live;
    DataPlane dp;
    int deadPort;
    Path log;

    @BeforeEach
    void backends() throws Exception {
        cp = new TestControlPlane(0);
        live = new TestBackend("live");
        deadPort = FreePorts.refused();
        log = dir.resolve("access.log");
    }

    void start(AccessLogSettings settings) {
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data"))
                .withObservability(new Settings.Observability(settings, true)));
        cp.push(Snapshot.newBuilder().setVersion(3).setNonce("n3")
                .addUpstreams(Upstream.newBuilder().setName("okay").addTargets(target(live.port())))
                .addUpstreams(Upstream.newBuilder().setName("broken").addTargets(target(deadPort)))
                .addRoutes(Route.newBuilder().setName("shop").addHosts("shop.test").setUpstream("okay"))
                .addRoutes(Route.newBuilder().setName("legacy").addHosts("legacy.test").setUpstream("broken"))
                .addRoutes(Route.newBuilder().setName("quiet").addHosts("quiet.test").setUpstream("okay")
                        .setAccessLog(RouteAccessLog.newBuilder().setOff(true)))
                .build());
        await().until(() -> cp.answered(3, true));
    }

    @AfterEach
    void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        live.close();
        cp.close();
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    HttpResponse<String> send(String method, String host, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<JsonNode> lines(int expected) throws Exception {
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= expected);
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            out.add(json.readTree(line));
        }
        return out;
    }

    @Test
    void oneJsonLinePerRequestWithItsValues() throws Exception {
        start(AccessLogSettings.OFF.to(log.toString()));
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        long before = System.currentTimeMillis();
        assertThat(send("GET", "shop.test", "/a?x=1", null,
                Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01", "X-Request-Id", "req-42")).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "shop.test", "/b", "twelve bytes", Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "quiet.test", "/", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "legacy.test", "/c", null, Map.of()).statusCode()).isEqualTo(502);
        assertThat(send("GET", "nowhere.test", "/d", null, Map.of()).statusCode()).isEqualTo(404);

        List<JsonNode> lines = lines(4);
        long after = System.currentTimeMillis();
        assertThat(lines).as("the quiet route logs nothing").hasSize(4);
        JsonNode a = lines.get(0);
        // the writer places the loop's nanoTime on the wall clock: within the test's own readings (1 ms of rounding)
        assertThat(java.time.Instant.parse(a.get("time").asText()).toEpochMilli()).isBetween(before - 1, after + 1);
        assertThat(a.get("method").asText()).isEqualTo("GET");
        assertThat(a.get("path").asText()).isEqualTo("/a?x=1");
        assertThat(a.get("host").asText()).isEqualTo("shop.test");
        assertThat(a.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(a.get("status").asInt()).isEqualTo(200);
        assertThat(a.get("bytes_out").asLong()).isEqualTo("live".length());
        assertThat(a.get("route").asText()).isEqualTo("shop");
        assertThat(a.get("upstream").asText()).isEqualTo("okay");
        assertThat(a.get("target").asText()).isEqualTo("127.0.0.1:" + live.port());
        assertThat(a.get("attempts").asInt()).isEqualTo(1);
        assertThat(a.get("config_version").asLong()).isEqualTo(3);
        assertThat(a.get("trace_id").asText()).isEqualTo(trace);
        assertThat(a.get("request_id").asText()).isEqualTo("req-42");
        assertThat(a.get("duration_s").asDouble()).isPositive();
        assertThat(a.get("upstream_first_byte_s").isNumber()).isTrue();
        assertThat(a.get("upstream_connect_s").isNumber()).as("the first request opened the connection").isTrue();
        assertThat(a.get("tls_version").isNull()).isTrue();
        assertThat(a.get("protocol").asText()).isEqualTo("HTTP/1.1");

        JsonNode b = lines.get(1);
        assertThat(b.get("method").asText()).isEqualTo("POST");
        assertThat(b.get("bytes_in").asLong()).isEqualTo(12);
        assertThat(b.get("trace_id").asText()).hasSize(32).isNotEqualTo(trace);
        assertThat(b.get("request_id").asText()).as("made from the trace id").isEqualTo(b.get("trace_id").asText());

        JsonNode c = lines.get(2);
        assertThat(c.get("status").asInt()).isEqualTo(502);
        assertThat(c.get("route").asText()).isEqualTo("legacy");
        assertThat(c.get("upstream_first_byte_s").isNull()).isTrue();
        assertThat(c.get("upstream_connect_s").isNull()).as("the connect failed").isTrue();

        JsonNode d = lines.get(3);
        assertThat(d.get("status").asInt()).isEqualTo(404);
        assertThat(d.get("route").isNull()).isTrue();
    }

    @Test
    void combinedFormatAsNginxWritesIt() throws Exception {
        start(AccessLogSettings.OFF.to(log.toString()).withFormat(AccessLogSettings.Format.COMBINED));
        send("GET", "shop.test", "/p%22q", null, Map.of("Referer", "http://ref.test/", "User-Agent", "probe/1.0"));
        await().until(() -> Files.exists(log) && !Files.readAllLines(log).isEmpty());
        assertThat(Files.readAllLines(log).get(0)).matches(
                "127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] "
                        + "\"GET /p%22q HTTP/1\\.1\" 200 4 \"http://ref\\.test/\" \"probe/1\\.0\"");
    }

    @Test
    void rotatesBySizeAndKeepsTheConfiguredNumberOfFiles() throws Exception {
        start(AccessLogSettings.OFF.to(log.toString()).withMaxBytes(2048, 2));
        for (int i = 0; i < 40; i++) {
            assertThat(send("GET", "shop.test", "/" + i, null, Map.of()).statusCode()).isEqualTo(200);
        }
        await().until(() -> Files.exists(dir.resolve("access.log.2")));
        assertThat(dir.resolve("access.log.3")).doesNotExist();
        for (String f : new String[] {"access.log", "access.log.1", "access.log.2"}) {
            assertThat(Files.size(dir.resolve(f))).isLessThanOrEqualTo(2048);
        }
    }

    @Test
    void aStalledWriterDropsAndCountsLinesAndRequestsStillComplete() throws Exception {
        Path fifo = dir.resolve("stalled.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        // Opened read-write here and never read: the proxy's writer can open it, fills the pipe's buffer, then
        // blocks in write() for good.
        try (RandomAccessFile neverRead = new RandomAccessFile(fifo.toFile(), "rw")) {
            start(AccessLogSettings.OFF.to(fifo.toString()).withQueue(16));
            int n = 600; // ~600 lines of ~500 bytes: several times the 64 KiB a pipe holds
            for (int i = 0; i < n; i++) {
                assertThat(send("GET", "shop.test", "/" + i, null, Map.of()).statusCode()).isEqualTo(200);
            }
            // the last request is counted (and its line offered) just after its answer went out: see settled()
            String metrics = ProxyMetricsTest.settled(() -> client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), page -> assertThat(
                    ProxyMetricsTest.sample(page, ProxyMetricsTest.req("shop", "okay", "GET", "2xx"))).isEqualTo(n));
            double dropped = ProxyMetricsTest.sample(metrics, "edgeway_access_log_dropped_total");
            assertThat(dropped).isGreaterThan(0).isLessThanOrEqualTo(n);
        }
    }
}
