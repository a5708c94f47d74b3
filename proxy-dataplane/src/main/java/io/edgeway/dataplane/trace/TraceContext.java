package io.edgeway.dataplane.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) and {@code X-Request-Id} on the way to the target.
 * A valid {@code traceparent} keeps its trace id and flags and gets this hop's new span id as parent id; a
 * missing or malformed one is replaced by a new trace (a malformed one is never forwarded, and its
 * {@code tracestate} goes with it, as the spec says). A valid {@code X-Request-Id} (1-128 characters from a
 * safe set) is kept; otherwise the trace id becomes the request id. Parsing is strict and allocation-free;
 * the new header is one 55-byte string (71 bytes behind it when the client sent a parent: its span id rides
 * after the header's end, so the span exporter finds it without another field on the hot path).
 */
public final class TraceContext {
    public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    public static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final int LENGTH = 55; // 00-<32 hex>-<16 hex>-<2 hex>
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private TraceContext() {}

    /**
     * Rewrites {@code headers} toward the target and answers the {@code traceparent} sent (its characters 3-35
     * are the trace id: see {@link #traceId}). More than one {@code traceparent} is malformed too (the spec
     * allows one); the header list is only fetched when there is one at all.
     */
    public static AsciiString apply(HttpHeaders headers) {
        return apply(headers, 0);
    }

    /**
     * As {@link #apply(HttpHeaders)}, and a trace the proxy starts is marked sampled (flags 01) with probability
     * {@code sampleNewTraces} (0 with span export off: no random draw). A client's trace keeps its flags: the
     * caller decided (head sampling), and {@link #sampled} reads the decision back from the header sent.
     */
    public static AsciiString apply(HttpHeaders headers, double sampleNewTraces) {
        return apply(headers, HTTP1, sampleNewTraces);
    }

    /** As {@link #apply(HttpHeaders, double)}, for a gRPC call's HTTP/2 request headers. */
    public static AsciiString apply(Http2Headers headers, double sampleNewTraces) {
        return apply(headers, HTTP2, sampleNewTraces);
    }

    /**
     * For a head the proxy encodes itself (HTTP/1.1 toward a target): the same decisions as {@link #apply}, but
     * the new {@code traceparent} is not put in {@code headers}; the caller writes it after the other headers
     * (as it does the X-Forwarded-* fields), which spares two header entries, a value and two lookups per request.
     * What must not be forwarded is removed here: the client's traceparent and, with a new trace, its tracestate.
     * Then {@link #keptRequestId} says whether the client's X-Request-Id stays.
     */
    public static AsciiString traceparentToWrite(HttpHeaders headers, double sampleNewTraces) {
        return traceparent(headers, HTTP1, sampleNewTraces, true);
    }

    /**
     * The client's X-Request-Id when it is kept (one, valid): it stays in {@code headers}. Otherwise null, and any
     * X-Request-Id is removed: the trace id goes in its place ({@link #traceparentToWrite}'s characters 3-35).
     */
    public static CharSequence keptRequestId(HttpHeaders headers) {
        CharSequence id = keptRequestId(headers, HTTP1);
        if (id == null) {
            headers.remove(REQUEST_ID);
        }
        return id;
    }

    private static <H> AsciiString apply(H headers, HeaderAccess<H> access, double sampleNewTraces) {
        AsciiString value = traceparent(headers, access, sampleNewTraces, false);
        access.set(headers, TRACEPARENT, value);
        if (keptRequestId(headers, access) == null) {
            access.set(headers, REQUEST_ID, value.subSequence(3, 35, false)); // the trace id, sharing the bytes
        }
        return value;
    }

    private static <H> CharSequence keptRequestId(H headers, HeaderAccess<H> access) {
        CharSequence id = access.get(headers, REQUEST_ID);
        return id != null && validRequestId(id) && access.single(headers, REQUEST_ID) ? id : null;
    }

    /** The traceparent this hop sends; {@code removeIncoming}: the client's own is taken out of {@code headers}. */
    private static <H> AsciiString traceparent(H headers, HeaderAccess<H> access, double sampleNewTraces,
                                               boolean removeIncoming) {
        CharSequence incoming = access.get(headers, TRACEPARENT);
        if (incoming != null) {
            if (!access.single(headers, TRACEPARENT)) {
                incoming = null;
            }
            if (removeIncoming) {
                access.remove(headers, TRACEPARENT); // read above (the header list keeps its value alive)
            }
        }
        byte[] out;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (incoming != null && valid(incoming)) {
            out = new byte[LENGTH + 16];
            for (int i = 0; i < 16; i++) {
                out[LENGTH + i] = (byte) incoming.charAt(36 + i); // the client's span: our span's parent
            }
            for (int i = 0; i < 36; i++) { // "00-" and the trace id and its dash
                out[i] = (byte) incoming.charAt(i);
            }
            out[0] = '0'; // we speak version 00: a later version's header is re-emitted as 00 with its ids
            out[1] = '0';
            out[52] = '-';
            out[53] = (byte) incoming.charAt(53);
            out[54] = (byte) incoming.charAt(54);
        } else {
            access.remove(headers, TRACESTATE);
            out = new byte[LENGTH];
            out[0] = '0';
            out[1] = '0';
            out[2] = '-';
            hex(out, 3, nonZero(random));
            hex(out, 19, random.nextLong());
            out[35] = '-';
            out[52] = '-';
            out[53] = '0';
            boolean sampled = sampleNewTraces > 0
                    && (sampleNewTraces >= 1 || random.nextDouble() < sampleNewTraces);
            out[54] = sampled ? (byte) '1' : (byte) '0'; // unsampled unless this proxy exports the span
        }
        hex(out, 36, nonZero(random));
        return new AsciiString(out, 0, LENGTH, false);
    }

    /**
     * The header operations trace context needs, over HTTP/1.1's {@link HttpHeaders} and HTTP/2's
     * {@link Http2Headers} (unrelated types in Netty). Stateless singletons: nothing allocated per request.
     */
    private interface HeaderAccess<H> {
        CharSequence get(H headers, AsciiString name);

        /** Exactly one header of that name (call only when {@link #get} found one). */
        boolean single(H headers, AsciiString name);

        void set(H headers, AsciiString name, CharSequence value);

        void remove(H headers, AsciiString name);
    }

    private static final HeaderAccess<HttpHeaders> HTTP1 = new HeaderAccess<>() {
        public CharSequence get(HttpHeaders h, AsciiString name) { return h.get(name); }
        public boolean single(HttpHeaders h, AsciiString name) { return h.getAll(name).size() == 1; }
        public void set(HttpHeaders h, AsciiString name, CharSequence value) { h.set(name, value); }
        public void remove(HttpHeaders h, AsciiString name) { h.remove(name); }
    };

    private static final HeaderAccess<Http2Headers> HTTP2 = new HeaderAccess<>() {
        public CharSequence get(Http2Headers h, AsciiString name) { return h.get(name); }
        public boolean single(Http2Headers h, AsciiString name) { return h.getAll(name).size() == 1; }
        public void set(Http2Headers h, AsciiString name, CharSequence value) { h.set(name, value); }
        public void remove(Http2Headers h, AsciiString name) { h.remove(name); }
    };

    /** The trace id in a {@code traceparent} this class made. */
    public static String traceId(CharSequence traceparent) {
        return traceparent.subSequence(3, 35).toString();
    }

    /** Whether a {@code traceparent} this class made has the sampled flag (bit 0 of the flags). */
    public static boolean sampled(CharSequence traceparent) {
        char low = traceparent.charAt(54);
        int digit = low <= '9' ? low - '0' : low - 'a' + 10;
        return (digit & 1) != 0;
    }

    /** The span id this hop sent to the target (the target's parent), from a {@code traceparent} this class made. */
    public static String spanId(CharSequence traceparent) {
        return traceparent.subSequence(36, 52).toString();
    }

    /** The client's span id (our span's parent) from a {@code traceparent} this class made, or null for a new trace. */
    public static String parentSpanId(CharSequence traceparent) {
        if (traceparent instanceof AsciiString a && a.arrayOffset() == 0 && a.array().length == LENGTH + 16) {
            return new String(a.array(), LENGTH, 16, java.nio.charset.StandardCharsets.US_ASCII);
        }
        return null;
    }

    /** version-traceid-parentid-flags, lower-case hex, no all-zero ids, version ff invalid; a future version may carry more after a dash. */
    static boolean valid(CharSequence s) {
        int n = s.length();
        if (n < LENGTH || (n > LENGTH && s.charAt(LENGTH) != '-')) {
            return false;
        }
        if (!hexRun(s, 0, 2) || (s.charAt(0) == 'f' && s.charAt(1) == 'f') || s.charAt(2) != '-'
                || !hexRun(s, 3, 32) || s.charAt(35) != '-' || !hexRun(s, 36, 16) || s.charAt(52) != '-'
                || !hexRun(s, 53, 2)) {
            return false;
        }
        if (n > LENGTH && s.charAt(0) == '0' && s.charAt(1) == '0') {
            return false; // version 00 is exactly 55 characters
        }
        return !zeros(s, 3, 32) && !zeros(s, 36, 16);
    }

    static boolean validRequestId(CharSequence s) {
        int n = s.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean hexRun(CharSequence s, int from, int len) {
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(CharSequence s, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static long nonZero(ThreadLocalRandom random) {
        long v;
        do {
            v = random.nextLong();
        } while (v == 0);
        return v;
    }

    private static void hex(byte[] out, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
