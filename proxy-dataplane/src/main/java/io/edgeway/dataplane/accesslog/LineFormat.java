package io.edgeway.dataplane.accesslog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formats {@link AccessRecord}s on the writer thread in nginx's {@code combined} format (JSON: {@link JsonLine}). */
final class LineFormat {
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private LineFormat() {}

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
