package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.cli.EdgewayCtl;
import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeway ctl} shows what each node quarantined (issue 22) in {@code get nodes} and {@code rollout show},
 * and a rollout's limits in {@code rollout list}; {@code apply --canary} passes the limits on.
 */
class QuarantineCtlTest extends RunningControlPlane {
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Run(int exit, String out, String err) {}

    @Test
    void getNodesAndRolloutShowNameTheQuarantinedEntitiesAndListShowsTheLimits(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("EDGEWAY_ADMIN_URL", "http://127.0.0.1:" + cp.adminPort(),
                "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN);
        try (TestNode clean = new TestNode(cp.grpcPort()).hello("ctl-clean", 0, Map.of());
             TestNode canary = new TestNode(cp.grpcPort()).hello("ctl-canary", 0, Map.of("canary", "true"))) {
            clean.ack(clean.next());
            canary.ack(canary.next());
            Path file = dir.resolve("edgeway.yaml");
            Files.writeString(file, "upstreams:\n  - name: ctl-q\n    targets:\n      - host: 127.0.0.1\n        port: 9001\n");
            Run apply = ctl(env, "apply", "--canary", "--bake", "10m", "--max-p99-ratio", "4", "--min-requests", "50",
                    "-f", file.toString());
            assertThat(apply.exit()).as(apply.err()).isZero();
            long revision = db.revision();

            Snapshot s = canary.atLeast(revision);
            canary.send(NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())
                    .addQuarantined(ResourceError.newBuilder().setKind("route").setName("broken").setField("upstream")
                            .setMessage("no upstream missing"))
                    .addQuarantined(ResourceError.newBuilder().setKind("upstream").setName("badport").setField("targets")
                            .setMessage("port 70000"))).build());
            await().atMost(WAIT).until(() -> http.get("/api/v1/nodes").body().contains("badport"));

            Run nodes = ctl(env, "get", "nodes");
            assertThat(nodes.exit()).as(nodes.err()).isZero();
            assertThat(nodes.out().lines().findFirst().orElseThrow()).contains("QUARANTINED");
            assertThat(line(nodes.out(), "ctl-canary")).contains("2 (route broken,upstream badport)");
            assertThat(line(nodes.out(), "ctl-clean")).doesNotContain("route").contains(" - ");

            Run list = ctl(env, "rollout", "list");
            assertThat(list.out()).contains("1  canary  revision " + revision, "p99 4.0x", "min 50", "5xx 0.05");
            Run show = ctl(env, "rollout", "show", "1");
            assertThat(line(show.out(), "ctl-canary")).startsWith("  canary ")
                    .contains("applied " + revision, "quarantined 2 (route broken,upstream badport)");
            assertThat(line(show.out(), "ctl-clean")).startsWith("  other ").doesNotContain("quarantined");

            assertThat(ctl(env, "rollout", "abort", "1").out()).contains("1  aborted", "reason: aborted by");
        }
    }

    private static String line(String out, String containing) {
        return out.lines().filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in:\n" + out));
    }

    private static Run ctl(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = EdgewayCtl.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
