package io.edgeway.dataplane.rewrite;

/**
 * Replaces a request path's {@code prefix} with {@code replace} before the request is proxied (strip_prefix is
 * replace "/"). Both are plain normalised paths and the rest of the request path was normalised by the codec,
 * so the result is normalised too; it always starts with "/" and keeps the query.
 */
public record PathRewrite(String prefix, String replace) {

    /** The rewritten origin-form URI, or {@code uri} itself when its path does not start with the prefix. */
    public String apply(String uri) {
        if (!uri.startsWith(prefix)) {
            return uri;
        }
        String rest = uri.substring(prefix.length());
        // "/api/x" under prefix "/api", replace "/": one slash between them, not two
        return replace.endsWith("/") && rest.startsWith("/") ? replace + rest.substring(1) : replace + rest;
    }
}
