package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without EDGEWAY_DB_URL the control plane runs its own PostgreSQL, and the data outlives a restart. */
class EmbeddedRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestartOnTheEmbeddedDatabase() throws Exception {
        long revision;
        try (ControlPlane cp = ControlPlane.start(Settings.embedded(dataDir))) {
            Http http = new Http(cp.adminPort());
            assertThat(http.post("/api/v1/upstreams", "{\"name\":\"kept\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}").status())
                    .isEqualTo(201);
            revision = http.post("/api/v1/routes", "{\"name\":\"kept\",\"upstream\":\"kept\"}").revisionNumber();
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();

        try (ControlPlane cp = ControlPlane.start(Settings.embedded(dataDir))) {
            Http http = new Http(cp.adminPort());
            assertThat(http.get("/api/v1/upstreams/kept").json().get("targets").get(0).get("port").asInt()).isEqualTo(9001);
            assertThat(http.get("/api/v1/routes/kept").json().get("upstream").asText()).isEqualTo("kept");
            // the snapshot is built from the stored revision before serving, so a restart keeps the version
            assertThat(cp.version()).isEqualTo(revision);
            assertThat(http.delete("/api/v1/routes/kept").revisionNumber()).isEqualTo(revision + 1);
        }
    }
}
