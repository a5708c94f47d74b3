package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Stored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The one create/put/delete path of every entity store, over an {@link EntityKind}: each write is one
 * revision-log transaction that locks the row it reads, checks If-Match against it, checks uniqueness (409),
 * writes, and logs before and after.
 */
final class EntityWrites {
    private EntityWrites() {}

    static <T> Stored<T> get(RevisionLog log, EntityKind<T> k, String key) {
        return log.db().consistentRead(c -> find(c, k, key, false)).orElseThrow(() -> new NotFoundException(k.kind(), key));
    }

    /** Up to {@code limit} entities having every tag in {@code tags}, in name order from {@code offset}. */
    static <T> List<Stored<T>> page(RevisionLog log, EntityKind<T> k, List<String> tags, int limit, int offset) {
        return page(log, k, tags, null, limit, offset);
    }

    /**
     * As above, and when {@code nameContains} is not null only names containing it, ignoring case. strpos, not
     * LIKE: a search for "50%" or "a_b" means those characters, not wildcards.
     */
    static <T> List<Stored<T>> page(RevisionLog log, EntityKind<T> k, List<String> tags, String nameContains,
                                    int limit, int offset) {
        String search = nameContains == null ? "" : nameContains.toLowerCase(java.util.Locale.ROOT);
        return log.db().consistentRead(c -> Rows.list(c, k.select() + " WHERE " + k.column("tags") + " @> ? AND strpos(lower("
                + k.column("name") + "), ?) > 0 ORDER BY " + k.column("name") + " LIMIT ? OFFSET ?", k.reader(),
                Rows.textArray(c, tags), search, limit, offset));
    }

    static <T> List<Stored<T>> all(Connection c, EntityKind<T> k) throws SQLException {
        return Rows.list(c, k.select() + " ORDER BY " + k.column("name"), k.reader());
    }

    /** By id or name; {@code lock}: hold the row until commit, so the If-Match check and the write see the same version. */
    static <T> Optional<Stored<T>> find(Connection c, EntityKind<T> k, String key, boolean lock) throws SQLException {
        UUID id = Rows.asId(key);
        String lockClause = !lock ? "" : k.alias() == null ? " FOR UPDATE" : " FOR UPDATE OF " + k.alias();
        try (PreparedStatement ps = c.prepareStatement(k.select() + " WHERE " + k.column(id != null ? "id" : "name")
                + " = ?" + lockClause)) {
            ps.setObject(1, id != null ? id : key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(k.reader().read(rs)) : Optional.empty();
            }
        }
    }

    static <T> Written<Stored<T>> create(RevisionLog log, EntityKind<T> k, T value) {
        requireNonNull(value, "value");
        return log.write((c, revision) -> insert(c, k, value, revision));
    }

    /**
     * Replaces (when {@code ifMatch}, the raw If-Match header or null, matches) the entity {@code key} names, or
     * creates it when {@code key} is an unused name.
     */
    static <T> Written<Stored<T>> put(RevisionLog log, EntityKind<T> k, String key, T value, String ifMatch) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        return log.write((c, revision) -> {
            Optional<Stored<T>> existing = find(c, k, key, true);
            Precondition.check(ifMatch, existing.orElse(null));
            if (existing.isEmpty()) {
                Rows.requireCreatable(k.kind(), key, k.name().apply(value));
                return insert(c, k, value, revision);
            }
            Stored<T> before = existing.get();
            return update(c, k, before, value, revision);
        });
    }

    /** Updates the stored entity {@code before} to {@code value} in the write's transaction and logs it. */
    static <T> Written<Stored<T>> update(Connection c, EntityKind<T> k, Stored<T> before, T value, long revision)
            throws SQLException {
        checkFree(c, k, value, before.id());
        Stored<T> after = k.update().apply(c, before.id(), value, revision);
        RevisionLog.record(c, revision, k.kind(), after.id(), k.name().apply(value), "update",
                k.view().apply(before), k.view().apply(after));
        return new Written<>(after, revision, false);
    }

    static <T> Written<Void> delete(RevisionLog log, EntityKind<T> k, String key, String ifMatch) {
        requireNonNull(key, "key");
        return log.write((c, revision) -> {
            Stored<T> before = find(c, k, key, true).orElseThrow(() -> new NotFoundException(k.kind(), key));
            Precondition.check(ifMatch, before);
            k.inUse().check(c, before);
            Rows.deleteById(c, k.table(), before.id());
            RevisionLog.record(c, revision, k.kind(), before.id(), k.name().apply(before.value()), "delete",
                    k.view().apply(before), null);
            return new Written<>(null, revision, false);
        });
    }

    private static <T> Written<Stored<T>> insert(Connection c, EntityKind<T> k, T value, long revision) throws SQLException {
        checkFree(c, k, value, null);
        Stored<T> s = k.insert().apply(c, UUID.randomUUID(), value, revision);
        RevisionLog.record(c, revision, k.kind(), s.id(), k.name().apply(value), "create", null, k.view().apply(s));
        return new Written<>(s, revision, true);
    }

    /** The name, and whatever else the kind keeps unique, belong to no other entity of the kind (409). */
    private static <T> void checkFree(Connection c, EntityKind<T> k, T value, UUID self) throws SQLException {
        String name = k.name().apply(value);
        Optional<Stored<T>> holder = find(c, k, name, false);
        if (holder.isPresent() && !holder.get().id().equals(self)) {
            throw new ConflictException("name", "name: " + name + " (expected: a name no other " + k.noun() + " uses)");
        }
        k.conflict().check(c, value, self);
    }
}
