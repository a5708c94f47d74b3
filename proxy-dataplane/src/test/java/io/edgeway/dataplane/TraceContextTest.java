package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the target sees of W3C trace context and X-Request-Id, through a real proxy. */
class TraceContextTest {
    static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT = "00f067aa0ba902b7";
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend target;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        target = new TestBackend("t");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n")
                .addUpstreams(Upstream.newBuilder().setName("u").addTargets(OneRouteProxy.loopback(target.port())))
                .addRoutes(Route.newBuilder().setName("r").addHosts("t.test").setUpstream("u"))
                .build());
        await().until(() -> cp.answered(1, true));
    }

    @AfterAll
    static void stop() throws Exception {
        dp.close();
        target.close();
        cp.close();
    }

    /** Sends with the given header pairs and answers the traceparent the target saw, parsed. */
    static Matcher sent(String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/"))
                .header("Host", "t.test").timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        assertThat(client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        String seen = target.lastHeaders.get("traceparent");
        assertThat(seen).as("one traceparent at the target").isNotNull().doesNotContain(",");
        Matcher m = TRACEPARENT.matcher(seen);
        assertThat(m.matches()).as(seen).isTrue();
        return m;
    }

    @Test
    void theClientsTraceGoesOnWithANewSpanForThisHop() throws Exception {
        Matcher m = sent("traceparent", "00-" + TRACE + "-" + PARENT + "-01", "tracestate", "vendor=abc");
        assertThat(m.group(1)).isEqualTo(TRACE);
        assertThat(m.group(2)).isNotEqualTo(PARENT).isNotEqualTo("0000000000000000");
        assertThat(m.group(3)).as("sampled flag kept").isEqualTo("01");
        assertThat(target.lastHeaders.get("tracestate")).isEqualTo("vendor=abc");
    }

    @Test
    void aTraceIsStartedWhenThereIsNoneAndItsIdIsTheRequestId() throws Exception {
        Matcher first = sent();
        String firstTrace = first.group(1);
        assertThat(firstTrace).isNotEqualTo("0".repeat(32));
        assertThat(target.lastHeaders.get("x-request-id")).isEqualTo(firstTrace);
        assertThat(sent().group(1)).as("a new trace per request").isNotEqualTo(firstTrace);
    }

    /**
     * A client may name any field in Connection, and the proxy strips what it names (hop-by-hop). Naming the trace
     * fields must not take this hop's traceparent and X-Request-Id away from the target, nor let the client's
     * own trace id through unchecked.
     */
    @Test
    void aConnectionHeaderNamingTheTraceFieldsCannotRemoveThisHopsOnes() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("GET / HTTP/1.1\r\nHost: t.test\r\nConnection: traceparent, x-request-id\r\n"
                    + "traceparent: 00-" + TRACE + "-" + PARENT + "-01\r\nX-Request-Id: mine\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(200);
        }
        String seen = target.lastHeaders.get("traceparent");
        assertThat(seen).as("this hop's traceparent reached the target").isNotNull();
        Matcher m = TRACEPARENT.matcher(seen);
        assertThat(m.matches()).as(seen).isTrue();
        assertThat(m.group(1)).as("the stripped client header did not count").isNotEqualTo(TRACE);
        assertThat(target.lastHeaders.get("x-request-id")).isEqualTo(m.group(1));
    }

    @Test
    void aValidRequestIdIsKept() throws Exception {
        sent("X-Request-Id", "order-7f3a:retry=2");
        assertThat(target.lastHeaders.get("x-request-id")).isEqualTo("order-7f3a:retry=2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "semi;colon", "<script>", ""})
    void aMalformedRequestIdIsReplaced(String id) throws Exception {
        Matcher m = sent("X-Request-Id", id.isEmpty() ? "x".repeat(129) : id);
        assertThat(target.lastHeaders.get("x-request-id")).isEqualTo(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // 00 is exactly 55 chars
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // short trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", // not hex
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", // wrong separators
            "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"})
    void aMalformedTraceparentIsReplacedNotForwarded(String bad) throws Exception {
        Matcher m = sent("traceparent", bad, "tracestate", "vendor=abc");
        assertThat(m.group(1)).isNotEqualTo(TRACE).isNotEqualTo("0".repeat(32));
        assertThat(target.lastHeaders.get("tracestate")).as("tracestate goes with a bad traceparent").isNull();
    }

    @Test
    void twoTraceparentsAreMalformed() throws Exception {
        Matcher m = sent("traceparent", "00-" + TRACE + "-" + PARENT + "-01",
                "traceparent", "00-" + TRACE.replace('4', '5') + "-" + PARENT + "-01");
        assertThat(m.group(1)).isNotEqualTo(TRACE);
    }

    @Test
    void aLaterVersionKeepsItsIdsAndLeavesAsVersion00() throws Exception {
        Matcher m = sent("traceparent", "01-" + TRACE + "-" + PARENT + "-01-what-comes-later");
        assertThat(m.group(1)).isEqualTo(TRACE);
    }
}
