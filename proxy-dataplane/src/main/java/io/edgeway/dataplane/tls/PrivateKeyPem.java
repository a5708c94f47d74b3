package io.edgeway.dataplane.tls;

/**
 * The DER inside a key PEM's first well-formed {@code PRIVATE KEY} block (PKCS#8), read the way the pattern
 * {@code -----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----} finds it, without the regex: the
 * first BEGIN line whose body (base64 and whitespace only, not empty) runs straight into the END line. Why not the
 * pattern: every new certificate of a snapshot reads its key, and the matcher (a greedy loop over the body, then
 * the group's copy) was a tenth of the key step's allocation and 3 % of a 10,000-certificate apply's thread CPU.
 * The body can hold no '-', so its greedy run ends at the first character outside it; no shorter body can be
 * followed by the END line, so looking no further than that character is the pattern's answer too.
 */
final class PrivateKeyPem {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private PrivateKeyPem() {}

    /**
     * The block's body MIME-decoded (whitespace dropped), or null when {@code pem} has no such block; throws
     * IllegalArgumentException, as the decoder does, for a body that is not valid base64.
     */
    static byte[] der(String pem) {
        for (int begin = pem.indexOf(BEGIN); begin >= 0; begin = pem.indexOf(BEGIN, begin + 1)) {
            int from = begin + BEGIN.length();
            int to = from;
            while (to < pem.length() && isBodyChar(pem.charAt(to))) {
                to++;
            }
            if (to > from && pem.startsWith(END, to)) {
                return PemBase64.decode(pem, from, to);
            }
        }
        return null;
    }

    /** {@code [A-Za-z0-9+/=\s]}, where {@code \s} is Java's {@code [ \t\n\x0B\f\r]}. */
    private static boolean isBodyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='
                || c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
