package io.edgeway.controlplane.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * What an admin API write means for rollouts, set per request on the request's thread (like {@link Actor})
 * and checked inside the write's transaction, under the revision lock, so two writes cannot both pass:
 * <ul>
 *   <li>{@link #canary}: the revision the write commits opens a rollout (409 if one is already open);</li>
 *   <li>{@link #GUARDED}: an ordinary write, refused with 409 while a rollout is open (promote or abort it
 *       first), because it would reach only the canary nodes and ride along unreviewed;</li>
 *   <li>none: the control plane's own writes (session ticket keys, ACME certificates, a rollback) pass,
 *       and reach the canary nodes only until the rollout ends.</li>
 * </ul>
 */
public sealed interface RolloutIntent {
    RolloutIntent GUARDED = new Guarded();

    record Guarded() implements RolloutIntent {}

    /** The parameters of a canary write, already validated. */
    record Canary(String selector, Duration bake, double maxErrorRatio, long minRequests, double maxP99Ratio)
            implements RolloutIntent {}

    /**
     * The write that brings the previous content back closes rollout {@code rolloutId} as {@code to} in its own
     * transaction, or does not commit at all: if another replica (or an operator) moved the rollout first, the
     * restoring revision would otherwise be left behind under a promoted rollout.
     */
    record Restore(long rolloutId, Rollout.State to, String reason) implements RolloutIntent {}

    static RolloutIntent canary(String selector, Duration bake, double maxErrorRatio, long minRequests,
                                double maxP99Ratio) {
        return new Canary(selector, bake, maxErrorRatio, minRequests, maxP99Ratio);
    }

    ThreadLocal<RolloutIntent> CURRENT = new ThreadLocal<>();

    static void set(RolloutIntent intent) {
        if (intent == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(intent);
        }
    }

    /** Called by {@link RevisionLog} once a write has bumped the revision, inside its transaction. */
    static void check(Connection c, long revision) throws SQLException {
        RolloutIntent intent = CURRENT.get();
        if (intent == null) {
            return;
        }
        if (intent instanceof Restore restore) {
            if (!RolloutStore.closeRestored(c, restore, revision)) {
                throw new ConflictException("state", "rollout " + restore.rolloutId()
                        + " is no longer open (expected: canary or paused; another replica or an operator moved it first)");
            }
            return;
        }
        Rollout open = RolloutStore.open(c);
        if (open != null) {
            throw new ConflictException("rollout", "rollout " + open.id() + " of revision " + open.revision() + " is "
                    + open.state().text() + " (expected: no open rollout; promote or abort it first)");
        }
        if (intent instanceof Canary canary) {
            RolloutStore.insert(c, revision, revision - 1, canary);
        }
    }
}
