package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.Http.Response;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Certificates: the chain and key are checked with the JDK, the key is encrypted at rest under the master
 * key and never returned, SNIs are unique across certificates, and every write bumps the revision.
 * Keys and certificates are made by the openssl binary, as an operator would.
 */
class CertificatesApiTest extends RunningControlPlane {
    private static final String CERTS = "/api/v1/certificates";

    private TestCerts certs;
    private String shopCert;
    private String shopKey;
    private String otherKey;
    private String rsaCert;
    private String rsaKey;

    @BeforeAll
    void makeCertificates() {
        certs = new TestCerts();
        TestCerts.Pair shop = certs.ec("shop", "shop.example.com");
        TestCerts.Pair rsa = certs.rsa("rsa", "api.example.org");
        certs.openssl("pkey", "-in", "rsa.key", "-traditional", "-out", "rsa-pkcs1.key");
        shopCert = shop.cert();
        shopKey = shop.key();
        otherKey = certs.ec("other", "other.example.com").key();
        rsaCert = rsa.cert();
        rsaKey = rsa.key();
    }

    @Override
    protected Map<String, String> env() {
        return TestCerts.env();
    }

    @Test
    void aCertificateIsStoredWithItsKeyEncryptedAndNeverReturned() throws Exception {
        long revision = db.revision();
        Response created = http.post(CERTS, body("shop", shopCert, shopKey, List.of("shop.example.com", "*.Shop.example.com")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.revisionNumber()).isEqualTo(revision + 1);
        JsonNode c = created.json();
        assertThat(c.has("key")).isFalse();
        assertThat(created.body()).doesNotContain("PRIVATE KEY");
        assertThat(c.path("cert").asText()).isEqualTo(shopCert);
        assertThat(c.path("snis").toString()).isEqualTo("[\"shop.example.com\",\"*.shop.example.com\"]");
        Instant expires = Instant.parse(c.path("expires_at").asText());
        assertThat(expires).isBetween(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(3)));
        String der = shopCert.replaceAll("-----[A-Z ]+-----|\\s", "");
        assertThat(c.path("fingerprint_sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(der))));

        Response read = http.get(CERTS + "/shop");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.etag()).isEqualTo(created.etag());
        assertThat(read.json().has("key")).isFalse();
        assertThat(http.get(CERTS + "/" + c.path("id").asText()).json().path("name").asText()).isEqualTo("shop");
        Response list = http.get(CERTS);
        assertThat(list.json().path("data").findValuesAsText("name")).contains("shop");
        assertThat(list.body()).doesNotContain("PRIVATE KEY");

        // at rest: ciphertext only; neither the PEM nor its base64 body appears in the column or the revision log
        String keyBody = shopKey.replaceAll("-----[A-Z ]+-----|\\s", "");
        String stored = db.queryText("SELECT encode(key_ciphertext, 'base64') FROM certificates WHERE name = 'shop'").replaceAll("\\s", "");
        byte[] pkcs8 = Base64.getDecoder().decode(keyBody);
        assertThat(stored).isNotEmpty().doesNotContain(keyBody.substring(0, 40));
        // neither the PEM text nor the DER it encodes (its last 32 bytes hold the secret scalar) is in the column
        assertThat(db.queryText("SELECT position('PRIVATE KEY'::bytea in key_ciphertext) FROM certificates WHERE name = 'shop'")).isEqualTo("0");
        String tail = HexFormat.of().formatHex(java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length));
        assertThat(db.queryText("SELECT position(decode('" + tail + "', 'hex') in key_ciphertext) FROM certificates WHERE name = 'shop'")).isEqualTo("0");
        assertThat(Base64.getDecoder().decode(stored)).hasSize(12 + pkcs8.length + 16);
        assertThat(db.queryText("SELECT string_agg(after::text, '') FROM revisions WHERE entity_kind = 'certificate'"))
                .doesNotContain("PRIVATE").doesNotContain(keyBody.substring(0, 40)).contains("fingerprint_sha256");

        // PUT replaces (the key is required again), DELETE removes; each a revision
        Response put = http.send("PUT", CERTS + "/shop", "application/json", body(null, rsaCert, rsaKey, List.of("api.example.org")),
                Map.of("If-Match", created.etag()));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().path("snis").toString()).isEqualTo("[\"api.example.org\"]");
        assertThat(put.revisionNumber()).isEqualTo(created.revisionNumber() + 1);
        Response deleted = http.delete(CERTS + "/shop");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.revisionNumber()).isEqualTo(put.revisionNumber() + 1);
        assertThat(http.get(CERTS + "/shop").status()).isEqualTo(404);
    }

    @Test
    void refusalsNameTheFieldAndChangeNothing() {
        assertThat(http.post(CERTS, body("taken", rsaCert, rsaKey, List.of("www.example.net", "*.example.net"))).status()).isEqualTo(201);
        long revision = db.revision();
        long rows = db.count("certificates");

        problem(http.post(CERTS, body("mismatch", shopCert, otherKey, List.of())), 422, "key");
        problem(http.post(CERTS, body("rsa-key-ec-cert", shopCert, rsaKey, List.of())), 422, "key");
        problem(http.post(CERTS, body("garbage", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n", shopKey, List.of())), 422, "cert");
        problem(http.post(CERTS, body("not-pem", "hello", shopKey, List.of())), 422, "cert");
        problem(http.post(CERTS, body("key-as-cert", shopKey, shopKey, List.of())), 422, "cert");
        problem(http.post(CERTS, body("no-key", shopCert, null, List.of())), 422, "key");
        problem(http.post(CERTS, body("pkcs1", rsaCert, certs.read("rsa-pkcs1.key"), List.of())), 422, "key");
        problem(http.post(CERTS, body("bad-sni", shopCert, shopKey, List.of("not a host"))), 422, "snis[0]");
        problem(http.post(CERTS, body("bad-wildcard", shopCert, shopKey, List.of("a.*.example.com"))), 422, "snis[0]");
        // "taken" serves *.example.net with an RSA key: another RSA one may not (an ECDSA one may: CertificatePushTest)
        problem(http.post(CERTS, body("dup-sni", rsaCert, rsaKey, List.of("api.example.org", "*.example.net"))), 409, "snis[1]");
        problem(http.post(CERTS, body("taken", shopCert, shopKey, List.of())), 409, "name");
        problem(http.post(CERTS, "{\"name\":\"x\",\"cert\":\"a\",\"key\":\"b\",\"private\":true}"), 400, "private");
        problem(http.get(CERTS + "/nosuch"), 404, null);

        assertThat(db.revision()).isEqualTo(revision);
        assertThat(db.count("certificates")).isEqualTo(rows);
        // the refusals never echo key material
        Response mismatch = http.post(CERTS, body("mismatch", shopCert, otherKey, List.of()));
        assertThat(mismatch.body()).doesNotContain(otherKey.replaceAll("-----[A-Z ]+-----|\\s", "").substring(0, 30));
    }

    private String body(String name, String cert, String key, List<String> snis) {
        ObjectNode b = Http.JSON.createObjectNode();
        if (name != null) {
            b.put("name", name);
        }
        b.put("cert", cert);
        if (key != null) {
            b.put("key", key);
        }
        b.set("snis", Http.JSON.valueToTree(snis));
        return b.toString();
    }

    private static void problem(Response r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(r.json().path("errors").findValuesAsText("field")).as(r.body()).contains(field);
        }
    }
}
