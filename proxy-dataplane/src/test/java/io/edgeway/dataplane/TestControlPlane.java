package io.edgeway.dataplane;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.edgeway.proto.v1.BlobChunk;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.FetchBlobRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Snapshot;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A stand-in for the other process: a real gRPC server on loopback that pushes snapshots and records answers. */
final class TestControlPlane implements AutoCloseable {
    final List<Hello> hellos = new CopyOnWriteArrayList<>();
    final List<NodeMessage> answers = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<ControlMessage>> streams = new CopyOnWriteArrayList<>();
    /** Site blobs by SHA-256, served by FetchBlob (issue 17); fetches counts the calls per hash. */
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
    /** When set, FetchBlob flips a byte of every blob it sends: a corrupted transfer. */
    volatile boolean corrupt;
    /** When set, FetchBlob waits for it before answering: a fetch still in progress. */
    volatile CountDownLatch holdFetches;
    private volatile Snapshot latest;
    private final Server server;

    TestControlPlane(int port) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new ConfigDiscoveryGrpc.ConfigDiscoveryImplBase() {
                    @Override
                    public void fetchBlob(FetchBlobRequest req, StreamObserver<BlobChunk> out) {
                        fetches.computeIfAbsent(req.getSha256(), k -> new AtomicInteger()).incrementAndGet();
                        try {
                            CountDownLatch hold = holdFetches;
                            if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("held too long");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        byte[] data = blobs.get(req.getSha256());
                        if (data == null) {
                            out.onError(io.grpc.Status.NOT_FOUND.withDescription("no such blob").asRuntimeException());
                            return;
                        }
                        if (corrupt && data.length > 0) {
                            data = data.clone();
                            data[data.length / 2] ^= 1;
                        }
                        for (int off = 0; off < data.length; off += 64 * 1024) { // several chunks for the larger files
                            out.onNext(BlobChunk.newBuilder()
                                    .setData(ByteString.copyFrom(data, off, Math.min(64 * 1024, data.length - off))).build());
                        }
                        out.onCompleted();
                    }

                    @Override
                    public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> out) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(NodeMessage m) {
                                if (m.hasHello()) {
                                    hellos.add(m.getHello());
                                    streams.add(out);
                                    Snapshot s = latest;
                                    if (s != null) {
                                        send(out, s);
                                    }
                                } else {
                                    answers.add(m);
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                streams.remove(out);
                            }

                            @Override
                            public void onCompleted() {
                                streams.remove(out);
                                out.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    /** The snapshot last pushed (what a proxy that connects now receives). */
    Snapshot latest() {
        return latest;
    }

    void push(Snapshot snapshot) {
        latest = snapshot;
        for (StreamObserver<ControlMessage> out : streams) {
            send(out, snapshot);
        }
    }

    /** Pushes {@code snapshot} and returns once each of {@code proxies} has applied its version. */
    void pushAndAwait(Snapshot snapshot, DataPlane... proxies) {
        push(snapshot);
        await().until(() -> Arrays.stream(proxies).allMatch(p -> p.appliedVersion() == snapshot.getVersion()));
    }

    /** Tells every connected proxy how many proxies split fleet-scoped rate limits (issue 18). */
    void fleetShare(int proxies) {
        ControlMessage m = ControlMessage.newBuilder()
                .setFleetShare(io.edgeway.proto.v1.FleetShare.newBuilder().setProxies(proxies)).build();
        for (StreamObserver<ControlMessage> out : streams) {
            synchronized (out) {
                out.onNext(m);
            }
        }
    }

    private static void send(StreamObserver<ControlMessage> out, Snapshot s) {
        synchronized (out) {
            out.onNext(ControlMessage.newBuilder().setSnapshot(s).build());
        }
    }

    boolean answered(long version, boolean ack) {
        return answers.stream().anyMatch(m -> ack
                ? m.hasAck() && m.getAck().getVersion() == version
                : m.hasNack() && m.getNack().getVersion() == version);
    }

    NodeMessage ack(long version) {
        return answers.stream().filter(m -> m.hasAck() && m.getAck().getVersion() == version).findFirst()
                .orElseThrow();
    }

    NodeMessage nack(long version) {
        return answers.stream().filter(m -> m.hasNack() && m.getNack().getVersion() == version).findFirst()
                .orElseThrow();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
