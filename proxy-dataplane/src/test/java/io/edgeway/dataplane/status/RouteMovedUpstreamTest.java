package io.edgeway.dataplane.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.RouteLoad;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A route that moves to another upstream (what a canary write typically does) keeps its latency series: the
 * load reports the control plane judges a canary by still carry its duration buckets afterwards.
 */
class RouteMovedUpstreamTest {
    @Test
    void aRouteMovedToAnotherUpstreamStillReportsItsLatency() {
        Metrics metrics = new Metrics(() -> 0);
        RouteMeters meters = new RouteMeters(metrics);
        LoadReports reports = new LoadReports(metrics);
        meters.meter("app", "good").request(HttpMethod.GET, 200, 2_000_000, 0, 10); // 2 ms
        meters.retain(Set.of(new RouteMeters.Key("app", "good")));
        reports.next();

        RouteMeter moved = meters.meter("app", "slow");
        meters.retain(Set.of(new RouteMeters.Key("app", "slow"))); // the old (app, good) meter goes
        for (int i = 0; i < 3; i++) {
            moved.request(HttpMethod.GET, 200, 1_500_000_000L, 0, 10); // 1.5 s
        }
        LoadReport r = reports.next();
        RouteLoad app = r.getRoutesList().stream().filter(l -> l.getRoute().equals("app")).findFirst().orElseThrow();
        int slowBucket = r.getBucketBoundsList().indexOf(2.5); // (1, 2.5]
        assertThat(app.getDurationBucketsCount()).isEqualTo(r.getBucketBoundsCount() + 1);
        assertThat(app.getDurationBuckets(slowBucket)).isEqualTo(3);
    }
}
