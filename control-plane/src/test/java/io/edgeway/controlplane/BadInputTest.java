package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets a 4xx problem+json that names the field, and changes nothing: not a row,
 * not the revision.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private static final String JSON = "application/json";
    private static final String UP = "/api/v1/upstreams";
    private static final String RT = "/api/v1/routes";

    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        http = new Http(cp.adminPort());
        assertThat(http.post(UP, "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}").status()).isEqualTo(201);
        assertThat(http.post(UP, "{\"name\":\"spare\"}").status()).isEqualTo(201);
        assertThat(http.post(RT, "{\"name\":\"shop\",\"paths\":[\"/\"],\"upstream\":\"shop\"}").status()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    static Stream<Arguments> badRequests() {
        String target = "{\"name\":\"x\",\"targets\":[%s]}";
        List<Arguments> cases = new ArrayList<>(List.of(
                // malformed: 400
                bad("POST", UP, JSON, "{", 400, "body"),
                bad("POST", UP, JSON, "[]", 400, "body"),
                bad("POST", UP, JSON, "", 400, "body"),
                bad("POST", UP, JSON, "{\"name\":\"a\"} {}", 400, "body"),
                bad("POST", UP, JSON, "{\"name\":\"a\",\"name\":\"b\"}", 400, "body"),
                bad("POST", UP, JSON, "{\"name\":\"x\",\"color\":\"red\"}", 400, "color"),
                bad("POST", UP, JSON, "{\"name\":7}", 400, "name"),
                bad("POST", UP, JSON, "{\"name\":\"x\",\"tags\":[1]}", 400, "tags[0]"),
                bad("POST", UP, JSON, "{\"name\":\"x\",\"targets\":{}}", 400, "targets"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":\"80\"}"), 400, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":80.5}"), 400, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":80,\"prio\":1}"), 400, "targets[0].prio"),
                bad("POST", UP, JSON, target.formatted("7"), 400, "targets[0]"),
                // unsupported media type: 415
                bad("POST", UP, "text/plain", "{\"name\":\"x\"}", 415, null),
                bad("POST", UP, null, "{\"name\":\"x\"}", 415, null),
                bad("PUT", UP + "/x", "application/x-www-form-urlencoded", "name=x", 415, null),
                // invalid values: 422
                bad("POST", UP, JSON, "{\"targets\":[]}", 422, "name"),
                bad("POST", UP, JSON, "{\"name\":\"bad name!\"}", 422, "name"),
                bad("POST", UP, JSON, "{\"name\":\"" + UUID.randomUUID() + "\"}", 422, "name"),
                bad("POST", UP, JSON, "{\"name\":\"x\",\"tags\":[\"has space\"]}", 422, "tags[0]"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":70000}"), 422, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":0}"), 422, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\"}"), 422, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":99999999999}"), 422, "targets[0].port"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":80,\"weight\":1001}"), 422, "targets[0].weight"),
                bad("POST", UP, JSON, target.formatted("{\"host\":\"a\",\"port\":80},{\"host\":\"bad host\",\"port\":80}"), 422, "targets[1].host"),
                bad("POST", UP, JSON, target.formatted("{\"port\":80}"), 422, "targets[0].host"),
                bad("PUT", UP + "/newname", JSON, "{\"name\":\"other\"}", 422, "name"),
                bad("PATCH", UP + "/shop", JSON, target.formatted("{\"host\":\"a\",\"port\":-1}").replace("\"name\":\"x\",", ""), 422, "targets[0].port"),
                bad("DELETE", UP + "/shop", null, null, 422, "name"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"nope\"}", 422, "upstream"),
                bad("POST", RT, JSON, "{\"name\":\"r\"}", 422, "upstream"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"hosts\":[\"exa mple.com\"]}", 422, "hosts[0]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"hosts\":[\"a.com\",\"*.*.com\"]}", 422, "hosts[1]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"hosts\":[\"-bad.com\"]}", 422, "hosts[0]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"paths\":[\"nope\"]}", 422, "paths[0]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"paths\":[\"/a b\"]}", 422, "paths[0]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"methods\":[\"GE T\"]}", 422, "methods[0]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"methods\":[\"GET\",\"get\"]}", 422, "methods[1]"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":{\"connect\":\"5x\"}}", 422, "timeouts.connect"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":{\"idle\":\"0s\"}}", 422, "timeouts.idle"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":{\"idle\":\"25h\"}}", 422, "timeouts.idle"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":{\"connect\":5}}", 400, "timeouts.connect"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":{\"retries\":1}}", 400, "timeouts.retries"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":\"shop\",\"timeouts\":\"1s\"}", 400, "timeouts"),
                bad("PUT", RT + "/shop", JSON, "{\"upstream\":\"nope\"}", 422, "upstream"),
                bad("PATCH", RT + "/shop", JSON, "{\"hosts\":[\"UPPER..com\"]}", 422, "hosts[0]"),
                // conflicts: 409
                bad("POST", UP, JSON, "{\"name\":\"shop\"}", 409, "name"),
                bad("PATCH", UP + "/shop", JSON, "{\"name\":\"spare\"}", 409, "name"),
                bad("POST", RT, JSON, "{\"name\":\"shop\",\"upstream\":\"shop\"}", 409, "name"),
                // read-only fields in a patch are unknown input
                bad("PATCH", UP + "/shop", JSON, "{\"id\":\"x\"}", 400, "id"),
                // unknown entities: 404
                bad("GET", UP + "/nope", null, null, 404, null),
                bad("DELETE", UP + "/nope", null, null, 404, null),
                bad("PATCH", RT + "/nope", JSON, "{}", 404, null),
                bad("PUT", UP + "/" + UUID.randomUUID(), JSON, "{\"name\":\"x\"}", 404, null),
                bad("PUT", UP + "/" + UUID.randomUUID(), JSON, "{}", 404, null),
                bad("DELETE", RT + "/" + UUID.randomUUID(), null, null, 404, null)));
        return cases.stream();
    }

    private static Arguments bad(String method, String path, String contentType, String body, int status, String field) {
        return Arguments.of(method, path, contentType, body, status, field);
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {4} {5}")
    @MethodSource("badRequests")
    void isRefusedAndChangesNothing(String method, String path, String contentType, String body, int status, String field) {
        long revision = db.revision();
        long upstreams = db.count("upstreams");
        long routes = db.count("routes");
        long log = db.count("revisions");

        Response r = http.send(method, path, contentType, body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.revision()).isNull();
        JsonNode problem = r.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).startsWith("urn:edgeway:problem:");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        if (field != null) {
            List<String> fields = new ArrayList<>();
            problem.get("errors").forEach(e -> fields.add(e.get("field").asText()));
            assertThat(fields).as(r.body()).contains(field);
        }
        assertThat(db.revision()).isEqualTo(revision);
        assertThat(db.count("upstreams")).isEqualTo(upstreams);
        assertThat(db.count("routes")).isEqualTo(routes);
        assertThat(db.count("revisions")).isEqualTo(log);
    }

    @ParameterizedTest
    @MethodSource("portMessages")
    void messagesSayWhatWasExpected(String body, String message) {
        Response r = http.post(UP, body);
        assertThat(r.json().get("errors").get(0).get("message").asText()).isEqualTo(message);
    }

    static Stream<Arguments> portMessages() {
        return Stream.of(
                Arguments.of("{\"name\":\"x\",\"targets\":[{\"host\":\"a\",\"port\":70000}]}", "port: 70000 (expected: 1-65535)"),
                Arguments.of("{\"name\":\"x\",\"targets\":[{\"host\":\"a\",\"port\":1,\"weight\":-1}]}", "weight: -1 (expected: 0-1000)"));
    }
}
