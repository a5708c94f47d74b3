package io.edgeway.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, started on first use (~2 s), and a fresh database per caller, so test
 * classes cannot see each other's rows or revisions.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private final String url;
    /**
     * The data directory of the control planes on this database (their CA and master key): one per database,
     * so replicas of one test share it, and never the module's ./data, where generated keys would be left in
     * the source tree.
     */
    private final Path dataDir;

    private TestDatabase(String url) {
        this.url = url;
        try {
            this.dataDir = Files.createTempDirectory("edgeway-cp-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start(); // registers its own shutdown hook
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** A new, empty database named after {@code owner}. */
    public static TestDatabase create(Class<?> owner) {
        String name = owner.getSimpleName().toLowerCase(Locale.ROOT) + "_" + COUNTER.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new TestDatabase(server().getJdbcUrl("postgres", name));
    }

    public String url() {
        return url;
    }

    /** Loopback, ephemeral ports, this database, and {@link Http#ADMIN_TOKEN} as EDGEWAY_ADMIN_TOKEN. */
    public Settings settings() {
        return Settings.forDatabase(url, "postgres", null).withAdminToken(Http.ADMIN_TOKEN).withDataDir(dataDir);
    }

    public long count(String table) {
        return queryLong("SELECT count(*) FROM " + table);
    }

    public long revision() {
        return queryLong("SELECT revision FROM config_revision");
    }

    public String queryText(String sql) {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long queryLong(String sql) {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
