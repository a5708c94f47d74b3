package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.NodeMessage;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ConfigDiscovery gRPC service. Responses go out as pre-serialized bytes (see {@link PreparedSnapshot}),
 * so the method is bound with a pass-through marshaller instead of the generated stub base.
 */
public final class ConfigDiscovery {
    /**
     * A silent peer is declared dead after at most time + timeout = 30 s (reliability catalogue C2), then
     * its stream ends and the ledger marks it disconnected.
     */
    static final Duration KEEPALIVE_TIME = Duration.ofSeconds(20);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Pings more frequent than this get a GOAWAY (too_many_pings); it must stay below the proxies' own
     * ping interval (30 s in ConfigClient), or every proxy would be cut off on its second ping.
     */
    static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(10);
    private static final Context.Key<String> REMOTE_ADDRESS = Context.key("edgeway-remote-address");
    private static final AtomicLong STREAM_IDS = new AtomicLong();

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value); // gRPC reads its length without copying it again
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private ConfigDiscovery() {}

    /** The service, with the interceptor that records each stream's remote address. */
    public static ServerServiceDefinition service(SnapshotCache cache, NodeLedger ledger) {
        requireNonNull(cache, "cache");
        requireNonNull(ledger, "ledger");
        MethodDescriptor<NodeMessage, byte[]> method = ConfigDiscoveryGrpc.getStreamMethod()
                .toBuilder(ProtoUtils.marshaller(NodeMessage.getDefaultInstance()), BYTES)
                .build();
        SendBudget budget = new SendBudget(SendBudget.DEFAULT_BYTES);
        ServerServiceDefinition definition = ServerServiceDefinition.builder(ConfigDiscoveryGrpc.SERVICE_NAME)
                .addMethod(method, ServerCalls.asyncBidiStreamingCall(out -> new NodeStream(
                        (ServerCallStreamObserver<byte[]>) out, cache, ledger,
                        REMOTE_ADDRESS.get(), STREAM_IDS.incrementAndGet(), budget)))
                .build();
        return ServerInterceptors.intercept(definition, new RemoteAddressInterceptor());
    }

    /** Starts a gRPC server on {@code host:port} (0 picks a free port). */
    public static Server serve(String host, int port, SnapshotCache cache, NodeLedger ledger) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .addService(service(cache, ledger))
                // Proxies ping so a dead peer (crashed host, dropped NAT entry) is noticed; allow it, and
                // ping idle proxies ourselves so their entries go disconnected instead of staying stale.
                .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .build()
                .start();
    }

    private static final class RemoteAddressInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Context context = Context.current().withValue(REMOTE_ADDRESS, format(remote));
            return Contexts.interceptCall(context, call, headers, next);
        }

        private static String format(SocketAddress a) {
            if (a instanceof InetSocketAddress i && i.getAddress() != null) {
                return i.getAddress().getHostAddress() + ":" + i.getPort();
            }
            return a == null ? "unknown" : a.toString();
        }
    }
}
