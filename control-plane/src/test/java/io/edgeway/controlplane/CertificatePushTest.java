package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stored certificates reach the proxies in the snapshot with their keys opened from the master key's seal,
 * and leave it when deleted; the admin API's views still never show a key.
 */
class CertificatePushTest extends RunningControlPlane {
    private static final String CERTS = "/api/v1/certificates";

    @Override
    protected Map<String, String> env() {
        return TestCerts.env();
    }

    @Test
    void certificatesAndTheirDecryptedKeysArePushedAndDeletionsRemoveThem() throws Exception {
        TestCerts certs = new TestCerts();
        TestCerts.Pair shop = certs.ec("shop", "shop.example.com");
        TestCerts.Pair api = certs.rsa("api", "api.example.org");
        assertThat(http.post(CERTS, body("shop", shop, List.of("shop.example.com", "*.shop.example.com"))).status()).isEqualTo(201);
        assertThat(http.post(CERTS, body("api", api, List.of("api.example.org"))).status()).isEqualTo(201);
        long revision = db.revision();

        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-certs", 0)) {
            Snapshot s = node.atLeast(revision);
            assertThat(s.getCertificatesList()).extracting(Certificate::getName).contains("api", "shop");
            Certificate pushed = named(s, "shop");
            assertThat(pushed.getCertChainPem()).isEqualTo(shop.cert());
            assertThat(pushed.getSnisList()).containsExactly("shop.example.com", "*.shop.example.com");
            assertThat(der(pushed.getPrivateKeyPem())).isEqualTo(shop.keyDer());
            assertThat(der(named(s, "api").getPrivateKeyPem())).isEqualTo(api.keyDer());
            node.ack(s);

            assertThat(http.send("DELETE", CERTS + "/api", null, null).status()).isEqualTo(204);
            Snapshot after = node.next();
            assertThat(after.getCertificatesList()).extracting(Certificate::getName).contains("shop").doesNotContain("api");
        }
        TestCerts.assertNoKeyIn(http.get(CERTS).body(), shop, api);
        TestCerts.assertNoKeyIn(http.get("/api/v1/nodes").body(), shop, api);
    }

    @Test
    void anEcdsaAndAnRsaCertificateMayServeTheSameNameButTwoOfOneKeyTypeMayNot() throws Exception {
        TestCerts certs = new TestCerts();
        TestCerts.Pair ec = certs.ec("dual-ec", "dual.example.com");
        TestCerts.Pair rsa = certs.rsa("dual-rsa", "dual.example.com");
        TestCerts.Pair rsa2 = certs.rsa("dual-rsa2", "dual.example.com");
        assertThat(http.post(CERTS, body("dual-ec", ec, List.of("dual.example.com"))).status()).isEqualTo(201);
        assertThat(http.post(CERTS, body("dual-rsa", rsa, List.of("dual.example.com"))).status()).isEqualTo(201);
        var refused = http.post(CERTS, body("dual-rsa2", rsa2, List.of("dual.example.com")));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("dual-rsa");
    }

    private static Certificate named(Snapshot s, String name) {
        return s.getCertificatesList().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static byte[] der(String pem) {
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String body(String name, TestCerts.Pair pair, List<String> snis) {
        ObjectNode b = Http.JSON.createObjectNode();
        b.put("name", name).put("cert", pair.cert()).put("key", pair.key());
        snis.forEach(b.putArray("snis")::add);
        return b.toString();
    }
}
