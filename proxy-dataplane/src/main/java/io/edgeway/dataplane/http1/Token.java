package io.edgeway.dataplane.http1;

/** RFC 9110 5.6.2 {@code tchar}: what field names, methods and Connection options are made of. */
public final class Token {
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
    }

    private Token() {}

    /** Whether the byte (or char below 256) is a tchar. */
    public static boolean isTchar(int b) {
        return b >= 0 ? b < 256 && TCHAR[b] : TCHAR[b & 0xff];
    }

    /** Whether {@code s} is a non-empty token. */
    public static boolean is(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
