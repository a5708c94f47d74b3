package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without EDGEWAY_DB_URL the control plane runs its own PostgreSQL, and the data outlives a restart. */
class EmbeddedRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestartOnTheEmbeddedDatabase() throws Exception {
        long revision;
        String token;
        try (ControlPlane cp = ControlPlane.start(Settings.embedded(dataDir))) {
            // no EDGEWAY_ADMIN_TOKEN and an empty database: a token is generated into the data directory, 0600
            Path file = dataDir.resolve("admin-token");
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            token = Files.readString(file).trim();
            Http http = new Http(cp.adminPort(), token);
            assertThat(new Http(cp.adminPort(), null).get("/api/v1/upstreams").status()).isEqualTo(401);
            assertThat(http.post("/api/v1/upstreams", "{\"name\":\"kept\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}").status())
                    .isEqualTo(201);
            revision = http.post("/api/v1/routes", "{\"name\":\"kept\",\"upstream\":\"kept\"}").revisionNumber();
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();

        Files.delete(dataDir.resolve("admin-token"));
        try (ControlPlane cp = ControlPlane.start(Settings.embedded(dataDir))) {
            // a token exists in the database: none is generated again, and the first one still works
            assertThat(dataDir.resolve("admin-token")).doesNotExist();
            Http http = new Http(cp.adminPort(), token);
            assertThat(http.get("/api/v1/upstreams/kept").json().get("targets").get(0).get("port").asInt()).isEqualTo(9001);
            assertThat(http.get("/api/v1/routes/kept").json().get("upstream").asText()).isEqualTo("kept");
            // the snapshot is built from the stored revision before serving, so a restart keeps the version
            assertThat(cp.version()).isEqualTo(revision);
            assertThat(http.delete("/api/v1/routes/kept").revisionNumber()).isEqualTo(revision + 1);
        }
    }
}
