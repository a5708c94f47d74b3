package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics page after real requests through two routes, one of whose target refuses connections: exact
 * counts per route, upstream, method and status class, histogram counts equal to the request counts, and a
 * page that promtool accepts (and OpenMetrics for a scraper that asks for it).
 */
class ProxyMetricsTest {
    @TempDir
    Path dataDir;
    TestControlPlane cp;
    TestBackend live;
    DataPlane dp;
    int deadPort;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        cp = new TestControlPlane(0);
        live = new TestBackend("live");
        deadPort = FreePorts.refused();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(snapshot(1, "shop"));
        await().until(() -> cp.answered(1, true));
    }

    @AfterEach
    void stop() throws Exception {
        dp.close();
        live.close();
        cp.close();
    }

    Snapshot snapshot(long version, String goodRoute) {
        return Snapshot.newBuilder().setVersion(version).setNonce("n" + version)
                .addUpstreams(Upstream.newBuilder().setName("okay").addTargets(target(live.port())))
                .addUpstreams(Upstream.newBuilder().setName("broken").addTargets(target(deadPort)))
                .addRoutes(Route.newBuilder().setName(goodRoute).addHosts("shop.test").setUpstream("okay"))
                .addRoutes(Route.newBuilder().setName("legacy").addHosts("legacy.test").setUpstream("broken"))
                .build();
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    int send(String method, String host, String body) throws Exception {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/x"))
                .header("Host", host).method(method, p).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    HttpResponse<String> page(String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics"));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The first page that passes {@code check}, read again until one does (30 s at most). The proxy counts a
     * request after the answer's last byte is written, on the proxy's loop, so the client can hold its answer
     * and scrape before the count lands: reading the page once, right after the answer, fails by chance when the
     * loop is preempted between the write and the count. A count that never lands still fails, with the check's
     * last complaint.
     */
    static String settled(Callable<String> read, ThrowingConsumer<String> check) {
        AtomicReference<String> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String page = read.call();
            check.accept(page);
            last.set(page);
        });
        return last.get();
    }

    /** The value of the one sample named exactly so (name and labels as on the page), or -1 if absent. */
    static double sample(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static String req(String route, String upstream, String method, String cls) {
        // the client library writes labels in name order
        return "edgeway_requests_total{method=\"" + method + "\",route=\"" + route + "\",status_class=\"" + cls
                + "\",upstream=\"" + upstream + "\"}";
    }

    @Test
    void countsPerRouteUpstreamMethodAndStatusWithMatchingHistograms() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "shop.test", null)).isEqualTo(200);
        }
        assertThat(send("POST", "shop.test", "twelve bytes")).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            assertThat(send("GET", "legacy.test", null)).isEqualTo(502);
        }
        assertThat(send("GET", "nowhere.test", null)).isEqualTo(404);

        String settled = settled(() -> page(null).body(), page -> {
            assertThat(sample(page, req("shop", "okay", "GET", "2xx"))).isEqualTo(3);
            assertThat(sample(page, req("shop", "okay", "POST", "2xx"))).isEqualTo(1);
            assertThat(sample(page, req("legacy", "broken", "GET", "5xx"))).isEqualTo(2);
            assertThat(sample(page, req("", "", "GET", "4xx"))).isEqualTo(1);
            assertThat(sample(page, req("shop", "okay", "GET", "5xx"))).as("no such series").isEqualTo(-1);
            assertThat(sample(page, "edgeway_request_duration_seconds_count{route=\"shop\"}")).isEqualTo(4);
            assertThat(sample(page, "edgeway_request_duration_seconds_count{route=\"legacy\"}")).isEqualTo(2);
            assertThat(sample(page, "edgeway_request_duration_seconds_bucket{route=\"shop\",le=\"+Inf\"}"))
                    .isEqualTo(4);
            assertThat(sample(page, "edgeway_upstream_first_byte_duration_seconds_count{route=\"shop\"}")).isEqualTo(4);
            assertThat(sample(page, "edgeway_upstream_first_byte_duration_seconds_count{route=\"legacy\"}"))
                    .as("no target ever answered").isEqualTo(0);
            assertThat(sample(page, "edgeway_upstream_connect_duration_seconds_count{route=\"legacy\"}"))
                    .as("failed connects are not connect times").isEqualTo(0);
            assertThat(sample(page, "edgeway_upstream_connect_duration_seconds_count{route=\"shop\"}"))
                    .isBetween(1.0, 4.0);
            assertThat(sample(page, "edgeway_request_body_bytes_total{route=\"shop\"}")).isEqualTo(12);
            assertThat(sample(page, "edgeway_response_body_bytes_total{route=\"shop\"}")).isGreaterThan(0);
            assertThat(sample(page, "edgeway_config_version")).isEqualTo(1);
            assertThat(sample(page,
                    "edgeway_upstream_target_healthy{target=\"127.0.0.1:" + live.port() + "\",upstream=\"okay\"}"))
                    .isEqualTo(1);
        });
        assertThat(promtool(settled)).as("promtool check metrics on the Prometheus text page").isEmpty();
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        assertThat(send("GET", "shop.test", null)).isEqualTo(200);
        HttpResponse<String> om = page("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(om.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
        String body = settled(() -> page("application/openmetrics-text; version=1.0.0; charset=utf-8").body(),
                page -> assertThat(sample(page, req("shop", "okay", "GET", "2xx"))).isEqualTo(1));
        assertThat(body).endsWith("# EOF\n").contains("# UNIT edgeway_request_duration_seconds seconds");
        HttpResponse<String> text = page("text/plain");
        assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(text.body()).doesNotContain("# EOF");
        // promtool check metrics reads only the Prometheus text format (it takes an OpenMetrics HELP line for a
        // family without its _total samples); the text page is checked by it in the test above.
        assertThat(body).contains("# TYPE edgeway_requests counter\n# HELP edgeway_requests ");
    }

    @Test
    void aRouteThatLeavesTheConfigLeavesThePage() throws Exception {
        assertThat(send("GET", "shop.test", null)).isEqualTo(200);
        settled(() -> page(null).body(), page -> assertThat(page).contains("route=\"shop\""));
        cp.push(snapshot(2, "store")); // the same host, under a new name
        await().until(() -> cp.answered(2, true));
        assertThat(send("GET", "shop.test", null)).isEqualTo(200);
        String page = settled(() -> page(null).body(),
                p -> assertThat(sample(p, req("store", "okay", "GET", "2xx"))).isEqualTo(1));
        assertThat(page).doesNotContain("route=\"shop\"");
    }

    /** promtool's complaints about the page ("" when it has none); its lint runs too. */
    static String promtool(String page) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? out.strip() : "exit " + p.exitValue() + ": " + out;
    }
}
