package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Entities carry an ETag; a stale If-Match gets 412 and changes nothing, even under concurrent writers. */
class EtagTest extends RunningControlPlane {
    private static final String UP = "/api/v1/upstreams/";


    @Test
    void everyEntityAnswerHasTheRevisionThatWroteItAsETag() {
        Response created = http.post("/api/v1/upstreams", "{\"name\":\"tagged\"}");
        assertThat(created.etag()).isEqualTo("\"" + created.revisionNumber() + "\"");
        assertThat(http.get(UP + "tagged").etag()).isEqualTo(created.etag());
        Response route = http.post("/api/v1/routes", "{\"name\":\"tagged\",\"upstream\":\"tagged\"}");
        assertThat(http.get("/api/v1/routes/tagged").etag()).isEqualTo(route.etag()).isEqualTo("\"" + route.revisionNumber() + "\"");

        Response put = send("PUT", UP + "tagged", "{\"tags\":[\"a\"]}", created.etag());
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.etag()).isEqualTo("\"" + put.revisionNumber() + "\"").isNotEqualTo(created.etag());
        Response patch = send("PATCH", "/api/v1/routes/tagged", "{\"paths\":[\"/x\"]}", route.etag());
        assertThat(patch.status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/v1/routes/tagged", null, patch.etag()).status()).isEqualTo(204);
        assertThat(send("PUT", UP + "tagged", "{}", "*").status()).isEqualTo(200);
    }

    @Test
    void aStaleIfMatchIs412AndChangesNothing() {
        Response first = http.post("/api/v1/upstreams", "{\"name\":\"stale\",\"tags\":[\"v1\"]}");
        String stale = first.etag();
        assertThat(http.put(UP + "stale", "{\"tags\":[\"v2\"]}").status()).isEqualTo(200);
        long revision = db.revision();
        String before = http.get(UP + "stale").body();

        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            Response r = send(method, UP + "stale", method.equals("DELETE") ? null : "{\"tags\":[\"v3\"]}", stale);
            assertThat(r.status()).as(method).isEqualTo(412);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("If-Match");
        }
        // weak ETags never match If-Match; a missing entity matches no ETag at all
        assertThat(send("PUT", UP + "stale", "{}", "W/" + http.get(UP + "stale").etag()).status()).isEqualTo(412);
        assertThat(send("PUT", UP + "absent", "{}", "*").status()).isEqualTo(412);
        assertThat(db.revision()).isEqualTo(revision);
        assertThat(http.get(UP + "stale").body()).isEqualTo(before);
    }

    @Test
    void ofFiftyConcurrentWritesWithOneETagExactlyOneWinsTwice() throws Exception {
        String etag = http.post("/api/v1/upstreams", "{\"name\":\"contended\"}").etag();
        long startRevision = db.revision();
        long lastRevision = startRevision;
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            for (int round = 0; round < 2; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Response>> answers = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String body = "{\"targets\":[{\"host\":\"127.0.0.1\",\"port\":" + (10000 + round * 100 + i) + "}]}";
                    String ifMatch = etag;
                    answers.add(pool.submit(() -> {
                        go.await();
                        return send("PUT", UP + "contended", body, ifMatch);
                    }));
                }
                go.countDown();
                List<Response> winners = new ArrayList<>();
                for (Future<Response> f : answers) {
                    Response r = f.get();
                    assertThat(r.status()).as(r.body()).isIn(200, 412);
                    if (r.status() == 200) {
                        winners.add(r);
                    }
                }
                assertThat(winners).hasSize(1);
                Response winner = winners.get(0);
                assertThat(winner.revisionNumber()).isGreaterThan(lastRevision);
                lastRevision = winner.revisionNumber();
                // no lost update: what is stored is exactly what the one winner wrote
                Response now = http.get(UP + "contended");
                assertThat(now.etag()).isEqualTo(winner.etag());
                assertThat(now.json().get("targets")).isEqualTo(winner.json().get("targets"));
                etag = winner.etag();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.revision()).isEqualTo(startRevision + 2);
        assertThat(db.count("revisions")).isEqualTo(db.revision());
    }

    private Response send(String method, String path, String body, String ifMatch) {
        return http.send(method, path, body == null ? null : "application/json", body, Map.of("If-Match", ifMatch));
    }
}
