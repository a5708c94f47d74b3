package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ?q=} on the entity lists against real PostgreSQL: name contains, any case, paged after filtering,
 * combined with tags; wildcard characters mean themselves; an overlong or control-character search is a 400.
 */
class NameSearchApiTest extends RunningControlPlane {

    private List<String> names(String path) {
        Http.Response r = http.get(path);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return r.json().get("data").findValuesAsText("name");
    }

    @Test
    void listsAnswerOnlyNamesContainingTheSearchAnyCasePagedAfterFiltering() {
        for (String name : List.of("Shop-EU", "shop-us", "blog", "workshop", "a_b", "axb", "shop-old")) {
            String tags = name.endsWith("old") ? "[\"old\"]" : "[\"live\"]";
            assertThat(http.put("/api/v1/upstreams/" + name, "{\"tags\":" + tags + "}").status()).isEqualTo(201);
        }
        assertThat(http.put("/api/v1/routes/shop-route", "{\"upstream\":\"blog\"}").status()).isEqualTo(201);
        assertThat(http.put("/api/v1/routes/other-route", "{\"upstream\":\"blog\"}").status()).isEqualTo(201);

        assertThat(names("/api/v1/upstreams?q=SHOP")).containsExactly("Shop-EU", "shop-old", "shop-us", "workshop");
        // the page is taken after the search: the second match of size 1 is the second shop, not the second upstream
        JsonNode first = http.get("/api/v1/upstreams?q=shop&size=1").json();
        assertThat(first.get("data").findValuesAsText("name")).containsExactly("Shop-EU");
        assertThat(first.get("next").asInt()).isEqualTo(1);
        assertThat(names("/api/v1/upstreams?q=shop&size=1&offset=1")).containsExactly("shop-old");
        assertThat(names("/api/v1/upstreams?q=shop&tags=live")).containsExactly("Shop-EU", "shop-us", "workshop");
        // "_" and "%" are not wildcards: a_b matches itself, not axb
        assertThat(names("/api/v1/upstreams?q=a_b")).containsExactly("a_b");
        assertThat(names("/api/v1/upstreams?q=%25")).isEmpty();
        assertThat(names("/api/v1/upstreams?q=nothing-like-it")).isEmpty();
        assertThat(names("/api/v1/routes?q=shop")).containsExactly("shop-route");
        assertThat(names("/api/v1/upstreams?q=")).hasSize(7); // an empty search is no search
    }

    @Test
    void anOverlongOrControlCharacterSearchIsRefusedNamingQ() {
        for (String q : List.of("x".repeat(129), "a%00b", "a%0Ab")) {
            for (String list : List.of("/api/v1/upstreams", "/api/v1/routes", "/api/v1/certificates", "/api/v1/stream-routes")) {
                Http.Response r = http.get(list + "?q=" + q);
                assertThat(r.status()).as(list + " q=" + q).isEqualTo(400);
                assertThat(r.json().get("errors").findValuesAsText("field")).containsExactly("q");
            }
        }
        assertThat(http.get("/api/v1/upstreams?q=" + "x".repeat(128)).status()).isEqualTo(200);
    }
}
