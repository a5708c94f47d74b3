package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A route's actions through the admin API (issue 17): redirect, strip_prefix/rewrite, request_headers,
 * response_headers and compression are stored, shown, patched, exported and applied back as YAML, refused with
 * 422 naming the field when wrong, and pushed to the proxies in the snapshot (Route fields 60-64).
 */
class RouteActionsApiTest extends RunningControlPlane {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void actionsRoundTripAndReachTheSnapshot() throws Exception {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"web\",\"targets\":[]}").status()).isEqualTo(201);
        Response moved = http.post("/api/v1/routes", """
                {"name":"moved","hosts":["old.test"],"redirect":{"to":"https://example.com/new","status":308,"keep_path":true}}""");
        assertThat(moved.status()).as(moved.body()).isEqualTo(201);
        assertThat(moved.json().path("upstream").isNull()).isTrue();
        assertThat(moved.json().path("redirect").path("status").asInt()).isEqualTo(308);
        Response api = http.post("/api/v1/routes", """
                {"name":"api","paths":["/api"],"upstream":"web","strip_prefix":"/api",
                 "request_headers":{"set":{"X-A":"1"},"add":{"X-Trace":"on"},"remove":["X-B"]},
                 "response_headers":{"set":{"X-Frame-Options":"DENY"},"remove":["Server-Timing"]},
                 "compression":{"enabled":true,"types":["text/*","application/json"],"min_size":512,"level":6,"algorithms":["gzip"]}}""");
        assertThat(api.status()).as(api.body()).isEqualTo(201);
        assertThat(api.json().path("strip_prefix").asText()).isEqualTo("/api");
        assertThat(api.json().path("request_headers").path("set").path("x-a").asText()).isEqualTo("1");
        assertThat(api.json().path("compression").path("min_size").asLong()).isEqualTo(512);

        long written = db.revision();
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-actions", 0)) {
            Snapshot s = node.atLeast(db.revision());
            while (s.getVersion() < written) { // the snapshot is built after the write commits: wait for it
                s = node.next();
            }
            Map<String, io.edgeway.proto.v1.Route> byName = new HashMap<>();
            s.getRoutesList().forEach(r -> byName.put(r.getName(), r));
            var m = byName.get("moved");
            assertThat(m.getUpstream()).isEmpty();
            assertThat(m.getRedirect().getTo()).isEqualTo("https://example.com/new");
            assertThat(m.getRedirect().getStatus()).isEqualTo(308);
            assertThat(m.getRedirect().getKeepPath()).isTrue();
            var a = byName.get("api");
            assertThat(a.getRewrite().getPrefix()).isEqualTo("/api");
            assertThat(a.getRewrite().getReplace()).isEqualTo("/");
            assertThat(a.getRequestHeaders().getSet(0).getName()).isEqualTo("x-a");
            assertThat(a.getRequestHeaders().getRemoveList()).containsExactly("x-b");
            assertThat(a.getResponseHeaders().getSet(0).getValue()).isEqualTo("DENY");
            assertThat(a.getCompression().getTypesList()).containsExactly("text/*", "application/json");
            assertThat(a.getCompression().getLevel()).isEqualTo(6);
            assertThat(a.getCompression().getAlgorithmsList()).containsExactly("gzip");
        }

        // PATCH: strip_prefix cleared and a rewrite set instead; compression off leaves it out of the snapshot
        Response patched = http.patch("/api/v1/routes/api", """
                {"strip_prefix":null,"rewrite":{"prefix":"/api","replace":"/v2"},"compression":{"enabled":false}}""");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("rewrite").path("replace").asText()).isEqualTo("/v2");
        assertThat(patched.json().path("strip_prefix").isNull()).isTrue();

        // YAML export applies back unchanged
        Response exported = http.get("/api/v1/config?format=yaml");
        JsonNode doc = YAML.readTree(exported.body());
        assertThat(doc.toString()).contains("\"redirect\"", "\"rewrite\"", "\"request_headers\"");
        long revision = db.revision();
        Response reapplied = http.send("POST", "/api/v1/config", "application/yaml", exported.body());
        assertThat(reapplied.status()).as(reapplied.body()).isLessThan(300);
        assertThat(db.revision()).isEqualTo(revision);
        assertThat(YAML.readTree(http.get("/api/v1/config?format=yaml").body())).isEqualTo(doc);
    }

    @Test
    void badActionsAreRefusedNamingTheField() {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"api\",\"targets\":[]}").status()).isEqualTo(201);
        long revision = db.revision();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("\"upstream\":\"api\",\"redirect\":{\"to\":\"https://x.test/\"}", "redirect");
        cases.put("\"redirect\":{\"to\":\"https://x.test/\",\"status\":200}", "redirect.status");
        cases.put("\"redirect\":{\"to\":\"//evil.test/\"}", "redirect.to");
        cases.put("\"redirect\":{\"to\":\"javascript:alert(1)\"}", "redirect.to");
        cases.put("\"redirect\":{\"to\":\"https://x.test/a?b=1\",\"keep_path\":true}", "redirect.to");
        cases.put("\"redirect\":{\"to\":\"https://x.test/a\\r\\nSet-Cookie: a=b\"}", "redirect.to");
        cases.put("\"upstream\":\"api\",\"strip_prefix\":\"/a/../b\"", "strip_prefix");
        cases.put("\"upstream\":\"api\",\"rewrite\":{\"prefix\":\"/a\",\"replace\":\"v2\"}", "rewrite.replace");
        cases.put("\"upstream\":\"api\",\"strip_prefix\":\"/a\",\"rewrite\":{\"prefix\":\"/a\",\"replace\":\"/b\"}", "rewrite");
        cases.put("\"upstream\":\"api\",\"request_headers\":{\"set\":{\"Host\":\"evil\"}}", "request_headers.set.host");
        cases.put("\"upstream\":\"api\",\"request_headers\":{\"add\":{\"Transfer-Encoding\":\"chunked\"}}", "request_headers.add.transfer-encoding");
        cases.put("\"upstream\":\"api\",\"response_headers\":{\"remove\":[\"Content-Length\"]}", "response_headers.remove[0]");
        cases.put("\"upstream\":\"api\",\"response_headers\":{\"set\":{\"Connection\":\"close\"}}", "response_headers.set.connection");
        cases.put("\"upstream\":\"api\",\"response_headers\":{\"set\":{\"X-A\":\"1\\r\\nSet-Cookie: a=b\"}}", "response_headers.set.x-a");
        cases.put("\"upstream\":\"api\",\"request_headers\":{\"set\":{\"Bad Name\":\"1\"}}", "request_headers.set.bad name");
        cases.put("\"upstream\":\"api\",\"compression\":{\"level\":12}", "compression.level");
        cases.put("\"upstream\":\"api\",\"compression\":{\"algorithms\":[\"zstd\"]}", "compression.algorithms[0]");
        cases.put("\"upstream\":\"api\",\"compression\":{\"types\":[\"text\"]}", "compression.types[0]");
        int i = 0;
        for (var c : cases.entrySet()) {
            Response r = http.post("/api/v1/routes", "{\"name\":\"bad" + i++ + "\"," + c.getKey() + "}");
            assertThat(r.status()).as(c.getKey() + " -> " + r.body()).isEqualTo(422);
            assertThat(r.json().path("errors").toString()).as(c.getKey()).contains("\"field\":\"" + c.getValue() + "\"");
        }
        Response wrongShape = http.post("/api/v1/routes", "{\"name\":\"w\",\"upstream\":\"api\",\"request_headers\":{\"set\":[\"X\"]}}");
        assertThat(wrongShape.status()).isEqualTo(400);
        assertThat(wrongShape.body()).contains("request_headers.set");
        assertThat(db.revision()).isEqualTo(revision); // nothing was written
    }
}
