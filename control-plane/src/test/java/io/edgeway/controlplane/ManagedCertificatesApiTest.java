package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Managed (ACME) certificates through the admin API, the declarative document and rollback: declared by SNIs
 * and an ACME spec, answered with the client's status, the EAB secret sealed and never shown. The ACME worker
 * is parked (a poll of 24h) so no order is attempted here; ordering is AcmeEndToEndTest's.
 */
class ManagedCertificatesApiTest extends RunningControlPlane {
    private static final String CERTS = "/api/v1/certificates";
    private static final String HMAC = "c2VjcmV0LWhtYWMta2V5LW9mLXRoZS1jYQ";

    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_ACME_POLL", "24h");
        return env;
    }

    @Test
    void aManagedCertificateIsDeclaredWithoutChainAndShowsItsStatus() {
        long revision = db.revision();
        Response created = http.post(CERTS, """
                {"name":"shop","snis":["shop.example.com","www.shop.example.com"],
                 "acme":{"issuer":"zerossl","email":"ops@example.com","eab":{"kid":"kid-1","hmac":"%s"}}}""".formatted(HMAC));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.revisionNumber()).isEqualTo(revision + 1);
        JsonNode c = created.json();
        assertThat(c.path("status").asText()).isEqualTo("pending");
        assertThat(c.get("cert").isNull()).isTrue();
        assertThat(c.get("expires_at").isNull()).isTrue();
        assertThat(c.has("last_error")).isTrue();
        assertThat(c.has("next_attempt_at")).isTrue();
        assertThat(c.path("acme").path("issuer").asText()).isEqualTo("zerossl");
        assertThat(c.path("acme").path("eab").path("kid").asText()).isEqualTo("kid-1");
        assertThat(created.body()).doesNotContain(HMAC);
        // sealed at rest, and not in the revision log
        assertThat(db.queryText("SELECT encode(acme_eab_hmac, 'escape') FROM certificates WHERE name = 'shop'")).doesNotContain(HMAC);
        assertThat(db.queryText("SELECT string_agg(after::text, '') FROM revisions")).doesNotContain(HMAC);
        assertThat(http.get(CERTS + "/shop").json().path("status").asText()).isEqualTo("pending");
        assertThat(http.get(CERTS).json().path("data").get(0).path("status").asText()).isEqualTo("pending");

        // nothing to push yet: a managed certificate reaches the proxies only once issued
        assertThat(db.queryText("SELECT count(*) FROM certificates WHERE cert IS NOT NULL")).isEqualTo("0");
        http.delete(CERTS + "/shop");
    }

    @Test
    void badManagedCertificatesAreRefusedNamingTheField() {
        Map<String, String> bad = Map.of(
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":\"my-ca\"}}", "acme.issuer",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":\"http://ca.example.com/dir\"}}", "acme.issuer",
                "{\"name\":\"a\",\"snis\":[\"*.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\"}}", "snis[0]",
                "{\"name\":\"a\",\"snis\":[],\"acme\":{\"issuer\":\"letsencrypt\"}}", "snis",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\",\"email\":\"nope\"}}", "acme.email",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"cert\":\"x\",\"acme\":{\"issuer\":\"letsencrypt\"}}", "cert",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\",\"eab\":{\"hmac\":\"" + HMAC + "\"}}}", "acme.eab.kid");
        bad.forEach((body, field) -> {
            Response r = http.post(CERTS, body);
            assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body()).as(body).contains("\"" + field + "\"");
        });
        Map<String, String> malformed = Map.of(
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":\"letsencrypt\"}", "acme",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\",\"dns\":true}}", "acme.dns",
                "{\"name\":\"a\",\"snis\":[\"a.example.com\"],\"acme\":{\"issuer\":7}}", "acme.issuer");
        malformed.forEach((body, field) -> {
            Response r = http.post(CERTS, body);
            assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(400);
            assertThat(r.body()).as(body).contains("\"" + field + "\"");
        });
        assertThat(db.queryText("SELECT count(*) FROM certificates WHERE name = 'a'")).isEqualTo("0");
    }

    @Test
    void theDocumentExportsAndAppliesItAndARollbackRestoresIt() {
        assertThat(http.post(CERTS, "{\"name\":\"blog\",\"snis\":[\"blog.example.com\"],\"acme\":{\"issuer\":\"letsencrypt-staging\"}}")
                .status()).isEqualTo(201);
        long declared = db.revision();
        Response exported = http.get("/api/v1/config");
        JsonNode blog = exported.json().get("certificates").get(0);
        assertThat(blog.has("cert")).isFalse();
        assertThat(blog.path("acme").path("issuer").asText()).isEqualTo("letsencrypt-staging");
        // applied back unchanged: nothing to write
        Response back = http.post("/api/v1/config", exported.body());
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(db.revision()).isEqualTo(declared);

        assertThat(http.delete(CERTS + "/blog").status()).isEqualTo(204);
        Response rolled = http.post("/api/v1/revisions/" + declared + "/rollback", "");
        assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
        JsonNode restored = http.get(CERTS + "/blog").json();
        assertThat(restored.path("acme").path("issuer").asText()).isEqualTo("letsencrypt-staging");
        assertThat(restored.path("snis").get(0).asText()).isEqualTo("blog.example.com");
        assertThat(restored.path("status").asText()).isEqualTo("pending");
        http.delete(CERTS + "/blog");
    }

    @Test
    void aDocumentCannotCarryTheEabSecret() {
        Response r = http.post("/api/v1/config", """
                {"certificates":[{"name":"z","snis":["z.example.com"],
                  "acme":{"issuer":"zerossl","eab":{"kid":"k","hmac":"%s"}}}]}""".formatted(HMAC));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("certificates[0].acme.eab.hmac").doesNotContain(HMAC);
    }

    @Test
    void renewIsForManagedCertificates() {
        assertThat(http.post(CERTS, "{\"name\":\"api\",\"snis\":[\"api.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\"}}")
                .status()).isEqualTo(201);
        Response renew = http.post(CERTS + "/api/renew", "");
        assertThat(renew.status()).as(renew.body()).isEqualTo(202);
        assertThat(db.queryText("SELECT renew_requested FROM acme_status WHERE certificate_name = 'api'")).isEqualTo("t");
        assertThat(http.post(CERTS + "/nope/renew", "").status()).isEqualTo(404);
        // deleted and declared again: a fresh start, nothing left of the earlier one's state
        http.delete(CERTS + "/api");
        assertThat(http.post(CERTS, "{\"name\":\"api\",\"snis\":[\"api.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\"}}")
                .status()).isEqualTo(201);
        assertThat(db.queryText("SELECT count(*) FROM acme_status WHERE certificate_name = 'api'")).isEqualTo("0");
        http.delete(CERTS + "/api");
    }
}
