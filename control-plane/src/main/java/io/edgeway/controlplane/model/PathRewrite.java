package io.edgeway.controlplane.model;

import java.util.regex.Pattern;

/**
 * Before proxying, a request path starting with {@code prefix} has that prefix replaced by {@code replace}
 * (the rest and the query are kept; a path not starting with it passes unchanged). {@code strip_prefix: P}
 * in the API is {@code prefix: P, replace: "/"}. Both are plain normalised paths (no dot segments, no "//",
 * no percent-encoding), so the rewritten path stays normalised and starts with "/".
 */
public record PathRewrite(String prefix, String replace) {
    public static final String STRIP = "/";
    private static final Pattern PATH = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@-]+/?)*");

    public boolean strips() {
        return STRIP.equals(replace);
    }

    void check(ValidationException.Collector v) {
        String prefixField = strips() ? "strip_prefix" : "rewrite.prefix";
        v.check(isPlainPath(prefix) && prefix.length() > 1, prefixField, prefixField + ": " + prefix
                + " (expected: a path prefix longer than /, like /api: no dot segments, //, %, ? or #)");
        v.check(isPlainPath(replace), "rewrite.replace", "rewrite.replace: " + replace
                + " (expected: a path starting with /: no dot segments, //, %, ? or #)");
    }

    static boolean isPlainPath(String p) {
        if (p == null || p.length() > 1024 || !PATH.matcher(p).matches()) {
            return false;
        }
        for (String segment : p.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
