package io.edgeway.dataplane.accesslog;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.trace.TraceIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Formats a JSON access log line straight into a reused byte buffer on the writer thread: no String per line,
 * and the timestamp's date and time formatted once per second. Strings are escaped as {@link
 * io.edgeway.dataplane.http1.Json} does (quotes, backslashes, and everything outside printable ASCII as
 * \\u escapes), so a line is always one line of 7-bit text whatever a client sent. The field names are
 * byte arrays made once, copied in whole, and the buffer grows before a field rather than per byte: this thread
 * shares the proxy's core, so its cost per line is part of the cost per request (issue 16's overhead goal).
 */
final class JsonLine {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIME = ascii("{\"time\":\"");
    private static final byte[] REQUEST_ID = key("request_id");
    private static final byte[] TRACE_ID = key("trace_id");
    private static final byte[] CLIENT = key("client");
    private static final byte[] HOST = key("host");
    private static final byte[] METHOD = key("method");
    private static final byte[] PATH = key("path");
    private static final byte[] PROTOCOL = key("protocol");
    private static final byte[] STATUS = key("status");
    private static final byte[] GRPC_STATUS = key("grpc_status");
    private static final byte[] BYTES_IN = key("bytes_in");
    private static final byte[] BYTES_OUT = key("bytes_out");
    private static final byte[] DURATION = key("duration_s");
    private static final byte[] CONNECT = key("upstream_connect_s");
    private static final byte[] FIRST_BYTE = key("upstream_first_byte_s");
    private static final byte[] ROUTE = key("route");
    private static final byte[] UPSTREAM = key("upstream");
    private static final byte[] TARGET = key("target");
    private static final byte[] ATTEMPTS = key("attempts");
    private static final byte[] CONFIG_VERSION = key("config_version");
    private static final byte[] TLS_VERSION = key("tls_version");
    private static final byte[] SNI = key("sni");
    private static final byte[] NULL = ascii("null");
    private static final byte[] END = ascii("}\n");
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    byte[] buf = new byte[1024];
    int len;
    private long second = Long.MIN_VALUE;
    private byte[] secondText;

    void format(AccessRecord r) {
        len = 0;
        raw(TIME);
        time(r.timeMillis);
        put((byte) '"');
        if (r.requestIdFromTrace && r.requestId == null && r.traced) {
            traceId(REQUEST_ID, r); // the trace id is the request id: formatted in place, no object made per line
        } else {
            text(REQUEST_ID, r.requestId);
        }
        if (r.traced) {
            traceId(TRACE_ID, r);
        } else {
            text(TRACE_ID, null);
        }
        text(CLIENT, r.client);
        text(HOST, r.host);
        text(METHOD, r.method);
        text(PATH, r.uri);
        text(PROTOCOL, r.protocol);
        number(STATUS, r.status == 0 ? 499 : r.status);
        if (r.grpcStatus != null) { // only gRPC calls have the field: HTTP lines stay as they were
            text(GRPC_STATUS, r.grpcStatus);
        }
        number(BYTES_IN, r.bytesIn);
        number(BYTES_OUT, r.bytesOut);
        seconds(DURATION, r.totalNanos);
        seconds(CONNECT, r.connectNanos);
        seconds(FIRST_BYTE, r.firstByteNanos);
        text(ROUTE, r.route);
        text(UPSTREAM, r.upstream);
        target(r.target);
        number(ATTEMPTS, r.attempts);
        number(CONFIG_VERSION, r.configVersion);
        text(TLS_VERSION, r.tlsVersion);
        text(SNI, r.sni);
        raw(END);
    }

    /** The trace id: 32 lower-case hex digits of its two longs, so no escaping. */
    private void traceId(byte[] key, AccessRecord r) {
        raw(key);
        ensure(34);
        buf[len++] = '"';
        TraceIds.hex(buf, len, r.traceHigh);
        TraceIds.hex(buf, len + 16, r.traceLow);
        len += 32;
        buf[len++] = '"';
    }

    /** host:port; an {@link Endpoint}'s parts are written as they are, with no String made per line for them. */
    private void target(Object target) {
        if (!(target instanceof Endpoint e)) {
            text(TARGET, target == null ? null : target.toString());
            return;
        }
        text(TARGET, e.host());
        len--; // reopen the string for the port
        put((byte) ':');
        digits(e.port());
        put((byte) '"');
    }

    private void time(long millis) {
        long s = Math.floorDiv(millis, 1000);
        if (s != second) {
            second = s;
            secondText = ascii(SECOND.format(Instant.ofEpochSecond(s)));
        }
        raw(secondText);
        int ms = (int) Math.floorMod(millis, 1000);
        ensure(5);
        buf[len++] = '.';
        buf[len++] = (byte) ('0' + ms / 100);
        buf[len++] = (byte) ('0' + ms / 10 % 10);
        buf[len++] = (byte) ('0' + ms % 10);
        buf[len++] = 'Z';
    }

    private void text(byte[] key, CharSequence value) {
        raw(key);
        if (value == null) {
            raw(NULL);
            return;
        }
        int n = value.length();
        ensure(n * 6 + 2); // at most 6 bytes per character (a \\u escape) and the quotes
        byte[] b = buf;
        int at = len;
        b[at++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b[at++] = '\\';
                b[at++] = (byte) c;
            } else if (c >= 0x20 && c < 0x7f) {
                b[at++] = (byte) c;
            } else {
                b[at++] = '\\';
                b[at++] = 'u';
                b[at++] = HEX[c >> 12 & 0xf];
                b[at++] = HEX[c >> 8 & 0xf];
                b[at++] = HEX[c >> 4 & 0xf];
                b[at++] = HEX[c & 0xf];
            }
        }
        b[at++] = '"';
        len = at;
    }

    private void number(byte[] key, long v) {
        raw(key);
        digits(v);
    }

    private void seconds(byte[] key, long nanos) {
        raw(key);
        if (nanos < 0) {
            raw(NULL);
            return;
        }
        long micros = nanos / 1_000;
        digits(micros / 1_000_000);
        ensure(7);
        buf[len] = '.';
        // The six fraction digits from the right, by constant divisors (a multiply each once compiled): the loop
        // dividing by a shrinking variable divisor made two hardware divisions per digit, 36 per line for the
        // three durations, and seconds() a sixth of the writer's line formatting in a profile (issue 16).
        int frac = (int) (micros % 1_000_000);
        for (int i = 6; i >= 1; i--) {
            buf[len + i] = (byte) ('0' + frac % 10);
            frac /= 10;
        }
        len += 7;
    }

    /**
     * Decimal digits, written from the right into room made for the longest long. Long.MIN_VALUE is written whole:
     * negating it gives itself, and the recursive version this replaced wrote "-(" for it, an invalid JSON line.
     */
    private void digits(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) { // no positive counterpart: the one value negating cannot write
                raw(ascii(Long.toString(v)));
                return;
            }
            buf[len++] = '-';
            v = -v;
        }
        int n = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            n++;
        }
        for (int i = len + n - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += n;
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private static byte[] key(String name) {
        return ascii(",\"" + name + "\":");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
