package io.edgeway.dataplane;

import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.dataplane.warmup.WarmupSettings;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The proxy process ({@link DataPlane#main}): settings from flags and env, start, train or serve until SIGTERM. */
final class DataPlaneMain {
    private DataPlaneMain() {}

    static void main(String[] args) throws InterruptedException {
        // Leak detection samples buffers and records a stack trace for each sampled one: a debugging aid
        // that costs every request. Tests run the proxy in-process and keep Netty's default; a process can
        // turn it back on with -Dio.netty.leakDetection.level=simple (or paranoid).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        // --train (the launcher's `edgeway train`): run the warm-up, then exit cleanly, so the JVM writes the
        // AOT cache (JDK 25) or AppCDS archive it was told to record, from traffic through the real pipeline.
        boolean train = List.of(args).contains("--train");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--train")).toArray(String[]::new);
        Settings settings;
        WarmupSettings warmupSettings;
        try {
            settings = Settings.from(rest, System.getenv());
            warmupSettings = WarmupSettings.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("edgeway dataplane: " + e.getMessage());
            System.exit(2);
            return;
        }
        DataPlane dp = DataPlane.start(settings, StreamSettings.fromEnv(System.getenv(), settings.drainTimeout()), warmupSettings);
        if (train) {
            dp.warmup().await(6, TimeUnit.MINUTES); // bounded by its own timeout (at most 300 s) already
            System.out.println("edgeway dataplane trained: " + dp.warmup().answeredOk() + " requests");
            dp.close();
            System.exit(0); // a normal exit: the cache is written now
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dp.drainAndClose();
            System.out.flush();
            // SIGTERM would otherwise end the JVM with 143; a completed drain is a clean exit for systemd/ASG.
            Runtime.getRuntime().halt(0);
        }, "edgeway-shutdown"));
        // tls= last: tools parse "proxy=... status=... node=..." as it was before the TLS port existed
        System.out.println("edgeway dataplane listening proxy=" + dp.proxyPort() + " status=" + dp.statusPort()
                + " node=" + dp.nodeId() + " tls=" + dp.tlsPort());
        System.out.flush();
        dp.awaitClosed();
    }
}
