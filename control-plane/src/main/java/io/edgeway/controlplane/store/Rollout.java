package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One canary rollout of a config revision, as stored. {@code bakeUntil} is null while paused;
 * {@code restoredRevision} is the revision a rollback wrote to bring the old content back; {@code fallbackNode}
 * the node an N% selector picked because its hash picked no connected node (null otherwise).
 */
public record Rollout(long id, long revision, long previousRevision, State state, String selector, Duration bake,
                      double maxErrorRatio, long minRequests, Instant started, Instant bakeUntil, String reason,
                      Long restoredRevision, Instant ended, String actor, double maxP99Ratio, String fallbackNode) {
    public enum State {
        CANARY, PAUSED, PROMOTED, ROLLED_BACK, ABORTED;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State of(String text) {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        }

        public boolean open() {
            return this == CANARY || this == PAUSED;
        }
    }

    public Rollout {
        requireNonNull(state, "state");
        requireNonNull(selector, "selector");
        requireNonNull(bake, "bake");
        requireNonNull(started, "started");
        requireNonNull(actor, "actor");
    }
}
