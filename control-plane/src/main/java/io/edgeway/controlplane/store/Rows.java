package io.edgeway.controlplane.store;

import java.sql.Array;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Small JDBC conversions shared by the repositories. */
final class Rows {
    private Rows() {}

    static Array textArray(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray(new String[0]));
    }

    static List<String> strings(ResultSet rs, String column) throws SQLException {
        Array a = rs.getArray(column);
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static UUID uuid(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, UUID.class);
    }

    /** An {@code {id-or-name}} path key is an id when it parses as a UUID (names never do). */
    static UUID asId(String key) {
        if (key.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A PUT whose key names nothing may create the entity only under that very name: an unknown id is 404,
     * a body naming something else is 422.
     */
    static void requireCreatable(String kind, String key, String name) {
        if (asId(key) != null) {
            throw new NotFoundException(kind, key);
        }
        if (!key.equals(name)) {
            throw new ValidationException("name", "name: " + name + " (expected: " + key + ", the name in the path)");
        }
    }

    /** Maps one result row. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Every row {@code sql} (a constant, never input) selects with {@code params} bound in order, in its order. */
    static <T> List<T> list(Connection c, String sql, Reader<T> reader, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
                return out;
            }
        }
    }

    /** {@code table} is one of the store's own constants, never input. */
    static void deleteById(Connection c, String table, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }
}
