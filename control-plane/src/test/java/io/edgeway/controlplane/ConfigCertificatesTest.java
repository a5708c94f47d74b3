package io.edgeway.controlplane;

import static io.edgeway.controlplane.ConfigApiTest.fields;
import static io.edgeway.controlplane.ConfigApiTest.names;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.Http.Response;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Certificates and stream routes in the declarative document and in rollback. A key is sent once; exports
 * and the revision log never hold it, yet an export applies back unchanged and a rollback restores the
 * certificate with the very key it had (checked by decrypting the column with the test master key).
 */
class ConfigCertificatesTest extends RunningControlPlane {
    private static final String CFG = "/api/v1/config";

    private TestCerts.Pair shop;
    private TestCerts.Pair other;
    /** Never sent to the control plane, so no key is held for its leaf. */
    private TestCerts.Pair fresh;

    @BeforeAll
    void makeCertificates() {
        TestCerts certs = new TestCerts();
        shop = certs.ec("shop", "shop.example.com");
        other = certs.rsa("other", "other.example.com");
        fresh = certs.ec("fresh", "fresh.example.com");
    }

    @Override
    protected Map<String, String> env() {
        return TestCerts.env();
    }

    @Test
    void appliesAllFourKindsInOneRevisionAndExportsNoKey() {
        reset();
        long rev = db.revision();
        long entries = db.count("revisions");
        Response applied = http.post(CFG, doc(cert("shop", shop, true, "shop.example.com"), "[" + TCP + "," + UDP + "]"));
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.revisionNumber()).isEqualTo(rev + 1);
        assertThat(names(applied.json().get("created"))).containsExactlyInAnyOrder("upstream db", "upstream dns",
                "certificate shop", "stream_route pg", "stream_route resolver");
        assertThat(db.count("revisions")).isEqualTo(entries + 5);
        assertThat(storedKey("shop")).isEqualTo(shop.keyDer());

        Response exported = http.get(CFG);
        JsonNode cert = exported.json().get("certificates").get(0);
        assertThat(cert.has("key")).isFalse();
        assertThat(cert.get("cert").asText()).isEqualTo(shop.cert());
        assertThat(exported.json().get("stream_routes").get(1).get("protocol").asText()).isEqualTo("udp");
        Response yaml = http.get(CFG + "?format=yaml");
        assertThat(yaml.body()).contains("BEGIN CERTIFICATE").contains("cert: |");
        for (Response r : List.of(applied, exported, yaml, http.get("/api/v1/revisions/" + (rev + 1)))) {
            assertNoKeyIn(r.body());
        }
        assertNoKeyIn(db.queryText("SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), '') FROM revisions"));

        // the export, which has no key, applies back unchanged, as does the document with its key
        Response back = http.post(CFG, exported.body());
        assertThat(back.revisionNumber()).as(back.body()).isEqualTo(rev + 1);
        assertThat(back.json().get("unchanged")).hasSize(5);
        assertThat(http.send("POST", CFG, "application/yaml", yaml.body()).revisionNumber()).isEqualTo(rev + 1);
        assertThat(http.post(CFG, doc(cert("shop", shop, true, "shop.example.com"), "[" + TCP + "," + UDP + "]"))
                .revisionNumber()).isEqualTo(rev + 1);

        // a key-less change to the SNIs keeps the stored key; the plan names only what changed
        Response snis = http.post(CFG, doc(cert("shop", shop, false, "shop.example.com", "www.example.com"), "[" + TCP + "]"));
        assertThat(snis.status()).as(snis.body()).isEqualTo(200);
        assertThat(snis.json().get("updated").get(0).get("fields").toString()).isEqualTo("[\"snis\"]");
        assertThat(names(snis.json().get("deleted"))).containsExactly("stream_route resolver");
        assertThat(storedKey("shop")).isEqualTo(shop.keyDer());
    }

    @Test
    void aCertificateWithoutAKeyNeedsALeafWhoseKeyIsStored() {
        reset();
        http.post(CFG, doc(cert("shop", shop, true), "[]"));
        long rev = db.revision();
        long keys = db.count("certificate_keys");

        // a leaf whose key the control plane never held needs its key, under a new or an existing name
        for (String bad : List.of(doc(cert("fresh", fresh, false), "[]"), doc(cert("shop", fresh, false), "[]"))) {
            Response r = http.post(CFG, bad);
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(fields(r.json().get("errors"))).containsExactly("certificates[0].key");
            Response dry = http.post(CFG + "?dry_run=true", bad);
            assertThat(dry.status()).isEqualTo(200);
            assertThat(fields(dry.json().get("problems"))).containsExactly("certificates[0].key");
        }
        // a key that is not the leaf's is refused whether or not a key is stored for that name
        Response mismatch = http.post(CFG, doc(certWithKey("shop", shop.cert(), fresh.key()), "[]"));
        assertThat(fields(mismatch.json().get("errors"))).containsExactly("certificates[0].key");
        assertNoKeyIn(mismatch.body());
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("certificate_keys")).isEqualTo(keys);

        // replacing the leaf with its key: an update of cert, and the new key is the one stored
        Response replaced = http.post(CFG, doc(cert("shop", other, true), "[]"));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().get("updated").get(0).get("fields").toString()).isEqualTo("[\"cert\"]");
        assertThat(storedKey("shop")).isEqualTo(other.keyDer());
    }

    @Test
    void danglingReferencesAndSharedListenersAreRefusedNamingTheField() {
        reset();
        http.post(CFG, doc(cert("shop", shop, true, "shop.example.com"), "[" + TCP + "]"));
        long rev = db.revision();
        long streamRoutes = db.count("stream_routes");
        String upstreams = "[{\"name\":\"db\"}]";

        refused(docWith(upstreams, "[]", "[{\"name\":\"x\",\"listen_port\":1,\"upstream\":\"nope\"}]"), "stream_routes[0].upstream");
        // dropping an upstream a stream route still uses
        refused(docWith("[{\"name\":\"dns\"}]", "[]", "[" + TCP + "]"), "stream_routes[0].upstream");
        refused(docWith(upstreams, "[]", "[" + TCP + "," + TCP.replace("\"pg\"", "\"pg2\"") + "]"), "stream_routes[1].listen_port");
        refused(docWith(upstreams, "[]", "[" + TCP + "," + TCP + "]"), "stream_routes[1].name");
        // one SNI, two certificates with the same key type (an ECDSA and an RSA one may share it)
        refused(docWith(upstreams, "[" + cert("a", shop, false, "x.example.com") + "," + cert("b", shop, true, "X.example.com") + "]",
                "[]"), "certificates[1].snis[0]");
        refused(docWith(upstreams, "[" + cert("a", shop, false) + "," + cert("a", shop, false) + "]", "[]"), "certificates[1].name");
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("stream_routes")).isEqualTo(streamRoutes);

        // the same port with the other protocol is another listener, and two routes may swap ports in one apply
        String swapped = "[" + TCP.replace("5432", "5433") + "," + TCP.replace("\"pg\"", "\"pg2\"") + "]";
        assertThat(http.post(CFG, docWith("[{\"name\":\"db\"},{\"name\":\"dns\"}]", "[]", "[" + TCP + "," + UDP.replace("53", "5432") + "]"))
                .status()).isEqualTo(200);
        assertThat(http.post(CFG, docWith(upstreams, "[]", "[" + TCP + "," + TCP.replace("\"pg\"", "\"pg2\"").replace("5432", "5433") + "]"))
                .status()).isEqualTo(200);
        Response swap = http.post(CFG, docWith(upstreams, "[]", swapped));
        assertThat(swap.status()).as(swap.body()).isEqualTo(200);
        assertThat(http.get("/api/v1/stream-routes/pg2").json().get("listen_port").asInt()).isEqualTo(5432);
    }

    @Test
    void rollbackRestoresCertificatesWithTheirKeysAndStreamRoutes() {
        reset();
        long first = http.post(CFG, doc(cert("shop", shop, true, "shop.example.com"), "[" + TCP + "]")).revisionNumber();
        JsonNode stateThen = http.get(CFG).json();
        // the certificate gets another leaf and key through the entity API, then the document drops everything
        ObjectNode put = Http.JSON.createObjectNode().put("cert", other.cert()).put("key", other.key());
        assertThat(http.send("PUT", "/api/v1/certificates/shop", "application/json", put.toString()).status()).isEqualTo(200);
        reset();
        assertThat(db.count("certificates")).isZero();

        Response back = http.post("/api/v1/revisions/" + first + "/rollback", "");
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(names(back.json().get("created"))).containsExactlyInAnyOrder("upstream db", "upstream dns",
                "certificate shop", "stream_route pg");
        assertThat(http.get(CFG).json()).isEqualTo(stateThen);
        assertThat(storedKey("shop")).isEqualTo(shop.keyDer());
        assertNoKeyIn(http.get("/api/v1/revisions/" + back.revisionNumber()).body());

        // and forward again to the other leaf, whose key was only ever given to the entity API
        assertThat(http.post("/api/v1/revisions/" + (first + 1) + "/rollback", "").status()).isEqualTo(200);
        assertThat(storedKey("shop")).isEqualTo(other.keyDer());
    }

    @Test
    void dryRunPlansEveryKindAndWritesNothing() {
        reset();
        long rev = db.revision();
        long keys = db.count("certificate_keys");
        Response dry = http.post(CFG + "?dry_run=true", doc(cert("shop", shop, true), "[" + TCP + "]"));
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        assertThat(names(dry.json().get("created"))).contains("certificate shop", "stream_route pg");
        assertThat(dry.json().get("problems")).isEmpty();
        assertNoKeyIn(dry.body());
        assertThat(db.revision()).isEqualTo(rev);
        assertThat(db.count("certificates") + db.count("stream_routes")).isZero();
        assertThat(db.count("certificate_keys")).isEqualTo(keys);
    }

    private static final String TCP = "{\"name\":\"pg\",\"listen_port\":5432,\"protocol\":\"tcp\",\"snis\":[\"db.example.com\"],\"upstream\":\"db\"}";
    private static final String UDP = "{\"name\":\"resolver\",\"listen_port\":53,\"protocol\":\"udp\",\"upstream\":\"dns\"}";

    private void reset() {
        assertThat(http.post(CFG, "{\"upstreams\":[],\"routes\":[],\"certificates\":[],\"stream_routes\":[]}").status()).isEqualTo(200);
    }

    private void refused(String body, String field) {
        Response r = http.post(CFG, body);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(fields(r.json().get("errors"))).as(r.body()).contains(field);
    }

    private static String doc(String certificate, String streamRoutes) {
        return docWith("[{\"name\":\"db\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":5432}]},{\"name\":\"dns\"}]",
                "[" + certificate + "]", streamRoutes);
    }

    private static String docWith(String upstreams, String certificates, String streamRoutes) {
        return "{\"upstreams\":" + upstreams + ",\"certificates\":" + certificates + ",\"stream_routes\":" + streamRoutes + "}";
    }

    private static String cert(String name, TestCerts.Pair pair, boolean withKey, String... snis) {
        ObjectNode c = Http.JSON.createObjectNode().put("name", name).put("cert", pair.cert());
        if (withKey) {
            c.put("key", pair.key());
        }
        ArrayNode s = c.putArray("snis");
        List.of(snis).forEach(s::add);
        return c.toString();
    }

    private static String certWithKey(String name, String cert, String key) {
        return Http.JSON.createObjectNode().put("name", name).put("cert", cert).put("key", key).toString();
    }

    /** The PKCS#8 key stored for certificate {@code name}, decrypted with the test master key. */
    private byte[] storedKey(String name) {
        String sealed = db.queryText("SELECT encode(key_ciphertext, 'base64') FROM certificates WHERE name = '" + name + "'");
        return TestCerts.masterKey().decrypt(Base64.getMimeDecoder().decode(sealed));
    }

    private void assertNoKeyIn(String text) {
        TestCerts.assertNoKeyIn(text, shop, other, fresh);
    }
}
