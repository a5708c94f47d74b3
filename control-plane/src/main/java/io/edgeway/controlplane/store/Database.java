package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The connection pool plus the only two ways the store talks to PostgreSQL: a write transaction and a consistent read. */
public final class Database implements AutoCloseable {
    /** Work done with one connection; may throw SQL errors, which the helpers translate. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** How long a request waits for a connection before the API answers 503. */
    static final long CONNECTION_TIMEOUT_MS = 2500;

    private final String url;
    private final String user;
    private final String password;
    private final HikariDataSource pool;

    public Database(String url, String user, String password) {
        this.url = requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("edgeway");
        config.setMaximumPoolSize(8);
        // While PostgreSQL is down a request must fail fast (503 + Retry-After), not hold a Jetty thread for
        // Hikari's default 30 s; validation has to fit inside that wait.
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(1000);
        this.pool = new HikariDataSource(config);
    }

    /** The pool's connections in use, idle, and threads waiting for one, for the metrics page. */
    public int[] poolState() {
        var bean = pool.getHikariPoolMXBean();
        return bean == null ? new int[3]
                : new int[] {bean.getActiveConnections(), bean.getIdleConnections(), bean.getThreadsAwaitingConnection()};
    }

    /** Brings the schema to the newest version; safe to run from several replicas at once (Flyway locks). */
    public void migrate() {
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    }

    public DataSource dataSource() {
        return pool;
    }

    /** A connection outside the pool, for the LISTEN session that lives as long as the replica. */
    Connection dedicatedConnection() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Runs {@code work} in one READ COMMITTED transaction; any exception rolls everything back. */
    public <T> T transaction(Work<T> work) {
        return inTransaction(Connection.TRANSACTION_READ_COMMITTED, false, work);
    }

    /** Runs {@code work} in one REPEATABLE READ read-only transaction, so every query sees the same state. */
    public <T> T consistentRead(Work<T> work) {
        return inTransaction(Connection.TRANSACTION_REPEATABLE_READ, true, work);
    }

    private <T> T inTransaction(int isolation, boolean readOnly, Work<T> work) {
        // Hikari restores auto-commit, isolation and read-only when the connection goes back to the pool.
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(isolation);
            c.setReadOnly(readOnly);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure); // the connection is broken; the cause matters more
                }
                throw e;
            }
        } catch (SQLException e) {
            throw StoreException.translate(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
