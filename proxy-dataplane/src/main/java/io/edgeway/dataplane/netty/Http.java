package io.edgeway.dataplane.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Header rules shared by both directions, request checks and the proxy's own small responses. */
final class Http {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached("application/problem+json");

    private Http() {}

    /**
     * Removes hop-by-hop headers: Connection and every header it names, Keep-Alive, Proxy-Connection, TE,
     * Trailer and Upgrade. Transfer-Encoding stays: the codecs re-frame the body and need it.
     */
    static void stripHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                int start = 0;
                while (start <= value.length()) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? value.length() : comma;
                    String token = value.substring(start, end).trim();
                    if (!token.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(token)) {
                        h.remove(token);
                    }
                    start = end + 1;
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    /**
     * Why a request must be refused before anything reaches an upstream, or {@code null} when it is fine.
     * The decoder (RFC 9112 mode) already fails on Content-Length with Transfer-Encoding and on duplicate
     * Content-Length; these checks repeat the cheap ones so the rule does not depend on codec settings.
     */
    static String rejectReason(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            return "malformed request" + (cause == null ? "" : ": " + cause.getClass().getSimpleName());
        }
        String uri = req.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "invalid character in the request target";
            }
        }
        HttpHeaders h = req.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
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
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "multiple Host headers";
        }
        if (hosts.isEmpty() && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "missing Host header";
        }
        return null;
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

    /** A small problem+json response; {@code close} adds Connection: close. */
    static FullHttpResponse problem(ByteBufAllocator alloc, HttpResponseStatus status, String detail,
            boolean close) {
        String json = "{\"status\":" + status.code() + ",\"title\":\"" + status.reasonPhrase()
                + "\",\"detail\":\"" + escape(detail) + "\"}\n";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return res;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append('?');
            }
        }
        return sb.toString();
    }
}
