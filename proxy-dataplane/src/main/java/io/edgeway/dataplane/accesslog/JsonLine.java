package io.edgeway.dataplane.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Formats a JSON access log line straight into a reused byte buffer on the writer thread: no String per line,
 * and the timestamp's date and time formatted once per second. Strings are escaped as {@link
 * io.edgeway.dataplane.http1.Json} does (quotes, backslashes, and everything outside printable ASCII as
 * \\u escapes), so a line is always one line of 7-bit text whatever a client sent.
 */
final class JsonLine {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    byte[] buf = new byte[1024];
    int len;
    private long second = Long.MIN_VALUE;
    private byte[] secondText;

    void format(AccessRecord r) {
        len = 0;
        raw("{\"time\":\"");
        time(r.timeMillis);
        raw("\"");
        text("request_id", r.requestId);
        if (r.traceparent == null) {
            text("trace_id", null);
        } else {
            raw(",\"trace_id\":\"");
            CharSequence tp = r.traceparent;
            for (int i = 3; i < 35 && i < tp.length(); i++) {
                put((byte) tp.charAt(i)); // lower-case hex: made or checked by TraceContext
            }
            put((byte) '"');
        }
        text("client", r.client);
        text("host", r.host);
        text("method", r.method);
        text("path", r.uri);
        text("protocol", r.protocol);
        number("status", r.status == 0 ? 499 : r.status);
        if (r.grpcStatus != null) { // only gRPC calls have the field: HTTP lines stay as they were
            text("grpc_status", r.grpcStatus);
        }
        number("bytes_in", r.bytesIn);
        number("bytes_out", r.bytesOut);
        seconds("duration_s", r.totalNanos);
        seconds("upstream_connect_s", r.connectNanos);
        seconds("upstream_first_byte_s", r.firstByteNanos);
        text("route", r.route);
        text("upstream", r.upstream);
        text("target", r.target == null ? null : r.target.toString());
        number("attempts", r.attempts);
        number("config_version", r.configVersion);
        text("tls_version", r.tlsVersion);
        text("sni", r.sni);
        raw("}\n");
    }

    private void time(long millis) {
        long s = Math.floorDiv(millis, 1000);
        if (s != second) {
            second = s;
            secondText = SECOND.format(Instant.ofEpochSecond(s)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        for (byte b : secondText) {
            put(b);
        }
        int ms = (int) Math.floorMod(millis, 1000);
        put((byte) '.');
        put((byte) ('0' + ms / 100));
        put((byte) ('0' + ms / 10 % 10));
        put((byte) ('0' + ms % 10));
        put((byte) 'Z');
    }

    private void text(String name, CharSequence value) {
        raw(",\"");
        raw(name);
        raw("\":");
        if (value == null) {
            raw("null");
            return;
        }
        put((byte) '"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                put((byte) '\\');
                put((byte) c);
            } else if (c >= 0x20 && c < 0x7f) {
                put((byte) c);
            } else {
                raw("\\u");
                put(HEX[c >> 12 & 0xf]);
                put(HEX[c >> 8 & 0xf]);
                put(HEX[c >> 4 & 0xf]);
                put(HEX[c & 0xf]);
            }
        }
        put((byte) '"');
    }

    private void number(String name, long v) {
        raw(",\"");
        raw(name);
        raw("\":");
        digits(v);
    }

    private void seconds(String name, long nanos) {
        raw(",\"");
        raw(name);
        raw("\":");
        if (nanos < 0) {
            raw("null");
            return;
        }
        long micros = nanos / 1_000;
        digits(micros / 1_000_000);
        put((byte) '.');
        long frac = micros % 1_000_000;
        for (long div = 100_000; div > 0; div /= 10) {
            put((byte) ('0' + frac / div % 10));
        }
    }

    private void digits(long v) {
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        if (v >= 10) {
            digits(v / 10);
        }
        put((byte) ('0' + v % 10));
    }

    /** ASCII constants only. */
    private void raw(String s) {
        for (int i = 0; i < s.length(); i++) {
            put((byte) s.charAt(i));
        }
    }

    private void put(byte b) {
        if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = b;
    }
}
