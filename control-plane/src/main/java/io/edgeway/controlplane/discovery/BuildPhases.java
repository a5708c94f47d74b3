package io.edgeway.controlplane.discovery;

/**
 * Where one snapshot build's time went, in nanoseconds of wall time on the builder thread (issue 22: the
 * fan-out bench prints these per phase, so a slow "2xx to all Acks" can be traced to the step that made it).
 *
 * @param version      the version built
 * @param startedAt    System.nanoTime() when the build began (after the commit's wake-up)
 * @param loadNanos    reading the changed rows from PostgreSQL and merging them into the last state
 * @param assembleNanos building the Snapshot proto (unchanged routes reuse their messages)
 * @param prepareNanos what must happen before nodes can be sent anything: the delta, and the full encoding
 *                     when it is not deferred
 * @param installNanos re-reading the rollout plan (one query), swapping the cache's reference and offering the
 *                     version to every stream
 * @param deferredNanos work done after the install, off the push path (the full snapshot's encoding and gzip
 *                     when nodes took the delta); 0 when none
 * @param withDelta    whether a delta was made (nodes on the previous version get it)
 */
public record BuildPhases(long version, long startedAt, long loadNanos, long assembleNanos, long prepareNanos, long installNanos,
                          long deferredNanos, boolean withDelta) {
    /** From the write's point of view: everything before the install completes. */
    public long pushPathNanos() {
        return loadNanos + assembleNanos + prepareNanos + installNanos;
    }
}
