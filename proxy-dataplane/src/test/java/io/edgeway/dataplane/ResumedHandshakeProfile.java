package io.edgeway.dataplane;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.dataplane.tls.DefaultCertificate;
import io.edgeway.dataplane.tls.TlsSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Not a test: a proxy in this process with one ECDSA certificate (also the default certificate, since
 * {@code openssl s_time} sends no SNI) and a pushed ticket key, serving {@code /small} from a loopback target,
 * for profiling handshakes from outside ({@code openssl s_time -reuse}, {@code perf record -p}). Prints the TLS
 * port and the certificate file, then serves for the given number of seconds.
 *
 * <pre>
 * java -XX:+PreserveFramePointer -cp ... io.edgeway.dataplane.ResumedHandshakeProfile 120
 * </pre>
 */
public final class ResumedHandshakeProfile {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        Path dir = Files.createTempDirectory("resumed-profile");
        TestCert cert = TlsTestSupport.cert(dir, "bench", "EC", "bench.test");
        byte[] k = new byte[48];
        new SecureRandom().nextBytes(k);
        SessionTicketKey key = SessionTicketKey.newBuilder().setName(ByteString.copyFrom(k, 0, 16))
                .setHmacKey(ByteString.copyFrom(k, 16, 16)).setAesKey(ByteString.copyFrom(k, 32, 16)).build();
        try (TestControlPlane cp = new TestControlPlane(0); TestBackend backend = new TestBackend("ok");
             DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data"))
                     .withTls(new TlsSettings(0, new DefaultCertificate("bench", null))))) {
            cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                    .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                    .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                    .addCertificates(cert.proto("bench.test")).addSessionTicketKeys(key).build());
            while (dp.appliedVersion() != 2) {
                Thread.sleep(50);
            }
            System.out.println("READY tls=" + dp.tlsPort() + " cert=" + cert.certFile() + " pid=" + ProcessHandle.current().pid());
            Thread.sleep(seconds * 1000);
        }
    }
}
