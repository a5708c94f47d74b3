package io.edgeway.controlplane.site;

import java.util.Locale;
import java.util.Map;

/**
 * Content types by file extension, chosen once at deploy time so every proxy answers a file alike, and which
 * of them are worth precompressing (text, not already-compressed images, fonts or media).
 */
public final class MimeTypes {
    static final String DEFAULT = "application/octet-stream";

    private record Type(String contentType, boolean compressible) {}

    private static final Map<String, Type> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", new Type("text/html; charset=utf-8", true)),
            Map.entry("htm", new Type("text/html; charset=utf-8", true)),
            Map.entry("js", new Type("text/javascript; charset=utf-8", true)),
            Map.entry("mjs", new Type("text/javascript; charset=utf-8", true)),
            Map.entry("cjs", new Type("text/javascript; charset=utf-8", true)),
            Map.entry("css", new Type("text/css; charset=utf-8", true)),
            Map.entry("json", new Type("application/json", true)),
            Map.entry("webmanifest", new Type("application/manifest+json", true)),
            Map.entry("map", new Type("application/json", true)),
            Map.entry("xml", new Type("application/xml", true)),
            Map.entry("svg", new Type("image/svg+xml", true)),
            Map.entry("txt", new Type("text/plain; charset=utf-8", true)),
            Map.entry("md", new Type("text/markdown; charset=utf-8", true)),
            Map.entry("csv", new Type("text/csv; charset=utf-8", true)),
            Map.entry("wasm", new Type("application/wasm", true)),
            Map.entry("ico", new Type("image/x-icon", true)),
            Map.entry("ttf", new Type("font/ttf", true)),
            Map.entry("otf", new Type("font/otf", true)),
            Map.entry("woff", new Type("font/woff", false)),
            Map.entry("woff2", new Type("font/woff2", false)),
            Map.entry("png", new Type("image/png", false)),
            Map.entry("jpg", new Type("image/jpeg", false)),
            Map.entry("jpeg", new Type("image/jpeg", false)),
            Map.entry("gif", new Type("image/gif", false)),
            Map.entry("webp", new Type("image/webp", false)),
            Map.entry("avif", new Type("image/avif", false)),
            Map.entry("mp4", new Type("video/mp4", false)),
            Map.entry("webm", new Type("video/webm", false)),
            Map.entry("mp3", new Type("audio/mpeg", false)),
            Map.entry("ogg", new Type("audio/ogg", false)),
            Map.entry("pdf", new Type("application/pdf", false)),
            Map.entry("zip", new Type("application/zip", false)),
            Map.entry("gz", new Type("application/gzip", false)),
            Map.entry("br", new Type("application/octet-stream", false)));

    private MimeTypes() {}

    /** The Content-Type a proxy sends for {@code path}; unknown extensions are octet-stream. */
    public static String of(String path) {
        Type t = BY_EXTENSION.get(extension(path));
        return t == null ? DEFAULT : t.contentType();
    }

    /** Whether {@code path}'s type is text-like, so gzip and brotli variants may be worth making. */
    public static boolean compressible(String path) {
        Type t = BY_EXTENSION.get(extension(path));
        return t != null && t.compressible();
    }

    private static String extension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot <= slash + 1 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
