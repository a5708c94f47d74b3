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
 * safe set) is kept; otherwise the trace id becomes the request id. Parsing is strict and allocation-free; the
 * decision lands in a reused {@link TraceIds} (numbers, not text: see there).
 */
public final class TraceContext {
    public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    public static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final int LENGTH = TraceIds.TRACEPARENT_LENGTH; // 00-<32 hex>-<16 hex>-<2 hex>

    private TraceContext() {}

    /**
     * Rewrites {@code headers} toward the target and answers the {@code traceparent} sent. More than one
     * {@code traceparent} is malformed too (the spec allows one); the header list is only fetched when there is
     * one at all.
     */
    public static AsciiString apply(HttpHeaders headers) {
        return apply(headers, HTTP1, 0, new TraceIds());
    }

    /**
     * For a gRPC call's HTTP/2 request headers: the same decisions, the new {@code traceparent} (and, when the
     * client's is not kept, the X-Request-Id) set in {@code headers}, the ids in {@code ids}. A trace the proxy
     * starts is marked sampled (flags 01) with probability {@code sampleNewTraces} (0 with span export off: no
     * random draw). A client's trace keeps its flags: the caller decided (head sampling).
     */
    public static void apply(Http2Headers headers, double sampleNewTraces, TraceIds ids) {
        apply(headers, HTTP2, sampleNewTraces, ids);
    }

    /**
     * For a head the proxy encodes itself (HTTP/1.1 toward a target): the same decisions as {@link #apply}, but
     * the new {@code traceparent} is not put in {@code headers}: it is left in {@code ids}, whose hex the caller
     * writes after the other headers ({@link TraceIds#writeHeaders}), which spares two header entries, a value
     * and two lookups per request. What must not be forwarded is removed here: the client's traceparent and,
     * with a new trace, its tracestate. Then {@link #keptRequestId} says whether the client's X-Request-Id stays.
     */
    public static void toTarget(HttpHeaders headers, double sampleNewTraces, TraceIds ids) {
        decide(headers, HTTP1, sampleNewTraces, true, ids);
    }

    /**
     * The client's X-Request-Id when it is kept (one, valid): it stays in {@code headers}. Otherwise null, and any
     * X-Request-Id is removed: the trace id goes in its place. One lookup when the client sent none (the common
     * case): there is nothing to remove then.
     */
    public static CharSequence keptRequestId(HttpHeaders headers) {
        CharSequence id = headers.get(REQUEST_ID);
        if (id == null) {
            return null;
        }
        if (keeps(headers, HTTP1, id)) {
            return id;
        }
        headers.remove(REQUEST_ID);
        return null;
    }

    /** A client's X-Request-Id {@code id} is kept when it is valid and the only one. */
    private static <H> boolean keeps(H headers, HeaderAccess<H> access, CharSequence id) {
        return validRequestId(id) && access.single(headers, REQUEST_ID);
    }

    private static <H> AsciiString apply(H headers, HeaderAccess<H> access, double sampleNewTraces, TraceIds ids) {
        decide(headers, access, sampleNewTraces, false, ids);
        AsciiString value = ids.traceparent();
        access.set(headers, TRACEPARENT, value);
        CharSequence id = access.get(headers, REQUEST_ID);
        if (id == null || !keeps(headers, access, id)) {
            access.set(headers, REQUEST_ID, value.subSequence(3, 35, false)); // the trace id, sharing the bytes
        }
        return value;
    }

    /** This hop's trace context into {@code ids}; {@code removeIncoming}: the client's traceparent leaves {@code headers}. */
    private static <H> void decide(H headers, HeaderAccess<H> access, double sampleNewTraces, boolean removeIncoming,
                                   TraceIds ids) {
        CharSequence incoming = access.get(headers, TRACEPARENT);
        if (incoming != null) {
            if (!access.single(headers, TRACEPARENT)) {
                incoming = null;
            }
            if (removeIncoming) {
                access.remove(headers, TRACEPARENT); // read above (the header list keeps its value alive)
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current(); // per thread, no lock, not SecureRandom: ids, not secrets
        if (incoming != null && valid(incoming)) {
            // a later version's header is re-emitted as 00 with its ids and flags
            ids.traceHigh = TraceIds.parseHex(incoming, 3, 16);
            ids.traceLow = TraceIds.parseHex(incoming, 19, 16);
            ids.parentSpanId = TraceIds.parseHex(incoming, 36, 16); // the client's span: our span's parent
            ids.flags = (int) TraceIds.parseHex(incoming, 53, 2);
        } else {
            access.remove(headers, TRACESTATE);
            long high = random.nextLong();
            long low = random.nextLong();
            if ((high | low) == 0) { // all zero is invalid; 2^-128 odds, but then any non-zero value will do
                low = 1;
            }
            ids.traceHigh = high;
            ids.traceLow = low;
            ids.parentSpanId = 0;
            boolean sampled = sampleNewTraces > 0
                    && (sampleNewTraces >= 1 || random.nextDouble() < sampleNewTraces);
            ids.flags = sampled ? 1 : 0; // unsampled unless this proxy exports the span
        }
        ids.spanId = nonZero(random);
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
}
