package io.edgeway.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code apply --canary} and {@code rollout list|show|pause|resume|promote|abort} against a real control plane. */
class RolloutCtlTest {
    record Run(int exit, String out, String err) {}

    @Test
    void applyCanaryThenSteerTheRolloutFromTheCli(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane cp = ControlPlane.start(db.settings(), TestCerts.env())) {
            Map<String, String> env = Map.of("EDGEWAY_ADMIN_URL", "http://127.0.0.1:" + cp.adminPort(),
                    "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN);
            Path file = dir.resolve("edgeway.yaml");
            Files.writeString(file, "upstreams:\n  - name: ctl-canary\n    targets:\n      - host: 127.0.0.1\n        port: 9001\n");

            assertThat(ctl(env, "apply", "--bake", "5m", "-f", file.toString()).exit()).isEqualTo(1); // --bake needs --canary
            Run apply = ctl(env, "apply", "--canary", "--selector", "ring=one", "--bake", "10m", "-f", file.toString());
            assertThat(apply.exit()).as(apply.err()).isZero();
            assertThat(apply.out()).contains("+ upstream ctl-canary", "canary rollout started");
            long revision = db.revision();

            Run list = ctl(env, "rollout", "list");
            assertThat(list.out()).contains("1  canary  revision " + revision, "selector ring=one", "bake 10m");
            assertThat(ctl(env, "rollout", "pause", "1").out()).contains("1  paused");
            assertThat(ctl(env, "rollout", "show", "1").out()).startsWith("1  paused");
            assertThat(ctl(env, "rollout", "resume", "1").out()).contains("1  canary");
            assertThat(ctl(env, "rollout", "promote", "1").out()).contains("1  promoted");
            Run again = ctl(env, "rollout", "abort", "1");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("rollout 1 is promoted");
        }
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
