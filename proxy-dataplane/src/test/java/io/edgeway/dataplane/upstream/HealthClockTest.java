package io.edgeway.dataplane.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HealthCheck;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health clock wakes when something is due, not on a fixed 100 ms clock: an idle proxy's health thread
 * sleeps, and active checks still probe a real target at their interval. Counting over a known window is the
 * point here; the bounds are what a fixed clock, or a clock that probes too rarely, could not meet.
 */
class HealthClockTest {
    private final AtomicInteger probes = new AtomicInteger();
    private final ConfigHolder configs = new ConfigHolder();
    private HttpServer target;
    private HealthChecker checker;

    @BeforeEach
    void startTarget() throws Exception {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/health", exchange -> {
            probes.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        target.start();
    }

    @AfterEach
    void stop() {
        if (checker != null) {
            checker.close();
        }
        target.stop(0);
    }

    @Test
    void anUpstreamWithoutActiveChecksLeavesTheClockAsleep() throws Exception {
        configs.set(RuntimeConfig.from(snapshot(Upstream.newBuilder())));
        checker = new HealthChecker(configs, config -> { });
        long window = 3_000;
        Thread.sleep(window); // the window the ticks are counted over
        // A fixed 100 ms clock ticks ~30 times here; sleeping until the idle backstop, at most 1 + 3 (+1 for the
        // first, at 100 ms).
        assertThat(checker.ticks()).isBetween(1L, window / HealthChecker.IDLE_TICK_MS + 2);
        assertThat(probes).hasValue(0);
    }

    @Test
    void anActiveCheckStillProbesAtItsInterval() throws Exception {
        int interval = 200;
        configs.set(RuntimeConfig.from(snapshot(Upstream.newBuilder().setHealthCheck(HealthCheck.newBuilder()
                .setActive(ActiveHealthCheck.newBuilder().setPath("/health").setExpectedStatus(200)
                        .setIntervalMs(interval).setTimeoutMs(5_000).setHealthyThreshold(1).setUnhealthyThreshold(1))))));
        checker = new HealthChecker(configs, config -> { });
        // The first probe loads the client's classes (slow on a loaded machine): the window starts after it.
        await().atMost(Duration.ofSeconds(30)).until(() -> probes.get() > 0);
        probes.set(0);
        long window = 5_000;
        Thread.sleep(window); // the window the probes are counted over
        // Never more often than the interval (one every 200 ms: 25, one more for the window's edges); and not
        // only at the 1 s backstop (6 at most): half of 25 leaves room for a loaded CI machine.
        assertThat(probes.get()).isBetween((int) (window / interval / 2), (int) (window / interval) + 1);
    }

    private Snapshot snapshot(Upstream.Builder upstream) {
        return Snapshot.newBuilder().setVersion(1).addUpstreams(upstream.setName("checked")
                .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(target.getAddress().getPort()).setWeight(1)))
                .build();
    }
}
