package io.edgeway.dataplane.limits;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-10): {@code RateLimit-Policy: "route";q=100;w=1}
 * (the quota: {@code q} requests per {@code w} seconds) and {@code RateLimit: "route";r=49;t=1} ({@code r}
 * requests left now, {@code t} seconds until the quota is whole again, or on a 429 until a request may pass).
 * They go on every answer of a limited route, allowed or refused (the draft lets a server send them on any
 * response; clients pace themselves better knowing before the 429). A 429 also has {@code Retry-After}
 * (RFC 9110), in whole seconds, at least 1.
 */
public final class RateLimitHeaders {
    public static final AsciiString POLICY = AsciiString.cached("ratelimit-policy");
    public static final AsciiString RATELIMIT = AsciiString.cached("ratelimit");
    private static final byte[] POLICY_LINE = "ratelimit-policy: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] LIMIT_LINE = "ratelimit: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] R = ";r=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] T = ";t=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RateLimitHeaders() {}

    /** On a response head object (the proxy's own 429, or a target's response it rewrites). */
    public static void set(HttpHeaders headers, RateVerdict v) {
        RateLimitSpec spec = v.spec();
        headers.set(POLICY, spec.policyHeader());
        AsciiString name = name(spec);
        headers.set(RATELIMIT, name + ";r=" + v.remaining() + ";t=" + v.resetSeconds());
        if (!v.allowed()) {
            headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, v.resetSeconds())));
        }
    }

    /** Appends both lines to a head relayed as bytes, writing the numbers in place (no String per request). */
    public static void write(ByteBuf head, RateVerdict v) {
        RateLimitSpec spec = v.spec();
        head.writeBytes(POLICY_LINE);
        ByteBufUtil.copy(spec.policyHeader(), head);
        head.writeShort(('\r' << 8) | '\n');
        head.writeBytes(LIMIT_LINE);
        AsciiString policy = spec.policyHeader();
        int end = policy.indexOf(';', 0); // the quoted name ends at the first parameter
        head.writeBytes(policy.array(), policy.arrayOffset(), end);
        head.writeBytes(R);
        writeDigits(head, v.remaining());
        head.writeBytes(T);
        writeDigits(head, v.resetSeconds());
        head.writeShort(('\r' << 8) | '\n');
    }

    private static AsciiString name(RateLimitSpec spec) {
        AsciiString policy = spec.policyHeader();
        return policy.subSequence(0, policy.indexOf(';', 0), false);
    }

    private static void writeDigits(ByteBuf buf, long value) {
        if (value >= 10) {
            writeDigits(buf, value / 10);
        }
        buf.writeByte((int) ('0' + value % 10));
    }
}
