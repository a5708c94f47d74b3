package io.edgeway.dataplane.http2;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * What RFC 9113 calls a malformed request (8.1.1) and Netty's frame codec lets through, checked once on a
 * request's HEADERS and on its trailers. A request that passes can be written as HTTP/1.1 without any
 * field or the request line meaning something else to the target (request smuggling through a downgrade):
 * <ul>
 *   <li>no field value with trailing whitespace (8.2.1; Netty's header validation refuses control
 *       characters such as NUL, CR and LF, and leading whitespace, before the stream even exists);</li>
 *   <li>{@code :method} a token; {@code :path} origin-form ({@code /...}) or {@code *}, no spaces (8.3.1);</li>
 *   <li>{@code :authority} with no userinfo and no whitespace, and at most one {@code host}, equal to
 *       {@code :authority} when both are sent, one of them for http(s) (8.3.1), so the route and the
 *       target see the same host; none in trailers.</li>
 * </ul>
 * Connection-specific fields, {@code te} other than {@code trailers}, pseudo-headers in trailers or after
 * regular fields, missing pseudo-headers and {@code content-length} against DATA are Netty's checks.
 */
final class H2RequestCheck {
    private static final AsciiString HOST = AsciiString.cached("host");

    private H2RequestCheck() {}

    /**
     * Why these headers (a request head or its trailers) are malformed, or {@code null} when they are not.
     * One pass over the fields, no allocation beyond the iterator: this runs for every request.
     */
    static String problem(Http2Headers h, boolean trailers) {
        CharSequence authority = h.authority();
        int hosts = 0;
        for (Map.Entry<CharSequence, CharSequence> field : h) {
            CharSequence value = field.getValue();
            if (!isCleanValue(value)) {
                return "invalid field value";
            }
            if (HOST.contentEquals(field.getKey())) { // HTTP/2 field names are lower case (Netty checks that)
                if (trailers) {
                    return "host in trailers"; // routing was decided on the head
                }
                if (++hosts > 1 || !isAuthority(value)) {
                    return "invalid host";
                }
                if (authority != null && !AsciiString.contentEqualsIgnoreCase(authority, value)) {
                    return "host differs from :authority";
                }
            }
        }
        if (trailers) {
            return null; // Netty refuses pseudo-headers in trailers
        }
        CharSequence method = h.method();
        if (method != null && !isToken(method)) {
            return "invalid :method";
        }
        CharSequence path = h.path();
        if (path != null && !isPath(path)) {
            return "invalid :path";
        }
        if (authority != null && !isAuthority(authority)) {
            return "invalid :authority";
        }
        CharSequence scheme = h.scheme();
        if (authority == null && hosts == 0 && scheme != null
                && (AsciiString.contentEqualsIgnoreCase(scheme, "http")
                        || AsciiString.contentEqualsIgnoreCase(scheme, "https"))) {
            return "neither :authority nor host";
        }
        return null;
    }

    /** Netty has checked the rest of the value (no control character, no leading whitespace). */
    private static boolean isCleanValue(CharSequence v) {
        int n = v.length();
        return n == 0 || !isBlank(v.charAt(n - 1));
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isToken(CharSequence s) {
        if (s.length() == 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPath(CharSequence p) {
        if (p.length() == 1 && p.charAt(0) == '*') {
            return true;
        }
        return p.length() > 0 && p.charAt(0) == '/' && hasNoSpaceOrAt(p, false);
    }

    private static boolean isAuthority(CharSequence a) {
        return a.length() > 0 && hasNoSpaceOrAt(a, true);
    }

    private static boolean hasNoSpaceOrAt(CharSequence s, boolean noAt) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || (noAt && c == '@')) {
                return false;
            }
        }
        return true;
    }
}
