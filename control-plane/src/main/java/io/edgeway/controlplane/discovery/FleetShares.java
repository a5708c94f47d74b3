package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Tells every connected, non-draining proxy how many such proxies there are (the FleetShare message), so
 * that each keeps 1/N of a fleet-scoped rate limit (issue 18; the README states the error bound).
 *
 * <p>Sent to every proxy, not only to those whose config has a fleet-scoped limit: the message is a few
 * bytes, the share is process state on the proxy (independent of the config version), and a route that
 * gains a fleet-scoped limit later must find the right share already in place, not wait for the next
 * membership change.
 *
 * <p>A joining proxy gets the count at once (itself included: it starts on the safe side); the others hear
 * of the change {@link #DEBOUNCE} after it, together with any other change in that window, so a burst of
 * joins and leaves (a scale-out, a control-plane restart) costs each proxy one message per window, not one
 * per change. Only changes of a node's "serving" state (connected and not draining) schedule a broadcast;
 * Acks and load reports do not.
 *
 * <p>The count is the larger of this replica's ledger (up to date at once) and the fleet-wide count across
 * replicas that {@link FleetAckRecorder} reads from PostgreSQL every 250 ms: with several replicas each proxy
 * hears the whole fleet's N, not its replica's; a node that just left still counts until the table says so,
 * which errs on the safe side (a larger N allows less).
 */
public final class FleetShares {
    static final Duration DEBOUNCE = Duration.ofMillis(250);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "edgeway-fleet-share");
        t.setDaemon(true);
        return t;
    });

    private record Member(String nodeId, IntConsumer send) {}

    private final NodeLedger ledger;
    private final long debounceNanos;
    private final Map<Long, Member> members = new ConcurrentHashMap<>(); // by stream id
    private final Map<String, Boolean> serving = new ConcurrentHashMap<>(); // last seen state, by node id
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile int fleetWide; // across replicas, from PostgreSQL; 0 until first read

    FleetShares(NodeLedger ledger, Duration debounce) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.debounceNanos = debounce.toNanos();
    }

    /** Ledger watcher: a node's serving state may have changed (disconnect, draining). */
    void nodeChanged(Node n) {
        boolean now = n.connected() && !n.draining();
        Boolean before = serving.put(n.id(), now);
        if (before == null || before != now) {
            schedule();
        }
    }

    /** A stream's Hello was recorded in the ledger: its proxy gets the count now, the others after the debounce. */
    void joined(long streamId, String nodeId, IntConsumer send) {
        members.put(streamId, new Member(nodeId, send));
        serving.put(nodeId, true);
        send.accept(count());
        schedule();
    }

    /** The stream ended (the ledger already marked it disconnected, unless a newer stream owns the node). */
    void left(long streamId) {
        if (members.remove(streamId) != null) {
            schedule();
        }
    }

    /** The serving proxies across all replicas (FleetAckRecorder's read): a change is broadcast. */
    void fleetWide(int proxies) {
        if (proxies != fleetWide) {
            fleetWide = proxies;
            schedule();
        }
    }

    /** Connected, non-draining proxies, here or fleet-wide, whichever is more; at least 1 (a lone proxy keeps the whole limit). */
    int count() {
        return Math.max(1, Math.max(ledger.serving(), fleetWide));
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            TIMER.schedule(this::broadcast, debounceNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void broadcast() {
        scheduled.set(false); // before counting: a change from here on schedules another round
        int n = count();
        members.forEach((streamId, m) -> {
            Node node = ledger.get(m.nodeId());
            // a draining proxy keeps the share it has: it is leaving, and counted out of the others' shares
            if (node != null && node.streamId() == streamId && node.connected() && !node.draining()) {
                m.send().accept(n); // the stream drops a value it has already sent
            }
        });
    }
}
