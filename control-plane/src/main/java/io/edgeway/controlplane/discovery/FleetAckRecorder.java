package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.FleetAcks;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies this replica's ledger (connected, draining, applied version per node) into PostgreSQL when it changes,
 * and beats this replica's heartbeat, every {@link #PERIOD_MS} ms: what lets the ACME client on another replica
 * wait for the proxies connected here ({@link FleetAcks}). Then reads back how many proxies serve across all
 * replicas, which {@link FleetShares} tells every proxy (issue 18).
 */
public final class FleetAckRecorder implements AutoCloseable {
    static final long PERIOD_MS = 250;
    private static final long HEARTBEAT_MS = 2000;
    /** A replica silent this long no longer counts, nor do its nodes (as for the ACME client's wait). */
    private static final java.time.Duration STALE_REPLICA = java.time.Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(FleetAckRecorder.class);

    private final NodeLedger ledger;
    private final FleetAcks acks;
    private final String replica;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "edgeway-fleet-acks");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> written = new HashMap<>();
    private long lastBeat;
    private volatile boolean closing;

    public FleetAckRecorder(NodeLedger ledger, FleetAcks acks, String replica) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.acks = requireNonNull(acks, "acks");
        this.replica = requireNonNull(replica, "replica");
    }

    public FleetAckRecorder start() {
        thread.scheduleWithFixedDelay(this::flush, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void flush() {
        try {
            long now = System.nanoTime();
            if (now - lastBeat > TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MS)) {
                acks.heartbeat(replica);
                lastBeat = now;
            }
            for (Node n : ledger.list()) {
                if (closing) {
                    return; // one write per node: with thousands of nodes, finishing the round would hold up the stop
                }
                String state = n.connected() + "/" + n.draining() + "/" + n.appliedVersion();
                if (!state.equals(written.get(n.id()))) {
                    acks.record(replica, n.id(), n.connected(), n.draining(), n.appliedVersion());
                    written.put(n.id(), state);
                }
            }
            // after this replica's own nodes are written: the fleet-wide count for FleetShare (issue 18)
            ledger.fleetShares().fleetWide(acks.serving(STALE_REPLICA));
        } catch (RuntimeException e) {
            log.warn("fleet acks not recorded; retried", e);
        }
    }

    /**
     * Stops the flushes and returns once none runs, so the database can be closed next. Interrupting was not
     * enough: the JDBC driver does not abort a statement on interrupt, so a flush (one write per node, thousands of
     * nodes) went on after close() had returned and failed once the pool behind it was closed.
     */
    @Override
    public void close() {
        closing = true;
        thread.shutdown(); // cancels the next runs; the one in progress ends at its next node
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("fleet acks flush still running 10 s after close; abandoning it");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
