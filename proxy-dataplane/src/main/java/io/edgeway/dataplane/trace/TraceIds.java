package io.edgeway.dataplane.trace;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * One request's W3C trace context as numbers: the trace id (two longs), the span id this hop sends to the target,
 * the client's span id (our span's parent; 0 for a trace the proxy started) and the flags. The event loop keeps
 * them as longs and writes their hex straight into the outgoing head ({@link #writeHeaders}); anything else that
 * needs text (a log line, a span) formats them on the access log's writer thread. So a request allocates nothing
 * for its trace context. Mutable and reused: one per client connection, on its event loop.
 */
public final class TraceIds {
    /** {@code version-traceid-parentid-flags}: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
    static final int TRACEPARENT_LENGTH = 55;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRACEPARENT_LINE = "traceparent: 00-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_ID_LINE = "x-request-id: ".getBytes(StandardCharsets.US_ASCII);

    long traceHigh;
    long traceLow;
    long spanId;
    /** 0: the proxy started the trace (the client sent none, or a malformed one). */
    long parentSpanId;
    int flags;

    /**
     * The head lines, their constant parts written once: only the hex changes per request, so a request's lines
     * go out in one copy each, with no value object made. Per connection (the class is), so never shared.
     */
    private final byte[] traceparentLine = headerLine(TRACEPARENT_LINE, TRACEPARENT_LENGTH - 3);
    private final byte[] requestIdLine = headerLine(REQUEST_ID_LINE, 32);

    public long traceHigh() {
        return traceHigh;
    }

    public long traceLow() {
        return traceLow;
    }

    public long spanId() {
        return spanId;
    }

    public long parentSpanId() {
        return parentSpanId;
    }

    public int flags() {
        return flags;
    }

    /** Bit 0 of the flags: the trace's spans are recorded (the head sampling decision). */
    public boolean sampled() {
        return (flags & 1) != 0;
    }

    /**
     * The {@code traceparent} line and, with {@code requestId}, an {@code X-Request-Id} line carrying the trace id,
     * each ended by CRLF, for a head the proxy encodes itself (HTTP/1.1 toward a target).
     */
    public void writeHeaders(ByteBuf buf, boolean traceparent, boolean requestId) {
        if (traceparent) {
            byte[] line = traceparentLine;
            int at = TRACEPARENT_LINE.length;
            hex(line, at, traceHigh);
            hex(line, at + 16, traceLow);
            line[at + 32] = '-';
            hex(line, at + 33, spanId);
            line[at + 49] = '-';
            line[at + 50] = HEX[(flags >>> 4) & 0xf];
            line[at + 51] = HEX[flags & 0xf];
            buf.writeBytes(line);
        }
        if (requestId) {
            byte[] line = requestIdLine;
            hex(line, REQUEST_ID_LINE.length, traceHigh);
            hex(line, REQUEST_ID_LINE.length + 16, traceLow);
            buf.writeBytes(line);
        }
    }

    /** The {@code traceparent} value as text, for a head that travels as an object (h2c, gRPC). */
    public AsciiString traceparent() {
        byte[] out = new byte[TRACEPARENT_LENGTH];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        hex(out, 3, traceHigh);
        hex(out, 19, traceLow);
        out[35] = '-';
        hex(out, 36, spanId);
        out[52] = '-';
        out[53] = HEX[(flags >>> 4) & 0xf];
        out[54] = HEX[flags & 0xf];
        return new AsciiString(out, false);
    }

    /** The trace id as 32 lower-case hex characters (also the X-Request-Id the proxy makes). */
    public AsciiString traceId() {
        byte[] out = new byte[32];
        hex(out, 0, traceHigh);
        hex(out, 16, traceLow);
        return new AsciiString(out, false);
    }

    /** {@code v} as 16 lower-case hex digits at {@code out[at..at+16)}, leading zeros included. */
    public static void hex(byte[] out, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    /** A trace id as 32 lower-case hex characters, for the writer thread (a span, a request id). */
    public static String traceIdHex(long high, long low) {
        byte[] out = new byte[32];
        hex(out, 0, high);
        hex(out, 16, low);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** {@code v} as 16 lower-case hex digits. */
    public static String hex(long v) {
        byte[] out = new byte[16];
        hex(out, 0, v);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** The value of {@code len} (at most 16) lower-case hex digits at {@code s[from..]}, already checked to be hex. */
    static long parseHex(CharSequence s, int from, int len) {
        long v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            v = (v << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return v;
    }

    private static byte[] headerLine(byte[] prefix, int valueLength) {
        byte[] line = new byte[prefix.length + valueLength + 2];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
        return line;
    }
}
