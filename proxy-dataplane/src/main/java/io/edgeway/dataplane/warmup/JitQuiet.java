package io.edgeway.dataplane.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JIT has gone quiet: it compiled for at most {@link #QUIET_COMPILE_MS} in each of
 * {@link #QUIET_SAMPLES} samples in a row. Ending the warm-up at a request count alone was measured to leave the
 * compile queue full: on JDK 17 (bench/cold-start.sh, loaded machine) the first seconds after ready then cost
 * 1,000-2,600 CPU-µs per request, against 150-650 with no warm-up at all, as the compiler threads shared the
 * proxy's core. Sampled by the warm-up's one loop only.
 */
final class JitQuiet {
    /** How often the warm-up samples (and checks its other end conditions). */
    static final long SAMPLE_MS = 250;
    private static final long QUIET_COMPILE_MS = 10;
    private static final int QUIET_SAMPLES = 2;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final long millisAtStart = measurable() ? jit.getTotalCompilationTime() : -1;
    private long lastMillis = -1;
    private int quietSamples;

    /** False when this JVM cannot say how long it compiled: the warm-up then ends on its count alone. */
    boolean measurable() {
        return jit != null && jit.isCompilationTimeMonitoringSupported();
    }

    /** One sample; true once the last {@link #QUIET_SAMPLES} were all quiet. */
    boolean sampleQuiet() {
        long now = jit.getTotalCompilationTime();
        quietSamples = lastMillis >= 0 && now - lastMillis <= QUIET_COMPILE_MS ? quietSamples + 1 : 0;
        lastMillis = now;
        return quietSamples >= QUIET_SAMPLES;
    }

    /** Milliseconds the JIT compiled since this was made, or -1 when unknown. */
    long millisSinceStart() {
        return millisAtStart < 0 ? -1 : jit.getTotalCompilationTime() - millisAtStart;
    }
}
