package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The control plane's /metrics on the admin port after real API calls and a real node stream: requests by
 * endpoint template and status, the revision, nodes by state, push latency and Nacks, the database; promtool
 * accepts the page.
 */
class ControlPlaneMetricsTest extends RunningControlPlane {
    @Override
    protected Map<String, String> env() {
        return TestCerts.env(); // certificates need the master key
    }

    @Test
    void eachCertificatesExpiryForTheExpiringAlert() {
        TestCerts.Pair pair = new TestCerts().ec("edge", "edge.example.com");
        Response created = http.post("/api/v1/certificates", Http.JSON.createObjectNode().put("name", "edge")
                .put("cert", pair.cert()).put("key", pair.key()).toString());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long expires = java.time.Instant.parse(created.json().get("expires_at").asText()).getEpochSecond();
        assertThat(sample(page(), "edgeway_certificate_expiry_timestamp_seconds{certificate=\"edge\"}"))
                .isEqualTo((double) expires);
    }

    static double sample(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    String page() {
        Response r = http.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    @Test
    void apiRequestsByTemplateAndStatusPushLatencyNodesAndDatabase() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        for (String name : new String[] {"a", "b", "c"}) {
            assertThat(http.get("/api/v1/upstreams/" + name + "-missing").status()).isEqualTo(404);
        }
        assertThat(http.get("/api/v1/upstreams/web").status()).isEqualTo(200);
        assertThat(new Http(cp.adminPort(), "wrong-token").get("/api/v1/routes").status()).isEqualTo(401);

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-m", 0)) {
            Snapshot first = node.next();
            node.ack(first);
            Response write = http.post("/api/v1/routes", "{\"name\":\"r\",\"hosts\":[\"r.test\"],\"upstream\":\"web\"}");
            assertThat(write.status()).isEqualTo(201);
            Snapshot second = node.next();
            assertThat(second.getVersion()).isEqualTo(write.revisionNumber());
            node.nack(second, "refused on purpose");
            assertThat(http.post("/api/v1/routes", "{\"name\":\"s\",\"hosts\":[\"s.test\"],\"upstream\":\"web\"}").status())
                    .isEqualTo(201);
            Snapshot third = node.next();
            node.ack(third);
            await().until(() -> sample(page(), "edgeway_cp_push_latency_seconds_count") >= 2);
            String page = page();
            assertThat(sample(page, "edgeway_cp_push_latency_seconds_count")).as("two Acks of new versions").isEqualTo(2);
            assertThat(sample(page, "edgeway_cp_nacks_total")).isEqualTo(1);
            assertThat(sample(page, "edgeway_cp_nodes{state=\"connected\"}")).isEqualTo(1);
            assertThat(sample(page, "edgeway_cp_nodes{state=\"behind\"}")).isEqualTo(0);
            assertThat(sample(page, "edgeway_cp_config_revision")).isEqualTo(third.getVersion());
        }
        String page = page();
        assertThat(sample(page, "edgeway_cp_api_requests_total{endpoint=\"/api/v1/upstreams/{key}\",method=\"GET\",status=\"404\"}"))
                .as("three paths, one template").isEqualTo(3);
        assertThat(sample(page, "edgeway_cp_api_requests_total{endpoint=\"/api/v1/upstreams/{key}\",method=\"GET\",status=\"200\"}"))
                .isEqualTo(1);
        assertThat(sample(page, "edgeway_cp_api_requests_total{endpoint=\"/api/v1/upstreams\",method=\"POST\",status=\"201\"}"))
                .isEqualTo(1);
        assertThat(page).contains("status=\"401\"").doesNotContain("a-missing");
        assertThat(sample(page, "edgeway_cp_api_request_duration_seconds_count{endpoint=\"/api/v1/routes\",method=\"POST\"}"))
                .isEqualTo(2);
        assertThat(sample(page, "edgeway_cp_database_up")).isEqualTo(1);
        assertThat(sample(page, "edgeway_cp_db_pool_connections{state=\"active\"}")).isGreaterThanOrEqualTo(0);
        assertThat(promtool(page)).isEmpty();
    }

    @Test
    void openMetricsOnRequest() {
        Response r = http.send("GET", "/metrics", null, null,
                Map.of("Accept", "application/openmetrics-text; version=1.0.0"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/openmetrics-text");
        assertThat(r.body()).endsWith("# EOF\n");
    }

    static String promtool(String page) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? out.strip() : "exit " + p.exitValue() + ": " + out;
    }
}
