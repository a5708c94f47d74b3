package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgeway.controlplane.Http.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POST/GET /api/v1/config: a whole document applied in one transaction and one revision, all or nothing.
 * Every test starts by applying a full document, which replaces whatever an earlier test left.
 */
class ConfigApiTest extends RunningControlPlane {
    static final String A = """
            {"upstreams":[{"name":"shop","targets":[{"host":"127.0.0.1","port":9001,"weight":1}]},
                          {"name":"web","tags":["team-a"],"targets":[{"host":"127.0.0.1","port":9002,"weight":3}]}],
             "routes":[{"name":"shop","hosts":["shop.example.com"],"paths":["/"],"upstream":"shop"},
                       {"name":"web","paths":["/web"],"methods":["GET"],"upstream":"web","timeouts":{"connect":"1s"}}]}""";
    static final String B = """
            {"upstreams":[{"name":"shop","targets":[{"host":"127.0.0.1","port":9011,"weight":1}]},
                          {"name":"api","targets":[{"host":"127.0.0.1","port":9003,"weight":1}]}],
             "routes":[{"name":"shop","hosts":["shop.example.com"],"paths":["/"],"upstream":"shop"},
                       {"name":"api","paths":["/api"],"upstream":"api"}]}""";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());


    @Test
    void appliesAWholeDocumentAsOneRevisionAndAgainAsNone() {
        http.post("/api/v1/config", "{}");
        long rev = db.revision();
        long entries = db.count("revisions");

        Response a = http.post("/api/v1/config", A);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.revisionNumber()).isEqualTo(rev + 1);
        assertThat(a.json().get("revision").asLong()).isEqualTo(rev + 1);
        assertThat(names(a.json().get("created"))).containsExactlyInAnyOrder("upstream shop", "upstream web", "route shop", "route web");
        assertThat(db.revision()).isEqualTo(rev + 1);
        assertThat(db.count("revisions")).isEqualTo(entries + 4); // one entry per entity, all under one revision

        Response again = http.post("/api/v1/config", A);
        assertThat(again.revisionNumber()).isEqualTo(rev + 1); // nothing changed, nothing committed
        assertThat(names(again.json().get("unchanged"))).hasSize(4);
        assertThat(again.json().get("created")).isEmpty();

        Response b = http.post("/api/v1/config", B);
        assertThat(b.revisionNumber()).isEqualTo(rev + 2);
        JsonNode plan = b.json();
        assertThat(names(plan.get("created"))).containsExactlyInAnyOrder("upstream api", "route api");
        assertThat(names(plan.get("updated"))).containsExactly("upstream shop");
        assertThat(plan.get("updated").get(0).get("fields").toString()).isEqualTo("[\"targets\"]");
        assertThat(names(plan.get("deleted"))).containsExactlyInAnyOrder("upstream web", "route web");
        assertThat(names(plan.get("unchanged"))).containsExactly("route shop");
        assertThat(http.get("/api/v1/config").json()).isEqualTo(canonical(B));
        // the push path hears of the one revision and builds it (on its own thread)
        await().atMost(Duration.ofSeconds(10)).until(() -> cp.version() >= rev + 2);
    }

    @Test
    void aWholeDocumentMayBeLargerThanOneEntitysBodyLimitDeclaredOrChunked() {
        // 14,000 routes: over the 1 MiB an entity's body may have; 10,000 certificates with keys are ~13 MB
        StringBuilder doc = new StringBuilder("{\"upstreams\":[{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}],\"routes\":[");
        for (int i = 0; i < 14_000; i++) {
            doc.append(i == 0 ? "" : ",").append("{\"name\":\"r").append(i).append("\",\"hosts\":[\"h").append(i)
                    .append(".example.com\"],\"paths\":[\"/p").append(i).append("/\"],\"upstream\":\"shop\"}");
        }
        doc.append("]}");
        assertThat(doc.length()).isGreaterThan(1024 * 1024);

        for (Response r : List.of(http.post("/api/v1/config?dry_run=true", doc.toString()),
                http.sendChunked("POST", "/api/v1/config?dry_run=true", "application/json", doc.toString()))) {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("problems")).isEmpty();
            assertThat(r.json().get("created").size()).isGreaterThanOrEqualTo(14_000);
        }
    }

    @Test
    void dryRunAnswersThePlanAndWritesNothing() {
        http.post("/api/v1/config", A);
        long rev = db.revision();
        Response r = http.post("/api/v1/config?dry_run=true", B);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.revisionNumber()).isEqualTo(rev);
        assertThat(names(r.json().get("created"))).containsExactlyInAnyOrder("upstream api", "route api");
        assertThat(names(r.json().get("deleted"))).containsExactlyInAnyOrder("upstream web", "route web");
        assertThat(r.json().get("problems")).isEmpty();
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(http.get("/api/v1/config").json()).isEqualTo(canonical(A));
    }

    @Test
    void anInvalidDocumentListsEveryProblemWithItsPathAndWritesNothing() {
        http.post("/api/v1/config", A);
        long rev = db.revision();
        long entries = db.count("revisions");
        String bad = """
                {"upstreams":[{"name":"shop","targets":[{"host":"127.0.0.1","port":0}]},
                              {"name":"shop","targets":[{"host":"127.0.0.1","port":1}]},
                              {"name":"x","color":"red"}],
                 "routes":[{"name":"ok","upstream":"shop"},
                           {"name":"r","paths":["nope"],"upstream":"missing"}]}""";
        Response r = http.post("/api/v1/config", bad);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(fields(r.json().get("errors"))).contains("upstreams[0].targets[0].port", "upstreams[2].color", "routes[1].paths[0]");

        // once each entity is fine on its own, the document-wide checks name the rest
        String dangling = """
                {"upstreams":[{"name":"shop","targets":[{"host":"127.0.0.1","port":1}]},
                              {"name":"shop","targets":[{"host":"127.0.0.1","port":2}]}],
                 "routes":[{"name":"ok","upstream":"shop"},{"name":"r","upstream":"missing"}]}""";
        Response d = http.post("/api/v1/config", dangling);
        assertThat(d.status()).isEqualTo(422);
        assertThat(fields(d.json().get("errors"))).containsExactly("upstreams[1].name", "routes[1].upstream");

        Response dry = http.post("/api/v1/config?dry_run=true", dangling);
        assertThat(dry.status()).isEqualTo(200);
        assertThat(fields(dry.json().get("problems"))).containsExactly("upstreams[1].name", "routes[1].upstream");
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("revisions")).isEqualTo(entries);
    }

    @Test
    void refusesWhatTheProxyWouldRejectEvenWhenTheModelAcceptsIt() {
        String proxyRejects = """
                {"upstreams":[{"name":"empty"}],
                 "routes":[{"name":"r","methods":["GET.X"],"upstream":"empty"}]}""";
        long rev = db.revision();
        Response r = http.post("/api/v1/config", proxyRejects);
        assertThat(r.status()).isEqualTo(422);
        assertThat(fields(r.json().get("errors"))).containsExactly("routes[0].methods[0]");
        assertThat(fields(http.post("/api/v1/config?dry_run=true", proxyRejects).json().get("problems")))
                .containsExactly("routes[0].methods[0]");
        assertThat(db.revision()).isEqualTo(rev);
    }

    @Test
    void theEntityApiRefusesWhatTheProxyWouldRejectToo() {
        assertThat(http.post("/api/v1/upstreams", "{\"name\":\"guarded\"}").status()).isEqualTo(201);
        long rev = db.revision();
        long entries = db.count("revisions");
        Response r = http.post("/api/v1/routes", "{\"name\":\"dotted\",\"methods\":[\"GET.X\"],\"upstream\":\"guarded\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(fields(r.json().get("errors"))).containsExactly("methods[0]");
        assertThat(r.json().get("detail").asText()).contains("the proxies would reject this config");
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("revisions")).isEqualTo(entries);
        assertThat(http.get("/api/v1/routes/dotted").status()).isEqualTo(404);
    }

    @Test
    void balancingAndHealthCheckSettingsExportAndRollBackWithTheUpstream() {
        String balanced = """
                {"upstreams":[{"name":"shop","targets":[{"host":"127.0.0.1","port":9001}],"policy":"consistent_hash",
                               "hash_on":{"header":"X-User"},"slow_start":"30s",
                               "health_check":{"passive":{"consecutive_failures":3,"ejection_time":"5s"}}}]}""";
        long applied = http.post("/api/v1/config", balanced).revisionNumber();
        Response exported = http.get("/api/v1/config");
        assertThat(exported.json().get("upstreams").get(0).get("hash_on").get("header").asText()).isEqualTo("X-User");
        // an export applies back unchanged: it must carry the policy, or applying it would reset the policy
        assertThat(http.post("/api/v1/config", exported.body()).revisionNumber()).isEqualTo(applied);

        http.post("/api/v1/config", "{}");
        Response back = http.post("/api/v1/revisions/" + applied + "/rollback", "");
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(http.get("/api/v1/config").json()).isEqualTo(exported.json());
    }

    @Test
    void acceptsYamlAndExportsTheSameDocumentBack() throws Exception {
        String yaml = """
                upstreams:
                  - name: shop
                    targets:
                      - {host: 127.0.0.1, port: 9001, weight: 2}
                routes:
                  - name: shop
                    hosts: [Shop.Example.com]
                    paths: [/]
                    upstream: shop
                    timeouts: {first_byte: 2500ms}
                """;
        Response r = http.send("POST", "/api/v1/config", "application/yaml", yaml);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Response exported = http.get("/api/v1/config?format=yaml");
        assertThat(exported.contentType()).startsWith("application/yaml");
        JsonNode back = YAML.readTree(exported.body());
        assertThat(back.get("routes").get(0).get("hosts").get(0).asText()).isEqualTo("shop.example.com");
        assertThat(back.get("routes").get(0).get("timeouts").get("first_byte").asText()).isEqualTo("2500ms");
        long rev = db.revision();
        // export -> apply changes nothing: the export is the state
        Response reapplied = http.send("POST", "/api/v1/config", "application/yaml", exported.body());
        assertThat(reapplied.revisionNumber()).isEqualTo(rev);
        assertThat(reapplied.json().get("unchanged")).hasSize(2);

        assertThat(http.send("POST", "/api/v1/config", "application/yaml", "upstreams: [").status()).isEqualTo(400);
        assertThat(http.send("POST", "/api/v1/config", "text/plain", "{}").status()).isEqualTo(415);
        assertThat(http.send("POST", "/api/v1/config?dry_run=maybe", "application/json", "{}").status()).isEqualTo(400);
    }

    @Test
    void jsonExportHasNoIdsOrTimestampsAndReappliesUnchanged() {
        http.post("/api/v1/config", A);
        long rev = db.revision();
        Response exported = http.get("/api/v1/config");
        assertThat(exported.revisionNumber()).isEqualTo(rev);
        assertThat(exported.body()).doesNotContain("\"id\"", "created_at", "updated_at");
        assertThat(http.post("/api/v1/config", exported.body()).revisionNumber()).isEqualTo(rev);
    }

    /** The document as the server writes it back: sorted by name, empty lists and defaults left out. */
    private JsonNode canonical(String doc) {
        try {
            JsonNode n = Http.JSON.readTree(doc);
            for (String kind : List.of("upstreams", "routes", "certificates", "stream_routes")) {
                List<JsonNode> items = new ArrayList<>();
                n.path(kind).forEach(items::add);
                items.sort((x, y) -> x.get("name").asText().compareTo(y.get("name").asText()));
                ((com.fasterxml.jackson.databind.node.ObjectNode) n).set(kind, Http.JSON.valueToTree(items));
            }
            return n;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> names(JsonNode changes) {
        List<String> out = new ArrayList<>();
        changes.forEach(c -> out.add(c.get("kind").asText() + " " + c.get("name").asText()));
        return out;
    }

    static List<String> fields(JsonNode errors) {
        List<String> out = new ArrayList<>();
        errors.forEach(e -> out.add(e.get("field").asText()));
        return out;
    }
}
