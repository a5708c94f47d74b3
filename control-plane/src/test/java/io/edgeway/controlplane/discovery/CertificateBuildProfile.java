package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.SealedCertificate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Not a test: times the control plane's build of a snapshot with N new certificates in a fresh JVM, as issue 14's
 * tls-certs bench has it (a 1-certificate build first, then N new ones), without PostgreSQL or a proxy. Prints the
 * assemble (certificates) and encode phases of each build; the first N-certificate build is the cold one.
 *
 * <pre>
 * mvn -B -q -o -pl control-plane -am test-compile
 * java -cp control-plane/target/test-classes:control-plane/target/classes:$(cat cp.txt) \
 *     io.edgeway.controlplane.discovery.CertificateBuildProfile 10000 3
 * </pre>
 * Chains are random DER of a P-256 leaf's size plus one shared CA, so gzip meets about what real ones give it.
 */
public final class CertificateBuildProfile {
    private CertificateBuildProfile() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        MasterKey masterKey = TestCerts.masterKey();
        Random random = new Random(14);
        String ca = pem("CERTIFICATE", bytes(random, 420));
        List<SealedCertificate> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(new SealedCertificate("c" + i, pem("CERTIFICATE", bytes(random, 480)) + ca, List.of("c" + i + ".certs.test"),
                    masterKey.encrypt(bytes(random, 138))));
        }
        SnapshotBuilder.Reusing builder = new SnapshotBuilder.Reusing(new CertificatePush(masterKey));
        long revision = 1;
        for (int round = 1; round <= rounds; round++) {
            build(builder, revision++, all.subList(0, 1), "1 certificate");
            build(builder, revision++, all, "round " + round + ", " + n + " new");
        }
    }

    private static void build(SnapshotBuilder.Reusing builder, long revision, List<SealedCertificate> certificates, String what) {
        ConfigState state = new ConfigState(revision, List.of(), List.of(), certificates, List.of());
        // CPU as well as wall: on this shared machine the wall time is mostly other processes and the JIT
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long threadCpu = threads.getCurrentThreadCpuTime();
        long processCpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        PreparedSnapshot built = builder.build(state);
        long assembled = System.nanoTime();
        built.prepareFull();
        long gzipped = System.nanoTime();
        System.out.printf("%-26s build CPU %5d ms (process %5d), assemble %5d ms (certificates %5d), encode %5d ms (%s),"
                        + " full gzip %5d ms, %,d -> %,d bytes%n",
                what, (threads.getCurrentThreadCpuTime() - threadCpu) / 1_000_000,
                (os.getProcessCpuTime() - processCpu) / 1_000_000, builder.lastAssembleNanos() / 1_000_000, builder.lastCertificatesNanos() / 1_000_000,
                (assembled - start - builder.lastAssembleNanos()) / 1_000_000, built.delta() != null ? "delta" : "full",
                (gzipped - assembled) / 1_000_000, built.encoded().length, built.gzipped().length);
    }

    private static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
