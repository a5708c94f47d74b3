package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many streams on a real server on loopback, sent to from their own event loops: versions installed in a
 * burst reach every stream whole and in order, the newest last, each answered once in the ledger.
 */
class FanoutTest {
    private static final int STREAMS = 300;
    private static final int VERSIONS = 6;

    private static PreparedSnapshot version(long v) {
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(v).addUpstreams(Upstream.newBuilder().setName("app"));
        for (int i = 0; i < 500; i++) { // ~10 KB gzipped: several sends are in flight per connection at once
            b.addRoutes(Route.newBuilder().setName("r" + i).addHosts("r" + i + "-" + v + ".example.com").setUpstream("app"));
        }
        return PreparedSnapshot.of(b.build());
    }

    @Test
    void aBurstOfVersionsReachesEveryStreamInOrderEndingWithTheNewest() throws Exception {
        SnapshotCache cache = new SnapshotCache();
        cache.set(version(1));
        NodeLedger ledger = new NodeLedger(Clock.systemUTC());
        Server server = ConfigDiscovery.serve("127.0.0.1", 0, cache, ledger);
        List<ManagedChannel> channels = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        try {
            for (int c = 0; c < 3; c++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
            }
            for (int i = 0; i < STREAMS; i++) {
                nodes.add(new Node("fan-" + i, channels.get(i % channels.size())));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(n -> n.newest() == 1));
            for (long v = 2; v <= VERSIONS; v++) {
                cache.set(version(v)); // no waiting in between: streams still sending v-1 coalesce to the newest
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(n -> n.newest() == VERSIONS));
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.list().stream()
                    .allMatch(n -> n.appliedVersion() == VERSIONS));
            for (Node n : nodes) {
                assertThat(n.error.get()).isNull();
                List<Long> seen = n.received.stream().map(Snapshot::getVersion).toList();
                assertThat(seen).isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith((long) VERSIONS);
                for (Snapshot s : n.received) {
                    assertThat(s.getRoutesCount()).isEqualTo(500);
                    assertThat(s.getRoutes(0).getHosts(0)).isEqualTo("r0-" + s.getVersion() + ".example.com");
                }
            }
        } finally {
            nodes.forEach(Node::close);
            for (ManagedChannel c : channels) {
                c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A node that acks every snapshot, as a proxy that accepts them all would. */
    private static final class Node {
        final Queue<Snapshot> received = new ConcurrentLinkedQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final StreamObserver<NodeMessage> out;

        Node(String id, ManagedChannel channel) {
            out = ConfigDiscoveryGrpc.newStub(channel).stream(new StreamObserver<>() {
                @Override
                public void onNext(ControlMessage m) {
                    if (!m.hasSnapshot()) {
                        return; // a FleetShare
                    }
                    Snapshot s = m.getSnapshot();
                    received.add(s);
                    send(NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())).build());
                }

                @Override
                public void onError(Throwable t) {
                    error.set(t);
                }

                @Override
                public void onCompleted() {}
            });
            send(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(id)).build());
        }

        synchronized void send(NodeMessage m) {
            out.onNext(m);
        }

        long newest() {
            return received.stream().mapToLong(Snapshot::getVersion).max().orElse(0);
        }

        synchronized void close() {
            out.onCompleted();
        }
    }
}
