package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static io.edgeway.dataplane.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS handshakes counted by version, failures by reason, and the TLS version and SNI in the access log. */
class TlsMetricsTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    static TestCert shop;

    @BeforeAll
    static void start() throws Exception {
        shop = cert(dir, "shop", "EC", "shop.test");
        cp = new TestControlPlane(0);
        backend = new TestBackend("backend");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")).withObservability(
                new Settings.Observability(AccessLogSettings.OFF.to(dir.resolve("access.log").toString()), true)));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                .addCertificates(shop.proto("shop.test")).build());
        await().until(() -> cp.answered(1, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    static String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void handshakesByVersionFailuresByReasonAndTheLogKnowsTheConnection() throws Exception {
        assertThat(curl("shop.test", dp.tlsPort(), "/13", shop.certFile(), "--http1.1", "--tlsv1.3").output()).startsWith("backend");
        assertThat(curl("shop.test", dp.tlsPort(), "/12", shop.certFile(), "--http1.1", "--tls-max", "1.2").output())
                .startsWith("backend");
        assertThat(sClient(dp.tlsPort(), "-servername", "nobody.test").output()).contains("unrecognized name");
        try (Socket plain = new Socket("127.0.0.1", dp.tlsPort())) { // plain HTTP on the TLS port
            OutputStream out = plain.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            plain.getInputStream().read(); // until the proxy closes it
        }
        await().until(() -> ProxyMetricsTest.sample(metrics(), "edgeway_tls_handshake_errors_total{reason=\"not_tls\"}") == 1);
        String page = metrics();
        assertThat(ProxyMetricsTest.sample(page, "edgeway_tls_handshakes_total{version=\"TLSv1.3\"}")).isEqualTo(1);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_tls_handshakes_total{version=\"TLSv1.2\"}")).isEqualTo(1);
        assertThat(ProxyMetricsTest.sample(page, "edgeway_tls_handshake_errors_total{reason=\"unrecognized_name\"}"))
                .isEqualTo(1);

        Path log = dir.resolve("access.log");
        await().until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(Files.readAllLines(log).get(0));
        JsonNode second = json.readTree(Files.readAllLines(log).get(1));
        assertThat(first.get("path").asText()).isEqualTo("/13");
        assertThat(first.get("tls_version").asText()).isEqualTo("TLSv1.3");
        assertThat(first.get("sni").asText()).isEqualTo("shop.test");
        assertThat(second.get("tls_version").asText()).isEqualTo("TLSv1.2");
    }
}
