package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One file of a deployment's manifest: its path, content hash and size, the content type chosen from its
 * extension, and its precompressed variants (null hash: none, or not made yet).
 */
public record SiteFile(String path, String sha256, long size, String contentType, String gzipSha256, long gzipSize,
                       String brSha256, long brSize) {
    public SiteFile {
        requireNonNull(path, "path");
        requireNonNull(sha256, "sha256");
        requireNonNull(contentType, "contentType");
    }

    /** A file as the manifest first lists it, before any variant is made. */
    static SiteFile of(String path, String sha256, long size) {
        return new SiteFile(path, sha256, size, MimeTypes.of(path), null, 0, null, 0);
    }

    SiteFile withVariants(String gzip, long gzipBytes, String br, long brBytes) {
        return new SiteFile(path, sha256, size, contentType, gzip, gzipBytes, br, brBytes);
    }

    /** The manifest's JSON for this file (also the API's). */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("sha256", sha256);
        m.put("size", size);
        m.put("content_type", contentType);
        if (gzipSha256 != null) {
            m.put("gzip_sha256", gzipSha256);
            m.put("gzip_size", gzipSize);
        }
        if (brSha256 != null) {
            m.put("br_sha256", brSha256);
            m.put("br_size", brSize);
        }
        return m;
    }

    static SiteFile fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new SiteFile(n.path("path").asText(), n.path("sha256").asText(), n.path("size").asLong(),
                n.path("content_type").asText(MimeTypes.DEFAULT), text(n, "gzip_sha256"), n.path("gzip_size").asLong(),
                text(n, "br_sha256"), n.path("br_size").asLong());
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String field) {
        var v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
