package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * One file of a deployment, as its manifest names it. {@code gzip} and {@code br} are precompressed variants
 * made at deploy time, null when there is none. {@code immutable}: the name carries a content hash, so the
 * URL never names other bytes and browsers may keep it for a year.
 */
public record SiteFile(String path, Blob identity, String contentType, Blob gzip, Blob br, boolean immutable) {
    /** A blob: its SHA-256 (lower-case hex, the file's name on disk) and its size. */
    public record Blob(String sha256, long size) {
        public Blob {
            requireNonNull(sha256, "sha256");
        }

        /** A strong validator: the bytes' own hash, so two nodes give the same ETag for the same bytes. */
        public String etag() {
            return "\"" + sha256 + "\"";
        }
    }

    /**
     * Vite's and webpack's content hashes: a {@code -} or {@code .} then 8 or more of {@code [A-Za-z0-9_-]} right
     * before the extension, e.g. {@code index-DT-jHzsZ.js} or {@code main.3f2a9c1b.css}. At least one digit or
     * upper-case letter, so plain words such as {@code jquery-fallback.js} do not count.
     */
    private static final Pattern HASHED = Pattern.compile(".*[-.](?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9]+");

    public SiteFile {
        requireNonNull(path, "path");
        requireNonNull(identity, "identity");
        requireNonNull(contentType, "contentType");
    }

    public boolean hasVariants() {
        return gzip != null || br != null;
    }

    static boolean looksHashed(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return !name.equals("index.html") && HASHED.matcher(name).matches();
    }
}
