package io.edgeway.dataplane.status;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A classic histogram in seconds with one label, whose series are {@link LoopHistogram}s: the hot path records
 * nanoseconds into its own thread's row, and this collector adds the rows up when the page is scraped. The page
 * is what the Prometheus client's own Histogram wrote for the same name, help, unit, label and bounds
 * (LoopHistogramTest compares the two).
 */
final class LoopHistogramFamily implements Collector {
    private final String name;
    private final String help;
    private final String label;
    private final double[] bounds;
    private final long[] boundsNanos;
    private final Map<String, LoopHistogram> series = new ConcurrentHashMap<>();

    /** {@code name} ends in _seconds; {@code bounds} are in seconds, increasing, without +Inf. */
    LoopHistogramFamily(String name, String help, String label, double[] bounds) {
        this.name = name;
        this.help = help;
        this.label = label;
        this.bounds = new double[bounds.length + 1];
        this.boundsNanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            this.bounds[i] = bounds[i];
            this.boundsNanos[i] = Math.round(bounds[i] * 1e9);
        }
        this.bounds[bounds.length] = Double.POSITIVE_INFINITY;
    }

    /** The series of this label value, made on first use: on the page from then on, with zero counts. */
    LoopHistogram labelValue(String value) {
        return series.computeIfAbsent(value, v -> new LoopHistogram(boundsNanos));
    }

    /** Takes the series off the page; a recorder still holding it records into nothing that is shown. */
    void remove(String value) {
        series.remove(value);
    }

    @Override
    public HistogramSnapshot collect() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
        // in label order, so the page does not reorder itself between scrapes
        new java.util.TreeMap<>(series).forEach((value, h) -> {
            long[] t = h.totals();
            long[] counts = new long[bounds.length];
            System.arraycopy(t, 0, counts, 0, counts.length);
            b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of(label, value))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                    .sum(t[t.length - 1] / 1e9)
                    .createdTimestampMillis(h.createdMillis())
                    .build());
        });
        return b.build();
    }

    @Override
    public String getPrometheusName() {
        return name;
    }

    @Override
    public MetricType getMetricType() {
        return MetricType.HISTOGRAM;
    }

    @Override
    public Set<String> getLabelNames() {
        return Set.of(label);
    }
}
