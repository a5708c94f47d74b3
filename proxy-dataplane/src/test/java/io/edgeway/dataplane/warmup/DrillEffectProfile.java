package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Snapshot;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test (no timing assertion): what the warm-up's certificate drill saves on a fresh JVM's first apply of
 * many new certificates. Receives the snapshot in {@code file} (made by {@code tls.CertApplyProfile}) as the config
 * stream delivers it (gzipped bytes: inflate, parse, then apply) once, after the drill ({@code drill}: from its wire
 * form, as the warm-up runs it; {@code memory}: from the in-memory snapshot, as it ran before) or without it
 * ({@code none}), and prints the process CPU (JIT and GC included) of that receipt and apply. Run each way in a
 * fresh JVM, on one core as the bench's proxy:
 *
 * <pre>
 * taskset -c 1 java -XX:+UseParallelGC -Xmn32m -cp ... io.edgeway.dataplane.warmup.DrillEffectProfile /tmp/snap10k.bin drill
 * taskset -c 1 java -XX:+UseParallelGC -Xmn32m -cp ... io.edgeway.dataplane.warmup.DrillEffectProfile /tmp/snap10k.bin memory
 * taskset -c 1 java -XX:+UseParallelGC -Xmn32m -cp ... io.edgeway.dataplane.warmup.DrillEffectProfile /tmp/snap10k.bin none
 * </pre>
 */
public final class DrillEffectProfile {
    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[0]));
        String mode = args[1];
        boolean drill = !mode.equals("none");
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : CertificateDrill.CERTIFICATES;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : CertificateDrill.ROUNDS;
        long d0 = processCpu();
        if (drill) {
            Snapshot s = WarmupTls.create().certificateDrill(copies);
            byte[] wire = WireSnapshot.gzipped(s);
            for (int i = 0; i < rounds; i++) {
                RuntimeConfig.from(mode.equals("memory") ? s : WireSnapshot.parse(wire), RuntimeConfig.NONE);
            }
        }
        long d1 = processCpu();
        Thread.sleep(2000); // lets the compile queue the drill filled drain, as the warm-up's "JIT quiet" does
        byte[] bigWire = WireSnapshot.gzipped(Snapshot.parseFrom(bytes));
        long p0 = processCpu();
        long t0 = System.nanoTime();
        Snapshot big = WireSnapshot.parse(bigWire);
        RuntimeConfig c = RuntimeConfig.from(big, RuntimeConfig.NONE);
        long t1 = System.nanoTime();
        long p1 = processCpu();
        System.out.printf("drill %s (%d x %d): drill %d ms process CPU; then %d certificates received and applied: %d ms process CPU, %d ms wall (%s)%n",
                mode, copies, rounds, (d1 - d0) / 1_000_000, big.getCertificatesCount(),
                (p1 - p0) / 1_000_000, (t1 - t0) / 1_000_000, c.tls().isEmpty() ? "none" : "ok");
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
