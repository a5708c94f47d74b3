package io.edgeway.dataplane.cache;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.function.Predicate;

/**
 * Operator purges (by URL, prefix or tag) over both tiers, and which of a snapshot's purges this proxy has
 * applied. Apart from the store because purges are rare, run on the config thread, and scan every key: nothing
 * here is on a request's path.
 */
final class CachePurging {
    private final Cache<String, Stored> memory;
    /** Null when the disk tier is off. */
    private final DiskTier disk;
    /** The newest purge applied; -1 before the first snapshot (the cache is empty then, nothing can be missed). */
    private volatile long lastPurgeId = -1;

    CachePurging(Cache<String, Stored> memory, DiskTier disk) {
        this.memory = memory;
        this.disk = disk;
    }

    int url(String hostAndPath) {
        return purge(url -> url.equals(hostAndPath), null);
    }

    int prefix(String prefix) {
        return purge(url -> url.startsWith(prefix), null);
    }

    int tag(String tag) {
        return purge(url -> false, tag);
    }

    /**
     * A scan of the keys: purges are rare operator actions, and an index by prefix or tag would cost every
     * store. Vary indexes of purged URLs go too, so the next request is a plain miss.
     */
    private int purge(Predicate<String> url, String tag) {
        int[] removed = {0};
        memory.asMap().entrySet().removeIf(e -> {
            String hostAndPath = CacheKeys.hostAndPath(e.getKey());
            boolean match = url.test(hostAndPath)
                    || (tag != null && e.getValue() instanceof CachedResponse r && r.tags().contains(tag));
            if (match && e.getValue() instanceof CachedResponse) {
                removed[0]++;
            }
            return match;
        });
        if (disk != null) {
            removed[0] += disk.purge(e -> url.test(e.hostAndPath()) || (tag != null && e.tags().contains(tag)));
        }
        return removed[0];
    }

    /**
     * Applies the purges of a snapshot this proxy has not applied yet (called on the config thread, before the
     * snapshot's Ack, so an acked version means its purges are done). When purges this proxy never saw fell out
     * of the snapshot's window, it cannot know what they removed, and empties the cache instead.
     */
    void apply(CachePurges purges) {
        long last = lastPurgeId;
        if (last >= 0 && last < purges.floor()) {
            clear();
        }
        long newest = Math.max(last, purges.floor());
        for (io.edgeway.proto.v1.CachePurge p : purges.recent()) {
            if (p.getId() <= last) {
                continue;
            }
            switch (p.getTargetCase()) {
                case URL -> url(p.getUrl());
                case PREFIX -> prefix(p.getPrefix());
                case TAG -> tag(p.getTag());
                default -> { }
            }
            newest = Math.max(newest, p.getId());
        }
        lastPurgeId = newest;
    }

    void clear() {
        memory.invalidateAll();
        if (disk != null) {
            disk.purge(e -> true);
        }
    }
}
