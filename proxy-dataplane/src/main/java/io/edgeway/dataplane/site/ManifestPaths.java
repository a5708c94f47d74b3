package io.edgeway.dataplane.site;

import io.edgeway.dataplane.http1.PercentEscapes;

/**
 * The rules for paths in a manifest (relative, {@code /}-separated, no empty, {@code .} or {@code ..} segment)
 * and the one way from a request path to a manifest key. The key is only ever looked up in the manifest's map,
 * never turned into a filesystem path, so {@code ..}, links and encodings cannot reach a file that the
 * deployment does not list: a path that is not a key is a 404 whatever it spells.
 */
final class ManifestPaths {
    private ManifestPaths() {}

    /** Why {@code path} is not a valid manifest path, or null when it is. */
    static String invalid(String path) {
        if (path.isEmpty() || path.startsWith("/")) {
            return "(expected: a relative path)";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "(expected: no empty, '.' or '..' segment)";
            }
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return "(expected: no control character or backslash)";
            }
        }
        return null;
    }

    /**
     * The relative path a request names: the query dropped, percent-decoded once (as UTF-8), the leading
     * {@code /} removed; "" for the root, a trailing {@code /} kept for directories. Null (a 400) for a broken or
     * refused encoding, an encoded {@code /}, {@code \\} or NUL. The proxy's PathNormalizer has already removed
     * dot segments and refused {@code %2F}; {@link #lookupKey} refuses dot segments again, so the lookup stays
     * safe whatever ran before it.
     */
    static String requestPath(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        String decoded = decode(path);
        return decoded == null ? null : decoded.substring(1);
    }

    /** The manifest key for a request path ({@code index.html} in a directory), or null when it is not valid. */
    static String lookupKey(String requestPath) {
        String key = requestPath.isEmpty() || requestPath.endsWith("/") ? requestPath + "index.html" : requestPath;
        return invalid(key) == null ? key : null;
    }

    /** SPA fallback applies to paths whose last segment has no extension ({@code /users/42}, {@code /app/}). */
    static boolean hasExtension(String requestPath) {
        return requestPath.lastIndexOf('.') > requestPath.lastIndexOf('/');
    }

    private static String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        byte[] out = new byte[path.length()];
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                if (c > 0x7e) {
                    return null; // a raw non-ASCII byte never passes the request decoder; refuse rather than guess
                }
                out[n++] = (byte) c;
                continue;
            }
            int v = PercentEscapes.byteAt(path, i);
            if (v == PercentEscapes.REFUSED) {
                return null; // broken, or an encoded separator: another segment structure than the router saw
            }
            out[n++] = (byte) v;
            i += 2;
        }
        java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        try {
            return utf8.decode(java.nio.ByteBuffer.wrap(out, 0, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
