package io.edgeway.dataplane.routing;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Regex paths, as in Kong: a route path starting with {@code ~} is a regular expression matched against
 * the normalised request path, anchored at its start (like a prefix; end it with {@code $} to match the
 * whole path). Compiled with re2j, so matching is linear in the path's length whatever the expression:
 * {@code ~/(a+)+$} cannot backtrack. The one cost re2j cannot bound is compiling nested counted
 * repetitions ({@code ((a{1000}){1000}){1000}} expands to a billion instructions), so, like RE2 itself,
 * the product of nested repetition counts is limited to {@link #MAX_REPEAT}.
 */
public final class PathRegex {
    public static final String MARKER = "~";
    public static final int MAX_REPEAT = 1000;

    private PathRegex() {}

    public static boolean isRegex(String path) {
        return path.startsWith(MARKER);
    }

    /**
     * Compiles the expression after the {@code ~}.
     *
     * @throws IllegalArgumentException with a message fit for an API error when it is not a valid regex
     */
    public static Pattern compile(String path) {
        if (!isRegex(path)) {
            throw new IllegalArgumentException("not a regex path (expected: ~ then a regular expression)");
        }
        String regex = path.substring(MARKER.length());
        if (regex.isEmpty()) {
            throw new IllegalArgumentException("empty regular expression after ~");
        }
        long repeat = repeatProduct(regex);
        if (repeat > MAX_REPEAT) {
            throw new IllegalArgumentException("nested repetition counts multiply to " + repeat
                    + " (expected: at most " + MAX_REPEAT + ")");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription());
        }
    }

    /**
     * The largest product of counted repetitions ({@code {n}}, {@code {n,}}, {@code {n,m}}) nested inside
     * each other. Escapes and character classes are skipped; a malformed count is left to the parser.
     */
    static long repeatProduct(String regex) {
        long[] stack = new long[regex.length() + 2];
        int depth = 0;
        stack[0] = 1;
        long lastAtom = 1; // the weight of the atom a following count applies to
        int i = 0;
        int n = regex.length();
        while (i < n) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i += 2;
                lastAtom = 1;
            } else if (c == '[') {
                i = skipClass(regex, i);
                lastAtom = 1;
            } else if (c == '(') {
                stack[++depth] = 1;
                i++;
                lastAtom = 1;
            } else if (c == ')') {
                lastAtom = depth > 0 ? stack[depth--] : 1;
                i++;
            } else if (c == '{') {
                int close = regex.indexOf('}', i);
                long count = close < 0 ? -1 : count(regex.substring(i + 1, close));
                if (count < 0) {
                    i++;
                    lastAtom = 1;
                    continue;
                }
                lastAtom = Math.min(Long.MAX_VALUE / 2, lastAtom * Math.max(1, count));
                stack[depth] = Math.max(stack[depth], lastAtom);
                i = close + 1;
                continue;
            } else {
                i++;
                lastAtom = 1;
            }
            if (c == ')') {
                stack[depth] = Math.max(stack[depth], lastAtom);
            }
        }
        long max = 1;
        for (int d = 0; d <= depth; d++) {
            max = Math.max(max, stack[d]);
        }
        return max;
    }

    private static int skipClass(String regex, int open) {
        int i = open + 1;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++;
        }
        while (i < regex.length() && regex.charAt(i) != ']') {
            if (regex.charAt(i) == '\\') {
                i++;
            } else if (regex.startsWith("[:", i)) {
                int end = regex.indexOf(":]", i + 2);
                i = end < 0 ? i : end + 1;
            }
            i++;
        }
        return i + 1;
    }

    /** The larger bound of {@code n}, {@code n,} or {@code n,m}; -1 when it is no count. */
    private static long count(String body) {
        String[] parts = body.split(",", -1);
        if (parts.length > 2) {
            return -1;
        }
        long max = 0;
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            if (p.length() > 9 || !p.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            max = Math.max(max, Long.parseLong(p));
        }
        return parts[0].isEmpty() ? -1 : max;
    }
}
