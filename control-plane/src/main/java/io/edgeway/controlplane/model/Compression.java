package io.edgeway.controlplane.model;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * On-the-fly compression of a route's proxied responses: those of one of {@code types} ({@code text/*} matches a
 * whole top-level type), at least {@code minSize} bytes when their Content-Length says so, with the first of
 * {@code algorithms} the client accepts, at {@code level} (1-9: the gzip level and the brotli quality).
 */
public record Compression(boolean enabled, List<String> types, long minSize, int level, List<String> algorithms) {
    public static final List<String> DEFAULT_TYPES = List.of("text/html", "text/css", "text/plain", "text/javascript",
            "application/javascript", "application/json", "application/xml", "image/svg+xml");
    public static final List<String> DEFAULT_ALGORITHMS = List.of("br", "gzip");
    public static final long DEFAULT_MIN_SIZE = 1024;
    public static final int DEFAULT_LEVEL = 5;
    private static final List<String> KNOWN = List.of("br", "gzip");
    private static final Pattern TYPE = Pattern.compile("[a-z0-9!#$&^_.+-]{1,64}/(\\*|[a-z0-9!#$&^_.+-]{1,64})");

    public Compression {
        types = types == null ? DEFAULT_TYPES : types.stream().map(t -> t == null ? null : t.toLowerCase(Locale.ROOT)).toList();
        algorithms = algorithms == null ? DEFAULT_ALGORITHMS : List.copyOf(algorithms);
    }

    void check(ValidationException.Collector v) {
        v.check(!types.isEmpty(), "compression.types", "compression.types: [] (expected: at least one media type)");
        for (int i = 0; i < types.size(); i++) {
            String t = types.get(i);
            v.check(t != null && TYPE.matcher(t).matches(), "compression.types[" + i + "]",
                    "compression.types[" + i + "]: " + t + " (expected: a media type like application/json, or text/*)");
        }
        v.check(minSize >= 0 && minSize <= 1L << 30, "compression.min_size",
                "compression.min_size: " + minSize + " (expected: 0-1073741824 bytes)");
        v.check(level >= 1 && level <= 9, "compression.level", "compression.level: " + level + " (expected: 1-9)");
        v.check(!algorithms.isEmpty(), "compression.algorithms", "compression.algorithms: [] (expected: br, gzip or both)");
        for (int i = 0; i < algorithms.size(); i++) {
            String a = algorithms.get(i);
            v.check(KNOWN.contains(a) && algorithms.indexOf(a) == i, "compression.algorithms[" + i + "]",
                    "compression.algorithms[" + i + "]: " + a + " (expected: br or gzip, each once)");
        }
    }
}
