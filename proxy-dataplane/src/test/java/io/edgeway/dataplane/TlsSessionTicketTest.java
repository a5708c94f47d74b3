package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.TlsTestSupport.Run;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.dataplane.tls.TlsEngine;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 session tickets under pushed keys: a ticket one proxy issued resumes the session on another proxy
 * (a separate DataPlane: its own contexts and engines, only the pushed keys in common); after a rotation
 * (new key first, the old one kept) old tickets still resume; without shared keys they do not.
 */
class TlsSessionTicketTest {
    @TempDir
    Path dir;

    @Test
    void aTicketFromOneProxyResumesOnAnotherAndSurvivesARotation() throws Exception {
        assertThat(TlsEngine.openSsl()).as("netty-tcnative loads on this platform").isTrue();
        TestCert shop = cert(dir, "shop", "EC", "shop.test");
        SessionTicketKey first = key();
        SessionTicketKey second = key();
        try (TestControlPlane cp = new TestControlPlane(0); TestBackend backend = new TestBackend("ok");
             DataPlane one = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("one")));
             DataPlane two = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("two")))) {
            push(cp, backend, 2, shop, first);
            await().until(() -> one.appliedVersion() == 2 && two.appliedVersion() == 2);
            Path ticket = dir.resolve("ticket.pem");
            Run issued = session(one.tlsPort(), "-sess_out", ticket.toString());
            assertThat(issued.output()).contains("New, TLSv1.3");
            Run resumed = session(two.tlsPort(), "-sess_in", ticket.toString());
            assertThat(resumed.output()).as(resumed.output()).contains("Reused, TLSv1.3");

            push(cp, backend, 3, shop, second, first); // rotation: the new key encrypts, the old one still decrypts
            await().until(() -> one.appliedVersion() == 3 && two.appliedVersion() == 3);
            assertThat(session(two.tlsPort(), "-sess_in", ticket.toString()).output()).contains("Reused, TLSv1.3");

            push(cp, backend, 4, shop, second); // the old key retired: its tickets no longer resume
            await().until(() -> one.appliedVersion() == 4 && two.appliedVersion() == 4);
            assertThat(session(two.tlsPort(), "-sess_in", ticket.toString()).output()).contains("New, TLSv1.3");
        }
    }

    @Test
    void withoutPushedKeysAnotherProxyCannotResume() throws Exception {
        TestCert shop = cert(dir, "shop", "EC", "shop.test");
        try (TestControlPlane cp = new TestControlPlane(0); TestBackend backend = new TestBackend("ok");
             DataPlane one = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("one")));
             DataPlane two = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("two")))) {
            push(cp, backend, 2, shop);
            await().until(() -> one.appliedVersion() == 2 && two.appliedVersion() == 2);
            Path ticket = dir.resolve("ticket.pem");
            assertThat(session(one.tlsPort(), "-sess_out", ticket.toString()).output()).contains("New, TLSv1.3");
            assertThat(session(one.tlsPort(), "-sess_in", ticket.toString()).output()).contains("Reused, TLSv1.3");
            assertThat(session(two.tlsPort(), "-sess_in", ticket.toString()).output()).contains("New, TLSv1.3");
        }
    }

    /**
     * One TLS 1.3 connection that sends a request and reads the answer until the proxy closes (so the
     * server's ticket has arrived: TLS 1.3 sends it after the handshake).
     */
    private static Run session(int port, String... sessionArgs) throws Exception {
        String[] args = new String[] {"-servername", "shop.test", "-tls1_3", "-ign_eof"};
        String[] all = new String[args.length + sessionArgs.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(sessionArgs, 0, all, args.length, sessionArgs.length);
        return TlsTestSupport.sClientWithInput("GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n", port, all);
    }

    private static void push(TestControlPlane cp, TestBackend backend, long version, TestCert cert, SessionTicketKey... keys) {
        cp.push(Snapshot.newBuilder().setVersion(version).setNonce("n" + version)
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                .addCertificates(cert.proto("shop.test"))
                .addAllSessionTicketKeys(java.util.List.of(keys)).build());
    }

    private static SessionTicketKey key() {
        SecureRandom r = new SecureRandom();
        byte[][] parts = new byte[3][16];
        for (byte[] p : parts) {
            r.nextBytes(p);
        }
        return SessionTicketKey.newBuilder().setName(ByteString.copyFrom(parts[0]))
                .setHmacKey(ByteString.copyFrom(parts[1])).setAesKey(ByteString.copyFrom(parts[2])).build();
    }
}
