package io.edgeway.controlplane;

import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.Nack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A simulated proxy: a real gRPC client on loopback that records what the control plane sends. */
final class TestNode implements AutoCloseable {
    private final ManagedChannel channel;
    private final StreamObserver<NodeMessage> requests;
    final BlockingQueue<Snapshot> snapshots = new LinkedBlockingQueue<>();
    /** The FleetShare counts received (issue 18), in order. */
    final BlockingQueue<Integer> fleetShares = new LinkedBlockingQueue<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile boolean completed;

    TestNode(int grpcPort) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        requests = ConfigDiscoveryGrpc.newStub(channel).stream(new StreamObserver<>() {
            @Override
            public void onNext(ControlMessage m) {
                if (m.hasFleetShare()) {
                    fleetShares.add(m.getFleetShare().getProxies());
                } else {
                    snapshots.add(m.getSnapshot());
                }
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
            }

            @Override
            public void onCompleted() {
                completed = true;
            }
        });
    }

    TestNode hello(String id, long appliedVersion) {
        return send(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(id).putLabels("zone", "test")
                .setAppliedVersion(appliedVersion)).build());
    }

    /** A Hello carrying {@code labels} (e.g. canary=true), as a proxy with EDGEWAY_NODE_LABELS sends. */
    TestNode hello(String id, long appliedVersion, java.util.Map<String, String> labels) {
        return send(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(id).putAllLabels(labels)
                .setAppliedVersion(appliedVersion)).build());
    }

    /** A Hello that says this node applies delta snapshots (issue 22). */
    TestNode helloTakingDeltas(String id, long appliedVersion) {
        return send(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(id).setAppliedVersion(appliedVersion)
                .addCapabilities(io.edgeway.proto.delta.SnapshotDeltas.CAPABILITY)).build());
    }

    TestNode ack(Snapshot s) {
        return send(NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())).build());
    }

    TestNode nack(Snapshot s, String message) {
        return send(NodeMessage.newBuilder().setNack(Nack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())
                .addErrors(ResourceError.newBuilder().setKind("route").setName("shop").setField("hosts").setMessage(message))).build());
    }

    synchronized TestNode send(NodeMessage m) {
        requests.onNext(m);
        return this;
    }

    /** The next snapshot; fails after 20 s (a generous bound for a slow CI machine, not a timing assertion). */
    Snapshot next() {
        try {
            Snapshot s = snapshots.poll(20, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("no snapshot within 20 s; stream error: " + error.get());
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The first snapshot at {@code version} or later. A node that connects right after a write may first get the
     * cached snapshot of the revision before it (the cache is rebuilt after the commit), then the new one.
     */
    Snapshot atLeast(long version) {
        Snapshot s = next();
        while (s.getVersion() < version) {
            s = next();
        }
        return s;
    }

    /** The next FleetShare count; fails after 20 s (a bound for a slow machine, not a timing assertion). */
    int nextFleetShare() throws InterruptedException {
        Integer n = fleetShares.poll(20, TimeUnit.SECONDS);
        if (n == null) {
            throw new AssertionError("no FleetShare within 20 s; stream error: " + error.get());
        }
        return n;
    }

    /** Reads FleetShare counts until {@code n} comes (earlier ones may differ); fails after 20 s without it. */
    void awaitFleetShare(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            Integer got = fleetShares.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (got != null && got == n) {
                return;
            }
        }
        throw new AssertionError("no FleetShare of " + n + " within 20 s; stream error: " + error.get());
    }

    @Override
    public void close() throws InterruptedException {
        try {
            requests.onCompleted();
        } catch (RuntimeException ignored) {
            // already closed by the server
        }
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
