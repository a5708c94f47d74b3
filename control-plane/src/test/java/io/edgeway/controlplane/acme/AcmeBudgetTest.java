package io.edgeway.controlplane.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.RunningControlPlane;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.dataplane.DataPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100 managed certificates declared at once are all issued by pebble, with at most the configured budget of
 * orders (15) in any 5-second window, and exactly one order per certificate.
 */
class AcmeBudgetTest extends RunningControlPlane {
    private static final int CERTIFICATES = 100;
    private static final int BUDGET = 15;
    private Path dir;
    private DataPlane proxy;

    @Override
    protected Map<String, String> env() {
        try {
            dir = Files.createTempDirectory("edgeway-acme-budget");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_ACME_CA_FILE", Pebble.makeServerCertificate(dir).toString());
        env.put("EDGEWAY_ACME_POLL", "200ms");
        env.put("EDGEWAY_ACME_BACKOFF", "1h");
        env.put("EDGEWAY_ACME_BUDGET", Integer.toString(BUDGET));
        env.put("EDGEWAY_ACME_BUDGET_WINDOW", "5s");
        env.put("EDGEWAY_ACME_CONCURRENCY", "8");
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
    void aHundredCertificatesAreIssuedWithinTheIssuersBudget() throws Exception {
        try (Pebble pebble = Pebble.start(dir.resolve("pebble"), proxy.proxyPort(), proxy.tlsPort(), Map.of())) {
            StringBuilder certs = new StringBuilder();
            for (int i = 0; i < CERTIFICATES; i++) {
                certs.append(i == 0 ? "" : ",").append("""
                        {"name":"site-%d","snis":["site-%d.example.com"],"acme":{"issuer":"%s"}}"""
                        .formatted(i, i, pebble.directory()));
            }
            var applied = http.post("/api/v1/config", "{\"certificates\":[" + certs + "]}");
            assertThat(applied.status()).as(applied.body()).isEqualTo(200);

            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(db.queryText("SELECT count(*) FROM certificates WHERE cert IS NOT NULL"))
                            .as(db.queryText("SELECT string_agg(certificate_name || ':' || status || ':' || coalesce(last_error, ''), ', ') FROM acme_status WHERE status <> 'valid'"))
                            .isEqualTo(Integer.toString(CERTIFICATES)));
            assertThat(db.queryText("SELECT count(*) FROM acme_status WHERE status = 'failed'")).isEqualTo("0");
            // the most orders placed in any 5 s window ending at an order
            String busiest = db.queryText("""
                    SELECT max((SELECT count(*) FROM acme_order_log b
                                WHERE b.placed_at > a.placed_at - interval '5 seconds' AND b.placed_at <= a.placed_at))
                    FROM acme_order_log a""");
            System.out.printf("%d certificates issued; at most %s orders in a 5 s window (budget %d)%n", CERTIFICATES, busiest, BUDGET);
            assertThat(Integer.parseInt(busiest)).isLessThanOrEqualTo(BUDGET).isPositive();
            assertThat(pebble.orders()).isEqualTo(CERTIFICATES);
            assertThat(db.queryText("SELECT count(*) FROM acme_order_log")).isEqualTo(Integer.toString(CERTIFICATES));
        }
    }
}
