package io.edgeway.dataplane.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a request head may be forwarded, before anything reaches a target, and brings its target
 * into the one form the router and the upstream see: origin-form with a normalised path. Every refusal is
 * final: the caller answers with {@link Rejection#status} and closes, since after an ambiguous head the
 * position of the next request in the byte stream is unknown.
 */
public final class RequestValidator {
    /** Why a request was refused; instances for the common cases are shared. */
    public record Rejection(HttpResponseStatus status, String reason) {}

    private static final Rejection URI_TOO_LONG =
            new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long");
    private static final Rejection HEADERS_TOO_LARGE = new Rejection(
            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request header block is too large");
    private static final Rejection BAD_VERSION =
            new Rejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1");

    private RequestValidator() {}

    /** {@code null} when the request may go on; its URI is then rewritten to the normalised origin form. */
    public static Rejection check(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            return decoderFailure(req.decoderResult().cause());
        }
        HttpVersion v = req.protocolVersion();
        if (!v.equals(HttpVersion.HTTP_1_1) && !v.equals(HttpVersion.HTTP_1_0)) {
            return BAD_VERSION;
        }
        if (HttpMethod.CONNECT.equals(req.method())) {
            return bad("CONNECT is not supported");
        }
        HttpHeaders h = req.headers();
        if (v.equals(HttpVersion.HTTP_1_0) && h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return bad("Transfer-Encoding in an HTTP/1.0 request"); // RFC 9112 6.1: faulty framing
        }
        String framing = framingError(req.method(), h);
        if (framing != null) {
            return bad(framing);
        }
        if (hasFramingLookalike(h)) {
            return bad("a header name reads as Content-Length or Transfer-Encoding");
        }
        String connection = ConnectionHeader.requestError(h);
        if (connection != null) {
            return bad(connection);
        }
        // An iterator over the Host values rather than getAll: no list is made for the one Host of every request.
        Iterator<String> hosts = h.valueStringIterator(HttpHeaderNames.HOST);
        String host = hosts.hasNext() ? hosts.next() : null;
        if (host != null && hosts.hasNext()) {
            return bad("multiple Host headers");
        }
        if (host == null && v.equals(HttpVersion.HTTP_1_1)) {
            return bad("missing Host header");
        }
        if (host != null && !isValidHost(host)) {
            return bad("malformed Host header");
        }
        return target(req, host);
    }

    /** Netty's decoder reports the size limits as exceptions; this is the one place they get a status. */
    static Rejection decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HEADERS_TOO_LARGE;
        }
        if (cause instanceof ClientCodec.MalformedHead m) {
            return bad(m.getMessage());
        }
        return bad("malformed request" + (cause == null ? "" : ": " + cause.getClass().getSimpleName()));
    }

    /**
     * The decoder (RFC 9112 mode, no duplicate Content-Length) already fails on most of these; they are
     * repeated so that the rule does not depend on codec settings.
     */
    private static String framingError(HttpMethod method, HttpHeaders h) {
        boolean hasTe = h.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (!hasTe && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return null; // most requests: no body, and no list allocated to find that out
        }
        if ((HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method))
                && (hasTe || !"0".equals(h.get(HttpHeaderNames.CONTENT_LENGTH)))) {
            // Many servers ignore the body of a GET and read it as the next request (the "CL.0" desync):
            // refused, as by AWS's strictest desync mode. Content-Length: 0 is fine.
            return "a GET or HEAD request with a body";
        }
        List<String> te = hasTe ? h.getAll(HttpHeaderNames.TRANSFER_ENCODING) : List.of();
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                return "both Content-Length and Transfer-Encoding";
            }
            if (te.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te.get(0).trim())) {
                return "unsupported Transfer-Encoding (expected: chunked)";
            }
        }
        if (cl.size() > 1) {
            return "multiple Content-Length headers";
        }
        if (cl.size() == 1 && !isDigits(cl.get(0))) {
            return "malformed Content-Length";
        }
        return null;
    }

    /**
     * A name that reads as Content-Length or Transfer-Encoding once {@code -} and {@code _} are ignored, such
     * as {@code Content_Length} or {@code Transfer---Encoding}, but is not that name: targets that see
     * headers as CGI variables read {@code _} as {@code -}, others normalise separators, and would frame the
     * body by a field the proxy did not (nginx drops names with {@code _} for this reason).
     */
    private static boolean hasFramingLookalike(HttpHeaders h) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext();) {
            CharSequence name = it.next().getKey();
            if (name.length() >= 13 && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                if (sameLetters(name, "contentlength") || sameLetters(name, "transferencoding")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code name} without its {@code -} and {@code _} is {@code lower}, ignoring case; allocates nothing. */
    private static boolean sameLetters(CharSequence name, String lower) {
        int j = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '-' || c == '_') {
                continue;
            }
            if (j == lower.length() || (c | 0x20) != lower.charAt(j)) {
                return false;
            }
            j++;
        }
        return j == lower.length();
    }

    /** Checks the request target and rewrites it to the normalised origin form. */
    private static Rejection target(HttpRequest req, String host) {
        String uri = req.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return bad("invalid character in the request target");
            }
        }
        if (uri.equals("*")) {
            return HttpMethod.OPTIONS.equals(req.method()) ? null : bad("asterisk-form is only for OPTIONS");
        }
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            // Absolute-form: accepted only when it names the same authority as Host, so that the router
            // and the target cannot be told two different hosts.
            int scheme = uri.indexOf("://");
            boolean http = scheme == 4 && uri.regionMatches(true, 0, "http", 0, 4);
            boolean https = scheme == 5 && uri.regionMatches(true, 0, "https", 0, 5);
            if (!http && !https) {
                return bad("malformed request target");
            }
            int authEnd = scheme + 3;
            while (authEnd < uri.length() && uri.charAt(authEnd) != '/' && uri.charAt(authEnd) != '?') {
                authEnd++;
            }
            String authority = uri.substring(scheme + 3, authEnd);
            if (host == null || !authority.equalsIgnoreCase(host) || authority.indexOf('@') >= 0) {
                return bad("the absolute-form target names a different host than Host");
            }
            String rest = uri.substring(authEnd);
            uri = rest.startsWith("/") ? rest : "/" + rest;
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String normalized = PathNormalizer.normalize(path);
        if (normalized == null) {
            return bad("the request path is not allowed");
        }
        if (normalized != path) {
            uri = q < 0 ? normalized : normalized + uri.substring(q);
        }
        if (uri != req.uri()) {
            req.setUri(uri);
        }
        return null;
    }

    /**
     * RFC 3986 authority characters without userinfo ({@code @}) and without {@code ,} (a list, not a
     * name): {@code s.test x} or {@code s.test/x} would route as one name and reach the target as another.
     */
    private static boolean isValidHost(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+;=%:[]".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Rejection bad(String reason) {
        return new Rejection(HttpResponseStatus.BAD_REQUEST, reason);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
