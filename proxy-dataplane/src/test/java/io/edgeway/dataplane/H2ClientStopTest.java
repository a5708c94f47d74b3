package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.H2FrameClient.Frame;
import io.edgeway.proto.v1.Upstream;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a load tool does when its time is up (h2load -D): many connections, each with streams in flight,
 * some of them reset by the client (CANCEL), then a GOAWAY from the client while the rest are still open.
 * Every stream the client did not reset must still end toward it, with an answer or a RST_STREAM, and
 * none may be left hanging: a bench saw h2load wait after "Stopped all clients" until killed.
 */
class H2ClientStopTest {
    static final String HOST = "h2stop.test";
    static final int CONNECTIONS = 8;
    static final int STREAMS = 40; // below the proxy's 128 concurrent streams per connection
    static final int ROUNDS_OF_ABRUPT_STOPS = 3;
    static final int QUEUED_STREAMS = 10;
    static final int CONNECTION_WINDOW = 65_535;
    @TempDir
    static Path dataDir;
    static TestBackend backend;
    static OneRouteProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend("stop");
        proxy = OneRouteProxy.start(dataDir, HOST,
                Upstream.newBuilder().setName("stop").addTargets(OneRouteProxy.loopback(backend.port())));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, backend);
    }

    @Test
    void everyStreamEndsWhenTheClientResetsSomeAndSendsGoAwayMidFlight() throws Exception {
        long badBefore = proxy.dp.metrics().badRequests.sum();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<Set<Integer>>> unanswered = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                unanswered.add(pool.submit(H2ClientStopTest::streamsThenStop));
            }
            for (Future<Set<Integer>> f : unanswered) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("streams that never ended toward the client").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        // A client that cancels or leaves sends nothing malformed (its streams count as status class other).
        assertThat(proxy.dp.metrics().badRequests.sum() - badBefore).as("bad requests").isZero();
    }

    /**
     * h2load's actual stop (nghttp2_session_terminate_session): GOAWAY, then the socket closes at once, with
     * responses still on their way. The streams that die with the connection are not malformed requests: the
     * proxy's bad_requests_total rose by hundreds per h2load run while every request was well formed.
     */
    @Test
    void aClientThatClosesWithStreamsInFlightIsNotCountedAsBadRequests() throws Exception {
        long before = proxy.dp.metrics().badRequests.sum();
        for (int round = 0; round < ROUNDS_OF_ABRUPT_STOPS; round++) {
            int answered = backend.requests.get();
            try (H2FrameClient c = new H2FrameClient(proxy.port())) {
                // One large response spends the connection's whole flow-control window (64 KiB), which this
                // client never reopens: the answers to the requests after it stay queued in the proxy.
                c.headers(1, H2FrameClient.request(HOST, "/big"), true);
                for (int received = 0; received < CONNECTION_WINDOW; ) {
                    Frame f = c.next();
                    received += f.type() == Http2FrameTypes.DATA ? f.payload().length : 0;
                }
                for (int s = 1; s <= QUEUED_STREAMS; s++) {
                    c.headers(2 * s + 1, H2FrameClient.request(HOST, "/small?" + s), true);
                }
                while (backend.requests.get() < answered + 1 + QUEUED_STREAMS) {
                    Thread.sleep(10);
                }
                Thread.sleep(200); // the target's answers reach the proxy, where they wait for the window
                c.raw((byte) Http2FrameTypes.GO_AWAY, 0, 0, new byte[8]);
            } // closed without reading another frame
        }
        // The proxy has seen every close once no client connection is left.
        for (int i = 0; i < 200 && proxy.dp.metrics().clientConnections.sum() > 0; i++) {
            Thread.sleep(50);
        }
        assertThat(proxy.dp.metrics().badRequests.sum() - before).as("bad requests").isZero();
    }

    /** One connection's run; the streams it did not reset that got neither an end nor a RST_STREAM. */
    private static Set<Integer> streamsThenStop() throws Exception {
        try (H2FrameClient c = new H2FrameClient(proxy.port())) {
            Set<Integer> open = new HashSet<>();
            for (int s = 0; s < STREAMS; s++) {
                int id = 2 * s + 1;
                c.headers(id, H2FrameClient.request(HOST, "/small?" + id), true);
                if (s % 4 == 3) {
                    c.rst(id, Http2Error.CANCEL.code()); // a client that gives up on a stream mid-flight
                } else {
                    open.add(id);
                }
            }
            // h2load's stop: GOAWAY(NO_ERROR) naming no server stream, streams still in flight.
            c.raw((byte) Http2FrameTypes.GO_AWAY, 0, 0, new byte[8]);
            while (!open.isEmpty()) {
                Frame f = c.next(); // an AssertionError after the socket timeout if the proxy leaves one hanging
                if (f == H2FrameClient.CLOSED) {
                    return open; // the proxy closed the connection with streams it never ended
                }
                if (f.endStream() || f.type() == Http2FrameTypes.RST_STREAM) {
                    open.remove(f.streamId());
                }
                if (f.type() == Http2FrameTypes.GO_AWAY) { // a graceful one only, and its streams still end
                    assertThat(f.errorCode()).as("no connection error for a client's graceful stop: %s", f)
                            .isEqualTo(Http2Error.NO_ERROR.code());
                }
            }
            return open;
        }
    }
}
