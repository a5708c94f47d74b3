package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's rate limit and max_body_bytes apply to gRPC calls as to HTTP requests (issue 18): a refused call
 * ends with RESOURCE_EXHAUSTED (Trailers-Only), is counted on the route, and never reaches the target whole.
 */
class GrpcLimitsTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static GrpcEchoServer server;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        server = new GrpcEchoServer();
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("echo").addTargets(OneRouteProxy.loopback(server.port())))
                // two calls per hour per API key: nothing refills while the test runs
                .addRoutes(Route.newBuilder().setName("metered").addHosts("metered.test").setUpstream("echo")
                        .setRateLimit(RouteRateLimit.newBuilder().setRequests(2).setPerMs(3_600_000).setBurst(2)
                                .setBy("header:X-Api-Key")))
                .addRoutes(Route.newBuilder().setName("small").addHosts("small.test").setUpstream("echo")
                        .setMaxBodyBytes(4096))
                .build());
        await().until(() -> cp.answered(1, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, server, cp);
    }

    static ManagedChannel channel(String authority) {
        return NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority(authority)
                .usePlaintext().build();
    }

    static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** The call's status code: OK when it answered, else what it failed with. */
    static Status.Code unary(Channel ch, String apiKey, String message) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), apiKey);
        Channel keyed = ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(m));
        try {
            assertThat(ClientCalls.blockingUnaryCall(keyed, GrpcEchoServer.UNARY, options(), message))
                    .isEqualTo("echo:" + message);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    static double sample(String series) throws Exception {
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return ProxyMetricsTest.sample(page, series);
    }

    @Test
    void theRateLimitCountsCallsPerKeyAndRefusesWithResourceExhausted() throws Exception {
        ManagedChannel ch = channel("metered.test");
        try {
            assertThat(unary(ch, "key-a", "1")).isEqualTo(Status.Code.OK);
            assertThat(unary(ch, "key-a", "2")).isEqualTo(Status.Code.OK);
            assertThat(unary(ch, "key-a", "3")).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(unary(ch, "key-b", "1")).as("another key has its own bucket").isEqualTo(Status.Code.OK);
            assertThat(sample("edgeway_rate_limited_total{route=\"metered\"}")).isEqualTo(1);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void aBodyOverMaxBodyBytesIsRefusedUnaryOrStreamed() throws Exception {
        ManagedChannel ch = channel("small.test");
        try {
            assertThat(unary(ch, "k", "x".repeat(4000))).isEqualTo(Status.Code.OK); // 4,005 bytes with the gRPC prefix
            assertThat(unary(ch, "k", "x".repeat(5000))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

            // ten messages of 1,000 chars: each alone is small, together they pass the limit
            GrpcProxyTest.Collector sum = new GrpcProxyTest.Collector();
            StreamObserver<String> up = ClientCalls.asyncClientStreamingCall(ch.newCall(GrpcEchoServer.SUM, options()), sum);
            for (int i = 0; i < 10; i++) {
                up.onNext("y".repeat(1_000));
            }
            up.onCompleted();
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> sum.done.get(20, TimeUnit.SECONDS)).getCause();
            assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(sample("edgeway_request_body_too_large_total{route=\"small\"}")).isEqualTo(2);
        } finally {
            ch.shutdownNow();
        }
    }
}
