package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code main} as a real child process: the ready line, a working API, and a clean stop on SIGTERM. */
class MainProcessTest {
    private static final Pattern READY = Pattern.compile(
            "edgeway control-plane ready admin=http://127\\.0\\.0\\.1:(\\d+) grpc=127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void printsTheReadyLineServesAndStopsItsEmbeddedDatabaseOnSigterm() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ControlPlane.class.getName());
        pb.environment().put("EDGEWAY_DATA_DIR", dataDir.toString());
        pb.environment().put("EDGEWAY_ADMIN_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_ADDRESS", "127.0.0.1");
        pb.environment().remove("EDGEWAY_DB_URL");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Matcher ready = null;
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = READY.matcher(line);
                if (m.matches()) {
                    ready = m;
                    break;
                }
            }
            assertThat(ready).as(seen.toString()).isNotNull();
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "child-stdout");
            drain.setDaemon(true);
            drain.start();

            Http http = new Http(Integer.parseInt(ready.group(1)));
            assertThat(http.get("/healthz").status()).isEqualTo(200);
            assertThat(http.post("/api/v1/upstreams", "{\"name\":\"child\"}").status()).isEqualTo(201);
            try (TestNode node = new TestNode(Integer.parseInt(ready.group(2))).hello("child-node", 0)) {
                assertThat(node.next().getVersion()).isPositive();
            }

            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // PostgreSQL removes its pid file only on a clean stop: the shutdown hook stopped it.
            assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }
}
