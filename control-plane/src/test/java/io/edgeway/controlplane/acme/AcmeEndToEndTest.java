package io.edgeway.controlplane.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.controlplane.RunningControlPlane;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.dataplane.DataPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole ACME path against a real ACME server (Debian's pebble): a managed certificate for two names is
 * ordered by the control plane, its HTTP-01 tokens reach the proxy in a snapshot and are answered on the
 * proxy's plain port, and the issued chain is served on the proxy's TLS port, chaining to pebble's root.
 * When the CA is gone, a renewal fails with the reason, backs off, and the issued certificate keeps serving.
 */
class AcmeEndToEndTest extends RunningControlPlane {
    private static final String CERTS = "/api/v1/certificates";
    private Path dir;
    private Path caFile;
    private DataPlane proxy;

    @Override
    protected Map<String, String> env() {
        try {
            dir = Files.createTempDirectory("edgeway-acme");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        caFile = Pebble.makeServerCertificate(dir);
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_ACME_CA_FILE", caFile.toString());
        env.put("EDGEWAY_ACME_POLL", "200ms");
        env.put("EDGEWAY_ACME_BACKOFF", "1h");
        env.put("EDGEWAY_ACME_ACK_TIMEOUT", "20s");
        return env;
    }

    @BeforeAll
    void startProxy() {
        proxy = DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), dir.resolve("proxy")));
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/v1/nodes").json().path("data").size() == 1);
    }

    @AfterAll
    void stopProxy() {
        proxy.close();
    }

    @Test
    void aCertificateForTwoNamesIsIssuedAndServedChainingToTheCasRoot() throws Exception {
        try (Pebble pebble = Pebble.start(dir.resolve("pebble-ok"), proxy.proxyPort(), proxy.tlsPort(), Map.of())) {
            Response created = http.post(CERTS, """
                    {"name":"shop","snis":["shop.example.com","www.shop.example.com"],
                     "acme":{"issuer":"%s","email":"ops@example.com"}}""".formatted(pebble.directory()));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            JsonNode issued = awaitStatus("shop", "valid", pebble);
            assertThat(Instant.parse(issued.path("expires_at").asText())).isAfter(Instant.now());
            assertThat(issued.path("last_error").isNull()).isTrue();

            Path root = dir.resolve("pebble-root.pem");
            Files.writeString(root, pebble.root());
            for (String name : new String[] {"shop.example.com", "www.shop.example.com"}) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(verify(name, root)).as(name).contains("Verify return code: 0 (ok)"));
            }
            assertThat(pebble.orders()).as(pebble.log()).isEqualTo(1);
            String gauge = "edgeway_certificate_expiry_timestamp_seconds{certificate=\"shop\"} ";
            String line = http.get("/metrics").body().lines().filter(l -> l.startsWith(gauge)).findFirst().orElseThrow();
            assertThat(Double.parseDouble(line.substring(gauge.length())))
                    .isEqualTo(Instant.parse(issued.path("expires_at").asText()).getEpochSecond());
            // the order is over: its tokens are withdrawn from the fleet
            assertThat(db.queryText("SELECT count(*) FROM acme_http_challenges")).isEqualTo("0");
        }
    }

    @Test
    void tlsAlpn01IsAnsweredOnTheTlsPortAloneForFleetsThatOnlyOpen443() throws Exception {
        int closed = Pebble.freePort(); // HTTP-01 could not succeed: pebble's port 80 goes nowhere
        try (Pebble pebble = Pebble.start(dir.resolve("pebble-alpn"), closed, proxy.tlsPort(), Map.of())) {
            assertThat(http.post(CERTS, """
                    {"name":"alpn","snis":["alpn.example.com","www.alpn.example.com"],
                     "acme":{"issuer":"%s","challenge":"tls-alpn-01"}}""".formatted(pebble.directory())).status())
                    .isEqualTo(201);
            JsonNode issued = awaitStatus("alpn", "valid", pebble);
            assertThat(issued.path("acme").path("challenge").asText()).isEqualTo("tls-alpn-01");
            Path root = dir.resolve("pebble-root-alpn.pem");
            Files.writeString(root, pebble.root());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(verify("www.alpn.example.com", root)).contains("Verify return code: 0 (ok)"));
            assertThat(db.queryText("SELECT count(*) FROM acme_tls_alpn_challenges")).isEqualTo("0");
            http.delete(CERTS + "/alpn");
        }
    }

    @Test
    void aFailedValidationIsReportedWithTheCasMessageAndBacksOff() throws Exception {
        int closed = Pebble.freePort(); // pebble validates against a port nobody listens on
        try (Pebble pebble = Pebble.start(dir.resolve("pebble-bad"), closed, closed, Map.of())) {
            assertThat(http.post(CERTS, """
                    {"name":"broken","snis":["broken.example.com"],"acme":{"issuer":"%s"}}""".formatted(pebble.directory()))
                    .status()).isEqualTo(201);
            JsonNode failed = awaitStatus("broken", "failed", null);
            assertThat(failed.path("last_error").asText()).as(failed.toString()).contains("broken.example.com")
                    .containsIgnoringCase("connection refused");
            Instant next = Instant.parse(failed.path("next_attempt_at").asText());
            assertThat(next).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
            long orders = pebble.orders();
            // no tight loop: many polls later, still the one order
            long failures = Long.parseLong(db.queryText("SELECT failures FROM acme_status WHERE certificate_name = 'broken'"));
            awaitPolls(10);
            assertThat(pebble.orders()).isEqualTo(orders).isEqualTo(1);
            assertThat(db.queryText("SELECT failures FROM acme_status WHERE certificate_name = 'broken'"))
                    .isEqualTo(Long.toString(failures));
            http.delete(CERTS + "/broken");
        }
    }

    @Test
    void whenTheCaIsGoneARenewalFailsAndTheIssuedCertificateKeepsServing() throws Exception {
        Path root = dir.resolve("pebble-root-keep.pem");
        String fingerprint;
        try (Pebble pebble = Pebble.start(dir.resolve("pebble-keep"), proxy.proxyPort(), proxy.tlsPort(), Map.of())) {
            assertThat(http.post(CERTS, """
                    {"name":"keep","snis":["keep.example.com"],"acme":{"issuer":"%s"}}""".formatted(pebble.directory()))
                    .status()).isEqualTo(201);
            fingerprint = awaitStatus("keep", "valid", pebble).path("fingerprint_sha256").asText();
            Files.writeString(root, pebble.root());
        }
        // pebble is stopped: the renewal cannot reach the CA
        assertThat(http.post(CERTS + "/keep/renew", "").status()).isEqualTo(202);
        JsonNode failed = awaitStatus("keep", "failed", null);
        assertThat(failed.path("last_error").asText()).as(failed.toString()).isNotBlank();
        assertThat(failed.path("fingerprint_sha256").asText()).isEqualTo(fingerprint);
        assertThat(Instant.parse(failed.path("next_attempt_at").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
        assertThat(verify("keep.example.com", root)).contains("Verify return code: 0 (ok)");
        JsonNode expiry = http.get("/api/v1/certificate-expiry").json().path("data");
        JsonNode keep = null;
        for (JsonNode e : expiry) {
            keep = e.path("name").asText().equals("keep") ? e : keep;
        }
        assertThat(keep).as(expiry.toString()).isNotNull();
        assertThat(keep.path("warning").asText()).startsWith("renewal failing: ");
        http.delete(CERTS + "/keep");
    }

    @Test
    void theRenewEndpointOrdersANewCertificateThatIsSwappedInWithNoFailedRequestUnderLoad() throws Exception {
        com.sun.net.httpserver.HttpServer backend = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", x -> {
            x.sendResponseHeaders(200, 2);
            x.getResponseBody().write("ok".getBytes());
            x.close();
        });
        backend.start();
        try (Pebble pebble = Pebble.start(dir.resolve("pebble-swap"), proxy.proxyPort(), proxy.tlsPort(), Map.of())) {
            assertThat(http.post("/api/v1/upstreams", "{\"name\":\"swap\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                    + backend.getAddress().getPort() + "}]}").status()).isEqualTo(201);
            assertThat(http.post("/api/v1/routes", "{\"name\":\"swap\",\"hosts\":[\"swap.example.com\"],\"paths\":[\"/\"],"
                    + "\"upstream\":\"swap\"}").status()).isEqualTo(201);
            assertThat(http.post(CERTS, """
                    {"name":"swap","snis":["swap.example.com"],"acme":{"issuer":"%s"}}""".formatted(pebble.directory()))
                    .status()).isEqualTo(201);
            String first = awaitStatus("swap", "valid", pebble).path("fingerprint_sha256").asText();
            javax.net.ssl.SSLContext trust = trusting(pebble.root());
            await().atMost(Duration.ofSeconds(30)).until(() -> first.equals(TlsLoad.request(trust, proxy.tlsPort(), "swap.example.com")));

            try (TlsLoad load = TlsLoad.start(trust, proxy.tlsPort(), "swap.example.com", 4)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.served(first) > 20);
                assertThat(http.post(CERTS + "/swap/renew", "").status()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                        !first.equals(http.get(CERTS + "/swap").json().path("fingerprint_sha256").asText()));
                JsonNode renewed = awaitStatus("swap", "valid", pebble);
                String second = renewed.path("fingerprint_sha256").asText();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.served(second) > 20);
                load.stop();
                assertThat(load.failures()).as("failed requests during the swap: %s", load.firstFailure()).isZero();
                assertThat(load.served(first)).isPositive();
            }
            assertThat(pebble.orders()).isEqualTo(2);
        } finally {
            backend.stop(0);
        }
    }

    private static javax.net.ssl.SSLContext trusting(String rootPem) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("root", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(rootPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private JsonNode awaitStatus(String name, String status, Pebble pebble) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = http.get(CERTS + "/" + name).json();
            if (!status.equals("failed") && last[0].path("status").asText().equals("failed")) {
                throw new IllegalStateException("failed: " + last[0] + (pebble == null ? "" : "\n" + pebble.log()));
            }
            assertThat(last[0].path("status").asText()).as("%s%s", last[0], pebble == null ? "" : "\n" + pebble.log())
                    .isEqualTo(status);
        });
        return last[0];
    }

    /** Waits until the worker has looked at its work {@code n} more times (its polls are 200 ms apart). */
    private void awaitPolls(int n) throws InterruptedException {
        Thread.sleep(200L * n);
    }

    private String verify(String name, Path root) throws Exception {
        return Pebble.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + proxy.tlsPort(), "-servername", name,
                "-CAfile", root.toString(), "-verify_hostname", name, "-verify_return_error", "-showcerts")
                + "";
    }
}
