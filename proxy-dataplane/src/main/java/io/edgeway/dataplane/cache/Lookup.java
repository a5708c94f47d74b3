package io.edgeway.dataplane.cache;

/**
 * What the cache makes of one request of a cached route. {@code entry} is the stored response the outcome
 * refers to (a hit, the copy to revalidate, or the stale copy kept for stale-if-error), else null;
 * {@code forward} is the Cache-Status "fwd" reason when the request goes to the target; {@code mayStore} says
 * whether the target's answer may be stored; {@code collapsible} whether concurrent misses may wait for one.
 */
public record Lookup(Outcome outcome, String primaryKey, String variantKey, CachedResponse entry, String forward,
        boolean mayStore, boolean collapsible, long staleIfErrorS) {

    public enum Outcome {
        /** Fresh: answered from the cache. */
        HIT,
        /**
         * Stale, but within the entry's stale-while-revalidate window (RFC 5861 3): answered from the cache at
         * once while one background request (per key) revalidates it.
         */
        STALE_WHILE_REVALIDATE,
        /** Stale (or no-cache) with validators: a conditional request goes to the target. */
        REVALIDATE,
        /** Not usable: the request goes to the target. */
        FORWARD,
        /**
         * Only the disk tier holds {@code variantKey}: it is read and promoted off the event loop
         * ({@link ResponseCache#loadFromDisk}), then the request is looked up again.
         */
        DISK
    }

    /** Whether {@code entry} may answer in place of a target failure at {@code nowMs} (RFC 5861 4). */
    public boolean staleIfError(long nowMs) {
        return entry != null && !entry.directives().mustRevalidate()
                && entry.stalenessMs(nowMs) <= Math.max(staleIfErrorS, entry.directives().staleIfErrorS()) * 1000;
    }
}
