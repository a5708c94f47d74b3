package io.edgeway.dataplane.accesslog;

import io.edgeway.dataplane.http1.Json;
import io.edgeway.dataplane.trace.TraceContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formats {@link AccessRecord}s on the writer thread: JSON (one object a line) or nginx's {@code combined}. */
final class LineFormat {
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private LineFormat() {}

    static void json(AccessRecord r, StringBuilder sb) {
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(r.timeMillis)).append('"');
        text(sb, "request_id", r.requestId == null ? null : r.requestId.toString());
        text(sb, "trace_id", r.traceparent == null ? null : TraceContext.traceId(r.traceparent));
        text(sb, "client", r.client);
        text(sb, "host", r.host);
        text(sb, "method", r.method);
        text(sb, "path", r.uri);
        text(sb, "protocol", r.protocol);
        sb.append(",\"status\":").append(r.status == 0 ? 499 : r.status);
        sb.append(",\"bytes_in\":").append(r.bytesIn).append(",\"bytes_out\":").append(r.bytesOut);
        seconds(sb, "duration_s", r.totalNanos);
        seconds(sb, "upstream_connect_s", r.connectNanos);
        seconds(sb, "upstream_first_byte_s", r.firstByteNanos);
        text(sb, "route", r.route);
        text(sb, "upstream", r.upstream);
        text(sb, "target", r.target == null ? null : r.target.toString());
        sb.append(",\"attempts\":").append(r.attempts).append(",\"config_version\":").append(r.configVersion);
        text(sb, "tls_version", r.tlsVersion);
        text(sb, "sni", r.sni);
        sb.append("}\n");
    }

    /** {@code $remote_addr - - [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"}. */
    static void combined(AccessRecord r, StringBuilder sb) {
        sb.append(r.client).append(" - - [");
        CLF.formatTo(Instant.ofEpochMilli(r.timeMillis), sb);
        sb.append("] \"");
        quoted(sb, r.method);
        sb.append(' ');
        quoted(sb, r.uri);
        sb.append(' ');
        quoted(sb, r.protocol);
        sb.append("\" ").append(r.status == 0 ? 499 : r.status).append(' ').append(r.bytesOut).append(" \"");
        quoted(sb, r.referer == null ? "-" : r.referer);
        sb.append("\" \"");
        quoted(sb, r.userAgent == null ? "-" : r.userAgent);
        sb.append("\"\n");
    }

    private static void text(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":");
        if (value == null) {
            sb.append("null");
        } else {
            Json.string(sb, value);
        }
    }

    private static void seconds(StringBuilder sb, String name, long nanos) {
        sb.append(",\"").append(name).append("\":");
        if (nanos < 0) {
            sb.append("null");
        } else {
            long micros = nanos / 1_000;
            sb.append(micros / 1_000_000).append('.');
            String frac = Long.toString(micros % 1_000_000);
            sb.append("000000", 0, 6 - frac.length()).append(frac);
        }
    }

    /** As nginx does: a quote, a backslash or a byte outside printable ASCII becomes \xHH, so a line stays one line. */
    private static void quoted(StringBuilder sb, String s) {
        if (s == null) {
            sb.append('-');
            return;
        }
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
                sb.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append((char) c);
            }
        }
    }
}
