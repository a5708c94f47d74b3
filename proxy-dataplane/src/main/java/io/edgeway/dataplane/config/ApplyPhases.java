package io.edgeway.dataplane.config;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Where one snapshot's apply went, phase by phase, for its log line: wall time, the applying thread's CPU and the
 * whole process's CPU (which adds the JIT compiler, the garbage collector and any helper threads). Issue 14's
 * "10,000 certificates apply in 2 s" is judged on a loaded machine, where wall time alone cannot tell this
 * proxy's work from waiting for a core; the three together can. Process CPU alone could not say which of the
 * other two it was, and on the bench's one core they decide the first apply (a fresh proxy's 10,000 new
 * certificates: 1.2 s of the applying thread's CPU in 2.8 s of process CPU, with 8 young GCs in the window):
 * so each phase also counts the collections that ended in it, their pause time, and the JIT's compile time.
 */
final class ApplyPhases {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final java.lang.management.OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final StringBuilder text = new StringBuilder();
    private final long startedWall;
    private long wall;
    private long threadCpu;
    private long processCpu;
    private long gcCount;
    private long gcMillis;
    private long jitMillis;

    ApplyPhases() {
        wall = System.nanoTime();
        startedWall = wall;
        threadCpu = threadCpu();
        processCpu = processCpu();
        gcCount = gcCount();
        gcMillis = gcMillis();
        jitMillis = jitMillis();
    }

    /** Ends the phase called {@code name} (begun at the last mark, or at construction). */
    void mark(String name) {
        long w = System.nanoTime();
        long t = threadCpu();
        long p = processCpu();
        long gcs = gcCount();
        long gcTime = gcMillis();
        long jit = jitMillis();
        text.append(text.isEmpty() ? "" : ", ").append(name).append(' ').append(ms(w - wall)).append(" ms (cpu ")
                .append(ms(t - threadCpu)).append(" thread, ").append(ms(p - processCpu)).append(" process; ")
                .append(delta(gcs, gcCount)).append(" GCs ").append(delta(gcTime, gcMillis)).append(" ms, jit ")
                .append(delta(jit, jitMillis)).append(" ms)");
        wall = w;
        threadCpu = t;
        processCpu = p;
        gcCount = gcs;
        gcMillis = gcTime;
        jitMillis = jit;
    }

    /** Wall time since construction. */
    long elapsedNanos() {
        return System.nanoTime() - startedWall;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private static long ms(long nanos) {
        return nanos < 0 ? -1 : nanos / 1_000_000;
    }

    /** -1 when either end is unknown (a JVM without the bean), as {@link #ms} does for CPU. */
    private static long delta(long now, long before) {
        return now < 0 || before < 0 ? -1 : now - before;
    }

    /** Collections of every collector (ParallelGC: young and old), ended so far; -1 when a collector cannot say. */
    private static long gcCount() {
        return sumOverCollectors(GarbageCollectorMXBean::getCollectionCount);
    }

    /** Their accumulated pause time (ms); -1 when a collector cannot say. */
    private static long gcMillis() {
        return sumOverCollectors(GarbageCollectorMXBean::getCollectionTime);
    }

    private static long sumOverCollectors(ToLongFunction<GarbageCollectorMXBean> value) {
        long sum = 0;
        for (GarbageCollectorMXBean c : COLLECTORS) {
            long v = value.applyAsLong(c);
            if (v < 0) {
                return -1;
            }
            sum += v;
        }
        return sum;
    }

    /** The JIT compilers' accumulated compile time (ms); -1 without a JIT or without its monitoring. */
    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    private static long threadCpu() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static long processCpu() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
