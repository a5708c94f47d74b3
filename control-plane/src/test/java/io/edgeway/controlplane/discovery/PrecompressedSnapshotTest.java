package io.edgeway.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Codec;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.DecompressorRegistry;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The snapshot is gzipped once per version and sent as is; every client still reads the same Snapshot. */
class PrecompressedSnapshotTest {
    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

    private static Snapshot snapshot() {
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(42)
                .addUpstreams(Upstream.newBuilder().setName("app").addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(9001)));
        for (int i = 0; i < 2_000; i++) {
            b.addRoutes(Route.newBuilder().setName("r" + i).addHosts("r" + i + ".example.com").addPaths("/").setUpstream("app"));
        }
        return b.build();
    }

    @Test
    void headAndSharedBodyDecodeToOneSnapshotWithTheNonce() throws Exception {
        Snapshot s = snapshot();
        PreparedSnapshot prepared = PreparedSnapshot.of(s);
        ControlMessage expected = ControlMessage.newBuilder().setSnapshot(s.toBuilder().setNonce("7")).build();

        Payload plain = prepared.payload("7", false);
        assertEquals(expected, ControlMessage.parseFrom(plain.stream()));

        Payload gzip = prepared.payload("7", true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        assertEquals(gzip.length(), ((io.grpc.Drainable) gzip.stream()).drainTo(wire));
        // The JDK's reader, which grpc-java's "gzip" decompressor is, reads both members.
        assertEquals(expected, ControlMessage.parseFrom(new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray()))));
        assertTrue(prepared.gzipped().length * 4 < prepared.encoded().length, "the body is compressed");
    }

    @Test
    void aFleetShareReadsBackPlainAndAsTheGzipMemberTheStreamSends() throws Exception {
        ControlMessage expected = ControlMessage.newBuilder()
                .setFleetShare(io.edgeway.proto.v1.FleetShare.newBuilder().setProxies(3)).build();
        assertEquals(expected, ControlMessage.parseFrom(NodeStream.fleetSharePayload(3, false).stream()));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Payload gzip = NodeStream.fleetSharePayload(3, true);
        assertEquals(gzip.length(), ((io.grpc.Drainable) gzip.stream()).drainTo(wire));
        assertEquals(expected, ControlMessage.parseFrom(new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray()))));
    }

    @Test
    void gzipGoesOnlyToClientsThatAcceptIt() throws Exception {
        SnapshotCache cache = new SnapshotCache();
        Snapshot s = snapshot();
        cache.set(PreparedSnapshot.of(s));
        Server server = ConfigDiscovery.serve("127.0.0.1", 0, cache, new NodeLedger(Clock.systemUTC()));
        try {
            Received withGzip = receive(server.getPort(), DecompressorRegistry.getDefaultInstance(), "gzip-node");
            assertEquals("gzip", withGzip.encoding);
            assertEquals(s.toBuilder().setNonce("1").build(), withGzip.message.getSnapshot());

            // A client that reads only uncompressed messages (identity is not optional: servers name it).
            DecompressorRegistry identityOnly = DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false);
            Received plain = receive(server.getPort(), identityOnly, "plain-node");
            assertTrue(plain.encoding == null || plain.encoding.equals("identity"), plain.encoding);
            assertEquals(s.toBuilder().setNonce("1").build(), plain.message.getSnapshot());
        } finally {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private record Received(String encoding, ControlMessage message) {}

    private static Received receive(int port, DecompressorRegistry decompressors, String nodeId) throws Exception {
        CompletableFuture<String> encoding = new CompletableFuture<>();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .decompressorRegistry(decompressors).build();
        try {
            CompletableFuture<ControlMessage> message = new CompletableFuture<>();
            StreamObserver<NodeMessage> out = ConfigDiscoveryGrpc.newStub(channel).withInterceptors(headers(encoding))
                    .stream(new StreamObserver<>() {
                        @Override
                        public void onNext(ControlMessage m) {
                            if (m.hasSnapshot()) { // a FleetShare may come first
                                message.complete(m);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            message.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
            out.onNext(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(nodeId)).build());
            ControlMessage m = message.get(30, TimeUnit.SECONDS);
            out.onCompleted();
            return new Received(encoding.get(30, TimeUnit.SECONDS), m);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Records the grpc-encoding response header ("identity" or absent when the messages are uncompressed). */
    private static ClientInterceptor headers(CompletableFuture<String> encoding) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata h) {
                                encoding.complete(h.get(ENCODING));
                                super.onHeaders(h);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
