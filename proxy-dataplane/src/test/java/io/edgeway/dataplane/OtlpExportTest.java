package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.accesslog.AccessLogSettings;
import io.edgeway.dataplane.trace.OtlpSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP export of one SERVER span per sampled request, read back by a real OTLP/HTTP receiver on loopback. */
class OtlpExportTest {
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final HexFormat HEX = HexFormat.of();
    @TempDir
    Path dir;
    TestControlPlane cp;
    TestBackend target;
    OtlpReceiver receiver;
    DataPlane dp;
    int closedPort;

    @BeforeEach
    void backends() throws Exception {
        cp = new TestControlPlane(0);
        target = new TestBackend("t");
        receiver = new OtlpReceiver();
        closedPort = FreePorts.refused(); // the "down" route's target refuses connections
    }

    @AfterEach
    void stop() throws Exception {
        OneRouteProxy.closeAll(dp, target, receiver, cp);
    }

    void startProxy(OtlpSettings otlp) throws Exception {
        dp = DataPlane.start(Settings.forTest(cp.port(), dir).withNodeId("node-7").withObservability(
                new Settings.Observability(AccessLogSettings.OFF, true).withOtlp(otlp)));
        cp.push(Snapshot.newBuilder().setVersion(1).setNonce("n")
                .addUpstreams(Upstream.newBuilder().setName("u").addTargets(OneRouteProxy.loopback(target.port())))
                .addUpstreams(Upstream.newBuilder().setName("gone").addTargets(OneRouteProxy.loopback(closedPort)))
                .addRoutes(Route.newBuilder().setName("r").addHosts("t.test").setUpstream("u"))
                .addRoutes(Route.newBuilder().setName("down").addHosts("down.test").setUpstream("gone"))
                .build());
        await().until(() -> cp.answered(1, true));
    }

    HttpResponse<String> send(String host, String path, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(10));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The traceparent the target saw for the last request, parsed. */
    Matcher seenByTarget() {
        Matcher m = TraceContextTest.TRACEPARENT.matcher(target.lastHeaders.get("traceparent"));
        assertThat(m.matches()).isTrue();
        return m;
    }

    static String hex(ByteString b) {
        return HEX.formatHex(b.toByteArray());
    }

    static Map<String, Object> attributes(Span s) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (KeyValue kv : s.getAttributesList()) {
            m.put(kv.getKey(), kv.getValue().hasIntValue() ? (Object) kv.getValue().getIntValue()
                    : kv.getValue().getStringValue());
        }
        return m;
    }

    Optional<Span> spanOfTrace(String traceId) {
        return receiver.spans.stream().filter(s -> hex(s.getTraceId()).equals(traceId)).findFirst();
    }

    Span awaitSpan(String traceId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> spanOfTrace(traceId).isPresent());
        return spanOfTrace(traceId).orElseThrow();
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zero
        return HEX.formatHex(b);
    }

    @Test
    void eachSampledRequestIsOneServerSpanWithTheIdsTheTargetSawAndTheClientAsParent() throws Exception {
        startProxy(OtlpSettings.OFF.to(receiver.endpoint(), 1));
        int n = 5;
        Map<String, String[]> expected = new LinkedHashMap<>(); // trace id → {client's span, span sent to target}
        for (int i = 0; i < n; i++) {
            String trace = randomHex(16);
            String parent = randomHex(8);
            assertThat(send("t.test", "/items/" + i + "?secret=x", "00-" + trace + "-" + parent + "-01").statusCode())
                    .isEqualTo(200);
            Matcher seen = seenByTarget();
            assertThat(seen.group(1)).isEqualTo(trace);
            expected.put(trace, new String[] {parent, seen.group(2)});
        }
        assertThat(send("t.test", "/new", null).statusCode()).isEqualTo(200);
        Matcher started = seenByTarget();
        assertThat(started.group(3)).as("a trace the proxy starts and exports is marked sampled").isEqualTo("01");

        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            Span s = awaitSpan(e.getKey());
            assertThat(hex(s.getParentSpanId())).as("the client's span is the parent").isEqualTo(e.getValue()[0]);
            assertThat(hex(s.getSpanId())).as("the span the target saw as its parent").isEqualTo(e.getValue()[1]);
            assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(s.getEndTimeUnixNano()).isGreaterThanOrEqualTo(s.getStartTimeUnixNano());
            assertThat(s.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
            Map<String, Object> a = attributes(s);
            assertThat(a).containsEntry("http.request.method", "GET")
                    .containsEntry("http.response.status_code", 200L)
                    .containsEntry("edgeway.route", "r")
                    .containsEntry("edgeway.upstream", "u")
                    .containsEntry("server.address", "t.test")
                    .containsEntry("network.peer.address", "127.0.0.1")
                    .containsEntry("network.peer.port", (long) target.port());
            assertThat((String) a.get("url.path")).startsWith("/items/").doesNotContain("secret");
        }
        Span root = awaitSpan(started.group(1));
        assertThat(root.getParentSpanId().isEmpty()).as("a trace the proxy started has no parent").isTrue();
        assertThat(hex(root.getSpanId())).isEqualTo(started.group(2));
        assertThat(receiver.spans).as("one span per request").hasSize(n + 1);
        assertThat(receiver.contentTypes).allMatch("application/x-protobuf"::equals);
    }

    @Test
    void aFailingTargetsSpanIsAnErrorWithTheStatusCode() throws Exception {
        startProxy(OtlpSettings.OFF.to(receiver.endpoint(), 1));
        String trace = randomHex(16);
        assertThat(send("down.test", "/", "00-" + trace + "-" + randomHex(8) + "-01").statusCode()).isEqualTo(502);
        Span s = awaitSpan(trace);
        assertThat(s.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attributes(s)).containsEntry("http.response.status_code", 502L)
                .containsEntry("edgeway.route", "down");
    }

    @Test
    void theCallersSamplingDecisionIsKeptAndUnsampledRequestsAreNotSent() throws Exception {
        startProxy(OtlpSettings.OFF.to(receiver.endpoint(), 0)); // the proxy samples no trace of its own
        assertThat(send("t.test", "/", null).statusCode()).isEqualTo(200);
        String ownTrace = seenByTarget().group(1);
        assertThat(seenByTarget().group(3)).as("not sampled at ratio 0").isEqualTo("00");
        String unsampled = randomHex(16);
        assertThat(send("t.test", "/", "00-" + unsampled + "-" + randomHex(8) + "-00").statusCode()).isEqualTo(200);
        String sampled = randomHex(16);
        assertThat(send("t.test", "/", "00-" + sampled + "-" + randomHex(8) + "-01").statusCode()).isEqualTo(200);
        awaitSpan(sampled); // the last request's span arrived, so the earlier ones would have too (one FIFO queue)
        assertThat(spanOfTrace(ownTrace)).isEmpty();
        assertThat(spanOfTrace(unsampled)).isEmpty();
        assertThat(receiver.spans).hasSize(1);
    }

    @Test
    void withExportOffNothingIsSentAndNewTracesAreNotMarkedSampled() throws Exception {
        startProxy(OtlpSettings.OFF);
        assertThat(send("t.test", "/", null).statusCode()).isEqualTo(200);
        assertThat(seenByTarget().group(3)).isEqualTo("00");
        assertThat(send("t.test", "/", "00-" + randomHex(16) + "-" + randomHex(8) + "-01").statusCode()).isEqualTo(200);
        assertThat(metric("edgeway_otlp_spans_failed_total")).isZero();
        assertThat(receiver.spans).isEmpty();
    }

    @Test
    void aCollectorThatNeverAnswersFailsNoRequestAndItsSpansAreDroppedAndCounted() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // accepts connections in the kernel's backlog and never answers: every export waits for its timeout
            startProxy(new OtlpSettings(URI.create("http://127.0.0.1:" + silent.getLocalPort()), 1, 4));
            for (int i = 0; i < 40; i++) {
                assertThat(send("t.test", "/" + i, null).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> metric("edgeway_otlp_spans_dropped_total") > 0
                    && metric("edgeway_otlp_spans_failed_total") > 0);
        }
    }

    double metric(String name) throws Exception {
        String page = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.statusPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : page.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not on the metrics page");
    }
}
