package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Create, read, replace, patch and delete upstreams and routes; each write is exactly one revision. */
class CrudApiTest extends RunningControlPlane {

    @Test
    void healthz() {
        Response r = http.get("/healthz");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void servesTheWebAdminAtTheRootOnceItIsPackaged() {
        // the web-admin module may not have its page yet; the route only exists when it does
        Assumptions.assumeTrue(ControlPlane.class.getResource("/io/edgeway/webadmin/index.html") != null);
        Response r = http.get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
    }

    @Test
    void upstreamAndRouteLifecycle() {
        long rev = db.revision();

        Response created = http.post("/api/v1/upstreams",
                "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}],\"tags\":[\"team-a\"]}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.revisionNumber()).isEqualTo(++rev);
        JsonNode u = created.json();
        String id = u.get("id").asText();
        assertThat(u.get("name").asText()).isEqualTo("shop");
        assertThat(u.get("targets").get(0).get("weight").asInt()).isEqualTo(1);
        assertThat(u.get("tags").get(0).asText()).isEqualTo("team-a");
        assertThat(u.get("created_at").asText()).isNotBlank();
        assertThat(u.get("updated_at").asText()).isNotBlank();

        assertThat(http.get("/api/v1/upstreams/shop").json().get("id").asText()).isEqualTo(id);
        assertThat(http.get("/api/v1/upstreams/" + id).json().get("name").asText()).isEqualTo("shop");
        assertThat(http.get("/api/v1/upstreams").json().get("data")).hasSize(1);

        Response route = http.post("/api/v1/routes", """
                {"name":"shop","hosts":["Shop.Example.com","*.example.org"],"paths":["/"],"methods":["get"],
                 "upstream":"shop","timeouts":{"connect":"1s","first_byte":"2500ms","idle":"1m"}}""");
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.revisionNumber()).isEqualTo(++rev);
        JsonNode rj = route.json();
        assertThat(rj.get("hosts").toString()).isEqualTo("[\"shop.example.com\",\"*.example.org\"]");
        assertThat(rj.get("methods").toString()).isEqualTo("[\"GET\"]");
        assertThat(rj.get("timeouts").toString()).isEqualTo("{\"connect\":\"1s\",\"first_byte\":\"2500ms\",\"idle\":\"1m\"}");
        assertThat(rj.get("upstream").asText()).isEqualTo("shop");

        Response replaced = http.put("/api/v1/upstreams/shop",
                "{\"targets\":[{\"host\":\"Backend.local\",\"port\":9002,\"weight\":5}]}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.revisionNumber()).isEqualTo(++rev);
        assertThat(replaced.json().get("id").asText()).isEqualTo(id);
        assertThat(replaced.json().get("tags")).isEmpty(); // PUT replaces: tags not given are gone
        assertThat(replaced.json().get("targets").get(0).get("host").asText()).isEqualTo("backend.local");

        Response patched = http.patch("/api/v1/upstreams/" + id, "{\"name\":\"store\",\"tags\":[\"renamed\"]}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.revisionNumber()).isEqualTo(++rev);
        assertThat(patched.json().get("targets").get(0).get("port").asInt()).isEqualTo(9002); // kept
        assertThat(patched.json().get("name").asText()).isEqualTo("store");
        // the route follows its upstream by id, so the rename shows through
        assertThat(http.get("/api/v1/routes/shop").json().get("upstream").asText()).isEqualTo("store");

        Response putNew = http.put("/api/v1/upstreams/api", "{\"targets\":[]}");
        assertThat(putNew.status()).isEqualTo(201);
        assertThat(putNew.revisionNumber()).isEqualTo(++rev);

        Response routePatch = http.patch("/api/v1/routes/shop", "{\"upstream\":\"api\",\"timeouts\":null,\"methods\":[]}");
        assertThat(routePatch.status()).isEqualTo(200);
        assertThat(routePatch.revisionNumber()).isEqualTo(++rev);
        assertThat(routePatch.json().get("timeouts")).isEmpty();
        assertThat(routePatch.json().get("methods")).isEmpty();
        assertThat(routePatch.json().get("hosts")).hasSize(2);

        Response routePut = http.put("/api/v1/routes/other", "{\"paths\":[\"/a\",\"/b\"],\"upstream\":\"api\"}");
        assertThat(routePut.status()).isEqualTo(201);
        assertThat(routePut.revisionNumber()).isEqualTo(++rev);
        assertThat(http.get("/api/v1/routes").json().get("data")).hasSize(2);

        assertThat(http.delete("/api/v1/routes/other").revisionNumber()).isEqualTo(++rev);
        Response del = http.delete("/api/v1/routes/shop");
        assertThat(del.status()).isEqualTo(204);
        assertThat(del.revisionNumber()).isEqualTo(++rev);
        assertThat(http.delete("/api/v1/upstreams/store").revisionNumber()).isEqualTo(++rev);
        assertThat(http.delete("/api/v1/upstreams/api").revisionNumber()).isEqualTo(++rev);
        assertThat(http.get("/api/v1/upstreams/store").status()).isEqualTo(404);

        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("upstreams")).isZero();
        assertThat(db.count("routes")).isZero();

        JsonNode log = http.get("/api/v1/revisions").json().get("data");
        assertThat(log.get(0).get("revision").asLong()).isEqualTo(rev);
        assertThat(log.get(0).get("entries").get(0).get("action").asText()).isEqualTo("delete");
        JsonNode last = http.get("/api/v1/revisions/" + rev).json().get("entries").get(0);
        assertThat(last.get("before").get("name").asText()).isEqualTo("api");
        assertThat(last.get("after").isNull()).isTrue();
        // gapless: one log entry per revision
        assertThat(db.count("revisions")).isEqualTo(rev);
    }
}
