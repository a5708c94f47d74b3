package io.edgeway.controlplane;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.Http.Response;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of a stream of writes: after a restart on the same database every write that was
 * answered 2xx is there, and the rows, their ETags and the revision log agree (nothing half-applied).
 */
class CrashTest {
    private static final Pattern READY = Pattern.compile("edgeway control-plane ready admin=http://127\\.0\\.0\\.1:(\\d+) .*");

    private record Acked(String name, long revision, int port) {}

    @Test
    void everyAcknowledgedWriteSurvivesAKill9AndTheLogMatchesTheRows() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        List<Acked> acked = new CopyOnWriteArrayList<>();
        Process first = start(db);
        try {
            Http http = new Http(port(first));
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; ; i++) {
                        // creates and replaces, so both insert and update paths are cut mid-flight
                        String name = "w" + (i % 3 == 2 ? i - 1 : i);
                        int port = 1000 + i;
                        Response r = http.put("/api/v1/upstreams/" + name,
                                "{\"targets\":[{\"host\":\"127.0.0.1\",\"port\":" + port + "}]}");
                        if (r.status() / 100 == 2) {
                            acked.add(new Acked(name, r.revisionNumber(), port));
                        }
                    }
                } catch (UncheckedIOException e) {
                    // the control plane is gone: the stream ends here
                }
            }, "crash-writer");
            writer.start();
            await().atMost(60, SECONDS).until(() -> acked.size() >= 40);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of anything
            first.waitFor();
            writer.join(60_000);
            assertThat(writer.isAlive()).isFalse();
        } finally {
            first.destroyForcibly();
        }

        Process second = start(db);
        try {
            Http http = new Http(port(second));
            // the last acknowledged value of each name is what is stored, with the revision that wrote it
            Map<String, Acked> last = new HashMap<>();
            acked.forEach(a -> last.merge(a.name(), a, (x, y) -> x.revision() > y.revision() ? x : y));
            for (Acked a : acked) {
                assertThat(sql(db, "SELECT count(*) FROM revisions WHERE revision = " + a.revision()
                        + " AND entity_name = '" + a.name() + "'")).as(a.toString()).isEqualTo(1);
            }
            for (Acked a : last.values()) {
                Response r = http.get("/api/v1/upstreams/" + a.name());
                assertThat(r.status()).as(a.toString()).isEqualTo(200);
                // a later write may have committed without its answer reaching us before the kill
                assertThat(Long.parseLong(r.etag().replace("\"", ""))).isGreaterThanOrEqualTo(a.revision());
            }
            // gapless and whole: one log entry per revision, and every row is exactly its latest log entry
            assertThat(sql(db, "SELECT count(*) FROM revisions")).isEqualTo(db.revision());
            assertThat(sql(db, """
                    SELECT count(*) FROM upstreams u WHERE u.revision IS DISTINCT FROM (SELECT max(revision) FROM revisions r WHERE r.entity_id = u.id)
                       OR u.targets IS DISTINCT FROM (SELECT after -> 'targets' FROM revisions r WHERE r.revision = u.revision)""")).isZero();
            assertThat(sql(db, "SELECT count(DISTINCT entity_id) FROM revisions")).isEqualTo(db.count("upstreams"));
            // and the restarted control plane keeps writing from where the log ends
            assertThat(http.put("/api/v1/upstreams/after", "{}").revisionNumber()).isEqualTo(db.revision());
        } finally {
            second.destroyForcibly();
            second.waitFor();
        }
    }

    private static Process start(TestDatabase db) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ControlPlane.class.getName());
        pb.environment().put("EDGEWAY_DB_URL", db.url());
        pb.environment().put("EDGEWAY_DB_USER", "postgres");
        pb.environment().put("EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN);
        pb.environment().put("EDGEWAY_ADMIN_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_PORT", "0");
        pb.environment().put("EDGEWAY_GRPC_ADDRESS", "127.0.0.1");
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Reads up to the ready line, then drains the rest so the child never blocks on a full pipe. */
    private static int port(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "child-stdout");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no ready line:\n" + seen);
    }

    private static long sql(TestDatabase db, String query) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
