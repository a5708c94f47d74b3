package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A test's site: files by path, deployed through the real API (manifest, missing blobs, activate). */
public final class SiteFixture {
    private SiteFixture() {}

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String manifest(Map<String, byte[]> files) {
        List<Map<String, Object>> list = new ArrayList<>();
        files.forEach((path, content) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", path);
            m.put("sha256", sha256(content));
            m.put("size", content.length);
            list.add(m);
        });
        try {
            return Http.JSON.writeValueAsString(Map.of("files", list));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs the manifest (201 expected); returns the answer with id and missing. */
    public static JsonNode create(Http http, String site, Map<String, byte[]> files) {
        Http.Response r = http.post("/api/v1/sites/" + site + "/deployments", manifest(files));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    /** Uploads the blobs the answer to {@link #create} asked for; returns how many were sent. */
    public static int uploadMissing(Http http, JsonNode created, Map<String, byte[]> files) {
        Map<String, byte[]> byHash = new LinkedHashMap<>();
        files.values().forEach(c -> byHash.put(sha256(c), c));
        int sent = 0;
        for (JsonNode h : created.get("missing")) {
            Http.Response r = http.sendBytes("PUT", "/api/v1/sites/blobs/" + h.asText(), "application/octet-stream",
                    byHash.get(h.asText()));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            sent++;
        }
        return sent;
    }

    /** The whole deploy and activation; returns the deployment id. */
    public static String deploy(Http http, String site, Map<String, byte[]> files) {
        JsonNode created = create(http, site, files);
        uploadMissing(http, created, files);
        String id = created.get("id").asText();
        Http.Response r = http.post("/api/v1/sites/" + site + "/deployments/" + id + "/activate", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return id;
    }
}
