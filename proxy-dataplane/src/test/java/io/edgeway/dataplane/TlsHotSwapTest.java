package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate of the name in use is replaced ten times while keep-alive connections and new connections
 * keep requesting: no handshake or request fails, open connections keep the certificate they started with,
 * and after each swap a new handshake gets the new certificate.
 */
class TlsHotSwapTest {
    private static final int SWAPS = 10;

    @TempDir
    Path dir;

    @Test
    void aCertificateReplacedTenTimesUnderLoadFailsNothingAndNewHandshakesSeeEachNewOne() throws Exception {
        List<TestCert> certs = new ArrayList<>();
        for (int i = 0; i <= SWAPS; i++) {
            certs.add(cert(dir, "swap" + i, i % 2 == 0 ? "EC" : "RSA", "swap.test"));
        }
        SSLContext trust = TlsTestSupport.trusting(certs.toArray(TestCert[]::new));
        try (TestControlPlane cp = new TestControlPlane(0); TestBackend backend = new TestBackend("ok");
             DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")))) {
            push(cp, backend, 2, certs.get(0));
            AtomicBoolean stop = new AtomicBoolean();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<AtomicLong> counts = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            List<SSLSocket> keptAlive = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                boolean keepAlive = w < 2;
                AtomicLong count = new AtomicLong();
                counts.add(count);
                SSLSocket kept = keepAlive ? connect(trust, dp.tlsPort()) : null;
                if (kept != null) {
                    keptAlive.add(kept);
                }
                Thread t = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            if (kept != null) {
                                get(kept);
                            } else {
                                try (SSLSocket s = connect(trust, dp.tlsPort())) {
                                    get(s);
                                }
                            }
                            count.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "load-" + w);
                workers.add(t);
                t.start();
            }
            for (int i = 1; i <= SWAPS; i++) {
                long[] before = counts.stream().mapToLong(AtomicLong::get).toArray();
                push(cp, backend, 2 + i, certs.get(i));
                // a new handshake after the ack gets the new certificate
                try (SSLSocket s = connect(trust, dp.tlsPort())) {
                    assertThat(leaf(s)).isEqualTo(leaf(certs.get(i)));
                }
                // every worker went on serving through this swap before the next one
                for (int w = 0; w < counts.size(); w++) {
                    long b = before[w];
                    AtomicLong c = counts.get(w);
                    await().until(() -> c.get() > b + 3 || !failures.isEmpty());
                }
                assertThat(failures).isEmpty();
            }
            stop.set(true);
            for (Thread t : workers) {
                t.join();
            }
            assertThat(failures).isEmpty();
            for (SSLSocket s : keptAlive) {
                assertThat(leaf(s)).isEqualTo(leaf(certs.get(0))); // never cut, never renegotiated
                s.close();
            }
        }
    }

    private static void push(TestControlPlane cp, TestBackend backend, long version, TestCert cert) {
        cp.push(Snapshot.newBuilder().setVersion(version).setNonce("n" + version)
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                .addCertificates(cert.proto("swap.test")).build());
        await().until(() -> cp.answered(version, true));
    }

    private static SSLSocket connect(SSLContext trust, int port) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("swap.test")));
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** One GET on the connection; fails unless the answer is a complete 200 "ok". */
    private static void get(SSLSocket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /swap HTTP/1.1\r\nHost: swap.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(s.getInputStream());
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected answer: " + head);
        }
        int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        byte[] body = in.readNBytes(length);
        if (!new String(body, StandardCharsets.US_ASCII).equals("ok")) {
            throw new IOException("unexpected body");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private static X509Certificate leaf(SSLSocket s) throws IOException {
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }

    private static X509Certificate leaf(TestCert c) throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                new java.io.ByteArrayInputStream(c.pem().certChainPem().getBytes(StandardCharsets.US_ASCII)));
    }
}
