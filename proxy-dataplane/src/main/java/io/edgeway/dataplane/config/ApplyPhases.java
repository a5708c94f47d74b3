package io.edgeway.dataplane.config;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Where one snapshot's apply went, phase by phase, for its log line: wall time, the applying thread's CPU and the
 * whole process's CPU (which adds the JIT compiler, the garbage collector and any helper threads). Issue 14's
 * "10,000 certificates apply in 2 s" is judged on a loaded machine, where wall time alone cannot tell this
 * proxy's work from waiting for a core; the three together can.
 */
final class ApplyPhases {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final java.lang.management.OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private final StringBuilder text = new StringBuilder();
    private final long startedWall;
    private long wall;
    private long threadCpu;
    private long processCpu;

    ApplyPhases() {
        wall = System.nanoTime();
        startedWall = wall;
        threadCpu = threadCpu();
        processCpu = processCpu();
    }

    /** Ends the phase called {@code name} (begun at the last mark, or at construction). */
    void mark(String name) {
        long w = System.nanoTime();
        long t = threadCpu();
        long p = processCpu();
        text.append(text.isEmpty() ? "" : ", ").append(name).append(' ').append(ms(w - wall)).append(" ms (cpu ")
                .append(ms(t - threadCpu)).append(" thread, ").append(ms(p - processCpu)).append(" process)");
        wall = w;
        threadCpu = t;
        processCpu = p;
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

    private static long threadCpu() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static long processCpu() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
