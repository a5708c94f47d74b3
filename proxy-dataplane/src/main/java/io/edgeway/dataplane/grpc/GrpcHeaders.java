package io.edgeway.dataplane.grpc;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/** The HTTP/2 counterpart of {@link HeaderRewriter} for relayed gRPC streams, and the proxy's own gRPC errors. */
final class GrpcHeaders {
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString SERVER = AsciiString.cached("server");
    private static final AsciiString[] CONNECTION_SPECIFIC = {
        AsciiString.cached("connection"), AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"),
        AsciiString.cached("transfer-encoding"), AsciiString.cached("upgrade")};
    private static final AsciiString[] FORWARDING = {
        AsciiString.cached("x-forwarded-for"), AsciiString.cached("x-forwarded-proto"),
        AsciiString.cached("x-forwarded-host"), AsciiString.cached("forwarded"), AsciiString.cached("x-real-ip")};

    /** gRPC status codes the proxy itself answers with. */
    static final int DEADLINE_EXCEEDED = 4;
    static final int UNIMPLEMENTED = 12;
    static final int UNAVAILABLE = 14;

    private GrpcHeaders() {}

    static boolean isGrpc(Http2Headers h) {
        CharSequence ct = h.get(CONTENT_TYPE);
        return ct != null && AsciiString.regionMatches(ct, true, 0, APPLICATION_GRPC, 0, APPLICATION_GRPC.length());
    }

    /**
     * The request head for the target. :authority stays (the target may route on it too). Unlike the
     * HTTP/1.1 path, {@code te: trailers} is kept: it is how a gRPC client says it understands trailers,
     * and gRPC servers check for it. X-Forwarded-* follow the same trust rule as {@link HeaderRewriter#request}.
     */
    static void request(Http2Headers h, String peerIp, boolean trustedPeer, CharSequence scheme) {
        stripConnectionSpecific(h);
        CharSequence te = h.get(TE);
        if (te != null && !TRAILERS.contentEqualsIgnoreCase(te)) {
            h.remove(TE);
        }
        CharSequence xff = h.get(FORWARDING[0]);
        if (trustedPeer && xff != null) {
            h.set(FORWARDING[0], String.join(", ", h.getAll(FORWARDING[0])) + ", " + peerIp);
        } else {
            h.set(FORWARDING[0], peerIp);
        }
        if (!trustedPeer || !h.contains(FORWARDING[1])) {
            h.set(FORWARDING[1], scheme);
        }
        if (!trustedPeer || !h.contains(FORWARDING[2])) {
            if (h.authority() != null) {
                h.set(FORWARDING[2], h.authority());
            } else {
                h.remove(FORWARDING[2]);
            }
        }
    }

    /** Trailers arrive after the head was routed and rewritten: nothing in them may change what it said. */
    static void requestTrailers(Http2Headers t) {
        stripConnectionSpecific(t);
        t.remove(TE);
        for (AsciiString name : FORWARDING) {
            t.remove(name);
        }
    }

    /** The target's response head or trailers; as on HTTP/1.1, the client is not told what software runs behind. */
    static void response(Http2Headers h) {
        stripConnectionSpecific(h);
        h.remove(SERVER);
    }

    /**
     * A "Trailers-Only" response (the gRPC spec's form for an error before any message): :status 200 and
     * the status in one HEADERS frame that ends the stream. HTTP status 200 on purpose: gRPC clients map
     * other HTTP statuses to codes of their own and would lose ours.
     */
    static Http2Headers trailersOnly(int grpcStatus, String message) {
        return new DefaultHttp2Headers()
                .status("200")
                .set(CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, grpcStatus)
                .set(GRPC_MESSAGE, percentEncode(message));
    }

    /** The :status of a target's response head for the counters; 0 (counted as other) when it is not a number. */
    static int statusCode(Http2Headers h) {
        CharSequence status = h.status();
        try {
            return status == null ? 0 : Integer.parseInt(status.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** For the response counters: what the HTTP/1.1 path answers in the same situation. */
    static int httpEquivalent(int grpcStatus) {
        return switch (grpcStatus) {
            case DEADLINE_EXCEEDED -> 504;
            case UNIMPLEMENTED -> 404;
            default -> 502;
        };
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec): printable ASCII except '%' passes. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static void stripConnectionSpecific(Http2Headers h) {
        for (AsciiString name : CONNECTION_SPECIFIC) {
            h.remove(name);
        }
    }
}
