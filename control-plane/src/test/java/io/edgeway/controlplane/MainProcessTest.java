package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private static final Pattern TOKEN = Pattern.compile("edgeway control-plane admin token written to (.+)");

    @TempDir
    Path dataDir;

    @Test
    void printsTheReadyLineServesAndStopsItsEmbeddedDatabaseOnSigterm() throws Exception {
        Process p = child(dataDir, "127.0.0.1").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Matcher ready = null;
            Path tokenFile = null;
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher t = TOKEN.matcher(line);
                if (t.matches()) {
                    tokenFile = Path.of(t.group(1));
                }
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

            // first start, no EDGEWAY_ADMIN_TOKEN: the generated token's file is announced before the ready line
            assertThat(tokenFile).as(seen.toString()).isEqualTo(dataDir.resolve("admin-token").toAbsolutePath());
            Http http = new Http(Integer.parseInt(ready.group(1)), Files.readString(tokenFile).trim());
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

    @Test
    void refusesToStartOnANonLoopbackAdminAddressWithoutAToken() throws Exception {
        Process p = child(dataDir, "0.0.0.0").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("edgeway control-plane failed to start: admin address 0.0.0.0 is not loopback and no admin token is configured");
        assertThat(dataDir.resolve("admin-token")).doesNotExist();
    }

    /** {@code java -cp <test class path> ControlPlane} on an embedded database in {@code dataDir}, ephemeral ports. */
    static ProcessBuilder child(Path dataDir, String adminAddress) {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ControlPlane.class.getName());
        pb.environment().put("EDGEWAY_DATA_DIR", dataDir.toString());
        pb.environment().put("EDGEWAY_ADMIN_ADDRESS", adminAddress);
        pb.environment().put("EDGEWAY_ADMIN_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_ADDRESS", "127.0.0.1");
        pb.environment().put("EDGEWAY_GRPC_INSECURE_PLAINTEXT", "true"); // TestNode speaks plaintext; loopback only
        pb.environment().remove("EDGEWAY_DB_URL");
        pb.environment().remove("EDGEWAY_ADMIN_TOKEN");
        pb.redirectErrorStream(true);
        return pb;
    }
}
