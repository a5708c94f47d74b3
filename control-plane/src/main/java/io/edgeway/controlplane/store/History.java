package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * Reads the revision log: revisions newest first, one revision's entries, and the whole config as it was
 * at a revision. The state is replayed from the log rather than kept per revision: the log is complete
 * from revision 1 (every write records the entity's full after-image), and a copy of the whole config per
 * revision would cost megabytes per write at ten thousand routes.
 */
public final class History {
    /** One log entry: an entity's full before and after (null when created or deleted). */
    public record Entry(String kind, UUID id, String name, String action, JsonNode before, JsonNode after) {}

    /** One revision: when, by whom, and its entries in the order they were written. */
    public record Revision(long revision, String time, String actor, List<Entry> entries) {}

    private static final Set<String> BOOKKEEPING = Set.of("id", "created_at", "updated_at");

    private final Database db;

    public History(RevisionLog log) {
        this.db = requireNonNull(log, "log").db();
    }

    /** Up to {@code limit} revisions from {@code offset}, newest first. */
    public List<Revision> page(int limit, int offset) {
        return db.consistentRead(c -> {
            List<Long> numbers = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT revision FROM revisions ORDER BY revision DESC LIMIT ? OFFSET ?")) {
                ps.setInt(1, limit);
                ps.setInt(2, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        numbers.add(rs.getLong(1));
                    }
                }
            }
            if (numbers.isEmpty()) {
                return List.of();
            }
            List<Revision> out = new ArrayList<>(entries(c, numbers.get(numbers.size() - 1), numbers.get(0)).values());
            out.sort((a, b) -> Long.compare(b.revision(), a.revision()));
            return out;
        });
    }

    public Optional<Revision> get(long revision) {
        return db.consistentRead(c -> Optional.ofNullable(entries(c, revision, revision).get(revision)));
    }

    /** The whole config right after {@code revision} committed; empty when there is no such revision. */
    public Optional<Config> stateAt(long revision) {
        return db.consistentRead(c -> {
            if (revision < 1 || revision > RevisionLog.current(c)) {
                return Optional.empty();
            }
            Map<UUID, JsonNode> upstreams = new LinkedHashMap<>();
            Map<UUID, JsonNode> routes = new LinkedHashMap<>();
            Map<UUID, JsonNode> certificates = new LinkedHashMap<>();
            Map<UUID, JsonNode> streamRoutes = new LinkedHashMap<>();
            for (Revision r : entries(c, 1, revision).values()) {
                for (Entry e : r.entries()) {
                    switch (e.kind()) {
                        case "upstream" -> replayUpstream(e, upstreams, List.of(routes, streamRoutes));
                        case "route" -> put(routes, e);
                        case "certificate" -> put(certificates, e);
                        case "stream_route" -> put(streamRoutes, e);
                        // a site's active deployment is not part of the declarative document: a config rollback
                        // leaves sites as they are (a site rolls back by its own endpoint)
                        case "site" -> { }
                        case "cache_purge" -> { } // an event, not config: a rollback does not un-purge
                        default -> throw new IllegalStateException("revision " + r.revision() + ": unknown kind " + e.kind());
                    }
                }
            }
            // a certificate's after-image has no key: applying this state finds it by the leaf's fingerprint
            return Optional.of(new Config(byName(upstreams, EntityJson::readUpstream, Upstream::name),
                    byName(routes, EntityJson::readRoute, Route::name),
                    byName(certificates, EntityJson::readCertificate, Certificate::name),
                    byName(streamRoutes, EntityJson::readStreamRoute, StreamRoute::name)));
        });
    }

    private static <T> List<T> byName(Map<UUID, JsonNode> state, Function<JsonNode, T> read, Function<T, String> name) {
        return state.values().stream().map(read).sorted(Comparator.comparing(name)).toList();
    }

    // Routes and stream routes store their upstream by id but log it by name, and renaming an upstream logs
    // no entry for them; so a rename is carried to them here, or they would name an upstream that is gone.
    private static void replayUpstream(Entry e, Map<UUID, JsonNode> upstreams, List<Map<UUID, JsonNode>> users) {
        JsonNode old = upstreams.get(e.id());
        put(upstreams, e);
        if (old != null && e.after() != null) {
            String from = old.path("name").asText();
            String to = e.after().path("name").asText();
            if (!from.equals(to)) {
                for (Map<UUID, JsonNode> kind : users) {
                    for (JsonNode r : kind.values()) {
                        if (r.path("upstream").asText().equals(from)) {
                            ((ObjectNode) r).put("upstream", to);
                        }
                    }
                }
            }
        }
    }

    private static void put(Map<UUID, JsonNode> state, Entry e) {
        if (e.after() == null) {
            state.remove(e.id());
        } else {
            state.put(e.id(), e.after().deepCopy());
        }
    }

    private static TreeMap<Long, Revision> entries(Connection c, long from, long to) throws SQLException {
        TreeMap<Long, Revision> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM revisions WHERE revision BETWEEN ? AND ? ORDER BY revision, seq")) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long n = rs.getLong("revision");
                    Revision r = out.computeIfAbsent(n, k -> {
                        try {
                            return new Revision(n, rs.getObject("created_at", OffsetDateTime.class).toInstant().toString(),
                                    rs.getString("actor"), new ArrayList<>());
                        } catch (SQLException e) {
                            throw StoreException.translate(e);
                        }
                    });
                    r.entries().add(new Entry(rs.getString("entity_kind"), rs.getObject("entity_id", UUID.class),
                            rs.getString("entity_name"), rs.getString("action"), tree(rs.getString("before")),
                            tree(rs.getString("after"))));
                }
            }
        }
        return out;
    }

    /**
     * Field by field, what an entry changed: {@code added}/{@code removed} fields and {@code changed} ones
     * with before and after. Ids and timestamps are bookkeeping, not config, and are left out.
     */
    public static Map<String, Object> diff(Entry e) {
        Map<String, Object> added = new LinkedHashMap<>();
        Map<String, Object> removed = new LinkedHashMap<>();
        Map<String, Object> changed = new LinkedHashMap<>();
        JsonNode before = e.before() == null ? EntityJson.MAPPER.createObjectNode() : e.before();
        JsonNode after = e.after() == null ? EntityJson.MAPPER.createObjectNode() : e.after();
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (BOOKKEEPING.contains(f)) {
                continue;
            }
            if (!after.has(f)) {
                removed.put(f, before.get(f));
            } else if (!before.get(f).equals(after.get(f))) {
                changed.put(f, Map.of("before", before.get(f), "after", after.get(f)));
            }
        }
        for (Iterator<String> it = after.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!BOOKKEEPING.contains(f) && !before.has(f)) {
                added.put(f, after.get(f));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", added);
        m.put("removed", removed);
        m.put("changed", changed);
        return m;
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : EntityJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("revision log entry not parseable", e);
        }
    }
}
