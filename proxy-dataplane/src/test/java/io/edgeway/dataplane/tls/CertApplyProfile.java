package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.DiskCache;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Not a test (no timing assertion anywhere): a harness that shows where applying a snapshot of N new
 * certificates spends its CPU, as thread CPU time per phase. The snapshot (a CA and N ECDSA P-256 leaves, as
 * bench/tls-certs-tool.py makes them) is generated once and kept in the given file.
 *
 * <pre>
 * mvn -q -pl proxy-dataplane -am test-compile -Dmaven.test.skip.exec
 * java -cp proxy-dataplane/target/test-classes:proxy-dataplane/target/classes:$(ls proxy-dataplane/target/lib/*.jar | tr '\n' :) \
 *   io.edgeway.dataplane.tls.CertApplyProfile /tmp/snap10k.bin 10000 3
 * </pre>
 */
public final class CertApplyProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (!Files.exists(file)) {
            Files.write(file, generate(n).toByteArray());
        }
        byte[] bytes = Files.readAllBytes(file);
        Path cacheDir = Files.createTempDirectory("certapply");
        for (int it = 1; it <= iterations; it++) {
            long p0 = processCpu();
            long a0 = allocated();
            long g0 = gcMillis();
            long t0 = cpu();
            Snapshot s = Snapshot.parseFrom(bytes).toBuilder().setVersion(it + 1).build();
            long t1 = cpu();
            long w1 = System.nanoTime();
            RuntimeConfig config = RuntimeConfig.from(s, RuntimeConfig.NONE);
            long w2 = System.nanoTime();
            long t2 = cpu();
            new DiskCache(cacheDir).store(s);
            long t3 = cpu();
            long p3 = processCpu();
            System.out.printf("  allocated %d MiB, GC %d ms%n", (allocated() - a0) >> 20, gcMillis() - g0);
            System.out.printf("iteration %d: protobuf parse %d ms, RuntimeConfig.from %d ms (wall %d ms), cache store %d ms; process CPU %d ms (JIT and GC included); %s%n",
                    it, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (w2 - w1) / 1_000_000, (t3 - t2) / 1_000_000, (p3 - p0) / 1_000_000,
                    config.tls().isEmpty() ? "no certificates" : "ok");
        }
        if (args.length > 3 && args[3].equals("applies-only")) {
            return;
        }
        phases(Snapshot.parseFrom(bytes));
        for (int i = 0; i < 3; i++) {
            steps(Snapshot.parseFrom(bytes));
        }
    }

    /** The JDK steps the current parse takes, one loop each, to see what each costs warm. */
    private static void steps(Snapshot s) throws Exception {
        List<Certificate> cs = s.getCertificatesList();
        int n = cs.size();
        long[] t = new long[8];
        java.security.cert.CertificateFactory cf = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.X509Certificate[] leaves = new java.security.cert.X509Certificate[n];
        java.security.PrivateKey[] keys = new java.security.PrivateKey[n];
        java.security.PublicKey[] pubs = new java.security.PublicKey[n];
        t[0] = cpu();
        for (int i = 0; i < n; i++) {
            String pem = cs.get(i).getCertChainPem();
            String leaf = pem.substring(0, pem.indexOf("-----END CERTIFICATE-----") + 25);
            leaves[i] = (java.security.cert.X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(leaf.getBytes()));
        }
        t[1] = cpu();
        for (int i = 0; i < n; i++) {
            pubs[i] = leaves[i].getPublicKey();
        }
        t[2] = cpu();
        java.util.regex.Pattern kb = java.util.regex.Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
        byte[][] ders = new byte[n][];
        for (int i = 0; i < n; i++) {
            var m = kb.matcher(cs.get(i).getPrivateKeyPem());
            m.find();
            ders[i] = java.util.Base64.getMimeDecoder().decode(m.group(1));
        }
        t[3] = cpu();
        java.security.KeyFactory kf = java.security.KeyFactory.getInstance("EC");
        for (int i = 0; i < n; i++) {
            keys[i] = kf.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(ders[i]));
        }
        t[4] = cpu();
        int bad = 0;
        for (int i = 0; i < n; i++) {
            bad += KeyMatch.matches(keys[i], leaves[i]) ? 0 : 1;
        }
        t[5] = cpu();
        EcKeyBatch batch = new EcKeyBatch();
        for (int i = 0; i < n; i++) {
            batch.add(i, (java.security.interfaces.ECPrivateKey) keys[i], (java.security.interfaces.ECPublicKey) pubs[i]);
        }
        t[6] = cpu();
        bad += batch.mismatched().size();
        t[7] = cpu();
        System.out.printf("steps (ms for %d): leaf PEM parse %d, getPublicKey %d, key regex+base64 %d, KeyFactory %d, matches one by one %d, batch add %d, batch check %d (bad %d)%n",
                n, (t[1] - t[0]) / 1_000_000, (t[2] - t[1]) / 1_000_000, (t[3] - t[2]) / 1_000_000,
                (t[4] - t[3]) / 1_000_000, (t[5] - t[4]) / 1_000_000, (t[6] - t[5]) / 1_000_000, (t[7] - t[6]) / 1_000_000, bad);
    }

    /** The steps of ParsedCertificate.parse one at a time over every certificate, after the runs above. */
    private static void phases(Snapshot s) throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        long t0 = cpu();
        for (Certificate c : s.getCertificatesList()) {
            ParsedCertificate.fingerprint(c.getCertChainPem(), c.getPrivateKeyPem());
        }
        long t1 = cpu();
        for (Certificate c : s.getCertificatesList()) {
            ParsedCertificate.snis(c, c.getName(), errors);
        }
        long t2 = cpu();
        for (Certificate c : s.getCertificatesList()) {
            ParsedCertificate.parse(c, c.getName(), errors);
        }
        long t3 = cpu();
        System.out.printf("phases: fingerprint %d ms, snis %d ms, ParsedCertificate.parse %d ms; errors %d%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, errors.size());
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) THREADS).getCurrentThreadAllocatedBytes();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> b.getCollectionTime()).sum();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static Snapshot generate(int n) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ca = g.generateKeyPair();
        X500Name caName = new X500Name("CN=edgeway bench CA");
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date to = Date.from(now.plus(Duration.ofDays(365)));
        var caCert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(caName,
                BigInteger.ONE, from, to, caName, ca.getPublic()).build(signer(ca)));
        String caPem = pem(caCert);
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(1)
                .addUpstreams(Upstream.newBuilder().setName("bench").addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(9)))
                .addRoutes(Route.newBuilder().setName("bench").addPaths("/").setUpstream("bench"));
        for (int i = 0; i < n; i++) {
            String host = "c" + i + ".certs.test";
            KeyPair leaf = g.generateKeyPair();
            var builder = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(1000 + i), from, to,
                    new X500Name("CN=" + host), leaf.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
            var cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer(ca)));
            b.addCertificates(Certificate.newBuilder().setName("c" + i).setCertChainPem(pem(cert) + caPem)
                    .setPrivateKeyPem(pem(new JcaPKCS8Generator(leaf.getPrivate(), null))).addSnis(host));
        }
        return b.build();
    }

    private static org.bouncycastle.operator.ContentSigner signer(KeyPair ca) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate());
    }

    private static String pem(Object o) throws java.io.IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}
