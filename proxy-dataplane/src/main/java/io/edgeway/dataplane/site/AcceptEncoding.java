package io.edgeway.dataplane.site;

/**
 * Picks the precompressed variant an {@code Accept-Encoding} value allows (RFC 9110 12.5.3): the highest
 * q-value wins, {@code q=0} refuses, {@code *} stands for codings not named, and on a tie brotli (smaller)
 * beats gzip, and both beat identity. Malformed members are skipped, never guessed.
 */
final class AcceptEncoding {
    static final int IDENTITY = 0;
    static final int GZIP = 1;
    static final int BR = 2;

    private AcceptEncoding() {}

    /** One of {@link #IDENTITY}, {@link #GZIP}, {@link #BR}, among those the file has. */
    static int choose(String header, boolean hasGzip, boolean hasBr) {
        if (header == null || (!hasGzip && !hasBr)) {
            return IDENTITY;
        }
        double gzip = -1;
        double br = -1;
        double star = -1;
        for (String member : header.split(",")) {
            String[] parts = member.split(";");
            String coding = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q') && param.charAt(1) == '=') {
                    q = qvalue(param.substring(2).trim());
                }
            }
            if (q < 0) {
                continue;
            }
            switch (coding) {
                case "gzip", "x-gzip" -> gzip = Math.max(gzip, q);
                case "br" -> br = Math.max(br, q);
                case "*" -> star = q;
                default -> { }
            }
        }
        double g = hasGzip ? (gzip >= 0 ? gzip : star) : -1;
        double b = hasBr ? (br >= 0 ? br : star) : -1;
        if (b > 0 && b >= g) {
            return BR;
        }
        return g > 0 ? GZIP : IDENTITY;
    }

    /** RFC 9110 12.4.2: 0, 1 or 0.xxx / 1.000; anything else is -1 (ignored). */
    private static double qvalue(String s) {
        if (!s.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
            return -1;
        }
        return Double.parseDouble(s);
    }
}
