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
 * the request goes on. The loops never wake the writer: it drains the queue, flushes, and sleeps
 * {@link #IDLE_PARK_NANOS}, so a line reaches the output within about that long, and a request costs no
 * system call and no context switch (a wake-up per line costs more than the rest of the logging together when
 * the proxy runs on one core). 10 ms at the default queue of 65,536 lines leaves room for 6 million lines a
 * second before any is dropped.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Queue<AccessRecord> queue;
    private final LongAdder dropped;
    private final AccessLogSettings settings;
    private final LogOutput output;
    private final Thread writer;
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
        }
    }

    private void run() {
        StringBuilder sb = new StringBuilder(512);
        JsonLine json = new JsonLine();
        boolean failing = false;
        while (!closed || !queue.isEmpty()) {
            AccessRecord r = queue.poll();
            try {
                if (r == null) {
                    output.flush();
                    if (!closed) {
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    continue;
                }
                if (settings.format() == AccessLogSettings.Format.JSON) {
                    json.format(r);
                    output.write(json.buf, json.len);
                } else {
                    sb.setLength(0);
                    LineFormat.combined(r, sb);
                    byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
                    output.write(line, line.length);
                }
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
