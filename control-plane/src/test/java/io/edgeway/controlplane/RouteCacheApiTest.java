package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * A route's "cache" policy through the admin API: stored (routes.cache), shown, exported in the declarative
 * document, applied from it, checked (422 naming the field), and pushed in the snapshot (Route field 50).
 */
class RouteCacheApiTest extends RunningControlPlane {
    private static final String CACHED = """
            {"name":"shop","hosts":["shop.example.com"],"upstream":"web","cache":{"enabled":true,
             "max_object_bytes":65536,"default_ttl":"30s","key":{"headers":["Accept-Language"]},"lock_timeout":"2s"}}""";

    @Test
    void aCachePolicyRoundTripsThroughStoreDocumentAndSnapshot() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        Response created = http.post("/api/v1/routes", CACHED);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        var cache = http.get("/api/v1/routes/shop").json().path("cache");
        assertThat(cache.path("max_object_bytes").asLong()).isEqualTo(65536);
        assertThat(cache.path("default_ttl").asText()).isEqualTo("30s");
        assertThat(cache.path("key").path("headers").get(0).asText()).isEqualTo("Accept-Language");
        assertThat(http.post("/api/v1/routes", "{\"name\":\"plain\",\"upstream\":\"web\"}").status()).isEqualTo(201);
        assertThat(http.get("/api/v1/routes/plain").json().path("cache").isNull()).isTrue();

        Response doc = http.get("/api/v1/config");
        assertThat(doc.body()).contains("\"lock_timeout\":\"2s\"");
        assertThat(http.post("/api/v1/config", doc.body()).status()).as("re-applying the export").isEqualTo(200);
        assertThat(http.get("/api/v1/routes/shop").json().path("cache").path("lock_timeout").asText()).isEqualTo("2s");

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-cache", 0)) {
            Snapshot s = node.atLeast(db.revision());
            var byName = new java.util.HashMap<String, io.edgeway.proto.v1.Route>();
            s.getRoutesList().forEach(r -> byName.put(r.getName(), r));
            io.edgeway.proto.v1.RouteCache rc = byName.get("shop").getCache();
            assertThat(rc.getEnabled()).isTrue();
            assertThat(rc.getMaxObjectBytes()).isEqualTo(65536);
            assertThat(rc.getDefaultTtlMs()).isEqualTo(30_000);
            assertThat(rc.getLockTimeoutMs()).isEqualTo(2_000);
            assertThat(rc.getKeyHeadersList()).containsExactly("Accept-Language");
            assertThat(byName.get("plain").hasCache()).isFalse();
        }
    }

    @Test
    void badPoliciesAreRefusedNamingTheField() {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"api\",\"targets\":[]}").status()).isEqualTo(201);
        long revision = db.revision();
        String[][] cases = {
                {"{\"max_object_bytes\":0}", "cache.max_object_bytes"},
                {"{\"max_object_bytes\":1073741824}", "cache.max_object_bytes"},
                {"{\"lock_timeout\":\"0s\"}", "cache.lock_timeout"},
                {"{\"key\":{\"headers\":[\"Bad Header\"]}}", "cache.key.headers[0]"},
        };
        for (String[] c : cases) {
            Response r = http.post("/api/v1/routes", "{\"name\":\"a\",\"upstream\":\"api\",\"cache\":" + c[0] + "}");
            assertThat(r.status()).as(c[0] + ": " + r.body()).isEqualTo(422);
            assertThat(r.body()).contains(c[1]);
        }
        Response unknown = http.post("/api/v1/routes", "{\"name\":\"b\",\"upstream\":\"api\",\"cache\":{\"ttl\":\"1s\"}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("cache.ttl");
        assertThat(db.revision()).isEqualTo(revision);
    }

    @Test
    void aRevisionHistoryWithAPurgeStillRollsBack() {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"history\",\"targets\":[]}").status()).isEqualTo(201);
        Response purge = http.post("/api/v1/cache/purge", "{\"tag\":\"t1\"}");
        assertThat(purge.status()).as(purge.body()).isEqualTo(201);
        assertThat(http.post("/api/v1/routes", "{\"name\":\"later\",\"upstream\":\"history\"}").status()).isEqualTo(201);
        // back to the state right after the purge: replaying the log passes over the purge's entry
        Response rollback = http.post("/api/v1/revisions/" + purge.revisionNumber() + "/rollback", "");
        assertThat(rollback.status()).as(rollback.body()).isBetween(200, 299);
        assertThat(http.get("/api/v1/routes/later").status()).isEqualTo(404);
    }
}
