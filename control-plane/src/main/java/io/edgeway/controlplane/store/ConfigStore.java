package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The declarative side of the store: the whole config as one document. Entities match by name; what the
 * document lacks is deleted. An apply is one transaction and at most one revision, with one log entry per
 * changed entity, so history, diff and rollback see it as one change.
 */
public final class ConfigStore {
    /** One entity in a plan; {@code fields} names what an update changes (empty otherwise). */
    public record Change(String kind, String name, List<String> fields) {
        public Change {
            fields = List.copyOf(fields);
        }
    }

    /** What applying a document does to the current state. */
    public record Plan(List<Change> created, List<Change> updated, List<Change> deleted, List<Change> unchanged) {
        public Plan {
            created = List.copyOf(created);
            updated = List.copyOf(updated);
            deleted = List.copyOf(deleted);
            unchanged = List.copyOf(unchanged);
        }

        public boolean changesNothing() {
            return created.isEmpty() && updated.isEmpty() && deleted.isEmpty();
        }
    }

    private static final String UPSTREAM = "upstream";
    private static final String ROUTE = "route";

    private final RevisionLog log;

    public ConfigStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    /** The current state, as a document, with the revision it was read at. */
    public Written<Config> current() {
        return log.db().consistentRead(c -> new Written<>(toConfig(UpstreamStore.all(c), RouteStore.all(c)),
                RevisionLog.current(c), false));
    }

    /** What {@link #apply} would do now, without writing. */
    public Written<Plan> plan(Config doc) {
        requireNonNull(doc, "doc");
        return log.db().consistentRead(c -> new Written<>(
                plan(doc, UpstreamStore.all(c), RouteStore.all(c)), RevisionLog.current(c), false));
    }

    /**
     * Makes {@code doc} the whole config. The revision is the new one, or the current one when the document
     * equals the state (then nothing is written).
     */
    public Written<Plan> apply(Config doc) {
        requireNonNull(doc, "doc");
        return log.writeIfChanged((c, bump) -> {
            List<Stored<Upstream>> upstreams = UpstreamStore.all(c);
            List<Stored<Route>> routes = RouteStore.all(c);
            Plan plan = plan(doc, upstreams, routes);
            if (plan.changesNothing()) {
                return new Written<>(plan, RevisionLog.current(c), false);
            }
            long revision = bump.getAsLong();
            write(c, revision, doc, byName(upstreams, u -> u.value().name()), byName(routes, r -> r.value().name()));
            return new Written<>(plan, revision, false);
        });
    }

    // Order matters for the foreign key: upstreams first (routes may move to new ones), then routes, and
    // only then drop the upstreams no route uses any more.
    private static void write(Connection c, long revision, Config doc, Map<String, Stored<Upstream>> upstreams,
                              Map<String, Stored<Route>> routes) throws SQLException {
        for (Upstream u : doc.upstreams()) {
            Stored<Upstream> before = upstreams.get(u.name());
            if (before == null) {
                Stored<Upstream> s = UpstreamStore.insert(c, UUID.randomUUID(), u, revision);
                RevisionLog.record(c, revision, UPSTREAM, s.id(), u.name(), "create", null, EntityJson.upstream(s));
            } else if (!before.value().equals(u)) {
                Stored<Upstream> s = UpstreamStore.update(c, before.id(), u, revision);
                RevisionLog.record(c, revision, UPSTREAM, s.id(), u.name(), "update",
                        EntityJson.upstream(before), EntityJson.upstream(s));
            }
        }
        Set<String> keptRoutes = doc.routes().stream().map(Route::name).collect(Collectors.toSet());
        for (Stored<Route> before : routes.values()) {
            if (!keptRoutes.contains(before.value().name())) {
                Rows.deleteById(c, "routes", before.id());
                RevisionLog.record(c, revision, ROUTE, before.id(), before.value().name(), "delete", EntityJson.route(before), null);
            }
        }
        for (Route r : doc.routes()) {
            Stored<Route> before = routes.get(r.name());
            if (before == null) {
                Stored<Route> s = RouteStore.insert(c, UUID.randomUUID(), r, revision);
                RevisionLog.record(c, revision, ROUTE, s.id(), r.name(), "create", null, EntityJson.route(s));
            } else if (!before.value().equals(r)) {
                Stored<Route> s = RouteStore.update(c, before.id(), r, revision);
                RevisionLog.record(c, revision, ROUTE, s.id(), r.name(), "update", EntityJson.route(before), EntityJson.route(s));
            }
        }
        Set<String> keptUpstreams = doc.upstreams().stream().map(Upstream::name).collect(Collectors.toSet());
        for (Stored<Upstream> before : upstreams.values()) {
            if (!keptUpstreams.contains(before.value().name())) {
                // stream routes are outside the document (for now): one still using the upstream keeps it
                List<String> streamUsers = StreamRouteStore.using(c, before.id());
                if (!streamUsers.isEmpty()) {
                    throw new ValidationException("upstreams", "upstreams: " + before.value().name()
                            + " missing (expected: kept while stream routes " + String.join(", ", streamUsers) + " use it)");
                }
                Rows.deleteById(c, "upstreams", before.id());
                RevisionLog.record(c, revision, UPSTREAM, before.id(), before.value().name(), "delete",
                        EntityJson.upstream(before), null);
            }
        }
    }

    static Plan plan(Config doc, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes) {
        Plan u = compare(UPSTREAM, doc.upstreams(), upstreams.stream().map(Stored::value).toList(),
                Upstream::name, EntityJson::upstreamDoc);
        Plan r = compare(ROUTE, doc.routes(), routes.stream().map(Stored::value).toList(), Route::name, EntityJson::routeDoc);
        return new Plan(concat(u.created(), r.created()), concat(u.updated(), r.updated()),
                concat(u.deleted(), r.deleted()), concat(u.unchanged(), r.unchanged()));
    }

    private static <T> Plan compare(String kind, List<T> wanted, List<T> current, Function<T, String> name,
                                    Function<T, Map<String, Object>> view) {
        Map<String, T> now = byName(current, name);
        List<Change> created = new ArrayList<>();
        List<Change> updated = new ArrayList<>();
        List<Change> unchanged = new ArrayList<>();
        for (T w : wanted) {
            T before = now.remove(name.apply(w));
            if (before == null) {
                created.add(new Change(kind, name.apply(w), List.of()));
            } else if (before.equals(w)) {
                unchanged.add(new Change(kind, name.apply(w), List.of()));
            } else {
                updated.add(new Change(kind, name.apply(w), changedFields(view.apply(before), view.apply(w))));
            }
        }
        List<Change> deleted = now.keySet().stream().map(n -> new Change(kind, n, List.of())).toList();
        return new Plan(created, updated, deleted, unchanged);
    }

    /** The top-level fields whose values differ; an absent field and an empty one are the same. */
    public static List<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        List<String> keys = new ArrayList<>(before.keySet());
        after.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        return keys.stream().filter(k -> !Objects.equals(before.get(k), after.get(k))).toList();
    }

    static Config toConfig(List<Stored<Upstream>> upstreams, List<Stored<Route>> routes) {
        return new Config(upstreams.stream().map(Stored::value).toList(), routes.stream().map(Stored::value).toList());
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        Map<String, T> m = new LinkedHashMap<>();
        items.forEach(i -> m.put(name.apply(i), i));
        return m;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
