package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.HeaderActions;
import io.edgeway.proto.v1.HeaderValue;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRedirect;
import io.edgeway.proto.v1.RouteRewrite;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route actions on a real proxy (issue 17): redirects answered by the proxy (every status, keep_path with the
 * query, no header injection or other host from the request), the path rewritten as the target sees it, and
 * headers set, added and removed both ways. Raw sockets, so the test sees the exact bytes.
 */
class RouteActionsProxyTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static ActionsBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new ActionsBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        Snapshot.Builder s = Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("moved").addHosts("redir.test").addPaths("/old")
                        .setRedirect(RouteRedirect.newBuilder().setTo("https://example.com/new").setStatus(301).setKeepPath(true)))
                .addRoutes(Route.newBuilder().setName("root").addHosts("root.test")
                        .setRedirect(RouteRedirect.newBuilder().setTo("/").setStatus(302).setKeepPath(true)))
                .addRoutes(Route.newBuilder().setName("strip").addHosts("strip.test").addPaths("/api").setUpstream("b")
                        .setRewrite(RouteRewrite.newBuilder().setPrefix("/api").setReplace("/"))
                        .setRequestHeaders(HeaderActions.newBuilder().addSet(hv("x-a", "1")).addAdd(hv("x-added", "two"))
                                .addRemove("x-b"))
                        .setResponseHeaders(HeaderActions.newBuilder().addSet(hv("x-resp", "yes")).addAdd(hv("x-origin", "proxy"))
                                .addRemove("x-remove-me")))
                .addRoutes(Route.newBuilder().setName("traced").addHosts("traced.test").setUpstream("b")
                        .setRequestHeaders(HeaderActions.newBuilder().addSet(hv("x-request-id", "from-the-route"))))
                .addRoutes(Route.newBuilder().setName("replace").addHosts("replace.test").addPaths("/api").setUpstream("b")
                        .setRewrite(RouteRewrite.newBuilder().setPrefix("/api").setReplace("/v2")));
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            s.addRoutes(Route.newBuilder().setName("s" + status).addHosts("redir.test").addPaths("/s" + status)
                    .setRedirect(RouteRedirect.newBuilder().setTo("https://example.com/fixed").setStatus(status)));
        }
        initial = s.build();
        cp.push(initial);
        await().until(() -> cp.answered(2, true));
    }

    static Snapshot initial; // version 2

    private static HeaderValue hv(String name, String value) {
        return HeaderValue.newBuilder().setName(name).setValue(value).build();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    private static RawClient.Response get(String host, String target, String... headers) throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + String.join("", headers) + "\r\n");
            return c.read(false);
        }
    }

    @Test
    void everyRedirectStatusAnswersWithTheConfiguredLocation() throws Exception {
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            RawClient.Response r = get("redir.test", "/s" + status + "/deep?q=1");
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.headers().get("location")).isEqualTo("https://example.com/fixed"); // keep_path off
            assertThat(r.headers().get("content-length")).isEqualTo("0");
        }
        assertThat(backend.sentDigest).isEmpty(); // the proxy answered; nothing reached the target
    }

    @Test
    void keepPathAppendsThePathAfterTheMatchedPrefixAndTheQuery() throws Exception {
        RawClient.Response r = get("redir.test", "/old/a/b.html?x=1&y=%20z");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.headers().get("location")).isEqualTo("https://example.com/new/a/b.html?x=1&y=%20z");
    }

    @Test
    void crlfInThePathCannotInjectAHeaderIntoTheRedirect() throws Exception {
        RawClient.Response r = get("redir.test", "/old/%0D%0ASet-Cookie:%20evil=1?%0d%0aX-Injected:%201");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.headers()).doesNotContainKeys("set-cookie", "x-injected");
        assertThat(r.headers().get("location")).startsWith("https://example.com/new/").doesNotContain("\r", "\n");
    }

    @Test
    void theRequestCannotTurnAPathRedirectIntoAnotherHost() throws Exception {
        // "//evil.example/x" after a path-only target would be a protocol-relative URL: another host
        RawClient.Response r = get("root.test", "//evil.example/x");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.headers().get("location")).isEqualTo("/evil.example/x");
    }

    /** A route that sets X-Request-Id itself: the target gets that one, once, and still this hop's traceparent. */
    @Test
    void aRequestIdSetByTheRouteIsSentOnceInsteadOfTheTraceId() throws Exception {
        RawClient.Response r = get("traced.test", "/echo-me", "X-Request-Id: bad id\r\n");
        assertThat(r.status()).isEqualTo(200);
        List<String> lines = ActionsBackend.lines(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(lines).filteredOn(l -> l.startsWith("x-request-id:")).containsExactly("x-request-id: from-the-route");
        assertThat(lines).filteredOn(l -> l.startsWith("traceparent:")).singleElement().asString()
                .matches("traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void stripPrefixAndHeaderEditsAreWhatTheTargetAndTheClientSee() throws Exception {
        RawClient.Response r = get("strip.test", "/api/items/7?sort=asc", "X-B: secret\r\n", "X-A: client\r\n", "X-Added: one\r\n");
        assertThat(r.status()).isEqualTo(200);
        String echo = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(echo).startsWith("GET /items/7?sort=asc\n");
        assertThat(ActionsBackend.lines(echo)).contains("x-a: 1", "x-added: one | two").noneMatch(l -> l.startsWith("x-b:"));
        assertThat(r.headers().get("x-resp")).isEqualTo("yes");
        assertThat(r.headers()).doesNotContainKey("x-remove-me");
        assertThat(r.headers().get("x-origin")).isEqualTo("target, proxy"); // RawClient joins repeated fields
        assertThat(new String(get("strip.test", "/api").body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("GET /\n");
    }

    @Test
    void replacedPrefixIsWhatTheTargetSees() throws Exception {
        String echo = new String(get("replace.test", "/api/users?id=3").body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(echo).startsWith("GET /v2/users?id=3\n");
    }

    @Test
    void unsafeActionsQuarantineTheirRoutesNamingTheFieldsAndTheRestKeepsServing() throws Exception {
        cp.push(initial.toBuilder().setVersion(3).setNonce("n3")
                .addRoutes(Route.newBuilder().setName("evil").addHosts("evil.test")
                        .setRedirect(RouteRedirect.newBuilder().setTo("//evil.example/").setStatus(301)))
                .addRoutes(Route.newBuilder().setName("smuggle").addHosts("smuggle.test").setUpstream("b")
                        .setRequestHeaders(HeaderActions.newBuilder().addSet(hv("transfer-encoding", "chunked")))
                        .setResponseHeaders(HeaderActions.newBuilder().addAdd(hv("x-a", "1\r\nset-cookie: a=b"))))
                .build());
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        assertThat(cp.ack(3).getAck().getQuarantinedList()).extracting(e -> e.getName() + " " + e.getField())
                .contains("evil redirect.to", "smuggle request_headers.set", "smuggle response_headers.add.x-a");
        assertThat(get("redir.test", "/s301").status()).isEqualTo(301); // the rest, as in version 2, serves
        assertThat(get("evil.test", "/").status()).isEqualTo(503); // never redirected, never falls through
        assertThat(get("smuggle.test", "/").status()).isEqualTo(503); // its target never sees the request
    }
}
