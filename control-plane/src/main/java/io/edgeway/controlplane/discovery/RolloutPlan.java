package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * WHICH revision a node should run: the one decision a canary rollout changes, consulted by every stream
 * through {@link SnapshotCache#forNode}. HOW that revision is encoded for the node (full or delta) is the
 * stream's business and does not look here.
 *
 * <p>While a rollout is open, nodes outside {@code selector} are held at {@code previousRevision}. After a
 * rollback they stay held until the restoring revision {@code releaseAt} is built, so they never get the
 * rolled-back revision in between; a promoted rollout (or none) holds nobody back.
 */
public record RolloutPlan(long rolloutId, long revision, long previousRevision, NodeSelector selector, boolean open,
                          long releaseAt) {
    public static final RolloutPlan NONE = new RolloutPlan(0, 0, 0, NodeSelector.DEFAULT, false, 0);

    public RolloutPlan {
        requireNonNull(selector, "selector");
    }

    public static RolloutPlan open(long rolloutId, long revision, long previousRevision, NodeSelector selector) {
        return new RolloutPlan(rolloutId, revision, previousRevision, selector, true, 0);
    }

    /** Closed by a rollback that restored the old content as revision {@code releaseAt}. */
    public static RolloutPlan releasingAt(long rolloutId, long revision, long previousRevision, NodeSelector selector,
                                          long releaseAt) {
        return new RolloutPlan(rolloutId, revision, previousRevision, selector, false, releaseAt);
    }

    /** Whether node {@code id} must stay on {@link #previousRevision} while the newest built version is {@code latest}. */
    public boolean holdsBack(String id, Map<String, String> labels, long latest) {
        if (open) {
            return !selector.matches(id, labels);
        }
        return latest < releaseAt && !selector.matches(id, labels);
    }

    /** Whether node {@code id} is one of this rollout's canaries. */
    public boolean isCanary(String id, Map<String, String> labels) {
        return rolloutId != 0 && selector.matches(id, labels);
    }
}
