package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.metrics.ControlPlaneMetrics;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.TargetHealth;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The fleet view: one entry per node id, kept after disconnect. In memory per replica for now; a node
 * shows on the replica its stream is connected to.
 */
public final class NodeLedger {
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    // Kept beside the Node records (not in them) so that health reports never race the node's own updates.
    private final Map<String, List<TargetHealth>> targetHealth = new ConcurrentHashMap<>();
    // Per node id: the certificate its current stream presented, and how to end its live streams (revocation).
    private final Map<String, PeerIdentity> identities = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Consumer<io.grpc.Status>>> enders = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Set<Consumer<Node>> watchers = new CopyOnWriteArraySet<>();
    private volatile ControlPlaneMetrics metrics;
    private final FleetLoad load;
    private volatile FleetShares fleetShares;

    public NodeLedger(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.load = new FleetLoad(clock);
    }

    /** Records a Hello. A reconnecting node keeps its rejection history. */
    Node connected(String id, String address, Map<String, String> labels, long appliedVersion, long streamId) {
        return nodes.compute(id, (k, old) -> new Node(id, address, labels, true, appliedVersion,
                old == null ? null : old.rejectedVersion(), old == null ? null : old.lastError(),
                clock.instant(), streamId, false, old == null ? List.of() : old.quarantined()));
    }

    void update(String id, long streamId, UnaryOperator<Node> change) {
        // Only the stream that owns the entry may change it: a stale stream closing late must not mark a
        // reconnected node as disconnected.
        Node changed = nodes.computeIfPresent(id, (k, n) -> n.streamId() == streamId ? change.apply(n) : n);
        if (changed != null && !watchers.isEmpty()) {
            // Outside the map's lock, so a watcher may read the ledger.
            watchers.forEach(w -> w.accept(changed));
        }
    }

    /** Calls {@code watcher} after every Ack, Nack, Status and disconnect; run the returned action to stop. */
    Runnable watch(Consumer<Node> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    /** What the proxies reported about their traffic: for the fleet view. */
    public FleetLoad load() {
        return load;
    }

    void loadReport(String id, long streamId, io.edgeway.proto.v1.LoadReport report) {
        Node n = nodes.get(id);
        if (n != null && n.streamId() == streamId) {
            load.add(id, report);
        }
        seen(id, streamId);
    }

    /** Acks and Nacks are counted there from now on. */
    public void observe(ControlPlaneMetrics metrics) {
        this.metrics = metrics;
    }

    void applied(String id, long streamId, long version) {
        applied(id, streamId, version, List.of());
    }

    /** An Ack, with the entities the node applied {@code version} without (issue 22's partial rejection). */
    void applied(String id, long streamId, long version, List<io.edgeway.proto.v1.ResourceError> quarantined) {
        List<Node.Quarantined> q = quarantined.stream().map(Node.Quarantined::of).toList();
        Node before = nodes.get(id);
        ControlPlaneMetrics m = metrics;
        // A reconnect's Ack of the version the node already ran is no push: its latency would be the node's uptime.
        if (m != null && before != null && before.streamId() == streamId && before.appliedVersion() != version) {
            m.acked(version);
        }
        update(id, streamId, n -> n.applied(version, clock.instant(), q));
    }

    void rejected(String id, long streamId, long version, String error) {
        ControlPlaneMetrics m = metrics;
        if (m != null) {
            m.nacked();
        }
        update(id, streamId, n -> n.rejected(version, error, clock.instant()));
    }

    void seen(String id, long streamId) {
        update(id, streamId, n -> n.seen(clock.instant()));
    }

    void status(String id, long streamId, boolean draining) {
        update(id, streamId, n -> n.status(draining, clock.instant()));
    }

    void disconnected(String id, long streamId) {
        update(id, streamId, n -> n.disconnected(clock.instant()));
    }

    /** Replaces what node {@code id} last said about its targets (it always reports all of them). */
    void targetHealth(String id, long streamId, List<TargetHealth> targets) {
        Node n = nodes.get(id);
        if (n != null && n.streamId() == streamId) {
            targetHealth.put(id, List.copyOf(targets));
        }
        seen(id, streamId);
    }

    /** Records the certificate a node's stream presented, and how to end that stream. */
    void attach(String id, long streamId, PeerIdentity identity, Consumer<io.grpc.Status> ender) {
        if (identity != null) {
            identities.put(id, identity);
        }
        enders.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).put(streamId, ender);
    }

    void detach(String id, long streamId) {
        enders.computeIfPresent(id, (k, m) -> {
            m.remove(streamId);
            return m.isEmpty() ? null : m;
        });
    }

    /** A node renewed its certificate over its live stream: the nodes view shows the new expiry. */
    public void renewed(String id, PeerIdentity identity) {
        identities.put(id, identity);
    }

    /** Ends every live stream of node {@code id} with {@code status}; returns how many there were. */
    public int endStreams(String id, io.grpc.Status status) {
        Map<Long, Consumer<io.grpc.Status>> live = enders.remove(id);
        if (live == null) {
            return 0;
        }
        live.values().forEach(e -> e.accept(status));
        return live.size();
    }

    /** The certificate node {@code id} last connected with; null for a node on an insecure plaintext server. */
    public PeerIdentity identity(String id) {
        return identities.get(id);
    }

    /** Each known node's view of the targets of {@code upstream}, by node id; nodes that said nothing are absent. */
    public Map<String, List<TargetHealth>> targetHealth(String upstream) {
        Map<String, List<TargetHealth>> out = new java.util.TreeMap<>();
        targetHealth.forEach((node, targets) -> {
            List<TargetHealth> mine = targets.stream().filter(t -> t.getUpstream().equals(upstream)).toList();
            if (!mine.isEmpty()) {
                out.put(node, mine);
            }
        });
        return out;
    }

    /** Connected proxies that are not draining: the N that fleet-scoped rate limits are divided by. */
    int serving() {
        int n = 0;
        for (Node node : nodes.values()) {
            if (node.connected() && !node.draining()) {
                n++;
            }
        }
        return n;
    }

    /** The FleetShare sender of this ledger's streams (one per ledger, made on first use). */
    FleetShares fleetShares() {
        FleetShares s = fleetShares;
        if (s == null) {
            synchronized (this) {
                s = fleetShares;
                if (s == null) {
                    s = new FleetShares(this, FleetShares.DEBOUNCE);
                    watch(s::nodeChanged);
                    fleetShares = s;
                }
            }
        }
        return s;
    }

    public Node get(String id) {
        return nodes.get(id);
    }

    public List<Node> list() {
        return nodes.values().stream().sorted(Comparator.comparing(Node::id)).toList();
    }
}
