package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.StreamProtocol;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** L4 stream routes: validated, unique per listen port and protocol, tied to an upstream, each write a revision. */
class StreamRoutesApiTest extends RunningControlPlane {
    private static final String SR = "/api/v1/stream-routes";
    private static final String UP = "/api/v1/upstreams";

    @BeforeAll
    void upstreams() {
        assertThat(http.post(UP, "{\"name\":\"db\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":5432}]}").status()).isEqualTo(201);
        assertThat(http.post(UP, "{\"name\":\"dns\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":53}]}").status()).isEqualTo(201);
    }

    @Test
    void createReadReplaceAndDeleteEachBumpingTheRevision() {
        long revision = db.revision();
        Response created = http.post(SR, "{\"name\":\"pg\",\"listen_port\":9000,\"protocol\":\"tcp\",\"snis\":[\"DB.example.com\"],\"upstream\":\"db\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.revisionNumber()).isEqualTo(revision + 1);
        assertThat(created.json().path("listen_port").asInt()).isEqualTo(9000);
        assertThat(created.json().path("snis").toString()).isEqualTo("[\"db.example.com\"]");
        assertThat(created.json().path("upstream").asText()).isEqualTo("db");

        Response read = http.get(SR + "/pg");
        assertThat(read.etag()).isEqualTo(created.etag());
        assertThat(http.get(SR + "/" + created.json().path("id").asText()).json().path("name").asText()).isEqualTo("pg");
        assertThat(http.get(SR).json().path("data").findValuesAsText("name")).contains("pg");

        // the same port with the other protocol is another listener
        Response udp = http.post(SR, "{\"name\":\"pg-udp\",\"listen_port\":9000,\"protocol\":\"udp\",\"upstream\":\"dns\"}");
        assertThat(udp.status()).as(udp.body()).isEqualTo(201);

        Response put = http.send("PUT", SR + "/pg", "application/json", "{\"listen_port\":9001,\"upstream\":\"dns\"}",
                Map.of("If-Match", created.etag()));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().path("name").asText()).isEqualTo("pg");
        assertThat(put.json().path("protocol").asText()).isEqualTo("tcp");
        assertThat(put.revisionNumber()).isEqualTo(udp.revisionNumber() + 1);
        assertThat(http.send("PUT", SR + "/pg", "application/json", "{\"listen_port\":9002,\"upstream\":\"dns\"}",
                Map.of("If-Match", created.etag())).status()).isEqualTo(412);

        // an upstream a stream route uses cannot be deleted, and renaming it keeps the route
        Response refused = http.delete(UP + "/dns");
        problem(refused, 422, "name");
        assertThat(refused.body()).contains("pg-udp");
        assertThat(http.patch(UP + "/dns", "{\"name\":\"resolver\"}").status()).isEqualTo(200);
        assertThat(http.get(SR + "/pg-udp").json().path("upstream").asText()).isEqualTo("resolver");
        // nor dropped by a declarative apply that keeps the stream route but leaves its upstream out
        long before = db.revision();
        Response apply = http.post("/api/v1/config", """
                {"upstreams":[{"name":"db","targets":[{"host":"127.0.0.1","port":5432}]}],
                 "stream_routes":[{"name":"pg-udp","listen_port":9000,"protocol":"udp","upstream":"resolver"}]}""");
        problem(apply, 422, "stream_routes[0].upstream");
        assertThat(db.revision()).isEqualTo(before);

        assertThat(http.delete(SR + "/pg").status()).isEqualTo(204);
        Response last = http.delete(SR + "/pg-udp");
        assertThat(last.status()).isEqualTo(204);
        assertThat(http.get(SR + "/pg").status()).isEqualTo(404);
        assertThat(http.delete(UP + "/resolver").status()).isEqualTo(204);
        assertThat(http.get("/api/v1/revisions/" + last.revisionNumber()).body()).contains("stream_route").contains("pg-udp");
    }

    @Test
    void refusalsNameTheFieldAndChangeNothing() {
        assertThat(http.post(SR, "{\"name\":\"taken\",\"listen_port\":7000,\"upstream\":\"db\"}").status()).isEqualTo(201);
        long revision = db.revision();
        long rows = db.count("stream_routes");

        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":70000,\"upstream\":\"db\"}"), 422, "listen_port");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":0,\"upstream\":\"db\"}"), 422, "listen_port");
        problem(http.post(SR, "{\"name\":\"a\",\"upstream\":\"db\"}"), 422, "listen_port");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001,\"protocol\":\"sctp\",\"upstream\":\"db\"}"), 422, "protocol");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001,\"upstream\":\"nosuch\"}"), 422, "upstream");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001}"), 422, "upstream");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001,\"snis\":[\"bad host\"],\"upstream\":\"db\"}"), 422, "snis[0]");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001,\"protocol\":\"udp\",\"snis\":[\"x.example.com\"],\"upstream\":\"db\"}"), 422, "snis");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":\"7001\",\"upstream\":\"db\"}"), 400, "listen_port");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7001,\"upstream\":\"db\",\"tls\":true}"), 400, "tls");
        problem(http.post(SR, "{\"name\":\"a\",\"listen_port\":7000,\"upstream\":\"db\"}"), 409, "listen_port");
        problem(http.post(SR, "{\"name\":\"taken\",\"listen_port\":7001,\"upstream\":\"db\"}"), 409, "name");
        problem(http.get(SR + "/nosuch"), 404, null);
        problem(http.delete(SR + "/nosuch"), 404, null);

        assertThat(db.revision()).isEqualTo(revision);
        assertThat(db.count("stream_routes")).isEqualTo(rows);
        assertThat(http.delete(SR + "/taken").status()).isEqualTo(204);
    }

    @Test
    void tcpRoutesShareAPortWhenTheirSnisDifferAndTheSnapshotCarriesThemWithTheirUpstream() throws Exception {
        assertThat(http.post(UP, "{\"name\":\"tls-only\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":8443}]}").status())
                .isEqualTo(201);
        assertThat(http.post(SR, "{\"name\":\"sni-a\",\"listen_port\":7100,\"snis\":[\"a.example.com\"],\"upstream\":\"db\"}").status())
                .isEqualTo(201);
        Response b = http.post(SR, "{\"name\":\"sni-b\",\"listen_port\":7100,\"snis\":[\"*.b.example.com\"],\"upstream\":\"tls-only\"}");
        assertThat(b.status()).as(b.body()).isEqualTo(201);
        Response dflt = http.post(SR, "{\"name\":\"sni-default\",\"listen_port\":7100,\"upstream\":\"db\"}");
        assertThat(dflt.status()).as(dflt.body()).isEqualTo(201);
        problem(http.post(SR, "{\"name\":\"second-default\",\"listen_port\":7100,\"upstream\":\"db\"}"), 409, "listen_port");
        problem(http.post(SR, "{\"name\":\"overlap\",\"listen_port\":7100,\"snis\":[\"a.example.com\"],\"upstream\":\"db\"}"),
                409, "listen_port");
        assertThat(http.post(SR, "{\"name\":\"udp-a\",\"listen_port\":7101,\"protocol\":\"udp\",\"upstream\":\"db\"}").status())
                .isEqualTo(201);
        problem(http.post(SR, "{\"name\":\"udp-b\",\"listen_port\":7101,\"protocol\":\"udp\",\"upstream\":\"db\"}"), 409, "listen_port");

        long revision = db.revision();
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == revision);
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-l4", 0)) {
            Snapshot s = node.atLeast(db.revision());
            assertThat(s.getStreamRoutesList()).filteredOn(r -> r.getName().equals("sni-b")).singleElement().satisfies(r -> {
                assertThat(r.getListenPort()).isEqualTo(7100);
                assertThat(r.getProtocol()).isEqualTo(StreamProtocol.TCP);
                assertThat(r.getSnisList()).containsExactly("*.b.example.com");
                assertThat(r.getUpstream()).isEqualTo("tls-only");
            });
            assertThat(s.getStreamRoutesList()).filteredOn(r -> r.getName().equals("udp-a")).singleElement()
                    .satisfies(r -> assertThat(r.getProtocol()).isEqualTo(StreamProtocol.UDP));
            // used by no HTTP route, still pushed: the proxy needs its targets for the stream route
            assertThat(s.getUpstreamsList()).anyMatch(u -> u.getName().equals("tls-only") && u.getTargets(0).getPort() == 8443);
        }
        for (String name : new String[] {"sni-a", "sni-b", "sni-default", "udp-a"}) {
            assertThat(http.delete(SR + "/" + name).status()).isEqualTo(204);
        }
        assertThat(http.delete(UP + "/tls-only").status()).isEqualTo(204);
    }

    private static void problem(Response r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(r.json().path("errors").findValuesAsText("field")).as(r.body()).contains(field);
        }
    }
}
