package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Snapshot;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test (no timing assertion): what the warm-up's certificate drill saves on a fresh JVM's first apply of
 * many new certificates. Applies the snapshot in {@code file} (made by {@code tls.CertApplyProfile}) once, after
 * the drill or without it, and prints the process CPU (JIT and GC included) of that apply. Run each way in a
 * fresh JVM, on one core as the bench's proxy:
 *
 * <pre>
 * taskset -c 1 java -XX:+UseParallelGC -Xmn32m -cp ... io.edgeway.dataplane.warmup.DrillEffectProfile /tmp/snap10k.bin drill
 * taskset -c 1 java -XX:+UseParallelGC -Xmn32m -cp ... io.edgeway.dataplane.warmup.DrillEffectProfile /tmp/snap10k.bin none
 * </pre>
 */
public final class DrillEffectProfile {
    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[0]));
        boolean drill = args[1].equals("drill");
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : CertificateDrill.CERTIFICATES;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : CertificateDrill.ROUNDS;
        long d0 = processCpu();
        if (drill) {
            Snapshot s = WarmupTls.create().certificateDrill(copies);
            for (int i = 0; i < rounds; i++) {
                RuntimeConfig.from(s, RuntimeConfig.NONE);
            }
        }
        long d1 = processCpu();
        Thread.sleep(2000); // lets the compile queue the drill filled drain, as the warm-up's "JIT quiet" does
        Snapshot big = Snapshot.parseFrom(bytes);
        long p0 = processCpu();
        long t0 = System.nanoTime();
        RuntimeConfig c = RuntimeConfig.from(big, RuntimeConfig.NONE);
        long t1 = System.nanoTime();
        long p1 = processCpu();
        System.out.printf("%s (%d x %d): drill %d ms process CPU; then %d certificates applied: %d ms process CPU, %d ms wall (%s)%n",
                drill ? "with drill" : "no drill", copies, rounds, (d1 - d0) / 1_000_000, big.getCertificatesCount(),
                (p1 - p0) / 1_000_000, (t1 - t0) / 1_000_000, c.tls().isEmpty() ? "none" : "ok");
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
