package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.controlplane.cli.EdgewayCtl;
import io.edgeway.dataplane.DataPlane;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/explain and {@code edgeway ctl explain} on a real control plane (embedded PostgreSQL) with a real
 * proxy reporting its targets' health: the order the router tries buckets and paths, the winner, the 404, the
 * certificate SNI picks, per-node target health, and the 400s for requests no client could send.
 */
class ExplainApiTest extends RunningControlPlane {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer backend;
    private DataPlane proxy;
    private int live;
    private int dead;

    @Override
    protected Map<String, String> env() {
        return TestCerts.env();
    }

    @BeforeAll
    void config() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 2);
            ex.getResponseBody().write("ok".getBytes());
            ex.close();
        });
        backend.start();
        live = backend.getAddress().getPort();
        dead = FreePorts.refused();
        created(http.post("/api/v1/upstreams", "{\"name\":\"shop-up\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":" + live
                + "},{\"host\":\"127.0.0.1\",\"port\":" + dead + "}],\"health_check\":{\"active\":{\"path\":\"/\","
                + "\"interval\":\"1s\",\"timeout\":\"500ms\",\"healthy_threshold\":1,\"unhealthy_threshold\":1}}}"));
        created(http.post("/api/v1/routes", "{\"name\":\"api\",\"hosts\":[\"shop.example.com\"],\"paths\":[\"/api\"],\"upstream\":\"shop-up\"}"));
        created(http.post("/api/v1/routes", "{\"name\":\"api-x-post\",\"hosts\":[\"shop.example.com\"],\"paths\":[\"/api/x\"],"
                + "\"methods\":[\"POST\"],\"upstream\":\"shop-up\"}"));
        created(http.post("/api/v1/routes", "{\"name\":\"numbered\",\"hosts\":[\"shop.example.com\"],\"paths\":[\"~/api/x[0-9]+$\"],"
                + "\"upstream\":\"shop-up\"}"));
        created(http.post("/api/v1/routes", "{\"name\":\"wild\",\"hosts\":[\"*.example.com\"],\"paths\":[\"/api/x\"],\"upstream\":\"shop-up\"}"));
        created(http.post("/api/v1/routes", "{\"name\":\"public\",\"paths\":[\"/public\"],\"upstream\":\"shop-up\"}"));
        TestCerts certs = new TestCerts();
        created(http.post("/api/v1/certificates", cert("shop-ec", certs.ec("shop-ec", "shop.example.com"), "shop.example.com")));
        created(http.post("/api/v1/certificates", cert("shop-rsa", certs.rsa("shop-rsa", "shop.example.com"), "shop.example.com")));
        long revision = http.post("/api/v1/certificates", cert("wild-rsa", certs.rsa("wild-rsa", "*.example.com"),
                "*.example.com")).revisionNumber();
        proxy = DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), Files.createTempDirectory("explain"))
                .withNodeId("edge-a"));
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.appliedVersion() >= revision);
    }

    @AfterAll
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    @Test
    void regexFirstThenLongestPrefixThenTheMethodDecidesWithinTheExactBucket() {
        JsonNode e = explain("https://shop.example.com/api/xyz", "GET");
        assertThat(e.path("route").path("name").asText()).isEqualTo("api");
        JsonNode exact = e.path("routing").get(0);
        assertThat(exact.path("bucket").asText()).isEqualTo("exact");
        assertThat(exact.path("host").asText()).isEqualTo("shop.example.com");
        // In order: the regex (no match), the longest prefix /api/x (POST only), then /api, which wins.
        assertThat(tried(exact)).containsExactly("regex ~/api/x[0-9]+$ numbered path=false method=true won=false",
                "prefix /api/x api-x-post path=true method=false won=false", "prefix /api api path=true method=true won=true");
        assertThat(e.path("routing")).hasSize(1); // the exact bucket answered: wildcards and any-host were not looked at

        JsonNode post = explain("https://shop.example.com/api/xyz", "POST");
        assertThat(post.path("route").path("name").asText()).isEqualTo("api-x-post");

        JsonNode numbered = explain("https://shop.example.com/api/x42", "GET");
        assertThat(numbered.path("route").path("name").asText()).isEqualTo("numbered");
        assertThat(tried(numbered.path("routing").get(0))).containsExactly(
                "regex ~/api/x[0-9]+$ numbered path=true method=true won=true");
    }

    @Test
    void theWildcardBucketAnswersWhenTheExactHostHasNoRoute() {
        JsonNode e = explain("https://other.example.com/api/x/1", "GET");
        assertThat(e.path("route").path("name").asText()).isEqualTo("wild");
        assertThat(e.path("routing").get(0).path("bucket").asText()).isEqualTo("exact");
        assertThat(e.path("routing").get(0).path("has_routes").asBoolean()).isFalse();
        assertThat(e.path("routing").get(1).path("bucket").asText()).isEqualTo("wildcard");
        assertThat(e.path("routing").get(1).path("host").asText()).isEqualTo("*.example.com");
        assertThat(tried(e.path("routing").get(1))).containsExactly("prefix /api/x wild path=true method=true won=true");
    }

    @Test
    void noMatchIsTheProxys404AfterEveryBucket() {
        JsonNode e = explain("http://nowhere.test/private", "GET");
        assertThat(e.path("route").isNull()).isTrue();
        assertThat(e.path("answer").path("status").asInt()).isEqualTo(404);
        assertThat(e.path("answer").path("reason").asText()).startsWith("no route matches this host and path");
        assertThat(e.path("routing").get(e.path("routing").size() - 1).path("bucket").asText()).isEqualTo("any");
        assertThat(e.has("tls")).isFalse();
        // The proxy's normaliser runs first: /public/../api is /api, which routes to nothing on this host.
        JsonNode dotted = explain("http://nowhere.test/public/../private", "GET");
        assertThat(dotted.path("request").path("target").asText()).isEqualTo("/private");
        assertThat(dotted.path("answer").path("status").asInt()).isEqualTo(404);
        assertThat(explain("http://nowhere.test/public/x", "GET").path("route").path("name").asText()).isEqualTo("public");
    }

    @Test
    void sniPicksTheExactPairByKeyTypeThenTheWildcardThenNothing() {
        JsonNode exact = explain("https://shop.example.com/api", "GET").path("tls");
        assertThat(exact.path("match").asText()).isEqualTo("exact");
        assertThat(exact.path("ecdsa").asText()).isEqualTo("shop-ec");
        assertThat(exact.path("rsa").asText()).isEqualTo("shop-rsa");
        assertThat(exact.path("for_ecdsa_clients").asText()).isEqualTo("shop-ec");
        assertThat(exact.path("for_rsa_only_clients").asText()).isEqualTo("shop-rsa");
        JsonNode wild = explain("https://other.example.com/", "GET").path("tls");
        assertThat(wild.path("match").asText()).isEqualTo("wildcard");
        assertThat(wild.path("matched_name").asText()).isEqualTo("*.example.com");
        assertThat(wild.path("for_ecdsa_clients").asText()).isEqualTo("wild-rsa"); // no ECDSA one: RSA for everyone
        JsonNode deeper = explain("https://a.b.example.com/", "GET").path("tls"); // a wildcard covers one label only
        assertThat(deeper.path("match").asText()).isEqualTo("none");
        assertThat(deeper.path("fallback").asText()).contains("EDGEWAY_TLS_DEFAULT_CERTIFICATE");
    }

    @Test
    void theDeadTargetIsShownUnhealthyOnTheNodeThatProbedIt() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode targets = explain("https://shop.example.com/api", "GET").path("upstream").path("targets");
            assertThat(health(targets, live)).isEqualTo("edge-a healthy=true");
            assertThat(health(targets, dead)).isEqualTo("edge-a healthy=false");
        });
        JsonNode e = explain("https://shop.example.com/api", "GET");
        assertThat(e.path("upstream").path("name").asText()).isEqualTo("shop-up");
        assertThat(e.path("upstream").path("policy").asText()).isEqualTo("round_robin");
        assertThat(e.path("answer").path("by").asText()).isEqualTo("upstream");
        Response oneNode = http.get("/api/v1/explain?url=" + enc("https://shop.example.com/api") + "&node=edge-a");
        assertThat(oneNode.json().path("node").path("runs_explained_version").asBoolean()).isTrue();
        assertThat(http.get("/api/v1/explain?url=" + enc("https://shop.example.com/api") + "&node=edge-zzz").status())
                .isEqualTo(404);
    }

    @Test
    void requestsNoClientCouldSendAre400ProblemsAndTheProxysOwnRefusalsAreExplained() {
        for (String query : List.of("", "url=" + enc("ftp://shop.example.com/"), "url=" + enc("/api/x"),
                "url=" + enc("https://user@shop.example.com/"), "url=" + enc("https://shop.example.com/a b"),
                "url=" + enc("https://shop.example.com/") + "&method=get",
                "url=" + enc("https://shop.example.com/") + "&method=" + enc("GET /x HTTP/1.1\r\nHost: evil"),
                "url=" + enc("https://shop.example.com/") + "&header=" + enc("X-A: 1\r\nHost: evil.test"),
                "url=" + enc("https://shop.example.com/") + "&header=" + enc("Host: evil.test"),
                "url=" + enc("https://shop.example.com/") + "&headers=" + enc("[1]"))) {
            Response r = http.get("/api/v1/explain?" + query);
            assertThat(r.status()).as(query + " -> " + r.body()).isEqualTo(400);
            assertThat(r.contentType()).as(query).startsWith("application/problem+json");
        }
        // A URL a client can send but the proxy refuses gets the proxy's answer, not a route.
        JsonNode refused = explain("http://shop.example.com/%2e%2e/etc", "GET");
        assertThat(refused.path("answer").path("status").asInt()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.has("route")).isFalse();
    }

    @Test
    void ctlExplainPrintsTheAnswerTheOrderTriedAndTheTargets() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = EdgewayCtl.commandLine(Map.of("EDGEWAY_ADMIN_URL", "http://127.0.0.1:" + cp.adminPort(),
                "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("explain", "https://shop.example.com/api/xyz", "-X", "POST", "-H", "X-User: a");
        assertThat(exit).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("POST https://shop.example.com/api/xyz", "route: api-x-post",
                "upstream: shop-up (round_robin)", "certificate: exact shop.example.com; ECDSA clients get shop-ec");
        assertThat(text.indexOf("regex  ~/api/x[0-9]+$")).isPositive().isLessThan(text.indexOf("prefix /api/x"));
        assertThat(text).containsPattern("prefix /api/x +route api-x-post +MATCH");

        StringWriter bad = new StringWriter();
        cl.setErr(new PrintWriter(bad, true));
        assertThat(cl.execute("explain", "ftp://x/")).isEqualTo(1);
        assertThat(bad.toString()).contains("url: scheme 'ftp' (expected: http or https)");
    }

    /**
     * Issue 22: explain names the rules the matched route applies to this very request, as the proxy compiled them:
     * the cache and the value of its key header, the rate limit and the bucket this request counts against, the
     * rewritten target, the header edits and the coding compression would choose for the request's Accept-Encoding.
     */
    @Test
    void theCacheLimitRewriteAndHeaderRulesOfTheMatchedRouteAreExplainedForThisRequest() {
        created(http.post("/api/v1/routes", """
                {"name":"ruled","hosts":["rules.example.com"],"paths":["/v1"],"upstream":"shop-up",
                 "rewrite":{"prefix":"/v1","replace":"/v2"},
                 "request_headers":{"set":{"X-From":"edge"},"remove":["X-Debug"]},
                 "compression":{"enabled":true,"types":["application/json"],"min_size":512,"level":6,"algorithms":["gzip"]},
                 "cache":{"enabled":true,"max_object_bytes":65536,"default_ttl":"30s","key":{"headers":["Accept-Language"]}},
                 "rate_limit":{"requests":100,"per":"1m","burst":50,"by":"header:X-Api-Key"}}"""));
        // explain reads the latest snapshot, which is built just after the commit: wait until it has the route
        await().atMost(Duration.ofSeconds(30)).until(() ->
                explain("https://rules.example.com/v1/items", "GET").path("route").path("name").asText().equals("ruled"));
        Response r = http.get("/api/v1/explain?url=" + enc("https://rules.example.com/v1/items?id=7") + "&method=GET"
                + "&header=" + enc("Accept-Language: fr") + "&header=" + enc("X-Api-Key: k-42")
                + "&header=" + enc("Accept-Encoding: gzip"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode e = r.json();
        assertThat(e.path("route").path("name").asText()).isEqualTo("ruled");
        JsonNode rules = e.path("rules");
        assertThat(rules.path("cache").path("max_object_bytes").asLong()).isEqualTo(65536);
        assertThat(rules.path("cache").path("default_ttl_ms").asLong()).isEqualTo(30_000);
        assertThat(rules.path("cache").path("key_headers").path("accept-language").asText()).isEqualTo("fr");
        assertThat(rules.path("rate_limit").path("by").asText()).isEqualTo("header");
        assertThat(rules.path("rate_limit").path("key_for_this_request").asText()).isEqualTo("k-42");
        assertThat(rules.path("rate_limit").path("requests").asLong()).isEqualTo(100);
        assertThat(rules.path("rewrite").path("target_becomes").asText()).isEqualTo("/v2/items?id=7");
        assertThat(rules.path("request_headers").path("set").toString()).contains("x-from: edge");
        assertThat(rules.path("request_headers").path("remove").toString()).contains("x-debug");
        assertThat(rules.path("compression").path("for_this_accept_encoding").asText()).isEqualTo("gzip");

        // The same route without the headers: no cache key value, the anonymous bucket, no coding.
        JsonNode bare = explain("https://rules.example.com/v1/items", "GET").path("rules");
        assertThat(absent(bare.path("cache").path("key_headers").path("accept-language"))).isTrue();
        assertThat(absent(bare.path("rate_limit").path("key_for_this_request"))).isTrue();
        assertThat(bare.path("compression").path("for_this_accept_encoding").asText()).isEqualTo("identity");
        // A route without rules says so rather than inventing defaults.
        JsonNode plain = explain("https://shop.example.com/api", "GET").path("rules");
        assertThat(absent(plain.path("cache"))).isTrue();
        assertThat(absent(plain.path("rate_limit"))).isTrue();
        assertThat(absent(plain.path("rewrite"))).isTrue();
    }

    /** A rule that does not apply: JSON null, or left out of the answer. */
    private static boolean absent(JsonNode n) {
        return n.isNull() || n.isMissingNode();
    }

    private JsonNode explain(String url, String method) {
        Response r = http.get("/api/v1/explain?url=" + enc(url) + "&method=" + method);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> tried(JsonNode bucket) {
        List<String> out = new ArrayList<>();
        bucket.path("tried").forEach(t -> out.add(t.path("kind").asText() + " " + t.path("path").asText() + " "
                + t.path("route").asText() + " path=" + t.path("path_matches").asBoolean() + " method="
                + t.path("method_allowed").asBoolean() + " won=" + t.path("won").asBoolean()));
        return out;
    }

    private static String health(JsonNode targets, int port) {
        for (JsonNode t : targets) {
            if (t.path("target").asText().equals("127.0.0.1:" + port)) {
                List<String> h = new ArrayList<>();
                t.path("health_by_node").forEach(n -> h.add(n.path("node").asText() + " healthy=" + n.path("healthy").asBoolean()));
                return String.join(",", h);
            }
        }
        return "no such target";
    }

    private static void created(Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static String cert(String name, TestCerts.Pair pair, String sni) {
        ObjectNode b = JSON.createObjectNode();
        b.put("name", name).put("cert", pair.cert()).put("key", pair.key());
        b.putArray("snis").add(sni);
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
