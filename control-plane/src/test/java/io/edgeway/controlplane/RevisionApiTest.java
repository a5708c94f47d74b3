package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** History: revisions newest first and paginated, one revision with its diff, rollback as a new revision. */
class RevisionApiTest extends RunningControlPlane {

    @Test
    void rollbackCommitsTheStateOfAnOldRevisionAsANewOne() {
        long a = http.post("/api/v1/config", ConfigApiTest.A).revisionNumber();
        JsonNode stateA = http.get("/api/v1/config").json();
        long b = http.post("/api/v1/config", ConfigApiTest.B).revisionNumber();
        assertThat(b).isEqualTo(a + 1);
        assertThat(http.get("/api/v1/config").json()).isNotEqualTo(stateA);

        Response r = http.post("/api/v1/revisions/" + a + "/rollback", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.revisionNumber()).isEqualTo(b + 1);
        assertThat(r.json().get("rolled_back_to").asLong()).isEqualTo(a);
        assertThat(ConfigApiTest.names(r.json().get("created"))).containsExactlyInAnyOrder("upstream web", "route web");
        assertThat(http.get("/api/v1/config").json()).isEqualTo(stateA);
        assertThat(db.revision()).isEqualTo(b + 1);

        // rolling back to the state we are in changes nothing and commits nothing
        assertThat(http.post("/api/v1/revisions/" + a + "/rollback", "").revisionNumber()).isEqualTo(b + 1);
    }

    @Test
    void aRollbackDryRunAnswersThePlanAndWritesNothing() {
        long a = http.post("/api/v1/config", ConfigApiTest.A).revisionNumber();
        JsonNode stateA = http.get("/api/v1/config").json();
        long b = http.post("/api/v1/config", ConfigApiTest.B).revisionNumber();
        JsonNode stateB = http.get("/api/v1/config").json();

        Response plan = http.post("/api/v1/revisions/" + a + "/rollback?dry_run=true", "");
        assertThat(plan.status()).as(plan.body()).isEqualTo(200);
        assertThat(plan.json().get("dry_run").asBoolean()).isTrue();
        // the same plan the real rollback then commits, and nothing written meanwhile
        assertThat(ConfigApiTest.names(plan.json().get("created"))).containsExactlyInAnyOrder("upstream web", "route web");
        assertThat(db.revision()).isEqualTo(b);
        assertThat(http.get("/api/v1/config").json()).isEqualTo(stateB);
        assertThat(http.post("/api/v1/revisions/" + a + "/rollback?dry_run=maybe", "").status()).isEqualTo(400);

        Response done = http.post("/api/v1/revisions/" + a + "/rollback", "");
        assertThat(ConfigApiTest.names(done.json().get("created"))).isEqualTo(ConfigApiTest.names(plan.json().get("created")));
        assertThat(http.get("/api/v1/config").json()).isEqualTo(stateA);
    }

    @Test
    void rollbackFollowsAnUpstreamRenamedThroughTheEntityApi() {
        http.post("/api/v1/config", "{}");
        http.post("/api/v1/upstreams", "{\"name\":\"old\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}");
        http.post("/api/v1/routes", "{\"name\":\"r\",\"paths\":[\"/\"],\"upstream\":\"old\"}");
        long beforeRename = db.revision();
        long renamed = http.patch("/api/v1/upstreams/old", "{\"name\":\"new\"}").revisionNumber();
        http.post("/api/v1/config", "{}"); // everything gone

        Response back = http.post("/api/v1/revisions/" + renamed + "/rollback", "");
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        JsonNode state = http.get("/api/v1/config").json();
        assertThat(state.get("upstreams").get(0).get("name").asText()).isEqualTo("new");
        assertThat(state.get("routes").get(0).get("upstream").asText()).isEqualTo("new");

        http.post("/api/v1/revisions/" + beforeRename + "/rollback", "");
        assertThat(http.get("/api/v1/config").json().get("routes").get(0).get("upstream").asText()).isEqualTo("old");
    }

    @Test
    void oneRevisionShowsItsEntriesWithAFieldDiff() {
        http.post("/api/v1/config", ConfigApiTest.A);
        long b = http.post("/api/v1/config", ConfigApiTest.B).revisionNumber();
        JsonNode rev = http.get("/api/v1/revisions/" + b).json();
        assertThat(rev.get("revision").asLong()).isEqualTo(b);
        assertThat(rev.get("time").asText()).isNotBlank();
        List<String> actions = new ArrayList<>();
        JsonNode shopUpdate = null;
        for (JsonNode e : rev.get("entries")) {
            actions.add(e.get("action").asText() + " " + e.get("kind").asText() + " " + e.get("name").asText());
            if (e.get("action").asText().equals("update")) {
                shopUpdate = e;
            }
        }
        assertThat(actions).containsExactlyInAnyOrder("create upstream api", "update upstream shop",
                "delete route web", "create route api", "delete upstream web");
        JsonNode diff = shopUpdate.get("diff");
        assertThat(diff.get("changed").fieldNames()).toIterable().containsExactly("targets");
        assertThat(diff.get("changed").get("targets").get("before").get(0).get("port").asInt()).isEqualTo(9001);
        assertThat(diff.get("changed").get("targets").get("after").get(0).get("port").asInt()).isEqualTo(9011);
        assertThat(shopUpdate.get("before").get("name").asText()).isEqualTo("shop");
        JsonNode created = rev.get("entries").get(1); // upstreams first, in document order: shop, then api
        assertThat(created.get("action").asText() + " " + created.get("name").asText()).isEqualTo("create api");
        assertThat(created.get("diff").get("added").has("targets")).isTrue();
        assertThat(created.get("diff").get("added").has("id")).isFalse(); // bookkeeping is not config
    }

    @Test
    void revisionsAreListedNewestFirstInPages() {
        for (int i = 0; i < 3; i++) {
            http.post("/api/v1/upstreams", "{\"name\":\"page-" + i + "\"}");
        }
        long newest = db.revision();
        JsonNode first = http.get("/api/v1/revisions?size=2").json();
        assertThat(first.get("data")).hasSize(2);
        assertThat(first.get("data").get(0).get("revision").asLong()).isEqualTo(newest);
        assertThat(first.get("data").get(1).get("revision").asLong()).isEqualTo(newest - 1);
        assertThat(first.get("data").get(0).get("entries").get(0).get("name").asText()).isEqualTo("page-2");
        String next = first.get("next").asText();
        assertThat(next).isEqualTo("/api/v1/revisions?size=2&offset=2");
        JsonNode second = http.get(next).json();
        assertThat(second.get("data").get(0).get("revision").asLong()).isEqualTo(newest - 2);

        JsonNode all = http.get("/api/v1/revisions?size=100").json();
        assertThat(all.get("data")).hasSize((int) newest); // one item per revision, however many entries
        assertThat(all.get("next").isNull()).isTrue();
    }

    @Test
    void unknownOrMalformedRevisionsAreRefused() {
        long rev = db.revision();
        assertThat(http.get("/api/v1/revisions/999999").status()).isEqualTo(404);
        Response unknown = http.post("/api/v1/revisions/999999/rollback", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(http.post("/api/v1/revisions/0/rollback", "").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/revisions/abc/rollback", "").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/revisions?size=0").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/revisions?offset=-1").status()).isEqualTo(400);
        assertThat(db.revision()).isEqualTo(rev);
    }
}
