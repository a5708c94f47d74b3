package io.edgeway.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Header names the proxy sets and the proxy's own small responses. */
public final class Http {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached("application/problem+json");
    private static final AsciiString RETRY_AFTER_SECONDS = AsciiString.cached("5");
    private static final int MAX_DETAIL = 200;

    private Http() {}

    /** A small problem+json response; {@code close} adds Connection: close. */
    public static FullHttpResponse problem(ByteBufAllocator alloc, HttpResponseStatus status, String detail,
            boolean close) {
        StringBuilder sb = new StringBuilder(96 + Math.min(detail.length(), MAX_DETAIL)).append("{\"status\":")
                .append(status.code()).append(",\"title\":");
        Json.string(sb, status.reasonPhrase()).append(",\"detail\":");
        // Capped: a detail may quote the client's own input back.
        Json.string(sb, detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail).append("}\n");
        String json = sb.toString();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (status.code() == 503) {
            // The proxy's own 503s are passing states (no config yet, no target enabled): say when to retry.
            res.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return res;
    }
}
