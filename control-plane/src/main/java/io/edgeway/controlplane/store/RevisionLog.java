package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The config revision counter and its log. Every write goes through {@link #write}: bump the counter
 * first (its row lock serializes all config writers, so the checks a write makes cannot race another
 * write), do the work, log it, and queue the NOTIFY — all in one transaction.
 */
public final class RevisionLog {
    public static final String CHANNEL = "edgeway_config";

    /** The body of one write, given the transaction and the revision it will commit as. */
    @FunctionalInterface
    public interface Change<T> {
        Written<T> apply(Connection c, long revision) throws SQLException;
    }

    private final Database db;
    private final LongConsumer committed;
    private final Consumer<ConfigState> verifier;
    /**
     * The state the last committed write verified (issue 22): the next write reads only the route rows stamped
     * after it instead of all 10,000, whose reading, validating and converting made ~90 MB of garbage per write.
     * Set after the commit only, so it never holds rows of a write that rolled back.
     */
    private volatile ConfigState lastVerified;

    /**
     * {@code committed} hears each revision after its commit, for a fast rebuild on this replica;
     * {@code verifier} sees the whole state a write is about to commit and throws to refuse it, so no
     * revision exists that the proxies cannot run.
     */
    public RevisionLog(Database db, LongConsumer committed, Consumer<ConfigState> verifier) {
        this.db = requireNonNull(db, "db");
        this.committed = requireNonNull(committed, "committed");
        this.verifier = requireNonNull(verifier, "verifier");
    }

    public Database db() {
        return db;
    }

    public <T> Written<T> write(Change<T> change) {
        return writeIfChanged((c, bump) -> change.apply(c, bump.getAsLong()));
    }

    /** A write that may find nothing to do: it calls {@code bump} (at most once) only when it changes something. */
    @FunctionalInterface
    public interface ConditionalChange<T> {
        Written<T> apply(Connection c, LongSupplier bump) throws SQLException;
    }

    /**
     * Takes the revision row lock first, so the change sees a state no other writer can move, then lets the
     * change decide whether to bump. An apply of an unchanged document thus commits nothing and no revision.
     */
    public <T> Written<T> writeIfChanged(ConditionalChange<T> change) {
        long[] bumped = {0};
        ConfigState[] verified = {null};
        Written<T> written = db.transaction(c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT revision FROM config_revision FOR UPDATE")) {
                rs.next();
            }
            Written<T> w = change.apply(c, () -> {
                if (bumped[0] != 0) {
                    throw new IllegalStateException("revision already bumped in this transaction");
                }
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("UPDATE config_revision SET revision = revision + 1 RETURNING revision")) {
                    rs.next();
                    bumped[0] = rs.getLong(1);
                    return bumped[0];
                } catch (SQLException e) {
                    throw StoreException.translate(e);
                }
            });
            if (bumped[0] != 0) {
                RolloutIntent.check(c, bumped[0]); // a canary write opens its rollout in this same transaction
                verified[0] = ConfigState.toVerify(c, bumped[0], lastVerified);
                verifier.accept(verified[0]);
                // PostgreSQL delivers a NOTIFY only when its transaction commits: listeners never hear of a
                // revision that rolled back, and no crash between commit and send can lose it.
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, CHANNEL);
                    ps.setString(2, Long.toString(bumped[0]));
                    ps.execute();
                }
            }
            return w;
        });
        if (bumped[0] != 0) {
            lastVerified = verified[0];
            committed.accept(bumped[0]);
        }
        return written;
    }

    public static void record(Connection c, long revision, String kind, UUID id, String name, String action,
                       Map<String, Object> before, Map<String, Object> after) throws SQLException {
        // seq orders the entries of one revision; writers hold the revision lock, so max(seq) cannot race, and
        // the (revision, seq) key makes it one index probe even for an apply of thousands of entities.
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO revisions (revision, seq, created_at, actor, entity_kind, entity_id, entity_name, action, before, after)
                VALUES (?, (SELECT COALESCE(max(seq) + 1, 0) FROM revisions WHERE revision = ?), now(), ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
            ps.setLong(1, revision);
            ps.setLong(2, revision);
            ps.setString(3, Actor.current());
            ps.setString(4, kind);
            ps.setObject(5, id);
            ps.setString(6, name);
            ps.setString(7, action);
            ps.setString(8, json(before));
            ps.setString(9, json(after));
            ps.executeUpdate();
        }
    }

    public long current() {
        return db.transaction(RevisionLog::current);
    }

    static long current(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT revision FROM config_revision")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String json(Map<String, Object> value) {
        try {
            return value == null ? null : EntityJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("revision log entry not serializable", e);
        }
    }
}
