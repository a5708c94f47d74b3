package io.edgeway.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;

/**
 * Netty's request encoder, plus the {@link ForwardedFields} of the request being written: the exchange hands
 * them over ({@link #next}) just before it writes the head, and they are written after its headers.
 */
final class UpstreamRequestEncoder extends HttpRequestEncoder {
    private ForwardedFields next;

    /** The fields for the next head written on this connection; taken by that head only. */
    void next(ForwardedFields fields) {
        this.next = fields;
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        super.encodeHeaders(headers, buf);
        ForwardedFields fields = next;
        if (fields != null) {
            next = null;
            fields.writeTo(buf);
        }
    }
}
