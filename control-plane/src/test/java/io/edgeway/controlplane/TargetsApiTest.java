package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An upstream's targets as a subresource: each write is a normal, logged, revision-bumping upstream update. */
class TargetsApiTest extends RunningControlPlane {
    private static final String UP = "/api/v1/upstreams";

    @BeforeAll
    void upstreams() {
        assertThat(http.post(UP, "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}").status()).isEqualTo(201);
    }

    @Test
    void addListReplaceAndRemoveATargetEachBumpingTheRevisionAndTheUpstreamsEtag() {
        Response before = http.get(UP + "/shop");
        long revision = latestRevision();

        Response added = http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.7\",\"port\":8080,\"weight\":5}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().path("host").asText()).isEqualTo("10.0.0.7");
        assertThat(added.json().path("weight").asInt()).isEqualTo(5);
        assertThat(added.revisionNumber()).isGreaterThan(revision);
        assertThat(added.etag()).isNotEqualTo(before.etag()).isEqualTo(http.get(UP + "/shop").etag());
        assertThat(http.get(UP + "/shop").json().path("targets")).hasSize(2);

        Response list = http.get(UP + "/shop/targets");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.etag()).isEqualTo(added.etag());
        assertThat(list.json().path("data")).hasSize(2);
        assertThat(list.json().path("data").path(1).path("port").asInt()).isEqualTo(8080);

        Response stale = http.send("PUT", UP + "/shop/targets/10.0.0.7:8080", "application/json", "{\"weight\":9}",
                Map.of("If-Match", before.etag()));
        assertThat(stale.status()).isEqualTo(412);

        Response reweighed = http.send("PUT", UP + "/shop/targets/10.0.0.7:8080", "application/json", "{\"weight\":9}",
                Map.of("If-Match", added.etag()));
        assertThat(reweighed.status()).as(reweighed.body()).isEqualTo(200);
        assertThat(reweighed.revisionNumber()).isEqualTo(added.revisionNumber() + 1);
        assertThat(http.get(UP + "/shop/targets").json().path("data").path(1).path("weight").asInt()).isEqualTo(9);

        Response removed = http.delete(UP + "/shop/targets/10.0.0.7:8080");
        assertThat(removed.status()).isEqualTo(204);
        assertThat(removed.revisionNumber()).isEqualTo(reweighed.revisionNumber() + 1);
        assertThat(http.get(UP + "/shop/targets").json().path("data")).hasSize(1);

        Response history = http.get("/api/v1/revisions/" + removed.revisionNumber());
        assertThat(history.body()).contains("upstream").contains("10.0.0.7");
    }

    @Test
    void putAddsATargetTheUpstreamLacks() {
        Response r = http.put(UP + "/shop/targets/%5B::1%5D:7000", "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("host").asText()).isEqualTo("::1");
        assertThat(r.json().path("weight").asInt()).isEqualTo(1);
        assertThat(http.delete(UP + "/shop/targets/%5B::1%5D:7000").status()).isEqualTo(204);
    }

    @Test
    void refusalsAreProblemJsonNamingTheFieldAndChangeNothing() {
        long revision = latestRevision();
        String etag = http.get(UP + "/shop").etag();

        problem(http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.8\",\"port\":70000}"), 422, "port");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.8\"}"), 422, "port");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"bad host\",\"port\":80}"), 422, "host");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.8\",\"port\":80,\"weight\":1001}"), 422, "weight");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.8\",\"port\":\"80\"}"), 400, "port");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"10.0.0.8\",\"port\":80,\"prio\":1}"), 400, "prio");
        problem(http.post(UP + "/shop/targets", "{\"host\":\"127.0.0.1\",\"port\":9001}"), 409, "port");
        problem(http.post(UP + "/nosuch/targets", "{\"host\":\"10.0.0.8\",\"port\":80}"), 404, null);
        problem(http.get(UP + "/nosuch/targets"), 404, null);
        problem(http.delete(UP + "/shop/targets/10.0.0.9:80"), 404, null);
        problem(http.delete(UP + "/shop/targets/no-port"), 400, "target");
        problem(http.put(UP + "/shop/targets/127.0.0.1:9001", "{\"port\":9002}"), 422, "port");

        assertThat(http.get(UP + "/shop").etag()).isEqualTo(etag);
        assertThat(latestRevision()).isEqualTo(revision);
    }

    private long latestRevision() {
        return http.get("/api/v1/revisions").json().path("data").path(0).path("revision").asLong(-1);
    }

    private static void problem(Response r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(r.json().path("errors").findValuesAsText("field")).as(r.body()).contains(field);
        }
    }
}
