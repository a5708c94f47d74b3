package io.edgeway.dataplane.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * The proxy's shared HTTP cache (RFC 9111), one per proxy, used by every event loop. The memory tier is a
 * Caffeine cache bounded by weight (body bytes plus header text, see {@link CachedResponse#weight}); its
 * maintenance runs on the caller's thread, so no pool thread is started and the bound holds right after a put.
 *
 * <p>The key (see {@link CacheKeys#primaryKey}) is the scheme, the Host header exactly as received, the request target,
 * and the values of the route's key headers. Nothing else a client sends is part of it: a target that answers
 * differently by another request header must name it in {@code Vary} (then its value is the secondary key), or
 * the route must list it in its key headers. The proxy itself overwrites X-Forwarded-For/-Proto/-Host from
 * untrusted peers, so those cannot poison an entry.
 */
public final class ResponseCache {
    public static final long DEFAULT_MEMORY_BYTES = 256L << 20;
    private final Cache<String, Stored> memory;
    private final long maxBytes;
    /** The optional disk tier (null when off): where responses evicted from memory for size go. */
    private final DiskTier disk;
    private final Flights flights = new Flights();
    /** Keys whose stale-while-revalidate background request is in flight. */
    private final java.util.Set<String> revalidating = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CachePurging purging;

    public ResponseCache(long maxBytes) {
        this(maxBytes, null);
    }

    private ResponseCache(long maxBytes, DiskTier disk) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        this.maxBytes = maxBytes;
        this.disk = disk;
        this.memory = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Stored v) -> v.weight())
                // only evictions for size spill: a purge, clear or replacement is explicit and must not come back
                .evictionListener((String k, Stored v, RemovalCause cause) -> {
                    if (disk != null && cause == RemovalCause.SIZE && v instanceof CachedResponse r
                            && r.worthKeeping(System.currentTimeMillis())) {
                        disk.spill(k, r);
                    }
                })
                .executor(Runnable::run)
                .build();
        this.purging = new CachePurging(memory, disk);
    }

    /** From EDGEWAY_CACHE_MEMORY_BYTES (bytes; default 256 MiB), memory only. */
    public static ResponseCache fromEnv(java.util.Map<String, String> env) {
        return new ResponseCache(CacheEnv.bytes(env, CacheEnv.MEMORY_BYTES, DEFAULT_MEMORY_BYTES));
    }

    /**
     * As above, plus a disk tier under {@code dataDir}/cache when EDGEWAY_CACHE_DISK_MAX_BYTES is set (bytes of
     * files, > 0). A proxy setting, not a route field: one disk and one bound per proxy, whatever routes cache.
     */
    public static ResponseCache fromEnv(java.util.Map<String, String> env, java.nio.file.Path dataDir) {
        long memoryBytes = CacheEnv.bytes(env, CacheEnv.MEMORY_BYTES, DEFAULT_MEMORY_BYTES);
        long diskBytes = CacheEnv.bytes(env, CacheEnv.DISK_MAX_BYTES, 0);
        return diskBytes == 0 ? new ResponseCache(memoryBytes) : withDisk(memoryBytes, dataDir.resolve("cache"), diskBytes);
    }

    /** A cache whose memory evictions spill to files in {@code dir} (emptied now), at most {@code diskMaxBytes}. */
    public static ResponseCache withDisk(long memoryBytes, java.nio.file.Path dir, long diskMaxBytes) {
        try {
            return new ResponseCache(memoryBytes, new DiskTier(dir, diskMaxBytes));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cache disk tier in " + dir, e);
        }
    }

    public Flights flights() {
        return flights;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Weight of what the memory tier holds now, after pending evictions. */
    public long weightedSize() {
        memory.cleanUp();
        return memory.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    public long entries() {
        memory.cleanUp();
        return memory.estimatedSize();
    }

    /** Bytes of the disk tier's files (0 when off), once the writes queued so far are done. */
    public long diskBytes() throws InterruptedException {
        if (disk == null) {
            return 0;
        }
        disk.awaitWrites();
        return disk.bytes();
    }

    /** Responses on disk (0 when off), once the writes queued so far are done. */
    public int diskEntries() throws InterruptedException {
        if (disk == null) {
            return 0;
        }
        disk.awaitWrites();
        return disk.entries();
    }

    /** The disk file holding {@code key}'s response, or null (tests: to damage one). */
    public java.nio.file.Path diskFile(String key) {
        return disk == null ? null : disk.fileOf(key);
    }

    /** Stops the disk tier's writer (its files are removed at the next start anyway). */
    public void close() {
        if (disk != null) {
            disk.close();
        }
    }

    /**
     * A disk read done for one request: what {@code key}'s file held (null: nothing usable). It stands in for
     * the memory tier under that key when that request is looked up again: a promoted entry may have been
     * evicted again at once (a newcomer to a full memory tier often is), and must still answer the request it was
     * read for.
     */
    public record DiskRead(String key, CachedResponse entry) {}

    /**
     * The memory tier's entry for {@code key}, or the one a disk read just brought; null when neither has it.
     * {@link #DISK_PENDING} when only the disk tier has it and no read was done for this request yet.
     */
    private Stored stored(String key, DiskRead read) {
        Stored s = memory.getIfPresent(key);
        if (s != null) {
            return s;
        }
        if (read != null) {
            return key.equals(read.key()) ? read.entry() : null;
        }
        return disk != null && disk.holds(key) ? DISK_PENDING : null;
    }

    /** Marks "on disk, not read yet" (never stored). */
    private static final Stored DISK_PENDING = new Stored.VaryIndex(List.of());

    /**
     * Reads {@code key}'s response from disk off the caller's thread, promotes it to memory (if it fits there; it
     * then leaves the disk: one copy per key, and what stays on disk is what was not used since it went there),
     * then gives the read to {@code done} on the disk reader thread. The caller looks the request up again.
     */
    public void loadFromDisk(String key, java.util.function.Consumer<DiskRead> done) {
        if (disk == null) {
            done.accept(new DiskRead(key, null));
            return;
        }
        disk.load(key, maxBytes, r -> {
            if (r != null && r.weight() <= maxBytes) {
                memory.asMap().putIfAbsent(key, r); // a newer copy stored meanwhile wins
            }
            done.accept(new DiskRead(key, r));
        });
    }

    /** Tests: {@code hook} runs on the disk reader thread before each read (to hold one back). */
    public void beforeDiskRead(Runnable hook) {
        if (disk != null) {
            disk.beforeRead(hook);
        }
    }

    /** What to do with {@code req} (GET or HEAD make sense; others are forwarded and never stored). */
    public Lookup lookup(RouteCache policy, CharSequence scheme, String host, HttpRequest req, long nowMs) {
        return lookup(policy, scheme, host, req, nowMs, null);
    }

    /**
     * As above, once more after {@code read}, the disk read this request waited for (null before any): the disk
     * is then not consulted again, and what the read found counts as stored under its key.
     */
    public Lookup lookup(RouteCache policy, CharSequence scheme, String host, HttpRequest req, long nowMs,
            DiskRead read) {
        String primary = CacheKeys.primaryKey(policy, scheme, host, req);
        boolean get = HttpMethod.GET.equals(req.method());
        if (!get && !HttpMethod.HEAD.equals(req.method())) {
            return new Lookup(Lookup.Outcome.FORWARD, primary, primary, null, "method", false, false, 0);
        }
        CacheControl cc = CacheControl.of(req.headers());
        if (cc.has("no-store") || FreshnessRules.hasBody(req)) {
            // A GET body is not part of the key: a response it shaped must neither be stored nor be answered
            // from an entry another request made.
            return new Lookup(Lookup.Outcome.FORWARD, primary, primary, null, "request", false, false, 0);
        }
        boolean noCache = FreshnessRules.requestsNoCache(req, cc);
        Stored stored = stored(primary, read);
        if (stored == DISK_PENDING) {
            return new Lookup(Lookup.Outcome.DISK, primary, primary, null, "uri-miss", get, false, 0);
        }
        String variant = primary;
        CachedResponse entry = null;
        String miss = "uri-miss";
        if (stored instanceof Stored.VaryIndex index) {
            variant = CacheKeys.variantKey(primary, index.names(), req.headers());
            Stored v = stored(variant, read);
            if (v == DISK_PENDING) {
                return new Lookup(Lookup.Outcome.DISK, primary, variant, null, "vary-miss", get, false, 0);
            }
            entry = v instanceof CachedResponse r ? r : null;
            miss = "vary-miss";
        } else if (stored instanceof CachedResponse r) {
            entry = r;
        }
        long sie = Math.max(0, cc.seconds("stale-if-error"));
        if (noCache) {
            return new Lookup(Lookup.Outcome.FORWARD, primary, variant, entry, "request", get, false, sie);
        }
        if (entry == null) {
            return new Lookup(Lookup.Outcome.FORWARD, primary, variant, null, miss, get, get, 0);
        }
        return FreshnessRules.decide(req, cc, primary, variant, entry, get, sie, nowMs);
    }

    /**
     * Claims the background revalidation of the entry at {@code variantKey}: true for the one caller that must
     * run it and then call {@link #revalidated}; false while another one runs (collapsed: one per key).
     */
    public boolean startRevalidation(String variantKey) {
        return revalidating.add(variantKey);
    }

    /** The background revalidation of {@code variantKey} ended, whatever its outcome. */
    public void revalidated(String variantKey) {
        revalidating.remove(variantKey);
    }

    /** Stores {@code entry} under the lookup's keys; a response with Vary also (re)writes the URL's vary index. */
    public void store(String primary, HttpHeaders requestHeaders, CachedResponse entry) {
        // the disk's older copy goes first: the put may evict the new one at once, and its spill must stay
        dropFromDisk(primary);
        if (entry.vary().isEmpty()) {
            memory.put(primary, entry);
            return;
        }
        String variant = CacheKeys.variantKey(primary, entry.vary(), requestHeaders);
        dropFromDisk(variant);
        memory.put(primary, new Stored.VaryIndex(entry.vary()));
        memory.put(variant, entry);
    }

    /** A newer copy goes to memory: an older one on disk must not come back when that one is evicted. */
    private void dropFromDisk(String key) {
        if (disk != null) {
            disk.remove(key);
        }
    }

    /** The stored copy refreshed by the target's 304 (RFC 9111 4.3.4), put back under its key. */
    public CachedResponse refreshed(Lookup lookup, CachedResponse entry, HttpHeaders notModified, long nowMs,
            RouteCache policy) {
        CachedResponse r = entry.refreshedBy(notModified, nowMs, policy);
        dropFromDisk(lookup.variantKey());
        memory.put(lookup.variantKey(), r);
        return r;
    }

    /** Removes every entry of {@code hostAndPath} ("host/path?q"), whatever its scheme, key headers and variants. */
    public int purgeUrl(String hostAndPath) {
        return purging.url(hostAndPath);
    }

    /** Removes every entry whose "host/path?q" starts with {@code prefix}. */
    public int purgePrefix(String prefix) {
        return purging.prefix(prefix);
    }

    /** Removes every response the target tagged {@code tag} (Cache-Tag or Surrogate-Key). */
    public int purgeTag(String tag) {
        return purging.tag(tag);
    }

    /** A snapshot's purges not applied yet (see {@link CachePurging#apply}); before the snapshot's Ack. */
    public void apply(CachePurges purges) {
        purging.apply(purges);
    }

    /** Drops everything: a proxy that cannot know which purges it missed. */
    public void clear() {
        purging.clear();
    }
}
