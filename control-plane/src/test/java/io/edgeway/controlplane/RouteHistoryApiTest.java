package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.RouteLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/metrics/routes/history against a real control plane: two simulated proxies report their load on
 * real gRPC streams, and the series answers each step with what was reported in it, summed across the nodes.
 */
class RouteHistoryApiTest extends RunningControlPlane {

    private static NodeMessage report(String route, long requests, long errors) {
        return NodeMessage.newBuilder().setLoad(LoadReport.newBuilder().setIntervalMs(1000).addBucketBounds(0.1)
                .addRoutes(RouteLoad.newBuilder().setRoute(route).setRequests(requests).setErrors5Xx(errors)
                        .addDurationBuckets(requests).addDurationBuckets(0))
                .addRoutes(RouteLoad.newBuilder().setRoute("other").setRequests(1000))).build();
    }

    private JsonNode history(String query) {
        Http.Response r = http.get("/api/v1/metrics/routes/history?" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static long sum(JsonNode series, String field) {
        long total = 0;
        for (JsonNode p : series.get("data")) {
            total += p.get(field).asLong();
        }
        return total;
    }

    @Test
    void eachStepHoldsWhatTheFleetReportedInItAndOnlyForTheRouteAsked() throws Exception {
        try (TestNode a = new TestNode(cp.grpcPort()).hello("hist-a", 0);
             TestNode b = new TestNode(cp.grpcPort()).hello("hist-b", 0)) {
            a.send(report("shop", 7, 1));
            b.send(report("shop", 5, 0));
            JsonNode first = await().atMost(Duration.ofSeconds(20))
                    .until(() -> history("route=shop"), s -> sum(s, "requests") == 12);
            assertThat(first.get("data")).hasSize(90); // 15m of 10s steps by default, every step present
            assertThat(first.get("step_s").asDouble()).isEqualTo(10.0);
            assertThat(sum(first, "errors_5xx")).isEqualTo(1);
            assertThat(first.toString()).doesNotContain("1000"); // the other route's requests are not counted
            // both nodes' reports are merged: the two reports make one step with 2 nodes, or two steps with 1 each
            assertThat(nonEmpty(first).stream().mapToInt(p -> p.get("nodes").asInt()).sum()).isEqualTo(2);
            assertThat(nonEmpty(first).get(0).get("p99_s").asDouble()).isBetween(0.0, 0.1);
            Instant s0 = Instant.parse(first.get("data").get(0).get("start").asText());
            Instant s1 = Instant.parse(first.get("data").get(1).get("start").asText());
            assertThat(Duration.between(s0, s1)).isEqualTo(Duration.ofSeconds(10));

            // Steps are aligned, so a report sent after the first reports' 1s step has ended lands in a later step.
            List<JsonNode> before = nonEmpty(history("route=shop&window=1m&step=1s"));
            Instant lastBusy = Instant.parse(before.get(before.size() - 1).get("start").asText());
            await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(lastBusy.plusMillis(1500)));
            a.send(report("shop", 3, 3));
            JsonNode later = await().atMost(Duration.ofSeconds(20))
                    .until(() -> history("route=shop&window=1m&step=1s"), s -> sum(s, "requests") == 15);
            assertThat(later.get("data")).hasSize(60);
            List<JsonNode> steps = nonEmpty(later);
            JsonNode newest = steps.get(steps.size() - 1);
            assertThat(newest.get("requests").asLong()).isEqualTo(3);
            assertThat(newest.get("errors_5xx").asLong()).isEqualTo(3);
            assertThat(newest.get("nodes").asInt()).isEqualTo(1);
            assertThat(Instant.parse(newest.get("start").asText())).isAfter(lastBusy);

            // a route nobody reported has every step, all zero
            JsonNode none = history("route=nobody&window=1m&step=10s");
            assertThat(none.get("data")).hasSize(6);
            assertThat(sum(none, "requests")).isZero();
        }
    }

    @Test
    void badParametersAre422NamingTheParameter() {
        assertRefused("window=1m", "route");
        assertRefused("route=" + "r".repeat(129), "route");
        assertRefused("route=a%20b", "route");
        assertRefused("route=shop&window=16m", "window");
        assertRefused("route=shop&window=abc", "window");
        assertRefused("route=shop&step=0s", "step");
        assertRefused("route=shop&window=1m&step=2m", "step");
        assertRefused("route=shop&window=99999999999999999999h", "window");
    }

    private void assertRefused(String query, String field) {
        Http.Response r = http.get("/api/v1/metrics/routes/history?" + query);
        assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(422);
        assertThat(r.json().get("errors").findValuesAsText("field")).as(query).containsExactly(field);
    }

    private static List<JsonNode> nonEmpty(JsonNode series) {
        List<JsonNode> out = new ArrayList<>();
        series.get("data").forEach(p -> {
            if (p.get("requests").asLong() > 0) {
                out.add(p);
            }
        });
        return out;
    }
}
