package io.edgeway.dataplane.tls;

import java.util.Base64;

/**
 * A PEM body (a range of the PEM text) decoded as {@code Base64.getMimeDecoder().decode(pem.substring(from, to))}
 * decodes it, without the substring and the decoder's byte copy of it: two copies of every certificate's text
 * on the apply of 10,000 new certificates (a sixth of what it allocated). The plain form every PEM writer emits
 * (base64 lines, line breaks and spaces, '=' or '==' only at the very end, whole quanta) is decoded here; any other
 * body is handed to the MIME decoder itself, so the answer (bytes, or its IllegalArgumentException) is the same.
 */
final class PemBase64 {
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private PemBase64() {}

    static byte[] decode(String pem, int from, int to) {
        int digits = 0;
        int pad = 0;
        int lastPad = -2;
        for (int i = from; i < to; i++) {
            char c = pem.charAt(i);
            if (c == '\n' || c == '\r' || c == ' ') {
                continue;
            }
            if (c == '=') {
                if (pad == 1 && i != lastPad + 1) {
                    return mime(pem, from, to); // the decoder wants "==" together, not split by a line break
                }
                pad++;
                lastPad = i;
            } else if (c < 128 && VALUES[c] >= 0 && pad == 0) {
                digits++;
            } else {
                return mime(pem, from, to); // a digit after '=', or a character the decoder skips or refuses
            }
        }
        if ((digits + pad) % 4 != 0 || pad > 2 || (pad > 0 && digits % 4 < 2)) {
            return mime(pem, from, to);
        }
        byte[] out = new byte[digits / 4 * 3 + (digits % 4 == 0 ? 0 : digits % 4 - 1)];
        int bits = 0, count = 0, o = 0;
        for (int i = from; i < to && o < out.length; i++) {
            char c = pem.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0) {
                continue;
            }
            bits = (bits << 6) | v;
            if (++count == 4) {
                out[o++] = (byte) (bits >> 16);
                out[o++] = (byte) (bits >> 8);
                out[o++] = (byte) bits;
                bits = 0;
                count = 0;
            }
        }
        if (count == 2) {
            out[o] = (byte) (bits >> 4);
        } else if (count == 3) {
            out[o++] = (byte) (bits >> 10);
            out[o] = (byte) (bits >> 2);
        }
        return out;
    }

    private static byte[] mime(String pem, int from, int to) {
        return Base64.getMimeDecoder().decode(pem.substring(from, to));
    }
}
