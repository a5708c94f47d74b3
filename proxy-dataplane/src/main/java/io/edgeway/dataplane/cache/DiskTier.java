package io.edgeway.dataplane.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional disk tier: responses the memory tier evicted for size, one file each under {@code dir}, bounded
 * in bytes. The index is in memory only and the directory is emptied at start: a proxy is stateless and trusts
 * no file it did not write in this run.
 *
 * <p>Writes and deletes run on one small thread of their own, reads on another, never on an event loop; the
 * writer alone keeps the byte count and the order of files (oldest first). An entry read back is promoted to
 * memory and leaves the disk, so oldest-written is also least-recently-used among what is on disk. File names
 * are the SHA-256 of the key plus a sequence number: nothing a client sends reaches a path. Files are 0600 in a
 * 0700 directory ({@link DiskFiles}); reads run in {@link DiskReads}.
 */
final class DiskTier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskTier.class);
    /** Spills queued beyond this are dropped (it is a cache): a burst of evictions must not pile up in memory. */
    private static final int MAX_PENDING_SPILLS = 256;

    /** What the index knows of one file, enough to purge it by URL, prefix or tag without reading it. */
    record DiskEntry(String key, Path file, long bytes, String hostAndPath, Set<String> tags) {}

    private final Path dir;
    private final long maxBytes;
    private final Map<String, DiskEntry> index = new ConcurrentHashMap<>();
    private final ArrayDeque<DiskEntry> oldestFirst = new ArrayDeque<>(); // writer thread only
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger pendingSpills = new AtomicInteger();
    /** Bumped by every purge and clear: a spill that was queued before one must not publish afterwards. */
    private final AtomicLong purgeEpoch = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "edgeway-cache-disk");
        t.setDaemon(true);
        return t;
    });
    private final DiskReads reads = new DiskReads();

    DiskTier(Path dir, long maxBytes) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("disk maxBytes: " + maxBytes + " (expected: > 0)");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        DiskFiles.prepare(dir);
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the files the tier holds now (written and not yet deleted). */
    long bytes() {
        return bytes.get();
    }

    int entries() {
        return index.size();
    }

    /** Queues {@code entry}, just evicted from memory, to be written (dropped if too many are queued). */
    void spill(String key, CachedResponse entry) {
        if (entry.body().readableBytes() > maxBytes) {
            return;
        }
        if (pendingSpills.incrementAndGet() > MAX_PENDING_SPILLS) {
            pendingSpills.decrementAndGet();
            return;
        }
        long epoch = purgeEpoch.get();
        onWriter(() -> {
            pendingSpills.decrementAndGet();
            write(key, entry, epoch);
        });
    }

    private void write(String key, CachedResponse entry, long epoch) {
        Path file = dir.resolve(DiskFiles.fileName(key) + "." + sequence.incrementAndGet());
        try {
            byte[] data = DiskFormat.encode(entry);
            if (data.length > maxBytes) {
                return;
            }
            DiskFiles.writeNew(file, data);
            DiskEntry e = new DiskEntry(key, file, data.length, CacheKeys.hostAndPath(key), entry.tags());
            bytes.addAndGet(e.bytes());
            oldestFirst.add(e);
            DiskEntry replaced = index.put(key, e);
            if (replaced != null) {
                forget(replaced);
            }
            if (purgeEpoch.get() != epoch && index.remove(key, e)) { // a purge ran while this waited or wrote
                forget(e);
            }
            while (bytes.get() > maxBytes && !oldestFirst.isEmpty()) {
                DiskEntry oldest = oldestFirst.poll();
                if (index.remove(oldest.key(), oldest)) { // else already removed, and forgotten by its remover
                    forget(oldest);
                }
            }
        } catch (IOException | RuntimeException ex) {
            log.warn("cache: could not write {} to disk: {}", file.getFileName(), ex.toString());
            DiskFiles.delete(file);
        }
    }

    /** Whether a file holds {@code key}'s response now (it may still turn out unreadable when read). */
    boolean holds(String key) {
        return index.containsKey(key);
    }

    /**
     * Reads {@code key}'s response on the reader thread (see {@link #take}) and gives it, or null, to {@code done}
     * there. A read already under way for the key is joined, not repeated.
     */
    void load(String key, long promoteWeight, Consumer<CachedResponse> done) {
        reads.load(key, k -> take(k, promoteWeight), done);
    }

    void beforeRead(Runnable hook) {
        reads.beforeRead(hook);
    }

    /**
     * The response stored under {@code key}, read back from its file, or null (on the reader thread); when it weighs at most
     * {@code promoteWeight} it leaves the disk now, before the caller puts it in memory (so a spill of it that
     * memory's put may cause is a new file, never deleted by this removal). A file that cannot be read or does
     * not hold this key's intact response is a miss and is removed: the disk never makes an error.
     */
    CachedResponse take(String key, long promoteWeight) {
        DiskEntry e = index.get(key);
        if (e == null) {
            return null;
        }
        try {
            CachedResponse r = DiskFormat.decode(DiskFiles.read(e.file(), e.bytes()));
            if (!r.key().equals(key)) {
                throw new IllegalArgumentException("file holds another key");
            }
            if (r.weight() <= promoteWeight) {
                remove(key, e);
            }
            return r;
        } catch (IOException | RuntimeException ex) {
            log.warn("cache: disk entry {} unreadable, dropped: {}", e.file().getFileName(), ex.toString());
            remove(key, e);
            return null;
        }
    }

    /** Drops whatever the disk holds under {@code key} (a newer copy is in memory, or it was promoted). */
    void remove(String key) {
        DiskEntry e = index.remove(key);
        if (e != null) {
            onWriter(() -> forget(e));
        }
    }

    private void remove(String key, DiskEntry e) {
        if (index.remove(key, e)) {
            onWriter(() -> forget(e));
        }
    }

    /** Removes every entry {@code match} accepts; the index forgets them now, their files go on the writer thread. */
    int purge(Predicate<DiskEntry> match) {
        purgeEpoch.incrementAndGet();
        int removed = 0;
        for (DiskEntry e : index.values()) {
            if (match.test(e) && index.remove(e.key(), e)) {
                removed++;
                onWriter(() -> forget(e));
            }
        }
        return removed;
    }

    /** Waits until every write and delete queued so far is done (tests; a clean shutdown). */
    void awaitWrites() throws InterruptedException {
        try {
            writer.submit(() -> { }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The path of the file that holds {@code key} now, or null (tests). */
    Path fileOf(String key) {
        DiskEntry e = index.get(key);
        return e == null ? null : e.file();
    }

    /** Runs {@code task} on the writer thread; after close there is none, and the files go with the next start. */
    private void onWriter(Runnable task) {
        try {
            writer.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shut down: nothing to keep consistent any more
        }
    }

    private void forget(DiskEntry e) {
        bytes.addAndGet(-e.bytes());
        DiskFiles.delete(e.file());
    }

    @Override
    public void close() {
        purge(e -> true);
        reads.shutdown();
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
