package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.http1.Http;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * The X-Forwarded-For, -Proto and -Host values the proxy adds to one request ({@link HeaderRewriter#request}),
 * kept beside the head instead of in it: an HTTP/1.1 target gets them written straight after the other
 * headers ({@link UpstreamRequestEncoder}), so that the common request allocates no header entries for them.
 * An h2c target's stream takes a head object, so there they are put in the headers ({@link #addTo}).
 * One per client connection, reused by each of its requests; a {@code null} field adds nothing.
 */
final class ForwardedFields {
    private String forwardedFor;
    private CharSequence proto;
    private String host;

    void set(String forwardedFor, CharSequence proto, String host) {
        this.forwardedFor = forwardedFor;
        this.proto = proto;
        this.host = host;
    }

    /** For a head that travels as an object (an h2c stream); idempotent. */
    void addTo(HttpHeaders h) {
        if (forwardedFor != null) {
            h.set(Http.X_FORWARDED_FOR, forwardedFor);
        }
        if (proto != null) {
            h.set(Http.X_FORWARDED_PROTO, proto);
        }
        if (host != null) {
            h.set(Http.X_FORWARDED_HOST, host);
        }
    }

    /** For a head being encoded as HTTP/1.1: the header lines, before the blank line that ends it. */
    void writeTo(ByteBuf buf) {
        line(buf, Http.X_FORWARDED_FOR, forwardedFor);
        line(buf, Http.X_FORWARDED_PROTO, proto);
        line(buf, Http.X_FORWARDED_HOST, host);
    }

    private static void line(ByteBuf buf, CharSequence name, CharSequence value) {
        if (value == null) {
            return;
        }
        buf.writeCharSequence(name, StandardCharsets.US_ASCII);
        buf.writeShort((':' << 8) | ' ');
        buf.writeCharSequence(value, StandardCharsets.US_ASCII);
        buf.writeShort(('\r' << 8) | '\n');
    }
}
