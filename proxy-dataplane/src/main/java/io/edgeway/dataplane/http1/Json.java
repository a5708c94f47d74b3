package io.edgeway.dataplane.http1;

/**
 * The proxy's one JSON string writer, for its own small bodies (problem+json, /health/upstreams). Quotes and
 * backslashes are escaped, and every character outside printable ASCII is written as a \\u escape: the text
 * (a target's name, a client's path in an error detail) arrives whole and the body stays 7-bit, whatever it held.
 */
public final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {}

    /** Appends {@code s} to {@code sb} as a quoted JSON string. */
    public static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        return sb.append('"');
    }
}
