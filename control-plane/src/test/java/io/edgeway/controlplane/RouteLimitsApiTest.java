package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * A route's "rate_limit" and "max_body_bytes" (issue 18) through the admin API on a real PostgreSQL: stored,
 * shown, in the declarative document (exported and applied back), checked (422 naming the field), and
 * pushed to the proxies in the snapshot.
 */
class RouteLimitsApiTest extends RunningControlPlane {
    @Test
    void limitsRoundTripThroughTheStoreTheDocumentAndTheSnapshot() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        Response created = http.post("/api/v1/routes", """
                {"name":"api","hosts":["api.example.com"],"upstream":"web","max_body_bytes":1048576,
                 "rate_limit":{"requests":100,"per":"1m","burst":50,"by":"header:X-Api-Key","scope":"fleet"}}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response read = http.get("/api/v1/routes/api");
        assertThat(read.json().path("max_body_bytes").asLong()).isEqualTo(1_048_576);
        assertThat(read.json().path("rate_limit").toString())
                .isEqualTo("{\"requests\":100,\"per\":\"1m\",\"burst\":50,\"by\":\"header:X-Api-Key\",\"scope\":\"fleet\"}");
        Response defaults = http.post("/api/v1/routes", """
                {"name":"ip","hosts":["ip.example.com"],"upstream":"web","rate_limit":{"requests":5,"per":"1s"}}""");
        assertThat(defaults.json().path("rate_limit").toString())
                .isEqualTo("{\"requests\":5,\"per\":\"1s\",\"burst\":5,\"by\":\"client_ip\",\"scope\":\"proxy\"}");
        assertThat(defaults.json().has("max_body_bytes")).isFalse();

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-limits", 0)) {
            Snapshot s = node.atLeast(db.revision());
            var byName = new java.util.HashMap<String, io.edgeway.proto.v1.Route>();
            s.getRoutesList().forEach(r -> byName.put(r.getName(), r));
            var api = byName.get("api");
            assertThat(api.getMaxBodyBytes()).isEqualTo(1_048_576);
            assertThat(api.getRateLimit().getRequests()).isEqualTo(100);
            assertThat(api.getRateLimit().getPerMs()).isEqualTo(60_000);
            assertThat(api.getRateLimit().getBurst()).isEqualTo(50);
            assertThat(api.getRateLimit().getBy()).isEqualTo("header:X-Api-Key");
            assertThat(api.getRateLimit().getFleet()).isTrue();
            assertThat(byName.get("ip").getRateLimit().getFleet()).isFalse();
        }

        // the declarative export carries them, and applying it back changes nothing
        Response doc = http.get("/api/v1/config");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.body()).contains("\"rate_limit\"").contains("\"max_body_bytes\":1048576");
        long before = db.revision();
        Response applied = http.post("/api/v1/config", doc.body());
        assertThat(applied.status()).as(applied.body()).isIn(200, 201);
        assertThat(db.revision()).isEqualTo(before);

        Response removed = http.patch("/api/v1/routes/api", "{\"rate_limit\":null,\"max_body_bytes\":null}");
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(removed.json().has("rate_limit")).isFalse();
        assertThat(removed.json().has("max_body_bytes")).isFalse();
    }

    @Test
    void badLimitsAreRefusedNamingTheField() {
        long revision = db.revision();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"u\",\"targets\":[]}").status()).isEqualTo(201);
        String[][] bad = {
            {"\"rate_limit\":{\"requests\":0,\"per\":\"1s\"}", "rate_limit.requests"},
            {"\"rate_limit\":{\"requests\":10,\"per\":\"500ms\"}", "rate_limit.per"},
            {"\"rate_limit\":{\"requests\":10,\"per\":\"1s\",\"burst\":0}", "rate_limit.burst"},
            {"\"rate_limit\":{\"requests\":10,\"per\":\"1s\",\"by\":\"cookie:x\"}", "rate_limit.by"},
            {"\"rate_limit\":{\"requests\":10,\"per\":\"1s\",\"by\":\"header:Bad Name\"}", "rate_limit.by"},
            {"\"rate_limit\":{\"requests\":10,\"per\":\"1s\",\"scope\":\"region\"}", "rate_limit.scope"},
            {"\"rate_limit\":{\"per\":\"1s\"}", "rate_limit.requests"},
            {"\"max_body_bytes\":0", "max_body_bytes"},
            {"\"max_body_bytes\":-5", "max_body_bytes"},
        };
        for (String[] c : bad) {
            Response r = http.post("/api/v1/routes", "{\"name\":\"a\",\"upstream\":\"u\"," + c[0] + "}");
            assertThat(r.status()).as(c[0] + " " + r.body()).isEqualTo(422);
            assertThat(r.body()).as(c[0]).contains(c[1]);
        }
        Response unknown = http.post("/api/v1/routes", "{\"name\":\"b\",\"upstream\":\"u\",\"rate_limit\":{\"requests\":1,\"per\":\"1s\",\"window\":3}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(db.revision()).isEqualTo(revision + 1); // only the upstream was written
    }
}
