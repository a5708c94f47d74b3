package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** An upstream's {@code tls}: validated (the CA bundle must parse), stored, returned, patched and pushed. */
class UpstreamTlsApiTest extends RunningControlPlane {
    private static final String UP = "/api/v1/upstreams";
    private static final TestCerts CERTS = new TestCerts();

    private static String upstream(String name, String extra) {
        return BalancingApiTest.upstream(name, extra);
    }

    private static String json(String s) {
        try {
            return Http.JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void tlsIsStoredReturnedPatchedAndPushed() throws Exception {
        String ca = CERTS.ec("api-ca", "api.example.com").cert();
        Response created = http.post(UP, upstream("secure", ",\"protocol\":\"h2c\",\"tls\":{\"sni\":\"API.example.com\",\"ca\":"
                + json(ca) + "}"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        for (JsonNode u : new JsonNode[] {created.json(), http.get(UP + "/secure").json()}) {
            JsonNode tls = u.get("tls");
            assertThat(tls.get("verify").asBoolean()).isTrue(); // the default when not given
            assertThat(tls.get("sni").asText()).isEqualTo("api.example.com");
            assertThat(tls.get("ca").asText()).isEqualTo(ca);
        }
        assertThat(http.post(UP, upstream("insecure", ",\"tls\":{\"verify\":false}")).json().get("tls").toString())
                .isEqualTo("{\"verify\":false}");
        assertThat(http.post(UP, upstream("plain", "")).json().has("tls")).isFalse();
        // PATCH keeps tls when not mentioned
        assertThat(http.patch(UP + "/secure", "{\"tags\":[\"x\"]}").json().get("tls").get("sni").asText())
                .isEqualTo("api.example.com");

        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == db.revision());
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-tls", 0)) {
            Snapshot s = node.atLeast(db.revision());
            Upstream secure = named(s, "secure");
            assertThat(secure.hasTls()).isTrue();
            assertThat(secure.getTls().getSkipVerify()).isFalse();
            assertThat(secure.getTls().getSni()).isEqualTo("api.example.com");
            assertThat(secure.getTls().getCaPem()).isEqualTo(ca);
            assertThat(named(s, "insecure").getTls().getSkipVerify()).isTrue();
            assertThat(named(s, "plain").hasTls()).isFalse();
        }
        // null removes it: plaintext again
        assertThat(http.patch(UP + "/secure", "{\"tls\":null}").json().has("tls")).isFalse();
    }

    private static Upstream named(Snapshot s, String name) {
        return s.getUpstreamsList().stream().filter(u -> u.getName().equals(name)).findFirst().orElseThrow();
    }

    static Stream<Arguments> badTls() {
        String garbled = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        return Stream.of(
                Arguments.of(",\"tls\":{\"ca\":" + json(garbled) + "}", 422, "tls.ca"),
                Arguments.of(",\"tls\":{\"ca\":\"hello\"}", 422, "tls.ca"),
                // every snapshot carries it to every proxy: bounded before it is parsed
                Arguments.of(",\"tls\":{\"ca\":" + json("-----BEGIN CERTIFICATE-----\n" + "A".repeat(300_000)) + "}", 422, "tls.ca"),
                Arguments.of(",\"tls\":{\"sni\":\"10.0.0.1\"}", 422, "tls.sni"),
                Arguments.of(",\"tls\":{\"sni\":\"bad name\"}", 422, "tls.sni"),
                Arguments.of(",\"tls\":{\"verify\":\"yes\"}", 400, "tls.verify"),
                Arguments.of(",\"tls\":{\"ciphers\":\"all\"}", 400, "tls.ciphers"),
                Arguments.of(",\"tls\":true", 400, "tls"));
    }

    @ParameterizedTest
    @MethodSource("badTls")
    void badTlsNamesTheFieldAndWritesNothing(String extra, int status, String field) {
        long revision = db.revision();
        Response r = http.post(UP, upstream("bad", extra));
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains(field);
        assertThat(db.revision()).isEqualTo(revision);
    }
}
