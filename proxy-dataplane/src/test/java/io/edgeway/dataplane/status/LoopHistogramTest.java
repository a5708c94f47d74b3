package io.edgeway.dataplane.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The per-thread histograms behind the latency metrics: exact counts when several event loops (and more threads
 * than there are slots) record at once, scrapes during recording that never see a count go down, and a page
 * identical to the one the Prometheus client's own Histogram writes for the same observations.
 */
class LoopHistogramTest {
    static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** One duration inside each bucket (the first two on a bound: "le" counts them in), and one past the last. */
    static final long[] ONE_PER_BUCKET = {1_000_000, 2_500_000, 4_000_000, 9_000_000, 20_000_000, 40_000_000,
            90_000_000, 200_000_000, 400_000_000, 900_000_000, 2_000_000_000L, 4_000_000_000L, 9_000_000_000L,
            20_000_000_000L, 50_000_000_000L, 61_000_000_000L};

    static LoopHistogramFamily family() {
        return new LoopHistogramFamily("test_duration_seconds", "A test latency.", "route", BOUNDS);
    }

    static HistogramDataPointSnapshot point(LoopHistogramFamily f, String route) {
        return f.collect().getDataPoints().stream().filter(p -> route.equals(p.getLabels().get("route")))
                .findFirst().orElseThrow();
    }

    @Test
    void observationsFromSeveralEventLoopsAreCountedExactly() throws Exception {
        LoopHistogramFamily f = family();
        LoopHistogram h = f.labelValue("app");
        int perBucketPerLoop = 10_000;
        EventLoopGroup loops = new DefaultEventLoopGroup(4);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int l = 0; l < 4; l++) {
                EventLoop loop = loops.next();
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perBucketPerLoop; i++) {
                        for (long nanos : ONE_PER_BUCKET) {
                            h.observe(nanos);
                        }
                    }
                }, loop));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        HistogramDataPointSnapshot p = point(f, "app");
        ClassicHistogramBuckets b = p.getClassicBuckets();
        assertThat(b.size()).isEqualTo(ONE_PER_BUCKET.length);
        for (int i = 0; i < b.size(); i++) {
            assertThat(b.getCount(i)).as("bucket le=%s", b.getUpperBound(i)).isEqualTo(4L * perBucketPerLoop);
        }
        assertThat(p.getCount()).isEqualTo(4L * perBucketPerLoop * ONE_PER_BUCKET.length);
        long sumNanos = 0;
        for (long n : ONE_PER_BUCKET) {
            sumNanos += n;
        }
        assertThat(p.getSum()).isCloseTo(4.0 * perBucketPerLoop * sumNanos / 1e9, within(1e-6));
    }

    @Test
    void threadsBeyondTheSlotLimitStillCount() throws Exception {
        LoopHistogramFamily f = family();
        LoopHistogram h = f.labelValue("app");
        int threads = ThreadSlot.MAX + 20; // whatever slots other tests took, the last ones share the locked row
        for (int t = 0; t < threads; t += 40) {
            List<Thread> batch = new ArrayList<>();
            for (int i = t; i < Math.min(threads, t + 40); i++) {
                Thread th = new Thread(() -> h.observe(3_000_000));
                th.start();
                batch.add(th);
            }
            for (Thread th : batch) {
                th.join();
            }
        }
        HistogramDataPointSnapshot p = point(f, "app");
        assertThat(p.getCount()).isEqualTo(threads);
        assertThat(p.getClassicBuckets().getCount(2)).as("(2.5 ms, 5 ms]").isEqualTo(threads);
    }

    @Test
    void aScrapeDuringRecordingNeverSeesACountGoDown() throws Exception {
        LoopHistogramFamily f = family();
        LoopHistogram h = f.labelValue("app");
        AtomicBoolean stop = new AtomicBoolean();
        EventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                done.add(CompletableFuture.runAsync(() -> {
                    while (!stop.get()) {
                        h.observe(7_000_000);
                        h.observe(70_000_000_000L);
                    }
                }, loops.next()));
            }
            long[] last = new long[ONE_PER_BUCKET.length];
            for (int scrape = 0; scrape < 2_000; scrape++) {
                ClassicHistogramBuckets b = point(f, "app").getClassicBuckets();
                for (int i = 0; i < last.length; i++) {
                    assertThat(b.getCount(i)).isGreaterThanOrEqualTo(last[i]);
                    last[i] = b.getCount(i);
                }
            }
            stop.set(true);
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(last[3] + last[15]).as("the scrapes saw the recording").isGreaterThan(0);
        } finally {
            stop.set(true);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void thePageIsWhatThePrometheusClientsHistogramWrites() throws Exception {
        PrometheusRegistry ours = new PrometheusRegistry();
        LoopHistogramFamily f = family();
        ours.register(f);
        PrometheusRegistry theirs = new PrometheusRegistry();
        Histogram reference = Histogram.builder().name("test_duration_seconds").help("A test latency.")
                .unit(Unit.SECONDS).labelNames("route").classicOnly().classicUpperBounds(BOUNDS).withoutExemplars()
                .register(theirs);
        for (int i = 0; i < ONE_PER_BUCKET.length; i++) {
            for (int k = 0; k <= i; k++) {
                f.labelValue("app").observe(ONE_PER_BUCKET[i]);
                reference.labelValues("app").observe(ONE_PER_BUCKET[i] / 1e9);
            }
        }
        f.labelValue("idle"); // a series made but never observed is on both pages, with zero counts
        reference.labelValues("idle");
        f.labelValue("gone").observe(5);
        reference.labelValues("gone").observe(5e-9);
        f.remove("gone");
        reference.remove("gone");
        for (String accept : new String[] {"text/plain", "application/openmetrics-text; version=1.0.0"}) {
            List<String> mine = lines(ours, accept);
            List<String> ref = lines(theirs, accept);
            assertThat(withoutSums(mine)).as(accept).isEqualTo(withoutSums(ref));
            assertThat(sum(mine, "app")).isCloseTo(sum(ref, "app"), within(1e-9));
            assertThat(mine).as(accept).anyMatch(l -> l.startsWith("test_duration_seconds_bucket{")
                    && l.contains("route=\"app\"") && l.contains("le=\"+Inf\"") && l.endsWith(" 136"));
        }
        HistogramSnapshot s = (HistogramSnapshot) ours.scrape().get(0);
        assertThat(s.getMetadata().getUnit()).isEqualTo(Unit.SECONDS);
    }

    static List<String> lines(PrometheusRegistry registry, String accept) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().findWriter(accept).write(out, registry.scrape());
        return List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
    }

    static List<String> withoutSums(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("test_duration_seconds_sum")).toList();
    }

    static double sum(List<String> lines, String route) {
        String line = lines.stream().filter(l -> l.startsWith("test_duration_seconds_sum{route=\"" + route + "\"}"))
                .findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
