package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * A route's "access_log" policy through the admin API: stored, shown, patched, checked (422 naming the field),
 * and pushed to the proxies in the snapshot (absent there when it is the default: every request).
 */
class RouteAccessLogApiTest extends RunningControlPlane {
    @Test
    void samplingAndTheOffSwitchRoundTripAndReachTheSnapshot() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        Response sampled = http.post("/api/v1/routes", """
                {"name":"shop","hosts":["shop.example.com"],"upstream":"web","access_log":{"sample":0.25}}""");
        assertThat(sampled.status()).as(sampled.body()).isEqualTo(201);
        assertThat(sampled.json().path("access_log").path("sample").asDouble()).isEqualTo(0.25);
        assertThat(sampled.json().path("access_log").path("enabled").asBoolean()).isTrue();
        assertThat(http.post("/api/v1/routes", """
                {"name":"health","hosts":["h.example.com"],"upstream":"web","access_log":{"enabled":false}}""").status())
                .isEqualTo(201);
        assertThat(http.post("/api/v1/routes", """
                {"name":"plain","hosts":["p.example.com"],"upstream":"web"}""").status()).isEqualTo(201);
        assertThat(http.get("/api/v1/routes/health").json().path("access_log").path("enabled").asBoolean()).isFalse();

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-log", 0)) {
            Snapshot s = node.atLeast(db.revision());
            var byName = new java.util.HashMap<String, io.edgeway.proto.v1.Route>();
            s.getRoutesList().forEach(r -> byName.put(r.getName(), r));
            assertThat(byName.get("shop").getAccessLog().getSample()).isEqualTo(0.25);
            assertThat(byName.get("shop").getAccessLog().getOff()).isFalse();
            assertThat(byName.get("health").getAccessLog().getOff()).isTrue();
            assertThat(byName.get("plain").hasAccessLog()).isFalse();
        }

        Response patched = http.patch("/api/v1/routes/shop", "{\"access_log\":null}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("access_log").path("sample").asDouble()).isEqualTo(1.0);
    }

    @Test
    void badPoliciesAreRefusedNamingTheField() {
        long revision = db.revision();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"api\",\"targets\":[]}").status()).isEqualTo(201);
        for (String sample : new String[] {"0", "-0.5", "1.5"}) {
            Response r = http.post("/api/v1/routes", "{\"name\":\"a\",\"upstream\":\"api\",\"access_log\":{\"sample\":" + sample + "}}");
            assertThat(r.status()).as(sample).isEqualTo(422);
            assertThat(r.body()).contains("access_log.sample");
        }
        Response notANumber = http.post("/api/v1/routes", "{\"name\":\"b\",\"upstream\":\"api\",\"access_log\":{\"sample\":\"half\"}}");
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.body()).contains("access_log.sample");
        Response unknown = http.post("/api/v1/routes", "{\"name\":\"c\",\"upstream\":\"api\",\"access_log\":{\"format\":\"json\"}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(db.revision()).isEqualTo(revision + 1); // only the upstream was written
    }
}
