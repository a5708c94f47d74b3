package io.edgeway.controlplane.store;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Folds the route rows written since the last build into the last build's list, which is sorted by name
 * ({@link ConfigState#BY_NAME}). Issue 22: a write changes a few of 10,000 routes, so instead of hashing every id
 * and sorting every name again per write, the unchanged routes are walked once, in the order they already have,
 * and the few written ones are merged in.
 */
final class RouteMerge {
    private RouteMerge() {}

    /** The current ids, read only when a deletion is detected (one query that lists every route). */
    interface Ids {
        Set<UUID> get() throws SQLException;
    }

    /**
     * {@code previous} (sorted by name) with {@code written} (rows stamped after it, any order) replacing or adding
     * to it, and routes no longer stored dropped: {@code stored} is how many rows exist now; more left here means
     * some were deleted, and then {@code ids} says which remain.
     */
    static List<Stored<Route>> merge(List<Stored<Route>> previous, List<Stored<Route>> written, long stored, Ids ids)
            throws SQLException {
        Set<UUID> rewritten = new HashSet<>(written.size() * 2);
        written.forEach(r -> rewritten.add(r.id()));
        List<Stored<Route>> kept = new ArrayList<>(previous.size());
        for (Stored<Route> r : previous) {
            if (!rewritten.contains(r.id())) {
                kept.add(r);
            }
        }
        if (kept.size() + written.size() != stored) { // more than exist: some were deleted
            Set<UUID> remaining = ids.get();
            kept.removeIf(r -> !remaining.contains(r.id()));
        }
        List<Stored<Route>> added = new ArrayList<>(written);
        added.sort(ConfigState.BY_NAME);
        // A merge of two sorted lists: linear in the routes, with a few comparisons per written route.
        List<Stored<Route>> out = new ArrayList<>(kept.size() + added.size());
        int k = 0;
        for (Stored<Route> a : added) {
            while (k < kept.size() && ConfigState.BY_NAME.compare(kept.get(k), a) < 0) {
                out.add(kept.get(k++));
            }
            out.add(a);
        }
        out.addAll(kept.subList(k, kept.size()));
        return out;
    }
}
