package io.edgeway.dataplane.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * The Connection header (RFC 9110 7.6.1): the one parser of its tokens, and the rule that it cannot hide
 * what the proxy needs. Every field it names is hop-by-hop and removed before the message travels on, so a
 * client naming {@code Content-Length} would have the proxy forward a body without its framing, which the
 * target then reads as a second request the proxy never routed (request smuggling). Such messages are
 * refused instead: a request gets 400, a response 502.
 */
public final class ConnectionHeader {
    /** What frames or routes a request: never hop-by-hop, whatever a Connection header says. */
    private static final AsciiString[] REQUEST_PROTECTED = {
        HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST};
    /** What frames a response. */
    private static final AsciiString[] RESPONSE_PROTECTED = {
        HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING};

    private ConnectionHeader() {}

    /** Why a request may not be forwarded because of its Connection header, or {@code null}. */
    static String requestError(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.CONNECTION)) {
            return null; // most requests: nothing allocated
        }
        List<String> tokens = tokens(h);
        for (String token : tokens) {
            if (!Token.is(token)) {
                return "malformed Connection header";
            }
        }
        String named = firstProtected(tokens, REQUEST_PROTECTED);
        return named == null ? null : "the Connection header names " + named + ", which frames or routes the request";
    }

    /** Why a response may not be relayed because of its Connection header, or {@code null}. */
    public static String responseError(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        String named = firstProtected(tokens(h), RESPONSE_PROTECTED);
        return named == null ? null : "the target's Connection header names " + named;
    }

    /** The elements of every Connection header, trimmed, empty ones skipped (RFC 9110 5.6.1). */
    public static List<String> tokens(HttpHeaders h) {
        List<String> tokens = new ArrayList<>(2);
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String token = value.substring(start, end).trim();
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
                start = end + 1;
            }
        }
        return tokens;
    }

    /** Whether a Connection header could ever name this field; the hop-by-hop strip never removes these. */
    public static boolean isProtected(String token) {
        for (AsciiString name : REQUEST_PROTECTED) {
            if (name.contentEqualsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private static String firstProtected(List<String> tokens, AsciiString[] names) {
        for (String token : tokens) {
            for (AsciiString name : names) {
                if (name.contentEqualsIgnoreCase(token)) {
                    return name.toString();
                }
            }
        }
        return null;
    }
}
