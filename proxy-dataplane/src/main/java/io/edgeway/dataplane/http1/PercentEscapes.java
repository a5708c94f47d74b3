package io.edgeway.dataplane.http1;

/**
 * Reading one {@code %XX} escape of a request path, with the refusals every decoder of a path must share: a
 * request router and whatever serves the path must never disagree on where segments end, so an encoded
 * {@code /}, {@code \} or NUL is refused, not decoded. Used by {@link PathNormalizer} (before routing) and the
 * static-site lookup; one rule, so the two cannot drift apart.
 */
public final class PercentEscapes {
    /** What {@link #byteAt} returns for an escape that must be refused. */
    public static final int REFUSED = -1;

    private PercentEscapes() {}

    /**
     * The byte the escape whose {@code %} is at {@code percent} stands for, or {@link #REFUSED} when it is cut
     * short, is not two hex digits, or stands for {@code /}, {@code \} or NUL.
     */
    public static int byteAt(String path, int percent) {
        if (percent + 2 >= path.length()) {
            return REFUSED;
        }
        int hi = Character.digit(path.charAt(percent + 1), 16);
        int lo = Character.digit(path.charAt(percent + 2), 16);
        if (hi < 0 || lo < 0) {
            return REFUSED;
        }
        int v = hi << 4 | lo;
        return v == '/' || v == '\\' || v == 0 ? REFUSED : v;
    }
}
