package io.edgeway.controlplane.rollout;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.store.Actor;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.History;
import io.edgeway.controlplane.store.Rollout;
import io.edgeway.controlplane.store.Rollout.State;
import io.edgeway.controlplane.store.RolloutIntent;
import io.edgeway.controlplane.store.RolloutStore;
import io.edgeway.controlplane.store.Written;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moves a rollout can make, shared by the operator (API) and the watcher (automatic decisions).
 *
 * <p>A rollback never re-sends the old version: proxies refuse a version lower than the one they run, and
 * the protocol keeps versions monotonic. It writes a NEW revision whose content is the previous revision's
 * (the same thing {@code POST /revisions/{n}/rollback} does), and that write closes the rollout in its own
 * transaction: the held-back nodes stay on the previous revision until the new one is built, and a replica that
 * loses the race to another's move writes nothing.
 */
public final class RolloutActions {
    private static final Logger log = LoggerFactory.getLogger(RolloutActions.class);
    private static final List<State> OPEN = List.of(State.CANARY, State.PAUSED);

    private final RolloutStore store;
    private final ConfigStore config;
    private final History history;
    private final Runnable changed; // re-reads the plan at once, so streams need not wait for the next tick

    public RolloutActions(RolloutStore store, ConfigStore config, History history, Runnable changed) {
        this.store = requireNonNull(store, "store");
        this.config = requireNonNull(config, "config");
        this.history = requireNonNull(history, "history");
        this.changed = requireNonNull(changed, "changed");
    }

    public RolloutStore store() {
        return store;
    }

    public boolean pause(long id) {
        return moved(store.move(id, List.of(State.CANARY), State.PAUSED, null));
    }

    /** Back to canary with a fresh bake: the nodes were watched before the pause, not during it. */
    public boolean resume(long id) {
        return moved(store.move(id, List.of(State.PAUSED), State.CANARY, null));
    }

    public boolean promote(long id, String reason) {
        return moved(store.move(id, OPEN, State.PROMOTED, reason));
    }

    /** Rolls back by hand (aborted) or automatically (rolled_back); false when the rollout was not open. */
    public boolean rollBack(long id, State to, String reason) {
        Optional<Rollout> r = store.get(id).filter(x -> x.state().open());
        if (r.isEmpty()) {
            return false;
        }
        // Revision 0 is the empty config before the first write; the history starts at 1.
        Config previous = r.get().previousRevision() == 0 ? Config.EMPTY
                : history.stateAt(r.get().previousRevision()).orElseThrow(() -> new IllegalStateException(
                        "rollout " + id + ": revision " + r.get().previousRevision() + " not in the history"));
        String actor = Actor.current();
        RolloutIntent intent = RolloutIntent.CURRENT.get();
        Actor.set("rollout " + id);
        // The restoring revision and the state move commit together, or neither does (RolloutIntent.Restore).
        RolloutIntent.set(new RolloutIntent.Restore(id, to, reason));
        Written<ConfigStore.Plan> restored;
        try {
            // No keys given: each certificate keeps the key stored for its leaf, as in a revision rollback.
            restored = config.apply(previous, Map.of());
        } catch (ConflictException e) {
            log.info("rollout {}: not rolled back here ({})", id, e.getMessage());
            return false;
        } finally {
            RolloutIntent.set(intent);
            Actor.set(actor.equals("admin-api") ? null : actor);
        }
        if (restored.value().changesNothing()) {
            // Nothing was written (the content already was the previous revision's), so the write closed nothing:
            // close it here, unless another replica or an operator has meanwhile.
            return moved(store.move(id, OPEN, to, reason));
        }
        // A revision was committed, so its transaction closed the rollout (RolloutIntent.Restore).
        log.info("rollout {} of revision {}: {} ({}); previous content restored as revision {}", id,
                r.get().revision(), to.text(), reason, restored.revision());
        return moved(true);
    }

    private boolean moved(boolean moved) {
        if (moved) {
            changed.run();
        }
        return moved;
    }
}
