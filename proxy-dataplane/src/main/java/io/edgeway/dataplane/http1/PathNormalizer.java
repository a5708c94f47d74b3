package io.edgeway.dataplane.http1;

/**
 * Normalises a request path once, before routing, so the router and the target always see the same path
 * (a route guarding {@code /admin} cannot be bypassed with {@code /public/../admin} or {@code /%61dmin}).
 *
 * <p>Steps, in this order: percent-decode unreserved characters only (ALPHA DIGIT {@code - . _ ~}, RFC 3986
 * 2.3) and upper-case every remaining percent-encoding (6.2.2.1); then remove dot segments (5.2.4).
 * Nothing else is collapsed: {@code //} stays, because targets disagree on what it means and rewriting it
 * would change the resource for some of them. Refused ({@code null}): {@code %2F}, {@code %5C} and
 * {@code %00} (an encoded separator or NUL lets the target see a different path than the router), a raw
 * backslash, a broken percent-encoding, and a path that climbs above the root ({@code /../x}).
 */
final class PathNormalizer {
    private PathNormalizer() {}

    /**
     * @param path an origin-form path without the query, starting with {@code /}
     * @return the normalised path, the same instance when nothing changes, or {@code null} when refused
     */
    static String normalize(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        if (isPlain(path)) {
            return path; // the common case: no '%', no '\', no segment starting with '.'; no allocation
        }
        String decoded = decodeUnreserved(path);
        return decoded == null ? null : removeDotSegments(decoded);
    }

    private static boolean isPlain(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '\\' || (c == '.' && path.charAt(i - 1) == '/')) {
                return false;
            }
        }
        return true;
    }

    private static String decodeUnreserved(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                return null;
            }
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int v = PercentEscapes.byteAt(path, i);
            if (v == PercentEscapes.REFUSED) {
                return null;
            }
            if (isUnreserved(v)) {
                sb.append((char) v);
            } else {
                sb.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return sb.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 5.2.4 on segments, except that {@code ..} at the root refuses instead of being dropped. */
    private static String removeDotSegments(String path) {
        StringBuilder out = new StringBuilder(path.length());
        int start = 1; // just after the leading '/'
        while (true) {
            int slash = path.indexOf('/', start);
            boolean last = slash < 0;
            int end = last ? path.length() : slash;
            int len = end - start;
            if (len == 1 && path.charAt(start) == '.') {
                if (last) {
                    out.append('/');
                }
            } else if (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
                if (out.length() == 0) {
                    return null; // above the root
                }
                out.setLength(out.lastIndexOf("/"));
                if (last) {
                    out.append('/');
                }
            } else {
                out.append('/').append(path, start, end);
            }
            if (last) {
                break;
            }
            start = slash + 1;
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
