package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Timeouts;
import io.edgeway.proto.v1.Upstream;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the proxy: a grpc-java client speaks h2c (prior knowledge) to the proxy port, the proxy
 * relays HTTP/2 frames to a grpc-java server. A request that matches no route gets UNIMPLEMENTED, what a
 * gRPC server answers for a method it does not know (and what gRPC clients make of an HTTP 404).
 */
class GrpcProxyTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static GrpcEchoServer server;
    /** Stopped by one test in the middle of a call. */
    static GrpcEchoServer doomed;
    static DataPlane dp;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        server = new GrpcEchoServer();
        doomed = new GrpcEchoServer();
        deadPort = FreePorts.refused();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("echo").addTargets(target(server.port())))
                .addUpstreams(Upstream.newBuilder().setName("doomed").addTargets(target(doomed.port())))
                .addUpstreams(Upstream.newBuilder().setName("dead").addTargets(target(deadPort)))
                .addRoutes(Route.newBuilder().setName("grpc").addHosts("grpc.test").setUpstream("echo"))
                .addRoutes(Route.newBuilder().setName("doomed").addHosts("doomed.test").setUpstream("doomed"))
                .addRoutes(Route.newBuilder().setName("dead").addHosts("dead.test").setUpstream("dead")
                        .setTimeouts(Timeouts.newBuilder().setConnectMs(2_000)))
                .addRoutes(Route.newBuilder().setName("slow").addHosts("slow.test").setUpstream("echo")
                        .setTimeouts(Timeouts.newBuilder().setFirstByteMs(300)))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        OneRouteProxy.closeAll(server, doomed, cp);
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    static ManagedChannel channel(String authority) {
        return NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority(authority)
                .usePlaintext().build();
    }

    static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static Status statusOf(ManagedChannel ch, String request) {
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, options(), request));
        return e.getStatus();
    }

    @Test
    void unaryCallIsRelayedWithForwardedHeaders() {
        ManagedChannel ch = channel("grpc.test");
        try {
            assertThat(ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, options(), "hi")).isEqualTo("echo:hi");
            Metadata seen = server.lastHeaders;
            assertThat(seen.get(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo("127.0.0.1");
            assertThat(seen.get(Metadata.Key.of("x-forwarded-host", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo("grpc.test");
            // Several calls share the client's connection and the proxy's one connection to the target.
            for (int i = 0; i < 20; i++) {
                assertThat(ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, options(), "n" + i))
                        .isEqualTo("echo:n" + i);
            }
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void serverStreamingDeliversEveryMessageInOrder() {
        ManagedChannel ch = channel("grpc.test");
        try {
            String pad = "x".repeat(1_000); // 3 MB in all: far beyond the 64 KiB stream windows
            Iterator<String> it = ClientCalls.blockingServerStreamingCall(ch, GrpcEchoServer.MANY, options(),
                    3_000 + ":" + pad);
            int n = 0;
            while (it.hasNext()) {
                assertThat(it.next()).isEqualTo(n + ":" + pad);
                n++;
            }
            assertThat(n).isEqualTo(3_000);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientStreamingAndBidiStreamingWork() throws Exception {
        ManagedChannel ch = channel("grpc.test");
        try {
            Collector sum = new Collector();
            StreamObserver<String> up = ClientCalls.asyncClientStreamingCall(
                    ch.newCall(GrpcEchoServer.SUM, options()), sum);
            String chunk = "y".repeat(1_000);
            for (int i = 0; i < 2_000; i++) {
                up.onNext(chunk);
            }
            up.onCompleted();
            assertThat(sum.done.get(20, TimeUnit.SECONDS)).containsExactly("2000 messages, 2000000 chars");

            Collector chat = new Collector();
            StreamObserver<String> talk = ClientCalls.asyncBidiStreamingCall(
                    ch.newCall(GrpcEchoServer.CHAT, options()), chat);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                talk.onNext("m" + i);
                expected.add("re:m" + i);
            }
            talk.onCompleted();
            assertThat(chat.done.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void errorStatusMessageAndTrailersArriveIntact() {
        ManagedChannel ch = channel("grpc.test");
        try {
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.FAIL, options(), "hi"));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).isEqualTo("nope: ü 100% hi"); // percent-encoded on the wire, relayed as is
            assertThat(e.getTrailers().get(GrpcEchoServer.DETAIL)).isEqualTo("detail-hi");
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void targetThatIsDownIsUnavailable() {
        ManagedChannel ch = channel("dead.test");
        try {
            Status s = statusOf(ch, "hi");
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(s.getDescription()).contains("could not connect");
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void noRouteIsUnimplemented() {
        ManagedChannel ch = channel("nobody.test");
        try {
            Status s = statusOf(ch, "hi");
            assertThat(s.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(s.getDescription()).contains("no route");
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void silentTargetIsDeadlineExceededAfterTheFirstByteTimeout() {
        ManagedChannel ch = channel("slow.test");
        try {
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.SILENT, options(), "hi"));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(e.getStatus().getDescription()).contains("did not answer in time");
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientCancelReachesTheTargetAsAReset() throws Exception {
        ManagedChannel ch = channel("grpc.test");
        try {
            ClientCall<String, String> call = ch.newCall(GrpcEchoServer.CHAT, options());
            Collector chat = new Collector();
            StreamObserver<String> talk = ClientCalls.asyncBidiStreamingCall(call, chat);
            talk.onNext("one");
            assertThat(chat.first.get(20, TimeUnit.SECONDS)).isEqualTo("re:one"); // the relay is up both ways
            call.cancel("the client gave up", null); // RST_STREAM(CANCEL) to the proxy
            assertThat(server.chatFailed.get(20, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void targetThatResetsMidCallEndsTheCallWithItsCode() throws Exception {
        ManagedChannel ch = channel("doomed.test");
        try {
            Collector silent = new Collector();
            ClientCalls.asyncUnaryCall(ch.newCall(GrpcEchoServer.SILENT, options()), "hi", silent);
            await().until(() -> doomed.lastHeaders != null); // the call reached the target and waits there
            doomed.close(); // grpc-java's shutdownNow resets its open streams (CANCEL), then closes
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> silent.done.get(20, TimeUnit.SECONDS)).getCause();
            // The target's RST_STREAM(CANCEL) relayed as is; had the close come first, the proxy would have
            // answered UNAVAILABLE (nothing was answered yet). Either way: an error, never a hang.
            assertThat(Status.fromThrowable(t).getCode()).isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
        } finally {
            ch.shutdownNow();
        }
    }

    /** Collects a call's responses; completes with them, or exceptionally with the call's error. */
    static final class Collector implements StreamObserver<String> {
        final List<String> got = new ArrayList<>();
        final CompletableFuture<List<String>> done = new CompletableFuture<>();
        final CompletableFuture<String> first = new CompletableFuture<>();

        @Override
        public synchronized void onNext(String v) {
            got.add(v);
            first.complete(v);
        }

        @Override
        public synchronized void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public synchronized void onCompleted() {
            done.complete(List.copyOf(got));
        }
    }
}
