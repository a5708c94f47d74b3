package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lists page with size/offset/next and filter by tags; PUT creates or replaces; POST honours Idempotency-Key. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListsTest {
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        http = new Http(cp.adminPort());
        for (int i = 0; i < 7; i++) {
            String tags = i % 2 == 0 ? "[\"even\",\"all\"]" : "[\"odd\",\"all\"]";
            assertThat(http.put("/api/v1/upstreams/u" + i, "{\"tags\":" + tags + "}").status()).isEqualTo(201);
        }
        assertThat(http.put("/api/v1/routes/r0", "{\"upstream\":\"u0\",\"tags\":[\"even\"]}").status()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void pagesWalkTheWholeListInNameOrderAndEndWithNextNull() {
        // filtered by the tag every fixture has, so entities other tests add do not show up here
        List<String> names = new ArrayList<>();
        Integer offset = 0;
        int pages = 0;
        while (offset != null) {
            JsonNode page = http.get("/api/v1/upstreams?tags=all&size=3&offset=" + offset).json();
            assertThat(page.get("data").size()).isLessThanOrEqualTo(3);
            page.get("data").forEach(u -> names.add(u.get("name").asText()));
            offset = page.get("next").isNull() ? null : page.get("next").asInt();
            pages++;
        }
        assertThat(names).containsExactly("u0", "u1", "u2", "u3", "u4", "u5", "u6");
        assertThat(pages).isEqualTo(3);
        JsonNode all = http.get("/api/v1/upstreams?tags=all").json();
        assertThat(all.get("data")).hasSize(7);
        assertThat(all.get("next").isNull()).isTrue();
        assertThat(http.get("/api/v1/upstreams?tags=all&size=7").json().get("next").isNull()).isTrue();
        assertThat(http.get("/api/v1/upstreams?tags=all&size=6").json().get("next").asInt()).isEqualTo(6);
        assertThat(http.get("/api/v1/upstreams?offset=100").json().get("data")).isEmpty();
        assertThat(http.get("/api/v1/nodes?size=1000").json().has("next")).isTrue();
    }

    @Test
    void tagsFilterToEntitiesHavingAllOfThem() {
        assertThat(names(http.get("/api/v1/upstreams?tags=even").json())).containsExactly("u0", "u2", "u4", "u6");
        assertThat(names(http.get("/api/v1/upstreams?tags=all,odd").json())).containsExactly("u1", "u3", "u5");
        assertThat(names(http.get("/api/v1/upstreams?tags=even,odd").json())).isEmpty();
        assertThat(names(http.get("/api/v1/upstreams?tags=even&size=2&offset=2").json())).containsExactly("u4", "u6");
        assertThat(names(http.get("/api/v1/routes?tags=even").json())).containsExactly("r0");
        assertThat(names(http.get("/api/v1/routes?tags=odd").json())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"size=0", "size=1001", "size=ten", "offset=-1", "offset=x", "size="})
    void badPagingIs400NamingTheParameter(String query) {
        for (String list : List.of("/api/v1/upstreams", "/api/v1/routes", "/api/v1/nodes")) {
            Response r = http.get(list + "?" + query);
            assertThat(r.status()).as(list + "?" + query).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo(query.substring(0, query.indexOf('=')));
        }
    }

    @Test
    void putByNameCreatesThenReplaces() {
        Response created = http.put("/api/v1/upstreams/made-by-put", "{\"tags\":[\"x\"]}");
        assertThat(created.status()).isEqualTo(201);
        Response replaced = http.put("/api/v1/upstreams/made-by-put", "{}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("id")).isEqualTo(created.json().get("id"));
        assertThat(replaced.json().get("tags")).isEmpty();
        assertThat(http.delete("/api/v1/upstreams/made-by-put").status()).isEqualTo(204);
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyGetsTheFirstAnswerWithoutWritingAgain() {
        String body = "{\"name\":\"once\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}";
        Response first = post("/api/v1/upstreams", body, "key-1");
        assertThat(first.status()).isEqualTo(201);
        long revision = db.revision();

        Response retry = post("/api/v1/upstreams", body, "key-1");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.revisionNumber()).isEqualTo(first.revisionNumber());
        assertThat(retry.etag()).isEqualTo(first.etag());
        assertThat(db.revision()).isEqualTo(revision);

        Response other = post("/api/v1/upstreams", "{\"name\":\"twice\"}", "key-1");
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().get("errors").get(0).get("field").asText()).isEqualTo("Idempotency-Key");
        assertThat(db.revision()).isEqualTo(revision);

        // keys are per path: the same key on routes is a different request
        assertThat(post("/api/v1/routes", "{\"name\":\"once\",\"upstream\":\"once\"}", "key-1").status()).isEqualTo(201);
        // without a key, a repeated create is a conflict, as before
        assertThat(http.post("/api/v1/upstreams", body).status()).isEqualTo(409);
        assertThat(db.count("idempotency_keys")).isEqualTo(2);
    }

    private Response post(String path, String body, String key) {
        return http.send("POST", path, "application/json", body, Map.of("Idempotency-Key", key));
    }

    private static List<String> names(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("data").forEach(e -> out.add(e.get("name").asText()));
        return out;
    }
}
