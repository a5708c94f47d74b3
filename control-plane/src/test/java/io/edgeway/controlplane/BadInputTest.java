package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
    private static final String CFG = "/api/v1/config";
    private static final String YAML = "application/yaml";

    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings(), TestCerts.env());
        http = new Http(cp.adminPort());
        assertThat(http.post(UP, "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}").status()).isEqualTo(201);
        assertThat(http.post(UP, "{\"name\":\"spare\"}").status()).isEqualTo(201);
        assertThat(http.post(RT, "{\"name\":\"shop\",\"paths\":[\"/\"],\"upstream\":\"shop\"}").status()).isEqualTo(201);
        TestCerts.Pair edge = BadDocumentSections.EDGE;
        assertThat(http.post("/api/v1/certificates", Http.JSON.createObjectNode().put("name", "edge").put("cert", edge.cert())
                .put("key", edge.key()).toString()).status()).isEqualTo(201);
        assertThat(http.post("/api/v1/stream-routes", "{\"name\":\"tcp\",\"listen_port\":7000,\"upstream\":\"spare\"}").status())
                .isEqualTo(201);
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
        cases.addAll(hostile());
        cases.addAll(BadDocumentSections.cases());
        return cases.stream();
    }

    /**
     * The hostile-input suite: every write endpoint against deep nesting, huge numbers, duplicate keys,
     * invalid UTF-8, wrong or missing content types, a 10 MiB body, nulls for required fields, unknown
     * fields, wrong types, out-of-range values, dangling references and regexes that are invalid or would
     * blow up when compiled.
     */
    static List<Arguments> hostile() {
        String nest = "[".repeat(10_000) + "]".repeat(10_000);
        Huge huge = new Huge("{\"name\":\"x\",\"tags\":[\"" + "a".repeat(10 * 1024 * 1024) + "\"]}");
        byte[] badUtf8 = utf8WithInvalidBytes("{\"name\":\"x\",\"tags\":[\"ok\",\"", "\"]}");
        String t = "{\"name\":\"x\",\"targets\":[%s]}";
        String pt = "{\"targets\":[%s]}";
        String r = "{\"name\":\"r\",\"upstream\":\"shop\",%s}";
        String pr = "{%s}";
        String cu = "{\"upstreams\":[{\"name\":\"u\",%s}]}";
        String cr = "{\"upstreams\":[{\"name\":\"u\"}],\"routes\":[{\"name\":\"r\",\"upstream\":\"u\",%s}]}";
        String upX = UP + "/x";
        String upShop = UP + "/shop";
        String rtR = RT + "/r";
        String rtShop = RT + "/shop";
        String catastrophic = "\"paths\":[\"/ok\",\"~/(((a{1000}){1000}){1000})\"]";
        return List.of(
                // deep nesting: 10,000 nested arrays
                bad("POST", UP, JSON, "{\"name\":\"x\",\"tags\":" + nest + "}", 400, "body"),
                bad("PUT", upX, JSON, "{\"tags\":" + nest + "}", 400, "body"),
                bad("PATCH", upShop, JSON, "{\"targets\":" + nest + "}", 400, "body"),
                bad("POST", RT, JSON, r.formatted("\"paths\":" + nest), 400, "body"),
                bad("PUT", rtR, JSON, r.formatted("\"hosts\":" + nest), 400, "body"),
                bad("PATCH", rtShop, JSON, pr.formatted("\"methods\":" + nest), 400, "body"),
                bad("POST", CFG, JSON, "{\"upstreams\":" + nest + "}", 400, "body"),
                bad("POST", CFG, YAML, "upstreams: " + nest, 400, "body"),
                // huge numbers
                bad("POST", UP, JSON, t.formatted("{\"host\":\"a\",\"port\":1e400}"), 400, "targets[0].port"),
                bad("POST", UP, JSON, t.formatted("{\"host\":\"a\",\"port\":99999999999999999999}"), 422, "targets[0].port"),
                bad("PUT", upX, JSON, t.formatted("{\"host\":\"a\",\"port\":1,\"weight\":99999999999999999999}"), 422, "targets[0].weight"),
                bad("PATCH", upShop, JSON, pt.formatted("{\"host\":\"a\",\"port\":-99999999999999999999}"), 422, "targets[0].port"),
                bad("POST", RT, JSON, "{\"name\":1e400,\"upstream\":\"shop\"}", 400, "name"),
                bad("PUT", rtR, JSON, r.formatted("\"tags\":[99999999999999999999]"), 400, "tags[0]"),
                bad("PATCH", rtShop, JSON, pr.formatted("\"timeouts\":{\"idle\":1e400}"), 400, "timeouts.idle"),
                bad("POST", CFG, JSON, cu.formatted("\"targets\":[{\"host\":\"a\",\"port\":99999999999999999999}]"), 422, "upstreams[0].targets[0].port"),
                bad("POST", CFG, JSON, cu.formatted("\"targets\":[{\"host\":\"a\",\"port\":1e400}]"), 422, "upstreams[0].targets[0].port"),
                // duplicate keys, named where they are
                bad("PUT", upX, JSON, t.formatted("{\"host\":\"a\",\"port\":1,\"port\":2}"), 400, "targets[0].port"),
                bad("PATCH", upShop, JSON, "{\"tags\":[],\"tags\":[]}", 400, "tags"),
                bad("POST", RT, JSON, r.formatted("\"upstream\":\"spare\""), 400, "upstream"),
                bad("PUT", rtR, JSON, r.formatted("\"timeouts\":{\"idle\":\"1s\",\"idle\":\"2s\"}"), 400, "timeouts.idle"),
                bad("PATCH", rtShop, JSON, "{\"paths\":[\"/a\"],\"paths\":[\"/b\"]}", 400, "paths"),
                bad("POST", CFG, JSON, "{\"upstreams\":[],\"upstreams\":[]}", 400, "upstreams"),
                bad("POST", CFG, YAML, "upstreams: []\nupstreams: []\n", 400, "body"),
                // invalid UTF-8 bytes in a string
                bad("POST", UP, JSON, badUtf8, 400, "tags[1]"),
                bad("PUT", upX, JSON, badUtf8, 400, "tags[1]"),
                bad("PATCH", upShop, JSON, utf8WithInvalidBytes("{\"name\":\"", "\"}"), 400, "name"),
                bad("POST", RT, JSON, utf8WithInvalidBytes("{\"name\":\"r\",\"upstream\":\"", "\"}"), 400, "upstream"),
                bad("PUT", rtR, JSON, utf8WithInvalidBytes("{\"upstream\":\"shop\",\"paths\":[\"/", "\"]}"), 400, "paths[0]"),
                bad("PATCH", rtShop, JSON, utf8WithInvalidBytes("{\"hosts\":[\"", "\"]}"), 400, "hosts[0]"),
                bad("POST", CFG, JSON, utf8WithInvalidBytes("{\"upstreams\":[{\"name\":\"", "\"}]}"), 400, "upstreams[0].name"),
                bad("POST", CFG, YAML, utf8WithInvalidBytes("upstreams:\n  - name: ", "\n"), 400, "body"),
                // wrong or missing content type
                bad("POST", UP, "application/xml", "{\"name\":\"x\"}", 415, null),
                bad("PATCH", upShop, null, "{\"tags\":[]}", 415, null),
                bad("POST", RT, "text/plain", r.formatted("\"paths\":[]"), 415, null),
                bad("POST", RT, null, r.formatted("\"paths\":[]"), 415, null),
                bad("PUT", rtR, "text/json", r.formatted("\"paths\":[]"), 415, null),
                bad("PATCH", rtShop, "multipart/form-data; boundary=x", "{}", 415, null),
                bad("POST", CFG, "text/csv", "{}", 415, null),
                bad("POST", CFG, null, "{}", 415, null),
                // a 10 MiB body
                bad("POST", UP, JSON, huge, 413, "body"),
                bad("PUT", upX, JSON, huge, 413, "body"),
                bad("PATCH", upShop, JSON, huge, 413, "body"),
                bad("POST", RT, JSON, huge, 413, "body"),
                bad("PUT", rtR, JSON, huge, 413, "body"),
                bad("PATCH", rtShop, JSON, huge, 413, "body"),
                // the whole-config document may carry 10,000 certificates with keys: its limit is 64 MiB
                bad("POST", CFG, JSON, new Huge("{\"routes\":[\"" + "a".repeat(65 * 1024 * 1024) + "\"]}"), 413, "body"),
                // nulls for required fields
                bad("POST", UP, JSON, "{\"name\":null}", 422, "name"),
                bad("PUT", upX, JSON, t.formatted("{\"host\":null,\"port\":80}"), 422, "targets[0].host"),
                bad("PATCH", upShop, JSON, pt.formatted("{\"host\":\"a\",\"port\":null}"), 422, "targets[0].port"),
                bad("POST", RT, JSON, "{\"name\":\"r\",\"upstream\":null}", 422, "upstream"),
                bad("PUT", rtR, JSON, "{\"upstream\":null}", 422, "upstream"),
                bad("PATCH", rtShop, JSON, "{\"upstream\":null}", 422, "upstream"),
                bad("POST", CFG, JSON, "{\"upstreams\":[{\"name\":null}]}", 422, "upstreams[0].name"),
                bad("POST", CFG, JSON, "{\"upstreams\":[{\"name\":\"u\"}],\"routes\":[{\"name\":\"r\",\"upstream\":null}]}", 422, "routes[0].upstream"),
                // unknown fields
                bad("PUT", upX, JSON, "{\"colour\":\"red\"}", 400, "colour"),
                bad("PATCH", upShop, JSON, pt.formatted("{\"host\":\"a\",\"port\":1,\"zone\":\"eu\"}"), 400, "targets[0].zone"),
                bad("POST", RT, JSON, r.formatted("\"strip_path\":true"), 400, "strip_path"),
                bad("PUT", rtR, JSON, r.formatted("\"timeouts\":{\"read\":\"1s\"}"), 400, "timeouts.read"),
                bad("PATCH", rtShop, JSON, "{\"priority\":1}", 400, "priority"),
                bad("POST", CFG, JSON, "{\"services\":[]}", 422, "services"),
                bad("POST", CFG, JSON, cr.formatted("\"regex_priority\":1"), 422, "routes[0].regex_priority"),
                // wrong types
                bad("PUT", upX, JSON, "{\"targets\":\"127.0.0.1:80\"}", 400, "targets"),
                bad("PATCH", upShop, JSON, "{\"tags\":\"a\"}", 400, "tags"),
                bad("POST", RT, JSON, r.formatted("\"paths\":\"/\""), 400, "paths"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[[\"/\"]]"), 400, "paths[0]"),
                bad("PUT", rtR, JSON, r.formatted("\"methods\":[true]"), 400, "methods[0]"),
                bad("PATCH", rtShop, JSON, "{\"upstream\":{\"name\":\"shop\"}}", 400, "upstream"),
                bad("POST", CFG, JSON, "{\"upstreams\":{}}", 422, "upstreams"),
                bad("POST", CFG, JSON, "{\"routes\":[\"r\"]}", 422, "routes[0]"),
                bad("POST", CFG, JSON, "[]", 400, "body"),
                // out-of-range values
                bad("PUT", upX, JSON, t.formatted("{\"host\":\"a\",\"port\":65536}"), 422, "targets[0].port"),
                bad("PATCH", upShop, JSON, pt.formatted("{\"host\":\"a\",\"port\":1,\"weight\":-1}"), 422, "targets[0].weight"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"/" + "a".repeat(1024) + "\"]"), 422, "paths[0]"),
                bad("PUT", rtR, JSON, r.formatted("\"timeouts\":{\"connect\":\"-1s\"}"), 422, "timeouts.connect"),
                bad("PATCH", rtShop, JSON, "{\"hosts\":[\"" + "a".repeat(64) + ".com\"]}", 422, "hosts[0]"),
                bad("POST", CFG, JSON, cu.formatted("\"targets\":[{\"host\":\"a\",\"port\":0}]"), 422, "upstreams[0].targets[0].port"),
                // dangling references
                bad("PATCH", rtShop, JSON, "{\"upstream\":\"nope\"}", 422, "upstream"),
                bad("PUT", rtR, JSON, "{\"upstream\":\"nope\"}", 422, "upstream"),
                bad("POST", CFG, JSON, "{\"upstreams\":[{\"name\":\"u\"}],\"routes\":[{\"name\":\"r\",\"upstream\":\"nope\"}]}", 422, "routes[0].upstream"),
                bad("POST", CFG, JSON, "{\"routes\":[{\"name\":\"r\",\"upstream\":\"shop\"}]}", 422, "routes[0].upstream"),
                // regexes: invalid, or too costly to compile (nested counts multiply to 10^9)
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"~/users/(\"]"), 422, "paths[0]"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"~\"]"), 422, "paths[0]"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"~/a b\"]"), 422, "paths[0]"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"~/(?P<x\"]"), 422, "paths[0]"),
                bad("POST", RT, JSON, r.formatted("\"paths\":[\"~/a\\\\\"]"), 422, "paths[0]"),
                bad("POST", RT, JSON, r.formatted(catastrophic), 422, "paths[1]"),
                bad("PUT", rtR, JSON, r.formatted(catastrophic), 422, "paths[1]"),
                bad("PATCH", rtShop, JSON, pr.formatted(catastrophic), 422, "paths[1]"),
                bad("POST", CFG, JSON, cr.formatted(catastrophic), 422, "routes[0].paths[1]"),
                bad("POST", CFG, YAML, "routes:\n  - {name: r, upstream: shop, paths: ['~/a{2,1}']}\n", 422, "routes[0].paths[0]"));
    }

    /** A 10 MiB body, sent with Expect: 100-continue (see {@link Http#sendExpectingContinue}). */
    record Huge(String body) {
        @Override
        public String toString() {
            return "<" + body.length() + " characters>";
        }
    }

    static byte[] utf8WithInvalidBytes(String before, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] b = after.getBytes(StandardCharsets.UTF_8);
        byte[] invalid = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};
        byte[] out = new byte[a.length + invalid.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(invalid, 0, out, a.length, invalid.length);
        System.arraycopy(b, 0, out, a.length + invalid.length, b.length);
        return out;
    }

    static Arguments bad(String method, String path, String contentType, Object body, int status, String field) {
        return Arguments.of(method, path, contentType, body, status, field);
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {4} {5}")
    @MethodSource("badRequests")
    void isRefusedAndChangesNothing(String method, String path, String contentType, Object body, int status, String field) {
        long revision = db.revision();
        long upstreams = db.count("upstreams");
        long routes = db.count("routes");
        long certificates = db.count("certificates");
        long keys = db.count("certificate_keys");
        long streamRoutes = db.count("stream_routes");
        long log = db.count("revisions");

        Response r = body instanceof byte[] bytes ? http.sendBytes(method, path, contentType, bytes)
                : body instanceof Huge huge ? http.sendExpectingContinue(method, path, contentType, huge.body())
                : http.send(method, path, contentType, (String) body);

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
        assertThat(db.count("certificates")).isEqualTo(certificates);
        assertThat(db.count("certificate_keys")).isEqualTo(keys);
        assertThat(db.count("stream_routes")).isEqualTo(streamRoutes);
        assertThat(db.count("revisions")).isEqualTo(log);
        TestCerts.assertNoKeyIn(r.body(), BadDocumentSections.EDGE);
    }

    /**
     * A chunked body (no Content-Length, so nothing to refuse up front) over 1 MiB is cut off at 1 MiB on every
     * endpoint but the whole-config document's: 413 problem+json naming the body, and nothing written.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("chunkedOverOneMiB")
    void aChunkedBodyOverOneMiBIsRefusedOnEveryEntityEndpoint(String method, String path) {
        long revision = db.revision();
        long upstreams = db.count("upstreams");
        String body = "{\"name\":\"chunked\",\"tags\":[\"" + "a".repeat(2 * 1024 * 1024) + "\"]}";

        Response r = http.sendChunked(method, path, JSON, body);

        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("body");
        assertThat(db.revision()).isEqualTo(revision);
        assertThat(db.count("upstreams")).isEqualTo(upstreams);
    }

    static Stream<Arguments> chunkedOverOneMiB() {
        return Stream.of(Arguments.of("POST", UP), Arguments.of("PUT", UP + "/chunked"), Arguments.of("PATCH", UP + "/shop"),
                Arguments.of("POST", RT), Arguments.of("POST", UP + "/shop/targets"), Arguments.of("POST", "/api/v1/tokens"),
                Arguments.of("POST", "/api/v1/join-tokens"), Arguments.of("POST", "/api/v1/certificates"));
    }

    /** A refused value is quoted in the answer, but a huge one is cut: a 900 KB bad name is not echoed back whole. */
    @Test
    void aHugeBadValueIsNotEchoedBackWhole() {
        String name = "!" + "x".repeat(900_000);

        Response r = http.post(UP, "{\"name\":\"" + name + "\"}");

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body().length()).as("answer size").isLessThan(4096);
        assertThat(r.json().get("errors").get(0).get("message").asText()).startsWith("name: !xxx").endsWith(" characters, cut)");
    }

    @Test
    void aRegexThatWouldBacktrackInJavaUtilRegexIsAcceptedSinceRe2jIsLinear() {
        Response r = http.post(RT, "{\"name\":\"evil\",\"paths\":[\"~/(a+)+$\",\"~/users/[0-9]+$\"],\"upstream\":\"shop\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("paths").get(0).asText()).isEqualTo("~/(a+)+$");
        assertThat(http.delete(RT + "/evil").status()).isEqualTo(204);
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
