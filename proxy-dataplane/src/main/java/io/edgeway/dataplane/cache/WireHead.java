package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A stored response's head as HTTP/1.1 bytes, encoded once when the entry is made: the status line, the stored
 * headers, Content-Length. A hit then copies these few hundred bytes and appends only what changes per request
 * (Age, Cache-Status), instead of copying the header map and encoding every name and value again.
 *
 * <p>Left out because each hit sets its own: Age, Cache-Status and Content-Length (the body's real length). The
 * blank line that ends the head is not included: whoever writes it may still add Connection: close.
 */
final class WireHead {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] AGE = "age: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CACHE_STATUS = "cache-status: ".getBytes(StandardCharsets.US_ASCII);

    private WireHead() {}

    static byte[] encode(int status, HttpHeaders headers, int bodyLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ascii(out, "HTTP/1.1 " + HttpResponseStatus.valueOf(status) + "\r\n"); // "200 OK": code, space, reason
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (HttpHeaderNames.AGE.contentEqualsIgnoreCase(name)
                    || CachedAnswer.CACHE_STATUS.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                continue;
            }
            ascii(out, name);
            ascii(out, ": ");
            ascii(out, h.getValue());
            out.writeBytes(CRLF);
        }
        if (status != 204) {
            ascii(out, "content-length: " + bodyLength + "\r\n");
        }
        return out.toByteArray();
    }

    /** As Netty's encoder writes a header: one byte per char, anything outside US-ASCII as '?'. */
    private static void ascii(ByteArrayOutputStream out, CharSequence s) {
        out.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The head of one hit: {@code wireHead}, then this answer's Age and Cache-Status, in a buffer of its own
     * (the writer appends to it). No blank line yet.
     */
    static ByteBuf forHit(ByteBufAllocator alloc, byte[] wireHead, long ageSeconds, CharSequence cacheStatus) {
        ByteBuf buf = alloc.directBuffer(wireHead.length + 64 + cacheStatus.length());
        buf.writeBytes(wireHead).writeBytes(AGE);
        writeDecimal(buf, ageSeconds);
        buf.writeBytes(CRLF).writeBytes(CACHE_STATUS);
        ByteBufUtil.writeAscii(buf, cacheStatus);
        return buf.writeBytes(CRLF);
    }

    /** {@code n} (>= 0) in decimal, without making a String per request. */
    private static void writeDecimal(ByteBuf buf, long n) {
        if (n < 10) {
            buf.writeByte('0' + (int) n);
            return;
        }
        writeDecimal(buf, n / 10);
        buf.writeByte('0' + (int) (n % 10));
    }
}
