package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** Every route of the app, read from its route table, refuses the wrong caller; tokens are managed through the API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {
    private static final List<String> PUBLIC = List.of("/healthz", "/api/v1/openapi.yaml");

    private TestDatabase db;
    private ControlPlane cp;
    private Http admin;
    private Http readOnly;
    private List<Routes> routes;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        admin = new Http(cp.adminPort());
        Response created = admin.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"read-only\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        readOnly = new Http(cp.adminPort(), created.json().get("token").asText());
        routes = Routes.of(cp);
        assertThat(routes).extracting(Routes::toString).contains("GET /api/v1/upstreams", "DELETE /api/v1/tokens/{name}");
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void withoutATokenOrWithAWrongOneEveryRouteButThePublicOnesIs401() {
        Http none = new Http(cp.adminPort(), null);
        Http wrong = new Http(cp.adminPort(), "ew_not-a-token");
        assertThat(routes.stream().map(Routes::path).filter(PUBLIC::contains).distinct()).containsExactlyInAnyOrderElementsOf(PUBLIC);
        for (Routes r : routes) {
            if (PUBLIC.contains(r.path())) {
                assertThat(none.send(r.method(), r.path(), null, null).status()).as(r.toString()).isEqualTo(200);
                continue;
            }
            for (Http client : List.of(none, wrong)) {
                Response res = client.send(r.method(), r.concrete("shop"), "application/json", r.mutating() ? "{}" : null);
                assertThat(res.status()).as(r.toString()).isEqualTo(401);
                assertThat(res.header("WWW-Authenticate")).as(r.toString()).startsWith("Bearer");
                assertThat(res.contentType()).as(r.toString()).startsWith("application/problem+json");
            }
        }
    }

    @Test
    void aReadOnlyTokenReadsEverythingAndWritesNothing() {
        long revision = db.revision();
        for (Routes r : routes) {
            Response res = readOnly.send(r.method(), r.concrete("shop"), "application/json", r.mutating() ? "{\"name\":\"shop\"}" : null);
            if (r.mutating()) {
                assertThat(res.status()).as(r.toString()).isEqualTo(403);
                assertThat(res.json().get("type").asText()).isEqualTo("urn:edgeway:problem:forbidden");
            } else {
                assertThat(res.status()).as(r.toString()).isNotIn(401, 403);
            }
        }
        assertThat(db.revision()).isEqualTo(revision);
    }

    @Test
    void theWebPageStaysPublicAndNoCorsHeadersAreSent() {
        Http none = new Http(cp.adminPort(), null);
        if (ControlPlane.class.getResource("/io/edgeway/webadmin/index.html") != null) {
            Response page = none.get("/");
            assertThat(page.status()).isEqualTo(200);
            // the page and its modules carry the strict policy: own-origin script and style only, nothing inline
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("default-src 'self'").contains("script-src 'self'").doesNotContain("unsafe-inline"));
            assertThat(none.get("/ui/main.js").status()).isEqualTo(200);
            assertThat(none.get("/ui/main.js").headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).contains("javascript"));
        }
        // only the UI's own modules are public under /ui/: anything else there still needs a token
        assertThat(none.get("/ui/notes.txt").status()).isEqualTo(401);
        assertThat(none.get("/api/v1/upstreams").headers().firstValue("Content-Security-Policy")).isPresent();
        Response r = admin.send("GET", "/api/v1/upstreams", null, null, Map.of("Origin", "https://evil.example"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void tokensAreShownOnceListedWithoutSecretsRevocableAndNameTheRevisionActor() {
        Response created = admin.post("/api/v1/tokens", "{\"name\":\"ops\",\"role\":\"admin\"}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("token").asText();
        assertThat(secret).startsWith("ew_").hasSizeGreaterThan(40);
        assertThat(admin.post("/api/v1/tokens", "{\"name\":\"ops\",\"role\":\"admin\"}").status()).isEqualTo(409);
        assertThat(admin.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"root\"}").status()).isEqualTo(422);

        JsonNode list = admin.get("/api/v1/tokens").json().get("data");
        assertThat(list.toString()).doesNotContain(secret).doesNotContain("token\"");
        assertThat(list.findValuesAsText("name")).contains("env", "ci", "ops");
        assertThat(db.queryText("SELECT encode(token_sha256, 'hex') FROM admin_tokens WHERE name = 'ops'")).doesNotContain(secret);

        Http ops = new Http(cp.adminPort(), secret);
        long rev = ops.post("/api/v1/upstreams", "{\"name\":\"by-ops\"}").revisionNumber();
        JsonNode entry = admin.get("/api/v1/revisions").json().get("data").get(0);
        assertThat(entry.get("revision").asLong()).isEqualTo(rev);
        assertThat(entry.get("actor").asText()).isEqualTo("ops");

        assertThat(admin.delete("/api/v1/tokens/ops").status()).isEqualTo(204);
        assertThat(ops.get("/api/v1/upstreams").status()).isEqualTo(401);
        assertThat(admin.delete("/api/v1/tokens/ops").status()).isEqualTo(404);
        // the last admin token cannot go: nobody could ever administer the fleet again
        assertThat(admin.delete("/api/v1/tokens/env").status()).isEqualTo(409);
    }

    @Test
    void failedAttemptsAreAudited() {
        Logger audit = (Logger) LoggerFactory.getLogger("edgeway.audit");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        audit.addAppender(seen);
        audit.setLevel(Level.INFO); // the test log config keeps everything below WARN quiet
        try {
            new Http(cp.adminPort(), "ew_guess").get("/api/v1/routes");
            readOnly.delete("/api/v1/routes/x");
            assertThat(admin.post("/api/v1/tokens", "{\"name\":\"audited\",\"role\":\"read-only\"}").status()).isEqualTo(201);
            assertThat(admin.delete("/api/v1/tokens/audited").status()).isEqualTo(204);
        } finally {
            audit.detachAppender(seen);
            audit.setLevel(null);
        }
        assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m ->
                assertThat(m).contains("\"event\":\"admin_auth_failed\"", "\"reason\":\"unknown-token\"", "\"path\":\"/api/v1/routes\""))
                .anySatisfy(m -> assertThat(m).contains("\"reason\":\"read-only-token-on-write\"", "\"token\":\"ci\""))
                .anySatisfy(m -> assertThat(m).contains("\"event\":\"admin_token_created\"", "\"name\":\"audited\"", "\"by\":\"env\""))
                .anySatisfy(m -> assertThat(m).contains("\"event\":\"admin_token_deleted\"", "\"name\":\"audited\""))
                .noneSatisfy(m -> assertThat(m).contains("ew_guess"));
    }
}
