package io.edgeway.dataplane.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier's reads: on a thread of their own, never on an event loop (a cold file's page faults, or a
 * slow disk, would stall every connection of that loop), and not behind the writer (a burst of spills must
 * not delay a read). Concurrent misses of one key read its file once and all get the result.
 */
final class DiskReads {
    private static final Logger log = LoggerFactory.getLogger(DiskReads.class);

    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "edgeway-cache-disk-read");
        t.setDaemon(true);
        return t;
    });
    /** Reads in progress by key, with who waits for each. */
    private final Map<String, List<Consumer<CachedResponse>>> reading = new ConcurrentHashMap<>();
    /** Runs on the reader thread before each read (tests: to hold a read back). */
    private volatile Runnable beforeRead = () -> { };

    /**
     * Runs {@code read} for {@code key} on the reader thread and gives its result, or null, to {@code done}
     * there; joins a read of that key already under way instead.
     */
    void load(String key, Function<String, CachedResponse> read, Consumer<CachedResponse> done) {
        boolean[] first = {false};
        reading.compute(key, (k, waiting) -> {
            if (waiting == null) {
                first[0] = true;
                waiting = new ArrayList<>(2);
            }
            waiting.add(done);
            return waiting;
        });
        if (!first[0]) {
            return;
        }
        Runnable task = () -> {
            CachedResponse r = null;
            try {
                beforeRead.run();
                r = read.apply(key);
            } finally {
                for (Consumer<CachedResponse> waiter : reading.remove(key)) {
                    try {
                        waiter.accept(r);
                    } catch (RuntimeException e) { // e.g. its event loop shut down: the others still get theirs
                        log.debug("cache: a disk read's waiter failed: {}", e.toString());
                    }
                }
            }
        };
        try {
            reader.execute(task);
        } catch (RejectedExecutionException closed) {
            for (Consumer<CachedResponse> waiter : reading.remove(key)) { // shut down: a miss, never a hang
                waiter.accept(null);
            }
        }
    }

    void beforeRead(Runnable hook) {
        beforeRead = hook;
    }

    void shutdown() {
        reader.shutdown();
    }
}
