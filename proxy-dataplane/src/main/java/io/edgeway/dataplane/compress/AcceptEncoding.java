package io.edgeway.dataplane.compress;

import java.util.List;

/**
 * Picks a coding from a request's Accept-Encoding (RFC 9110 12.5.3): the highest q-value among the codings the
 * route offers, ties going to the route's order; a coding not named gets the q of {@code *} if present, else is
 * not acceptable; q=0 refuses. No header, or nothing acceptable, means identity ({@code null}).
 */
final class AcceptEncoding {
    private AcceptEncoding() {}

    static Algorithm choose(String header, List<Algorithm> offered) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        Algorithm best = null;
        int bestQ = 0;
        for (Algorithm a : offered) {
            int q = qOf(header, a.token.toString());
            if (q > bestQ) {
                best = a;
                bestQ = q;
            }
        }
        return best;
    }

    /** The coding's q in thousandths: its own entry, else {@code *}'s, else 0. */
    static int qOf(String header, String coding) {
        int star = 0;
        int from = 0;
        while (from <= header.length()) {
            int comma = header.indexOf(',', from);
            int end = comma < 0 ? header.length() : comma;
            String item = header.substring(from, end);
            int semi = item.indexOf(';');
            String name = (semi < 0 ? item : item.substring(0, semi)).trim();
            int q = semi < 0 ? 1000 : q(item.substring(semi + 1));
            if (name.equalsIgnoreCase(coding)) {
                return q;
            }
            if (name.equals("*")) {
                star = q;
            }
            from = end + 1;
        }
        return star;
    }

    /** "q=0.5" (among other parameters) as 500; a malformed weight counts as 0, refusing rather than guessing. */
    private static int q(String params) {
        for (String p : params.split(";")) {
            String t = p.trim();
            if (t.length() >= 2 && (t.charAt(0) == 'q' || t.charAt(0) == 'Q') && t.charAt(1) == '=') {
                return weight(t.substring(2).trim());
            }
        }
        return 1000;
    }

    private static int weight(String v) {
        if (v.equals("1") || v.matches("1\\.0{0,3}")) {
            return 1000;
        }
        if (!v.matches("0(\\.[0-9]{0,3})?")) {
            return 0;
        }
        String digits = v.length() > 2 ? v.substring(2) : "";
        return digits.isEmpty() ? 0 : Integer.parseInt((digits + "00").substring(0, 3));
    }
}
