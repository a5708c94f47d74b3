package io.edgeway.dataplane.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Whether the JIT has settled: for {@link #SETTLED_SAMPLES} samples in a row (1 s) nothing was compiling or queued
 * to compile ({@code jcmd Compiler.queue}, read through the DiagnosticCommand MBean) and the compile time grew by
 * at most {@link #QUIET_COMPILE_MS} per sample. The warm-up's own traffic keeps running meanwhile, so a hot method
 * still due for C2 shows up in the queue. The older test (compile time alone, 2 samples) could call a pause between
 * two C2 batches quiet; and the compile queue is what bench/cold-start.sh DIAG=1 saw after ready: 200-350 C2
 * compilations, 11-13 s into the load, after warm-ups that ended on their timeout. Sampled by the warm-up's loop.
 */
final class JitSettled {
    /** How often the warm-up samples (and checks its other end conditions). */
    static final long SAMPLE_MS = 250;
    /** A compile or two of the sampler's own code (C1, well under a millisecond each) does not reset the count. */
    private static final long QUIET_COMPILE_MS = 2;
    static final int SETTLED_SAMPLES = 4;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final long millisAtStart = measurable() ? jit.getTotalCompilationTime() : -1;
    private final CompileQueue queue = CompileQueue.open();
    private long lastMillis = -1;
    private int settledSamples;
    private int lastQueued = -1;

    /** False when this JVM cannot say how long it compiled: the warm-up then ends on its count alone. */
    boolean measurable() {
        return jit != null && jit.isCompilationTimeMonitoringSupported();
    }

    /** One sample; true once the last {@link #SETTLED_SAMPLES} were all settled. */
    boolean sampleSettled() {
        long now = jit.getTotalCompilationTime();
        lastQueued = queue.compilingOrQueued();
        boolean quiet = lastMillis >= 0 && now - lastMillis <= QUIET_COMPILE_MS && lastQueued <= 0;
        settledSamples = quiet ? settledSamples + 1 : 0;
        lastMillis = now;
        return settledSamples >= SETTLED_SAMPLES;
    }

    /** Methods compiling or queued at the last sample; -1 when unknown (no sample yet, or no such command). */
    int lastQueued() {
        return lastQueued;
    }

    /** Milliseconds the JIT compiled since this was made, or -1 when unknown. */
    long millisSinceStart() {
        return millisAtStart < 0 ? -1 : jit.getTotalCompilationTime() - millisAtStart;
    }

    /** HotSpot's compile queue, as {@code jcmd <pid> Compiler.queue} prints it; -1 on a JVM without the command. */
    static final class CompileQueue {
        private final MBeanServer server;
        private final ObjectName name;

        private CompileQueue(MBeanServer server, ObjectName name) {
            this.server = server;
            this.name = name;
        }

        static CompileQueue open() {
            try {
                ObjectName n = new ObjectName("com.sun.management:type=DiagnosticCommand");
                MBeanServer s = ManagementFactory.getPlatformMBeanServer();
                return new CompileQueue(s.isRegistered(n) ? s : null, n);
            } catch (JMException | RuntimeException e) {
                return new CompileQueue(null, null);
            }
        }

        /** Methods being compiled plus those waiting, over all compilers; -1 when unknown. */
        int compilingOrQueued() {
            if (server == null) {
                return -1;
            }
            try {
                Object text = server.invoke(name, "compilerQueue", new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
                return text instanceof String s ? count(s) : -1;
            } catch (JMException | RuntimeException e) {
                return -1;
            }
        }

        /**
         * Counts the task lines of the command's text: the ones under "Current compiles:" (a compiler thread's name,
         * then the task) and under each "... compile queue:" (one task a line, or "Empty"). Same format on 17 and 25.
         */
        static int count(String text) {
            int tasks = 0;
            boolean inSection = false;
            for (String line : text.split("\n")) {
                String l = line.strip();
                if (l.endsWith(":") && (l.startsWith("Current compiles") || l.endsWith("compile queue:"))) {
                    inSection = true;
                } else if (l.isEmpty()) {
                    inSection = false;
                } else if (inSection && !l.equals("Empty")) {
                    tasks++;
                }
            }
            return tasks;
        }
    }
}
