package io.edgeway.dataplane.accesslog;

import io.edgeway.dataplane.trace.SpanExport;
import io.edgeway.dataplane.trace.TraceIds;
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
 * second before any is dropped. The same thread builds the OTLP spans of sampled requests when span export is
 * on ({@link SpanExport}): one hand-off per request serves both, so the loops pay for spans nothing more.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Queue<AccessRecord> queue;
    private final LongAdder dropped;
    private final AccessLogSettings settings;
    private final LogOutput output; // null when only spans are exported
    private final SpanExport spans; // null when span export is off
    private final Thread writer;
    private volatile boolean closed;

    private AccessLog(AccessLogSettings settings, SpanExport spans, LongAdder dropped) {
        this.settings = settings;
        this.dropped = dropped;
        this.queue = PlatformDependent.newFixedMpscQueue(settings.queue());
        this.output = settings.on() ? new LogOutput(settings.destination(), settings.maxBytes(), settings.keep()) : null;
        this.spans = spans;
        this.writer = new Thread(this::run, "edgeway-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** The log, or null when the settings say off. {@code dropped} counts the lines given up. */
    public static AccessLog start(AccessLogSettings settings, LongAdder dropped) {
        return start(settings, null, dropped);
    }

    /**
     * The hand-off to the writer thread, or null when neither lines nor spans ({@code spans} null: export off)
     * are wanted. {@code dropped} counts the records given up (a line, a span or both).
     */
    public static AccessLog start(AccessLogSettings settings, SpanExport spans, LongAdder dropped) {
        return settings.on() || spans != null ? new AccessLog(settings, spans, dropped) : null;
    }

    /** Whether access log lines are written (else only spans are exported). */
    public boolean writesLines() {
        return output != null;
    }

    /** Whether sampled requests' spans are exported. */
    public boolean exportsSpans() {
        return spans != null;
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
        WallClock clock = new WallClock();
        boolean failing = false;
        while (!closed || !queue.isEmpty()) {
            AccessRecord r = queue.poll();
            try {
                if (r == null) {
                    clock.forget();
                    if (output != null) {
                        output.flush();
                    }
                    if (!closed) {
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    continue;
                }
                r.timeMillis = clock.millis(r.endNanos);
                if (r.exportSpan) {
                    if (r.requestIdFromTrace && r.traced) { // a span needs it as an object; a line does not
                        r.requestId = TraceIds.traceIdHex(r.traceHigh, r.traceLow);
                    }
                    exportSpan(r);
                }
                if (!r.writeLine) {
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
        if (spans != null) {
            spans.close(); // the last spans are sent too (bounded: a collector that is down is not waited for)
        }
        try {
            if (output != null) {
                output.close();
            }
        } catch (IOException e) {
            log.warn("access log: close failed: {}", e.toString());
        }
    }

    private void exportSpan(AccessRecord r) {
        try {
            spans.export(r);
        } catch (RuntimeException e) { // a span gone wrong must not cost the line, nor stop the thread
            dropped.increment();
            log.warn("span export: {}", e.toString());
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
