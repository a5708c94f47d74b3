package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.store.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The refresher on a real PostgreSQL, with no revision poll at all: an announced revision is built by itself. */
class SnapshotRefresherTest {
    /**
     * A build is held inside its read (a test session locks the upstreams table after the build has read revision
     * 1) while revision 2 commits and is announced. Once the lock goes, revision 2 must be built too: nothing but
     * the refresher itself is left to do it (a replica with a long poll would otherwise serve revision 1 until then).
     */
    @Test
    void aRevisionAnnouncedWhileABuildRunsIsBuiltNext() throws Exception {
        TestDatabase tdb = TestDatabase.create(getClass());
        try (Database db = new Database(tdb.url(), "postgres", null);
             Connection locker = DriverManager.getConnection(tdb.url(), "postgres", null);
             Connection writer = DriverManager.getConnection(tdb.url(), "postgres", null)) {
            db.migrate();
            SnapshotCache cache = new SnapshotCache();
            try (SnapshotRefresher refresher = new SnapshotRefresher(db, cache)) {
                refresher.buildNow();
                long first = bump(writer);

                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE upstreams IN ACCESS EXCLUSIVE MODE");
                }
                refresher.onRevision(first);
                await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnUpstreams(writer));

                long second = bump(writer);
                refresher.onRevision(second);
                locker.rollback(); // the held build completes with the first revision

                await().atMost(Duration.ofSeconds(10)).until(() -> cache.version() == second);
            }
        }
    }

    private static long bump(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("UPDATE config_revision SET revision = revision + 1 RETURNING revision")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean waitingOnUpstreams(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'upstreams'::regclass")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
