package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.Nack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's deltas on a real server on loopback, with hand-driven nodes that see exactly what arrives: a node
 * acked at the delta's base gets the delta (and it rebuilds the full snapshot exactly); a node elsewhere, one
 * without the capability, and one that Nacks the delta get the full snapshot.
 */
class DeltaPushTest {
    private final SnapshotCache cache = new SnapshotCache();
    private final NodeLedger ledger = new NodeLedger(Clock.systemUTC());
    private Server server;
    private ManagedChannel channel;
    private final List<FakeNode> nodes = new CopyOnWriteArrayList<>();
    private PreparedSnapshot last;

    @BeforeEach
    void start() throws Exception {
        server = ConfigDiscovery.serve("127.0.0.1", 0, cache, ledger);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(n -> n.out.onCompleted());
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Version {@code v}: 200 routes, of which route r{v} changed host at each version. */
    private Snapshot version(long v) {
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(v).addUpstreams(Upstream.newBuilder().setName("app"));
        for (int i = 0; i < 200; i++) {
            String host = i < v ? "r" + i + "-v" + v + ".example.com" : "r" + i + ".example.com";
            b.addRoutes(Route.newBuilder().setName("r" + i).addHosts(host).setUpstream("app"));
        }
        return b.build();
    }

    private void install(long v) {
        last = PreparedSnapshot.of(version(v), last);
        assertThat(cache.set(last)).isTrue();
    }

    @Test
    void aNodeAtTheBaseGetsADeltaThatRebuildsTheFullSnapshotExactly() {
        install(1);
        FakeNode node = connect("at-base", true, 0, true);
        Snapshot first = node.awaitVersion(1);
        assertThat(first.hasDelta()).isFalse(); // a new stream starts from a full snapshot
        install(2);
        Snapshot delta = node.awaitVersion(2);
        assertThat(delta.hasDelta()).isTrue();
        assertThat(delta.getDelta().getBaseVersion()).isEqualTo(1);
        assertThat(delta.getRoutesCount()).isLessThan(first.getRoutesCount());
        assertThat(SnapshotDeltas.apply(first, delta)).isEqualTo(version(2).toBuilder().setNonce(delta.getNonce()).build());
        await().until(() -> ledger.get("at-base").appliedVersion() == 2);
    }

    /**
     * A version with a delta is installed before its full body is gzipped (issue 22: nodes on deltas never need
     * it). A node that connects then, with nothing, still gets the whole snapshot, gzipped as its channel accepts.
     */
    @Test
    void aNodeConnectingBeforeTheDeferredFullGzipIsMadeGetsTheWholeSnapshot() {
        install(1);
        install(2);
        assertThat(last.delta()).isNotNull();
        assertThat(last.fullPrepared()).as("the full gzip is left for after the install").isFalse();
        FakeNode fresh = connect("fresh", true, 0, true);
        Snapshot got = fresh.awaitVersion(2);
        assertThat(got.hasDelta()).isFalse();
        assertThat(got.toBuilder().clearNonce().build()).isEqualTo(version(2));
        assertThat(last.fullPrepared()).isTrue();
    }

    @Test
    void aNodeThatMissedAVersionOrCannotTakeDeltasGetsTheFullSnapshot() {
        install(1);
        install(2);
        install(3); // its delta's base is 2
        FakeNode behind = connect("behind", true, 1, true); // runs 1 (from its disk cache, say)
        FakeNode old = connect("old", false, 2, true);      // runs the base, but never said it takes deltas
        FakeNode atBase = connect("at-base", true, 2, true);
        assertThat(behind.awaitVersion(3).hasDelta()).isFalse();
        assertThat(behind.awaitVersion(3).getRoutesCount()).isEqualTo(200);
        assertThat(old.awaitVersion(3).hasDelta()).isFalse();
        assertThat(atBase.awaitVersion(3).hasDelta()).isTrue();
    }

    @Test
    void aNackedDeltaIsFollowedByTheSameVersionInFullAndIsNoRejection() {
        install(1);
        install(2);
        FakeNode node = connect("lost-base", true, 1, false); // says it runs 1, but Nacks the delta (lost its base)
        Snapshot delta = node.awaitVersion(2);
        assertThat(delta.hasDelta()).isTrue();
        node.nack(delta);
        await().atMost(Duration.ofSeconds(20)).until(() -> node.received.size() >= 2);
        Snapshot full = node.received.get(1);
        assertThat(full.getVersion()).isEqualTo(2);
        assertThat(full.hasDelta()).isFalse();
        assertThat(full.toBuilder().clearNonce().build()).isEqualTo(version(2));
        node.ack(full);
        await().until(() -> ledger.get("lost-base").appliedVersion() == 2);
        assertThat(ledger.get("lost-base").rejectedVersion()).isNull();
    }

    private FakeNode connect(String id, boolean deltas, long applied, boolean autoAck) {
        FakeNode n = new FakeNode(autoAck);
        n.out = ConfigDiscoveryGrpc.newStub(channel).stream(n);
        Hello.Builder hello = Hello.newBuilder().setNodeId(id).setAppliedVersion(applied);
        if (deltas) {
            hello.addCapabilities(SnapshotDeltas.CAPABILITY);
        }
        n.out.onNext(NodeMessage.newBuilder().setHello(hello).build());
        nodes.add(n);
        return n;
    }

    private static final class FakeNode implements StreamObserver<ControlMessage> {
        final List<Snapshot> received = new CopyOnWriteArrayList<>();
        final boolean autoAck;
        volatile StreamObserver<NodeMessage> out;

        FakeNode(boolean autoAck) {
            this.autoAck = autoAck;
        }

        Snapshot awaitVersion(long version) {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(s -> s.getVersion() == version));
            return received.stream().filter(s -> s.getVersion() == version).findFirst().orElseThrow();
        }

        synchronized void ack(Snapshot s) {
            out.onNext(NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce()))
                    .build());
        }

        synchronized void nack(Snapshot s) {
            out.onNext(NodeMessage.newBuilder().setNack(Nack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())
                    .addErrors(ResourceError.newBuilder().setKind("snapshot").setField("delta").setMessage("no base")))
                    .build());
        }

        @Override
        public void onNext(ControlMessage m) {
            if (!m.hasSnapshot()) {
                return; // a FleetShare (issue 18) is no config
            }
            received.add(m.getSnapshot());
            if (autoAck) {
                ack(m.getSnapshot());
            }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
