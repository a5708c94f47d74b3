package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * A route's "https_redirect" and "hsts" through the admin API: stored, shown, patched, checked (422 naming
 * the field), exported in the declarative document, and pushed to the proxies in the snapshot.
 */
class RouteHttpsApiTest extends RunningControlPlane {
    @Test
    void httpsRedirectAndHstsRoundTripAndReachTheSnapshot() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        Response created = http.post("/api/v1/routes", """
                {"name":"shop","hosts":["shop.example.com"],"upstream":"web","https_redirect":true,
                 "hsts":{"max_age":31536000,"include_subdomains":true}}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("https_redirect").asBoolean()).isTrue();
        assertThat(created.json().path("hsts").path("max_age").asLong()).isEqualTo(31_536_000);
        assertThat(http.get("/api/v1/routes/shop").json().path("hsts").path("include_subdomains").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/config").body()).contains("https_redirect").contains("31536000");

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-https", 0)) {
            Snapshot s = node.atLeast(db.revision());
            var route = s.getRoutesList().stream().filter(r -> r.getName().equals("shop")).findFirst().orElseThrow();
            assertThat(route.getHttpsRedirect()).isTrue();
            assertThat(route.getHstsMaxAgeS()).isEqualTo(31_536_000);
            assertThat(route.getHstsIncludeSubdomains()).isTrue();
        }

        Response patched = http.patch("/api/v1/routes/shop", "{\"hsts\":null,\"https_redirect\":false}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("https_redirect").asBoolean()).isFalse();
        assertThat(patched.json().path("hsts").isNull()).isTrue();
    }

    @Test
    void badHttpsPoliciesAreRefusedNamingTheField() {
        long revision = db.revision();
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"api\",\"targets\":[]}").status()).isEqualTo(201);
        Response tooLong = http.post("/api/v1/routes", "{\"name\":\"a\",\"upstream\":\"api\",\"hsts\":{\"max_age\":63072001}}");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.body()).contains("hsts.max_age");
        Response subdomainsAlone = http.post("/api/v1/routes", "{\"name\":\"b\",\"upstream\":\"api\",\"hsts\":{\"include_subdomains\":true}}");
        assertThat(subdomainsAlone.status()).isEqualTo(422);
        assertThat(subdomainsAlone.body()).contains("hsts.include_subdomains");
        Response notBoolean = http.post("/api/v1/routes", "{\"name\":\"c\",\"upstream\":\"api\",\"https_redirect\":\"yes\"}");
        assertThat(notBoolean.status()).isEqualTo(400);
        assertThat(notBoolean.body()).contains("https_redirect");
        Response unknown = http.post("/api/v1/routes", "{\"name\":\"d\",\"upstream\":\"api\",\"hsts\":{\"preload\":true}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(db.revision()).isEqualTo(revision + 1); // only the upstream was written
    }
}
