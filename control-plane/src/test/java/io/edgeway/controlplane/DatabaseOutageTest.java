package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Snapshot;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability catalogue D1-D3: PostgreSQL stops under a running control plane. This class owns its own
 * PostgreSQL (not the shared {@link TestDatabase}) because it stops it.
 */
class DatabaseOutageTest {
    @TempDir
    Path dir;

    private EmbeddedPostgres pg;
    private ControlPlane cp;

    @AfterEach
    void stop() throws IOException {
        if (cp != null) {
            cp.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void writesAnswer503WhileTheDatabaseIsDownAndTheFleetKeepsItsConfig() throws Exception {
        int port = freePort();
        pg = start(port);
        cp = ControlPlane.start(Settings.forDatabase(pg.getJdbcUrl("postgres", "postgres"), "postgres", null)
                .withAdminToken(Http.ADMIN_TOKEN));
        Http http = new Http(cp.adminPort());
        http.post("/api/v1/upstreams", "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}");
        long before = http.post("/api/v1/routes", "{\"name\":\"shop\",\"upstream\":\"shop\"}").revisionNumber();
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == before);

        try (TestNode connected = new TestNode(cp.grpcPort()).hello("node-before", 0)) {
            Snapshot first = connected.next();
            assertThat(first.getVersion()).isEqualTo(before);
            connected.ack(first);

            pg.close();
            pg = null;

            Http.Response refused = http.post("/api/v1/upstreams", "{\"name\":\"during\"}");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("type").asText()).isEqualTo("urn:edgeway:problem:database-unavailable");
            assertThat(refused.body()).doesNotContain("Exception").doesNotContain("at io.").doesNotContain("jdbc:");
            assertThat(http.get("/api/v1/routes").status()).isEqualTo(503);
            assertThat(http.get("/healthz").status()).isEqualTo(200);

            // D2: a proxy that connects now still gets the full config, from memory.
            try (TestNode late = new TestNode(cp.grpcPort()).hello("node-during", 0)) {
                Snapshot s = late.next();
                assertThat(s.getVersion()).isEqualTo(before);
                assertThat(s.getRoutesList()).extracting(r -> r.getName()).containsExactly("shop");
                late.ack(s); // ledger updates stay in memory; nothing here may need the database
            }
            assertThat(connected.error.get()).isNull();

            // D3: the same data directory and port come back; the pool and the LISTEN session reconnect alone.
            pg = start(port);
            long[] written = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Http.Response r = http.post("/api/v1/upstreams", "{\"name\":\"after\"}");
                written[0] = r.status() == 201 ? r.revisionNumber() : 0;
                return r.status() == 201;
            });
            assertThat(written[0]).isEqualTo(before + 1); // nothing acked was lost, nothing half-written
            Snapshot pushed = connected.next();
            assertThat(pushed.getVersion()).isEqualTo(written[0]);
            assertThat(pushed.getUpstreamsList()).extracting(u -> u.getName()).contains("after");

            // Another replica's commit reaches this one only through LISTEN/poll: proves that session is back.
            long external = bumpRevisionElsewhere(pg.getJdbcUrl("postgres", "postgres"));
            await().atMost(Duration.ofSeconds(30)).until(() -> cp.version() == external);
            assertThat(connected.next().getVersion()).isEqualTo(external);
        }
    }

    private EmbeddedPostgres start(int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(false)
                .start();
    }

    /** What a second control-plane replica's write looks like to this one: a new revision and a NOTIFY. */
    private static long bumpRevisionElsewhere(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            long revision;
            try (ResultSet rs = s.executeQuery("UPDATE config_revision SET revision = revision + 1 RETURNING revision")) {
                rs.next();
                revision = rs.getLong(1);
            }
            s.execute("NOTIFY edgeway_config, '" + revision + "'");
            return revision;
        }
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
