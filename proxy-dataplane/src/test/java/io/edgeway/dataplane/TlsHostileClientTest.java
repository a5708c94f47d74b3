package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.Run;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS port does with clients that do not speak TLS properly: plaintext HTTP, a ClientHello that
 * claims to be huge, random bytes after a record header. Each gets its connection closed without a
 * response that could pass for HTTP, and the proxy serves the next real client.
 */
class TlsHostileClientTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    static TestCert shop;

    @BeforeAll
    static void start() throws Exception {
        shop = cert(dir, "shop", "EC", "shop.test");
        cp = new TestControlPlane(0);
        backend = new TestBackend("backend");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                .addCertificates(shop.proto("shop.test")).build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    @Test
    void plaintextHttpOnTheTlsPortIsClosedUnanswered() throws Exception {
        int before = backend.requests.get();
        String answer = exchange("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).doesNotContain("HTTP/1.1").doesNotContain("backend");
        assertThat(backend.requests.get()).isEqualTo(before);
        stillServes();
    }

    @Test
    void aClientHelloClaimingToBeHugeIsRefused() throws Exception {
        // handshake record of 16 KiB announcing a 16 MiB ClientHello, then nothing more
        byte[] head = {22, 3, 1, 0x40, 0x00, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        byte[] record = new byte[5 + 0x4000];
        System.arraycopy(head, 0, record, 0, head.length);
        assertThat(exchange(record)).doesNotContain("HTTP");
        stillServes();
    }

    @Test
    void garbageInsideAHandshakeRecordIsRefused() throws Exception {
        byte[] record = new byte[5 + 300];
        new java.util.Random(5).nextBytes(record);
        record[0] = 22; // handshake, TLS 1.2, 300 bytes of noise
        record[1] = 3;
        record[2] = 3;
        record[3] = 1;
        record[4] = 44;
        assertThat(exchange(record)).doesNotContain("HTTP");
        stillServes();
    }

    /** Sends {@code bytes}, then reads until the proxy closes (the test fails if it never does). */
    private static String exchange(byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dp.tlsPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void stillServes() throws Exception {
        Run ok = curl("shop.test", dp.tlsPort(), "/", shop.certFile());
        assertThat(ok.output()).as(ok.output()).isEqualTo("backend\n2");
    }
}
