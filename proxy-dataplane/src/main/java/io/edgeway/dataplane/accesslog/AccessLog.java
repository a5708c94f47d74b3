package io.edgeway.dataplane.accesslog;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: event loops {@link #offer} records into one bounded lock-free queue (Netty's fixed-size MPSC
 * queue, JCTools' design: an offer is a CAS, never a lock or a wait); one writer thread formats and writes them.
 * A full queue means the writer fell behind (a slow disk, a stalled pipe): the line is dropped and counted,
 * the request goes on. The writer is woken only when it sleeps on an empty queue, so under load the loops
 * never make a system call for it.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Queue<AccessRecord> queue;
    private final LongAdder dropped;
    private final AccessLogSettings settings;
    private final LogOutput output;
    private final Thread writer;
    private volatile boolean sleeping;
    private volatile boolean closed;

    private AccessLog(AccessLogSettings settings, LongAdder dropped) {
        this.settings = settings;
        this.dropped = dropped;
        this.queue = PlatformDependent.newFixedMpscQueue(settings.queue());
        this.output = new LogOutput(settings.destination(), settings.maxBytes(), settings.keep());
        this.writer = new Thread(this::run, "edgeway-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** The log, or null when the settings say off. {@code dropped} counts the lines given up. */
    public static AccessLog start(AccessLogSettings settings, LongAdder dropped) {
        return settings.on() ? new AccessLog(settings, dropped) : null;
    }

    /** Whether lines are nginx's combined format (which needs Referer and User-Agent). */
    public boolean combined() {
        return settings.format() == AccessLogSettings.Format.COMBINED;
    }

    /** From an event loop: queued, or dropped and counted when the writer is behind. Never blocks. */
    public void offer(AccessRecord r) {
        if (!queue.offer(r)) {
            dropped.increment();
        } else if (sleeping) {
            LockSupport.unpark(writer);
        }
    }

    private void run() {
        StringBuilder sb = new StringBuilder(512);
        boolean failing = false;
        while (!closed || !queue.isEmpty()) {
            AccessRecord r = queue.poll();
            try {
                if (r == null) {
                    output.flush();
                    sleeping = true;
                    if (queue.isEmpty() && !closed) {
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    sleeping = false;
                    continue;
                }
                sb.setLength(0);
                if (settings.format() == AccessLogSettings.Format.JSON) {
                    LineFormat.json(r, sb);
                } else {
                    LineFormat.combined(r, sb);
                }
                byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
                output.write(line, line.length);
                failing = false;
            } catch (IOException | RuntimeException e) {
                dropped.increment();
                if (!failing) { // once per failure streak, not once per line
                    log.error("access log: cannot write to {}: {}", settings.destination(), e.toString());
                    failing = true;
                }
            }
        }
        try {
            output.close();
        } catch (IOException e) {
            log.warn("access log: close failed: {}", e.toString());
        }
    }

    /** Writes what is queued, then stops; a writer stuck on its output is left behind (it is a daemon). */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
