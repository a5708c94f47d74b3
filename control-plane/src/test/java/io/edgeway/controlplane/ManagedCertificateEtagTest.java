package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.edgeway.controlplane.store.AcmeStatus;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.RevisionLog;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A managed certificate's ETag covers where the ACME client stands, so a client revalidating with
 * If-None-Match sees a status change; while If-Match on a write still means "the config version I edited",
 * so the worker's status writes (no revision) never turn an admin's edit into a 412. The status is written
 * with the worker's own store method ({@link AcmeStore#saveStatus}) on the same database; the worker itself is
 * parked (a poll of 24h) so it does not race the test.
 */
class ManagedCertificateEtagTest extends RunningControlPlane {
    private static final String CERT = "/api/v1/certificates/tagged";
    private static final String DECLARED = "{\"snis\":[\"tagged.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\"}}";

    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_ACME_POLL", "24h");
        return env;
    }

    @Test
    void aStatusChangeIsSeenByARevalidatingGetAndAWriteWithTheOldIfMatchStillWorks() {
        Response created = http.put(CERT, DECLARED);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response read = http.get(CERT);
        assertThat(read.json().path("status").asText()).isEqualTo("pending");
        String before = read.etag();
        assertThat(created.etag()).as("the write answers the ETag a GET of its body gives").isEqualTo(before);

        assertThat(revalidate(before).status()).as("nothing changed").isEqualTo(304);

        saveStatus(new AcmeStatus("failed", "urn:ietf:params:acme:error:rateLimited: too many orders",
                Instant.parse("2026-12-08T00:00:00Z"), 1, false, null, List.of()));
        Response changed = revalidate(before);
        assertThat(changed.status()).as("the status changed: the old ETag must not validate").isEqualTo(200);
        assertThat(changed.json().path("status").asText()).isEqualTo("failed");
        assertThat(changed.json().path("last_error").asText()).contains("rateLimited");
        assertThat(changed.etag()).isNotEqualTo(before);
        assertThat(revalidate(changed.etag()).status()).isEqualTo(304);

        // The admin edited what they read before the worker wrote the status: the config is unchanged, so it wins.
        long revision = db.revision();
        Response edit = http.send("PUT", CERT, "application/json",
                "{\"snis\":[\"tagged.example.com\",\"www.tagged.example.com\"],\"acme\":{\"issuer\":\"letsencrypt\"}}",
                Map.of("If-Match", before));
        assertThat(edit.status()).as(edit.body()).isEqualTo(200);
        assertThat(edit.revisionNumber()).isEqualTo(revision + 1);
        assertThat(edit.json().path("snis")).hasSize(2);

        // The same tag is now a config version behind: If-Match still guards the config.
        Response stale = http.send("PUT", CERT, "application/json", DECLARED, Map.of("If-Match", before));
        assertThat(stale.status()).as(stale.body()).isEqualTo(412);
        assertThat(db.revision()).isEqualTo(revision + 1);
    }

    @Test
    void anUploadedCertificateKeepsThePlainRevisionEtag() {
        TestCerts.Pair pair = new TestCerts().ec("plain", "plain.example.com");
        com.fasterxml.jackson.databind.node.ObjectNode body = Http.JSON.createObjectNode()
                .put("name", "plain").put("cert", pair.cert()).put("key", pair.key());
        body.set("snis", Http.JSON.valueToTree(List.of("plain.example.com")));
        Response up = http.post("/api/v1/certificates", body.toString());
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        Response read = http.get("/api/v1/certificates/plain");
        assertThat(read.etag()).isEqualTo("\"" + up.revisionNumber() + "\"");
        assertThat(revalidate("/api/v1/certificates/plain", read.etag()).status()).isEqualTo(304);
    }

    private Response revalidate(String etag) {
        return revalidate(CERT, etag);
    }

    private Response revalidate(String path, String etag) {
        return http.send("GET", path, null, null, Map.of("If-None-Match", etag));
    }

    /** What the ACME worker writes after a failed order: no revision, no config change. */
    private void saveStatus(AcmeStatus status) {
        Database worker = new Database(db.url(), "postgres", null);
        try {
            new AcmeStore(new RevisionLog(worker, r -> { }, s -> { }), MasterKey.from(env(), db.settings().dataDir()))
                    .saveStatus("tagged", status);
        } finally {
            worker.close();
        }
    }
}
