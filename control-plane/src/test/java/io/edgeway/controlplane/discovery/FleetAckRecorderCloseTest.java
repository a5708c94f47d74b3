package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.FleetAcks;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The control plane closes the recorder before the database pool (issue 22's shutdown order). That only helps if
 * close() returns after the recorder's last database write: a flush caught in a statement used to go on after
 * close() and fail on the closed pool ("fleet acks not recorded").
 */
class FleetAckRecorderCloseTest {
    private static final int NODES = 500;

    @Test
    void closeReturnsOnlyOnceNoFlushTouchesTheDatabase() throws Exception {
        TestDatabase tdb = TestDatabase.create(getClass());
        Logger logger = (Logger) LoggerFactory.getLogger(FleetAckRecorder.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        logger.addAppender(warnings);
        Database db = new Database(tdb.url(), "postgres", null);
        try (Connection locker = DriverManager.getConnection(tdb.url(), "postgres", null)) {
            db.migrate();
            NodeLedger ledger = new NodeLedger(Clock.systemUTC());
            for (int i = 0; i < NODES; i++) {
                ledger.connected("node-" + i, "127.0.0.1", Map.of(), 1, i);
            }
            // Hold the flush inside one of its writes, as a slow database would.
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE fleet_nodes IN ACCESS EXCLUSIVE MODE");
            }
            FleetAckRecorder recorder = new FleetAckRecorder(ledger, new FleetAcks(db), "replica-under-test").start();
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingOnFleetNodes(tdb));

            CompletableFuture<Void> closed = CompletableFuture.runAsync(recorder::close);
            locker.rollback(); // the held write completes; the flush must stop rather than write 499 more rows
            closed.get(30, TimeUnit.SECONDS);

            assertThat(flushThreadAlive()).as("a flush still running after close() returned").isFalse();
            db.close(); // what ControlPlane does next
        } finally {
            db.close();
            logger.detachAppender(warnings);
        }
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    private static boolean flushThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("edgeway-fleet-acks") && t.isAlive());
    }

    private static boolean waitingOnFleetNodes(TestDatabase tdb) throws SQLException {
        try (Connection c = DriverManager.getConnection(tdb.url(), "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'fleet_nodes'::regclass")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
