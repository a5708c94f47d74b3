package io.edgeway.dataplane;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server on loopback with a hand-built service (String messages, so no generated code):
 * one method per call type, one that fails with a status, one that never answers.
 */
final class GrpcEchoServer implements AutoCloseable {
    static final String SERVICE = "test.Echo";
    static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SILENT = method("Silent", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> MANY = method("Many", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> SUM = method("Sum", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    /** The request headers of the latest call, as the server saw them. */
    volatile Metadata lastHeaders;
    /** How a Chat call ended on the server when it did not complete normally (a client's cancel). */
    final java.util.concurrent.CompletableFuture<Status> chatFailed = new java.util.concurrent.CompletableFuture<>();
    private final Server server;

    GrpcEchoServer() throws IOException {
        this(null);
    }

    /** With {@code tls}, the server speaks gRPC over TLS only (h2 by ALPN), with that certificate. */
    GrpcEchoServer(io.edgeway.dataplane.tls.SelfSigned.Pem tls) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("echo:" + req);
                    out.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "detail-" + req);
                    // "internal..." fails as a broken server would; anything else as a refusal the service chose
                    Status status = req.startsWith("internal") ? Status.INTERNAL : Status.FAILED_PRECONDITION;
                    out.onError(status.withDescription("nope: ü 100% " + req).asRuntimeException(trailers));
                }))
                .addMethod(SILENT, ServerCalls.asyncUnaryCall((req, out) -> { }))
                .addMethod(MANY, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(req.substring(0, req.indexOf(':')));
                    String pad = req.substring(req.indexOf(':') + 1);
                    for (int i = 0; i < n; i++) {
                        out.onNext(i + ":" + pad);
                    }
                    out.onCompleted();
                }))
                .addMethod(SUM, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    long count;
                    long bytes;

                    @Override
                    public void onNext(String v) {
                        count++;
                        bytes += v.length();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(count + " messages, " + bytes + " chars");
                        out.onCompleted();
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String v) {
                        out.onNext("re:" + v);
                    }

                    @Override
                    public void onError(Throwable t) {
                        chatFailed.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        if (tls != null) {
            builder.useTransportSecurity(
                    new ByteArrayInputStream(tls.certChainPem().getBytes(StandardCharsets.US_ASCII)),
                    new ByteArrayInputStream(tls.privateKeyPem().getBytes(StandardCharsets.US_ASCII)));
        }
        server = builder
                .addService(ServerInterceptors.intercept(service, new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
                            Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                        lastHeaders = headers;
                        return next.startCall(call, headers);
                    }
                }))
                .build()
                .start();
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(STRING)
                .setResponseMarshaller(STRING)
                .build();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
