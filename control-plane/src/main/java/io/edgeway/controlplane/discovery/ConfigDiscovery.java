package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.NodeMessage;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ConfigDiscovery gRPC service. Responses go out as pre-serialized (and, to clients that accept it,
 * pre-gzipped) bytes (see {@link PreparedSnapshot}), so the method is bound with a pass-through marshaller
 * instead of the generated stub base.
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
     * ping interval (ConfigClient.PING_INTERVAL, checked by KeepaliveSettingsTest), or every proxy would be cut off on its second ping.
     */
    static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(10);
    private static final Context.Key<String> REMOTE_ADDRESS = Context.key("edgeway-remote-address");
    private static final AtomicLong STREAM_IDS = new AtomicLong();

    private static final Context.Key<Boolean> ACCEPTS_GZIP = Context.key("edgeway-accepts-gzip");
    private static final Metadata.Key<String> ACCEPT_ENCODING =
            Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);

    private static final MethodDescriptor.Marshaller<Payload> PAYLOAD = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Payload value) {
            return value.stream(); // drained into the transport's buffers without an intermediate copy
        }

        @Override
        public Payload parse(InputStream stream) {
            throw new UnsupportedOperationException("the server never receives a ControlMessage");
        }
    };

    /**
     * Sends what it is given as it is, under the name "gzip": the bytes are already gzipped, once per version
     * ({@link PreparedSnapshot}), so gRPC only has to set the compressed flag and the grpc-encoding header.
     * Registered on this server only, whose single service sends nothing else compressed.
     */
    static final Compressor PRECOMPRESSED_GZIP = new Compressor() {
        @Override
        public String getMessageEncoding() {
            return "gzip";
        }

        @Override
        public OutputStream compress(OutputStream os) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    os.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    os.write(b, off, len);
                }
            };
        }
    };

    private ConfigDiscovery() {}

    /** The service, sending snapshots uncompressed; it fits any server. */
    public static ServerServiceDefinition service(SnapshotCache cache, NodeLedger ledger) {
        return service(cache, ledger, false);
    }

    /**
     * The service, with the interceptor that records each stream's remote address. With {@code precompressed},
     * streams whose client accepts gzip get the snapshot's gzipped bytes: only for a server built with
     * {@link #PRECOMPRESSED_GZIP} as its "gzip" compressor, or they would be gzipped twice.
     */
    static ServerServiceDefinition service(SnapshotCache cache, NodeLedger ledger, boolean precompressed) {
        return service(cache, ledger, precompressed, BlobFetch.NONE);
    }

    /** As above, with FetchBlob answering from {@code blobs}. */
    static ServerServiceDefinition service(SnapshotCache cache, NodeLedger ledger, boolean precompressed,
                                           BlobFetch.Blobs blobs) {
        requireNonNull(cache, "cache");
        requireNonNull(ledger, "ledger");
        MethodDescriptor<NodeMessage, Payload> method = ConfigDiscoveryGrpc.getStreamMethod()
                .toBuilder(ProtoUtils.marshaller(NodeMessage.getDefaultInstance()), PAYLOAD)
                .build();
        SendBudget budget = new SendBudget(SendBudget.DEFAULT_BYTES);
        ServerServiceDefinition definition = ServerServiceDefinition.builder(ConfigDiscoveryGrpc.SERVICE_NAME)
                // With serve()'s directExecutor a stream starts on its own event loop, which Netty's thread map
                // names; on any other thread (another server's executor, in-process) it is null and the stream
                // sends on whichever thread offers it a snapshot, as before.
                .addMethod(method, ServerCalls.asyncBidiStreamingCall(out -> new NodeStream(
                        (ServerCallStreamObserver<Payload>) out, cache, ledger,
                        REMOTE_ADDRESS.get(), STREAM_IDS.incrementAndGet(), budget,
                        precompressed && ACCEPTS_GZIP.get(), ThreadExecutorMap.currentExecutor(), PeerIdentity.CURRENT.get())))
                .addMethod(BlobFetch.method(blobs))
                .build();
        return ServerInterceptors.intercept(definition, new RemoteAddressInterceptor());
    }

    /** Starts a gRPC server on {@code host:port} (0 picks a free port). */
    public static Server serve(String host, int port, SnapshotCache cache, NodeLedger ledger) throws IOException {
        return serve(host, port, cache, ledger, InsecureServerCredentials.create(), null, List.of());
    }

    /**
     * Starts a gRPC server with {@code credentials} (TLS in production). {@code identity}, when given, runs
     * before every call of every service (it is what turns a client certificate into a {@link PeerIdentity});
     * {@code more} are further services on the same port (node enrollment).
     */
    public static Server serve(String host, int port, SnapshotCache cache, NodeLedger ledger, ServerCredentials credentials,
                               ServerInterceptor identity, List<ServerServiceDefinition> more) throws IOException {
        return serve(host, port, cache, ledger, credentials, identity, more, BlobFetch.NONE);
    }

    /** As above, with FetchBlob answering from {@code blobs} (static sites' files). */
    public static Server serve(String host, int port, SnapshotCache cache, NodeLedger ledger, ServerCredentials credentials,
                               ServerInterceptor identity, List<ServerServiceDefinition> more, BlobFetch.Blobs blobs)
            throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials);
        if (identity != null) {
            builder.intercept(identity);
        }
        more.forEach(builder::addService);
        return builder
                .addService(service(cache, ledger, true, blobs))
                // Stream callbacks only touch memory (ledger, budget, a lock held for a buffer handoff), so they
                // run on the stream's event loop instead of hopping to a thread pool for each of 5,000 Acks; and
                // a stream created there knows its loop, which its sends then run on (see NodeStream).
                .directExecutor()
                .compressorRegistry(precompressedRegistry())
                // Proxies ping so a dead peer (crashed host, dropped NAT entry) is noticed; allow it, and
                // ping idle proxies ourselves so their entries go disconnected instead of staying stale.
                .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .build()
                .start();
    }

    private static CompressorRegistry precompressedRegistry() {
        CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
        registry.register(Codec.Identity.NONE);
        registry.register(PRECOMPRESSED_GZIP);
        return registry;
    }

    /**
     * Whether the client said it can read gzip: the same test grpc-java's ServerCallImpl applies before it
     * honours setCompression, so the flag on the wire and the bytes we send always agree.
     */
    static boolean acceptsGzip(Metadata headers) {
        String accepted = headers.get(ACCEPT_ENCODING);
        if (accepted == null) {
            return false;
        }
        for (String encoding : accepted.split(",")) {
            if (encoding.trim().equals("gzip")) {
                return true;
            }
        }
        return false;
    }

    private static final class RemoteAddressInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Context context = Context.current().withValues(REMOTE_ADDRESS, format(remote), ACCEPTS_GZIP, acceptsGzip(headers));
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
