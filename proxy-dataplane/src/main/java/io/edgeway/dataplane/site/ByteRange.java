package io.edgeway.dataplane.site;

/**
 * A {@code Range: bytes=...} header against a file of {@code size} bytes (RFC 9110 14.1.2). Only one range is
 * served as 206; several ranges get the whole file as 200 (which the RFC allows), since browsers and media
 * players ask for one.
 *
 * @param start first byte, inclusive
 * @param end last byte, inclusive
 */
record ByteRange(long start, long end) {
    /** The header does not apply: serve the whole file (no header, another unit, malformed, several ranges). */
    static final ByteRange WHOLE = new ByteRange(-1, -1);
    /** Syntactically fine but no range overlaps the file: 416. */
    static final ByteRange UNSATISFIABLE = new ByteRange(-2, -2);

    long length() {
        return end - start + 1;
    }

    static ByteRange parse(String header, long size) {
        if (header == null || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return WHOLE;
        }
        String spec = header.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            // Several ranges: each must still be well formed, or the header is ignored as a whole.
            boolean anySatisfiable = false;
            for (String one : spec.split(",", -1)) {
                ByteRange r = one(one.trim(), size);
                if (r == WHOLE) {
                    return WHOLE;
                }
                anySatisfiable |= r != UNSATISFIABLE;
            }
            return anySatisfiable ? WHOLE : UNSATISFIABLE;
        }
        return one(spec, size);
    }

    private static ByteRange one(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String first = spec.substring(0, dash);
        String last = spec.substring(dash + 1);
        if (first.isEmpty()) { // suffix: the last N bytes
            long n = digits(last);
            if (n < 0) {
                return WHOLE;
            }
            if (n == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, size - n), size - 1);
        }
        long start = digits(first);
        long end = last.isEmpty() ? Long.MAX_VALUE : digits(last);
        if (start < 0 || end < 0 || end < start) {
            return WHOLE; // invalid ranges are ignored (RFC 9110 14.2)
        }
        if (start >= size) {
            return UNSATISFIABLE;
        }
        return new ByteRange(start, Math.min(end, size - 1));
    }

    /** Non-negative decimal that fits a long, else -1. */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }
}
