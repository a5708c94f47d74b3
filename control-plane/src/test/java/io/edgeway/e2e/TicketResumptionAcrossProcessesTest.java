package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.TestDatabase;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS 1.3 session ticket issued by one proxy process resumes the session on another proxy process: the
 * control plane (a real process) makes the ticket keys at its start and pushes them to both, and
 * nothing else is shared between the two JVMs. This is what lets a client resume on any proxy behind a load
 * balancer; without the pushed keys each proxy encrypts tickets under random keys of its own.
 */
class TicketResumptionAcrossProcessesTest {
    private static final Pattern DP_READY_TLS = Pattern.compile(
            "edgeway dataplane listening proxy=(?<proxy>\\d+) status=(?<status>\\d+) node=(?<node>\\S+) tls=(?<tls>\\d+)");
    private static final Pattern READY_VERSION = Pattern.compile("ready version=(\\d+)");

    @TempDir
    Path dir;
    private Backend backend;
    private JavaProcess controlPlane;
    private JavaProcess proxyA;
    private JavaProcess proxyB;

    @AfterEach
    void stopAll() throws Exception {
        for (JavaProcess p : new JavaProcess[] {controlPlane, proxyA, proxyB}) {
            if (p != null) {
                System.out.println("---- output of pid " + p.pid() + "\n" + p.output()); // for a failure's report
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {proxyB, proxyA, controlPlane, backend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aTicketIssuedByOneProxyProcessResumesTheSessionOnAnother() throws Exception {
        backend = new Backend("resumed");
        String db = TestDatabase.create(TicketResumptionAcrossProcessesTest.class).url();
        Map<String, String> cpEnv = new HashMap<>(TestCerts.env());
        controlPlane = Fleet.controlPlane(db, Fleet.freePort(), Fleet.freePort(), dir.resolve("cp"), cpEnv);
        AdminClient admin = new AdminClient(controlPlane.ready("admin"));
        int grpc = Integer.parseInt(controlPlane.ready("grpc"));
        proxyA = proxy("proxy-a", grpc);
        proxyB = proxy("proxy-b", grpc);

        Fleet.catchAllRoute(admin, "resumed", backend);
        TestCerts.Pair pair = new TestCerts().ec("shop", "shop.test");
        String body = new ObjectMapper().createObjectNode().put("name", "shop").put("cert", pair.cert())
                .put("key", pair.key()).putPOJO("snis", List.of("shop.test")).toString();
        AdminClient.Reply cert = admin.post("/api/v1/certificates", body);
        assertThat(cert.status()).as("certificate %s", cert.body()).isEqualTo(201);
        // The ticket keys are in every snapshot from the control plane's start: the certificate's revision
        // carries them to both proxies.
        Fleet.awaitApplied(admin, List.of(proxyA.ready("node"), proxyB.ready("node")), cert.revision());

        Path ticket = dir.resolve("ticket.pem");
        long versionBefore = appliedVersion(proxyA);
        String issued = session(proxyA, "-sess_out", ticket.toString());
        assertThat(issued).as(issued).contains("New, TLSv1.3").contains("200 OK");
        // The ticket is under the newest key of the version A ran; B must run that version (or a newer one,
        // which still holds the key) before it can decrypt it. A rotation in between would show as a change.
        long version = appliedVersion(proxyA);
        assertThat(version).as("no rotation while the ticket was issued").isEqualTo(versionBefore);
        await().atMost(Fleet.CONVERGE).until(() -> appliedVersion(proxyB) >= version);

        String resumed = session(proxyB, "-sess_in", ticket.toString());
        assertThat(resumed).as(resumed).contains("Reused, TLSv1.3").contains("200 OK");
        assertThat(backend.requests()).isEqualTo(2);
    }

    private JavaProcess proxy(String name, int grpc) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "EDGEWAY_PROXY_ADDRESS", "127.0.0.1", "EDGEWAY_PROXY_PORT", "0", "EDGEWAY_STATUS_PORT", "0",
                "EDGEWAY_TLS_PORT", "0", "EDGEWAY_WORKERS", "1", "EDGEWAY_DRAIN_DELAY", "0ms",
                "EDGEWAY_DATA_DIR", dir.resolve(name).toString(), "EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "true"));
        env.put("EDGEWAY_WARMUP", "off"); // it reads /readyz at once; the warm-up (issue 21) has its own tests
        return JavaProcess.start(name, "io.edgeway.dataplane.DataPlane", env,
                List.of("--control-plane", "127.0.0.1:" + grpc), DP_READY_TLS);
    }

    private static long appliedVersion(JavaProcess proxy) throws Exception {
        String body = Fleet.get(Integer.parseInt(proxy.ready("status")), "/readyz").body();
        var m = READY_VERSION.matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * One TLS 1.3 connection that sends a request and reads until the proxy closes: TLS 1.3 sends its ticket
     * after the handshake, so only a session that lived past it has one to save.
     */
    private static String session(JavaProcess proxy, String... sessionArgs) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client",
                "-connect", "127.0.0.1:" + proxy.ready("tls"), "-servername", "shop.test", "-tls1_3", "-ign_eof"));
        cmd.addAll(List.of(sessionArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl s_client did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
