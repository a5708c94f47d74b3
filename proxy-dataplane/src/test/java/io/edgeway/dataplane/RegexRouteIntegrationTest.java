package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regex paths through a real proxy. {@code ~/(a+)+$} backtracks exponentially in java.util.regex on
 * {@code /aaaa...!}; compiled with re2j it is linear, so the request is simply routed (to the catch-all).
 */
class RegexRouteIntegrationTest {
    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend regex;
    static TestBackend rest;
    static DataPlane dp;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        regex = new TestBackend("regex");
        rest = new TestBackend("rest");
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        await().until(() -> !cp.hellos.isEmpty());
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("regex").addTargets(target(regex.port())))
                .addUpstreams(Upstream.newBuilder().setName("rest").addTargets(target(rest.port())))
                .addRoutes(Route.newBuilder().setName("rest").addPaths("/").setUpstream("rest"))
                .addRoutes(Route.newBuilder().setName("evil").addPaths("~/(a+)+$").setUpstream("regex"))
                .addRoutes(Route.newBuilder().setName("users").addPaths("~/users/[0-9]+$").setUpstream("regex"))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dp != null) {
            dp.close();
        }
        OneRouteProxy.closeAll(regex, rest, cp);
    }

    static Target target(int port) {
        return Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1).build();
    }

    static String get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void regexPathsComeBeforePrefixes() throws Exception {
        assertThat(get("/users/42")).isEqualTo("200 regex");
        assertThat(get("/users/42?x=1")).isEqualTo("200 regex");
        assertThat(get("/users/42/orders")).isEqualTo("200 rest");
        assertThat(get("/v1/users/42")).isEqualTo("200 rest"); // anchored at the path's start
        assertThat(get("/aaaa")).isEqualTo("200 regex");
    }

    @Test
    void catastrophicRegexIsHarmless() throws Exception {
        assertThat(get("/" + "a".repeat(4000) + "!")).isEqualTo("200 rest");
        assertThat(get("/" + "a".repeat(4000))).isEqualTo("200 regex");
    }
}
