package io.edgeway.controlplane;

import static io.edgeway.controlplane.BadInputTest.bad;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The hostile-input cases for the {@code certificates} and {@code stream_routes} sections of POST
 * /api/v1/config, run by {@link BadInputTest} against a control plane holding certificate {@code edge}
 * (leaf {@link #EDGE}) and stream route {@code tcp} (port 7000 on upstream {@code spare}).
 */
final class BadDocumentSections {
    private static final String CFG = "/api/v1/config";
    private static final String JSON = "application/json";
    private static final String YAML = "application/yaml";
    private static final TestCerts CERTS = new TestCerts();
    static final TestCerts.Pair EDGE = CERTS.ec("edge", "edge.example.com");
    /** Never stored: the control plane holds no key for its leaf. */
    private static final TestCerts.Pair NEW = CERTS.ec("new", "new.example.com");

    private BadDocumentSections() {}

    static List<Arguments> cases() {
        String nest = "[".repeat(10_000) + "]".repeat(10_000);
        String up = "\"upstreams\":[{\"name\":\"spare\"}]";
        String sr = "{" + up + ",\"stream_routes\":[{\"name\":\"s\",\"upstream\":\"spare\",%s}]}";
        String c = "{\"certificates\":[{\"name\":\"c\",%s}]}";
        String tcp = "{\"name\":\"tcp\",\"listen_port\":7000,\"upstream\":\"spare\"}";
        return List.of(
                // deep nesting, duplicate keys, invalid UTF-8
                bad("POST", CFG, JSON, "{\"certificates\":" + nest + "}", 400, "body"),
                bad("POST", CFG, JSON, "{\"stream_routes\":" + nest + "}", 400, "body"),
                bad("POST", CFG, JSON, "{\"certificates\":[],\"certificates\":[]}", 400, "certificates"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1,\"listen_port\":2"), 400, "stream_routes[0].listen_port"),
                bad("POST", CFG, YAML, "stream_routes:\n  - {name: s, name: t}\n", 400, "body"),
                bad("POST", CFG, JSON, BadInputTest.utf8WithInvalidBytes("{\"certificates\":[{\"name\":\"", "\"}]}"), 400,
                        "certificates[0].name"),
                // huge numbers and out-of-range values
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":99999999999999999999"), 422, "stream_routes[0].listen_port"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1e400"), 422, "stream_routes[0].listen_port"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":0"), 422, "stream_routes[0].listen_port"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":65536"), 422, "stream_routes[0].listen_port"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1,\"protocol\":\"sctp\""), 422, "stream_routes[0].protocol"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1,\"protocol\":\"udp\",\"snis\":[\"a.example.com\"]"), 422,
                        "stream_routes[0].snis"),
                bad("POST", CFG, JSON, c.formatted(pem(EDGE, true) + ",\"snis\":[\"not a host\"]"), 422, "certificates[0].snis[0]"),
                // nulls, unknown fields, wrong types
                bad("POST", CFG, JSON, c.formatted("\"cert\":null"), 422, "certificates[0].cert"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1,\"upstream\":null").replace("\"upstream\":\"spare\",", ""), 422,
                        "stream_routes[0].upstream"),
                bad("POST", CFG, JSON, c.formatted(pem(EDGE, true) + ",\"private\":true"), 422, "certificates[0].private"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1,\"weight\":1"), 422, "stream_routes[0].weight"),
                bad("POST", CFG, JSON, "{\"certificates\":{}}", 422, "certificates"),
                bad("POST", CFG, JSON, "{\"stream_routes\":[\"tcp\"]}", 422, "stream_routes[0]"),
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":\"7001\""), 422, "stream_routes[0].listen_port"),
                bad("POST", CFG, JSON, c.formatted("\"cert\":[\"-----BEGIN CERTIFICATE-----\"]"), 422, "certificates[0].cert"),
                // bad PEM, a key that is not the leaf's, and a leaf with no key given or stored
                bad("POST", CFG, JSON, c.formatted("\"cert\":\"hello\",\"key\":\"world\""), 422, "certificates[0].cert"),
                bad("POST", CFG, JSON, c.formatted("\"cert\":" + quoted(EDGE.cert()) + ",\"key\":" + quoted(NEW.key())), 422,
                        "certificates[0].key"),
                bad("POST", CFG, JSON, c.formatted("\"cert\":" + quoted(EDGE.cert()) + ",\"key\":\"-----BEGIN PRIVATE KEY-----\""), 422,
                        "certificates[0].key"),
                bad("POST", CFG, JSON, c.formatted(pem(NEW, false)), 422, "certificates[0].key"),
                bad("POST", CFG, YAML, "certificates:\n  - name: c\n    cert: " + quoted(NEW.cert()) + "\n", 422, "certificates[0].key"),
                // dangling references, and what two entities may not share
                bad("POST", CFG, JSON, sr.formatted("\"listen_port\":1").replace("\"upstream\":\"spare\"", "\"upstream\":\"nope\""), 422,
                        "stream_routes[0].upstream"),
                bad("POST", CFG, JSON, "{\"stream_routes\":[" + tcp + "]}", 422, "stream_routes[0].upstream"),
                bad("DELETE", "/api/v1/upstreams/spare", null, null, 422, "name"),
                bad("POST", CFG, JSON, "{" + up + ",\"stream_routes\":[" + tcp + "," + tcp.replace("\"tcp\"", "\"tcp2\"") + "]}", 422,
                        "stream_routes[1].listen_port"),
                bad("POST", CFG, JSON, "{\"certificates\":[{\"name\":\"a\"," + pem(EDGE, false) + ",\"snis\":[\"x.example.com\"]},"
                        + "{\"name\":\"b\"," + pem(EDGE, false) + ",\"snis\":[\"X.example.com\"]}]}", 422, "certificates[1].snis[0]"));
    }

    /** {@code "cert":...} and, when {@code withKey}, {@code "key":...} as JSON members. */
    private static String pem(TestCerts.Pair pair, boolean withKey) {
        ObjectNode n = Http.JSON.createObjectNode().put("cert", pair.cert());
        if (withKey) {
            n.put("key", pair.key());
        }
        String members = n.toString();
        return members.substring(1, members.length() - 1);
    }

    private static String quoted(String text) {
        return Http.JSON.getNodeFactory().textNode(text).toString();
    }
}
