package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pre-commit check reads only the route rows written since the last committed write's check (issue 22). The
 * state it compiles must still be the one about to commit: the rows this write changes, adds and deletes, on top
 * of everything committed before, so a route the proxies would reject is refused whichever way it arrives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncrementalVerifyTest {
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        http = new Http(cp.adminPort());
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void aRouteTheProxiesWouldRejectIsRefusedAfterEarlierChecksWereReused() {
        created(http.post("/api/v1/upstreams", "{\"name\":\"app\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}"));
        for (int i = 0; i < 3; i++) { // each one's check is the base of the next
            created(http.post("/api/v1/routes", "{\"name\":\"v" + i + "\",\"paths\":[\"/v" + i + "\"],\"upstream\":\"app\"}"));
        }
        long revision = db.revision();
        // rewritten in place: the check must see the new row, not the one the last check read
        Http.Response changed = http.put("/api/v1/routes/v1", "{\"upstream\":\"app\",\"methods\":[\"GET.X\"]}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(422);
        assertThat(changed.body()).contains("the proxies would reject this config");
        // added
        Http.Response added = http.post("/api/v1/routes", "{\"name\":\"v9\",\"methods\":[\"GET.X\"],\"upstream\":\"app\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(422);
        assertThat(db.revision()).isEqualTo(revision);
        // a delete, then the name again, valid: the refused writes left nothing behind in the reused state
        assertThat(http.delete("/api/v1/routes/v2").status()).isBetween(200, 299);
        created(http.post("/api/v1/routes", "{\"name\":\"v2\",\"paths\":[\"/again\"],\"upstream\":\"app\"}"));
        Http.Response after = http.put("/api/v1/routes/v2", "{\"upstream\":\"app\",\"methods\":[\"GET.X\"]}");
        assertThat(after.status()).as(after.body()).isEqualTo(422);
    }

    private static void created(Http.Response r) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
    }
}
